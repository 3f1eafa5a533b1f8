//! Values from a plan that try to break out of every format (testdata/plans/report-hostile.json,
//! made by make_hostile.py): a branch name holding a backtick and `</details>` followed by a
//! fake "nothing blocks" verdict, pipes, HTML, `::error::`, `%`, control characters, bidi
//! overrides and a 300-character name. The PR comment is rendered as GFM and read back as
//! events: every value must stay inside the span or block it was put in.

use crate::cli::run;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

const PLAN: &str = "testdata/plans/report-hostile.json";

fn output(format: &str) -> String {
    let (code, out, err) = run(&["check", PLAN, "--format", format]);
    assert_eq!(code, 1, "{err}");
    out
}

/// The raw HTML the comment is allowed to hold: its own tags, nothing from a value.
fn is_our_html(html: &str) -> bool {
    let html = html.trim();
    if html == "<!-- trustgate -->" || html == "<details>" || html == "</details>" {
        return true;
    }
    if let Some(summary) = html
        .strip_prefix("<summary>")
        .and_then(|s| s.strip_suffix("</summary>"))
    {
        // Inside the summary only <code> may open; every value in it is entity-escaped.
        let rest = summary.replace("<code>", "").replace("</code>", "");
        return !rest.contains('<') && !rest.contains('>');
    }
    matches!(html, "<sub>" | "</sub>")
}

#[test]
fn no_value_escapes_its_span_in_the_rendered_comment() {
    let md = output("markdown");
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let events: Vec<Event<'_>> = Parser::new_ext(&md, options).collect();

    // One heading: the real verdict, never the one a value spells.
    let headings: Vec<String> = {
        let mut out = Vec::new();
        let mut inside = None::<String>;
        for e in &events {
            match e {
                Event::Start(Tag::Heading { .. }) => inside = Some(String::new()),
                Event::End(TagEnd::Heading(_)) => out.extend(inside.take()),
                Event::Text(t) | Event::Code(t) => {
                    if let Some(h) = inside.as_mut() {
                        h.push_str(t);
                    }
                }
                _ => {}
            }
        }
        out
    };
    assert_eq!(headings.len(), 1, "{headings:?}");
    assert!(
        headings[0].starts_with("⛔ trustgate blocked this plan"),
        "{headings:?}"
    );

    // Raw HTML: only the comment's own tags, and as many closing `</details>` as opening.
    let mut opened = 0;
    let mut closed = 0;
    for e in &events {
        if let Event::Html(h) | Event::InlineHtml(h) = e {
            for line in h.lines().filter(|l| !l.trim().is_empty()) {
                assert!(is_our_html(line), "raw HTML from a value: {line:?}\n{md}");
                opened += usize::from(line.trim() == "<details>");
                closed += usize::from(line.trim() == "</details>");
            }
        }
    }
    assert_eq!(
        (opened, closed),
        (2, 2),
        "one block per role, each closed by us"
    );

    // Every table row has the four columns: no pipe from a value split a cell.
    let mut cells = 0;
    for e in &events {
        match e {
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(TagEnd::TableRow) | Event::End(TagEnd::TableHead) => {
                assert_eq!(cells, 4, "a row with {cells} cells\n{md}");
                cells = 0;
            }
            _ => {}
        }
    }

    // No link or image came from a value: the only links are the rule docs.
    for e in &events {
        match e {
            Event::Start(Tag::Link { dest_url, .. }) => assert!(
                dest_url
                    .starts_with("https://github.com/trustgate/trustgate/blob/main/docs/rules.md"),
                "{dest_url}"
            ),
            Event::Start(Tag::Image { .. }) => panic!("an image from a value\n{md}"),
            _ => {}
        }
    }

    // The marker is in text or code, never lost; the controls are shown, never sent.
    assert!(md.contains("PWNED"));
    assert!(!md.contains('\u{1b}') && !md.contains('\u{202e}') && !md.contains('\r'));

    // And the same as HTML: the fake verdict is never a heading, `</details>` only ours.
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(&md, options));
    assert_eq!(html.matches("<h3>").count(), 1);
    assert_eq!(html.matches("</details>").count(), 2, "{html}");
    assert!(!html.contains("<img"), "{html}");
}

#[test]
fn github_commands_stay_one_per_line_with_escaped_properties() {
    let out = output("github");
    let lines: Vec<&str> = out.lines().collect();
    // The summary notice, then one annotation per finding; nothing a value started.
    assert_eq!(lines.len(), 3, "{out}");
    for line in &lines {
        let (command, rest) = line
            .split_once("::")
            .map(|(_, r)| r.split_once(' ').unwrap())
            .unwrap();
        assert!(["error", "warning", "notice"].contains(&command), "{line}");
        // The properties end at the first `::`: a value's `:` or `,` is escaped in them.
        let props = rest.split_once("::").unwrap().0;
        assert!(props.starts_with("title=trustgate"), "{line}");
    }
    assert!(!out.contains('\r') && !out.contains('\u{1b}') && !out.contains('\u{202e}'));
    assert!(out.contains("%0A### ✅"), "newlines in a value are encoded");
    assert!(out.contains("PWNED%250A%25"), "a `%` in a value is encoded");
}

#[test]
fn table_and_sarif_show_controls_as_escapes() {
    let table = output("table");
    assert!(!table.contains('\u{1b}') && !table.contains('\u{202e}') && !table.contains('\r'));
    assert!(table.contains("\\u{202e}evil"));
    // The 300-character name is shortened around an ellipsis, keeping both ends.
    assert!(table.contains("PWNED-aaaa"));
    assert!(!table.contains(&"a".repeat(200)));
    // SARIF is JSON: serde escapes controls, and the log still parses.
    let sarif: serde_json::Value = serde_json::from_str(&output("sarif")).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 2);
}
