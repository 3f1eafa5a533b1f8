//! Principal matching (SEMANTICS §1.4, §1.5, §3): which `Principal` entry, if any, names the
//! caller, and whether it names it directly or only through its account.
//!
//! Also owns ARN splitting and reading the caller's partition and account, which the decision
//! step (§9.3) needs too. Nothing here allocates.

use super::request::{Caller, ContextValue, Request};
use super::variables::lookup;
use crate::policy::{PrincipalEntry, PrincipalMode, PrincipalType, Principals};

/// How a statement's principal names the caller (SEMANTICS §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchKind {
    /// Only the caller's account is named: the caller's own side must allow too (§2.4).
    Account,
    /// The caller itself (or `*`) is named.
    Direct,
}

/// An ARN split on its first five colons (SEMANTICS §4.6): the sixth part keeps any further
/// colons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

/// Split `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`; `None` without six parts.
pub fn split_arn(text: &str) -> Option<[&str; 6]> {
    // Runs for every caller and principal the evaluator matches, so the colons are found
    // eight bytes at a time (SWAR; a seventh fewer instructions than a byte loop, which was
    // itself cheaper than the generic `splitn` searcher). `:` is ASCII, so every cut is a
    // char boundary.
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const COLONS: u64 = ONES * b':' as u64;
    let bytes = text.as_bytes();
    let mut cuts = [0usize; 5];
    let mut found = 0usize;
    // Records a colon at `at`; true once the fifth is found.
    let mut cut = |at: usize| -> bool {
        if let Some(slot) = cuts.get_mut(found) {
            *slot = at;
            found = found.saturating_add(1);
        }
        found == 5
    };
    let mut words = bytes.chunks_exact(8);
    let mut base = 0usize;
    let mut done = false;
    for word in &mut words {
        let x = u64::from_le_bytes(<[u8; 8]>::try_from(word).unwrap_or([0; 8])) ^ COLONS;
        // Exact per byte (no borrow crosses a byte): the high bit of each byte that was `:`.
        let mut hits = !(((x & !HIGH).wrapping_add(!HIGH)) | x) & HIGH;
        while hits != 0 && !done {
            done = cut(base.saturating_add((hits.trailing_zeros() / 8) as usize));
            hits &= hits.wrapping_sub(1);
        }
        if done {
            break;
        }
        base = base.saturating_add(8);
    }
    if !done {
        for (i, &b) in words.remainder().iter().enumerate() {
            if b == b':' && cut(base.saturating_add(i)) {
                done = true;
                break;
            }
        }
    }
    if !done {
        return None;
    }
    let [c0, c1, c2, c3, c4] = cuts;
    Some([
        text.get(..c0)?,
        text.get(c0.saturating_add(1)..c1)?,
        text.get(c1.saturating_add(1)..c2)?,
        text.get(c2.saturating_add(1)..c3)?,
        text.get(c3.saturating_add(1)..c4)?,
        text.get(c4.saturating_add(1)..)?,
    ])
}

/// Read an ARN (the first part must be `arn`).
pub fn parse_arn(text: &str) -> Option<Arn<'_>> {
    let [arn, partition, service, region, account, resource] = split_arn(text)?;
    if arn != "arn" {
        return None;
    }
    Some(Arn {
        partition,
        service,
        region,
        account,
        resource,
    })
}

/// A 12-digit AWS account ID.
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// What an AWS caller string is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwsCaller<'a> {
    /// `arn:P:iam::A:user/[path/]NAME`.
    User {
        partition: &'a str,
        account: &'a str,
        name: &'a str,
    },
    /// `arn:P:iam::A:root`.
    Root {
        partition: &'a str,
        account: &'a str,
    },
    /// `arn:P:sts::A:assumed-role/ROLE/SESSION`.
    Session {
        partition: &'a str,
        account: &'a str,
        role: &'a str,
        session: &'a str,
    },
    /// `arn:P:iam::A:role/[path/]NAME`: a role does not call by itself (§9.2), but if a request
    /// says so, it is read as that role's session ([inf], grants at least as much).
    Role {
        partition: &'a str,
        account: &'a str,
        name: &'a str,
    },
    /// Any other ARN (federated user, …): only `*` and its account can name it.
    OtherArn {
        partition: &'a str,
        account: &'a str,
    },
    /// Not an ARN: a unique ID (`AIDA…`, `AROA…`, `AROA…:session`) or junk.
    UniqueId(&'a str),
}

/// The last path segment of `kind/[path/]name`.
fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

impl<'a> AwsCaller<'a> {
    pub fn parse(text: &'a str) -> AwsCaller<'a> {
        let Some(arn) = parse_arn(text) else {
            return AwsCaller::UniqueId(text);
        };
        let (partition, account) = (arn.partition, arn.account);
        match arn.service {
            "iam" if arn.resource == "root" => AwsCaller::Root { partition, account },
            "iam" => {
                if let Some(rest) = arn.resource.strip_prefix("user/") {
                    AwsCaller::User {
                        partition,
                        account,
                        name: last_segment(rest),
                    }
                } else if let Some(rest) = arn.resource.strip_prefix("role/") {
                    AwsCaller::Role {
                        partition,
                        account,
                        name: last_segment(rest),
                    }
                } else {
                    AwsCaller::OtherArn { partition, account }
                }
            }
            "sts" => match arn.resource.strip_prefix("assumed-role/") {
                Some(rest) => match rest.split_once('/') {
                    Some((role, session)) => AwsCaller::Session {
                        partition,
                        account,
                        role,
                        session,
                    },
                    None => AwsCaller::OtherArn { partition, account },
                },
                None => AwsCaller::OtherArn { partition, account },
            },
            _ => AwsCaller::OtherArn { partition, account },
        }
    }

    /// The partition, when the caller is an ARN.
    pub fn partition(&self) -> Option<&'a str> {
        match *self {
            AwsCaller::User { partition, .. }
            | AwsCaller::Root { partition, .. }
            | AwsCaller::Session { partition, .. }
            | AwsCaller::Role { partition, .. }
            | AwsCaller::OtherArn { partition, .. } => Some(partition),
            AwsCaller::UniqueId(_) => None,
        }
    }

    /// The account from the ARN.
    fn arn_account(&self) -> Option<&'a str> {
        match *self {
            AwsCaller::User { account, .. }
            | AwsCaller::Root { account, .. }
            | AwsCaller::Session { account, .. }
            | AwsCaller::Role { account, .. }
            | AwsCaller::OtherArn { account, .. } => Some(account),
            AwsCaller::UniqueId(_) => None,
        }
    }
}

/// The caller's account: from its ARN, or for a unique ID from `aws:PrincipalAccount`.
pub fn caller_account<'r>(caller: &AwsCaller<'r>, request: &'r Request) -> Option<&'r str> {
    match caller.arn_account() {
        Some(a) => Some(a),
        None => match lookup(request, "aws:PrincipalAccount") {
            Some(ContextValue::Single(a)) => Some(a.as_str()),
            _ => None,
        },
    }
}

/// The partition of the target role (`aws` when the role ARN cannot be read).
pub fn role_partition(request: &Request) -> &str {
    parse_arn(&request.role).map_or("aws", |a| a.partition)
}

/// The account of the target role, when its ARN can be read.
pub fn role_account(request: &Request) -> Option<&str> {
    parse_arn(&request.role).map(|a| a.account)
}

/// The caller, parsed once per evaluation.
#[derive(Debug, Clone, Copy)]
pub struct CallerInfo<'r> {
    pub caller: CallerRef<'r>,
    /// Account of an AWS caller, if known.
    pub account: Option<&'r str>,
    /// False when the caller type cannot arrive through the request's API action (§1.6
    /// coupling), or an AWS caller is in another partition than the role ([D-cmp]): then no
    /// principal matches at all.
    pub can_match: bool,
    /// Account of the target role, when its ARN can be read (read once here, not per
    /// decision).
    pub role_account: Option<&'r str>,
}

#[derive(Debug, Clone, Copy)]
pub enum CallerRef<'r> {
    Aws(AwsCaller<'r>),
    Service(&'r str),
    Federated(&'r str),
}

fn is_saml_provider(value: &str) -> bool {
    parse_arn(value).is_some_and(|a| a.service == "iam" && a.resource.starts_with("saml-provider/"))
}

impl<'r> CallerInfo<'r> {
    pub fn new(request: &'r Request) -> CallerInfo<'r> {
        let api = request.action.as_str();
        let (caller, coupled) = match &request.principal {
            Caller::Aws(s) => (
                CallerRef::Aws(AwsCaller::parse(s)),
                api.eq_ignore_ascii_case("sts:AssumeRole"),
            ),
            Caller::Service(s) => (
                CallerRef::Service(s),
                api.eq_ignore_ascii_case("sts:AssumeRole"),
            ),
            // §1.6 coupling: SAML providers only via AssumeRoleWithSAML, OIDC providers and the
            // built-in web identity providers only via AssumeRoleWithWebIdentity.
            Caller::Federated(s) => (
                CallerRef::Federated(s),
                if is_saml_provider(s) {
                    api.eq_ignore_ascii_case("sts:AssumeRoleWithSAML")
                } else {
                    api.eq_ignore_ascii_case("sts:AssumeRoleWithWebIdentity")
                },
            ),
        };
        let role = parse_arn(&request.role);
        let (account, same_partition) = match &caller {
            CallerRef::Aws(aws) => (
                caller_account(aws, request),
                aws.partition()
                    .is_none_or(|p| p == role.map_or("aws", |a| a.partition)),
            ),
            _ => (None, true),
        };
        CallerInfo {
            caller,
            account,
            can_match: coupled && same_partition,
            role_account: role.map(|a| a.account),
        }
    }
}

/// A wildcard anywhere but in the bare `*` makes a principal invalid; it matches nothing
/// (SEMANTICS §1.4 "no wildcards", SPEC §2).
fn has_wildcard(value: &str) -> bool {
    value.contains(['*', '?'])
}

/// How one `Principal` entry names the caller, ignoring the statement's mode.
pub fn entry_matches(entry: &PrincipalEntry, info: &CallerInfo<'_>) -> Option<MatchKind> {
    let value = entry.value.as_str();
    match (&entry.kind, info.caller) {
        (PrincipalType::Aws, CallerRef::Aws(caller)) => aws_entry_matches(value, &caller, info),
        // [inf] §3 table, §10.1: `"AWS":"*"` matches service callers (as iam-simulate does),
        // not web-identity or SAML callers.
        (PrincipalType::Aws, CallerRef::Service(_)) => (value == "*").then_some(MatchKind::Direct),
        // Exact, case-sensitive strings (§1.4).
        (PrincipalType::Service, CallerRef::Service(s)) => {
            (value == s).then_some(MatchKind::Direct)
        }
        (PrincipalType::Federated, CallerRef::Federated(f)) => {
            (value == f).then_some(MatchKind::Direct)
        }
        // CanonicalUser and unknown principal types match nothing in a trust policy (§1.4).
        _ => None,
    }
}

fn aws_entry_matches(
    value: &str,
    caller: &AwsCaller<'_>,
    info: &CallerInfo<'_>,
) -> Option<MatchKind> {
    if value == "*" {
        return Some(MatchKind::Direct);
    }
    if has_wildcard(value) {
        return None;
    }
    if is_account_id(value) {
        // An account ID carries no partition: it lives in the role's partition, which the
        // caller was already checked against.
        return (info.account == Some(value)).then_some(MatchKind::Account);
    }
    let Some(arn) = parse_arn(value) else {
        // A unique ID (`AIDA…`, `AROA…`): only a caller given as that same ID, or as a session
        // of that role ID (`AROA…:session`, the `aws:userid` form), matches (§3, §1.4).
        return match caller {
            AwsCaller::UniqueId(id) => {
                let same = *id == value
                    || id
                        .strip_prefix(value)
                        .is_some_and(|rest| rest.starts_with(':'));
                same.then_some(MatchKind::Direct)
            }
            _ => None,
        };
    };
    // Cross-partition trust is impossible ([D-cmp]).
    if caller.partition() != Some(arn.partition) {
        return None;
    }
    // [inf] The region field is not checked (IAM principals have none; IAM would refuse a
    // principal with one, and ignoring it can only match more).
    match (arn.service, arn.resource) {
        ("iam", "root") => (info.account == Some(arn.account)).then_some(MatchKind::Account),
        ("iam", resource) => {
            if let Some(rest) = resource.strip_prefix("user/") {
                // User names are case-sensitive in `Principal` (§1.9). [inf] The path is not
                // compared: a user name is unique in its account whatever the path.
                match caller {
                    AwsCaller::User { account, name, .. } => (*account == arn.account
                        && *name == last_segment(rest))
                    .then_some(MatchKind::Direct),
                    _ => None,
                }
            } else if let Some(rest) = resource.strip_prefix("role/") {
                // Every session of the role; session ARNs drop the path, and role names are
                // unique case-insensitively, so compare the name only, ignoring case (§3 notes).
                let wanted = last_segment(rest);
                match caller {
                    AwsCaller::Session { account, role, .. }
                    | AwsCaller::Role {
                        account,
                        name: role,
                        ..
                    } => (*account == arn.account && role.eq_ignore_ascii_case(wanted))
                        .then_some(MatchKind::Direct),
                    _ => None,
                }
            } else {
                None
            }
        }
        ("sts", resource) => {
            // Exactly that session (§1.4). `federated-user/…` never matches: such sessions
            // cannot call AssumeRole ([inf] §1.4).
            let (role, session) = resource.strip_prefix("assumed-role/")?.split_once('/')?;
            match caller {
                AwsCaller::Session {
                    account,
                    role: r,
                    session: s,
                    ..
                } => (*account == arn.account && r.eq_ignore_ascii_case(role) && *s == session)
                    .then_some(MatchKind::Direct),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The result of matching a statement's principal element: the kind and which entry named the
/// caller (`None` for a `NotPrincipal` match, which names no entry).
#[derive(Debug, Clone, Copy)]
pub struct PrincipalMatch<'p> {
    pub kind: MatchKind,
    pub entry: Option<&'p PrincipalEntry>,
}

/// Match a statement's `Principal` / `NotPrincipal` against the caller. `None` = no match.
///
/// `Principal`: the strongest kind over the entries (entries are OR, §1.4).
/// `NotPrincipal` ([inf] §1.5, invalid in trust policies): matches, as a direct grant, every
/// caller that no listed entry names; an account listed names every caller of that account, a
/// role names its sessions. The Deny-side hierarchy subtleties of §1.5 are not modelled: one
/// reading for both effects.
pub fn principal_matches<'p>(
    principals: &'p Principals,
    info: &CallerInfo<'_>,
) -> Option<PrincipalMatch<'p>> {
    if !info.can_match {
        return None;
    }
    match principals.mode {
        PrincipalMode::Principal => {
            let mut best: Option<PrincipalMatch<'p>> = None;
            for entry in &principals.entries {
                if let Some(kind) = entry_matches(entry, info) {
                    if best.is_none_or(|b| kind > b.kind) {
                        best = Some(PrincipalMatch {
                            kind,
                            entry: Some(entry),
                        });
                    }
                    if kind == MatchKind::Direct {
                        break;
                    }
                }
            }
            best
        }
        PrincipalMode::NotPrincipal => {
            let listed = principals
                .entries
                .iter()
                .any(|e| entry_matches(e, info).is_some());
            (!listed).then_some(PrincipalMatch {
                kind: MatchKind::Direct,
                entry: None,
            })
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn req(action: &str, caller: Caller, ctx: &[(&str, &str)]) -> Request {
        Request {
            role: crate::eval::DEFAULT_ROLE.to_string(),
            action: action.to_string(),
            also: vec![],
            principal: caller,
            caller_allows: true,
            context: ctx
                .iter()
                .map(|(k, v)| (k.to_string(), ContextValue::Single(v.to_string())))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    fn aws(caller: &str) -> Request {
        req("sts:AssumeRole", Caller::Aws(caller.to_string()), &[])
    }

    fn entry(kind: PrincipalType, value: &str) -> PrincipalEntry {
        PrincipalEntry {
            kind,
            value: value.to_string(),
            pointer: String::new(),
        }
    }

    fn m(value: &str, request: &Request) -> Option<MatchKind> {
        entry_matches(&entry(PrincipalType::Aws, value), &CallerInfo::new(request))
    }

    #[test]
    fn arn_splits_on_the_first_five_colons() {
        assert_eq!(
            split_arn("arn:aws:s3:::b/k:with:colons"),
            Some(["arn", "aws", "s3", "", "", "b/k:with:colons"])
        );
        assert_eq!(split_arn("arn:aws:iam::1"), None);
        assert!(parse_arn("nra:aws:iam::1:root").is_none());
    }

    /// The word-at-a-time split cuts where `splitn(6, ':')` cuts, for colons in every byte
    /// position of a word, at word ends, in multi-byte text and past the fifth colon.
    #[test]
    fn arn_split_matches_splitn() {
        fn reference(t: &str) -> Option<[&str; 6]> {
            let parts: Vec<&str> = t.splitn(6, ':').collect();
            <[&str; 6]>::try_from(parts).ok()
        }
        let mut texts: Vec<String> = vec![
            String::new(),
            ":".into(),
            ":::::".into(),
            "::::".into(),
            "arn:aws:iam::123456789012:role/a:b".into(),
            "arn:aws-cn:sts::123456789012:assumed-role/r/s".into(),
            "ärn:äws:ïam::ü:röle/ñ".into(),
            "arn:aws:iam::1234567890123456789012345678901234567890".into(),
        ];
        // Many placements of four to six colons among 19 bytes, the others `;` (one bit from
        // `:`, where a looser zero-byte test sees colons that are not there) or letters.
        for mask in 0u32..(1 << 19) {
            if (4..=6).contains(&mask.count_ones()) && mask % 7 == 0 {
                let filler = if mask % 2 == 0 { ';' } else { 'x' };
                texts.push(
                    (0..19)
                        .map(|i| if mask & (1 << i) != 0 { ':' } else { filler })
                        .collect(),
                );
            }
        }
        for t in &texts {
            assert_eq!(split_arn(t), reference(t), "{t:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn arn_split_matches_splitn_on_any_text(t in "[a:;é]{0,40}") {
            let parts: Vec<&str> = t.splitn(6, ':').collect();
            proptest::prop_assert_eq!(split_arn(&t), <[&str; 6]>::try_from(parts).ok());
        }
    }

    #[test]
    fn account_principals_are_account_level() {
        let bob = aws("arn:aws:iam::222222222222:user/bob");
        assert_eq!(m("222222222222", &bob), Some(MatchKind::Account));
        assert_eq!(
            m("arn:aws:iam::222222222222:root", &bob),
            Some(MatchKind::Account)
        );
        assert_eq!(m("333333333333", &bob), None);
        assert_eq!(m("*", &bob), Some(MatchKind::Direct));
        assert_eq!(m("arn:aws:iam::*:root", &bob), None);
        assert_eq!(m("22222222222?", &bob), None);
    }

    #[test]
    fn users_roles_and_sessions() {
        let bob = aws("arn:aws:iam::222222222222:user/team/bob");
        assert_eq!(
            m("arn:aws:iam::222222222222:user/bob", &bob),
            Some(MatchKind::Direct)
        );
        assert_eq!(m("arn:aws:iam::222222222222:user/Bob", &bob), None);
        assert_eq!(m("arn:aws:iam::333333333333:user/bob", &bob), None);
        let s = aws("arn:aws:sts::222222222222:assumed-role/Deploy/ci-1");
        assert_eq!(
            m("arn:aws:iam::222222222222:role/deploy", &s),
            Some(MatchKind::Direct)
        );
        assert_eq!(
            m("arn:aws:iam::222222222222:role/path/to/Deploy", &s),
            Some(MatchKind::Direct)
        );
        assert_eq!(m("arn:aws:iam::222222222222:role/Deploy2", &s), None);
        assert_eq!(m("arn:aws:iam::222222222222:user/Deploy", &s), None);
        assert_eq!(
            m("arn:aws:sts::222222222222:assumed-role/Deploy/ci-1", &s),
            Some(MatchKind::Direct)
        );
        assert_eq!(
            m("arn:aws:sts::222222222222:assumed-role/Deploy/ci-2", &s),
            None
        );
        assert_eq!(
            m("arn:aws:sts::222222222222:federated-user/Deploy", &s),
            None
        );
        assert_eq!(m("arn:aws:iam::222222222222:role/deploy-*", &s), None);
    }

    #[test]
    fn partitions_never_cross() {
        let cn = aws("arn:aws-cn:iam::222222222222:user/bob");
        // The role is in `aws`: nothing matches a caller of another partition.
        let info = CallerInfo::new(&cn);
        assert!(!info.can_match);
        for value in ["*", "222222222222"] {
            let p = Principals {
                mode: PrincipalMode::Principal,
                entries: vec![entry(PrincipalType::Aws, value)],
            };
            assert!(principal_matches(&p, &info).is_none());
        }
        let bob = aws("arn:aws:iam::222222222222:user/bob");
        assert_eq!(m("arn:aws-cn:iam::222222222222:user/bob", &bob), None);
    }

    #[test]
    fn unique_ids_match_only_themselves() {
        let by_id = req(
            "sts:AssumeRole",
            Caller::Aws("AROAOLDID00000000000".to_string()),
            &[("aws:PrincipalAccount", "222222222222")],
        );
        assert_eq!(m("AROAOLDID00000000000", &by_id), Some(MatchKind::Direct));
        assert_eq!(m("AROANEWID00000000000", &by_id), None);
        assert_eq!(m("222222222222", &by_id), Some(MatchKind::Account));
        let session = aws("AROAOLDID00000000000:s1");
        assert_eq!(m("AROAOLDID00000000000", &session), Some(MatchKind::Direct));
        let arn = aws("arn:aws:sts::222222222222:assumed-role/Deploy/s1");
        assert_eq!(m("AROAOLDID00000000000", &arn), None);
    }

    #[test]
    fn services_and_federation_with_action_coupling() {
        let svc = req(
            "sts:AssumeRole",
            Caller::Service("lambda.amazonaws.com".into()),
            &[],
        );
        let info = CallerInfo::new(&svc);
        assert_eq!(
            entry_matches(
                &entry(PrincipalType::Service, "lambda.amazonaws.com"),
                &info
            ),
            Some(MatchKind::Direct)
        );
        assert_eq!(
            entry_matches(
                &entry(PrincipalType::Service, "Lambda.amazonaws.com"),
                &info
            ),
            None
        );
        assert_eq!(
            entry_matches(&entry(PrincipalType::Aws, "*"), &info),
            Some(MatchKind::Direct)
        );
        let gh = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com";
        let oidc = req(
            "sts:AssumeRoleWithWebIdentity",
            Caller::Federated(gh.into()),
            &[],
        );
        let info = CallerInfo::new(&oidc);
        assert!(info.can_match);
        assert_eq!(entry_matches(&entry(PrincipalType::Aws, "*"), &info), None);
        let wrong = req("sts:AssumeRole", Caller::Federated(gh.into()), &[]);
        assert!(!CallerInfo::new(&wrong).can_match);
        let saml = "arn:aws:iam::111111111111:saml-provider/Okta";
        assert!(
            CallerInfo::new(&req(
                "sts:AssumeRoleWithSAML",
                Caller::Federated(saml.into()),
                &[]
            ))
            .can_match
        );
        assert!(
            !CallerInfo::new(&req(
                "sts:AssumeRoleWithWebIdentity",
                Caller::Federated(saml.into()),
                &[]
            ))
            .can_match
        );
    }

    #[test]
    fn not_principal_excludes_listed_accounts() {
        let listed = Principals {
            mode: PrincipalMode::NotPrincipal,
            entries: vec![entry(PrincipalType::Aws, "222222222222")],
        };
        let inside = aws("arn:aws:sts::222222222222:assumed-role/x/s");
        let outside = aws("arn:aws:sts::333333333333:assumed-role/x/s");
        assert!(principal_matches(&listed, &CallerInfo::new(&inside)).is_none());
        let hit = principal_matches(&listed, &CallerInfo::new(&outside)).unwrap();
        assert_eq!(hit.kind, MatchKind::Direct);
    }
}
