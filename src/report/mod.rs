//! The finished result of a run and its renderers. Renderers are pure functions of a `Report`:
//! they never decide pass or fail and never see anything the report does not hold.

pub mod json;
pub mod table;

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
            *by_verdict.entry(role.verdict.as_str()).or_default() += 1;
        }
        let mut by_severity: BTreeMap<&'static str, usize> =
            Severity::ALL.iter().map(|s| (s.as_str(), 0)).collect();
        let mut suppressed = 0;
        for f in &self.findings {
            if f.suppressed.is_some() {
                suppressed += 1;
            } else {
                *by_severity.entry(f.severity.as_str()).or_default() += 1;
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
