//! Condition operators (SEMANTICS §4.1–§4.6): one `operator: {key: values}` pair against the
//! request context.
//!
//! [`condition_holds`] is the allocation-light hot path; [`explain_failure`] re-derives, for the
//! trace only, why a condition did not hold.

use std::cmp::Ordering;

use super::glob::{like, like_tokens, tokens_to_text, Tok};
use super::principal::split_arn;
use super::request::{ContextValue, Request};
use super::values::{
    cidr_contains, cmp_dates, cmp_numbers, decode_base64, parse_bool, parse_cidr, parse_ip,
};
use super::variables::{has_variable, lookup, substitute, Substituted};
use crate::policy::{BaseOp, Condition, Effect, Operator, SetQualifier, Version};

/// A context key as found in the request (§4.1 `lookup`).
#[derive(Debug, Clone, Copy)]
enum Found<'r> {
    Absent,
    Single(&'r str),
    Multi(&'r [String]),
}

fn find<'r>(request: &'r Request, key: &str) -> Found<'r> {
    match lookup(request, key) {
        None => Found::Absent,
        Some(ContextValue::Single(s)) => Found::Single(s),
        Some(ContextValue::Multi(v)) => Found::Multi(v),
    }
}

/// Does the condition hold for the request?
///
/// `effect` only matters for an unknown operator: it holds inside an `Allow` and fails inside
/// a `Deny`, so an operator IAM does not know never takes access away — the conservative
/// reading for a gate that must not miss a widening (the policy is reported invalid anyway).
pub fn condition_holds(
    cond: &Condition,
    effect: Effect,
    version: Version,
    request: &Request,
) -> bool {
    match cond.operator {
        Operator::Unknown => effect == Effect::Allow,
        Operator::Known {
            set,
            base,
            if_exists,
        } => known_holds(set, base, if_exists, cond, version, request),
    }
}

fn known_holds(
    set: Option<SetQualifier>,
    base: BaseOp,
    if_exists: bool,
    cond: &Condition,
    version: Version,
    request: &Request,
) -> bool {
    let found = find(request, &cond.key);
    if base == BaseOp::Null {
        return null_holds(found, &cond.values);
    }
    let holds = |x: &str| base_holds(base, x, cond, version, request);
    match set {
        Some(SetQualifier::ForAllValues) => match found {
            // Vacuously true for an absent key, an empty set, or a lone empty string (§4.1).
            Found::Absent => true,
            Found::Single("") => true,
            Found::Single(x) => holds(x),
            Found::Multi([]) => true,
            Found::Multi([only]) if only.is_empty() => true,
            Found::Multi(xs) => xs.iter().all(|x| holds(x)),
        },
        Some(SetQualifier::ForAnyValue) => match found {
            // Absent or empty: false, unless IfExists ([inf] §4.1, from the IfExists
            // definition).
            Found::Absent | Found::Multi([]) => if_exists,
            Found::Single(x) => holds(x),
            Found::Multi(xs) => xs.iter().any(|x| holds(x)),
        },
        None => match found {
            // Missing key: IfExists and negated operators hold, positive ones fail (§4.1).
            Found::Absent => if_exists || base.is_negated(),
            // [obs, secondary] §4.3: a multi-valued key without a set operator never matches —
            // for negated operators too (the whole condition is "no match", as iam-simulate
            // does; §10.4 keeps it open). This is the reading SEMANTICS recommends; it can
            // deny more inside an Allow, which the parser reports as a warning.
            Found::Multi(_) => false,
            Found::Single(x) => holds(x),
        },
    }
}

/// `Null`: `true` asks for an absent key, `false` for a present one (OR over the values).
///
/// [inf, doubtful] SEMANTICS §4.1: set qualifiers on `Null` are evaluated as plain `Null` (as
/// the most faithful public simulator does), since sources disagree on `ForAllValues:Null` /
/// `ForAnyValue:Null`. A key listed with an empty list counts as present: it is in the context.
fn null_holds(found: Found<'_>, values: &[String]) -> bool {
    let absent = matches!(found, Found::Absent);
    values.iter().any(|pv| parse_bool(pv) == Some(absent))
}

/// The positive operator a negated one negates.
fn positive_of(base: BaseOp) -> BaseOp {
    match base {
        BaseOp::StringNotEquals => BaseOp::StringEquals,
        BaseOp::StringNotEqualsIgnoreCase => BaseOp::StringEqualsIgnoreCase,
        BaseOp::StringNotLike => BaseOp::StringLike,
        BaseOp::NumericNotEquals => BaseOp::NumericEquals,
        BaseOp::DateNotEquals => BaseOp::DateEquals,
        BaseOp::NotIpAddress => BaseOp::IpAddress,
        BaseOp::ArnNotEquals => BaseOp::ArnEquals,
        BaseOp::ArnNotLike => BaseOp::ArnLike,
        other => other,
    }
}

/// One context value against the policy values: OR for positive operators, NOR for negated
/// ones (§4.1, §4.4). An empty value list therefore never holds for a positive operator and
/// always holds for a negated one (§1.8 documents the positive half).
fn base_holds(
    base: BaseOp,
    x: &str,
    cond: &Condition,
    version: Version,
    request: &Request,
) -> bool {
    let positive = positive_of(base);
    let variables = version == Version::V2012 && base.takes_variables();
    let any = cond
        .values
        .iter()
        .any(|pv| pair_holds(positive, x, pv, variables, request));
    if base.is_negated() {
        !any
    } else {
        any
    }
}

/// One context value against one policy value, for a positive operator.
///
/// A value that cannot be read as the operator's type (a number, date, address, boolean,
/// base64, or a six-part ARN) makes the pair "not equal / not like": the positive operator
/// fails and its negation holds. [inf] SEMANTICS §4.2 only says unparsable values never match
/// positive operators; giving negated operators the same "no equal value" reading as a missing
/// key or an unresolved variable (§4.1, §4.5) keeps one rule and grants more inside an Allow,
/// the conservative side for this gate. PMapper instead fails `ArnNot*` on an invalid ARN.
fn pair_holds(positive: BaseOp, x: &str, pv: &str, variables: bool, request: &Request) -> bool {
    if variables && has_variable(pv) {
        return match substitute(pv, request) {
            // §4.5: no value → no equal or like value.
            Substituted::Unresolved => false,
            Substituted::Pattern(tokens) => match positive {
                BaseOp::StringLike => like_tokens(&tokens, x),
                BaseOp::ArnLike | BaseOp::ArnEquals => arn_like_tokens(&tokens, x),
                _ => compare(positive, x, &tokens_to_text(&tokens)),
            },
        };
    }
    compare(positive, x, pv)
}

/// `x OP pv` for a positive operator, with policy text read as written.
fn compare(positive: BaseOp, x: &str, pv: &str) -> bool {
    match positive {
        BaseOp::StringEquals => x == pv,
        // ASCII-lower folding (PMapper found it matches the IAM simulator, §4.2).
        BaseOp::StringEqualsIgnoreCase => x.eq_ignore_ascii_case(pv),
        BaseOp::StringLike => like(pv, x),
        BaseOp::NumericEquals => cmp_numbers(x, pv) == Some(Ordering::Equal),
        BaseOp::NumericLessThan => cmp_numbers(x, pv) == Some(Ordering::Less),
        BaseOp::NumericLessThanEquals => {
            matches!(cmp_numbers(x, pv), Some(Ordering::Less | Ordering::Equal))
        }
        BaseOp::NumericGreaterThan => cmp_numbers(x, pv) == Some(Ordering::Greater),
        BaseOp::NumericGreaterThanEquals => {
            matches!(
                cmp_numbers(x, pv),
                Some(Ordering::Greater | Ordering::Equal)
            )
        }
        BaseOp::DateEquals => cmp_dates(x, pv) == Some(Ordering::Equal),
        BaseOp::DateLessThan => cmp_dates(x, pv) == Some(Ordering::Less),
        BaseOp::DateLessThanEquals => {
            matches!(cmp_dates(x, pv), Some(Ordering::Less | Ordering::Equal))
        }
        BaseOp::DateGreaterThan => cmp_dates(x, pv) == Some(Ordering::Greater),
        BaseOp::DateGreaterThanEquals => {
            matches!(cmp_dates(x, pv), Some(Ordering::Greater | Ordering::Equal))
        }
        BaseOp::Bool => matches!((parse_bool(x), parse_bool(pv)), (Some(a), Some(b)) if a == b),
        BaseOp::BinaryEquals => {
            matches!((decode_base64(x), decode_base64(pv)), (Some(a), Some(b)) if a == b)
        }
        BaseOp::IpAddress => match (parse_cidr(pv), parse_ip(x)) {
            (Some(net), Some(ip)) => cidr_contains(&net, &ip),
            _ => false,
        },
        // ArnEquals ≡ ArnLike (§4.2).
        BaseOp::ArnEquals | BaseOp::ArnLike => arn_like(pv, x),
        // Negated operators and Null never reach here (`positive_of`, `null_holds`).
        _ => false,
    }
}

/// `ArnLike`: six colon-separated components in both, each globbed on its own, case-sensitive
/// (§4.6). [inf] Fewer than six parts on either side: no match.
pub fn arn_like(pattern: &str, value: &str) -> bool {
    match (split_arn(pattern), split_arn(value)) {
        (Some(p), Some(v)) => p.iter().zip(v.iter()).all(|(p, v)| like(p, v)),
        _ => false,
    }
}

/// [`arn_like`] for a pattern compiled by variable substitution. Every `:` splits, including
/// one that came from a variable: the split is on the resulting text.
fn arn_like_tokens(pattern: &[Tok], value: &str) -> bool {
    let Some(values) = split_arn(value) else {
        return false;
    };
    let mut parts: Vec<&[Tok]> = Vec::with_capacity(6);
    let mut rest = pattern;
    while parts.len() < 5 {
        let Some(at) = rest.iter().position(|t| *t == Tok::Lit(':')) else {
            return false;
        };
        parts.push(rest.get(..at).unwrap_or(&[]));
        rest = rest.get(at.saturating_add(1)..).unwrap_or(&[]);
    }
    parts.push(rest);
    parts
        .iter()
        .zip(values.iter())
        .all(|(p, v)| like_tokens(p, v))
}

// ---------------------------------------------------------------------------------------------
// Explanations (trace only)

const MAX_SHOWN: usize = 4;
const MAX_VALUE_CHARS: usize = 60;

/// A user value in backticks, shortened.
pub(crate) fn tick(value: &str) -> String {
    if value.chars().count() > MAX_VALUE_CHARS {
        let short: String = value.chars().take(MAX_VALUE_CHARS).collect();
        format!("`{short}…`")
    } else {
        format!("`{value}`")
    }
}

fn list(values: &[String]) -> String {
    let mut shown: Vec<String> = values.iter().take(MAX_SHOWN).map(|v| tick(v)).collect();
    if values.len() > MAX_SHOWN {
        shown.push("…".to_string());
    }
    format!("[{}]", shown.join(", "))
}

/// Why the condition does not hold, in a few words (`key absent`, `value `x` not in [...]`).
/// Only meaningful when [`condition_holds`] returned false.
pub fn explain_failure(
    cond: &Condition,
    effect: Effect,
    version: Version,
    request: &Request,
) -> String {
    let Operator::Known { set, base, .. } = cond.operator else {
        return format!(
            "unknown operator {} (read as false in a {effect})",
            tick(&cond.operator_raw)
        );
    };
    let found = find(request, &cond.key);
    if base == BaseOp::Null {
        return match found {
            Found::Absent => "key absent".to_string(),
            _ => "key present".to_string(),
        };
    }
    let unresolved = version == Version::V2012
        && base.takes_variables()
        && cond
            .values
            .iter()
            .any(|pv| has_variable(pv) && substitute(pv, request) == Substituted::Unresolved);
    let values = list(&cond.values);
    // Equality reads as set membership; globs and typed comparisons as "matches none".
    let verb = match base {
        BaseOp::StringEquals | BaseOp::StringEqualsIgnoreCase | BaseOp::Bool => "not in",
        BaseOp::StringLike | BaseOp::ArnLike | BaseOp::ArnEquals => "matches none of",
        _ => "fails against",
    };
    let why_single = |x: &str| -> String {
        if base.is_negated() {
            format!("value {} matches one of {values}", tick(x))
        } else if cond.values.is_empty() {
            "empty value list".to_string()
        } else if unresolved {
            format!(
                "value {} {verb} {values} (a variable has no value)",
                tick(x)
            )
        } else {
            format!("value {} {verb} {values}", tick(x))
        }
    };
    match (set, found) {
        (_, Found::Absent) => "key absent".to_string(),
        (Some(SetQualifier::ForAnyValue), Found::Multi([])) => "empty value set".to_string(),
        (None, Found::Multi(_)) => {
            "multi-valued key without ForAnyValue:/ForAllValues: never matches".to_string()
        }
        (Some(SetQualifier::ForAllValues), Found::Multi(xs)) => {
            match xs
                .iter()
                .find(|x| !base_holds(base, x, cond, version, request))
            {
                Some(x) => why_single(x),
                None => "no value fails".to_string(),
            }
        }
        (Some(SetQualifier::ForAnyValue), Found::Multi(xs)) => {
            format!("no value of {} satisfies {values}", list(xs))
        }
        (_, Found::Single(x)) => why_single(x),
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use crate::policy::parse_operator;

    fn request(ctx: &[(&str, ContextValue)]) -> Request {
        crate::eval::request::test_request(ctx)
    }

    fn s(v: &str) -> ContextValue {
        ContextValue::Single(v.to_string())
    }

    fn m(v: &[&str]) -> ContextValue {
        ContextValue::Multi(v.iter().map(|x| x.to_string()).collect())
    }

    fn holds(op: &str, key: &str, values: &[&str], ctx: &[(&str, ContextValue)]) -> bool {
        let cond = Condition {
            operator: parse_operator(op).0,
            operator_raw: op.to_string(),
            key: key.to_string(),
            values: values.iter().map(|v| v.to_string()).collect(),
            pointer: String::new(),
        };
        condition_holds(&cond, Effect::Allow, Version::V2012, &request(ctx))
    }

    #[test]
    fn missing_key_rules() {
        assert!(!holds("StringEquals", "k", &["a"], &[]));
        assert!(holds("StringNotEquals", "k", &["a"], &[]));
        assert!(holds("StringEqualsIfExists", "k", &["a"], &[]));
        assert!(holds("ForAllValues:StringEquals", "k", &["a"], &[]));
        assert!(!holds("ForAnyValue:StringEquals", "k", &["a"], &[]));
        assert!(holds("ForAnyValue:StringEqualsIfExists", "k", &["a"], &[]));
        assert!(holds("Null", "k", &["true"], &[]));
        assert!(!holds("Null", "k", &["false"], &[]));
        assert!(holds("Null", "k", &["false"], &[("K", s("x"))]));
        assert!(holds("ForAnyValue:Null", "k", &["true"], &[]));
    }

    #[test]
    fn negated_operators_are_nor() {
        let ctx = [("k", s("b"))];
        assert!(!holds("StringNotEquals", "k", &["a", "b"], &ctx));
        assert!(holds("StringNotEquals", "k", &["a", "c"], &ctx));
        assert!(holds("StringNotEquals", "k", &[], &ctx));
        assert!(!holds("StringEquals", "k", &[], &ctx));
    }

    #[test]
    fn multi_valued_without_set_operator_never_matches() {
        let ctx = [("k", m(&["a"]))];
        assert!(!holds("StringEquals", "k", &["a"], &ctx));
        assert!(!holds("StringNotEquals", "k", &["b"], &ctx));
        assert!(!holds("StringEqualsIfExists", "k", &["a"], &ctx));
        assert!(holds("ForAnyValue:StringEquals", "k", &["a"], &ctx));
    }

    #[test]
    fn arn_like_is_per_component() {
        assert!(arn_like(
            "arn:aws:iam::222222222222:role/deploy-*",
            "arn:aws:iam::222222222222:role/deploy-x"
        ));
        assert!(!arn_like(
            "arn:aws:someservice:*:111122223333:finance/*",
            "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/doc"
        ));
        assert!(arn_like("arn:*:*:*:*:*", "arn:aws:s3:::bucket/key:x"));
        assert!(!arn_like("arn:aws:iam::1:role/R", "arn:aws:iam::1:role/r"));
        assert!(!arn_like("*", "arn:aws:iam::1:role/r"));
        assert!(!arn_like("arn:aws:iam::1:role/*", "not-an-arn"));
        // Negated with an invalid value: "no like value", so the negation holds.
        assert!(holds(
            "ArnNotLike",
            "k",
            &["arn:aws:iam::1:role/*"],
            &[("k", s("junk"))]
        ));
    }

    #[test]
    fn typed_operators() {
        let ctx = [
            ("n", s("120")),
            ("d", s("2026-06-01T00:00:00Z")),
            ("b", s("TRUE")),
        ];
        assert!(holds("NumericLessThan", "n", &["3600"], &ctx));
        assert!(!holds("NumericGreaterThan", "n", &["3600"], &ctx));
        assert!(!holds("NumericEquals", "n", &["abc"], &ctx));
        assert!(holds("NumericNotEquals", "n", &["abc"], &ctx));
        assert!(holds("DateGreaterThan", "d", &["2025-01-01"], &ctx));
        assert!(holds("DateLessThanEquals", "d", &["1780272000"], &ctx));
        assert!(holds("Bool", "b", &["true"], &ctx));
        assert!(!holds("Bool", "b", &["false"], &ctx));
        assert!(holds("BinaryEquals", "x", &["aGk="], &[("x", s("aGk"))]));
        assert!(holds(
            "IpAddress",
            "ip",
            &["10.0.0.0/8"],
            &[("ip", s("10.1.2.3"))]
        ));
        assert!(holds(
            "NotIpAddress",
            "ip",
            &["10.0.0.0/8"],
            &[("ip", s("11.1.2.3"))]
        ));
    }

    #[test]
    fn variables_only_under_2012() {
        let ctx = [
            ("aws:username", s("alice")),
            ("sts:RoleSessionName", s("alice")),
        ];
        let cond = Condition {
            operator: parse_operator("StringLike").0,
            operator_raw: "StringLike".to_string(),
            key: "sts:RoleSessionName".to_string(),
            values: vec!["${aws:username}".to_string()],
            pointer: String::new(),
        };
        let r = request(&ctx);
        assert!(condition_holds(&cond, Effect::Allow, Version::V2012, &r));
        assert!(!condition_holds(&cond, Effect::Allow, Version::V2008, &r));
    }

    #[test]
    fn unknown_operator_depends_on_effect() {
        let cond = Condition {
            operator: Operator::Unknown,
            operator_raw: "StringEqualz".to_string(),
            key: "k".to_string(),
            values: vec![],
            pointer: String::new(),
        };
        let r = request(&[]);
        assert!(condition_holds(&cond, Effect::Allow, Version::V2012, &r));
        assert!(!condition_holds(&cond, Effect::Deny, Version::V2012, &r));
    }

    #[test]
    fn explanations_are_short() {
        let cond = Condition {
            operator: parse_operator("StringEquals").0,
            operator_raw: "StringEquals".to_string(),
            key: "sts:ExternalId".to_string(),
            values: vec!["a".to_string(), "b".to_string()],
            pointer: String::new(),
        };
        let r = request(&[("sts:externalid", s("x"))]);
        assert_eq!(
            explain_failure(&cond, Effect::Allow, Version::V2012, &r),
            "value `x` not in [`a`, `b`]"
        );
        assert_eq!(
            explain_failure(&cond, Effect::Allow, Version::V2012, &request(&[])),
            "key absent"
        );
    }
}
