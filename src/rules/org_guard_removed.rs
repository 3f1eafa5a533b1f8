//! `org-guard-removed`: an aws:PrincipalOrgID / PrincipalOrgPaths / PrincipalAccount / PrincipalArn guard was removed or loosened.

use super::cause::KeyFamily;
use super::guard::{default_severity, GuardRule};
use super::{RuleKind, RuleMeta};
use crate::finding::Severity;

static META: RuleMeta = RuleMeta {
    id: "org-guard-removed",
    kind: RuleKind::Regression,
    default_severity: Severity::High,
    summary: "an aws:PrincipalOrgID / PrincipalOrgPaths / PrincipalAccount / PrincipalArn guard was removed or loosened",
};

pub static ORG_GUARD_REMOVED: GuardRule = GuardRule {
    meta: &META,
    family: KeyFamily::OrgGuard,
    guard: "the organization guard",
    escalate: default_severity,
};
