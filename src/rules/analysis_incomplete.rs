//! `analysis-incomplete`: the comparison hit a bound (size, values, search budget), so the
//! change could not be fully judged. Never a silent pass.

use super::{Draft, RoleInput, Rule, RuleKind, RuleMeta};
use crate::finding::Severity;

pub struct AnalysisIncomplete;

static META: RuleMeta = RuleMeta {
    id: "analysis-incomplete",
    kind: RuleKind::Posture,
    default_severity: Severity::High,
    summary: "the policy exceeds the analysis bounds, so the change could not be fully judged",
};

/// The rule's metadata, for searches elsewhere that hit a bound (posture rules).
pub fn meta() -> &'static RuleMeta {
    &META
}

impl Rule for AnalysisIncomplete {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>) {
        if let Some(reason) = input.incomplete {
            out.push(Draft::new(
                &META,
                format!("the change could not be fully analysed ({reason}); review it by hand"),
            ));
        }
    }
}
