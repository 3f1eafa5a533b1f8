//! `role-replaced`: the role is destroyed and created again, so its unique ID changes and
//! principals elsewhere that name it by unique ID stop matching (SPEC §1.1).

use super::{Draft, RoleInput, Rule, RuleKind, RuleMeta};
use crate::finding::Severity;

pub struct RoleReplaced;

static META: RuleMeta = RuleMeta {
    id: "role-replaced",
    kind: RuleKind::Regression,
    default_severity: Severity::Info,
    summary: "the role is destroyed and re-created: its unique ID changes",
};

/// True for `["delete","create"]` and `["create","delete"]`.
pub fn is_replace(actions: &[String]) -> bool {
    actions.len() == 2
        && actions.iter().any(|a| a == "delete")
        && actions.iter().any(|a| a == "create")
}

impl Rule for RoleReplaced {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>) {
        if let Some(paired) = &input.change.paired {
            out.push(Draft::new(
                &META,
                format!(
                    "the role is destroyed at `{}` and created at `{}` under the same IAM name (no `moved` block): it is compared as one role whose trust changes, and its unique ID changes",
                    paired.address, input.change.address
                ),
            ));
        } else if is_replace(&input.change.actions) {
            out.push(Draft::new(
                &META,
                "the role is destroyed and re-created: its unique ID changes, and trust policies elsewhere that name it by unique ID will no longer match it",
            ));
        }
    }
}
