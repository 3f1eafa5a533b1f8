//! `trustgate.toml` (SPEC §7): reading, validating and compiling the configuration file.
//!
//! The file is parsed with serde (unknown keys refused) and then validated key by key, so
//! every mistake is one line naming the file, the key path and what was expected. The result
//! is plain data: the pipeline turns it into rule settings and `suppress` applies its rule
//! overrides and ignores; nothing here reads plans or decides pass/fail.

mod custom;
mod date;
mod glob;

pub use custom::CustomRule;
pub use date::{Date, TODAY_ENV};
pub use glob::AddressGlob;

use crate::finding::Severity;
use crate::gate::FailOn;
use crate::rules::UnknownMode;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// The file looked for in the working directory.
pub const FILE_NAME: &str = "trustgate.toml";

/// What `trustgate init` writes: every key, commented.
pub const STARTER: &str = include_str!("starter.toml");

/// A configuration problem: one line, starting with the file name (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A validated configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub fail_on: Option<FailOn>,
    pub unknown: Option<UnknownMode>,
    pub accounts: Accounts,
    /// `[rules.ID]`, by rule id (built-in or custom).
    pub rules: BTreeMap<String, RuleOverride>,
    pub ignores: Vec<Ignore>,
    pub custom: Vec<CustomRule>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Accounts {
    pub own: Vec<String>,
    pub trusted: Vec<String>,
    pub trusted_orgs: Vec<String>,
}

/// `[rules.ID]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleOverride {
    pub enabled: bool,
    pub severity: Option<Severity>,
}

/// One `[[ignore]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignore {
    /// Its place in the file (0-based), for notes: `ignore[2]`.
    pub index: usize,
    pub rule: String,
    pub address: AddressGlob,
    pub reason: String,
    pub expires: Option<Date>,
    pub fingerprint: Option<String>,
}

impl Ignore {
    /// How notes name this entry: `ignore[0] (rule `x`, address `y`)`.
    pub fn label(&self) -> String {
        let mut label = format!(
            "ignore[{}] (rule `{}`, address `{}`",
            self.index,
            self.rule,
            self.address.as_str()
        );
        if let Some(f) = &self.fingerprint {
            label.push_str(&format!(", fingerprint `{f}`"));
        }
        label.push(')');
        label
    }
}

// ---- The file as serde sees it: structure and types only; values are checked below. ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    fail_on: Option<String>,
    unknown: Option<String>,
    #[serde(default)]
    accounts: RawAccounts,
    #[serde(default)]
    rules: BTreeMap<String, RawRule>,
    #[serde(default)]
    ignore: Vec<RawIgnore>,
    #[serde(default)]
    custom: Vec<RawCustom>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawAccounts {
    #[serde(default)]
    own: Vec<String>,
    #[serde(default)]
    trusted: Vec<String>,
    #[serde(default)]
    trusted_orgs: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    enabled: Option<bool>,
    severity: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    rule: String,
    address: String,
    reason: String,
    /// A string or a TOML date: both spell `2026-06-30`.
    expires: Option<toml::Value>,
    fingerprint: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCustom {
    id: String,
    severity: String,
    message: String,
    select: String,
    require: Option<String>,
    forbid: Option<String>,
}

/// Read and validate a configuration file; `shown` is how errors name it.
pub fn read(path: &Path, shown: &str) -> Result<Config, ConfigError> {
    let bytes =
        std::fs::read(path).map_err(|e| ConfigError(format!("{shown}: cannot read: {e}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| ConfigError(format!("{shown}: not UTF-8 text (TOML files are UTF-8)")))?;
    parse(&text, shown)
}

/// Parse and validate configuration text; `file` is how errors name it.
pub fn parse(text: &str, file: &str) -> Result<Config, ConfigError> {
    let err = |key: &str, what: String| {
        ConfigError(if key.is_empty() {
            format!("{file}: {what}")
        } else {
            format!("{file}: {key}: {what}")
        })
    };
    let de = toml::Deserializer::parse(text).map_err(|e| syntax_error(file, text, &e))?;
    let raw: RawConfig = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let (key, what) = describe_serde(&path, e.inner().message());
        err(&key, what)
    })?;

    let mut config = Config {
        fail_on: raw
            .fail_on
            .as_deref()
            .map(str::parse::<FailOn>)
            .transpose()
            .map_err(|e| err("fail_on", e))?,
        unknown: raw
            .unknown
            .as_deref()
            .map(|u| match u {
                "fail" => Ok(UnknownMode::Fail),
                "warn" => Ok(UnknownMode::Warn),
                "ignore" => Ok(UnknownMode::Ignore),
                other => Err(format!(
                    "unknown mode `{other}` (expected fail, warn or ignore)"
                )),
            })
            .transpose()
            .map_err(|e| err("unknown", e))?,
        ..Config::default()
    };

    for (key, list) in [
        ("own", &raw.accounts.own),
        ("trusted", &raw.accounts.trusted),
    ] {
        for (i, account) in list.iter().enumerate() {
            if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err(
                    &format!("accounts.{key}[{i}]"),
                    format!("`{account}` is not an AWS account ID (expected 12 digits, e.g. `111111111111`)"),
                ));
            }
        }
    }
    for (i, org) in raw.accounts.trusted_orgs.iter().enumerate() {
        let ok = org.strip_prefix("o-").is_some_and(|rest| {
            (10..=32).contains(&rest.len())
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
        if !ok {
            return Err(err(
                &format!("accounts.trusted_orgs[{i}]"),
                format!("`{org}` is not an AWS organization ID (expected `o-` and 10 to 32 lowercase letters or digits, e.g. `o-a1b2c3d4e5`)"),
            ));
        }
    }
    config.accounts = Accounts {
        own: raw.accounts.own,
        trusted: raw.accounts.trusted,
        trusted_orgs: raw.accounts.trusted_orgs,
    };

    // Custom rules first: `[rules.ID]` and `[[ignore]]` may name them.
    for (i, c) in raw.custom.iter().enumerate() {
        let at = |field: &str| format!("custom[{i}].{field}");
        if !is_kebab(&c.id) {
            return Err(err(
                &at("id"),
                format!("`{}` is not a rule id (expected kebab-case: lowercase letters, digits and `-`, e.g. `require-external-id`)", c.id),
            ));
        }
        if crate::rules::find(&c.id).is_some() {
            return Err(err(
                &at("id"),
                format!(
                    "`{}` is a built-in rule; give the custom rule another id",
                    c.id
                ),
            ));
        }
        if config.custom.iter().any(|r| r.meta.id == c.id) {
            return Err(err(
                &at("id"),
                format!(
                    "`{}` is defined twice; custom rule ids must be unique",
                    c.id
                ),
            ));
        }
        let severity = c
            .severity
            .parse::<Severity>()
            .map_err(|e| err(&at("severity"), format!("rule `{}`: {e}", c.id)))?;
        if c.message.trim().is_empty() {
            return Err(err(
                &at("message"),
                format!(
                    "rule `{}`: must not be empty: it is the finding's message",
                    c.id
                ),
            ));
        }
        let compile = |field: &str, expr: &str| {
            custom::compile(expr).map_err(|e| {
                err(
                    &at(field),
                    format!("rule `{}`: invalid JSONPath `{expr}`: {e}", c.id),
                )
            })
        };
        let select = compile("select", &c.select)?;
        let require = c
            .require
            .as_deref()
            .map(|q| compile("require", q))
            .transpose()?;
        let forbid = c
            .forbid
            .as_deref()
            .map(|q| compile("forbid", q))
            .transpose()?;
        if require.is_none() && forbid.is_none() {
            return Err(err(
                &format!("custom[{i}]"),
                format!("rule `{}`: needs `require` or `forbid` (or both): what the selected nodes must or must not contain", c.id),
            ));
        }
        config.custom.push(CustomRule::new(
            &c.id, severity, &c.message, select, require, forbid,
        ));
    }
    let known_rule = |id: &str| {
        crate::rules::find(id).is_some() || config.custom.iter().any(|r| r.meta.id == id)
    };
    let unknown_rule = |id: &str| {
        format!("unknown rule `{id}` (`trustgate rules` lists the built-in ones; custom ones are the `id`s of `[[custom]]`)")
    };

    for (id, r) in &raw.rules {
        if !known_rule(id) {
            return Err(err(&format!("rules.{id}"), unknown_rule(id)));
        }
        let severity = r
            .severity
            .as_deref()
            .map(str::parse::<Severity>)
            .transpose()
            .map_err(|e| err(&format!("rules.{id}.severity"), e))?;
        config.rules.insert(
            id.clone(),
            RuleOverride {
                enabled: r.enabled.unwrap_or(true),
                severity,
            },
        );
    }

    for (i, ig) in raw.ignore.into_iter().enumerate() {
        let at = |field: &str| format!("ignore[{i}].{field}");
        if !known_rule(&ig.rule) {
            return Err(err(&at("rule"), unknown_rule(&ig.rule)));
        }
        if ig.address.is_empty() {
            return Err(err(
                &at("address"),
                "must not be empty (a resource address, `*` and `?` as wildcards)".into(),
            ));
        }
        if ig.reason.trim().is_empty() {
            return Err(err(
                &at("reason"),
                "must not be empty: say why this risk is accepted".into(),
            ));
        }
        let expires = match &ig.expires {
            None => None,
            Some(v) => Some(expiry(v).map_err(|e| err(&at("expires"), e))?),
        };
        if let Some(f) = &ig.fingerprint {
            if f.len() != 16 || !f.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
                return Err(err(
                    &at("fingerprint"),
                    format!("`{f}` is not a fingerprint (expected the 16 lowercase hex digits of a finding's `fingerprint` in the JSON report)"),
                ));
            }
        }
        config.ignores.push(Ignore {
            index: i,
            rule: ig.rule,
            address: AddressGlob::new(&ig.address),
            reason: ig.reason,
            expires,
            fingerprint: ig.fingerprint,
        });
    }
    Ok(config)
}

/// An `expires` value: a `YYYY-MM-DD` string or a TOML local date.
fn expiry(value: &toml::Value) -> Result<Date, String> {
    match value {
        toml::Value::String(s) => s.parse(),
        toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string().parse(),
        other => Err(format!(
            "expected a date `YYYY-MM-DD` (e.g. `2026-06-30`), found {} `{other}`",
            other.type_str()
        )),
    }
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A TOML syntax error as one line with its line and column.
fn syntax_error(file: &str, text: &str, e: &toml::de::Error) -> ConfigError {
    let message = e.message().trim().replace('\n', "; ");
    match e.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count().saturating_add(1);
            let column = before
                .rsplit('\n')
                .next()
                .map_or(0, |l| l.chars().count())
                .saturating_add(1);
            ConfigError(format!(
                "{file}: line {line}, column {column}: invalid TOML: {message}"
            ))
        }
        None => ConfigError(format!("{file}: invalid TOML: {message}")),
    }
}

/// serde's message in the file's words: keys, not fields; the key path, not a Rust type.
/// Returns (key path, what was wrong).
fn describe_serde(path: &str, message: &str) -> (String, String) {
    let message = message.trim().replace('\n', "; ");
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some((key, expected)) = rest.split_once('`') {
            let expected = expected.trim_start_matches(", ");
            let key_path = if path.ends_with(&format!(".{key}")) || path == key {
                path.to_string()
            } else {
                join(key)
            };
            return (key_path, format!("unknown key ({expected})"));
        }
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        if let Some((key, _)) = rest.split_once('`') {
            return (join(key), "missing: this key is required".into());
        }
    }
    // serde names Rust types; the file has TOML ones.
    let message = match message.split_once(", expected ") {
        Some((found, expected)) => {
            let expected = if expected.starts_with("struct ") || expected == "a map" {
                "a table"
            } else if expected == "a sequence" {
                "an array"
            } else {
                expected
            };
            format!("{found}, expected {expected}")
        }
        None => message,
    };
    (path.to_string(), message)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_is_the_default() {
        let c = parse("", "t.toml").unwrap();
        assert!(c.fail_on.is_none() && c.ignores.is_empty() && c.custom.is_empty());
    }

    #[test]
    fn kebab_ids() {
        assert!(is_kebab("require-external-id"));
        assert!(is_kebab("r2"));
        for bad in ["", "-a", "a-", "a--b", "A", "a_b", "a b"] {
            assert!(!is_kebab(bad), "{bad}");
        }
    }
}
