//! The `[[ignore]]` entry that accepts one finding, as TOML text: shown ready to paste in the
//! PR comment, and written by `trustgate baseline`. Pinned by the finding's fingerprint, so
//! it stops applying as soon as the policy changes again.

use crate::finding::Finding;

/// A TOML basic string: quotes, backslashes and every control character escaped, so a value
/// can never end the string or the line.
pub fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len().saturating_add(2));
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The `[[ignore]]` table for one finding, ending in a newline. The address is written as
/// is: `*` and `?` in it would act as wildcards, but the fingerprint pins the entry to this
/// one change either way.
pub fn entry(f: &Finding, reason: &str, expires: Option<&str>) -> String {
    let mut out = format!(
        "[[ignore]]\nrule = {}\naddress = {}\nfingerprint = {}\nreason = {}\n",
        toml_string(f.rule),
        toml_string(&f.address),
        toml_string(&f.fingerprint),
        toml_string(reason),
    );
    if let Some(date) = expires {
        out.push_str(&format!("expires = {}\n", toml_string(date)));
    }
    out
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn strings_cannot_escape() {
        assert_eq!(toml_string("a\"b\\c\nd\u{7}"), "\"a\\\"b\\\\c\\nd\\u0007\"");
    }
}
