//! Where reports go: `--format` (or `--output FORMAT=-`) on standard output and every
//! `--output FORMAT=PATH`. Parsed before any work so a typo costs nothing; rendering happens
//! after the gate has decided, and every format renders the same report (the exit code never
//! depends on the format).
//!
//! This is also where the disk and the environment are read for the renderers, which stay
//! pure: the `.tf` files under `--source-dir`, the repository root every location is made
//! relative to, the terminal's width, and GitHub's step summary and file URLs.

use super::{write_error, Io, RunError};
use crate::cli::{ColorArg, Format, OutputArgs};
use crate::report::source::{
    display_path, find_module_block, find_resource_block, is_local_source, join_normal,
    parse_address,
};
use crate::report::{self, Locations, Report, SourceLocation, Sources};
use clap::ValueEnum;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// GitHub's step summary: the file named by this variable, appended to.
const STEP_SUMMARY_ENV: &str = "GITHUB_STEP_SUMMARY";

/// Where one rendering goes.
pub struct OutputSpec {
    pub format: Format,
    /// `None`: standard output.
    pub path: Option<String>,
}

/// Every rendering the user asked for: standard output first, then each file.
pub fn parse_outputs(args: &OutputArgs) -> Result<Vec<OutputSpec>, RunError> {
    let mut outputs = Vec::new();
    for spec in &args.outputs {
        outputs.push(parse_output(spec)?);
    }
    let to_stdout = outputs.iter().filter(|o| o.path.is_none()).count();
    match (args.format, to_stdout) {
        (_, 0) => outputs.insert(
            0,
            OutputSpec {
                format: args.format.unwrap_or(Format::Table),
                path: None,
            },
        ),
        (None, 1) => {}
        _ => {
            return Err(RunError(
                "two reports would go to standard output (`--format` and `--output FORMAT=-`, or `-` twice): keep one".into(),
            ))
        }
    }
    let mut seen: Vec<PathBuf> = Vec::new();
    for path in outputs.iter().filter_map(|o| o.path.as_deref()) {
        let key = absolute(Path::new(path));
        if seen.contains(&key) {
            return Err(RunError(format!(
                "--output: `{path}` is named twice; each report needs its own file"
            )));
        }
        seen.push(key);
    }
    for (flag, dir) in [
        ("--source-dir", &args.source_dir),
        ("--repo-root", &args.repo_root),
    ] {
        if let Some(dir) = dir {
            if !dir.is_dir() {
                return Err(RunError(format!(
                    "{flag} `{}`: not a directory",
                    dir.display()
                )));
            }
        }
    }
    if args.step_summary && step_summary_path().is_none() {
        return Err(RunError(format!(
            "--step-summary: `{STEP_SUMMARY_ENV}` is not set (GitHub Actions sets it in every step)"
        )));
    }
    Ok(outputs)
}

fn format_names() -> String {
    Format::value_variants()
        .iter()
        .filter_map(|f| f.to_possible_value())
        .map(|v| v.get_name().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn parse_output(spec: &str) -> Result<OutputSpec, RunError> {
    let Some((format, path)) = spec.split_once('=') else {
        return Err(RunError(format!(
            "--output `{spec}`: expected FORMAT=PATH, e.g. `sarif=trustgate.sarif`"
        )));
    };
    let format = Format::from_str(format, true).map_err(|_| {
        RunError(format!(
            "--output `{spec}`: unknown format `{format}` (expected one of {})",
            format_names()
        ))
    })?;
    if path.is_empty() {
        return Err(RunError(format!("--output `{spec}`: the path is empty")));
    }
    Ok(OutputSpec {
        format,
        path: (path != "-").then(|| path.to_string()),
    })
}

/// `path` made absolute against the working directory, `.` and `..` resolved lexically.
fn absolute(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    join_normal(&abs, ".")
}

/// The repository root: `--repo-root`, else the nearest directory above the working
/// directory holding `.git` (a directory, or a file in a worktree), else the working
/// directory itself.
fn repo_root(args: &OutputArgs) -> PathBuf {
    if let Some(root) = &args.repo_root {
        return absolute(root);
    }
    let cwd = absolute(Path::new("."));
    cwd.ancestors()
        .find(|dir| dir.join(".git").exists())
        .map_or(cwd.clone(), Path::to_path_buf)
}

/// `path` relative to `root`, `/`-separated; `None` when it lies outside (a forge could not
/// open it). Tried lexically first, then with symbolic links resolved on both sides.
pub fn relative_to(root: &Path, path: &Path) -> Option<String> {
    let lexical = absolute(path);
    if let Ok(rel) = lexical.strip_prefix(root) {
        return Some(display_path(rel));
    }
    let real_root = root.canonicalize().ok()?;
    let real = path.canonicalize().ok()?;
    real.strip_prefix(&real_root).ok().map(display_path)
}

fn step_summary_path() -> Option<PathBuf> {
    std::env::var_os(STEP_SUMMARY_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The URL of a file at this commit on GitHub, when running in GitHub Actions.
fn link_base() -> Option<String> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let server = var("GITHUB_SERVER_URL")?;
    let repo = var("GITHUB_REPOSITORY")?;
    let sha = var("GITHUB_SHA")?;
    Some(format!(
        "{}/{repo}/blob/{sha}/",
        server.trim_end_matches('/')
    ))
}

/// The table's width: the terminal's (`COLUMNS`, else as detected) on a terminal, else
/// (a log, a file, `--wide`) as wide as the content.
fn table_width(args: &OutputArgs, io: &Io<'_>) -> Option<u16> {
    if args.wide || !io.terminal {
        return None;
    }
    Some(terminal_width(
        std::env::var("COLUMNS").ok().as_deref(),
        comfy_table::Table::new().width(),
    ))
}

/// `COLUMNS`, else the width the terminal reports, else 80; a width under 20 is no width.
/// A terminal can report none at all: a pseudo-terminal nobody sized (`docker run -t`,
/// `script`) reports 0 columns, which laid every cell out a character wide (a plan of 25,000
/// roles then took 600 MB to draw).
fn terminal_width(columns: Option<&str>, detected: Option<u16>) -> u16 {
    let usable = |w: &u16| *w >= 20;
    columns
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(usable)
        .or(detected.filter(usable))
        .unwrap_or(80)
}

fn use_color(args: &OutputArgs, io: &Io<'_>) -> bool {
    match (args.no_color, args.color) {
        (true, _) | (_, ColorArg::Never) => false,
        (false, ColorArg::Always) => true,
        (false, ColorArg::Auto) => io.color,
    }
}

/// Standard output, which a reader may close early (`| head`): then the rest of what goes
/// there is dropped quietly, and the files are still written.
struct Stdout<'a, 'b> {
    io: &'a mut Io<'b>,
    closed: bool,
}

impl Stdout<'_, '_> {
    fn send(&mut self, bytes: &[u8]) -> Result<(), RunError> {
        self.write_all(bytes).map_err(write_error)
    }
}

impl Write for Stdout<'_, '_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.closed {
            return Ok(bytes.len());
        }
        match self.io.out.write(bytes) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(bytes.len())
            }
            other => other,
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self.io.out.flush() {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            other => other,
        }
    }
}

/// A renderer that writes its report straight to a writer.
type Streamed<'a> = dyn Fn(&mut dyn Write) -> std::io::Result<()> + 'a;

/// Render the finished report (its exit code already decided) to every output.
pub fn deliver(
    report: &Report,
    outputs: &[OutputSpec],
    args: &OutputArgs,
    io: &mut Io<'_>,
) -> Result<(), RunError> {
    let root = repo_root(args);
    let step_summary = step_summary_path()
        .filter(|_| args.step_summary || outputs.iter().any(|o| o.format == Format::Github));
    let wants_sources = step_summary.is_some()
        || outputs
            .iter()
            .any(|o| matches!(o.format, Format::Sarif | Format::Github | Format::Markdown));
    let sources = match &args.source_dir {
        Some(dir) if wants_sources => find_sources(report, dir, &root),
        _ => Sources::new(),
    };
    let locations = Locations {
        plans: plan_paths(report, &root),
        root_uri: Some(file_uri(&root)),
        sources,
        link_base: link_base(),
    };
    let color = use_color(args, io);
    let width = table_width(args, io);
    let mut stdout = Stdout { io, closed: false };
    for output in outputs {
        if output.path.is_none() && args.quiet {
            let line = format!("{}\n", report::table::summary_line(report));
            stdout.send(line.as_bytes())?;
            continue;
        }
        // JSON, SARIF and the table are streamed: a large report is never held in memory a
        // second time (issue 7's memory bound; on 25k roles a SARIF log built whole took
        // 490 MiB, a table 146 MiB).
        let streamed: Option<&Streamed<'_>> = match output.format {
            Format::Json => Some(&|out| report::json::write(report, out)),
            Format::Sarif => Some(&|out| report::sarif::write(report, &locations, out)),
            Format::Table => Some(&|out| {
                let terminal = output.path.is_none();
                report::table::write(report, color && terminal, width.filter(|_| terminal), out)
            }),
            Format::Markdown | Format::Github => None,
        };
        if let Some(write) = streamed {
            match &output.path {
                // Standard output takes a lock and looks for line ends on every write: the
                // renderers' many small writes reach it in large pieces instead.
                None => {
                    let mut buffered = std::io::BufWriter::with_capacity(64 << 10, &mut stdout);
                    write(&mut buffered)
                        .and_then(|()| buffered.flush())
                        .map_err(write_error)?
                }
                Some(path) => std::fs::File::create(path)
                    .and_then(|file| {
                        let mut file = std::io::BufWriter::new(file);
                        write(&mut file)?;
                        file.flush()
                    })
                    .map_err(|e| RunError(format!("{path}: cannot write report: {e}")))?,
            }
            continue;
        }
        // Markdown and the github commands are short (a comment, a step summary, one line per
        // finding) and are rendered whole.
        let text = if output.format == Format::Github {
            report::github::render(report, &locations.sources)
        } else {
            report::markdown::render_with(
                report,
                &locations.sources,
                locations.link_base.as_deref(),
            )
        };
        match &output.path {
            None => stdout.send(text.as_bytes())?,
            Some(path) => std::fs::write(path, text)
                .map_err(|e| RunError(format!("{path}: cannot write report: {e}")))?,
        }
    }
    if let Some(path) = step_summary {
        let text = report::markdown::render_with(
            report,
            &locations.sources,
            locations.link_base.as_deref(),
        );
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut file| file.write_all(text.as_bytes()))
            .map_err(|e| {
                RunError(format!(
                    "{}: cannot append the step summary: {e}",
                    path.display()
                ))
            })?;
    }
    // A role that could not be read back from the results store is missing from what was
    // written: the run must not pass as if the report were whole.
    match report.results.failure() {
        Some(why) => Err(RunError(format!("the report is incomplete: {why}"))),
        None => Ok(()),
    }
}

/// Each plan file's path relative to the repository root, for the SARIF location of a
/// finding whose `resource` block was not found. Standard input, `compare` pairs and plans
/// outside the repository have none.
fn plan_paths(report: &Report, root: &Path) -> BTreeMap<String, String> {
    report
        .plans
        .iter()
        .filter_map(|p| {
            // `FILE#N` names the N-th document of a multi-document file.
            let file = match p.path.rsplit_once('#') {
                Some((file, n)) if n.bytes().all(|b| b.is_ascii_digit()) => file,
                _ => p.path.as_str(),
            };
            if file == "-" || p.path.contains(" -> ") {
                return None;
            }
            let rel = relative_to(root, Path::new(file))?;
            Some((p.path.clone(), rel))
        })
        .collect()
}

/// `file:///abs/root/`, SARIF's `%SRCROOT%`.
fn file_uri(root: &Path) -> String {
    let mut text = report::sarif::uri(&display_path(root));
    if !text.starts_with('/') {
        text.insert(0, '/');
    }
    if !text.ends_with('/') {
        text.push('/');
    }
    format!("file://{text}")
}

/// `.terraform/modules/modules.json`, which `terraform init` writes: where each module call's
/// code was put (registry and git sources live only there).
#[derive(Deserialize)]
struct ModulesManifest {
    #[serde(rename = "Modules", default)]
    modules: Vec<ManifestEntry>,
}

#[derive(Deserialize)]
struct ManifestEntry {
    /// Call names joined by dots (`a.b`); empty for the root module.
    #[serde(rename = "Key")]
    key: String,
    /// Relative to the root module's directory.
    #[serde(rename = "Dir")]
    dir: String,
}

/// The file and line of every role's `resource` block under `dir`, relative to the
/// repository `root`. A resource in a module fetched into `.terraform/` is located at the
/// `module` call that brings it in (a forge cannot open the fetched copy). A role whose block
/// is not found, or lies outside the repository, has no entry: locations help reviewers,
/// they never change a result.
pub fn find_sources(report: &Report, dir: &Path, root: &Path) -> Sources {
    let manifest: HashMap<String, String> =
        std::fs::read(dir.join(".terraform").join("modules").join("modules.json"))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<ModulesManifest>(&bytes).ok())
            .map(|m| m.modules.into_iter().map(|e| (e.key, e.dir)).collect())
            .unwrap_or_default();
    let mut files: HashMap<PathBuf, Vec<(PathBuf, String)>> = HashMap::new();
    let mut sources = Sources::new();
    for role in report.roles() {
        let Some(resource) = parse_address(&role.address) else {
            continue;
        };
        let module_sources = report
            .plans
            .iter()
            .find(|p| p.path == role.plan)
            .map(|p| p.module_sources.as_slice())
            .unwrap_or_default();
        let Some(chain) = module_dirs(dir, &resource, module_sources, &manifest) else {
            continue;
        };
        // The first module directory inside `.terraform/`, if any: point at its call.
        let fetched = chain.iter().position(|d| in_dot_terraform(dir, d));
        let mut texts = |d: &PathBuf| -> Vec<(PathBuf, String)> {
            files
                .entry(d.clone())
                .or_insert_with(|| tf_files(d))
                .clone()
        };
        let found = match fetched {
            None => chain.last().and_then(|d| {
                texts(d).into_iter().find_map(|(path, text)| {
                    find_resource_block(&text, &resource.resource_type, &resource.name)
                        .map(|line| (path, line))
                })
            }),
            Some(depth) => {
                let caller = depth.checked_sub(1).and_then(|i| chain.get(i));
                let name = depth.checked_sub(1).and_then(|i| resource.modules.get(i));
                match (caller, name) {
                    (Some(caller), Some(name)) => {
                        texts(caller).into_iter().find_map(|(path, text)| {
                            find_module_block(&text, name).map(|line| (path, line))
                        })
                    }
                    _ => None,
                }
            }
        };
        let Some((path, line)) = found else {
            continue;
        };
        let Some(file) = relative_to(root, &path) else {
            continue;
        };
        sources.insert(
            (role.plan.clone(), role.address.clone()),
            SourceLocation { file, line },
        );
    }
    sources
}

/// `dir` lies in the `.terraform` directory of the configuration `root`.
fn in_dot_terraform(root: &Path, dir: &Path) -> bool {
    dir.strip_prefix(root)
        .map(|rel| {
            rel.components()
                .any(|c| c == Component::Normal(".terraform".as_ref()))
        })
        .unwrap_or(false)
}

/// The directory of every module from the root down to the one a resource sits in (the root
/// first): each call's local `source` followed from its caller, or, for a fetched module, the
/// directory `terraform init` recorded.
fn module_dirs(
    root: &Path,
    resource: &crate::report::source::ResourcePath,
    module_sources: &[(String, String)],
    manifest: &HashMap<String, String>,
) -> Option<Vec<PathBuf>> {
    let mut dir = root.to_path_buf();
    let mut chain = vec![dir.clone()];
    for depth in 1..=resource.modules.len() {
        let address = resource.module_address(depth);
        let source = module_sources
            .iter()
            .find(|(a, _)| *a == address)
            .map(|(_, s)| s.as_str());
        dir = match source {
            Some(s) if is_local_source(s) => join_normal(&dir, s),
            _ => {
                let key = resource.modules.get(..depth).unwrap_or_default().join(".");
                join_normal(root, manifest.get(&key)?)
            }
        };
        chain.push(dir.clone());
    }
    Some(chain)
}

/// Every `*.tf` file directly in `dir`, in name order, with its text. Unreadable files are
/// skipped: a location is a convenience, never a reason to stop.
fn tf_files(dir: &Path) -> Vec<(PathBuf, String)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf") && p.is_file())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            // Keep the path as the user spelled the directory, not as read_dir joined it.
            let name = p.file_name()?.to_string_lossy().into_owned();
            Some((join_normal(dir, &name), text))
        })
        .collect()
}

#[cfg(test)]
mod width_tests {
    use super::terminal_width;

    #[test]
    fn columns_then_the_terminal_then_80_and_no_width_is_not_zero() {
        assert_eq!(terminal_width(Some("132"), Some(100)), 132);
        assert_eq!(terminal_width(Some(" 40 "), None), 40);
        assert_eq!(terminal_width(Some("wide"), Some(100)), 100);
        assert_eq!(terminal_width(Some("5"), Some(100)), 100);
        assert_eq!(terminal_width(None, Some(100)), 100);
        // An unsized pseudo-terminal reports 0 columns.
        assert_eq!(terminal_width(None, Some(0)), 80);
        assert_eq!(terminal_width(Some("0"), Some(0)), 80);
        assert_eq!(terminal_width(None, None), 80);
    }
}
