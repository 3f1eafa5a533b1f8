//! Where plan bytes come from and what they are before any JSON is read: files, standard input,
//! directories of plans; UTF-8/UTF-16 decoding; binary plans converted by running
//! `terraform show -json`; and recognising setup-terraform wrapper output.

use std::borrow::Cow;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::error::{io_reason, one_line, PlanError};
use super::model::{NoSink, Plan, PlanInfo, RoleSink};
use super::readahead::ReadAhead;
use super::records::DocRecord;
use super::scan::Chunks;
use super::stream;

/// How inputs are read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// The program that converts a binary plan (`--terraform-bin`); `None` means
    /// `TRUSTGATE_TERRAFORM` when set, else `terraform`.
    pub terraform_bin: Option<String>,
}

impl ReadOptions {
    /// The program to run for `show -json`.
    pub fn program(&self) -> String {
        self.terraform_bin
            .clone()
            .filter(|p| !p.is_empty())
            .or_else(|| {
                std::env::var("TRUSTGATE_TERRAFORM")
                    .ok()
                    .filter(|p| !p.is_empty())
            })
            .unwrap_or_else(|| "terraform".to_string())
    }
}

/// One input to read, after directories are expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// `-`: standard input (the caller reads it and passes the bytes to [`read_bytes`]).
    Stdin,
    /// A file: named on the command line, or found under a named directory.
    File {
        path: PathBuf,
        /// The path as the user would write it (what messages and reports show).
        display: String,
    },
}

impl Input {
    pub fn display(&self) -> &str {
        match self {
            Input::Stdin => "-",
            Input::File { display, .. } => display,
        }
    }
}

/// Expand command-line arguments into inputs: `-` kept, files as given, directories walked
/// recursively for `*.json` files (in sorted order). A `.json` file found in a directory that
/// is not a plan (a policy, a `package.json`) is skipped, and a note says so; the notes are the
/// second element. A file named explicitly is never skipped: reading it reports what is wrong.
pub fn expand_inputs(args: &[String]) -> Result<(Vec<Input>, Vec<String>), PlanError> {
    let mut inputs = Vec::new();
    let mut notes = Vec::new();
    for arg in args {
        if arg == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let path = PathBuf::from(arg);
        let meta = std::fs::metadata(&path).map_err(|err| PlanError::Io {
            file: one_line(arg),
            reason: io_reason(&err),
        })?;
        if !meta.is_dir() {
            inputs.push(Input::File {
                path,
                display: arg.clone(),
            });
            continue;
        }
        let mut found = Vec::new();
        walk(&path, &mut found, &mut notes)?;
        found.sort();
        let before = inputs.len();
        for file in found {
            let display = file.display().to_string();
            match sniff(&file) {
                Sniff::NotAPlan(reason) => {
                    notes.push(format!(
                        "{}: skipped: not a Terraform plan ({reason})",
                        one_line(&display)
                    ));
                }
                Sniff::Read => inputs.push(Input::File {
                    path: file,
                    display,
                }),
            }
        }
        if inputs.len() == before {
            return Err(PlanError::NoPlans {
                file: one_line(arg),
            });
        }
    }
    Ok((inputs, notes))
}

/// Collect `*.json` files below `dir`. Symbolic links to directories are not followed (a link
/// cycle would never end); links to files are read like files.
fn walk(dir: &Path, found: &mut Vec<PathBuf>, notes: &mut Vec<String>) -> Result<(), PlanError> {
    let io_error = |path: &Path, err: io::Error| PlanError::Io {
        file: one_line(&path.display().to_string()),
        reason: io_reason(&err),
    };
    let entries = std::fs::read_dir(dir).map_err(|err| io_error(dir, err))?;
    for entry in entries {
        let entry = entry.map_err(|err| io_error(dir, err))?;
        let path = entry.path();
        let file_type = entry.file_type().map_err(|err| io_error(&path, err))?;
        if file_type.is_dir() {
            walk(&path, found, notes)?;
        } else if file_type.is_symlink() && path.is_dir() {
            notes.push(format!(
                "{}: skipped: a symbolic link to a directory is not followed",
                one_line(&path.display().to_string())
            ));
        } else if path.extension().is_some_and(|ext| ext == "json") {
            found.push(path);
        }
    }
    Ok(())
}

/// Read one plan file (`display` is how messages name it), streaming.
pub fn read_path(path: &Path, display: &str, opts: &ReadOptions) -> Result<Vec<Plan>, PlanError> {
    read_path_with(path, display, opts, &mut NoSink)
}

/// `read_path`, telling `sink` of each role as it is read.
pub fn read_path_with(
    path: &Path,
    display: &str,
    opts: &ReadOptions,
    sink: &mut dyn RoleSink,
) -> Result<Vec<Plan>, PlanError> {
    let display = one_line(display);
    let io_error = |err: io::Error| PlanError::Io {
        file: display.clone(),
        reason: io_reason(&err),
    };
    let mut file = std::fs::File::open(path).map_err(io_error)?;
    let head = read_head(&mut file).map_err(io_error)?;
    match kind_of(&head) {
        Kind::Zip => {
            let json = terraform_show(path, &display, opts)?;
            read_text(&display, &json, sink)
        }
        Kind::Utf16 => {
            // Rare and small (PowerShell redirects): decoded whole.
            let mut bytes = head;
            file.read_to_end(&mut bytes).map_err(io_error)?;
            read_text(&display, &bytes, sink)
        }
        Kind::Json { skip } => {
            let head = head.get(skip..).unwrap_or_default().to_vec();
            read_json(&display, ReadAhead::new(head, file), sink)
        }
    }
}

/// Read plan bytes already in memory.
pub fn read_bytes(display: &str, bytes: &[u8], opts: &ReadOptions) -> Result<Vec<Plan>, PlanError> {
    let display = one_line(display);
    match kind_of(bytes) {
        Kind::Zip => {
            let temp = temp_plan(&display, &mut &bytes[..])?;
            let json = terraform_show(&temp.path, &display, opts)?;
            read_text(&display, &json, &mut NoSink)
        }
        Kind::Utf16 | Kind::Json { .. } => read_text(&display, bytes, &mut NoSink),
    }
}

/// Read plan JSON from a stream without holding it in memory.
pub fn read_reader<R: Read>(
    display: &str,
    reader: R,
    opts: &ReadOptions,
) -> Result<Vec<Plan>, PlanError> {
    read_reader_with(display, reader, opts, &mut NoSink)
}

/// `read_reader`, telling `sink` of each role as it is read.
pub fn read_reader_with<R: Read>(
    display: &str,
    reader: R,
    opts: &ReadOptions,
    sink: &mut dyn RoleSink,
) -> Result<Vec<Plan>, PlanError> {
    read_stream(
        display,
        reader,
        opts,
        sink,
        |display, head, reader, sink| read_json(display, io::Cursor::new(head).chain(reader), sink),
    )
}

/// Read plan JSON from the process's standard input, as `read_reader` does, with the reads
/// on a second thread (as for a file), so a piped plan is read as fast as a named one.
pub fn read_stdin(opts: &ReadOptions, sink: &mut dyn RoleSink) -> Result<Vec<Plan>, PlanError> {
    read_stream(
        "-",
        io::stdin(),
        opts,
        sink,
        |display, head, reader, sink| read_json(display, ReadAhead::new(head, reader), sink),
    )
}

/// A stream by its first bytes: a binary plan is converted, UTF-16 decoded whole, and JSON
/// handed to `json` with the bytes already read (byte-order mark removed) and the rest.
fn read_stream<R: Read>(
    display: &str,
    mut reader: R,
    opts: &ReadOptions,
    sink: &mut dyn RoleSink,
    json: impl FnOnce(&str, Vec<u8>, R, &mut dyn RoleSink) -> Result<Vec<Plan>, PlanError>,
) -> Result<Vec<Plan>, PlanError> {
    let display = one_line(display);
    let io_error = |err: io::Error| PlanError::Io {
        file: display.clone(),
        reason: io_reason(&err),
    };
    let head = read_head(&mut reader).map_err(io_error)?;
    match kind_of(&head) {
        Kind::Zip => {
            let temp = temp_plan(&display, &mut io::Cursor::new(head).chain(reader))?;
            let json = terraform_show(&temp.path, &display, opts)?;
            read_text(&display, &json, sink)
        }
        Kind::Utf16 => {
            let mut bytes = head;
            reader.read_to_end(&mut bytes).map_err(io_error)?;
            read_text(&display, &bytes, sink)
        }
        Kind::Json { skip } => {
            let head = head.get(skip..).unwrap_or_default().to_vec();
            json(&display, head, reader, sink)
        }
    }
}

/// The streaming reader over `body` (a byte-order mark already removed): every input's JSON
/// is read here.
fn read_json<C: Chunks>(
    display: &str,
    body: C,
    sink: &mut dyn RoleSink,
) -> Result<Vec<Plan>, PlanError> {
    let docs = stream::read_documents(display, body, sink)?;
    Ok(plans_of(display, docs))
}

/// What the first bytes say the input is.
enum Kind {
    Zip,
    Utf16,
    /// UTF-8 JSON, after `skip` bytes of byte-order mark.
    Json {
        skip: usize,
    },
}

fn kind_of(head: &[u8]) -> Kind {
    if is_zip(head) {
        return Kind::Zip;
    }
    match head {
        [0xEF, 0xBB, 0xBF, ..] => Kind::Json { skip: 3 },
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] => Kind::Utf16,
        [a, 0, ..] if *a != 0 && a.is_ascii() => Kind::Utf16,
        [0, b, ..] if *b != 0 && b.is_ascii() => Kind::Utf16,
        _ => Kind::Json { skip: 0 },
    }
}

/// Up to the first four bytes (enough for the zip magic and any byte-order mark).
fn read_head<R: Read>(reader: &mut R) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(4);
    reader.take(4).read_to_end(&mut head)?;
    Ok(head)
}

/// A binary plan copied to a temporary file for `terraform show`.
fn temp_plan(display: &str, bytes: &mut dyn Read) -> Result<TempFile, PlanError> {
    TempFile::copy(bytes).map_err(|err| PlanError::Io {
        file: display.to_string(),
        reason: format!(
            "cannot write the binary plan to a temporary file: {}",
            io_reason(&err)
        ),
    })
}

/// Plan bytes already in memory (a byte-order mark or UTF-16 decoded first), streamed from
/// the slice.
fn read_text(display: &str, bytes: &[u8], sink: &mut dyn RoleSink) -> Result<Vec<Plan>, PlanError> {
    let text = decode(display, bytes)?;
    read_json(display, &text[..], sink)
}

/// One `Plan` per document; several documents are named `path#N`.
pub(super) fn plans_of(display: &str, docs: Vec<DocRecord>) -> Vec<Plan> {
    let several = docs.len() > 1;
    docs.into_iter()
        .enumerate()
        .map(|(i, doc)| {
            let path = if several {
                format!("{display}#{}", i.saturating_add(1))
            } else {
                display.to_string()
            };
            plan_of(path, doc)
        })
        .collect()
}

fn plan_of(path: String, doc: DocRecord) -> Plan {
    // What needs the whole document: drift, each role's provider and account, renames.
    let mut roles = super::extract::role_changes(doc.changes, doc.drift);
    // Held until every role is reported: the room grown for more roles is a quarter of it on
    // average (3 MiB on a plan of 25,000 roles).
    roles.shrink_to_fit();
    super::accounts::bind(&mut roles, &doc.facts);
    super::pairing::pair(&mut roles);
    let mut context = doc.context;
    context.providers = super::context::providers(&doc.facts);
    context.shrink();
    let mut warnings = Vec::new();
    let format_version = match (doc.format_version, doc.plan_format_version) {
        (Some(v), _) => Some(v),
        (None, Some(v)) => {
            warnings.push(format!(
                "the plan has HCP Terraform's `plan_format_version` (`{}`) instead of \
                 `format_version`; it was read as the same format",
                one_line(&v)
            ));
            Some(v)
        }
        (None, None) => {
            warnings
                .push("the plan has no `format_version`; it was read as format 1.x".to_string());
            None
        }
    };
    Plan {
        info: PlanInfo {
            path,
            format_version,
            terraform_version: doc.terraform_version,
            complete: doc.complete.unwrap_or(true),
            warnings,
            module_sources: doc.module_sources,
        },
        roles,
        context,
    }
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(ZIP_MAGIC)
}

/// The bytes as UTF-8: a UTF-8 byte-order mark dropped, UTF-16 (a PowerShell `>` redirect)
/// decoded. UTF-16 is recognised by its byte-order mark, or without one by the NUL byte every
/// ASCII character carries (a plan always starts with ASCII).
pub(super) fn decode<'a>(display: &str, bytes: &'a [u8]) -> Result<Cow<'a, [u8]>, PlanError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return Ok(Cow::Borrowed(rest));
    }
    let (body, little_endian) = match bytes {
        [0xFF, 0xFE, rest @ ..] => (rest, true),
        [0xFE, 0xFF, rest @ ..] => (rest, false),
        [a, 0, ..] if *a != 0 && a.is_ascii() => (bytes, true),
        [0, b, ..] if *b != 0 && b.is_ascii() => (bytes, false),
        _ => return Ok(Cow::Borrowed(bytes)),
    };
    decode_utf16(display, body, little_endian).map(|s| Cow::Owned(s.into_bytes()))
}

fn decode_utf16(display: &str, body: &[u8], little_endian: bool) -> Result<String, PlanError> {
    let encoding = if little_endian {
        "UTF-16LE"
    } else {
        "UTF-16BE"
    };
    let pairs = body.chunks_exact(2);
    if !pairs.remainder().is_empty() {
        return Err(PlanError::Encoding {
            file: display.to_string(),
            reason: format!("the input looks like {encoding} but has an odd number of bytes"),
        });
    }
    let units = pairs.map(|pair| match pair {
        [a, b] if little_endian => u16::from_le_bytes([*a, *b]),
        [a, b] => u16::from_be_bytes([*a, *b]),
        _ => 0,
    });
    let mut text = String::with_capacity(body.len() / 2);
    for (i, unit) in char::decode_utf16(units).enumerate() {
        match unit {
            Ok(c) => text.push(c),
            Err(_) => {
                return Err(PlanError::Encoding {
                    file: display.to_string(),
                    reason: format!(
                        "invalid {encoding} at byte {}: an unpaired surrogate",
                        i.saturating_mul(2)
                    ),
                })
            }
        }
    }
    Ok(text)
}

/// Whether `text` holds hashicorp/setup-terraform wrapper output: its `[command]...` line
/// before the JSON, or GitHub workflow commands (`::debug::`, `::set-output ...`) after it.
/// Neither can begin a line of valid JSON, so a match is never a false alarm on a plan.
pub(super) fn looks_like_wrapper(text: &[u8]) -> bool {
    const MARKERS: &[&[u8]] = &[
        b"[command]",
        b"::debug::",
        b"::set-output",
        b"::error",
        b"::warning",
        b"::notice",
        b"::group::",
        b"::endgroup::",
        b"::add-mask::",
    ];
    text.split(|&b| b == b'\n').any(|line| {
        let line = line.trim_ascii_start();
        MARKERS.iter().any(|marker| line.starts_with(marker))
    })
}

/// Run `<program> show -json <path>` and return its standard output.
fn terraform_show(path: &Path, display: &str, opts: &ReadOptions) -> Result<Vec<u8>, PlanError> {
    let program = opts.program();
    let output = Command::new(&program)
        .arg("show")
        .arg("-json")
        .arg(path)
        .stdin(Stdio::null())
        .output()
        .map_err(|err| PlanError::TerraformMissing {
            file: display.to_string(),
            program: one_line(&program),
            reason: if err.kind() == io::ErrorKind::NotFound {
                "program not found".to_string()
            } else {
                io_reason(&err)
            },
        })?;
    if !output.status.success() {
        let status = match output.status.code() {
            Some(code) => format!("exit status {code}"),
            None => "killed by a signal".to_string(),
        };
        return Err(PlanError::TerraformFailed {
            file: display.to_string(),
            program: one_line(&program),
            status,
            reason: first_message_line(&output.stderr),
        });
    }
    if output.stdout.iter().all(u8::is_ascii_whitespace) {
        return Err(PlanError::TerraformFailed {
            file: display.to_string(),
            program: one_line(&program),
            status: "exit status 0".to_string(),
            reason: "it printed nothing".to_string(),
        });
    }
    Ok(output.stdout)
}

/// The first line of a diagnostic that says something: Terraform frames its errors in
/// box-drawing characters and may colour them.
fn first_message_line(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    text.lines()
        .map(|line| {
            strip_ansi(line)
                .trim_matches(|c: char| c.is_whitespace() || "╷│╵".contains(c))
                .to_string()
        })
        .find(|line| !line.is_empty())
        .map(|line| one_line(&line))
        .unwrap_or_else(|| "no error message".to_string())
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI sequence: ESC [ parameters final-byte.
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A temporary copy of a binary plan read from standard input, removed when dropped.
struct TempFile {
    path: PathBuf,
}

impl TempFile {
    fn copy(bytes: &mut dyn Read) -> io::Result<TempFile> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let name = format!(
            "trustgate-{}-{nanos}-{}.tfplan",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        // create_new: never write through a file (or link) someone else put there.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        let temp = TempFile { path };
        io::copy(bytes, &mut file)?;
        Ok(temp)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

// ---------------------------------------------------------------------------------------------
// Sniffing files found in a directory: is this `.json` a plan? Read only as far as needed: a
// plan's first key (`format_version`) settles it, so a big plan costs a few bytes here.
// ---------------------------------------------------------------------------------------------

enum Sniff {
    /// A plan, or something that fails to read (the reader then says what is wrong: a broken
    /// file in a plan directory must stop the gate, not vanish).
    Read,
    /// Valid JSON that is not a plan.
    NotAPlan(String),
}

fn sniff(path: &Path) -> Sniff {
    let Ok(file) = std::fs::File::open(path) else {
        return Sniff::Read;
    };
    let mut head = Vec::new();
    if file.take(4).read_to_end(&mut head).is_err() {
        return Sniff::Read;
    }
    if is_zip(&head) {
        return Sniff::Read;
    }
    let utf16 = matches!(
        head.as_slice(),
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] | [_, 0, ..] | [0, _, ..]
    );
    if utf16 {
        // Rare and small (PowerShell output): decode it whole.
        let Ok(bytes) = std::fs::read(path) else {
            return Sniff::Read;
        };
        let Ok(text) = decode("", &bytes) else {
            return Sniff::Read;
        };
        return sniff_json(serde_json::Deserializer::from_slice(&text));
    }
    let Ok(file) = std::fs::File::open(path) else {
        return Sniff::Read;
    };
    let mut reader = BufReader::new(file);
    let mut bom = [0u8; 3];
    let skip_bom = matches!(head.as_slice(), [0xEF, 0xBB, 0xBF, ..]);
    if skip_bom && reader.read_exact(&mut bom).is_err() {
        return Sniff::Read;
    }
    sniff_json(serde_json::Deserializer::from_reader(reader))
}

fn sniff_json<'de, R: serde_json::de::Read<'de>>(mut de: serde_json::Deserializer<R>) -> Sniff {
    let verdict = std::cell::Cell::new(None);
    match (SniffSeed { verdict: &verdict }).deserialize(&mut de) {
        Ok(kind) => Sniff::NotAPlan(kind),
        Err(_) => match verdict.take() {
            Some(v) => v,
            None => Sniff::Read,
        },
    }
}

/// Reads the first document just far enough to decide. It stops early by failing on purpose
/// once it has seen a plan key, after leaving its verdict in `verdict`; a real error leaves
/// no verdict. `Ok` means the whole document was read and is valid JSON but not a plan.
struct SniffSeed<'a> {
    verdict: &'a std::cell::Cell<Option<Sniff>>,
}

impl<'de> DeserializeSeed<'de> for SniffSeed<'_> {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SniffSeed<'_> {
    type Value = String;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON document")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<String, A::Error> {
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            let decisive = matches!(
                key.as_ref(),
                "format_version"
                    | "plan_format_version"
                    | "resource_changes"
                    | "planned_values"
                    | "terraform_version"
                    | "configuration"
                    | "prior_state"
                    // The event stream is refused by the reader with the right advice.
                    | "@level"
                    | "@message"
            );
            if decisive {
                self.verdict.set(Some(Sniff::Read));
                return Err(de::Error::custom("a plan"));
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok("a JSON object with none of the plan keys".to_string())
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<String, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok("a JSON array".to_string())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<String, E> {
        Ok("a JSON string".to_string())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<String, E> {
        Ok("a JSON boolean".to_string())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<String, E> {
        Ok("a JSON number".to_string())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<String, E> {
        Ok("a JSON number".to_string())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<String, E> {
        Ok("a JSON number".to_string())
    }

    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok("JSON null".to_string())
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn utf16_both_orders() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("{}".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("{}".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode("f", &le).unwrap().as_ref(), b"{}");
        assert_eq!(decode("f", &be).unwrap().as_ref(), b"{}");
        assert!(decode("f", &[0xFF, 0xFE, 0x7B]).is_err());
    }

    #[test]
    fn wrapper_markers() {
        assert!(looks_like_wrapper(
            b"[command]/x/terraform-bin show -json p\n{}"
        ));
        assert!(looks_like_wrapper(
            b"{}\n::debug::Terraform exited with code 0."
        ));
        assert!(!looks_like_wrapper(b"{\n  \"a\": \"::debug::\"\n}"));
    }

    /// The message of `bytes` read in memory, streamed from a reader, and as UTF-16: every
    /// input goes through the one streaming reader, so all three say the same.
    fn message(bytes: &[u8]) -> String {
        let opts = ReadOptions::default();
        let in_memory = read_bytes("p", bytes, &opts).unwrap_err().to_string();
        let streamed = read_reader("p", bytes, &opts).unwrap_err().to_string();
        assert_eq!(in_memory, streamed);
        let text = std::str::from_utf8(bytes).unwrap();
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(
            read_bytes("p", &utf16, &opts).unwrap_err().to_string(),
            in_memory
        );
        in_memory
    }

    /// Messages the in-memory reader used to give (checked against it), and the streaming
    /// reader now gives for every input: broken JSON is a syntax error at its place, even where a value of the
    /// wrong type starts; a wrong type serde meets before broken JSON is the shape error.
    #[test]
    fn one_reader_one_message() {
        let entry = |change: &str| {
            format!(
                r#"{{"format_version":"1.2","resource_changes":[{{"address":"aws_iam_role.r","type":"aws_iam_role","change":{change}}}]}}"#
            )
        };
        let cases = [
            // Cut inside an entry, after a key: truncated, not a misshapen entry.
            (
                r#"{"format_version":"1.2","resource_changes":[{"address":"#.to_string(),
                "the JSON ends early at line 1 column 55",
            ),
            (
                entry(r#"{"actions":x}"#),
                "invalid JSON at line 1 column 115: expected value",
            ),
            (
                entry(r#"{"actions":["create"],"before":1e}"#),
                "invalid JSON at line 1 column 137: invalid number",
            ),
            (
                entry(r#"{"actions":[["create"}"#),
                r#"resource_changes[0].change.actions[0]: invalid type: sequence, expected a string"#,
            ),
            (
                r#"{"format_version":["1.2"}"#.to_string(),
                "format_version: invalid type: sequence, expected a string",
            ),
            (
                r#"{"format_version":"1.2","resource_changes":{"a":}"#.to_string(),
                "resource_changes: invalid type: map, expected a list of resource changes",
            ),
            (
                r#"{"format_version":"1.2","planned_values":{"a":1,}}"#.to_string(),
                "invalid JSON at line 1 column 49: trailing comma",
            ),
            (
                r#"{"format_version":"1.2","planned_values":{"a":[1,]}}"#.to_string(),
                "invalid JSON at line 1 column 50: expected value",
            ),
            ("\"a\u{1}b\"".to_string(), "invalid JSON at line 1 column 3: control character"),
            ("1e".to_string(), "the JSON ends early at line 1 column 2"),
            (
                r#"{"format_version":"1.2"} 7"#.to_string(),
                "p#2: not a Terraform plan: the document is a number",
            ),
            (
                r#"{"format_version":"1.2"} nul"#.to_string(),
                "the JSON ends early at line 1 column 28",
            ),
            (
                r#"{"format_version":"1.2"} nux"#.to_string(),
                "invalid JSON at line 1 column 28: unexpected `n` after the end of the plan document",
            ),
            (
                "{\"format_version\":\"1.2\",\n::debug::x\n}".to_string(),
                "hashicorp/setup-terraform wrapper output",
            ),
        ];
        for (bytes, want) in &cases {
            let got = message(bytes.as_bytes());
            assert!(got.contains(want), "{bytes}\nwant {want}\ngot  {got}");
        }
    }

    #[test]
    fn stderr_first_line() {
        let stderr =
            "\n\u{1b}[31m╷\u{1b}[0m\n│ \u{1b}[1mError: \u{1b}[0mFailed to load plugin\n│\n╵\n";
        assert_eq!(
            first_message_line(stderr.as_bytes()),
            "Error: Failed to load plugin"
        );
    }
}
