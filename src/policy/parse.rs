//! The trust-policy parser: JSON text -> `Policy`, accepting every shape IAM accepts
//! (SEMANTICS §1), detecting duplicate keys, and recording each construct IAM refuses as a
//! `PolicyIssue` while still giving it its documented meaning.

use super::json::{self, escape_token, Node};
use super::keys;
use super::limits::{self, exceeded};
use super::model::*;
use std::collections::BTreeSet;
use std::fmt;

/// Why a text is not a trust policy at all (the `trust-policy-unparseable` rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// JSON pointer of the offending element ("" for the document).
    pub pointer: String,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.pointer, self.message)
        }
    }
}

impl std::error::Error for ParseError {}

fn err(pointer: &str, message: impl Into<String>) -> ParseError {
    ParseError {
        pointer: pointer.to_string(),
        message: message.into(),
    }
}

/// `pointer` and one more reference token, as written (the hot path of parsing: plain
/// concatenation, not the formatting machinery).
fn join(pointer: &str, part: &str) -> String {
    let mut out = String::with_capacity(pointer.len().saturating_add(part.len()).saturating_add(1));
    out.push_str(pointer);
    out.push('/');
    out.push_str(part);
    out
}

/// `pointer` and one more reference token, escaped (RFC 6901).
fn child(pointer: &str, token: &str) -> String {
    join(pointer, &escape_token(token))
}

/// Parse a trust policy document. A text beyond the limits of [`limits`] is refused before it
/// is read into a tree.
pub fn parse_policy(text: &str) -> Result<Policy, ParseError> {
    limits::check_text(text)?;
    let node = json::parse(text).map_err(|e| err("", format!("not JSON: {e}")))?;
    policy_from_node(&node)
}

/// Build a `Policy` from an already parsed JSON tree (refused beyond the limits of [`limits`]).
pub fn policy_from_node(node: &Node) -> Result<Policy, ParseError> {
    limits::check_node(node)?;
    let mut issues = Vec::new();
    let Node::Object(members) = node else {
        return Err(err(
            "",
            format!("a policy is a JSON object, found {}", node.kind()),
        ));
    };
    check_duplicates(members, "", &mut issues, &["Statement"]);

    let mut version_raw = None;
    let mut id = None;
    let mut statement_nodes: Vec<(&Node, usize)> = Vec::new();
    let statement_count = members.iter().filter(|(k, _)| k == "Statement").count();
    for (key, value) in members {
        match key.as_ref() {
            // Duplicates: the last one wins, as in every JSON reader IAM's callers use.
            "Version" => version_raw = Some(expect_string(value, "/Version")?),
            "Id" => id = Some(expect_scalar(value, "/Id")?),
            "Statement" => statement_nodes.push((value, statement_count)),
            other => issues.push(PolicyIssue {
                kind: IssueKind::UnknownElement,
                pointer: format!("/{}", escape_token(other)),
                message: format!("unknown top-level element `{other}`"),
            }),
        }
    }
    let version = match version_raw.as_deref() {
        None | Some("2008-10-17") => Version::V2008,
        Some("2012-10-17") => Version::V2012,
        Some(other) => {
            // IAM refuses the document; without a valid Version it would be read as
            // 2008-10-17, where variables are literal.
            issues.push(PolicyIssue {
                kind: IssueKind::UnknownVersion,
                pointer: "/Version".into(),
                message: format!(
                    "`Version` `{other}` is not `2012-10-17` or `2008-10-17`; read as `2008-10-17`"
                ),
            });
            Version::V2008
        }
    };
    if statement_nodes.is_empty() {
        return Err(err("", "a policy needs a `Statement` element"));
    }

    let mut statements = Vec::new();
    for (node, _) in statement_nodes {
        match node {
            Node::Object(_) => {
                let index = statements.len();
                check_statement_count(index)?;
                statements.push(statement_from_node(node, "/Statement", index, &mut issues)?);
            }
            Node::Array(items) => {
                if items.is_empty() {
                    issues.push(warning(
                        "/Statement",
                        "`Statement` is an empty array: the policy grants nothing",
                    ));
                }
                for (i, item) in items.iter().enumerate() {
                    let index = statements.len();
                    check_statement_count(index)?;
                    let pointer = format!("/Statement/{i}");
                    statements.push(statement_from_node(item, &pointer, index, &mut issues)?);
                }
            }
            other => {
                return Err(err(
                    "/Statement",
                    format!(
                        "`Statement` must be an object or an array, found {}",
                        other.kind()
                    ),
                ))
            }
        }
    }
    check_totals(&statements)?;
    lint_statements(&statements, &mut issues);
    Ok(Policy {
        version,
        version_raw,
        id,
        statements,
        issues,
    })
}

/// Refuse a policy whose next statement would be one too many.
fn check_statement_count(index: usize) -> Result<(), ParseError> {
    if index >= limits::MAX_STATEMENTS {
        return Err(exceeded(
            "/Statement",
            "the number of statements",
            limits::MAX_STATEMENTS,
        ));
    }
    Ok(())
}

/// Refuse a policy with too many conditions or values in total: each list is bounded by the
/// tree check, but their sum is what the evaluator and comparator pay for.
fn check_totals(statements: &[Statement]) -> Result<(), ParseError> {
    let conditions = statements.iter().map(|s| s.conditions.len()).sum::<usize>();
    if conditions > limits::MAX_CONDITIONS {
        return Err(exceeded(
            "/Statement",
            "the number of condition keys",
            limits::MAX_CONDITIONS,
        ));
    }
    let values = statements
        .iter()
        .map(|s| {
            let condition_values = s.conditions.iter().map(|c| c.values.len()).sum::<usize>();
            s.principals
                .entries
                .len()
                .saturating_add(s.actions.patterns.len())
                .saturating_add(condition_values)
        })
        .fold(0usize, usize::saturating_add);
    if values > limits::MAX_VALUES {
        return Err(exceeded(
            "/Statement",
            "the number of principal, action and condition values",
            limits::MAX_VALUES,
        ));
    }
    Ok(())
}

fn warning(pointer: &str, message: impl Into<String>) -> PolicyIssue {
    PolicyIssue {
        kind: IssueKind::Warning,
        pointer: pointer.to_string(),
        message: message.into(),
    }
}

/// Record every key that appears twice in one object. `union` names the keys whose duplicates
/// are merged rather than overwritten (reported either way).
fn check_duplicates(
    members: &[(std::borrow::Cow<'_, str>, Node)],
    pointer: &str,
    issues: &mut Vec<PolicyIssue>,
    union: &[&str],
) {
    // Sets, not lists: an object may have thousands of members, and a quadratic scan of them
    // would make parsing time grow with the square of the input.
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut reported: BTreeSet<&str> = BTreeSet::new();
    for (key, _) in members {
        if seen.contains(key.as_ref()) {
            if reported.insert(key.as_ref()) {
                let how = if union.contains(&key.as_ref()) || union.contains(&"*") {
                    "their contents are merged"
                } else {
                    "the last one wins"
                };
                issues.push(PolicyIssue {
                    kind: IssueKind::DuplicateKey,
                    pointer: child(pointer, key),
                    message: format!(
                        "duplicate key `{key}` (IAM refuses it on save; as legacy IAM reads it, {how})"
                    ),
                });
            }
        } else {
            seen.insert(key);
        }
    }
}

fn expect_string(node: &Node, pointer: &str) -> Result<String, ParseError> {
    match node {
        Node::String(s) => Ok(s.to_string()),
        other => Err(err(
            pointer,
            format!("expected a string, found {}", other.kind()),
        )),
    }
}

fn expect_scalar(node: &Node, pointer: &str) -> Result<String, ParseError> {
    node.scalar_text()
        .ok_or_else(|| err(pointer, format!("expected a string, found {}", node.kind())))
}

/// A string or a list of strings (numbers and booleans read as their text, SEMANTICS §1.1),
/// with each value's JSON pointer. Only principals keep their pointers; other lists use
/// [`strings`], which builds no pointer per value (a long key with thousands of values would
/// otherwise cost key length × value count in memory).
fn string_list(node: &Node, pointer: &str) -> Result<Vec<(String, String)>, ParseError> {
    Ok(string_items(node, pointer)?
        .into_iter()
        .map(|(value, index)| {
            let p = match index {
                Some(i) => format!("{pointer}/{i}"),
                None => pointer.to_string(),
            };
            (value, p)
        })
        .collect())
}

/// The values of a string or list of strings, without pointers.
fn strings(node: &Node, pointer: &str) -> Result<Vec<String>, ParseError> {
    Ok(string_items(node, pointer)?
        .into_iter()
        .map(|(value, _)| value)
        .collect())
}

/// Each value with its index in the list (`None` for a scalar).
fn string_items(node: &Node, pointer: &str) -> Result<Vec<(String, Option<usize>)>, ParseError> {
    match node {
        Node::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                item.scalar_text().map(|s| (s, Some(i))).ok_or_else(|| {
                    err(
                        &format!("{pointer}/{i}"),
                        format!("expected a string, found {}", item.kind()),
                    )
                })
            })
            .collect(),
        other => other.scalar_text().map(|s| vec![(s, None)]).ok_or_else(|| {
            err(
                pointer,
                format!(
                    "expected a string or a list of strings, found {}",
                    other.kind()
                ),
            )
        }),
    }
}

fn statement_from_node(
    node: &Node,
    pointer: &str,
    index: usize,
    issues: &mut Vec<PolicyIssue>,
) -> Result<Statement, ParseError> {
    let Node::Object(members) = node else {
        return Err(err(
            pointer,
            format!("a statement must be an object, found {}", node.kind()),
        ));
    };
    check_duplicates(
        members,
        pointer,
        issues,
        &[
            "Principal",
            "NotPrincipal",
            "Action",
            "NotAction",
            "Resource",
            "NotResource",
            "Condition",
        ],
    );

    let mut sid = None;
    let mut effect = None;
    let mut principal_nodes: Vec<(&str, &Node)> = Vec::new();
    let mut action_nodes: Vec<(&str, &Node)> = Vec::new();
    let mut condition_nodes: Vec<&Node> = Vec::new();
    let mut resources: Option<Resources> = None;
    for (key, value) in members {
        let p = child(pointer, key);
        match key.as_ref() {
            "Sid" => sid = Some(expect_scalar(value, &p)?),
            // Legacy policies with two Effects: the last one wins ([D-trbl], TV-07).
            "Effect" => {
                let text = expect_string(value, &p)?;
                effect = Some(match text.as_str() {
                    "Allow" => Effect::Allow,
                    "Deny" => Effect::Deny,
                    other => {
                        return Err(err(
                            &p,
                            format!("`Effect` must be `Allow` or `Deny`, found `{other}`"),
                        ))
                    }
                });
            }
            "Principal" | "NotPrincipal" => principal_nodes.push((key, value)),
            "Action" | "NotAction" => action_nodes.push((key, value)),
            "Resource" | "NotResource" => {
                // Refused in trust policies; the implicit resource is the role (SEMANTICS §1.7).
                // Kept for identity policies, which the same parser reads. Both keys at once
                // (refused by IAM): `Resource` is read, as `Principal` is over `NotPrincipal`.
                let patterns = strings(value, &p)?;
                let not = key == "NotResource";
                match &mut resources {
                    Some(r) if r.not == not => r.patterns.extend(patterns),
                    Some(r) if r.not => {
                        *r = Resources {
                            not: false,
                            patterns,
                        }
                    }
                    Some(_) => {}
                    None => resources = Some(Resources { not, patterns }),
                }
                issues.push(PolicyIssue {
                    kind: IssueKind::Resource,
                    pointer: p.clone(),
                    message: format!(
                        "`{key}` is not allowed in a role trust policy (IAM refuses it); ignored"
                    ),
                });
            }
            "Condition" => condition_nodes.push(value),
            other => issues.push(PolicyIssue {
                kind: IssueKind::UnknownElement,
                pointer: p.clone(),
                message: format!("unknown statement element `{other}`"),
            }),
        }
    }
    let effect = effect.ok_or_else(|| err(pointer, "a statement needs an `Effect`"))?;

    let principals = principals_from_nodes(&principal_nodes, pointer, issues)?;
    let actions = actions_from_nodes(&action_nodes, pointer, issues)?;
    let mut conditions = Vec::new();
    for node in condition_nodes {
        conditions_from_node(node, &join(pointer, "Condition"), &mut conditions, issues)?;
    }
    Ok(Statement {
        index,
        pointer: pointer.to_string(),
        sid,
        effect,
        principals,
        actions,
        resources,
        conditions,
    })
}

fn principals_from_nodes(
    nodes: &[(&str, &Node)],
    pointer: &str,
    issues: &mut Vec<PolicyIssue>,
) -> Result<Principals, ParseError> {
    let has_principal = nodes.iter().any(|(k, _)| *k == "Principal");
    let has_not = nodes.iter().any(|(k, _)| *k == "NotPrincipal");
    let mode = if has_not && !has_principal {
        PrincipalMode::NotPrincipal
    } else {
        PrincipalMode::Principal
    };
    if nodes.is_empty() {
        issues.push(PolicyIssue {
            kind: IssueKind::MissingPrincipal,
            pointer: pointer.to_string(),
            message: "the statement names no `Principal` (IAM refuses it); it applies to nobody"
                .into(),
        });
    }
    if has_not {
        issues.push(PolicyIssue {
            kind: IssueKind::NotPrincipal,
            pointer: format!("{pointer}/NotPrincipal"),
            message: "`NotPrincipal` is not allowed in a role trust policy (IAM refuses it); read as every principal not listed".into(),
        });
    }
    if has_principal && has_not {
        // Both at once is refused; reading only `Principal` keeps the statement's grant to the
        // principals it names, and the finding above fails the gate either way.
        issues.push(PolicyIssue {
            kind: IssueKind::UnknownElement,
            pointer: pointer.to_string(),
            message: "a statement has both `Principal` and `NotPrincipal`; `NotPrincipal` ignored"
                .into(),
        });
    }
    let mut entries = Vec::new();
    for (key, node) in nodes {
        let wanted = match mode {
            PrincipalMode::Principal => "Principal",
            PrincipalMode::NotPrincipal => "NotPrincipal",
        };
        if *key != wanted {
            continue;
        }
        let p = join(pointer, key);
        match node {
            Node::String(s) if s == "*" => {
                // Documented as {"AWS":"*"} but refused in trust policies (SEMANTICS §1.4).
                issues.push(PolicyIssue {
                    kind: IssueKind::BarePrincipalStar,
                    pointer: p.clone(),
                    message: format!("bare `\"{key}\": \"*\"` is refused in role trust policies; read as `{{\"AWS\": \"*\"}}`"),
                });
                entries.push(PrincipalEntry {
                    kind: PrincipalType::Aws,
                    value: "*".into(),
                    pointer: p,
                });
            }
            Node::Object(members) => {
                check_duplicates(members, &p, issues, &["*"]);
                for (type_key, value) in members {
                    let tp = child(&p, type_key);
                    let kind = match type_key.as_ref() {
                        "AWS" => PrincipalType::Aws,
                        "Service" => PrincipalType::Service,
                        "Federated" => PrincipalType::Federated,
                        "CanonicalUser" => PrincipalType::CanonicalUser,
                        other => PrincipalType::Other(other.to_string()),
                    };
                    let values = string_list(value, &tp)?;
                    if values.is_empty() {
                        issues.push(warning(
                            &tp,
                            format!("empty `{type_key}` principal list: it names nobody"),
                        ));
                    }
                    for (value, vp) in values {
                        if let Some(issue) = principal_issue(&kind, &value, &vp) {
                            issues.push(issue);
                        }
                        entries.push(PrincipalEntry {
                            kind: kind.clone(),
                            value,
                            pointer: vp,
                        });
                    }
                }
            }
            other => {
                return Err(err(
                    &p,
                    format!(
                        "`{key}` must be `\"*\"` or an object, found {}",
                        describe(other)
                    ),
                ))
            }
        }
    }
    Ok(Principals { mode, entries })
}

fn describe(node: &Node) -> String {
    match node {
        Node::String(s) => format!("the string `{s}`"),
        other => other.kind().to_string(),
    }
}

/// What IAM would refuse about one principal value (SEMANTICS §1.4).
fn principal_issue(kind: &PrincipalType, value: &str, pointer: &str) -> Option<PolicyIssue> {
    let issue = |kind: IssueKind, message: String| {
        Some(PolicyIssue {
            kind,
            pointer: pointer.to_string(),
            message,
        })
    };
    match kind {
        PrincipalType::Aws => {
            if value == "*" {
                return None;
            }
            if value.contains('*') || value.contains('?') {
                return issue(
                    IssueKind::WildcardInPrincipal,
                    format!("wildcard in principal `{value}`: IAM refuses it and it matches nobody; use `\"AWS\": \"*\"` with an `aws:PrincipalArn` condition"),
                );
            }
            if is_account_id(value) || is_unique_id(value) || is_principal_arn(value) {
                None
            } else {
                issue(
                    IssueKind::InvalidPrincipal,
                    format!("`{value}` is not an account ID, unique ID or IAM principal ARN (IAM refuses it); it matches nobody"),
                )
            }
        }
        PrincipalType::Service | PrincipalType::Federated => {
            if value.contains('*') || value.contains('?') {
                issue(
                    IssueKind::WildcardInPrincipal,
                    format!(
                        "wildcard in principal `{value}`: IAM refuses it and it matches nobody"
                    ),
                )
            } else if value.is_empty() {
                issue(
                    IssueKind::InvalidPrincipal,
                    "empty principal value (IAM refuses it)".into(),
                )
            } else {
                None
            }
        }
        PrincipalType::CanonicalUser => issue(
            IssueKind::InvalidPrincipal,
            "a `CanonicalUser` principal has no meaning in a role trust policy; it matches nobody"
                .into(),
        ),
        PrincipalType::Other(name) => issue(
            IssueKind::InvalidPrincipal,
            format!("unknown principal type `{name}` (IAM refuses it); it matches nobody"),
        ),
    }
}

fn is_account_id(value: &str) -> bool {
    value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit())
}

fn is_unique_id(value: &str) -> bool {
    value.len() >= 16
        && value.starts_with('A')
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

fn is_principal_arn(value: &str) -> bool {
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    let [arn, partition, service, region, account, resource] = parts.as_slice() else {
        return false;
    };
    *arn == "arn"
        && !partition.is_empty()
        && (*service == "iam" || *service == "sts")
        && region.is_empty()
        && is_account_id(account)
        && !resource.is_empty()
}

fn actions_from_nodes(
    nodes: &[(&str, &Node)],
    pointer: &str,
    issues: &mut Vec<PolicyIssue>,
) -> Result<Actions, ParseError> {
    let has_action = nodes.iter().any(|(k, _)| *k == "Action");
    let has_not = nodes.iter().any(|(k, _)| *k == "NotAction");
    if nodes.is_empty() {
        issues.push(PolicyIssue {
            kind: IssueKind::UnknownElement,
            pointer: pointer.to_string(),
            message: "the statement has no `Action` (IAM refuses it); it applies to no action"
                .into(),
        });
    }
    let mode = if has_not && !has_action {
        ActionMode::NotAction
    } else {
        ActionMode::Action
    };
    if has_action && has_not {
        issues.push(PolicyIssue {
            kind: IssueKind::UnknownElement,
            pointer: pointer.to_string(),
            message: "a statement has both `Action` and `NotAction`; `NotAction` ignored".into(),
        });
    }
    let wanted = match mode {
        ActionMode::Action => "Action",
        ActionMode::NotAction => "NotAction",
    };
    let mut patterns = Vec::new();
    for (key, node) in nodes {
        if *key != wanted {
            continue;
        }
        let p = join(pointer, key);
        let values = strings(node, &p)?;
        if values.is_empty() {
            issues.push(warning(&p, format!("empty `{key}` list")));
        }
        patterns.extend(values);
    }
    Ok(Actions { mode, patterns })
}

/// Parse an operator name: optional set prefix, base operator, optional `IfExists`.
/// Names are matched case-insensitively (as the public simulators do); a spelling other than
/// the documented one is reported, since IAM's own check is not documented (SEMANTICS §1.9).
pub fn parse_operator(raw: &str) -> (Operator, Option<String>) {
    let mut rest = raw;
    let mut set = None;
    for (prefix, qualifier) in [
        ("ForAllValues:", SetQualifier::ForAllValues),
        ("ForAnyValue:", SetQualifier::ForAnyValue),
    ] {
        // `get`, not indexing: the prefix length may fall inside a multi-byte character
        // (`ForAllValuesé...`), where slicing would panic.
        if let (Some(head), Some(tail)) = (rest.get(..prefix.len()), rest.get(prefix.len()..)) {
            if head.eq_ignore_ascii_case(prefix) {
                set = Some(qualifier);
                rest = tail;
                break;
            }
        }
    }
    let mut if_exists = false;
    const SUFFIX: &str = "IfExists";
    if let Some(split) = rest.len().checked_sub(SUFFIX.len()).filter(|&s| s > 0) {
        if let (Some(head), Some(tail)) = (rest.get(..split), rest.get(split..)) {
            if tail.eq_ignore_ascii_case(SUFFIX) {
                if_exists = true;
                rest = head;
            }
        }
    }
    let Some(base) = BaseOp::ALL
        .iter()
        .copied()
        .find(|b| b.name().eq_ignore_ascii_case(rest))
    else {
        return (
            Operator::Unknown,
            Some(format!(
                "unknown condition operator `{raw}` (IAM refuses it)"
            )),
        );
    };
    let mut canonical = String::new();
    match set {
        Some(SetQualifier::ForAllValues) => canonical.push_str("ForAllValues:"),
        Some(SetQualifier::ForAnyValue) => canonical.push_str("ForAnyValue:"),
        None => {}
    }
    canonical.push_str(base.name());
    if if_exists {
        canonical.push_str(SUFFIX);
    }
    let mut problem = None;
    if base == BaseOp::Null && if_exists {
        // `NullIfExists` is refused ("Null with if exists"); read as plain Null.
        problem = Some(format!(
            "`{raw}`: `Null` cannot take `IfExists` (IAM refuses it); read as `Null`"
        ));
        if_exists = false;
    } else if canonical != raw {
        problem = Some(format!(
            "condition operator `{raw}` is not spelled as IAM documents it (`{canonical}`)"
        ));
    }
    (
        Operator::Known {
            set,
            base,
            if_exists,
        },
        problem,
    )
}

fn conditions_from_node(
    node: &Node,
    pointer: &str,
    out: &mut Vec<Condition>,
    issues: &mut Vec<PolicyIssue>,
) -> Result<(), ParseError> {
    let Node::Object(operators) = node else {
        return Err(err(
            pointer,
            format!("`Condition` must be an object, found {}", node.kind()),
        ));
    };
    check_duplicates(operators, pointer, issues, &["*"]);
    for (op_raw, block) in operators {
        let op_pointer = child(pointer, op_raw);
        let (operator, problem) = parse_operator(op_raw);
        if let Some(message) = problem {
            issues.push(PolicyIssue {
                kind: IssueKind::UnknownOperator,
                pointer: op_pointer.clone(),
                message,
            });
        }
        let Node::Object(keys) = block else {
            return Err(err(
                &op_pointer,
                format!(
                    "a condition operator takes an object of keys, found {}",
                    block.kind()
                ),
            ));
        };
        check_duplicates(keys, &op_pointer, issues, &["*"]);
        for (key, values) in keys {
            let key_pointer = format!("{op_pointer}/{}", escape_token(key));
            let values = strings(values, &key_pointer)?;
            // Duplicate (operator, key) pairs in a legacy policy: their values are merged into
            // one list, which for positive operators is the reading that grants more.
            if let Some(existing) = out
                .iter_mut()
                .find(|c| c.operator_raw == *op_raw && c.key == *key && c.pointer == key_pointer)
            {
                existing.values.extend(values);
                continue;
            }
            if out.len() >= limits::MAX_CONDITIONS {
                // Checked here too, so the duplicate search above stays bounded.
                return Err(exceeded(
                    pointer,
                    "the number of condition keys",
                    limits::MAX_CONDITIONS,
                ));
            }
            out.push(Condition {
                operator: operator.clone(),
                operator_raw: op_raw.to_string(),
                key: key.to_string(),
                values,
                pointer: key_pointer,
            });
        }
    }
    Ok(())
}

/// Lint-level observations that IAM accepts but Access Analyzer warns about
/// (SEMANTICS §1.8, §4.3, §4.2).
fn lint_statements(statements: &[Statement], issues: &mut Vec<PolicyIssue>) {
    for statement in statements {
        for condition in &statement.conditions {
            let Operator::Known { set, base, .. } = &condition.operator else {
                continue;
            };
            if condition.values.is_empty() {
                issues.push(warning(
                    &condition.pointer,
                    format!(
                        "empty value list for `{}` under `{}`",
                        condition.key, condition.operator_raw
                    ),
                ));
            }
            match set {
                Some(SetQualifier::ForAllValues)
                    if statement.effect == Effect::Allow
                        && keys::is_single_valued(&condition.key) =>
                {
                    issues.push(warning(
                        &condition.pointer,
                        format!(
                            "`ForAllValues` on single-valued key `{}` in an Allow is true when the key is absent",
                            condition.key
                        ),
                    ));
                }
                None if keys::is_multi_valued(&condition.key) && *base != BaseOp::Null => {
                    issues.push(warning(
                        &condition.pointer,
                        format!(
                            "multi-valued key `{}` used without `ForAnyValue:`/`ForAllValues:` never matches",
                            condition.key
                        ),
                    ));
                }
                _ => {}
            }
            if matches!(base, BaseOp::StringEquals | BaseOp::StringNotEquals)
                && condition
                    .values
                    .iter()
                    .any(|v| v.contains('*') || v.contains('?'))
            {
                issues.push(warning(
                    &condition.pointer,
                    format!(
                        "`{}` treats `*` and `?` as literal characters; a wildcard needs `StringLike`",
                        condition.operator_raw
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    fn kinds(policy: &Policy) -> Vec<IssueKind> {
        policy.issues.iter().map(|i| i.kind).collect()
    }

    #[test]
    fn single_statement_object_and_scalars() {
        let p = parse_policy(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"sts:AssumeRole"}}"#,
        )
        .unwrap();
        assert_eq!(p.version, Version::V2012);
        assert_eq!(p.statements.len(), 1);
        let s = &p.statements[0];
        assert_eq!(s.pointer, "/Statement");
        assert_eq!(s.effect, Effect::Allow);
        assert_eq!(s.principals.entries[0].value, "222222222222");
        assert_eq!(s.principals.entries[0].pointer, "/Statement/Principal/AWS");
        assert_eq!(s.actions.patterns, vec!["sts:AssumeRole"]);
        assert!(p.issues.is_empty(), "{:?}", p.issues);
    }

    #[test]
    fn missing_version_means_2008() {
        let p = parse_policy(r#"{"Statement":[]}"#).unwrap();
        assert_eq!(p.version, Version::V2008);
        assert_eq!(p.version_raw, None);
    }

    #[test]
    fn numeric_account_and_condition_values_read_as_text() {
        let p = parse_policy(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":[222222222222]},"Action":["sts:AssumeRole"],
               "Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":3600},"Bool":{"aws:MultiFactorAuthPresent":true}}}]}"#,
        )
        .unwrap();
        let s = &p.statements[0];
        assert_eq!(s.principals.entries[0].value, "222222222222");
        assert_eq!(s.conditions[0].values, vec!["3600"]);
        assert_eq!(s.conditions[1].values, vec!["true"]);
        assert_eq!(
            s.conditions[0].pointer,
            "/Statement/0/Condition/NumericLessThan/aws:MultiFactorAuthAge"
        );
    }

    #[test]
    fn duplicate_effect_last_wins_and_is_reported() {
        let p = parse_policy(
            r#"{"Statement":[{"Effect":"Deny","Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"}]}"#,
        )
        .unwrap();
        assert_eq!(p.statements[0].effect, Effect::Allow);
        assert_eq!(kinds(&p), vec![IssueKind::DuplicateKey]);
        assert_eq!(p.issues[0].pointer, "/Statement/0/Effect");
    }

    #[test]
    fn duplicate_principal_and_action_are_merged() {
        let p = parse_policy(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Principal":{"Service":"ec2.amazonaws.com"},
               "Action":"sts:AssumeRole","Action":"sts:TagSession"}]}"#,
        )
        .unwrap();
        let s = &p.statements[0];
        assert_eq!(s.principals.entries.len(), 2);
        assert_eq!(s.actions.patterns, vec!["sts:AssumeRole", "sts:TagSession"]);
        assert_eq!(
            kinds(&p),
            vec![IssueKind::DuplicateKey, IssueKind::DuplicateKey]
        );
    }

    #[test]
    fn duplicate_condition_key_values_are_merged() {
        let p = parse_policy(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"1"},"Action":"sts:AssumeRole",
               "Condition":{"StringEquals":{"sts:ExternalId":"a","sts:ExternalId":"b"}}}]}"#,
        )
        .unwrap();
        let s = &p.statements[0];
        assert_eq!(s.conditions.len(), 1);
        assert_eq!(s.conditions[0].values, vec!["a", "b"]);
        assert!(kinds(&p).contains(&IssueKind::DuplicateKey));
    }

    #[test]
    fn bare_star_principal_reads_as_aws_star_and_is_invalid() {
        let p = parse_policy(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}"#,
        )
        .unwrap();
        let e = &p.statements[0].principals.entries[0];
        assert_eq!(
            (e.kind.clone(), e.value.as_str()),
            (PrincipalType::Aws, "*")
        );
        assert_eq!(kinds(&p), vec![IssueKind::BarePrincipalStar]);
    }

    #[test]
    fn not_principal_resource_and_wildcard_arn_are_reported() {
        let p = parse_policy(
            r#"{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:role/dev-*"},
               "Action":"sts:AssumeRole","Resource":"*"}]}"#,
        )
        .unwrap();
        assert_eq!(p.statements[0].principals.mode, PrincipalMode::NotPrincipal);
        let mut k = kinds(&p);
        k.sort();
        assert_eq!(
            k,
            vec![
                IssueKind::NotPrincipal,
                IssueKind::Resource,
                IssueKind::WildcardInPrincipal
            ]
        );
    }

    #[test]
    fn operators_parse_with_prefix_and_suffix() {
        assert_eq!(
            parse_operator("ForAllValues:StringLikeIfExists").0,
            Operator::Known {
                set: Some(SetQualifier::ForAllValues),
                base: BaseOp::StringLike,
                if_exists: true
            }
        );
        assert_eq!(parse_operator("StringEquals").1, None);
        assert!(parse_operator("stringequals").1.is_some());
        assert_eq!(parse_operator("StringFoo").0, Operator::Unknown);
        let (op, problem) = parse_operator("NullIfExists");
        assert_eq!(
            op,
            Operator::Known {
                set: None,
                base: BaseOp::Null,
                if_exists: false
            }
        );
        assert!(problem.is_some());
        // Multi-byte text must not break the suffix split.
        assert_eq!(parse_operator("StringEqualsIfExistsé").0, Operator::Unknown);
    }

    #[test]
    fn unknown_operator_is_kept_and_reported() {
        let p = parse_policy(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole",
               "Condition":{"StringEqualz":{"sts:ExternalId":"x"}}}]}"#,
        )
        .unwrap();
        assert_eq!(p.statements[0].conditions[0].operator, Operator::Unknown);
        assert_eq!(kinds(&p), vec![IssueKind::UnknownOperator]);
    }

    #[test]
    fn not_a_policy_is_an_error() {
        for (text, needle) in [
            ("", "not JSON"),
            ("not json", "not JSON"),
            ("[]", "a policy is a JSON object"),
            ("{}", "needs a `Statement`"),
            (r#"{"Statement":"x"}"#, "must be an object or an array"),
            (
                r#"{"Statement":[{"Principal":"*","Action":"a"}]}"#,
                "needs an `Effect`",
            ),
            (
                r#"{"Statement":[{"Effect":"allow","Principal":"*","Action":"a"}]}"#,
                "`Allow` or `Deny`",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":"x","Action":"a"}]}"#,
                "must be `\"*\"` or an object",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":null},"Action":"a"}]}"#,
                "expected a string",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"a","Condition":{"Bool":{"k":null}}}]}"#,
                "expected a string",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"a","Condition":[]}]}"#,
                "`Condition` must be an object",
            ),
            (r#"{"Version":5,"Statement":[]}"#, "expected a string"),
        ] {
            let e = parse_policy(text).expect_err(text);
            assert!(e.to_string().contains(needle), "{text}: {e}");
        }
    }

    #[test]
    fn lints_are_warnings_not_invalid() {
        let p = parse_policy(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole",
               "Condition":{"ForAllValues:StringEquals":{"sts:ExternalId":"x"},
                            "StringEquals":{"aws:PrincipalOrgPaths":"o-1/*","sts:RoleSessionName":[]}}}]}"#,
        )
        .unwrap();
        assert_eq!(p.issues.len(), 4, "{:?}", p.issues);
        assert!(p
            .issues
            .iter()
            .all(|i| i.kind == IssueKind::Warning && !i.kind.is_invalid()));
    }
}
