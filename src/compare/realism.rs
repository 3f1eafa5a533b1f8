//! Request realism: whether AWS could ever see a request. The witness search builds its
//! candidates only from callers and context values that pass these checks, and every witness
//! the comparator returns is checked once more with [`check`], so a reviewer is never shown a
//! request that cannot happen (a list where IAM sends one value, an ARN with an empty segment,
//! a caller whose `aws:PrincipalArn` names someone else, a GitHub claim on a GitLab token).
//!
//! The rules, in the project's own words, are in docs/semantics.md ("Realistic requests").

use crate::eval::principal::{parse_arn, AwsCaller};
use crate::eval::{Caller, ContextValue, Request};
use crate::policy::keys::{self, Arity};

use super::principals::{ASSUME_ROLE, SAML, WEB_IDENTITY};
use super::search::EXTRA_ACTIONS;

/// Web-identity providers built into STS (no IAM provider resource).
const BUILT_IN_PROVIDERS: [&str; 4] = [
    "cognito-identity.amazonaws.com",
    "accounts.google.com",
    "www.amazon.com",
    "graph.facebook.com",
];

/// Claims STS turns into context keys for every web-identity provider.
const DEFAULT_CLAIMS: [&str; 6] = ["aud", "sub", "amr", "azp", "email", "oaud"];

/// Is the whole request one AWS could see? `Err` says what is impossible about it.
pub fn check(req: &Request) -> Result<(), String> {
    caller(&req.principal, &req.action)?;
    for a in &req.also {
        if !EXTRA_ACTIONS.iter().any(|x| x.eq_ignore_ascii_case(a)) {
            return Err(format!("`{a}` is not an action a call can also need"));
        }
    }
    let context: Vec<(&str, &ContextValue)> =
        req.context.iter().map(|(k, v)| (k.as_str(), v)).collect();
    caller_keys(&req.principal, &context)?;
    for (k, v) in &context {
        if !key_possible(&req.principal, &req.action, k) {
            return Err(format!(
                "a {} caller's `{}` request never carries `{k}`",
                req.principal.type_name(),
                req.action
            ));
        }
        value(k, v)?;
        if let Some(needed) = action_needed(k) {
            if !req.also.iter().any(|a| a.eq_ignore_ascii_case(needed)) {
                return Err(format!("a request carrying `{k}` also needs `{needed}`"));
            }
        }
    }
    Ok(())
}

/// Keys every STS call carries: the new session's name (a required parameter of
/// `AssumeRole` and `AssumeRoleWithWebIdentity`, an attribute `AssumeRoleWithSAML` requires)
/// and the request's time and transport. They are listed in a witness only where a policy
/// tests them (as every other key a real request carries), but then they are never absent.
pub const ALWAYS_PRESENT: [&str; 4] = [
    "sts:rolesessionname",
    "aws:currenttime",
    "aws:epochtime",
    "aws:securetransport",
];

/// True when every request carries `key`.
pub fn always_present(key: &str) -> bool {
    ALWAYS_PRESENT.contains(&key.to_ascii_lowercase().as_str())
}

/// [`check`], and the keys every request carries are present where a statement of
/// `policies` that applies to this caller and call (its principal names the caller, its
/// actions cover one the call needs) tests them.
pub fn check_for(req: &Request, policies: &[&crate::policy::Policy]) -> Result<(), String> {
    check(req)?;
    let info = crate::eval::CallerInfo::new(req);
    let applies = |s: &&crate::policy::Statement| {
        crate::eval::principal::principal_matches(&s.principals, &info).is_some()
            && std::iter::once(&req.action)
                .chain(&req.also)
                .any(|a| crate::eval::action::action_matches(&s.actions, a))
    };
    for p in policies {
        for c in p
            .statements
            .iter()
            .filter(applies)
            .flat_map(|s| s.conditions.iter())
        {
            if always_present(&c.key) && !req.context.keys().any(|k| k.eq_ignore_ascii_case(&c.key))
            {
                return Err(format!("every request carries `{}`", c.key));
            }
        }
    }
    Ok(())
}

/// The caller alone, and the API it calls through: a well-formed principal that can make
/// this call (a role calls through its sessions; web-identity and SAML providers through
/// their own APIs).
pub fn caller(principal: &Caller, api: &str) -> Result<(), String> {
    let want = match principal {
        Caller::Aws(arn) => {
            aws_caller(arn)?;
            ASSUME_ROLE
        }
        Caller::Service(name) => {
            if name.is_empty()
                || name.contains(['*', '?', ' ', ':', '/'])
                || !name.contains('.')
                || name.starts_with('.')
                || name.ends_with('.')
            {
                return Err(format!("`{name}` is not a service principal name"));
            }
            ASSUME_ROLE
        }
        Caller::Federated(provider) => match provider_kind(provider) {
            Some(ProviderKind::Saml) => SAML,
            Some(ProviderKind::WebIdentity(_)) => WEB_IDENTITY,
            None => return Err(format!("`{provider}` is not an identity provider")),
        },
    };
    if api != want {
        return Err(format!(
            "a {} caller calls `{want}`, not `{api}`",
            principal.type_name()
        ));
    }
    Ok(())
}

enum ProviderKind<'a> {
    Saml,
    /// The issuer that prefixes its claim keys.
    WebIdentity(&'a str),
}

fn provider_kind(provider: &str) -> Option<ProviderKind<'_>> {
    if BUILT_IN_PROVIDERS.contains(&provider) {
        return Some(ProviderKind::WebIdentity(provider));
    }
    let arn = parse_arn(provider)?;
    if arn.service != "iam" || !is_partition(arn.partition) || !is_account_id(arn.account) {
        return None;
    }
    if let Some(name) = arn.resource.strip_prefix("saml-provider/") {
        return (!name.is_empty() && !name.contains(['*', '?'])).then_some(ProviderKind::Saml);
    }
    let issuer = arn.resource.strip_prefix("oidc-provider/")?;
    (issuer.contains('.') && !issuer.contains(['*', '?', ' ']) && !issuer.starts_with('/'))
        .then_some(ProviderKind::WebIdentity(issuer))
}

fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// The AWS partitions an ARN can name.
const PARTITIONS: [&str; 8] = [
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

fn is_partition(text: &str) -> bool {
    PARTITIONS.contains(&text)
}

/// IAM user, role and path-free names: 1–64 of `[A-Za-z0-9+=,.@_-]`.
fn is_iam_name(text: &str) -> bool {
    (1..=64).contains(&text.len()) && text.bytes().all(is_name_byte)
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b)
}

/// Role session names (and source identities): 2–64 of `[A-Za-z0-9+=,.@_-]`.
pub fn is_session_name(text: &str) -> bool {
    (2..=64).contains(&text.len()) && text.bytes().all(is_name_byte)
}

/// `kind/[path/]NAME` with a valid name and non-empty path segments.
fn is_named_path(resource: &str, kind: &str) -> bool {
    let Some(rest) = resource.strip_prefix(kind) else {
        return false;
    };
    let mut parts = rest.split('/');
    let name = parts.next_back().unwrap_or("");
    is_iam_name(name) && parts.all(|p| !p.is_empty() && p.bytes().all(is_name_byte))
}

/// A unique ID as IAM shows it: `AIDA…` (user) or `AROA…` (role), upper-case letters and
/// digits, optionally `:SESSION` after a role ID (the `aws:userid` form).
pub fn is_unique_id(text: &str) -> bool {
    let (id, session) = match text.split_once(':') {
        Some((id, s)) => (id, Some(s)),
        None => (text, None),
    };
    let prefix_ok = id.starts_with("AIDA") || id.starts_with("AROA");
    let body_ok = (16..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    let session_ok = match session {
        None => true,
        Some(s) => id.starts_with("AROA") && is_session_name(s),
    };
    prefix_ok && body_ok && session_ok
}

fn aws_caller(text: &str) -> Result<(), String> {
    let bad = || Err(format!("`{text}` is not a principal that can call STS"));
    match AwsCaller::parse(text) {
        AwsCaller::UniqueId(id) => {
            if is_unique_id(id) {
                Ok(())
            } else {
                bad()
            }
        }
        AwsCaller::Role { .. } => Err(format!(
            "`{text}` is a role: a role calls through one of its sessions"
        )),
        AwsCaller::Root { partition, account } => {
            if !is_partition(partition) || !is_account_id(account) {
                return bad();
            }
            Ok(())
        }
        AwsCaller::User {
            partition, account, ..
        } => {
            let ok = is_partition(partition)
                && is_account_id(account)
                && parse_arn(text)
                    .is_some_and(|a| a.region.is_empty() && is_named_path(a.resource, "user/"));
            if ok {
                Ok(())
            } else {
                bad()
            }
        }
        AwsCaller::Session {
            partition,
            account,
            role,
            session,
        } => {
            let ok = is_partition(partition)
                && is_account_id(account)
                && is_iam_name(role)
                && is_session_name(session);
            if ok {
                Ok(())
            } else {
                bad()
            }
        }
        AwsCaller::OtherArn { partition, account } => {
            // A federated-user session (GetFederationToken) is the one other signed caller.
            let ok = is_partition(partition)
                && is_account_id(account)
                && parse_arn(text).is_some_and(|a| {
                    a.service == "sts"
                        && a.resource
                            .strip_prefix("federated-user/")
                            .is_some_and(is_session_name)
                });
            if ok {
                Ok(())
            } else {
                bad()
            }
        }
    }
}

/// The keys the caller's identity fixes agree with it: a signed AWS caller named by its ARN
/// carries `aws:PrincipalArn` (the role ARN for a session) and `aws:PrincipalAccount`, an IAM
/// user `aws:username`; `aws:userid` (listed only when a policy tests it) has the caller's form.
pub fn caller_keys(principal: &Caller, context: &[(&str, &ContextValue)]) -> Result<(), String> {
    let get = |key: &str| {
        context
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| *v)
    };
    let single = |key: &str| -> Result<Option<&str>, String> {
        match get(key) {
            None => Ok(None),
            Some(ContextValue::Single(s)) => Ok(Some(s.as_str())),
            Some(ContextValue::Multi(_)) => Err(format!("`{key}` holds one value, not a list")),
        }
    };
    let arn = single("aws:PrincipalArn")?;
    let account = single("aws:PrincipalAccount")?;
    let username = single("aws:username")?;
    let userid = single("aws:userid")?;
    let Caller::Aws(text) = principal else {
        return match [
            "aws:PrincipalArn",
            "aws:PrincipalAccount",
            "aws:username",
            "aws:userid",
        ]
        .into_iter()
        .find(|k| get(k).is_some())
        {
            Some(k) => Err(format!("only a signed AWS caller carries `{k}`")),
            None => Ok(()),
        };
    };
    let mismatch =
        |key: &str, got: &str| Err(format!("`{key}` `{got}` is not the caller `{text}`"));
    let caller = AwsCaller::parse(text);
    if let AwsCaller::UniqueId(id) = caller {
        // The entity behind a unique ID is not known by name: its keys need only agree with
        // the kind of entity the ID names.
        if let Some(a) = account.filter(|a| !is_account_id(a)) {
            return mismatch("aws:PrincipalAccount", a);
        }
        if let Some(u) = userid.filter(|u| *u != id && !u.starts_with(&format!("{id}:"))) {
            return mismatch("aws:userid", u);
        }
        if let Some(a) = arn {
            let kind = if id.starts_with("AIDA") {
                "user/"
            } else {
                "role/"
            };
            let ok = parse_arn(a).is_some_and(|p| {
                p.service == "iam"
                    && account.is_none_or(|acct| acct == p.account)
                    && is_named_path(p.resource, kind)
            });
            if !ok {
                return mismatch("aws:PrincipalArn", a);
            }
        }
        if username.is_some() && !id.starts_with("AIDA") {
            return Err("only an IAM user carries `aws:username`".into());
        }
        return Ok(());
    }
    let Some(parsed) = parse_arn(text) else {
        return Err(format!("`{text}` is not a principal that can call STS"));
    };
    let (Some(arn), Some(account)) = (arn, account) else {
        return Err(format!(
            "a signed caller always carries `aws:PrincipalArn` and `aws:PrincipalAccount` (`{text}`)"
        ));
    };
    if account != parsed.account {
        return mismatch("aws:PrincipalAccount", account);
    }
    let arn_ok = match caller {
        AwsCaller::Session { role, .. } => parse_arn(arn).is_some_and(|p| {
            p.partition == parsed.partition
                && p.service == "iam"
                && p.region.is_empty()
                && p.account == parsed.account
                && is_named_path(p.resource, "role/")
                && p.resource.rsplit('/').next() == Some(role)
        }),
        _ => arn == text,
    };
    if !arn_ok {
        return mismatch("aws:PrincipalArn", arn);
    }
    match (caller, username) {
        (AwsCaller::User { name, .. }, Some(u)) if u == name => {}
        (AwsCaller::User { .. }, got) => {
            return mismatch("aws:username", got.unwrap_or("(absent)"));
        }
        (_, Some(u)) => return mismatch("aws:username", u),
        (_, None) => {}
    }
    if let Some(u) = userid {
        let ok = match caller {
            AwsCaller::Root { account, .. } => u == account,
            AwsCaller::User { .. } => is_unique_id(u) && u.starts_with("AIDA") && !u.contains(':'),
            AwsCaller::Session { session, .. } => {
                is_unique_id(u)
                    && u.starts_with("AROA")
                    && u.split_once(':').is_some_and(|(_, s)| s == session)
            }
            AwsCaller::OtherArn { account, .. } => parsed
                .resource
                .strip_prefix("federated-user/")
                .is_some_and(|name| u == format!("{account}:{name}")),
            AwsCaller::Role { .. } | AwsCaller::UniqueId(_) => false,
        };
        if !ok {
            return mismatch("aws:userid", u);
        }
    }
    Ok(())
}

/// Keys the principal universe fixes from the caller, never searched on their own.
pub const CALLER_KEYS: [&str; 4] = [
    "aws:principalarn",
    "aws:principalaccount",
    "aws:username",
    "aws:userid",
];

/// Can a request of this caller through `api` carry `key` at all?
///
/// * Caller-identity keys (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalOrgID`,
///   `aws:PrincipalOrgPaths`, `aws:PrincipalTag/…`, MFA, `aws:userid`, `aws:username`) only for
///   signed AWS callers. [inf] For web-identity and SAML calls there is no signed caller; for
///   service principals IAM Access Analyzer calls these keys unsupported.
/// * `sts:ExternalId` is a parameter of `AssumeRole` only.
/// * `aws:SourceAccount`, `aws:SourceArn`, `aws:SourceOrgID`, `aws:SourceOrgPaths` are set only
///   when a service acts for a resource.
/// * A web-identity claim key `ISSUER:CLAIM` only on a token from that issuer, and only for a
///   claim STS maps to a key (the standard claims plus the provider-specific ones AWS lists):
///   a misspelled claim or another issuer's prefix is never in the request.
/// * `saml:` keys only on SAML calls.
pub fn key_possible(principal: &Caller, api: &str, key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    let aws = matches!(principal, Caller::Aws(_));
    let service = matches!(principal, Caller::Service(_));
    if CALLER_KEYS.contains(&lower.as_str())
        || lower.starts_with("aws:principaltag/")
        || matches!(
            lower.as_str(),
            "aws:principalorgid"
                | "aws:principalorgpaths"
                | "aws:multifactorauthpresent"
                | "aws:multifactorauthage"
        )
    {
        return aws;
    }
    if lower == "sts:externalid" {
        return (aws || service) && api == ASSUME_ROLE;
    }
    if matches!(
        lower.as_str(),
        "aws:sourceaccount" | "aws:sourcearn" | "aws:sourceorgid" | "aws:sourceorgpaths"
    ) {
        return service;
    }
    if lower.starts_with("saml:") {
        return matches!(principal, Caller::Federated(p) if matches!(provider_kind(p), Some(ProviderKind::Saml)));
    }
    if let Some((issuer, claim)) = keys::claim_key(&lower) {
        let Caller::Federated(p) = principal else {
            return false;
        };
        let Some(ProviderKind::WebIdentity(own)) = provider_kind(p) else {
            return false;
        };
        return own.eq_ignore_ascii_case(issuer) && claim_known(issuer, claim);
    }
    true
}

/// Does STS map `claim` of tokens from `issuer` (lower-cased) to a condition key?
fn claim_known(issuer: &str, claim: &str) -> bool {
    if DEFAULT_CLAIMS.contains(&claim) {
        return true;
    }
    let extra: &[&str] = if issuer == "token.actions.githubusercontent.com"
        || issuer.starts_with("token.actions.githubusercontent.com/")
        || issuer.starts_with("github.com/enterprises/")
        || (issuer.starts_with("token.actions.") && issuer.ends_with(".ghe.com"))
    {
        &[
            "actor",
            "actor_id",
            "enterprise_id",
            "environment",
            "job_workflow_ref",
            "ref",
            "repository",
            "repository_id",
            "repository_owner_id",
            "workflow",
        ]
    } else if issuer == "gitlab.com" {
        &[
            "namespace_id",
            "pipeline_source",
            "project_id",
            "ref_protected",
            "runner_environment",
            "user_access_level",
            "user_email",
            "user_id",
            "user_login",
        ]
    } else if issuer.starts_with("oidc.circleci.com/org/") {
        &["oidc.circleci.com/project-id"]
    } else if issuer == "accounts.google.com" {
        &["google/organization_number"]
    } else if issuer == "agent.buildkite.com"
        || (issuer.starts_with("agent.")
            && (issuer.ends_with(".buildkite.dev") || issuer.ends_with(".buildkite.site")))
    {
        &[
            "organization_id",
            "organization_slug",
            "pipeline_id",
            "pipeline_slug",
            "cluster_id",
            "cluster_name",
            "build_branch",
        ]
    } else if issuer.starts_with("idcs-") && issuer.ends_with(".identity.oraclecloud.com") {
        &["rpst_id"]
    } else if issuer == "www.amazon.com" {
        &["app_id", "user_id"]
    } else if issuer == "graph.facebook.com" {
        &["app_id", "id"]
    } else {
        &[]
    };
    extra.contains(&claim)
}

/// The permission-only action a request carrying `key` needs: tags come with
/// `sts:TagSession`, a source identity with `sts:SetSourceIdentity`, provided contexts with
/// `sts:SetContext`.
pub fn action_needed(key: &str) -> Option<&'static str> {
    let lower = key.to_ascii_lowercase();
    if lower.starts_with("aws:requesttag/")
        || lower == "aws:tagkeys"
        || lower == "sts:transitivetagkeys"
    {
        Some("sts:TagSession")
    } else if lower == "sts:sourceidentity" {
        Some("sts:SetSourceIdentity")
    } else if lower.starts_with("sts:requestcontext/") || lower == "sts:requestcontextproviders" {
        Some("sts:SetContext")
    } else {
        None
    }
}

/// One key's value has a form AWS sends: one value for a single-valued key, a non-empty list
/// of non-empty values for a multi-valued one, and the documented form of the typed keys.
pub fn value(key: &str, v: &ContextValue) -> Result<(), String> {
    match (keys::arity(key), v) {
        (Arity::Single, ContextValue::Multi(_)) => {
            return Err(format!("`{key}` holds one value, never a list"))
        }
        (Arity::Multi, ContextValue::Single(_)) => {
            return Err(format!("`{key}` is multi-valued: it is sent as a list"))
        }
        _ => {}
    }
    match v {
        ContextValue::Single(s) => single_value(key, s),
        ContextValue::Multi(items) => {
            if items.is_empty() {
                return Err(format!("`{key}` is sent only with at least one value"));
            }
            for s in items {
                if s.is_empty() {
                    return Err(format!("`{key}` never holds an empty value"));
                }
                single_value(key, s)?;
            }
            Ok(())
        }
    }
}

/// The form of one value of `key`.
pub fn single_value(key: &str, s: &str) -> Result<(), String> {
    if crate::policy::keys::with_lower(key, |lower| value_ok(lower, s)) {
        Ok(())
    } else {
        Err(format!("`{s}` is not a value AWS sends for `{key}`"))
    }
}

fn value_ok(lower: &str, s: &str) -> bool {
    match lower {
        "sts:externalid" => {
            (2..=1224).contains(&s.len())
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@:/-".contains(&b))
        }
        "sts:rolesessionname" => is_session_name(s),
        "sts:sourceidentity" | "aws:sourceidentity" => {
            is_session_name(s) && !s.to_ascii_lowercase().starts_with("aws:")
        }
        "aws:sourceaccount" | "aws:principalaccount" | "aws:resourceaccount" => is_account_id(s),
        "aws:principalorgid" | "aws:sourceorgid" | "aws:resourceorgid" => is_org_id(s),
        "aws:sourcearn" => is_resource_arn(s),
        "aws:principalarn" => {
            parse_arn(s).is_some_and(|a| {
                a.service == "iam"
                    && is_account_id(a.account)
                    && (a.resource == "root"
                        || is_named_path(a.resource, "user/")
                        || is_named_path(a.resource, "role/"))
            }) || parse_arn(s).is_some_and(|a| {
                a.service == "sts"
                    && is_account_id(a.account)
                    && a.resource
                        .strip_prefix("federated-user/")
                        .is_some_and(is_session_name)
            })
        }
        "aws:multifactorauthpresent"
        | "aws:securetransport"
        | "aws:viaawsservice"
        | "aws:principalisawsservice"
        | "sts:roleauthorizedbyidp" => s == "true" || s == "false",
        "aws:multifactorauthage" | "aws:epochtime" => {
            !s.is_empty() && s.len() <= 15 && s.bytes().all(|b| b.is_ascii_digit())
        }
        "aws:sourceip" | "aws:vpcsourceip" => s.parse::<std::net::IpAddr>().is_ok(),
        // AWS writes times in ISO 8601; epoch seconds are accepted too because the value
        // search splits epoch-second bounds in their own form (same instant, other spelling).
        "aws:currenttime" | "aws:tokenissuetime" => {
            is_iso_date(s)
                || (!s.is_empty() && s.len() <= 15 && s.bytes().all(|b| b.is_ascii_digit()))
        }
        _ => {
            if lower.starts_with("saml:") {
                return !s.is_empty();
            }
            match keys::claim_key(lower) {
                Some((issuer, claim)) => claim_value_ok(issuer, claim, s),
                None => true,
            }
        }
    }
}

/// `o-` and 10–32 lower-case letters or digits.
fn is_org_id(s: &str) -> bool {
    s.strip_prefix("o-").is_some_and(|rest| {
        (10..=32).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// A resource ARN: partition, service and resource present; the account is 12 digits, or
/// empty for S3 (bucket ARNs carry no region or account).
fn is_resource_arn(s: &str) -> bool {
    parse_arn(s).is_some_and(|a| {
        is_partition(a.partition)
            && a.service
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !a.service.is_empty()
            && !a.resource.is_empty()
            // [inf] Which services leave the account out (S3 buckets, Route 53, ...) is not
            // listed here: an empty account is accepted for any service, the reading that
            // never makes a real source ARN impossible. The value search still prefers one.
            && (is_account_id(a.account) || a.account.is_empty())
    })
}

/// `YYYY-MM-DDTHH:MM:SSZ`, optionally with a fraction: the form AWS writes times in, of an
/// instant that exists (read by the one date reader, `civil::parse_iso`: no month 13, no
/// February 30, no hour 24).
fn is_iso_date(s: &str) -> bool {
    aws_time_shape(s) && crate::civil::parse_iso(s).is_some()
}

fn aws_time_shape(s: &str) -> bool {
    let b = s.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
        .iter()
        .all(|&i| digit(i))
        && at(4, b'-')
        && at(7, b'-')
        && at(10, b'T')
        && at(13, b':')
        && at(16, b':')
        && s.ends_with('Z')
}

/// A claim value: never empty, and for the tenancy claims whose form the issuer fixes, that
/// form: a GitHub `repo:` subject names an owner and a repository (`repo:OWNER/REPO`, with a
/// non-empty context after another `:` in the default form; a custom template may end after
/// the repository or not start with `repo:` at all), an EKS subject a namespace and a service
/// account, a GitLab `project_path:` subject a group and a project (other forms come from
/// customised subject claims).
fn claim_value_ok(issuer: &str, claim: &str, s: &str) -> bool {
    if s.is_empty() || s.chars().any(char::is_control) {
        return false;
    }
    if claim != "sub" {
        return true;
    }
    if issuer == "token.actions.githubusercontent.com"
        || issuer.starts_with("token.actions.githubusercontent.com/")
    {
        return match s.strip_prefix("repo:") {
            Some(rest) => github_repo_sub(rest),
            None => true,
        };
    }
    if issuer.starts_with("oidc.eks.") {
        return s
            .strip_prefix("system:serviceaccount:")
            .and_then(|rest| rest.split_once(':'))
            .is_some_and(|(ns, sa)| !ns.is_empty() && !sa.is_empty() && !sa.contains(':'));
    }
    if issuer == "gitlab.com" {
        return match s.strip_prefix("project_path:") {
            Some(rest) => {
                let path = rest.split(':').next().unwrap_or("");
                path.split_once('/')
                    .is_some_and(|(group, project)| !group.is_empty() && !project.is_empty())
            }
            None => true,
        };
    }
    true
}

/// `OWNER/REPO[:CONTEXT]` with every part present non-empty.
fn github_repo_sub(rest: &str) -> bool {
    let (repo, context) = match rest.split_once(':') {
        Some((repo, context)) => (repo, Some(context)),
        None => (rest, None),
    };
    context.is_none_or(|c| !c.is_empty())
        && repo
            .split_once('/')
            .is_some_and(|(owner, name)| !owner.is_empty() && !name.is_empty())
}

/// Extra atoms for the value search of `key`: a cell is kept when it lies inside one of the
/// globs, and of the cells the policy's own conditions cannot tell apart the one inside the
/// earliest glob is kept (the documented default form first). Used so that the witness of a
/// cell is a value AWS could send.
pub struct Shape {
    pub globs: Vec<&'static str>,
    /// Preferred characters for fresh values.
    pub fresh: &'static str,
}

/// The steering shape of one value of `key` (lower-cased), or of one element of a set of its
/// values (`element`): the documented form when there is one; otherwise any non-empty string
/// when AWS never sends an empty one (a set element, a SAML attribute) but does send other
/// text. Without it the witness of a cell is its shortest member, often `""`, which [`value`]
/// then rejects, and with it the whole cell: `"env"` is never tried against a `t*` pattern on
/// `aws:TagKeys` because the cell outside `t*` was represented by `""` alone.
pub fn value_shape(lower: &str, element: bool) -> Option<Shape> {
    if let Some(s) = shape(lower) {
        return Some(s);
    }
    let never_empty = element || single_value(lower, "").is_err();
    (never_empty && single_value(lower, "x").is_ok()).then(|| Shape {
        globs: vec!["?*"],
        fresh: "",
    })
}

/// The steering shape of `key` (lower-cased), when its values have a documented form.
pub fn shape(lower: &str) -> Option<Shape> {
    let s = |globs: Vec<&'static str>, fresh: &'static str| Some(Shape { globs, fresh });
    match lower {
        "sts:externalid" | "sts:rolesessionname" | "sts:sourceidentity" => s(vec!["??*"], ""),
        "aws:sourceaccount" | "aws:resourceaccount" => s(vec!["????????????"], "0123456789"),
        "aws:principalorgid" | "aws:sourceorgid" => s(vec!["o-??????????*"], "0123456789"),
        // Fixed-format keys tested with string operators (`StringLike` on an MFA age, a
        // source IP): without a form, a cell outside every pattern is met by its shortest
        // member, "", which is no value of the key, and the cell was lost with it (`300` never
        // tried against `6*`). Digits first, so the witness is a number, an address, or epoch
        // seconds (which the date keys accept); a time is tried as an ISO date first, its
        // month and day steered to `0?` and `1?` so that any digits make a real date.
        "aws:multifactorauthage" | "aws:epochtime" => s(vec!["?*"], "0123456789"),
        "aws:currenttime" | "aws:tokenissuetime" => {
            s(vec!["????-0?-1?T0?:0?:0?Z", "?*"], "0123456789")
        }
        "aws:sourceip" | "aws:vpcsourceip" => s(vec!["?*.?*.?*.?*"], "0123456789"),
        "aws:sourcearn" => s(
            vec![
                "arn:aws:?*:*:????????????:?*",
                "arn:aws:?*:*::?*",
                "arn:aws-cn:?*:*:????????????:?*",
                "arn:aws-us-gov:?*:*:????????????:?*",
            ],
            "0123456789",
        ),
        _ => match keys::claim_key(lower) {
            Some((issuer, "sub"))
                if issuer == "token.actions.githubusercontent.com"
                    || issuer.starts_with("token.actions.githubusercontent.com/") =>
            {
                s(
                    // The default form for a branch first; anything else a custom subject
                    // template may produce after it. (Few globs: each one multiplies the
                    // product states of a long pattern list.)
                    vec!["repo:?*/?*:ref:refs/heads/?*", "?*"],
                    "",
                )
            }
            Some((issuer, "sub")) if issuer.starts_with("oidc.eks.") => {
                s(vec!["system:serviceaccount:?*:?*"], "")
            }
            Some(("gitlab.com", "sub")) => {
                s(vec!["project_path:?*/?*:ref_type:branch:ref:?*", "?*"], "")
            }
            Some(_) => s(vec!["?*"], ""),
            None => None,
        },
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn req(principal: Caller, action: &str, ctx: &[(&str, ContextValue)]) -> Request {
        Request {
            role: crate::eval::DEFAULT_ROLE.into(),
            action: action.into(),
            also: vec![],
            principal,
            caller_allows: true,
            context: ctx
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    fn one(s: &str) -> ContextValue {
        ContextValue::Single(s.into())
    }

    fn session_ctx() -> Vec<(&'static str, ContextValue)> {
        vec![
            (
                "aws:PrincipalArn",
                one("arn:aws:iam::222222222222:role/path/ci"),
            ),
            ("aws:PrincipalAccount", one("222222222222")),
        ]
    }

    const SESSION: &str = "arn:aws:sts::222222222222:assumed-role/ci/build-1";

    #[test]
    fn a_session_with_its_role_arn_is_realistic() {
        let r = req(Caller::Aws(SESSION.into()), ASSUME_ROLE, &session_ctx());
        assert_eq!(check(&r), Ok(()));
    }

    #[test]
    fn external_id_is_one_value_of_the_documented_form() {
        let mut ctx = session_ctx();
        ctx.push(("sts:ExternalId", ContextValue::Multi(vec!["ab".into()])));
        let r = req(Caller::Aws(SESSION.into()), ASSUME_ROLE, &ctx);
        assert!(check(&r).unwrap_err().contains("one value"));
        let mut ctx = session_ctx();
        ctx.push(("sts:ExternalId", one("x")));
        assert!(check(&req(Caller::Aws(SESSION.into()), ASSUME_ROLE, &ctx)).is_err());
        let mut ctx = session_ctx();
        ctx.push(("sts:ExternalId", one("Partner_42")));
        assert_eq!(
            check(&req(Caller::Aws(SESSION.into()), ASSUME_ROLE, &ctx)),
            Ok(())
        );
    }

    #[test]
    fn principal_keys_must_agree_with_the_caller() {
        let mut ctx = session_ctx();
        ctx[0].1 = one("arn:aws:iam::222222222222:role/other");
        assert!(check(&req(Caller::Aws(SESSION.into()), ASSUME_ROLE, &ctx)).is_err());
        let mut ctx = session_ctx();
        ctx[1].1 = one("333333333333");
        assert!(check(&req(Caller::Aws(SESSION.into()), ASSUME_ROLE, &ctx)).is_err());
        // Missing altogether.
        assert!(check(&req(Caller::Aws(SESSION.into()), ASSUME_ROLE, &[])).is_err());
        let mut ctx = session_ctx();
        ctx.push(("aws:userid", one("AROAABCDEFGHIJKLMNOP:build-1")));
        assert_eq!(
            check(&req(Caller::Aws(SESSION.into()), ASSUME_ROLE, &ctx)),
            Ok(())
        );
        let mut ctx = session_ctx();
        ctx.push(("aws:userid", one("AROAABCDEFGHIJKLMNOP:other")));
        assert!(check(&req(Caller::Aws(SESSION.into()), ASSUME_ROLE, &ctx)).is_err());
    }

    #[test]
    fn arns_have_every_segment() {
        for bad in [
            "arn:aws:sts::222222222222:assumed-role//s1",
            "arn:aws:sts::222222222222:assumed-role/ci/",
            "arn:aws:iam:::root",
            "arn:aws:iam::222222222222:user/",
            "arn:aws:iam::222222222222:role/ci",
            "ALICE",
        ] {
            assert!(
                caller(&Caller::Aws(bad.into()), ASSUME_ROLE).is_err(),
                "{bad}"
            );
        }
        assert!(caller(&Caller::Aws("AROAEXAMPLEID0000000".into()), ASSUME_ROLE).is_ok());
        assert!(value(
            "aws:SourceArn",
            &one("arn:aws:lambda:us-east-1:12345:function:f")
        )
        .is_err());
        assert!(value("aws:SourceArn", &one("arn:aws:s3:::bucket")).is_ok());
    }

    #[test]
    fn claims_only_from_their_own_issuer() {
        let gh = Caller::Federated(
            "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com".into(),
        );
        let gl = Caller::Federated("arn:aws:iam::111111111111:oidc-provider/gitlab.com".into());
        let key = "token.actions.githubusercontent.com:sub";
        assert!(key_possible(&gh, WEB_IDENTITY, key));
        assert!(!key_possible(&gl, WEB_IDENTITY, key));
        assert!(!key_possible(
            &gh,
            WEB_IDENTITY,
            "token.actions.githubusercontent.com:subject"
        ));
        assert!(key_possible(
            &gh,
            WEB_IDENTITY,
            "token.actions.githubusercontent.com:repository"
        ));
        assert!(!key_possible(&gh, WEB_IDENTITY, "sts:ExternalId"));
        let r = req(gh, WEB_IDENTITY, &[(key, one("repo:acme/"))]);
        assert!(check(&r).is_err());
    }

    #[test]
    fn tags_come_with_tag_session() {
        let svc = Caller::Service("pods.eks.amazonaws.com".into());
        let mut r = req(
            svc,
            ASSUME_ROLE,
            &[("aws:RequestTag/kubernetes-namespace", one("prod"))],
        );
        assert!(check(&r).is_err());
        r.also = vec!["sts:TagSession".into()];
        assert_eq!(check(&r), Ok(()));
    }

    /// A time is realistic only in the form AWS writes it and only when it exists.
    #[test]
    fn iso_times_must_exist() {
        for ok in [
            "2024-02-29T23:59:59Z",
            "2026-12-06T04:20:00.123Z",
            "1970-01-01T00:00:00Z",
        ] {
            assert!(is_iso_date(ok), "{ok}");
        }
        for bad in [
            "2024-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-04-31T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:60:00Z",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00+01:00",
            "2024-01-01",
        ] {
            assert!(!is_iso_date(bad), "{bad}");
        }
    }
}
