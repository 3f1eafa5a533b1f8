//! The PR comment: the marker line, the one-line verdict, the table and details blocks, and the
//! size bound on a plan with thousands of widened roles.

use crate::cli::run;
use std::fmt::Write;
use trustgate::report::markdown::{LIMIT, MARKER};

fn markdown(plan: &str) -> (i32, String) {
    let (code, out, err) = run(&["check", plan, "--format", "markdown"]);
    assert!(code == 0 || code == 1, "{err}");
    (code, out)
}

#[test]
fn structure_a_bot_and_a_reviewer_rely_on() {
    let (code, out) = markdown("testdata/plans/demo.json");
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], MARKER);
    assert!(
        lines[1].starts_with("### ⛔ trustgate blocked this plan: 1 high finding"),
        "{}",
        lines[1]
    );
    // A short table a PR page shows whole: the finding is its first clause, the rule a link.
    assert!(out.contains("| Severity | Role | Rule | Finding |\n|---|---|---|---|\n"));
    assert!(out.contains(
        "| 🟠 high | `aws_iam_role.partner_reader` | [external-id-removed](https://github.com/trustgate/trustgate/blob/main/docs/rules.md#external-id-removed) | the `sts:ExternalId` condition was removed or loosened |\n"
    ));
    assert!(out.contains("Changed, no findings: `aws_iam_role.github_deploy` (created)."));
    assert!(out.contains(
        "<summary><code>aws_iam_role.partner_reader</code> · widened · update · 🟠 high · permissions: data-read</summary>\n\n"
    ));
    // The ready-to-paste entry that accepts the finding, pinned by its fingerprint.
    let (_, json, _) = run(&["check", "testdata/plans/demo.json", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let fingerprint = json["findings"][0]["fingerprint"].as_str().unwrap();
    assert!(out.contains(&format!(
        "```toml\n[[ignore]]\nrule = \"external-id-removed\"\naddress = \"aws_iam_role.partner_reader\"\nfingerprint = \"{fingerprint}\"\nreason = \"TODO: why this change is accepted\"\n```\n"
    )));
    assert!(out.contains("**Who could assume it before**"));
    assert!(out.contains("only when the ExternalId (`sts:ExternalId`) is `acme-partner-7f3c9a`"));
    assert!(out.contains("**Who can assume it after**"));
    assert!(out.contains(
        "any principal of account `999988887777`, calling `sts:AssumeRole`, with no condition"
    ));
    assert!(
        out.contains("calling sts:AssumeRole with no `sts:ExternalId`"),
        "the witness in words"
    );
    assert!(out.contains("```diff\n"));
    assert!(out.contains("\n-      \"Condition\": {\n"));
    assert_eq!(
        out.matches("<details>").count(),
        out.matches("</details>").count()
    );

    let (code, out) = markdown("testdata/plans/report-narrowed.json");
    assert_eq!(code, 0);
    assert!(out
        .lines()
        .nth(1)
        .unwrap()
        .starts_with("### ✅ trustgate: nothing blocks this plan"));
}

/// A plan with `n` roles, each widened by a new account principal.
fn widened_plan(n: usize) -> String {
    let mut changes = String::new();
    for i in 0..n {
        let before = r#"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"#;
        let after = format!(
            r#"{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":{{\"Service\":\"ec2.amazonaws.com\",\"AWS\":\"arn:aws:iam::{:012}:root\"}},\"Action\":\"sts:AssumeRole\"}}]}}"#,
            100_000_000_000u64 + i as u64
        );
        if i > 0 {
            changes.push(',');
        }
        write!(
            changes,
            r#"{{"address":"module.team_{i}.aws_iam_role.role_with_a_long_name_{i}","mode":"managed","type":"aws_iam_role","name":"role_with_a_long_name_{i}","change":{{"actions":["update"],"before":{{"arn":"arn:aws:iam::337909773697:role/r{i}","assume_role_policy":"{before}"}},"after":{{"arn":"arn:aws:iam::337909773697:role/r{i}","assume_role_policy":"{after}"}},"after_unknown":{{}},"before_sensitive":{{}},"after_sensitive":{{}}}}}}"#
        )
        .unwrap();
    }
    format!(
        r#"{{"format_version":"1.2","terraform_version":"1.10.3","resource_changes":[{changes}]}}"#
    )
}

#[test]
fn thousands_of_widened_roles_stay_under_the_bound_and_say_what_was_left_out() {
    let n = 3000;
    let dir = std::env::temp_dir().join(format!("trustgate-md-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("many.json");
    std::fs::write(&path, widened_plan(n)).unwrap();
    let (code, out) = markdown(path.to_str().unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code, 1);
    assert!(out.len() <= LIMIT, "{} bytes", out.len());
    assert!(out.chars().count() <= LIMIT);
    assert!(out.starts_with(MARKER));
    assert!(out.contains(&format!("Checked {n} IAM roles in 1 plan: {n} widened.")));
    // The note counts the findings left out of the table, and they add up.
    let note = out
        .lines()
        .find(|l| l.contains("**Truncated**"))
        .expect("a truncation note");
    let shown = out.matches(" | [principal-added](").count();
    let left: usize = note
        .split(": ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(shown > 50, "the table should use the room it has: {shown}");
    assert_eq!(shown + left, n, "{note}");
    assert!(note.contains(&format!("of {n} findings")), "{note}");
    assert_eq!(
        out.matches("<details>").count(),
        out.matches("</details>").count()
    );
    // Nothing after the table's last row breaks it: every row is whole.
    for line in out.lines().filter(|l| l.starts_with('|')) {
        assert!(line.ends_with('|'), "{line}");
    }
}

#[test]
fn user_values_cannot_break_out_of_code_or_html() {
    // A condition value with backticks, pipes and HTML, as a policy could hold.
    let value = "x` | <img src=y> ``` ";
    let doc = serde_json::json!({"Statement":[{"Effect":"Allow","Principal":{"AWS":["111111111111"]},
        "Action":["sts:AssumeRole"],"Condition":{"StringEquals":{"sts:ExternalId":[value]}}}]});
    let lines = trustgate::report::words::describe_side(&doc);
    // The fence is longer than any backtick run inside, so the whole value stays code (and
    // code is never HTML); in a table cell the pipe is escaped as well.
    assert!(
        lines[0].ends_with(&format!("is ```` {value} ````")),
        "{}",
        lines[0]
    );
}

/// Roles of every kind in one plan: the table and the details list them most severe first
/// (the comment's order decides what truncation drops), each table row is a finding of a
/// role shown in the details, and unchanged roles without findings are only named.
#[test]
fn roles_are_shown_most_severe_first_whatever_their_order_in_the_plan() {
    let mut entries = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir(crate::common::testdata("plans"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("rule-") && n.ends_with(".json"))
        .collect();
    names.sort();
    // Reversed, so plan order is not already severity order.
    names.reverse();
    for (i, name) in names.iter().enumerate() {
        let plan: serde_json::Value = serde_json::from_slice(
            &std::fs::read(crate::common::testdata(&format!("plans/{name}"))).unwrap(),
        )
        .unwrap();
        for mut entry in plan["resource_changes"].as_array().unwrap().iter().cloned() {
            let address = format!("{}_{i}", entry["address"].as_str().unwrap());
            entry["address"] = serde_json::Value::from(address);
            entries.push(entry);
        }
    }
    let doc = serde_json::json!({"format_version": "1.2", "resource_changes": entries});
    let dir = std::env::temp_dir().join(format!("trustgate-md-order-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("mixed.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    let (_, out) = markdown(path.to_str().unwrap());
    std::fs::remove_dir_all(&dir).unwrap();

    let rank = |line: &str| -> Option<usize> {
        ["🔴 critical", "🟠 high", "🟡 medium", "🔵 low", "⚪ info"]
            .iter()
            .position(|b| line.contains(b))
    };
    // Table rows: a role's first row names it; suppressed rows are not in this plan.
    let rows: Vec<usize> = out
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Severity"))
        .filter_map(rank)
        .collect();
    assert!(rows.len() > 15, "{out}");
    let firsts: Vec<usize> = out
        .lines()
        .filter(|l| l.starts_with("| ") && !l.contains("| ″ |") && !l.starts_with("| Severity"))
        .filter_map(rank)
        .collect();
    assert!(firsts.windows(2).all(|w| w[0] <= w[1]), "{firsts:?}");
    // The details: the same order by each role's most severe finding, then roles without.
    let summaries: Vec<Option<usize>> = out
        .lines()
        .filter(|l| l.starts_with("<summary>"))
        .map(rank)
        .collect();
    let key = |r: &Option<usize>| r.unwrap_or(usize::MAX);
    assert!(
        summaries.windows(2).all(|w| key(&w[0]) <= key(&w[1])),
        "{summaries:?}"
    );
    assert_eq!(
        summaries.iter().filter(|s| s.is_some()).count(),
        firsts.len(),
        "a role with findings has one details block"
    );
}
