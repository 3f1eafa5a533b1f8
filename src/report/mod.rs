//! The finished result of a run and its renderers. Renderers are pure functions of a `Report`
//! (and, for formats that point at files, of the `Sources` found for it): they never decide
//! pass or fail, never read files, and never see anything the report does not hold, so a
//! sensitive value the analysis withheld cannot reach any format.
//!
//! - `table`: terminal / CI log; `json`: `trustgate/v1`; `markdown`: PR comment;
//!   `sarif`: SARIF 2.1.0; `github`: workflow commands;
//! - `words`: a policy's principals and conditions in plain words; `diff`: the policy diff;
//! - `source`: finding a role's `resource` block in `.tf` text (`--source-dir`);
//! - `escape`: the one escaping function per output context; `docs`: rule docs and links;
//!   `ignore`: the `[[ignore]]` entry that accepts a finding.

pub mod diff;
pub mod docs;
pub mod escape;
pub mod github;
pub mod ignore;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod source;
pub mod store;
pub mod table;
pub mod words;

use crate::analysis::{RoleReport, Verdict};
use crate::finding::{Finding, Severity};
use crate::plan::PlanInfo;
use std::collections::BTreeMap;
use store::Results;

/// Everything a renderer may show.
#[derive(Debug)]
pub struct Report {
    pub plans: Vec<PlanInfo>,
    /// Every role's report and findings, in plan order, read back one role at a time.
    pub results: Results,
    /// Notes about the inputs (missing format_version, skipped files, incomplete plans).
    pub notes: Vec<String>,
    /// Inputs that could not be read: the report covers the others, and the exit code is 2.
    pub errors: Vec<InputError>,
    pub exit_code: i32,
}

/// One input that could not be read, and why (one line).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InputError {
    pub path: String,
    pub message: String,
}

/// Where a role is declared in the Terraform configuration (`--source-dir`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLocation {
    /// Path as the user would open it: `--source-dir` joined with the file's place under it,
    /// `/`-separated, `.` and `..` resolved.
    pub file: String,
    /// 1-based line of the `resource "TYPE" "NAME"` header.
    pub line: usize,
}

/// Source locations by (plan path, role address); empty without `--source-dir`.
pub type Sources = BTreeMap<(String, String), SourceLocation>;

/// Where a report's findings are in the repository, for the formats that point at files. Every
/// path is relative to the repository root, never absolute, so a forge can open it.
#[derive(Debug, Clone, Default)]
pub struct Locations {
    pub sources: Sources,
    /// Each plan's file relative to the repository root, by plan path (standard input and
    /// plans outside the repository have none).
    pub plans: BTreeMap<String, String>,
    /// The repository root as a `file://` URI ending in `/` (SARIF's `%SRCROOT%`).
    pub root_uri: Option<String>,
    /// A file's URL at this commit on the forge, ending in `/` (links in the PR comment).
    pub link_base: Option<String>,
}

/// The source location of a role, when one was found.
pub fn source_of<'a>(
    sources: &'a Sources,
    plan: &str,
    address: &str,
) -> Option<&'a SourceLocation> {
    sources.get(&(plan.to_string(), address.to_string()))
}

/// Counts for summaries, shared by every renderer so they never disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counts {
    pub roles: usize,
    /// Roles with an action other than `no-op`/`read`.
    pub changed: usize,
    pub by_verdict: BTreeMap<&'static str, usize>,
    pub by_severity: BTreeMap<&'static str, usize>,
    pub suppressed: usize,
}

impl Report {
    /// Every role's report, in plan order.
    pub fn roles(&self) -> impl Iterator<Item = RoleReport> + '_ {
        self.results.roles()
    }

    /// Every finding, role by role in plan order.
    pub fn findings(&self) -> impl Iterator<Item = Finding> + '_ {
        self.results.findings()
    }

    /// Whether any role has a finding (counted or suppressed).
    pub fn has_findings(&self) -> bool {
        self.results.slots().any(|s| s.findings > 0)
    }

    /// Counted from the per-role summaries, without reading any role back.
    pub fn counts(&self) -> Counts {
        // Tallied in arrays, in `ALL` order, then named: a map entry per slot and severity cost
        // milliseconds on a plan of 25,000 roles, and the report is counted twice.
        let mut verdicts = [0usize; Verdict::ALL.len()];
        let mut severities = [0usize; Severity::ALL.len()];
        let mut suppressed = 0usize;
        let mut changed = 0usize;
        for slot in self.results.slots() {
            if let Some(n) = slot
                .role
                .and_then(|verdict| Verdict::ALL.iter().position(|v| *v == verdict))
                .and_then(|i| verdicts.get_mut(i))
            {
                *n = n.saturating_add(1);
            }
            for (n, count) in severities.iter_mut().zip(slot.by_severity) {
                *n = n.saturating_add(count as usize);
            }
            suppressed = suppressed.saturating_add(slot.suppressed as usize);
            changed = changed.saturating_add(usize::from(slot.changed));
        }
        let by_verdict: BTreeMap<&'static str, usize> = Verdict::ALL
            .iter()
            .zip(verdicts)
            .map(|(v, n)| (v.as_str(), n))
            .collect();
        let by_severity: BTreeMap<&'static str, usize> = Severity::ALL
            .iter()
            .zip(severities)
            .map(|(s, n)| (s.as_str(), n))
            .collect();
        Counts {
            roles: self.results.len(),
            changed,
            by_verdict,
            by_severity,
            suppressed,
        }
    }
}
