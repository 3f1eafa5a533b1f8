//! `trustgate comment github|gitlab` against a scripted API on 127.0.0.1: which requests it
//! sends (create, update, delete, pagination), what it does with refusals and server errors,
//! and what `--dry-run` prints. Never the real services.

use crate::common::testdata;
use crate::mock_http::{Reply, Request, Server};
use assert_cmd::Command;
use std::path::PathBuf;

const MARKER: &str = "<!-- trustgate -->";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    requests: Vec<Request>,
}

/// Run `trustgate ARGS` with only `env` set (no variable of the machine's own CI leaks in) and
/// retries that do not sleep, against `server`.
fn run(server: &Server, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
    let mut cmd = Command::cargo_bin("trustgate").unwrap();
    cmd.env_clear()
        .env("TRUSTGATE_HTTP_RETRY_MS", "1")
        .args(args)
        .timeout(std::time::Duration::from_secs(60));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.write_stdin(stdin.unwrap_or(""));
    let output = cmd.output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
        requests: server.requests(),
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("comment-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A Markdown file starting with the marker, and a pull_request event for PR #7 of `o/r`
/// (from `head_repo`).
fn github_files(name: &str, head_repo: &str) -> (String, String, String) {
    let dir = temp_dir(name);
    let markdown = format!("{MARKER}\n### trustgate: run {name}\n");
    let md_path = dir.join("trustgate.md");
    std::fs::write(&md_path, &markdown).unwrap();
    let event = dir.join("event.json");
    std::fs::write(
        &event,
        format!(
            r#"{{"action":"synchronize","number":7,"pull_request":{{"number":7,"head":{{"repo":{{"full_name":"{head_repo}"}}}},"base":{{"repo":{{"full_name":"o/r"}}}}}}}}"#
        ),
    )
    .unwrap();
    (
        markdown,
        md_path.display().to_string(),
        event.display().to_string(),
    )
}

fn github_env<'a>(server: &'a Server, event: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("GITHUB_API_URL", server.url.as_str()),
        ("GITHUB_REPOSITORY", "o/r"),
        ("GITHUB_EVENT_PATH", event),
        ("GITHUB_TOKEN", "ghs_test"),
    ]
}

/// `trustgate comment github --markdown MD EXTRA...` in a job for pull request #7 of `o/r`.
fn github(server: &Server, event: &str, md: &str, extra: &[&str]) -> Run {
    let mut args = vec!["comment", "github", "--markdown", md];
    args.extend_from_slice(extra);
    run(server, &args, &github_env(server, event), None)
}

fn comments(ids_and_bodies: &[(u64, &str)]) -> String {
    let list: Vec<serde_json::Value> = ids_and_bodies
        .iter()
        .map(|(id, body)| serde_json::json!({"id": id, "body": body, "user": {"login": "someone"}}))
        .collect();
    serde_json::to_string(&list).unwrap()
}

fn lines(requests: &[Request]) -> Vec<String> {
    requests.iter().map(Request::line).collect()
}

const GH_LIST: &str = "GET /repos/o/r/issues/7/comments?per_page=100";
const GH_CREATE: &str = "POST /repos/o/r/issues/7/comments";

#[test]
fn github_adds_a_comment_when_none_is_trustgates() {
    let (markdown, md, event) = github_files("gh-create", "o/r");
    let server = Server::start(vec![
        Reply::json(
            200,
            &comments(&[(1, "LGTM"), (2, "not <!-- trustgate --> first")]),
        ),
        Reply::json(201, r#"{"id":3}"#),
    ]);
    let r = github(&server, &event, &md, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(lines(&r.requests), [GH_LIST, GH_CREATE]);
    let create = &r.requests[1];
    assert_eq!(create.comment(), markdown);
    assert_eq!(create.header("authorization"), Some("Bearer ghs_test"));
    assert_eq!(create.header("accept"), Some("application/vnd.github+json"));
    assert_eq!(create.header("x-github-api-version"), Some("2022-11-28"));
    assert!(create
        .header("user-agent")
        .unwrap()
        .starts_with("trustgate/"));
    assert_eq!(r.stdout, "added a comment to o/r pull request #7\n");
}

/// Comments `range`, trustgate's (with the marker) where `ours` says so.
fn page(range: std::ops::Range<u64>, ours: &[u64]) -> String {
    let items: Vec<(u64, String)> = range
        .map(|id| {
            let body = if ours.contains(&id) {
                format!("{MARKER}\nold report {id}")
            } else {
                format!("comment {id}")
            };
            (id, body)
        })
        .collect();
    let refs: Vec<(u64, &str)> = items.iter().map(|(i, b)| (*i, b.as_str())).collect();
    comments(&refs)
}

fn link_to(page: u32) -> String {
    format!(
        r#"<{{base}}/repositories/1/issues/7/comments?per_page=100&page={page}>; rel="next", <{{base}}/repositories/1/issues/7/comments?per_page=100&page=3>; rel="last""#
    )
}

#[test]
fn github_updates_the_newest_of_its_comments_across_pages() {
    let (markdown, md, event) = github_files("gh-update", "o/r");
    // 250 comments over three pages; trustgate's are 40 (page 1) and 160 (page 2).
    let server = Server::start(vec![
        Reply::json(200, &page(1..101, &[40])).header("Link", &link_to(2)),
        Reply::json(200, &page(101..201, &[160])).header("Link", &link_to(3)),
        Reply::json(200, &page(201..251, &[])).header(
            "Link",
            r#"<{base}/repositories/1/issues/7/comments?per_page=100&page=1>; rel="first""#,
        ),
        Reply::json(200, r#"{"id":160}"#),
    ]);
    let r = github(&server, &event, &md, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        lines(&r.requests),
        [
            GH_LIST,
            "GET /repositories/1/issues/7/comments?per_page=100&page=2",
            "GET /repositories/1/issues/7/comments?per_page=100&page=3",
            "PATCH /repos/o/r/issues/comments/160",
        ]
    );
    assert_eq!(r.requests[3].comment(), markdown);
    assert_eq!(
        r.requests[1].header("authorization"),
        Some("Bearer ghs_test")
    );
    assert_eq!(r.stdout, "updated comment 160 on o/r pull request #7\n");
}

#[test]
fn github_sends_nothing_when_its_comment_already_says_it() {
    let (markdown, md, event) = github_files("gh-same", "o/r");
    let server = Server::start(vec![Reply::json(
        200,
        &comments(&[(5, "hi"), (9, markdown.as_str())]),
    )]);
    let r = github(&server, &event, &md, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(lines(&r.requests), [GH_LIST]);
    assert_eq!(
        r.stdout,
        "comment 9 on o/r pull request #7 already says this; nothing to send\n"
    );
}

#[test]
fn github_delete_and_new_deletes_every_trustgate_comment_then_adds_one() {
    let (markdown, md, event) = github_files("gh-delete", "o/r");
    let server = Server::start(vec![
        Reply::json(200, &page(1..6, &[2, 4])),
        Reply::json(204, ""),
        Reply::json(204, ""),
        Reply::json(201, r#"{"id":6}"#),
    ]);
    let r = github(&server, &event, &md, &["--behavior", "delete-and-new"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        lines(&r.requests),
        [
            GH_LIST,
            "DELETE /repos/o/r/issues/comments/2",
            "DELETE /repos/o/r/issues/comments/4",
            GH_CREATE,
        ]
    );
    assert_eq!(r.requests[3].comment(), markdown);
    assert_eq!(
        r.stdout,
        "deleted 2 earlier comments and added a new one to o/r pull request #7\n"
    );
}

#[test]
fn github_new_never_reads_or_touches_earlier_comments() {
    let (_, md, event) = github_files("gh-new", "o/r");
    let server = Server::start(vec![Reply::json(201, r#"{"id":6}"#)]);
    let r = github(&server, &event, &md, &["--behavior", "new"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(lines(&r.requests), [GH_CREATE]);
}

#[test]
fn github_posts_the_check_reports_markdown_from_standard_input_unchanged() {
    let check = Command::cargo_bin("trustgate")
        .unwrap()
        .args(["check", "--no-config", "--format", "markdown"])
        .arg(testdata("plans/demo.json"))
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1));
    let markdown = String::from_utf8(check.stdout).unwrap();
    assert!(markdown.starts_with(MARKER));
    let (_, _, event) = github_files("gh-stdin", "o/r");
    let server = Server::start(vec![Reply::json(200, "[]"), Reply::json(201, "{}")]);
    let env = github_env(&server, &event);
    let r = run(
        &server,
        &["comment", "github", "--markdown", "-"],
        &env,
        Some(&markdown),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.requests[1].comment(), markdown);
}

#[test]
fn github_takes_the_number_from_github_ref_and_flags_over_the_environment() {
    let (_, md, _) = github_files("gh-ref", "o/r");
    let server = Server::start(vec![Reply::json(200, "[]"), Reply::json(201, "{}")]);
    let env = [
        ("GITHUB_API_URL", server.url.clone()),
        ("GITHUB_REPOSITORY", "o/r".to_string()),
        ("GITHUB_REF", "refs/pull/31/merge".to_string()),
        ("GH_TOKEN", "gh_cli_token".to_string()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = run(
        &server,
        &["comment", "github", "--markdown", &md],
        &env,
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        lines(&r.requests),
        [
            "GET /repos/o/r/issues/31/comments?per_page=100",
            "POST /repos/o/r/issues/31/comments"
        ]
    );
    assert_eq!(
        r.requests[0].header("authorization"),
        Some("Bearer gh_cli_token")
    );

    let server = Server::start(vec![Reply::json(201, "{}")]);
    let mut env = env.clone();
    env[0].1 = &server.url;
    let args = [
        "comment",
        "github",
        "--markdown",
        &md,
        "--behavior",
        "new",
        "--repo",
        "x/y",
        "--pull-request",
        "5",
    ];
    let r = run(&server, &args, &env, None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(lines(&r.requests), ["POST /repos/x/y/issues/5/comments"]);
}

/// Run one comment whose first request gets `status` and `body`; return its stderr.
fn github_refused(name: &str, head_repo: &str, status: u16, body: &str) -> Run {
    let (_, md, event) = github_files(name, head_repo);
    let server = Server::start(vec![Reply::json(200, "[]"), Reply::json(status, body)]);
    let r = github(&server, &event, &md, &[]);
    assert_eq!(r.code, 2, "{status}: {}", r.stdout);
    assert_eq!(
        lines(&r.requests),
        [GH_LIST, GH_CREATE],
        "{status}: no retry"
    );
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("trustgate: error: POST "),
        "{}",
        r.stderr
    );
    r
}

#[test]
fn github_refusals_say_what_they_mean_and_what_to_do() {
    let r = github_refused("gh-401", "o/r", 401, r#"{"message":"Bad credentials"}"#);
    assert!(
        r.stderr.contains("answered 401: Bad credentials"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("GITHUB_TOKEN"), "{}", r.stderr);

    let r = github_refused("gh-404", "o/r", 404, r#"{"message":"Not Found"}"#);
    assert!(
        r.stderr.contains("o/r pull request #7 was not found"),
        "{}",
        r.stderr
    );

    let r = github_refused(
        "gh-422",
        "o/r",
        422,
        r#"{"message":"Validation Failed","errors":[{"code":"custom","field":"body","message":"body is too long"}]}"#,
    );
    assert!(r.stderr.contains("422: Validation Failed"), "{}", r.stderr);
    assert!(r.stderr.contains("65,536"), "{}", r.stderr);

    let denied = r#"{"message":"Resource not accessible by integration"}"#;
    let r = github_refused("gh-403", "o/r", 403, denied);
    assert!(r.stderr.contains("pull-requests: write"), "{}", r.stderr);
    assert!(!r.stderr.contains("comes from a fork"), "{}", r.stderr);

    let r = github_refused("gh-403-fork", "someone/r", 403, denied);
    assert!(r.stderr.contains("comes from a fork"), "{}", r.stderr);
    assert!(r.stderr.contains("read-only token"), "{}", r.stderr);
    assert!(r.stderr.contains("workflow_run"), "{}", r.stderr);
}

#[test]
fn github_server_errors_are_retried_then_reported() {
    let (_, md, event) = github_files("gh-5xx", "o/r");
    let server = Server::start(vec![
        Reply::json(502, "bad gateway"),
        Reply::json(503, "{}"),
        Reply::json(200, "[]"),
        Reply::json(500, "{}"),
        Reply::json(201, "{}"),
    ]);
    let r = github(&server, &event, &md, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        lines(&r.requests),
        [GH_LIST, GH_LIST, GH_LIST, GH_CREATE, GH_CREATE]
    );

    let (_, md, event) = github_files("gh-5xx-always", "o/r");
    let server = Server::start(vec![Reply::json(500, r#"{"message":"boom"}"#); 4]);
    let r = github(&server, &event, &md, &[]);
    assert_eq!(r.code, 2);
    assert_eq!(r.requests.len(), 4, "the first try and three retries");
    assert!(r.stderr.contains("answered 500: boom"), "{}", r.stderr);
}

#[test]
fn github_never_follows_a_pagination_link_off_the_api() {
    let (_, md, event) = github_files("gh-offsite", "o/r");
    let server = Server::start(vec![Reply::json(200, "[]").header(
        "Link",
        r#"<https://elsewhere.invalid/steal?page=2>; rel="next""#,
    )]);
    let r = github(&server, &event, &md, &[]);
    assert_eq!(r.code, 2);
    assert_eq!(lines(&r.requests), [GH_LIST]);
    assert!(
        r.stderr.contains("not sending the token there"),
        "{}",
        r.stderr
    );
}

#[test]
fn github_dry_run_prints_the_writes_and_sends_none() {
    let (markdown, md, event) = github_files("gh-dry", "o/r");
    let server = Server::start(vec![Reply::json(200, &page(1..4, &[2]))]);
    let env = github_env(&server, &event);
    let url = server.url.clone();
    let r = run(
        &server,
        &["comment", "github", "--markdown", &md, "--dry-run"],
        &env,
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(lines(&r.requests), [GH_LIST], "reads, never writes");
    let body = serde_json::json!({ "body": markdown }).to_string();
    assert_eq!(
        r.stdout,
        format!(
            "PATCH {url}/repos/o/r/issues/comments/2\n{body}\ndry run: would have updated comment 2 on o/r pull request #7\n"
        )
    );

    // Without a token nothing is read either.
    let server = Server::start(vec![]);
    let env: Vec<(&str, &str)> = github_env(&server, &event)
        .into_iter()
        .filter(|(k, _)| *k != "GITHUB_TOKEN")
        .collect();
    let url = server.url.clone();
    let r = run(
        &server,
        &["comment", "github", "--markdown", &md, "--dry-run"],
        &env,
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.requests.is_empty());
    assert!(
        r.stdout.starts_with("dry run: no token is set"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!(
            "\nPOST {url}/repos/o/r/issues/7/comments\n{body}\n"
        )),
        "{}",
        r.stdout
    );
}

#[test]
fn comment_without_a_token_or_a_target_is_a_one_line_usage_error() {
    let (_, md, event) = github_files("gh-notoken", "o/r");
    let server = Server::start(vec![]);
    let env: Vec<(&str, &str)> = github_env(&server, &event)
        .into_iter()
        .filter(|(k, _)| *k != "GITHUB_TOKEN")
        .collect();
    let r = run(
        &server,
        &["comment", "github", "--markdown", &md],
        &env,
        None,
    );
    assert_eq!(r.code, 2);
    assert!(r.requests.is_empty());
    assert_eq!(
        r.stderr,
        "trustgate: error: no token to comment on o/r pull request #7 with: set GITHUB_TOKEN \
         (in a workflow step: `env: GITHUB_TOKEN: ${{ github.token }}`), or use --dry-run\n"
    );

    let server = Server::start(vec![]);
    let r = run(
        &server,
        &["comment", "github", "--markdown", &md],
        &[("GITHUB_REPOSITORY", "o/r"), ("GITHUB_TOKEN", "t")],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--pull-request NUMBER"), "{}", r.stderr);

    let server = Server::start(vec![]);
    let r = run(
        &server,
        &["comment", "gitlab", "--markdown", &md],
        &[("GITLAB_TOKEN", "t"), ("CI_MERGE_REQUEST_IID", "3")],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--project"), "{}", r.stderr);

    let empty = temp_dir("empty").join("empty.md");
    std::fs::write(&empty, "\n").unwrap();
    let server = Server::start(vec![]);
    let empty = empty.display().to_string();
    let r = run(
        &server,
        &["comment", "github", "--markdown", &empty, "--dry-run"],
        &[
            ("GITHUB_REPOSITORY", "o/r"),
            ("GITHUB_REF", "refs/pull/1/merge"),
        ],
        None,
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        format!("trustgate: error: {empty}: the Markdown is empty\n")
    );
}

// GitLab.

fn gitlab_env(server: &Server) -> Vec<(&str, &str)> {
    vec![
        ("CI_API_V4_URL", server.url.as_str()),
        ("CI_PROJECT_ID", "42"),
        ("CI_MERGE_REQUEST_IID", "3"),
        ("GITLAB_TOKEN", "glpat-test"),
    ]
}

/// `trustgate comment gitlab --markdown MD EXTRA...` in a job for merge request !3 of
/// project 42.
fn gitlab(server: &Server, md: &str, extra: &[&str]) -> Run {
    let mut args = vec!["comment", "gitlab", "--markdown", md];
    args.extend_from_slice(extra);
    run(server, &args, &gitlab_env(server), None)
}

fn notes(items: &[(u64, &str, bool)]) -> String {
    let list: Vec<serde_json::Value> = items
        .iter()
        .map(|(id, body, system)| serde_json::json!({"id": id, "body": body, "system": system}))
        .collect();
    serde_json::to_string(&list).unwrap()
}

fn gl_list(page: u32) -> String {
    format!(
        "GET /projects/42/merge_requests/3/notes?sort=asc&order_by=created_at&per_page=100&page={page}"
    )
}

const GL_CREATE: &str = "POST /projects/42/merge_requests/3/notes";

fn markdown_file(name: &str) -> (String, String) {
    let dir = temp_dir(name);
    let markdown = format!("{MARKER}\n### trustgate: run {name}\n");
    let path = dir.join("trustgate.md");
    std::fs::write(&path, &markdown).unwrap();
    (markdown, path.display().to_string())
}

#[test]
fn gitlab_adds_a_note_when_none_is_trustgates() {
    let (markdown, md) = markdown_file("gl-create");
    let server = Server::start(vec![
        Reply::json(200, &notes(&[(1, "LGTM", false)])).header("X-Next-Page", ""),
        Reply::json(201, r#"{"id":2}"#),
    ]);
    let r = gitlab(&server, &md, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(lines(&r.requests), [gl_list(1).as_str(), GL_CREATE]);
    assert_eq!(r.requests[1].comment(), markdown);
    assert_eq!(r.requests[1].header("private-token"), Some("glpat-test"));
    assert_eq!(r.requests[0].header("authorization"), None);
    assert_eq!(r.stdout, "added a comment to project 42 merge request !3\n");
}

#[test]
fn gitlab_updates_its_newest_note_across_pages_and_skips_system_notes() {
    let (markdown, md) = markdown_file("gl-update");
    let old = format!("{MARKER}\nold");
    let mut first: Vec<(u64, &str, bool)> = (1..100).map(|id| (id, "chatter", false)).collect();
    first.push((100, old.as_str(), false));
    let server = Server::start(vec![
        Reply::json(200, &notes(&first)).header("X-Next-Page", "2"),
        Reply::json(
            200,
            &notes(&[(101, old.as_str(), false), (102, old.as_str(), true)]),
        )
        .header("X-Next-Page", ""),
        Reply::json(200, r#"{"id":101}"#),
    ]);
    let r = gitlab(&server, &md, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        lines(&r.requests),
        [
            gl_list(1).as_str(),
            gl_list(2).as_str(),
            "PUT /projects/42/merge_requests/3/notes/101"
        ]
    );
    assert_eq!(r.requests[2].comment(), markdown);
}

#[test]
fn gitlab_project_paths_and_flags() {
    let (_, md) = markdown_file("gl-path");
    let server = Server::start(vec![Reply::json(201, "{}")]);
    let r = gitlab(
        &server,
        &md,
        &[
            "--behavior",
            "new",
            "--project",
            "group/sub/infra",
            "--merge-request",
            "12",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        lines(&r.requests),
        ["POST /projects/group%2Fsub%2Finfra/merge_requests/12/notes"]
    );
}

#[test]
fn gitlab_delete_and_new_dry_run_lists_every_write() {
    let (markdown, md) = markdown_file("gl-dry");
    let old = format!("{MARKER}\nold");
    let server = Server::start(vec![Reply::json(
        200,
        &notes(&[
            (7, old.as_str(), false),
            (8, "x", false),
            (9, old.as_str(), false),
        ]),
    )]);
    let url = server.url.clone();
    let r = gitlab(&server, &md, &["--behavior", "delete-and-new", "--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(lines(&r.requests), [gl_list(1)]);
    let notes_url = format!("{url}/projects/42/merge_requests/3/notes");
    let body = serde_json::json!({ "body": markdown }).to_string();
    assert_eq!(
        r.stdout,
        format!(
            "DELETE {notes_url}/7\nDELETE {notes_url}/9\nPOST {notes_url}\n{body}\n\
             dry run: would have deleted 2 earlier comments and added a new one to project 42 merge request !3\n"
        )
    );
}

fn gitlab_refused(name: &str, env_extra: &[(&str, &str)], status: u16, body: &str) -> Run {
    let (_, md) = markdown_file(name);
    let server = Server::start(vec![Reply::json(200, "[]"), Reply::json(status, body)]);
    let mut env = gitlab_env(&server);
    env.extend_from_slice(env_extra);
    let r = run(
        &server,
        &["comment", "gitlab", "--markdown", &md],
        &env,
        None,
    );
    assert_eq!(r.code, 2, "{status}");
    assert_eq!(lines(&r.requests), [gl_list(1).as_str(), GL_CREATE]);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    r
}

#[test]
fn gitlab_refusals_say_what_they_mean_and_what_to_do() {
    let r = gitlab_refused("gl-401", &[], 401, r#"{"message":"401 Unauthorized"}"#);
    assert!(r.stderr.contains("GITLAB_TOKEN"), "{}", r.stderr);
    assert!(r.stderr.contains("token was refused"), "{}", r.stderr);

    let r = gitlab_refused("gl-403", &[], 403, r#"{"message":"403 Forbidden"}"#);
    assert!(r.stderr.contains("`api` scope"), "{}", r.stderr);
    assert!(
        r.stderr.contains("CI_JOB_TOKEN cannot write notes"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("fork"), "{}", r.stderr);

    let fork = [
        ("CI_MERGE_REQUEST_PROJECT_ID", "42"),
        ("CI_MERGE_REQUEST_SOURCE_PROJECT_ID", "77"),
    ];
    let r = gitlab_refused("gl-403-fork", &fork, 403, r#"{"message":"403 Forbidden"}"#);
    assert!(r.stderr.contains("comes from a fork"), "{}", r.stderr);

    let r = gitlab_refused("gl-404", &[], 404, r#"{"message":"404 Not found"}"#);
    assert!(
        r.stderr
            .contains("project 42 merge request !3 was not found"),
        "{}",
        r.stderr
    );

    let r = gitlab_refused(
        "gl-422",
        &[],
        422,
        r#"{"message":{"note":["is too long (maximum is 1000000 characters)"]}}"#,
    );
    assert!(r.stderr.contains("is too long"), "{}", r.stderr);
}

#[test]
fn gitlab_server_errors_are_retried() {
    let (_, md) = markdown_file("gl-5xx");
    let server = Server::start(vec![
        Reply::json(500, "{}"),
        Reply::json(200, "[]"),
        Reply::json(502, "{}"),
        Reply::json(503, "{}"),
        Reply::json(201, "{}"),
    ]);
    let r = gitlab(&server, &md, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        lines(&r.requests),
        [
            gl_list(1).as_str(),
            gl_list(1).as_str(),
            GL_CREATE,
            GL_CREATE,
            GL_CREATE
        ]
    );
}
