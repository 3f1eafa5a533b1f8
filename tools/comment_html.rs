//! `make screenshot`: the PR comment (Markdown on standard input) as a GitHub-like HTML page on
//! standard output, rendered as GFM by pulldown-cmark, for a headless browser to photograph.
//! With `--open`, every `<details>` block is shown expanded.

use pulldown_cmark::{html, Options, Parser};
use std::io::{Read, Write};

const STYLE: &str = r#"
body { margin: 0; background: #fff; }
.comment { box-sizing: border-box; width: 800px; padding: 16px 20px; color: #1f2328;
  font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif;
  border: 1px solid #d1d9e0; border-radius: 6px; }
h3 { font-size: 1.25em; margin: 0 0 16px; }
p, ul, table, pre, details { margin: 0 0 16px; }
code { font: 85% ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  background: rgba(129,139,152,0.12); padding: .2em .4em; border-radius: 6px; }
pre { background: #f6f8fa; padding: 16px; border-radius: 6px; overflow: auto; font-size: 85%; }
pre code { background: none; padding: 0; font-size: 100%; }
table { border-collapse: collapse; display: block; max-width: 100%; overflow: auto; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; }
th { font-weight: 600; }
tr:nth-child(2n) { background: #f6f8fa; }
a { color: #0969da; text-decoration: none; }
blockquote { margin: 0 0 16px; padding: 0 1em; color: #59636e; border-left: .25em solid #d1d9e0; }
summary { cursor: pointer; }
sub { color: #59636e; }
"#;

fn main() -> std::io::Result<()> {
    let open = std::env::args().any(|a| a == "--open");
    let mut markdown = String::new();
    std::io::stdin().read_to_string(&mut markdown)?;
    if open {
        markdown = markdown.replace("<details>", "<details open>");
    }
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut body = String::new();
    html::push_html(&mut body, Parser::new_ext(&markdown, options));
    let page = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><style>{STYLE}</style></head>\n\
         <body><div class=\"comment\">\n{body}</div></body></html>\n"
    );
    std::io::stdout().write_all(page.as_bytes())
}
