//! `trust-policy-invalid`: constructs IAM refuses in a role trust policy. The policy is still
//! evaluated by their documented meaning; apply would fail, so the gate fails too. Also, at
//! medium, an Allow statement that can never match: no request its principal can make meets
//! its conditions (a misspelled claim key, another provider's claims), so it grants nothing —
//! most likely not what its author meant.

use super::{Draft, RoleInput, Rule, RuleKind, RuleMeta};
use crate::compare::{allows_any, grants_nothing, realism};
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
        let witnesses = input.comparison.map_or(&[][..], |c| c.witnesses.as_slice());
        for s in &policy.statements {
            // A statement that alone allows one of the change's witnesses (realistic, verified
            // requests) grants something: one evaluation instead of a search of its own, most
            // of this rule's cost on a plan of many changed roles.
            if s.conditions.is_empty()
                || allows_any(policy, s, witnesses.iter().map(|w| &w.request))
                || grants_nothing(policy, s.index, &role) != Some(true)
            {
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

#[cfg(test)]
mod tests {
    use crate::compare::{allows_any, compare, CompareOptions, Witness};
    use crate::policy::{parse_policy, Policy, Statement};

    /// The shortcut only ever says "grants something" of a statement that alone allows one of
    /// the comparison's witnesses: the statement that granted them does, a statement beside it
    /// that can never match (a claim key STS does not send) does not, and neither does any
    /// statement when there are no witnesses.
    #[test]
    fn a_statement_grants_a_witness_only_when_it_alone_allows_one() {
        let provider =
            "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com";
        let statement = |key: &str| {
            format!(
                r#"{{"Effect":"Allow","Principal":{{"Federated":"{provider}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringEquals":{{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:{key}":"repo:acme/app:ref:refs/heads/main"}}}}}}"#
            )
        };
        let after = parse_policy(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{},{}]}}"#,
            statement("sub"),
            statement("subject")
        ))
        .unwrap();
        let nobody = parse_policy(r#"{"Version":"2012-10-17","Statement":[]}"#).unwrap();
        let opts = CompareOptions {
            role_arn: "arn:aws:iam::111111111111:role/deploy".into(),
            ..CompareOptions::default()
        };
        let witnesses = compare(&nobody, &after, &opts).unwrap().witnesses;
        assert!(!witnesses.is_empty());
        let grants_a_witness = |after: &Policy, s: &Statement, witnesses: &[Witness]| {
            allows_any(after, s, witnesses.iter().map(|w| &w.request))
        };
        let [pinned, misspelled] = after.statements.as_slice() else {
            panic!("two statements, parsed as written");
        };
        assert!(grants_a_witness(&after, pinned, &witnesses));
        assert!(!grants_a_witness(&after, misspelled, &witnesses));
        assert!(!grants_a_witness(&after, pinned, &[]));
    }
}
