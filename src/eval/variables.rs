//! `${...}` policy variables in condition values (SEMANTICS §1.2, §4.5).
//!
//! Only for `Version: 2012-10-17` and operators that take variables; the caller checks both.
//! The result is a compiled pattern: text written in the policy keeps its wildcards, text that
//! came from the request or from an escape (`${*}`, `${?}`, `${$}`) is literal.

use super::glob::Tok;
use super::request::{ContextValue, Request};

/// Result of substituting the variables of one policy value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Substituted {
    /// Every variable had a value (or a default).
    Pattern(Vec<Tok>),
    /// A variable had no value and no default: "there is no equal or like value" (§4.5).
    Unresolved,
}

/// True when `value` may hold a variable (cheap pre-check so the common case does not allocate).
pub fn has_variable(value: &str) -> bool {
    value.contains("${")
}

/// Find a context key ASCII-case-insensitively (SEMANTICS §1.9: key names, including the tag
/// key suffix of `aws:RequestTag/…`, are case-insensitive). [inf] When a request names the same
/// key twice in different case, the first in map order wins.
pub fn lookup<'r>(request: &'r Request, key: &str) -> Option<&'r ContextValue> {
    request
        .context
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// Substitute every `${...}` in `value`.
///
/// * `${key}`: the key's single value; a missing or multi-valued key has no value (multi-valued
///   keys cannot be variables, §4.5).
/// * `${key, 'default'}`: the default when the key has no value. [inf] §4.5 documents the
///   default for `Resource`; supported in conditions as iam-simulate does.
/// * `${*}`, `${?}`, `${$}`: the literal character.
/// * [inf] A `${` without a closing `}`, or a malformed default, is kept as literal text: IAM
///   would not resolve it, and literal text is what the 2008 version does with every `${`.
pub fn substitute(value: &str, request: &Request) -> Substituted {
    let mut out: Vec<Tok> = Vec::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        push_pattern(&mut out, rest.get(..start).unwrap_or(""));
        let after = rest.get(start.saturating_add(2)..).unwrap_or("");
        let Some(end) = after.find('}') else {
            // Unterminated: the rest is literal policy text.
            push_pattern(&mut out, rest.get(start..).unwrap_or(""));
            return Substituted::Pattern(out);
        };
        let body = after.get(..end).unwrap_or("");
        let whole = rest
            .get(start..start.saturating_add(end).saturating_add(3))
            .unwrap_or("");
        rest = after.get(end.saturating_add(1)..).unwrap_or("");
        match body {
            "*" => out.push(Tok::Lit('*')),
            "?" => out.push(Tok::Lit('?')),
            "$" => out.push(Tok::Lit('$')),
            _ => match resolve(body, request) {
                Resolved::Value(text) => out.extend(text.chars().map(Tok::Lit)),
                Resolved::Missing => return Substituted::Unresolved,
                Resolved::Malformed => push_pattern(&mut out, whole),
            },
        }
    }
    push_pattern(&mut out, rest);
    Substituted::Pattern(out)
}

enum Resolved<'a> {
    Value(&'a str),
    Missing,
    Malformed,
}

fn resolve<'a>(body: &'a str, request: &'a Request) -> Resolved<'a> {
    let (key, default) = match body.split_once(',') {
        Some((key, default)) => {
            let default = default.trim();
            let Some(inner) = default
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
            else {
                return Resolved::Malformed;
            };
            (key.trim(), Some(inner))
        }
        None => (body.trim(), None),
    };
    if key.is_empty() {
        return Resolved::Malformed;
    }
    match (lookup(request, key), default) {
        (Some(ContextValue::Single(v)), _) => Resolved::Value(v),
        (_, Some(d)) => Resolved::Value(d),
        (_, None) => Resolved::Missing,
    }
}

/// Policy-written text: `*` and `?` stay wildcards.
fn push_pattern(out: &mut Vec<Tok>, text: &str) {
    out.extend(text.chars().map(|c| match c {
        '*' => Tok::Star,
        '?' => Tok::One,
        c => Tok::Lit(c),
    }));
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::super::glob::{like_tokens, tokens_to_text};
    use super::*;

    fn request(ctx: &[(&str, ContextValue)]) -> Request {
        crate::eval::request::test_request(ctx)
    }

    fn single(s: &str) -> ContextValue {
        ContextValue::Single(s.to_string())
    }

    fn text(s: Substituted) -> Option<String> {
        match s {
            Substituted::Pattern(p) => Some(tokens_to_text(&p)),
            Substituted::Unresolved => None,
        }
    }

    #[test]
    fn substitutes_case_insensitive_keys() {
        let r = request(&[("aws:username", single("alice"))]);
        assert_eq!(
            text(substitute("${aws:username}", &r)).as_deref(),
            Some("alice")
        );
        assert_eq!(
            text(substitute("u-${AWS:UserName}-x", &r)).as_deref(),
            Some("u-alice-x")
        );
    }

    #[test]
    fn missing_and_multi_valued_keys_are_unresolved_unless_defaulted() {
        let r = request(&[("aws:TagKeys", ContextValue::Multi(vec!["a".into()]))]);
        assert_eq!(substitute("${aws:username}", &r), Substituted::Unresolved);
        assert_eq!(substitute("${aws:TagKeys}", &r), Substituted::Unresolved);
        assert_eq!(
            text(substitute("${aws:username, 'nobody'}", &r)).as_deref(),
            Some("nobody")
        );
        assert_eq!(
            text(substitute("${aws:PrincipalTag/team,'company-wide'}", &r)).as_deref(),
            Some("company-wide")
        );
    }

    #[test]
    fn substituted_text_is_literal_and_escapes_work() {
        let r = request(&[("aws:username", single("a*"))]);
        let Substituted::Pattern(p) = substitute("${aws:username}", &r) else {
            panic!("resolved");
        };
        assert!(like_tokens(&p, "a*"));
        assert!(!like_tokens(&p, "abc"));
        let Substituted::Pattern(p) = substitute("x${*}y*", &r) else {
            panic!("resolved");
        };
        assert_eq!(
            p,
            vec![Tok::Lit('x'), Tok::Lit('*'), Tok::Lit('y'), Tok::Star]
        );
        assert_eq!(text(substitute("${?}${$}", &r)).as_deref(), Some("?$"));
    }

    #[test]
    fn malformed_variables_stay_literal() {
        let r = request(&[]);
        assert_eq!(text(substitute("${abc", &r)).as_deref(), Some("${abc"));
        assert_eq!(text(substitute("${}", &r)).as_deref(), Some("${}"));
        assert_eq!(
            text(substitute("${k, nodefault}", &r)).as_deref(),
            Some("${k, nodefault}")
        );
        assert_eq!(text(substitute("plain", &r)).as_deref(), Some("plain"));
    }
}
