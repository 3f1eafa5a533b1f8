//! Address globs for `[[ignore]] address`: `*` matches any run of characters (dots, brackets
//! and quotes included, so `module.app["x"].aws_iam_role.r[0]` is reachable), `?` exactly one,
//! everything else itself; the whole address must match.

/// A compiled address glob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressGlob {
    text: String,
    pattern: Vec<char>,
}

impl AddressGlob {
    pub fn new(text: &str) -> AddressGlob {
        AddressGlob {
            text: text.to_string(),
            pattern: text.chars().collect(),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Anchored match. Iterative with one backtrack point, so linear-ish and never recursive:
    /// a pattern of many `*` cannot blow the stack or take exponential time.
    pub fn matches(&self, address: &str) -> bool {
        let text: Vec<char> = address.chars().collect();
        let pat = &self.pattern;
        let (mut p, mut t) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        // p and t only grow, and never past the pattern's or the text's length (each step
        // checks the element exists first), so `+ 1` stays far below usize::MAX.
        while let Some(&tc) = text.get(t) {
            match pat.get(p) {
                Some('*') => {
                    star = Some((p, t));
                    p = p.saturating_add(1);
                }
                Some(&c) if c == '?' || c == tc => {
                    p = p.saturating_add(1);
                    t = t.saturating_add(1);
                }
                _ => match star {
                    // Let the last `*` swallow one more character and retry from there.
                    Some((sp, st)) => {
                        p = sp.saturating_add(1);
                        t = st.saturating_add(1);
                        star = Some((sp, t));
                    }
                    None => return false,
                },
            }
        }
        pat.get(p..).unwrap_or_default().iter().all(|&c| c == '*')
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    fn m(pattern: &str, address: &str) -> bool {
        AddressGlob::new(pattern).matches(address)
    }

    #[test]
    fn anchored_literals() {
        assert!(m("aws_iam_role.ci", "aws_iam_role.ci"));
        assert!(!m("aws_iam_role.ci", "aws_iam_role.ci2"));
        assert!(!m("aws_iam_role.ci", "module.x.aws_iam_role.ci"));
        assert!(m("", ""));
        assert!(!m("", "a"));
    }

    #[test]
    fn star_crosses_dots_brackets_and_quotes() {
        let addr = r#"module.app["x"].aws_iam_role.r[0]"#;
        assert!(m("*", addr));
        assert!(m("module.app*", addr));
        assert!(m(r#"module.app["*"].aws_iam_role.r[*]"#, addr));
        assert!(m("*.aws_iam_role.r[0]", addr));
        assert!(m(r#"module.app["?"].aws_iam_role.r[?]"#, addr));
        assert!(!m(r#"module.app["??"].aws_iam_role.r[0]"#, addr));
        assert!(!m("module.db*", addr));
        assert!(m("a*b*c", "axxbyyc"));
        assert!(!m("a*b*c", "axxbyy"));
        assert!(m("**a**", "a"));
    }

    #[test]
    fn many_stars_stay_fast() {
        let pattern = "*a".repeat(200) + "b";
        let text = "a".repeat(5000);
        assert!(!m(&pattern, &text));
    }
}
