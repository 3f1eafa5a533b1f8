//! `trust-breaks-consumer`: the new trust turns away something in the plan that assumes the
//! role today (a service that runs it, an IRSA service account, another role, a provider
//! configuration), and what callers must now send that they did not before.
//!
//! What callers must now send needs only the two policies, so the per-role analysis says it.
//! Who is turned away needs the whole plan (who runs as the role), so that is said only in
//! the pass after the read (`analysis::apply_plan_facts`), which runs only for roles the plan
//! says something about: a plan of many roles pays for the whole-plan pass only where it
//! matters.

use super::{Draft, RoleInput, Rule, RuleKind, RuleMeta};
use crate::compare::granted;
use crate::eval::{explain_denied, Caller, ContextValue, Request};
use crate::finding::Severity;
use crate::permissions::{Consumer, RoleFacts};
use crate::policy::{BaseOp, Condition, Effect, Operator, Policy, PrincipalMode, PrincipalType};
use std::collections::BTreeMap;

pub struct TrustBreaksConsumer;

static META: RuleMeta = RuleMeta {
    id: "trust-breaks-consumer",
    kind: RuleKind::Regression,
    default_severity: Severity::Medium,
    summary: "the new trust turns away a consumer in the plan (a service, service account, role or provider that assumes the role)",
};

use crate::permissions::{CHAINING_LIMIT, ROLE_CONSUMER_LIMIT};

impl Rule for TrustBreaksConsumer {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>) {
        match input.plan_facts {
            Some(facts) => check_facts(input, facts, out),
            None => {
                if let (Some(before), Some(after)) = (input.before.policy(), input.after.policy()) {
                    new_requirements(before, after, None, out);
                }
            }
        }
    }
}

fn request(role: &str, action: &str, principal: Caller, context: Vec<(String, String)>) -> Request {
    Request {
        role: role.to_string(),
        action: action.to_string(),
        also: Vec::new(),
        principal,
        caller_allows: true,
        context: context
            .into_iter()
            .map(|(k, v)| (k, ContextValue::Single(v)))
            .collect::<BTreeMap<_, _>>(),
    }
}

/// A draft about one consumer or requirement (told apart in the fingerprint).
fn about(subject: &str, message: String) -> Draft {
    let mut d = Draft::new(&META, message);
    d.subject = Some(subject.to_string());
    d
}

/// Some Allow statement names the caller for the call's action, whatever its conditions say.
fn names(policy: &Policy, req: &Request) -> bool {
    let info = crate::eval::CallerInfo::new(req);
    policy.statements.iter().any(|s| {
        s.effect == Effect::Allow
            && crate::eval::action::action_matches(&s.actions, &req.action)
            && crate::eval::principal::principal_matches(&s.principals, &info).is_some()
    })
}

/// Why the new trust denies the request, in a few words: the evaluator's smallest fix.
fn why_denied(after: &Policy, req: &Request) -> String {
    explain_denied(after, req)
        .into_iter()
        .next()
        .unwrap_or_else(|| "the new trust denies it".to_string())
}

fn check_facts(input: &RoleInput<'_>, facts: &RoleFacts, out: &mut Vec<Draft>) {
    let Some(after) = input.after.policy() else {
        return;
    };
    if let Some(before) = input.before.policy() {
        // The same policy turns no one away: the consumers of a plan's unchanged roles are
        // not judged one by one.
        if before != after {
            for consumer in &facts.consumers {
                broken(input, before, after, consumer, out);
            }
            unjudged(facts.unjudged_role_consumers, out);
        }
        new_requirements(before, after, Some(facts), out);
    }
    chaining(input, after, facts, out);
}

/// Says how many roles that may assume the role were not judged against its new trust
/// (beyond `ROLE_CONSUMER_LIMIT`): the report must not read as if they had been.
fn unjudged(count: usize, out: &mut Vec<Draft>) {
    if count == 0 {
        return;
    }
    let mut d = about(
        "roles beyond the judged",
        format!(
            "{count} more role{} of the plan may assume this role by {} own policies; the first {ROLE_CONSUMER_LIMIT} (by address) were judged against the new trust, {} not: check that the new trust still admits those that need it",
            if count == 1 { "" } else { "s" },
            if count == 1 { "its" } else { "their" },
            if count == 1 { "this one" } else { "these" },
        ),
    );
    d.severity = Severity::Info;
    out.push(d);
}

/// A consumer the old trust admitted and the new one does not.
fn broken(
    input: &RoleInput<'_>,
    before: &Policy,
    after: &Policy,
    consumer: &Consumer,
    out: &mut Vec<Draft>,
) {
    let role = input.role_arn;
    match consumer {
        Consumer::Service {
            address,
            service,
            also,
            arn,
        } => {
            let mut context = Vec::new();
            if let Some(account) = &input.own_account {
                context.push(("aws:SourceAccount".to_string(), account.clone()));
            }
            if let Some(arn) = arn {
                context.push(("aws:SourceArn".to_string(), arn.clone()));
            }
            let mut req = request(
                role,
                "sts:AssumeRole",
                Caller::Service((*service).to_string()),
                context,
            );
            req.also = also.iter().map(|a| (*a).to_string()).collect();
            let lost = (granted(before, &req) && !granted(after, &req))
                || (names(before, &req) && !names(after, &req));
            if lost {
                out.push(about(
                    address,
                    format!(
                        "`{address}` runs as this role through `{service}`, which the new trust no longer admits ({}): it will get AccessDenied",
                        why_denied(after, &req)
                    ),
                ));
            }
        }
        Consumer::ServiceAccount {
            address,
            namespace,
            name,
        } => {
            let sub = format!("system:serviceaccount:{namespace}:{name}");
            for provider in eks_providers(before) {
                let Some(issuer) = provider.split_once(":oidc-provider/").map(|(_, i)| i) else {
                    continue;
                };
                let req = request(
                    role,
                    "sts:AssumeRoleWithWebIdentity",
                    Caller::Federated(provider.clone()),
                    vec![
                        (format!("{issuer}:sub"), sub.clone()),
                        (format!("{issuer}:aud"), "sts.amazonaws.com".to_string()),
                    ],
                );
                if granted(before, &req) && !granted(after, &req) {
                    out.push(about(
                        address,
                        format!(
                            "the Kubernetes service account `{namespace}/{name}` (`{address}`) is bound to this role, but its token's `sub` (`{sub}`) no longer matches the new trust ({}): its pods will get AccessDenied",
                            why_denied(after, &req)
                        ),
                    ));
                    break;
                }
            }
        }
        Consumer::Role { address, arn } => {
            let mut context = vec![("aws:PrincipalArn".to_string(), arn.clone())];
            if let Some(a) = crate::eval::principal::parse_arn(arn) {
                context.push(("aws:PrincipalAccount".to_string(), a.account.to_string()));
            }
            let req = request(role, "sts:AssumeRole", Caller::Aws(arn.clone()), context);
            if granted(before, &req) && !granted(after, &req) {
                out.push(about(
                    address,
                    format!(
                        "the role `{address}` may assume this role by its own policy, but the new trust no longer admits it ({}): its calls will get AccessDenied",
                        why_denied(after, &req)
                    ),
                ));
            }
        }
        // Providers are judged by what they send (`new_requirements`).
        Consumer::Provider { .. } => {}
    }
}

/// The EKS OIDC providers an Allow statement of the policy names.
fn eks_providers(policy: &Policy) -> Vec<String> {
    let mut out: Vec<String> = policy
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
        .flat_map(|s| s.principals.entries.iter())
        .filter(|e| {
            e.kind == PrincipalType::Federated && e.value.contains(":oidc-provider/oidc.eks.")
        })
        .map(|e| e.value.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The guards a caller must now meet, by key family.
const REQUIREMENTS: &[(&str, &[&str])] = &[
    ("external-id", &["sts:ExternalId"]),
    (
        "mfa",
        &["aws:MultiFactorAuthPresent", "aws:MultiFactorAuthAge"],
    ),
    ("org", &["aws:PrincipalOrgID", "aws:PrincipalOrgPaths"]),
];

/// The conditions of Allow statements on one of `keys`.
fn allow_conditions_on<'p>(
    policy: &'p Policy,
    keys: &'p [&'p str],
) -> impl Iterator<Item = &'p Condition> + 'p {
    policy
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
        .flat_map(|s| s.conditions.iter())
        .filter(|c| keys.iter().any(|k| c.key.eq_ignore_ascii_case(k)))
}

/// Conditions of Allow statements on one of `keys` that a request without the key fails: a
/// positive operator without `IfExists`, or `Null` = false.
fn requiring<'p>(policy: &'p Policy, keys: &'p [&'p str]) -> Vec<&'p Condition> {
    allow_conditions_on(policy, keys)
        .filter(|c| match c.operator {
            Operator::Known {
                base: BaseOp::Null, ..
            } => c.values.iter().any(|v| v.eq_ignore_ascii_case("false")),
            Operator::Known {
                base, if_exists, ..
            } => !if_exists && !base.is_negated(),
            Operator::Unknown => false,
        })
        .collect()
}

/// Whether the policy's Allow statements test any of `keys` at all.
fn mentions(policy: &Policy, keys: &[&str]) -> bool {
    allow_conditions_on(policy, keys).next().is_some()
}

/// New ExternalId, MFA or organization requirements: what callers must now send (info), and
/// the provider configurations in the plan that do not send it (a break).
/// Without `facts` (the per-role analysis), what callers must now send; with them (the pass
/// after the read), which provider configurations of the plan do not send it.
fn new_requirements(
    before: &Policy,
    after: &Policy,
    facts: Option<&RoleFacts>,
    out: &mut Vec<Draft>,
) {
    for (family, keys) in REQUIREMENTS {
        let required = requiring(after, keys);
        let Some(first) = required.first() else {
            continue;
        };
        if mentions(before, keys) {
            continue;
        }
        let mut values: Vec<String> = required.iter().flat_map(|c| c.values.clone()).collect();
        values.sort();
        values.dedup();
        let example = values
            .iter()
            .find(|v| !v.contains(['*', '?', '$']))
            .cloned()
            .unwrap_or_else(|| "VALUE".to_string());
        let Some(facts) = facts else {
            let mut info = about(family, message(family, &values, &example));
            info.severity = Severity::Info;
            info.after_pointer = Some(first.pointer.clone());
            out.push(info);
            continue;
        };
        let providers: Vec<(&str, bool, Option<&str>)> = facts
            .consumers
            .iter()
            .filter_map(|c| match c {
                Consumer::Provider {
                    provider,
                    has_external_id,
                    external_id,
                } => Some((provider.as_str(), *has_external_id, external_id.as_deref())),
                _ => None,
            })
            .collect();

        for (provider, has_external_id, sent) in providers {
            let problem = match *family {
                "external-id" if !has_external_id => Some(format!(
                    "the provider configuration `{provider}` assumes this role without `external_id`: add `external_id = \"{example}\"` to its `assume_role` block, or its plans and applies will get AccessDenied"
                )),
                "external-id" => match sent {
                    Some(v)
                        if !values.iter().any(|p| crate::eval::glob::like(p, v)) =>
                    {
                        Some(format!(
                            "the provider configuration `{provider}` sends `external_id` `{v}`, which the new condition ({}) does not accept: its plans and applies will get AccessDenied",
                            super::words::quoted(&values)
                        ))
                    }
                    _ => None,
                },
                "mfa" => Some(format!(
                    "the provider configuration `{provider}` assumes this role, and a provider's `assume_role` block cannot present an MFA code: its plans and applies will get AccessDenied"
                )),
                _ => None,
            };
            if let Some(message) = problem {
                let mut d = about(&format!("provider {provider}"), message);
                d.after_pointer = Some(first.pointer.clone());
                out.push(d);
            }
        }
    }
}

/// What a caller of `family`'s new requirement must now send, and how.
fn message(family: &str, values: &[String], example: &str) -> String {
    match family {
        "external-id" => format!(
            "callers must now send `sts:ExternalId` ({}): AWS CLI `aws sts assume-role --external-id {example} ...`, SDK `ExternalId=\"{example}\"`, Terraform provider `assume_role {{ external_id = \"{example}\" }}`",
            super::words::quoted(values)
        ),
        "mfa" => "callers must now sign in with MFA: AWS CLI `--serial-number` and `--token-code` (or `mfa_serial` in the profile), SDK `SerialNumber` and `TokenCode`; Terraform cannot prompt for a code, so run it with session credentials from `aws sts get-session-token --serial-number ... --token-code ...`".to_string(),
        _ => format!(
            "callers must now belong to the organization ({}): there is nothing to send, a caller outside it gets AccessDenied",
            super::words::quoted(values)
        ),
    }
}

/// A role only other roles can assume, with sessions longer than role chaining allows.
fn chaining(input: &RoleInput<'_>, after: &Policy, facts: &RoleFacts, out: &mut Vec<Draft>) {
    let Some(duration) = facts.max_session_duration.filter(|d| *d > CHAINING_LIMIT) else {
        return;
    };
    let changed = input
        .change
        .actions
        .iter()
        .any(|a| a != "no-op" && a != "read");
    if !changed && !input.settings.all {
        return;
    }
    let allows: Vec<_> = after
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
        .collect();
    let only_roles = !allows.is_empty()
        && allows.iter().all(|s| {
            s.principals.mode == PrincipalMode::Principal
                && !s.principals.entries.is_empty()
                && s.principals.entries.iter().all(|e| {
                    e.kind == PrincipalType::Aws
                        && (e.value.contains(":role/") || e.value.contains(":assumed-role/"))
                })
        });
    if only_roles {
        let mut d = Draft::new(
            &META,
            format!(
                "`max_session_duration` is {duration} s, but only roles are trusted, so every session comes from role chaining, which AWS limits to one hour: a caller asking for more than 3600 s gets an error"
            ),
        );
        d.severity = Severity::Low;
        out.push(d);
    }
}
