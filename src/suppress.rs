//! After analysis, before the gate: the configuration's say on findings, in one place.
//!
//! `[rules.ID]` drops a disabled rule's findings and overrides severities (computed ones too);
//! then each finding is matched against `[[ignore]]` (rule, address glob, optional
//! fingerprint, not expired) and, on a match, marked `suppressed` but kept: it stays in every
//! output and in the counts, and the gate skips it. Expired ignores and ignores that matched
//! nothing come back as notes, so accepting one risk never hides the next.

use crate::config::{Config, Date, Ignore};
use crate::finding::{Finding, Suppression};

/// Apply the configuration to the findings; returns the notes for the report.
pub fn apply(findings: &mut Vec<Finding>, config: &Config, today: Date) -> Vec<String> {
    findings.retain(|f| config.rules.get(f.rule).map_or(true, |r| r.enabled));
    for f in findings.iter_mut() {
        if let Some(severity) = config.rules.get(f.rule).and_then(|r| r.severity) {
            f.severity = severity;
        }
    }

    // (findings it suppressed, expired-ignore findings it would match) per ignore.
    let mut counts = vec![(0usize, 0usize); config.ignores.len()];
    for f in findings.iter_mut() {
        for (ignore, (used, would_match)) in config.ignores.iter().zip(counts.iter_mut()) {
            if !matches(ignore, f) {
                continue;
            }
            if is_expired(ignore, today) {
                *would_match = would_match.saturating_add(1);
                continue;
            }
            *used = used.saturating_add(1);
            if f.suppressed.is_none() {
                f.suppressed = Some(Suppression {
                    reason: ignore.reason.clone(),
                    expires: ignore.expires.map(|d| d.to_string()),
                });
            }
        }
    }

    let mut notes = Vec::new();
    for (ignore, &(used, would_match)) in config.ignores.iter().zip(counts.iter()) {
        if let Some(expires) = ignore.expires.filter(|_| is_expired(ignore, today)) {
            let effect = match would_match {
                0 => "it would match no finding now".to_string(),
                1 => "the 1 finding it matches counts again".to_string(),
                n => format!("the {n} findings it matches count again"),
            };
            notes.push(format!(
                "{} expired on {expires} and no longer applies ({effect}): renew or remove it",
                ignore.label()
            ));
        } else if used == 0 {
            let why = if ignore.fingerprint.is_some() {
                " (with its fingerprint: the change it accepted is no longer the one planned)"
            } else {
                ""
            };
            notes.push(format!(
                "{} matched no finding{why}: remove it or correct it",
                ignore.label()
            ));
        }
    }
    notes
}

fn matches(ignore: &Ignore, f: &Finding) -> bool {
    ignore.rule == f.rule
        && ignore.address.matches(&f.address)
        && ignore
            .fingerprint
            .as_ref()
            .map_or(true, |fp| *fp == f.fingerprint)
}

/// An ignore applies through the whole of its `expires` day (UTC).
fn is_expired(ignore: &Ignore, today: Date) -> bool {
    ignore.expires.is_some_and(|e| today > e)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use crate::config::parse;
    use crate::finding::Severity;

    fn finding(rule: &'static str, address: &str, fingerprint: &str) -> Finding {
        Finding {
            rule,
            severity: Severity::High,
            plan: "p".into(),
            address: address.into(),
            message: "m".into(),
            before_pointer: None,
            after_pointer: None,
            witness: None,
            fingerprint: fingerprint.into(),
            suppressed: None,
        }
    }

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn expiry_day_is_included() {
        let c = parse(
            "[[ignore]]\nrule='trust-widened'\naddress='*'\nreason='r'\nexpires='2026-01-31'\n",
            "t",
        )
        .unwrap();
        let mut f = vec![finding("trust-widened", "a", "0")];
        assert!(apply(&mut f, &c, day("2026-01-31")).is_empty());
        assert!(f[0].suppressed.is_some());
        let mut f = vec![finding("trust-widened", "a", "0")];
        let notes = apply(&mut f, &c, day("2026-02-01"));
        assert!(f[0].suppressed.is_none());
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("expired on 2026-01-31"), "{notes:?}");
    }

    #[test]
    fn overrides_then_ignores() {
        let c = parse(
            "[rules.trust-widened]\nseverity='low'\n[rules.role-replaced]\nenabled=false\n",
            "t",
        )
        .unwrap();
        let mut f = vec![
            finding("trust-widened", "a", "0"),
            finding("role-replaced", "a", "1"),
        ];
        assert!(apply(&mut f, &c, day("2026-01-01")).is_empty());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Low);
    }
}
