//! What the plan reader hands to the rest of trustgate: one `Plan` per plan document, with
//! every IAM role whose trust document it carries. Nothing else of the plan is kept.

/// Identity of one plan document, as reported in the JSON output's `plans` array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanInfo {
    /// The path as the user gave it (`-` for standard input); for a file holding several
    /// documents, `path#N` (1-based) for every document.
    pub path: String,
    /// `format_version`, or HCP Terraform's `plan_format_version`; `None` when missing.
    pub format_version: Option<String>,
    pub terraform_version: Option<String>,
    /// `complete` as the plan says (`true` when absent: older formats have no such key).
    pub complete: bool,
    /// Non-fatal notes about the document (missing format_version, ...), one sentence each.
    pub warnings: Vec<String>,
    /// From `configuration`: every module call as (module address without instance keys,
    /// e.g. `module.a.module.b`, and its `source` as written), in plan order. Lets reports
    /// find a role's `resource` block in the `.tf` files (`--source-dir`).
    pub module_sources: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub info: PlanInfo,
    /// Role changes in plan order.
    pub roles: Vec<RoleChange>,
    /// The resources that give roles their permissions or run as them, for the pass after
    /// the read (`crate::permissions`); emptied once that pass has run.
    pub context: super::context::PlanContext,
}

/// The resource types whose trust document trustgate reads (SPEC §1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RoleType {
    /// `aws_iam_role.assume_role_policy` (a JSON string).
    AwsIamRole,
    /// `awscc_iam_role.assume_role_policy_document` (a JSON string or an object).
    AwsccIamRole,
}

impl RoleType {
    pub fn as_str(self) -> &'static str {
        match self {
            RoleType::AwsIamRole => "aws_iam_role",
            RoleType::AwsccIamRole => "awscc_iam_role",
        }
    }

    pub fn attribute(self) -> &'static str {
        match self {
            RoleType::AwsIamRole => "assume_role_policy",
            RoleType::AwsccIamRole => "assume_role_policy_document",
        }
    }
}

/// One side (before or after) of a role's trust document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TrustDoc {
    /// The role does not exist on this side (before of a create, after of a delete).
    Absent,
    /// The role exists but the attribute is missing or null (mangled: fail closed).
    Missing,
    /// Known only after apply (`after_unknown`).
    Unknown,
    /// The policy document's JSON text: a JSON string's content, or the raw text of an object.
    Text(String),
    /// The attribute holds a value of the wrong type (`found` names it: "a number", ...).
    WrongType { found: String },
    /// A `Text` the reader handed to its sink to keep out of memory while the rest of the
    /// plan is read (`RoleSink::stow`); whoever reads the finished plan with that sink
    /// restores it before judging the role.
    Stowed(Stowed),
}

/// Where a sink keeps a stowed trust text (opaque to the reader).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stowed {
    pub at: u64,
    pub len: u32,
}

/// A role's trust change as the plan describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleChange {
    /// Full address, module path and index included (`module.a["x"].aws_iam_role.r[0]`).
    pub address: String,
    /// `previous_address` (a `moved` block), if any.
    pub previous_address: Option<String>,
    pub role_type: RoleType,
    /// The action list exactly as in the plan (unknown values kept as written).
    pub actions: Vec<String>,
    pub action_reason: Option<String>,
    /// True when the change carries an `importing` object.
    pub importing: bool,
    pub before: TrustDoc,
    pub after: TrustDoc,
    /// Whether the trust attribute is marked sensitive on each side (never print it then).
    pub before_sensitive: bool,
    pub after_sensitive: bool,
    /// The role's ARN on each side, when known (gives the role's own account).
    pub arn_before: Option<String>,
    pub arn_after: Option<String>,
    /// From `resource_drift`: the trust document as last applied (`before`) and as it really
    /// is now (`after`), when the drift record for this address changes the trust document.
    pub drift: Option<Box<Drift>>,
    /// The role's IAM `name`, `name_prefix` and `path` on each side, when known: what pairs a
    /// role deleted at one address with the same role created at another.
    pub iam_before: IamName,
    pub iam_after: IamName,
    /// The role's own account as the plan tells it, and which part of the plan told it:
    /// its ARN (set as the entry is read), else the rest of the plan (set once it is read).
    pub own_account: Option<OwnAccount>,
    /// The provider configuration the role belongs to (`provider_config_key` in
    /// `configuration`), when the plan says.
    pub provider: Option<String>,
    /// A created role paired with a role deleted at another address under the same IAM name
    /// (a rename without `moved`, a `for_each` key change): that role's old trust is this
    /// role's before.
    pub paired: Option<Box<Paired>>,
}

/// A role's IAM naming attributes on one side.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IamName {
    // Boxed strings: held for every role of the plan until it is reported (a pointer and a
    // length each, not also a capacity).
    pub name: Option<Box<str>>,
    pub name_prefix: Option<Box<str>>,
    pub path: Option<Box<str>>,
}

/// Which part of the plan (or configuration) decided a role's own account, most direct first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AccountSource {
    /// The role's own ARN.
    RoleArn,
    /// `data.aws_caller_identity` read through the role's provider configuration.
    CallerIdentity,
    /// ARNs and `account_id` values of other resources of the role's provider configuration.
    ProviderResources,
    /// The ARN of the role this one was renamed from (a pair is one role, in one account).
    RenamedRoleArn,
    /// The provider configuration's `assume_role.role_arn`.
    ProviderAssumeRole,
    /// The provider configuration's `allowed_account_ids` (a single account).
    ProviderAllowedAccounts,
    /// `[accounts] own` in trustgate.toml.
    Config,
}

impl AccountSource {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountSource::RoleArn => "role-arn",
            AccountSource::CallerIdentity => "caller-identity",
            AccountSource::ProviderResources => "provider-resources",
            AccountSource::RenamedRoleArn => "renamed-role-arn",
            AccountSource::ProviderAssumeRole => "provider-assume-role",
            AccountSource::ProviderAllowedAccounts => "provider-allowed-account-ids",
            AccountSource::Config => "config",
        }
    }

    /// For reviewers: where the account was read.
    pub fn describe(self) -> &'static str {
        match self {
            AccountSource::RoleArn => "the role's ARN",
            AccountSource::CallerIdentity => "data.aws_caller_identity",
            AccountSource::ProviderResources => "other resources of the same provider",
            AccountSource::RenamedRoleArn => "the ARN of the role it was renamed from",
            AccountSource::ProviderAssumeRole => "the provider's assume_role",
            AccountSource::ProviderAllowedAccounts => "the provider's allowed_account_ids",
            AccountSource::Config => "[accounts] own in trustgate.toml",
        }
    }
}

/// A role's own account and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OwnAccount {
    pub account: String,
    pub source: AccountSource,
}

/// The deleted half of a rename: the address the role leaves and its trust there.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Paired {
    pub address: String,
    pub before: TrustDoc,
    pub before_sensitive: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Drift {
    pub last_applied: TrustDoc,
    pub actual: TrustDoc,
    pub actions: Vec<String>,
}

/// Told of each `resource_changes` role as soon as its entry is read, while the rest of the
/// plan is still being read, so work on it can start early. Advisory only: the `Plan` read
/// in the end is the truth, and a role handed out here may differ from it (drift recorded
/// after the role; the provider, an own account not from its ARN and a rename's pairing,
/// which need the whole document) or never reach it (the document turns out unreadable).
pub trait RoleSink {
    /// Whether to build the changes at all (a sink that ignores them saves the copies).
    fn wants_roles(&self) -> bool {
        true
    }
    /// Role `index` (position in its document's `Plan::roles`) of document `doc` (1-based,
    /// in input order) of the input being read.
    fn role(&mut self, doc: usize, index: usize, change: RoleChange);
    /// Offered each kept role's trust texts before the role is handed to `role`: a sink that
    /// can keep a `Text` elsewhere returns the `Stowed` to hold in its place, so the plan read
    /// holds a few bytes per role instead of its policies (the text itself goes to `role`).
    /// The default keeps them.
    fn stow(&mut self, _doc: &TrustDoc) -> Option<TrustDoc> {
        None
    }
}

/// The sink for callers that only want the finished plans.
pub struct NoSink;

impl RoleSink for NoSink {
    fn wants_roles(&self) -> bool {
        false
    }
    fn role(&mut self, _doc: usize, _index: usize, _change: RoleChange) {}
}
