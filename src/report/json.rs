//! The `trustgate/v1` JSON document (SPEC §6). Its types are separate from the internal ones so
//! the output stays stable while the internals change: additions only, no renames or removals.

use super::{InputError, Report};
use crate::analysis::Verdict;
use crate::finding::Severity;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::Serialize;

pub const SCHEMA: &str = "trustgate/v1";

#[derive(Serialize)]
struct Document<'a, R, F> {
    schema: &'static str,
    tool: Tool,
    plans: Vec<Plan<'a>>,
    roles: R,
    findings: F,
    summary: Summary,
    /// Notes about the run (missing format_version, skipped files, expired or unused
    /// ignores), sorted. Added within v1, after the keys SPEC §6 lists.
    notes: &'a [String],
    /// Inputs that could not be read (`path`, `message`); the report covers the others and
    /// `summary.exit_code` is 2. Added within v1, after `notes`.
    errors: &'a [InputError],
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Plan<'a> {
    path: &'a str,
    format_version: Option<&'a str>,
    terraform_version: Option<&'a str>,
    complete: bool,
}

#[derive(Serialize)]
struct Summary {
    roles: usize,
    verdicts: Ordered,
    findings: Ordered,
    suppressed: usize,
    exit_code: i32,
}

/// A JSON array written from an iterator made afresh when it is serialised: the roles and
/// findings are read back from the results store one at a time, never all held at once.
///
/// The iterator runs on a thread of its own, a few batches ahead of the writer: reading a
/// record back (a read from the spill file, then decoding) and laying it out as text take about
/// as long as each other, and after the plan is read the other cores are idle. The channel is
/// bounded, so at most `AHEAD` batches of items are held; the items arrive in order, so the
/// output is the same as when written on one thread (which is what happens when no thread can
/// be started).
pub(super) struct Seq<G>(pub(super) G);

/// Items per batch handed from the reading thread to the writer (one wake-up each).
const BATCH: usize = 32;
/// Batches read ahead of the writer, at most.
const AHEAD: usize = 4;

impl<G, I> Serialize for Seq<G>
where
    G: Fn() -> I + Sync,
    I: Iterator,
    I::Item: Serialize + Send,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<I::Item>>(AHEAD);
            // Written batches go back to be dropped where their items were made: freed on the
            // writer, each of their allocations was a cross-thread free, which cost both
            // threads about a tenth of the rendering.
            let (done, written_back) = std::sync::mpsc::channel::<Vec<I::Item>>();
            let make = &self.0;
            let reader = std::thread::Builder::new()
                .name("trustgate-render".into())
                .spawn_scoped(scope, move || {
                    let mut items = make();
                    loop {
                        written_back.try_iter().for_each(drop);
                        let batch: Vec<I::Item> = items.by_ref().take(BATCH).collect();
                        // An empty batch ends the sequence; a writer gone (it failed) ends
                        // the reading.
                        if batch.is_empty() || tx.send(batch).is_err() {
                            break;
                        }
                    }
                    drop(tx);
                    written_back.iter().for_each(drop);
                });
            if reader.is_err() {
                return serializer.collect_seq(make());
            }
            // As `collect_seq` over the batches' items would (no length known beforehand).
            let written = (|| {
                let mut seq = serializer.serialize_seq(None)?;
                for batch in rx.iter() {
                    for item in &batch {
                        seq.serialize_element(item)?;
                    }
                    // The reader is gone only once the writer is: nothing left to free there.
                    let _ = done.send(batch);
                }
                seq.end()
            })();
            // Unblocks the reading thread if the writer stopped early, and ends its freeing,
            // before the scope waits for it.
            drop(rx);
            drop(done);
            written
        })
    }
}

/// A map that keeps the order it was built in (verdicts and severities as SPEC lists them).
struct Ordered(Vec<(&'static str, usize)>);

impl Serialize for Ordered {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Render the report as one pretty-printed JSON document ending in a newline.
pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    match write(report, &mut out) {
        Ok(()) => String::from_utf8_lossy(&out).into_owned(),
        // Serialising plain data with string keys into memory cannot fail; say so rather
        // than panic.
        Err(e) => format!("{{\"error\": \"cannot render JSON: {e}\"}}\n"),
    }
}

/// Write the same document straight to `out`: a report on thousands of roles runs to
/// megabytes, which need not be held in memory a second time.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let counts = report.counts();
    let verdicts = Ordered(
        Verdict::ALL
            .iter()
            .map(|v| {
                (
                    v.as_str(),
                    counts.by_verdict.get(v.as_str()).copied().unwrap_or(0),
                )
            })
            .collect(),
    );
    let findings = Ordered(
        Severity::ALL
            .iter()
            .map(|s| {
                (
                    s.as_str(),
                    counts.by_severity.get(s.as_str()).copied().unwrap_or(0),
                )
            })
            .collect(),
    );
    let doc = Document {
        schema: SCHEMA,
        tool: Tool {
            name: "trustgate",
            version: env!("CARGO_PKG_VERSION"),
        },
        plans: report
            .plans
            .iter()
            .map(|p| Plan {
                path: &p.path,
                format_version: p.format_version.as_deref(),
                terraform_version: p.terraform_version.as_deref(),
                complete: p.complete,
            })
            .collect(),
        roles: Seq(|| report.roles()),
        findings: Seq(|| report.findings()),
        summary: Summary {
            roles: counts.roles,
            verdicts,
            findings,
            suppressed: counts.suppressed,
            exit_code: report.exit_code,
        },
        notes: &report.notes,
        errors: &report.errors,
    };
    // The formatter writes a few bytes at a time: buffered here, they reach `out` (a trait
    // object) in large pieces.
    let mut buffered = std::io::BufWriter::with_capacity(64 << 10, &mut *out);
    crate::analysis::with_raw_compact_json(|| {
        let mut ser = serde_json::Serializer::with_formatter(&mut buffered, Pretty::default());
        doc.serialize(&mut ser)
    })?;
    std::io::Write::write_all(&mut buffered, b"\n")?;
    std::io::Write::flush(&mut buffered)
}

/// serde_json's pretty layout (two spaces), which also lays out a raw fragment (a policy kept
/// as compact text, `CompactJson`) exactly as if it had been serialised as a value.
#[derive(Default)]
struct Pretty {
    level: usize,
    has_value: bool,
}

fn indent<W: ?Sized + std::io::Write>(w: &mut W, level: usize) -> std::io::Result<()> {
    const SPACES: &[u8; 64] = &[b' '; 64];
    let mut left = level.saturating_mul(2);
    while left > 0 {
        let n = left.min(SPACES.len());
        w.write_all(SPACES.get(..n).unwrap_or_default())?;
        left = left.saturating_sub(n);
    }
    Ok(())
}

/// What arrays and objects share: where they open, where each member starts, where they close.
impl Pretty {
    fn open<W: ?Sized + std::io::Write>(&mut self, w: &mut W, bracket: u8) -> std::io::Result<()> {
        self.level = self.level.saturating_add(1);
        self.has_value = false;
        w.write_all(&[bracket])
    }

    fn member<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        indent(w, self.level)
    }

    fn close<W: ?Sized + std::io::Write>(&mut self, w: &mut W, bracket: u8) -> std::io::Result<()> {
        self.level = self.level.saturating_sub(1);
        if self.has_value {
            w.write_all(b"\n")?;
            indent(w, self.level)?;
        }
        w.write_all(&[bracket])
    }
}

impl serde_json::ser::Formatter for Pretty {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b'[')
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b']')
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.member(w, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b'{')
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b'}')
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.member(w, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    /// The fragment is valid JSON (serde_json checked it); whitespace outside strings is
    /// dropped and the rest laid out as `begin_*`/`end_*` above would lay out its values.
    fn write_raw_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let bytes = fragment.as_bytes();
        let mut level = self.level;
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            i = i.saturating_add(1);
            match b {
                b'"' => {
                    // Copy the string whole, escapes included; its end is found a word at a
                    // time (policies are most of a large report's bytes).
                    let start = i.saturating_sub(1);
                    loop {
                        let Some(at) = bytes.get(i..).and_then(crate::plan::find_special) else {
                            i = bytes.len();
                            break;
                        };
                        let at = i.saturating_add(at);
                        let c = bytes.get(at).copied();
                        i = at.saturating_add(if c == Some(b'\\') { 2 } else { 1 });
                        if c == Some(b'"') {
                            break;
                        }
                    }
                    w.write_all(bytes.get(start..i.min(bytes.len())).unwrap_or_default())?;
                }
                b'{' | b'[' => {
                    let close = if b == b'{' { b'}' } else { b']' };
                    let mut j = i;
                    while bytes.get(j).is_some_and(u8::is_ascii_whitespace) {
                        j = j.saturating_add(1);
                    }
                    if bytes.get(j) == Some(&close) {
                        w.write_all(&[b, close])?;
                        i = j.saturating_add(1);
                    } else {
                        level = level.saturating_add(1);
                        w.write_all(&[b, b'\n'])?;
                        indent(w, level)?;
                    }
                }
                b'}' | b']' => {
                    level = level.saturating_sub(1);
                    w.write_all(b"\n")?;
                    indent(w, level)?;
                    w.write_all(&[b])?;
                }
                b',' => {
                    w.write_all(b",\n")?;
                    indent(w, level)?;
                }
                b':' => w.write_all(b": ")?,
                b' ' | b'\t' | b'\n' | b'\r' => {}
                _ => w.write_all(&[b])?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod pretty_tests {
    use super::Pretty;
    use crate::analysis::CompactJson;
    use serde::Serialize;
    use serde_json::{json, Value};

    /// A policy kept as compact text is laid out byte for byte as serde_json lays out the value
    /// it holds, at any depth, whatever its strings contain.
    #[test]
    fn raw_fragments_are_laid_out_like_values() {
        let values = [
            json!(null),
            json!("(sensitive)"),
            json!([]),
            json!({}),
            json!({"Statement": [], "Version": "2012-10-17"}),
            json!({"Statement": [{"Action": ["sts:AssumeRole"], "Condition": {"StringLike":
                {"k": ["a,b", "c:d", "{[", "]}", "q\"uote", "back\\slash", "tab\tnl\n", "é ☃ \u{1F600}", ""]}},
                "Effect": "Allow", "Principal": {"AWS": ["*"]}}], "Version": "2012-10-17"}),
            json!([[[]], [{}], {"a": [1, 2.5, -3, true, false, null]}]),
            // Escapes before, on and after eight-byte boundaries, as the string's end is
            // searched a word at a time.
            json!({"k": ["1234567\"", "12345678\\", "123456789\"x", "abcdefghijklmno\\p\"qrstuvwxyz0123456", "\u{1}\u{1f}\\\"", "é☃é☃é☃é☃\"é"]}),
        ];
        for value in values {
            let outer = |v: Value| json!({"roles": [{"after": v, "z": [1]}], "n": 0});
            let want = serde_json::to_string_pretty(&outer(value.clone())).unwrap();
            let compact = CompactJson::new(&value);
            // The same document with the compact text in place of the value.
            #[derive(Serialize)]
            struct Role<'a> {
                after: &'a CompactJson,
                z: [u8; 1],
            }
            #[derive(Serialize)]
            struct Doc<'a> {
                n: u8,
                roles: [Role<'a>; 1],
            }
            let mut out = Vec::new();
            crate::analysis::with_raw_compact_json(|| {
                let mut ser = serde_json::Serializer::with_formatter(&mut out, Pretty::default());
                Doc {
                    n: 0,
                    roles: [Role {
                        after: &compact,
                        z: [1],
                    }],
                }
                .serialize(&mut ser)
            })
            .unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), want, "{value}");
            // Outside `with_raw_compact_json` the value path is taken, with the same result.
            let plain = serde_json::to_string_pretty(&Doc {
                n: 0,
                roles: [Role {
                    after: &compact,
                    z: [1],
                }],
            })
            .unwrap();
            assert_eq!(plain, want, "{value}");
        }
    }
}

#[cfg(test)]
mod seq_tests {
    use super::Seq;

    /// Items read ahead on another thread arrive whole and in order, across many batches and
    /// for an empty sequence.
    #[test]
    fn a_sequence_read_ahead_is_written_in_order() {
        for n in [0u32, 1, 31, 32, 33, 1000] {
            let items: Vec<String> = (0..n).map(|i| format!("item {i}")).collect();
            let written = serde_json::to_string_pretty(&Seq(|| items.iter())).unwrap();
            assert_eq!(
                written,
                serde_json::to_string_pretty(&items).unwrap(),
                "{n}"
            );
        }
    }

    /// A writer that fails stops the reading thread: an endless sequence still returns (with
    /// the writer's error) instead of hanging.
    #[test]
    fn a_failed_writer_stops_the_reading_thread() {
        struct Full(usize);
        impl std::io::Write for Full {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                if self.0 < buf.len() {
                    return Err(std::io::Error::other("disk full"));
                }
                self.0 -= buf.len();
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let err = serde_json::to_writer(Full(4096), &Seq(|| 0u64..)).unwrap_err();
        assert!(err.to_string().contains("disk full"), "{err}");
    }

    /// Written items are dropped on the reading thread, which made them: freeing them on the
    /// writer was a cross-thread free each.
    #[test]
    fn written_items_are_dropped_where_they_were_read() {
        use std::sync::Mutex;
        use std::thread::ThreadId;
        struct Item<'a>(u32, &'a Mutex<Vec<ThreadId>>);
        impl serde::Serialize for Item<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_u32(self.0)
            }
        }
        impl Drop for Item<'_> {
            fn drop(&mut self) {
                if let Ok(mut dropped) = self.1.lock() {
                    dropped.push(std::thread::current().id());
                }
            }
        }
        let dropped = Mutex::new(Vec::new());
        let written = serde_json::to_string(&Seq(|| (0..500).map(|i| Item(i, &dropped)))).unwrap();
        let want: Vec<u32> = (0..500).collect();
        assert_eq!(written, serde_json::to_string(&want).unwrap());
        let dropped = dropped.into_inner().unwrap();
        assert_eq!(dropped.len(), 500);
        let writer = std::thread::current().id();
        assert!(dropped.iter().all(|id| *id != writer));
    }
}
