//! A role's own account, inferred from the whole plan: the small facts the readers keep as
//! they pass (accounts named by resources, which provider configuration each resource uses,
//! what each provider configuration says of its account), and the late binding of those
//! facts to the roles once the document is read.
//!
//! Order of evidence, most direct first: the role's ARN (set when its entry is read);
//! `data.aws_caller_identity` of the role's provider configuration; ARNs and `account_id`
//! values of other resources of that configuration; its `assume_role.role_arn`; its
//! `allowed_account_ids`. A level whose evidence names two accounts decides nothing (the
//! next one is asked), and two provider configurations' accounts are never mixed.

use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{BuildHasher, Hasher};

use super::keyed::{KeyMap, KeySet};

use super::model::{AccountSource, OwnAccount, RoleChange};

/// Resource types whose `account_id` names another account (a member, a delegated
/// administrator), not the one the provider works in.
const FOREIGN_ACCOUNT_ID: &[&str] = &[
    "aws_guardduty_member",
    "aws_macie2_member",
    "aws_securityhub_member",
    "aws_detective_member",
    "aws_inspector2_member_association",
    "aws_organizations_delegated_administrator",
    "aws_organizations_account",
    "aws_ram_principal_association",
    "aws_fms_admin_account",
];

/// What one provider configuration says of its account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct ProviderFacts {
    /// Accounts of `assume_role.role_arn` constant values.
    pub assume_role: BTreeSet<u64>,
    /// `allowed_account_ids` constant values.
    pub allowed: BTreeSet<u64>,
    /// `assume_role.role_arn`: constant values as written, and the references of an
    /// expression (for the role's consumers, `crate::permissions`).
    pub role_arns: Vec<String>,
    pub role_references: Vec<String>,
    /// `assume_role.external_id` is set (by any expression), and its constant value.
    pub has_external_id: bool,
    pub external_id: Option<String>,
}

/// The accounts evidence names at one configuration address: one, or several (which makes
/// its provider's level decide nothing, whatever the others say).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    One(u64),
    Several,
}

impl Seen {
    fn add(slot: &mut Option<Seen>, account: u64) {
        *slot = match *slot {
            None => Some(Seen::One(account)),
            Some(Seen::One(a)) if a == account => Some(Seen::One(a)),
            Some(_) => Some(Seen::Several),
        };
    }
}

/// How a resource's values can tell its provider's account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ResourceKind {
    /// `data.aws_caller_identity`: its `account_id` and `arn`.
    CallerIdentity,
    /// A managed resource: its `arn`, and its `account_id` unless that names another account.
    Managed { foreign_account_id: bool },
    /// Any other data source: nothing (a looked-up key or role may live anywhere).
    OtherData,
}

impl ResourceKind {
    pub fn of(mode: Option<&str>, resource_type: &str) -> ResourceKind {
        if mode == Some("data") {
            if resource_type == "aws_caller_identity" {
                ResourceKind::CallerIdentity
            } else {
                ResourceKind::OtherData
            }
        } else {
            ResourceKind::Managed {
                foreign_account_id: FOREIGN_ACCOUNT_ID.contains(&resource_type),
            }
        }
    }
}

/// Everything of a plan document that can tell a role's own account. Plans are large, so
/// evidence is kept per configuration address (instances of one block share it), by a keyed
/// hash of the address, with accounts as numbers: a few words per resource block, and no
/// allocation per resource read.
#[derive(Debug, Clone, Default)]
pub(super) struct AccountFacts {
    /// Keys the address hashes; random per document, so no input can aim a collision.
    hasher: RandomState,
    /// Address hash -> accounts its `aws_caller_identity` read.
    caller: KeyMap<Seen>,
    /// Address hash -> accounts its managed resources' ARNs / `account_id` name.
    resources: KeyMap<Seen>,
    /// Address hash -> index in `provider_keys` (from `configuration`).
    provider_of: KeyMap<usize>,
    provider_keys: Vec<String>,
    /// Address hashes of the `resource_changes` entries read so far: their sides already
    /// told what `prior_state` would repeat.
    changed: KeySet,
    /// `provider_config` key -> what it says.
    pub providers: BTreeMap<String, ProviderFacts>,
}

/// The account field of an ARN (`arn:aws:iam::ACCOUNT:role/x`), when it is 12 digits.
pub fn arn_account(arn: &str) -> Option<&str> {
    // A byte scan for the fifth `:`-separated field (`split` costs a searcher per field, and
    // the reader asks this of every ARN in the plan); `:` is ASCII, so each cut is a character
    // boundary.
    let mut field = 0usize;
    let mut start = 0usize;
    for (i, &b) in arn.as_bytes().iter().enumerate() {
        if b == b':' {
            if field == 4 {
                return arn.get(start..i).filter(|a| is_account(a));
            }
            field = field.saturating_add(1);
            start = i.saturating_add(1);
        }
    }
    (field == 4)
        .then(|| arn.get(start..))
        .flatten()
        .filter(|a| is_account(a))
}

pub fn is_account(value: &str) -> bool {
    value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit())
}

/// A 12-digit account as a number (it fits: below 10^12).
pub(super) fn account_number(value: &str) -> Option<u64> {
    is_account(value).then(|| value.parse().ok()).flatten()
}

fn account_text(account: u64) -> String {
    format!("{account:012}")
}

impl AccountFacts {
    /// The key of an instance address: its configuration address (see `config_address`),
    /// hashed as it is stripped.
    pub fn address_key(&self, address: &str) -> u64 {
        let mut h = self.hasher.build_hasher();
        // `write` is a byte stream (SipHash keeps a partial word between calls), so the runs
        // hash as their concatenation would: an address hashes as its configuration address.
        strip_keys(address, |run| h.write(run.as_bytes()));
        h.finish()
    }

    /// `resource_key` from the texts: the tests' way to state a plan's resources (the reader
    /// hashes and reads them as it scans).
    #[cfg(test)]
    pub fn resource(
        &mut self,
        address: &str,
        mode: Option<&str>,
        resource_type: &str,
        arn: Option<&str>,
        account_id: Option<&str>,
    ) {
        let arn = arn.and_then(arn_account).and_then(account_number);
        let account_id = account_id.and_then(account_number);
        if arn.is_none() && account_id.is_none() {
            return;
        }
        let key = self.address_key(address);
        self.resource_key(key, ResourceKind::of(mode, resource_type), arn, account_id);
    }

    /// One resource instance (from `prior_state`, `planned_values` or a side of a
    /// `resource_changes` entry), its address hashed, with its `arn` and `account_id` accounts.
    pub fn resource_key(
        &mut self,
        key: u64,
        kind: ResourceKind,
        arn: Option<u64>,
        account_id: Option<u64>,
    ) {
        let (map, account_id) = match kind {
            ResourceKind::OtherData => return,
            ResourceKind::CallerIdentity => (&mut self.caller, account_id),
            ResourceKind::Managed { foreign_account_id } => (
                &mut self.resources,
                account_id.filter(|_| !foreign_account_id),
            ),
        };
        for account in [arn, account_id].into_iter().flatten() {
            let mut slot = map.get(&key).copied();
            Seen::add(&mut slot, account);
            if let Some(seen) = slot {
                map.insert(key, seen);
            }
        }
    }

    /// A `resource_changes` entry was read at this address.
    pub fn saw_change(&mut self, key: u64) {
        self.changed.insert(key);
    }

    /// Whether a state resource's `values` can tell anything new, from what its object said
    /// before `values` (address hash, whether it is a data source, whether it is the caller
    /// identity): always for the caller identity; never for another data source; for a
    /// managed resource only in `prior_state` and only when no `resource_changes` entry
    /// already gave its values (older plans leave unchanged resources out). Skipping the
    /// rest keeps reading the state as fast as skipping it. Both readers ask this, so they
    /// read the same values.
    pub fn values_wanted(
        &self,
        prior: bool,
        address: Option<u64>,
        data: Option<bool>,
        caller: Option<bool>,
    ) -> bool {
        match data {
            Some(true) => caller == Some(true),
            _ => prior && address.is_some_and(|key| !self.changed.contains(&key)),
        }
    }

    /// A resource of `configuration` (`module` is its module's address, `address` as the
    /// configuration writes it, relative to the module).
    pub fn config_resource(&mut self, module: &str, address: &str, provider_key: &str) {
        let full = if module.is_empty() {
            address.to_string()
        } else {
            format!("{module}.{address}")
        };
        let index = match self.provider_keys.iter().position(|k| k == provider_key) {
            Some(i) => i,
            None => {
                self.provider_keys.push(provider_key.to_string());
                self.provider_keys.len().saturating_sub(1)
            }
        };
        let key = self.address_key(&full);
        self.provider_of.insert(key, index);
    }

    /// The provider configuration key of an instance address, when `configuration` says.
    fn provider_of(&self, address: &str) -> Option<String> {
        let index = *self.provider_of.get(&self.address_key(address))?;
        self.provider_keys.get(index).map(|k| self.canonical(k))
    }

    /// The provider configuration a `provider_config_key` stands for. Older formats write a
    /// module's resources as `CALL:aws` (the module's own name for the provider), a key that
    /// `provider_config` does not define: such a module inherits its parent's provider, which
    /// is the root's `aws` for certain only when no alias of `aws` exists (an alias could be
    /// passed to it). Otherwise the key stays as written: evidence is never pooled on a guess.
    fn canonical(&self, key: &str) -> String {
        if let Some((_, name)) = key.rsplit_once(':') {
            let defined = self.providers.contains_key(key);
            let aliased = self.providers.keys().any(|k| {
                !k.contains(':') && k.split_once('.').is_some_and(|(base, _)| base == name)
            });
            if !defined && !aliased && self.providers.contains_key(name) {
                return name.to_string();
            }
        }
        key.to_string()
    }

    /// The accounts every resource of `provider` names in `map`.
    fn under(&self, map: &KeyMap<Seen>, provider: &str) -> BTreeSet<Option<u64>> {
        let indices: Vec<usize> = (0..self.provider_keys.len())
            .filter(|&i| {
                self.provider_keys
                    .get(i)
                    .is_some_and(|k| self.canonical(k) == provider)
            })
            .collect();
        map.iter()
            .filter(|(key, _)| {
                self.provider_of
                    .get(*key)
                    .is_some_and(|i| indices.contains(i))
            })
            .map(|(_, seen)| match seen {
                Seen::One(a) => Some(*a),
                // Stands for "more than one": never a single account.
                Seen::Several => None,
            })
            .collect()
    }

    /// The own account of a role of `provider` whose ARN did not say.
    fn decide(&self, provider: &str) -> Option<OwnAccount> {
        let single = |set: BTreeSet<Option<u64>>| -> Option<u64> {
            let mut it = set.into_iter();
            match (it.next(), it.next()) {
                (Some(Some(one)), None) => Some(one),
                _ => None,
            }
        };
        let facts = self.providers.get(provider);
        let listed = |pick: fn(&ProviderFacts) -> &BTreeSet<u64>| -> BTreeSet<Option<u64>> {
            facts
                .map(|f| pick(f).iter().copied().map(Some).collect())
                .unwrap_or_default()
        };
        let levels = [
            (
                AccountSource::CallerIdentity,
                self.under(&self.caller, provider),
            ),
            (
                AccountSource::ProviderResources,
                self.under(&self.resources, provider),
            ),
            (
                AccountSource::ProviderAssumeRole,
                listed(|f| &f.assume_role),
            ),
            (
                AccountSource::ProviderAllowedAccounts,
                listed(|f| &f.allowed),
            ),
        ];
        levels.into_iter().find_map(|(source, set)| {
            single(set).map(|account| OwnAccount {
                account: account_text(account),
                source,
            })
        })
    }
}

/// Give every role of a finished document its provider configuration and, where its ARN did
/// not tell, the own account the rest of the plan tells.
pub(super) fn bind(roles: &mut [RoleChange], facts: &AccountFacts) {
    for role in roles {
        role.provider = facts.provider_of(&role.address);
        if role.own_account.is_some() {
            continue;
        }
        if let Some(provider) = &role.provider {
            role.own_account = facts.decide(provider);
        }
    }
}

/// The own account a role's ARN gives (after, then before).
pub(super) fn from_arn(arns: [Option<&str>; 2]) -> Option<OwnAccount> {
    arns.into_iter()
        .flatten()
        .find_map(arn_account)
        .map(|account| OwnAccount {
            account: account.to_string(),
            source: AccountSource::RoleArn,
        })
}

/// An instance address without its instance keys, as `configuration` names the resource:
/// `module.a["x"].module.b[0].aws_iam_role.r["k"]` -> `module.a.module.b.aws_iam_role.r`.
pub fn config_address(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    strip_keys(address, |run| out.push_str(run));
    out
}

/// The module instance an address is in (`module.a["x"].module.b[0]`, empty at the root) and
/// its own instance key as written (`3`, `"web"`), when it has one. A reference in
/// `configuration` names a resource of its own module, which is the same module instance:
/// the module path tells a role of this instance from the others the reference names.
pub fn instance_parts(address: &str) -> (&str, Option<&str>) {
    let (mut segment, mut module_end, mut expect_name) = (0usize, 0usize, false);
    let mut resource_at = None;
    let (mut key, mut key_start) = (None, 0usize);
    pieces(address, |piece| match piece {
        Piece::Open(i) => key_start = i.saturating_add(1),
        Piece::Close(i) => key = address.get(key_start..i),
        Piece::Dot(i) if resource_at.is_none() => {
            let text = address.get(segment..i).unwrap_or_default();
            if expect_name {
                module_end = i;
                expect_name = false;
            } else if text == "module" {
                expect_name = true;
            } else {
                resource_at = Some(segment);
            }
            segment = i.saturating_add(1);
            key = None;
        }
        Piece::Dot(_) => {}
    });
    let module = address.get(..module_end).unwrap_or_default();
    // A key read before the resource's own segments is a module's, not the resource's.
    let key = key.filter(|_| resource_at.is_some() || module_end == 0);
    (module, key)
}

/// Hand `out` the runs of `address` outside instance keys, in order.
fn strip_keys<'a>(address: &'a str, mut out: impl FnMut(&'a str)) {
    let mut run = 0usize;
    let closed = pieces(address, |piece| match piece {
        Piece::Open(i) => out(address.get(run..i).unwrap_or_default()),
        Piece::Close(i) => run = i.saturating_add(1),
        Piece::Dot(_) => {}
    });
    if closed {
        out(address.get(run..).unwrap_or_default());
    }
}

/// What an address's structure outside its instance keys is made of, at byte offsets.
pub(super) enum Piece {
    /// A key's `[` ...
    Open(usize),
    /// ... and its matching `]`.
    Close(usize),
    /// A `.` between segments.
    Dot(usize),
}

/// Hand `each` the pieces of `address` in order; whether it ends outside a key. Keys are
/// skipped with their quoted strings, so a `]` or `.` inside a key is no boundary. Bytes, not
/// characters: every delimiter is ASCII, which never occurs inside a multi-byte character,
/// so each offset is a character boundary.
pub(super) fn pieces(address: &str, mut each: impl FnMut(Piece)) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in address.as_bytes().iter().enumerate() {
        if depth > 0 {
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
            } else if b == b'[' {
                depth = depth.saturating_add(1);
            } else if b == b']' {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    each(Piece::Close(i));
                }
            }
            continue;
        }
        match b {
            b'[' => {
                depth = 1;
                each(Piece::Open(i));
            }
            b'.' => each(Piece::Dot(i)),
            _ => {}
        }
    }
    depth == 0
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn an_address_splits_into_its_module_instance_and_its_own_key() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("aws_iam_role.r", "", None),
            ("aws_iam_role.r[3]", "", Some("3")),
            ("aws_iam_role.r[\"web\"]", "", Some("\"web\"")),
            ("module.a.aws_iam_role.r", "module.a", None),
            (
                "module.a[\"x\"].aws_iam_role.r[0]",
                "module.a[\"x\"]",
                Some("0"),
            ),
            (
                "module.a[\"x.y\"].module.b[2].aws_lambda_function.f[\"k]\"]",
                "module.a[\"x.y\"].module.b[2]",
                Some("\"k]\""),
            ),
            (
                "module.a[1].data.aws_caller_identity.me",
                "module.a[1]",
                None,
            ),
            // A module's key is not the resource's.
            ("module.a[1].aws_iam_role.r", "module.a[1]", None),
        ];
        for (address, module, key) in cases {
            assert_eq!(instance_parts(address), (*module, *key), "{address}");
        }
    }

    #[test]
    fn instance_keys_are_dropped() {
        assert_eq!(
            config_address(r#"module.a["x.y]"].module.b[0].aws_iam_role.r["k\"]"]"#),
            "module.a.module.b.aws_iam_role.r"
        );
        assert_eq!(config_address("aws_iam_role.r"), "aws_iam_role.r");
        assert_eq!(
            config_address("module.m.data.aws_caller_identity.c[0]"),
            "module.m.data.aws_caller_identity.c"
        );
    }

    /// The characters outside instance keys, one at a time: what `strip_keys` hands over
    /// in runs.
    fn stripped_by_chars(address: &str) -> String {
        let (mut out, mut depth, mut in_string, mut escaped) = (String::new(), 0, false, false);
        for c in address.chars() {
            if depth > 0 {
                match c {
                    _ if in_string && escaped => escaped = false,
                    '\\' if in_string => escaped = true,
                    '"' => in_string = !in_string,
                    '[' if !in_string => depth += 1,
                    ']' if !in_string => depth -= 1,
                    _ => {}
                }
            } else if c == '[' {
                depth = 1;
            } else {
                out.push(c);
            }
        }
        out
    }

    proptest::proptest! {
        /// The byte scan finds the account `split(':').nth(4)` finds, in ARNs of any shape.
        #[test]
        fn arn_accounts_are_the_fifth_field(arn in "(arn|x|)(:[a-z0-9é*-]{0,4}){0,3}(:([0-9]{12}|[0-9]{11}|é[0-9]{11}))?(:[a-z/:]{0,6})?") {
            let by_split = arn.split(':').nth(4).filter(|a| is_account(a));
            proptest::prop_assert_eq!(arn_account(&arn), by_split);
        }

        /// Stripping in runs keeps what stripping character by character keeps, and an
        /// instance address hashes as its configuration address, whatever its keys hold
        /// (quotes, escapes, brackets, multi-byte characters) and however long it is.
        #[test]
        fn instance_addresses_hash_as_their_configuration_address(
            parts in proptest::collection::vec(
                ("[a-zé_]{1,70}", proptest::option::of("\\[([0-9]{1,3}|\"([a-z.\\]\\[é]|\\\\\"){0,8}\")\\]")),
                1..6,
            ),
        ) {
            let address = parts
                .iter()
                .map(|(name, key)| format!("{name}{}", key.as_deref().unwrap_or("")))
                .collect::<Vec<_>>()
                .join(".");
            let stripped = config_address(&address);
            proptest::prop_assert_eq!(&stripped, &stripped_by_chars(&address));
            let f = AccountFacts::default();
            proptest::prop_assert_eq!(f.address_key(&address), f.address_key(&stripped));
        }
    }

    #[test]
    fn levels_in_order_and_providers_kept_apart() {
        let mut f = AccountFacts::default();
        f.config_resource("", "aws_s3_bucket_policy.p", "aws");
        f.config_resource("", "aws_sqs_queue.q", "aws.prod");
        f.config_resource("", "data.aws_caller_identity.c", "aws.prod");
        f.resource(
            "aws_sqs_queue.q",
            Some("managed"),
            "aws_sqs_queue",
            Some("arn:aws:sqs:us-east-1:222222222222:q"),
            None,
        );
        f.resource(
            "data.aws_caller_identity.c",
            Some("data"),
            "aws_caller_identity",
            None,
            Some("333333333333"),
        );
        // The caller identity wins over resource ARNs of the same provider.
        assert_eq!(f.decide("aws.prod").unwrap().account, "333333333333");
        assert_eq!(
            f.decide("aws.prod").unwrap().source,
            AccountSource::CallerIdentity
        );
        // Nothing of `aws.prod` leaks into `aws`.
        assert_eq!(f.decide("aws"), None);
        // Two accounts at one level decide nothing; the next level is asked.
        f.resource(
            "aws_s3_bucket_policy.p",
            Some("managed"),
            "aws_s3_bucket_policy",
            Some("arn:aws:s3:::b"),
            Some("444444444444"),
        );
        assert_eq!(
            f.decide("aws").unwrap().source,
            AccountSource::ProviderResources
        );
        f.config_resource("", "aws_sqs_queue.other", "aws");
        f.resource(
            "aws_sqs_queue.other",
            None,
            "aws_sqs_queue",
            Some("arn:aws:sqs:us-east-1:555555555555:q"),
            None,
        );
        assert_eq!(f.decide("aws"), None);
        f.providers
            .entry("aws".into())
            .or_default()
            .allowed
            .insert(444444444444);
        assert_eq!(
            f.decide("aws").unwrap().source,
            AccountSource::ProviderAllowedAccounts
        );
    }

    /// Older formats' `CALL:aws` keys: the root's `aws` when nothing else could be meant.
    #[test]
    fn module_local_keys_inherit_only_when_unambiguous() {
        let mut f = AccountFacts::default();
        f.providers.insert("aws".into(), ProviderFacts::default());
        f.providers
            .insert("module.net:aws".into(), ProviderFacts::default());
        assert_eq!(f.canonical("vpc:aws"), "aws");
        // Defined in provider_config: a configuration of its own.
        assert_eq!(f.canonical("module.net:aws"), "module.net:aws");
        assert_eq!(f.canonical("aws.prod"), "aws.prod");
        f.config_resource("module.vpc", "data.aws_caller_identity.c", "vpc:aws");
        f.resource(
            "module.vpc.data.aws_caller_identity.c",
            Some("data"),
            "aws_caller_identity",
            None,
            Some("333333333333"),
        );
        assert_eq!(
            f.decide("aws").map(|o| o.account),
            Some("333333333333".into())
        );
        // With an alias of `aws`, a module could have been handed either: no pooling.
        f.providers
            .insert("aws.prod".into(), ProviderFacts::default());
        assert_eq!(f.canonical("vpc:aws"), "vpc:aws");
        assert_eq!(f.decide("aws"), None);
    }

    #[test]
    fn member_account_ids_are_not_the_providers() {
        let mut f = AccountFacts::default();
        f.config_resource("", "aws_guardduty_member.m", "aws");
        f.resource(
            "aws_guardduty_member.m",
            None,
            "aws_guardduty_member",
            None,
            Some("666666666666"),
        );
        assert_eq!(f.decide("aws"), None);
    }
}
