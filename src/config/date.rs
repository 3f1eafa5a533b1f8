//! Civil dates for `[[ignore]] expires`: a `YYYY-MM-DD` day and today's date in UTC.
//!
//! Dates are day numbers since 1970-01-01 so comparing and printing need no calendar crate;
//! reading and the calendar arithmetic are `crate::civil`'s, the evaluator's own.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::civil::DayError;

/// Overrides today's date (`YYYY-MM-DD`) so expiry is testable and reproducible.
pub const TODAY_ENV: &str = "TRUSTGATE_TODAY";

/// A calendar date (UTC), ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    days: i64,
}

impl Date {
    /// Today in UTC from the system clock.
    pub fn today_utc() -> Date {
        // A clock set before 1970 is not worth a failure: it reads as the epoch, which only
        // makes ignores look younger than they are (they still expire once the clock is fixed).
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date {
            days: i64::try_from(secs / 86_400).unwrap_or(0),
        }
    }

    pub fn ymd(self) -> (i64, u32, u32) {
        let (y, m, d) = crate::civil::civil_from_days(self.days);
        // In range by construction (month 1..=12, day 1..=31).
        (
            y,
            u32::try_from(m).unwrap_or(1),
            u32::try_from(d).unwrap_or(1),
        )
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl std::str::FromStr for Date {
    type Err = String;

    /// Exactly `YYYY-MM-DD` (four-digit year), and a day that exists.
    fn from_str(s: &str) -> Result<Date, String> {
        match crate::civil::parse_day(s) {
            Ok(days) => Ok(Date { days }),
            Err(DayError::Shape) => Err(format!(
                "`{s}` is not a date (expected YYYY-MM-DD, e.g. `2026-06-30`)"
            )),
            Err(DayError::NoSuchDay) => Err(format!("`{s}` is not a day of the calendar")),
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn prints_what_it_reads() {
        // Years 0000 to 9999: every day a four-digit year can write.
        for days in [-719_528, -1, 0, 59, 365, 11_016, 20_000, 2_932_896] {
            let d = Date { days };
            assert_eq!(d.to_string().parse::<Date>(), Ok(d), "{days}");
        }
        assert_eq!("2000-03-01".parse::<Date>(), Ok(Date { days: 11_017 }));
    }

    #[test]
    fn parses_strictly() {
        assert_eq!(
            "2026-01-31".parse::<Date>().unwrap().to_string(),
            "2026-01-31"
        );
        assert!("2024-02-29".parse::<Date>().is_ok());
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026-1-31",
            "26-01-31",
            "2026/01/31",
            "2026-01-00",
            "2026-01-31T00:00:00",
            "",
            "２０２６-01-31",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
        assert_eq!(
            "2023-02-29".parse::<Date>(),
            Err("`2023-02-29` is not a day of the calendar".to_string())
        );
        assert_eq!(
            "2026-1-31".parse::<Date>(),
            Err("`2026-1-31` is not a date (expected YYYY-MM-DD, e.g. `2026-06-30`)".to_string())
        );
    }

    #[test]
    fn today_is_after_this_code_was_written() {
        assert!(Date::today_utc() > "2025-01-01".parse().unwrap());
    }
}
