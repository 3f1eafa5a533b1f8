//! Input limits of the policy parser: they keep the memory and time of parsing, and of the
//! evaluator and comparator behind it, proportional to the input (SPEC §9).
//!
//! Every limit is far above anything IAM stores: IAM refuses a role trust policy longer than
//! 4,096 characters (whitespace aside), so a document beyond these limits can never be a role's
//! real trust policy. Hitting a limit is therefore a [`ParseError`] — the document is not a
//! trust policy trustgate (or IAM) will read — and the role gets `trust-policy-unparseable`
//! (critical), which fails the gate at every threshold but `never`. A policy *within* the
//! limits whose comparison is still too big (thousands of wildcards, a spent search budget) is
//! the comparator's business: `analysis-incomplete` (high). Neither is ever a pass.

use super::json::Node;
use super::parse::ParseError;

/// Longest policy text read, in bytes (32 times IAM's own quota).
pub const MAX_POLICY_BYTES: usize = 128 * 1024;
/// Deepest nesting of arrays and objects. A policy needs 6 levels
/// (document, `Statement` array, statement, `Condition`, operator, key, value list is the 7th);
/// unknown elements may hold a little more.
pub const MAX_DEPTH: usize = 32;
/// Longest single string (a key or a value), in bytes.
pub const MAX_STRING_BYTES: usize = 8 * 1024;
/// Most statements in one policy.
pub const MAX_STATEMENTS: usize = 512;
/// Most elements in one array (a principal, action or condition value list) and most members
/// in one object (condition keys under one operator, ...).
pub const MAX_LIST: usize = 4_096;
/// Most condition (operator, key) pairs in one policy, summed over its statements.
pub const MAX_CONDITIONS: usize = 2_048;
/// Most scalar values in one policy (principals, actions and condition values together).
pub const MAX_VALUES: usize = 16_384;

/// The error for a limit hit: names the limit, so a reviewer knows why the text was refused.
pub(super) fn exceeded(pointer: &str, what: &str, limit: usize) -> ParseError {
    ParseError {
        pointer: pointer.to_string(),
        message: format!(
            "{what} exceeds trustgate's limit of {limit} (far beyond IAM's trust-policy quota); not analysed"
        ),
    }
}

/// Refuse a text before parsing it: too long, or nested too deep. The depth scan is one pass
/// over the bytes (strings skipped), so a hostile text costs no more than its length.
pub fn check_text(text: &str) -> Result<(), ParseError> {
    if text.len() > MAX_POLICY_BYTES {
        return Err(exceeded("", "the policy text", MAX_POLICY_BYTES));
    }
    // Depth never exceeds the number of opening brackets, strings included: a text with few
    // of them (almost every policy) needs no scan that tells strings apart.
    let openers = text.bytes().filter(|&b| b == b'[' || b == b'{').count();
    if openers <= MAX_DEPTH {
        return Ok(());
    }
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for b in text.bytes() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth = depth.saturating_add(1);
                if depth > MAX_DEPTH {
                    return Err(exceeded("", "the nesting depth", MAX_DEPTH));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Refuse a parsed tree with an over-long string or an over-long array or object. The tree is
/// at most `MAX_DEPTH` deep (checked on the text), so the recursion is bounded.
pub fn check_node(node: &Node) -> Result<(), ParseError> {
    match node {
        Node::Null | Node::Bool(_) => Ok(()),
        Node::Number(s) => check_string(s),
        Node::String(s) => check_string(s),
        Node::Array(items) => {
            if items.len() > MAX_LIST {
                return Err(exceeded("", "an array's length", MAX_LIST));
            }
            items.iter().try_for_each(check_node)
        }
        Node::Object(members) => {
            if members.len() > MAX_LIST {
                return Err(exceeded("", "an object's member count", MAX_LIST));
            }
            members.iter().try_for_each(|(key, value)| {
                check_string(key)?;
                check_node(value)
            })
        }
    }
}

fn check_string(s: &str) -> Result<(), ParseError> {
    if s.len() > MAX_STRING_BYTES {
        return Err(exceeded("", "a string's length in bytes", MAX_STRING_BYTES));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_brackets_outside_strings_only() {
        let inside = format!("{{\"a\":\"{}\"}}", "[".repeat(100));
        assert!(check_text(&inside).is_ok());
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(check_text(&deep).is_err());
        let escaped_quote = format!("{{\"a\":\"\\\"{}\"}}", "{".repeat(100));
        assert!(check_text(&escaped_quote).is_ok());
    }

    #[test]
    fn long_text_is_refused_before_parsing() {
        let text = " ".repeat(MAX_POLICY_BYTES + 1);
        let e = check_text(&text).unwrap_err();
        assert!(e.message.contains("limit of 131072"), "{e}");
    }
}
