//! The GitHub Action's script (`scripts/action.sh`), run with bash the way `action.yml` runs
//! it: GITHUB_* / RUNNER_* variables pointing at temporary files, and a local "release" made
//! by `scripts/package.sh` from the built binary, downloaded through a file:// URL so the
//! checksum verification runs for real. Also: the names the release workflow publishes are
//! the names the action downloads.
#![cfg(unix)]

use crate::common::{root, testdata};
use crate::mock_http::{Reply, Server};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const VERSION: &str = env!("CARGO_PKG_VERSION");
const TARGET: &str = "x86_64-unknown-linux-musl";

fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("action-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A release directory as the release workflow publishes it: the archive for `TARGET` built
/// by scripts/package.sh, and SHA256SUMS. Packed once per test run (the debug binary is big)
/// and copied into `dir`. Once per process, in a directory of its own: a runner that runs
/// each test in a process of its own (cargo-nextest) runs several of these at once.
fn release(dir: &Path) -> PathBuf {
    static PACKED: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let packed = PACKED.get_or_init(|| {
        let release = temp_dir(&format!("release-{}", std::process::id())).join("release");
        let status = Command::new("bash")
            .arg(root().join("scripts/package.sh"))
            .args([VERSION, TARGET, env!("CARGO_BIN_EXE_trustgate")])
            .env("DIST", &release)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
        let archive = format!("trustgate-{VERSION}-{TARGET}.tar.gz");
        let sums = Command::new("sha256sum")
            .arg(&archive)
            .current_dir(&release)
            .output()
            .unwrap();
        assert!(sums.status.success());
        std::fs::write(release.join("SHA256SUMS"), sums.stdout).unwrap();
        release
    });
    let copy = dir.join("release");
    std::fs::create_dir_all(&copy).unwrap();
    for entry in std::fs::read_dir(packed).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
    }
    copy
}

struct Action {
    code: i32,
    stdout: String,
    outputs: BTreeMap<String, String>,
    summary: String,
    path_file: String,
    workspace: PathBuf,
}

/// Run the action's script in a fresh workspace under `dir` with `inputs` (the
/// TRUSTGATE_ACTION_* names action.yml maps its inputs onto) and `env`.
fn run_action(dir: &Path, inputs: &[(&str, &str)], env: &[(&str, &str)]) -> Action {
    let workspace = dir.join("workspace");
    let _ = std::fs::remove_dir_all(&workspace);
    std::fs::create_dir_all(&workspace).unwrap();
    let output_file = dir.join("github_output");
    let summary_file = dir.join("step_summary");
    let path_file = dir.join("github_path");
    for f in [&output_file, &summary_file, &path_file] {
        std::fs::write(f, "").unwrap();
    }
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("scripts/action.sh"))
        .current_dir(&workspace)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap())
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("RUNNER_TEMP", dir)
        .env("RUNNER_TOOL_CACHE", dir.join("toolcache"))
        .env("GITHUB_OUTPUT", &output_file)
        .env("GITHUB_STEP_SUMMARY", &summary_file)
        .env("GITHUB_PATH", &path_file)
        .env("GITHUB_WORKSPACE", &workspace)
        .env("TRUSTGATE_HTTP_RETRY_MS", "1");
    for (k, v) in inputs.iter().chain(env) {
        cmd.env(k, v);
    }
    let output = cmd.output().unwrap();
    let outputs = std::fs::read_to_string(&output_file)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Action {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap()
            + &String::from_utf8(output.stderr).unwrap(),
        outputs,
        summary: std::fs::read_to_string(&summary_file).unwrap(),
        path_file: std::fs::read_to_string(&path_file).unwrap(),
        workspace,
    }
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn installed(dir: &Path) -> PathBuf {
    dir.join("toolcache/trustgate")
        .join(VERSION)
        .join(TARGET)
        .join("trustgate")
}

#[test]
fn action_installs_a_verified_release_and_hands_back_every_result() {
    let dir = temp_dir("blocked");
    let url = file_url(&release(&dir));
    let plan = testdata("plans/demo.json").display().to_string();
    let inputs = [
        ("TRUSTGATE_ACTION_VERSION", VERSION),
        ("TRUSTGATE_ACTION_PLANS", plan.as_str()),
        ("TRUSTGATE_ACTION_ARGS", "--no-config"),
        ("TRUSTGATE_ACTION_DOWNLOAD_URL", url.as_str()),
    ];
    let a = run_action(&dir, &inputs, &[]);

    // The gate's answer passes through: demo.json has one high finding.
    assert_eq!(a.code, 1, "{}", a.stdout);
    assert!(
        a.stdout.contains(&format!(
            "installed trustgate-{VERSION}-{TARGET}.tar.gz (sha256 "
        )),
        "{}",
        a.stdout
    );
    assert!(
        a.stdout
            .contains("::error title=trustgate external-id-removed (high)::"),
        "github annotations on the log: {}",
        a.stdout
    );
    assert!(installed(&dir).is_file());
    assert_eq!(
        a.path_file.trim(),
        installed(&dir).parent().unwrap().display().to_string()
    );

    let want: BTreeMap<String, String> = [
        ("exit-code", "1"),
        ("findings", "1"),
        ("critical", "0"),
        ("high", "1"),
        ("medium", "0"),
        ("low", "0"),
        ("info", "0"),
        ("suppressed", "0"),
        ("roles", "3"),
        ("widened", "1"),
        ("sarif", "trustgate.sarif"),
        ("markdown", "trustgate.md"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(a.outputs, want);

    let markdown = std::fs::read_to_string(a.workspace.join("trustgate.md")).unwrap();
    assert!(markdown.starts_with("<!-- trustgate -->\n"));
    assert!(markdown.contains("external-id-removed"));
    assert_eq!(
        a.summary, markdown,
        "the step summary is the Markdown report"
    );

    let sarif: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(a.workspace.join("trustgate.sarif")).unwrap(),
    )
    .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["ruleId"], "external-id-removed");

    // A second run finds the binary installed and downloads nothing (the URL is gone).
    let gone = file_url(&dir.join("no-such-release"));
    let again = [
        ("TRUSTGATE_ACTION_VERSION", VERSION),
        ("TRUSTGATE_ACTION_PLANS", plan.as_str()),
        ("TRUSTGATE_ACTION_ARGS", "--no-config"),
        ("TRUSTGATE_ACTION_DOWNLOAD_URL", gone.as_str()),
        ("TRUSTGATE_ACTION_SARIF", ""),
    ];
    let a = run_action(&dir, &again, &[]);
    assert_eq!(a.code, 1, "{}", a.stdout);
    assert!(a.stdout.contains("already installed"), "{}", a.stdout);
    assert_eq!(a.outputs["sarif"], "", "no SARIF asked for");
    assert!(!a.workspace.join("trustgate.sarif").exists());
    // Passed: the installed copies of the (large) debug binary are not kept.
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn action_refuses_a_download_whose_checksum_does_not_match() {
    let dir = temp_dir("checksum");
    let release = release(&dir);
    let archive = format!("trustgate-{VERSION}-{TARGET}.tar.gz");
    std::fs::write(
        release.join("SHA256SUMS"),
        format!("{}  {archive}\n", "0".repeat(64)),
    )
    .unwrap();
    let url = file_url(&release);
    let plan = testdata("plans/demo.json").display().to_string();
    let inputs = [
        ("TRUSTGATE_ACTION_VERSION", VERSION),
        ("TRUSTGATE_ACTION_PLANS", plan.as_str()),
        ("TRUSTGATE_ACTION_DOWNLOAD_URL", url.as_str()),
    ];
    let a = run_action(&dir, &inputs, &[]);
    assert_eq!(a.code, 2);
    assert!(
        a.stdout.contains(&format!(
            "::error title=trustgate::checksum mismatch for {archive}"
        )),
        "{}",
        a.stdout
    );
    assert!(!installed(&dir).exists(), "nothing installed");
    assert!(a.outputs.is_empty(), "the check never ran");

    // An archive SHA256SUMS does not list is refused too.
    std::fs::write(release.join("SHA256SUMS"), "").unwrap();
    let a = run_action(&dir, &inputs, &[]);
    assert_eq!(a.code, 2);
    assert!(
        a.stdout.contains(&format!("lists no {archive}")),
        "{}",
        a.stdout
    );
    // Passed: the installed copies of the (large) debug binary are not kept.
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn action_passes_exit_codes_0_and_2_through() {
    let dir = temp_dir("codes");
    let url = file_url(&release(&dir));
    let pass = testdata("plans/count_index.json").display().to_string();
    let base = [
        ("TRUSTGATE_ACTION_VERSION", VERSION),
        ("TRUSTGATE_ACTION_DOWNLOAD_URL", url.as_str()),
        ("TRUSTGATE_ACTION_ARGS", "--no-config"),
    ];
    let mut inputs = base.to_vec();
    inputs.push(("TRUSTGATE_ACTION_PLANS", pass.as_str()));
    let a = run_action(&dir, &inputs, &[]);
    assert_eq!(a.code, 0, "{}", a.stdout);
    assert_eq!(a.outputs["exit-code"], "0");
    // Two low findings (service-no-source-guard), below the default threshold.
    assert_eq!(a.outputs["findings"], "2");
    assert_eq!(a.outputs["low"], "2");

    let mut inputs = base.to_vec();
    inputs.push(("TRUSTGATE_ACTION_PLANS", "missing-plan.json"));
    let a = run_action(&dir, &inputs, &[]);
    assert_eq!(a.code, 2, "{}", a.stdout);
    assert_eq!(a.outputs["exit-code"], "2");
    // An unreadable plan still leaves every report behind, naming it, so the workflow's
    // always-run upload and comment steps find their files.
    assert_eq!(a.outputs["findings"], "0");
    assert!(!a.outputs["markdown"].is_empty());
    assert!(a.stdout.contains("missing-plan.json"), "{}", a.stdout);
    assert!(a.summary.contains("missing-plan.json"), "{}", a.summary);

    // Pinning is required.
    let a = run_action(
        &dir,
        &[
            ("TRUSTGATE_ACTION_VERSION", "latest"),
            ("TRUSTGATE_ACTION_PLANS", "p.json"),
        ],
        &[],
    );
    assert_eq!(a.code, 2);
    assert!(
        a.stdout.contains("released version such as 0.1.0"),
        "{}",
        a.stdout
    );
    // Passed: the installed copies of the (large) debug binary are not kept.
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn action_posts_the_comment_and_a_refused_comment_is_only_a_warning() {
    let dir = temp_dir("comment");
    let url = file_url(&release(&dir));
    let plan = testdata("plans/demo.json").display().to_string();
    let event = dir.join("event.json");
    std::fs::write(
        &event,
        r#"{"pull_request":{"number":12,"head":{"repo":{"full_name":"fork/r"}},"base":{"repo":{"full_name":"o/r"}}}}"#,
    )
    .unwrap();
    let event = event.display().to_string();
    let inputs = [
        ("TRUSTGATE_ACTION_VERSION", VERSION),
        ("TRUSTGATE_ACTION_PLANS", plan.as_str()),
        ("TRUSTGATE_ACTION_ARGS", "--no-config"),
        ("TRUSTGATE_ACTION_DOWNLOAD_URL", url.as_str()),
        ("TRUSTGATE_ACTION_COMMENT", "true"),
        ("TRUSTGATE_ACTION_TOKEN", "ghs_action"),
    ];

    let server = Server::start(vec![
        Reply::json(200, "[]"),
        Reply::json(201, r#"{"id":1}"#),
    ]);
    let env = [
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("GITHUB_EVENT_PATH", event.as_str()),
        ("GITHUB_REPOSITORY", "o/r"),
        ("GITHUB_API_URL", server.url.as_str()),
    ];
    let a = run_action(&dir, &inputs, &env);
    assert_eq!(a.code, 1, "{}", a.stdout);
    let requests = server.requests();
    let lines: Vec<String> = requests.iter().map(|r| r.line()).collect();
    assert_eq!(
        lines,
        [
            "GET /repos/o/r/issues/12/comments?per_page=100",
            "POST /repos/o/r/issues/12/comments"
        ]
    );
    assert_eq!(
        requests[1].header("authorization"),
        Some("Bearer ghs_action")
    );
    let markdown = std::fs::read_to_string(a.workspace.join("trustgate.md")).unwrap();
    assert_eq!(requests[1].comment(), markdown);
    assert!(
        a.stdout.contains("added a comment to o/r pull request #12"),
        "{}",
        a.stdout
    );

    // A fork's read-only token: the comment fails, the gate's answer does not change.
    let server = Server::start(vec![
        Reply::json(200, "[]"),
        Reply::json(
            403,
            r#"{"message":"Resource not accessible by integration"}"#,
        ),
    ]);
    let env = [
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("GITHUB_EVENT_PATH", event.as_str()),
        ("GITHUB_REPOSITORY", "o/r"),
        ("GITHUB_API_URL", server.url.as_str()),
    ];
    let a = run_action(&dir, &inputs, &env);
    assert_eq!(a.code, 1, "{}", a.stdout);
    assert_eq!(server.requests().len(), 2);
    let warning = a
        .stdout
        .lines()
        .find(|l| l.starts_with("::warning title=trustgate comment::"))
        .unwrap_or_else(|| panic!("no warning: {}", a.stdout));
    assert!(warning.contains("comes from a fork"), "{warning}");
    assert_eq!(a.outputs["exit-code"], "1");
    assert_eq!(
        a.summary, markdown,
        "the report is still in the step summary"
    );

    // Not a pull request: no comment, no request.
    let server = Server::start(vec![]);
    let env = [
        ("GITHUB_EVENT_NAME", "push"),
        ("GITHUB_REPOSITORY", "o/r"),
        ("GITHUB_API_URL", server.url.as_str()),
    ];
    let a = run_action(&dir, &inputs, &env);
    assert_eq!(a.code, 1);
    assert!(server.requests().is_empty());
    assert!(
        a.stdout.contains("not a pull_request event"),
        "{}",
        a.stdout
    );
    // Passed: the installed copies of the (large) debug binary are not kept.
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every `target: NAME` of the release workflow's matrix, and every target the action
/// downloads, are the same five; the workflow packs with scripts/package.sh, whose archive
/// name is the one the action downloads.
#[test]
fn the_action_downloads_what_the_release_workflow_publishes() {
    let read = |p: &str| std::fs::read_to_string(root().join(p)).unwrap();
    let workflow = read(".github/workflows/release.yml");
    let script = read("scripts/action.sh");
    let package = read("scripts/package.sh");

    let published: Vec<&str> = workflow
        .lines()
        .filter_map(|l| l.split_once("target: ").map(|(_, rest)| rest))
        .filter_map(|rest| rest.split([',', ' ']).next())
        .filter(|t| !t.starts_with('$'))
        .collect();
    let downloaded: Vec<&str> = script
        .lines()
        .filter_map(|l| l.trim().split_once(") target="))
        .filter_map(|(_, rest)| rest.split(' ').next())
        .collect();
    let mut a = published.clone();
    let mut b = downloaded.clone();
    a.sort();
    b.sort();
    assert_eq!(a.len(), 5, "{published:?}");
    assert_eq!(a, b);
    for t in [
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(a.contains(&t), "{t}");
    }

    assert!(
        workflow.contains(r#"scripts/package.sh "${GITHUB_REF_NAME#v}" "${{ matrix.target }}""#)
    );
    assert!(workflow.contains("sha256sum trustgate-*.tar.gz > SHA256SUMS"));
    assert!(package.contains(r#"name="trustgate-$version-$target""#));
    assert!(package.contains(r#""$dist/$name.tar.gz""#));
    assert!(script.contains(r#"archive="trustgate-$version-$target.tar.gz""#));
    assert!(script.contains(r#"cp "$work/trustgate-$version-$target/$exe" "$bin""#));
    assert!(script.contains("fetch SHA256SUMS"));
    // The tag the workflow runs on is the one the action downloads from.
    assert!(script.contains("/releases/download/v$version"));
}

/// action.yml hands the script every variable it reads, from inputs that exist, and every
/// output it declares is one the script writes.
#[test]
fn action_yml_and_its_script_agree() {
    let yml = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let script = std::fs::read_to_string(root().join("scripts/action.sh")).unwrap();
    let names = |text: &str, prefix: &str, end: &[char]| -> std::collections::BTreeSet<String> {
        text.match_indices(prefix)
            .map(|(i, _)| {
                let rest = &text[i + prefix.len()..];
                let len = rest.find(|c: char| end.contains(&c)).unwrap_or(rest.len());
                rest[..len].to_string()
            })
            .collect()
    };
    let stop = [':', '}', ' ', '-', '"', '\n', '=', '$', '#'];
    let variables = |text: &str| -> std::collections::BTreeSet<String> {
        names(text, "TRUSTGATE_ACTION_", &stop)
            .into_iter()
            .filter(|n| n.starts_with(|c: char| c.is_ascii_uppercase()))
            .collect()
    };
    let given = variables(&yml);
    let read = variables(&script);
    assert!(given.contains("PLANS") && given.contains("INSTALL_DIR"));
    assert_eq!(given, read);

    let inputs_used = names(&yml, "${{ inputs.", &[' ', '}']);
    let declared: std::collections::BTreeSet<String> = yml
        .split("\noutputs:")
        .next()
        .unwrap()
        .split("\ninputs:")
        .nth(1)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   ") && l.ends_with(':'))
        .map(|l| l.trim().trim_end_matches(':').to_string())
        .collect();
    assert_eq!(inputs_used, declared);

    let outputs = names(&yml, "steps.run.outputs.", &[' ', '}']);
    assert_eq!(outputs.len(), 12);
    for output in &outputs {
        assert!(
            script.contains(&format!("echo \"{output}=")),
            "{output} is never written"
        );
    }
}

/// The GitLab template's Code Quality conversion, run with jq on real SARIF: one issue per
/// unsuppressed finding, with GitLab's severities and the finding's fingerprint.
#[test]
fn the_gitlab_template_turns_sarif_into_a_code_quality_report() {
    let template =
        std::fs::read_to_string(root().join("ci/gitlab/trustgate.gitlab-ci.yml")).unwrap();
    let program = template
        .split_once("jq '")
        .and_then(|(_, rest)| rest.split_once("' gl-trustgate.sarif"))
        .map(|(program, _)| program)
        .expect("the template converts gl-trustgate.sarif with jq");
    if Command::new("jq").arg("--version").output().is_err() {
        eprintln!("SKIPPED the_gitlab_template_turns_sarif_into_a_code_quality_report: no jq");
        return;
    }
    let sarif = Command::new(env!("CARGO_BIN_EXE_trustgate"))
        .args(["check", "--no-config", "--format", "sarif"])
        .arg(testdata("plans/report-modules.json"))
        .output()
        .unwrap();
    let dir = temp_dir("codequality");
    let sarif_path = dir.join("gl-trustgate.sarif");
    std::fs::write(&sarif_path, &sarif.stdout).unwrap();
    let out = Command::new("jq")
        .arg(program)
        .arg(&sarif_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let issues: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let issues = issues.as_array().unwrap();
    assert!(!issues.is_empty());
    assert_eq!(issues.len(), results.len());
    for (issue, result) in issues.iter().zip(results) {
        assert_eq!(issue["check_name"], result["ruleId"]);
        assert_eq!(
            issue["fingerprint"],
            result["partialFingerprints"]["trustgate/v1"]
        );
        let want = match result["properties"]["severity"].as_str().unwrap() {
            "critical" => "blocker",
            "high" => "critical",
            "medium" => "major",
            "low" => "minor",
            _ => "info",
        };
        assert_eq!(issue["severity"], want);
        assert!(issue["location"]["path"]
            .as_str()
            .unwrap()
            .ends_with(".json"));
        assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        assert!(!issue["description"].as_str().unwrap().is_empty());
    }
    // Passed: the installed copies of the (large) debug binary are not kept.
    let _ = std::fs::remove_dir_all(&dir);
}
