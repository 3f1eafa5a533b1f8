//! The pull-request comment: a marker line a bot can find its comment by, a one-line verdict,
//! a short table (severity, role, rule, the finding in one line) that fits a PR page, and per
//! changed role a collapsed `<details>` block with who could assume it before and after in
//! plain words, the findings with their witness, the policy diff, where it is declared, and
//! the `[[ignore]]` entry that would accept it. Never longer than `LIMIT` characters: what
//! does not fit is counted in a note. Every value from a plan, a policy or the configuration
//! goes through `escape`.
//!
//! Only GitHub- and GitLab-flavoured Markdown both render the same is used: pipe tables,
//! `<details>`/`<summary>` with a blank line after the summary, fenced `diff` blocks.

use super::words;
use super::{diff, docs, escape, ignore};
use super::{source_of, Report, SourceLocation, Sources};
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
/// Table columns: the role's address and the finding are shortened to these many characters
/// so the table fits a PR page (about 800 pixels); the details hold them whole.
const MAX_ADDRESS: usize = 40;
const MAX_FINDING: usize = 90;
/// The reason in a suggested `[[ignore]]`: a placeholder the reviewer must replace.
const IGNORE_REASON: &str = "TODO: why this change is accepted";
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

/// A group as the comment orders and counts it: where its role and findings are kept in the
/// results store, not the records themselves, which are read back only to be shown (a comment
/// on 25,000 roles once held every role and finding at once).
struct Entry {
    plan: u32,
    address: String,
    /// The role's position among the results' slots, and its verdict.
    role: Option<(usize, Verdict)>,
    findings: Vec<Placed>,
}

/// A finding as an `Entry` holds it: its slot, its position among that slot's findings, its
/// severity, and whether it is suppressed.
type Placed = (usize, usize, Severity, bool);

impl Entry {
    /// As `Group::top`.
    fn top(&self) -> Option<Severity> {
        self.findings.iter().filter(|f| !f.3).map(|f| f.2).max()
    }

    /// An unchanged role without findings: named in one line, not shown.
    fn quiet(&self) -> bool {
        self.findings.is_empty() && matches!(self.role, Some((_, Verdict::Unchanged)))
    }

    fn verdict(&self) -> Option<Verdict> {
        self.role.map(|(_, v)| v)
    }
}

/// Roles with their findings, most severe first (then by verdict, then in report order), and
/// each role's findings most severe first: what truncation drops is always the least severe.
/// A role's group is the first role of its plan and address; each finding joins the group of
/// its plan and address, or starts one.
fn entries(results: &crate::report::store::Results) -> Vec<Entry> {
    let mut index: std::collections::HashMap<(u32, String), usize> =
        std::collections::HashMap::new();
    let mut entries: Vec<Entry> = Vec::new();
    // Findings are placed once every role has its group, as the groups are made from the
    // roles first.
    let mut pending: Vec<(u32, String, Placed)> = Vec::new();
    for (slot, plan, role, findings) in results.records_at() {
        if let Some(role) = role {
            index
                .entry((plan, role.address.clone()))
                .or_insert(entries.len());
            entries.push(Entry {
                plan,
                address: role.address,
                role: Some((slot, role.verdict)),
                findings: Vec::new(),
            });
        }
        for (i, f) in findings.into_iter().enumerate() {
            pending.push((
                plan,
                f.address,
                (slot, i, f.severity, f.suppressed.is_some()),
            ));
        }
    }
    for (plan, address, finding) in pending {
        match index.entry((plan, address)) {
            std::collections::hash_map::Entry::Occupied(group) => {
                if let Some(e) = entries.get_mut(*group.get()) {
                    e.findings.push(finding);
                }
            }
            std::collections::hash_map::Entry::Vacant(place) => {
                let address = place.key().1.clone();
                place.insert(entries.len());
                entries.push(Entry {
                    plan,
                    address,
                    role: None,
                    findings: vec![finding],
                });
            }
        }
    }
    for e in &mut entries {
        e.findings
            .sort_by_key(|&(_, _, severity, suppressed)| (suppressed, std::cmp::Reverse(severity)));
    }
    entries.sort_by_key(|e| (std::cmp::Reverse(e.top()), verdict_rank(e.verdict())));
    entries
}

/// An entry's role and findings, read back from the results for showing.
struct Shown {
    plan: String,
    role: Option<RoleReport>,
    findings: Vec<Finding>,
}

impl Shown {
    fn read(results: &crate::report::store::Results, e: &Entry) -> Shown {
        let mut records: std::collections::HashMap<usize, Vec<Option<Finding>>> =
            std::collections::HashMap::new();
        let mut role = None;
        if let Some((slot, _)) = e.role {
            if let Some((r, findings)) = results.record_at(slot) {
                role = r;
                records.insert(slot, findings.into_iter().map(Some).collect());
            }
        }
        for &(slot, ..) in &e.findings {
            if let std::collections::hash_map::Entry::Vacant(place) = records.entry(slot) {
                if let Some((_, findings)) = results.record_at(slot) {
                    place.insert(findings.into_iter().map(Some).collect());
                }
            }
        }
        let findings = e
            .findings
            .iter()
            .filter_map(|&(slot, i, ..)| {
                records
                    .get_mut(&slot)
                    .and_then(|list| list.get_mut(i))
                    .and_then(Option::take)
            })
            .collect();
        Shown {
            plan: results.plan_name(e.plan),
            role,
            findings,
        }
    }

    fn group<'a>(&'a self, e: &'a Entry) -> Group<'a> {
        Group {
            role: self.role.as_ref(),
            plan: &self.plan,
            address: &e.address,
            findings: self.findings.iter().collect(),
        }
    }
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

/// The verdict line: blocked, clear, or (before either) that some input was not read, since
/// a run that could not read everything must never look clear.
pub fn verdict_line(report: &Report) -> String {
    if !report.errors.is_empty() {
        let n = report.errors.len();
        return format!(
            "### ⚠️ trustgate could not read {n} input{}: the plan is not cleared ({} in what was read)",
            plural(n),
            severity_summary(report)
        );
    }
    if report.exit_code == 1 {
        format!(
            "### ⛔ trustgate blocked this plan: {}",
            severity_summary(report)
        )
    } else {
        format!(
            "### ✅ trustgate: nothing blocks this plan ({})",
            severity_summary(report)
        )
    }
}

/// The first clause of a message (up to the first `: ` outside a quoted value), the part
/// that names what happened; the rest (who gains access, how) is in the role's details.
fn headline(message: &str) -> &str {
    let mut quoted = false;
    let mut prev = '\0';
    for (i, c) in message.char_indices() {
        if c == '`' {
            quoted = !quoted;
        }
        if c == ' ' && prev == ':' && !quoted {
            return message.get(..i.saturating_sub(1)).unwrap_or(message);
        }
        prev = c;
    }
    message
}

/// A link to the rule's documentation, its id as the text.
fn rule_link(rule: &str) -> String {
    format!("[{}]({})", escape::md_text(rule), docs::rule_url(rule))
}

/// The table rows of one group, one per finding.
fn rows(g: &Group<'_>) -> String {
    let role = escape::md_cell_code(g.address, MAX_ADDRESS);
    let mut out = String::new();
    for (i, f) in g.findings.iter().enumerate() {
        let role = if i == 0 { role.as_str() } else { "″" };
        let (severity, tail) = match &f.suppressed {
            None => (badge(f.severity).to_string(), ""),
            Some(_) => (format!("~~{}~~", f.severity), " _(suppressed)_"),
        };
        out.push_str(&format!(
            "| {severity} | {role} | {} | {}{tail} |\n",
            rule_link(f.rule),
            escape::md_cell(headline(&f.message), MAX_FINDING)
        ));
    }
    out
}

fn bullets(lines: &[String]) -> String {
    lines.iter().map(|l| format!("- {l}\n")).collect()
}

/// A code fence longer than any backtick run in `body`.
fn fence(body: &str) -> String {
    "`".repeat(escape::longest_backtick_run(body).saturating_add(1).max(3))
}

/// A fenced block of `lang`, each line made visible (no control or bidirectional character
/// can reorder what a reviewer reads).
fn fenced(lang: &str, body: &str) -> String {
    let body: String = body
        .lines()
        .map(escape::visible)
        .collect::<Vec<_>>()
        .join("\n");
    let fence = fence(&body);
    format!("{fence}{lang}\n{body}\n{fence}\n")
}

/// Where the role is declared, as a link when the forge's file URL is known.
fn declared(loc: &SourceLocation, link_base: Option<&str>) -> String {
    let place = format!("{} line {}", escape::md_code(&loc.file), loc.line);
    match link_base {
        Some(base) => format!(
            "Declared in [{place}]({base}{}#L{}).\n\n",
            super::sarif::uri(&loc.file),
            loc.line
        ),
        None => format!("Declared in {place}.\n\n"),
    }
}

/// The `<details>` block of one role.
fn details(g: &Group<'_>, sources: &Sources, link_base: Option<&str>, multi_plan: bool) -> String {
    let mut out = String::new();
    let (verdict, actions) = g.role.map_or(("", String::new()), |r| {
        (r.verdict.as_str(), r.actions.join(", "))
    });
    let mut summary = format!(
        "<code>{}</code> · {verdict} · {}",
        escape::html(g.address),
        escape::html(&actions)
    );
    if let Some(top) = g.top() {
        summary.push_str(&format!(" · {}", badge(top)));
    }
    if multi_plan {
        summary.push_str(&format!(" · in <code>{}</code>", escape::html(g.plan)));
    }
    // What whoever assumes the role can do, when the plan was read for it.
    if let Some(p) = g.role.and_then(|r| r.permissions.as_ref()) {
        summary.push_str(&format!(" · permissions: {}", p.class.as_str()));
    }
    out.push_str(&format!("<details>\n<summary>{summary}</summary>\n\n"));
    if let Some(r) = g.role {
        if let Some(prev) = &r.previous_address {
            out.push_str(&format!("Moved from {}.\n\n", escape::md_code(prev)));
        }
    }
    if let Some(loc) = source_of(sources, g.plan, g.address) {
        out.push_str(&declared(loc, link_base));
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
                .map(|s| format!(" _(suppressed: {})_", escape::md_text(&s.reason)))
                .unwrap_or_default();
            out.push_str(&format!(
                "- {} {}: {}{suppressed}\n",
                badge(f.severity),
                rule_link(f.rule),
                escape::md_message(&f.message)
            ));
            if let Some(w) = &f.witness {
                if let Ok(json) = serde_json::to_string(w) {
                    out.push_str(&format!(
                        "  - witness request (replay it with `trustgate simulate`): {}\n",
                        escape::md_code(&json)
                    ));
                }
            }
        }
        out.push('\n');
    }
    if let Some(r) = g.role {
        out.push_str(&policy_diff(&r.before.value(), &r.after.value()));
    }
    let open: Vec<&&Finding> = g
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .collect();
    if !open.is_empty() {
        let entries: Vec<String> = open
            .iter()
            .map(|f| ignore::entry(f, IGNORE_REASON, None))
            .collect();
        out.push_str(&format!(
            "**To accept** {} after review, add to `trustgate.toml` (the fingerprint pins it to \
             this exact change):\n\n{}\n",
            if open.len() == 1 {
                "this finding"
            } else {
                "these findings"
            },
            fenced("toml", &entries.join("\n"))
        ));
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
    format!(
        "**Policy diff** (normal form; `-` before, `+` after)\n\n{}\n",
        fenced("diff", &body)
    )
}

/// Render the comment, with no links to the source files.
pub fn render(report: &Report, sources: &Sources) -> String {
    render_with(report, sources, None)
}

/// Render the comment; `link_base`, when the forge's file URL for this commit is known
/// (ending in `/`), turns each role's declaration into a link.
pub fn render_with(report: &Report, sources: &Sources, link_base: Option<&str>) -> String {
    let counts = report.counts();
    let results = &report.results;
    let groups = entries(results);
    let multi_plan = report.plans.len() > 1;

    let mut out = String::new();
    out.push_str(MARKER);
    out.push('\n');
    out.push_str(&verdict_line(report));
    out.push_str("\n\n");
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
    let mut quoted = false;
    for e in report.errors.iter().take(MAX_NOTES) {
        // The message names the file itself; shown as code, the name survives any backtick.
        let reason = e
            .message
            .strip_prefix(e.path.as_str())
            .and_then(|r| r.strip_prefix(": "))
            .unwrap_or(&e.message);
        out.push_str(&format!(
            "> ⚠️ **Not read:** {}: {}\n>\n",
            escape::md_code(&e.path),
            escape::md_message(reason)
        ));
        quoted = true;
    }
    if report.errors.len() > MAX_NOTES {
        out.push_str(&format!(
            "> … and {} more inputs not read\n>\n",
            report.errors.len().saturating_sub(MAX_NOTES)
        ));
    }
    for note in report.notes.iter().take(MAX_NOTES) {
        out.push_str(&format!("> **Note:** {}\n>\n", escape::md_message(note)));
        quoted = true;
    }
    if report.notes.len() > MAX_NOTES {
        out.push_str(&format!(
            "> … and {} more notes\n>\n",
            report.notes.len().saturating_sub(MAX_NOTES)
        ));
    }
    if quoted {
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
    let with_findings: Vec<&Entry> = groups.iter().filter(|g| !g.findings.is_empty()).collect();
    let mut left_findings = 0usize;
    let mut left_roles = 0usize;
    if !with_findings.is_empty() {
        out.push_str("| Severity | Role | Rule | Finding |\n|---|---|---|---|\n");
        let mut full = false;
        for g in &with_findings {
            if full {
                left_findings = left_findings.saturating_add(g.findings.len());
                left_roles = left_roles.saturating_add(1);
                continue;
            }
            let text = rows(&Shown::read(results, g).group(g));
            if !table_fits(&out, &text) {
                full = true;
                left_findings = left_findings.saturating_add(g.findings.len());
                left_roles = left_roles.saturating_add(1);
                continue;
            }
            out.push_str(&text);
        }
        out.push('\n');
    }
    let names = |list: &[&Entry], with_verdict: bool| -> String {
        let mut names: Vec<String> = list
            .iter()
            .take(MAX_QUIET_NAMES)
            .map(|g| {
                let name = escape::md_code(&g.address);
                match g.verdict() {
                    Some(v) if with_verdict => format!("{name} ({})", v.as_str()),
                    _ => name,
                }
            })
            .collect();
        if list.len() > MAX_QUIET_NAMES {
            names.push(format!(
                "{} more",
                list.len().saturating_sub(MAX_QUIET_NAMES)
            ));
        }
        names.join(", ")
    };
    let changed: Vec<&Entry> = groups
        .iter()
        .filter(|g| g.findings.is_empty() && !g.quiet())
        .collect();
    if !changed.is_empty() {
        let line = format!("Changed, no findings: {}.\n\n", names(&changed, true));
        if fits(&out, &line) {
            out.push_str(&line);
        }
    }
    let quiet: Vec<&Entry> = groups.iter().filter(|g| g.quiet()).collect();
    if !quiet.is_empty() {
        let line = format!("Unchanged, no findings: {}.\n\n", names(&quiet, false));
        if fits(&out, &line) {
            out.push_str(&line);
        }
    }

    let mut left_details = 0usize;
    for g in groups.iter().filter(|g| !g.quiet()) {
        let shown = Shown::read(results, g);
        let block = details(&shown.group(g), sources, link_base, multi_plan);
        if fits(&out, &block) {
            out.push_str(&block);
        } else {
            left_details = left_details.saturating_add(1);
        }
    }

    if left_findings > 0 || left_roles > 0 || left_details > 0 {
        let total: usize = groups.iter().map(|g| g.findings.len()).sum();
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
        "<sub>trustgate {} · exit code {} · [rules]({})</sub>\n",
        env!("CARGO_PKG_VERSION"),
        report.exit_code,
        docs::rules_page()
    ));
    out
}
