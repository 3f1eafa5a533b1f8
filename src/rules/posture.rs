//! What posture rules share: when they apply, the outsider search they ask, and how its answer
//! becomes a finding.
//!
//! Posture rules judge the after state of created and imported roles, and of every role with
//! `--all`. On a change to an existing role the regression rules speak instead: a removed
//! ExternalId is reported once, as `external-id-removed`, not again as a posture problem.
//!
//! A posture rule never reads which condition keys a policy names: it asks the exposure search
//! (`compare::exposure`) whether some request that an outsider can make is allowed, and
//! reports that request as its witness. What an outsider controls is described there.

use super::{words, Draft, RoleInput, RuleMeta, Side};
use crate::compare::exposure::{self, Ours, Outsider};
use crate::compare::{values::CALLER_KEYS, CompareError, Witness};
use crate::eval::Request;
use crate::policy::Policy;

/// The after policy when posture rules judge this role: a created or imported role, or any
/// role with `--all`.
pub fn judged<'a>(input: &RoleInput<'a>) -> Option<&'a Policy> {
    let after = input.after.policy()?;
    let created = matches!(input.before, Side::Nobody) || input.change.importing;
    (created || input.settings.all).then_some(after)
}

/// The accounts that are ours: the role's own (when known) and the trusted ones.
pub fn our_accounts(input: &RoleInput<'_>) -> Vec<String> {
    let mut accounts: Vec<String> = input.own_account.iter().cloned().collect();
    accounts.extend(input.settings.trusted.iter().cloned());
    accounts
}

/// Ask the exposure search; a search that hits a bound is reported as `analysis-incomplete`
/// (fail closed) and answers `None`.
pub fn search(
    input: &RoleInput<'_>,
    policy: &Policy,
    outsider: Outsider<'_>,
    out: &mut Vec<Draft>,
) -> Option<Witness> {
    let accounts = our_accounts(input);
    let ours = Ours {
        accounts: &accounts,
        orgs: &input.settings.trusted_orgs,
    };
    match exposure::exposure(policy, outsider, ours, input.role_arn) {
        Ok(found) => found,
        Err(CompareError::Incomplete { reason }) => {
            let message = format!(
                "the role's exposure could not be fully analysed ({reason}); review it by hand"
            );
            if !out.iter().any(|d| d.message == message) {
                out.push(Draft::new(super::analysis_incomplete::meta(), message));
            }
            None
        }
    }
}

/// A finding for an exposure witness, pointing at the statement that grants it.
pub fn draft(meta: &'static RuleMeta, policy: &Policy, witness: Witness, message: String) -> Draft {
    let mut d = Draft::new(meta, message);
    d.after_pointer = policy
        .statements
        .get(witness.after_statement)
        .map(|s| s.pointer.clone());
    d.witness = Some(witness.request);
    d
}

/// What the request carries beyond its identity, in words: " with `k` = `v`, ..." (empty when
/// it carries nothing else).
pub fn context_suffix(request: &Request) -> String {
    let parts: Vec<String> = request
        .context
        .iter()
        .filter(|(k, _)| !CALLER_KEYS.contains(&k.to_ascii_lowercase().as_str()))
        .map(|(k, v)| words::key_value(k, v))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" with {}", parts.join(", "))
    }
}

/// The outsider's call in words: "calling sts:AssumeRole with `k` = `v`, ..." or "... with no
/// condition key the policy tests".
pub fn presented(request: &Request) -> String {
    let actions = words::actions(request);
    match context_suffix(request) {
        suffix if suffix.is_empty() => {
            format!("calling {actions} with no condition key the policy tests")
        }
        suffix => format!("calling {actions}{suffix}"),
    }
}
