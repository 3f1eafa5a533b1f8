//! The trust-policy model every other module reads: a parsed, normalised policy document.
//!
//! The parser (`parse.rs`) builds it from text; the evaluator, the comparator and the rules only
//! ever see this model, never raw JSON, so they all share one reading of a policy.

use std::fmt;

/// `Version` of a policy. A missing `Version` means `2008-10-17` (SEMANTICS §1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    /// `2008-10-17` or no `Version`: `${...}` is literal text.
    V2008,
    /// `2012-10-17`: policy variables are substituted.
    V2012,
}

/// A parsed trust policy.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Policy {
    pub version: Version,
    /// The `Version` string as written, if any.
    pub version_raw: Option<String>,
    pub id: Option<String>,
    /// Statements in document order (duplicate `Statement` keys are concatenated).
    pub statements: Vec<Statement>,
    /// Constructs IAM refuses or warns about; each becomes a finding, the policy is still evaluated.
    pub issues: Vec<PolicyIssue>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
    Allow,
    Deny,
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Statement {
    /// Position in `Policy::statements`.
    pub index: usize,
    /// JSON pointer of the statement in the original document (`/Statement/0`, or `/Statement`).
    pub pointer: String,
    pub sid: Option<String>,
    pub effect: Effect,
    pub principals: Principals,
    pub actions: Actions,
    /// `Resource` / `NotResource` as written: `None` when the statement has neither (every
    /// valid trust policy). Trust evaluation never reads it (the resource is the role); the
    /// identity-policy classification does.
    pub resources: Option<Resources>,
    /// Every (operator, key) pair of the `Condition` block, in document order. All must hold.
    pub conditions: Vec<Condition>,
}

impl Statement {
    /// True when `text` (an account's digits, say) appears in one of the statement's
    /// principals or condition values.
    pub fn mentions(&self, text: &str) -> bool {
        self.principals
            .entries
            .iter()
            .any(|e| e.value.contains(text))
            || self
                .conditions
                .iter()
                .any(|c| c.values.iter().any(|v| v.contains(text)))
    }
}

/// Whether a statement names its principals with `Principal` or `NotPrincipal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalMode {
    Principal,
    /// Invalid in trust policies; evaluated as "every principal not listed" (SEMANTICS §1.5).
    NotPrincipal,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Principals {
    pub mode: PrincipalMode,
    /// Empty when the statement has no principal element at all (matches nothing).
    pub entries: Vec<PrincipalEntry>,
}

/// The key of a principal map entry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalType {
    Aws,
    Service,
    Federated,
    CanonicalUser,
    /// Any other key, kept as written; matches nothing.
    Other(String),
}

impl PrincipalType {
    /// The key as IAM spells it.
    pub fn as_str(&self) -> &str {
        match self {
            PrincipalType::Aws => "AWS",
            PrincipalType::Service => "Service",
            PrincipalType::Federated => "Federated",
            PrincipalType::CanonicalUser => "CanonicalUser",
            PrincipalType::Other(s) => s,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PrincipalEntry {
    pub kind: PrincipalType,
    /// The value as written (a JSON number is kept as its text).
    pub value: String,
    /// JSON pointer of the value in the original document.
    pub pointer: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionMode {
    Action,
    NotAction,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Actions {
    pub mode: ActionMode,
    /// Patterns as written; matching is case-insensitive with `*` and `?`.
    pub patterns: Vec<String>,
}

/// `Resource` or `NotResource` patterns (case-sensitive, `*` and `?`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Resources {
    /// True for `NotResource`: the statement covers every resource not listed.
    pub not: bool,
    pub patterns: Vec<String>,
}

/// `ForAllValues:` / `ForAnyValue:` prefix of a condition operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    ForAllValues,
    ForAnyValue,
}

/// The base condition operator, without set prefix and `IfExists` suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BaseOp {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

impl BaseOp {
    pub const ALL: [BaseOp; 27] = [
        BaseOp::StringEquals,
        BaseOp::StringNotEquals,
        BaseOp::StringEqualsIgnoreCase,
        BaseOp::StringNotEqualsIgnoreCase,
        BaseOp::StringLike,
        BaseOp::StringNotLike,
        BaseOp::NumericEquals,
        BaseOp::NumericNotEquals,
        BaseOp::NumericLessThan,
        BaseOp::NumericLessThanEquals,
        BaseOp::NumericGreaterThan,
        BaseOp::NumericGreaterThanEquals,
        BaseOp::DateEquals,
        BaseOp::DateNotEquals,
        BaseOp::DateLessThan,
        BaseOp::DateLessThanEquals,
        BaseOp::DateGreaterThan,
        BaseOp::DateGreaterThanEquals,
        BaseOp::Bool,
        BaseOp::BinaryEquals,
        BaseOp::IpAddress,
        BaseOp::NotIpAddress,
        BaseOp::ArnEquals,
        BaseOp::ArnLike,
        BaseOp::ArnNotEquals,
        BaseOp::ArnNotLike,
        BaseOp::Null,
    ];

    /// The operator's canonical name.
    pub fn name(self) -> &'static str {
        match self {
            BaseOp::StringEquals => "StringEquals",
            BaseOp::StringNotEquals => "StringNotEquals",
            BaseOp::StringEqualsIgnoreCase => "StringEqualsIgnoreCase",
            BaseOp::StringNotEqualsIgnoreCase => "StringNotEqualsIgnoreCase",
            BaseOp::StringLike => "StringLike",
            BaseOp::StringNotLike => "StringNotLike",
            BaseOp::NumericEquals => "NumericEquals",
            BaseOp::NumericNotEquals => "NumericNotEquals",
            BaseOp::NumericLessThan => "NumericLessThan",
            BaseOp::NumericLessThanEquals => "NumericLessThanEquals",
            BaseOp::NumericGreaterThan => "NumericGreaterThan",
            BaseOp::NumericGreaterThanEquals => "NumericGreaterThanEquals",
            BaseOp::DateEquals => "DateEquals",
            BaseOp::DateNotEquals => "DateNotEquals",
            BaseOp::DateLessThan => "DateLessThan",
            BaseOp::DateLessThanEquals => "DateLessThanEquals",
            BaseOp::DateGreaterThan => "DateGreaterThan",
            BaseOp::DateGreaterThanEquals => "DateGreaterThanEquals",
            BaseOp::Bool => "Bool",
            BaseOp::BinaryEquals => "BinaryEquals",
            BaseOp::IpAddress => "IpAddress",
            BaseOp::NotIpAddress => "NotIpAddress",
            BaseOp::ArnEquals => "ArnEquals",
            BaseOp::ArnLike => "ArnLike",
            BaseOp::ArnNotEquals => "ArnNotEquals",
            BaseOp::ArnNotLike => "ArnNotLike",
            BaseOp::Null => "Null",
        }
    }

    /// Negated operators: true on a missing key, NOR over several values (SEMANTICS §4.1).
    pub fn is_negated(self) -> bool {
        matches!(
            self,
            BaseOp::StringNotEquals
                | BaseOp::StringNotEqualsIgnoreCase
                | BaseOp::StringNotLike
                | BaseOp::NumericNotEquals
                | BaseOp::DateNotEquals
                | BaseOp::NotIpAddress
                | BaseOp::ArnNotEquals
                | BaseOp::ArnNotLike
        )
    }

    /// Operators whose values may hold `${...}` policy variables (SEMANTICS §4.2, §4.5).
    pub fn takes_variables(self) -> bool {
        matches!(
            self,
            BaseOp::StringEquals
                | BaseOp::StringNotEquals
                | BaseOp::StringEqualsIgnoreCase
                | BaseOp::StringNotEqualsIgnoreCase
                | BaseOp::StringLike
                | BaseOp::StringNotLike
                | BaseOp::ArnEquals
                | BaseOp::ArnLike
                | BaseOp::ArnNotEquals
                | BaseOp::ArnNotLike
                | BaseOp::Bool
        )
    }
}

/// A condition operator as parsed from its name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Operator {
    Known {
        set: Option<SetQualifier>,
        base: BaseOp,
        if_exists: bool,
    },
    /// A name IAM does not know (the policy is invalid). Evaluated as granting the most access:
    /// true inside an Allow, false inside a Deny (the conservative reading).
    Unknown,
}

/// One `operator: { key: values }` pair of a `Condition` block.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Condition {
    pub operator: Operator,
    /// The operator name as written.
    pub operator_raw: String,
    /// The condition key as written (matching is case-insensitive).
    pub key: String,
    /// Values as written; JSON numbers and booleans are kept as their text.
    pub values: Vec<String>,
    /// JSON pointer of the key in the original document
    /// (`/Statement/0/Condition/StringEquals/sts:ExternalId`).
    pub pointer: String,
}

/// What is wrong with a policy that IAM would refuse or flag. Each becomes a finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PolicyIssue {
    pub kind: IssueKind,
    /// JSON pointer of the offending element.
    pub pointer: String,
    /// One sentence for a reviewer.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IssueKind {
    /// The same key twice in one JSON object (IAM rejects new policies with duplicates).
    DuplicateKey,
    /// `"Principal": "*"` as a bare string.
    BarePrincipalStar,
    /// `NotPrincipal` in a trust policy.
    NotPrincipal,
    /// `Resource` / `NotResource` in a trust policy.
    Resource,
    /// `*` or `?` inside a principal ARN or account ID.
    WildcardInPrincipal,
    /// A principal value IAM would not accept (not an ARN, ID, service or provider).
    InvalidPrincipal,
    /// A condition operator IAM does not know, or `Null` with `IfExists`.
    UnknownOperator,
    /// A `Version` other than `2008-10-17` / `2012-10-17`.
    UnknownVersion,
    /// An element IAM does not know, or both `Principal` and `NotPrincipal` (etc.).
    UnknownElement,
    /// No `Principal` in a statement.
    MissingPrincipal,
    /// Lint-level: empty value array, `ForAllValues` on a single-valued key, multi-valued key
    /// without a set operator, wildcard in `StringEquals`, ... Not refused by IAM.
    Warning,
}

impl IssueKind {
    /// True when IAM refuses the policy on save (the `trust-policy-invalid` rule); false for
    /// lint-level warnings.
    pub fn is_invalid(self) -> bool {
        !matches!(self, IssueKind::Warning)
    }
}
