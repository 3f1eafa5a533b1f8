//! Where reports go: `--format` on standard output and every `--output FORMAT=PATH`. Parsed
//! before any work so a typo costs nothing; rendering happens after the gate has decided.

use super::{write_error, Io, RunError};
use crate::cli::{Format, OutputArgs};
use crate::report::{self, Report};

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
    Ok(outputs)
}

fn parse_output(spec: &str) -> Result<OutputSpec, RunError> {
    let Some((format, path)) = spec.split_once('=') else {
        return Err(RunError(format!(
            "--output `{spec}`: expected FORMAT=PATH, e.g. `json=report.json`"
        )));
    };
    let format = match format {
        "table" => Format::Table,
        "json" => Format::Json,
        other => {
            return Err(RunError(format!(
                "--output `{spec}`: unknown format `{other}` (expected table or json)"
            )))
        }
    };
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
    for output in outputs {
        let text = match output.format {
            Format::Table => {
                report::table::render(report, io.color && !args.no_color && output.path.is_none())
            }
            Format::Json => report::json::render(report),
        };
        match &output.path {
            None => io.out.write_all(text.as_bytes()).map_err(write_error)?,
            Some(path) => std::fs::write(path, text)
                .map_err(|e| RunError(format!("{path}: cannot write report: {e}")))?,
        }
    }
    Ok(())
}
