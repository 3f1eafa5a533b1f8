//! What posture rules share: when they apply, and the condition facts they test.
//!
//! Posture rules judge the after state of created roles, and of every role with `--all`
//! (SPEC §4.2). On a change to an existing role the regression rules speak instead: a removed
//! ExternalId is reported once, as `external-id-removed`, not again as a posture problem.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use super::{Draft, RoleInput, Rule, RuleMeta, Side};
use crate::policy::{BaseOp, Condition, Operator, Policy, SetQualifier, Statement};

/// One posture problem: a stable key, pointer and message.
pub struct Problem {
    pub pointer: String,
    pub message: String,
}

/// A posture rule that is only its metadata and its `find`: reporting is the same for all.
pub struct PostureRule {
    pub meta: &'static RuleMeta,
    pub find: fn(&Policy, &RoleInput<'_>) -> Vec<Problem>,
}

impl Rule for PostureRule {
    fn meta(&self) -> &'static RuleMeta {
        self.meta
    }

    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>) {
        report(input, out, self.meta, self.find);
    }
}

/// Report the after policy's problems that the rule should raise for this role.
pub fn report(
    input: &RoleInput<'_>,
    out: &mut Vec<Draft>,
    meta: &'static RuleMeta,
    find: impl Fn(&Policy, &RoleInput<'_>) -> Vec<Problem>,
) {
    let Some(after) = input.after.policy() else {
        return;
    };
    let created = matches!(input.before, Side::Nobody);
    if !created && !input.settings.all {
        return;
    }
    for problem in find(after, input) {
        let mut draft = Draft::new(meta, problem.message);
        draft.after_pointer = Some(problem.pointer);
        out.push(draft);
    }
}

/// True for a condition that must hold with the key present: not negated, not `IfExists`,
/// not `ForAllValues` (vacuous on an absent key), not `Null`, with at least one value.
pub fn is_positive_pin(c: &Condition) -> bool {
    match &c.operator {
        Operator::Known {
            set,
            base,
            if_exists,
        } => {
            !if_exists
                && *set != Some(SetQualifier::ForAllValues)
                && !base.is_negated()
                && *base != BaseOp::Null
                && !c.values.is_empty()
        }
        Operator::Unknown => false,
    }
}

/// The statement's positive pins on a key (case-insensitive).
pub fn pins<'a>(s: &'a Statement, key: &str) -> impl Iterator<Item = &'a Condition> + 'a {
    let key = key.to_ascii_lowercase();
    s.conditions
        .iter()
        .filter(move |c| c.key.to_ascii_lowercase() == key && is_positive_pin(c))
}

/// True when the statement pins any of these keys positively.
pub fn pinned_by_any(s: &Statement, keys: &[&str]) -> bool {
    keys.iter().any(|k| pins(s, k).next().is_some())
}
