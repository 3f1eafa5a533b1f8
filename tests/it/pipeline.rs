//! Analysis overlapped with reading (src/pipeline.rs): results started while a plan is read
//! must be exactly the results of analysing the finished plan, whatever the order of its
//! sections and however many documents an input holds.

use crate::cli::run_with;
use crate::common::testdata;
use serde_json::Value;

fn check_json(stdin: &[u8]) -> (i32, Value) {
    let (code, out, err) = run_with(&["check", "--format", "json", "-"], stdin, false);
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    (code, serde_json::from_str(&out).unwrap())
}

/// Drift written after `resource_changes` reaches the roles only when the document ends, so
/// the analyses started early lack it: they must be redone, giving the same report as the
/// plan in Terraform's own order.
#[test]
fn drift_after_the_changes_gives_the_same_report() {
    let bytes = std::fs::read(testdata("plans/drift.json")).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.find("\"resource_drift\"") < text.find("\"resource_changes\""));
    // serde_json's map sorts keys: resource_changes now comes first.
    let value: Value = serde_json::from_slice(&bytes).unwrap();
    let sorted = serde_json::to_vec(&value).unwrap();

    let (code, want) = check_json(&bytes);
    let (sorted_code, got) = check_json(&sorted);
    assert_eq!(sorted_code, code);
    assert_eq!(got, want);
    let drifted: Vec<&str> = want["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "trust-drifted")
        .map(|f| f["address"].as_str().unwrap())
        .collect();
    // The drift on a changed role (grafana) is only in the report if it was not lost.
    assert!(drifted.contains(&"aws_iam_role.grafana"), "{drifted:?}");
}

/// Several documents in one input (terragrunt): each role's results name its own document,
/// and are what that document alone gives.
#[test]
fn documents_of_one_input_keep_their_own_results() {
    let first = std::fs::read(testdata("plans/rule-external-id-removed.json")).unwrap();
    let second = std::fs::read(testdata("plans/rule-principal-added.json")).unwrap();
    let both = [first.clone(), b"\n".to_vec(), second.clone()].concat();
    let (_, alone_first) = check_json(&first);
    let (_, alone_second) = check_json(&second);
    let (_, together) = check_json(&both);

    let relabel = |report: &Value, key: &str, label: &str| -> Vec<Value> {
        report[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| {
                let mut item = item.clone();
                item["plan"] = Value::from(label);
                item
            })
            .collect()
    };
    for key in ["roles", "findings"] {
        let mut want = relabel(&alone_first, key, "-#1");
        want.extend(relabel(&alone_second, key, "-#2"));
        assert!(!want.is_empty());
        assert_eq!(together[key].as_array().unwrap(), &want, "{key}");
    }
}

/// Many roles, more than the workers' queue holds, so the reading thread analyses some
/// itself: the report is the one the same plan gives when every role is analysed after the
/// read. `resource_drift` written after `resource_changes` (Terraform never does; serde_json
/// writes keys in order) sends every role back to be analysed again: drift that changes
/// nothing (before and after the role's own before) leaves the report as it was. The same
/// plan in UTF-16 goes through the same reader and gives the same report.
#[test]
fn many_roles_analysed_while_reading_match_those_analysed_after() {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(testdata("plans")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("rule-") || !name.ends_with(".json") {
            continue;
        }
        let plan: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        entries.extend(plan["resource_changes"].as_array().unwrap().iter().cloned());
    }
    assert!(entries.len() > 15);
    let mut changes = Vec::new();
    for copy in 0..60 {
        for entry in &entries {
            let mut entry = entry.clone();
            let address = format!("{}_{copy}", entry["address"].as_str().unwrap());
            entry["address"] = Value::from(address);
            changes.push(entry);
        }
    }
    // Drift that changes no meaning: each role's trust as last applied, and the same trust
    // with other whitespace as the real one (drift is textual, so it counts as drift and the
    // role is analysed again; the comparison then finds nothing).
    let drift: Vec<Value> = changes
        .iter()
        .filter_map(|c| {
            let before = &c["change"]["before"];
            let trust = before["assume_role_policy"].as_str()?;
            let policy: Value = serde_json::from_str(trust).ok()?;
            let mut d = c.clone();
            d["change"]["actions"] = serde_json::json!(["update"]);
            d["change"]["after"] = before.clone();
            d["change"]["after"]["assume_role_policy"] =
                Value::from(serde_json::to_string_pretty(&policy).unwrap());
            Some(d)
        })
        .collect();
    assert!(drift.len() > 100);
    let plan = serde_json::json!({
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "resource_changes": changes,
    });
    let mut redone = plan.clone();
    redone["resource_drift"] = Value::from(drift);
    assert!(
        serde_json::to_string(&redone)
            .unwrap()
            .find("\"resource_drift\"")
            > serde_json::to_string(&redone)
                .unwrap()
                .find("\"resource_changes\"")
    );
    let utf8 = serde_json::to_vec(&plan).unwrap();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            String::from_utf8(utf8.clone())
                .unwrap()
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    let (code, early) = check_json(&utf8);
    let (utf16_code, from_utf16) = check_json(&utf16);
    let (late_code, late) = check_json(&serde_json::to_vec(&redone).unwrap());
    assert_eq!(code, late_code);
    assert_eq!(code, utf16_code);
    assert_eq!(early, from_utf16);
    assert_eq!(early, late);
    assert!(early["roles"].as_array().unwrap().len() > 1000);
    assert!(early["findings"].as_array().unwrap().len() > 500);
}

/// The reader hands each role's trust texts to the results store while the rest of the plan
/// is read (src/pipeline.rs `stow`); the roles analysed again after the read (a rename's
/// pairing, an own account from `data.aws_caller_identity`, drift after the changes) and those
/// whose consumers are judged read them back. With the store on its temporary file from the
/// first byte, the report is the same as with it in memory, and still says what the texts say.
#[test]
fn trust_texts_read_back_from_the_temporary_file_give_the_same_report() {
    use assert_cmd::Command;
    let run = |plan: &str, budget: Option<&str>| -> Value {
        let mut cmd = Command::cargo_bin("trustgate").unwrap();
        cmd.args([
            "check",
            "--format",
            "json",
            &testdata(plan).display().to_string(),
        ]);
        match budget {
            Some(bytes) => cmd.env("TRUSTGATE_RESULTS_IN_MEMORY", bytes),
            None => cmd.env_remove("TRUSTGATE_RESULTS_IN_MEMORY"),
        };
        let output = cmd.output().unwrap();
        let code = output.status.code().unwrap();
        assert!(code == 0 || code == 1, "{plan}: exit {code}");
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let rules = |report: &Value| -> Vec<String> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                format!(
                    "{} {}",
                    f["rule"].as_str().unwrap(),
                    f["address"].as_str().unwrap()
                )
            })
            .collect()
    };
    for (plan, expected) in [
        (
            "plans/renamed-widened.json",
            "principal-added aws_iam_role.observability",
        ),
        // No finding here: the role's policy in the report is the proof it came back.
        ("plans/own-account-caller-identity.json", ""),
        ("plans/drift.json", "trust-drifted aws_iam_role.grafana"),
        (
            "plans/context-lambda-dropped.json",
            "trust-breaks-consumer module.lambda_start.aws_iam_role.lambda_role",
        ),
    ] {
        let in_memory = run(plan, None);
        let on_file = run(plan, Some("0"));
        assert_eq!(on_file, in_memory, "{plan}");
        let found = rules(&on_file);
        assert!(
            expected.is_empty() || found.iter().any(|r| r == expected),
            "{plan}: {found:?}"
        );
        // Every role was judged on its real policy: none is unparseable or was not read back.
        for role in on_file["roles"].as_array().unwrap() {
            assert!(
                role["after"]["Statement"].is_array() || role["after"].is_null(),
                "{plan}: {role}"
            );
        }
        assert!(!on_file.to_string().contains("not read back"), "{plan}");
    }
}
