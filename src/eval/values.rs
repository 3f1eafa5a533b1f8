//! Typed readings of condition values: numbers, dates, booleans, base64 and IP ranges
//! (SEMANTICS §4.2). Every parser is hand-written, exact and total: bad text gives `None`,
//! never a panic, and the caller decides what an unreadable value means.

use std::cmp::Ordering;
use std::net::IpAddr;

use crate::civil::parse_instant;

// ---------------------------------------------------------------------------------------------
// Numbers

/// An exact decimal number, kept as digit slices of its text so that no precision is lost on
/// big integers or long fractions (a float would make 2^53+1 equal 2^53).
#[derive(Debug, Clone, Copy)]
pub struct Decimal<'a> {
    negative: bool,
    /// Integer digits without leading zeros (empty for zero).
    int: &'a str,
    /// Fraction digits without trailing zeros (empty for none).
    frac: &'a str,
}

/// Read `[+-]digits[.digits]`. [inf] SEMANTICS does not define the numeric grammar; exponents,
/// spaces, `.5` and `5.` are refused (read as "unparsable", which never matches a positive
/// operator, §4.2 "Type mismatch number").
pub fn parse_decimal(text: &str) -> Option<Decimal<'_>> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    let int = int.trim_start_matches('0');
    let frac = frac.unwrap_or("").trim_end_matches('0');
    // Minus zero is zero.
    let negative = negative && !(int.is_empty() && frac.is_empty());
    Some(Decimal {
        negative,
        int,
        frac,
    })
}

fn cmp_magnitude(a: &Decimal<'_>, b: &Decimal<'_>) -> Ordering {
    a.int
        .len()
        .cmp(&b.int.len())
        .then_with(|| a.int.cmp(b.int))
        // Trailing zeros are trimmed, so plain string order is numeric order for fractions.
        .then_with(|| a.frac.cmp(b.frac))
}

/// Numeric order of two exact decimals.
pub fn cmp_decimal(a: &Decimal<'_>, b: &Decimal<'_>) -> Ordering {
    match (a.negative, b.negative) {
        (false, true) => Ordering::Greater,
        (true, false) => Ordering::Less,
        (false, false) => cmp_magnitude(a, b),
        (true, true) => cmp_magnitude(b, a),
    }
}

/// Compare two numeric texts; `None` when either is not a number.
pub fn cmp_numbers(a: &str, b: &str) -> Option<Ordering> {
    Some(cmp_decimal(&parse_decimal(a)?, &parse_decimal(b)?))
}

// ---------------------------------------------------------------------------------------------
// Dates

/// Compare two date texts; `None` when either is not a date.
pub fn cmp_dates(a: &str, b: &str) -> Option<Ordering> {
    Some(parse_instant(a)?.cmp(&parse_instant(b)?))
}

// ---------------------------------------------------------------------------------------------
// Booleans

/// `true` / `false`, ASCII-case-insensitively ([inf] SEMANTICS §1.9, as iam-simulate does).
pub fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Base64

// Bounded by parsing: fixed-width date fields (4-digit year, 2-digit fields), epoch
// seconds of at most 15 digits, base64 bit counts below 32; no input reaches an overflow.
#[allow(clippy::arithmetic_side_effects)]
fn b64_value(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Decode standard base64 (RFC 4648 alphabet). [inf] Padding is optional, but where present it
/// must be correct; any other character makes the value unreadable.
// Bounded by parsing: fixed-width date fields (4-digit year, 2-digit fields), epoch
// seconds of at most 15 digits, base64 bit counts below 32; no input reaches an overflow.
#[allow(clippy::arithmetic_side_effects)]
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let body = text.trim_end_matches('=');
    let padding = text.len() - body.len();
    if padding > 2 || (padding > 0 && !text.len().is_multiple_of(4)) {
        return None;
    }
    if body.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for c in body.bytes() {
        acc = (acc << 6) | b64_value(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
        acc &= (1 << bits) - 1;
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// IP addresses

/// An address range: network address and prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// The prefix length: how many leading bits the range fixes.
    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    pub fn is_ipv4(&self) -> bool {
        self.addr.is_ipv4()
    }
}

/// Read `a.b.c.d[/n]` or an IPv6 address `[/n]`; a bare address is `/32` or `/128`
/// ([inf] for IPv6, SEMANTICS §4.2). Host bits below the prefix are ignored.
pub fn parse_cidr(text: &str) -> Option<Cidr> {
    let (addr, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    let addr: IpAddr = addr.parse().ok()?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        None => max,
        Some(p) => {
            if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            p.parse::<u8>().ok()?
        }
    };
    if prefix > max {
        return None;
    }
    Some(Cidr { addr, prefix })
}

/// Every address of `inner` lies in `outer` (same family, no shorter prefix, same network).
pub fn cidr_within(inner: &Cidr, outer: &Cidr) -> bool {
    inner.prefix >= outer.prefix && cidr_contains(outer, &inner.addr)
}

/// Read a request address (no prefix).
pub fn parse_ip(text: &str) -> Option<IpAddr> {
    text.parse().ok()
}

/// `ip` lies inside `cidr`. An IPv4 address never lies in an IPv6 range and vice versa.
// Bounded by parsing: fixed-width date fields (4-digit year, 2-digit fields), epoch
// seconds of at most 15 digits, base64 bit counts below 32; no input reaches an overflow.
#[allow(clippy::arithmetic_side_effects)]
pub fn cidr_contains(cidr: &Cidr, ip: &IpAddr) -> bool {
    match (cidr.addr, ip) {
        (IpAddr::V4(net), IpAddr::V4(ip)) => {
            let mask = u32::MAX
                .checked_shl(32 - u32::from(cidr.prefix))
                .unwrap_or(0);
            (u32::from(net) & mask) == (u32::from(*ip) & mask)
        }
        (IpAddr::V6(net), IpAddr::V6(ip)) => {
            let mask = u128::MAX
                .checked_shl(128 - u32::from(cidr.prefix))
                .unwrap_or(0);
            (u128::from(net) & mask) == (u128::from(*ip) & mask)
        }
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    fn num(a: &str, b: &str) -> Option<Ordering> {
        cmp_numbers(a, b)
    }

    #[test]
    fn numbers_compare_exactly() {
        assert_eq!(num("3600", "3600"), Some(Ordering::Equal));
        assert_eq!(num("120", "3600"), Some(Ordering::Less));
        assert_eq!(num("007", "7.000"), Some(Ordering::Equal));
        assert_eq!(num("-0", "0"), Some(Ordering::Equal));
        assert_eq!(num("-5", "3"), Some(Ordering::Less));
        assert_eq!(num("-5", "-3"), Some(Ordering::Less));
        assert_eq!(num("0.5", "0.51"), Some(Ordering::Less));
        assert_eq!(num("1.05", "1.5"), Some(Ordering::Less));
        assert_eq!(num("+2", "2"), Some(Ordering::Equal));
        // 2^53 + 1 is not 2^53 (a float would say it is).
        assert_eq!(
            num("9007199254740993", "9007199254740992"),
            Some(Ordering::Greater)
        );
        assert_eq!(
            num(
                "123456789012345678901234567890.000000000000000000001",
                "123456789012345678901234567890"
            ),
            Some(Ordering::Greater)
        );
    }

    #[test]
    fn unparsable_numbers() {
        for bad in [
            "", "-", "abc", "1e3", "1.", ".5", "1 ", " 1", "0x10", "1.2.3", "--1",
        ] {
            assert!(parse_decimal(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn booleans() {
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool("false"), Some(false));
        assert_eq!(parse_bool("yes"), None);
    }

    #[test]
    fn base64() {
        assert_eq!(decode_base64("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(decode_base64("aGVsbG8").unwrap(), b"hello");
        assert_eq!(decode_base64("").unwrap(), b"");
        assert_eq!(decode_base64("YQ==").unwrap(), b"a");
        assert!(decode_base64("a").is_none());
        assert!(decode_base64("aGVsbG8===").is_none());
        assert!(decode_base64("aGV$bG8=").is_none());
    }

    #[test]
    fn ip_ranges() {
        let net = parse_cidr("203.0.113.0/24").unwrap();
        assert!(cidr_contains(&net, &parse_ip("203.0.113.7").unwrap()));
        assert!(!cidr_contains(&net, &parse_ip("198.51.100.1").unwrap()));
        let host = parse_cidr("10.0.0.1").unwrap();
        assert!(cidr_contains(&host, &parse_ip("10.0.0.1").unwrap()));
        assert!(!cidr_contains(&host, &parse_ip("10.0.0.2").unwrap()));
        let all = parse_cidr("0.0.0.0/0").unwrap();
        assert!(cidr_contains(&all, &parse_ip("1.2.3.4").unwrap()));
        let v6 = parse_cidr("2001:db8::/32").unwrap();
        assert!(cidr_contains(&v6, &parse_ip("2001:db8::1").unwrap()));
        assert!(!cidr_contains(&v6, &parse_ip("2001:db9::1").unwrap()));
        assert!(!cidr_contains(&v6, &parse_ip("203.0.113.7").unwrap()));
        assert!(!cidr_contains(&all, &parse_ip("::1").unwrap()));
        let v6all = parse_cidr("::/0").unwrap();
        assert!(cidr_contains(&v6all, &parse_ip("::1").unwrap()));
        assert!(parse_cidr("10.0.0.0/33").is_none());
        assert!(parse_cidr("10.0.0.0/").is_none());
        assert!(parse_cidr("10.0.0/8").is_none());
        assert!(parse_cidr("::/129").is_none());
    }
}
