//! `trustgate baseline`: one `[[ignore]]` entry per current finding, pinned by its
//! fingerprint, printed or appended to the configuration, so a team adopts the gate on an
//! existing estate and is blocked only by regressions that come after.

use super::{analyse_plans, settings, write_error, Io, RunError};
use crate::cli::BaselineArgs;
use crate::config::{self, Date};
use crate::report::ignore;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn run(args: &BaselineArgs, io: &mut Io<'_>) -> Result<i32, RunError> {
    if args.reason.trim().is_empty() {
        return Err(RunError(
            "--reason must not be empty: say why the current findings are accepted".into(),
        ));
    }
    if let Some(date) = &args.expires {
        date.parse::<Date>()
            .map_err(|e: String| RunError(format!("--expires: {e}")))?;
    }
    let target = if args.write {
        Some(target_path(&args.policy.config)?)
    } else {
        None
    };
    let run = settings::load(&args.policy)?;
    let report = analyse_plans(&args.plans, args.terraform_bin.clone(), &run, io)?;
    if !report.errors.is_empty() {
        // A baseline of part of the estate would leave the rest to block later, unexplained.
        return Err(RunError(format!(
            "{} input{} could not be read: no baseline made",
            report.errors.len(),
            if report.errors.len() == 1 { "" } else { "s" }
        )));
    }
    // Sets, not lists: a baseline of 25,000 roles' findings, or one taken again over a
    // configuration that pins them all, compared every finding with every other.
    let pinned: HashSet<&str> = run
        .config
        .ignores
        .iter()
        .filter_map(|i| i.fingerprint.as_deref())
        .collect();
    let mut seen: HashSet<(String, &'static str, String)> = HashSet::new();
    let mut entries: Vec<String> = Vec::new();
    let mut already = 0usize;
    for f in report.findings() {
        if pinned.contains(f.fingerprint.as_str()) {
            already = already.saturating_add(1);
            continue;
        }
        // The same change seen twice (one plan given twice, a multi-document file) is one
        // entry.
        if seen.insert((f.fingerprint.clone(), f.rule, f.address.clone())) {
            entries.push(ignore::entry(&f, &args.reason, args.expires.as_deref()));
        }
    }
    let text = entries.join("\n");
    if already > 0 {
        writeln!(
            io.err,
            "trustgate: {already} finding{} already pinned by fingerprint in the configuration: left out",
            if already == 1 { " is" } else { "s are" }
        )
        .map_err(write_error)?;
    }
    let Some(path) = target else {
        io.out.write_all(text.as_bytes()).map_err(write_error)?;
        return Ok(0);
    };
    if entries.is_empty() {
        writeln!(io.out, "nothing to add to {}", path.display()).map_err(write_error)?;
        return Ok(0);
    }
    append(&path, &text, entries.len())?;
    writeln!(
        io.out,
        "added {} [[ignore]] entr{} to {}",
        entries.len(),
        if entries.len() == 1 { "y" } else { "ies" },
        path.display()
    )
    .map_err(write_error)?;
    Ok(0)
}

/// The file `--write` appends to: `--config PATH`, else `trustgate.toml` here.
fn target_path(args: &crate::cli::ConfigArgs) -> Result<PathBuf, RunError> {
    if args.no_config {
        return Err(RunError(
            "--write needs a configuration file: drop --no-config (or pass --config PATH)".into(),
        ));
    }
    Ok(args
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from(config::FILE_NAME)))
}

/// Append the entries as text, keeping every comment and the layout of what is there; the
/// result is parsed first, so a file that would stop loading is never written.
fn append(path: &Path, entries: &str, count: usize) -> Result<(), RunError> {
    let shown = path.display().to_string();
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(RunError(format!("{shown}: cannot read: {e}"))),
    };
    let mut addition = String::new();
    if !existing.is_empty() {
        addition.push_str(if existing.ends_with('\n') {
            "\n"
        } else {
            "\n\n"
        });
    }
    addition.push_str(&format!(
        "# Added by `trustgate baseline`: {count} finding{} accepted as they stand.\n",
        if count == 1 { "" } else { "s" }
    ));
    addition.push_str(entries);
    config::parse(&format!("{existing}{addition}"), &shown)
        .map_err(|e| RunError(format!("{}; nothing written", e.0)))?;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut file| file.write_all(addition.as_bytes()))
        .map_err(|e| RunError(format!("{shown}: cannot write: {e}")))
}
