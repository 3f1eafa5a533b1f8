//! Pull-request comments on code forges (GitHub, GitLab): find trustgate's own comment by the
//! marker on its first line and create, update or replace it.
//!
//! Each forge says how its API is called (`Api`); `post` holds the one decision, shared by
//! both: which comment to update or delete and what to create. `--dry-run` prints the writes
//! instead of sending them.

pub mod github;
pub mod gitlab;
pub mod http;

use http::{Call, Http, Method, Reply};

/// The first line of every comment trustgate writes, and how it finds its own comment again.
/// The same text the Markdown report starts with.
pub const MARKER: &str = "<!-- trustgate -->";

/// At most this many pages of comments are read (100 per page), so a forge that keeps
/// answering "there is a next page" cannot keep the job running.
const MAX_PAGES: usize = 500;

/// What to do with an earlier trustgate comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behavior {
    /// Update the newest comment carrying the marker in place; create one when there is none.
    Update,
    /// Always add a new comment.
    New,
    /// Delete every comment carrying the marker, then add a new one.
    DeleteAndNew,
}

/// What the command line says about where the comment goes; what it leaves out comes from
/// the CI job's environment.
#[derive(Debug, Default)]
pub struct Given {
    /// GitHub: `OWNER/NAME`; GitLab: the project's ID or path.
    pub project: Option<String>,
    /// The pull request's number or the merge request's IID.
    pub number: Option<u64>,
    pub api_url: Option<String>,
}

/// The API's base URL: the flag, else the CI job's variable, else the public service; without
/// a trailing slash.
pub fn api_base(flag: Option<String>, from_env: Option<String>, default: &str) -> String {
    flag.or(from_env.filter(|u| !u.is_empty()))
        .unwrap_or_else(|| default.to_string())
        .trim_end_matches('/')
        .to_string()
}

/// One comment already on the pull or merge request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub id: u64,
    pub body: String,
}

/// One forge's REST API for the comments of one pull or merge request.
pub trait Api {
    /// Where the comment goes, for messages: `owner/repo pull request #7`.
    fn target(&self) -> String;
    /// The first page of comments.
    fn list(&self) -> Call;
    /// The comments of one page and the URL of the next page, if any.
    fn page(&self, reply: &Reply) -> Result<(Vec<Comment>, Option<String>), String>;
    fn create(&self, body: &str) -> Call;
    fn update(&self, id: u64, body: &str) -> Call;
    fn delete(&self, id: u64) -> Call;
    /// The error for an answer that is not a success: what the status means on this forge
    /// and what to do about it.
    fn refusal(&self, call: &Call, reply: &Reply) -> String;
}

/// What `post` did (or, with `dry_run`, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    Created,
    Updated(u64),
    Unchanged(u64),
    Replaced { deleted: Vec<u64> },
}

/// Post `markdown` as the comment per `behavior`. With `dry_run`, comments are still read when
/// `http` can (a token was given) but every write is handed to `show` instead of sent.
pub fn post(
    api: &dyn Api,
    http: Option<&Http>,
    markdown: &str,
    behavior: Behavior,
    dry_run: bool,
    show: &mut dyn FnMut(&Call),
) -> Result<Done, String> {
    let body = with_marker(markdown);
    let existing = match (behavior, http) {
        (Behavior::New, _) | (_, None) => Vec::new(),
        (_, Some(http)) => ours(api, http)?,
    };
    let mut send = |call: Call| -> Result<(), String> {
        if dry_run {
            show(&call);
            return Ok(());
        }
        let http = http.ok_or("no token to send the comment with")?;
        let reply = http.send(&call)?;
        if (200..300).contains(&reply.status) {
            Ok(())
        } else {
            Err(api.refusal(&call, &reply))
        }
    };
    match behavior {
        Behavior::Update => match existing.last() {
            Some(comment) if comment.body == body => Ok(Done::Unchanged(comment.id)),
            Some(comment) => {
                send(api.update(comment.id, &body))?;
                Ok(Done::Updated(comment.id))
            }
            None => {
                send(api.create(&body))?;
                Ok(Done::Created)
            }
        },
        Behavior::New => {
            send(api.create(&body))?;
            Ok(Done::Created)
        }
        Behavior::DeleteAndNew => {
            let mut deleted = Vec::new();
            for comment in &existing {
                send(api.delete(comment.id))?;
                deleted.push(comment.id);
            }
            send(api.create(&body))?;
            Ok(Done::Replaced { deleted })
        }
    }
}

/// The comment text, starting with the marker line (added when the Markdown lacks it, so a
/// hand-written report is found again too).
pub fn with_marker(markdown: &str) -> String {
    if markdown.trim_start().starts_with(MARKER) {
        markdown.to_string()
    } else {
        format!("{MARKER}\n{markdown}")
    }
}

/// Every comment carrying the marker, oldest first, read page by page.
fn ours(api: &dyn Api, http: &Http) -> Result<Vec<Comment>, String> {
    let mut found = Vec::new();
    let mut call = api.list();
    for _ in 0..MAX_PAGES {
        let reply = http.send(&call)?;
        if !(200..300).contains(&reply.status) {
            return Err(api.refusal(&call, &reply));
        }
        let (comments, next) = api.page(&reply)?;
        found.extend(
            comments
                .into_iter()
                .filter(|c| c.body.trim_start().starts_with(MARKER)),
        );
        match next {
            Some(url) => {
                call = Call {
                    method: Method::Get,
                    url,
                    body: None,
                }
            }
            None => return Ok(found),
        }
    }
    Err(format!(
        "{}: more than {MAX_PAGES} pages of comments; not reading further",
        api.target()
    ))
}

/// The comments of one page of either forge's list (a JSON array of objects with `id` and
/// `body`), leaving out GitLab's system notes ("added 1 commit"), which are never trustgate's.
pub fn comments_of(reply: &Reply, target: &str) -> Result<Vec<Comment>, String> {
    #[derive(serde::Deserialize)]
    struct Raw {
        id: u64,
        body: Option<String>,
        #[serde(default)]
        system: bool,
    }
    let raw: Vec<Raw> = serde_json::from_str(&reply.body)
        .map_err(|e| format!("{target}: unexpected list of comments: {e}"))?;
    Ok(raw
        .into_iter()
        .filter(|r| !r.system)
        .map(|r| Comment {
            id: r.id,
            body: r.body.unwrap_or_default(),
        })
        .collect())
}

/// The JSON body `{"body": TEXT}` both forges take for a comment.
pub fn body_json(text: &str) -> String {
    serde_json::json!({ "body": text }).to_string()
}

/// Whether `url` is on the API at `base` (same scheme, host and port, and below its path), so
/// a pagination link never sends the token anywhere else.
pub fn on_api(url: &str, base: &str) -> bool {
    let base = base.trim_end_matches('/');
    url.strip_prefix(base)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/') || rest.starts_with('?'))
}

/// `METHOD URL answered STATUS: MESSAGE`, the start of every refusal.
pub fn answered(call: &Call, reply: &Reply) -> String {
    format!(
        "{} {} answered {}{}",
        call.method.as_str(),
        call.url,
        reply.status,
        http::summary(&reply.body)
    )
}

/// The message for a status both forges give the same meaning; `None` for the others.
pub fn common_refusal(call: &Call, reply: &Reply, token_var: &str, target: &str) -> Option<String> {
    let what = answered(call, reply);
    match reply.status {
        401 => Some(format!(
            "{what}: the token was refused; check that {token_var} holds a valid, unexpired token"
        )),
        404 => Some(format!(
            "{what}: {target} was not found, or the token cannot see it; check the repository, \
             the number and the token's access"
        )),
        422 | 400 => Some(format!(
            "{what}: the comment was refused as invalid (a comment body is limited to 65,536 \
             characters; trustgate's Markdown stays below 60,000)"
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_is_the_markdown_reports_first_line() {
        assert_eq!(MARKER, crate::report::markdown::MARKER);
    }

    #[test]
    fn the_marker_is_added_only_when_missing() {
        assert_eq!(with_marker("hello"), "<!-- trustgate -->\nhello");
        let report = "<!-- trustgate -->\n### ok\n";
        assert_eq!(with_marker(report), report);
        assert_eq!(
            with_marker("\n<!-- trustgate -->\nx"),
            "\n<!-- trustgate -->\nx"
        );
    }

    #[test]
    fn pagination_links_must_stay_on_the_api() {
        let base = "https://api.github.com";
        assert!(on_api(
            "https://api.github.com/repositories/1/issues/2/comments?page=2",
            base
        ));
        assert!(on_api("https://api.github.com", base));
        assert!(!on_api("https://api.github.com.evil.test/x", base));
        assert!(!on_api("http://api.github.com/x", base));
        assert!(!on_api("https://evil.test/https://api.github.com/x", base));
        assert!(on_api(
            "https://gitlab.example/api/v4/projects/1",
            "https://gitlab.example/api/v4/"
        ));
    }
}
