//! A trust policy in plain words, for a reviewer who should not have to read IAM JSON: who each
//! statement lets in (or keeps out), calling what, on which conditions.
//!
//! Works on the normal form the report already holds (`RoleReport::before`/`after`), so it sees
//! exactly what the JSON output shows: a sensitive side is the string `"(sensitive)"` there and
//! is never described.

use super::escape::{md_code, md_text};
use serde_json::{Map, Value};

/// At most this many values of one condition or principal kind are spelled out.
const MAX_VALUES: usize = 8;
/// At most this many statements are described; the rest are counted.
const MAX_STATEMENTS: usize = 20;

/// One line per statement, or one line saying why there is nothing to describe. Each line is
/// Markdown: user values are in code spans (`escape::md_code` makes them safe).
pub fn describe_side(side: &Value) -> Vec<String> {
    match side {
        Value::Null => vec!["nobody: the role does not exist on this side".into()],
        Value::String(s) if s == "(sensitive)" => {
            vec!["not shown: the trust policy is marked sensitive".into()]
        }
        Value::String(s) if s == "(known after apply)" => {
            vec!["not known until apply: the plan cannot show it".into()]
        }
        Value::String(_) => vec!["cannot be read: see the finding".into()],
        Value::Object(doc) => {
            let statements = doc
                .get("Statement")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default();
            if statements.is_empty() {
                return vec!["nobody: the policy has no statement".into()];
            }
            let mut lines: Vec<String> = statements
                .iter()
                .take(MAX_STATEMENTS)
                .filter_map(Value::as_object)
                .map(statement)
                .collect();
            if statements.len() > MAX_STATEMENTS {
                lines.push(format!(
                    "… and {} more statements",
                    statements.len().saturating_sub(MAX_STATEMENTS)
                ));
            }
            lines
        }
        _ => vec!["cannot be read: see the finding".into()],
    }
}

fn statement(s: &Map<String, Value>) -> String {
    let deny = s.get("Effect").and_then(Value::as_str) == Some("Deny");
    let (principal, not_principal) = match (s.get("Principal"), s.get("NotPrincipal")) {
        (Some(p), _) => (p, false),
        (None, Some(p)) => (p, true),
        (None, None) => (&Value::Null, false),
    };
    let mut who = principals(principal);
    if not_principal {
        who = format!("every principal except {who}");
    }
    let (actions, not_action) = match (s.get("Action"), s.get("NotAction")) {
        (Some(a), _) => (strings(a), false),
        (None, Some(a)) => (strings(a), true),
        (None, None) => (Vec::new(), false),
    };
    let calling = if not_action {
        format!("calling any action except {}", list(&actions, "or"))
    } else {
        format!("calling {}", list(&actions, "or"))
    };
    let conditions = s
        .get("Condition")
        .and_then(Value::as_object)
        .map(conditions)
        .unwrap_or_default();
    let when = if conditions.is_empty() {
        "with no condition".to_string()
    } else {
        format!("only when {}", conditions.join(" and "))
    };
    let sid = s
        .get("Sid")
        .and_then(Value::as_str)
        .filter(|sid| !sid.is_empty())
        .map(|sid| format!(" ({})", md_code(sid)))
        .unwrap_or_default();
    let effect = if deny { "**Denied**" } else { "**Allowed**" };
    format!("{effect}{sid}: {who}, {calling}, {when}")
}

/// Every principal of a statement, by kind.
fn principals(p: &Value) -> String {
    let Some(map) = p.as_object() else {
        return "no principal".into();
    };
    let mut parts = Vec::new();
    for (kind, values) in map {
        let values = strings(values);
        let shown: Vec<String> = values
            .iter()
            .take(MAX_VALUES)
            .map(|v| principal(kind, v))
            .collect();
        parts.extend(shown);
        if values.len() > MAX_VALUES {
            parts.push(format!(
                "{} more {} principals",
                values.len().saturating_sub(MAX_VALUES),
                md_text(kind)
            ));
        }
    }
    if parts.is_empty() {
        "no principal".into()
    } else {
        join_words(&parts, "and")
    }
}

/// One principal in words: `arn:aws:iam::111:root` is "any principal of account `111`".
pub fn principal(kind: &str, value: &str) -> String {
    match kind {
        "AWS" => aws_principal(value),
        "Service" => format!("the AWS service {}", md_code(value)),
        "Federated" => federated(value),
        _ => format!("{} principal {}", md_text(kind), md_code(value)),
    }
}

fn aws_principal(value: &str) -> String {
    if value == "*" {
        return "any AWS principal (any account)".into();
    }
    if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        return format!("any principal of account {}", md_code(value));
    }
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    if let ["arn", _, service, _, account, resource] = parts.as_slice() {
        let account = md_code(account);
        if *resource == "root" {
            return format!("any principal of account {account}");
        }
        let (kind, name) = resource.split_once('/').unwrap_or(("", resource));
        return match (*service, kind) {
            ("iam", "role") => format!("the role {} of account {account}", md_code(name)),
            ("iam", "user") => format!("the user {} of account {account}", md_code(name)),
            ("sts", "assumed-role") => match name.split_once('/') {
                Some((role, session)) => format!(
                    "the session {} of role {} of account {account}",
                    md_code(session),
                    md_code(role)
                ),
                None => format!("sessions of role {} of account {account}", md_code(name)),
            },
            _ => md_code(value),
        };
    }
    if value.starts_with("AROA") || value.starts_with("AIDA") {
        return format!("the IAM entity with unique ID {}", md_code(value));
    }
    md_code(value)
}

fn federated(value: &str) -> String {
    let host = value
        .split_once(":oidc-provider/")
        .map_or(value, |(_, host)| host);
    if host.starts_with("token.actions.githubusercontent.com") {
        return format!("GitHub Actions OIDC tokens ({})", md_code(value));
    }
    if value == "cognito-identity.amazonaws.com" {
        return "Amazon Cognito identity-pool identities".into();
    }
    if let Some((_, name)) = value.split_once(":saml-provider/") {
        return format!("SAML identities from {}", md_code(name));
    }
    if value.contains(":oidc-provider/") {
        return format!("OIDC tokens from {}", md_code(host));
    }
    format!("identities from {}", md_code(value))
}

/// Every condition of a statement in words.
fn conditions(block: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    for (operator, keys) in block {
        let Some(keys) = keys.as_object() else {
            continue;
        };
        for (key, values) in keys {
            out.push(condition(operator, key, &strings(values)));
        }
    }
    out
}

/// `StringEquals sts:ExternalId [abc]` → "the ExternalId (`sts:ExternalId`) is `abc`".
pub fn condition(operator: &str, key: &str, values: &[String]) -> String {
    let (set, rest) = match operator.split_once(':') {
        Some((set, rest)) => (Some(set), rest),
        None => (None, operator),
    };
    let (base, if_exists) = match rest.strip_suffix("IfExists") {
        Some(base) => (base, true),
        None => (rest, false),
    };
    let subject = key_words(key);
    let subject = match set {
        Some("ForAnyValue") => format!("any value of {subject}"),
        Some("ForAllValues") => format!("every value of {subject} (if any)"),
        _ => subject,
    };
    let phrase = match base {
        "Null" => {
            let absent = values.iter().all(|v| v.eq_ignore_ascii_case("true"));
            return format!("{subject} is {}", if absent { "absent" } else { "present" });
        }
        "StringEquals"
        | "StringEqualsIgnoreCase"
        | "ArnEquals"
        | "Bool"
        | "BinaryEquals"
        | "NumericEquals"
        | "DateEquals" => format!("is {}", list(values, "or")),
        "StringNotEquals"
        | "StringNotEqualsIgnoreCase"
        | "ArnNotEquals"
        | "NumericNotEquals"
        | "DateNotEquals" => format!("is not {}", list(values, "nor")),
        "StringLike" | "ArnLike" => format!("matches {}", list(values, "or")),
        "StringNotLike" | "ArnNotLike" => format!("matches none of {}", list(values, "and")),
        "NumericLessThan" => format!("is less than {}", list(values, "or")),
        "NumericLessThanEquals" => format!("is at most {}", list(values, "or")),
        "NumericGreaterThan" => format!("is more than {}", list(values, "or")),
        "NumericGreaterThanEquals" => format!("is at least {}", list(values, "or")),
        "DateLessThan" | "DateLessThanEquals" => format!("is before {}", list(values, "or")),
        "DateGreaterThan" | "DateGreaterThanEquals" => format!("is after {}", list(values, "or")),
        "IpAddress" => format!("is in {}", list(values, "or")),
        "NotIpAddress" => format!("is not in {}", list(values, "nor")),
        _ => format!("passes {} with {}", md_code(operator), list(values, "or")),
    };
    if if_exists {
        format!("{subject} {phrase} (or is absent)")
    } else {
        format!("{subject} {phrase}")
    }
}

/// A condition key with a gloss for the ones reviewers meet most.
fn key_words(key: &str) -> String {
    let lower = key.to_ascii_lowercase();
    let gloss = match lower.as_str() {
        "sts:externalid" => Some("the ExternalId"),
        "aws:principalorgid" => Some("the caller's organization"),
        "aws:principalorgpaths" => Some("the caller's organization path"),
        "aws:principalaccount" => Some("the caller's account"),
        "aws:principalarn" => Some("the caller's ARN"),
        "aws:sourceaccount" => Some("the account of the calling resource"),
        "aws:sourcearn" => Some("the calling resource"),
        "aws:sourceorgid" => Some("the organization of the calling resource"),
        "aws:multifactorauthpresent" => Some("MFA"),
        "aws:multifactorauthage" => Some("the MFA age in seconds"),
        "aws:sourceip" => Some("the caller's IP address"),
        "saml:aud" => Some("the SAML audience"),
        _ if lower.ends_with(":sub") => Some("the token subject"),
        _ if lower.ends_with(":aud") => Some("the token audience"),
        _ => None,
    };
    match gloss {
        Some(g) => format!("{g} ({})", md_code(key)),
        None => md_code(key),
    }
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect(),
        Value::String(s) => vec![s.clone()],
        Value::Null => Vec::new(),
        other => vec![other.to_string()],
    }
}

/// `a`, `a or b`, `one of a, b or c`, capped at `MAX_VALUES`.
fn list(values: &[String], conj: &str) -> String {
    if values.is_empty() {
        return "nothing".into();
    }
    let mut shown: Vec<String> = values.iter().take(MAX_VALUES).map(|v| md_code(v)).collect();
    if values.len() > MAX_VALUES {
        shown.push(format!("{} more", values.len().saturating_sub(MAX_VALUES)));
    }
    let joined = join_words(&shown, conj);
    if values.len() > 2 && conj == "or" {
        format!("one of {joined}")
    } else {
        joined
    }
}

fn join_words(parts: &[String], conj: &str) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {conj} {last}", init.join(", ")),
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_cross_account_statement_reads_as_words() {
        let doc = json!({"Statement":[{"Sid":"Partner","Effect":"Allow",
            "Principal":{"AWS":["arn:aws:iam::999988887777:root"]},"Action":["sts:AssumeRole"],
            "Condition":{"StringEquals":{"sts:ExternalId":["abc"]}}}]});
        assert_eq!(
            describe_side(&doc),
            vec![
                "**Allowed** (`Partner`): any principal of account `999988887777`, calling \
                  `sts:AssumeRole`, only when the ExternalId (`sts:ExternalId`) is `abc`"
            ]
        );
    }

    #[test]
    fn operators_and_principals() {
        assert_eq!(
            condition("ForAnyValue:StringLikeIfExists", "x:sub", &["a".into(), "b".into(), "c".into()]),
            "any value of the token subject (`x:sub`) matches one of `a`, `b` or `c` (or is absent)"
        );
        assert_eq!(
            condition("Null", "aws:SourceIp", &["false".into()]),
            "the caller's IP address (`aws:SourceIp`) is present"
        );
        assert_eq!(principal("AWS", "*"), "any AWS principal (any account)");
        assert_eq!(
            principal("AWS", "arn:aws:sts::1:assumed-role/r/s"),
            "the session `s` of role `r` of account `1`"
        );
        assert_eq!(
            describe_side(&json!("(sensitive)")),
            vec!["not shown: the trust policy is marked sensitive"]
        );
    }
}
