//! `source-guard-removed`: an aws:SourceAccount / SourceArn / SourceOrgID guard on a service principal was removed or loosened.

use super::cause::KeyFamily;
use super::guard::{default_severity, GuardRule};
use super::{RuleKind, RuleMeta};
use crate::finding::Severity;

static META: RuleMeta = RuleMeta {
    id: "source-guard-removed",
    kind: RuleKind::Regression,
    default_severity: Severity::High,
    summary: "an aws:SourceAccount / SourceArn / SourceOrgID guard on a service principal was removed or loosened",
};

pub static SOURCE_GUARD_REMOVED: GuardRule = GuardRule {
    meta: &META,
    family: KeyFamily::SourceGuard,
    guard: "the source guard",
    escalate: default_severity,
};
