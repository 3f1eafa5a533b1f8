//! Action matching (SEMANTICS §1.6): `Action` / `NotAction` patterns against one action name,
//! case-insensitively, with `*` and `?` ([inf] `?` as one character, as PMapper and
//! iam-simulate do).

use super::glob::like_ignore_ascii_case;
use crate::policy::{ActionMode, Actions};

/// The first pattern that matches `action`, if any.
pub fn matching_pattern<'a>(actions: &'a Actions, action: &str) -> Option<&'a str> {
    actions
        .patterns
        .iter()
        .map(String::as_str)
        .find(|p| like_ignore_ascii_case(p, action))
}

/// The statement covers `action`: listed in `Action`, or not listed in `NotAction`
/// ([inf] §1.6: whether IAM accepts `NotAction` in a trust policy is unverified; evaluated per
/// the doc). An empty `Action` list covers nothing, an empty `NotAction` list everything.
pub fn action_matches(actions: &Actions, action: &str) -> bool {
    let listed = matching_pattern(actions, action).is_some();
    match actions.mode {
        ActionMode::Action => listed,
        ActionMode::NotAction => !listed,
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    fn acts(mode: ActionMode, patterns: &[&str]) -> Actions {
        Actions {
            mode,
            patterns: patterns.iter().map(|p| p.to_string()).collect(),
        }
    }

    #[test]
    fn case_insensitive_globs() {
        let a = acts(ActionMode::Action, &["STS:assume*"]);
        assert!(action_matches(&a, "sts:AssumeRoleWithSAML"));
        assert!(!action_matches(&a, "sts:TagSession"));
        assert!(action_matches(
            &acts(ActionMode::Action, &["*"]),
            "sts:TagSession"
        ));
        assert!(action_matches(
            &acts(ActionMode::Action, &["sts:?agSession"]),
            "sts:TagSession"
        ));
        assert!(!action_matches(
            &acts(ActionMode::Action, &[]),
            "sts:AssumeRole"
        ));
    }

    #[test]
    fn not_action_is_the_complement() {
        let a = acts(ActionMode::NotAction, &["sts:TagSession"]);
        assert!(action_matches(&a, "sts:AssumeRole"));
        assert!(!action_matches(&a, "sts:tagsession"));
        assert!(action_matches(
            &acts(ActionMode::NotAction, &[]),
            "sts:AssumeRole"
        ));
    }
}
