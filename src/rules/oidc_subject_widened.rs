//! `oidc-subject-widened`: the identity provider's tenancy claim (sub; aud for Cognito and Google) was removed or widened.

use super::cause::KeyFamily;
use super::guard::GuardRule;
use super::{RoleInput, RuleKind, RuleMeta};
use crate::finding::Severity;

static META: RuleMeta = RuleMeta {
    id: "oidc-subject-widened",
    kind: RuleKind::Regression,
    default_severity: Severity::High,
    summary: "the identity provider's tenancy claim (sub; aud for Cognito and Google) was removed or widened",
};

pub static OIDC_SUBJECT_WIDENED: GuardRule = GuardRule {
    meta: &META,
    family: KeyFamily::OidcTenancy,
    guard: "the tenancy claim pin",
    escalate,
};

/// Critical when the change leaves a shared issuer (any tenant's token) unpinned.
fn escalate(input: &RoleInput<'_>) -> Option<Severity> {
    input
        .after_has_unpinned_shared_issuer()
        .then_some(Severity::Critical)
}
