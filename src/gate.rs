//! The gate: the only place that turns findings into pass or fail (SPEC §5).

use crate::finding::{Finding, Severity};

/// `--fail-on`: a severity threshold, or never fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    Severity(Severity),
    Never,
}

impl std::str::FromStr for FailOn {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("never") {
            Ok(FailOn::Never)
        } else {
            s.parse::<Severity>().map(FailOn::Severity).map_err(|_| {
                format!(
                    "unknown threshold `{s}` (expected critical, high, medium, low, info or never)"
                )
            })
        }
    }
}

/// Exit code 1 when any unsuppressed finding is at or above the threshold, else 0.
pub fn exit_code(findings: &[Finding], fail_on: FailOn) -> i32 {
    exit_code_counted(
        findings
            .iter()
            .filter(|f| f.suppressed.is_none())
            .map(|f| (f.severity, 1)),
        fail_on,
    )
}

/// The same decision from how many unsuppressed findings there are of each severity.
pub fn exit_code_counted(
    counted: impl IntoIterator<Item = (Severity, usize)>,
    fail_on: FailOn,
) -> i32 {
    let FailOn::Severity(threshold) = fail_on else {
        return 0;
    };
    let blocking = counted
        .into_iter()
        .any(|(severity, n)| n > 0 && severity >= threshold);
    i32::from(blocking)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use crate::finding::Suppression;

    fn finding(severity: Severity, suppressed: bool) -> Finding {
        Finding {
            rule: "trust-widened",
            severity,
            plan: "p".into(),
            address: "a".into(),
            message: "m".into(),
            before_pointer: None,
            after_pointer: None,
            witness: None,
            fingerprint: "f".into(),
            suppressed: suppressed.then(|| Suppression {
                reason: "accepted".into(),
                expires: None,
            }),
        }
    }

    #[test]
    fn threshold_is_inclusive() {
        let f = [finding(Severity::High, false)];
        assert_eq!(exit_code(&f, FailOn::Severity(Severity::High)), 1);
        assert_eq!(exit_code(&f, FailOn::Severity(Severity::Critical)), 0);
        assert_eq!(exit_code(&f, FailOn::Never), 0);
    }

    #[test]
    fn suppressed_findings_never_fail() {
        let f = [finding(Severity::Critical, true)];
        assert_eq!(exit_code(&f, FailOn::Severity(Severity::Info)), 0);
    }
}
