//! `action-widened`: new STS actions are allowed (sts:TagSession, sts:SetSourceIdentity, sts:SetContext; high for sts:* or *).

use super::cause::Cause;
use super::{Attributed, Draft, RoleInput, Rule, RuleKind, RuleMeta};
use crate::finding::Severity;

pub struct ActionWidened;

static META: RuleMeta = RuleMeta {
    id: "action-widened",
    kind: RuleKind::Regression,
    default_severity: Severity::Medium,
    summary: "new STS actions are allowed (sts:TagSession, sts:SetSourceIdentity, sts:SetContext; high for sts:* or *)",
};

impl Rule for ActionWidened {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn claims(&self, a: &Attributed, _input: &RoleInput<'_>) -> bool {
        a.cause == Cause::ActionWidened
    }

    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>) {
        input.report_claimed(&META, out, |a| {
            let severity = if input.after_allows_every_sts_action() {
                Severity::High
            } else {
                META.default_severity
            };
            (
                severity,
                format!(
                    "new session actions are allowed: now {}, so callers can shape the session",
                    a.phrase(None)
                ),
            )
        });
    }
}
