//! Typed, lenient readers of the plan parts that tell accounts (`prior_state`,
//! `planned_values`, `configuration`'s resources and `provider_config`), filling
//! `AccountFacts`. They inform and never decide, so a value of an unexpected type is skipped,
//! never an error; and nothing but the few strings needed is kept. The streaming reader
//! walks `prior_state` / `planned_values` itself and hands each configuration resource and
//! provider entry, captured, to the seeds here.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::accounts::{account_number, arn_account, AccountFacts};
use super::reader::LenientString;

/// The `Visitor` methods of a lenient visitor for every scalar: each value reads as `$value`.
macro_rules! scalars_read_as {
    ($value:expr) => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
    };
}
pub(super) use scalars_read_as;

/// Module nesting followed in `prior_state`, `planned_values` and `configuration`; deeper
/// modules are skipped (both readers stop at the same depth).
pub(super) const MODULE_DEPTH: usize = 32;

/// Where a `StateSeed` is.
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

/// One resource instance of a state: the strings that tell its account.
#[derive(Default)]
pub(super) struct StateResource {
    pub address: Option<String>,
    pub mode: Option<String>,
    pub resource_type: Option<String>,
    pub arn: Option<String>,
    pub account_id: Option<String>,
}

impl StateResource {
    pub fn record(self, facts: &mut AccountFacts) {
        if let (Some(address), Some(resource_type)) = (self.address, self.resource_type) {
            facts.resource(
                &address,
                self.mode.as_deref(),
                &resource_type,
                self.arn.as_deref(),
                self.account_id.as_deref(),
            );
        }
    }
}

/// Reads `prior_state` / `planned_values` into `facts`.
pub(super) struct StateSeed<'a> {
    pub level: StateLevel,
    pub depth: usize,
    /// Inside `prior_state` (else `planned_values`): see `AccountFacts::values_wanted`.
    pub prior: bool,
    pub facts: &'a mut AccountFacts,
}

impl<'de> DeserializeSeed<'de> for StateSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StateSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let lists = matches!(self.level, StateLevel::Modules | StateLevel::Resources);
        while let Some(key) = map.next_key::<LenientString>()? {
            let child = key
                .0
                .as_deref()
                .and_then(|k| state_child(self.level, k.as_bytes()))
                .filter(|_| !lists && self.depth <= MODULE_DEPTH);
            match child {
                Some(level) => map.next_value_seed(StateSeed {
                    level,
                    depth: self.depth.saturating_add(1),
                    prior: self.prior,
                    facts: &mut *self.facts,
                })?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        match self.level {
            StateLevel::Resources => {
                while let Some(resource) = seq.next_element_seed(ResourceSeed {
                    prior: self.prior,
                    facts: &*self.facts,
                })? {
                    resource.record(self.facts);
                }
            }
            StateLevel::Modules => {
                while seq
                    .next_element_seed(StateSeed {
                        level: StateLevel::Module,
                        depth: self.depth,
                        prior: self.prior,
                        facts: &mut *self.facts,
                    })?
                    .is_some()
                {}
            }
            _ => while seq.next_element::<IgnoredAny>()?.is_some() {},
        }
        Ok(())
    }

    scalars_read_as!(());
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

/// One state resource (an object; anything else reads as nothing).
struct ResourceSeed<'a> {
    prior: bool,
    facts: &'a AccountFacts,
}

impl<'de> DeserializeSeed<'de> for ResourceSeed<'_> {
    type Value = StateResource;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<StateResource, D::Error> {
        deserializer.deserialize_any(ObjectStrings {
            classify: resource_key,
            nested: Some((self.prior, self.facts)),
        })
    }
}

/// An object's strings under the keys `classify` knows; with `nested` (inside
/// `prior_state`?, the facts so far), `values` is read with `values_key` into the same
/// record when `AccountFacts::values_wanted` says. Any other value is skipped.
struct ObjectStrings<'a> {
    classify: fn(&[u8]) -> ResourceKey,
    nested: Option<(bool, &'a AccountFacts)>,
}

impl<'de> DeserializeSeed<'de> for ObjectStrings<'_> {
    type Value = StateResource;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<StateResource, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ObjectStrings<'_> {
    type Value = StateResource;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StateResource, A::Error> {
        let mut out = StateResource::default();
        while let Some(key) = map.next_key::<LenientString>()? {
            let class = key
                .0
                .as_deref()
                .map_or(ResourceKey::Other, |k| (self.classify)(k.as_bytes()));
            let slot = match class {
                ResourceKey::Address => &mut out.address,
                ResourceKey::Mode => &mut out.mode,
                ResourceKey::Type => &mut out.resource_type,
                ResourceKey::Arn => &mut out.arn,
                ResourceKey::AccountId => &mut out.account_id,
                ResourceKey::Values if self.nested.is_some() => {
                    let wanted = self.nested.is_some_and(|(prior, facts)| {
                        facts.values_wanted(
                            prior,
                            out.address.as_deref().map(|a| facts.address_key(a)),
                            out.mode.as_ref().map(|m| m == "data"),
                            out.resource_type
                                .as_ref()
                                .map(|t| t == "aws_caller_identity"),
                        )
                    });
                    if !wanted {
                        map.next_value::<IgnoredAny>()?;
                        out.arn = None;
                        out.account_id = None;
                        continue;
                    }
                    let values = map.next_value_seed(ObjectStrings {
                        classify: values_key,
                        nested: None,
                    })?;
                    out.arn = values.arn;
                    out.account_id = values.account_id;
                    continue;
                }
                ResourceKey::Values | ResourceKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            *slot = map.next_value::<LenientString>()?.0;
        }
        Ok(out)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StateResource, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(StateResource::default())
    }
    scalars_read_as!(StateResource::default());
}

/// One resource of `configuration` (module address given): its `address` and
/// `provider_config_key`, recorded into `facts`.
pub(super) struct ConfigResourceSeed<'a> {
    pub module: &'a str,
    pub facts: &'a mut AccountFacts,
}

impl<'de> DeserializeSeed<'de> for ConfigResourceSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let fields = deserializer.deserialize_any(Fields(&["address", "provider_config_key"]))?;
        if let [Some(address), Some(key)] = fields.as_slice() {
            self.facts.config_resource(self.module, address, key);
        }
        Ok(())
    }
}

/// One `provider_config` entry (its key given): constant `assume_role.role_arn` and
/// `allowed_account_ids` values, recorded into `facts`.
pub(super) struct ProviderSeed<'a> {
    pub key: &'a str,
    pub facts: &'a mut AccountFacts,
}

impl<'de> DeserializeSeed<'de> for ProviderSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let mut found = ProviderFound::default();
        deserializer.deserialize_any(Walk {
            path: Vec::new(),
            in_list: false,
            found: &mut found,
        })?;
        found.record(self.key, self.facts);
        Ok(())
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

/// The strings of an object's keys `names` (in that order), any other value skipped.
struct Fields(&'static [&'static str]);

impl<'de> Visitor<'de> for Fields {
    type Value = Vec<Option<String>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = vec![None; self.0.len()];
        while let Some(key) = map.next_key::<LenientString>()? {
            let at = key
                .0
                .as_deref()
                .and_then(|k| self.0.iter().position(|n| *n == k));
            match at.and_then(|i| out.get_mut(i)) {
                Some(slot) => *slot = map.next_value::<LenientString>()?.0,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(out)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Vec::new())
    }
    scalars_read_as!(Vec::new());
}

/// Walks a provider entry into a `ProviderFound`: only the paths it wants are entered.
struct Walk<'a> {
    path: Vec<String>,
    /// The value is an element of a list: a list in it is not entered (lists of lists hold
    /// nothing looked for, and entering them would nest without bound).
    in_list: bool,
    found: &'a mut ProviderFound,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.found.object(&self.path);
        while let Some(key) = map.next_key::<LenientString>()? {
            let mut path = self.path.clone();
            path.push(key.0.unwrap_or_default());
            if ProviderFound::wanted(&path) {
                map.next_value_seed(Walk {
                    path,
                    in_list: false,
                    found: &mut *self.found,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if self.in_list || !ProviderFound::at_list(&self.path) {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        while seq
            .next_element_seed(Walk {
                path: self.path.clone(),
                in_list: true,
                found: &mut *self.found,
            })?
            .is_some()
        {}
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.found.string(&self.path, v.to_string());
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}
