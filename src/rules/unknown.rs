//! `trust-policy-unknown`: the new trust policy is known only after apply. Never a pass: its
//! severity follows `--unknown` (SPEC §5).

use super::{Draft, RoleInput, Rule, RuleKind, RuleMeta, Side, UnknownMode};
use crate::finding::Severity;

pub struct TrustPolicyUnknown;

static META: RuleMeta = RuleMeta {
    id: "trust-policy-unknown",
    kind: RuleKind::Posture,
    default_severity: Severity::Medium,
    summary: "the new trust policy is known only after apply, so the plan cannot show it is safe",
};

impl Rule for TrustPolicyUnknown {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>) {
        if !matches!(input.after, Side::Unknown) {
            return;
        }
        let severity = match input.settings.unknown {
            UnknownMode::Fail => Severity::Critical,
            UnknownMode::Warn => META.default_severity,
            UnknownMode::Ignore => return,
        };
        let mut draft = Draft::new(
            &META,
            "the new trust policy is known only after apply; review the expression that builds it",
        );
        draft.severity = severity;
        draft.after_pointer = Some(String::new());
        out.push(draft);
    }
}
