//! `service-no-source-guard`: a service principal can assume the role on behalf of a resource
//! in an account that is not ours: anyone who can make the service act can make it assume the
//! role (the cross-service confused deputy).
//!
//! Decided by the exposure search per trusted service: the outsider's own resource brings its
//! own `aws:SourceAccount`/`aws:SourceArn`/`aws:SourceOrgID` (or none, where the service sends
//! none), so `StringLike "*"`, an `IfExists` pin or an ARN pattern with a wildcard account is
//! no guard.

use super::posture;
use super::{Draft, RoleInput, Rule, RuleKind, RuleMeta};
use crate::compare::exposure::Outsider;
use crate::finding::Severity;
use crate::policy::{Effect, PrincipalType};

pub struct ServiceNoSourceGuard;

static META: RuleMeta = RuleMeta {
    id: "service-no-source-guard",
    kind: RuleKind::Posture,
    default_severity: Severity::Low,
    summary: "a service principal is trusted with no aws:SourceAccount / SourceArn / SourceOrgID condition",
};

impl Rule for ServiceNoSourceGuard {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>) {
        let Some(policy) = posture::judged(input) else {
            return;
        };
        let mut services: Vec<&str> = Vec::new();
        for s in policy
            .statements
            .iter()
            .filter(|s| s.effect == Effect::Allow)
        {
            for e in &s.principals.entries {
                if e.kind == PrincipalType::Service
                    && !e.value.contains(['*', '?'])
                    && !services.contains(&e.value.as_str())
                {
                    services.push(&e.value);
                }
            }
        }
        for service in services {
            let Some(w) = posture::search(input, policy, Outsider::Service(service), out) else {
                continue;
            };
            let message = format!(
                "the service `{service}` can assume the role for any account's resource: {}; add an `aws:SourceAccount` or `aws:SourceArn` condition naming your own",
                posture::presented(&w.request)
            );
            out.push(posture::draft(&META, policy, w, message));
        }
    }
}
