//! Combining statements into the trust result and the final decision (SEMANTICS §2.2–§2.4,
//! §9.3), with a trace that says why each statement did or did not apply.

use super::action::action_matches;
use super::condition::{condition_holds, explain_failure, tick};
use super::principal::{principal_matches, CallerInfo, CallerRef, MatchKind, PrincipalMatch};
use super::request::Request;
use super::{Decision, Evaluation, StatementTrace, TrustResult};
use crate::policy::{Effect, Policy, PrincipalMode, Statement};

fn trust_of(kind: MatchKind) -> TrustResult {
    match kind {
        MatchKind::Direct => TrustResult::AllowDirect,
        MatchKind::Account => TrustResult::AllowAccount,
    }
}

/// The principal part of "does this statement apply", when it does (`None` otherwise).
fn statement_applies<'p>(
    policy: &Policy,
    statement: &'p Statement,
    request: &Request,
    info: &CallerInfo<'_>,
    action: &str,
) -> Option<PrincipalMatch<'p>> {
    if !action_matches(&statement.actions, action) {
        return None;
    }
    let matched = principal_matches(&statement.principals, info)?;
    statement
        .conditions
        .iter()
        .all(|c| condition_holds(c, statement.effect, policy.version, request))
        .then_some(matched)
}

/// [`trust_for_action`] with the caller already read: a search that asks many questions about
/// one request reads its ARNs once. `info` must be `CallerInfo::new(request)`.
pub fn trust_for_action_with(
    policy: &Policy,
    request: &Request,
    info: &CallerInfo<'_>,
    action: &str,
) -> TrustResult {
    let mut best = TrustResult::NoMatch;
    for statement in &policy.statements {
        if let Some(matched) = statement_applies(policy, statement, request, info, action) {
            match statement.effect {
                // Any applicable Deny wins (§2.3); nothing can be weaker.
                Effect::Deny => return TrustResult::ExplicitDeny,
                Effect::Allow => best = best.max(trust_of(matched.kind)),
            }
        }
    }
    best
}

/// The trust result for ONE action of the call (§2.3): explicit deny, else the strongest Allow
/// match kind, else no match. `request.action` is still the API action used for the
/// principal/action coupling check (§1.6), so `action` may be a permission-only action such as
/// `sts:TagSession`. No allocation beyond what variable substitution needs.
pub fn trust_for_action(policy: &Policy, request: &Request, action: &str) -> TrustResult {
    trust_for_action_with(policy, request, &CallerInfo::new(request), action)
}

/// Every action the call needs: the API action, then the permission-only ones (§2.1).
fn call_actions(request: &Request) -> impl Iterator<Item = &str> {
    std::iter::once(request.action.as_str()).chain(request.also.iter().map(String::as_str))
}

/// The trust result for the whole call: the weakest per-action result (§9.3).
pub fn trust_for_request(policy: &Policy, request: &Request) -> TrustResult {
    let info = CallerInfo::new(request);
    call_actions(request)
        .map(|a| trust_for_action_with(policy, request, &info, a))
        .min()
        .unwrap_or(TrustResult::NoMatch)
}

/// The final decision from the trust result (§9.3, §2.4).
///
/// [inf] When the caller's account or the role's account cannot be read (a unique-ID caller
/// without `aws:PrincipalAccount`, an unreadable role ARN), the caller is treated as being in
/// the role's account: the reading that grants more (a direct grant then needs no
/// `caller_allows`).
pub fn decide(request: &Request, trust: TrustResult) -> Decision {
    decide_with(&CallerInfo::new(request), trust, request.caller_allows)
}

/// [`decide`] with the caller already read (`info` is `CallerInfo::new` of the request) and
/// the request's `caller_allows` given apart, so a search can try both answers on one request.
pub fn decide_with(info: &CallerInfo<'_>, trust: TrustResult, caller_allows: bool) -> Decision {
    let allowed = match trust {
        TrustResult::ExplicitDeny | TrustResult::NoMatch => false,
        TrustResult::AllowDirect | TrustResult::AllowAccount => match info.caller {
            CallerRef::Aws(_) => {
                let same_account = match (info.account, info.role_account) {
                    (Some(caller), Some(role)) => caller == role,
                    _ => true,
                };
                if same_account {
                    trust == TrustResult::AllowDirect || caller_allows
                } else {
                    caller_allows
                }
            }
            // Services and web-identity / SAML callers have no identity side to consult.
            CallerRef::Service(_) | CallerRef::Federated(_) => trust == TrustResult::AllowDirect,
        },
    };
    if allowed {
        Decision::Allow
    } else {
        Decision::Deny
    }
}

/// Evaluate the whole call and explain every statement.
pub fn evaluate(policy: &Policy, request: &Request) -> Evaluation {
    let info = CallerInfo::new(request);
    let actions: Vec<&str> = call_actions(request).collect();
    let trust = call_trust(policy, request, &info);
    let statements = policy
        .statements
        .iter()
        .map(|s| trace_statement(policy, s, request, &info, &actions))
        .collect();
    Evaluation {
        trust,
        decision: decide_with(&info, trust, request.caller_allows),
        statements,
    }
}

/// The decision for the whole call and which statements matched, as [`evaluate`] gives them,
/// without writing the trace's sentences: for callers that only act on the outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub trust: TrustResult,
    pub decision: Decision,
    /// `(index, matched)` per statement, as in [`Evaluation::statements`].
    pub statements: Vec<(usize, bool)>,
}

/// [`evaluate`] without the explanations.
pub fn evaluate_outcome(policy: &Policy, request: &Request) -> Outcome {
    let info = CallerInfo::new(request);
    let actions: Vec<&str> = call_actions(request).collect();
    let trust = call_trust(policy, request, &info);
    let statements = policy
        .statements
        .iter()
        .map(|s| {
            (
                s.index,
                statement_matched(policy, s, request, &info, &actions),
            )
        })
        .collect();
    Outcome {
        trust,
        decision: decide_with(&info, trust, request.caller_allows),
        statements,
    }
}

/// The call's final decision alone (what [`evaluate`] decides).
pub fn decision(policy: &Policy, request: &Request) -> Decision {
    let info = CallerInfo::new(request);
    decide_with(
        &info,
        call_trust(policy, request, &info),
        request.caller_allows,
    )
}

/// The trust policy's answer for the whole call: the most restrictive over its actions.
fn call_trust(policy: &Policy, request: &Request, info: &CallerInfo<'_>) -> TrustResult {
    call_actions(request)
        .map(|a| trust_for_action_with(policy, request, info, a))
        .min()
        .unwrap_or(TrustResult::NoMatch)
}

/// [`StatementTrace::matched`] as [`trace_statement`] decides it.
fn statement_matched(
    policy: &Policy,
    statement: &Statement,
    request: &Request,
    info: &CallerInfo<'_>,
    actions: &[&str],
) -> bool {
    if principal_matches(&statement.principals, info).is_none() {
        return false;
    }
    let covered = actions
        .iter()
        .filter(|a| action_matches(&statement.actions, a))
        .count();
    if covered == 0 {
        return false;
    }
    let holds = statement
        .conditions
        .iter()
        .all(|c| condition_holds(c, statement.effect, policy.version, request));
    if !holds {
        return false;
    }
    match statement.effect {
        Effect::Allow => covered == actions.len(),
        Effect::Deny => true,
    }
}

fn kind_word(kind: MatchKind) -> &'static str {
    match kind {
        MatchKind::Direct => "direct",
        MatchKind::Account => "account-level",
    }
}

fn trace_statement(
    policy: &Policy,
    statement: &Statement,
    request: &Request,
    info: &CallerInfo<'_>,
    actions: &[&str],
) -> StatementTrace {
    let mut parts: Vec<String> = Vec::new();

    let principal = principal_matches(&statement.principals, info);
    let caller = format!(
        "{} {}",
        request.principal.type_name(),
        tick(request.principal.value())
    );
    parts.push(match (&principal, statement.principals.mode) {
        (Some(m), _) => match m.entry {
            Some(e) => format!(
                "principal {} {} names the caller ({})",
                e.kind.as_str(),
                tick(&e.value),
                kind_word(m.kind)
            ),
            None => "caller not listed in NotPrincipal (direct)".to_string(),
        },
        (None, _) if !info.can_match => format!(
            "caller {caller} cannot match via {} (principal type, action or partition mismatch)",
            tick(&request.action)
        ),
        (None, PrincipalMode::NotPrincipal) => format!("caller {caller} listed in NotPrincipal"),
        (None, PrincipalMode::Principal) => {
            // Say why an ARN with a wildcard did not match: IAM never expands one (§1.4).
            match statement
                .principals
                .entries
                .iter()
                .find(|e| e.value != "*" && e.value.contains(['*', '?']))
            {
                Some(e) => format!(
                    "no principal entry names {caller} ({} has a wildcard and matches nothing)",
                    tick(&e.value)
                ),
                None => format!("no principal entry names {caller}"),
            }
        }
    });

    let (covered, uncovered): (Vec<&str>, Vec<&str>) = actions
        .iter()
        .copied()
        .partition(|a| action_matches(&statement.actions, a));
    let ticks = |xs: &[&str]| {
        let noun = if xs.len() == 1 { "action" } else { "actions" };
        let list = xs.iter().map(|a| tick(a)).collect::<Vec<_>>().join(", ");
        format!("{noun} {list}")
    };
    if !covered.is_empty() {
        parts.push(format!("{} covered", ticks(&covered)));
    }
    if !uncovered.is_empty() {
        parts.push(format!("{} not covered", ticks(&uncovered)));
    }

    let failed = statement
        .conditions
        .iter()
        .find(|c| !condition_holds(c, statement.effect, policy.version, request));
    match failed {
        Some(c) => parts.push(format!(
            "condition {} {} fails: {}",
            c.operator_raw,
            tick(&c.key),
            explain_failure(c, statement.effect, policy.version, request)
        )),
        None if !statement.conditions.is_empty() => parts.push("conditions hold".to_string()),
        None => {}
    }

    let applies_to_some = principal.is_some() && failed.is_none() && !covered.is_empty();
    // An Allow counts only when it covers every action of the call; a Deny that applies to any
    // one of them denies the whole call.
    let matched = match statement.effect {
        Effect::Allow => applies_to_some && uncovered.is_empty(),
        Effect::Deny => applies_to_some,
    };
    StatementTrace {
        index: statement.index,
        sid: statement.sid.clone(),
        effect: statement.effect.to_string(),
        matched,
        reason: parts.join("; "),
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use crate::eval::request::{test_request, Caller, ContextValue};
    use crate::policy::parse_policy;

    /// The trace-free evaluation must agree with the full one on every field it gives.
    #[test]
    fn outcome_agrees_with_the_trace() {
        let policies = [
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":["sts:AssumeRole","sts:TagSession"]}]}"#,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:*","Condition":{"StringEquals":{"sts:ExternalId":"x"}}},{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:TagSession"}]}"#,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:user/bob"},"Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/alice"},"NotAction":"sts:SetContext"}]}"#,
        ];
        let mut requests = Vec::new();
        for also in [vec![], vec!["sts:TagSession".to_string()]] {
            for ctx in [
                vec![],
                vec![("sts:ExternalId", ContextValue::Single("x".into()))],
            ] {
                for caller_allows in [true, false] {
                    let mut r = test_request(&ctx);
                    r.also = also.clone();
                    r.caller_allows = caller_allows;
                    requests.push(r.clone());
                    r.principal = Caller::Aws("arn:aws:iam::222222222222:user/eve".into());
                    requests.push(r);
                }
            }
        }
        for text in policies {
            let policy = parse_policy(text).unwrap();
            for r in &requests {
                let full = evaluate(&policy, r);
                let brief = evaluate_outcome(&policy, r);
                assert_eq!(brief.trust, full.trust);
                assert_eq!(brief.decision, full.decision);
                assert_eq!(decision(&policy, r), full.decision);
                let traced: Vec<(usize, bool)> = full
                    .statements
                    .iter()
                    .map(|t| (t.index, t.matched))
                    .collect();
                assert_eq!(brief.statements, traced, "{text} {r:?}");
            }
        }
    }
}
