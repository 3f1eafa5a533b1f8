//! Renames without `moved`: a role deleted at one address and created at another under the
//! same IAM name is one role whose trust changes, so the created one is compared against the
//! deleted one's trust. Decided once the whole document is read.
//!
//! Pairs need the same role type, no disagreeing provider configurations or accounts, and
//! must be unambiguous: a name that two deleted (or two created) roles share pairs none.

use std::collections::BTreeMap;

use super::model::{AccountSource, IamName, OwnAccount, Paired, RoleChange, TrustDoc};

fn only(actions: &[String], action: &str) -> bool {
    matches!(actions, [a] if a == action)
}

/// What a role is matched on: the exact name, or, when the created name is not known yet,
/// the `name_prefix` and path it will be made from.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
enum NameKey {
    Name(String),
    Prefix(String, String),
}

fn path_of(name: &IamName) -> &str {
    name.path.as_deref().unwrap_or("/")
}

/// A name or prefix that is there and not empty (Terraform writes `name_prefix: ""` beside
/// a set name).
fn given(value: &Option<Box<str>>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

fn created_key(role: &RoleChange) -> Option<NameKey> {
    let iam = &role.iam_after;
    match (given(&iam.name), given(&iam.name_prefix)) {
        (Some(name), _) => Some(NameKey::Name(name.to_string())),
        (None, Some(prefix)) => Some(NameKey::Prefix(
            prefix.to_string(),
            path_of(iam).to_string(),
        )),
        (None, None) => None,
    }
}

/// Whether the deleted role's naming fits `key`.
fn fits(deleted: &IamName, key: &NameKey) -> bool {
    match key {
        NameKey::Name(name) => given(&deleted.name) == Some(name.as_str()),
        NameKey::Prefix(prefix, path) => {
            let by_prefix = given(&deleted.name_prefix) == Some(prefix.as_str())
                || given(&deleted.name).is_some_and(|n| n.starts_with(prefix.as_str()));
            by_prefix && path_of(deleted) == path
        }
    }
}

/// The two roles may be one: same type, and neither provider configurations nor accounts
/// that disagree. A deleted role's block is usually gone from `configuration` (that is what
/// a rename is), so its provider is often unknown: unknown disagrees with nothing, and the
/// IAM name, unique in an account, carries the pairing.
fn compatible(deleted: &RoleChange, created: &RoleChange) -> bool {
    fn agree<T: PartialEq>(a: Option<&T>, b: Option<&T>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }
    deleted.role_type == created.role_type
        && agree(deleted.provider.as_ref(), created.provider.as_ref())
        && agree(account(deleted), account(created))
}

/// The role's own account, when known (borrowed: asked of every deleted role a
/// `name_prefix` fits).
fn account(r: &RoleChange) -> Option<&String> {
    r.own_account.as_ref().map(|o| &o.account)
}

/// Pair created roles with deleted ones (see the module doc); sets `paired` on the created.
pub(super) fn pair(roles: &mut [RoleChange]) {
    let deleted: Vec<usize> = roles
        .iter()
        .enumerate()
        .filter(|(_, r)| only(&r.actions, "delete") && !matches!(r.before, TrustDoc::Absent))
        .map(|(i, _)| i)
        .collect();
    if deleted.is_empty() {
        return;
    }
    // Deleted roles by exact name and by `name_prefix`, sorted: a created role meets only the
    // deleted roles its name or prefix can fit (the names a prefix starts are one run of the
    // sorted names), not every deleted role of the plan (thousands each side on a large plan).
    let shared: &[RoleChange] = roles;
    let mut names: Vec<(&str, usize)> = Vec::new();
    let mut prefixes: Vec<(&str, usize)> = Vec::new();
    for &d in &deleted {
        let Some(iam) = shared.get(d).map(|r| &r.iam_before) else {
            continue;
        };
        names.extend(given(&iam.name).map(|name| (name, d)));
        prefixes.extend(given(&iam.name_prefix).map(|prefix| (prefix, d)));
    }
    names.sort_unstable();
    prefixes.sort_unstable();
    // The run of `sorted` whose texts `matches` takes, from the first not below `from`.
    fn run<'s>(
        sorted: &'s [(&'s str, usize)],
        from: &str,
        matches: impl Fn(&str) -> bool,
    ) -> &'s [(&'s str, usize)] {
        let start = sorted.partition_point(|(text, _)| *text < from);
        let rest = sorted.get(start..).unwrap_or_default();
        let len = rest.partition_point(|(text, _)| matches(text));
        rest.get(..len).unwrap_or_default()
    }
    // Created roles matched alike (the same name, or the same prefix and path, and the same
    // type, provider and account) fit the same deleted roles: the fits are found once per
    // group. A `name_prefix` shared by every role of a module's `count` fits every role it
    // replaces, and finding them once per created role took 1.2 s at 8,000 of each.
    let mut groups: BTreeMap<_, Vec<usize>> = BTreeMap::new();
    for (c, created) in shared.iter().enumerate() {
        let eligible = only(&created.actions, "create")
            && created.previous_address.is_none()
            && !created.importing;
        if let Some(key) = created_key(created).filter(|_| eligible) {
            let alike = (
                key,
                created.role_type,
                created.provider.as_deref(),
                account(created).map(String::as_str),
            );
            groups.entry(alike).or_default().push(c);
        }
    }
    // Each created role that fits exactly one deleted role, and how many created roles fit
    // each deleted one (2: more than one). Only the count is kept per pair: a `name_prefix`
    // may fit every deleted role, and a list of them per created role held every pair (8,000
    // of each: 540 MB).
    let mut candidates: Vec<(usize, usize)> = Vec::new();
    let mut claimed: Vec<u8> = vec![0; roles.len()];
    for ((key, ..), members) in &groups {
        let Some((&c, created)) = members.first().and_then(|c| Some((c, shared.get(*c)?))) else {
            continue;
        };
        // Which fit is found first does not matter: a created role fitting two is paired
        // with neither, and the claims are counted whatever the order.
        let (exact, starting, made_too) = match key {
            NameKey::Name(name) => (run(&names, name, |n| n == name.as_str()), &[][..], None),
            NameKey::Prefix(prefix, _) => {
                let prefix = prefix.as_str();
                let made = run(&prefixes, prefix, |p| p == prefix);
                let named = run(&names, prefix, |n| n.starts_with(prefix));
                (made, named, (!made.is_empty()).then_some(prefix))
            }
        };
        // A role both named from the prefix and made from it is among the made already.
        let again = |d: usize| {
            made_too.is_some_and(|prefix| {
                shared
                    .get(d)
                    .is_some_and(|r| given(&r.iam_before.name_prefix) == Some(prefix))
            })
        };
        let among = exact
            .iter()
            .map(|(_, d)| *d)
            .chain(starting.iter().map(|(_, d)| *d).filter(|&d| !again(d)));
        let mut fitting = among.filter(|&d| {
            shared
                .get(d)
                .is_some_and(|del| fits(&del.iam_before, key) && compatible(del, created))
        });
        // Every member of the group claims each fit.
        let claims = u8::try_from(members.len()).unwrap_or(u8::MAX);
        let first = fitting.next();
        let mut more = false;
        for d in first.into_iter().chain(fitting) {
            more |= Some(d) != first;
            if let Some(n) = claimed.get_mut(d) {
                *n = n.saturating_add(claims).min(2);
            }
        }
        if let (Some(d), false, [_]) = (first, more, members.as_slice()) {
            candidates.push((c, d));
        }
    }
    for (c, d) in candidates {
        if claimed.get(d) != Some(&1) {
            continue;
        }
        let Some(old) = roles.get(d) else {
            continue;
        };
        let paired = Paired {
            address: old.address.clone(),
            before: old.before.clone(),
            before_sensitive: old.before_sensitive,
        };
        // One role, one account: what the old ARN says holds for the new address when
        // nothing else told it.
        let inherited = old
            .own_account
            .as_ref()
            .filter(|o| o.source == AccountSource::RoleArn)
            .map(|o| OwnAccount {
                account: o.account.clone(),
                source: AccountSource::RenamedRoleArn,
            });
        if let Some(created) = roles.get_mut(c) {
            created.paired = Some(Box::new(paired));
            if created.own_account.is_none() {
                created.own_account = inherited;
            }
        }
    }
}
