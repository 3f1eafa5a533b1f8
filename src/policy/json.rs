//! A JSON tree that keeps every member of an object, duplicates included, in document order.
//!
//! serde_json's map keeps only the last duplicate and derive-based structs refuse them; IAM has
//! its own rules for duplicates (SEMANTICS §1.10), so the policy parser needs to see them all.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// A JSON value; strings and keys without escapes borrow the parsed text (a policy's tree is
/// read once, into the policy model, and dropped).
#[derive(Debug, Clone, PartialEq)]
pub enum Node<'a> {
    Null,
    Bool(bool),
    /// A JSON number, kept as text: IAM reads `3600` and `"3600"` alike (SEMANTICS §1.1).
    Number(String),
    String(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    /// Members in document order; the same key may appear more than once.
    Object(Vec<(Cow<'a, str>, Node<'a>)>),
}

impl Node<'_> {
    /// "a string", "an object", ... for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Number(_) => "a number",
            Node::String(_) => "a string",
            Node::Array(_) => "an array",
            Node::Object(_) => "an object",
        }
    }

    /// The text of a scalar (string, number, boolean), as IAM reads condition values.
    pub fn scalar_text(&self) -> Option<String> {
        match self {
            Node::String(s) => Some(s.to_string()),
            Node::Number(s) => Some(s.clone()),
            Node::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Node<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node<'de>, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node<'de>, E> {
        Ok(Node::Number(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node<'de>, E> {
        Ok(Node::Number(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node<'de>, E> {
        // Non-integers lose their exact spelling here (1.50 reads as 1.5); numeric operators
        // compare values, not spellings, so only string operators on numbers could notice.
        Ok(Node::Number(v.to_string()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(v.to_string())))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Borrowed(v)))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let mut members = Vec::new();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let value = map.next_value::<Node>()?;
            members.push((key, value));
        }
        Ok(Node::Object(members))
    }
}

/// An object key, borrowed from the text unless it holds an escape (serde's own `Cow`
/// always copies).
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v.to_string())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v)))
    }
}

/// Parse one JSON document into a `Node` (serde_json's recursion limit stays on).
pub fn parse(text: &str) -> Result<Node<'_>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let node = Node::deserialize(&mut de)?;
    de.end()?;
    Ok(node)
}

/// Escape one JSON-pointer reference token (RFC 6901).
pub fn escape_token(token: &str) -> std::borrow::Cow<'_, str> {
    // Most keys need no escape: borrow them instead of copying twice.
    if !token.contains(['~', '/']) {
        return std::borrow::Cow::Borrowed(token);
    }
    std::borrow::Cow::Owned(token.replace('~', "~0").replace('/', "~1"))
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn keeps_duplicate_members_in_order() {
        let node = parse(r#"{"a":1,"b":true,"a":"x"}"#).unwrap();
        assert_eq!(
            node,
            Node::Object(vec![
                ("a".into(), Node::Number("1".into())),
                ("b".into(), Node::Bool(true)),
                ("a".into(), Node::String("x".into())),
            ])
        );
    }

    /// Plain strings and keys borrow the text; escaped ones are decoded into their own copy.
    #[test]
    fn plain_text_is_borrowed_and_escapes_are_decoded() {
        let node = parse(r#"{"a\"b":"x\ny","c":"plain"}"#).unwrap();
        let Node::Object(members) = &node else {
            panic!("{node:?}")
        };
        assert_eq!(members[0].0, "a\"b");
        assert!(matches!(members[0].0, Cow::Owned(_)));
        assert_eq!(members[0].1, Node::String("x\ny".into()));
        assert!(matches!(&members[1].0, Cow::Borrowed("c")));
        assert!(matches!(
            &members[1].1,
            Node::String(Cow::Borrowed("plain"))
        ));
    }

    #[test]
    fn big_account_number_keeps_its_digits() {
        let node = parse("123456789012").unwrap();
        assert_eq!(node, Node::Number("123456789012".into()));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        assert!(parse(&text).is_err());
    }

    #[test]
    fn trailing_garbage_is_an_error() {
        assert!(parse("{} x").is_err());
    }

    #[test]
    fn pointer_tokens_are_escaped() {
        assert_eq!(
            escape_token("aws:PrincipalTag/a~b"),
            "aws:PrincipalTag~1a~0b"
        );
    }
}
