//! The comparator: does the *after* trust policy let any request assume the role that the
//! *before* policy did not (SEMANTICS §7)?
//!
//! The answer comes from an exhaustive search over a finite request universe that is complete
//! for the modelled semantics (§7.3): the principal universe (`principals`), the per-key value
//! universes built with the minterm method (`values`, `automaton`), every STS API and
//! permission-only action subset, and both caller sides (`search`). Every reported witness is
//! re-checked with the evaluator; a widening is never reported without one. When a bound is
//! hit before the question is settled the answer is [`CompareError::Incomplete`], which callers
//! report as `analysis-incomplete`, never as a pass.
//!
//! Pure: no I/O; the evaluator (`crate::eval`) is the only judge of a single request.

pub mod automaton;
pub mod cover;
pub mod exposure;
pub(crate) mod memo;
pub mod principals;
pub mod realism;
pub mod search;
pub mod values;

use crate::eval::{self, Decision, Request, TrustResult};
use crate::policy::{Effect, Policy, Statement};
use automaton::{BoundHit, Bounds};
use std::collections::BTreeMap;
use std::fmt;

/// Search settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareOptions {
    /// The role whose trust policy is compared (its account decides same- vs cross-account).
    pub role_arn: String,
    /// Trust evaluations allowed per search direction before giving up as incomplete.
    pub max_evaluations: usize,
    /// New-access witnesses to report at most.
    pub max_witnesses: usize,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            role_arn: eval::DEFAULT_ROLE.to_string(),
            max_evaluations: 2_000_000,
            max_witnesses: 16,
        }
    }
}

/// A request one policy grants and the other does not, verified by the evaluator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witness {
    pub request: Request,
    /// Index (in the granting policy) of the Allow statement that grants it.
    pub after_statement: usize,
    /// The before policy's trust result for the whole call.
    pub before: TrustResult,
    /// The after policy's trust result for the whole call.
    pub after: TrustResult,
}

/// How the set of granted requests changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Some request is newly granted and none lost.
    Widened,
    /// Some request is lost and none newly granted.
    Narrowed,
    /// Exactly the same requests are granted.
    Unchanged,
    /// Some requests newly granted and some lost (e.g. a literal swapped for another).
    Lateral,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Widened => "widened",
            Verdict::Narrowed => "narrowed",
            Verdict::Unchanged => "unchanged",
            Verdict::Lateral => "lateral",
        }
    }

    /// True when some request is newly granted.
    pub fn is_widening(self) -> bool {
        matches!(self, Verdict::Widened | Verdict::Lateral)
    }
}

/// The comparison of a before and an after policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub verdict: Verdict,
    /// New access: requests after grants and before does not, verified, simplest first.
    pub witnesses: Vec<Witness>,
    /// A few requests before granted and after does not (for "narrowed" / "lateral").
    /// `after_statement` indexes the *before* policy here.
    pub lost: Vec<Witness>,
}

impl Comparison {
    /// Same access before and after, nothing to show.
    fn unchanged() -> Comparison {
        Comparison {
            verdict: Verdict::Unchanged,
            witnesses: Vec::new(),
            lost: Vec::new(),
        }
    }
}

/// The comparison could not be settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompareError {
    /// A bound was hit (values, states, evaluations), or a candidate witness failed its
    /// re-check (a bug, reported rather than trusted): report `analysis-incomplete`.
    Incomplete { reason: String },
}

impl fmt::Display for CompareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompareError::Incomplete { reason } => write!(f, "analysis incomplete: {reason}"),
        }
    }
}

impl std::error::Error for CompareError {}

impl From<BoundHit> for CompareError {
    fn from(b: BoundHit) -> Self {
        CompareError::Incomplete { reason: b.0 }
    }
}

/// How many lost requests to look for; they only label the verdict.
const MAX_LOST: usize = 4;

/// Grant per SEMANTICS §7.1/§9.3: the final decision for the request as given (caller_allows
/// included).
pub fn granted(policy: &Policy, req: &Request) -> bool {
    eval::decision(policy, req) == Decision::Allow
}

/// Compare `before` and `after` (SEMANTICS §7). `before` may have no statements ("nobody",
/// for a created role).
pub fn compare(
    before: &Policy,
    after: &Policy,
    opts: &CompareOptions,
) -> Result<Comparison, CompareError> {
    // Most roles of a plan keep their trust: settled here, before the memory's key hashes
    // both policies.
    if same_meaning_syntactically(before, after) {
        return Ok(Comparison::unchanged());
    }
    let Some(scope) = memo::role_scope(&opts.role_arn) else {
        return compare_afresh(before, after, opts);
    };
    let key = CompareKey {
        before,
        after,
        scope,
        max_evaluations: opts.max_evaluations,
        max_witnesses: opts.max_witnesses,
    };
    let mut result = COMPARED.remembered(&key, || compare_afresh(before, after, opts));
    if let Ok(c) = &mut result {
        for w in c.witnesses.iter_mut().chain(c.lost.iter_mut()) {
            memo::for_role(w, &opts.role_arn);
        }
    }
    result
}

/// Everything a comparison's result depends on (`memo::role_scope` for the role).
#[derive(Hash)]
struct CompareKey<'a> {
    before: &'a Policy,
    after: &'a Policy,
    scope: &'a str,
    max_evaluations: usize,
    max_witnesses: usize,
}

/// The comparisons of this process, by question (`memo::Shared`). A plan's roles repeat their
/// trust changes (a module's trust on every role it makes): on the bench's role-heavy plan
/// 23k comparisons are of 7.5k questions, 631 of them asked again and again.
static COMPARED: memo::Shared<Result<Comparison, CompareError>> = memo::Shared::new(256);

/// Forget the comparisons, exposure searches and never-matching statements remembered so far: once every role is judged
/// their memory is better returned before the report is rendered.
pub fn forget_answers() {
    COMPARED.forget();
    NEVER_MATCHES.forget();
    exposure::forget_answers();
}

/// [`compare`] without the memo.
fn compare_afresh(
    before: &Policy,
    after: &Policy,
    opts: &CompareOptions,
) -> Result<Comparison, CompareError> {
    let unchanged = Comparison::unchanged();
    if same_meaning_syntactically(before, after) {
        return Ok(unchanged);
    }
    // Statements the change does not touch cover themselves; a statement that only gained
    // conditions or lost values is covered by its old self. What is proven here needs no
    // search, whatever the size of the policies.
    let nothing_new = cover::no_new_access(before, after, &opts.role_arn);
    let nothing_lost = cover::no_new_access(after, before, &opts.role_arn);
    if nothing_new && nothing_lost {
        return Ok(unchanged);
    }
    match search_both(before, after, opts, nothing_new, nothing_lost) {
        // [inf] No new access is proven; only the label between "narrowed" and "unchanged"
        // needed the search that hit a bound. The policies differ in a way coverage could
        // not prove equal, so the label is "narrowed" (never a failing finding).
        Err(_) if nothing_new => Ok(Comparison {
            verdict: Verdict::Narrowed,
            witnesses: Vec::new(),
            lost: Vec::new(),
        }),
        other => other,
    }
}

/// The witness searches of [`compare`], skipping a direction that coverage already settled.
fn search_both(
    before: &Policy,
    after: &Policy,
    opts: &CompareOptions,
    nothing_new: bool,
    nothing_lost: bool,
) -> Result<Comparison, CompareError> {
    let universe = Universe::new(&[before, after], &opts.role_arn)?;
    let space = universe.space(&opts.role_arn);

    let templates = search::requests(&space);
    let mut prepared = search::prepare(&[after, before], &space, &templates);
    let forward = if nothing_new {
        search::Outcome {
            complete: true,
            ..search::Outcome::default()
        }
    } else {
        search::directed(
            after,
            before,
            &mut prepared,
            &space,
            opts.max_evaluations,
            opts.max_witnesses.max(1),
        )
    };
    if !forward.complete && forward.found.is_empty() {
        return Err(universe.incomplete(forward.evaluations));
    }
    let witnesses = verify(after, before, forward.found)?;

    let reverse = if nothing_lost {
        search::Outcome::default()
    } else {
        search::directed(
            before,
            after,
            &mut prepared,
            &space,
            opts.max_evaluations,
            MAX_LOST.min(opts.max_witnesses.max(1)),
        )
    };
    // [inf] A reverse search cut off by the budget only leaves the narrowed/unchanged (or
    // lateral/widened) label open; it is read as "nothing lost", which keeps a widening
    // labelled as the stronger `widened`, never hides one.
    let lost = verify(before, after, reverse.found)?;

    let verdict = match (!witnesses.is_empty(), !lost.is_empty()) {
        (true, false) => Verdict::Widened,
        (true, true) => Verdict::Lateral,
        (false, true) => Verdict::Narrowed,
        (false, false) => Verdict::Unchanged,
    };
    Ok(Comparison {
        verdict,
        witnesses,
        lost,
    })
}

/// A request that both `grants` allow and `base` does not, if any: the same complete search
/// as `compare`, over the universe of all three policies. It answers "does the plan keep
/// what drift added": `base` the last applied trust, `grants` the real one and the new one.
pub fn common_witness(
    base: &Policy,
    grants: [&Policy; 2],
    opts: &CompareOptions,
) -> Result<Option<Request>, CompareError> {
    let [first, second] = grants;
    let universe = Universe::new(&[base, first, second], &opts.role_arn)?;
    let space = universe.space(&opts.role_arn);
    let templates = search::requests(&space);
    let mut prepared = search::prepare(&[first, second, base], &space, &templates);
    let found = search::search(
        search::Judge {
            grant: first,
            deny: base,
            also: Some(second),
        },
        &mut prepared,
        opts.max_evaluations,
        1,
    );
    if !found.complete && found.found.is_empty() {
        return Err(universe.incomplete(found.evaluations));
    }
    let request = found.found.into_iter().next();
    // Re-checked like every witness: a candidate that does not hold is a search bug.
    if let Some(r) = &request {
        if !granted(first, r) || !granted(second, r) || granted(base, r) {
            return Err(CompareError::Incomplete {
                reason: "internal error: a candidate witness did not verify".to_string(),
            });
        }
    }
    Ok(request)
}

/// The finite request universe of some policies: callers and per-key values (steps 3-5).
pub(crate) struct Universe {
    pub(crate) callers: Vec<principals::CallerSpec>,
    pub(crate) keys: Vec<values::KeyUniverse>,
}

impl Universe {
    pub(crate) fn new(policies: &[&Policy], role_arn: &str) -> Result<Universe, CompareError> {
        let bounds = Bounds::default();
        let conds = values::conditions(policies);
        let callers = principals::universe(&principals::Inputs {
            policies,
            conds: &conds,
            role_arn,
            bounds,
        })?;

        // Step 5: representative values of the keys used as `${...}` variables. Caller-fixed
        // keys take the values the callers carry; any other key a fresh token that the key's
        // own universe then also offers ("variable present and equal").
        let var_keys = values::variable_keys(&conds);
        let mut tokens: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut free_var_keys = BTreeMap::new();
        for (i, (key, name)) in var_keys.iter().enumerate() {
            if values::CALLER_KEYS.contains(&key.as_str()) {
                let mut vals: Vec<String> = Vec::new();
                for spec in &callers {
                    for (k, v) in &spec.context {
                        if let eval::ContextValue::Single(s) = v {
                            if k.eq_ignore_ascii_case(key) && !vals.contains(s) {
                                vals.push(s.clone());
                            }
                        }
                    }
                }
                // [inf] Four caller values per variable keep the universe small; each caller
                // still meets the "not equal" side through the cells of the other atoms.
                vals.truncate(4);
                tokens.insert(key.clone(), vals);
            } else {
                tokens.insert(key.clone(), vec![format!("v{}", i.saturating_add(1))]);
                free_var_keys.insert(key.clone(), name.clone());
            }
        }
        let keys = values::universes(&conds, &tokens, &free_var_keys, bounds)?;
        Ok(Universe { callers, keys })
    }

    fn space<'a>(&'a self, role: &'a str) -> search::Space<'a> {
        search::Space {
            callers: &self.callers,
            keys: &self.keys,
            role,
        }
    }

    fn incomplete(&self, evaluations: usize) -> CompareError {
        CompareError::Incomplete {
            reason: format!(
                "the witness search stopped after {evaluations} evaluations over {} callers and {} condition keys",
                self.callers.len(),
                self.keys.len()
            ),
        }
    }
}

/// Does Allow statement `index` of `policy` grant nothing at all: no realistic request of any
/// caller satisfies its principal, actions and conditions together (a misspelled claim key
/// under a plain operator, a claim of another provider's tokens, an OIDC provider with
/// `sts:AssumeRole` only)? `None` when that cannot be settled within the bounds or the
/// statement is not an Allow.
pub fn grants_nothing(policy: &Policy, index: usize, role_arn: &str) -> Option<bool> {
    let statement = policy
        .statements
        .iter()
        .find(|s| s.index == index && s.effect == Effect::Allow)?;
    // Everything the answer depends on: the policy's language version, the statement but for
    // its position and Sid, the role's scope (its ARN but for the name: `role_scope`).
    let scope = memo::role_scope(role_arn).unwrap_or(role_arn);
    let key = (
        (policy.version, &policy.version_raw),
        statement.effect,
        &statement.principals,
        &statement.actions,
        &statement.conditions,
        scope,
    );
    NEVER_MATCHES.remembered(&key, || {
        statement_grants_nothing(policy, statement, role_arn)
    })
}

/// Answers of `grants_nothing` already computed in this process (`memo::Shared`). The roles of
/// a plan repeat their statements (one module's trust for every role it makes), and each
/// conditioned Allow statement costs a whole comparison: on a plan of 25,000 roles, a fifth of
/// the analysis.
static NEVER_MATCHES: memo::Shared<Option<bool>> = memo::Shared::new(256);

/// Whether Allow statement `statement` of `policy`, alone, allows one of `requests`. Given
/// realistic requests (a comparison's verified witnesses), `true` settles what
/// `grants_nothing` would search for: the statement grants something. `false` settles nothing.
pub fn allows_any<'a>(
    policy: &Policy,
    statement: &Statement,
    mut requests: impl Iterator<Item = &'a Request>,
) -> bool {
    let mut alone = None;
    requests.any(|request| {
        granted(
            alone.get_or_insert_with(|| statement_alone(policy, statement)),
            request,
        )
    })
}

/// `policy` with `statement` as its only statement (and no issues).
fn statement_alone(policy: &Policy, statement: &Statement) -> Policy {
    Policy {
        version: policy.version,
        version_raw: policy.version_raw.clone(),
        id: policy.id.clone(),
        statements: vec![statement.clone()],
        issues: Vec::new(),
    }
}

fn statement_grants_nothing(
    policy: &Policy,
    statement: &Statement,
    role_arn: &str,
) -> Option<bool> {
    let alone = statement_alone(policy, statement);
    let nobody = Policy {
        statements: Vec::new(),
        ..alone.clone()
    };
    // Only a note hangs on the answer: a tenth of the comparison budget, and undecided
    // (no note) beyond it.
    let opts = CompareOptions {
        role_arn: role_arn.to_string(),
        max_witnesses: 1,
        max_evaluations: CompareOptions::default().max_evaluations / 10,
    };
    compare(&nobody, &alone, &opts)
        .ok()
        .map(|c| c.witnesses.is_empty())
}

/// Re-check every candidate with the full evaluator; a candidate that does not hold is a bug in
/// the search and is reported as such (never silently dropped, never trusted).
fn verify(
    grant: &Policy,
    deny: &Policy,
    found: Vec<Request>,
) -> Result<Vec<Witness>, CompareError> {
    let mut out: Vec<Witness> = Vec::with_capacity(found.len());
    for request in found {
        // Only the outcome is used here: the trace's sentences are not written.
        let g = eval::evaluate_outcome(grant, &request);
        let d = eval::evaluate_outcome(deny, &request);
        if g.decision != Decision::Allow || d.decision != Decision::Deny {
            return Err(CompareError::Incomplete {
                reason: format!(
                    "internal error: a candidate witness did not verify (granting policy: {}, other policy: {})",
                    g.decision.as_str(),
                    d.decision.as_str()
                ),
            });
        }
        // Every witness is a request AWS could see; the search only builds such candidates,
        // so one that is not is a bug, reported like a failed re-check.
        if let Err(why) = realism::check_for(&request, &[grant, deny]) {
            return Err(CompareError::Incomplete {
                reason: format!(
                    "internal error: a candidate witness is not a realistic request ({why})"
                ),
            });
        }
        if out.iter().any(|w| w.request == request) {
            continue;
        }
        let statement = granting_statement(grant, &request, &g);
        out.push(Witness {
            after_statement: statement,
            before: d.trust,
            after: g.trust,
            request,
        });
    }
    // Simplest first: fewest context keys, fewest extra actions, caller side allowing.
    out.sort_by_key(|w| {
        (
            w.request
                .context
                .keys()
                .filter(|k| !values::CALLER_KEYS.contains(&k.to_ascii_lowercase().as_str()))
                .count(),
            w.request.also.len(),
            !w.request.caller_allows,
        )
    });
    // The `before`/`after` fields name the before and after policies, whichever granted.
    Ok(out)
}

/// The Allow statement that grants `request`: the first one that applies to every action the
/// call needs, else the first that applies to its API action (a call may be granted by several
/// statements, one per action).
fn granting_statement(policy: &Policy, request: &Request, e: &eval::Outcome) -> usize {
    let allow = |idx: usize| {
        policy
            .statements
            .get(idx)
            .is_some_and(|s| s.effect == Effect::Allow)
    };
    if let Some(&(index, _)) = e
        .statements
        .iter()
        .find(|&&(index, matched)| matched && allow(index))
    {
        return index;
    }
    let mut api_only = request.clone();
    api_only.also.clear();
    let e2 = eval::evaluate_outcome(policy, &api_only);
    e2.statements
        .iter()
        .find(|&&(index, matched)| matched && allow(index))
        .map_or(0, |&(index, _)| index)
}

/// Two policies with the same statements (ignoring `Sid`, `Id` and JSON pointers) in the same
/// order grant the same requests; this skips the search for unchanged roles.
fn same_meaning_syntactically(a: &Policy, b: &Policy) -> bool {
    fn key(s: &Statement) -> impl PartialEq + '_ {
        (
            s.effect,
            s.principals.mode,
            s.principals
                .entries
                .iter()
                .map(|e| (&e.kind, &e.value))
                .collect::<Vec<_>>(),
            &s.actions,
            s.conditions
                .iter()
                .map(|c| (&c.operator, &c.key, &c.values))
                .collect::<Vec<_>>(),
        )
    }
    a.version == b.version
        && a.statements.len() == b.statements.len()
        && a.statements
            .iter()
            .zip(&b.statements)
            .all(|(x, y)| key(x) == key(y))
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use crate::policy::parse_policy;

    fn policy(text: &str) -> Policy {
        parse_policy(text).unwrap()
    }

    #[test]
    fn thousands_of_wildcard_values_are_incomplete() {
        let values: Vec<String> = (0..3000).map(|i| format!("\"repo:acme/{i}*\"")).collect();
        let before = policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/x"}}}]}"#,
        );
        let after = policy(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringLike":{{"token.actions.githubusercontent.com:sub":[{}]}}}}}}]}}"#,
            values.join(",")
        ));
        let r = compare(&before, &after, &CompareOptions::default());
        assert!(matches!(r, Err(CompareError::Incomplete { .. })), "{r:?}");
    }

    #[test]
    fn a_spent_budget_without_a_witness_is_incomplete() {
        // `a*` lies inside the union of `?` and `??*` but inside neither alone, which
        // statement coverage (value by value) does not prove: the search has to settle it.
        let before = policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"sts:AssumeRole","Condition":{"StringLike":{"sts:ExternalId":["?","??*"]}}}]}"#,
        );
        let after = policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"sts:AssumeRole","Condition":{"StringLike":{"sts:ExternalId":"a*"}}}]}"#,
        );
        let opts = CompareOptions {
            max_evaluations: 10,
            ..CompareOptions::default()
        };
        assert!(matches!(
            compare(&before, &after, &opts),
            Err(CompareError::Incomplete { .. })
        ));
        // With the default budget the same pair is settled: narrowed.
        let r = compare(&before, &after, &CompareOptions::default()).unwrap();
        assert_eq!(r.verdict, Verdict::Narrowed);
    }

    /// A remembered comparison serves another role of the same account as if compared for
    /// it (its witnesses name that role), and never a role of another account, whose
    /// answer differs.
    #[test]
    fn remembered_comparisons_are_each_roles_own() {
        let before = policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"e1"}}}]}"#,
        );
        let after = policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#,
        );
        let opts = |role: &str| CompareOptions {
            role_arn: role.to_string(),
            ..CompareOptions::default()
        };
        let first = "arn:aws:iam::111111111111:role/first";
        let second = "arn:aws:iam::111111111111:role/second";
        let other = "arn:aws:iam::222222222222:role/first";
        let afresh_second = compare_afresh(&before, &after, &opts(second)).unwrap();
        let afresh_other = compare_afresh(&before, &after, &opts(other)).unwrap();
        assert_ne!(afresh_second.witnesses.len(), 0);
        // The account changes the answer, not only the role named in it.
        let unnamed = |c: &Comparison| {
            let mut c = c.clone();
            c.witnesses.iter_mut().for_each(|w| w.request.role.clear());
            c
        };
        assert_ne!(unnamed(&afresh_second), unnamed(&afresh_other));
        // Remembered from the second asking; `second` is then served from memory.
        compare(&before, &after, &opts(first)).unwrap();
        compare(&before, &after, &opts(first)).unwrap();
        let second_result = compare(&before, &after, &opts(second)).unwrap();
        assert_eq!(second_result, afresh_second);
        assert!(second_result
            .witnesses
            .iter()
            .all(|w| w.request.role == second));
        assert_eq!(
            compare(&before, &after, &opts(other)).unwrap(),
            afresh_other
        );
    }

    #[test]
    fn created_role_against_nobody() {
        let nobody = Policy {
            version: crate::policy::Version::V2012,
            version_raw: None,
            id: None,
            statements: Vec::new(),
            issues: Vec::new(),
        };
        let after = policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        );
        let r = compare(&nobody, &after, &CompareOptions::default()).unwrap();
        assert_eq!(r.verdict, Verdict::Widened);
        assert_eq!(
            r.witnesses.first().map(|w| w.request.principal.value()),
            Some("ec2.amazonaws.com")
        );
        assert_eq!(r.witnesses.first().map(|w| w.after_statement), Some(0));
    }

    /// The question drift asks: is anything the drift added still granted? The simplest
    /// witness of the drift carries no session name, so it misses a grant kept under an
    /// always-true session-name condition; the joint search finds it.
    #[test]
    fn common_witness_sees_past_the_first_witness() {
        let applied = policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        );
        let actual = policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com","AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole"}]}"#,
        );
        let kept = policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com","AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole","Condition":{"StringLike":{"sts:RoleSessionName":"*"}}}]}"#,
        );
        let opts = CompareOptions::default();
        let first = compare(&applied, &actual, &opts).unwrap().witnesses[0]
            .request
            .clone();
        assert!(!granted(&kept, &first));
        let both = common_witness(&applied, [&actual, &kept], &opts)
            .unwrap()
            .expect("the kept grant");
        assert!(granted(&actual, &both) && granted(&kept, &both) && !granted(&applied, &both));
        // Reverted: nothing the drift added is granted any more.
        assert_eq!(
            common_witness(&applied, [&actual, &applied], &opts).unwrap(),
            None
        );
    }

    #[test]
    fn a_userid_pin_swapped_is_found_with_a_caller_of_that_id() {
        let pin = |id: &str| {
            policy(&format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"222222222222"}},"Action":"sts:AssumeRole","Condition":{{"StringLike":{{"aws:userid":"{id}:*"}}}}}}]}}"#
            ))
        };
        let r = compare(
            &pin("AROAAAAAAAAAAAAAAAAAA"),
            &pin("AROABBBBBBBBBBBBBBBBB"),
            &CompareOptions::default(),
        )
        .unwrap();
        assert_eq!(r.verdict, Verdict::Lateral);
        let w = &r.witnesses[0].request;
        assert_eq!(realism::check(w), Ok(()));
        let Some(eval::ContextValue::Single(id)) = w.context.get("aws:userid") else {
            panic!("no aws:userid in {w:?}");
        };
        assert!(id.starts_with("AROABBBBBBBBBBBBBBBBB:"), "{id}");
    }

    #[test]
    fn variables_couple_keys() {
        // A free variable key: the session name must equal a principal tag.
        let before = policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:RoleSessionName":"fixed"}}}]}"#,
        );
        let after = policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:RoleSessionName":"${aws:PrincipalTag/owner}"}}}]}"#,
        );
        let r = compare(&before, &after, &CompareOptions::default()).unwrap();
        assert!(r.verdict.is_widening());
        let w = &r.witnesses[0].request;
        assert_eq!(
            w.context.get("aws:PrincipalTag/owner"),
            w.context.get("sts:RoleSessionName")
        );
    }
}
