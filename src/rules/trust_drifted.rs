//! `trust-drifted`: the role's real trust (`resource_drift`) is wider than the last applied
//! one: someone widened it outside Terraform. High when the plan keeps the drifted trust,
//! medium when the plan reverts it, so the gate never blocks the fix.

use super::class::PrincipalClass;
use super::{words, Draft, RoleInput, Rule, RuleKind, RuleMeta};
use crate::finding::Severity;

pub struct TrustDrifted;

static META: RuleMeta = RuleMeta {
    id: "trust-drifted",
    kind: RuleKind::Regression,
    default_severity: Severity::High,
    summary: "the real trust policy was widened outside Terraform (resource_drift)",
};

impl Rule for TrustDrifted {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>) {
        let Some(drift) = input.drift else {
            return;
        };
        let class = match input.after.policy().or(input.before.policy()) {
            Some(p) => super::class::classify(
                &drift.witness.request,
                p,
                input.own_account.as_deref(),
                input.settings,
            ),
            None => PrincipalClass::External,
        };
        let who = words::witness_phrase(&drift.witness.request, class, None);
        let (severity, tail) = if drift.kept {
            (META.default_severity, "and this plan keeps it")
        } else {
            (Severity::Medium, "and this plan reverts it")
        };
        let mut draft = Draft::new(
            &META,
            format!("the trust policy was widened outside Terraform: {who}, {tail}"),
        );
        draft.severity = severity;
        draft.witness = Some(drift.witness.request.clone());
        out.push(draft);
    }
}
