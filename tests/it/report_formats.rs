//! Every output format over a set of plan scenarios: insta snapshots, the same exit code
//! whatever the format, byte-identical output across runs, no sensitive value anywhere, and no
//! "fail" in the output of a run that passes (SPEC §5, §6).

use crate::cli::run;

const FORMATS: [&str; 5] = ["table", "json", "markdown", "sarif", "github"];
const SOURCE_DIR: &str = "testdata/terraform/modules-demo";

/// (snapshot name, plan, extra arguments). Paths are relative to the crate root (the tests'
/// working directory) so snapshots hold no machine-specific path.
const SCENARIOS: [(&str, &str, &[&str]); 9] = [
    ("widened", "testdata/plans/demo.json", &[]),
    ("narrowed", "testdata/plans/report-narrowed.json", &[]),
    ("created", "testdata/plans/awscc_string.json", &[]),
    ("unknown", "testdata/plans/after_unknown_tree.json", &[]),
    ("many_roles", "testdata/plans/report-many-roles.json", &[]),
    (
        "modules",
        "testdata/plans/report-modules.json",
        &["--source-dir", SOURCE_DIR],
    ),
    ("sensitive", "testdata/plans/sensitive.json", &[]),
    (
        "sensitive_widened",
        "testdata/plans/report-sensitive-widened.json",
        &[],
    ),
    // Values that try to break out of every format (testdata/plans/make_hostile.py).
    ("hostile", "testdata/plans/report-hostile.json", &[]),
];

fn check(plan: &str, format: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["check", plan, "--format", format];
    args.extend_from_slice(extra);
    run(&args)
}

/// The rule list is the same in every SARIF log: `widened` shows it, with the help texts (which
/// come from docs/rules.md and change with it) replaced by a placeholder; the other scenarios
/// show what differs, results and invocations. report_sarif.rs checks the help itself.
fn sarif_snapshot(name: &str, text: &str) -> String {
    let mut log: serde_json::Value = serde_json::from_str(text).unwrap();
    // The one absolute path in the log: where this checkout is.
    let root = &mut log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"];
    assert!(root.as_str().unwrap().starts_with("file:///"), "{root}");
    *root = "file:///(the repository root)/".into();
    let rules = &mut log["runs"][0]["tool"]["driver"]["rules"];
    if name == "widened" {
        for rule in rules.as_array_mut().unwrap() {
            for field in ["fullDescription", "help"] {
                for text in rule[field].as_object_mut().unwrap().values_mut() {
                    *text = "(from docs/rules.md)".into();
                }
            }
        }
    } else {
        let n = rules.as_array().unwrap().len();
        *rules = format!("({n} rules, as in widened)").into();
    }
    serde_json::to_string_pretty(&log).unwrap()
}

#[test]
fn snapshots_of_every_format() {
    for (name, plan, extra) in SCENARIOS {
        for format in FORMATS {
            let (code, out, err) = check(plan, format, extra);
            assert!(
                code == 0 || code == 1,
                "{name}/{format}: exit {code}: {err}"
            );
            let snapshot = if format == "sarif" {
                sarif_snapshot(name, &out)
            } else {
                out
            };
            insta::assert_snapshot!(format!("{name}.{format}"), snapshot);
        }
    }
}

#[test]
fn the_exit_code_is_the_same_whatever_the_format() {
    for (name, plan, extra) in SCENARIOS {
        let codes: Vec<i32> = FORMATS.iter().map(|f| check(plan, f, extra).0).collect();
        assert!(codes.iter().all(|c| *c == codes[0]), "{name}: {codes:?}");
        let (_, json, _) = check(plan, "json", extra);
        let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(doc["summary"]["exit_code"], codes[0], "{name}");
    }
}

#[test]
fn output_is_byte_identical_across_runs() {
    for (name, plan, extra) in SCENARIOS {
        for format in FORMATS {
            let first = check(plan, format, extra).1;
            let second = check(plan, format, extra).1;
            assert_eq!(first, second, "{name}/{format} differs between runs");
        }
    }
}

#[test]
fn several_outputs_at_once_match_their_single_renderings() {
    let dir = std::env::temp_dir().join(format!("trustgate-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let plan = "testdata/plans/report-modules.json";
    let mut args = vec!["check", plan, "--source-dir", SOURCE_DIR];
    let paths: Vec<(String, String)> = FORMATS
        .iter()
        .map(|f| {
            (
                f.to_string(),
                dir.join(format!("out.{f}")).display().to_string(),
            )
        })
        .collect();
    let specs: Vec<String> = paths.iter().map(|(f, p)| format!("{f}={p}")).collect();
    for spec in &specs {
        args.push("--output");
        args.push(spec);
    }
    let (code, stdout, _) = run(&args);
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        check(plan, "table", &["--source-dir", SOURCE_DIR]).1
    );
    for (format, path) in &paths {
        let written = std::fs::read_to_string(path).unwrap();
        assert_eq!(
            written,
            check(plan, format, &["--source-dir", SOURCE_DIR]).1,
            "{format}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_unknown_output_format_is_a_usage_error_naming_the_formats() {
    let (code, _, err) = run(&["check", "testdata/plans/demo.json", "--output", "yaml=x"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("table, json, markdown, sarif, github"),
        "{err}"
    );
    let (code, _, err) = run(&[
        "check",
        "testdata/plans/demo.json",
        "--source-dir",
        "nowhere",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--source-dir `nowhere`"), "{err}");
}

/// Values only a sensitive side holds: they must never reach any format.
const SECRETS: [(&str, &[&str]); 2] = [
    (
        "testdata/plans/report-sensitive-widened.json",
        &[
            "SECRET-AFTER-EXTERNAL-ID-4242",
            "SECRET-BEFORE-EXTERNAL-ID-5151",
            "424242424242",
        ],
    ),
    // Both sides of the widened role are sensitive there; the new principal is its secret.
    (
        "testdata/plans/sensitive.json",
        &["111122223333", "monitoring"],
    ),
];

#[test]
fn a_sensitive_value_never_reaches_any_output() {
    for (plan, secrets) in SECRETS {
        for format in FORMATS {
            let (code, out, _) = check(plan, format, &[]);
            assert_eq!(code, 1, "{plan}/{format}: the widening must still block");
            for secret in secrets {
                assert!(
                    !out.contains(secret),
                    "{plan}/{format} leaks `{secret}`:\n{out}"
                );
            }
            if format != "github" {
                // The reports say that something was withheld rather than showing nothing.
                assert!(out.contains("sensitive"), "{plan}/{format}");
            }
        }
    }
}

/// Every plan whose run passes, in every format: the word appears nowhere (some CI systems
/// grep logs for it), unless a finding's name holds it (none does today).
#[test]
fn a_passing_run_never_says_fail() {
    let plans = [
        "testdata/plans/report-narrowed.json",
        "testdata/plans/awscc_string.json",
        "testdata/plans/after_unknown_tree.json",
        "testdata/plans/count_index.json",
        "testdata/plans/delete.json",
        "testdata/plans/moved.json",
        "testdata/plans/forget.json",
        "testdata/plans/importing.json",
        "testdata/plans/modules_for_each.json",
    ];
    for plan in plans {
        for format in FORMATS {
            for extra in [&[][..], &["--fail-on", "never"][..]] {
                let (code, out, _) = check(plan, format, extra);
                assert_eq!(code, 0, "{plan}/{format} should pass");
                assert!(
                    !out.to_lowercase().contains("fail"),
                    "{plan}/{format} says fail on a passing run:\n{out}"
                );
            }
        }
    }
    // A run with blocking findings made to pass with `--fail-on never`, in every format.
    for plan in [
        "testdata/plans/report-many-roles.json",
        "testdata/plans/demo.json",
    ] {
        for format in FORMATS {
            let (code, out, _) = check(plan, format, &["--fail-on", "never"]);
            assert_eq!(code, 0);
            assert!(
                !out.to_lowercase().contains("fail"),
                "{plan}/{format} says fail on a passing run"
            );
        }
    }
}

#[test]
fn table_fits_the_terminal_width_and_colour_only_when_asked() {
    for (name, plan, extra) in SCENARIOS {
        // Not a terminal (a CI log, a file): nothing is wrapped, so every address is whole.
        let (_, out, _) = check(plan, "table", extra);
        let (_, json, _) = check(plan, "json", extra);
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        // (The hostile addresses are shortened and escaped on purpose: report_hostile.rs.)
        for role in json["roles"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|_| name != "hostile")
        {
            let address = role["address"].as_str().unwrap();
            assert!(
                out.contains(address),
                "{name}: `{address}` was wrapped:\n{out}"
            );
        }
        assert!(!out.contains('\u{1b}'), "{name}: colour without a terminal");
    }
    // A terminal 80 columns wide: every table line fits.
    let mut report = trustgate::report::Report {
        errors: Vec::new(),
        plans: Vec::new(),
        results: trustgate::report::store::Results::default(),
        notes: Vec::new(),
        exit_code: 0,
    };
    let table = trustgate::report::table::render;
    assert!(!table(&report, false, Some(80)).contains('\u{1b}'));
    let (_, out, _) = check("testdata/plans/report-many-roles.json", "json", &[]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let findings = serde_json::from_value::<Vec<serde_json::Value>>(doc["findings"].clone())
        .unwrap()
        .iter()
        .map(|f| trustgate::finding::Finding {
            rule: "trust-widened",
            severity: trustgate::finding::Severity::High,
            plan: f["plan"].as_str().unwrap().into(),
            address: f["address"].as_str().unwrap().into(),
            message: f["message"].as_str().unwrap().into(),
            before_pointer: None,
            after_pointer: None,
            witness: None,
            fingerprint: f["fingerprint"].as_str().unwrap().into(),
            suppressed: None,
        })
        .collect();
    report.results = trustgate::report::store::Results::from_findings(findings);
    for width in [80u16, 120] {
        let out = table(&report, false, Some(width));
        for line in out.lines() {
            if line.starts_with(['┌', '│', '╞', '├', '└']) {
                assert!(
                    line.chars().count() <= usize::from(width),
                    "{width}: {line}"
                );
            }
        }
    }
}

#[test]
fn table_summary_line_counts_verdicts_findings_and_suppressed() {
    let (_, out, _) = check("testdata/plans/report-many-roles.json", "table", &[]);
    let summary = out.lines().last().unwrap();
    assert_eq!(
        summary,
        "1 plan, 12 roles (10 changed): 4 widened, 1 narrowed, 2 unchanged, 1 lateral, \
         1 created, 1 deleted, 1 unknown, 1 unparseable; findings: 2 critical, 4 high, \
         2 medium, 0 suppressed — blocked"
    );
}

#[test]
fn github_commands_carry_file_line_and_title() {
    let (_, out, _) = check(
        "testdata/plans/report-modules.json",
        "github",
        &["--source-dir", SOURCE_DIR],
    );
    // The summary first (GitHub lists annotations in order), then the most severe finding.
    assert!(
        out.starts_with("::notice title=trustgate::1 plan, 4 roles"),
        "{out}"
    );
    let first = out.lines().nth(1).unwrap();
    assert!(
        first.starts_with(
            "::error file=testdata/terraform/modules-demo/main.tf,line=12,title=trustgate external-id-removed (high)::aws_iam_role.partner: "
        ),
        "{first}"
    );
    // Every location resolved: local modules, a nested one, and a registry module fetched
    // into `.terraform/`, which a forge cannot open: it is pointed at by its `module` call.
    for expected in [
        "file=testdata/terraform/modules-demo/modules/ci/main.tf,line=9,",
        "file=testdata/terraform/modules-demo/modules/runner/main.tf,line=2,",
        "file=testdata/terraform/modules-demo/main.tf,line=30,title=trustgate principal-added",
    ] {
        assert!(out.contains(expected), "{expected} missing:\n{out}");
    }
    assert!(!out.contains(".terraform"), "{out}");
    // Without --source-dir there is no file to point at: the title and message still are.
    let (_, out, _) = check("testdata/plans/demo.json", "github", &[]);
    assert!(
        out.lines()
            .nth(1)
            .unwrap()
            .starts_with("::error title=trustgate external-id-removed (high)::"),
        "{out}"
    );
    assert!(out.lines().next().unwrap().ends_with("— blocked"));
}
