//! `public-trust`: any AWS account can assume the role: some request of a principal in an
//! account that is not ours and that the policy names nowhere is allowed, with values such a
//! caller controls. A condition in front of the grant that the caller can satisfy itself
//! (`StringLike "o-*"`, MFA `"false"`, `0.0.0.0/0`, an always-true test) changes nothing.

use super::posture;
use super::{Draft, RoleInput, Rule, RuleKind, RuleMeta};
use crate::compare::exposure::Outsider;
use crate::finding::Severity;

pub struct PublicTrust;

static META: RuleMeta = RuleMeta {
    id: "public-trust",
    kind: RuleKind::Posture,
    default_severity: Severity::Critical,
    summary: "any AWS account can assume the role: no condition pins the caller to accounts or organizations it cannot choose",
};

impl Rule for PublicTrust {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>) {
        let Some(policy) = posture::judged(input) else {
            return;
        };
        let Some(w) = posture::search(input, policy, Outsider::Anyone, out) else {
            return;
        };
        let message = format!(
            "any AWS account can assume the role: a principal of an account the policy does not name (`{}`) is allowed, {}",
            w.request.principal.value(),
            posture::presented(&w.request)
        );
        out.push(posture::draft(&META, policy, w, message));
    }
}
