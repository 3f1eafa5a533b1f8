//! The plan reader's boundary error: one variant per way an input can fail to be a readable
//! plan. Every message is one line, `<file>: <what is wrong>`, plus `; help: <the fix>` where
//! there is a fix to name. All of them mean exit 2 (SPEC §5): the gate could not judge the plan.

/// Why an input could not be read as Terraform plan JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("{file}: cannot read: {reason}")]
    Io { file: String, reason: String },

    #[error(
        "{file}: the input is empty; help: pass the output of `terraform show -json PLANFILE`"
    )]
    Empty { file: String },

    #[error("{file}: {reason}; help: save it as UTF-8, or as UTF-16 with a byte-order mark")]
    Encoding { file: String, reason: String },

    #[error("{file}: invalid JSON at line {line} column {column}: {reason}")]
    Syntax {
        file: String,
        line: usize,
        column: usize,
        reason: String,
    },

    #[error(
        "{file}: the JSON ends early at line {line} column {column}: the input looks truncated; \
         help: write the plan again with `terraform show -json PLANFILE > FILE`"
    )]
    Truncated {
        file: String,
        line: usize,
        column: usize,
    },

    /// A field the reader needs has the wrong shape; `path` is its JSON path in the document.
    #[error("{file}: {path}: {reason}")]
    Shape {
        file: String,
        path: String,
        reason: String,
    },

    #[error(
        "{file}: not a Terraform plan: {reason}; \
         help: pass the output of `terraform show -json PLANFILE`"
    )]
    NotAPlan { file: String, reason: String },

    #[error(
        "{file}: this is the `terraform plan -json` event stream, not a plan; \
         help: save the plan with `terraform plan -out=PLANFILE` and pass the output of \
         `terraform show -json PLANFILE`"
    )]
    EventStream { file: String },

    #[error(
        "{file}: the plan JSON is wrapped in hashicorp/setup-terraform wrapper output \
         (`[command]` and `::debug::` lines); help: set `terraform_wrapper: false` on \
         hashicorp/setup-terraform, or run `terraform-bin show -json PLANFILE` instead"
    )]
    Wrapper { file: String },

    #[error(
        "{file}: unsupported plan format version `{version}` (trustgate reads 0.x and 1.x); \
         help: upgrade trustgate, or produce the plan with a Terraform version it supports"
    )]
    UnsupportedVersion { file: String, version: String },

    #[error(
        "{file}: the plan is errored (`errored: true`): planning stopped on an error, so the \
         plan is partial; help: fix the errors `terraform plan` reported and plan again"
    )]
    Errored { file: String },

    #[error(
        "{file}: this is a binary plan and `{program}` could not be run to convert it: {reason}; \
         help: install Terraform (or OpenTofu), or name the program with `--terraform-bin` or \
         `TRUSTGATE_TERRAFORM`"
    )]
    TerraformMissing {
        file: String,
        program: String,
        reason: String,
    },

    #[error(
        "{file}: `{program} show -json` failed ({status}): {reason}; help: run trustgate in the \
         initialised Terraform directory, or convert the plan yourself with \
         `terraform show -json PLANFILE > plan.json`"
    )]
    TerraformFailed {
        file: String,
        program: String,
        status: String,
        reason: String,
    },

    #[error(
        "{file}: no Terraform plan JSON found in this directory; help: name the plan files, \
         or the directory that holds them"
    )]
    NoPlans { file: String },
}

impl PlanError {
    /// The input the error is about, as the user named it (`path#N` for one document of several).
    pub fn file(&self) -> &str {
        match self {
            PlanError::Io { file, .. }
            | PlanError::Empty { file }
            | PlanError::Encoding { file, .. }
            | PlanError::Syntax { file, .. }
            | PlanError::Truncated { file, .. }
            | PlanError::Shape { file, .. }
            | PlanError::NotAPlan { file, .. }
            | PlanError::EventStream { file }
            | PlanError::Wrapper { file }
            | PlanError::UnsupportedVersion { file, .. }
            | PlanError::Errored { file }
            | PlanError::TerraformMissing { file, .. }
            | PlanError::TerraformFailed { file, .. }
            | PlanError::NoPlans { file } => file,
        }
    }
}

/// Make a user-supplied value safe to put in a one-line message: control characters escaped,
/// and long values cut, so a hostile or binary input cannot break the line or flood the log.
pub(crate) fn one_line(value: &str) -> String {
    const MAX_CHARS: usize = 200;
    let mut out = String::new();
    for (count, c) in value.chars().enumerate() {
        if count == MAX_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// An I/O error as a lowercase phrase without the `(os error N)` suffix.
pub(crate) fn io_reason(err: &std::io::Error) -> String {
    use std::io::ErrorKind;
    let phrase = match err.kind() {
        ErrorKind::NotFound => return "no such file or directory".to_string(),
        ErrorKind::PermissionDenied => return "permission denied".to_string(),
        _ => err.to_string(),
    };
    let phrase = match phrase.find(" (os error") {
        Some(cut) => phrase.get(..cut).unwrap_or(&phrase).to_string(),
        None => phrase,
    };
    let mut chars = phrase.chars();
    match chars.next() {
        Some(first) => one_line(&(first.to_lowercase().collect::<String>() + chars.as_str())),
        None => "unknown error".to_string(),
    }
}
