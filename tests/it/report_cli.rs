//! How the reports behave in a terminal and in CI: partial results when some inputs cannot be
//! read, `--output FORMAT=-`, repo-relative locations from absolute paths and from standard
//! input, `--quiet`, `--color`, `COLUMNS`, a closed pipe, GitHub's step summary, and adopting
//! the gate with `trustgate baseline`.

use crate::cli::{run, run_with};
use crate::common;
use assert_cmd::Command;
use serde_json::Value;
use std::io::Read;
use std::path::PathBuf;

/// A fresh directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "trustgate-report-cli-{}-{test}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &std::path::Path) -> String {
    p.to_string_lossy().into_owned()
}

#[test]
fn unreadable_inputs_still_give_every_output_with_an_entry_each_and_exit_2() {
    let dir = scratch("partial");
    let broken = dir.join("broken.json");
    std::fs::write(
        &broken,
        "{\"format_version\": \"1.2\", \"resource_changes\": [",
    )
    .unwrap();
    let missing = dir.join("missing.json");
    let (json, sarif, md) = (dir.join("r.json"), dir.join("r.sarif"), dir.join("r.md"));
    let (code, out, err) = run(&[
        "check",
        "testdata/plans/demo.json",
        &s(&broken),
        &s(&missing),
        "--output",
        &format!("json={}", s(&json)),
        "--output",
        &format!("sarif={}", s(&sarif)),
        "--output",
        &format!("markdown={}", s(&md)),
    ]);
    assert_eq!(code, 2, "{err}");
    // One line per unreadable input, each naming its file.
    assert_eq!(err.lines().count(), 2, "{err}");
    assert!(
        err.contains("broken.json") && err.contains("missing.json"),
        "{err}"
    );
    // The readable plan was analysed and its finding is in every output.
    assert!(out.contains("external-id-removed"), "{out}");
    assert!(out.contains("error: not read: "), "{out}");
    assert!(
        out.trim_end().ends_with("— not cleared: 2 inputs not read"),
        "{out}"
    );

    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let schema = crate::report_json::schema();
    let problems: Vec<String> = schema.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(doc["summary"]["exit_code"], 2);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1);
    let errors = doc["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0]["path"], s(&broken));
    assert!(errors[1]["message"]
        .as_str()
        .unwrap()
        .contains("missing.json"));

    let log: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert_eq!(invocation["exitCode"], 2);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.iter().filter(|n| n["level"] == "error").count(), 2);

    let md = std::fs::read_to_string(&md).unwrap();
    assert!(
        md.lines()
            .nth(1)
            .unwrap()
            .starts_with("### ⚠️ trustgate could not read 2 inputs"),
        "{md}"
    );
    assert_eq!(md.matches("> ⚠️ **Not read:**").count(), 2, "{md}");
    assert!(!md.contains("nothing blocks"), "{md}");
}

#[test]
fn output_dash_is_standard_output_and_one_path_twice_is_refused() {
    let (code, out, err) = run(&["check", "testdata/plans/demo.json", "--output", "json=-"]);
    assert_eq!(code, 1, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["schema"], "trustgate/v1");

    for args in [
        &["--format", "sarif", "--output", "json=-"][..],
        &["--output", "json=-", "--output", "sarif=-"],
        &["--output", "json=same.out", "--output", "sarif=./same.out"],
    ] {
        let mut all = vec!["check", "testdata/plans/demo.json"];
        all.extend_from_slice(args);
        let (code, out, err) = run(&all);
        assert_eq!(code, 2, "{args:?}: {out}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(out.is_empty());
    }
    assert!(!std::path::Path::new("same.out").exists());
}

#[test]
fn locations_are_repository_relative_from_absolute_paths_and_stdin() {
    let plan = common::testdata("plans/report-modules.json");
    let source = common::testdata("terraform/modules-demo");
    let uris = |out: &str| -> Vec<String> {
        let log: Value = serde_json::from_str(out).unwrap();
        assert!(log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
            .as_str()
            .unwrap()
            .starts_with("file:///"));
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let a = &r["locations"][0]["physicalLocation"]["artifactLocation"];
                assert_eq!(a["uriBaseId"], "%SRCROOT%");
                a["uri"].as_str().unwrap().to_string()
            })
            .collect()
    };
    // Absolute paths in, paths under the repository out; nothing inside `.terraform/`.
    let (code, out, err) = run(&[
        "check",
        &s(&plan),
        "--source-dir",
        &s(&source),
        "--format",
        "sarif",
    ]);
    assert_eq!(code, 1, "{err}");
    let found = uris(&out);
    assert!(
        found.contains(&"testdata/terraform/modules-demo/main.tf".to_string()),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .all(|u| !u.starts_with('/') && !u.contains(".terraform")),
        "{found:?}"
    );

    // A plan on standard input is located through --source-dir the same way.
    let bytes = std::fs::read(&plan).unwrap();
    let (code, out, err) = run_with(
        &[
            "check",
            "-",
            "--source-dir",
            &s(&source),
            "--format",
            "sarif",
        ],
        &bytes,
        false,
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(uris(&out), found);

    // --repo-root moves the base.
    let (_, out, _) = run(&[
        "check",
        &s(&plan),
        "--source-dir",
        &s(&source),
        "--repo-root",
        &s(&source),
        "--format",
        "sarif",
    ]);
    assert!(uris(&out).contains(&"main.tf".to_string()));
    // A plan outside the repository has no physical location rather than an absolute one.
    let (_, out, _) = run(&[
        "check",
        "testdata/plans/demo.json",
        "--repo-root",
        &s(&source),
        "--format",
        "sarif",
    ]);
    let log: Value = serde_json::from_str(&out).unwrap();
    assert!(log["runs"][0]["results"][0]["locations"][0]
        .get("physicalLocation")
        .is_none());
}

#[test]
fn quiet_color_and_severity_case() {
    let (code, out, _) = run(&["check", "testdata/plans/demo.json", "--quiet"]);
    assert_eq!(code, 1);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.ends_with("— blocked\n"));

    let (_, out, _) = run(&["check", "testdata/plans/demo.json", "--color", "always"]);
    assert!(out.contains('\u{1b}'));
    let (_, out, _) = run(&[
        "check",
        "testdata/plans/demo.json",
        "--color",
        "always",
        "--no-color",
    ]);
    assert!(!out.contains('\u{1b}'));

    let (code, _, err) = run(&["check", "testdata/plans/demo.json", "--fail-on", "CRITICAL"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn table_width_follows_columns_on_a_terminal_only() {
    // Not a terminal (assert_cmd pipes stdout): as wide as the content, whatever COLUMNS says.
    let out = Command::cargo_bin("trustgate")
        .unwrap()
        .args(["check", "testdata/plans/demo.json"])
        .env("COLUMNS", "60")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().any(|l| l.chars().count() > 100), "{text}");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_trustgate"))
        .args([
            "check",
            "testdata/plans/report-many-roles.json",
            "--format",
            "json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // stdout is dropped here: the reader went away, as `| head -c 16` does.
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "the gate's answer, not an error"
    );
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn github_output_appends_the_markdown_to_the_step_summary() {
    let dir = scratch("summary");
    let summary = dir.join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let out = Command::cargo_bin("trustgate")
        .unwrap()
        .args(["check", "testdata/plans/demo.json", "--format", "github"])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        text.starts_with("earlier step\n<!-- trustgate -->\n### ⛔"),
        "{text}"
    );
    // --step-summary without the variable is a usage error, not a silent no-op.
    let out = Command::cargo_bin("trustgate")
        .unwrap()
        .args(["check", "testdata/plans/demo.json", "--step-summary"])
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn github_annotations_stay_within_the_per_step_limit() {
    let (_, out, _) = run(&[
        "check",
        "testdata/plans/report-many-roles.json",
        "--format",
        "github",
    ]);
    assert!(out
        .lines()
        .next()
        .unwrap()
        .starts_with("::notice title=trustgate::"));
    // Most severe first.
    let severities: Vec<&str> = out
        .lines()
        .skip(1)
        .filter_map(|l| {
            l.split_once(" (")
                .and_then(|(_, r)| r.split_once(")::"))
                .map(|(s, _)| s)
        })
        .collect();
    let rank = |s: &str| {
        ["critical", "high", "medium", "low", "info"]
            .iter()
            .position(|x| *x == s)
    };
    assert!(
        severities.windows(2).all(|w| rank(w[0]) <= rank(w[1])),
        "{severities:?}"
    );
}

#[test]
fn baseline_adopts_the_estate_and_new_regressions_still_block() {
    let dir = scratch("baseline");
    let config = dir.join("trustgate.toml");
    std::fs::write(&config, "# our settings\nfail_on = \"high\"\n").unwrap();
    let cfg = s(&config);
    let plan = "testdata/plans/report-many-roles.json";

    let baseline = |plans: &[&str]| {
        let mut args = vec!["baseline"];
        args.extend(plans);
        args.extend(["--reason", "accepted at adoption", "--config", &cfg]);
        run(&args)
    };
    let (code, out, err) = baseline(&[plan]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.matches("[[ignore]]").count(), 8, "{out}");
    assert!(out.contains("reason = \"accepted at adoption\""));
    // The same plan given twice is the same changes: one entry each, in the same order.
    let (code, twice, err) = baseline(&[plan, plan]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(twice, out);

    let (code, _, err) = run(&[
        "baseline",
        plan,
        "--reason",
        "accepted at adoption",
        "--expires",
        "2099-01-31",
        "--write",
        "--config",
        &cfg,
    ]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.starts_with("# our settings\nfail_on = \"high\"\n\n# Added by"),
        "{text}"
    );
    assert_eq!(text.matches("expires = \"2099-01-31\"").count(), 8);

    // Adopted: the same plan passes.
    let (code, out, err) = run(&["check", plan, "--config", &cfg]);
    assert_eq!(code, 0, "{out}{err}");
    // Writing again adds nothing: every fingerprint is there already.
    let (code, out, _) = run(&[
        "baseline", plan, "--reason", "again", "--write", "--config", &cfg,
    ]);
    assert_eq!(code, 0);
    assert!(out.starts_with("nothing to add"), "{out}");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), text);

    // A new regression afterwards still blocks.
    let (code, _, _) = run(&["check", plan, "testdata/plans/demo.json", "--config", &cfg]);
    assert_eq!(code, 1);

    // A reason is required.
    let (code, _, _) = run(&["baseline", plan, "--reason", " ", "--config", &cfg]);
    assert_eq!(code, 2);
}

#[test]
fn in_github_actions_the_comment_links_each_role_to_its_file_and_line() {
    let out = Command::cargo_bin("trustgate")
        .unwrap()
        .args([
            "check",
            "testdata/plans/report-modules.json",
            "--source-dir",
            "testdata/terraform/modules-demo",
            "--format",
            "markdown",
        ])
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_REPOSITORY", "acme/infra")
        .env("GITHUB_SHA", "0123abc")
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.contains("Declared in [`testdata/terraform/modules-demo/main.tf` line 12](https://github.com/acme/infra/blob/0123abc/testdata/terraform/modules-demo/main.tf#L12)."),
        "{md}"
    );
}
