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

use std::collections::{BTreeMap, BTreeSet};

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
    pub assume_role: BTreeSet<String>,
    /// `allowed_account_ids` constant values.
    pub allowed: BTreeSet<String>,
}

/// Everything of a plan document that can tell a role's own account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct AccountFacts {
    /// Configuration address (no instance keys) -> accounts its `aws_caller_identity` read.
    pub caller: BTreeMap<String, BTreeSet<String>>,
    /// Configuration address -> accounts its managed resources' ARNs / `account_id` name.
    pub resources: BTreeMap<String, BTreeSet<String>>,
    /// Configuration address -> `provider_config_key` (from `configuration`).
    pub provider_of: BTreeMap<String, String>,
    /// `provider_config` key -> what it says.
    pub providers: BTreeMap<String, ProviderFacts>,
}

/// The account field of an ARN (`arn:aws:iam::ACCOUNT:role/x`), when it is 12 digits.
pub fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| is_account(a))
}

pub fn is_account(value: &str) -> bool {
    value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit())
}

impl AccountFacts {
    /// One resource instance (from `prior_state`, `planned_values` or a side of a
    /// `resource_changes` entry) with its `arn` and `account_id` values.
    pub fn resource(
        &mut self,
        address: &str,
        mode: Option<&str>,
        resource_type: &str,
        arn: Option<&str>,
        account_id: Option<&str>,
    ) {
        let data = mode == Some("data");
        let mut accounts: Vec<&str> = Vec::new();
        if data {
            // Of data sources only the caller identity is sure to describe the provider's
            // own account (a looked-up key or role may live anywhere).
            if resource_type != "aws_caller_identity" {
                return;
            }
            accounts.extend(account_id.filter(|a| is_account(a)));
            accounts.extend(arn.and_then(arn_account));
        } else {
            accounts.extend(arn.and_then(arn_account));
            if !FOREIGN_ACCOUNT_ID.contains(&resource_type) {
                accounts.extend(account_id.filter(|a| is_account(a)));
            }
        }
        if accounts.is_empty() {
            return;
        }
        let map = if data {
            &mut self.caller
        } else {
            &mut self.resources
        };
        let set = map.entry(config_address(address)).or_default();
        for account in accounts {
            if !set.contains(account) {
                set.insert(account.to_string());
            }
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
        self.provider_of.insert(full, provider_key.to_string());
    }

    /// The accounts every resource of `provider` names in `map`.
    fn under<'a>(
        &'a self,
        map: &'a BTreeMap<String, BTreeSet<String>>,
        provider: &str,
    ) -> BTreeSet<&'a str> {
        map.iter()
            .filter(|(address, _)| {
                self.provider_of.get(*address).map(String::as_str) == Some(provider)
            })
            .flat_map(|(_, accounts)| accounts.iter().map(String::as_str))
            .collect()
    }

    /// The own account of a role of `provider` whose ARN did not say.
    fn decide(&self, provider: &str) -> Option<OwnAccount> {
        let single = |set: BTreeSet<&str>| -> Option<String> {
            let mut it = set.into_iter();
            match (it.next(), it.next()) {
                (Some(one), None) => Some(one.to_string()),
                _ => None,
            }
        };
        let facts = self.providers.get(provider);
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
                facts
                    .map(|f| f.assume_role.iter().map(String::as_str).collect())
                    .unwrap_or_default(),
            ),
            (
                AccountSource::ProviderAllowedAccounts,
                facts
                    .map(|f| f.allowed.iter().map(String::as_str).collect())
                    .unwrap_or_default(),
            ),
        ];
        levels
            .into_iter()
            .find_map(|(source, set)| single(set).map(|account| OwnAccount { account, source }))
    }
}

/// Give every role of a finished document its provider configuration and, where its ARN did
/// not tell, the own account the rest of the plan tells.
pub(super) fn bind(roles: &mut [RoleChange], facts: &AccountFacts) {
    for role in roles {
        role.provider = facts
            .provider_of
            .get(&config_address(&role.address))
            .cloned();
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
/// Keys are skipped with their quoted strings, so a `]` or `.` inside a key is no boundary.
pub fn config_address(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for c in address.chars() {
        if depth > 0 {
            if in_string {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_string = false;
                }
            } else if c == '"' {
                in_string = true;
            } else if c == '[' {
                depth = depth.saturating_add(1);
            } else if c == ']' {
                depth = depth.saturating_sub(1);
            }
            continue;
        }
        if c == '[' {
            depth = 1;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

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
            .insert("444444444444".into());
        assert_eq!(
            f.decide("aws").unwrap().source,
            AccountSource::ProviderAllowedAccounts
        );
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
