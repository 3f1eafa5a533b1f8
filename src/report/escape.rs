//! Escaping, one function per output context: every value that comes from a plan, a policy or
//! the configuration passes through exactly one of these before it reaches a report, so a
//! branch name holding a backtick, a `</details>` or a `::error::` can never become markup.
//!
//! - Markdown: `md_text` (plain text), `md_code` (a code span), `md_message` (a finding's
//!   message, whose backtick-quoted values become code spans), `md_cell` (a table cell);
//! - HTML (inside `<summary>`, attribute values): `html`;
//! - GitHub workflow commands: `gh_data` (the message), `gh_property` (`file=`, `title=`);
//! - every human format: `visible` (control and bidirectional characters shown as escapes),
//!   `clip` (very long values shortened).

/// Characters a reader must see as what they are rather than have them act: C0/C1 controls
/// (a terminal escape, a carriage return that hides the start of a line) and the Unicode
/// bidirectional controls that make text display in another order than it reads ("Trojan
/// Source"). Each becomes `\u{XXXX}`; tab, line feed and carriage return become one space,
/// since every context here is a single line.
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(' '),
            c if c.is_control() || is_bidi_control(c) => {
                out.push_str(&format!("\\u{{{:04x}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// At most `max` characters: a longer value keeps its start and end around a `…`, so both
/// the prefix a reader recognises and the suffix that usually differs stay visible.
pub fn clip(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max || max < 3 {
        return text.to_string();
    }
    let keep = max.saturating_sub(1);
    let head = keep.saturating_sub(keep / 3);
    let tail = keep.saturating_sub(head);
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(count.saturating_sub(tail)).collect();
    format!("{start}…{end}")
}

/// Plain Markdown text: every character that can start inline markup (emphasis, a link, an
/// image, raw HTML, an entity, a code span, a table column, strikethrough) backslash-escaped,
/// and a line-start construct (heading, list, quote, rule) defused at the start, so nothing
/// in the value acts as markup wherever it is placed. Other punctuation is left readable.
pub fn md_text(text: &str) -> String {
    text_at(text, true)
}

/// `md_text`, with the line-start constructs defused only where the text may start a line.
fn text_at(text: &str, line_start: bool) -> String {
    const INLINE: &str = "\\`*_[]<>&|~!";
    let text = visible(text);
    let mut out = String::with_capacity(text.len());
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    for (i, c) in text.chars().enumerate() {
        let starts_block = line_start
            && ((i == 0 && matches!(c, '#' | '-' | '+' | '=' | '>' | '.' | ')'))
                || (i == digits && digits > 0 && matches!(c, '.' | ')')));
        if INLINE.contains(c) || starts_block {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A value quoted inside a table cell's message is shortened to this many characters.
const MAX_CELL_VALUE: usize = 28;

/// Where a code span goes: inside a pipe table a `|` must be written `\|` even in a code
/// span (GFM splits cells before it reads spans); elsewhere that would show the backslash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Block,
    Cell,
}

/// A Markdown code span that holds any text: the fence is one backtick longer than the
/// longest run inside, and padding keeps edge backticks apart from the fence. In a code span
/// nothing is markup, so this is the safest way to show a value.
pub fn md_code(text: &str) -> String {
    code_in(text, Place::Block)
}

fn code_in(text: &str, place: Place) -> String {
    let mut text = visible(text);
    if place == Place::Cell {
        text = text.replace('|', "\\|");
    }
    let longest = longest_backtick_run(&text);
    let fence = "`".repeat(longest.saturating_add(1));
    if longest > 0 || text.starts_with(' ') || text.ends_with(' ') || text.is_empty() {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// The longest run of backticks in `text`: a code span or fence must be longer to hold it.
pub fn longest_backtick_run(text: &str) -> usize {
    let mut longest = 0usize;
    let mut run = 0usize;
    for c in text.chars() {
        run = if c == '`' { run.saturating_add(1) } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// A finding's message or a note: prose in which values are quoted in backticks. The text
/// between backtick pairs becomes a code span and the rest plain text, each escaped on its
/// own. A value that itself holds a backtick only shifts which parts look like code: every
/// part is still escaped, so nothing in it can end a span or open markup.
pub fn md_message(text: &str) -> String {
    message_in(text, Place::Block)
}

fn message_in(text: &str, place: Place) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    let pairs = parts.len().saturating_sub(1) / 2;
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        // Odd parts sit between two backticks; with an unpaired backtick the last odd part
        // has no closing one and stays text (with the backtick shown).
        let quoted = i % 2 == 1 && i / 2 < pairs;
        if quoted && place == Place::Cell {
            // A code span never wraps: a long value would push the table past a PR page.
            out.push_str(&code_in(&clip(part, MAX_CELL_VALUE), place));
        } else if quoted {
            out.push_str(&code_in(part, place));
        } else {
            if i % 2 == 1 {
                out.push_str("\\`");
            }
            out.push_str(&text_at(part, i == 0));
        }
    }
    out
}

/// A message as one table cell: on one line, at most `max` characters of the original text,
/// its values as code spans with `|` escaped the way GFM tables need.
pub fn md_cell(text: &str, max: usize) -> String {
    let mut clipped = clip(text, max);
    // A clip that cut a quoted value leaves one backtick open: close it so the end of the
    // value still reads as a value.
    if clipped.matches('`').count() % 2 == 1 && clipped.chars().count() < text.chars().count() {
        clipped.push('`');
    }
    message_in(&clipped, Place::Cell)
}

/// A value (an address, a path) as a code span in a table cell, at most `max` characters.
pub fn md_cell_code(text: &str, max: usize) -> String {
    code_in(&clip(text, max), Place::Cell)
}

/// HTML text or a double- or single-quoted attribute value (the `<summary>` line of a
/// `<details>` block, which Markdown does not read).
pub fn html(text: &str) -> String {
    let text = visible(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // A backtick or pipe is inert in HTML, but GFM reads table pipes before HTML:
            // the entity keeps the line out of any table, and out of a code span.
            '`' => out.push_str("&#96;"),
            '|' => out.push_str("&#124;"),
            c => out.push(c),
        }
    }
    out
}

/// A workflow command's message: `%`, CR and LF percent-encoded (GitHub decodes them), so a
/// value can never end the line and start a command of its own; other controls and
/// bidirectional characters are shown as escapes.
pub fn gh_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if c.is_control() || is_bidi_control(c) => {
                out.push_str(&format!("\\u{{{:04x}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

/// A workflow command's property value: as a message, and `:` and `,` too (they end the
/// property list and separate properties).
pub fn gh_property(text: &str) -> String {
    gh_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_hold_backticks_newlines_and_controls() {
        assert_eq!(md_code("a`b"), "`` a`b ``");
        assert_eq!(md_code("a\nb"), "`a b`");
        assert_eq!(md_code(""), "`  `");
        assert_eq!(md_code("x\u{202e}y\u{1b}"), "`x\\u{202e}y\\u{001b}`");
        assert_eq!(code_in("a|b", Place::Cell), "`a\\|b`");
    }

    #[test]
    fn text_escapes_every_markup_character() {
        assert_eq!(
            md_text("<b>*x*</b> | `y`"),
            "\\<b\\>\\*x\\*\\</b\\> \\| \\`y\\`"
        );
        assert_eq!(md_text("# h\n1. l"), "\\# h 1. l");
        assert_eq!(md_text("12) x"), "12\\) x");
        assert_eq!(md_text("- a: b, c"), "\\- a: b, c");
    }

    #[test]
    fn messages_quote_values_and_survive_stray_backticks() {
        assert_eq!(md_message("the `a` key"), "the `a` key");
        assert_eq!(
            md_message("sub `x`</details>`y` done"),
            "sub `x`\\</details\\>`y` done"
        );
        assert_eq!(md_message("one ` open"), "one \\` open");
    }

    #[test]
    fn cells_clip_and_close_values() {
        let cell = md_cell("a `very long value indeed` here", 12);
        assert!(cell.starts_with("a `very"), "{cell}");
        assert_eq!(clip("abcdefghij", 5), "abc…j");
        assert_eq!(clip("abc", 5), "abc");
    }

    #[test]
    fn html_and_github_escapes() {
        assert_eq!(
            html("<a href=\"x\">'&`|"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#96;&#124;"
        );
        assert_eq!(gh_data("a\n::error::x%"), "a%0A::error::x%25");
        assert_eq!(gh_property("a:b,c\r"), "a%3Ab%2Cc%0D");
        assert_eq!(gh_data("\u{202e}"), "\\u{202e}");
    }
}
