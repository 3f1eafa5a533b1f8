//! What the streaming reader needs to know of the plan parts that tell accounts
//! (`prior_state`, `planned_values`, `configuration`'s `provider_config`): which keys it
//! descends into, and what one provider entry says, filling `AccountFacts`. They inform and
//! never decide, so a value of an unexpected type is skipped, never an error; and nothing
//! but the few strings needed is kept.

use super::accounts::{account_number, arn_account, AccountFacts};

/// Module nesting followed in `prior_state`, `planned_values` and `configuration`; deeper
/// modules are skipped.
pub(super) const MODULE_DEPTH: usize = 32;

/// Where the walk of `prior_state` / `planned_values` is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum StateLevel {
    /// `planned_values`: `root_module`.
    PlannedValues,
    /// `prior_state`: `values`.
    PriorState,
    /// `prior_state.values`: `root_module`.
    Values,
    /// A module: `resources`, `child_modules`.
    Module,
    /// `child_modules`: a list of modules.
    Modules,
    /// `resources`: a list of resources.
    Resources,
}

/// The key a state level descends into, with the level it leads to.
pub(super) fn state_child(level: StateLevel, key: &[u8]) -> Option<StateLevel> {
    match (level, key) {
        (StateLevel::PlannedValues | StateLevel::Values, b"root_module") => {
            Some(StateLevel::Module)
        }
        (StateLevel::PriorState, b"values") => Some(StateLevel::Values),
        (StateLevel::Module, b"resources") => Some(StateLevel::Resources),
        (StateLevel::Module, b"child_modules") => Some(StateLevel::Modules),
        _ => None,
    }
}

/// The key classes of a state resource and of its `values`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum ResourceKey {
    Address,
    Mode,
    Type,
    Values,
    Arn,
    AccountId,
    Other,
}

pub(super) fn resource_key(key: &[u8]) -> ResourceKey {
    match key {
        b"address" => ResourceKey::Address,
        b"mode" => ResourceKey::Mode,
        b"type" => ResourceKey::Type,
        b"values" => ResourceKey::Values,
        _ => ResourceKey::Other,
    }
}

pub(super) fn values_key(key: &[u8]) -> ResourceKey {
    match key {
        b"arn" => ResourceKey::Arn,
        b"account_id" => ResourceKey::AccountId,
        _ => ResourceKey::Other,
    }
}

/// The constant strings of one provider entry at
/// `expressions.assume_role[*].role_arn.constant_value` and
/// `expressions.allowed_account_ids.constant_value[*]` (a block is a list of objects in
/// newer formats, an object in some older ones: both are read). A path is the object keys
/// from the entry down; lists add nothing to it.
///
/// For the consumers of a role (`crate::permissions`), the same walk reads the block's
/// `role_arn` references and whether it sets `external_id` (and its constant value): one
/// reading of the provider configuration serves both.
#[derive(Default)]
pub(super) struct ProviderFound {
    assume: Vec<String>,
    allowed: Vec<String>,
    role_references: Vec<String>,
    has_external_id: bool,
    external_id: Option<String>,
}

const ASSUME: [&str; 4] = ["expressions", "assume_role", "role_arn", "constant_value"];
const ALLOWED: [&str; 3] = ["expressions", "allowed_account_ids", "constant_value"];
const ROLE_REFERENCES: [&str; 4] = ["expressions", "assume_role", "role_arn", "references"];
const EXTERNAL_ID: [&str; 3] = ["expressions", "assume_role", "external_id"];
const EXTERNAL_ID_VALUE: [&str; 4] = [
    "expressions",
    "assume_role",
    "external_id",
    "constant_value",
];

impl ProviderFound {
    /// Whether `path` leads to a path looked for.
    pub fn wanted(path: &[String]) -> bool {
        let prefix = |target: &[&str]| {
            path.len() <= target.len() && path.iter().zip(target).all(|(a, b)| a == b)
        };
        prefix(&ASSUME)
            || prefix(&ALLOWED)
            || prefix(&ROLE_REFERENCES)
            || prefix(&EXTERNAL_ID_VALUE)
    }

    /// Whether a list at `path` is walked into (a block list, the list of accounts, the
    /// references of `role_arn`).
    pub fn at_list(path: &[String]) -> bool {
        path.len() == 2 || path.len() == 3 || path == ROLE_REFERENCES
    }

    /// An object found at `path`: `external_id` set by any expression (a constant, a
    /// variable, a function call) is sent.
    pub fn object(&mut self, path: &[String]) {
        if path == EXTERNAL_ID {
            self.has_external_id = true;
        }
    }

    /// A string found at `path`.
    pub fn string(&mut self, path: &[String], text: String) {
        if path == ASSUME {
            self.assume.push(text);
        } else if path == ALLOWED {
            self.allowed.push(text);
        } else if path == ROLE_REFERENCES {
            self.role_references.push(text);
        } else if path == EXTERNAL_ID_VALUE {
            self.external_id = Some(text);
        }
    }

    pub fn record(self, key: &str, facts: &mut AccountFacts) {
        let entry = facts.providers.entry(key.to_string()).or_default();
        entry.assume_role.extend(
            self.assume
                .iter()
                .filter_map(|a| arn_account(a))
                .filter_map(account_number),
        );
        entry
            .allowed
            .extend(self.allowed.iter().filter_map(|a| account_number(a)));
        entry.role_arns.extend(self.assume);
        entry.role_references.extend(self.role_references);
        entry.has_external_id |= self.has_external_id;
        if self.external_id.is_some() {
            entry.external_id = self.external_id;
        }
    }
}
