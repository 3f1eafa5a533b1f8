//! The pass after the read: each role's permission class from the rest of the plan, widening
//! findings one level higher on admin-equivalent roles, and consumers turned away by a
//! narrowing. Expectations written from the fixtures' policies, by hand.

use crate::cli::run;
use crate::common;
use serde_json::Value;

fn check(plan: &str) -> Value {
    let path = common::testdata(&format!("plans/context-{plan}"));
    let (code, out, err) = run(&["check", &path.to_string_lossy(), "--format", "json"]);
    assert!(code < 2, "{plan}: {err}");
    serde_json::from_str(&out).unwrap()
}

fn findings<'a>(doc: &'a Value, address: &str) -> Vec<&'a Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["address"] == address)
        .collect()
}

#[test]
fn every_permission_class_and_the_raise_on_admin_roles() {
    let doc = check("blast-classes.json");
    // role, class, severity of its principal-added finding (high by default: another account).
    let want = [
        ("aws_iam_role.admin", "admin-equivalent", "critical"),
        ("aws_iam_role.passrole", "admin-equivalent", "critical"),
        ("aws_iam_role.power", "power-user", "high"),
        ("aws_iam_role.reader", "data-read", "high"),
        ("aws_iam_role.logs", "other", "high"),
        ("aws_iam_role.mystery", "unknown", "high"),
        // `*` on `*` inline, capped by a ReadOnlyAccess boundary.
        ("aws_iam_role.bounded", "data-read", "high"),
    ];
    for (address, class, severity) in want {
        let r = common::role(&doc, address);
        assert_eq!(r["permissions"]["class"], class, "{address}: {r}");
        let f = findings(&doc, address);
        assert_eq!(f.len(), 1, "{address}");
        assert_eq!(f[0]["rule"], "principal-added");
        assert_eq!(f[0]["severity"], severity, "{address}");
        let raised = f[0]["message"]
            .as_str()
            .unwrap()
            .contains("raised one level: whoever assumes this role is admin-equivalent");
        assert_eq!(raised, severity == "critical", "{address}");
    }
    // The data-read role's policy is created by this plan: linked by its configuration
    // references, its document classified.
    let grants = &common::role(&doc, "aws_iam_role.reader")["permissions"]["grants"];
    assert_eq!(
        grants[0]["from"],
        "aws_iam_policy_attachment.read -> aws_iam_policy.read"
    );
    assert_eq!(
        common::role(&doc, "aws_iam_role.bounded")["permissions"]["boundary"]["class"],
        "data-read"
    );
}

#[test]
fn posture_findings_of_admin_roles_are_raised_too() {
    let doc = check("created-cross-account.json");
    let admin = findings(&doc, "aws_iam_role.vendor_admin");
    let other = findings(&doc, "aws_iam_role.vendor_logs");
    assert_eq!(admin[0]["rule"], "cross-account-no-guard");
    assert_eq!(admin[0]["severity"], "critical");
    assert_eq!(other[0]["rule"], "cross-account-no-guard");
    assert_eq!(other[0]["severity"], "high");
}

#[test]
fn consumers_turned_away_are_named_with_the_fix() {
    let doc = check("profile-and-task-dropped.json");
    let messages: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages.iter().any(|m| m.starts_with(
        "`module.lambda_start.aws_iam_instance_profile.runner` runs as this role through `ec2.amazonaws.com`"
    )));
    assert!(messages.iter().any(|m| m.starts_with(
        "`module.lambda_start.aws_ecs_task_definition.worker` runs as this role through `ecs-tasks.amazonaws.com`"
    )));
    // The Lambda function still works: no finding names it.
    assert!(!messages.iter().any(|m| m.contains("aws_lambda_function")));

    let doc = check("external-id-provider-lacks.json");
    let f = doc["findings"].as_array().unwrap();
    let info = f.iter().find(|f| f["severity"] == "info").unwrap();
    assert!(info["message"]
        .as_str()
        .unwrap()
        .contains("`aws sts assume-role --external-id deploy-7f3a ...`"));
    assert_eq!(
        info["after_pointer"],
        "/Statement/1/Condition/StringEquals/sts:ExternalId"
    );
    let broken = f.iter().find(|f| f["severity"] == "medium").unwrap();
    assert!(broken["message"].as_str().unwrap().starts_with(
        "the provider configuration `aws.deploy` assumes this role without `external_id`: add `external_id = \"deploy-7f3a\"`"
    ));

    let doc = check("irsa-sub-moved.json");
    assert!(doc["findings"].as_array().unwrap().iter().any(|f| f["rule"]
        == "trust-breaks-consumer"
        && f["message"]
            .as_str()
            .unwrap()
            .contains("`system:serviceaccount:apps:web`")));
}

/// An admin-equivalent role whose new trust both admits another account and turns its Lambda
/// function away: the widening is raised one level, the consumer's finding follows it as the
/// consumer rule rates it (the raise is for who can assume the role, not for who cannot).
#[test]
fn an_admin_role_widened_and_its_consumer_turned_away() {
    let doc = check("admin-consumer-dropped.json");
    assert_eq!(
        common::role(&doc, "aws_iam_role.ops")["permissions"]["class"],
        "admin-equivalent"
    );
    let f = findings(&doc, "aws_iam_role.ops");
    let rules: Vec<(&str, &str)> = f
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rules,
        [
            ("principal-added", "critical"),
            ("trust-breaks-consumer", "medium")
        ]
    );
    assert!(f[0]["message"]
        .as_str()
        .unwrap()
        .contains("raised one level: whoever assumes this role is admin-equivalent"));
    assert!(f[1]["message"]
        .as_str()
        .unwrap()
        .starts_with("`aws_lambda_function.ops` runs as this role through `lambda.amazonaws.com`"));
}

/// A consumer whose role is known only after apply (the role is replaced) is found through
/// the configuration's reference to the role, and its loss reported.
#[test]
fn a_consumer_is_found_by_reference_when_the_role_arn_is_unknown() {
    let doc = check("replaced-role-by-reference.json");
    let consumer = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "trust-breaks-consumer")
        .expect("the Lambda function, linked by reference, is turned away");
    assert!(consumer["message"].as_str().unwrap().starts_with(
        "`module.lambda_start.aws_lambda_function.this` runs as this role through `lambda.amazonaws.com`"
    ));
}

/// `compare` has no plan around the policy: no permissions key, as before.
#[test]
fn compare_reports_no_permissions() {
    let dir = std::env::temp_dir().join("trustgate-blast-compare");
    std::fs::create_dir_all(&dir).unwrap();
    let before = dir.join("b.json");
    let after = dir.join("a.json");
    std::fs::write(&before, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"}}"#).unwrap();
    std::fs::write(&after, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"sts:AssumeRole"}}"#).unwrap();
    let (_, out, _) = run(&[
        "compare",
        &before.to_string_lossy(),
        &after.to_string_lossy(),
        "--format",
        "json",
    ]);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert!(doc["roles"][0].get("permissions").is_none());
}

/// Two consumers turned away by one change are two findings with two fingerprints (an
/// ignore pinned to one must not silence the other).
#[test]
fn each_consumer_has_its_own_fingerprint() {
    let doc = check("profile-and-task-dropped.json");
    let prints: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(prints.len(), 2);
    assert_ne!(prints[0], prints[1]);
}

/// Odd values in the attributes the pass reads (numbers, objects, lists where strings go) are
/// read leniently: no crash, no refusal, the role's class is what is left. (Both plan readers
/// read this fixture alike: the reader agreement test covers every plan fixture.)
#[test]
fn odd_context_values_are_read_leniently() {
    let doc = check("odd-values.json");
    let r = common::role(&doc, "aws_iam_role.r");
    // The managed policy ARN as a lone string still counts; the unreadable inline policy and
    // role policy are unknown, never a pass.
    assert_eq!(r["permissions"]["class"], "admin-equivalent", "{r}");
    let grants = r["permissions"]["grants"].as_array().unwrap();
    assert!(grants
        .iter()
        .any(|g| g["from"] == "aws_iam_role_policy.p" && g["class"] == "unknown"));
    // The function names the role only through the configuration reference.
    assert!(doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "trust-breaks-consumer"));
}

/// A passing run never prints the word CI systems grep for, whatever the format: the
/// consumer messages and the explanations in them included.
#[test]
fn passing_runs_of_the_context_fixtures_never_say_fail() {
    let mut checked = 0;
    for entry in std::fs::read_dir(common::testdata("plans")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("context-") {
            continue;
        }
        for format in ["table", "json", "markdown", "sarif", "github"] {
            let (code, out, err) = run(&["check", &path.to_string_lossy(), "--format", format]);
            assert!(code < 2, "{name}: {err}");
            if code == 0 {
                checked += 1;
                assert!(
                    !out.to_lowercase().contains("fail"),
                    "{name} ({format}) says fail: {out}"
                );
            }
        }
    }
    assert!(checked >= 40, "{checked}");
}

/// A plan in UTF-16 (a PowerShell redirect) goes through the one streaming reader too, so the
/// rest of the plan speaks as it does for UTF-8: same classes, same raise.
#[test]
fn a_utf16_plan_carries_the_same_context() {
    let path = common::testdata("plans/context-blast-classes.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut bytes = vec![0xff, 0xfe];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let dir = std::env::temp_dir().join(format!("trustgate-u16-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let utf16 = dir.join("plan.json");
    std::fs::write(&utf16, bytes).unwrap();
    let (code, out, err) = run(&["check", &utf16.to_string_lossy(), "--format", "json"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(code < 2, "{err}");
    // The same report but for the file's name.
    let unnamed = |mut doc: Value| {
        for list in ["roles", "findings"] {
            for item in doc[list].as_array_mut().unwrap() {
                item["plan"] = Value::Null;
                item["fingerprint"] = Value::Null;
            }
        }
        doc
    };
    let got = unnamed(serde_json::from_str(&out).unwrap());
    let want = unnamed(check("blast-classes.json"));
    assert_eq!(got["roles"], want["roles"]);
    assert_eq!(got["findings"], want["findings"]);
    assert_eq!(
        common::role(&got, "aws_iam_role.admin")["permissions"]["class"],
        "admin-equivalent"
    );
}

/// A role whose own inline policy may assume another role of the plan is that role's consumer;
/// the other role's grants from its own attributes (read when the role is taken) and from an
/// attachment (read with the rest of the plan) are listed together, by source.
#[test]
fn a_role_whose_own_policy_may_assume_another_is_its_consumer() {
    let doc = check("role-caller-dropped.json");
    let findings = findings(&doc, "module.lambda_start.aws_iam_role.lambda_role");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["rule"], "trust-breaks-consumer");
    assert!(findings[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("the role `aws_iam_role.ci` may assume this role by its own policy"));
    let role = doc["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "module.lambda_start.aws_iam_role.lambda_role")
        .unwrap();
    let sources: Vec<&str> = role["permissions"]["grants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["from"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        [
            "managed_policy_arns (arn:aws:iam::012889719104:policy/start-ec2-ec2-policy)",
            "module.lambda_start.aws_iam_role_policy_attachment.attach (arn:aws:iam::012889719104:policy/start-ec2-ec2-policy)",
        ]
    );
}

/// `check --format json` of `plan` on standard input: its report, after checking the exit
/// code is `code` (any but 2, an error, when `None`).
fn check_stdin(plan: &str, code: Option<i32>) -> Value {
    let (got, out, err) =
        crate::cli::run_with(&["check", "-", "--format", "json"], plan.as_bytes(), false);
    match code {
        Some(code) => assert_eq!(got, code, "{err}"),
        None => assert!(got < 2, "{err}"),
    }
    serde_json::from_str(&out).unwrap()
}

/// `count` roles, each allowed by an inline policy to assume any role, all trusting their own
/// account; `aws_iam_role.r000`'s new trust names another account instead (its first when
/// `break_first`).
fn assume_anything_plan(count: usize, break_first: bool) -> String {
    let account = "012889719104";
    let trust = |principal: &str| {
        serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]})
        .to_string()
    };
    let inline = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"#;
    let changes: Vec<Value> = (0..count)
        .map(|i| {
            let before = serde_json::json!({
                "arn": format!("arn:aws:iam::{account}:role/r{i}"), "name": format!("r{i}"),
                "assume_role_policy": trust(&format!("arn:aws:iam::{account}:root")),
                "inline_policy": [{"name": "chain", "policy": inline}],
                "managed_policy_arns": [], "max_session_duration": 3600,
                "permissions_boundary": null});
            let mut after = before.clone();
            let changed = i == 0 && break_first;
            if changed {
                after["assume_role_policy"] = trust("arn:aws:iam::999988887777:root").into();
            }
            serde_json::json!({"address": format!("aws_iam_role.r{i:03}"), "mode": "managed",
                "type": "aws_iam_role", "name": format!("r{i}"),
                "change": {"actions": [if changed { "update" } else { "no-op" }],
                    "before": before, "after": after, "after_unknown": {}}})
        })
        .collect();
    serde_json::json!({"format_version": "1.2", "resource_changes": changes}).to_string()
}

#[test]
fn a_role_every_role_may_assume_has_its_first_hundred_callers_judged_and_the_rest_counted() {
    let limit = trustgate::permissions::ROLE_CONSUMER_LIMIT;
    let plan = assume_anything_plan(limit + 6, true);
    let doc = check_stdin(&plan, Some(1));
    let f = findings(&doc, "aws_iam_role.r000");
    let consumer = |severity: &str| -> Vec<&Value> {
        f.iter()
            .copied()
            .filter(|f| f["rule"] == "trust-breaks-consumer" && f["severity"] == severity)
            .collect()
    };
    // Every other role is turned away by the new trust (another account's root): the first
    // hundred by address are named, one finding each...
    let named = consumer("medium");
    assert_eq!(named.len(), limit);
    for (n, finding) in named.iter().enumerate() {
        let address = format!("aws_iam_role.r{:03}", n + 1);
        assert!(
            finding["message"]
                .as_str()
                .unwrap()
                .starts_with(&format!("the role `{address}` may assume this role")),
            "{n}: {finding}"
        );
    }
    // ...and the five left over are said to be unjudged, not passed over in silence.
    let rest = consumer("info");
    assert_eq!(rest.len(), 1, "{f:?}");
    assert!(
        rest[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("5 more roles of the plan may assume this role by their own policies; the first 100 (by address) were judged"),
        "{}",
        rest[0]
    );
    // The unchanged roles, each a consumer of every other, turn no one away.
    let others = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["address"] != "aws_iam_role.r000")
        .count();
    assert_eq!(others, 0, "{doc}");
}

#[test]
fn a_role_with_no_more_callers_than_the_limit_has_every_one_judged() {
    let limit = trustgate::permissions::ROLE_CONSUMER_LIMIT;
    let plan = assume_anything_plan(limit + 1, true);
    let doc = check_stdin(&plan, Some(1));
    let f = findings(&doc, "aws_iam_role.r000");
    let rules: Vec<(&str, &str)> = f
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rules
            .iter()
            .filter(|r| **r == ("trust-breaks-consumer", "medium"))
            .count(),
        limit
    );
    assert!(
        !rules.contains(&("trust-breaks-consumer", "info")),
        "{rules:?}"
    );
}

/// Roles replaced so their trust drops `lambda.amazonaws.com`, each run by a Lambda function
/// whose `role` is known only after apply: `addresses` gives (role, function) address pairs,
/// `config` the plan's `configuration`.
fn lambdas_by_reference(addresses: &[(String, String)], config: Value) -> String {
    let trust = |services: Value| {
        serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Service": services}, "Action": "sts:AssumeRole"}]})
        .to_string()
    };
    let mut changes = Vec::new();
    for (n, (role, _)) in addresses.iter().enumerate() {
        changes.push(serde_json::json!({"address": role, "mode": "managed",
            "type": "aws_iam_role", "name": "r",
            "change": {"actions": ["delete", "create"],
                "before": {"arn": format!("arn:aws:iam::012889719104:role/r{n}"),
                    "name": format!("r{n}"),
                    "assume_role_policy": trust(serde_json::json!(["lambda.amazonaws.com", "ec2.amazonaws.com"]))},
                "after": {"name": format!("r{n}"),
                    "assume_role_policy": trust(serde_json::json!("ec2.amazonaws.com"))},
                "after_unknown": {"arn": true}}}));
    }
    for (n, (_, function)) in addresses.iter().enumerate() {
        changes.push(serde_json::json!({"address": function, "mode": "managed",
            "type": "aws_lambda_function", "name": "f",
            "change": {"actions": ["update"],
                "before": {"function_name": format!("f{n}"),
                    "role": format!("arn:aws:iam::012889719104:role/r{n}")},
                "after": {"function_name": format!("f{n}")},
                "after_unknown": {"role": true}}}));
    }
    serde_json::json!({"format_version": "1.2", "resource_changes": changes,
        "configuration": config})
    .to_string()
}

/// Each role's `trust-breaks-consumer` findings, as (role, function named) pairs.
fn turned_away(plan: &str) -> Vec<(String, String)> {
    // Medium findings: below the default failing severity.
    let doc = check_stdin(plan, Some(0));
    let mut got: Vec<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "trust-breaks-consumer")
        .map(|f| {
            let message = f["message"].as_str().unwrap();
            let function = message.split('`').nth(1).unwrap().to_string();
            (f["address"].as_str().unwrap().to_string(), function)
        })
        .collect();
    got.sort();
    got
}

#[test]
fn a_reference_by_count_index_relates_each_function_to_the_role_of_its_own_index() {
    let pairs: Vec<(String, String)> = (0..3)
        .map(|i| {
            (
                format!("aws_iam_role.r[{i}]"),
                format!("aws_lambda_function.f[{i}]"),
            )
        })
        .collect();
    let block = |references: Value| {
        serde_json::json!({"root_module": {"resources": [
            {"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role",
             "name": "r", "expressions": {}},
            {"address": "aws_lambda_function.f", "mode": "managed",
             "type": "aws_lambda_function", "name": "f",
             "expressions": {"role": {"references": references}}}]}})
    };
    // `role = aws_iam_role.r[count.index].arn`, as Terraform lists its references.
    let keyed = lambdas_by_reference(
        &pairs,
        block(serde_json::json!(["aws_iam_role.r", "count.index"])),
    );
    assert_eq!(turned_away(&keyed), pairs);
    // Without `count.index` the expression may pick any instance: every one is related.
    let any = lambdas_by_reference(&pairs, block(serde_json::json!(["aws_iam_role.r"])));
    let all: Vec<(String, String)> = pairs
        .iter()
        .flat_map(|(role, _)| pairs.iter().map(move |(_, f)| (role.clone(), f.clone())))
        .collect();
    assert_eq!(turned_away(&any), all);
}

#[test]
fn a_reference_that_writes_out_an_instance_key_relates_that_instance_only() {
    let keys = [("0", "f0"), ("1", "f1"), ("\"web\"", "fweb")];
    // Sorted by role address, as `turned_away` gives them.
    let mut pairs: Vec<(String, String)> = keys
        .iter()
        .map(|(k, f)| {
            (
                format!("aws_iam_role.r[{k}]"),
                format!("aws_lambda_function.{f}"),
            )
        })
        .collect();
    pairs.sort();
    // Three functions, each naming one role instance as Terraform lists the reference: every
    // prefix, then the resource without its key.
    let functions: Vec<Value> = keys
        .iter()
        .map(|(k, f)| {
            serde_json::json!({"address": format!("aws_lambda_function.{f}"),
                "mode": "managed", "type": "aws_lambda_function", "name": f,
                "expressions": {"role": {"references": [
                    format!("aws_iam_role.r[{k}].arn"), format!("aws_iam_role.r[{k}]"),
                    "aws_iam_role.r"]}}})
        })
        .collect();
    let mut resources = vec![serde_json::json!({"address": "aws_iam_role.r",
        "mode": "managed", "type": "aws_iam_role", "name": "r", "expressions": {}})];
    resources.extend(functions);
    let config = serde_json::json!({"root_module": {"resources": resources}});
    assert_eq!(turned_away(&lambdas_by_reference(&pairs, config)), pairs);

    // `coalesce(aws_iam_role.r[0].arn, aws_iam_role.r[var.i].arn)`: the second key is not
    // written out, so that function may run as any instance.
    let config = serde_json::json!({"root_module": {"resources": [
        {"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "name": "r",
         "expressions": {}},
        {"address": "aws_lambda_function.f0", "mode": "managed",
         "type": "aws_lambda_function", "name": "f0",
         "expressions": {"role": {"references": ["aws_iam_role.r[0].arn", "aws_iam_role.r[0]",
            "aws_iam_role.r", "aws_iam_role.r", "var.i"]}}}]}});
    let f0 = "aws_lambda_function.f0".to_string();
    let every_role: Vec<(String, String)> = pairs
        .iter()
        .map(|(role, _)| (role.clone(), f0.clone()))
        .collect();
    assert_eq!(
        turned_away(&lambdas_by_reference(&pairs, config)),
        every_role
    );
}

#[test]
fn a_reference_in_a_module_relates_the_roles_of_its_own_module_instance() {
    let pairs: Vec<(String, String)> = ["a", "b", "c"]
        .iter()
        .map(|k| {
            (
                format!("module.svc[\"{k}\"].aws_iam_role.r"),
                format!("module.svc[\"{k}\"].aws_lambda_function.f"),
            )
        })
        .collect();
    let config = serde_json::json!({"root_module": {"module_calls": {"svc": {
        "source": "./svc", "module": {"resources": [
            {"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role",
             "name": "r", "expressions": {}},
            {"address": "aws_lambda_function.f", "mode": "managed",
             "type": "aws_lambda_function", "name": "f",
             "expressions": {"role": {"references": ["aws_iam_role.r.arn", "aws_iam_role.r"]}}}]}}}}});
    assert_eq!(turned_away(&lambdas_by_reference(&pairs, config)), pairs);
}

#[test]
fn a_policy_attached_by_count_index_grants_only_the_role_of_its_own_index() {
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let policy = |action: &str| {
        serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Action": action, "Resource": "*"}]})
        .to_string()
    };
    let mut changes = Vec::new();
    for i in 0..3 {
        let created = |address: String, kind: &str, after: Value, unknown: Value| {
            serde_json::json!({"address": address, "mode": "managed", "type": kind,
                "name": "x", "change": {"actions": ["create"], "before": null, "after": after,
                "after_unknown": unknown}})
        };
        changes.push(created(
            format!("aws_iam_role.r[{i}]"),
            "aws_iam_role",
            serde_json::json!({"name": format!("r{i}"), "assume_role_policy": trust}),
            serde_json::json!({"arn": true}),
        ));
        // The second policy allows everything, the others only reading objects.
        let action = if i == 1 { "*" } else { "s3:GetObject" };
        changes.push(created(
            format!("aws_iam_policy.p[{i}]"),
            "aws_iam_policy",
            serde_json::json!({"name": format!("p{i}"), "policy": policy(action)}),
            serde_json::json!({"arn": true}),
        ));
        changes.push(created(
            format!("aws_iam_role_policy_attachment.a[{i}]"),
            "aws_iam_role_policy_attachment",
            serde_json::json!({"role": format!("r{i}")}),
            serde_json::json!({"policy_arn": true}),
        ));
    }
    let block = |address: &str, kind: &str, expressions: Value| {
        serde_json::json!({"address": address, "mode": "managed", "type": kind, "name": "x",
            "expressions": expressions})
    };
    let config = serde_json::json!({"root_module": {"resources": [
        block("aws_iam_role.r", "aws_iam_role", serde_json::json!({})),
        block("aws_iam_policy.p", "aws_iam_policy", serde_json::json!({})),
        block("aws_iam_role_policy_attachment.a", "aws_iam_role_policy_attachment",
            serde_json::json!({"role": {"references": ["aws_iam_role.r", "count.index"]},
                "policy_arn": {"references": ["aws_iam_policy.p", "count.index"]}}))]}});
    let plan = serde_json::json!({"format_version": "1.2", "resource_changes": changes,
        "configuration": config})
    .to_string();
    let doc = check_stdin(&plan, None);
    for (i, class) in [(0, "data-read"), (1, "admin-equivalent"), (2, "data-read")] {
        let role = common::role(&doc, &format!("aws_iam_role.r[{i}]"));
        let grants = role["permissions"]["grants"].as_array().unwrap();
        assert_eq!(role["permissions"]["class"], class, "{role}");
        assert_eq!(grants.len(), 1, "{role}");
        assert_eq!(
            grants[0]["from"],
            format!("aws_iam_role_policy_attachment.a[{i}] -> aws_iam_policy.p[{i}]")
        );
    }
}

#[test]
fn a_provider_assuming_a_written_out_instance_is_a_consumer_of_that_instance_only() {
    let trust = |external_id: bool| {
        let mut caller = serde_json::json!({"Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::012889719104:root"}, "Action": "sts:AssumeRole"});
        if external_id {
            caller["Condition"] = serde_json::json!({"StringEquals": {"sts:ExternalId": "x-1"}});
        }
        serde_json::json!({"Version": "2012-10-17", "Statement": [caller]}).to_string()
    };
    // Both instances start asking for an ExternalId; the provider assumes the second.
    let roles: Vec<Value> = (0..2)
        .map(|i| {
            let side = |external_id: bool| {
                serde_json::json!({"arn": format!("arn:aws:iam::012889719104:role/r{i}"),
                    "name": format!("r{i}"), "assume_role_policy": trust(external_id)})
            };
            serde_json::json!({"address": format!("aws_iam_role.r[{i}]"), "mode": "managed",
                "type": "aws_iam_role", "name": "r", "index": i,
                "change": {"actions": ["update"], "before": side(false), "after": side(true)}})
        })
        .collect();
    let config = serde_json::json!({"provider_config": {"aws.deploy": {"name": "aws",
        "alias": "deploy", "expressions": {"assume_role": [{"role_arn": {"references": [
            "aws_iam_role.r[1].arn", "aws_iam_role.r[1]", "aws_iam_role.r"]}}]}}},
        "root_module": {"resources": [{"address": "aws_iam_role.r", "mode": "managed",
            "type": "aws_iam_role", "name": "r", "expressions": {}}]}});
    let plan = serde_json::json!({"format_version": "1.2", "resource_changes": roles,
        "configuration": config})
    .to_string();
    let doc = check_stdin(&plan, None);
    let turned_away: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["message"]
                .as_str()
                .unwrap()
                .starts_with("the provider configuration `aws.deploy` assumes this role without")
        })
        .map(|f| f["address"].as_str().unwrap())
        .collect();
    assert_eq!(turned_away, ["aws_iam_role.r[1]"]);
}
