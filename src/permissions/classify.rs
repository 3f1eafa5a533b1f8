//! What one identity policy lets its holder do, in five classes a reviewer reads at a glance:
//! admin-equivalent, power-user, data-read, other, unknown.
//!
//! Identity policies are read by the trust-policy parser (`crate::policy`), which keeps
//! `Action`/`NotAction`, `Resource`/`NotResource` and conditions. Conditions are kept, not
//! evaluated: a conditional Allow counts as granted, and Deny statements are not subtracted.
//! Both are the conservative reading (they report more access): a gate that under-reports an
//! admin role's blast radius would lower a severity it should raise.

use crate::eval::action::action_matches;
use crate::eval::glob::like;
use crate::policy::{parse_policy, Effect, Policy, Resources, Statement};
use serde::Serialize;

/// A permission class, ordered from least to most a holder can do; `Unknown` ranks below
/// admin-equivalent (it may be anything) and above what is known to be less.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PermissionClass {
    /// Permissions that fit none of the classes below.
    Other,
    /// Reads data on every resource of a data service (`s3:GetObject` on `*`, secrets, ...).
    DataRead,
    /// Every action of a service, or of every service but some, on every resource, without
    /// the IAM writes that grant more.
    PowerUser,
    /// A policy the plan does not hold (an ARN of a policy outside the plan, a value known
    /// only after apply), or one that cannot be read.
    Unknown,
    /// Everything, or an IAM write by which the holder grants itself more.
    AdminEquivalent,
}

impl PermissionClass {
    pub const ALL: [PermissionClass; 5] = [
        PermissionClass::Other,
        PermissionClass::DataRead,
        PermissionClass::PowerUser,
        PermissionClass::Unknown,
        PermissionClass::AdminEquivalent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PermissionClass::Other => "other",
            PermissionClass::DataRead => "data-read",
            PermissionClass::PowerUser => "power-user",
            PermissionClass::Unknown => "unknown",
            PermissionClass::AdminEquivalent => "admin-equivalent",
        }
    }
}

/// IAM writes by which a principal grants itself (or a principal it controls) more: attaching
/// or writing a policy, a new default policy version, rewriting a trust policy, joining a
/// group.
const GRANT_ACTIONS: &[&str] = &[
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:PutRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:AddUserToGroup",
];

/// IAM resources of an account the policy does not name: a pattern that matches one of these
/// reaches IAM resources it does not pin.
const IAM_SAMPLES: &[&str] = &[
    "arn:aws:iam::000000000000:role/trustgate-any",
    "arn:aws:iam::000000000000:user/trustgate-any",
    "arn:aws:iam::000000000000:group/trustgate-any",
    "arn:aws:iam::000000000000:policy/trustgate-any",
];

/// A role of an account no policy names.
const ANY_ROLE: &str = "arn:aws:iam::000000000000:role/trustgate-any";

/// Reads that return data, each with a resource no policy names: matching it means "on every
/// resource".
const DATA_READS: &[(&str, &str)] = &[
    ("s3:GetObject", "arn:aws:s3:::trustgate-any-bucket/any-key"),
    (
        "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:us-east-1:000000000000:secret:trustgate-any",
    ),
    (
        "ssm:GetParameter",
        "arn:aws:ssm:us-east-1:000000000000:parameter/trustgate-any",
    ),
    (
        "dynamodb:GetItem",
        "arn:aws:dynamodb:us-east-1:000000000000:table/trustgate-any",
    ),
    (
        "kms:Decrypt",
        "arn:aws:kms:us-east-1:000000000000:key/trustgate-any",
    ),
    (
        "rds-db:connect",
        "arn:aws:rds-db:us-east-1:000000000000:dbuser:trustgate-any/any",
    ),
];

/// An action of a service no pattern names on purpose: a statement that allows it allows
/// every service but those it lists.
const ANY_SERVICE: &str = "trustgatenoservice:AnyAction";
const ANY_RESOURCE: &str = "arn:aws:trustgatenoservice:us-east-1:000000000000:any/trustgate";

/// Services a `SERVICE:*` grant on every resource makes a power user of.
const SERVICE_PROBES: &[(&str, &str)] = &[
    ("s3:*", "arn:aws:s3:::trustgate-any-bucket"),
    ("ec2:*", "arn:aws:ec2:us-east-1:000000000000:instance/i-0"),
    (
        "lambda:*",
        "arn:aws:lambda:us-east-1:000000000000:function:trustgate-any",
    ),
    (
        "dynamodb:*",
        "arn:aws:dynamodb:us-east-1:000000000000:table/trustgate-any",
    ),
    (
        "kms:*",
        "arn:aws:kms:us-east-1:000000000000:key/trustgate-any",
    ),
    (
        "secretsmanager:*",
        "arn:aws:secretsmanager:us-east-1:000000000000:secret:trustgate-any",
    ),
    (
        "rds:*",
        "arn:aws:rds:us-east-1:000000000000:db:trustgate-any",
    ),
    (
        "ecs:*",
        "arn:aws:ecs:us-east-1:000000000000:cluster/trustgate-any",
    ),
    (
        "eks:*",
        "arn:aws:eks:us-east-1:000000000000:cluster/trustgate-any",
    ),
    ("sts:*", "arn:aws:iam::000000000000:role/trustgate-any"),
];

/// Does the statement's resource element cover `sample`? A statement without one (invalid in
/// an identity policy) covers everything: the reading that grants more (and, for the roles a
/// caller may assume, that reports more callers).
pub(super) fn covers(resources: Option<&Resources>, sample: &str) -> bool {
    match resources {
        None => true,
        Some(r) => {
            let listed = r.patterns.iter().any(|p| like(p, sample));
            listed != r.not
        }
    }
}

/// Whether `resources` covers every resource whatever its ARN (no resources named, or `*`
/// among them): `covers` then says yes to any sample, so a caller asked about every role of a
/// plan is answered once.
pub(super) fn covers_everything(resources: Option<&Resources>) -> bool {
    resources.is_none_or(|r| !r.not && r.patterns.iter().any(|p| p == "*"))
}

/// The class one Allow statement gives, with the action that decided it.
fn statement_class(s: &Statement) -> (PermissionClass, String) {
    let res = s.resources.as_ref();
    if action_matches(&s.actions, ANY_SERVICE)
        && action_matches(&s.actions, "iam:PutRolePolicy")
        && covers(res, ANY_RESOURCE)
        && IAM_SAMPLES.iter().all(|r| covers(res, r))
    {
        return (
            PermissionClass::AdminEquivalent,
            "allows every action on every resource".to_string(),
        );
    }
    // Resources first: most statements pin theirs, and that answers in a few comparisons.
    let unpinned_iam = IAM_SAMPLES.iter().any(|r| covers(res, r));
    for action in GRANT_ACTIONS.iter().filter(|_| unpinned_iam) {
        if action_matches(&s.actions, action) {
            return (
                PermissionClass::AdminEquivalent,
                format!("allows `{action}` on IAM resources it does not pin"),
            );
        }
    }
    // Passing any role of an account it does not pin: `*`, or `arn:aws:iam::*:role/*`.
    if covers(res, ANY_ROLE) && action_matches(&s.actions, "iam:PassRole") {
        return (
            PermissionClass::AdminEquivalent,
            "allows `iam:PassRole` on every role".to_string(),
        );
    }
    if covers(res, ANY_RESOURCE) && action_matches(&s.actions, ANY_SERVICE) {
        return (
            PermissionClass::PowerUser,
            "allows the actions of every service it does not exclude on every resource".to_string(),
        );
    }
    for (probe, sample) in SERVICE_PROBES {
        // Most statements pin their resources: ask that first, it costs no allocation.
        if !covers(res, sample) {
            continue;
        }
        // `svc:*` written as such, or a pattern covering it: test an action name no real
        // service has, inside that service.
        let service = probe.trim_end_matches(":*");
        let any_action = format!("{service}:TrustgateAnyAction");
        if action_matches(&s.actions, &any_action) {
            return (
                PermissionClass::PowerUser,
                format!("allows `{probe}` on every resource"),
            );
        }
    }
    for (action, sample) in DATA_READS {
        if covers(res, sample) && action_matches(&s.actions, action) {
            return (
                PermissionClass::DataRead,
                format!("allows `{action}` on every resource"),
            );
        }
    }
    (PermissionClass::Other, String::new())
}

/// The class an identity policy gives its holder and why (empty for `Other`).
pub fn classify_policy(policy: &Policy) -> (PermissionClass, String) {
    policy
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
        // Named only when they count: most statements of a plan's policies are `other`.
        .filter_map(|s| {
            let (class, why) = statement_class(s);
            (class != PermissionClass::Other).then(|| {
                let at = crate::eval::explain::statement_name(s);
                (class, format!("{at} {why}"))
            })
        })
        // The highest class; the first statement that gives it.
        .fold(
            None,
            |best: Option<(PermissionClass, String)>, next| match best {
                Some(b) if b.0 >= next.0 => Some(b),
                _ => Some(next),
            },
        )
        .unwrap_or((PermissionClass::Other, String::new()))
}

/// What one identity policy document gives its holder, kept instead of its text: the plan
/// reader classifies each document as it reads it and drops the text (plans hold thousands).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyFacts {
    pub class: PermissionClass,
    /// Why it has its class, in a few words (empty for `other`).
    pub why: String,
    /// The resource element of each Allow statement that allows `sts:AssumeRole` (`None`: the
    /// statement has none, read as every resource): which roles its holder may assume.
    pub assume: Vec<Option<Resources>>,
}

/// Classify a policy document as the plan carries it: its JSON text, or `None` when the value
/// is not a string (known only after apply, or of another type). Unreadable and unknown
/// documents are `unknown`, never a pass.
pub fn read_policy(text: Option<&str>) -> PolicyFacts {
    let Some(text) = text else {
        return PolicyFacts {
            class: PermissionClass::Unknown,
            why: "the policy document is known only after apply".to_string(),
            assume: Vec::new(),
        };
    };
    match parse_policy(text) {
        Ok(policy) => {
            let (class, why) = classify_policy(&policy);
            let assume = policy
                .statements
                .iter()
                .filter(|s| {
                    s.effect == Effect::Allow && action_matches(&s.actions, "sts:AssumeRole")
                })
                .map(|s| s.resources.clone())
                .collect();
            PolicyFacts { class, why, assume }
        }
        Err(e) => PolicyFacts {
            class: PermissionClass::Unknown,
            why: format!("the policy cannot be read: {e}"),
            assume: Vec::new(),
        },
    }
}

/// The class of a policy named only by its ARN: AWS managed policies whose content is known
/// by name; `None` for any other (the plan must hold its document).
pub fn managed_class(arn: &str) -> Option<(PermissionClass, &'static str)> {
    let name = after_first(arn.strip_prefix("arn:")?, ":iam::aws:policy/")?;
    // Job-function policies live under `job-function/`; the name is the last part.
    let name = name.rsplit('/').next().unwrap_or(name);
    let class = match name {
        "AdministratorAccess" | "IAMFullAccess" | "AWSOrganizationsFullAccess" => {
            PermissionClass::AdminEquivalent
        }
        "PowerUserAccess"
        | "AmazonS3FullAccess"
        | "AmazonEC2FullAccess"
        | "AWSLambda_FullAccess"
        | "AmazonDynamoDBFullAccess"
        | "SecretsManagerReadWrite"
        | "AmazonRDSFullAccess"
        | "SystemAdministrator"
        | "DatabaseAdministrator"
        | "NetworkAdministrator"
        | "DataScientist" => PermissionClass::PowerUser,
        "ReadOnlyAccess"
        | "AmazonS3ReadOnlyAccess"
        | "AmazonDynamoDBReadOnlyAccess"
        | "AmazonSSMReadOnlyAccess" => PermissionClass::DataRead,
        _ => return Some((PermissionClass::Other, "an AWS managed policy")),
    };
    Some((class, "an AWS managed policy known by name"))
}

/// What follows the first `pat` in `s` (`s.split_once(pat)`'s second part), for a `pat` that
/// starts with `:`: only the colons are tried, each found by a byte search, where the general
/// substring search set itself up anew for every ARN of a large plan.
fn after_first<'a>(s: &'a str, pat: &str) -> Option<&'a str> {
    let mut from = 0usize;
    loop {
        let at = from.checked_add(s.get(from..)?.find(':')?)?;
        if let Some(rest) = s.get(at..).and_then(|t| t.strip_prefix(pat)) {
            return Some(rest);
        }
        from = at.checked_add(1)?;
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use crate::policy::parse_policy;

    #[test]
    fn covering_everything_is_covering_every_sample() {
        let resources = |not: bool, patterns: &[&str]| Resources {
            not,
            patterns: patterns.iter().map(|p| p.to_string()).collect(),
        };
        let samples = [
            "arn:aws:iam::111111111111:role/a",
            "arn:aws:iam::222222222222:role/path/b",
            "arn:aws:iam::111111111111:role/é",
            "",
        ];
        let cases = [
            (None, true),
            (Some(resources(false, &["*"])), true),
            (
                Some(resources(false, &["arn:aws:iam::1:role/x", "*"])),
                true,
            ),
            (Some(resources(true, &["*"])), false),
            (Some(resources(false, &["arn:aws:iam::*:role/*"])), false),
            (
                Some(resources(true, &["arn:aws:iam::111111111111:role/a"])),
                false,
            ),
        ];
        for (r, everything) in cases {
            assert_eq!(covers_everything(r.as_ref()), everything, "{r:?}");
            if everything {
                assert!(samples.iter().all(|s| covers(r.as_ref(), s)), "{r:?}");
            } else {
                assert!(!samples.iter().all(|s| covers(r.as_ref(), s)), "{r:?}");
            }
        }
    }

    fn class(statements: &str) -> PermissionClass {
        let text = format!(r#"{{"Version":"2012-10-17","Statement":{statements}}}"#);
        classify_policy(&parse_policy(&text).unwrap()).0
    }

    #[test]
    fn everything_on_everything_is_admin() {
        assert_eq!(
            class(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#),
            PermissionClass::AdminEquivalent
        );
        // A Deny does not take it away (conservative), nor does a condition.
        assert_eq!(
            class(
                r#"[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}},{"Effect":"Deny","Action":"iam:*","Resource":"*"}]"#
            ),
            PermissionClass::AdminEquivalent
        );
    }

    #[test]
    fn iam_writes_that_grant_more_are_admin() {
        for action in [
            "iam:*",
            "iam:Attach*",
            "iam:PutRolePolicy",
            "iam:CreatePolicyVersion",
            "iam:UpdateAssumeRolePolicy",
        ] {
            assert_eq!(
                class(&format!(
                    r#"{{"Effect":"Allow","Action":"{action}","Resource":"*"}}"#
                )),
                PermissionClass::AdminEquivalent,
                "{action}"
            );
        }
        // On its own role only: it still grants itself more.
        assert_eq!(
            class(
                r#"{"Effect":"Allow","Action":"iam:PutRolePolicy","Resource":"arn:aws:iam::*:role/*"}"#
            ),
            PermissionClass::AdminEquivalent
        );
        // PassRole on `*` is admin; on one role it is not.
        assert_eq!(
            class(r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}"#),
            PermissionClass::AdminEquivalent
        );
        assert_eq!(
            class(
                r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111111111111:role/app"}"#
            ),
            PermissionClass::Other
        );
        // Reading IAM grants nothing.
        assert_eq!(
            class(r#"{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}"#),
            PermissionClass::Other
        );
    }

    #[test]
    fn not_action_tricks() {
        // PowerUserAccess: everything but IAM and Organizations.
        assert_eq!(
            class(
                r#"{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"}"#
            ),
            PermissionClass::PowerUser
        );
        // Excluding only one IAM action leaves the others that grant more.
        assert_eq!(
            class(r#"{"Effect":"Allow","NotAction":"iam:CreateUser","Resource":"*"}"#),
            PermissionClass::AdminEquivalent
        );
        // NotResource that excludes one bucket still covers every IAM resource.
        assert_eq!(
            class(r#"{"Effect":"Allow","Action":"iam:*","NotResource":"arn:aws:s3:::logs"}"#),
            PermissionClass::AdminEquivalent
        );
        // NotResource excluding every IAM resource does not.
        assert_eq!(
            class(r#"{"Effect":"Allow","Action":"iam:*","NotResource":"arn:aws:iam::*"}"#),
            PermissionClass::Other
        );
    }

    #[test]
    fn power_user_and_data_read() {
        assert_eq!(
            class(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#),
            PermissionClass::PowerUser
        );
        assert_eq!(
            class(r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::one-bucket/*"}"#),
            PermissionClass::Other
        );
        assert_eq!(
            class(r#"{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}"#),
            PermissionClass::DataRead
        );
        assert_eq!(
            class(
                r#"{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:*:*:secret:*"}"#
            ),
            PermissionClass::DataRead
        );
        assert_eq!(
            class(r#"{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"*"}"#),
            PermissionClass::Other
        );
    }

    #[test]
    fn managed_policies_by_name() {
        assert_eq!(
            managed_class("arn:aws:iam::aws:policy/AdministratorAccess").map(|c| c.0),
            Some(PermissionClass::AdminEquivalent)
        );
        assert_eq!(
            managed_class("arn:aws-us-gov:iam::aws:policy/job-function/SystemAdministrator")
                .map(|c| c.0),
            Some(PermissionClass::PowerUser)
        );
        assert_eq!(
            managed_class("arn:aws:iam::aws:policy/ReadOnlyAccess").map(|c| c.0),
            Some(PermissionClass::DataRead)
        );
        assert_eq!(
            managed_class("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
                .map(|c| c.0),
            Some(PermissionClass::Other)
        );
        assert_eq!(managed_class("arn:aws:iam::111111111111:policy/mine"), None);
    }

    proptest::proptest! {
        /// The colon-led search answers as `split_once` on texts dense in colons and in
        /// pieces of the pattern.
        #[test]
        fn after_first_answers_as_split_once(
            pre in "(:|iam|aws|:iam::aws:policy|::|x|é){0,6}",
            post in "(:|iam|policy/|:iam::aws:|x){0,6}",
            first in proptest::bool::ANY,
            second in proptest::bool::ANY,
        ) {
            let pat = ":iam::aws:policy/";
            let s = format!(
                "{pre}{}{post}{}",
                if first { pat } else { "" },
                if second { pat } else { "" }
            );
            proptest::prop_assert_eq!(after_first(&s, pat), s.split_once(pat).map(|(_, r)| r));
        }
    }
}
