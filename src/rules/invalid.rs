//! `trust-policy-invalid`: constructs IAM refuses in a role trust policy (SPEC §2). The policy
//! is still evaluated by their documented meaning; apply would fail, so the gate fails too.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use super::{Draft, RoleInput, Rule, RuleKind, RuleMeta};
use crate::finding::Severity;

pub struct TrustPolicyInvalid;

static META: RuleMeta = RuleMeta {
    id: "trust-policy-invalid",
    kind: RuleKind::Posture,
    default_severity: Severity::High,
    summary: "the new trust policy uses a construct IAM refuses (NotPrincipal, Resource, bare \"*\", wildcard principal ARN, duplicate keys, unknown operator)",
};

impl Rule for TrustPolicyInvalid {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>) {
        // Only a new document: one IAM already holds unchanged (a no-op) will not be sent to
        // IAM by this plan, so it cannot make apply fail; `--all` judges it anyway.
        let Some(policy) = input.after.policy() else {
            return;
        };
        if !input.settings.all && input.change.before == input.change.after {
            return;
        }
        for issue in policy.issues.iter().filter(|i| i.kind.is_invalid()) {
            let mut draft = Draft::new(&META, issue.message.clone());
            draft.after_pointer = Some(issue.pointer.clone());
            out.push(draft);
        }
    }
}
