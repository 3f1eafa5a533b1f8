//! The finished result of a run and its renderers. Renderers are pure functions of a `Report`
//! (and, for formats that point at files, of the `Sources` found for it): they never decide
//! pass or fail, never read files, and never see anything the report does not hold, so a
//! sensitive value the analysis withheld cannot reach any format.
//!
//! - `table`: terminal / CI log; `json`: `trustgate/v1`; `markdown`: PR comment;
//!   `sarif`: SARIF 2.1.0; `github`: workflow commands;
//! - `words`: a policy's principals and conditions in plain words; `diff`: the policy diff;
//! - `source`: finding a role's `resource` block in `.tf` text (`--source-dir`).

pub mod diff;
pub mod github;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod source;
pub mod table;
pub mod words;

use crate::analysis::{RoleReport, Verdict};
use crate::finding::{Finding, Severity};
use crate::plan::PlanInfo;
use std::collections::BTreeMap;

/// Everything a renderer may show.
#[derive(Debug, Clone)]
pub struct Report {
    pub plans: Vec<PlanInfo>,
    pub roles: Vec<RoleReport>,
    pub findings: Vec<Finding>,
    /// Notes about the inputs (missing format_version, skipped files, incomplete plans).
    pub notes: Vec<String>,
    pub exit_code: i32,
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
    pub by_verdict: BTreeMap<&'static str, usize>,
    pub by_severity: BTreeMap<&'static str, usize>,
    pub suppressed: usize,
}

impl Report {
    pub fn counts(&self) -> Counts {
        let mut by_verdict: BTreeMap<&'static str, usize> =
            Verdict::ALL.iter().map(|v| (v.as_str(), 0)).collect();
        for role in &self.roles {
            let n = by_verdict.entry(role.verdict.as_str()).or_default();
            *n = n.saturating_add(1);
        }
        let mut by_severity: BTreeMap<&'static str, usize> =
            Severity::ALL.iter().map(|s| (s.as_str(), 0)).collect();
        let mut suppressed = 0usize;
        for f in &self.findings {
            if f.suppressed.is_some() {
                suppressed = suppressed.saturating_add(1);
            } else {
                let n = by_severity.entry(f.severity.as_str()).or_default();
                *n = n.saturating_add(1);
            }
        }
        Counts {
            roles: self.roles.len(),
            by_verdict,
            by_severity,
            suppressed,
        }
    }
}
