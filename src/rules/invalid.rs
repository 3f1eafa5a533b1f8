//! `trust-policy-invalid`: constructs IAM refuses in a role trust policy. The policy is still
//! evaluated by their documented meaning; apply would fail, so the gate fails too. Also, at
//! medium, an Allow statement that can never match: no request its principal can make meets
//! its conditions (a misspelled claim key, another provider's claims), so it grants nothing —
//! most likely not what its author meant.

use super::{Draft, RoleInput, Rule, RuleKind, RuleMeta};
use crate::compare::{grants_nothing, realism};
use crate::eval::Caller;
use crate::finding::Severity;
use crate::policy::{Operator, PrincipalMode, PrincipalType, SetQualifier, Statement};

pub struct TrustPolicyInvalid;

static META: RuleMeta = RuleMeta {
    id: "trust-policy-invalid",
    kind: RuleKind::Posture,
    default_severity: Severity::High,
    summary: "the new trust policy uses a construct IAM refuses (NotPrincipal, Resource, bare \"*\", wildcard principal ARN, duplicate keys, unknown operator), or has an Allow statement that can never match",
};

impl Rule for TrustPolicyInvalid {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>) {
        // Only a new document: one IAM already holds unchanged (a no-op) will not be sent to
        // IAM by this plan, so it cannot make apply fail; `--all` judges it anyway.
        let Some(policy) = input.after.policy() else {
            return;
        };
        if !input.settings.all && input.change.before == input.change.after {
            return;
        }
        for issue in policy.issues.iter().filter(|i| i.kind.is_invalid()) {
            let mut draft = Draft::new(&META, issue.message.clone());
            draft.after_pointer = Some(issue.pointer.clone());
            out.push(draft);
        }
        let account = input.own_account.as_deref().unwrap_or("111111111111");
        let role = format!("arn:aws:iam::{account}:role/target");
        for s in &policy.statements {
            if s.conditions.is_empty() || grants_nothing(policy, s.index, &role) != Some(true) {
                continue;
            }
            let (message, pointer) = never_matches(s);
            let mut draft = Draft::new(&META, message);
            draft.severity = Severity::Medium;
            draft.after_pointer = Some(pointer);
            out.push(draft);
        }
    }
}

/// The message and pointer for an Allow statement that can never match, naming the condition
/// key no caller it names ever sends, when there is one.
fn never_matches(s: &Statement) -> (String, String) {
    let callers: Vec<(Caller, &str)> = s
        .principals
        .entries
        .iter()
        .filter(|_| s.principals.mode == PrincipalMode::Principal)
        .filter_map(|e| match e.kind {
            PrincipalType::Federated if e.value.contains(":saml-provider/") => {
                Some((Caller::Federated(e.value.clone()), "sts:AssumeRoleWithSAML"))
            }
            PrincipalType::Federated => Some((
                Caller::Federated(e.value.clone()),
                "sts:AssumeRoleWithWebIdentity",
            )),
            PrincipalType::Service => Some((Caller::Service(e.value.clone()), "sts:AssumeRole")),
            _ => None,
        })
        .collect();
    let missing = s.conditions.iter().find(|c| {
        let required = matches!(
            c.operator,
            Operator::Known { set, base, if_exists: false }
                if set != Some(SetQualifier::ForAllValues) && !base.is_negated()
        );
        required
            && !callers.is_empty()
            && callers
                .iter()
                .all(|(caller, api)| !realism::key_possible(caller, api, &c.key))
    });
    let index = s.index;
    match missing {
        Some(c) => (
            format!(
                "statement {index} can never match: it requires `{}`, which no request from its principal carries, so it grants nothing (check the key's spelling and that it names the provider in `Principal`)",
                c.key
            ),
            c.pointer.clone(),
        ),
        None => (
            format!(
                "statement {index} can never match: no request its principal can make meets its conditions, so it grants nothing"
            ),
            s.pointer.clone(),
        ),
    }
}
