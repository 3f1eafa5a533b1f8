//! The trust-policy evaluator: does this policy let this request assume the role, and why.
//!
//! Implements SEMANTICS §2–§5 over the model in `crate::policy`. Pure: no I/O, no output.

pub mod action;
pub mod condition;
pub mod evaluate;
pub mod explain;
pub mod glob;
pub mod principal;
pub mod request;
pub mod values;
pub mod variables;

pub use evaluate::{
    decide, decide_with, decision, evaluate, evaluate_outcome, trust_for_action,
    trust_for_action_with, trust_for_request, Outcome,
};
pub use explain::explain_denied;
pub use principal::CallerInfo;
pub use request::{Caller, ContextValue, Request, DEFAULT_ROLE};

use serde::Serialize;

/// The trust policy's result for a request (SEMANTICS §2.3), ordered weakest first so that
/// the result of a call needing several actions is the minimum (§9.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrustResult {
    ExplicitDeny,
    NoMatch,
    AllowAccount,
    AllowDirect,
}

impl TrustResult {
    pub fn as_str(self) -> &'static str {
        match self {
            TrustResult::ExplicitDeny => "explicit_deny",
            TrustResult::NoMatch => "no_match",
            TrustResult::AllowAccount => "allow_account",
            TrustResult::AllowDirect => "allow_direct",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Allow,
    Deny,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Deny => "deny",
        }
    }
}

/// Why one statement did or did not apply to the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementTrace {
    pub index: usize,
    pub sid: Option<String>,
    pub effect: String,
    /// True when the statement decides in its direction: an Allow that applied to every action
    /// the call needs, or a Deny that applied to at least one of them (one denied action denies
    /// the call, §9.3).
    pub matched: bool,
    /// A sentence: which principal entry matched, which action, which condition failed.
    pub reason: String,
}

/// The evaluator's answer for one request (the JSON of SPEC §8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    pub trust: TrustResult,
    pub decision: Decision,
    pub statements: Vec<StatementTrace>,
}
