//! Extraction (SPEC §1.1): from the typed records of one plan document to its `RoleChange`s,
//! deciding each side's `TrustDoc`, the unknown and sensitive flags, and attaching drift.

use std::collections::HashMap;

use super::accounts;
use super::model::{Drift, IamName, RoleChange, RoleType, TrustDoc};
use super::records::{value_kind, RoleRecord, SideRecord};

/// Every role change of one document: `resource_changes` roles in plan order, then roles that
/// appear only in `resource_drift`.
///
/// A change is altered after `role_change` only by `attach` (its `drift` and
/// `before_sensitive`): `early_change` and the analysis started from it rely on that.
pub(super) fn role_changes(changes: Vec<RoleChange>, drift: Vec<RoleRecord>) -> Vec<RoleChange> {
    let mut roles = changes;

    let mut by_address: HashMap<String, usize> = HashMap::new();
    for (i, role) in roles.iter().enumerate() {
        by_address.entry(role.address.clone()).or_insert(i);
    }
    // A moved role's drift may be recorded under its old address.
    for (i, role) in roles.iter().enumerate() {
        if let Some(previous) = &role.previous_address {
            by_address.entry(previous.clone()).or_insert(i);
        }
    }

    for record in drift {
        let Some((drift, sensitive)) = drift_of(&record) else {
            continue;
        };
        match by_address
            .get(&record.address)
            .and_then(|&i| roles.get_mut(i))
        {
            Some(role) => attach(role, drift, sensitive),
            None => {
                // Drift with no resource_changes entry (older Terraform omitted no-op
                // entries): the role is not being changed, so it is reported as a no-op whose
                // before and after are both the real, drifted trust, keeping the drift visible.
                let change = &record.change;
                let arn =
                    side_arn(change.after.as_ref()).or_else(|| side_arn(change.before.as_ref()));
                let index = roles.len();
                by_address.insert(record.address.clone(), index);
                roles.push(RoleChange {
                    address: record.address,
                    previous_address: record.previous_address,
                    role_type: record.role_type,
                    actions: vec!["no-op".to_string()],
                    action_reason: None,
                    importing: false,
                    before: drift.actual.clone(),
                    after: drift.actual.clone(),
                    before_sensitive: sensitive,
                    after_sensitive: sensitive,
                    own_account: accounts::from_arn([arn.as_deref(), None]),
                    arn_before: arn.clone(),
                    arn_after: arn,
                    drift: Some(Box::new(drift)),
                    iam_before: iam_name(change.before.as_ref()),
                    iam_after: iam_name(change.after.as_ref()),
                    provider: None,
                    paired: None,
                });
            }
        }
    }
    roles
}

/// The change `role_changes` will most likely make of a `resource_changes` role, given the
/// drift records read before it: handed out while the rest of the plan is still being read.
/// It can differ from the final one only in what `attach` sets (drift recorded after the
/// role, or claimed by another role with the same address).
pub(super) fn early_change(change: &RoleChange, drift: &DriftIndex<'_>) -> RoleChange {
    let mut role = change.clone();
    let mut records = drift.under(&role.address);
    if records.is_empty() {
        if let Some(previous) = &role.previous_address {
            records = drift.under(previous);
        }
    }
    for record in records {
        if let Some((drift, sensitive)) = drift_of(record) {
            attach(&mut role, drift, sensitive);
        }
    }
    role
}

/// The drift records read before `resource_changes`, by address (in list order), so each
/// role finds its own without a pass over all of them: a plan of 25,000 roles and 2,000
/// drift records otherwise spent a twentieth of its reading on the search.
pub(super) struct DriftIndex<'a>(HashMap<&'a str, Vec<&'a RoleRecord>>);

impl<'a> DriftIndex<'a> {
    pub(super) fn new(drift: &'a [RoleRecord]) -> DriftIndex<'a> {
        let mut by_address: HashMap<&str, Vec<&RoleRecord>> = HashMap::new();
        for record in drift {
            by_address.entry(&record.address).or_default().push(record);
        }
        DriftIndex(by_address)
    }

    fn under(&self, address: &str) -> &[&'a RoleRecord] {
        self.0.get(address).map_or(&[], Vec::as_slice)
    }
}

/// What a drift record says of the trust document, and whether either side is sensitive;
/// `None` when it does not change the trust document.
fn drift_of(record: &RoleRecord) -> Option<(Drift, bool)> {
    let role_type = record.role_type;
    let change = &record.change;
    let last_applied = trust_doc(change.before.as_ref(), role_type);
    let actual = trust_doc(change.after.as_ref(), role_type);
    // Drift on other attributes (tags, policies) says nothing about who may assume the
    // role. The comparison is textual: deciding whether two texts are the same policy is
    // the comparer's job, and a reformatted policy is at worst an extra, harmless check.
    if last_applied == actual {
        return None;
    }
    let sensitive =
        change.before_sensitive.marks(role_type) || change.after_sensitive.marks(role_type);
    let drift = Drift {
        last_applied,
        actual,
        actions: change.actions.clone(),
    };
    Some((drift, sensitive))
}

/// Drift recorded for a role: the first record is kept; the drifted documents stand for the
/// role's before side, so it is never printed if any drift side is sensitive.
fn attach(role: &mut RoleChange, drift: Drift, sensitive: bool) {
    role.before_sensitive |= sensitive;
    if role.drift.is_none() {
        role.drift = Some(Box::new(drift));
    }
}

/// A `resource_changes` role as the plan says it, before any drift is attached.
pub(super) fn role_change(record: RoleRecord) -> RoleChange {
    let role_type = record.role_type;
    let change = record.change;
    let before = trust_doc(change.before.as_ref(), role_type);
    // Unknown wins over any value in `after`: Terraform writes a placeholder there.
    let after = if change.after_unknown.marks(role_type) {
        TrustDoc::Unknown
    } else {
        trust_doc(change.after.as_ref(), role_type)
    };
    let arn_before = side_arn(change.before.as_ref());
    let arn_after = side_arn(change.after.as_ref());
    RoleChange {
        address: record.address,
        previous_address: record.previous_address,
        role_type,
        actions: change.actions,
        action_reason: record.action_reason,
        importing: change.importing,
        before,
        after,
        before_sensitive: change.before_sensitive.marks(role_type),
        after_sensitive: change.after_sensitive.marks(role_type),
        own_account: accounts::from_arn([arn_after.as_deref(), arn_before.as_deref()]),
        arn_before,
        arn_after,
        drift: None,
        iam_before: iam_name(change.before.as_ref()),
        iam_after: iam_name(change.after.as_ref()),
        provider: None,
        paired: None,
    }
}

fn side_arn(side: Option<&SideRecord>) -> Option<String> {
    side.and_then(|s| s.arn.clone())
}

fn iam_name(side: Option<&SideRecord>) -> IamName {
    side.map(|s| IamName {
        name: s.name.as_deref().map(Box::from),
        name_prefix: s.name_prefix.as_deref().map(Box::from),
        path: s.path.as_deref().map(Box::from),
    })
    .unwrap_or_default()
}

/// One side's trust document. `side` is `None` when the side's object is null (the role does
/// not exist there).
pub(super) fn trust_doc(side: Option<&SideRecord>, role_type: RoleType) -> TrustDoc {
    let Some(side) = side else {
        return TrustDoc::Absent;
    };
    match side.trust(role_type) {
        None => TrustDoc::Missing,
        Some(raw) => decode_trust(raw, role_type),
    }
}

/// The text of a JSON string (`quoted`, quotes included) that has no `\u` escape, decoded
/// run by run; `None` for anything else, left to serde_json (surrogates follow its rules).
/// A trust document is JSON inside a string, an escaped quote every few bytes, where serde's
/// escape-at-a-time decoding was the largest part of extracting a role on the reading thread.
fn unescape(quoted: &str) -> Option<String> {
    let mut rest = quoted.strip_prefix('"')?.strip_suffix('"')?.as_bytes();
    let mut out = Vec::with_capacity(rest.len());
    while let Some(at) = rest
        .iter()
        .position(|&b| b == b'\\' || b == b'"' || b < 0x20)
    {
        out.extend_from_slice(rest.get(..at)?);
        if rest.get(at) != Some(&b'\\') {
            // A bare quote or control character: not one JSON string.
            return None;
        }
        out.push(super::scan::short_escape(*rest.get(at.checked_add(1)?)?)?);
        rest = rest.get(at.checked_add(2)?..)?;
    }
    out.extend_from_slice(rest);
    String::from_utf8(out).ok()
}

fn decode_trust(text: &str, role_type: RoleType) -> TrustDoc {
    let first = text.bytes().next();
    match (first, role_type) {
        (Some(b'"'), _) => {
            match unescape(text).map_or_else(|| serde_json::from_str::<String>(text).ok(), Some) {
                Some(content) => TrustDoc::Text(content),
                // The raw text was validated as a JSON string while it was captured.
                None => TrustDoc::WrongType {
                    found: "an undecodable string".to_string(),
                },
            }
        }
        // awscc takes the document as a JSON object too; it is handed on as its exact text.
        (Some(b'{'), RoleType::AwsccIamRole) => TrustDoc::Text(text.to_string()),
        (Some(b'n'), _) => TrustDoc::Missing,
        (first, _) => TrustDoc::WrongType {
            found: value_kind(first).to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::unescape;

    /// What serde_json reads the quoted text as, when it is one JSON string.
    fn serde(quoted: &str) -> Option<String> {
        serde_json::from_str::<String>(quoted).ok()
    }

    #[test]
    fn simple_escapes_decode_as_serde_decodes_them() {
        for quoted in [
            r#""""#,
            r#""plain""#,
            r#""{\"Version\":\"2012-10-17\",\"Statement\":[]}""#,
            r#""a\/b\\c\bd\fe\nf\rg\th""#,
            r#""\\\"""#,
            r#""é \"ü\"""#,
        ] {
            assert_eq!(unescape(quoted), serde(quoted), "{quoted}");
            assert!(unescape(quoted).is_some(), "{quoted}");
        }
    }

    /// Anything but a string with simple escapes is left to serde_json.
    #[test]
    fn the_rest_is_left_to_serde() {
        for quoted in [
            r#""\u0041""#,
            r#""\ud83d\ude00""#,
            r#""a"b""#,
            r#""a\""#,
            r#""a\x""#,
            "\"tab\there\"",
            "unquoted",
            "\"",
        ] {
            assert_eq!(unescape(quoted), None, "{quoted}");
        }
    }

    proptest::proptest! {
        /// Any text, written by serde_json, reads back as itself or is left to serde.
        #[test]
        fn any_string_reads_back(text in "(?s).{0,40}") {
            let quoted = serde_json::to_string(&text).unwrap_or_default();
            let read = unescape(&quoted);
            proptest::prop_assert!(read.is_none() || read.as_deref() == Some(text.as_str()));
            // serde writes `\u` only for control characters without a short escape.
            if !quoted.contains("\\u") {
                proptest::prop_assert_eq!(read, Some(text));
            }
        }
    }
}
