//! `[[custom]]` rules: RFC 9535 JSONPath (the `jsonpath-rust` crate) over the after policy in
//! structural normal form (SPEC §7). `select` picks nodes; for each, `require` (evaluated with
//! `$` = that node) must match at least one node and `forbid` must match none. Every selected
//! node that breaks either is one finding whose `after_pointer` is the node's JSON pointer
//! into the normal form (the `after` of the role in the JSON report).
//!
//! Like the posture rules, a custom rule speaks about a role the plan creates, about every
//! role with `--all`, and otherwise only about offending nodes that are new: a node that
//! offended identically before the change is not reported again, so an unchanged role never
//! fires and an unrelated edit does not resurface an old, known problem.

use crate::finding::Severity;
use crate::policy::normal_form;
use crate::rules::{Draft, RoleInput, Rule, RuleKind, RuleMeta, Side};
use jsonpath_rust::parser::model::JpQuery;
use jsonpath_rust::parser::parse_json_path;
use jsonpath_rust::query::js_path_process;
use serde_json::Value;

/// A compiled custom rule.
#[derive(Debug, Clone)]
pub struct CustomRule {
    /// Leaked once per configuration load: findings carry rule ids as `&'static str`, and
    /// a process loads its configuration once, so the few bytes live exactly as long as the
    /// findings that name them.
    pub meta: &'static RuleMeta,
    pub message: String,
    pub select: JpQuery,
    pub require: Option<JpQuery>,
    pub forbid: Option<JpQuery>,
}

/// Compile one expression, or say why it is not JSONPath in one line.
pub fn compile(expr: &str) -> Result<JpQuery, String> {
    parse_json_path(expr).map_err(|e| one_line(&e.to_string()))
}

/// pest's errors are multi-line drawings (` --> 1:3`, a caret line, `= expected ...`); keep
/// the position and the expectation.
fn one_line(message: &str) -> String {
    let mut position = None;
    let mut expected = None;
    for line in message.lines().map(str::trim) {
        if let Some((_, pos)) = line.split_once("--> ") {
            position = pos.split(':').nth(1).map(str::to_string);
        } else if let Some(what) = line.strip_prefix("= ") {
            // The grammar's rule names, in the words of RFC 9535.
            expected = Some(
                what.replace("jp_query", "a query starting with `$`")
                    .replace("EOI", "the end"),
            );
        }
    }
    match (position, expected) {
        (Some(col), Some(what)) => format!("at character {col}: {what}"),
        (None, Some(what)) => what,
        _ => message
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// The RFC 6901 pointer of an RFC 9535 normalized path (`$['Statement'][0]` ->
/// `/Statement/0`); `None` if the path is not in normalized form.
pub fn pointer_of(path: &str) -> Option<String> {
    let mut chars = path.strip_prefix('$')?.chars().peekable();
    let mut pointer = String::new();
    while let Some(c) = chars.next() {
        if c != '[' {
            return None;
        }
        pointer.push('/');
        if chars.peek() == Some(&'\'') {
            chars.next();
            let mut name = String::new();
            loop {
                match chars.next()? {
                    '\'' => break,
                    '\\' => name.push(match chars.next()? {
                        'b' => '\u{8}',
                        'f' => '\u{c}',
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        'u' => {
                            let hex: String = (0..4).filter_map(|_| chars.next()).collect();
                            char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
                        }
                        other => other,
                    }),
                    other => name.push(other),
                }
            }
            pointer.push_str(&name.replace('~', "~0").replace('/', "~1"));
            if chars.next()? != ']' {
                return None;
            }
        } else {
            loop {
                match chars.next()? {
                    ']' => break,
                    d if d.is_ascii_digit() => pointer.push(d),
                    _ => return None,
                }
            }
        }
    }
    Some(pointer)
}

/// The nodes `query` selects from `root`, with their paths; an evaluation error selects
/// nothing (RFC 9535 queries over JSON values do not fail once compiled).
fn run<'a>(query: &JpQuery, root: &'a Value) -> Option<Vec<(String, &'a Value)>> {
    js_path_process(query, root)
        .ok()
        .map(|refs| refs.into_iter().map(|r| (r.path, r.val)).collect())
}

impl CustomRule {
    /// Build a rule from validated parts (the id and message are leaked; see `meta`).
    pub fn new(
        id: &str,
        severity: Severity,
        message: &str,
        select: JpQuery,
        require: Option<JpQuery>,
        forbid: Option<JpQuery>,
    ) -> CustomRule {
        let meta: &'static RuleMeta = Box::leak(Box::new(RuleMeta {
            id: Box::leak(id.to_string().into_boxed_str()),
            kind: RuleKind::Posture,
            default_severity: severity,
            summary: Box::leak(message.to_string().into_boxed_str()),
        }));
        CustomRule {
            meta,
            message: message.to_string(),
            select,
            require,
            forbid,
        }
    }

    /// The selected nodes of `doc` that break `require` or `forbid`: (pointer, node). The
    /// pointer is `None` only if the engine's path were not a normalized path.
    pub fn offending<'a>(&self, doc: &'a Value) -> Vec<(Option<String>, &'a Value)> {
        let Some(selected) = run(&self.select, doc) else {
            return Vec::new();
        };
        selected
            .into_iter()
            .filter(|(_, node)| {
                // Fail closed: a query that cannot be evaluated counts as broken.
                let missing = self
                    .require
                    .as_ref()
                    .is_some_and(|q| run(q, node).is_none_or(|m| m.is_empty()));
                let forbidden = self
                    .forbid
                    .as_ref()
                    .is_some_and(|q| run(q, node).is_none_or(|m| !m.is_empty()));
                missing || forbidden
            })
            .map(|(path, node)| (pointer_of(&path), node))
            .collect()
    }
}

impl Rule for CustomRule {
    fn meta(&self) -> &'static RuleMeta {
        self.meta
    }

    fn check(&self, input: &RoleInput<'_>, out: &mut Vec<Draft>) {
        let Some(after) = input.after.policy() else {
            return;
        };
        let after_doc = normal_form(after);
        let offending = self.offending(&after_doc);
        if offending.is_empty() {
            return;
        }
        let known: Vec<Value> = match input.before {
            Side::Policy(before) if !input.settings.all => {
                let before_doc = normal_form(before);
                self.offending(&before_doc)
                    .into_iter()
                    .map(|(_, node)| node.clone())
                    .collect()
            }
            _ => Vec::new(),
        };
        for (pointer, node) in offending {
            if known.contains(node) {
                continue;
            }
            let mut draft = Draft::new(self.meta, self.message.clone());
            draft.after_pointer = pointer;
            out.push(draft);
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn normalized_paths_become_pointers() {
        assert_eq!(pointer_of("$").as_deref(), Some(""));
        assert_eq!(
            pointer_of("$['Statement'][0]['Condition']['StringEquals']['sts:ExternalId']")
                .as_deref(),
            Some("/Statement/0/Condition/StringEquals/sts:ExternalId")
        );
        assert_eq!(
            pointer_of(r"$['a/b~c']['it\'s']").as_deref(),
            Some("/a~1b~0c/it's")
        );
        assert_eq!(pointer_of(r"$['\u000b']").as_deref(), Some("/\u{b}"));
        assert_eq!(pointer_of("$[x]"), None);
        assert_eq!(pointer_of("Statement"), None);
    }

    #[test]
    fn errors_are_one_line() {
        let e = compile("$.Statement[").unwrap_err();
        assert!(!e.contains('\n'), "{e}");
        assert!(compile("$.Statement[?(@.Effect == 'Allow')]").is_ok());
    }

    #[test]
    fn paths_from_the_engine_resolve_as_pointers() {
        let doc = json!({"Statement": [{"Effect": "Deny"}, {"Effect": "Allow", "Condition": {"a/b": {"k": ["v"]}}}]});
        let q = compile("$..['k']").unwrap();
        let found = run(&q, &doc).unwrap();
        assert_eq!(found.len(), 1);
        let pointer = pointer_of(&found[0].0).unwrap();
        assert_eq!(doc.pointer(&pointer), Some(&json!(["v"])));
    }
}
