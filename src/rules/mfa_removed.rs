//! `mfa-removed`: the MFA requirement was removed or weakened (Bool to BoolIfExists, age bound raised).

use super::cause::KeyFamily;
use super::guard::{default_severity, GuardRule};
use super::{RuleKind, RuleMeta};
use crate::finding::Severity;

static META: RuleMeta = RuleMeta {
    id: "mfa-removed",
    kind: RuleKind::Regression,
    default_severity: Severity::High,
    summary: "the MFA requirement was removed or weakened (Bool to BoolIfExists, age bound raised)",
};

pub static MFA_REMOVED: GuardRule = GuardRule {
    meta: &META,
    family: KeyFamily::Mfa,
    guard: "the MFA requirement",
    escalate: default_severity,
};
