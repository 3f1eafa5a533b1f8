//! Who a witness caller is, relative to the role: the classes that set a finding's severity.

use super::RuleSettings;
use crate::eval::{Caller, ContextValue, Request};
use crate::policy::Policy;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalClass {
    /// An AWS principal of the role's own account.
    SameAccount,
    /// An AWS principal of an account configured as trusted.
    Trusted,
    /// An AWS principal of another account the policy names.
    External,
    /// An AWS principal of an account the policy names nowhere: anyone.
    Public,
    Service,
    Federated,
}

impl PrincipalClass {
    /// How much a witness of this class says about exposure: the witness reported for a
    /// rule is the one with the highest rank (anyone beats a named account beats our own).
    pub fn rank(self) -> u8 {
        match self {
            PrincipalClass::Public => 5,
            PrincipalClass::External => 4,
            PrincipalClass::Federated => 3,
            PrincipalClass::Service => 2,
            PrincipalClass::Trusted => 1,
            PrincipalClass::SameAccount => 0,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            PrincipalClass::SameAccount => "a principal of the role's own account",
            PrincipalClass::Trusted => "a principal of a trusted account",
            PrincipalClass::External => "a principal of another account",
            PrincipalClass::Public => "any AWS account (an account the policy does not name)",
            PrincipalClass::Service => "an AWS service",
            PrincipalClass::Federated => "a federated identity",
        }
    }
}

/// The caller's account: from its ARN, else from `aws:PrincipalAccount`.
pub fn caller_account(request: &Request) -> Option<String> {
    let Caller::Aws(value) = &request.principal else {
        return None;
    };
    let mut parts = value.splitn(6, ':');
    if let (Some("arn"), Some(_), Some(_), Some(_), Some(account)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) {
        return Some(account.to_string());
    }
    request.context.iter().find_map(|(k, v)| match v {
        ContextValue::Single(s) if k.eq_ignore_ascii_case("aws:PrincipalAccount") => {
            Some(s.clone())
        }
        _ => None,
    })
}

/// True when the account's digits appear anywhere in the policy (principal or condition).
fn named_in(policy: &Policy, account: &str) -> bool {
    policy.statements.iter().any(|s| s.mentions(account))
}

/// True when the request says the caller belongs to one of the trusted organizations
/// (`aws:PrincipalOrgID`, which AWS sets from the caller's real organization).
fn in_trusted_org(request: &Request, trusted_orgs: &[String]) -> bool {
    request.context.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("aws:PrincipalOrgID")
            && match v {
                ContextValue::Single(s) => trusted_orgs.contains(s),
                _ => false,
            }
    })
}

/// The class of a witness's caller. `settings` gives what the user told us is ours:
/// `trusted` accounts and `trusted_orgs` (an account or org trusted there is not external).
pub fn classify(
    request: &Request,
    after: &Policy,
    own_account: Option<&str>,
    settings: &RuleSettings,
) -> PrincipalClass {
    match &request.principal {
        Caller::Service(_) => PrincipalClass::Service,
        Caller::Federated(_) => PrincipalClass::Federated,
        // A caller named by unique ID is one specific principal whose account the policy does
        // not say: never "anyone". [inf] Its account is unknown, so it counts as another
        // account (the reading that reports more).
        Caller::Aws(v) if !v.starts_with("arn:") && caller_account(request).is_none() => {
            PrincipalClass::External
        }
        Caller::Aws(_) => match caller_account(request) {
            Some(a) if Some(a.as_str()) == own_account => PrincipalClass::SameAccount,
            Some(a) if settings.trusted.contains(&a) => PrincipalClass::Trusted,
            _ if in_trusted_org(request, &settings.trusted_orgs) => PrincipalClass::Trusted,
            Some(a) if named_in(after, &a) => PrincipalClass::External,
            _ => PrincipalClass::Public,
        },
    }
}
