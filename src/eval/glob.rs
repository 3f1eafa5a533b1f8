//! Glob matching for `StringLike`, `ArnLike` and `Action` patterns (SEMANTICS §4.6, §1.6).
//!
//! `*` matches any run of characters (possibly empty, crossing `/` and `:`), `?` exactly one
//! character, everything else is literal, and the whole value must match. The matcher is the
//! classic greedy two-pointer algorithm that only ever remembers the last `*`: worst case
//! O(|pattern| x |value|), never exponential, no recursion, no allocation on the ASCII path.

/// One element of a compiled pattern. Text that came from a policy variable or an escape
/// (`${*}`) is `Lit`, so a `*` inside it is not a wildcard (SEMANTICS §4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    Lit(char),
    Star,
    One,
}

/// The core matcher over any pattern / value element types.
///
/// `tok(p)` classifies a pattern element; `eq(lit, v)` compares a literal with a value element.
// Index arithmetic stays below the pattern's and the value's lengths (the loop guards).
#[allow(clippy::arithmetic_side_effects)]
fn glob_core<P: Copy, L, V: Copy>(
    pat: &[P],
    val: &[V],
    tok: impl Fn(P) -> TokOf<L>,
    eq: impl Fn(L, V) -> bool,
) -> bool {
    let (mut p, mut v) = (0usize, 0usize);
    // (pattern index of the last `*`, value index it is currently assumed to cover up to).
    let mut star: Option<(usize, usize)> = None;
    while let Some(&cv) = val.get(v) {
        if let Some(&cp) = pat.get(p) {
            match tok(cp) {
                TokOf::Star => {
                    star = Some((p, v));
                    p += 1;
                    continue;
                }
                TokOf::One => {
                    p += 1;
                    v += 1;
                    continue;
                }
                TokOf::Lit(lit) => {
                    if eq(lit, cv) {
                        p += 1;
                        v += 1;
                        continue;
                    }
                }
            }
        }
        // Mismatch: let the last `*` swallow one more value element, or fail.
        match star {
            Some((sp, sv)) => {
                p = sp + 1;
                v = sv + 1;
                star = Some((sp, sv + 1));
            }
            None => return false,
        }
    }
    // Value consumed: only trailing `*`s may remain.
    while let Some(&cp) = pat.get(p) {
        if !matches!(tok(cp), TokOf::Star) {
            return false;
        }
        p += 1;
    }
    true
}

/// Classification of a pattern element, carrying the literal for literals.
enum TokOf<L> {
    Lit(L),
    Star,
    One,
}

fn byte_tok(b: u8) -> TokOf<u8> {
    match b {
        b'*' => TokOf::Star,
        b'?' => TokOf::One,
        _ => TokOf::Lit(b),
    }
}

fn char_tok(c: char) -> TokOf<char> {
    match c {
        '*' => TokOf::Star,
        '?' => TokOf::One,
        _ => TokOf::Lit(c),
    }
}

/// The pattern's literal text before its first wildcard (at `first`) begins the value and its
/// literal text after its last wildcard ends it: both are needed for a match, and most
/// patterns a value meets fail the first within a few bytes (an ARN of another service, a
/// bucket of another name), so the matcher proper runs only where they hold. Byte-wise:
/// literal characters match exactly their own bytes, and ASCII folding byte by byte is the
/// folding character by character.
fn ends_agree(
    pattern: &[u8],
    first: usize,
    value: &[u8],
    eq: impl Fn(&[u8], &[u8]) -> bool,
) -> bool {
    let head = pattern.get(..first).unwrap_or_default();
    if !value.get(..head.len()).is_some_and(|b| eq(b, head)) {
        return false;
    }
    let last = pattern.iter().rposition(|&b| is_wild(b)).unwrap_or(first);
    let tail = pattern.get(last.saturating_add(1)..).unwrap_or_default();
    value
        .len()
        .checked_sub(tail.len())
        .and_then(|at| value.get(at..))
        .is_some_and(|b| eq(b, tail))
}

/// Whether a pattern byte is a wildcard. A pattern without any matches only itself: the common
/// case (an action name, a plain value) is then one comparison.
fn is_wild(b: u8) -> bool {
    b == b'*' || b == b'?'
}

/// `pattern` (with `*` / `?` wildcards) matches all of `value`, case-sensitively.
pub fn like(pattern: &str, value: &str) -> bool {
    let Some(first) = pattern.bytes().position(is_wild) else {
        return pattern == value;
    };
    if !ends_agree(pattern.as_bytes(), first, value.as_bytes(), |a, b| a == b) {
        return false;
    }
    if pattern.is_ascii() && value.is_ascii() {
        // Bytes are characters here, so `?` still means one character.
        glob_core(pattern.as_bytes(), value.as_bytes(), byte_tok, |a, b| {
            a == b
        })
    } else {
        let p: Vec<char> = pattern.chars().collect();
        let v: Vec<char> = value.chars().collect();
        glob_core(&p, &v, char_tok, |a, b| a == b)
    }
}

/// Like [`like`], comparing letters ASCII-case-insensitively (action names, SEMANTICS §1.6).
pub fn like_ignore_ascii_case(pattern: &str, value: &str) -> bool {
    let Some(first) = pattern.bytes().position(is_wild) else {
        // Byte-wise ASCII folding is the character-wise one: bytes of multi-byte characters
        // are never ASCII letters.
        return pattern.eq_ignore_ascii_case(value);
    };
    if !ends_agree(
        pattern.as_bytes(),
        first,
        value.as_bytes(),
        <[u8]>::eq_ignore_ascii_case,
    ) {
        return false;
    }
    if pattern.is_ascii() && value.is_ascii() {
        glob_core(pattern.as_bytes(), value.as_bytes(), byte_tok, |a, b| {
            a.eq_ignore_ascii_case(&b)
        })
    } else {
        let p: Vec<char> = pattern.chars().collect();
        let v: Vec<char> = value.chars().collect();
        glob_core(&p, &v, char_tok, |a, b| a.eq_ignore_ascii_case(&b))
    }
}

/// A compiled pattern (after variable substitution) matches all of `value`.
pub fn like_tokens(pattern: &[Tok], value: &str) -> bool {
    let v: Vec<char> = value.chars().collect();
    glob_core(
        pattern,
        &v,
        |t| match t {
            Tok::Lit(c) => TokOf::Lit(c),
            Tok::Star => TokOf::Star,
            Tok::One => TokOf::One,
        },
        |a, b| a == b,
    )
}

/// Compile policy text as written: `*` and `?` are wildcards.
pub fn compile(pattern: &str) -> Vec<Tok> {
    pattern
        .chars()
        .map(|c| match c {
            '*' => Tok::Star,
            '?' => Tok::One,
            c => Tok::Lit(c),
        })
        .collect()
}

/// The text of a compiled pattern, with wildcards written back as `*` / `?` (for operators
/// that compare literally, and for messages).
pub fn tokens_to_text(pattern: &[Tok]) -> String {
    pattern
        .iter()
        .map(|t| match t {
            Tok::Lit(c) => *c,
            Tok::Star => '*',
            Tok::One => '?',
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn star_matches_any_run_including_empty_and_separators() {
        assert!(like("*", ""));
        assert!(like("*", "a:b/c"));
        assert!(like("repo:acme/*", "repo:acme/app:ref:refs/heads/main"));
        assert!(like("repo:acme/*", "repo:acme/"));
        assert!(!like("repo:acme/*", "repo:acme"));
        assert!(like("a*b*c", "aXXbYYc"));
        assert!(like("a*b*c", "abc"));
        assert!(!like("a*b*c", "acb"));
        assert!(like("**", "x"));
    }

    #[test]
    fn question_mark_is_exactly_one_character() {
        assert!(like("a?c", "abc"));
        assert!(!like("a?c", "ac"));
        assert!(!like("a?c", "abbc"));
        // One character even when it is several bytes.
        assert!(like("a?c", "aéc"));
        assert!(like("?", "€"));
        assert!(!like("??", "€"));
    }

    #[test]
    fn anchored_and_case_sensitive() {
        assert!(!like("abc", "abcd"));
        assert!(!like("bcd", "abcd"));
        assert!(!like("ABC", "abc"));
        assert!(like_ignore_ascii_case("STS:assume*", "sts:AssumeRole"));
        assert!(!like_ignore_ascii_case("sts:assume?", "sts:AssumeRole"));
    }

    #[test]
    fn other_characters_are_literal() {
        assert!(like("a.c", "a.c"));
        assert!(!like("a.c", "abc"));
        assert!(like("[x]", "[x]"));
        assert!(like("$", "$"));
    }

    #[test]
    fn tokens_keep_literal_stars() {
        let pat = [Tok::Lit('a'), Tok::Lit('*')];
        assert!(like_tokens(&pat, "a*"));
        assert!(!like_tokens(&pat, "ab"));
        let pat = [Tok::Lit('a'), Tok::Star];
        assert!(like_tokens(&pat, "abc"));
        assert_eq!(tokens_to_text(&compile("a*?b")), "a*?b");
    }

    /// Glob matching by its definition, character by character and recursively: `*` any
    /// run, `?` one character, anything else itself (`fold` for ASCII case-insensitivity).
    fn reference(p: &[char], v: &[char], fold: bool) -> bool {
        match p.split_first() {
            None => v.is_empty(),
            Some(('*', rest)) => (0..=v.len()).any(|i| reference(rest, &v[i..], fold)),
            Some(('?', rest)) => !v.is_empty() && reference(rest, &v[1..], fold),
            Some((c, rest)) => v.split_first().is_some_and(|(d, vr)| {
                (if fold {
                    c.eq_ignore_ascii_case(d)
                } else {
                    c == d
                }) && reference(rest, vr, fold)
            }),
        }
    }

    proptest::proptest! {
        // Over a small alphabet with multi-byte characters and both cases, so literal ends,
        // wildcards and `?` against several bytes all meet: the cheap refusal by the pattern's
        // literal ends (`ends_agree`) must never refuse a match.
        #[test]
        fn matches_the_definition(
            p in "[aAb*?é€:]{0,8}",
            v in "[aAbé€:]{0,8}",
        ) {
            let (pc, vc): (Vec<char>, Vec<char>) = (p.chars().collect(), v.chars().collect());
            proptest::prop_assert_eq!(like(&p, &v), reference(&pc, &vc, false), "{} {}", p, v);
            proptest::prop_assert_eq!(
                like_ignore_ascii_case(&p, &v),
                reference(&pc, &vc, true),
                "{} {}", p, v
            );
        }
    }

    #[test]
    fn pathological_patterns_finish() {
        let value = "a".repeat(20_000);
        let pattern = format!("{}b", "a*".repeat(200));
        // Backtracking would take astronomically long here; the linear matcher returns at
        // once (the test harness is the clock: no timing assertion).
        assert!(!like(&pattern, &value));
    }
}
