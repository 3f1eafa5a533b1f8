//! The rule catalogue: one file per rule, each with its id, default severity and summary next
//! to its code, registered once in `REGISTRY`. Rules read a role's analysed sides and emit
//! drafts; they never read files or decide pass/fail.

mod action_widened;
mod analysis_incomplete;
pub mod cause;
pub mod class;
mod condition_value_changed;
mod cross_account_no_guard;
mod deny_removed;
mod external_id_removed;
mod guard;
mod invalid;
mod mfa_removed;
pub mod oidc;
mod oidc_audience_removed;
mod oidc_subject_widened;
mod oidc_unpinned;
mod org_guard_removed;
mod posture;
mod principal_added;
mod principal_broadened;
mod public_trust;
mod replaced;
mod service_no_source_guard;
mod source_guard_removed;
mod trust_breaks_consumer;
mod trust_drifted;
mod trust_widened;
mod unknown;
mod unparseable;
mod words;

use crate::compare::{Comparison, Verdict as CompareVerdict, Witness};
use crate::eval::Request;
use crate::finding::Severity;
use crate::plan::RoleChange;
use crate::policy::{BaseOp, Effect, Operator, Policy};
use cause::Cause;
use class::PrincipalClass;

/// Whether a rule judges a change (before → after) or the after state alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    Regression,
    Posture,
}

/// A rule's identity, as `trustgate rules` lists it.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable kebab-case id.
    pub id: &'static str,
    pub kind: RuleKind,
    pub default_severity: Severity,
    /// One line: what the rule reports.
    pub summary: &'static str,
}

/// One side of a role's trust, as the analysis understood it.
#[derive(Debug, Clone)]
pub enum Side {
    /// The role does not exist on this side.
    Nobody,
    /// Shared: the same text parses to one policy (`analysis::decode_side`).
    Policy(std::sync::Arc<crate::policy::SharedPolicy>),
    /// Known only after apply.
    Unknown,
    /// Not a policy: missing, wrong type, not JSON or not a policy document.
    Unparseable { pointer: String, message: String },
}

impl Side {
    pub fn policy(&self) -> Option<&Policy> {
        match self {
            Side::Policy(p) => Some(p),
            _ => None,
        }
    }
}

/// User settings the rules need (from flags and the config file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownMode {
    Fail,
    Warn,
    Ignore,
}

#[derive(Debug, Clone)]
pub struct RuleSettings {
    pub unknown: UnknownMode,
    /// `--all`: posture rules judge every role, not only created ones and new problems.
    pub all: bool,
    /// Accounts whose principals count as ours (`[accounts] trusted`).
    pub trusted: Vec<String>,
    /// The role's account when the plan does not say (`[accounts] own`).
    pub own_accounts: Vec<String>,
    /// Organizations whose members count as trusted (`[accounts] trusted_orgs`).
    pub trusted_orgs: Vec<String>,
    /// `[[custom]]` rules, run after the built-in ones on every role.
    pub custom: Vec<crate::config::CustomRule>,
}

impl Default for RuleSettings {
    fn default() -> Self {
        RuleSettings {
            unknown: UnknownMode::Warn,
            all: false,
            trusted: Vec::new(),
            own_accounts: Vec::new(),
            trusted_orgs: Vec::new(),
            custom: Vec::new(),
        }
    }
}

/// Everything a rule may look at for one role.
#[derive(Clone)]
pub struct RoleInput<'a> {
    pub change: &'a RoleChange,
    pub before: &'a Side,
    pub after: &'a Side,
    pub settings: &'a RuleSettings,
    /// The role's own account: from its ARN, else from the rest of the plan, else from the
    /// settings; `None` when nothing told it.
    pub own_account: Option<String>,
    /// The role's ARN as the searches reason about it (a stand-in in the own account, or in
    /// an account no policy names, when the plan does not say).
    pub role_arn: &'a str,
    /// Where `own_account` came from.
    pub own_account_source: Option<crate::plan::AccountSource>,
    /// The before → after comparison, when both sides are policies.
    pub comparison: Option<&'a Comparison>,
    /// Why the comparison could not be completed, when it could not.
    pub incomplete: Option<&'a str>,
    /// Every new-access witness with its cause and the rule that claimed it.
    pub attributed: &'a [Attributed],
    /// Drift: the last applied trust, the real one, and new-access witnesses between them.
    pub drift: Option<&'a DriftFacts>,
    /// What the rest of the plan says about the role (its consumers, its permissions): only
    /// in the pass after the read, `None` in the per-role analysis.
    pub plan_facts: Option<&'a crate::permissions::RoleFacts>,
}

/// Rules whose findings say the role can now be assumed by more callers (or stays exposed to
/// them): raised one severity level when whoever assumes the role is admin-equivalent.
pub const RAISED_FOR_ADMIN: &[&str] = &[
    "deny-removed",
    "action-widened",
    "condition-value-changed",
    "external-id-removed",
    "mfa-removed",
    "org-guard-removed",
    "source-guard-removed",
    "oidc-subject-widened",
    "oidc-audience-removed",
    "principal-broadened",
    "principal-added",
    "trust-widened",
    "trust-drifted",
    "public-trust",
    "oidc-unpinned",
    "cross-account-no-guard",
    "service-no-source-guard",
];

/// What the analysis learned about drift of this role's trust.
#[derive(Debug, Clone)]
pub struct DriftFacts {
    /// A request the real (drifted) trust grants and the last applied one did not.
    pub witness: Witness,
    /// True when the plan's new trust still grants that request (the plan keeps the drift).
    pub kept: bool,
}

/// A new-access witness, why it is new, who the caller is, and the rule that reports it.
#[derive(Debug, Clone)]
pub struct Attributed {
    pub witness: Witness,
    pub cause: Cause,
    pub class: PrincipalClass,
    pub rule: Option<&'static str>,
}

impl Attributed {
    /// The condition key behind the cause, when the cause is a condition.
    pub fn key(&self) -> Option<&str> {
        match &self.cause {
            Cause::ConditionLoosened { key, .. } => Some(key),
            _ => None,
        }
    }

    /// The cause's own words, where it has some.
    pub fn detail(&self) -> String {
        match &self.cause {
            Cause::PrincipalBroadened(d) | Cause::Other(d) => d.clone(),
            Cause::ConditionLoosened { key, .. } => {
                format!("the condition on `{key}` was removed or loosened")
            }
            Cause::DenyRemoved => "an explicit Deny was removed or narrowed".into(),
            Cause::ActionWidened => "new session actions are allowed".into(),
            Cause::PrincipalAdded => "a new principal is trusted".into(),
        }
    }

    /// The witness in words.
    pub fn phrase(&self, focus: Option<&str>) -> String {
        words::witness_phrase(&self.witness.request, self.class, focus)
    }
}

impl RoleInput<'_> {
    /// The witness this rule claimed that shows the widest exposure (the simplest such, as
    /// the comparator lists simplest first).
    pub fn claimed(&self, id: &str) -> Option<&Attributed> {
        self.attributed.iter().filter(|a| a.rule == Some(id)).fold(
            None,
            |best: Option<&Attributed>, a| match best {
                Some(b) if b.class.rank() >= a.class.rank() => Some(b),
                _ => Some(a),
            },
        )
    }

    /// Report the first witness claimed by `meta`'s rule (one cause, one finding), with the
    /// severity and message `describe` gives it.
    pub fn report_claimed(
        &self,
        meta: &'static RuleMeta,
        out: &mut Vec<Draft>,
        describe: impl Fn(&Attributed) -> (Severity, String),
    ) {
        let Some(a) = self.claimed(meta.id) else {
            return;
        };
        let (severity, message) = describe(a);
        out.push(self.witness_draft(meta, a, severity, message));
    }

    /// A draft for a witness: pointers to the condition on the cause's key where there is one,
    /// else to the after statement that grants the request.
    pub fn witness_draft(
        &self,
        meta: &'static RuleMeta,
        a: &Attributed,
        severity: Severity,
        message: String,
    ) -> Draft {
        let key_pointer = |policy: Option<&Policy>| {
            let key = a.key()?;
            policy?
                .statements
                .iter()
                .flat_map(|s| s.conditions.iter())
                .find(|c| c.key.eq_ignore_ascii_case(key))
                .map(|c| c.pointer.clone())
        };
        let after = self.after.policy();
        let statement_pointer = after
            .and_then(|p| p.statements.get(a.witness.after_statement))
            .map(|s| s.pointer.clone());
        Draft {
            rule: meta,
            severity,
            message,
            before_pointer: key_pointer(self.before.policy()),
            after_pointer: key_pointer(after).or(statement_pointer),
            witness: Some(a.witness.request.clone()),
            subject: None,
        }
    }

    /// For a witness of an account the policy does not name: the request by which an outsider
    /// really gains access (an unnamed account, with only values it controls), when one
    /// exists; the severity of a public exposure then applies. `None` when the new access
    /// needs something an outsider cannot have (an organization of ours, an ExternalId the
    /// policy names, an MFA session). A search that hits a bound keeps the witness as found
    /// and counts as public: fail closed.
    pub fn public_exposure(&self, a: &Attributed) -> Option<Attributed> {
        if a.class != PrincipalClass::Public {
            return None;
        }
        let after = self.after.policy()?;
        let nobody = Policy {
            version: after.version,
            version_raw: None,
            id: None,
            statements: Vec::new(),
            issues: Vec::new(),
        };
        let before = self.before.policy().unwrap_or(&nobody);
        let accounts = posture::our_accounts(self);
        let ours = crate::compare::exposure::Ours {
            accounts: &accounts,
            orgs: &self.settings.trusted_orgs,
        };
        match crate::compare::exposure::new_exposure(
            before,
            after,
            crate::compare::exposure::Outsider::Anyone,
            ours,
            self.role_arn,
        ) {
            Ok(Some(witness)) => Some(Attributed {
                witness,
                ..a.clone()
            }),
            Ok(None) => None,
            Err(_) => Some(a.clone()),
        }
    }

    /// A claimed witness as a finding reports it: `(witness, public, words)`. When an outsider
    /// really gains access the outsider's own request is reported and `public` is true. A
    /// witness of an unnamed account that needs values an outsider cannot present (an
    /// organization of ours, say) is described with those values, as another account's.
    pub fn reported_exposure(&self, a: &Attributed) -> (Attributed, bool, String) {
        if let Some(public) = self.public_exposure(a) {
            let words = format!(
                "{}{}",
                public.phrase(None),
                posture::context_suffix(&public.witness.request)
            );
            return (public, true, words);
        }
        if a.class == PrincipalClass::Public {
            let mut named = a.clone();
            named.class = PrincipalClass::External;
            let words = format!(
                "{}{} (values an outsider cannot present)",
                named.phrase(None),
                posture::context_suffix(&a.witness.request)
            );
            return (named, false, words);
        }
        (a.clone(), false, a.phrase(None))
    }

    /// The comparison found new and lost access at once.
    pub fn is_lateral(&self) -> bool {
        self.comparison
            .is_some_and(|c| c.verdict == CompareVerdict::Lateral)
    }

    /// True when the values of `key` were swapped literal for literal: both sides test the key
    /// with equality operators only, on non-wildcard values, and the value sets differ.
    pub fn literal_swap(&self, key: &str) -> bool {
        let literals = |policy: Option<&Policy>| -> Option<Vec<String>> {
            let mut values = Vec::new();
            for c in policy?
                .statements
                .iter()
                .filter(|s| s.effect == Effect::Allow)
                .flat_map(|s| s.conditions.iter())
                .filter(|c| c.key.eq_ignore_ascii_case(key))
            {
                let literal_op = matches!(
                    c.operator,
                    Operator::Known {
                        set: None,
                        base: BaseOp::StringEquals | BaseOp::ArnEquals,
                        if_exists: false,
                    }
                );
                if !literal_op || c.values.iter().any(|v| v.contains(['*', '?'])) {
                    return None;
                }
                values.extend(c.values.iter().cloned());
            }
            values.sort();
            values.dedup();
            (!values.is_empty()).then_some(values)
        };
        match (
            literals(self.before.policy()),
            literals(self.after.policy()),
        ) {
            (Some(b), Some(a)) => a != b && a.len() == b.len(),
            _ => false,
        }
    }

    /// A shared OIDC issuer in the new policy lets a tenant the policy does not name assume
    /// the role (the exposure search; a search that hits a bound counts as yes: fail closed).
    pub fn after_has_unpinned_shared_issuer(&self) -> bool {
        let Some(policy) = self.after.policy() else {
            return false;
        };
        let accounts = posture::our_accounts(self);
        let ours = crate::compare::exposure::Ours {
            accounts: &accounts,
            orgs: &self.settings.trusted_orgs,
        };
        oidc_unpinned::shared_providers(policy)
            .into_iter()
            .any(|(provider, issuer)| {
                !matches!(
                    crate::compare::exposure::exposure(
                        policy,
                        oidc_unpinned::tenant(provider, issuer),
                        ours,
                        self.role_arn
                    ),
                    Ok(None)
                )
            })
    }

    /// An Allow in the new policy grants every session-shaping action, as `sts:*` or `*`
    /// does: `sts:TagSession`, `sts:SetSourceIdentity` and `sts:SetContext` besides an
    /// assume action, however it is written (`NotAction` included).
    pub fn after_allows_every_sts_action(&self) -> bool {
        const ASSUME: [&str; 3] = [
            "sts:AssumeRole",
            "sts:AssumeRoleWithWebIdentity",
            "sts:AssumeRoleWithSAML",
        ];
        self.after.policy().is_some_and(|p| {
            p.statements.iter().any(|s| {
                s.effect == Effect::Allow
                    && ASSUME
                        .iter()
                        .any(|a| crate::eval::action::action_matches(&s.actions, a))
                    && crate::compare::search::EXTRA_ACTIONS
                        .iter()
                        .all(|a| crate::eval::action::action_matches(&s.actions, a))
            })
        })
    }
}

/// Two findings on one role never contradict each other: a statement noted as one that can
/// never match (a medium `trust-policy-invalid`) grants nothing, so a posture finding that
/// points into that same statement (say, "trusted without pinning its tenancy claim") is
/// dropped.
pub fn drop_contradicted(drafts: &mut Vec<Draft>) {
    let never: Vec<String> = drafts
        .iter()
        .filter(|d| d.rule.id == "trust-policy-invalid" && d.severity == Severity::Medium)
        .filter_map(|d| d.after_pointer.as_deref())
        .map(|p| match p.find("/Condition") {
            Some(at) => p.get(..at).unwrap_or(p).to_string(),
            None => p.to_string(),
        })
        .collect();
    if never.is_empty() {
        return;
    }
    drafts.retain(|d| {
        let inside = d.after_pointer.as_deref().is_some_and(|p| {
            never.iter().any(|s| {
                p == s.as_str()
                    || (p.starts_with(s.as_str())
                        && p.get(s.len()..s.len().saturating_add(1)) == Some("/"))
            })
        });
        !(inside && d.rule.kind == RuleKind::Posture && d.rule.id != "trust-policy-invalid")
    });
}

/// What a rule emits; the pipeline adds plan, address and fingerprint.
#[derive(Debug, Clone)]
pub struct Draft {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    pub message: String,
    pub before_pointer: Option<String>,
    pub after_pointer: Option<String>,
    pub witness: Option<Request>,
    /// What tells this finding apart from another of the same rule on the same role when
    /// the pointers cannot (the consumer a change turns away): part of the fingerprint.
    pub subject: Option<String>,
}

impl Draft {
    pub fn new(rule: &'static RuleMeta, message: impl Into<String>) -> Draft {
        Draft {
            rule,
            severity: rule.default_severity,
            message: message.into(),
            before_pointer: None,
            after_pointer: None,
            witness: None,
            subject: None,
        }
    }
}

pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;

    /// Whether this rule explains a new-access witness. Witnesses go to the first rule in
    /// `REGISTRY` order that claims them, so more specific rules come first.
    fn claims(&self, _witness: &Attributed, _input: &RoleInput<'_>) -> bool {
        false
    }

    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>);
}

/// Every rule, in the order `trustgate rules` lists them. Regression rules come first, most
/// specific first: a witness goes to the first rule that claims it, `trust-widened` last.
pub static REGISTRY: &[&dyn Rule] = &[
    &deny_removed::DenyRemoved,
    &action_widened::ActionWidened,
    &condition_value_changed::ConditionValueChanged,
    &external_id_removed::EXTERNAL_ID_REMOVED,
    &mfa_removed::MFA_REMOVED,
    &org_guard_removed::ORG_GUARD_REMOVED,
    &source_guard_removed::SOURCE_GUARD_REMOVED,
    &oidc_subject_widened::OIDC_SUBJECT_WIDENED,
    &oidc_audience_removed::OIDC_AUDIENCE_REMOVED,
    &principal_broadened::PrincipalBroadened,
    &principal_added::PrincipalAdded,
    &trust_widened::TrustWidened,
    &replaced::RoleReplaced,
    &trust_drifted::TrustDrifted,
    &trust_breaks_consumer::TrustBreaksConsumer,
    &public_trust::PublicTrust,
    &oidc_unpinned::OidcUnpinned,
    &cross_account_no_guard::CrossAccountNoGuard,
    &service_no_source_guard::ServiceNoSourceGuard,
    &invalid::TrustPolicyInvalid,
    &unparseable::TrustPolicyUnparseable,
    &unknown::TrustPolicyUnknown,
    &analysis_incomplete::AnalysisIncomplete,
];

/// The rule that claims a witness: the first in registry order.
pub fn claim(a: &Attributed, input: &RoleInput<'_>) -> Option<&'static str> {
    REGISTRY
        .iter()
        .find(|r| r.claims(a, input))
        .map(|r| r.meta().id)
}

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    REGISTRY.iter().copied().find(|r| r.meta().id == id)
}
