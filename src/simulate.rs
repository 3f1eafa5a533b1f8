//! `trustgate simulate`: one policy, one request, the decision and the statements behind it
//! (SPEC §8). Exit 0 whatever the decision; 2 on bad input.

use crate::app::{write_error, Io, RunError};
use crate::cli::{SimulateArgs, SimulateFormat};
use crate::eval::{self, Request};
use crate::policy::parse_policy;

use std::path::Path;

/// Read a file, or standard input for `-` (at most once per run).
pub(crate) fn read_text(
    path: &Path,
    io: &mut Io<'_>,
    stdin_used: &mut bool,
) -> Result<(String, String), RunError> {
    let display = path.display().to_string();
    let bytes = if display == "-" {
        if *stdin_used {
            return Err(RunError(
                "`-` (standard input) is given more than once".into(),
            ));
        }
        *stdin_used = true;
        let mut bytes = Vec::new();
        io.stdin
            .read_to_end(&mut bytes)
            .map_err(|e| RunError(format!("-: cannot read standard input: {e}")))?;
        bytes
    } else {
        std::fs::read(path).map_err(|e| RunError(format!("{display}: cannot read: {e}")))?
    };
    let text =
        String::from_utf8(bytes).map_err(|_| RunError(format!("{display}: not UTF-8 text")))?;
    Ok((display, text))
}

/// The JSON of `simulate`: the evaluation's keys, then `to_allow` with `--explain-denied`
/// (added after the documented keys, so readers of the plain output are unmoved).
#[derive(serde::Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    evaluation: &'a eval::Evaluation,
    #[serde(skip_serializing_if = "Option::is_none")]
    to_allow: Option<&'a [String]>,
}

pub fn run(args: &SimulateArgs, io: &mut Io<'_>) -> Result<i32, RunError> {
    let mut stdin_used = false;
    let (policy_name, policy_text) = read_text(&args.policy, io, &mut stdin_used)?;
    let (request_name, request_text) = read_text(&args.request, io, &mut stdin_used)?;
    let policy = parse_policy(&policy_text)
        .map_err(|e| RunError(format!("{policy_name}: not a trust policy: {e}")))?;
    let request: Request = serde_json::from_str(&request_text)
        .map_err(|e| RunError(format!("{request_name}: not a request: {e}")))?;
    let evaluation = eval::evaluate(&policy, &request);
    let to_allow = if args.explain_denied {
        Some(eval::explain_denied(&policy, &request))
    } else {
        None
    };
    let text = match args.format {
        SimulateFormat::Json => {
            let shown = Shown {
                evaluation: &evaluation,
                to_allow: to_allow.as_deref(),
            };
            let mut s = serde_json::to_string_pretty(&shown)
                .map_err(|e| RunError(format!("cannot render JSON: {e}")))?;
            s.push('\n');
            s
        }
        SimulateFormat::Table => {
            let mut s = format!(
                "trust: {}\ndecision: {}\n",
                evaluation.trust.as_str(),
                evaluation.decision.as_str()
            );
            for st in &evaluation.statements {
                let sid = st
                    .sid
                    .as_deref()
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default();
                s.push_str(&format!(
                    "statement {}{sid} {}: {} — {}\n",
                    st.index,
                    st.effect,
                    if st.matched {
                        "applies"
                    } else {
                        "does not apply"
                    },
                    st.reason
                ));
            }
            for issue in &policy.issues {
                s.push_str(&format!("note: {} ({})\n", issue.message, issue.pointer));
            }
            match to_allow.as_deref() {
                Some([]) => s.push_str("to allow it: nothing, the request is allowed\n"),
                Some(steps) => {
                    s.push_str("to allow it:\n");
                    for step in steps {
                        s.push_str(&format!("  - {step}\n"));
                    }
                }
                None => {}
            }
            s
        }
    };
    io.out.write_all(text.as_bytes()).map_err(write_error)?;
    Ok(0)
}
