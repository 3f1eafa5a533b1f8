//! The pull-request comment (SPEC §6): a marker line a bot can find its comment by, a one-line
//! verdict, one table of roles and findings, and per changed role a `<details>` block with who
//! could assume it before and after in plain words, the findings with their witness, and the
//! policy diff. Never longer than `LIMIT` characters: what does not fit is counted in a note.
//!
//! Only GitHub- and GitLab-flavoured Markdown both render the same is used: pipe tables,
//! `<details>`/`<summary>` with a blank line after the summary, fenced `diff` blocks.

use super::diff;
use super::words::{self, code};
use super::{source_of, Report, Sources};
use crate::analysis::{RoleReport, Verdict};
use crate::finding::{Finding, Severity};
use serde_json::Value;

/// The first line: a bot updates the comment that starts with it instead of adding one.
pub const MARKER: &str = "<!-- trustgate -->";
/// GitHub refuses comments over 65,536 characters; this leaves room for a bot's own text.
pub const LIMIT: usize = 60_000;
/// Room kept for the truncation note and the footer while the body is filled.
const RESERVE: usize = 1_000;
/// Policy diff lines shown per role.
const MAX_DIFF_LINES: usize = 120;
/// Unchanged roles without findings are named up to this many, then counted.
const MAX_QUIET_NAMES: usize = 20;
const MAX_NOTES: usize = 10;
/// Room the table leaves for `<details>` blocks when it has to be cut.
const DETAILS_ROOM: usize = 12_000;

/// A role and its findings, as the comment shows them.
struct Group<'a> {
    role: Option<&'a RoleReport>,
    plan: &'a str,
    address: &'a str,
    findings: Vec<&'a Finding>,
}

impl Group<'_> {
    /// The most severe finding that counts (suppressed ones do not).
    fn top(&self) -> Option<Severity> {
        self.findings
            .iter()
            .filter(|f| f.suppressed.is_none())
            .map(|f| f.severity)
            .max()
    }

    fn quiet(&self) -> bool {
        self.findings.is_empty() && self.role.is_some_and(|r| r.verdict == Verdict::Unchanged)
    }
}

/// Verdicts a reviewer should look at first.
fn verdict_rank(v: Option<Verdict>) -> u8 {
    match v {
        Some(Verdict::Widened) => 0,
        Some(Verdict::Lateral) => 1,
        Some(Verdict::Unparseable) => 2,
        Some(Verdict::Unknown) => 3,
        Some(Verdict::Created) => 4,
        None => 5,
        Some(Verdict::Narrowed) => 6,
        Some(Verdict::Deleted) => 7,
        Some(Verdict::Unchanged) => 8,
    }
}

/// Roles with their findings, most severe first (then by verdict, then in report order), and
/// each role's findings most severe first: what truncation drops is always the least severe.
fn groups(report: &Report) -> Vec<Group<'_>> {
    let mut groups: Vec<Group<'_>> = report
        .roles
        .iter()
        .map(|r| Group {
            role: Some(r),
            plan: &r.plan,
            address: &r.address,
            findings: Vec::new(),
        })
        .collect();
    for f in &report.findings {
        match groups
            .iter_mut()
            .find(|g| g.plan == f.plan && g.address == f.address)
        {
            Some(g) => g.findings.push(f),
            None => groups.push(Group {
                role: None,
                plan: &f.plan,
                address: &f.address,
                findings: vec![f],
            }),
        }
    }
    for g in &mut groups {
        g.findings
            .sort_by_key(|f| (f.suppressed.is_some(), std::cmp::Reverse(f.severity)));
    }
    groups.sort_by_key(|g| {
        (
            std::cmp::Reverse(g.top()),
            verdict_rank(g.role.map(|r| r.verdict)),
        )
    });
    groups
}

fn badge(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "🔴 critical",
        Severity::High => "🟠 high",
        Severity::Medium => "🟡 medium",
        Severity::Low => "🔵 low",
        Severity::Info => "⚪ info",
    }
}

/// "1 critical and 2 high findings", or "no findings".
fn severity_summary(report: &Report) -> String {
    let counts = report.counts();
    let parts: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|s| {
            let n = counts.by_severity.get(s.as_str()).copied().unwrap_or(0);
            (n > 0).then(|| format!("{n} {s}"))
        })
        .collect();
    let total: usize = counts.by_severity.values().sum();
    let mut text = match parts.as_slice() {
        [] => "no findings".to_string(),
        [init @ .., last] if !init.is_empty() => {
            format!("{} and {last} finding{}", init.join(", "), plural(total))
        }
        [one] => format!("{one} finding{}", plural(total)),
        _ => String::new(),
    };
    if counts.suppressed > 0 {
        text.push_str(&format!(" ({} suppressed)", counts.suppressed));
    }
    text
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Text for a table cell: one line, pipes escaped (GFM honours `\|` inside code spans too).
fn cell(text: &str) -> String {
    text.replace(['\n', '\r'], " ").replace('|', "\\|")
}

/// Text for HTML (the `<summary>` line).
fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn verdict_words(role: Option<&RoleReport>) -> String {
    match role.map(|r| r.verdict) {
        Some(
            v @ (Verdict::Widened | Verdict::Lateral | Verdict::Unparseable | Verdict::Unknown),
        ) => {
            format!("**{}**", v.as_str())
        }
        Some(v) => v.as_str().to_string(),
        None => "—".into(),
    }
}

fn role_cell(g: &Group<'_>, multi_plan: bool) -> String {
    let mut text = code(g.address);
    if let Some(r) = g.role {
        text.push_str(&format!(" ({})", r.actions.join(", ")));
        if let Some(prev) = &r.previous_address {
            text.push_str(&format!(", moved from {}", code(prev)));
        }
    }
    if multi_plan {
        text.push_str(&format!(" in {}", code(g.plan)));
    }
    cell(&text)
}

/// The table rows of one group: one per finding, or one saying there is none.
fn rows(g: &Group<'_>, multi_plan: bool) -> Vec<String> {
    let role = role_cell(g, multi_plan);
    let verdict = verdict_words(g.role);
    if g.findings.is_empty() {
        return vec![format!("| {role} | {verdict} | — | — | no finding |")];
    }
    g.findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let (role, verdict) = if i == 0 {
                (role.as_str(), verdict.as_str())
            } else {
                ("″", "")
            };
            let (severity, message) = match &f.suppressed {
                None => (badge(f.severity).to_string(), f.message.clone()),
                Some(s) => (
                    format!("~~{}~~ suppressed", f.severity),
                    format!("{} _(suppressed: {})_", f.message, s.reason),
                ),
            };
            format!(
                "| {role} | {verdict} | {severity} | {} | {} |",
                code(f.rule),
                cell(&message)
            )
        })
        .collect()
}

fn bullets(lines: &[String]) -> String {
    lines.iter().map(|l| format!("- {l}\n")).collect()
}

/// A code fence longer than any backtick run in `body`.
fn fence(body: &str) -> String {
    let mut longest = 0usize;
    let mut run = 0usize;
    for c in body.chars() {
        run = if c == '`' { run.saturating_add(1) } else { 0 };
        longest = longest.max(run);
    }
    "`".repeat(longest.saturating_add(1).max(3))
}

/// The `<details>` block of one role.
fn details(g: &Group<'_>, sources: &Sources) -> String {
    let mut out = String::new();
    let (verdict, actions) = g.role.map_or(("", String::new()), |r| {
        (r.verdict.as_str(), r.actions.join(", "))
    });
    out.push_str(&format!(
        "<details>\n<summary><code>{}</code> · {verdict} · {}</summary>\n\n",
        html(g.address),
        html(&actions)
    ));
    if let Some(loc) = source_of(sources, g.plan, g.address) {
        out.push_str(&format!(
            "Declared in {} line {}.\n\n",
            code(&loc.file),
            loc.line
        ));
    }
    if let Some(r) = g.role {
        if r.before == r.after {
            out.push_str("**Who can assume it** (unchanged)\n\n");
            out.push_str(&bullets(&words::describe_side(&r.after.value())));
        } else {
            out.push_str("**Who could assume it before**\n\n");
            out.push_str(&bullets(&words::describe_side(&r.before.value())));
            out.push_str("\n**Who can assume it after**\n\n");
            out.push_str(&bullets(&words::describe_side(&r.after.value())));
        }
        out.push('\n');
    }
    if !g.findings.is_empty() {
        out.push_str("**Findings**\n\n");
        for f in &g.findings {
            let suppressed = f
                .suppressed
                .as_ref()
                .map(|s| format!(" _(suppressed: {})_", s.reason))
                .unwrap_or_default();
            out.push_str(&format!(
                "- {} {}: {}{suppressed}\n",
                badge(f.severity),
                code(f.rule),
                f.message.replace(['\n', '\r'], " ")
            ));
            if let Some(w) = &f.witness {
                if let Ok(json) = serde_json::to_string(w) {
                    out.push_str(&format!(
                        "  - witness request (replay it with `trustgate simulate`): {}\n",
                        code(&json)
                    ));
                }
            }
        }
        out.push('\n');
    }
    if let Some(r) = g.role {
        out.push_str(&policy_diff(&r.before.value(), &r.after.value()));
    }
    out.push_str("</details>\n\n");
    out
}

/// The diff of the two normal forms, when both sides are policies (or absent) and differ.
/// A side that is a marker (`"(sensitive)"`, unknown, unparseable) has no text to show.
fn policy_diff(before: &Value, after: &Value) -> String {
    let shown = |v: &Value| matches!(v, Value::Null | Value::Object(_));
    if before == after || !shown(before) || !shown(after) {
        return String::new();
    }
    let (lines, cut) = diff::unified(
        &diff::policy_lines(before),
        &diff::policy_lines(after),
        MAX_DIFF_LINES,
    );
    let mut body = lines.join("\n");
    if cut > 0 {
        body.push_str(&format!("\n  … {cut} more lines"));
    }
    let fence = fence(&body);
    format!(
        "**Policy diff** (normal form; `-` before, `+` after)\n\n{fence}diff\n{body}\n{fence}\n\n"
    )
}

/// Render the comment.
pub fn render(report: &Report, sources: &Sources) -> String {
    let counts = report.counts();
    let groups = groups(report);
    let multi_plan = report.plans.len() > 1;

    let mut out = String::new();
    out.push_str(MARKER);
    out.push('\n');
    if report.exit_code == 1 {
        out.push_str(&format!(
            "### ⛔ trustgate blocked this plan: {}\n\n",
            severity_summary(report)
        ));
    } else {
        out.push_str(&format!(
            "### ✅ trustgate: nothing blocks this plan ({})\n\n",
            severity_summary(report)
        ));
    }
    let verdicts: Vec<String> = Verdict::ALL
        .iter()
        .filter_map(|v| {
            let n = counts.by_verdict.get(v.as_str()).copied().unwrap_or(0);
            (n > 0).then(|| format!("{n} {v}", v = v.as_str()))
        })
        .collect();
    let plans = report.plans.len();
    out.push_str(&format!(
        "Checked {} IAM role{} in {plans} plan{}",
        counts.roles,
        plural(counts.roles),
        plural(plans)
    ));
    if verdicts.is_empty() {
        out.push_str(".\n\n");
    } else {
        out.push_str(&format!(": {}.\n\n", verdicts.join(", ")));
    }
    for note in report.notes.iter().take(MAX_NOTES) {
        out.push_str(&format!(
            "> **Note:** {}\n>\n",
            note.replace(['\n', '\r'], " ")
        ));
    }
    if report.notes.len() > MAX_NOTES {
        out.push_str(&format!(
            "> … and {} more notes\n>\n",
            report.notes.len().saturating_sub(MAX_NOTES)
        ));
    }
    if !report.notes.is_empty() {
        out.truncate(out.len().saturating_sub(2));
        out.push('\n');
    }

    let fits = |out: &String, more: &str| {
        out.len().saturating_add(more.len()).saturating_add(RESERVE) <= LIMIT
    };
    // The table may not take the room the details of the most severe roles need: a reviewer
    // of a huge plan still sees who can assume the worst of them, before and after.
    let table_fits = |out: &String, more: &str| {
        out.len()
            .saturating_add(more.len())
            .saturating_add(RESERVE)
            .saturating_add(DETAILS_ROOM)
            <= LIMIT
    };
    let listed: Vec<&Group<'_>> = groups.iter().filter(|g| !g.quiet()).collect();
    let mut left_findings = 0usize;
    let mut left_roles = 0usize;
    if !listed.is_empty() {
        out.push_str("| Role | Verdict | Severity | Rule | Finding |\n|---|---|---|---|---|\n");
        let mut full = false;
        for g in &listed {
            let text: String = rows(g, multi_plan).into_iter().map(|r| r + "\n").collect();
            if full || !table_fits(&out, &text) {
                full = true;
                left_findings = left_findings.saturating_add(g.findings.len());
                left_roles = left_roles.saturating_add(1);
                continue;
            }
            out.push_str(&text);
        }
        out.push('\n');
    }
    let quiet: Vec<&Group<'_>> = groups.iter().filter(|g| g.quiet()).collect();
    if !quiet.is_empty() {
        let mut names: Vec<String> = quiet
            .iter()
            .take(MAX_QUIET_NAMES)
            .map(|g| code(g.address))
            .collect();
        if quiet.len() > MAX_QUIET_NAMES {
            names.push(format!(
                "{} more",
                quiet.len().saturating_sub(MAX_QUIET_NAMES)
            ));
        }
        let line = format!("Unchanged, no findings: {}.\n\n", names.join(", "));
        if fits(&out, &line) {
            out.push_str(&line);
        }
    }

    let mut left_details = 0usize;
    for g in &listed {
        let block = details(g, sources);
        if fits(&out, &block) {
            out.push_str(&block);
        } else {
            left_details = left_details.saturating_add(1);
        }
    }

    if left_findings > 0 || left_roles > 0 || left_details > 0 {
        let total = report.findings.len();
        out.push_str(&format!(
            "> ✂️ **Truncated** to stay under {LIMIT} characters: {left_findings} of {total} \
             finding{} ({left_roles} role{}) left out of the table, and the details of \
             {left_details} role{}. The JSON (`--format json`) and SARIF (`--format sarif`) \
             outputs hold everything.\n\n",
            plural(total),
            plural(left_roles),
            plural(left_details)
        ));
    }
    out.push_str(&format!(
        "<sub>trustgate {} · exit code {}</sub>\n",
        env!("CARGO_PKG_VERSION"),
        report.exit_code
    ));
    out
}
