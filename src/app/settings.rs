//! What decides the findings and the gate for a run: the `--fail-on`, `--unknown` and `--all`
//! flags, turned into the gate threshold and the rules' settings.

use super::RunError;
use crate::cli::{PolicyArgs, UnknownArg};
use crate::gate::FailOn;
use crate::rules::{RuleSettings, UnknownMode};

/// The validated settings of one run.
pub struct RunSettings {
    pub fail_on: FailOn,
    pub rules: RuleSettings,
}

/// Validate the flags before any work, so a typo costs nothing.
pub fn load(args: &PolicyArgs) -> Result<RunSettings, RunError> {
    let fail_on: FailOn = args
        .fail_on
        .parse()
        .map_err(|e: String| RunError(format!("--fail-on: {e}")))?;
    let rules = RuleSettings {
        unknown: match args.unknown {
            UnknownArg::Fail => UnknownMode::Fail,
            UnknownArg::Warn => UnknownMode::Warn,
            UnknownArg::Ignore => UnknownMode::Ignore,
        },
        all: args.all,
        ..RuleSettings::default()
    };
    Ok(RunSettings { fail_on, rules })
}
