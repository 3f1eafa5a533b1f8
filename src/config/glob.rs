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
        while t < text.len() {
            match pat.get(p) {
                Some('*') => {
                    star = Some((p, t));
                    p += 1;
                }
                Some(&c) if c == '?' || c == text[t] => {
                    p += 1;
                    t += 1;
                }
                _ => match star {
                    // Let the last `*` swallow one more character and retry from there.
                    Some((sp, st)) => {
                        p = sp + 1;
                        t = st + 1;
                        star = Some((sp, st + 1));
                    }
                    None => return false,
                },
            }
        }
        pat[p.min(pat.len())..].iter().all(|&c| c == '*')
    }
}

#[cfg(test)]
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
