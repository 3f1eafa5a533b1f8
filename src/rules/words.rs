//! Witnesses in words, for messages a reviewer reads without IAM JSON.

use super::class::PrincipalClass;
use crate::eval::{Caller, ContextValue, Request};

/// "any AWS account (`arn:…`) can assume the role, calling sts:AssumeRole with no
/// `sts:ExternalId`".
pub fn witness_phrase(request: &Request, class: PrincipalClass, focus: Option<&str>) -> String {
    let who = match &request.principal {
        Caller::Aws(v) if !v.starts_with("arn:") => {
            format!("a specific principal (unique ID `{v}`)")
        }
        Caller::Aws(v) if class == PrincipalClass::Public => {
            format!("anyone: an account the policy does not name (`{v}`)")
        }
        Caller::Aws(v) => format!("{} (`{v}`)", class.describe()),
        Caller::Service(v) => format!("the service `{v}`"),
        Caller::Federated(v) => format!("identities from `{v}`"),
    };
    let mut phrase = format!("{who} can assume the role, calling {}", actions(request));
    if let Some(key) = focus {
        let value = request
            .context
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v);
        phrase.push_str(&match value {
            None => format!(" with no `{key}`"),
            Some(v) => format!(" with {}", key_value(key, v)),
        });
    }
    if !request.caller_allows {
        phrase.push_str(", even without its own identity policy allowing it");
    }
    phrase
}

/// The call's actions: "sts:AssumeRole + sts:TagSession".
pub fn actions(request: &Request) -> String {
    let mut actions = request.action.clone();
    for a in &request.also {
        actions.push_str(" + ");
        actions.push_str(a);
    }
    actions
}

/// One context value in words: "`key` = `value`", "`key` = [`a`, `b`]", "an empty `key`".
pub fn key_value(key: &str, value: &ContextValue) -> String {
    match value {
        ContextValue::Single(v) => format!("`{key}` = `{v}`"),
        ContextValue::Multi(vs) if vs.is_empty() => format!("an empty `{key}`"),
        ContextValue::Multi(vs) => format!("`{key}` = [{}]", quoted(vs)),
    }
}

/// Values in backticks, comma-separated.
pub fn quoted(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
