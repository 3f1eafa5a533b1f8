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

/// A fixture's plan as its entries alone say it: the fields set from the rest of the plan
/// (IAM names, own account, provider, rename pairing) are cleared, and tested on their own
/// (`whole_plan_*` below).
fn fixture(name: &str) -> Plan {
    let mut plan = read_one(&testdata(&format!("plans/{name}")));
    for role in &mut plan.roles {
        role.iam_before = Default::default();
        role.iam_after = Default::default();
        role.own_account = None;
        role.provider = None;
        role.paired = None;
    }
    plan
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
        iam_before: Default::default(),
        iam_after: Default::default(),
        own_account: None,
        provider: None,
        paired: None,
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
                drift: Some(Box::new(widened.clone())),
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
                drift: Some(Box::new(widened)),
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

// --- bad input -------------------------------------------------------------------------------

const FILE: &str = "plan.json";

fn read_str(json: &str) -> Result<Vec<Plan>, PlanError> {
    read_bytes(FILE, json.as_bytes(), &opts())
}

fn err_of(bytes: &[u8]) -> PlanError {
    match read_bytes(FILE, bytes, &opts()) {
        Ok(plans) => panic!("should not read: {plans:?}"),
        Err(e) => e,
    }
}

/// `err_of` plus the message contract.
fn refused(bytes: &[u8], phrase: &str) -> PlanError {
    let err = err_of(bytes);
    assert_message(&err, FILE, phrase);
    err
}

/// A plan whose only resource change is `entry`.
fn with_entry(entry: &str) -> String {
    format!(r#"{{"format_version":"1.2","resource_changes":[{entry}]}}"#)
}

/// A well-formed role entry with `change` replaced by `change`.
fn role_entry(change: &str) -> String {
    format!(
        r#"{{"address":"aws_iam_role.r","mode":"managed","type":"aws_iam_role","name":"r","change":{change}}}"#
    )
}

fn only_role(json: &str) -> RoleChange {
    let mut plans = read_str(json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plans.len(), 1);
    let mut roles = std::mem::take(&mut plans[0].roles);
    assert_eq!(roles.len(), 1, "{roles:?}");
    roles.remove(0)
}

#[test]
fn empty_input_is_refused() {
    refused(b"", "the input is empty");
    refused(b" \n\t\r\n ", "the input is empty");
}

#[test]
fn not_json_is_refused_with_line_and_column() {
    refused(b"hello", "invalid JSON at line 1 column 1");
    refused(
        b"{\n  \"format_version\": \"1.2\",,\n}",
        "invalid JSON at line 2 column 27: key must be a string",
    );
}

#[test]
fn binary_junk_is_refused() {
    let junk: Vec<u8> = (0u32..4096).map(|i| (i * 7919 % 251) as u8).collect();
    let err = err_of(&junk);
    assert!(err.to_string().starts_with("plan.json: "), "{err}");
    assert!(!err.to_string().contains('\n'));
}

#[test]
fn truncated_plan_is_refused() {
    let bytes = std::fs::read(testdata("plans/update_trust.json")).unwrap();
    let half = &bytes[..bytes.len() / 2];
    let err = refused(half, "truncated");
    assert!(matches!(err, PlanError::Truncated { .. }), "{err}");
}

#[test]
fn non_object_documents_are_not_plans() {
    refused(
        b"[1, 2, 3]",
        "not a Terraform plan: the document is an array",
    );
    refused(
        b"\"plan\"",
        "not a Terraform plan: the document is a string",
    );
    refused(b"42", "not a Terraform plan: the document is a number");
    refused(b"null", "not a Terraform plan: the document is null");
    refused(
        br#"{"Version":"2012-10-17","Statement":[]}"#,
        "not a Terraform plan: the JSON object has none of the plan keys",
    );
}

#[test]
fn unsupported_major_version_is_refused() {
    let err = refused(
        br#"{"format_version":"2.0","resource_changes":"a new shape"}"#,
        "unsupported plan format version `2.0`",
    );
    assert!(matches!(err, PlanError::UnsupportedVersion { .. }));
    refused(
        br#"{"plan_format_version":"3.1"}"#,
        "unsupported plan format version `3.1`",
    );
}

#[test]
fn errored_plan_is_refused() {
    let err = refused(
        br#"{"format_version":"1.2","resource_changes":[],"errored":true,"complete":false}"#,
        "`errored: true`",
    );
    assert!(matches!(err, PlanError::Errored { .. }));
}

#[test]
fn incomplete_plan_is_read_and_flagged() {
    let plans = read_str(r#"{"format_version":"1.2","complete":false,"errored":false}"#).unwrap();
    assert!(!plans[0].info.complete);
}

#[test]
fn deep_nesting_errors_without_overflowing_the_stack() {
    let deep = "[".repeat(100_000);
    // Unclosed, inside a field the reader skips.
    refused(
        format!(r#"{{"format_version":"1.2","planned_values":{deep}"#).as_bytes(),
        "truncated",
    );
    // Unclosed, inside a typed field.
    err_of(format!(r#"{{"format_version":"1.2","resource_changes":{deep}"#).as_bytes());
    // As the whole document.
    refused(deep.as_bytes(), "the document is an array");
    // Inside the trust attribute and the unknown markers (captured raw, never recursed into).
    let closed = format!("{deep}{}", "]".repeat(100_000));
    let role = only_role(&with_entry(&role_entry(&format!(
        r#"{{"actions":["update"],"before":{{"assume_role_policy":{closed}}},"after":{{}},"after_unknown":{{"assume_role_policy":{closed}}}}}"#
    ))));
    assert_eq!(
        role.before,
        TrustDoc::WrongType {
            found: "an array".to_string()
        }
    );
    assert_eq!(role.after, TrustDoc::Missing);
}

#[test]
fn deep_nesting_in_skipped_fields_is_skipped_without_recursion() {
    // serde_json skips ignored values with an explicit stack, not recursion: closed nesting
    // far past the recursion limit reads fine and costs one byte per level.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let plans = read_str(&format!(
        r#"{{"format_version":"1.2","planned_values":{deep},"resource_changes":[]}}"#
    ))
    .unwrap();
    assert!(plans[0].roles.is_empty());
    let objects = format!("{}1{}", r#"{"a":"#.repeat(50_000), "}".repeat(50_000));
    read_str(&format!(
        r#"{{"format_version":"1.2","prior_state":{objects}}}"#
    ))
    .unwrap();
}

#[test]
fn wrong_types_name_the_json_path() {
    let cases: &[(&str, &str)] = &[
        (
            r#"{"format_version":"1.2","resource_changes":"x"}"#,
            r#"resource_changes: invalid type: string "x", expected a list of resource changes"#,
        ),
        (
            &with_entry(r#"{"address":5,"type":"aws_iam_role","change":{"actions":[]}}"#),
            "resource_changes[0].address: invalid type: integer `5`, expected a string",
        ),
        (
            &with_entry(r#"{"type":"aws_iam_role","change":{"actions":[]}}"#),
            "resource_changes[0]: missing field `address`",
        ),
        (
            &with_entry(r#"{"address":"a.b","type":7,"change":{"actions":[]}}"#),
            "resource_changes[0].type: invalid type: integer `7`, expected a string",
        ),
        (
            &with_entry(r#"{"address":"a.b","mode":[],"type":"a","change":{"actions":[]}}"#),
            "resource_changes[0].mode: invalid type: sequence, expected a string",
        ),
        (
            &with_entry(r#"{"address":"a.b","type":"a","change":"create"}"#),
            r#"resource_changes[0].change: invalid type: string "create", expected a change object"#,
        ),
        (
            &with_entry(&role_entry(r#"{"actions":5}"#)),
            "resource_changes[0].change.actions: invalid type: integer `5`, expected a sequence",
        ),
        (
            &with_entry(&role_entry(r#"{"actions":["update"],"before":"x"}"#)),
            r#"resource_changes[0].change.before: invalid type: string "x", expected an object of resource attributes, or null"#,
        ),
        (
            &with_entry(&role_entry(r#"{"before":null}"#)),
            "resource_changes[0].change: missing field `actions`",
        ),
        (
            &with_entry(&role_entry(
                r#"{"actions":["create"],"after_unknown":"yes"}"#,
            )),
            r#"resource_changes[0].change.after_unknown: invalid type: string "yes", expected a boolean or an object"#,
        ),
        (
            r#"{"format_version":"1.2","resource_changes":[],"resource_changes":[]}"#,
            "duplicate field `resource_changes`",
        ),
        (
            r#"{"format_version":"1.2","errored":"no"}"#,
            r#"errored: invalid type: string "no", expected a boolean"#,
        ),
    ];
    for (json, phrase) in cases {
        let err = refused(json.as_bytes(), phrase);
        assert!(matches!(err, PlanError::Shape { .. }), "{json}: {err:?}");
    }
    // Not only the first entry: the index in the path is the failing one.
    let ok = role_entry(r#"{"actions":["no-op"]}"#);
    let bad = role_entry(r#"{"actions":{"0":"no-op"}}"#);
    refused(
        format!(r#"{{"format_version":"1.2","resource_changes":[{ok},{ok},{ok},{bad}]}}"#)
            .as_bytes(),
        "plan.json: resource_changes[3].change.actions: invalid type: map, expected a sequence",
    );
}

#[test]
fn wrong_type_in_the_trust_attribute_is_kept_for_the_pipeline() {
    let side = |value: &str| {
        only_role(&with_entry(&role_entry(&format!(
            r#"{{"actions":["update"],"before":{{"assume_role_policy":{value}}},"after":{{"assume_role_policy":"{{}}"}}}}"#
        ))))
        .before
    };
    let wrong = |found: &str| TrustDoc::WrongType {
        found: found.to_string(),
    };
    assert_eq!(side("5"), wrong("a number"));
    assert_eq!(side("true"), wrong("a boolean"));
    assert_eq!(side("[]"), wrong("an array"));
    // The object form is awscc's; on aws_iam_role it is a wrong type.
    assert_eq!(side(r#"{"Version":"2012-10-17"}"#), wrong("an object"));
    assert_eq!(side("null"), TrustDoc::Missing);
    assert_eq!(side(r#""""#), text(""));

    let missing = only_role(&with_entry(&role_entry(
        r#"{"actions":["update"],"before":{"arn":7},"after":{"assume_role_policy":"{}"}}"#,
    )));
    assert_eq!(missing.before, TrustDoc::Missing);
    assert_eq!(missing.arn_before, None, "only string ARNs are kept");
    assert_eq!(missing.after, text("{}"));
}

#[test]
fn unknown_keys_actions_and_modes_are_tolerated() {
    let json = r#"{
        "format_version": "1.9", "future_key": {"x": [1, 2]},
        "resource_changes": [
            {"address": "data.aws_iam_role.d", "mode": "data", "type": "aws_iam_role", "name": "d",
             "change": {"actions": ["read"], "before": null, "after": {"assume_role_policy": "{}"}}},
            {"address": "ephemeral.aws_iam_role.e", "mode": "ephemeral", "type": "aws_iam_role",
             "name": "e", "change": {"actions": ["open"], "before": null, "after": null}},
            {"address": "aws_iam_role.old", "type": "aws_iam_role", "name": "old", "new_key": 1,
             "change": {"actions": ["transmogrify", "create"], "before": null,
                        "after": {"assume_role_policy": "{}", "new_attr": [true]},
                        "after_identity": {"arn": 5}, "replace_paths": [["name"]]}},
            {"address": "aws_s3_bucket.b", "mode": "managed", "type": "aws_s3_bucket", "name": "b",
             "change": {"actions": ["create"], "before": null, "after": {"bucket": "b"}}}
        ]
    }"#;
    let role = only_role(json);
    // A missing mode is managed; data and ephemeral roles are not role changes.
    assert_eq!(role.address, "aws_iam_role.old");
    assert_eq!(role.actions, ["transmogrify", "create"]);
    assert_eq!(role.after, text("{}"));
}

#[test]
fn setup_terraform_wrapper_output_is_refused_with_the_fix() {
    let plan = std::fs::read_to_string(testdata("plans/update_trust.json")).unwrap();
    let minified =
        serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&plan).unwrap()).unwrap();
    let before = format!(
        "[command]/home/runner/work/_temp/0a1b/terraform-bin show -json tfplan\n{minified}\n"
    );
    let after = format!(
        "{minified}\n::debug::Terraform exited with code 0.\n::debug::stdout: {minified}\n::set-output name=exitcode::0\n"
    );
    for wrapped in [before, after] {
        let err = refused(wrapped.as_bytes(), "`terraform_wrapper: false`");
        assert!(matches!(err, PlanError::Wrapper { .. }), "{err}");
        assert!(!err.to_string().contains("invalid JSON"));
        assert!(err.to_string().contains("terraform-bin show -json"));
    }
}

#[test]
fn event_stream_is_refused() {
    let stream = concat!(
        r#"{"@level":"info","@message":"Terraform 1.9.0","@module":"terraform.ui","type":"version","terraform":"1.9.0","ui":"1.2"}"#,
        "\n",
        r#"{"@level":"info","@message":"aws_iam_role.r: Plan to create","type":"planned_change","change":{"resource":{"addr":"aws_iam_role.r"},"action":"create"}}"#,
        "\n"
    );
    let err = refused(stream.as_bytes(), "`terraform plan -json` event stream");
    assert!(err.to_string().contains("`terraform show -json PLANFILE`"));
}

#[test]
fn several_documents_are_several_plans() {
    let one = with_entry(&role_entry(
        r#"{"actions":["create"],"before":null,"after":{"assume_role_policy":"{}"}}"#,
    ));
    let plans = read_str(&format!("{one}\n{one}{one}\n")).unwrap();
    let paths: Vec<&str> = plans.iter().map(|p| p.info.path.as_str()).collect();
    assert_eq!(paths, ["plan.json#1", "plan.json#2", "plan.json#3"]);
    assert!(plans.iter().all(|p| p.roles.len() == 1));

    // A single document keeps the plain name.
    assert_eq!(read_str(&one).unwrap()[0].info.path, "plan.json");

    // An error in a later document names it.
    let err = err_of(format!("{one}\n{}", with_entry(r#"{"address":1}"#)).as_bytes());
    assert_message(
        &err,
        "plan.json#2",
        "resource_changes[0].address: invalid type: integer `1`",
    );
    let err = err_of(format!("{one}\n{{\"Version\":\"2012-10-17\"}}").as_bytes());
    assert_message(&err, "plan.json#2", "not a Terraform plan");
    // A syntax error names the file, with the line and column in the whole file.
    let err = err_of(format!("{one}\n{one}\n{{\"format_version\":}}").as_bytes());
    assert_message(&err, "plan.json", "invalid JSON at line 3 column 19");
}

#[test]
fn encodings_are_decoded() {
    let json = with_entry(&role_entry(
        r#"{"actions":["create"],"before":null,"after":{"assume_role_policy":"{\"Sid\":\"é☃\"}"}}"#,
    ));
    let want = text(r#"{"Sid":"é☃"}"#);
    let utf8_bom = [b"\xEF\xBB\xBF".as_slice(), json.as_bytes()].concat();
    let utf16le_bom: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(json.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let utf16be_bom: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(json.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    let utf16le: Vec<u8> = json.encode_utf16().flat_map(u16::to_le_bytes).collect();
    for bytes in [utf8_bom, utf16le_bom, utf16be_bom, utf16le] {
        let plans = read_bytes(FILE, &bytes, &opts()).unwrap();
        assert_eq!(plans[0].roles[0].after, want);
    }
    // An odd byte count cannot be UTF-16.
    refused(&[0xFF, 0xFE, b'{', 0, b'}'], "odd number of bytes");
}

fn zip_bytes() -> Vec<u8> {
    // The start of a real `terraform plan -out` file: a zip whose first entry is tfplan.
    let mut bytes = b"PK\x03\x04\x14\x00\x08\x00\x08\x00".to_vec();
    bytes.extend_from_slice(&[0u8; 20]);
    bytes.extend_from_slice(b"tfplan");
    bytes
}

#[test]
fn binary_plan_without_terraform_is_refused_naming_the_option() {
    let opts = ReadOptions {
        terraform_bin: Some("trustgate-no-such-terraform".to_string()),
    };
    let err = read_bytes("-", &zip_bytes(), &opts).unwrap_err();
    assert_message(&err, "-", "`trustgate-no-such-terraform`");
    assert!(matches!(err, PlanError::TerraformMissing { .. }), "{err}");
    for phrase in ["binary plan", "`--terraform-bin`", "`TRUSTGATE_TERRAFORM`"] {
        assert!(err.to_string().contains(phrase), "{phrase}: {err}");
    }

    let dir = std::env::temp_dir().join(format!("trustgate-plan-reader-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("tfplan.json");
    std::fs::write(&file, zip_bytes()).unwrap();
    let err = read_path(&file, "tfplan.json", &opts).unwrap_err();
    assert_message(&err, "tfplan.json", "program not found");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A stand-in for terraform: a script that prints a plan, or fails like terraform does.
#[cfg(unix)]
fn fake_terraform(dir: &Path, body: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("fake-terraform");
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

#[cfg(unix)]
#[test]
fn binary_plan_is_converted_with_terraform_show() {
    let dir = std::env::temp_dir().join(format!("trustgate-fake-tf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fixture = testdata("plans/update_trust.json");
    // The script checks it was called as `show -json FILE` and that FILE is the binary plan.
    let ok = fake_terraform(
        &dir,
        &format!(
            r#"[ "$1" = show ] && [ "$2" = -json ] && head -c 4 "$3" | grep -q PK && cat '{}'"#,
            fixture.display()
        ),
    );
    let opts = ReadOptions {
        terraform_bin: Some(ok),
    };
    let from_stdin = read_bytes("-", &zip_bytes(), &opts).unwrap();
    assert_eq!(from_stdin[0].info.path, "-");
    assert_eq!(from_stdin[0].roles[0].actions, ["update"]);

    let file = dir.join("tfplan");
    std::fs::write(&file, zip_bytes()).unwrap();
    let mut from_file = read_path(&file, "tfplan", &opts).unwrap();
    // A converted binary plan is read by the in-memory reader, which collects no context.
    let mut want = read_one(&fixture).clone_with_path("tfplan");
    want.context = Default::default();
    from_file[0].context = Default::default();
    assert_eq!(from_file, [want]);

    let failing = fake_terraform(
        &dir,
        r#"printf '\n\033[31m╷\033[0m\n│ \033[1mError: \033[0mFailed to load "tfplan" as a plan file\n│\n╵\n' >&2; exit 1"#,
    );
    let err = read_path(
        &file,
        "tfplan",
        &ReadOptions {
            terraform_bin: Some(failing.clone()),
        },
    )
    .unwrap_err();
    assert_message(
        &err,
        "tfplan",
        r#"show -json` failed (exit status 1): Error: Failed to load "tfplan" as a plan file"#,
    );
    std::fs::remove_dir_all(&dir).unwrap();

    // The temporary copy of a binary plan from stdin is removed afterwards. Other tests of
    // this process may be converting a binary plan right now (their copy carries the same
    // process id), so a copy that is still there is given a few seconds to go away: one that
    // this test leaked never does.
    let leftovers = || {
        std::fs::read_dir(std::env::temp_dir())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.starts_with(&format!("trustgate-{}-", std::process::id()))
                    && name.ends_with(".tfplan")
            })
            .count()
    };
    let mut left = leftovers();
    for _ in 0..100 {
        if left == 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        left = leftovers();
    }
    assert_eq!(left, 0);
}

trait WithPath {
    fn clone_with_path(&self, path: &str) -> Plan;
}

impl WithPath for Plan {
    fn clone_with_path(&self, path: &str) -> Plan {
        let mut plan = self.clone();
        plan.info.path = path.to_string();
        plan
    }
}

// --- expanding arguments ---------------------------------------------------------------------

#[test]
fn directories_keep_plans_and_skip_other_json_with_a_note() {
    let dir = std::env::temp_dir().join(format!("trustgate-expand-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("b/nested")).unwrap();
    std::fs::create_dir_all(dir.join("a")).unwrap();
    let plan = std::fs::read(testdata("plans/update_trust.json")).unwrap();
    std::fs::write(dir.join("b/nested/plan.json"), &plan).unwrap();
    std::fs::write(dir.join("a/plan.json"), &plan).unwrap();
    std::fs::write(
        dir.join("a/trust.json"),
        r#"{"Version":"2012-10-17","Statement":[]}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("package.json"),
        r#"{"name":"x","version":"1.0.0"}"#,
    )
    .unwrap();
    std::fs::write(dir.join("list.json"), "[1,2]").unwrap();
    std::fs::write(dir.join("notes.txt"), "not json").unwrap();
    // Broken files stay in: the reader must refuse them (fail closed), not skip them.
    std::fs::write(dir.join("broken.json"), "{\"format_version\": ").unwrap();
    std::fs::write(
        dir.join("wrapped.json"),
        b"[command]/x/terraform-bin show -json p\n{}",
    )
    .unwrap();

    let root = dir.display().to_string();
    let (inputs, notes) = expand_inputs(&["-".to_string(), root.clone()]).unwrap();
    let shown: Vec<&str> = inputs.iter().map(Input::display).collect();
    let p = |rel: &str| dir.join(rel).display().to_string();
    assert_eq!(
        shown,
        [
            "-",
            &p("a/plan.json"),
            &p("b/nested/plan.json"),
            &p("broken.json"),
            &p("wrapped.json")
        ]
    );
    assert_eq!(inputs[0], Input::Stdin);
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert!(notes[0].starts_with(&format!(
        "{}: skipped: not a Terraform plan",
        p("a/trust.json")
    )));
    assert!(notes[1].starts_with(&format!(
        "{}: skipped: not a Terraform plan (a JSON array)",
        p("list.json")
    )));
    assert!(notes[2].starts_with(&format!("{}: skipped", p("package.json"))));

    // Named explicitly, a non-plan is an error, not a note.
    let trust = p("a/trust.json");
    let (inputs, notes) = expand_inputs(std::slice::from_ref(&trust)).unwrap();
    assert!(notes.is_empty());
    let Input::File { path, display } = &inputs[0] else {
        panic!("a file")
    };
    let err = read_path(path, display, &opts()).unwrap_err();
    assert_message(&err, &trust, "not a Terraform plan");

    // A directory with no plan in it cannot pass the gate by being empty.
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    let empty = p("empty");
    let err = expand_inputs(std::slice::from_ref(&empty)).unwrap_err();
    assert_message(&err, &empty, "no Terraform plan JSON found");

    let missing = p("missing.json");
    let err = expand_inputs(std::slice::from_ref(&missing)).unwrap_err();
    assert_message(&err, &missing, "no such file or directory");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Whole-plan fields: the provider configuration of each role, its own account with the
/// source that told it, IAM names, and the pairing of a rename. Values read off the
/// fixtures by hand (make_whole_plan_scenarios.py).
#[test]
fn whole_plan_accounts_providers_and_pairs() {
    use trustgate::plan::{AccountSource, IamName, OwnAccount};
    let own = |account: &str, source| {
        Some(OwnAccount {
            account: account.to_string(),
            source,
        })
    };
    let plan = read_one(&testdata("plans/own-account-provider-aliases.json"));
    let roles: Vec<_> = plan
        .roles
        .iter()
        .map(|r| {
            (
                r.address.as_str(),
                r.provider.as_deref(),
                r.own_account.clone(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            (
                "aws_iam_role.grafana",
                Some("aws"),
                own("444455556666", AccountSource::CallerIdentity)
            ),
            (
                "aws_iam_role.prod_reader",
                Some("aws.prod"),
                own("777788889999", AccountSource::CallerIdentity)
            ),
        ]
    );
    let plan = read_one(&testdata("plans/own-account-allowed-ids.json"));
    assert_eq!(
        plan.roles[0].own_account,
        own("444455556666", AccountSource::ProviderAllowedAccounts)
    );
    // A role's own ARN decides before anything else.
    let plan = read_one(&testdata("plans/update_trust.json"));
    assert_eq!(
        plan.roles[0].own_account,
        own("337909773697", AccountSource::RoleArn)
    );
    // Nothing tells it.
    let plan = read_one(&testdata("plans/own-account-unknown.json"));
    assert_eq!(plan.roles[0].own_account, None);

    let plan = read_one(&testdata("plans/renamed-name-prefix.json"));
    let [deleted, created] = &plan.roles[..] else {
        panic!("two roles");
    };
    assert_eq!(
        deleted.iam_before,
        IamName {
            name: Some("grafana-20250228220739".into()),
            name_prefix: Some("grafana-".into()),
            path: Some("/".into()),
        }
    );
    assert_eq!(created.iam_after.name, None);
    let paired = created.paired.as_ref().expect("paired");
    assert_eq!(paired.address, "aws_iam_role.grafana");
    assert_eq!(paired.before, deleted.before);
    assert!(deleted.paired.is_none());
}

/// Renames pair only when unambiguous and of one account: two created roles claiming one
/// deleted name pair neither, nor does one created role with two deleted namesakes; a
/// deleted role of another account never pairs.
#[test]
fn whole_plan_pairing_refuses_ambiguity_and_other_accounts() {
    let path = testdata("plans/renamed-widened.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let created = doc["resource_changes"][1].clone();
    let mut twin = created.clone();
    twin["address"] = "aws_iam_role.twin".into();
    twin["name"] = "twin".into();
    doc["resource_changes"].as_array_mut().unwrap().push(twin);
    let plans = trustgate::plan::read_bytes("p", doc.to_string().as_bytes(), &opts()).unwrap();
    assert!(plans[0].roles.iter().all(|r| r.paired.is_none()));

    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    // The created role's provider works in another account than the deleted role's ARN.
    doc["configuration"]["provider_config"]["aws"]["expressions"] =
        serde_json::json!({"allowed_account_ids": {"constant_value": ["999999999999"]}});
    let plans = trustgate::plan::read_bytes("p", doc.to_string().as_bytes(), &opts()).unwrap();
    assert!(plans[0].roles.iter().all(|r| r.paired.is_none()));

    // Two deleted roles of one name: the created role could be either, so it pairs neither.
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut twin = doc["resource_changes"][0].clone();
    twin["address"] = "aws_iam_role.grafana_twin".into();
    twin["name"] = "grafana_twin".into();
    doc["resource_changes"].as_array_mut().unwrap().push(twin);
    let plans = trustgate::plan::read_bytes("p", doc.to_string().as_bytes(), &opts()).unwrap();
    assert_eq!(plans[0].roles.len(), 3);
    assert!(plans[0].roles.iter().all(|r| r.paired.is_none()));

    // Two deleted roles, `grafana` and `grafana-two`: the created role named `grafana` pairs
    // with the role of its name...
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut other = doc["resource_changes"][0].clone();
    other["address"] = "aws_iam_role.grafana_two".into();
    other["change"]["before"]["name"] = "grafana-two".into();
    doc["resource_changes"].as_array_mut().unwrap().push(other);
    // ...but not once a created role whose `name_prefix` fits both is added: that role pairs
    // neither and still claims both, so the named one cannot tell which role it is either.
    let mut prefixed = doc["resource_changes"][1].clone();
    prefixed["address"] = "aws_iam_role.prefixed".into();
    prefixed["change"]["after"]["name"] = "".into();
    prefixed["change"]["after"]["name_prefix"] = "grafana".into();
    let mut claimed = doc.clone();
    claimed["resource_changes"]
        .as_array_mut()
        .unwrap()
        .push(prefixed);
    let plans = trustgate::plan::read_bytes("p", claimed.to_string().as_bytes(), &opts()).unwrap();
    assert_eq!(plans[0].roles.len(), 4);
    assert!(plans[0].roles.iter().all(|r| r.paired.is_none()));
    let plans = trustgate::plan::read_bytes("p", doc.to_string().as_bytes(), &opts()).unwrap();
    let paired: Vec<_> = plans[0]
        .roles
        .iter()
        .filter_map(|r| Some((r.address.as_str(), r.paired.as_ref()?.address.as_str())))
        .collect();
    assert_eq!(
        paired,
        [("aws_iam_role.observability", "aws_iam_role.grafana")]
    );
}

/// Created roles made from one `name_prefix` are ambiguous together: each could be the
/// deleted role the prefix fits, so none pairs; alone, the prefixed role pairs. Alike created
/// roles are matched as one group, whose claims must still count every member.
#[test]
fn created_roles_sharing_a_prefix_pair_none() {
    let path = testdata("plans/renamed-widened.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    // The created role without a `configuration` block: its copies below are then alike in
    // every way the pairing looks at.
    let mut prefixed = doc["resource_changes"][1].clone();
    prefixed["change"]["after"]["name"] = "".into();
    prefixed["change"]["after"]["name_prefix"] = "graf".into();
    doc["resource_changes"].as_array_mut().unwrap().truncate(1);
    doc.as_object_mut().unwrap().remove("configuration");
    for copies in [1, 2, 5] {
        let mut doc = doc.clone();
        for i in 0..copies {
            let mut copy = prefixed.clone();
            copy["address"] = format!("aws_iam_role.copy{i}").into();
            doc["resource_changes"].as_array_mut().unwrap().push(copy);
        }
        let plans = trustgate::plan::read_bytes("p", doc.to_string().as_bytes(), &opts()).unwrap();
        assert_eq!(plans[0].roles.len(), 1 + copies);
        let paired: Vec<_> = plans[0]
            .roles
            .iter()
            .filter_map(|r| Some((r.address.as_str(), r.paired.as_ref()?.address.as_str())))
            .collect();
        if copies == 1 {
            assert_eq!(paired, [("aws_iam_role.copy0", "aws_iam_role.grafana")]);
        } else {
            assert!(paired.is_empty(), "{copies} copies: {paired:?}");
        }
    }
}
