//! Command-line definitions (clap) only: no behaviour lives here.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "trustgate",
    version,
    about = "Gate Terraform plans on IAM role trust-policy regressions",
    long_about = "Reads `terraform show -json` output, finds every IAM role whose trust policy the plan \
creates, changes, replaces or deletes, and decides with IAM's evaluation semantics whether the change \
lets anyone assume the role who could not before.\n\nExit codes: 0 no finding at or above --fail-on; \
1 at least one; 2 could not run (usage, unreadable input, not a plan)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check plan JSON files (or standard input) for trust-policy regressions.
    Check(CheckArgs),
    /// Evaluate one trust policy against one request and explain the decision
    /// (the request format: docs/request-format.md).
    Simulate(SimulateArgs),
    /// Compare two trust policy documents as a one-role plan.
    Compare(CompareArgs),
    /// Print one `[[ignore]]` entry per current finding (pinned by its fingerprint), to adopt
    /// the gate on an existing estate and block only new regressions.
    Baseline(BaselineArgs),
    /// Post a Markdown report as a pull-request (GitHub) or merge-request (GitLab) comment,
    /// updating trustgate's earlier comment in place.
    Comment(CommentArgs),
    /// List every rule with its default severity, and the custom rules of the configuration.
    Rules(ConfigArgs),
    /// Print one rule's full description with a failing and a passing example.
    Explain {
        /// The rule id, e.g. `external-id-removed`, or a custom rule's id.
        id: String,
        #[command(flatten)]
        config: ConfigArgs,
    },
    /// Write a commented starter `trustgate.toml` in the working directory.
    Init {
        /// Overwrite an existing `trustgate.toml`.
        #[arg(long)]
        force: bool,
    },
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Report formats. Every format renders the same finished report; none changes the
/// exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Roles and findings as tables, with a summary line (for a terminal or a CI log).
    Table,
    /// The `trustgate/v1` document (docs/trustgate-v1.schema.json).
    Json,
    /// A pull-request comment, at most 60,000 characters.
    Markdown,
    /// SARIF 2.1.0, for code-scanning uploads.
    Sarif,
    /// GitHub Actions workflow commands (`::error`, `::warning`, `::notice`).
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UnknownArg {
    Fail,
    Warn,
    Ignore,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Plan JSON files, directories (every plan `*.json` below), or `-` for standard input.
    /// With none, standard input is read when it is not a terminal.
    pub plans: Vec<String>,

    /// Program used to convert binary plan files (`terraform show -json FILE`).
    #[arg(long, env = "TRUSTGATE_TERRAFORM", value_name = "PROGRAM")]
    pub terraform_bin: Option<String>,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub policy: PolicyArgs,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The current trust policy (a file, or `-` for standard input).
    pub before: PathBuf,

    /// The new trust policy (a file, or `-` for standard input).
    pub after: PathBuf,

    /// The role (its account is the role's own account).
    #[arg(long, default_value = "arn:aws:iam::111111111111:role/target")]
    pub role: String,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// `--color`: when the table on standard output is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    Always,
    Never,
}

/// Where the report goes, shared by `check` and `compare`.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format on standard output [default: table].
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Also write FORMAT to PATH (repeatable), e.g. `--output json=report.json`; `-` as PATH
    /// is standard output (instead of `--format`). Two outputs to one path are refused.
    #[arg(long = "output", value_name = "FORMAT=PATH")]
    pub outputs: Vec<String>,

    /// Colour the table on standard output.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,

    /// Same as `--color never`.
    #[arg(long)]
    pub no_color: bool,

    /// Tables as wide as their content, whatever the terminal's width (`COLUMNS`).
    #[arg(long)]
    pub wide: bool,

    /// Print only the verdict line on standard output (`--output` files are still written).
    #[arg(long, short)]
    pub quiet: bool,

    /// The Terraform configuration the plan was made from: SARIF, GitHub and Markdown output
    /// then point at the file and line of each role's `resource` block (module calls are
    /// followed; a module fetched into `.terraform/` is pointed at by its `module` call).
    #[arg(long, value_name = "DIR")]
    pub source_dir: Option<PathBuf>,

    /// The repository root every SARIF and GitHub location is relative to
    /// [default: the git top-level of the working directory, else the working directory].
    #[arg(long, value_name = "DIR")]
    pub repo_root: Option<PathBuf>,

    /// Append the Markdown report to `$GITHUB_STEP_SUMMARY` (done anyway for `github` output
    /// when that variable is set).
    #[arg(long)]
    pub step_summary: bool,
}

#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// Plan JSON files, directories, or `-` for standard input, as for `check`.
    #[arg(required = true)]
    pub plans: Vec<String>,

    /// Why the current findings are accepted (written into every entry).
    #[arg(long)]
    pub reason: String,

    /// When the entries stop applying (`YYYY-MM-DD`).
    #[arg(long, value_name = "DATE")]
    pub expires: Option<String>,

    /// Append the entries to `trustgate.toml` (or `--config PATH`) instead of printing them;
    /// findings already pinned there by fingerprint are left out.
    #[arg(long)]
    pub write: bool,

    /// Program used to convert binary plan files (`terraform show -json FILE`).
    #[arg(long, env = "TRUSTGATE_TERRAFORM", value_name = "PROGRAM")]
    pub terraform_bin: Option<String>,

    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// What decides the findings and the exit code, shared by `check` and `compare`. Flags left
/// out fall back to `trustgate.toml`, then to the built-in defaults.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// Exit 1 when an unsuppressed finding is at or above this severity
    /// (critical, high, medium, low, info, never) [default: high, or `fail_on` in the config].
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,

    /// How to treat a trust policy known only after apply: `fail` makes it critical
    /// [default: warn, or `unknown` in the config].
    #[arg(long, value_enum)]
    pub unknown: Option<UnknownArg>,

    /// Apply posture rules to every role, not only created ones.
    #[arg(long)]
    pub all: bool,

    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Which configuration file to read.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Read the configuration from PATH instead of `trustgate.toml` in the working directory.
    #[arg(long, value_name = "PATH", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Ignore `trustgate.toml`: flags and built-in defaults only.
    #[arg(long)]
    pub no_config: bool,
}

/// `trustgate comment github|gitlab`.
#[derive(Debug, Args)]
pub struct CommentArgs {
    #[command(subcommand)]
    pub forge: CommentForge,
}

#[derive(Debug, Subcommand)]
pub enum CommentForge {
    /// Comment on a GitHub pull request (token from GITHUB_TOKEN or GH_TOKEN).
    Github(GithubCommentArgs),
    /// Comment on a GitLab merge request (token from GITLAB_TOKEN).
    Gitlab(GitlabCommentArgs),
}

#[derive(Debug, Args)]
pub struct GithubCommentArgs {
    /// The repository, `OWNER/NAME` [default: GITHUB_REPOSITORY].
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,

    /// The pull request [default: from the workflow's event (GITHUB_EVENT_PATH) or GITHUB_REF].
    #[arg(long, value_name = "NUMBER")]
    pub pull_request: Option<u64>,

    /// The REST API's base URL [default: GITHUB_API_URL, else https://api.github.com].
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,

    #[command(flatten)]
    pub comment: CommentCommon,
}

#[derive(Debug, Args)]
pub struct GitlabCommentArgs {
    /// The project, its numeric ID or its path `group/project`
    /// [default: CI_MERGE_REQUEST_PROJECT_ID, else CI_PROJECT_ID].
    #[arg(long, value_name = "ID-OR-PATH")]
    pub project: Option<String>,

    /// The merge request's IID (the number in its URL) [default: CI_MERGE_REQUEST_IID].
    #[arg(long, value_name = "IID")]
    pub merge_request: Option<u64>,

    /// The REST API's base URL [default: CI_API_V4_URL, else https://gitlab.com/api/v4].
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,

    #[command(flatten)]
    pub comment: CommentCommon,
}

/// What both forges' `comment` takes.
#[derive(Debug, Args)]
pub struct CommentCommon {
    /// The comment: a Markdown report (`check --output markdown=PATH`), or `-` for standard
    /// input. A first line `<!-- trustgate -->` is added when missing.
    #[arg(long, value_name = "PATH")]
    pub markdown: PathBuf,

    /// `update`: edit trustgate's newest comment in place (or add one); `new`: always add one;
    /// `delete-and-new`: delete trustgate's comments, then add one.
    #[arg(long, value_enum, default_value_t = CommentBehavior::Update)]
    pub behavior: CommentBehavior,

    /// Send nothing that writes: print each request that would (method, URL, JSON body).
    /// Existing comments are still read when a token is set.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CommentBehavior {
    Update,
    New,
    DeleteAndNew,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The trust policy document (a file, or `-` for standard input).
    pub policy: PathBuf,

    /// The request as a JSON file (docs/request-format.md), or `-` for standard input.
    #[arg(long)]
    pub request: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = SimulateFormat::Table)]
    pub format: SimulateFormat,

    /// For a request the policy denies, say the smallest change that allows it: the
    /// condition that failed and the value sent, the principal the policy does not name, the
    /// caller-side permission a cross-account call also needs.
    #[arg(long)]
    pub explain_denied: bool,
}

/// `simulate` prints a short text or a JSON document (docs/request-format.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimulateFormat {
    Table,
    Json,
}
