//! The human-readable report: roles, findings grouped by role, the inputs that could not be
//! read, and a summary line. Values are shown with control and bidirectional characters
//! escaped (`escape::visible`) and very long ones shortened, so a policy cannot repaint the
//! terminal or reorder what a reader sees.

use super::escape::{clip, visible};
use super::{Report, RoleReport};
use crate::finding::Finding;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{
    Attribute, Cell, Color, ColumnConstraint, ContentArrangement, Table, TableComponent, Width,
};
use std::collections::{HashMap, HashSet};
use std::io::Write;

/// A principal, an address or a plan path is shortened to this many characters.
const MAX_VALUE: usize = 160;

fn shown(text: &str) -> String {
    visible(&clip(text, MAX_VALUE))
}

/// Render for a terminal (`color`) or a log (plain): `width` columns when given (the
/// terminal's), else each table as wide as its content needs.
pub fn render(report: &Report, color: bool, width: Option<u16>) -> String {
    let mut out = Vec::new();
    match write(report, color, width, &mut out) {
        Ok(()) => String::from_utf8_lossy(&out).into_owned(),
        // Writing into memory cannot fail; say so rather than panic.
        Err(e) => format!("error: cannot render the table: {e}\n"),
    }
}

/// Write the same report straight to `out`. The roles table is drawn in pieces of `PIECE`
/// rows whose column widths are settled first over every row (`measure`), so a report on 25k
/// roles is never held whole, on a terminal (wrapped to its width) or elsewhere.
pub fn write(
    report: &Report,
    color: bool,
    width: Option<u16>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let multi_plan = report.plans.len() > 1;
    if report.results.is_empty() {
        out.write_all(b"no IAM role trust policies in the plan\n")?;
    } else {
        write_roles_in_pieces(report, color, width, multi_plan, PIECE, out)?;
    }
    // Findings grouped by role, in report order. A role's findings are read back together, so
    // a group is a run of findings of one (plan, address); only when a hostile plan repeats an
    // address apart are the findings all held, to group them as one.
    let mut rules: Vec<&'static str> = Vec::new();
    let mut any = false;
    if runs_repeat(report) {
        let all: Vec<Finding> = report.findings().collect();
        let mut groups: Vec<(&str, &str, Vec<&Finding>)> = Vec::new();
        let mut index: HashMap<(&str, &str), usize> = HashMap::new();
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
            write_group(plan, address, &list, multi_plan, color, width, out)?;
        }
        for f in &all {
            any = true;
            if !rules.contains(&f.rule) {
                rules.push(f.rule);
            }
        }
    } else {
        let mut group: Vec<Finding> = Vec::new();
        for f in report.findings() {
            any = true;
            if !rules.contains(&f.rule) {
                rules.push(f.rule);
            }
            if group
                .first()
                .is_some_and(|g| g.plan != f.plan || g.address != f.address)
            {
                write_run(&group, multi_plan, color, width, out)?;
                group.clear();
            }
            group.push(f);
        }
        write_run(&group, multi_plan, color, width, out)?;
    }
    if any || !report.notes.is_empty() || !report.errors.is_empty() {
        out.write_all(b"\n")?;
    }
    // Where each rule that fired is explained, once per rule.
    for rule in rules {
        writeln!(
            out,
            "rule {}: {}",
            visible(rule),
            super::docs::rule_url(rule)
        )?;
    }
    for note in &report.notes {
        writeln!(out, "note: {}", visible(note))?;
    }
    for e in &report.errors {
        writeln!(out, "error: not read: {}", visible(&e.message))?;
    }
    writeln!(out, "{}", summary_line(report))
}

/// Rows of the roles table drawn at once.
const PIECE: usize = 512;

/// The roles table in pieces that join into the table laid out at once: each column's width
/// is what comfy-table chooses for the whole table (`measure`); each piece is drawn with those
/// widths fixed, the first with the top border and the header, the others with neither, and
/// the bottom border once at the end.
fn write_roles_in_pieces(
    report: &Report,
    color: bool,
    width: Option<u16>,
    multi_plan: bool,
    rows: usize,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let widths = measure(report, color, width, multi_plan);
    let mut bottom = String::new();
    let mut first = true;
    let mut roles = report.roles().peekable();
    while roles.peek().is_some() {
        let mut piece = if first {
            roles_table(color, None, multi_plan)
        } else {
            new_table(color, None)
        };
        for role in roles.by_ref().take(rows) {
            piece.add_row(role_row(&role, color, multi_plan, &mut 0));
        }
        for (index, w) in widths.iter().enumerate() {
            if let Some(column) = piece.column_mut(index) {
                column.set_constraint(ColumnConstraint::Absolute(Width::Fixed(*w)));
            }
        }
        // Line by line: the table's `Display` first joins every line into one more string.
        let mut lines = piece.lines().skip(usize::from(!first)).peekable();
        while let Some(line) = lines.next() {
            if lines.peek().is_none() {
                bottom = line;
            } else {
                writeln!(out, "{line}")?;
            }
        }
        first = false;
    }
    writeln!(out, "{bottom}")
}

/// The width of each column of the roles table (cell padding included) as comfy-table lays
/// out the whole table. Its layout reads a column only through the lines of its cells, each
/// line on its own (the widest; on a terminal, also how each would wrap at a trial width), so
/// a table of one row whose cells hold every distinct line of their column is laid out as the
/// whole table is: comfy-table lays out that digest and its widths are read off its top
/// border. Without a width only the widest line counts, so a line of that many `x` stands for
/// each column.
fn measure(report: &Report, color: bool, width: Option<u16>, multi_plan: bool) -> Vec<u16> {
    let mut distinct: Vec<HashSet<String>> = Vec::new();
    let mut widest_lines: Vec<u16> = Vec::new();
    let mut widest = 0;
    let mut roles = report.roles().peekable();
    while roles.peek().is_some() {
        let mut piece = Table::new();
        for role in roles.by_ref().take(PIECE) {
            let row = role_row(&role, color, multi_plan, &mut widest);
            if width.is_some() {
                distinct.resize_with(row.len().max(distinct.len()), HashSet::new);
                for (lines, cell) in distinct.iter_mut().zip(&row) {
                    for line in cell.content().split('\n') {
                        if !lines.contains(line) {
                            lines.insert(line.to_string());
                        }
                    }
                }
            }
            piece.add_row(row);
        }
        let measured = piece.column_max_content_widths();
        widest_lines.resize(measured.len().max(widest_lines.len()), 0);
        for (w, m) in widest_lines.iter_mut().zip(measured) {
            *w = (*w).max(m);
        }
    }
    let cells: Vec<Cell> = if width.is_some() {
        distinct
            .iter()
            .map(|lines| {
                let mut lines: Vec<&str> = lines.iter().map(String::as_str).collect();
                lines.sort_unstable();
                Cell::new(lines.join("\n"))
            })
            .collect()
    } else {
        widest_lines
            .iter()
            .map(|&w| Cell::new("x".repeat(usize::from(w))))
            .collect()
    };
    let mut digest = roles_table(color, width, multi_plan);
    digest.add_row(cells);
    keep_addresses_whole(&mut digest, multi_plan, widest);
    let junction = digest
        .style(TableComponent::TopBorderIntersections)
        .unwrap_or('┬');
    let top = digest.lines().next().unwrap_or_default();
    let mut chars = top.chars();
    // The corners are not columns.
    chars.next();
    chars.next_back();
    chars
        .as_str()
        .split(junction)
        .map(|segment| u16::try_from(segment.chars().count()).unwrap_or(u16::MAX))
        .collect()
}

fn roles_table(color: bool, width: Option<u16>, multi_plan: bool) -> Table {
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
    roles
}

/// One role's row; `widest` grows to the longest line of its address cell.
fn role_row(role: &RoleReport, color: bool, multi_plan: bool, widest: &mut usize) -> Vec<Cell> {
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
    // Where the own account came from, when it was inferred rather than read from the role's
    // ARN (the ARN is there for a reviewer to see).
    if let (Some(account), Some(source)) = (&role.own_account, role.own_account_source) {
        if source != "role-arn" {
            address = format!("{address}\nown account {account}\n(from {source})");
        }
    }
    if let Some(p) = &role.permissions {
        address = format!("{address}\npermissions: {}", p.class.as_str());
    }
    *widest = address
        .lines()
        .map(|l| l.chars().count())
        .fold(*widest, usize::max);
    let mut row = vec![
        Cell::new(address),
        Cell::new(shown(&role.actions.join(","))),
        verdict_cell(role.verdict.as_str(), color),
        Cell::new(principals(&before, &after)),
    ];
    if multi_plan {
        row.insert(0, Cell::new(shown(&role.plan)));
    }
    row
}

/// The role column's least width, padding included: addresses up to 32 characters.
fn lower_boundary(widest: usize) -> u16 {
    u16::try_from(widest.min(32).saturating_add(2)).unwrap_or(34)
}

/// Keep addresses (and the notes under them) whole where they fit: a wrapped address is hard
/// to search for.
fn keep_addresses_whole(roles: &mut Table, multi_plan: bool, widest: usize) {
    if let Some(column) = roles.column_mut(usize::from(multi_plan)) {
        column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(
            lower_boundary(widest),
        )));
    }
}

/// Whether some (plan, address) has findings in two runs apart (two roles of one address in
/// a hostile plan): those must be shown as one group.
fn runs_repeat(report: &Report) -> bool {
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut last: Option<(String, String)> = None;
    for f in report.findings() {
        if last
            .as_ref()
            .is_some_and(|(p, a)| *p == f.plan && *a == f.address)
        {
            continue;
        }
        let key = (f.plan, f.address);
        if !seen.insert(key.clone()) {
            return true;
        }
        last = Some(key);
    }
    false
}

fn write_run(
    run: &[Finding],
    multi_plan: bool,
    color: bool,
    width: Option<u16>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match run.first() {
        Some(f) => {
            let list: Vec<&Finding> = run.iter().collect();
            write_group(&f.plan, &f.address, &list, multi_plan, color, width, out)
        }
        None => Ok(()),
    }
}

/// One role's findings: its address (and plan), then a table of them.
fn write_group(
    plan: &str,
    address: &str,
    list: &[&Finding],
    multi_plan: bool,
    color: bool,
    width: Option<u16>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    out.write_all(b"\n")?;
    if multi_plan {
        writeln!(out, "{} ({})", shown(address), shown(plan))?;
    } else {
        writeln!(out, "{}", shown(address))?;
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
    writeln!(out, "{findings}")
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

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use crate::analysis::{analyse_pair, RoleResult};
    use crate::report::store::Results;
    use crate::rules::RuleSettings;

    const SERVICE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    const ANYONE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}"#;

    /// A widened role (it has findings) at `address`, of plan `plan`.
    fn role(plan: &str, address: &str) -> RoleResult {
        let mut result = analyse_pair(Some(SERVICE), ANYONE, None, &RuleSettings::default());
        result.role.plan = plan.to_string();
        result.role.address = address.to_string();
        for f in &mut result.findings {
            f.plan = plan.to_string();
            f.address = address.to_string();
        }
        result
    }

    fn report(results: Vec<RoleResult>) -> Report {
        Report {
            plans: Vec::new(),
            results: Results::from_results(results),
            notes: Vec::new(),
            errors: Vec::new(),
            exit_code: 1,
        }
    }

    fn text(write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
        let mut out = Vec::new();
        write(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The roles table laid out as one comfy-table, every row held: what the pieces must
    /// join into.
    fn at_once(report: &Report, color: bool, width: Option<u16>, multi_plan: bool) -> String {
        let mut roles = roles_table(color, width, multi_plan);
        let mut widest = 0;
        for role in report.roles() {
            roles.add_row(role_row(&role, color, multi_plan, &mut widest));
        }
        keep_addresses_whole(&mut roles, multi_plan, widest);
        format!("{roles}\n")
    }

    /// Addresses and principals of every kind of width: short, long, wide (two columns a
    /// character), combining marks (more characters than columns, where the role column's
    /// lower boundary, counted in characters, widens the column beyond its content), words
    /// longer than any column, lines repeated across roles.
    fn assorted() -> Vec<Vec<RoleResult>> {
        let kinds = [
            |i: usize| format!("aws_iam_role.r{i}"),
            |i: usize| format!("module.platform[\"eu-west-1\"].aws_iam_role.deploy_{i}_long_name"),
            |i: usize| format!("aws_iam_role.役割{i}"),
            |i: usize| format!("aws_iam_role.{}", "e\u{301}".repeat(i % 13)),
            |i: usize| format!("module.a b c d e f g h.aws_iam_role.{}", "z".repeat(i * 7)),
        ];
        let widen = |mut r: RoleResult, i: usize| {
            r.role.principals_after = (0..i % 4)
                .map(|k| {
                    format!(
                        "arn:aws:iam::{k:012}:role/a path with spaces/{}",
                        "w".repeat(i)
                    )
                })
                .collect();
            // Words that wrap one a line at a trial width, so comfy-table narrows the column
            // to the longest word: a layout only the lines themselves decide.
            if i.is_multiple_of(3) {
                r.role.principals_before =
                    vec![format!("{}tenletters", "abcdefghij ".repeat(i % 7))];
            }
            r.role.previous_address = i.is_multiple_of(5).then(|| format!("aws_iam_role.old {i}"));
            r
        };
        vec![
            (0..23)
                .map(|i| widen(role("a.json", &kinds[i % 5](i)), i))
                .collect(),
            (0..9).map(|i| role("a.json", &kinds[3](i + 3))).collect(),
            (0..12)
                .map(|i| widen(role("a.json", &format!("aws_iam_role.r{i}")), i))
                .collect(),
            (0..6)
                .map(|i| {
                    let mut r = role("a.json", &format!("aws_iam_role.r{i}"));
                    r.role.principals_before = vec!["abcdefghij ".repeat(i + 2)];
                    r.role.principals_after = vec![format!("{}end", "abcdefghij ".repeat(i))];
                    r
                })
                .collect(),
            (0..5)
                .map(|i| role(if i < 3 { "a.json" } else { "b.json" }, "r"))
                .collect(),
        ]
    }

    #[test]
    fn a_roles_table_drawn_in_pieces_is_the_table_drawn_at_once() {
        for set in assorted() {
            let report = report(set);
            for width in [
                None,
                Some(20),
                Some(33),
                Some(57),
                Some(80),
                Some(120),
                Some(200),
            ] {
                for multi_plan in [false, true] {
                    for color in [false, true] {
                        let whole = at_once(&report, color, width, multi_plan);
                        assert!(whole.lines().count() > 4, "{whole}");
                        for rows in [1, 2, 7, 1000] {
                            let pieces = text(|out| {
                                write_roles_in_pieces(&report, color, width, multi_plan, rows, out)
                            });
                            assert_eq!(
                                pieces, whole,
                                "pieces of {rows} rows, width {width:?}, multi-plan {multi_plan}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn findings_of_one_address_apart_are_shown_as_one_group() {
        let apart = report(vec![
            role("a.json", "aws_iam_role.x"),
            role("a.json", "aws_iam_role.y"),
            role("a.json", "aws_iam_role.x"),
        ]);
        assert!(runs_repeat(&apart));
        let out = render(&apart, false, None);
        // Headings are the address alone on its line.
        assert_eq!(
            out.lines().filter(|l| *l == "aws_iam_role.x").count(),
            1,
            "{out}"
        );
        assert_eq!(
            out.lines().filter(|l| *l == "aws_iam_role.y").count(),
            1,
            "{out}"
        );
        let per_role = report(vec![role("a.json", "aws_iam_role.x")])
            .results
            .findings()
            .count();
        let x_rows = out
            .split("\naws_iam_role.x\n")
            .nth(1)
            .and_then(|rest| rest.split("\n\n").next())
            // Rows are the lines with a column separator, but for the header.
            .map_or(0, |table| {
                table.lines().filter(|l| l.contains('┆')).count() - 1
            });
        assert_eq!(x_rows, 2 * per_role, "{out}");

        let runs = report(vec![
            role("a.json", "aws_iam_role.x"),
            role("a.json", "aws_iam_role.y"),
        ]);
        assert!(!runs_repeat(&runs));
    }
}
