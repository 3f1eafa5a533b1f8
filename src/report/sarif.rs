//! SARIF 2.1.0, for code-scanning uploads: every rule with its descriptions, help (taken from
//! docs/rules.md, the one place rule docs live) and `helpUri`, one result per finding with a
//! logical location (the resource address) always, a physical one when known (the `resource`
//! block with `--source-dir`, else the plan file) relative to the repository root
//! (`%SRCROOT%`), and `partialFingerprints` from the finding's logical identity, never from a
//! line number, so moving code never re-opens one. Inputs that could not be read are
//! `toolExecutionNotifications` of level `error`.

use super::json::Seq;
use super::{docs, source_of, Locations, Report};
use crate::finding::{Finding, Severity};
use crate::rules::REGISTRY;
use serde::Serialize;
use serde_json::{json, Value};

/// The base every artifact URI is relative to: the repository root.
pub const SRCROOT: &str = "%SRCROOT%";

pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The `partialFingerprints` key: names the scheme, so a new scheme can live beside it.
pub const FINGERPRINT_KEY: &str = "trustgate/v1";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub code scanning ranks security alerts by this number (critical above 9.0, high from
/// 7.0, medium from 4.0, low below).
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// Rule docs speak of "Failing"/"Passing" examples and of apply that would fail; output on a
/// passing run must not contain that word outside a finding's name (SPEC §5: CI systems grep
/// logs for it), so the help says the same in other words.
pub fn without_fail_word(text: &str) -> String {
    const SWAPS: [(&str, &str); 6] = [
        ("Failing:", "Flagged:"),
        ("Passing:", "Not flagged:"),
        ("apply would fail", "apply would be refused"),
        (
            "trustgate fails closed",
            "trustgate never treats it as safe",
        ),
        (
            "`--unknown fail` critical",
            "critical with the strictest `--unknown` setting",
        ),
        ("fails", "stops"),
    ];
    SWAPS
        .iter()
        .fold(text.to_string(), |t, (from, to)| t.replace(from, to))
}

/// The paragraph of a rule's doc section that starts with `What:`, on one line.
fn what_paragraph(section: &str) -> Option<String> {
    let start = section.find("\nWhat: ")?.checked_add("\nWhat: ".len())?;
    let rest = &section[start..];
    let end = rest.find("\n\n").unwrap_or(rest.len());
    Some(rest[..end].split_whitespace().collect::<Vec<_>>().join(" "))
}

fn rule_descriptor(id: &str, summary: &str, default: Severity) -> Value {
    let section = super::docs::rule_doc(id);
    // The section without its `## id` heading: SARIF viewers show the rule id themselves.
    let help = section
        .map(|s| {
            s.split_once('\n')
                .map_or("", |(_, body)| body)
                .trim()
                .to_string()
        })
        .unwrap_or_else(|| {
            format!("{summary}\n\n`trustgate explain {id}` prints the rule's full text.")
        });
    let help = without_fail_word(&help);
    let full = section
        .and_then(what_paragraph)
        .map_or_else(|| summary.to_string(), |w| without_fail_word(&w));
    json!({
        "id": id,
        "name": id,
        "helpUri": docs::rule_url(id),
        "shortDescription": {"text": without_fail_word(summary)},
        "fullDescription": {"text": full},
        "help": {"text": help, "markdown": help},
        "defaultConfiguration": {"level": level(default)},
        "properties": {
            "tags": ["security", "iam", "terraform"],
            "precision": "very-high",
            "security-severity": security_severity(default),
        },
    })
}

/// A relative URI reference for a path: `/`-separated, every byte outside the unreserved set
/// percent-encoded (a `#` in `plan.json#2` must not become a fragment).
pub fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(char::from(b))
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn location(f: &Finding, locations: &Locations) -> Value {
    let name = f.address.rsplit('.').next().unwrap_or(&f.address);
    let mut loc = json!({
        "logicalLocations": [{
            "fullyQualifiedName": f.address,
            "name": name,
            "kind": "resource",
        }],
    });
    let physical = match source_of(&locations.sources, &f.plan, &f.address) {
        Some(s) => Some(json!({
            "artifactLocation": {"uri": uri(&s.file), "uriBaseId": SRCROOT},
            "region": {"startLine": s.line},
        })),
        // The plan file the finding came from, when it is in the repository; standard input
        // and `compare` pairs have none.
        None => locations.plans.get(&f.plan).map(|path| {
            json!({
                "artifactLocation": {"uri": uri(path), "uriBaseId": SRCROOT},
            })
        }),
    };
    if let (Some(p), Value::Object(map)) = (physical, &mut loc) {
        map.insert("physicalLocation".into(), p);
    }
    loc
}

/// The log's top level. Fields are declared in the order `serde_json::Value` writes its
/// (sorted) keys, so the log reads as it did when it was built as one `Value`.
#[derive(Serialize)]
struct Log<R> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<R>; 1],
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<R> {
    invocations: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_uri_base_ids: Option<Value>,
    results: R,
    tool: Value,
}

/// One finding as a SARIF result; `ids` gives its `ruleIndex`.
fn result(f: &Finding, ids: &[&str], locations: &Locations) -> Value {
    let index = ids.iter().position(|id| *id == f.rule).unwrap_or(0);
    let mut result = json!({
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": level(f.severity),
        "message": {"text": format!("{}: {}", f.address, f.message)},
        "locations": [location(f, locations)],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": {
            "severity": f.severity.as_str(),
            "plan": f.plan,
            "address": f.address,
            "beforePointer": f.before_pointer,
            "afterPointer": f.after_pointer,
            "witness": f.witness,
        },
    });
    if let (Some(s), Value::Object(map)) = (&f.suppressed, &mut result) {
        map.insert(
            "suppressions".into(),
            json!([{"kind": "external", "status": "accepted", "justification": s.reason}]),
        );
    }
    result
}

/// Render the report as one SARIF log ending in a newline.
pub fn render(report: &Report, locations: &Locations) -> String {
    let mut out = Vec::new();
    match write(report, locations, &mut out) {
        Ok(()) => String::from_utf8_lossy(&out).into_owned(),
        // Serialising plain data with string keys into memory cannot fail; say so rather
        // than panic.
        Err(e) => format!("{{\"error\": \"cannot render SARIF: {e}\"}}\n"),
    }
}

/// Write the same log straight to `out`, the results read back from the results store one
/// finding at a time: a plan of 25k roles has as many findings, whose `Value`s once took
/// ten times the log's size in memory.
pub fn write(
    report: &Report,
    locations: &Locations,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut ids: Vec<&str> = REGISTRY.iter().map(|r| r.meta().id).collect();
    let mut rules: Vec<Value> = REGISTRY
        .iter()
        .map(|r| {
            let m = r.meta();
            rule_descriptor(m.id, m.summary, m.default_severity)
        })
        .collect();
    // Rules outside the registry (custom rules from the configuration) get a descriptor too,
    // in id order so the log stays byte-identical across runs. A first pass over the findings
    // finds them; the results are written in a second.
    let mut extra: Vec<(&'static str, Severity)> = Vec::new();
    for f in report.findings() {
        if !ids.contains(&f.rule) && !extra.iter().any(|(id, _)| *id == f.rule) {
            extra.push((f.rule, f.severity));
        }
    }
    extra.sort_by_key(|(id, _)| *id);
    for (id, severity) in extra {
        ids.push(id);
        rules.push(rule_descriptor(
            id,
            "a custom rule from the configuration",
            severity,
        ));
    }

    let notes: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": {"text": e.message},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(&e.path)}}}],
            })
        })
        .chain(
            report
                .notes
                .iter()
                .map(|n| json!({"level": "note", "message": {"text": n}})),
        )
        .collect();
    let ids = &ids;
    let run = Run {
        invocations: json!([{
            "executionSuccessful": report.errors.is_empty(),
            "exitCode": report.exit_code,
            "toolExecutionNotifications": notes,
        }]),
        original_uri_base_ids: locations.root_uri.as_ref().map(
            |root| json!({SRCROOT: {"uri": root, "description": {"text": "The repository root."}}}),
        ),
        results: Seq(|| report.findings().map(|f| result(&f, ids, locations))),
        tool: json!({"driver": {
            "name": "trustgate",
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "informationUri": docs::REPOSITORY,
            "rules": rules,
        }}),
    };
    let log = Log {
        schema: SARIF_SCHEMA,
        runs: [run],
        version: "2.1.0",
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    out.write_all(b"\n")
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_help_is_free_of_the_word() {
        for rule in REGISTRY {
            let m = rule.meta();
            let d = rule_descriptor(m.id, m.summary, m.default_severity).to_string();
            assert!(!d.to_lowercase().contains("fail"), "{}: {d}", m.id);
            assert!(d.contains("Flagged:"), "{} help lost its example", m.id);
        }
    }

    #[test]
    fn uris_escape_fragments_and_spaces() {
        assert_eq!(uri("a b/plan.json#2"), "a%20b/plan.json%232");
    }
}
