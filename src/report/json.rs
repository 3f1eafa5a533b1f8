//! The `trustgate/v1` JSON document (SPEC §6). Its types are separate from the internal ones so
//! the output stays stable while the internals change: additions only, no renames or removals.

use super::{InputError, Report};
use crate::analysis::Verdict;
use crate::finding::Severity;
use serde::ser::{SerializeMap, Serializer};
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
pub(super) struct Seq<G>(pub(super) G);

impl<G, I> Serialize for Seq<G>
where
    G: Fn() -> I,
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((self.0)())
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
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}
