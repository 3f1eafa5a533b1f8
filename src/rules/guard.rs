//! What the guard rules share: each reports the witnesses whose cause is a loosened condition
//! of one key family (ExternalId, MFA, organization, source, OIDC claims). A guard rule file
//! only names its family and its words.

use super::cause::{Cause, KeyFamily};
use super::oidc;
use super::{Attributed, Draft, RoleInput, Rule, RuleMeta};
use crate::eval::Caller;
use crate::finding::Severity;

pub struct GuardRule {
    pub meta: &'static RuleMeta,
    pub family: KeyFamily,
    /// The guard in words, for the message when the key is not known (`the MFA requirement`).
    pub guard: &'static str,
    /// A severity other than the default for this role, if the rule has one.
    pub escalate: fn(&RoleInput<'_>) -> Option<Severity>,
}

/// For rules whose severity never changes.
pub fn default_severity(_input: &RoleInput<'_>) -> Option<Severity> {
    None
}

impl Rule for GuardRule {
    fn meta(&self) -> &'static RuleMeta {
        self.meta
    }

    fn claims(&self, a: &Attributed, _input: &RoleInput<'_>) -> bool {
        matches!(&a.cause, Cause::ConditionLoosened { family, .. } if *family == self.family)
    }

    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>) {
        // Escalating may run an exposure search: only for a change this rule reports.
        let severity = std::cell::OnceCell::new();
        input.report_claimed(self.meta, out, |a| {
            let severity = *severity
                .get_or_init(|| (self.escalate)(input).unwrap_or(self.meta.default_severity));
            let guard = match a.key() {
                Some(key) => format!("the `{key}` condition"),
                None => self.guard.to_string(),
            };
            let mut message = format!("{guard} was removed or loosened: now {}", a.phrase(a.key()));
            if self.family == KeyFamily::OidcTenancy {
                if let Some((key, value, what)) = remaining_pin(input, a) {
                    message.push_str(&format!(
                        "; the `{key}` condition still pins {what} to `{value}`"
                    ));
                }
            }
            (severity, message)
        });
    }
}

/// The claim that still pins the tenant in the after statement granting `a`'s witness, when
/// the tenancy claim was loosened but another claim (GitHub's `repository`, ...) remains.
fn remaining_pin(input: &RoleInput<'_>, a: &Attributed) -> Option<(String, String, &'static str)> {
    let Caller::Federated(provider) = &a.witness.request.principal else {
        return None;
    };
    let statement = input
        .after
        .policy()?
        .statements
        .get(a.witness.after_statement)?;
    oidc::remaining_pin(statement, oidc::provider_url(provider))
}
