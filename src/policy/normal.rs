//! The structural normal form of a policy (SPEC §7): `Statement` always an array, principals
//! an object of arrays (`"*"` as `{"AWS": ["*"]}`), actions and condition values arrays of
//! strings, names and keys as written. Used by the JSON report and by custom rules.

use super::model::*;
use serde_json::{json, Map, Value};

/// The normal form of a parsed policy. Duplicate keys appear merged, as the model reads them.
pub fn normal_form(policy: &Policy) -> Value {
    let mut doc = Map::new();
    if let Some(v) = &policy.version_raw {
        doc.insert("Version".into(), Value::String(v.clone()));
    }
    if let Some(id) = &policy.id {
        doc.insert("Id".into(), Value::String(id.clone()));
    }
    let statements: Vec<Value> = policy.statements.iter().map(statement).collect();
    doc.insert("Statement".into(), Value::Array(statements));
    Value::Object(doc)
}

fn statement(s: &Statement) -> Value {
    let mut out = Map::new();
    if let Some(sid) = &s.sid {
        out.insert("Sid".into(), Value::String(sid.clone()));
    }
    out.insert("Effect".into(), Value::String(s.effect.to_string()));
    let mut principals = Map::new();
    for entry in &s.principals.entries {
        let list = principals
            .entry(entry.kind.as_str().to_string())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(items) = list {
            items.push(Value::String(entry.value.clone()));
        }
    }
    let principal_key = match s.principals.mode {
        PrincipalMode::Principal => "Principal",
        PrincipalMode::NotPrincipal => "NotPrincipal",
    };
    out.insert(principal_key.into(), Value::Object(principals));
    let action_key = match s.actions.mode {
        ActionMode::Action => "Action",
        ActionMode::NotAction => "NotAction",
    };
    out.insert(action_key.into(), json!(s.actions.patterns));
    if !s.conditions.is_empty() {
        let mut conditions = Map::new();
        for c in &s.conditions {
            let block = conditions
                .entry(c.operator_raw.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(keys) = block {
                let values = keys
                    .entry(c.key.clone())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(items) = values {
                    items.extend(c.values.iter().cloned().map(Value::String));
                }
            }
        }
        out.insert("Condition".into(), Value::Object(conditions));
    }
    Value::Object(out)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use crate::policy::parse_policy;

    #[test]
    fn scalars_become_lists_and_bare_star_becomes_aws() {
        let p = parse_policy(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole",
               "Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}}}"#,
        )
        .unwrap();
        assert_eq!(
            normal_form(&p),
            json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},
                   "Action":["sts:AssumeRole"],"Condition":{"StringEquals":{"aws:PrincipalOrgID":["o-1"]}}}]})
        );
    }
}

/// A parsed policy as the analysis shares it between roles with one trust text
/// (`analysis::decode_side`), with its normal form's text written at most once.
#[derive(Debug)]
pub struct SharedPolicy {
    policy: Policy,
    text: std::sync::OnceLock<Box<serde_json::value::RawValue>>,
}

impl SharedPolicy {
    pub fn new(policy: Policy) -> SharedPolicy {
        SharedPolicy {
            policy,
            text: std::sync::OnceLock::new(),
        }
    }

    /// `normal_form(policy)` as compact JSON text.
    pub fn normal_text(&self) -> &str {
        self.normal_raw().get()
    }

    /// The same text as a raw JSON value, written once (serde_json writes it as `Display`
    /// does, and takes its own text unchecked).
    pub fn normal_raw(&self) -> &serde_json::value::RawValue {
        self.text.get_or_init(|| {
            let form = normal_form(&self.policy);
            serde_json::value::to_raw_value(&form)
                .unwrap_or_else(|_| serde_json::value::RawValue::NULL.to_owned())
        })
    }
}

impl std::ops::Deref for SharedPolicy {
    type Target = Policy;

    fn deref(&self) -> &Policy {
        &self.policy
    }
}
