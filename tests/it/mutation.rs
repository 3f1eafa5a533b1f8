//! The mutation campaign (issue 8): a few hundred mutated plans through the whole `check`
//! pipeline, in process. Deterministic: a fixed seed and a tiny PRNG, so a failure names a
//! case that replays exactly.
//!
//! Three kinds of mutation, each on every base plan:
//! - truncation at a random point inside the document: the plan is unreadable, so exit 2
//!   (never 0: a gate that cannot read a plan must not pass it);
//! - one random field anywhere replaced by a value of another type: exit 0, 1 or 2, and exit 1
//!   when the field was a role's trust document (the plan is still readable then);
//! - a role's trust document mangled on purpose (wrong type, missing, null, truncated text,
//!   junk text, a policy of the wrong shape, a policy beyond the parser's limits): exit 1,
//!   exactly. That is the fail-closed property: no unreadable trust policy is ever a pass.
//!
//! Every case runs on its own thread with a generous deadline, so a hang fails the test
//! instead of stalling it, and a panic is reported with the case that caused it.

use crate::common;
use serde_json::{json, Value};
use std::io::Cursor;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

/// Per-case deadline: generous for a debug build; a case normally takes milliseconds.
const DEADLINE: Duration = Duration::from_secs(10);
/// Mutations of each kind per base plan.
const TRUNCATIONS: usize = 2;
const FIELD_SWAPS: usize = 4;
const TRUST_MANGLES: usize = 4;
/// Real plans from ../shared/corpus that carry roles (created, no-op, drifted, in modules).
const CORPUS_PLANS: &[&str] = &[
    "corpus/terraform-compliance__cli/01_plan.out.json",
    "corpus/Andr1yK__aws_devops_task_5_use_iam_roles/tfplan.json",
    "corpus/Ashok-yaddala__use-case-6/tfplan.json",
    "corpus/androzo__aws-validation/removingtfplan.json",
];

/// SplitMix64: enough randomness for choosing mutations, fixed by its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A step in a JSON path.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// Where a role's trust document sits in a plan, and whether that side is judged at all
/// (an `after` marked unknown is a placeholder: trustgate rightly ignores its value).
#[derive(Debug, Clone)]
struct TrustSpot {
    path: Vec<Step>,
    /// `awscc_iam_role` takes an object as well as a string.
    awscc: bool,
}

/// Every trust document of a plan that trustgate reads: `resource_changes` and
/// `resource_drift` roles, each existing side, `after` only when not unknown.
fn trust_spots(plan: &Value) -> Vec<TrustSpot> {
    let mut spots = Vec::new();
    for list in ["resource_changes", "resource_drift"] {
        let Some(items) = plan.get(list).and_then(Value::as_array) else {
            continue;
        };
        for (i, rc) in items.iter().enumerate() {
            let (attr, awscc) = match rc.get("type").and_then(Value::as_str) {
                Some("aws_iam_role") => ("assume_role_policy", false),
                Some("awscc_iam_role") => ("assume_role_policy_document", true),
                _ => continue,
            };
            if rc.get("mode").and_then(Value::as_str) == Some("data") {
                continue;
            }
            let Some(change) = rc.get("change") else {
                continue;
            };
            let unknown = change.get("after_unknown").is_some_and(|u| {
                u == &Value::Bool(true) || u.get(attr) == Some(&Value::Bool(true))
            });
            for side in ["before", "after"] {
                if side == "after" && unknown {
                    continue;
                }
                let Some(obj) = change.get(side).and_then(Value::as_object) else {
                    continue;
                };
                if obj.get(attr).is_some_and(|v| !v.is_null()) {
                    spots.push(TrustSpot {
                        path: vec![
                            Step::Key(list.into()),
                            Step::Index(i),
                            Step::Key("change".into()),
                            Step::Key(side.into()),
                            Step::Key(attr.into()),
                        ],
                        awscc,
                    });
                }
            }
        }
    }
    spots
}

fn get_mut<'a>(v: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, step| match step {
        Step::Key(k) => v.get_mut(k.as_str()),
        Step::Index(i) => v.get_mut(*i),
    })
}

/// Every path in the tree (the root excluded).
fn all_paths(v: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                prefix.push(Step::Key(k.clone()));
                out.push(prefix.clone());
                all_paths(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                prefix.push(Step::Index(i));
                out.push(prefix.clone());
                all_paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

/// A value of another JSON type than `current`.
fn other_type(current: &Value, rng: &mut Rng) -> Value {
    let candidates = [
        json!(7),
        json!(true),
        Value::Null,
        json!(["x"]),
        json!({"junk": 1}),
        json!("junk"),
    ];
    let same = |c: &Value| std::mem::discriminant(c) == std::mem::discriminant(current);
    let others: Vec<&Value> = candidates.iter().filter(|c| !same(c)).collect();
    others[rng.below(others.len())].clone()
}

/// A mangled trust document: never a policy trustgate may read as one.
fn mangled_trust(current: &Value, awscc: bool, rng: &mut Rng) -> Option<Value> {
    let text = match current {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Some(match rng.below(10) {
        0 => json!(42),
        1 => json!(false),
        2 => json!([text]),
        3 if awscc => json!({"Version": "2012-10-17"}),
        3 => json!({"Version": "2012-10-17", "Statement": []}),
        4 => Value::Null,
        5 => {
            // The policy text cut before its closing brace: never valid JSON.
            let end = text.rfind('}')?;
            let cut = rng.below(end.max(1));
            let cut = (0..=cut).rev().find(|&i| text.is_char_boundary(i))?;
            Value::String(text[..cut].to_string())
        }
        6 => {
            let junk: String = (0..1 + rng.below(40))
                .map(|_| char::from(b' ' + (rng.next() % 95) as u8))
                .collect();
            Value::String(format!("{junk}\u{1}"))
        }
        7 => Value::String(r#"{"Version":"2012-10-17","Statement":5}"#.into()),
        8 => Value::String(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":{"x":1}},"Action":"sts:AssumeRole"}]}"#
                .into(),
        ),
        _ => {
            // Beyond the parser's statement limit: refused, never half-read.
            let statement = r#"{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}"#;
            let statements = vec![statement; 600].join(",");
            Value::String(format!(
                r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#
            ))
        }
    })
}

/// Run `check` on plan bytes in process, on its own thread with a deadline. Returns the exit
/// code, or an error naming a panic or a hang.
fn check(bytes: Vec<u8>) -> Result<(i32, String), String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let result = std::panic::catch_unwind(move || {
            let mut stdin = Cursor::new(bytes);
            let mut out = Vec::new();
            let mut err = Vec::new();
            let code = {
                let mut io = trustgate::app::Io {
                    stdin: &mut stdin,
                    stdin_is_terminal: false,
                    stdin_is_process: false,
                    out: &mut out,
                    err: &mut err,
                    color: false,
                    terminal: false,
                };
                trustgate::app::run(
                    [
                        "trustgate",
                        "check",
                        "--no-config",
                        "--terraform-bin",
                        "/nonexistent/trustgate-test/terraform",
                        "-",
                    ],
                    &mut io,
                )
            };
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&err)
            );
            (code, text)
        });
        let _ = tx.send(result);
    });
    match rx.recv_timeout(DEADLINE) {
        Ok(Ok(result)) => Ok(result),
        Ok(Err(_)) => Err("panicked".into()),
        Err(_) => Err(format!("did not finish within {DEADLINE:?}")),
    }
}

fn base_plans() -> Vec<PathBuf> {
    let mut plans: Vec<PathBuf> = std::fs::read_dir(common::testdata("plans"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    plans.sort();
    match common::shared() {
        Some(shared) => plans.extend(CORPUS_PLANS.iter().map(|rel| shared.join(rel))),
        None => common::skip("mutation corpus plans"),
    }
    plans
}

#[test]
fn mutated_plans_exit_0_1_or_2_and_mangled_trust_always_fails() {
    let mut rng = Rng(0x7275_7374_6761_7465);
    let mut failures: Vec<String> = Vec::new();
    let mut cases = 0usize;
    let mut mangled_cases = 0usize;
    for path in base_plans() {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(plan) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        let mut record = |what: String, outcome: Result<(i32, String), String>, want: &[i32]| {
            cases += 1;
            match outcome {
                Ok((code, _)) if want.contains(&code) => {}
                Ok((code, output)) => failures.push(format!(
                    "{name}: {what}: exit {code}, expected one of {want:?}\n{output}"
                )),
                Err(e) => failures.push(format!("{name}: {what}: {e}")),
            }
        };

        // 1. Truncation strictly inside the document: unreadable, so exit 2.
        let last = text.trim_end().len().saturating_sub(1);
        for _ in 0..TRUNCATIONS {
            let mut cut = rng.below(last.max(1));
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let outcome = check(text.as_bytes()[..cut].to_vec());
            record(format!("truncated at byte {cut}"), outcome, &[2]);
        }

        // 2. One field replaced by a value of another type.
        let spots = trust_spots(&plan);
        let mut paths = Vec::new();
        all_paths(&plan, &mut Vec::new(), &mut paths);
        for _ in 0..FIELD_SWAPS {
            let target = &paths[rng.below(paths.len())];
            let mut mutated = plan.clone();
            let slot = get_mut(&mut mutated, target).unwrap();
            let replacement = other_type(slot, &mut rng);
            // A trust string replaced by an object is still a document for awscc: only
            // count the swap as mangling when no reading of it can be a policy.
            let is_trust = spots.iter().any(|s| &s.path == target);
            *slot = replacement.clone();
            let want: &[i32] = if is_trust { &[1] } else { &[0, 1, 2] };
            mangled_cases += usize::from(is_trust);
            let outcome = check(serde_json::to_vec(&mutated).unwrap());
            record(format!("{target:?} := {replacement}"), outcome, want);
        }

        // 3. A role's trust document mangled on purpose: the plan stays readable, exit 1.
        if spots.is_empty() {
            continue;
        }
        for _ in 0..TRUST_MANGLES {
            let spot = &spots[rng.below(spots.len())];
            let mut mutated = plan.clone();
            let slot = get_mut(&mut mutated, &spot.path).unwrap();
            let Some(replacement) = mangled_trust(slot, spot.awscc, &mut rng) else {
                continue;
            };
            *slot = replacement.clone();
            mangled_cases += 1;
            let shown: String = replacement.to_string().chars().take(80).collect();
            let outcome = check(serde_json::to_vec(&mutated).unwrap());
            record(format!("{:?} := {shown}", spot.path), outcome, &[1]);
        }
        // Also a trust attribute removed altogether (missing is mangled too).
        let spot = &spots[rng.below(spots.len())];
        let mut mutated = plan.clone();
        if let Some((Step::Key(attr), parent)) = spot.path.split_last() {
            if let Some(Value::Object(side)) = get_mut(&mut mutated, parent) {
                side.remove(attr);
                mangled_cases += 1;
                let outcome = check(serde_json::to_vec(&mutated).unwrap());
                record(format!("{:?} removed", spot.path), outcome, &[1]);
            }
        }
    }
    eprintln!("mutation campaign: {cases} cases, {mangled_cases} with a mangled trust document");
    assert!(cases >= 200, "only {cases} cases ran");
    assert!(
        failures.is_empty(),
        "{} of {cases} mutated plans misbehaved:\n{}",
        failures.len(),
        failures.join("\n---\n")
    );
}
