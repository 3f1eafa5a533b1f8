//! GitHub's REST API for pull-request comments (a pull request's conversation comments are its
//! issue's comments), and where a GitHub Actions job finds the repository and the number.

use super::http::{Call, Method, Reply};
use super::{
    answered, api_base, body_json, comments_of, common_refusal, on_api, Api, Comment, Given,
};
use serde::Deserialize;

/// The public API; GitHub Enterprise Server jobs set `GITHUB_API_URL` to their own.
pub const DEFAULT_API: &str = "https://api.github.com";

/// The environment variables a token is taken from, first found wins.
pub const TOKEN_VARS: [&str; 2] = ["GITHUB_TOKEN", "GH_TOKEN"];

/// One pull request's comments on one GitHub API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitHub {
    api: String,
    repo: String,
    number: u64,
    /// The event says the pull request comes from a fork (its token is read-only).
    fork: bool,
}

impl GitHub {
    /// The target from the flags, else from `GITHUB_REPOSITORY`, the event file
    /// (`GITHUB_EVENT_PATH`: `pull_request.number`, or the issue of an `issue_comment` on a
    /// pull request) and `GITHUB_REF` (`refs/pull/N/merge`), and `GITHUB_API_URL`.
    pub fn from_env(given: Given, env: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let event = env("GITHUB_EVENT_PATH")
            .filter(|p| !p.is_empty())
            .map(|path| read_event(&path))
            .transpose()?
            .unwrap_or_default();
        let repo = given
            .project
            .or_else(|| env("GITHUB_REPOSITORY").filter(|r| !r.is_empty()))
            .ok_or("no repository: pass `--repo OWNER/NAME` or set GITHUB_REPOSITORY")?;
        if !valid_repo(&repo) {
            return Err(format!(
                "`{repo}` is not a repository name: expected `OWNER/NAME`"
            ));
        }
        let number = given
            .number
            .or(event.number())
            .or_else(|| env("GITHUB_REF").as_deref().and_then(pull_from_ref))
            .ok_or(
                "no pull request number: pass `--pull-request NUMBER`, or run on a \
                 `pull_request` event (GITHUB_EVENT_PATH or GITHUB_REF refs/pull/N/merge)",
            )?;
        if number == 0 {
            return Err("the pull request number must be at least 1".into());
        }
        let api = api_base(given.api_url, env("GITHUB_API_URL"), DEFAULT_API);
        Ok(GitHub {
            api,
            repo,
            number,
            fork: event.is_fork(),
        })
    }

    /// The headers every request carries.
    pub fn headers(token: &str) -> Vec<(&'static str, String)> {
        vec![
            ("Authorization", format!("Bearer {token}")),
            ("Accept", "application/vnd.github+json".into()),
            ("X-GitHub-Api-Version", "2022-11-28".into()),
        ]
    }

    fn comment_url(&self, id: u64) -> String {
        format!("{}/repos/{}/issues/comments/{id}", self.api, self.repo)
    }
}

impl Api for GitHub {
    fn target(&self) -> String {
        format!("{} pull request #{}", self.repo, self.number)
    }

    fn list(&self) -> Call {
        Call {
            method: Method::Get,
            url: format!(
                "{}/repos/{}/issues/{}/comments?per_page=100",
                self.api, self.repo, self.number
            ),
            body: None,
        }
    }

    fn page(&self, reply: &Reply) -> Result<(Vec<Comment>, Option<String>), String> {
        let comments = comments_of(reply, &self.target())?;
        let next = match reply.link.as_deref().and_then(next_link) {
            Some(url) if on_api(&url, &self.api) => Some(url),
            Some(url) => {
                return Err(format!(
                    "{}: the next page of comments is at `{url}`, outside {}; not sending \
                     the token there",
                    self.target(),
                    self.api
                ))
            }
            None => None,
        };
        Ok((comments, next))
    }

    fn create(&self, body: &str) -> Call {
        Call {
            method: Method::Post,
            url: format!(
                "{}/repos/{}/issues/{}/comments",
                self.api, self.repo, self.number
            ),
            body: Some(body_json(body)),
        }
    }

    fn update(&self, id: u64, body: &str) -> Call {
        Call {
            method: Method::Patch,
            url: self.comment_url(id),
            body: Some(body_json(body)),
        }
    }

    fn delete(&self, id: u64) -> Call {
        Call {
            method: Method::Delete,
            url: self.comment_url(id),
            body: None,
        }
    }

    fn refusal(&self, call: &Call, reply: &Reply) -> String {
        if let Some(message) = common_refusal(call, reply, "GITHUB_TOKEN", &self.target()) {
            return message;
        }
        let what = answered(call, reply);
        if reply.status != 403 {
            return what;
        }
        if reply.body.to_ascii_lowercase().contains("rate limit") {
            return format!("{what}: GitHub's rate limit was reached; run again later");
        }
        if self.fork {
            format!(
                "{what}: this pull request comes from a fork, and GitHub gives workflows run \
                 for a fork's pull request a read-only token, so no comment can be written. \
                 The report is still in the job summary; to comment on fork pull requests, \
                 upload the Markdown as an artifact and post it from a `workflow_run` workflow \
                 (`trustgate comment github --pull-request NUMBER --markdown FILE`)"
            )
        } else {
            format!(
                "{what}: the token may not write pull-request comments; give the job \
                 `permissions: pull-requests: write` (a personal token needs write access to \
                 pull requests). Pull requests from forks always get a read-only token: post \
                 from a `workflow_run` workflow instead"
            )
        }
    }
}

/// The parts of an event payload that name the pull request.
#[derive(Debug, Default, Deserialize)]
struct Event {
    #[serde(default)]
    pull_request: Option<PullRequest>,
    #[serde(default)]
    issue: Option<Issue>,
}

#[derive(Debug, Deserialize)]
struct PullRequest {
    number: u64,
    #[serde(default)]
    head: Option<Side>,
    #[serde(default)]
    base: Option<Side>,
}

#[derive(Debug, Deserialize)]
struct Issue {
    number: u64,
    /// Present when the issue is a pull request.
    #[serde(default)]
    pull_request: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Side {
    #[serde(default)]
    repo: Option<Repo>,
}

#[derive(Debug, Deserialize)]
struct Repo {
    full_name: String,
}

impl Event {
    fn number(&self) -> Option<u64> {
        if let Some(pr) = &self.pull_request {
            return Some(pr.number);
        }
        self.issue
            .as_ref()
            .filter(|i| i.pull_request.is_some())
            .map(|i| i.number)
    }

    /// The head repository is another one than the base (a deleted fork has none).
    fn is_fork(&self) -> bool {
        let Some(pr) = &self.pull_request else {
            return false;
        };
        let name = |side: &Option<Side>| {
            side.as_ref()
                .and_then(|s| s.repo.as_ref())
                .map(|r| r.full_name.clone())
        };
        match (name(&pr.head), name(&pr.base)) {
            (Some(head), Some(base)) => head != base,
            (None, Some(_)) => true,
            _ => false,
        }
    }
}

fn read_event(path: &str) -> Result<Event, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{path} (GITHUB_EVENT_PATH): cannot read: {e}"))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("{path} (GITHUB_EVENT_PATH): not an event payload: {e}"))
}

/// `refs/pull/N/merge` or `refs/pull/N/head` → N.
fn pull_from_ref(git_ref: &str) -> Option<u64> {
    let rest = git_ref.strip_prefix("refs/pull/")?;
    let (number, tail) = rest.split_once('/')?;
    if tail != "merge" && tail != "head" {
        return None;
    }
    number.parse().ok()
}

fn valid_repo(repo: &str) -> bool {
    let ok = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    matches!(repo.split_once('/'), Some((owner, name)) if ok(owner) && ok(name))
}

/// The `rel="next"` URL of a `Link` header.
fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"");
        let url = url.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| url.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_link_is_found_among_the_others() {
        let header = r#"<https://api.github.com/repositories/1/issues/2/comments?per_page=100&page=2>; rel="next", <https://api.github.com/repositories/1/issues/2/comments?per_page=100&page=5>; rel="last""#;
        assert_eq!(
            next_link(header).as_deref(),
            Some("https://api.github.com/repositories/1/issues/2/comments?per_page=100&page=2")
        );
        let last_page = r#"<https://api.github.com/x?page=1>; rel="first", <https://api.github.com/x?page=4>; rel="prev""#;
        assert_eq!(next_link(last_page), None);
    }

    #[test]
    fn pull_request_numbers_come_from_refs() {
        assert_eq!(pull_from_ref("refs/pull/42/merge"), Some(42));
        assert_eq!(pull_from_ref("refs/pull/7/head"), Some(7));
        assert_eq!(pull_from_ref("refs/heads/main"), None);
        assert_eq!(pull_from_ref("refs/pull/x/merge"), None);
    }

    #[test]
    fn repository_names_are_owner_slash_name() {
        assert!(valid_repo("octo-org/infra.live"));
        assert!(!valid_repo("octo-org"));
        assert!(!valid_repo("a/b/c"));
        assert!(!valid_repo("/b"));
        assert!(!valid_repo("a b/c"));
    }

    #[test]
    fn events_name_the_pull_request_and_whether_it_is_a_fork() {
        let same: Event = serde_json::from_str(
            r#"{"pull_request":{"number":9,"head":{"repo":{"full_name":"o/r"}},"base":{"repo":{"full_name":"o/r"}}}}"#,
        )
        .unwrap();
        assert_eq!((same.number(), same.is_fork()), (Some(9), false));
        let fork: Event = serde_json::from_str(
            r#"{"pull_request":{"number":9,"head":{"repo":{"full_name":"someone/r"}},"base":{"repo":{"full_name":"o/r"}}}}"#,
        )
        .unwrap();
        assert!(fork.is_fork());
        let comment_on_pr: Event =
            serde_json::from_str(r#"{"issue":{"number":5,"pull_request":{"url":"x"}}}"#).unwrap();
        assert_eq!(comment_on_pr.number(), Some(5));
        let comment_on_issue: Event = serde_json::from_str(r#"{"issue":{"number":5}}"#).unwrap();
        assert_eq!(comment_on_issue.number(), None);
        let push: Event = serde_json::from_str(r#"{"ref":"refs/heads/main"}"#).unwrap();
        assert_eq!(push.number(), None);
    }
}
