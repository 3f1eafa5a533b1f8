//! Why a request is denied, in the words a developer fixing an AccessDenied acts on: per action
//! the call needs, the smallest change that lets it through (the statement closest to
//! allowing it and what it lacks: the principal, the action, each condition that failed with
//! the value the request carried), and the caller-side permission a cross-account or
//! account-level grant also needs.

use super::action::action_matches;
use super::condition::{condition_holds, explain_failure, tick};
use super::evaluate::{decide_with, trust_for_action_with};
use super::principal::{principal_matches, CallerInfo, CallerRef};
use super::request::Request;
use super::{Decision, TrustResult};
use crate::policy::{BaseOp, Condition, Effect, Operator, Policy, PrincipalMode, Statement};

/// Every action the call needs: the API action, then the permission-only ones.
fn call_actions(request: &Request) -> Vec<&str> {
    std::iter::once(request.action.as_str())
        .chain(request.also.iter().map(String::as_str))
        .collect()
}

/// What one Allow statement lacks to grant one action: one sentence per missing piece.
fn gaps(
    policy: &Policy,
    statement: &Statement,
    request: &Request,
    info: &CallerInfo<'_>,
    action: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    let at = statement_name(statement);
    if principal_matches(&statement.principals, info).is_none() {
        out.push(principal_gap(statement, request, info, &at));
    }
    if !action_matches(&statement.actions, action) {
        out.push(format!(
            "{at} does not cover the action {}: add it to the statement's `Action`",
            tick(action)
        ));
    }
    for c in statement
        .conditions
        .iter()
        .filter(|c| !condition_holds(c, statement.effect, policy.version, request))
    {
        out.push(format!(
            "{at}: condition {} {} is not met ({}): {}",
            c.operator_raw,
            tick(&c.key),
            explain_failure(c, statement.effect, policy.version, request),
            condition_fix(c)
        ));
    }
    out
}

pub(crate) fn statement_name(statement: &Statement) -> String {
    match &statement.sid {
        Some(sid) => format!("statement {} ({sid})", statement.index),
        None => format!("statement {}", statement.index),
    }
}

fn principal_gap(
    statement: &Statement,
    request: &Request,
    info: &CallerInfo<'_>,
    at: &str,
) -> String {
    let caller = format!(
        "{} {}",
        request.principal.type_name(),
        tick(request.principal.value())
    );
    if !info.can_match {
        return format!(
            "a {} caller cannot assume a role with {}: call {} instead",
            request.principal.type_name(),
            tick(&request.action),
            match info.caller {
                CallerRef::Aws(_) | CallerRef::Service(_) => "`sts:AssumeRole`",
                CallerRef::Federated(f) if f.contains(":saml-provider/") => {
                    "`sts:AssumeRoleWithSAML`"
                }
                CallerRef::Federated(_) => "`sts:AssumeRoleWithWebIdentity`",
            }
        );
    }
    if statement.principals.mode == PrincipalMode::NotPrincipal {
        return format!("{at} excludes {caller} in its `NotPrincipal`: remove it from that list");
    }
    let named: Vec<String> = statement
        .principals
        .entries
        .iter()
        .take(4)
        .map(|e| format!("{} {}", e.kind.as_str(), tick(&e.value)))
        .collect();
    let names = if named.is_empty() {
        "nobody".to_string()
    } else {
        named.join(", ")
    };
    format!(
        "{at} does not name the caller: add {caller} to its `Principal` (it names {names}), or \
         call as a principal it names"
    )
}

/// What the caller sends (or the policy author changes) so a failed condition holds.
fn condition_fix(c: &Condition) -> String {
    let Operator::Known { base, .. } = c.operator else {
        return "the operator is not one IAM knows: correct its name".to_string();
    };
    let key = c.key.to_ascii_lowercase();
    let values = || {
        let shown: Vec<String> = c.values.iter().take(4).map(|v| tick(v)).collect();
        format!("[{}]", shown.join(", "))
    };
    if base.is_negated() || base == BaseOp::Null {
        return format!(
            "the request must not carry the value(s) {} this condition excludes",
            values()
        );
    }
    let hint = match key.as_str() {
        "sts:externalid" => {
            " (AWS CLI `--external-id`; SDK `ExternalId`; Terraform provider `assume_role { external_id = ... }`)"
        }
        "aws:multifactorauthpresent" | "aws:multifactorauthage" => {
            " (call with an MFA session: AWS CLI `--serial-number` and `--token-code`, or a profile with `mfa_serial`)"
        }
        "sts:rolesessionname" => " (AWS CLI `--role-session-name`; Terraform `session_name`)",
        "sts:sourceidentity" => " (AWS CLI `--source-identity`)",
        "aws:principalorgid" | "aws:principalorgpaths" | "aws:principalaccount" => {
            " (the caller must belong to that organization or account; the trust policy cannot be satisfied from elsewhere)"
        }
        _ => "",
    };
    format!(
        "the request must carry {} with a value that satisfies {} {}{hint}",
        tick(&c.key),
        c.operator_raw,
        values()
    )
}

/// For a request the policy denies, the smallest change that allows it, one sentence per step;
/// empty when the request is allowed.
pub fn explain_denied(policy: &Policy, request: &Request) -> Vec<String> {
    let info = CallerInfo::new(request);
    let actions = call_actions(request);
    let trusts: Vec<(&str, TrustResult)> = actions
        .iter()
        .map(|a| (*a, trust_for_action_with(policy, request, &info, a)))
        .collect();
    let trust = trusts
        .iter()
        .map(|(_, t)| *t)
        .min()
        .unwrap_or(TrustResult::NoMatch);
    if decide_with(&info, trust, request.caller_allows) == Decision::Allow {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (action, result) in &trusts {
        match result {
            TrustResult::ExplicitDeny => {
                for s in policy.statements.iter().filter(|s| {
                    s.effect == Effect::Deny
                        && action_matches(&s.actions, action)
                        && principal_matches(&s.principals, &info).is_some()
                        && s.conditions
                            .iter()
                            .all(|c| condition_holds(c, s.effect, policy.version, request))
                }) {
                    out.push(format!(
                        "{} (Deny) applies to {}: an explicit Deny wins over every Allow; \
                         remove or narrow that statement, or change the request so one of its \
                         conditions no longer holds",
                        statement_name(s),
                        tick(action)
                    ));
                }
            }
            TrustResult::NoMatch => {
                // The Allow statement that needs the fewest changes; the first on a tie.
                let best = policy
                    .statements
                    .iter()
                    .filter(|s| s.effect == Effect::Allow)
                    .map(|s| gaps(policy, s, request, &info, action))
                    .filter(|g| !g.is_empty())
                    .min_by_key(Vec::len);
                match best {
                    Some(steps) => out.extend(steps),
                    None => out.push(format!(
                        "no Allow statement grants {}: add one that names the caller",
                        tick(action)
                    )),
                }
            }
            TrustResult::AllowAccount | TrustResult::AllowDirect => {}
        }
    }
    if out.is_empty() {
        // The trust policy allows the call; the caller's own side does not.
        out.push(caller_side(request, &info, trust));
    } else if !request.caller_allows && matches!(info.caller, CallerRef::Aws(_)) {
        let cross = matches!((info.account, info.role_account), (Some(c), Some(r)) if c != r);
        if cross {
            out.push(caller_side(request, &info, TrustResult::AllowDirect));
        }
    }
    out
}

/// The caller-side permission the call also needs.
fn caller_side(request: &Request, info: &CallerInfo<'_>, trust: TrustResult) -> String {
    let actions = call_actions(request)
        .into_iter()
        .map(tick)
        .collect::<Vec<_>>()
        .join(", ");
    let cross = matches!((info.account, info.role_account), (Some(c), Some(r)) if c != r);
    let why = if cross {
        "a cross-account call needs both the trust policy and the caller's own identity policy"
    } else if trust == TrustResult::AllowAccount {
        "the trust policy names the account, not the caller, so the caller's own identity \
         policy must grant the call (or name the caller itself in the trust policy)"
    } else {
        "the caller's own side must grant the call"
    };
    format!(
        "the trust policy allows this call, but {why}: give {} an identity policy that allows \
         {actions} on {}",
        tick(request.principal.value()),
        tick(&request.role)
    )
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use crate::eval::request::{test_request, Caller, ContextValue};
    use crate::policy::parse_policy;

    fn policy(text: &str) -> Policy {
        parse_policy(text).unwrap()
    }

    #[test]
    fn allowed_requests_need_nothing() {
        let p = policy(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"}}"#,
        );
        assert!(explain_denied(&p, &test_request(&[])).is_empty());
    }

    #[test]
    fn a_missing_external_id_names_the_key_the_values_and_the_cli_flag() {
        let p = policy(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"abc"}}}}"#,
        );
        let mut r = test_request(&[]);
        r.principal = Caller::Aws("arn:aws:iam::222222222222:role/ci".into());
        let steps = explain_denied(&p, &r);
        assert_eq!(steps.len(), 1, "{steps:?}");
        assert!(steps[0].contains("`sts:ExternalId` is not met (key absent)"));
        assert!(steps[0].contains("[`abc`]"));
        assert!(steps[0].contains("--external-id"));

        // A wrong value is quoted back.
        let r2 = {
            let mut r2 = r.clone();
            r2.context
                .insert("sts:ExternalId".into(), ContextValue::Single("xyz".into()));
            r2
        };
        let steps = explain_denied(&p, &r2);
        assert!(steps[0].contains("value `xyz` not in [`abc`]"), "{steps:?}");

        // Cross-account with the caller's side missing: both steps.
        let mut r3 = r2.clone();
        r3.caller_allows = false;
        let steps = explain_denied(&p, &r3);
        assert_eq!(steps.len(), 2, "{steps:?}");
        assert!(steps[1].contains("cross-account"));
    }

    #[test]
    fn the_closest_statement_is_chosen_and_a_missing_principal_is_named() {
        let p = policy(
            r#"{"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::333333333333:root"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"StringEquals":{"aws:PrincipalTag/team":"x"}}},
              {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:role/other"},"Action":"sts:AssumeRole"}]}"#,
        );
        let mut r = test_request(&[]);
        r.principal = Caller::Aws("arn:aws:iam::222222222222:role/ci".into());
        let steps = explain_denied(&p, &r);
        assert_eq!(steps.len(), 1, "{steps:?}");
        assert!(steps[0].starts_with(
            "statement 1 does not name the caller: add AWS `arn:aws:iam::222222222222:role/ci`"
        ));
    }

    #[test]
    fn a_missing_session_action_and_an_explicit_deny() {
        let p = policy(
            r#"{"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"},
              {"Sid":"NoEve","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111111111111:user/eve"},"Action":"sts:*"}]}"#,
        );
        let mut r = test_request(&[]);
        r.also = vec!["sts:TagSession".into()];
        let steps = explain_denied(&p, &r);
        assert_eq!(
            steps,
            vec!["statement 0 does not cover the action `sts:TagSession`: add it to the statement's `Action`"]
        );
        r.also.clear();
        r.principal = Caller::Aws("arn:aws:iam::111111111111:user/eve".into());
        let steps = explain_denied(&p, &r);
        assert!(
            steps[0].starts_with("statement 1 (NoEve) (Deny) applies"),
            "{steps:?}"
        );
    }

    #[test]
    fn an_account_grant_without_the_callers_side() {
        let p = policy(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"}}"#,
        );
        let mut r = test_request(&[]);
        r.caller_allows = false;
        let steps = explain_denied(&p, &r);
        assert_eq!(steps.len(), 1);
        assert!(
            steps[0].contains("names the account, not the caller"),
            "{steps:?}"
        );
    }

    #[test]
    fn a_service_calling_with_web_identity_is_told_the_right_action() {
        let p = policy(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}}"#,
        );
        let mut r = test_request(&[]);
        r.principal = Caller::Service("lambda.amazonaws.com".into());
        r.action = "sts:AssumeRoleWithWebIdentity".into();
        let steps = explain_denied(&p, &r);
        assert!(
            steps[0].contains("call `sts:AssumeRole` instead"),
            "{steps:?}"
        );
    }
}
