//! The records a plan is read into: what one document keeps (`DocRecord`, and the checks that
//! need a whole document), and the typed records of one IAM role's `resource_changes` /
//! `resource_drift` entry, read by serde from the entry's bytes the streaming reader captured.
//!
//! The fields trustgate relies on are typed strictly (a wrong type is an error naming its JSON
//! path); fields it does not need are read leniently or not at all, so new or odd values in
//! them never stop a gate.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::accounts::AccountFacts;
use super::error::{one_line, PlanError};
use super::model::{RoleChange, RoleType};

/// One plan document, reduced to what the extraction needs.
#[derive(Debug, Default)]
pub(super) struct DocRecord {
    /// Any of the keys that make an object a plan (`format_version`, `resource_changes`, ...).
    pub has_plan_key: bool,
    /// `@level` / `@message`: a line of the `terraform plan -json` event stream.
    pub has_event_key: bool,
    pub format_version: Option<String>,
    pub plan_format_version: Option<String>,
    pub terraform_version: Option<String>,
    pub complete: Option<bool>,
    pub errored: Option<bool>,
    /// Roles of `resource_changes`, in plan order, as read (drift is attached at the end).
    pub changes: Vec<RoleChange>,
    /// Role entries of `resource_drift`, in plan order.
    pub drift: Vec<RoleRecord>,
    /// `configuration`'s module calls: (module address, `source`), see `PlanInfo`.
    pub module_sources: Vec<(String, String)>,
    /// What the plan tells of each provider configuration's account.
    pub facts: AccountFacts,
    /// What the plan says about its roles' permissions and consumers (streaming reader only).
    pub context: super::context::PlanContext,
}

/// A `resource_changes` / `resource_drift` entry for a managed `aws_iam_role`/`awscc_iam_role`.
#[derive(Debug)]
pub(super) struct RoleRecord {
    pub address: String,
    pub previous_address: Option<String>,
    pub role_type: RoleType,
    pub action_reason: Option<String>,
    pub change: ChangeRecord,
}

#[derive(Debug, Default)]
pub(super) struct ChangeRecord {
    pub actions: Vec<String>,
    pub before: Option<SideRecord>,
    pub after: Option<SideRecord>,
    pub after_unknown: Marks,
    pub before_sensitive: Marks,
    pub after_sensitive: Marks,
    pub importing: bool,
}

/// One side (`before`/`after`) of a change: only the trust attributes and the ARN.
#[derive(Debug, Default)]
pub(super) struct SideRecord {
    /// `assume_role_policy`, its raw JSON text; `None` when missing or null.
    pub aws_trust: Option<Box<str>>,
    /// `assume_role_policy_document`, raw; `None` when missing or null.
    pub awscc_trust: Option<Box<str>>,
    /// `arn` when it is a string (an unknown or odd value carries no account).
    pub arn: Option<String>,
    /// `account_id`, `name`, `name_prefix`, `path` when strings (they inform, never decide).
    pub account_id: Option<String>,
    pub name: Option<String>,
    pub name_prefix: Option<String>,
    pub path: Option<String>,
}

impl SideRecord {
    pub fn trust(&self, role_type: RoleType) -> Option<&str> {
        match role_type {
            RoleType::AwsIamRole => self.aws_trust.as_deref(),
            RoleType::AwsccIamRole => self.awscc_trust.as_deref(),
        }
    }
}

/// An `after_unknown` / `*_sensitive` value: `true` for the whole resource, or a tree of which
/// attributes are marked. Only whether each trust attribute holds a `true` anywhere is kept.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Marks {
    pub whole: bool,
    pub aws_trust: bool,
    pub awscc_trust: bool,
}

impl Marks {
    pub fn marks(self, role_type: RoleType) -> bool {
        self.whole
            || match role_type {
                RoleType::AwsIamRole => self.aws_trust,
                RoleType::AwsccIamRole => self.awscc_trust,
            }
    }
}

/// Whether a format version's major number is one trustgate reads (0.x and 1.x).
pub(super) fn supported_version(version: &str) -> bool {
    matches!(version.split('.').next(), Some("0" | "1"))
}

/// The name an error in document `doc_no` carries: the file itself for the first (whether more
/// follow is not known yet), `path#N` for a later one.
pub(super) fn label(display: &str, doc_no: usize) -> String {
    if doc_no > 1 {
        format!("{display}#{doc_no}")
    } else {
        display.to_string()
    }
}

/// The checks that need a whole document: is it a plan at all, and is it one we may judge.
pub(super) fn check_document(doc: &DocRecord, file: &str) -> Result<(), PlanError> {
    if doc.has_event_key {
        return Err(PlanError::EventStream {
            file: file.to_string(),
        });
    }
    if !doc.has_plan_key {
        return Err(PlanError::NotAPlan {
            file: file.to_string(),
            reason: "the JSON object has none of the plan keys (`format_version`, \
                     `resource_changes`, `planned_values`, `configuration`, ...)"
                .to_string(),
        });
    }
    if let Some(version) = doc
        .format_version
        .as_deref()
        .or(doc.plan_format_version.as_deref())
    {
        if !supported_version(version) {
            return Err(PlanError::UnsupportedVersion {
                file: file.to_string(),
                version: one_line(version),
            });
        }
    }
    if doc.errored == Some(true) {
        return Err(PlanError::Errored {
            file: file.to_string(),
        });
    }
    Ok(())
}

/// serde_json's message without its ` at line L column C` suffix (shown separately, or not
/// at all when a JSON path says more).
pub(super) fn without_position(err: &serde_json::Error) -> String {
    let text = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    one_line(text.strip_suffix(&suffix).unwrap_or(&text))
}

/// What a JSON value starting with `first` is, for messages.
pub(super) fn value_kind(first: Option<u8>) -> &'static str {
    match first {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        Some(b'-' | b'0'..=b'9') => "a number",
        _ => "not JSON",
    }
}

/// Whether a raw JSON value holds the literal `true` anywhere. A linear scan rather than a
/// parse, so even a hostile, deeply nested marker tree costs no recursion.
pub(super) fn contains_true(raw: &str) -> bool {
    let mut in_string = false;
    let mut escaped = false;
    for b in raw.bytes() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        } else if b == b't' {
            // Outside strings a `t` can only begin the literal `true`.
            return true;
        }
    }
    false
}

// ---------------------------------------------------------------------------------------------
// Deserialisation. Hand-written visitors rather than derives: keys are matched without
// allocating, duplicate keys are refused (two parsers could read a duplicated trust key
// differently), arrays are never accepted in place of objects, and every "expected ..." in an
// error message is wording for users, not a Rust type name.
// ---------------------------------------------------------------------------------------------

/// Reads a map key as a borrowed string and classifies it without allocating.
/// A key classified by one of the `*_key` functions (which match bytes, so the streaming
/// scanner can classify an ASCII key without a UTF-8 check).
struct KeyOf<K>(fn(&[u8]) -> K);

impl<'de, K> DeserializeSeed<'de> for KeyOf<K> {
    type Value = K;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<K, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de, K> Visitor<'de> for KeyOf<K> {
    type Value = K;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, key: &str) -> Result<K, E> {
        Ok((self.0)(key.as_bytes()))
    }
}

/// Refuse a second occurrence of a key the reader uses.
fn once<E: de::Error>(seen: &mut bool, name: &'static str) -> Result<(), E> {
    if std::mem::replace(seen, true) {
        Err(E::duplicate_field(name))
    } else {
        Ok(())
    }
}

pub(super) enum TopKey {
    FormatVersion,
    PlanFormatVersion,
    TerraformVersion,
    Complete,
    Errored,
    ResourceChanges,
    ResourceDrift,
    Configuration,
    /// Keys that mark a plan and carry resources whose accounts are read.
    PlannedValues,
    PriorState,
    EventKey,
    Other,
}

pub(super) fn top_key(key: &[u8]) -> TopKey {
    match key {
        b"format_version" => TopKey::FormatVersion,
        b"plan_format_version" => TopKey::PlanFormatVersion,
        b"terraform_version" => TopKey::TerraformVersion,
        b"complete" => TopKey::Complete,
        b"errored" => TopKey::Errored,
        b"resource_changes" => TopKey::ResourceChanges,
        b"resource_drift" => TopKey::ResourceDrift,
        b"configuration" => TopKey::Configuration,
        b"planned_values" => TopKey::PlannedValues,
        b"prior_state" => TopKey::PriorState,
        b"@level" | b"@message" => TopKey::EventKey,
        _ => TopKey::Other,
    }
}

/// serde's reason a `resource_changes` / `resource_drift` value (neither null nor a list)
/// is refused, in the words the typed records use; `None` when the bytes are broken JSON.
pub(super) fn list_shape_reason(bytes: &[u8]) -> Option<String> {
    struct ListShape;
    impl<'de> Visitor<'de> for ListShape {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of resource changes")
        }
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match de.deserialize_seq(ListShape) {
        Err(err) if err.classify() == serde_json::error::Category::Data => {
            Some(without_position(&err))
        }
        _ => None,
    }
}

/// One entry of a resource list; `None` when it is not a managed IAM role. Drift entries may
/// lack `address` (Terraform 1.0.0 omitted it there).
pub(super) struct ResourceEntry {
    pub drift: bool,
}

pub(super) enum EntryKey {
    Address,
    Mode,
    Type,
    Name,
    ModuleAddress,
    Index,
    PreviousAddress,
    ActionReason,
    Change,
    Other,
}

pub(super) fn entry_key(key: &[u8]) -> EntryKey {
    match key {
        b"address" => EntryKey::Address,
        b"mode" => EntryKey::Mode,
        b"type" => EntryKey::Type,
        b"name" => EntryKey::Name,
        b"module_address" => EntryKey::ModuleAddress,
        b"index" => EntryKey::Index,
        b"previous_address" => EntryKey::PreviousAddress,
        b"action_reason" => EntryKey::ActionReason,
        b"change" => EntryKey::Change,
        _ => EntryKey::Other,
    }
}

impl<'de> DeserializeSeed<'de> for ResourceEntry {
    type Value = Option<RoleRecord>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ResourceEntry {
    type Value = Option<RoleRecord>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a resource change object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut address: Option<String> = None;
        let mut mode: Option<String> = None;
        let mut resource_type: Option<String> = None;
        let mut name: Option<String> = None;
        let mut module_address: Option<String> = None;
        let mut index: Option<Box<RawValue>> = None;
        let mut previous_address: Option<String> = None;
        let mut action_reason: Option<String> = None;
        let mut change: Option<ChangeRecord> = None;
        let mut seen = [false; 9];
        while let Some(key) = map.next_key_seed(KeyOf(entry_key))? {
            match key {
                EntryKey::Address => {
                    once(&mut seen[0], "address")?;
                    address = Some(map.next_value()?);
                }
                EntryKey::Mode => {
                    once(&mut seen[1], "mode")?;
                    mode = map.next_value()?;
                }
                EntryKey::Type => {
                    once(&mut seen[2], "type")?;
                    resource_type = Some(map.next_value()?);
                }
                EntryKey::Name => {
                    once(&mut seen[3], "name")?;
                    name = map.next_value()?;
                }
                EntryKey::ModuleAddress => {
                    once(&mut seen[4], "module_address")?;
                    module_address = map.next_value()?;
                }
                EntryKey::Index => {
                    once(&mut seen[5], "index")?;
                    index = map.next_value()?;
                }
                EntryKey::PreviousAddress => {
                    once(&mut seen[6], "previous_address")?;
                    previous_address = map.next_value()?;
                }
                EntryKey::ActionReason => {
                    once(&mut seen[7], "action_reason")?;
                    action_reason = map.next_value()?;
                }
                EntryKey::Change => {
                    once(&mut seen[8], "change")?;
                    change = Some(map.next_value()?);
                }
                EntryKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let resource_type = resource_type.ok_or_else(|| de::Error::missing_field("type"))?;
        let change = change.ok_or_else(|| de::Error::missing_field("change"))?;
        let address = match address {
            Some(address) => address,
            None if self.drift => rebuild_address(
                module_address.as_deref(),
                mode.as_deref(),
                &resource_type,
                name.as_deref(),
                index.as_deref(),
            )
            .ok_or_else(|| de::Error::missing_field("address"))?,
            None => return Err(de::Error::missing_field("address")),
        };
        // A missing mode is managed: the oldest plan formats did not always write it.
        if mode.as_deref().unwrap_or("managed") != "managed" {
            return Ok(None);
        }
        let role_type = match resource_type.as_str() {
            "aws_iam_role" => RoleType::AwsIamRole,
            "awscc_iam_role" => RoleType::AwsccIamRole,
            _ => return Ok(None),
        };
        Ok(Some(RoleRecord {
            address,
            previous_address,
            role_type,
            action_reason,
            change,
        }))
    }
}

/// The address Terraform would have written, from its parts. Terraform 1.0.0 left `address`
/// out of `resource_drift` entries; without this their drift could not be matched to a role.
fn rebuild_address(
    module_address: Option<&str>,
    mode: Option<&str>,
    resource_type: &str,
    name: Option<&str>,
    index: Option<&RawValue>,
) -> Option<String> {
    let name = name?;
    let mut address = String::new();
    if let Some(module) = module_address.filter(|m| !m.is_empty()) {
        address.push_str(module);
        address.push('.');
    }
    if mode == Some("data") {
        address.push_str("data.");
    }
    address.push_str(resource_type);
    address.push('.');
    address.push_str(name);
    if let Some(index) = index.filter(|i| i.get() != "null") {
        // A count index is a number, a for_each key a JSON string: both print as HCL does.
        address.push('[');
        address.push_str(index.get());
        address.push(']');
    }
    Some(address)
}

pub(super) enum ChangeKey {
    Actions,
    Before,
    After,
    AfterUnknown,
    BeforeSensitive,
    AfterSensitive,
    Importing,
    Other,
}

pub(super) fn change_key(key: &[u8]) -> ChangeKey {
    match key {
        b"actions" => ChangeKey::Actions,
        b"before" => ChangeKey::Before,
        b"after" => ChangeKey::After,
        b"after_unknown" => ChangeKey::AfterUnknown,
        b"before_sensitive" => ChangeKey::BeforeSensitive,
        b"after_sensitive" => ChangeKey::AfterSensitive,
        b"importing" => ChangeKey::Importing,
        _ => ChangeKey::Other,
    }
}

impl<'de> serde::Deserialize<'de> for ChangeRecord {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ChangeVisitor)
    }
}

struct ChangeVisitor;

impl<'de> Visitor<'de> for ChangeVisitor {
    type Value = ChangeRecord;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a change object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ChangeRecord, A::Error> {
        let mut change = ChangeRecord::default();
        let mut actions: Option<Vec<String>> = None;
        let mut seen = [false; 7];
        while let Some(key) = map.next_key_seed(KeyOf(change_key))? {
            match key {
                ChangeKey::Actions => {
                    once(&mut seen[0], "actions")?;
                    actions = Some(map.next_value()?);
                }
                ChangeKey::Before => {
                    once(&mut seen[1], "before")?;
                    change.before = map.next_value()?;
                }
                ChangeKey::After => {
                    once(&mut seen[2], "after")?;
                    change.after = map.next_value()?;
                }
                ChangeKey::AfterUnknown => {
                    once(&mut seen[3], "after_unknown")?;
                    change.after_unknown = map.next_value()?;
                }
                ChangeKey::BeforeSensitive => {
                    once(&mut seen[4], "before_sensitive")?;
                    change.before_sensitive = map.next_value()?;
                }
                ChangeKey::AfterSensitive => {
                    once(&mut seen[5], "after_sensitive")?;
                    change.after_sensitive = map.next_value()?;
                }
                ChangeKey::Importing => {
                    once(&mut seen[6], "importing")?;
                    change.importing = map.next_value::<PresentObject>()?.0;
                }
                ChangeKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        change.actions = actions.ok_or_else(|| de::Error::missing_field("actions"))?;
        Ok(change)
    }
}

pub(super) enum SideKey {
    AwsTrust,
    AwsccTrust,
    Arn,
    /// A string that informs (`account_id`, `name`, `name_prefix`, `path`): read leniently,
    /// a repeated one is the last.
    Info(InfoKey),
    Other,
}

#[derive(Clone, Copy)]
pub(super) enum InfoKey {
    AccountId,
    Name,
    NamePrefix,
    Path,
}

pub(super) fn side_key(key: &[u8]) -> SideKey {
    match key {
        b"assume_role_policy" => SideKey::AwsTrust,
        b"assume_role_policy_document" => SideKey::AwsccTrust,
        b"arn" => SideKey::Arn,
        b"account_id" => SideKey::Info(InfoKey::AccountId),
        b"name" => SideKey::Info(InfoKey::Name),
        b"name_prefix" => SideKey::Info(InfoKey::NamePrefix),
        b"path" => SideKey::Info(InfoKey::Path),
        _ => SideKey::Other,
    }
}

impl SideRecord {
    pub fn info_mut(&mut self, key: InfoKey) -> &mut Option<String> {
        match key {
            InfoKey::AccountId => &mut self.account_id,
            InfoKey::Name => &mut self.name,
            InfoKey::NamePrefix => &mut self.name_prefix,
            InfoKey::Path => &mut self.path,
        }
    }
}

impl<'de> serde::Deserialize<'de> for SideRecord {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(SideVisitor)
    }
}

struct SideVisitor;

impl<'de> Visitor<'de> for SideVisitor {
    type Value = SideRecord;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of resource attributes, or null")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SideRecord, A::Error> {
        let mut side = SideRecord::default();
        let mut seen = [false; 3];
        while let Some(key) = map.next_key_seed(KeyOf(side_key))? {
            match key {
                // Kept raw: the value's type is judged later, per role type, and a wrong one
                // becomes a finding rather than a read error.
                SideKey::AwsTrust => {
                    once(&mut seen[0], "assume_role_policy")?;
                    side.aws_trust = map.next_value::<Option<Box<RawValue>>>()?.map(Box::from);
                }
                SideKey::AwsccTrust => {
                    once(&mut seen[1], "assume_role_policy_document")?;
                    side.awscc_trust = map.next_value::<Option<Box<RawValue>>>()?.map(Box::from);
                }
                SideKey::Arn => {
                    once(&mut seen[2], "arn")?;
                    side.arn = map.next_value::<LenientString>()?.0;
                }
                SideKey::Info(key) => {
                    *side.info_mut(key) = map.next_value::<LenientString>()?.0;
                }
                SideKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(side)
    }
}

impl<'de> serde::Deserialize<'de> for Marks {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(MarksVisitor)
    }
}

struct MarksVisitor;

impl<'de> Visitor<'de> for MarksVisitor {
    type Value = Marks;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a boolean or an object")
    }

    fn visit_bool<E: de::Error>(self, whole: bool) -> Result<Marks, E> {
        Ok(Marks {
            whole,
            ..Marks::default()
        })
    }

    fn visit_unit<E: de::Error>(self) -> Result<Marks, E> {
        Ok(Marks::default())
    }

    fn visit_none<E: de::Error>(self) -> Result<Marks, E> {
        Ok(Marks::default())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Marks, A::Error> {
        let mut marks = Marks::default();
        while let Some(key) = map.next_key_seed(KeyOf(side_key))? {
            match key {
                SideKey::AwsTrust => {
                    let raw: Box<RawValue> = map.next_value()?;
                    marks.aws_trust |= contains_true(raw.get());
                }
                SideKey::AwsccTrust => {
                    let raw: Box<RawValue> = map.next_value()?;
                    marks.awscc_trust |= contains_true(raw.get());
                }
                SideKey::Arn | SideKey::Info(_) | SideKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(marks)
    }
}

/// A value kept only when it is a string; anything else is skipped without complaint (for
/// fields like `arn` and `terraform_version` that inform but never decide).
pub(super) struct LenientString(pub Option<String>);

impl<'de> serde::Deserialize<'de> for LenientString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LenientStringVisitor)
    }
}

struct LenientStringVisitor;

impl<'de> Visitor<'de> for LenientStringVisitor {
    type Value = LenientString;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<LenientString, E> {
        Ok(LenientString(Some(v.to_string())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<LenientString, E> {
        Ok(LenientString(Some(v)))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<LenientString, E> {
        Ok(LenientString(None))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<LenientString, E> {
        Ok(LenientString(None))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<LenientString, E> {
        Ok(LenientString(None))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<LenientString, E> {
        Ok(LenientString(None))
    }

    fn visit_unit<E: de::Error>(self) -> Result<LenientString, E> {
        Ok(LenientString(None))
    }

    fn visit_none<E: de::Error>(self) -> Result<LenientString, E> {
        Ok(LenientString(None))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<LenientString, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(LenientString(None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LenientString, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(LenientString(None))
    }
}

/// `importing`: true when an object is present (its content does not matter to trustgate).
struct PresentObject(bool);

impl<'de> serde::Deserialize<'de> for PresentObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PresentObjectVisitor)
    }
}

struct PresentObjectVisitor;

impl<'de> Visitor<'de> for PresentObjectVisitor {
    type Value = PresentObject;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object or null")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PresentObject, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(PresentObject(true))
    }

    // Any other value is not an import object; skipping it keeps odd hand-written plans
    // readable.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PresentObject, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(PresentObject(false))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<PresentObject, E> {
        Ok(PresentObject(false))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<PresentObject, E> {
        Ok(PresentObject(false))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<PresentObject, E> {
        Ok(PresentObject(false))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<PresentObject, E> {
        Ok(PresentObject(false))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<PresentObject, E> {
        Ok(PresentObject(false))
    }

    fn visit_unit<E: de::Error>(self) -> Result<PresentObject, E> {
        Ok(PresentObject(false))
    }

    fn visit_none<E: de::Error>(self) -> Result<PresentObject, E> {
        Ok(PresentObject(false))
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn contains_true_ignores_strings() {
        assert!(contains_true("true"));
        assert!(contains_true(r#"{"a":[false,{"b":true}]}"#));
        assert!(!contains_true(r#"{"true":"true \" t"}"#));
        assert!(!contains_true("false"));
        assert!(!contains_true("{}"));
    }

    #[test]
    fn rebuilt_addresses_match_terraform() {
        let idx = RawValue::from_string("\"a\"".to_string()).unwrap();
        assert_eq!(
            rebuild_address(
                Some("module.m"),
                Some("managed"),
                "aws_iam_role",
                Some("r"),
                Some(&idx)
            ),
            Some("module.m.aws_iam_role.r[\"a\"]".to_string())
        );
        assert_eq!(
            rebuild_address(None, None, "aws_iam_role", Some("r"), None),
            Some("aws_iam_role.r".to_string())
        );
    }

    #[test]
    fn versions() {
        assert!(supported_version("0.1"));
        assert!(supported_version("1.2"));
        assert!(!supported_version("2.0"));
        assert!(!supported_version(""));
    }
}
