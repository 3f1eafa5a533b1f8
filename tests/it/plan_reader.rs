//! Plan reader tests (corpus, fixtures, bad input).
//!
//! - the real corpus (`../shared/corpus`): every file reads, and yields exactly the IAM roles
//!   written down by hand in `testdata/corpus_expected.json`;
//! - the edge corpus (`../shared/corpus-edge`): each file gets the answer `corpus/README.md`
//!   asks for;
//! - fixtures (`testdata/plans/`, edited copies of corpus plans): every extracted field;
//! - bad input: one-line errors that name the file and say what is wrong.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use trustgate::plan::{
    expand_inputs, read_bytes, read_path, Drift, Input, Plan, PlanError, ReadOptions, RoleChange,
    RoleType, TrustDoc,
};

use crate::common::{shared, skip, testdata};

fn opts() -> ReadOptions {
    ReadOptions::default()
}

/// Every `*.json` below `dir`, as paths relative to it, sorted component by component (the
/// order `expand_inputs` promises: a directory's files stay together).
fn json_files(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path.strip_prefix(base).unwrap().to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out.iter()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect()
}

fn read_one(path: &Path) -> Plan {
    let display = path.display().to_string();
    let mut plans =
        read_path(path, &display, &opts()).unwrap_or_else(|e| panic!("{display} should read: {e}"));
    assert_eq!(plans.len(), 1, "{display}: one document");
    plans.remove(0)
}

fn read_err(path: &Path) -> PlanError {
    let display = path.display().to_string();
    match read_path(path, &display, &opts()) {
        Ok(plans) => panic!("{display} should not read, got {} plans", plans.len()),
        Err(e) => e,
    }
}

/// The contract every error message keeps: one line, starting with the file name, saying
/// `phrase`.
fn assert_message(err: &PlanError, file: &str, phrase: &str) {
    let msg = err.to_string();
    assert!(!msg.contains('\n'), "one line: {msg}");
    assert!(
        msg.starts_with(&format!("{file}: ")),
        "starts with `{file}: `: {msg}"
    );
    assert!(msg.contains(phrase), "`{phrase}` in: {msg}");
    for rust_name in [
        "DocRecord",
        "RoleRecord",
        "SideRecord",
        "Vec<",
        "Option<",
        "struct ",
    ] {
        assert!(!msg.contains(rust_name), "no Rust type names: {msg}");
    }
}

// --- the real corpus -------------------------------------------------------------------------

#[derive(Debug, Deserialize, PartialEq)]
struct Expected {
    address: String,
    actions: Vec<String>,
    drift: bool,
}

/// Corpus plans that carry `errored: true`. SPEC §1 refuses errored plans (exit 2), so these
/// must fail to read, although corpus/README.md lists them among the files that read; their
/// roles stay in corpus_expected.json for the day that decision changes.
const ERRORED_IN_CORPUS: &[&str] = &[
    "TheBearguy__tf-gatekeeper/tfplan.json",
    "hashicorp__terraform/04_output.json",
];

#[test]
fn corpus_roles_match_hand_written_expectations() {
    let Some(shared) = shared() else {
        return skip("corpus_roles_match_hand_written_expectations");
    };
    let corpus = shared.join("corpus");
    let expected: BTreeMap<String, Vec<Expected>> =
        serde_json::from_str(&std::fs::read_to_string(testdata("corpus_expected.json")).unwrap())
            .unwrap();
    let files = json_files(&corpus);
    assert!(
        files.len() >= 50,
        "corpus looks incomplete: {} files",
        files.len()
    );

    for name in expected.keys() {
        assert!(
            files.contains(name),
            "corpus_expected.json names a missing file: {name}"
        );
    }
    for name in &files {
        let want = expected
            .get(name)
            .unwrap_or_else(|| panic!("{name}: no entry in testdata/corpus_expected.json"));
        let path = corpus.join(name);
        if ERRORED_IN_CORPUS.contains(&name.as_str()) {
            let err = read_err(&path);
            assert!(matches!(err, PlanError::Errored { .. }), "{name}: {err}");
            continue;
        }
        let plan = read_one(&path);
        let got: Vec<Expected> = plan
            .roles
            .iter()
            .map(|r| Expected {
                address: r.address.clone(),
                actions: r.actions.clone(),
                drift: r.drift.is_some(),
            })
            .collect();
        assert_eq!(&got, want, "{name}");
        assert_eq!(plan.info.path, path.display().to_string());
        assert!(
            plan.info.warnings.is_empty(),
            "{name}: {:?}",
            plan.info.warnings
        );
    }
}

/// Every corpus trust document is a JSON string whose content is itself a policy; none of
/// them is unknown where the plan says it is known.
#[test]
fn corpus_trust_documents_are_text() {
    let Some(shared) = shared() else {
        return skip("corpus_trust_documents_are_text");
    };
    let corpus = shared.join("corpus");
    for name in json_files(&corpus) {
        if ERRORED_IN_CORPUS.contains(&name.as_str()) {
            continue;
        }
        for role in read_one(&corpus.join(&name)).roles {
            for (side, doc) in [("before", &role.before), ("after", &role.after)] {
                match doc {
                    TrustDoc::Text(text) => {
                        assert!(
                            serde_json::from_str::<serde_json::Value>(text).is_ok(),
                            "{name} {} {side}: not a JSON policy",
                            role.address
                        );
                    }
                    TrustDoc::Absent | TrustDoc::Unknown => {}
                    other => panic!("{name} {} {side}: {other:?}", role.address),
                }
            }
            if role.actions == ["create"] {
                assert_eq!(role.before, TrustDoc::Absent, "{name} {}", role.address);
            }
            if role.actions == ["delete"] {
                assert_eq!(role.after, TrustDoc::Absent, "{name} {}", role.address);
            }
        }
    }
}

#[test]
fn corpus_directory_expands_to_every_plan() {
    let Some(shared) = shared() else {
        return skip("corpus_directory_expands_to_every_plan");
    };
    let dir = shared.join("corpus").display().to_string();
    let (inputs, notes) = expand_inputs(std::slice::from_ref(&dir)).unwrap();
    assert!(notes.is_empty(), "{notes:?}");
    let files: Vec<String> = json_files(&shared.join("corpus"))
        .iter()
        .map(|f| Path::new(&dir).join(f).display().to_string())
        .collect();
    let got: Vec<String> = inputs.iter().map(|i| i.display().to_string()).collect();
    assert_eq!(got, files);
}

// --- the edge corpus -------------------------------------------------------------------------

fn edge(shared: &Path, name: &str) -> PathBuf {
    shared.join("corpus-edge").join(name)
}

#[test]
fn edge_utf16_plans_are_decoded() {
    let Some(shared) = shared() else {
        return skip("edge_utf16_plans_are_decoded");
    };
    let checkov = read_one(&edge(&shared, "bridgecrewio__checkov/tfplan.json"));
    assert_eq!(checkov.info.format_version.as_deref(), Some("0.2"));
    assert_eq!(checkov.info.terraform_version.as_deref(), Some("1.0.5"));
    assert!(checkov.roles.is_empty());

    let janitor = read_one(&edge(
        &shared,
        "sau29__aws-ephemeral-environment-janitor/tfplan.json",
    ));
    let roles: Vec<(&str, &[String])> = janitor
        .roles
        .iter()
        .map(|r| (r.address.as_str(), r.actions.as_slice()))
        .collect();
    assert_eq!(
        roles,
        [("aws_iam_role.lambda_janitor", &["create".to_string()][..])]
    );
    assert!(
        matches!(&janitor.roles[0].after, TrustDoc::Text(t) if t.contains("lambda.amazonaws.com"))
    );
}

#[test]
fn edge_wrapper_output_is_refused_with_the_fix() {
    let Some(shared) = shared() else {
        return skip("edge_wrapper_output_is_refused_with_the_fix");
    };
    for name in [
        "infracost__infracost/plan_with_terraform_wrapper.json",
        "androzo__aws-validation/removingtfplan.json",
    ] {
        let path = edge(&shared, name);
        let err = read_err(&path);
        assert!(matches!(err, PlanError::Wrapper { .. }), "{name}: {err}");
        assert_message(
            &err,
            &path.display().to_string(),
            "`terraform_wrapper: false`",
        );
        assert!(!err.to_string().contains("invalid JSON"), "{err}");
    }
}

#[test]
fn edge_terragrunt_multi_document_file_is_several_plans() {
    let Some(shared) = shared() else {
        return skip("edge_terragrunt_multi_document_file_is_several_plans");
    };
    let path = edge(&shared, "borchero__terraform-plan-comment/02_plan.json");
    let display = path.display().to_string();
    let plans = read_path(&path, &display, &opts()).unwrap();
    let paths: Vec<&str> = plans.iter().map(|p| p.info.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            format!("{display}#1"),
            format!("{display}#2"),
            format!("{display}#3")
        ]
    );
    for plan in &plans {
        assert_eq!(plan.info.format_version.as_deref(), Some("1.2"));
        assert_eq!(plan.info.terraform_version.as_deref(), Some("1.13.5"));
        assert!(plan.roles.is_empty());
    }
}

#[test]
fn edge_event_stream_is_refused_naming_show_json() {
    let Some(shared) = shared() else {
        return skip("edge_event_stream_is_refused_naming_show_json");
    };
    let path = edge(&shared, "Amarlanda__natwest-sentinel-demo/plan.json");
    let err = read_err(&path);
    assert!(matches!(err, PlanError::EventStream { .. }), "{err}");
    assert_message(&err, &path.display().to_string(), "event stream");
    assert_message(
        &err,
        &path.display().to_string(),
        "`terraform show -json PLANFILE`",
    );
}

#[test]
fn edge_invalid_json_names_line_and_column() {
    let Some(shared) = shared() else {
        return skip("edge_invalid_json_names_line_and_column");
    };
    let path = edge(&shared, "hashicorp__terraform-json/plan.json");
    let err = read_err(&path);
    // The document closes early on line 676 (`{}}}}}}}`); the first stray `}` is column 29.
    assert_message(
        &err,
        &path.display().to_string(),
        "invalid JSON at line 676 column 29",
    );
}

#[test]
fn edge_missing_format_version_reads_with_a_warning() {
    let Some(shared) = shared() else {
        return skip("edge_missing_format_version_reads_with_a_warning");
    };
    let plan = read_one(&edge(&shared, "overmindtech__cli/plan.json"));
    assert_eq!(plan.info.format_version, None);
    assert_eq!(plan.info.warnings.len(), 1, "{:?}", plan.info.warnings);
    assert!(plan.info.warnings[0].contains("`format_version`"));
    assert!(plan.roles.is_empty());
}

#[test]
fn edge_hcp_redacted_plan_reads() {
    let Some(shared) = shared() else {
        return skip("edge_hcp_redacted_plan_reads");
    };
    let plan = read_one(&edge(&shared, "opentofu__opentofu/plan-redacted.json"));
    assert_eq!(plan.info.format_version.as_deref(), Some("1.1"));
    assert!(plan
        .info
        .warnings
        .iter()
        .any(|w| w.contains("`plan_format_version`")));
    assert!(plan.info.complete);
}

#[test]
fn edge_odd_hand_written_plans_read() {
    let Some(shared) = shared() else {
        return skip("edge_odd_hand_written_plans_read");
    };
    for name in [
        "TraderMoe__terraform-delta-visualize/sample.json",
        "terraspin__terraspin/plan_with_modules.json",
        "cds-snc__terraform-plan/moved.json",
        "borchero__terraform-plan-comment/01_plan.json",
    ] {
        let plan = read_one(&edge(&shared, name));
        assert!(plan.roles.is_empty(), "{name}");
        assert!(
            plan.info.warnings.is_empty(),
            "{name}: {:?}",
            plan.info.warnings
        );
    }
}

/// Every edge file is covered by one of the tests above.
#[test]
fn edge_corpus_is_fully_covered() {
    let Some(shared) = shared() else {
        return skip("edge_corpus_is_fully_covered");
    };
    let covered = [
        "Amarlanda__natwest-sentinel-demo/plan.json",
        "TraderMoe__terraform-delta-visualize/sample.json",
        "androzo__aws-validation/removingtfplan.json",
        "borchero__terraform-plan-comment/01_plan.json",
        "borchero__terraform-plan-comment/02_plan.json",
        "bridgecrewio__checkov/tfplan.json",
        "cds-snc__terraform-plan/moved.json",
        "hashicorp__terraform-json/plan.json",
        "infracost__infracost/plan_with_terraform_wrapper.json",
        "opentofu__opentofu/plan-redacted.json",
        "overmindtech__cli/plan.json",
        "sau29__aws-ephemeral-environment-janitor/tfplan.json",
        "terraspin__terraspin/plan_with_modules.json",
    ];
    assert_eq!(json_files(&shared.join("corpus-edge")), covered);
}

// --- fixtures (testdata/plans) ---------------------------------------------------------------

const ACCOUNT_ROLE: &str = "arn:aws:iam::337909773697:role/";
const EC2: &str = r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Sid":""}],"Version":"2012-10-17"}"#;
const EC2_AND_MONITORING: &str = r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/monitoring","Service":"ec2.amazonaws.com"},"Sid":""}],"Version":"2012-10-17"}"#;
const EC2_AND_SSM: &str = r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com","ssm.amazonaws.com"]},"Sid":""}],"Version":"2012-10-17"}"#;
const EC2_AND_OUTSIDER: &str = r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root","Service":"ec2.amazonaws.com"},"Sid":""}],"Version":"2012-10-17"}"#;
const LAMBDA: &str = r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Sid":""}],"Version":"2012-10-17"}"#;
const CODEBUILD: &str = r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"codebuild.amazonaws.com"}}],"Version":"2012-10-17"}"#;

fn fixture(name: &str) -> Plan {
    read_one(&testdata(&format!("plans/{name}")))
}

fn text(s: &str) -> TrustDoc {
    TrustDoc::Text(s.to_string())
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn arn(name: &str) -> Option<String> {
    Some(format!("{ACCOUNT_ROLE}{name}"))
}

/// The common case: an `aws_iam_role` with nothing special; tests override what they show.
fn plain(address: &str, actions: &[&str], before: TrustDoc, after: TrustDoc) -> RoleChange {
    RoleChange {
        address: address.to_string(),
        previous_address: None,
        role_type: RoleType::AwsIamRole,
        actions: strings(actions),
        action_reason: None,
        importing: false,
        before,
        after,
        before_sensitive: false,
        after_sensitive: false,
        arn_before: None,
        arn_after: None,
        drift: None,
    }
}

fn grafana(actions: &[&str], before: TrustDoc, after: TrustDoc) -> RoleChange {
    RoleChange {
        arn_before: arn("grafana"),
        arn_after: arn("grafana"),
        ..plain("aws_iam_role.grafana", actions, before, after)
    }
}

#[test]
fn fixture_update_trust() {
    let plan = fixture("update_trust.json");
    assert_eq!(plan.info.format_version.as_deref(), Some("1.2"));
    assert_eq!(plan.info.terraform_version.as_deref(), Some("1.10.3"));
    assert!(plan.info.complete);
    assert!(plan.info.warnings.is_empty());
    assert_eq!(
        plan.roles,
        [grafana(&["update"], text(EC2), text(EC2_AND_MONITORING))]
    );
}

#[test]
fn fixture_replace_delete_before_create() {
    let plan = fixture("replace_delete_before_create.json");
    assert_eq!(
        plan.roles,
        [RoleChange {
            action_reason: Some("replace_because_cannot_update".to_string()),
            // The replacement's ARN is only known after apply.
            arn_after: None,
            ..grafana(&["delete", "create"], text(EC2), text(EC2_AND_SSM))
        }]
    );
}

#[test]
fn fixture_replace_create_before_destroy() {
    let plan = fixture("replace_create_before_destroy.json");
    assert_eq!(
        plan.roles,
        [RoleChange {
            action_reason: Some("replace_because_cannot_update".to_string()),
            arn_after: None,
            ..grafana(&["create", "delete"], text(EC2), text(EC2_AND_SSM))
        }]
    );
}

#[test]
fn fixture_delete() {
    let plan = fixture("delete.json");
    let before = r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::283582579564:role/sre-bot-ecs-role","arn:aws:iam::659087519042:role/aws-reserved/sso.amazonaws.com/ca-central-1/AWSReservedSSO_AWSAdministratorAccess_3a0a13131cabe836"]},"Sid":"AssumeRole"}],"Version":"2012-10-17"}"#;
    assert_eq!(
        plan.roles,
        [RoleChange {
            action_reason: Some("delete_because_no_resource_config".to_string()),
            before_sensitive: true,
            arn_before: Some("arn:aws:iam::659087519042:role/sre_bot_role".to_string()),
            ..plain(
                "aws_iam_role.sre_bot",
                &["delete"],
                text(before),
                TrustDoc::Absent
            )
        }]
    );
}

#[test]
fn fixture_moved() {
    let plan = fixture("moved.json");
    assert_eq!(
        plan.roles,
        [RoleChange {
            address: "aws_iam_role.observability".to_string(),
            previous_address: Some("aws_iam_role.grafana".to_string()),
            ..grafana(&["no-op"], text(EC2), text(EC2))
        }]
    );
}

#[test]
fn fixture_after_unknown_tree() {
    let plan = fixture("after_unknown_tree.json");
    assert_eq!(
        plan.roles,
        [
            plain(
                "aws_iam_role.autoscaler",
                &["create"],
                TrustDoc::Absent,
                TrustDoc::Unknown
            ),
            // `after` still shows the old text, but `after_unknown` wins.
            grafana(&["update"], text(EC2), TrustDoc::Unknown),
        ]
    );
}

#[test]
fn fixture_after_unknown_bare() {
    let plan = fixture("after_unknown_bare.json");
    assert_eq!(
        plan.roles,
        [grafana(&["update"], text(EC2), TrustDoc::Unknown)]
    );
}

#[test]
fn fixture_sensitive() {
    let plan = fixture("sensitive.json");
    assert_eq!(
        plan.roles,
        [
            RoleChange {
                before_sensitive: true,
                after_sensitive: true,
                ..grafana(&["update"], text(EC2), text(EC2_AND_MONITORING))
            },
            RoleChange {
                before_sensitive: true,
                after_sensitive: true,
                arn_before: arn("vault"),
                arn_after: arn("vault"),
                ..plain("aws_iam_role.vault", &["no-op"], text(EC2), text(EC2))
            },
        ]
    );
}

#[test]
fn fixture_drift() {
    let plan = fixture("drift.json");
    let widened = Drift {
        last_applied: text(EC2),
        actual: text(EC2_AND_OUTSIDER),
        actions: strings(&["update"]),
    };
    assert_eq!(
        plan.roles,
        [
            // ignore_changes: the plan keeps the drifted trust; the drift says it was widened.
            RoleChange {
                drift: Some(widened.clone()),
                ..grafana(&["no-op"], text(EC2_AND_OUTSIDER), text(EC2_AND_OUTSIDER))
            },
            // Drift on tags only: nothing to report about trust.
            RoleChange {
                arn_before: arn("reporting"),
                arn_after: arn("reporting"),
                ..plain("aws_iam_role.reporting", &["no-op"], text(EC2), text(EC2))
            },
            // Only in resource_drift: reported as a no-op at its real (drifted) trust.
            RoleChange {
                arn_before: arn("legacy"),
                arn_after: arn("legacy"),
                drift: Some(widened),
                ..plain(
                    "aws_iam_role.legacy",
                    &["no-op"],
                    text(EC2_AND_OUTSIDER),
                    text(EC2_AND_OUTSIDER)
                )
            },
        ]
    );
}

#[test]
fn fixture_modules_for_each() {
    let plan = fixture("modules_for_each.json");
    assert_eq!(
        plan.roles,
        [
            plain(
                r#"module.poc["team-a"].aws_iam_role.r1["p1"]"#,
                &["create"],
                TrustDoc::Absent,
                text(LAMBDA)
            ),
            plain(
                r#"module.poc["team-b"].module.inner.aws_iam_role.r6["p2"]"#,
                &["create"],
                TrustDoc::Absent,
                text(EC2)
            ),
        ]
    );
}

#[test]
fn fixture_count_index() {
    let plan = fixture("count_index.json");
    assert_eq!(
        plan.roles,
        [
            plain(
                "aws_iam_role.worker[0]",
                &["create"],
                TrustDoc::Absent,
                text(EC2)
            ),
            plain(
                "aws_iam_role.worker[1]",
                &["create"],
                TrustDoc::Absent,
                text(EC2)
            ),
        ]
    );
}

/// The object form is handed on as its exact raw text; compare it as JSON.
fn json_of(doc: &TrustDoc) -> serde_json::Value {
    match doc {
        TrustDoc::Text(t) => serde_json::from_str(t).unwrap(),
        other => panic!("not text: {other:?}"),
    }
}

#[test]
fn fixture_awscc_object() {
    let plan = fixture("awscc_object.json");
    let before: serde_json::Value = serde_json::from_str(CODEBUILD).unwrap();
    let mut after = before.clone();
    after["Statement"][0]["Principal"]["AWS"] = "arn:aws:iam::111122223333:role/monitoring".into();

    let [deploy, build] = plan.roles.as_slice() else {
        panic!("two roles: {:?}", plan.roles);
    };
    assert_eq!(deploy.address, "awscc_iam_role.deploy");
    assert_eq!(deploy.role_type, RoleType::AwsccIamRole);
    assert_eq!(deploy.actions, ["update"]);
    assert_eq!(json_of(&deploy.before), before);
    assert_eq!(json_of(&deploy.after), after);
    assert_eq!(deploy.arn_before, arn("deploy"));
    assert_eq!(deploy.arn_after, arn("deploy"));
    assert!(!deploy.before_sensitive && !deploy.after_sensitive);
    assert_eq!(deploy.drift, None);

    // after_unknown marks a leaf deep inside the object: the whole new document is unknown.
    assert_eq!(build.address, "awscc_iam_role.build");
    assert_eq!(build.role_type, RoleType::AwsccIamRole);
    assert_eq!(json_of(&build.before), before);
    assert_eq!(build.after, TrustDoc::Unknown);
}

#[test]
fn fixture_awscc_string() {
    let plan = fixture("awscc_string.json");
    assert_eq!(
        plan.roles,
        [RoleChange {
            role_type: RoleType::AwsccIamRole,
            ..plain(
                "awscc_iam_role.deploy",
                &["create"],
                TrustDoc::Absent,
                text(CODEBUILD)
            )
        }]
    );
}

#[test]
fn fixture_forget() {
    let plan = fixture("forget.json");
    assert_eq!(
        plan.roles,
        [RoleChange {
            arn_after: None,
            ..grafana(&["forget"], text(EC2), TrustDoc::Absent)
        }]
    );
}

#[test]
fn fixture_importing() {
    let plan = fixture("importing.json");
    assert_eq!(
        plan.roles,
        [RoleChange {
            importing: true,
            ..grafana(&["no-op"], text(EC2), text(EC2))
        }]
    );
}

#[test]
fn fixture_demo_has_the_three_roles_make_demo_shows() {
    let plan = fixture("demo.json");
    let [partner, github, grafana_role] = plan.roles.as_slice() else {
        panic!("three roles: {:?}", plan.roles);
    };

    assert_eq!(partner.address, "aws_iam_role.partner_reader");
    assert_eq!(partner.actions, ["update"]);
    let before = json_of(&partner.before);
    let after = json_of(&partner.after);
    assert_eq!(
        before["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"],
        "acme-partner-7f3c9a"
    );
    assert_eq!(
        before["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::999988887777:root"
    );
    assert_eq!(after["Statement"][0].get("Condition"), None);
    assert_eq!(
        after["Statement"][0]["Principal"],
        before["Statement"][0]["Principal"]
    );

    assert_eq!(github.address, "aws_iam_role.github_deploy");
    assert_eq!(github.actions, ["create"]);
    assert_eq!(github.before, TrustDoc::Absent);
    let trust = json_of(&github.after);
    assert_eq!(
        trust["Statement"][0]["Action"],
        "sts:AssumeRoleWithWebIdentity"
    );
    let condition = &trust["Statement"][0]["Condition"]["StringEquals"];
    assert_eq!(
        condition["token.actions.githubusercontent.com:sub"],
        "repo:acme/app:ref:refs/heads/main"
    );
    assert_eq!(
        condition["token.actions.githubusercontent.com:aud"],
        "sts.amazonaws.com"
    );

    assert_eq!(grafana_role, &grafana(&["no-op"], text(EC2), text(EC2)));
}

#[test]
fn fixtures_directory_expands_to_every_fixture_in_order() {
    let dir = testdata("plans").display().to_string();
    let (inputs, notes) = expand_inputs(std::slice::from_ref(&dir)).unwrap();
    assert!(notes.is_empty(), "{notes:?}");
    let names: Vec<String> = inputs
        .iter()
        .map(|i| match i {
            Input::File { path, display } => {
                assert_eq!(display, &path.display().to_string());
                path.file_name().unwrap().to_string_lossy().into_owned()
            }
            Input::Stdin => panic!("no stdin"),
        })
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert!(names.contains(&"demo.json".to_string()));
    for input in &inputs {
        if let Input::File { path, display } = input {
            read_path(path, display, &opts()).unwrap();
        }
    }
}
