//! GitLab's REST API for merge-request notes, and where a GitLab CI job finds the project and
//! the merge request.

use super::http::{Call, Method, Reply};
use super::{answered, api_base, body_json, comments_of, common_refusal, Api, Comment, Given};

/// GitLab.com; a self-managed instance's jobs set `CI_API_V4_URL` to their own.
pub const DEFAULT_API: &str = "https://gitlab.com/api/v4";

/// The environment variable the token is taken from.
pub const TOKEN_VAR: &str = "GITLAB_TOKEN";

/// One merge request's notes on one GitLab API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitLab {
    api: String,
    /// The project's numeric ID or its path, URL-encoded (`group%2Fproject`).
    project: String,
    iid: u64,
    /// The merge request comes from a fork (its pipeline has none of the project's variables).
    fork: bool,
}

impl GitLab {
    /// The target from the flags, else from `CI_MERGE_REQUEST_PROJECT_ID` (the project the
    /// merge request lives in, also for a fork's) or `CI_PROJECT_ID`, `CI_MERGE_REQUEST_IID`
    /// and `CI_API_V4_URL`.
    pub fn from_env(given: Given, env: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let var = |name: &str| env(name).filter(|v| !v.is_empty());
        let project = given
            .project
            .or_else(|| var("CI_MERGE_REQUEST_PROJECT_ID"))
            .or_else(|| var("CI_PROJECT_ID"))
            .ok_or("no project: pass `--project ID-OR-PATH` or set CI_PROJECT_ID")?;
        if project.trim().is_empty() {
            return Err("the project must not be empty".into());
        }
        let iid = match given.number {
            Some(iid) => iid,
            None => {
                let text = var("CI_MERGE_REQUEST_IID").ok_or(
                    "no merge request: pass `--merge-request IID`, or run in a merge request \
                     pipeline (CI_MERGE_REQUEST_IID; `rules: - if: $CI_PIPELINE_SOURCE == \
                     \"merge_request_event\"`)",
                )?;
                text.parse()
                    .map_err(|_| format!("CI_MERGE_REQUEST_IID `{text}` is not a number"))?
            }
        };
        if iid == 0 {
            return Err("the merge request IID must be at least 1".into());
        }
        let api = api_base(given.api_url, var("CI_API_V4_URL"), DEFAULT_API);
        let fork = match (
            var("CI_MERGE_REQUEST_SOURCE_PROJECT_ID"),
            var("CI_MERGE_REQUEST_PROJECT_ID"),
        ) {
            (Some(source), Some(target)) => source != target,
            _ => false,
        };
        Ok(GitLab {
            api,
            project: encode(&project),
            iid,
            fork,
        })
    }

    /// The headers every request carries.
    pub fn headers(token: &str) -> Vec<(&'static str, String)> {
        vec![("PRIVATE-TOKEN", token.to_string())]
    }

    fn notes_url(&self) -> String {
        format!(
            "{}/projects/{}/merge_requests/{}/notes",
            self.api, self.project, self.iid
        )
    }

    fn page_url(&self, page: &str) -> String {
        format!(
            "{}?sort=asc&order_by=created_at&per_page=100&page={page}",
            self.notes_url()
        )
    }
}

impl Api for GitLab {
    fn target(&self) -> String {
        format!("project {} merge request !{}", self.project, self.iid)
    }

    fn list(&self) -> Call {
        Call {
            method: Method::Get,
            url: self.page_url("1"),
            body: None,
        }
    }

    fn page(&self, reply: &Reply) -> Result<(Vec<Comment>, Option<String>), String> {
        let comments = comments_of(reply, &self.target())?;
        let next = match reply.next_page.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(page) if page.chars().all(|c| c.is_ascii_digit()) => Some(self.page_url(page)),
            Some(page) => {
                return Err(format!(
                    "{}: X-Next-Page `{page}` is not a page number",
                    self.target()
                ))
            }
        };
        Ok((comments, next))
    }

    fn create(&self, body: &str) -> Call {
        Call {
            method: Method::Post,
            url: self.notes_url(),
            body: Some(body_json(body)),
        }
    }

    fn update(&self, id: u64, body: &str) -> Call {
        Call {
            method: Method::Put,
            url: format!("{}/{id}", self.notes_url()),
            body: Some(body_json(body)),
        }
    }

    fn delete(&self, id: u64) -> Call {
        Call {
            method: Method::Delete,
            url: format!("{}/{id}", self.notes_url()),
            body: None,
        }
    }

    fn refusal(&self, call: &Call, reply: &Reply) -> String {
        if let Some(message) = common_refusal(call, reply, TOKEN_VAR, &self.target()) {
            return message;
        }
        let what = answered(call, reply);
        if reply.status != 403 {
            return what;
        }
        let fork = if self.fork {
            " This merge request comes from a fork: its pipeline runs in the fork, without the \
             project's CI/CD variables; run the pipeline in the parent project (Settings > \
             CI/CD > run pipelines for merge requests from forks) or post from a pipeline there."
        } else {
            ""
        };
        format!(
            "{what}: the token may not write notes on this merge request; use a project or \
             personal access token with the `api` scope and at least the Reporter role, in a \
             masked CI/CD variable {TOKEN_VAR} (CI_JOB_TOKEN cannot write notes).{fork}"
        )
    }
}

/// A project path as one URL path segment (`group/sub/project` → `group%2Fsub%2Fproject`);
/// a numeric ID stays as it is.
fn encode(project: &str) -> String {
    let mut out = String::new();
    for byte in project.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_paths_are_one_encoded_segment() {
        assert_eq!(encode("1234"), "1234");
        assert_eq!(encode("group/sub/my.project"), "group%2Fsub%2Fmy.project");
        assert_eq!(encode("a b"), "a%20b");
    }

    #[test]
    fn the_project_of_a_fork_merge_request_is_the_target_project() {
        let env = |name: &str| {
            match name {
                "CI_PROJECT_ID" => Some("99"),
                "CI_MERGE_REQUEST_PROJECT_ID" => Some("7"),
                "CI_MERGE_REQUEST_SOURCE_PROJECT_ID" => Some("99"),
                "CI_MERGE_REQUEST_IID" => Some("3"),
                _ => None,
            }
            .map(str::to_string)
        };
        let gitlab = GitLab::from_env(Given::default(), &env).unwrap();
        assert_eq!(
            gitlab.notes_url(),
            "https://gitlab.com/api/v4/projects/7/merge_requests/3/notes"
        );
        assert!(gitlab.fork);
    }

    #[test]
    fn a_missing_merge_request_says_how_to_run_in_one() {
        let env = |name: &str| (name == "CI_PROJECT_ID").then(|| "7".to_string());
        let err = GitLab::from_env(Given::default(), &env).unwrap_err();
        assert!(err.contains("--merge-request"), "{err}");
        assert!(err.contains("merge_request_event"), "{err}");
    }
}
