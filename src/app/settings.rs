//! What decides the findings and the gate for a run: `trustgate.toml` (found in the working
//! directory, or `--config PATH`, or none with `--no-config`) overridden by the `--fail-on`,
//! `--unknown` and `--all` flags, turned into the gate threshold, the rules' settings and the
//! suppressions; and `trustgate init`, which writes the starter file.

use super::{write_error, Io, RunError};
use crate::cli::{ConfigArgs, PolicyArgs, UnknownArg};
use crate::config::{self, Config, Date};
use crate::finding::Finding;
use crate::gate::FailOn;
use crate::rules::{RuleSettings, UnknownMode};
use std::io::Write;
use std::path::Path;

/// The validated settings of one run.
pub struct RunSettings {
    pub fail_on: FailOn,
    pub rules: RuleSettings,
    /// The configuration file's overrides and ignores (empty without a file).
    pub config: Config,
    /// The day ignores expire against (`TRUSTGATE_TODAY`, else the system clock, UTC).
    pub today: Date,
}

impl RunSettings {
    /// Apply `[rules.ID]` and `[[ignore]]` to the findings; returns notes for the report.
    pub fn suppress(&self, findings: &mut Vec<Finding>) -> Vec<String> {
        crate::suppress::apply(findings, &self.config, self.today)
    }
}

/// Validate the flags and the configuration before any work, so a typo costs nothing.
pub fn load(args: &PolicyArgs) -> Result<RunSettings, RunError> {
    let config = load_config(&args.config)?;
    let fail_on = match &args.fail_on {
        Some(flag) => flag
            .parse()
            .map_err(|e: String| RunError(format!("--fail-on: {e}")))?,
        None => config
            .fail_on
            .unwrap_or(FailOn::Severity(crate::finding::Severity::High)),
    };
    let unknown = match args.unknown {
        Some(UnknownArg::Fail) => UnknownMode::Fail,
        Some(UnknownArg::Warn) => UnknownMode::Warn,
        Some(UnknownArg::Ignore) => UnknownMode::Ignore,
        None => config.unknown.unwrap_or(UnknownMode::Warn),
    };
    // Our own accounts are ours whichever one the role lives in.
    let mut trusted = config.accounts.trusted.clone();
    trusted.extend(config.accounts.own.iter().cloned());
    trusted.sort();
    trusted.dedup();
    let rules = RuleSettings {
        unknown,
        all: args.all,
        trusted,
        own_accounts: config.accounts.own.clone(),
        trusted_orgs: config.accounts.trusted_orgs.clone(),
        custom: config.custom.clone(),
    };
    Ok(RunSettings {
        fail_on,
        rules,
        config,
        today: today()?,
    })
}

/// `--no-config`: none; `--config PATH`: that file, which must exist; else `trustgate.toml`
/// in the working directory when there is one.
pub fn load_config(args: &ConfigArgs) -> Result<Config, RunError> {
    if args.no_config {
        return Ok(Config::default());
    }
    let to_run_error = |e: config::ConfigError| RunError(e.0);
    match &args.config {
        Some(path) => config::read(path, &path.display().to_string()).map_err(to_run_error),
        None => {
            let path = Path::new(config::FILE_NAME);
            if path.is_file() {
                config::read(path, config::FILE_NAME).map_err(to_run_error)
            } else {
                Ok(Config::default())
            }
        }
    }
}

fn today() -> Result<Date, RunError> {
    match std::env::var(config::TODAY_ENV) {
        Ok(value) if !value.is_empty() => value
            .parse()
            .map_err(|e: String| RunError(format!("{}: {e}", config::TODAY_ENV))),
        _ => Ok(Date::today_utc()),
    }
}

/// `trustgate init`: write the starter configuration, never over an existing file unless
/// `--force`.
pub fn init(force: bool, io: &mut Io<'_>) -> Result<i32, RunError> {
    let path = Path::new(config::FILE_NAME);
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        // create_new: the existence check and the creation are one step, so a file that
        // appears meanwhile is never overwritten.
        options.create_new(true);
    }
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            RunError(format!(
                "{}: already exists; pass --force to overwrite it",
                config::FILE_NAME
            ))
        } else {
            RunError(format!("{}: cannot write: {e}", config::FILE_NAME))
        }
    })?;
    file.write_all(config::STARTER.as_bytes())
        .map_err(|e| RunError(format!("{}: cannot write: {e}", config::FILE_NAME)))?;
    writeln!(
        io.out,
        "wrote {}: a starter configuration with every key explained",
        config::FILE_NAME
    )
    .map_err(write_error)?;
    Ok(0)
}
