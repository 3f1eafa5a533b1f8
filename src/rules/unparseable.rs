//! `trust-policy-unparseable`: a trust document that is not JSON or not a policy. Fail closed:
//! what cannot be read cannot be judged safe.

use super::{Draft, RoleInput, Rule, RuleKind, RuleMeta, Side};
use crate::finding::Severity;

pub struct TrustPolicyUnparseable;

static META: RuleMeta = RuleMeta {
    id: "trust-policy-unparseable",
    kind: RuleKind::Posture,
    default_severity: Severity::Critical,
    summary: "the trust policy is not JSON or not a policy document, so it cannot be judged",
};

impl Rule for TrustPolicyUnparseable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>) {
        for (side, is_after) in [(input.before, false), (input.after, true)] {
            let Side::Unparseable { pointer, message } = side else {
                continue;
            };
            let which = if is_after { "new" } else { "current" };
            let mut draft = Draft::new(
                &META,
                format!("the {which} trust policy cannot be read: {message}"),
            );
            if is_after {
                draft.after_pointer = Some(pointer.clone());
            } else {
                draft.before_pointer = Some(pointer.clone());
            }
            out.push(draft);
        }
    }
}
