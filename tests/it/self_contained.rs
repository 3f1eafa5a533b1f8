//! What users read never cites documents they do not have: no "SPEC", "SEMANTICS" or "§" in
//! any help text, the README, docs/, or the CI integration files.

use crate::common::root;
use clap::CommandFactory;

const FORBIDDEN: [&str; 3] = ["SPEC", "SEMANTICS", "§"];

fn offending(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| FORBIDDEN.iter().any(|f| l.contains(f)))
        .map(str::to_string)
        .collect()
}

/// The long help of `cmd` and of every subcommand below it, with their paths.
fn helps(cmd: &mut clap::Command, path: String, out: &mut Vec<(String, String)>) {
    out.push((path.clone(), cmd.render_long_help().to_string()));
    for sub in cmd.get_subcommands_mut() {
        let name = format!("{path} {}", sub.get_name());
        helps(sub, name, out);
    }
}

#[test]
fn help_texts_cite_no_internal_document() {
    let mut all = Vec::new();
    helps(
        &mut trustgate::cli::Cli::command(),
        "trustgate".into(),
        &mut all,
    );
    assert!(all.iter().any(|(p, _)| p == "trustgate comment github"));
    assert!(all.len() > 10, "{}", all.len());
    for (path, help) in all {
        assert!(
            offending(&help).is_empty(),
            "`{path} --help`: {:?}",
            offending(&help)
        );
    }
}

#[test]
fn readme_docs_and_ci_files_cite_no_internal_document() {
    let mut files = vec![
        root().join("README.md"),
        root().join("action.yml"),
        root().join(".pre-commit-hooks.yaml"),
        root().join("ci/gitlab/trustgate.gitlab-ci.yml"),
        root().join(".github/workflows/release.yml"),
    ];
    let mut docs: Vec<_> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    docs.sort();
    assert!(docs.iter().any(|p| p.ends_with("semantics.md")));
    assert!(docs.iter().any(|p| p.ends_with("request-format.md")));
    assert!(docs.iter().any(|p| p.ends_with("json-report.md")));
    files.extend(docs);
    for file in files {
        // Pictures (the PR-comment screenshots) hold no text to cite anything.
        if file.extension().is_some_and(|e| e == "png") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            offending(&text).is_empty(),
            "{}: {:?}",
            file.display(),
            offending(&text)
        );
    }
}
