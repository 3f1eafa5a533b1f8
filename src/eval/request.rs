//! The request model of SPEC §3.1: who calls which STS action with which context.
//!
//! Used by `simulate`, by witnesses in reports and by the test vectors; serialises back to the
//! same JSON shape it reads, so a reported witness can be fed to `trustgate simulate` as is.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The role every request targets unless it says otherwise (SPEC §3.1).
pub const DEFAULT_ROLE: &str = "arn:aws:iam::111111111111:role/target";

/// The calling principal.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Caller {
    /// A signed AWS caller: user ARN, `…:root`, role-session ARN, or a unique ID.
    Aws(String),
    /// A service principal such as `ec2.amazonaws.com`.
    Service(String),
    /// A web-identity or SAML provider (provider ARN or built-in provider name).
    Federated(String),
}

impl Caller {
    pub fn type_name(&self) -> &'static str {
        match self {
            Caller::Aws(_) => "AWS",
            Caller::Service(_) => "Service",
            Caller::Federated(_) => "Federated",
        }
    }

    pub fn value(&self) -> &str {
        match self {
            Caller::Aws(s) | Caller::Service(s) | Caller::Federated(s) => s,
        }
    }
}

/// A context key's value: one string, or a multi-valued key (possibly empty).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ContextValue {
    Single(String),
    Multi(Vec<String>),
}

/// One STS call (SPEC §3.1). A context key that is absent is not in `context`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    #[serde(default = "default_role")]
    pub role: String,
    pub action: String,
    #[serde(default)]
    pub also: Vec<String>,
    pub principal: Caller,
    #[serde(default = "default_true")]
    pub caller_allows: bool,
    #[serde(default)]
    pub context: BTreeMap<String, ContextValue>,
}

fn default_role() -> String {
    DEFAULT_ROLE.to_string()
}

fn default_true() -> bool {
    true
}

/// A same-account user's `sts:AssumeRole` with this context: the request unit tests start from.
#[cfg(test)]
pub(crate) fn test_request(ctx: &[(&str, ContextValue)]) -> Request {
    Request {
        role: DEFAULT_ROLE.to_string(),
        action: "sts:AssumeRole".to_string(),
        also: vec![],
        principal: Caller::Aws("arn:aws:iam::111111111111:user/alice".to_string()),
        caller_allows: true,
        context: ctx
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
    }
}

impl Serialize for Caller {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(self.type_name(), self.value())?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for Caller {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CallerVisitor;
        impl<'de> Visitor<'de> for CallerVisitor {
            type Value = Caller;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(r#"an object with exactly one of "AWS", "Service", "Federated""#)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Caller, A::Error> {
                let mut found: Option<Caller> = None;
                while let Some(key) = map.next_key::<String>()? {
                    let value: String = map.next_value()?;
                    let caller = match key.as_str() {
                        "AWS" => Caller::Aws(value),
                        "Service" => Caller::Service(value),
                        "Federated" => Caller::Federated(value),
                        other => {
                            return Err(de::Error::custom(format!(
                            "unknown principal type `{other}` (expected AWS, Service or Federated)"
                        )))
                        }
                    };
                    if found.is_some() {
                        return Err(de::Error::custom("a request has exactly one principal"));
                    }
                    found = Some(caller);
                }
                found.ok_or_else(|| de::Error::custom("a request needs a principal"))
            }
        }
        deserializer.deserialize_map(CallerVisitor)
    }
}

impl Serialize for ContextValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ContextValue::Single(s) => serializer.serialize_str(s),
            ContextValue::Multi(v) => v.serialize(serializer),
        }
    }
}

/// A scalar context value as text: numbers, booleans and dates travel as strings (SEMANTICS §9.2).
struct ScalarText(String);

impl<'de> Deserialize<'de> for ScalarText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match ContextValue::deserialize(deserializer)? {
            ContextValue::Single(s) => Ok(ScalarText(s)),
            ContextValue::Multi(_) => Err(de::Error::custom("nested lists are not allowed")),
        }
    }
}

impl<'de> Deserialize<'de> for ContextValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl<'de> Visitor<'de> for ValueVisitor {
            type Value = ContextValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number, boolean or a list of them")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ContextValue, E> {
                Ok(ContextValue::Single(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<ContextValue, E> {
                Ok(ContextValue::Single(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<ContextValue, E> {
                Ok(ContextValue::Single(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ContextValue, E> {
                Ok(ContextValue::Single(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ContextValue, E> {
                Ok(ContextValue::Single(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ContextValue, E> {
                Ok(ContextValue::Single(v.to_string()))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<ContextValue, A::Error> {
                let mut out = Vec::new();
                while let Some(ScalarText(s)) = seq.next_element()? {
                    out.push(s);
                }
                Ok(ContextValue::Multi(out))
            }
        }
        deserializer.deserialize_any(ValueVisitor)
    }
}
