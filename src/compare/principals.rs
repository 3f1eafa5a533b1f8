//! The principal universe (SEMANTICS §7.3 step 2): one caller per class of callers that the
//! principals and `aws:Principal*` conditions of both policies can tell apart.
//!
//! Every signed AWS caller carries the context keys its identity fixes (`aws:PrincipalArn` —
//! the role ARN for a session, §5.1 —, `aws:PrincipalAccount`, `aws:username` for users), so
//! those keys are generated here from the caller, never independently.

use super::automaton::{self, Atom, AtomKind, BoundHit, Bounds, Tok};
use super::realism;
use super::values::{atom_kind, segments, CondRef, Seg};
use crate::eval::{Caller, ContextValue};
use crate::policy::{Operator, Policy, PrincipalType};
use std::collections::BTreeSet;

/// One caller of the universe with the context keys it fixes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CallerSpec {
    pub caller: Caller,
    /// `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:username` as the caller fixes them.
    /// Keys are names AWS fixes, so they are not copied for every caller of every universe.
    pub context: Vec<(&'static str, ContextValue)>,
    /// The STS APIs this caller can use (SEMANTICS §2.1, the §1.6 coupling).
    pub apis: Vec<&'static str>,
}

pub const ASSUME_ROLE: &str = "sts:AssumeRole";
pub const WEB_IDENTITY: &str = "sts:AssumeRoleWithWebIdentity";
pub const SAML: &str = "sts:AssumeRoleWithSAML";

/// The pieces of an ARN: `arn:partition:service:region:account:resource`.
fn split_arn(text: &str) -> Option<[&str; 6]> {
    let parts = crate::eval::principal::split_arn(text)?;
    (parts[0] == "arn").then_some(parts)
}

fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// An AWS caller named by its identity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Identity {
    Root {
        account: String,
    },
    User {
        arn: String,
        account: String,
    },
    /// A role; it calls through sessions.
    Role {
        arn: String,
        account: String,
    },
    Session {
        role_arn: String,
        account: String,
        session: String,
    },
    /// Federated user or another ARN the evaluator reads as "some principal of the account".
    Other {
        arn: String,
        account: String,
    },
    UniqueId(String),
}

fn identity(value: &str) -> Option<Identity> {
    if value.contains(['*', '?']) {
        // IAM never stores a wildcard inside a principal (SEMANTICS §1.4): it names nobody.
        return None;
    }
    if is_account_id(value) {
        return Some(Identity::Root {
            account: value.to_string(),
        });
    }
    let Some([_, partition, service, _, account, resource]) = split_arn(value) else {
        return Some(Identity::UniqueId(value.to_string()));
    };
    let account = account.to_string();
    Some(match service {
        "iam" if resource == "root" => Identity::Root { account },
        "iam" if resource.starts_with("user/") => Identity::User {
            arn: value.to_string(),
            account,
        },
        "iam" if resource.starts_with("role/") => Identity::Role {
            arn: value.to_string(),
            account,
        },
        "sts" => match resource
            .strip_prefix("assumed-role/")
            .and_then(|r| r.split_once('/'))
        {
            Some((role, session)) => Identity::Session {
                role_arn: iam_arn(partition, &account, &["role/", role]),
                account,
                session: session.to_string(),
            },
            None => Identity::Other {
                arn: value.to_string(),
                account,
            },
        },
        _ => Identity::Other {
            arn: value.to_string(),
            account,
        },
    })
}

/// `arn:PARTITION:iam::ACCOUNT:` and the resource's parts, joined: the universe builds a few
/// per account for every comparison, where a `format!` each was a few percent of the analysis.
fn iam_arn(partition: &str, account: &str, resource: &[&str]) -> String {
    let head = ["arn:", partition, ":iam::", account, ":"];
    let mut arn = String::with_capacity(head.iter().chain(resource).map(|p| p.len()).sum());
    for part in head.iter().chain(resource) {
        arn.push_str(part);
    }
    arn
}

/// `arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/SESSION`.
fn session_arn(partition: &str, account: &str, name: &str, session: &str) -> String {
    [
        "arn:",
        partition,
        ":sts::",
        account,
        ":assumed-role/",
        name,
        "/",
        session,
    ]
    .concat()
}

/// Everything the principal universe is built from.
pub struct Inputs<'a> {
    pub policies: &'a [&'a Policy],
    pub conds: &'a [CondRef<'a>],
    pub role_arn: &'a str,
    pub bounds: Bounds,
}

/// Picks names that no policy literal uses, so a fresh principal really is fresh.
struct Fresh {
    taken: BTreeSet<String>,
    /// No taken name contains `fresh`, so none contains a base name that does: such a base
    /// is free without scanning every taken name for it.
    fresh_free: bool,
}

impl Fresh {
    fn new(taken: BTreeSet<String>) -> Fresh {
        let fresh_free = !taken.iter().any(|t| t.contains("fresh"));
        Fresh { taken, fresh_free }
    }

    fn name(&self, base: &str) -> String {
        if self.fresh_free && base.contains("fresh") {
            return base.to_string();
        }
        if !self.taken.iter().any(|t| t.contains(base)) {
            return base.to_string();
        }
        (2..1000)
            .map(|i| format!("{base}{i}"))
            .find(|n| !self.taken.iter().any(|t| t.contains(n.as_str())))
            .unwrap_or_else(|| format!("{base}-fresh"))
    }

    fn account(&self, accounts: &[String]) -> String {
        (0..1000u64)
            .map(|i| format!("{:012}", 999_999_999_999u64.saturating_sub(i)))
            .find(|a| !accounts.contains(a) && !self.taken.iter().any(|t| t.contains(a.as_str())))
            .unwrap_or_else(|| "999999999999".into())
    }
}

/// The string atoms of the conditions on one caller key. A variable inside them is read as `*`:
/// that over-approximates every substitution, so no caller class is lost.
fn key_atoms(conds: &[CondRef<'_>], key: &str) -> Vec<Atom> {
    let mut atoms = BTreeSet::new();
    for c in conds {
        if !c.cond.key.eq_ignore_ascii_case(key) {
            continue;
        }
        let Operator::Known { base, .. } = c.cond.operator else {
            continue;
        };
        let Some(kind) = atom_kind(base) else {
            continue;
        };
        for v in &c.cond.values {
            let segs = segments(v, c.version, base);
            let has_var = segs.iter().any(|s| matches!(s, Seg::Var { .. }));
            if !has_var {
                atoms.insert(Atom::from_text(kind, v));
                continue;
            }
            let glob = if kind == AtomKind::Arn {
                AtomKind::Arn
            } else {
                AtomKind::Like
            };
            let mut toks = Vec::new();
            for s in &segs {
                match s {
                    Seg::Text(t) => toks.extend(Atom::from_text(glob, t).toks),
                    Seg::Escaped(ch) => toks.push(Tok::Lit(*ch)),
                    Seg::Var { .. } => toks.push(Tok::Star),
                }
            }
            atoms.insert(Atom { kind: glob, toks }.normalised());
        }
    }
    atoms.into_iter().collect()
}

/// Witnesses of every cell of `atoms` that lies inside `shape` (a required pattern that keeps
/// witnesses realisable, such as "a role ARN of account A").
fn shaped_witnesses(
    atoms: &[Atom],
    shape: Atom,
    fresh_pref: &str,
    bounds: Bounds,
) -> Result<Vec<String>, BoundHit> {
    shaped(atoms, shape, fresh_pref, bounds, false)
}

/// [`shaped_witnesses`], optionally made of the fresh character wherever a wildcard allows
/// (so a `:`-separated form is not filled with the pattern's own `:`).
fn shaped(
    atoms: &[Atom],
    shape: Atom,
    fresh_pref: &str,
    bounds: Bounds,
    fresh_first: bool,
) -> Result<Vec<String>, BoundHit> {
    let mut all = atoms.to_vec();
    all.push(shape);
    let cells = if fresh_first {
        automaton::cells_fresh_first(&all, fresh_pref, bounds)?
    } else {
        automaton::cells(&all, fresh_pref, bounds)?
    };
    Ok(cells
        .into_iter()
        .filter(|c| c.inside.last().copied().unwrap_or(false))
        .map(|c| c.witness)
        .collect())
}

/// Build the caller universe, simplest callers first (policy literals, then derived, then fresh).
pub fn universe(inp: &Inputs<'_>) -> Result<Vec<CallerSpec>, BoundHit> {
    let (partition, role_account) = match split_arn(inp.role_arn) {
        Some([_, p, _, _, a, _]) => (p.to_string(), a.to_string()),
        None => ("aws".to_string(), "111111111111".to_string()),
    };
    let mut taken = BTreeSet::new();
    let mut identities: Vec<Identity> = Vec::new();
    let mut services: Vec<String> = Vec::new();
    let mut federated: Vec<String> = Vec::new();
    for &p in inp.policies {
        for s in &p.statements {
            for e in &s.principals.entries {
                taken.insert(e.value.clone());
                match e.kind {
                    PrincipalType::Aws if e.value != "*" => {
                        if let Some(id) = identity(&e.value) {
                            identities.push(id);
                        }
                    }
                    PrincipalType::Service if !e.value.contains(['*', '?']) => {
                        services.push(e.value.clone())
                    }
                    PrincipalType::Federated if !e.value.contains(['*', '?']) => {
                        federated.push(e.value.clone())
                    }
                    _ => {}
                }
            }
        }
    }
    for c in inp.conds {
        taken.extend(c.cond.values.iter().cloned());
    }
    let fresh = Fresh::new(taken);
    let session_fresh = fresh.name("session1");
    let user_fresh = fresh.name("fresh-user");
    let role_fresh = fresh.name("fresh-role");

    // Accounts, in order of first mention; the role's own account and a fresh one follow.
    let mut accounts: Vec<String> = Vec::new();
    let add_account = |accounts: &mut Vec<String>, a: &str| {
        if !accounts.iter().any(|x| x == a) {
            accounts.push(a.to_string());
        }
    };
    for id in &identities {
        match id {
            Identity::Root { account }
            | Identity::User { account, .. }
            | Identity::Role { account, .. }
            | Identity::Session { account, .. }
            | Identity::Other { account, .. } => add_account(&mut accounts, account),
            Identity::UniqueId(_) => {}
        }
    }
    add_account(&mut accounts, &role_account);
    // Accounts written inside `aws:PrincipalArn` patterns.
    let arn_atoms = key_atoms(inp.conds, "aws:PrincipalArn");
    for a in &arn_atoms {
        let text: String = a
            .toks
            .iter()
            .map(|t| match t {
                Tok::Lit(c) => *c,
                Tok::Star => '*',
                Tok::One => '?',
            })
            .collect();
        if let Some([_, _, _, _, acct, _]) = split_arn(&text) {
            if !acct.contains(['*', '?']) && !acct.is_empty() {
                add_account(&mut accounts, acct);
            }
        }
    }
    // One account per cell of the `aws:PrincipalAccount` atoms (12 characters, digits first).
    let acct_atoms = key_atoms(inp.conds, "aws:PrincipalAccount");
    if !acct_atoms.is_empty() {
        let twelve = Atom {
            kind: AtomKind::Like,
            toks: vec![Tok::One; 12],
        };
        for w in shaped_witnesses(&acct_atoms, twelve, "0123456789", inp.bounds)? {
            add_account(&mut accounts, &w);
        }
    }
    let fresh_account = fresh.account(&accounts);
    add_account(&mut accounts, &fresh_account);

    // Roles named anywhere, with the session names named for them.
    let mut out: Vec<CallerSpec> = Vec::new();
    let sessions_of = |role_arn: &str| -> Vec<String> {
        let mut names: Vec<String> = identities
            .iter()
            .filter_map(|id| match id {
                Identity::Session {
                    role_arn: r,
                    session,
                    ..
                } if same_role(r, role_arn) => Some(session.clone()),
                _ => None,
            })
            .collect();
        names.push(session_fresh.clone());
        names
    };
    let push_identity = |out: &mut Vec<CallerSpec>, id: &Identity| {
        for spec in specs_of(id, &partition, &sessions_of) {
            if !out.contains(&spec) {
                out.push(spec);
            }
        }
    };
    for id in &identities {
        push_identity(&mut out, id);
    }
    for s in &services {
        push(
            &mut out,
            Caller::Service(s.clone()),
            vec![],
            vec![ASSUME_ROLE],
        );
    }
    for f in &federated {
        push(
            &mut out,
            Caller::Federated(f.clone()),
            vec![],
            federated_apis(f),
        );
    }

    // Callers in every cell of the `aws:PrincipalArn` atoms, per account and kind.
    if !arn_atoms.is_empty() {
        for a in &accounts {
            let shapes = [
                (iam_arn(&partition, a, &["role/?*"]), AtomKind::Like),
                (iam_arn(&partition, a, &["user/?*"]), AtomKind::Like),
                (iam_arn(&partition, a, &["root"]), AtomKind::Equals),
            ];
            for (shape, kind) in shapes {
                let shape = Atom::from_text(kind, &shape);
                for w in shaped_witnesses(&arn_atoms, shape, "", inp.bounds)? {
                    if let Some(id) = identity(&w) {
                        push_identity(&mut out, &id);
                    }
                }
            }
        }
    }
    // Users in every cell of the `aws:username` atoms.
    let user_atoms = key_atoms(inp.conds, "aws:username");
    if !user_atoms.is_empty() {
        let nonempty = Atom::from_text(AtomKind::Like, "?*");
        let names = shaped_witnesses(&user_atoms, nonempty, "", inp.bounds)?;
        for n in names {
            for a in &accounts {
                let id = Identity::User {
                    arn: iam_arn(&partition, a, &["user/", &n]),
                    account: a.clone(),
                };
                push_identity(&mut out, &id);
            }
        }
    }
    // Root, a fresh user and a fresh role of every account (named, own, derived, fresh).
    for a in &accounts {
        for id in [
            Identity::Root { account: a.clone() },
            Identity::User {
                arn: iam_arn(&partition, a, &["user/", &user_fresh]),
                account: a.clone(),
            },
            Identity::Role {
                arn: iam_arn(&partition, a, &["role/", &role_fresh]),
                account: a.clone(),
            },
        ] {
            push_identity(&mut out, &id);
        }
    }
    push(
        &mut out,
        Caller::Service(fresh.name("fresh-service") + ".amazonaws.com"),
        vec![],
        vec![ASSUME_ROLE],
    );
    let oidc = format!(
        "arn:{partition}:iam::{role_account}:oidc-provider/{}.example.com",
        fresh.name("fresh-idp")
    );
    push(
        &mut out,
        Caller::Federated(oidc),
        vec![],
        vec![WEB_IDENTITY],
    );
    let saml = format!(
        "arn:{partition}:iam::{role_account}:saml-provider/{}",
        fresh.name("fresh-saml")
    );
    push(&mut out, Caller::Federated(saml), vec![], vec![SAML]);

    // `aws:userid` is listed only when a policy tests it (or uses it as a variable); then every
    // signed caller carries the one its identity gives, and callers whose IDs fall in each
    // cell of the policies' `aws:userid` patterns join the universe.
    let userid_atoms = key_atoms(inp.conds, "aws:userid");
    if !userid_atoms.is_empty() || mentions_variable(inp.conds, "aws:userid") {
        for spec in &mut out {
            if let Some(id) = userid_of(&spec.caller) {
                spec.context.push(("aws:userid", ContextValue::Single(id)));
            }
        }
        let shapes = [
            ("AROA????????????????*:??*", true),
            ("AIDA????????????????*", false),
        ];
        for (shape, session) in shapes {
            let shape = Atom::from_text(AtomKind::Like, shape);
            for w in shaped(
                &userid_atoms,
                shape,
                "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                inp.bounds,
                true,
            )? {
                for a in &accounts {
                    let spec = if session {
                        let Some((_, name)) = w.split_once(':') else {
                            continue;
                        };
                        let role_arn = iam_arn(&partition, a, &["role/", &role_fresh]);
                        let mut c = ctx(&role_arn, a, None);
                        c.push(("aws:userid", ContextValue::Single(w.clone())));
                        CallerSpec {
                            caller: Caller::Aws(format!(
                                "arn:{partition}:sts::{a}:assumed-role/{role_fresh}/{name}"
                            )),
                            context: c,
                            apis: vec![ASSUME_ROLE],
                        }
                    } else {
                        let arn = iam_arn(&partition, a, &["user/", &user_fresh]);
                        let mut c = ctx(&arn, a, Some(&user_fresh));
                        c.push(("aws:userid", ContextValue::Single(w.clone())));
                        CallerSpec {
                            caller: Caller::Aws(arn),
                            context: c,
                            apis: vec![ASSUME_ROLE],
                        }
                    };
                    if !out.contains(&spec) {
                        out.push(spec);
                    }
                }
            }
        }
    }
    // Only callers AWS could see (request realism): a policy literal with an empty name, a
    // role ARN (roles call through sessions) or a malformed provider names nobody who calls.
    out.retain(|spec| {
        let context: Vec<(&str, &ContextValue)> =
            spec.context.iter().map(|(k, v)| (*k, v)).collect();
        spec.apis
            .iter()
            .all(|api| realism::caller(&spec.caller, api).is_ok())
            && realism::caller_keys(&spec.caller, &context).is_ok()
    });
    Ok(out)
}

/// True when some condition value uses `${key}`.
fn mentions_variable(conds: &[CondRef<'_>], key: &str) -> bool {
    conds.iter().any(|c| {
        let Operator::Known { base, .. } = c.cond.operator else {
            return false;
        };
        c.cond.values.iter().any(|v| {
            segments(v, c.version, base)
                .iter()
                .any(|s| matches!(s, Seg::Var { key: k, .. } if k.eq_ignore_ascii_case(key)))
        })
    })
}

/// The `aws:userid` a caller carries: the account for root, a user ID for a user, `ROLEID:SESSION`
/// for a session, the ID itself for a caller named by unique ID. IDs of callers not named by ID
/// are made up from the ARN (stable, of the real form).
fn userid_of(caller: &Caller) -> Option<String> {
    let Caller::Aws(text) = caller else {
        return None;
    };
    match crate::eval::principal::AwsCaller::parse(text) {
        crate::eval::principal::AwsCaller::Root { account, .. } => Some(account.to_string()),
        crate::eval::principal::AwsCaller::User { .. } => Some(made_up_id("AIDA", text)),
        crate::eval::principal::AwsCaller::Session {
            partition,
            account,
            role,
            session,
        } => {
            let role_arn = iam_arn(partition, account, &["role/", role]);
            Some(format!("{}:{session}", made_up_id("AROA", &role_arn)))
        }
        crate::eval::principal::AwsCaller::UniqueId(id) => Some(id.to_string()),
        crate::eval::principal::AwsCaller::OtherArn { account, .. } => text
            .rsplit_once("federated-user/")
            .map(|(_, name)| format!("{account}:{name}")),
        crate::eval::principal::AwsCaller::Role { .. } => None,
    }
}

/// `PREFIX` and 17 upper-case letters and digits derived from `seed` (FNV-1a), the length and
/// alphabet of a real IAM unique ID.
fn made_up_id(prefix: &str, seed: &str) -> String {
    const DIGITS: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut out = prefix.to_string();
    for _ in 0..17 {
        let d = usize::try_from(h % 36).unwrap_or(0);
        out.push(char::from(DIGITS.get(d).copied().unwrap_or(b'A')));
        h = h.wrapping_mul(0x0100_0000_01b3).wrapping_add(0x9e37_79b9);
        h ^= h >> 29;
    }
    out
}

fn push(
    out: &mut Vec<CallerSpec>,
    caller: Caller,
    context: Vec<(&'static str, ContextValue)>,
    apis: Vec<&'static str>,
) {
    let spec = CallerSpec {
        caller,
        context,
        apis,
    };
    if !out.contains(&spec) {
        out.push(spec);
    }
}

/// SAML providers call through `AssumeRoleWithSAML`, every other provider through
/// `AssumeRoleWithWebIdentity` (the evaluator's §1.6 coupling).
fn federated_apis(provider: &str) -> Vec<&'static str> {
    match split_arn(provider) {
        Some([_, _, "iam", _, _, res]) if res.starts_with("saml-provider/") => vec![SAML],
        _ => vec![WEB_IDENTITY],
    }
}

/// Role ARNs name the same role when partition, account and role name (case-insensitive,
/// IAM names are unique that way) agree; the path does not appear in session ARNs.
fn same_role(a: &str, b: &str) -> bool {
    match (split_arn(a), split_arn(b)) {
        (Some([_, pa, _, _, aa, ra]), Some([_, pb, _, _, ab, rb])) => {
            pa == pb && aa == ab && last_segment(ra).eq_ignore_ascii_case(last_segment(rb))
        }
        _ => false,
    }
}

fn ctx(arn: &str, account: &str, username: Option<&str>) -> Vec<(&'static str, ContextValue)> {
    let mut v = Vec::with_capacity(3);
    v.push(("aws:PrincipalArn", ContextValue::Single(arn.to_string())));
    v.push((
        "aws:PrincipalAccount",
        ContextValue::Single(account.to_string()),
    ));
    if let Some(u) = username {
        v.push(("aws:username", ContextValue::Single(u.to_string())));
    }
    v
}

/// The callers one identity stands for.
fn specs_of(
    id: &Identity,
    partition: &str,
    sessions_of: &dyn Fn(&str) -> Vec<String>,
) -> Vec<CallerSpec> {
    let aws = |caller: String, context| CallerSpec {
        caller: Caller::Aws(caller),
        context,
        apis: vec![ASSUME_ROLE],
    };
    match id {
        Identity::Root { account } => {
            let arn = iam_arn(partition, account, &["root"]);
            vec![aws(arn.clone(), ctx(&arn, account, None))]
        }
        Identity::User { arn, account } => {
            let name = split_arn(arn).map_or("", |p| last_segment(p[5]));
            vec![aws(arn.clone(), ctx(arn, account, Some(name)))]
        }
        Identity::Role { arn, account } => {
            let Some([_, p, _, _, _, res]) = split_arn(arn) else {
                return Vec::new();
            };
            let name = last_segment(res);
            sessions_of(arn)
                .into_iter()
                .map(|s| aws(session_arn(p, account, name, &s), ctx(arn, account, None)))
                .collect()
        }
        Identity::Session {
            role_arn,
            account,
            session,
        } => {
            let Some([_, p, _, _, _, res]) = split_arn(role_arn) else {
                return Vec::new();
            };
            let name = last_segment(res);
            vec![aws(
                session_arn(p, account, name, session),
                ctx(role_arn, account, None),
            )]
        }
        Identity::Other { arn, account } => vec![aws(arn.clone(), ctx(arn, account, None))],
        // [inf] A bare unique ID carries no ARN we could derive keys from; it is evaluated as
        // given (it matches only the principal entry with the same ID).
        Identity::UniqueId(uid) => vec![aws(uid.clone(), Vec::new())],
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use crate::policy::parse_policy;
    use crate::policy::Policy;

    #[test]
    fn arns_are_joined_as_iam_writes_them() {
        assert_eq!(
            iam_arn("aws", "111122223333", &["role/", "app"]),
            "arn:aws:iam::111122223333:role/app"
        );
        assert_eq!(
            iam_arn("aws-cn", "111122223333", &["root"]),
            "arn:aws-cn:iam::111122223333:root"
        );
        assert_eq!(iam_arn("aws", "1", &[]), "arn:aws:iam::1:");
        assert_eq!(
            session_arn("aws-us-gov", "111122223333", "app", "s1"),
            "arn:aws-us-gov:sts::111122223333:assumed-role/app/s1"
        );
    }

    fn universe_of(before: &str, after: &str) -> Vec<CallerSpec> {
        let b: Policy = parse_policy(before).unwrap();
        let a: Policy = parse_policy(after).unwrap();
        let conds = super::super::values::conditions(&[&b, &a]);
        universe(&Inputs {
            policies: &[&b, &a],
            conds: &conds,
            role_arn: crate::eval::DEFAULT_ROLE,
            bounds: Bounds::default(),
        })
        .unwrap()
    }

    fn callers(u: &[CallerSpec]) -> Vec<String> {
        u.iter().map(|c| c.caller.value().to_string()).collect()
    }

    #[test]
    fn literals_fresh_and_same_account_variants() {
        let u = universe_of(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:role/ci"},"Action":"sts:AssumeRole"}]}"#,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        );
        let c = callers(&u);
        assert_eq!(c[0], "arn:aws:sts::222222222222:assumed-role/ci/session1");
        for want in [
            "ec2.amazonaws.com",
            "arn:aws:iam::222222222222:root",
            "arn:aws:iam::111111111111:root",
            "arn:aws:iam::111111111111:user/fresh-user",
            "arn:aws:sts::111111111111:assumed-role/fresh-role/session1",
            "arn:aws:iam::999999999999:root",
            "fresh-service.amazonaws.com",
        ] {
            assert!(c.iter().any(|x| x == want), "{want} in {c:?}");
        }
        let session = &u[0];
        assert!(session.context.contains(&(
            "aws:PrincipalArn",
            ContextValue::Single("arn:aws:iam::222222222222:role/ci".into())
        )));
    }

    #[test]
    fn principal_arn_cells_become_sessions() {
        let p = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::222222222222:role/contractor-*"}}}]}"#;
        let q = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::222222222222:role/contractor-temp-*"}}}]}"#;
        let u = universe_of(p, q);
        let c = callers(&u);
        assert!(
            c.iter().any(
                |x| x.starts_with("arn:aws:sts::222222222222:assumed-role/contractor-")
                    && !x.contains("temp")
            ),
            "{c:?}"
        );
        assert!(
            c.iter()
                .any(|x| x.starts_with("arn:aws:sts::222222222222:assumed-role/contractor-temp-")),
            "{c:?}"
        );
    }
}
