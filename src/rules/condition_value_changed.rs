//! `condition-value-changed`: a lateral change, one literal swapped for another in a condition
//! (an ExternalId rotated, an OIDC `sub` pointed at another repository) with nothing else
//! widened. Registered before the guard rules so the swap is reported once, as what it is.

use super::cause::Cause;
use super::{Attributed, Draft, RoleInput, Rule, RuleKind, RuleMeta};
use crate::finding::Severity;

pub struct ConditionValueChanged;

static META: RuleMeta = RuleMeta {
    id: "condition-value-changed",
    kind: RuleKind::Regression,
    default_severity: Severity::Medium,
    summary: "a condition value was swapped for another (lateral change): someone new gains access, someone loses it",
};

impl Rule for ConditionValueChanged {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn claims(&self, a: &Attributed, input: &RoleInput<'_>) -> bool {
        let Cause::ConditionLoosened { key, .. } = &a.cause else {
            return false;
        };
        input.is_lateral() && input.literal_swap(key)
    }

    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>) {
        input.report_claimed(&META, out, |a| {
            (
                META.default_severity,
                format!(
                    "the `{}` value was changed: now {}, and requests with the old value no longer can",
                    a.key().unwrap_or("condition"),
                    a.phrase(a.key())
                ),
            )
        });
    }
}
