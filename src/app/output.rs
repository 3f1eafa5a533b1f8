//! Where reports go: `--format` on standard output and every `--output FORMAT=PATH`. Parsed
//! before any work so a typo costs nothing; rendering happens after the gate has decided, and
//! every format renders the same report (the exit code never depends on the format).
//!
//! This is also where `--source-dir` is read: the renderers stay pure, so the `.tf` files are
//! read here and handed to them as `Sources`.

use super::{write_error, Io, RunError};
use crate::cli::{Format, OutputArgs};
use crate::report::source::{
    display_path, find_resource_block, is_local_source, join_normal, parse_address,
};
use crate::report::{self, Report, SourceLocation, Sources};
use clap::ValueEnum;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where one rendering goes.
pub struct OutputSpec {
    pub format: Format,
    /// `None`: standard output.
    pub path: Option<String>,
}

/// Every rendering the user asked for: `--format` first, then each `--output`.
pub fn parse_outputs(args: &OutputArgs) -> Result<Vec<OutputSpec>, RunError> {
    let mut outputs = vec![OutputSpec {
        format: args.format,
        path: None,
    }];
    for spec in &args.outputs {
        outputs.push(parse_output(spec)?);
    }
    if let Some(dir) = &args.source_dir {
        if !dir.is_dir() {
            return Err(RunError(format!(
                "--source-dir `{}`: not a directory",
                dir.display()
            )));
        }
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
    let format = Format::from_str(format, false).map_err(|_| {
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
        path: Some(path.to_string()),
    })
}

/// Render the finished report (its exit code already decided) to every output.
pub fn deliver(
    report: &Report,
    outputs: &[OutputSpec],
    args: &OutputArgs,
    io: &mut Io<'_>,
) -> Result<(), RunError> {
    let wants_sources = outputs
        .iter()
        .any(|o| matches!(o.format, Format::Sarif | Format::Github | Format::Markdown));
    let sources = match &args.source_dir {
        Some(dir) if wants_sources => find_sources(report, dir),
        _ => Sources::new(),
    };
    for output in outputs {
        if output.format == Format::Json {
            // Streamed: no second in-memory copy of a large report (issue 7's memory bound).
            let written = match &output.path {
                None => report::json::write(report, io.out),
                Some(path) => std::fs::File::create(path).and_then(|file| {
                    let mut file = std::io::BufWriter::new(file);
                    report::json::write(report, &mut file)?;
                    std::io::Write::flush(&mut file)
                }),
            };
            written.map_err(|e| match &output.path {
                None => write_error(e),
                Some(path) => RunError(format!("{path}: cannot write report: {e}")),
            })?;
            continue;
        }
        let text = match output.format {
            Format::Table => {
                report::table::render(report, io.color && !args.no_color && output.path.is_none())
            }
            Format::Json => report::json::render(report),
            Format::Markdown => report::markdown::render(report, &sources),
            Format::Sarif => report::sarif::render(report, &sources),
            Format::Github => report::github::render(report, &sources),
        };
        match &output.path {
            None => io.out.write_all(text.as_bytes()).map_err(write_error)?,
            Some(path) => std::fs::write(path, text)
                .map_err(|e| RunError(format!("{path}: cannot write report: {e}")))?,
        }
    }
    Ok(())
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

/// The file and line of every role's `resource` block under `dir`. A role whose block is not
/// found simply has no entry: locations help reviewers, they never change a result.
pub fn find_sources(report: &Report, dir: &Path) -> Sources {
    let manifest: HashMap<String, String> =
        std::fs::read(dir.join(".terraform").join("modules").join("modules.json"))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<ModulesManifest>(&bytes).ok())
            .map(|m| m.modules.into_iter().map(|e| (e.key, e.dir)).collect())
            .unwrap_or_default();
    let mut files: HashMap<PathBuf, Vec<(PathBuf, String)>> = HashMap::new();
    let mut sources = Sources::new();
    for role in &report.roles {
        let Some(resource) = parse_address(&role.address) else {
            continue;
        };
        let module_sources = report
            .plans
            .iter()
            .find(|p| p.path == role.plan)
            .map(|p| p.module_sources.as_slice())
            .unwrap_or_default();
        let Some(module_dir) = module_dir(dir, &resource, module_sources, &manifest) else {
            continue;
        };
        let texts = files
            .entry(module_dir.clone())
            .or_insert_with(|| tf_files(&module_dir));
        let found = texts.iter().find_map(|(path, text)| {
            find_resource_block(text, &resource.resource_type, &resource.name)
                .map(|line| (path, line))
        });
        if let Some((path, line)) = found {
            sources.insert(
                (role.plan.clone(), role.address.clone()),
                SourceLocation {
                    file: display_path(path),
                    line,
                },
            );
        }
    }
    sources
}

/// The directory of the module a resource sits in: each call's local `source` followed from
/// the root, or, for a fetched module, the directory `terraform init` recorded.
fn module_dir(
    root: &Path,
    resource: &crate::report::source::ResourcePath,
    module_sources: &[(String, String)],
    manifest: &HashMap<String, String>,
) -> Option<PathBuf> {
    let mut dir = root.to_path_buf();
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
    }
    Some(dir)
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
