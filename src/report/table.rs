//! The human-readable report: roles, findings grouped by role, the inputs that could not be
//! read, and a summary line. Values are shown with control and bidirectional characters
//! escaped (`escape::visible`) and very long ones shortened, so a policy cannot repaint the
//! terminal or reorder what a reader sees.

use super::escape::{clip, visible};
use super::Report;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Attribute, Cell, Color, ColumnConstraint, ContentArrangement, Table, Width};

/// A principal, an address or a plan path is shortened to this many characters.
const MAX_VALUE: usize = 160;

fn shown(text: &str) -> String {
    visible(&clip(text, MAX_VALUE))
}

/// Render for a terminal (`color`) or a log (plain): `width` columns when given (the
/// terminal's), else each table as wide as its content needs.
pub fn render(report: &Report, color: bool, width: Option<u16>) -> String {
    let mut out = String::new();
    let multi_plan = report.plans.len() > 1;

    if report.results.is_empty() {
        out.push_str("no IAM role trust policies in the plan\n");
    } else {
        let mut roles = new_table(color, width);
        let mut header = vec![
            "Role",
            "Actions",
            "Verdict",
            "Who can assume (before → after)",
        ];
        if multi_plan {
            header.insert(0, "Plan");
        }
        roles.set_header(header.into_iter().map(|h| head(h, color)));
        let mut widest = 0;
        for role in report.roles() {
            let mut address = shown(&role.address);
            if let Some(prev) = &role.previous_address {
                address = format!("{address}\n(moved from {})", shown(prev));
            }
            let before: Vec<String> = role.principals_before.iter().map(|p| shown(p)).collect();
            let after: Vec<String> = role.principals_after.iter().map(|p| shown(p)).collect();
            if let Some(old) = &role.paired_with {
                address = format!("{address}\n(renamed from {})", shown(old));
            }
            if role.imported {
                address.push_str("\n(imported)");
            }
            // Where the own account came from, when it was inferred rather than read from
            // the role's ARN (the ARN is there for a reviewer to see).
            if let (Some(account), Some(source)) = (&role.own_account, role.own_account_source) {
                if source != "role-arn" {
                    address = format!("{address}\nown account {account}\n(from {source})");
                }
            }
            if let Some(p) = &role.permissions {
                address = format!("{address}\npermissions: {}", p.class.as_str());
            }
            widest = address
                .lines()
                .map(|l| l.chars().count())
                .fold(widest, usize::max);
            let mut row = vec![
                Cell::new(address),
                Cell::new(shown(&role.actions.join(","))),
                verdict_cell(role.verdict.as_str(), color),
                Cell::new(principals(&before, &after)),
            ];
            if multi_plan {
                row.insert(0, Cell::new(shown(&role.plan)));
            }
            roles.add_row(row);
        }
        // Keep addresses (and the notes under them) whole where they fit: a wrapped address
        // is hard to search for.
        let role_column = usize::from(multi_plan);
        if let Some(column) = roles.column_mut(role_column) {
            column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(
                // The width counts the cell padding (one space each side).
                u16::try_from(widest.min(32).saturating_add(2)).unwrap_or(34),
            )));
        }
        out.push_str(&roles.to_string());
        out.push('\n');
    }

    // Findings grouped by role, in report order.
    let all: Vec<crate::finding::Finding> = report.findings().collect();
    let mut index: std::collections::HashMap<(&str, &str), usize> =
        std::collections::HashMap::new();
    let mut groups: Vec<(&str, &str, Vec<&crate::finding::Finding>)> = Vec::new();
    for f in &all {
        match index
            .get(&(f.plan.as_str(), f.address.as_str()))
            .and_then(|&i| groups.get_mut(i))
        {
            Some((_, _, list)) => list.push(f),
            None => {
                index.insert((&f.plan, &f.address), groups.len());
                groups.push((&f.plan, &f.address, vec![f]));
            }
        }
    }
    for (plan, address, list) in groups {
        out.push('\n');
        if multi_plan {
            out.push_str(&format!("{} ({})\n", shown(address), shown(plan)));
        } else {
            out.push_str(&format!("{}\n", shown(address)));
        }
        let mut findings = new_table(color, width);
        findings.set_header(
            ["Severity", "Rule", "Finding"]
                .into_iter()
                .map(|h| head(h, color)),
        );
        for f in list {
            let mut message = visible(&f.message);
            if let Some(s) = &f.suppressed {
                message = format!("{message}\n(suppressed: {})", visible(&s.reason));
            }
            findings.add_row(vec![
                severity_cell(f.severity.as_str(), color),
                Cell::new(f.rule),
                Cell::new(message),
            ]);
        }
        out.push_str(&findings.to_string());
        out.push('\n');
    }
    if !all.is_empty() || !report.notes.is_empty() || !report.errors.is_empty() {
        out.push('\n');
    }
    // Where each rule that fired is explained, once per rule.
    let mut rules: Vec<&str> = Vec::new();
    for f in &all {
        if !rules.contains(&f.rule) {
            rules.push(f.rule);
        }
    }
    for rule in rules {
        out.push_str(&format!(
            "rule {}: {}\n",
            visible(rule),
            super::docs::rule_url(rule)
        ));
    }

    for note in &report.notes {
        out.push_str(&format!("note: {}\n", visible(note)));
    }
    for e in &report.errors {
        out.push_str(&format!("error: not read: {}\n", visible(&e.message)));
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    out
}

fn new_table(color: bool, width: Option<u16>) -> Table {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    match width {
        Some(w) => {
            table
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(w);
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    if color {
        // Colour was decided by the caller (`--color always` into a pipe included).
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table
}

fn head(text: &str, color: bool) -> Cell {
    let cell = Cell::new(text);
    if color {
        cell.add_attribute(Attribute::Bold)
    } else {
        cell
    }
}

fn list_or_dash(items: &[String]) -> String {
    if items.is_empty() {
        "-".into()
    } else {
        items.join("\n")
    }
}

/// One list when nothing changed, else `before` → `after`.
fn principals(before: &[String], after: &[String]) -> String {
    if before == after {
        list_or_dash(after)
    } else {
        format!(
            "{}\n→ {}",
            list_or_dash(before),
            list_or_dash(after).replace('\n', "\n  ")
        )
    }
}

fn verdict_cell(verdict: &str, color: bool) -> Cell {
    let cell = Cell::new(verdict);
    if !color {
        return cell;
    }
    match verdict {
        "widened" | "lateral" | "unparseable" => cell.fg(Color::Red),
        "unknown" | "created" => cell.fg(Color::Yellow),
        "narrowed" | "unchanged" | "deleted" => cell.fg(Color::Green),
        _ => cell,
    }
}

fn severity_cell(severity: &str, color: bool) -> Cell {
    let cell = Cell::new(severity);
    if !color {
        return cell;
    }
    match severity {
        "critical" | "high" => cell.fg(Color::Red).add_attribute(Attribute::Bold),
        "medium" => cell.fg(Color::Yellow),
        _ => cell,
    }
}

/// One line that says what was judged and the outcome: roles changed, the main verdicts
/// (always, so a log reader sees "0 unknown" rather than wondering), the rarer ones when
/// present, findings by severity and suppressed. Never contains the word "fail" (some CI
/// systems grep for it); a blocking run says "blocked".
pub fn summary_line(report: &Report) -> String {
    use crate::analysis::Verdict;
    let c = report.counts();
    let count = |v: Verdict| c.by_verdict.get(v.as_str()).copied().unwrap_or(0);
    let always = [
        Verdict::Widened,
        Verdict::Narrowed,
        Verdict::Unchanged,
        Verdict::Unknown,
    ];
    let verdicts: Vec<String> = Verdict::ALL
        .iter()
        .filter(|v| always.contains(v) || count(**v) > 0)
        .map(|v| format!("{} {}", count(*v), v.as_str()))
        .collect();
    let changed = c.changed;
    let severities: Vec<String> = crate::finding::Severity::ALL
        .iter()
        .filter_map(|s| {
            let n = c.by_severity.get(s.as_str()).copied().unwrap_or(0);
            (n > 0).then(|| format!("{n} {s}"))
        })
        .collect();
    let plans = report.plans.len();
    let mut line = format!(
        "{plans} plan{}, {} role{} ({changed} changed): {}",
        if plans == 1 { "" } else { "s" },
        c.roles,
        if c.roles == 1 { "" } else { "s" },
        verdicts.join(", ")
    );
    if severities.is_empty() {
        line.push_str("; no findings");
    } else {
        line.push_str(&format!("; findings: {}", severities.join(", ")));
    }
    line.push_str(&format!(", {} suppressed", c.suppressed));
    let n = report.errors.len();
    if n > 0 {
        line.push_str(&format!(
            " — not cleared: {n} input{} not read",
            if n == 1 { "" } else { "s" }
        ));
    } else if report.exit_code == 1 {
        line.push_str(" — blocked");
    } else {
        line.push_str(" — ok");
    }
    line
}
