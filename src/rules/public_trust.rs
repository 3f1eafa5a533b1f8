//! `public-trust`: any AWS account can assume the role: an Allow with `"AWS": "*"` (or an
//! Allow with `NotPrincipal`) and no condition that pins which accounts may call.
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use super::posture::{self, pins, PostureRule, Problem};
use super::{RoleInput, RuleKind, RuleMeta};
use crate::finding::Severity;
use crate::policy::{Effect, Policy, PrincipalMode, PrincipalType};

static META: RuleMeta = RuleMeta {
    id: "public-trust",
    kind: RuleKind::Posture,
    default_severity: Severity::Critical,
    summary: "any AWS account can assume the role: `*` with no condition that pins accounts",
};

/// Keys whose positive pin limits the callers to known accounts, organisations or networks
/// (the S3 "non-public" template, SEMANTICS §7.2). `aws:PrincipalArn` counts only when its
/// account field is not a wildcard.
const ACCOUNT_PINS: &[&str] = &[
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalAccount",
    "aws:SourceAccount",
    "aws:SourceOwner",
    "aws:SourceArn",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:SourceIp",
    "aws:userid",
];

fn pins_principal_arn_account(s: &crate::policy::Statement) -> bool {
    pins(s, "aws:PrincipalArn").any(|c| {
        c.values.iter().all(|v| {
            let account = v.split(':').nth(4).unwrap_or("");
            !account.is_empty() && !account.contains('*') && !account.contains('?')
        })
    })
}

fn find(policy: &Policy, _input: &RoleInput<'_>) -> Vec<Problem> {
    let mut out = Vec::new();
    for s in policy
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
    {
        let open = match s.principals.mode {
            PrincipalMode::NotPrincipal => true,
            PrincipalMode::Principal => s
                .principals
                .entries
                .iter()
                .any(|e| e.kind == PrincipalType::Aws && e.value == "*"),
        };
        if !open || posture::pinned_by_any(s, ACCOUNT_PINS) || pins_principal_arn_account(s) {
            continue;
        }
        out.push(Problem {
            pointer: s.pointer.clone(),
            message: format!(
                "statement {} lets any AWS account assume the role: its principal is `*` and no condition pins the caller's account or organization",
                s.index
            ),
        });
    }
    out
}

pub static PUBLIC_TRUST: PostureRule = PostureRule { meta: &META, find };
