//! Per-role analysis: decode both sides of a role's trust, give the role its verdict and run
//! every rule on it. Pure: the pipeline feeds it role changes and collects the results.

use crate::compare::{
    common_witness, compare, memo, CompareError, CompareOptions, Comparison,
    Verdict as CompareVerdict, Witness,
};
use crate::finding::{fnv1a, Finding, Severity};
use crate::plan::{AccountSource, IamName, OwnAccount, RoleChange, TrustDoc};
use crate::policy::{normal_form, parse_policy, Policy, SharedPolicy};
use crate::rules::cause::{self, Cause};
use crate::rules::class::{classify, PrincipalClass};
use crate::rules::{self, Attributed, Draft, DriftFacts, RoleInput, RuleSettings, Side};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;
use std::sync::Arc;

/// A role's verdict (SPEC §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Widened,
    Narrowed,
    Unchanged,
    Lateral,
    Created,
    Deleted,
    Unknown,
    Unparseable,
}

impl Verdict {
    pub const ALL: [Verdict; 8] = [
        Verdict::Widened,
        Verdict::Narrowed,
        Verdict::Unchanged,
        Verdict::Lateral,
        Verdict::Created,
        Verdict::Deleted,
        Verdict::Unknown,
        Verdict::Unparseable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Widened => "widened",
            Verdict::Narrowed => "narrowed",
            Verdict::Unchanged => "unchanged",
            Verdict::Lateral => "lateral",
            Verdict::Created => "created",
            Verdict::Deleted => "deleted",
            Verdict::Unknown => "unknown",
            Verdict::Unparseable => "unparseable",
        }
    }
}

/// A JSON value kept as its compact text. A report on thousands of roles then holds one short
/// string per side instead of a tree of small allocations (issue 7's memory bound); renderers
/// expand it when they need it. Serialises as the value itself, so output does not change.
///
/// Held as a checked raw value: text read back from the results store is checked where it is
/// decoded (for the JSON report, on the thread that reads records ahead of the writer), so the
/// writer hands it to the formatter as it is (checking it there was a quarter of writing a
/// large report, on the one thread that writes).
#[derive(Clone)]
pub struct CompactJson(Box<RawValue>);

impl CompactJson {
    pub fn new(value: &Value) -> CompactJson {
        // Our own compact serialisation, as `Value`'s `Display` writes it.
        serde_json::value::to_raw_value(value).map_or_else(|_| CompactJson::null(), CompactJson)
    }

    fn null() -> CompactJson {
        CompactJson(RawValue::NULL.to_owned())
    }

    /// Our own serialisation, as written (see `from_text`).
    pub fn as_str(&self) -> &str {
        self.0.get()
    }

    /// A value from `as_str` (read back from the results store); `null` for text that is not
    /// JSON, which our own serialisation never is.
    pub fn from_text(text: String) -> CompactJson {
        RawValue::from_string(text).map_or_else(|_| CompactJson::null(), CompactJson)
    }

    /// The value. The text is our own serialisation, so it always parses; `null` otherwise.
    pub fn value(&self) -> Value {
        serde_json::from_str(self.as_str()).unwrap_or(Value::Null)
    }
}

impl PartialEq for CompactJson {
    fn eq(&self, other: &CompactJson) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for CompactJson {}

impl std::fmt::Debug for CompactJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("CompactJson").field(&self.as_str()).finish()
    }
}

impl Serialize for CompactJson {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if RAW_COMPACT.with(std::cell::Cell::get) {
            // Handed over as written, for the formatter to lay out (`report::json`): parsing
            // the text into a tree only to write it again was a twentieth of a large run.
            return self.0.serialize(serializer);
        }
        self.value().serialize(serializer)
    }
}

thread_local! {
    static RAW_COMPACT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run `f` with every `CompactJson` serialised as a raw JSON fragment: only for a serde_json
/// serializer whose formatter lays raw fragments out as it lays out values
/// (`report::json::write`); any other serializer would see serde_json's private raw-value form.
pub fn with_raw_compact_json<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            RAW_COMPACT.with(|r| r.set(self.0));
        }
    }
    let _reset = Reset(RAW_COMPACT.with(|r| r.replace(true)));
    f()
}

/// One role as the JSON report lists it (keys in SPEC §6 order).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleReport {
    pub plan: String,
    pub address: String,
    #[serde(rename = "type")]
    pub role_type: &'static str,
    pub actions: Vec<String>,
    pub verdict: Verdict,
    /// Normal form of the policy, `"(sensitive)"`, `"(known after apply)"`,
    /// `"(unparseable)"`, or null where the role does not exist.
    pub before: CompactJson,
    pub after: CompactJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_address: Option<String>,
    /// The role's own account as trustgate took it, and where from (`role-arn`,
    /// `caller-identity`, `provider-resources`, `renamed-role-arn`, `provider-assume-role`,
    /// `provider-allowed-account-ids`, `config`); both null when nothing told it.
    pub own_account: Option<String>,
    pub own_account_source: Option<&'static str>,
    /// The role is being imported (`import` block): judged like a created role.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub imported: bool,
    /// A created role paired with this role deleted at another address under the same IAM
    /// name: that address (its trust was this role's before).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paired_with: Option<String>,
    /// What whoever assumes the role can do, from the rest of the plan (`check` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<crate::permissions::BlastRadius>,
    /// Who can assume it, per side, in short form (`AWS:222222222222`): for the table.
    #[serde(skip)]
    pub principals_before: Vec<String>,
    #[serde(skip)]
    pub principals_after: Vec<String>,
}

/// What the analysis of one role produces.
#[derive(Debug, Clone)]
pub struct RoleResult {
    pub role: RoleReport,
    pub findings: Vec<Finding>,
}

/// Decode one side of the trust document.
pub fn decode_side(doc: &TrustDoc) -> Side {
    match doc {
        TrustDoc::Absent => Side::Nobody,
        TrustDoc::Unknown => Side::Unknown,
        TrustDoc::Missing => Side::Unparseable {
            pointer: String::new(),
            message: "the trust policy attribute is missing or null".into(),
        },
        TrustDoc::WrongType { found } => Side::Unparseable {
            pointer: String::new(),
            message: format!("the trust policy attribute is {found}, not a JSON policy"),
        },
        // Restored before analysis (pipeline::restore); should one slip through, it fails
        // closed like any text that cannot be read.
        TrustDoc::Stowed(_) => Side::Unparseable {
            pointer: String::new(),
            message: "the trust policy text was not read back from temporary storage".into(),
        },
        TrustDoc::Text(text) => match parsed(text) {
            Ok(policy) => Side::Policy(policy),
            Err(e) => Side::Unparseable {
                pointer: e.pointer.clone(),
                message: e.message,
            },
        },
    }
}

thread_local! {
    /// Trust texts this thread parsed lately, and what each parsed to.
    static PARSED: memo::Slots<Box<str>, Result<Arc<SharedPolicy>, crate::policy::ParseError>> =
        memo::slots(64);
}

/// Empty this thread's cache of parsed texts: the reading thread, which helps analyse while
/// it reads, holds no policies through the passes after the read.
pub fn forget_parsed() {
    memo::forget(&PARSED);
}

/// `parse_policy`, sharing the policy of a text parsed lately. A plan's roles parse the same
/// texts again and again: a role's before, its drift record's sides and the pass after the
/// read repeat its own texts, and many roles share one (a service's trust); on the bench's
/// role-heavy plan 61k parses were of 17.5k texts. Parsing is a pure function of the text,
/// so sharing changes no result.
fn parsed(text: &str) -> Result<Arc<SharedPolicy>, crate::policy::ParseError> {
    memo::remembered(&PARSED, Box::from(text), || {
        parse_policy(text).map(|p| Arc::new(SharedPolicy::new(p)))
    })
}

const SENSITIVE: &str = "(sensitive)";

fn side_json(side: &Side, sensitive: bool) -> Value {
    match side {
        Side::Nobody => Value::Null,
        _ if sensitive => Value::String(SENSITIVE.into()),
        Side::Policy(p) => normal_form(p),
        Side::Unknown => Value::String("(known after apply)".into()),
        Side::Unparseable { .. } => Value::String("(unparseable)".into()),
    }
}

/// `side_json(side, false)` as compact JSON; a shared policy's is written once.
fn side_text(side: &Side) -> CompactJson {
    match side {
        Side::Policy(policy) => CompactJson(policy.normal_raw().to_owned()),
        _ => CompactJson::new(&side_json(side, false)),
    }
}

/// `AWS:222222222222`-style names of everyone an Allow statement names.
fn principal_summary(side: &Side, sensitive: bool) -> Vec<String> {
    match side {
        Side::Nobody => Vec::new(),
        _ if sensitive => vec![SENSITIVE.into()],
        Side::Unknown => vec!["(known after apply)".into()],
        Side::Unparseable { .. } => vec!["(unparseable)".into()],
        Side::Policy(p) => {
            let mut names: Vec<String> = p
                .statements
                .iter()
                .filter(|s| s.effect == crate::policy::Effect::Allow)
                .flat_map(|s| {
                    let not = s.principals.mode == crate::policy::PrincipalMode::NotPrincipal;
                    s.principals.entries.iter().map(move |e| {
                        let prefix = if not { "not " } else { "" };
                        format!("{prefix}{}:{}", e.kind.as_str(), e.value)
                    })
                })
                .collect();
            names.sort();
            names.dedup();
            names
        }
    }
}

/// The verdict before any comparison: what the actions and the sides alone decide.
fn base_verdict(change: &RoleChange, before: &Side, after: &Side) -> Option<Verdict> {
    let acts = &change.actions;
    if matches!(after, Side::Unparseable { .. }) || matches!(before, Side::Unparseable { .. }) {
        return Some(Verdict::Unparseable);
    }
    if matches!(after, Side::Unknown) {
        return Some(Verdict::Unknown);
    }
    if acts.iter().any(|a| a == "delete") && matches!(after, Side::Nobody) {
        return Some(Verdict::Deleted);
    }
    if matches!(before, Side::Nobody) {
        return Some(match after {
            Side::Nobody => Verdict::Unchanged,
            _ => Verdict::Created,
        });
    }
    if matches!(after, Side::Nobody) {
        // `forget` and similar: the role leaves Terraform's state but its trust stays in AWS.
        return Some(Verdict::Unchanged);
    }
    if matches!(before, Side::Unknown) {
        return Some(Verdict::Unknown);
    }
    None
}

/// The role ARN the comparator reasons about: the real one when the plan has it, else one in
/// an account no policy names, so no caller is mistaken for a same-account one.
fn role_arn(change: &RoleChange, own: Option<&str>) -> String {
    if let Some(arn) = [&change.arn_after, &change.arn_before]
        .into_iter()
        .flatten()
        .find(|a| arn_account(a).is_some())
    {
        return arn.clone();
    }
    format!(
        "arn:aws:iam::{}:role/trustgate-analysed-role",
        own.unwrap_or("000000000000")
    )
}

/// Compare two policies and attribute every witness to its cause.
fn compare_sides(
    before: &Policy,
    after: &Policy,
    arn: &str,
) -> Result<(Comparison, Vec<(Witness, Cause)>), CompareError> {
    let options = CompareOptions {
        role_arn: arn.to_string(),
        ..CompareOptions::default()
    };
    let comparison = compare(before, after, &options)?;
    let causes = comparison
        .witnesses
        .iter()
        .map(|w| (w.clone(), cause::attribute(before, after, &w.request)))
        .collect();
    Ok((comparison, causes))
}

/// Drift facts: a request the real trust grants that the last applied one did not, and
/// whether the plan's new trust still grants it. `Err` (a reason for `analysis-incomplete`)
/// when the drift record cannot be judged: a drift side that is not a readable policy, or a
/// comparison that hit a bound. Fail closed: trust widened outside Terraform must never hide
/// behind a record trustgate could not read.
fn drift_facts(change: &RoleChange, after: &Side, arn: &str) -> Result<Option<DriftFacts>, String> {
    let Some(drift) = change.drift.as_ref() else {
        return Ok(None);
    };
    let (applied, actual) = match (decode_side(&drift.last_applied), decode_side(&drift.actual)) {
        (Side::Policy(applied), Side::Policy(actual)) => (applied, actual),
        (Side::Unparseable { message, .. }, _) | (_, Side::Unparseable { message, .. }) => {
            return Err(format!(
                "the drift record's trust policy cannot be read: {message}"
            ));
        }
        // Absent or known only after apply: nothing to compare.
        _ => return Ok(None),
    };
    let options = CompareOptions {
        role_arn: arn.to_string(),
        ..CompareOptions::default()
    };
    let comparison = compare(&applied, &actual, &options)
        .map_err(|CompareError::Incomplete { reason }| format!("drift: {reason}"))?;
    let Some(mut witness) = comparison.witnesses.into_iter().next() else {
        return Ok(None);
    };
    // Kept when any request the drift added is still granted by the plan's trust, not only
    // the first one found: an always-true condition added to a drifted grant keeps it.
    let kept = match after {
        Side::Policy(p) => match common_witness(&applied, [&actual, p], &options) {
            Ok(Some(request)) => {
                witness.request = request;
                true
            }
            Ok(None) => false,
            // Fail closed: a drift the search could not settle is read as kept.
            Err(CompareError::Incomplete { .. }) => true,
        },
        Side::Nobody => false,
        _ => true,
    };
    Ok(Some(DriftFacts { witness, kept }))
}

/// Analyse two policy texts as a one-role plan (`trustgate compare`, rule fixtures): `None`
/// before means the role is created; the role is `arn` (its account is the role's own).
pub fn analyse_pair(
    before: Option<&str>,
    after: &str,
    arn: Option<&str>,
    settings: &RuleSettings,
) -> RoleResult {
    let change = RoleChange {
        address: "aws_iam_role.compared".into(),
        previous_address: None,
        role_type: crate::plan::RoleType::AwsIamRole,
        actions: vec![if before.is_some() { "update" } else { "create" }.into()],
        action_reason: None,
        importing: false,
        before: before.map_or(TrustDoc::Absent, |t| TrustDoc::Text(t.to_string())),
        after: TrustDoc::Text(after.to_string()),
        before_sensitive: false,
        after_sensitive: false,
        arn_before: arn.map(str::to_string),
        arn_after: arn.map(str::to_string),
        drift: None,
        iam_before: IamName::default(),
        iam_after: IamName::default(),
        own_account: arn.and_then(arn_account).map(|account| OwnAccount {
            account: account.to_string(),
            source: AccountSource::RoleArn,
        }),
        provider: None,
        paired: None,
    };
    analyse("compare", &change, settings)
}

pub use crate::plan::arn_account;

/// The role's own account: what the plan tells (its ARN, else the rest of the plan), else
/// the configured one.
fn own_account(change: &RoleChange, settings: &RuleSettings) -> Option<OwnAccount> {
    change.own_account.clone().or_else(|| {
        settings.own_accounts.first().map(|account| OwnAccount {
            account: account.clone(),
            source: AccountSource::Config,
        })
    })
}

/// Roles per thread below which threads cost more than they save.
const ROLES_PER_THREAD: usize = 32;

/// Analyse every role, on as many threads as the machine has, results in input order (so the
/// report is the same whatever the thread count). Roles are independent: each analysis reads
/// only its own change and the settings.
pub fn analyse_all(jobs: &[(&str, &RoleChange)], settings: &RuleSettings) -> Vec<RoleResult> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(jobs.len() / ROLES_PER_THREAD).max(1);
    if threads == 1 {
        return jobs
            .iter()
            .map(|(plan, change)| analyse(plan, change, settings))
            .collect();
    }
    let chunk = jobs.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(plan, change)| analyse(plan, change, settings))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(results) => results,
                // A panic in analysis is a bug; carry it to the caller as it was.
                Err(payload) => std::panic::resume_unwind(payload),
            })
            .collect()
    })
}

/// Analyse one role change.
pub fn analyse(plan: &str, change: &RoleChange, settings: &RuleSettings) -> RoleResult {
    // A renamed role's before is the trust it had at its old address.
    let (before_doc, before_sensitive) = match &change.paired {
        Some(p) => (&p.before, p.before_sensitive || change.before_sensitive),
        None => (&change.before, change.before_sensitive),
    };
    let sensitive = before_sensitive || change.after_sensitive;
    let before = decode_side(before_doc);
    // Most roles in a plan are unchanged: the same text parses to the same policy once.
    let same_text = change.after == *before_doc;
    let after = if same_text {
        before.clone()
    } else {
        decode_side(&change.after)
    };
    // An imported role's trust comes under review for the first time: the posture rules
    // judge it as they judge a created role (as with `--all`), and the regression rules
    // still compare the imported trust with what the plan makes of it.
    let import_settings;
    let settings = if change.importing {
        import_settings = RuleSettings {
            all: true,
            ..settings.clone()
        };
        &import_settings
    } else {
        settings
    };
    let own_full = own_account(change, settings);
    let own = own_full.as_ref().map(|o| o.account.clone());
    let arn = role_arn(change, own.as_deref());
    let mut verdict = base_verdict(change, &before, &after);

    let mut comparison = None;
    let mut incomplete = None;
    let mut causes = Vec::new();
    if let (None, Some(b), Some(a)) = (verdict, before.policy(), after.policy()) {
        match compare_sides(b, a, &arn) {
            Ok((c, found)) => {
                verdict = Some(match c.verdict {
                    CompareVerdict::Widened => Verdict::Widened,
                    CompareVerdict::Narrowed => Verdict::Narrowed,
                    CompareVerdict::Unchanged => Verdict::Unchanged,
                    CompareVerdict::Lateral => Verdict::Lateral,
                });
                comparison = Some(c);
                causes = found;
            }
            Err(CompareError::Incomplete { reason }) => {
                verdict = Some(Verdict::Unknown);
                incomplete = Some(reason);
            }
        }
    }
    let drift = match drift_facts(change, &after, &arn) {
        Ok(drift) => drift,
        Err(reason) => {
            // One bound is enough to fail closed; the main comparison's reason comes first.
            incomplete.get_or_insert(reason);
            None
        }
    };

    // Classify and hand each witness to the first rule that claims it (one cause, one
    // finding); claiming sees the comparison but not the other claims.
    let mut attributed: Vec<Attributed> = causes
        .into_iter()
        .map(|(witness, cause)| Attributed {
            class: after.policy().map_or(PrincipalClass::Public, |p| {
                classify(&witness.request, p, own.as_deref(), settings)
            }),
            witness,
            cause,
            rule: None,
        })
        .collect();
    // What every rule sees; the witnesses are filled in twice: once to claim them, once
    // with the claims made.
    let base = RoleInput {
        change,
        before: &before,
        after: &after,
        settings,
        own_account: own.clone(),
        role_arn: &arn,
        own_account_source: own_full.as_ref().map(|o| o.source),
        comparison: comparison.as_ref(),
        incomplete: incomplete.as_deref(),
        attributed: &[],
        drift: drift.as_ref(),
        plan_facts: None,
    };
    let claims: Vec<Option<&'static str>> = {
        let input = RoleInput {
            attributed: &attributed,
            ..base.clone()
        };
        attributed.iter().map(|a| rules::claim(a, &input)).collect()
    };
    for (a, rule) in attributed.iter_mut().zip(claims) {
        a.rule = rule;
    }

    let input = RoleInput {
        attributed: &attributed,
        ..base
    };
    let mut drafts = Vec::new();
    for rule in rules::REGISTRY {
        rule.check(&input, &mut drafts);
    }
    for rule in &settings.custom {
        rules::Rule::check(rule, &input, &mut drafts);
    }
    rules::drop_contradicted(&mut drafts);
    // Each side's normal form is written once: for the fingerprint delta and, unless the
    // side is sensitive, for the report.
    let before_text = side_text(&before);
    let after_text = if same_text {
        before_text.clone()
    } else {
        side_text(&after)
    };
    let delta = format!("{}\u{0}{}", before_text.as_str(), after_text.as_str());
    let reported = |side: &Side, sensitive: bool, text: CompactJson| {
        if sensitive {
            CompactJson::new(&side_json(side, true))
        } else {
            text
        }
    };
    let findings = drafts
        .into_iter()
        .map(|d| finish(plan, change, d, &delta, sensitive))
        .collect();
    RoleResult {
        role: RoleReport {
            plan: plan.to_string(),
            address: change.address.clone(),
            role_type: change.role_type.as_str(),
            actions: change.actions.clone(),
            verdict: verdict.unwrap_or(Verdict::Unchanged),
            before: reported(&before, before_sensitive, before_text),
            after: reported(&after, change.after_sensitive, after_text),
            previous_address: change.previous_address.clone(),
            own_account: own_full.as_ref().map(|o| o.account.clone()),
            own_account_source: own_full.as_ref().map(|o| o.source.as_str()),
            imported: change.importing,
            paired_with: change.paired.as_ref().map(|p| p.address.clone()),
            permissions: None,
            principals_before: principal_summary(&before, before_sensitive),
            principals_after: principal_summary(&after, change.after_sensitive),
        },
        findings,
    }
}

fn finish(plan: &str, change: &RoleChange, draft: Draft, delta: &str, sensitive: bool) -> Finding {
    let mut parts = vec![
        draft.rule.id,
        &change.address,
        delta,
        draft.before_pointer.as_deref().unwrap_or(""),
        draft.after_pointer.as_deref().unwrap_or(""),
    ];
    // Only when there is one, so the fingerprints of every other finding stay as they were.
    parts.extend(draft.subject.as_deref());
    let fingerprint = fnv1a(&parts);
    Finding {
        rule: draft.rule.id,
        severity: draft.severity,
        plan: plan.to_string(),
        address: change.address.clone(),
        message: if sensitive {
            // Messages quote policy values; a sensitive policy's values never leave the tool.
            format!("{} (policy values withheld: sensitive)", draft.rule.summary)
        } else {
            draft.message
        },
        before_pointer: draft.before_pointer,
        after_pointer: draft.after_pointer,
        witness: if sensitive { None } else { draft.witness },
        fingerprint,
        suppressed: None,
    }
}

/// The pass after the read, for one role and what the rest of its plan says about it: the
/// role's permissions go into its report, the findings of rules that widen who can assume it
/// are raised one level when it is admin-equivalent, and the findings of the rules that need
/// the whole plan (`consumer_findings`, given as `extra`) follow them.
pub fn apply_plan_facts(
    facts: crate::permissions::RoleFacts,
    extra: Vec<Finding>,
    result: &mut RoleResult,
) {
    raise_for_admin(&facts, result);
    result.findings.extend(extra);
    result.role.permissions = Some(facts.blast);
}

/// Whether `apply_plan_facts` can change the findings already in a result with `findings`
/// findings (rather than only add to them): it raises those of an admin-equivalent role.
pub fn facts_raise_findings(facts: &crate::permissions::RoleFacts, findings: u32) -> bool {
    facts.blast.class == crate::permissions::PermissionClass::AdminEquivalent && findings > 0
}

/// The findings of an admin-equivalent role that widen who can assume it, raised one level.
fn raise_for_admin(facts: &crate::permissions::RoleFacts, result: &mut RoleResult) {
    if facts.blast.class == crate::permissions::PermissionClass::AdminEquivalent {
        let because = facts
            .blast
            .grants
            .iter()
            .find(|g| g.class == crate::permissions::PermissionClass::AdminEquivalent)
            .map(|g| format!(" ({}: {})", g.from, g.why))
            .unwrap_or_default();
        for f in &mut result.findings {
            if rules::RAISED_FOR_ADMIN.contains(&f.rule) && f.severity != Severity::Critical {
                f.severity = f.severity.raised();
                f.message = format!(
                    "{}; raised one level: whoever assumes this role is admin-equivalent{because}",
                    f.message
                );
            }
        }
    }
}

/// The findings of the rules that need the whole plan (`trust-breaks-consumer`), to follow
/// the role's own: none without a consumer or a session longer than chaining allows.
pub fn consumer_findings(
    plan: &str,
    change: &RoleChange,
    facts: &crate::permissions::RoleFacts,
    settings: &RuleSettings,
) -> Vec<Finding> {
    // A renamed role's before is the trust it had at its old address (as in `analyse`).
    let (before_doc, before_sensitive) = match &change.paired {
        Some(p) => (&p.before, p.before_sensitive || change.before_sensitive),
        None => (&change.before, change.before_sensitive),
    };
    // Without a consumer or a long session the rule has nothing to say here: what callers
    // must now send was said by the per-role analysis. Returning spares decoding both
    // policies again, for every role of a plan whose roles all have permissions.
    if !facts.needs_trust() {
        return Vec::new();
    }
    let sensitive = before_sensitive || change.after_sensitive;
    let before = decode_side(before_doc);
    let after = decode_side(&change.after);
    let own_full = own_account(change, settings);
    let own = own_full.as_ref().map(|o| o.account.clone());
    let arn = role_arn(change, own.as_deref());
    let input = RoleInput {
        change,
        before: &before,
        after: &after,
        settings,
        own_account: own,
        role_arn: &arn,
        own_account_source: own_full.as_ref().map(|o| o.source),
        comparison: None,
        incomplete: None,
        attributed: &[],
        drift: None,
        plan_facts: Some(facts),
    };
    let mut drafts = Vec::new();
    for rule in rules::REGISTRY
        .iter()
        .filter(|r| r.meta().id == "trust-breaks-consumer")
    {
        rule.check(&input, &mut drafts);
    }
    if drafts.is_empty() {
        return Vec::new();
    }
    let delta = format!(
        "{}\u{0}{}",
        side_json(&before, false),
        side_json(&after, false)
    );
    drafts
        .into_iter()
        .map(|d| finish(plan, change, d, &delta, sensitive))
        .collect()
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod parsed_tests {
    use super::*;

    fn text(n: usize) -> String {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"S{n}","Effect":"Allow","Principal":{{"Service":"s{n}.amazonaws.com"}},"Action":"sts:AssumeRole"}}]}}"#
        )
    }

    fn slot(text: &str) -> usize {
        memo::slot_of(&PARSED, &Box::from(text))
    }

    /// Texts that share a cache slot each get their own policy, first and again after the
    /// other took the slot; a text that does not parse is refused every time.
    #[test]
    fn texts_sharing_a_slot_keep_their_own_policy() {
        let a = text(0);
        let b = (1..10_000)
            .map(text)
            .find(|t| slot(t) == slot(&a))
            .expect("some text shares the first one's slot");
        for t in [&a, &b, &a, &a, &b] {
            let want = parse_policy(t).unwrap();
            assert_eq!(**parsed(t).unwrap(), want, "{t}");
        }
        let shared = parsed(&b).unwrap();
        assert!(
            Arc::ptr_eq(&shared, &parsed(&b).unwrap()),
            "a repeat is shared"
        );
        for _ in 0..2 {
            assert!(parsed(r#"{"Statement":"#).is_err());
        }
    }

    /// A shared policy's normal-form text is its own, on a first and a repeated call, for
    /// policies of many texts (so cache slots are shared and replaced).
    #[test]
    fn remembered_normal_forms_are_each_policys_own() {
        let sides: Vec<Side> = (0..200)
            .map(|n| Side::Policy(parsed(&text(n)).unwrap()))
            .collect();
        for _ in 0..2 {
            for side in &sides {
                assert_eq!(side_text(side).as_str(), side_json(side, false).to_string());
            }
        }
        assert_eq!(
            side_text(&Side::Unknown).as_str(),
            "\"(known after apply)\""
        );
    }
}

#[cfg(test)]
mod compact_tests {
    use super::CompactJson;
    use serde_json::json;

    /// The text kept is `Value`'s own compact `Display` (fingerprints and the report's
    /// policies are written from it), and reads back as itself; text that is not JSON reads
    /// back as `null`, never as the bytes given.
    #[test]
    fn compact_text_is_the_values_display() {
        for value in [
            json!(null),
            json!("(sensitive)"),
            json!({"Statement": [{"Condition": {"StringLike": {"k": ["a\"b", "é", "\u{7f}", "\n"]}}}], "Version": "2012-10-17"}),
            json!([1, 2.5, -3, true, false, {}, []]),
        ] {
            let compact = CompactJson::new(&value);
            assert_eq!(compact.as_str(), value.to_string());
            assert_eq!(compact.value(), value);
            assert_eq!(CompactJson::from_text(value.to_string()), compact);
        }
        for text in ["", "{", "[1,]", "nul", "{\"a\":1} x"] {
            assert_eq!(
                CompactJson::from_text(text.to_string()).as_str(),
                "null",
                "{text:?}"
            );
        }
    }
}
