//! Exposure: does one trust policy let an *outsider* assume the role, using only what an
//! outsider controls? The posture rules ask this instead of reading which keys a policy names,
//! so a guard that pins nothing (`StringLike "*"`, MFA `"false"`, `0.0.0.0/0`, a negated org
//! condition, an always-true condition) is seen through by the same search that proves
//! widenings.
//!
//! The outsider model. An outsider chooses freely whatever a caller sets itself: its principal
//! name and session name, `sts:SourceIdentity`, session and principal tags, its source address
//! outside any specific network the policy names, the time it calls, its transport, the
//! region, the audience and free-form claims of its own OIDC tokens. It cannot present what
//! identifies someone else: an account, organization, unique ID, VPC, source resource or OIDC
//! tenant that the policy names or that is ours. A caller of a named account (the party a
//! cross-account trust is for) also cannot present an `sts:ExternalId` the policy names (the
//! value is given to the real customer) or an MFA-authenticated session; for anyone at all
//! these pin nothing (an ExternalId is not a secret, anyone can own an MFA device). A wildcard
//! pattern on such a key does match the outsider's own values wherever the pattern admits
//! values it does not name: `o-*`, `*`, `repo:acme*` (`acme-evil` is another tenant) all do.
//! This is the conservative reading: a pattern that admits strangers is no pin.
//!
//! A key of another identity provider (`gitlab.com:sub` in a GitHub trust) or of SAML is never
//! present in an outsider's call of another kind, so a statement that only such keys guard
//! can never apply to that outsider.

use super::principals::CallerSpec;
use super::values::{self, KeyUniverse};
use super::{memo, search, verify, CompareError, Universe, Witness};
use crate::compare::automaton::Bounds;
use crate::eval::values::{parse_cidr, parse_ip};
use crate::eval::{Caller, ContextValue};
use crate::policy::{Policy, Statement};

/// Trust evaluations one exposure search may spend before it is reported as incomplete.
const BUDGET: usize = 2_000_000;

/// One claim of an OIDC provider that names the caller's tenant, and how to read the tenant
/// out of it: the text after `prefix` up to `end` (`repo:OWNER/...`), or the whole value.
#[derive(Debug, Clone, Copy, Hash)]
pub struct TenantClaim {
    pub claim: &'static str,
    pub prefix: &'static str,
    pub end: Option<char>,
}

/// The outsider a search stands for.
#[derive(Debug, Clone, Copy, Hash)]
pub enum Outsider<'a> {
    /// An AWS principal of an account that is not ours and that the policy names nowhere:
    /// anyone at all.
    Anyone,
    /// An AWS principal of this account (named by the policy, not ours).
    Account(&'a str),
    /// A token of this OIDC provider (the `Federated` value) issued to a tenant the policy
    /// does not name; `claims` are the provider's tenant-naming claims.
    Tenant {
        provider: &'a str,
        claims: &'a [TenantClaim],
    },
    /// This service principal acting for a resource of an account that is not ours.
    Service(&'a str),
}

/// What is ours: the role's own account (when known) and trusted accounts and organizations.
#[derive(Debug, Clone, Copy)]
pub struct Ours<'a> {
    pub accounts: &'a [String],
    pub orgs: &'a [String],
}

/// The first request (simplest first) that `policy` grants to the outsider, re-verified by the
/// evaluator; `None` when the outsider can never assume the role; `Err` when the search hit a
/// bound before it could tell.
pub fn exposure(
    policy: &Policy,
    outsider: Outsider<'_>,
    ours: Ours<'_>,
    role_arn: &str,
) -> Result<Option<Witness>, CompareError> {
    let nobody = Policy {
        version: policy.version,
        version_raw: None,
        id: None,
        statements: Vec::new(),
        issues: Vec::new(),
    };
    new_exposure(&nobody, policy, outsider, ours, role_arn)
}

/// The first request (simplest first) that an outsider can make, that `after` grants and
/// `before` does not: new exposure to that outsider, re-verified by the evaluator.
pub fn new_exposure(
    before: &Policy,
    policy: &Policy,
    outsider: Outsider<'_>,
    ours: Ours<'_>,
    role_arn: &str,
) -> Result<Option<Witness>, CompareError> {
    let Some(scope) = memo::role_scope(role_arn) else {
        return new_exposure_afresh(before, policy, outsider, ours, role_arn);
    };
    let key = ExposureKey {
        before,
        policy,
        outsider,
        accounts: ours.accounts,
        orgs: ours.orgs,
        scope,
    };
    let mut found = EXPOSED.remembered(&key, || {
        new_exposure_afresh(before, policy, outsider, ours, role_arn)
    });
    if let Ok(Some(w)) = &mut found {
        memo::for_role(w, role_arn);
    }
    found
}

/// Everything an exposure search's answer depends on (`memo::role_scope` for the role).
#[derive(Hash)]
struct ExposureKey<'a> {
    before: &'a Policy,
    policy: &'a Policy,
    outsider: Outsider<'a>,
    accounts: &'a [String],
    orgs: &'a [String],
    scope: &'a str,
}

/// The exposure searches of this process, by question (`memo::Shared`).
static EXPOSED: memo::Shared<Result<Option<Witness>, CompareError>> = memo::Shared::new(128);

pub(super) fn forget_answers() {
    EXPOSED.forget();
}

/// [`new_exposure`] without the memo.
fn new_exposure_afresh(
    before: &Policy,
    policy: &Policy,
    outsider: Outsider<'_>,
    ours: Ours<'_>,
    role_arn: &str,
) -> Result<Option<Witness>, CompareError> {
    let nobody = before;
    let Universe { callers, keys } = Universe::new(&[nobody, policy], role_arn)?;
    let model = Model::new([nobody, policy], ours, role_arn);
    let callers: Vec<CallerSpec> = callers
        .into_iter()
        .filter(|c| model.admits(c, outsider))
        .collect();
    if callers.is_empty() {
        return Ok(None);
    }
    let conds = values::conditions(&[nobody, policy]);
    let mut restricted = Vec::with_capacity(keys.len());
    for key in keys {
        if let Some(k) = model.restrict(key, outsider, &conds)? {
            restricted.push(k);
        }
    }
    let space = search::Space {
        callers: &callers,
        keys: &restricted,
        role: role_arn,
    };
    let templates = search::requests(&space);
    let mut prepared = search::prepare(&[policy, nobody], &space, &templates);
    let outcome = search::search(
        search::Judge {
            grant: policy,
            deny: nobody,
            also: None,
        },
        &mut prepared,
        BUDGET,
        1,
    );
    if outcome.found.is_empty() {
        if outcome.complete {
            return Ok(None);
        }
        return Err(CompareError::Incomplete {
            reason: format!(
                "the exposure search stopped after {} evaluations over {} callers and {} condition keys",
                outcome.evaluations,
                callers.len(),
                restricted.len()
            ),
        });
    }
    Ok(verify(policy, nobody, outcome.found)?.into_iter().next())
}

/// The facts about a policy and what is ours that the outsider model reads.
struct Model<'a> {
    /// Both sides: a value either names belongs to someone the author knows.
    policies: [&'a Policy; 2],
    ours: Ours<'a>,
    role_account: Option<String>,
}

fn arn_account(arn: &str) -> Option<&str> {
    let account = arn.split(':').nth(4)?;
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then_some(account)
}

fn has_wildcard(v: &str) -> bool {
    v.contains(['*', '?'])
}

/// The part of `value` before its first wildcard.
fn literal_prefix(value: &str) -> &str {
    value
        .find(['*', '?'])
        .map_or(value, |i| value.get(..i).unwrap_or(""))
}

/// True for the key of an OIDC claim: its prefix before `:` is a provider URL.
fn claim_key(lower: &str) -> Option<(&str, &str)> {
    let (prefix, claim) = lower.split_once(':')?;
    prefix.contains('.').then_some((prefix, claim))
}

impl<'a> Model<'a> {
    fn new(policies: [&'a Policy; 2], ours: Ours<'a>, role_arn: &str) -> Model<'a> {
        Model {
            policies,
            ours,
            role_account: arn_account(role_arn).map(str::to_string),
        }
    }

    fn statements(&self) -> impl Iterator<Item = &'a Statement> + '_ {
        self.policies.iter().flat_map(|p| p.statements.iter())
    }

    fn is_ours(&self, account: &str) -> bool {
        self.role_account.as_deref() == Some(account)
            || self.ours.accounts.iter().any(|a| a == account)
    }

    /// The account's digits appear somewhere in the policy (a principal or a condition).
    fn named(&self, account: &str) -> bool {
        self.statements().any(|s| s.mentions(account))
    }

    fn admits(&self, spec: &CallerSpec, outsider: Outsider<'_>) -> bool {
        match (&spec.caller, outsider) {
            (Caller::Aws(_), Outsider::Anyone) => self
                .account_of(spec)
                .is_some_and(|a| !self.is_ours(a) && !self.named(a)),
            (Caller::Aws(_), Outsider::Account(want)) => self.account_of(spec) == Some(want),
            (Caller::Federated(p), Outsider::Tenant { provider, .. }) => p == provider,
            (Caller::Service(s), Outsider::Service(want)) => s == want,
            _ => false,
        }
    }

    /// The caller's account: from its ARN, else the `aws:PrincipalAccount` it carries. A bare
    /// unique ID has none: it is one specific principal, never an outsider by itself.
    fn account_of<'s>(&self, spec: &'s CallerSpec) -> Option<&'s str> {
        if let Some(a) = arn_account(spec.caller.value()) {
            return Some(a);
        }
        spec.context.iter().find_map(|(k, v)| match v {
            ContextValue::Single(s) if k.eq_ignore_ascii_case("aws:PrincipalAccount") => {
                Some(s.as_str())
            }
            _ => None,
        })
    }

    /// Every value the policy's conditions give `key`.
    fn values_of(&self, key: &str) -> impl Iterator<Item = &'a str> + '_ {
        let key = key.to_string();
        self.statements()
            .flat_map(|s| s.conditions.iter())
            .filter(move |c| c.key.eq_ignore_ascii_case(&key))
            .flat_map(|c| c.values.iter().map(String::as_str))
    }

    /// The values of `key` the policy names exactly (no wildcard), lower-cased.
    fn literals(&self, key: &str) -> Vec<String> {
        self.values_of(key)
            .filter(|v| !has_wildcard(v))
            .map(str::to_ascii_lowercase)
            .collect()
    }

    /// The outsider's universe for one key, or `None` when the outsider never presents it.
    fn restrict(
        &self,
        mut key: KeyUniverse,
        outsider: Outsider<'_>,
        conds: &[values::CondRef<'_>],
    ) -> Result<Option<KeyUniverse>, CompareError> {
        let lower = key.name.to_ascii_lowercase();
        if let Some((provider_url, claim)) = claim_key(&lower) {
            let Outsider::Tenant { provider, claims } = outsider else {
                return Ok(None);
            };
            let url = provider
                .split_once(":oidc-provider/")
                .map_or(provider, |(_, url)| url);
            if !url.eq_ignore_ascii_case(provider_url) {
                return Ok(None);
            }
            let Some(tc) = claims.iter().find(|t| t.claim.eq_ignore_ascii_case(claim)) else {
                // A claim the tenant sets for itself (audience, branch, environment, ...).
                return Ok(Some(key));
            };
            key.values = self
                .tenant_values(&key.name, *tc, conds)?
                .into_iter()
                .map(ContextValue::Single)
                .collect();
            return Ok((!key.values.is_empty()).then_some(key));
        }
        if lower.starts_with("saml:") {
            return Ok(None);
        }
        let anyone = matches!(outsider, Outsider::Anyone);
        let keep: Box<dyn Fn(&str) -> bool + '_> = match lower.as_str() {
            // For anyone at all, an ExternalId is a value it can learn or guess (it is not a
            // secret) and an MFA device one it can own: neither pins accounts. They guard
            // only a trust in a named party, whose callers are told the value or must be
            // MFA-authenticated humans.
            "sts:externalid" | "aws:multifactorauthpresent" | "aws:multifactorauthage"
                if anyone =>
            {
                return Ok(Some(key));
            }
            "sts:externalid" | "aws:sourcevpc" | "aws:sourcevpce" => {
                let named = self.literals(&lower);
                Box::new(move |v| !named.contains(&v.to_ascii_lowercase()))
            }
            "aws:principalorgid" | "aws:sourceorgid" => {
                // The outsider's own organization: an ID of the real form that is neither
                // named nor ours.
                let mut exclude: Vec<String> = self
                    .values_of(&lower)
                    .filter(|v| !has_wildcard(v))
                    .map(str::to_string)
                    .collect();
                exclude.extend(self.ours.orgs.iter().cloned());
                let ids = values::shaped_key_witnesses(
                    conds,
                    &lower,
                    "o-??????????*",
                    &exclude,
                    Bounds::default(),
                )?;
                key.values = ids.into_iter().map(ContextValue::Single).collect();
                return Ok((!key.values.is_empty()).then_some(key));
            }
            "aws:principalorgpaths" | "aws:sourceorgpaths" => {
                // A path starts with its organization ID: `o-abc/r-root/ou-x/`.
                let mut named: Vec<String> = self
                    .values_of(&lower)
                    .filter_map(|v| v.split('/').next())
                    .filter(|o| !o.is_empty() && !has_wildcard(o))
                    .map(str::to_ascii_lowercase)
                    .collect();
                named.extend(self.ours.orgs.iter().map(|o| o.to_ascii_lowercase()));
                Box::new(move |v| {
                    let org = v.split('/').next().unwrap_or("").to_ascii_lowercase();
                    !named.contains(&org)
                })
            }
            "aws:sourceaccount" | "aws:sourceowner" => {
                let named = self.literals(&lower);
                Box::new(move |v| !named.contains(&v.to_ascii_lowercase()) && !self.is_ours(v))
            }
            "aws:sourcearn" => {
                // The source resource's account is the caller's own; S3 ARNs carry none, and
                // bucket names are global: a named bucket is someone's, an unnamed one may be
                // the outsider's.
                let named = self.literals(&lower);
                let accounts: Vec<String> = self
                    .values_of(&lower)
                    .filter_map(|v| v.split(':').nth(4))
                    .filter(|a| !a.is_empty() && !has_wildcard(a))
                    .map(str::to_string)
                    .collect();
                Box::new(move |v| {
                    let account = v.split(':').nth(4).unwrap_or("");
                    !named.contains(&v.to_ascii_lowercase())
                        && !self.is_ours(account)
                        && !accounts.iter().any(|a| a == account)
                })
            }
            "aws:userid" => {
                // `UNIQUEID:session` for a role session, `UNIQUEID` for a user, the account
                // for root: the unique ID is the principal's, the session name the caller's.
                let ids: Vec<String> = self
                    .values_of(&lower)
                    .map(|v| literal_prefix(v).split(':').next().unwrap_or(""))
                    .filter(|id| !id.is_empty())
                    .map(str::to_ascii_lowercase)
                    .collect();
                Box::new(move |v| {
                    let id = v.split(':').next().unwrap_or("").to_ascii_lowercase();
                    !ids.contains(&id) && !self.is_ours(&id)
                })
            }
            // An outsider has no MFA-authenticated session; without MFA the age is absent.
            "aws:multifactorauthpresent" => {
                key.values = vec![ContextValue::Single("false".into())];
                return Ok(Some(key));
            }
            "aws:multifactorauthage" => return Ok(None),
            "aws:sourceip" => {
                let ranges: Vec<_> = self
                    .values_of(&lower)
                    .filter_map(parse_cidr)
                    .filter(|c| c.prefix() >= if c.is_ipv4() { 8 } else { 16 })
                    .collect();
                // [inf] An outsider may call from anywhere on the internet, but not from
                // inside a network the policy names (a prefix of /8 or longer for IPv4, /16
                // for IPv6). Shorter prefixes such as `0.0.0.0/0` cover everyone.
                Box::new(move |v| {
                    !matches!(parse_ip(v), Some(ip) if ranges
                        .iter()
                        .any(|r| crate::eval::values::cidr_contains(r, &ip)))
                })
            }
            _ => return Ok(Some(key)),
        };
        key.values.retain(|v| match v {
            ContextValue::Single(s) => keep(s),
            ContextValue::Multi(items) => items.iter().all(|s| keep(s)),
        });
        Ok((!key.values.is_empty()).then_some(key))
    }

    /// Values of a tenant-naming claim that a tenant the policy does not name can present: one
    /// per cell of the claim's conditions inside the claim's shape and outside every named
    /// tenant (a literal owner, or the literal start of an owner pattern: `repo:acme*` names
    /// `acme`, and `acme-evil` is still a stranger).
    fn tenant_values(
        &self,
        key: &str,
        tc: TenantClaim,
        conds: &[values::CondRef<'_>],
    ) -> Result<Vec<String>, CompareError> {
        let mut exclude: Vec<String> = Vec::new();
        for v in self.values_of(key) {
            let Some(rest) = v.strip_prefix(tc.prefix) else {
                continue;
            };
            match tc.end {
                Some(end) => {
                    let stop = rest.find([end, '*', '?']);
                    let owner = stop.map_or(rest, |i| rest.get(..i).unwrap_or(""));
                    if !owner.is_empty() {
                        exclude.push(format!("{}{owner}{end}*", tc.prefix));
                    }
                }
                None if !has_wildcard(rest) => exclude.push(v.to_string()),
                None => {}
            }
        }
        exclude.sort();
        exclude.dedup();
        let shape = match tc.end {
            Some(end) => format!("{}?*{end}?*", tc.prefix),
            None => format!("{}?*", tc.prefix),
        };
        Ok(values::shaped_key_witnesses(
            conds,
            key,
            &shape,
            &exclude,
            Bounds::default(),
        )?)
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use crate::policy::parse_policy;

    const ROLE: &str = "arn:aws:iam::111111111111:role/target";

    fn exposed(policy: &str, outsider: Outsider<'_>) -> Option<Witness> {
        let p = parse_policy(policy).unwrap();
        let ours = Ours {
            accounts: &[],
            orgs: &[],
        };
        exposure(&p, outsider, ours, ROLE).unwrap()
    }

    fn star(condition: &str) -> String {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"*"}},"Action":"sts:AssumeRole","Condition":{condition}}}]}}"#
        )
    }

    #[test]
    fn vacuous_guards_leave_the_role_public() {
        for cond in [
            r#"{"StringLike":{"aws:PrincipalOrgID":"*"}}"#,
            r#"{"StringLike":{"aws:PrincipalOrgID":"o-*"}}"#,
            r#"{"StringLike":{"aws:PrincipalAccount":"*"}}"#,
            r#"{"StringLike":{"aws:userid":"*"}}"#,
            r#"{"Bool":{"aws:MultiFactorAuthPresent":"false"}}"#,
            r#"{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}"#,
            r#"{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc123"}}"#,
            r#"{"StringLike":{"sts:ExternalId":"*"}}"#,
            r#"{"Bool":{"aws:SecureTransport":"true"}}"#,
            // Not secrets, and not tied to an account.
            r#"{"StringEquals":{"sts:ExternalId":"s3cr3t-id"}}"#,
            r#"{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#,
        ] {
            let w = exposed(&star(cond), Outsider::Anyone);
            assert!(w.is_some(), "{cond} should not pin");
        }
    }

    /// A remembered exposure serves another role of the same account with that role named,
    /// and a role of another account, whose answer differs, afresh.
    #[test]
    fn remembered_exposures_are_each_roles_own() {
        let p = parse_policy(&star("{}")).unwrap();
        let nobody = Policy {
            statements: Vec::new(),
            ..p.clone()
        };
        let ours = Ours {
            accounts: &[],
            orgs: &[],
        };
        let ask = |role: &str| new_exposure(&nobody, &p, Outsider::Anyone, ours, role);
        let afresh = |role: &str| new_exposure_afresh(&nobody, &p, Outsider::Anyone, ours, role);
        let second = "arn:aws:iam::111111111111:role/second";
        // The account the outsider is made up in when the role's is 111111111111.
        let theirs = "arn:aws:iam::999999999999:role/first";
        let unnamed = |w: Option<Witness>| {
            w.map(|mut w| {
                w.request.role.clear();
                w
            })
        };
        // The account changes the answer, not only the role named in it.
        assert!(afresh(second).unwrap().is_some());
        assert_ne!(
            unnamed(afresh(second).unwrap()),
            unnamed(afresh(theirs).unwrap())
        );
        // Remembered from the second asking; `second` is then served from memory.
        ask(ROLE).unwrap();
        ask(ROLE).unwrap();
        let w = ask(second).unwrap();
        assert_eq!(w, afresh(second).unwrap());
        assert_eq!(w.map(|w| w.request.role).as_deref(), Some(second));
        assert_eq!(ask(theirs).unwrap(), afresh(theirs).unwrap());
        // Another outsider is another question.
        let named = Outsider::Account("222222222222");
        let for_named = new_exposure_afresh(&nobody, &p, named, ours, ROLE).unwrap();
        assert_ne!(unnamed(for_named.clone()), unnamed(afresh(ROLE).unwrap()));
        assert_eq!(
            new_exposure(&nobody, &p, named, ours, ROLE).unwrap(),
            for_named
        );
    }

    #[test]
    fn real_guards_pin() {
        for cond in [
            r#"{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}"#,
            r#"{"StringEquals":{"aws:PrincipalAccount":"222222222222"}}"#,
            r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::222222222222:role/*"}}"#,
            r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
        ] {
            let w = exposed(&star(cond), Outsider::Anyone);
            assert!(w.is_none(), "{cond} pins, got {w:?}");
        }
    }

    const GITHUB: &str =
        "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com";
    const GITHUB_CLAIMS: &[TenantClaim] = &[
        TenantClaim {
            claim: "sub",
            prefix: "repo:",
            end: Some('/'),
        },
        TenantClaim {
            claim: "repository",
            prefix: "",
            end: Some('/'),
        },
    ];

    fn github(condition: &str) -> String {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"{GITHUB}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{condition}}}]}}"#
        )
    }

    #[test]
    fn github_tenants() {
        let tenant = Outsider::Tenant {
            provider: GITHUB,
            claims: GITHUB_CLAIMS,
        };
        let open = [
            r#"{"StringLike":{"token.actions.githubusercontent.com:sub":"*"}}"#,
            r#"{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme*"}}"#,
            r#"{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}"#,
        ];
        for cond in open {
            let w = exposed(&github(cond), tenant).unwrap_or_else(|| panic!("{cond}"));
            if let Some(ContextValue::Single(sub)) = w
                .request
                .context
                .get("token.actions.githubusercontent.com:sub")
            {
                assert!(!sub.starts_with("repo:acme/"), "{sub}");
            }
        }
        let pinned = [
            r#"{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/*"}}"#,
            r#"{"StringEquals":{"token.actions.githubusercontent.com:sub":"repo:acme/app:ref:refs/heads/main"}}"#,
            r#"{"StringEquals":{"token.actions.githubusercontent.com:repository":"acme/app"}}"#,
            // Another issuer's key is never in a GitHub token: the statement never applies.
            r#"{"StringLike":{"gitlab.com:sub":"*"}}"#,
        ];
        for cond in pinned {
            assert!(exposed(&github(cond), tenant).is_none(), "{cond}");
        }
    }

    #[test]
    fn a_named_account_is_not_anyone() {
        let p = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"sts:AssumeRole"}]}"#;
        assert!(exposed(p, Outsider::Anyone).is_none());
        let w = exposed(p, Outsider::Account("222222222222")).unwrap();
        assert!(w.request.principal.value().contains("222222222222"));
    }

    #[test]
    fn a_named_party_is_held_to_its_external_id_and_mfa() {
        let named = |cond: &str| {
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"222222222222"}},"Action":"sts:AssumeRole","Condition":{cond}}}]}}"#
            )
        };
        let account = Outsider::Account("222222222222");
        for cond in [
            r#"{"StringEquals":{"sts:ExternalId":"s3cr3t-id"}}"#,
            r#"{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#,
            r#"{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}"#,
            r#"{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}"#,
        ] {
            assert!(exposed(&named(cond), account).is_none(), "{cond}");
        }
        for cond in [
            r#"{"StringLike":{"sts:ExternalId":"*"}}"#,
            r#"{"StringEqualsIfExists":{"sts:ExternalId":"s3cr3t-id"}}"#,
            r#"{"Bool":{"aws:MultiFactorAuthPresent":"false"}}"#,
            r#"{"StringLike":{"aws:PrincipalOrgID":"o-*"}}"#,
            r#"{"Bool":{"aws:SecureTransport":"true"}}"#,
        ] {
            assert!(exposed(&named(cond), account).is_some(), "{cond}");
        }
    }

    #[test]
    fn service_source_guards() {
        let svc = |cond: &str| {
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"sns.amazonaws.com"}},"Action":"sts:AssumeRole","Condition":{cond}}}]}}"#
            )
        };
        let open = [
            r#"{}"#,
            r#"{"StringLike":{"aws:SourceAccount":"*"}}"#,
            r#"{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:*"}}"#,
            r#"{"StringEqualsIfExists":{"aws:SourceAccount":"111111111111"}}"#,
        ];
        for cond in open {
            assert!(
                exposed(&svc(cond), Outsider::Service("sns.amazonaws.com")).is_some(),
                "{cond}"
            );
        }
        let pinned = [
            r#"{"StringEquals":{"aws:SourceAccount":"111111111111"}}"#,
            r#"{"ArnLike":{"aws:SourceArn":"arn:aws:sns:us-east-1:111111111111:*"}}"#,
        ];
        for cond in pinned {
            assert!(
                exposed(&svc(cond), Outsider::Service("sns.amazonaws.com")).is_none(),
                "{cond}"
            );
        }
    }
}
