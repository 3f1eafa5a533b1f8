//! `trustgate comment github|gitlab`: reads the Markdown, finds the pull or merge request and
//! the token in the CI job's environment (or the flags), and posts through `forge`.

use super::{Io, RunError};
use crate::cli::{CommentArgs, CommentBehavior, CommentCommon, CommentForge};
use crate::forge::http::{Call, Http};
use crate::forge::{self, github, gitlab, Api, Behavior, Done, Given};
use std::time::Duration;

/// The wait before the first retry of a failed request, in milliseconds; it doubles for each
/// next one. Overridable (`TRUSTGATE_HTTP_RETRY_MS`) so tests of retries do not sleep.
const RETRY_MS: u64 = 1000;

pub fn run(args: &CommentArgs, io: &mut Io<'_>) -> Result<i32, RunError> {
    let env = |name: &str| std::env::var(name).ok();
    let (api, token, token_hint, headers, common): (Box<dyn Api>, _, _, fn(&str) -> _, _) =
        match &args.forge {
            CommentForge::Github(a) => {
                let given = Given {
                    project: a.repo.clone(),
                    number: a.pull_request,
                    api_url: a.api_url.clone(),
                };
                let api = github::GitHub::from_env(given, &env).map_err(RunError)?;
                let token = github::TOKEN_VARS.iter().find_map(|v| non_empty(env(v)));
                let hint = "set GITHUB_TOKEN (in a workflow step: \
                            `env: GITHUB_TOKEN: ${{ github.token }}`)";
                (
                    Box::new(api),
                    token,
                    hint,
                    github::GitHub::headers,
                    &a.comment,
                )
            }
            CommentForge::Gitlab(a) => {
                let given = Given {
                    project: a.project.clone(),
                    number: a.merge_request,
                    api_url: a.api_url.clone(),
                };
                let api = gitlab::GitLab::from_env(given, &env).map_err(RunError)?;
                let token = non_empty(env(gitlab::TOKEN_VAR));
                let hint = "set GITLAB_TOKEN (a masked CI/CD variable holding an access token \
                            with the `api` scope)";
                (
                    Box::new(api),
                    token,
                    hint,
                    gitlab::GitLab::headers,
                    &a.comment,
                )
            }
        };
    let markdown = read_markdown(common, io)?;
    if token.is_none() && !common.dry_run {
        return Err(RunError(format!(
            "no token to comment on {} with: {token_hint}, or use --dry-run",
            api.target()
        )));
    }
    let retry = env("TRUSTGATE_HTTP_RETRY_MS")
        .and_then(|ms| ms.parse().ok())
        .unwrap_or(RETRY_MS);
    let http = token.map(|t| Http::new(headers(&t), Duration::from_millis(retry)));
    let behavior = match common.behavior {
        CommentBehavior::Update => Behavior::Update,
        CommentBehavior::New => Behavior::New,
        CommentBehavior::DeleteAndNew => Behavior::DeleteAndNew,
    };
    let mut shown: Vec<Call> = Vec::new();
    let done = forge::post(
        api.as_ref(),
        http.as_ref(),
        &markdown,
        behavior,
        common.dry_run,
        &mut |call| shown.push(call.clone()),
    )
    .map_err(RunError)?;
    let mut text = String::new();
    if common.dry_run {
        if http.is_none() {
            text.push_str(
                "dry run: no token is set, so earlier comments were not read; with one, an \
                 earlier trustgate comment would be updated or deleted as --behavior says\n",
            );
        }
        for call in &shown {
            text.push_str(&format!("{} {}\n", call.method.as_str(), call.url));
            if let Some(body) = &call.body {
                text.push_str(body);
                text.push('\n');
            }
        }
    }
    let target = api.target();
    let would = if common.dry_run {
        "dry run: would have "
    } else {
        ""
    };
    text.push_str(&match done {
        Done::Created => format!("{would}added a comment to {target}\n"),
        Done::Updated(id) => format!("{would}updated comment {id} on {target}\n"),
        Done::Unchanged(id) => {
            format!("comment {id} on {target} already says this; nothing to send\n")
        }
        Done::Replaced { deleted } => format!(
            "{would}deleted {} earlier comment{} and added a new one to {target}\n",
            deleted.len(),
            if deleted.len() == 1 { "" } else { "s" }
        ),
    });
    io.out
        .write_all(text.as_bytes())
        .map_err(|e| RunError(format!("cannot write to standard output: {e}")))?;
    Ok(0)
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

fn read_markdown(common: &CommentCommon, io: &mut Io<'_>) -> Result<String, RunError> {
    let mut stdin_used = false;
    let (name, text) = crate::simulate::read_text(&common.markdown, io, &mut stdin_used)?;
    if text.trim().is_empty() {
        return Err(RunError(format!("{name}: the Markdown is empty")));
    }
    Ok(text)
}
