//! GitHub Actions workflow commands: the summary as a notice first, then one
//! `::error`/`::warning`/`::notice` line per unreadable input and per finding, most severe
//! first, with `file` and `line` when `--source-dir` found the role's block and a `title`
//! naming the rule; then the notes. GitHub shows at most `PER_KIND` annotations of each kind
//! per step, so no more are printed and the summary says how many were left out (the step
//! summary and the JSON hold them all).

use super::escape::{clip, gh_data, gh_property};
use super::table::summary_line;
use super::{source_of, Report, Sources};
use crate::finding::{Finding, Severity};
use std::cmp::Reverse;
use std::collections::BTreeMap;

/// Annotations of one kind (error, warning, notice) GitHub keeps per step.
pub const PER_KIND: usize = 10;
/// An annotation's message is shortened to this many characters: GitHub cuts long ones
/// anyway, and the full text is in the step summary and the JSON.
const MAX_MESSAGE: usize = 4_000;

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "notice",
    }
}

/// One annotation before it is printed.
struct Annotation {
    command: &'static str,
    props: Vec<String>,
    message: String,
}

impl Annotation {
    fn line(&self) -> String {
        let props = if self.props.is_empty() {
            String::new()
        } else {
            format!(" {}", self.props.join(","))
        };
        format!(
            "::{}{props}::{}\n",
            self.command,
            gh_data(&clip(&self.message, MAX_MESSAGE))
        )
    }
}

fn title(text: &str) -> String {
    format!("title={}", gh_property(text))
}

/// Render the summary, then every annotation GitHub will show.
pub fn render(report: &Report, sources: &Sources) -> String {
    let mut annotations = Vec::new();
    for e in &report.errors {
        annotations.push(Annotation {
            command: "error",
            props: vec![title("trustgate could not read an input")],
            message: e.message.clone(),
        });
    }
    // Most severe first, suppressed last (plan order within each): when GitHub's cap cuts,
    // it cuts the least severe. Findings are read one role at a time and only the first
    // `PER_KIND` of each (suppressed, severity) are kept, since no kind shows more: holding
    // every finding of a plan of 25,000 roles here raised the run's peak memory by a tenth.
    let mut kept: BTreeMap<(bool, Reverse<Severity>), Vec<Finding>> = BTreeMap::new();
    let mut findings = 0usize;
    for f in report.findings() {
        findings = findings.saturating_add(1);
        let first = kept
            .entry((f.suppressed.is_some(), Reverse(f.severity)))
            .or_default();
        if first.len() < PER_KIND {
            first.push(f);
        }
    }
    for f in kept.into_values().flatten() {
        let (command, state) = match &f.suppressed {
            // A suppressed finding stays visible but never as an error or a warning.
            Some(s) => ("notice", format!(" (suppressed: {})", s.reason)),
            None => (command(f.severity), String::new()),
        };
        let mut props = Vec::new();
        if let Some(loc) = source_of(sources, &f.plan, &f.address) {
            props.push(format!("file={}", gh_property(&loc.file)));
            props.push(format!("line={}", loc.line));
        }
        props.push(title(&format!("trustgate {} ({})", f.rule, f.severity)));
        annotations.push(Annotation {
            command,
            props,
            message: format!("{}: {}{state}", f.address, f.message),
        });
    }
    for note in &report.notes {
        annotations.push(Annotation {
            command: "notice",
            props: vec![title("trustgate note")],
            message: note.clone(),
        });
    }

    // The summary is a notice too, so notices leave it one place.
    let mut shown = Vec::new();
    let (mut errors, mut warnings, mut notices) = (0usize, 0usize, 1usize);
    for a in &annotations {
        let used = match a.command {
            "error" => &mut errors,
            "warning" => &mut warnings,
            _ => &mut notices,
        };
        if *used < PER_KIND {
            *used = used.saturating_add(1);
            shown.push(a);
        }
    }
    // Every annotation not shown, those never kept included.
    let left = report
        .errors
        .len()
        .saturating_add(findings)
        .saturating_add(report.notes.len())
        .saturating_sub(shown.len());
    let mut summary = summary_line(report);
    if left > 0 {
        summary.push_str(&format!(
            "; {left} more annotation{} not shown (GitHub shows {PER_KIND} of each kind per \
             step): see the step summary or the JSON report",
            if left == 1 { "" } else { "s" }
        ));
    }
    let mut out = Annotation {
        command: "notice",
        props: vec![title("trustgate")],
        message: summary,
    }
    .line();
    for a in shown {
        out.push_str(&a.line());
    }
    out
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    fn finding(i: usize, severity: Severity) -> Finding {
        Finding {
            rule: "trust-widened",
            severity,
            plan: "plan.json".into(),
            address: format!("aws_iam_role.r{i}"),
            message: "m".into(),
            before_pointer: None,
            after_pointer: None,
            witness: None,
            fingerprint: format!("{i:016x}"),
            suppressed: None,
        }
    }

    /// The annotations shown are those of every finding sorted most severe first, suppressed
    /// last, plan order within each, cut at `PER_KIND` per kind: what sorting them all gives
    /// (written here as that sort), though the renderer keeps only a few of each.
    #[test]
    fn the_findings_shown_are_the_first_of_the_whole_sorted_list() {
        let severities = [
            Severity::Low,
            Severity::Critical,
            Severity::Medium,
            Severity::High,
        ];
        let findings: Vec<Finding> = (0..60)
            .map(|i| {
                let mut f = finding(i, severities[i % 4]);
                if i % 7 == 0 {
                    f.suppressed = Some(crate::finding::Suppression {
                        reason: format!("r{i}"),
                        expires: None,
                    });
                }
                f
            })
            .collect();
        let mut sorted = findings.clone();
        sorted.sort_by_key(|f| (f.suppressed.is_some(), std::cmp::Reverse(f.severity)));
        let mut used =
            std::collections::HashMap::from([("error", 0), ("warning", 0), ("notice", 1)]);
        let mut want = Vec::new();
        for f in &sorted {
            let kind = if f.suppressed.is_some() {
                "notice"
            } else {
                command(f.severity)
            };
            let n = used.get_mut(kind).unwrap();
            if *n < PER_KIND {
                *n += 1;
                want.push(format!(
                    "::{kind} title=trustgate {} ({})::{}: ",
                    f.rule, f.severity, f.address
                ));
            }
        }
        let report = Report {
            plans: Vec::new(),
            results: crate::report::store::Results::from_findings(findings),
            notes: vec!["a note".into()],
            errors: Vec::new(),
            exit_code: 1,
        };
        let out = render(&report, &Sources::new());
        let lines: Vec<&str> = out.lines().collect();
        let left = 60 + 1 - want.len() - usize::from(used["notice"] < PER_KIND);
        assert!(
            lines[0].contains(&format!("; {left} more annotations not shown")),
            "{}",
            lines[0]
        );
        for (line, want) in lines[1..].iter().zip(&want) {
            assert!(line.starts_with(want.as_str()), "{line} / {want}");
        }
        assert_eq!(
            lines.len(),
            1 + want.len() + usize::from(used["notice"] < PER_KIND)
        );
    }

    #[test]
    fn at_most_ten_of_each_kind_with_the_rest_counted_in_the_summary() {
        let mut findings: Vec<Finding> = (0..25).map(|i| finding(i, Severity::Low)).collect();
        findings.extend((25..40).map(|i| finding(i, Severity::Critical)));
        findings.push(finding(40, Severity::Medium));
        let report = Report {
            plans: Vec::new(),
            results: crate::report::store::Results::from_findings(findings),
            notes: Vec::new(),
            errors: Vec::new(),
            exit_code: 1,
        };
        let out = render(&report, &Sources::new());
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].starts_with("::notice title=trustgate::"), "{out}");
        // 15 errors → 10; 1 warning; 25 notices → 9 beside the summary: 21 left out.
        assert!(lines[0].ends_with("; 21 more annotations not shown (GitHub shows 10 of each kind per step): see the step summary or the JSON report"), "{}", lines[0]);
        assert_eq!(out.matches("::error ").count(), 10);
        assert_eq!(out.matches("::warning ").count(), 1);
        assert_eq!(out.matches("::notice ").count(), 10);
        // Most severe first.
        assert!(lines[1].starts_with("::error ") && lines[11].starts_with("::warning "));
    }
}
