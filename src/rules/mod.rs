//! The rule catalogue: one file per rule, each with its id, default severity and summary next
//! to its code, registered once in `REGISTRY`. Rules read a role's analysed sides and emit
//! drafts; they never read files or decide pass/fail.

mod cross_account_no_guard;
mod invalid;
pub mod oidc;
mod oidc_unpinned;
mod posture;
mod public_trust;
mod replaced;
mod service_no_source_guard;
mod unknown;
mod unparseable;

use crate::eval::Request;
use crate::finding::Severity;
use crate::plan::RoleChange;
use crate::policy::Policy;

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
    Policy(Box<Policy>),
    /// Known only after apply.
    Unknown,
    /// Not a policy: missing, wrong type, not JSON or not a policy document.
    Unparseable {
        pointer: String,
        message: String,
    },
}

impl Side {
    pub fn policy(&self) -> Option<&Policy> {
        match self {
            Side::Policy(p) => Some(p),
            _ => None,
        }
    }
}

/// User settings the rules need (from flags and, later, the config file).
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
}

impl Default for RuleSettings {
    fn default() -> Self {
        RuleSettings {
            unknown: UnknownMode::Warn,
            all: false,
            trusted: Vec::new(),
            own_accounts: Vec::new(),
        }
    }
}

/// Everything a rule may look at for one role.
pub struct RoleInput<'a> {
    pub change: &'a RoleChange,
    pub before: &'a Side,
    pub after: &'a Side,
    pub settings: &'a RuleSettings,
    /// The role's own account: from its ARN in the plan, else from the settings.
    pub own_account: Option<String>,
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
        }
    }
}

pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>);
}

/// Every rule, in the order `trustgate rules` lists them.
pub static REGISTRY: &[&dyn Rule] = &[
    &unparseable::TrustPolicyUnparseable,
    &invalid::TrustPolicyInvalid,
    &unknown::TrustPolicyUnknown,
    &replaced::RoleReplaced,
    &public_trust::PublicTrust,
    &oidc_unpinned::OidcUnpinned,
    &cross_account_no_guard::CrossAccountNoGuard,
    &service_no_source_guard::ServiceNoSourceGuard,
];

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    REGISTRY.iter().copied().find(|r| r.meta().id == id)
}
