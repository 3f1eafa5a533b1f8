//! `external-id-removed`: the sts:ExternalId condition was removed, made optional or loosened.

use super::cause::KeyFamily;
use super::guard::{default_severity, GuardRule};
use super::{RuleKind, RuleMeta};
use crate::finding::Severity;

static META: RuleMeta = RuleMeta {
    id: "external-id-removed",
    kind: RuleKind::Regression,
    default_severity: Severity::High,
    summary: "the sts:ExternalId condition was removed, made optional or loosened",
};

pub static EXTERNAL_ID_REMOVED: GuardRule = GuardRule {
    meta: &META,
    family: KeyFamily::ExternalId,
    guard: "the `sts:ExternalId` condition",
    escalate: default_severity,
};
