//! Attribution: for each witness (a request the new policy grants and the old one did not),
//! find the one most specific reason, so each cause is reported once, by its own rule.
//!
//! The reason is found by repair: which single difference, undone in the old policy, would
//! have let the old policy grant the same request.

use crate::compare::granted;
use crate::eval::{trust_for_request, Caller, Request, TrustResult};
use crate::policy::{ActionMode, Effect, Policy, PrincipalMode, PrincipalType, Statement};

/// The family a condition key belongs to, most specific rule first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum KeyFamily {
    ExternalId,
    Mfa,
    OrgGuard,
    SourceGuard,
    OidcTenancy,
    OidcAudience,
    Other,
}

/// Which family a condition key is in. OIDC keys are `<issuer>:<claim>`; the tenancy claim is
/// `aud` for Cognito and Google and `sub` for every other issuer (SEMANTICS §5.3).
pub fn key_family(key: &str) -> KeyFamily {
    let k = key.to_ascii_lowercase();
    match k.as_str() {
        "sts:externalid" => return KeyFamily::ExternalId,
        "aws:multifactorauthpresent" | "aws:multifactorauthage" => return KeyFamily::Mfa,
        "aws:principalorgid"
        | "aws:principalorgpaths"
        | "aws:principalaccount"
        | "aws:principalarn" => return KeyFamily::OrgGuard,
        "aws:sourceaccount" | "aws:sourcearn" | "aws:sourceorgid" | "aws:sourceorgpaths"
        | "aws:sourceowner" => return KeyFamily::SourceGuard,
        "saml:aud" => return KeyFamily::OidcAudience,
        _ => {}
    }
    if k.starts_with("aws:") || k.starts_with("sts:") || k.starts_with("saml:") {
        return KeyFamily::Other;
    }
    let Some((issuer, claim)) = k.rsplit_once(':') else {
        return KeyFamily::Other;
    };
    let aud_is_tenancy =
        issuer.starts_with("cognito-identity.amazonaws.com") || issuer == "accounts.google.com";
    match claim {
        "sub" if !aud_is_tenancy => KeyFamily::OidcTenancy,
        "aud" if aud_is_tenancy => KeyFamily::OidcTenancy,
        "aud" => KeyFamily::OidcAudience,
        _ => KeyFamily::Other,
    }
}

/// Why a witness is new access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// The old policy explicitly denied this request.
    DenyRemoved,
    /// The old policy granted the bare call but not the extra session actions.
    ActionWidened,
    /// The caller was named nowhere in the old policy.
    PrincipalAdded,
    /// A broader form of a principal the old policy named (the detail says which).
    PrincipalBroadened(String),
    /// The old policy's condition on this key is what refused the request.
    ConditionLoosened { key: String, family: KeyFamily },
    /// Anything else: several differences together, a direct grant replacing an
    /// account-level one, a Version change that activates variables.
    Other(String),
}

fn trust(policy: &Policy, request: &Request) -> TrustResult {
    // The trust result alone: the trace's sentences would be thrown away.
    trust_for_request(policy, request)
}

/// The policy's Allow statements with conditions dropped and every action allowed; Deny
/// statements dropped. What it grants is "who is named at all".
fn principals_only(policy: &Policy) -> Policy {
    let mut p = policy.clone();
    p.statements.retain(|s| s.effect == Effect::Allow);
    for s in &mut p.statements {
        s.conditions.clear();
        s.actions.mode = ActionMode::Action;
        s.actions.patterns = vec!["*".into()];
    }
    p
}

/// The policy with every Allow condition on `key` removed.
fn without_key(policy: &Policy, key: &str) -> Policy {
    let mut p = policy.clone();
    for s in &mut p.statements {
        if s.effect == Effect::Allow {
            s.conditions.retain(|c| !c.key.eq_ignore_ascii_case(key));
        }
    }
    p
}

/// One-statement policy granting everything to one principal entry, to ask "does this entry
/// name the caller?".
fn single_entry(policy: &Policy, statement: &Statement, entry: usize) -> Policy {
    let mut s = statement.clone();
    s.conditions.clear();
    s.actions.mode = ActionMode::Action;
    s.actions.patterns = vec!["*".into()];
    s.principals.entries = s
        .principals
        .entries
        .get(entry)
        .cloned()
        .into_iter()
        .collect();
    Policy {
        version: policy.version,
        version_raw: policy.version_raw.clone(),
        id: None,
        statements: vec![s],
        issues: Vec::new(),
    }
}

fn account_of_arn(value: &str) -> Option<&str> {
    let mut parts = value.splitn(6, ':');
    let (Some("arn"), Some(_), Some(_), Some(_), Some(account)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    Some(account)
}

fn is_account_principal(value: &str) -> bool {
    (value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit())) || value.ends_with(":root")
}

fn account_digits(value: &str) -> Option<&str> {
    if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        Some(value)
    } else {
        account_of_arn(value)
    }
}

/// The AWS principal values the old policy's Allow statements name.
fn aws_values(policy: &Policy) -> Vec<&str> {
    policy
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow && s.principals.mode == PrincipalMode::Principal)
        .flat_map(|s| s.principals.entries.iter())
        .filter(|e| e.kind == PrincipalType::Aws)
        .map(|e| e.value.as_str())
        .collect()
}

/// The new policy's principal entry that names the witness caller, if one does on its own,
/// with the statement it stands in.
fn matching_entry<'a>(after: &'a Policy, request: &Request) -> Option<(&'a Statement, &'a str)> {
    let bare = Request {
        also: Vec::new(),
        caller_allows: true,
        ..request.clone()
    };
    for s in after
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow && s.principals.mode == PrincipalMode::Principal)
    {
        for (i, e) in s.principals.entries.iter().enumerate() {
            if granted(&single_entry(after, s, i), &bare) {
                return Some((s, e.value.as_str()));
            }
        }
    }
    None
}

fn broadened(
    before: &Policy,
    (statement, entry): (&Statement, &str),
    request: &Request,
) -> Option<String> {
    let old = aws_values(before);
    // `*` with conditions is a broader way of naming principals; a bare `*` is a new,
    // public principal (principal-added).
    if entry == "*" && !old.is_empty() && !statement.conditions.is_empty() {
        return Some("a named principal became `*` with conditions".into());
    }
    if is_account_principal(entry) {
        let account = account_digits(entry)?;
        if old
            .iter()
            .any(|v| !is_account_principal(v) && account_of_arn(v) == Some(account))
        {
            return Some(format!(
                "a specific principal became the whole account `{account}`"
            ));
        }
    }
    if entry.starts_with("arn:")
        && !is_account_principal(entry)
        && matches!(request.principal, Caller::Aws(_))
        && old
            .iter()
            .any(|v| v.starts_with("AROA") || v.starts_with("AIDA"))
    {
        return Some(
            "a unique ID became an ARN: trust goes to whichever entity now has that name".into(),
        );
    }
    None
}

/// Keys of the old policy's Allow conditions, most specific family first.
fn candidate_keys(before: &Policy) -> Vec<String> {
    // Keys compare case-insensitively; keep the first spelling for messages.
    let mut keys: Vec<(KeyFamily, String, String)> = Vec::new();
    for c in before
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
        .flat_map(|s| s.conditions.iter())
    {
        let lower = c.key.to_ascii_lowercase();
        if !keys.iter().any(|(_, l, _)| *l == lower) {
            keys.push((key_family(&c.key), lower, c.key.clone()));
        }
    }
    keys.sort();
    keys.into_iter().map(|(_, _, k)| k).collect()
}

/// The cause of one witness.
pub fn attribute(before: &Policy, after: &Policy, witness: &Request) -> Cause {
    if trust(before, witness) == TrustResult::ExplicitDeny {
        return Cause::DenyRemoved;
    }
    let bare = Request {
        also: Vec::new(),
        ..witness.clone()
    };
    if !witness.also.is_empty() && granted(before, &bare) {
        return Cause::ActionWidened;
    }
    let named = principals_only(before);
    let old_kind = trust(&named, &bare);
    if old_kind == TrustResult::NoMatch {
        return match matching_entry(after, witness).and_then(|e| broadened(before, e, witness)) {
            Some(detail) => Cause::PrincipalBroadened(detail),
            None => Cause::PrincipalAdded,
        };
    }
    if old_kind == TrustResult::AllowAccount
        && !witness.caller_allows
        && trust(&principals_only(after), &bare) == TrustResult::AllowDirect
    {
        // SEMANTICS §2.4: the caller no longer needs its own identity policy.
        if matching_entry(after, witness).map(|(_, e)| e) == Some("*") {
            return Cause::PrincipalBroadened(
                "the account principal became `*` with conditions: same-account callers no longer need their own permission".into(),
            );
        }
        return Cause::Other(
            "an account-level grant became a direct grant: same-account callers no longer need their own permission".into(),
        );
    }
    for key in candidate_keys(before) {
        if granted(&without_key(before, &key), witness) {
            let family = key_family(&key);
            return Cause::ConditionLoosened { key, family };
        }
    }
    Cause::Other("the new policy grants this request and the old one did not".into())
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn families() {
        assert_eq!(key_family("sts:ExternalId"), KeyFamily::ExternalId);
        assert_eq!(key_family("AWS:PrincipalOrgID"), KeyFamily::OrgGuard);
        assert_eq!(
            key_family("token.actions.githubusercontent.com:sub"),
            KeyFamily::OidcTenancy
        );
        assert_eq!(
            key_family("token.actions.githubusercontent.com:aud"),
            KeyFamily::OidcAudience
        );
        assert_eq!(
            key_family("cognito-identity.amazonaws.com:aud"),
            KeyFamily::OidcTenancy
        );
        assert_eq!(
            key_family("accounts.google.com:aud"),
            KeyFamily::OidcTenancy
        );
        assert_eq!(key_family("SAML:aud"), KeyFamily::OidcAudience);
        assert_eq!(key_family("aws:SourceIp"), KeyFamily::Other);
        assert_eq!(key_family("aws:SourceAccount"), KeyFamily::SourceGuard);
    }
}
