//! `service-no-source-guard`: a service principal trusted with no `aws:SourceAccount`,
//! `aws:SourceArn` or `aws:SourceOrgID`: anyone who can make the service act can make it
//! assume the role (the cross-service confused deputy, SEMANTICS §6 P10).
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use super::posture::{self, PostureRule, Problem};
use super::{RoleInput, RuleKind, RuleMeta};
use crate::finding::Severity;
use crate::policy::{Effect, Policy, PrincipalType};

static META: RuleMeta = RuleMeta {
    id: "service-no-source-guard",
    kind: RuleKind::Posture,
    default_severity: Severity::Low,
    summary: "a service principal is trusted with no aws:SourceAccount / SourceArn / SourceOrgID condition",
};

const GUARDS: &[&str] = &[
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:SourceOwner",
];

fn find(policy: &Policy, _input: &RoleInput<'_>) -> Vec<Problem> {
    let mut out = Vec::new();
    for s in policy
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
    {
        if posture::pinned_by_any(s, GUARDS) {
            continue;
        }
        for e in s
            .principals
            .entries
            .iter()
            .filter(|e| e.kind == PrincipalType::Service)
        {
            out.push(Problem {
                pointer: e.pointer.clone(),
                message: format!(
                    "the service `{}` can assume the role for any caller's resource: add an `aws:SourceAccount` or `aws:SourceArn` condition",
                    e.value
                ),
            });
        }
    }
    out
}

pub static SERVICE_NO_SOURCE_GUARD: PostureRule = PostureRule { meta: &META, find };
