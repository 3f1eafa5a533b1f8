//! The CLI end to end: exit codes, stdin, errors, output formats, determinism.

use crate::common;
use assert_cmd::Command;
use serde_json::Value;
use std::io::Cursor;

/// Run trustgate in process; returns (exit code, stdout, stderr).
pub fn run_with(args: &[&str], stdin: &[u8], stdin_is_terminal: bool) -> (i32, String, String) {
    let mut input = Cursor::new(stdin.to_vec());
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = {
        let mut io = trustgate::app::Io {
            stdin: &mut input,
            stdin_is_terminal,
            stdin_is_process: false,
            out: &mut out,
            err: &mut err,
            color: false,
            terminal: false,
        };
        let mut argv = vec!["trustgate"];
        argv.extend_from_slice(args);
        trustgate::app::run(argv, &mut io)
    };
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

pub fn run(args: &[&str]) -> (i32, String, String) {
    run_with(args, b"", true)
}

fn testdata_str(rel: &str) -> String {
    common::testdata(rel).to_string_lossy().into_owned()
}

fn tmp_file(name: &str, contents: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("trustgate-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

/// One line on stderr, naming the file, and exit code 2.
fn assert_input_error(args: &[&str], file: &str, phrase: &str) {
    let (code, out, err) = run(args);
    assert_eq!(code, 2, "args {args:?}: stdout {out} stderr {err}");
    assert_eq!(err.lines().count(), 1, "one line expected: {err}");
    assert!(err.contains(file), "error should name `{file}`: {err}");
    assert!(err.contains(phrase), "error should say `{phrase}`: {err}");
}

#[test]
fn no_plan_and_a_terminal_is_a_usage_error() {
    let (code, _, err) = run_with(&["check"], b"", true);
    assert_eq!(code, 2);
    assert!(err.contains("no plan given"), "{err}");
}

#[test]
fn bad_inputs_exit_2_with_one_line_naming_the_file() {
    let empty = tmp_file("empty.json", b"");
    let not_json = tmp_file("notjson.json", b"hello");
    let array = tmp_file("array.json", b"[1,2]");
    let v2 = tmp_file(
        "v2.json",
        br#"{"format_version":"2.0","resource_changes":[]}"#,
    );
    let errored = tmp_file(
        "errored.json",
        br#"{"format_version":"1.2","errored":true,"resource_changes":[]}"#,
    );
    let deep = tmp_file(
        "deep.json",
        format!(
            r#"{{"format_version":"1.2","planned_values":{}}}"#,
            "[".repeat(100_000)
        )
        .as_bytes(),
    );
    for (path, phrase) in [
        (&empty, "empty"),
        (&not_json, "line 1"),
        (&array, "not a Terraform plan"),
        (&v2, "2.0"),
        (&errored, "errored"),
        (&deep, "line 1"),
    ] {
        let p = path.to_string_lossy().into_owned();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert_input_error(&["check", &p], &name, phrase);
    }
    assert_input_error(
        &["check", "/nonexistent/plan.json"],
        "/nonexistent/plan.json",
        "",
    );
}

#[test]
fn deep_nesting_anywhere_never_crashes() {
    let n = 100_000;
    let open = "[".repeat(n);
    let close = "]".repeat(n);
    for (name, body, allowed) in [
        (
            "deep-ignored.json",
            format!(r#"{{"format_version":"1.2","planned_values":{open}{close}}}"#),
            // Nothing trustgate reads: no role, so 0 is right; refusing it is also fine.
            &[0, 2][..],
        ),
        (
            "deep-changes.json",
            format!(r#"{{"format_version":"1.2","resource_changes":{open}{close}}}"#),
            &[2][..],
        ),
        (
            "deep-trust.json",
            format!(
                r#"{{"format_version":"1.2","resource_changes":[{{"address":"aws_iam_role.r","mode":"managed","type":"aws_iam_role","name":"r","change":{{"actions":["create"],"before":null,"after":{{"assume_role_policy":{open}{close}}}}}}}]}}"#
            ),
            // A mangled trust policy is a failing finding or unreadable input: never a pass.
            &[1, 2][..],
        ),
    ] {
        let path = tmp_file(name, body.as_bytes());
        let (code, _, err) = run(&["check", &path.to_string_lossy()]);
        assert!(allowed.contains(&code), "{name}: exit {code}: {err}");
    }
}

#[test]
fn stdin_is_read_when_no_plan_is_given() {
    let plan = std::fs::read(common::testdata("plans/demo.json")).unwrap();
    let (code_stdin, out_stdin, _) = run_with(&["check", "--format", "json"], &plan, false);
    let (code_dash, out_dash, _) = run_with(&["check", "-", "--format", "json"], &plan, false);
    assert_eq!(code_stdin, code_dash);
    assert_eq!(out_stdin, out_dash);
    let doc: Value = serde_json::from_str(&out_stdin).unwrap();
    assert_eq!(doc["plans"][0]["path"], "-");
}

#[test]
fn json_report_has_the_v1_shape_in_order_and_the_exit_code() {
    let demo = testdata_str("plans/demo.json");
    let (code, out, _) = run(&["check", &demo, "--format", "json"]);
    let keys = [
        "\"schema\"",
        "\"tool\"",
        "\"plans\"",
        "\"roles\"",
        "\"findings\"",
        "\"summary\"",
    ];
    let positions: Vec<usize> = keys.iter().map(|k| out.find(k).unwrap()).collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "key order {positions:?}"
    );
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["schema"], "trustgate/v1");
    assert_eq!(doc["summary"]["exit_code"], code);
    let role = &doc["roles"][0];
    for key in [
        "plan", "address", "type", "actions", "verdict", "before", "after",
    ] {
        assert!(role.get(key).is_some(), "role lacks `{key}`: {role}");
    }
}

#[test]
fn output_is_byte_identical_across_runs() {
    let demo = testdata_str("plans/demo.json");
    for format in ["table", "json"] {
        let a = run(&["check", &demo, "--format", format]);
        let b = run(&["check", &demo, "--format", format]);
        assert_eq!(a, b, "{format}");
    }
}

#[test]
fn output_flag_writes_a_second_format() {
    let demo = testdata_str("plans/demo.json");
    let target = std::env::temp_dir().join(format!("trustgate-out-{}.json", std::process::id()));
    let spec = format!("json={}", target.display());
    let (code, out, _) = run(&["check", &demo, "--output", &spec]);
    let written = std::fs::read_to_string(&target).unwrap();
    let doc: Value = serde_json::from_str(&written).unwrap();
    assert_eq!(doc["summary"]["exit_code"], code);
    assert!(out.contains("role"), "table still on stdout: {out}");
    let _ = std::fs::remove_file(target);
    let (code, _, err) = run(&["check", &demo, "--output", "yaml=x"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown format `yaml`"), "{err}");
}

#[test]
fn bad_fail_on_is_a_usage_error() {
    let demo = testdata_str("plans/demo.json");
    let (code, _, err) = run(&["check", &demo, "--fail-on", "severe"]);
    assert_eq!(code, 2);
    assert!(err.contains("--fail-on"), "{err}");
}

#[test]
fn the_binary_reads_stdin_without_a_terminal() {
    let plan = std::fs::read(common::testdata("plans/demo.json")).unwrap();
    let assert = Command::cargo_bin("trustgate")
        .unwrap()
        .args(["check", "--format", "json"])
        .write_stdin(plan)
        .assert();
    let output = assert.get_output();
    let code = output.status.code().unwrap();
    assert!(code == 0 || code == 1, "exit {code}");
    let doc: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(doc["summary"]["exit_code"], code);
}

#[test]
fn the_binary_reports_garbage_with_exit_2() {
    let assert = Command::cargo_bin("trustgate")
        .unwrap()
        .args(["check", "-"])
        .write_stdin("\u{0}\u{1}garbage")
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(err.starts_with("trustgate: error: -:"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn rules_lists_every_registered_rule() {
    let (code, out, _) = run(&["rules"]);
    assert_eq!(code, 0);
    for rule in trustgate::rules::REGISTRY {
        assert!(out.contains(rule.meta().id), "{out}");
    }
}

#[test]
fn rule_ids_are_unique_kebab_case() {
    let mut ids: Vec<&str> = trustgate::rules::REGISTRY
        .iter()
        .map(|r| r.meta().id)
        .collect();
    assert!(ids
        .iter()
        .all(|id| id.chars().all(|c| c.is_ascii_lowercase() || c == '-')));
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate rule ids");
}

fn vectors() -> Vec<Value> {
    let text = std::fs::read_to_string(common::testdata("iam/vectors.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["vectors"].as_array().unwrap().clone()
}

/// `simulate --format json` on a policy and a request; returns the parsed output.
pub fn simulate(policy: &str, request: &Value, tag: &str) -> Value {
    let p = tmp_file(&format!("{tag}-policy.json"), policy.as_bytes());
    let r = tmp_file(
        &format!("{tag}-request.json"),
        request.to_string().as_bytes(),
    );
    let (code, out, err) = run(&[
        "simulate",
        &p.to_string_lossy(),
        "--request",
        &r.to_string_lossy(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{tag}: {err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn every_evaluation_vector_through_simulate() {
    let mut failures = Vec::new();
    for v in vectors() {
        let Some(expect) = v.get("expect") else {
            continue;
        };
        let id = v["id"].as_str().unwrap();
        let policy = match v["policy_text"].as_str() {
            Some(t) => t.to_string(),
            None => v["policy"].to_string(),
        };
        let out = simulate(&policy, &v["request"], id);
        if out["trust"] != expect["trust"] || out["decision"] != expect["decision"] {
            failures.push(format!(
                "{id}: expected {expect}, got {} / {}",
                out["trust"], out["decision"]
            ));
        }
        assert!(out["statements"].is_array(), "{id}: {out}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_comparison_vector_through_compare_and_its_witnesses_through_simulate() {
    let mut failures = Vec::new();
    for v in vectors() {
        if v["group"] != "comparison" {
            continue;
        }
        let id = v["id"].as_str().unwrap();
        let before = tmp_file(
            &format!("{id}-before.json"),
            v["before"].to_string().as_bytes(),
        );
        let after = tmp_file(
            &format!("{id}-after.json"),
            v["after"].to_string().as_bytes(),
        );
        let (code, out, err) = run(&[
            "compare",
            &before.to_string_lossy(),
            &after.to_string_lossy(),
            "--format",
            "json",
            "--fail-on",
            "never",
        ]);
        assert_eq!(code, 0, "{id}: {err}");
        let doc: Value = serde_json::from_str(&out).unwrap();
        let verdict = doc["roles"][0]["verdict"].as_str().unwrap();
        let widened = v["widened"].as_bool().unwrap();
        if widened != (verdict == "widened" || verdict == "lateral") {
            failures.push(format!("{id}: widened={widened}, verdict {verdict}"));
        }
        let witnesses: Vec<&Value> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| &f["witness"])
            .filter(|w| !w.is_null())
            .collect();
        if widened && witnesses.is_empty() {
            failures.push(format!("{id}: widened but no witness reported"));
        }
        for (i, w) in witnesses.iter().enumerate() {
            failures.extend(common::unrealistic(w, id));
            let tag = format!("{id}-w{i}");
            let a = simulate(&v["after"].to_string(), w, &format!("{tag}a"));
            let b = simulate(&v["before"].to_string(), w, &format!("{tag}b"));
            if a["decision"] != "allow" || b["decision"] != "deny" {
                failures.push(format!(
                    "{id}: witness {w} gives after {} before {}",
                    a["decision"], b["decision"]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `--explain-denied` names what to change for a denied request, in both formats, and says
/// nothing is needed for an allowed one.
#[test]
fn simulate_explain_denied_names_the_fix() {
    let policy = tmp_file(
        "sim-explain-policy.json",
        br#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"abc"}}}}"#,
    );
    let denied = tmp_file(
        "sim-explain-denied.json",
        br#"{"action":"sts:AssumeRole","principal":{"AWS":"arn:aws:iam::222222222222:role/ci"},"caller_allows":false}"#,
    );
    let args = |request: &std::path::Path, json: bool| {
        let mut a = vec![
            "simulate".to_string(),
            policy.to_string_lossy().into_owned(),
            "--request".to_string(),
            request.to_string_lossy().into_owned(),
            "--explain-denied".to_string(),
        ];
        if json {
            a.extend(["--format".to_string(), "json".to_string()]);
        }
        a
    };
    let (code, out, err) = run(&args(&denied, false)
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("to allow it:\n  - statement 0: condition StringEquals `sts:ExternalId` is not met (key absent)"), "{out}");
    assert!(out.contains("--external-id"), "{out}");
    assert!(out.contains("cross-account call needs both"), "{out}");
    let (code, out, _) = run(&args(&denied, true)
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
    assert_eq!(code, 0);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["decision"], "deny");
    assert_eq!(doc["to_allow"].as_array().unwrap().len(), 2, "{doc}");
    // Keys keep their documented order, the new one last.
    assert!(out.find("\"trust\"").unwrap() < out.find("\"to_allow\"").unwrap());

    let allowed = tmp_file(
        "sim-explain-allowed.json",
        br#"{"action":"sts:AssumeRole","principal":{"AWS":"arn:aws:iam::222222222222:role/ci"},"context":{"sts:ExternalId":"abc"}}"#,
    );
    let (_, out, _) = run(&args(&allowed, false)
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
    assert!(
        out.contains("to allow it: nothing, the request is allowed"),
        "{out}"
    );
    let (_, out, _) = run(&args(&allowed, true)
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["to_allow"], serde_json::json!([]));
    // Without the flag the JSON has only the documented keys.
    let plain = simulate(
        &std::fs::read_to_string(&policy).unwrap(),
        &serde_json::json!({"action":"sts:AssumeRole","principal":{"AWS":"arn:aws:iam::222222222222:role/ci"}}),
        "sim-explain-plain",
    );
    assert!(plain.get("to_allow").is_none());
}

#[test]
fn simulate_bad_input_exits_2() {
    let policy = tmp_file("sim-policy.json", br#"{"Statement":[]}"#);
    let bad = tmp_file("sim-bad-request.json", br#"{"action":"sts:AssumeRole"}"#);
    let (code, _, err) = run(&[
        "simulate",
        &policy.to_string_lossy(),
        "--request",
        &bad.to_string_lossy(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("sim-bad-request.json: not a request"), "{err}");
    let not_policy = tmp_file("sim-not-policy.json", b"[]");
    let (code, _, err) = run(&[
        "simulate",
        &not_policy.to_string_lossy(),
        "--request",
        &bad.to_string_lossy(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("not a trust policy"), "{err}");
}

#[test]
fn explain_prints_the_rule_doc_and_refuses_unknown_ids() {
    for rule in trustgate::rules::REGISTRY {
        let id = rule.meta().id;
        let (code, out, err) = run(&["explain", id]);
        assert_eq!(code, 0, "{id}: {err}");
        assert!(out.starts_with(&format!("## {id}\n")), "{id}: {out}");
        assert!(
            out.contains("Failing") && out.contains("Passing"),
            "{id}: {out}"
        );
    }
    let (code, _, err) = run(&["explain", "no-such-rule"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown rule `no-such-rule`"), "{err}");
}

#[test]
fn the_demo_blocks_on_the_removed_external_id() {
    let demo = testdata_str("plans/demo.json");
    let (code, out, _) = run(&["check", &demo, "--format", "json"]);
    assert_eq!(code, 1);
    let doc: Value = serde_json::from_str(&out).unwrap();
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"external-id-removed"), "{rules:?}");
    // The table on success never says "fail" (some CI systems grep for it).
    let (code, out, _) = run(&["check", &demo, "--fail-on", "never"]);
    assert_eq!(code, 0);
    assert!(!out.to_lowercase().contains("fail"), "{out}");
}

/// `trustgate rules` is an interface (CI configs name rule ids): any change to the list must be
/// deliberate. Re-bless with `TRUSTGATE_BLESS=1 cargo test rules_list_snapshot`.
#[test]
fn rules_list_snapshot() {
    let (code, out, _) = run(&["rules"]);
    assert_eq!(code, 0);
    let path = common::root().join("tests/it/snapshots/rules.txt");
    if std::env::var("TRUSTGATE_BLESS").as_deref() == Ok("1") {
        std::fs::write(&path, &out).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        out, expected,
        "the rule list changed; re-bless if deliberate"
    );
}

/// A plan of several read-ahead chunks (256 KiB each), with a byte-order mark: standard input
/// (read on the read-ahead thread) gives the report a file gives, and the error a file gives
/// when the same bytes are cut short.
#[test]
fn the_binary_reads_a_large_plan_from_stdin_as_from_a_file() {
    let demo = std::fs::read(common::testdata("plans/demo.json")).unwrap();
    let mut plan: Value = serde_json::from_slice(&demo).unwrap();
    // Padding the reader must skip, across chunk boundaries, with a newline in every line so
    // line numbers are carried from chunk to chunk.
    let filler: Vec<String> = (0..200_000)
        .map(|i| format!("line {i} of padding\n"))
        .collect();
    plan["variables"] = serde_json::json!({"padding": {"value": filler}});
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(serde_json::to_vec_pretty(&plan).unwrap());
    assert!(bytes.len() > 3 << 20, "{}", bytes.len());
    let dir = std::env::temp_dir().join(format!("trustgate-stdin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("plan.json");
    std::fs::write(&file, &bytes).unwrap();

    let binary = |args: &[&str], stdin: Vec<u8>| {
        let output = Command::cargo_bin("trustgate")
            .unwrap()
            .args(args)
            .write_stdin(stdin)
            .output()
            .unwrap();
        (
            output.status.code().unwrap(),
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    };
    let path = file.to_str().unwrap();
    let (file_code, from_file, _) = binary(&["check", "--format", "json", path], Vec::new());
    let (stdin_code, from_stdin, _) = binary(&["check", "--format", "json", "-"], bytes.clone());
    assert_eq!(stdin_code, file_code);
    assert_eq!(from_stdin.replace("\"-\"", &format!("{path:?}")), from_file);
    assert!(from_file.contains("aws_iam_role.partner_reader"));

    // Cut inside the padding, past the first chunk: the same position either way.
    let cut = bytes.len() * 2 / 3;
    std::fs::write(&file, &bytes[..cut]).unwrap();
    let (code, _, file_err) = binary(&["check", path], Vec::new());
    assert_eq!(code, 2);
    let (code, _, stdin_err) = binary(&["check", "-"], bytes[..cut].to_vec());
    assert_eq!(code, 2);
    assert!(file_err.contains(" at line "), "{file_err}");
    assert_eq!(stdin_err.replace("-: ", &format!("{path}: ")), file_err);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An error early in a stream that has not ended is reported at once: the read-ahead thread
/// hands over what the pipe has without waiting for a whole chunk, and does not keep the
/// process waiting for the rest of standard input.
#[test]
fn the_binary_stops_at_a_bad_stdin_without_waiting_for_its_end() {
    use std::io::Write;
    use std::process::{Command as Process, Stdio};
    let mut child = Process::new(assert_cmd::cargo::cargo_bin("trustgate"))
        .args(["check", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // A type error (not a syntax error, after which the rest is read to look for
    // setup-terraform wrapper lines).
    stdin.write_all(b"{\"format_version\": 12, ").unwrap();
    stdin.flush().unwrap();
    // The pipe stays open (stdin is still held): only the error can end the run.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("trustgate waited for the end of a stream after an error");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    drop(stdin);
    assert_eq!(status.code(), Some(2));
}
