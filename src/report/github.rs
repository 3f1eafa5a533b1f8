//! GitHub Actions workflow commands (SPEC §6): one `::error`/`::warning`/`::notice` line per
//! finding, with `file` and `line` when `--source-dir` found the role's block, and a `title`
//! naming the rule; then a notice with the summary line. GitHub shows them as annotations on
//! the run and, with a file, on the pull request's diff.

use super::table::summary_line;
use super::{source_of, Report, Sources};
use crate::finding::Severity;

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "notice",
    }
}

/// A command's message: `%`, CR and LF escaped, so a value from a policy can never end the
/// line and start a command of its own.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: as a message, and `:` and `,` too (they delimit properties).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Render every finding as a workflow command, then the summary.
pub fn render(report: &Report, sources: &Sources) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let (command, state) = match &f.suppressed {
            // A suppressed finding stays visible but never as an error or a warning.
            Some(s) => ("notice", format!(" (suppressed: {})", s.reason)),
            None => (command(f.severity), String::new()),
        };
        let mut props = Vec::new();
        if let Some(loc) = source_of(sources, &f.plan, &f.address) {
            props.push(format!("file={}", escape_property(&loc.file)));
            props.push(format!("line={}", loc.line));
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("trustgate {} ({})", f.rule, f.severity))
        ));
        out.push_str(&format!(
            "::{command} {}::{}\n",
            props.join(","),
            escape_data(&format!("{}: {}{state}", f.address, f.message))
        ));
    }
    for note in &report.notes {
        out.push_str(&format!(
            "::notice title=trustgate note::{}\n",
            escape_data(note)
        ));
    }
    out.push_str(&format!(
        "::notice title=trustgate::{}\n",
        escape_data(&summary_line(report))
    ));
    out
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn values_cannot_start_a_command() {
        assert_eq!(escape_data("a\n::error::x%"), "a%0A::error::x%25");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
