//! Dates and times: the one reader of ISO 8601 dates and epoch seconds, and the proleptic
//! Gregorian calendar arithmetic under it (Howard Hinnant's days-from-civil algorithms).
//! Shared by the evaluator's date operators, the comparator's date boundaries and the
//! configuration's ignore expiry, so all three read the same text as the same instant.

/// An instant: seconds since the Unix epoch and nanoseconds within the second.
pub type Instant = (i64, u32);

/// Why a text is not a `YYYY-MM-DD` day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayError {
    /// Not four digits, `-`, two digits, `-`, two digits.
    Shape,
    /// The right shape, but no such day (`2023-02-29`, `2026-13-01`).
    NoSuchDay,
}

/// A day written exactly `YYYY-MM-DD` (four-digit year, a day that exists), as a day number
/// since 1970-01-01.
pub fn parse_day(text: &str) -> Result<i64, DayError> {
    let b = text.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return Err(DayError::Shape);
    }
    let (Some(year), Some(month), Some(day)) = (digits(b, 0, 4), digits(b, 5, 2), digits(b, 8, 2))
    else {
        return Err(DayError::Shape);
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return Err(DayError::NoSuchDay);
    }
    Ok(days_from_civil(year, month, day))
}

/// Read a date: W3C ISO 8601 (`2024-01-01`, `2024-01-01T10:00Z`, `2024-01-01T10:00:00.5+02:00`,
/// a `T` or a space between date and time) or epoch seconds (`1700000000`, optionally with a
/// fraction or a sign). [inf] A date or time without an offset is read as UTC; an all-digit
/// text is epoch seconds (so `2024` is 2024 seconds after the epoch, not a year).
pub fn parse_instant(text: &str) -> Option<Instant> {
    parse_epoch(text).or_else(|| parse_iso(text))
}

/// Epoch seconds: `[+-]digits[.digits]`, at most 15 integer digits after leading zeros (far
/// past any real date, and small enough that no arithmetic on it can overflow). Exponents,
/// `.5` and `5.` are not epoch seconds.
// Bounded by parsing: at most 15 integer digits and 9 fraction digits.
#[allow(clippy::arithmetic_side_effects)]
pub fn parse_epoch(text: &str) -> Option<Instant> {
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    let (int, frac) = match body.split_once('.') {
        Some((int, frac)) if !frac.is_empty() => (int, frac),
        Some(_) => return None,
        None => (body, ""),
    };
    if int.is_empty() || !int.bytes().chain(frac.bytes()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let int = int.trim_start_matches('0');
    if int.len() > 15 {
        return None;
    }
    let secs: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut nanos: u32 = 0;
    for (i, c) in frac.bytes().take(9).enumerate() {
        nanos += u32::from(c - b'0') * 10u32.pow(8 - i as u32);
    }
    Some(match (negative, nanos) {
        (false, _) => (secs, nanos),
        (true, 0) => (-secs, 0),
        // -1.25 s = -2 s + 0.75 s.
        (true, _) => (-secs - 1, 1_000_000_000 - nanos),
    })
}

/// `YYYY-MM-DD[(T|t| )HH:MM[:SS[(.|,)fraction]][Z|±HH|±HHMM|±HH:MM]]`: a day that exists,
/// hours 0-23, minutes 0-59, seconds 0-60 (a leap second folds into the next minute).
// Bounded by parsing: fixed-width fields of two or four digits; `at` stays within the text.
#[allow(clippy::arithmetic_side_effects)]
pub fn parse_iso(text: &str) -> Option<Instant> {
    let b = text.as_bytes();
    let mut secs = parse_day(text.get(..10)?).ok()? * 86_400;
    let mut nanos: u32 = 0;
    let mut at = 10;
    if b.len() == at {
        return Some((secs, 0));
    }
    if !matches!(b.get(at), Some(b'T' | b't' | b' ')) {
        return None;
    }
    at += 1;
    let hour = digits(b, at, 2)?;
    if b.get(at + 2) != Some(&b':') {
        return None;
    }
    let minute = digits(b, at + 3, 2)?;
    at += 5;
    let mut second = 0;
    if b.get(at) == Some(&b':') {
        second = digits(b, at + 1, 2)?;
        at += 3;
        if b.get(at) == Some(&b'.') || b.get(at) == Some(&b',') {
            at += 1;
            let start = at;
            while let Some(c) = b.get(at).filter(|c| c.is_ascii_digit()) {
                if at - start < 9 {
                    nanos += u32::from(c - b'0') * 10u32.pow(8 - (at - start) as u32);
                }
                at += 1;
            }
            if at == start {
                return None;
            }
        }
    }
    // 24:00:00 is not accepted.
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    secs += hour * 3600 + minute * 60 + second;
    match b.get(at) {
        None => {}
        Some(b'Z' | b'z') if b.len() == at + 1 => {}
        Some(&sign @ (b'+' | b'-')) => {
            let oh = digits(b, at + 1, 2)?;
            let om = match b.len() - at {
                3 => 0,
                5 => digits(b, at + 3, 2)?,
                6 if b.get(at + 3) == Some(&b':') => digits(b, at + 4, 2)?,
                _ => return None,
            };
            if oh > 23 || om > 59 {
                return None;
            }
            let offset = oh * 3600 + om * 60;
            // Local time = UTC + offset, so UTC = local - offset.
            secs = if sign == b'+' {
                secs - offset
            } else {
                secs + offset
            };
        }
        _ => return None,
    }
    Some((secs, nanos))
}

/// Fixed-width decimal field of `n` digits at `at`.
// At most four digits: no overflow.
#[allow(clippy::arithmetic_side_effects)]
fn digits(b: &[u8], at: usize, n: usize) -> Option<i64> {
    let field = b.get(at..at.checked_add(n)?)?;
    let mut out: i64 = 0;
    for &c in field {
        if !c.is_ascii_digit() {
            return None;
        }
        out = out * 10 + i64::from(c - b'0');
    }
    Some(out)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in a month (1-12) of a year; 0 for a month that does not exist.
fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a civil date (month 1..=12, day 1..=31).
// Callers pass years from four-digit text, epoch values of at most 15 digits or the system
// clock: every intermediate stays within a few billion, far inside an i64.
#[allow(clippy::arithmetic_side_effects)]
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month 1..=12, day 1..=31) of a day number since 1970-01-01.
// Day numbers come from `days_from_civil` or the system clock (|days| < 10^12): no overflow.
#[allow(clippy::arithmetic_side_effects)]
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_known_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        for days in [-800_000, -1, 0, 59, 60, 11_016, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{days}");
        }
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
    }

    /// What `[[ignore]] expires` accepts: exactly `YYYY-MM-DD`, and a day that exists.
    #[test]
    fn days_are_read_strictly() {
        assert_eq!(parse_day("1970-01-01"), Ok(0));
        assert_eq!(parse_day("2026-01-01"), Ok(20_454));
        assert_eq!(parse_day("2024-02-29"), Ok(19_782));
        assert_eq!(parse_day("2000-02-29"), Ok(11_016));
        for no_such_day in [
            "2023-02-29",
            "1900-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-01-00",
        ] {
            assert_eq!(
                parse_day(no_such_day),
                Err(DayError::NoSuchDay),
                "{no_such_day}"
            );
        }
        for bad in [
            "2026-1-31",
            "26-01-31",
            "2026/01/31",
            "2026-01-31T00:00:00",
            "",
            "２０２６-01-31",
            "+026-01-31",
            "2026-01-3 ",
        ] {
            assert_eq!(parse_day(bad), Err(DayError::Shape), "{bad}");
        }
    }

    #[test]
    fn dates_in_every_documented_shape() {
        let midnight = parse_instant("2024-01-01").unwrap();
        assert_eq!(midnight, (1_704_067_200, 0));
        for same in [
            "2024-01-01T00:00:00Z",
            "2024-01-01t00:00:00z",
            "2024-01-01 00:00:00Z",
            "2024-01-01T00:00Z",
            "2024-01-01T00:00",
            "2024-01-01T02:00:00+02:00",
            "2023-12-31T19:00:00-0500",
            "2024-01-01T01:00:00+01",
            "2023-12-31T23:59:60Z",
            "1704067200",
            "+1704067200",
            "0001704067200.000",
        ] {
            assert_eq!(parse_instant(same), Some(midnight), "{same}");
        }
        assert_eq!(
            parse_instant("2024-01-01T00:00:00.250Z"),
            Some((1_704_067_200, 250_000_000))
        );
        assert_eq!(
            parse_instant("2024-01-01T00:00:00,250Z"),
            Some((1_704_067_200, 250_000_000))
        );
        // Nanoseconds are kept; digits past them are read and dropped.
        assert_eq!(
            parse_instant("2024-01-01T00:00:00.1234567899Z"),
            Some((1_704_067_200, 123_456_789))
        );
        assert_eq!(
            parse_instant("1704067200.25"),
            Some((1_704_067_200, 250_000_000))
        );
        assert_eq!(parse_instant("-1.25"), Some((-2, 750_000_000)));
        assert_eq!(parse_instant("-0"), Some((0, 0)));
        assert_eq!(
            parse_instant("999999999999999"),
            Some((999_999_999_999_999, 0))
        );
        assert_eq!(parse_instant("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(parse_instant("2000-02-29"), Some((951_782_400, 0)));
        // All digits: epoch seconds, not a year.
        assert_eq!(parse_instant("2024"), Some((2024, 0)));
    }

    #[test]
    fn bad_dates() {
        for bad in [
            "",
            "2024-13-01",
            "2023-02-29",
            "2024-01-32",
            "2024-01-01T25:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:60:00Z",
            "2024-01-01T00:00:61Z",
            "2024-01-01T00:00:00Q",
            "2024-01-01T00:00:00+2",
            "2024-01-01T00:00:00+24:00",
            "2024-01-01T00:00:00+01:60",
            "2024-01-01T00:00:00Zjunk",
            "2024-01-01T",
            "2024-01-01T10",
            "2024-01-01T00:00.5Z",
            "yesterday",
            "2024-01-01T00:00:00.Z",
            "2024/01/01",
            "1.",
            ".5",
            "1e9",
            "--1",
            "-",
            "1 ",
            "1000000000000000",
        ] {
            assert!(parse_instant(bad).is_none(), "{bad}");
        }
    }
}
