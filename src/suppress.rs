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
    let tally = judge(findings, config, today);
    notes(config, today, &tally)
}

/// What the `[[ignore]]` entries did with some findings: for each ignore that matched one
/// (by its index), the findings it suppressed and those it would match were it not expired.
/// Tallies of separate batches of findings add up to the tally of all of them.
///
/// Boxed, and absent until an ignore matches: a tally is kept with every role's result
/// (`report::store::Slot`), and nearly all are empty.
// One word where a `Vec` is three: the box is the point.
#[allow(clippy::box_collection)]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally(Option<Box<Vec<(usize, usize, usize)>>>);

impl Tally {
    pub fn add(&mut self, other: &Tally) {
        for &(index, used, would_match) in other.entries() {
            self.bump(index, used, would_match);
        }
    }

    fn entries(&self) -> &[(usize, usize, usize)] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }

    fn bump(&mut self, index: usize, used: usize, would_match: usize) {
        let entries = self.0.get_or_insert_with(Box::default);
        match entries.iter_mut().find(|(i, _, _)| *i == index) {
            Some((_, u, w)) => {
                *u = u.saturating_add(used);
                *w = w.saturating_add(would_match);
            }
            None => entries.push((index, used, would_match)),
        }
    }

    fn of(&self, index: usize) -> (usize, usize) {
        self.entries()
            .iter()
            .find(|(i, _, _)| *i == index)
            .map_or((0, 0), |&(_, used, would_match)| (used, would_match))
    }
}

/// Drop disabled rules' findings, apply severity overrides and mark what an ignore accepts,
/// for one batch of findings (a role's, as it is analysed); the notes wait for the tally of
/// every batch.
pub fn judge(findings: &mut Vec<Finding>, config: &Config, today: Date) -> Tally {
    findings.retain(|f| config.rules.get(f.rule).is_none_or(|r| r.enabled));
    for f in findings.iter_mut() {
        if let Some(severity) = config.rules.get(f.rule).and_then(|r| r.severity) {
            f.severity = severity;
        }
    }
    let mut tally = Tally::default();
    for f in findings.iter_mut() {
        for (index, ignore) in config.ignores.iter().enumerate() {
            if !matches(ignore, f) {
                continue;
            }
            if is_expired(ignore, today) {
                tally.bump(index, 0, 1);
                continue;
            }
            tally.bump(index, 1, 0);
            if f.suppressed.is_none() {
                f.suppressed = Some(Suppression {
                    reason: ignore.reason.clone(),
                    expires: ignore.expires.map(|d| d.to_string()),
                });
            }
        }
    }
    tally
}

/// The notes on ignores, from the tally of every finding of the run: expired ones, and ones
/// that matched nothing.
pub fn notes(config: &Config, today: Date, tally: &Tally) -> Vec<String> {
    let mut notes = Vec::new();
    for (index, ignore) in config.ignores.iter().enumerate() {
        let (used, would_match) = tally.of(index);
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
            .is_none_or(|fp| *fp == f.fingerprint)
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
