//! Civil dates for `[[ignore]] expires`: parsing `YYYY-MM-DD` and today's date in UTC.
//!
//! Dates are day numbers since 1970-01-01 so comparing and printing need no calendar crate;
//! the conversions are Howard Hinnant's `days_from_civil` / `civil_from_days`, exact for every
//! proleptic Gregorian date.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// Overrides today's date (`YYYY-MM-DD`) so expiry is testable and reproducible.
pub const TODAY_ENV: &str = "TRUSTGATE_TODAY";

/// A calendar date (UTC), ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    days: i64,
}

impl Date {
    /// The date of a year, month (1-12) and day (1-31), if it exists.
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date {
            days: crate::civil::days_from_civil(year, i64::from(month), i64::from(day)),
        })
    }

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
        let bytes = s.as_bytes();
        let shape_ok = bytes.len() == 10
            && bytes.get(4) == Some(&b'-')
            && bytes.get(7) == Some(&b'-')
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        let invalid = || format!("`{s}` is not a date (expected YYYY-MM-DD, e.g. `2026-06-30`)");
        if !shape_ok {
            return Err(invalid());
        }
        let num = |range: std::ops::Range<usize>| s.get(range).and_then(|t| t.parse::<u32>().ok());
        match (num(0..4), num(5..7), num(8..10)) {
            (Some(y), Some(m), Some(d)) => Date::from_ymd(i64::from(y), m, d)
                .ok_or_else(|| format!("`{s}` is not a day of the calendar")),
            _ => Err(invalid()),
        }
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_known_days() {
        assert_eq!(Date::from_ymd(1970, 1, 1).unwrap().days, 0);
        assert_eq!(Date::from_ymd(2000, 3, 1).unwrap().days, 11_017);
        for days in [-800_000, -1, 0, 59, 365, 11_016, 20_000, 2_932_896] {
            let d = Date { days };
            let (y, m, dd) = d.ymd();
            assert_eq!(Date::from_ymd(y, m, dd), Some(d), "{days}");
        }
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
    }

    #[test]
    fn today_is_after_this_code_was_written() {
        assert!(Date::today_utc() > Date::from_ymd(2025, 1, 1).unwrap());
    }
}
