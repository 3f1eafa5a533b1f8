//! The witness search (SEMANTICS §7.3 steps 4 and 6): enumerate requests over the principal
//! universe × API × permission-only actions × caller side × the per-key value universes, in
//! order of simplicity, and keep those one policy grants and the other does not.
//!
//! Order: fewest context keys present first, then per request the fewest extra actions and
//! `caller_allows: true` first; values within a key come simplest first (literals before fresh
//! ones). Every trust evaluation counts against the budget; the search reports whether it
//! covered the whole space, so a cut-off search is never read as "no witness".

use super::principals::CallerSpec;
use super::realism;
use super::values::{segments, KeyUniverse, Seg};
use crate::eval::action::action_matches;
use crate::eval::principal::principal_matches;
use crate::eval::{
    decide_with, trust_for_action_with, CallerInfo, ContextValue, Decision, Request, TrustResult,
};
use crate::policy::{Operator, Policy, Statement};
use std::collections::{BTreeMap, BTreeSet};

/// The permission-only actions a call may also need (SEMANTICS §2.1).
pub const EXTRA_ACTIONS: [&str; 3] = ["sts:TagSession", "sts:SetSourceIdentity", "sts:SetContext"];

/// Subsets of [`EXTRA_ACTIONS`] as index lists, smallest first.
const ALSO_SUBSETS: [&[usize]; 8] = [&[], &[0], &[1], &[2], &[0, 1], &[0, 2], &[1, 2], &[0, 1, 2]];

/// What the search enumerates.
pub struct Space<'a> {
    pub callers: &'a [CallerSpec],
    pub keys: &'a [KeyUniverse],
    pub role: &'a str,
}

/// The outcome of one directed search.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Requests `grant` allows and `deny` does not, simplest first, at most the limit.
    pub found: Vec<Request>,
    /// True when the whole space was covered (or the limit was reached: then `found` is full).
    pub complete: bool,
    /// Trust evaluations spent.
    pub evaluations: usize,
}

/// Per-action trust results of one policy for one (caller, api, context), computed lazily:
/// most requests are decided by the API action alone.
struct Lazy<'p> {
    policy: &'p Policy,
    results: [Option<TrustResult>; 4],
}

impl<'p> Lazy<'p> {
    fn new(policy: &'p Policy) -> Self {
        Lazy {
            policy,
            results: [None; 4],
        }
    }

    fn get(
        &mut self,
        req: &Request,
        info: &CallerInfo<'_>,
        slot: usize,
        evals: &mut usize,
    ) -> TrustResult {
        if let Some(Some(r)) = self.results.get(slot) {
            return *r;
        }
        let action = match slot {
            0 => req.action.as_str(),
            i => EXTRA_ACTIONS
                .get(i.saturating_sub(1))
                .copied()
                .unwrap_or(""),
        };
        *evals = evals.saturating_add(1);
        let r = trust_for_action_with(self.policy, req, info, action);
        if let Some(s) = self.results.get_mut(slot) {
            *s = Some(r);
        }
        r
    }

    /// The weakest result over the API action and `also` (SEMANTICS §9.3).
    fn combined(
        &mut self,
        req: &Request,
        info: &CallerInfo<'_>,
        also: &[usize],
        evals: &mut usize,
    ) -> TrustResult {
        let mut t = self.get(req, info, 0, evals);
        for &i in also {
            if t < TrustResult::AllowAccount {
                break;
            }
            t = t.min(self.get(req, info, i.saturating_add(1), evals));
        }
        t
    }
}

/// One caller group: the keys that can matter to its callers, and its requests (indices into
/// [`Prepared`]'s requests, callers in universe order, each caller's APIs in order).
struct Group {
    keys: Vec<usize>,
    requests: Vec<usize>,
}

/// One request per (caller, API) of the universe, carrying the caller's own context keys, in
/// universe order (each caller's APIs in order): what every search of a comparison starts from.
pub fn requests(space: &Space<'_>) -> Vec<Request> {
    space
        .callers
        .iter()
        .flat_map(|spec| {
            spec.apis
                .iter()
                .map(|api| base_request(space.role, spec, api))
        })
        .collect()
}

/// What both directions of a comparison share: the caller groups, the caller of each of
/// [`requests`] read once, and working copies of the requests that searched keys are laid
/// over. Built once per comparison; each candidate context is laid over a working copy and
/// taken off again, so the hot loop neither rebuilds nor clones requests.
pub struct Prepared<'a, 't> {
    keys: &'a [KeyUniverse],
    groups: Vec<Group>,
    /// The caller of each request as built (see `try_context` for when it is read again).
    infos: Vec<CallerInfo<'t>>,
    /// The requests as built: what the empty context is tried on.
    templates: &'t [Request],
    /// Working copies, for the requests of groups with keys, that candidate contexts are laid
    /// over; every search leaves them as it found them. A group without keys only ever sees
    /// the empty context, so its requests need no copy.
    working: Vec<Option<Request>>,
    /// Trust evaluations spent grouping the callers. Grouping asks the same questions in
    /// both directions (the union of both policies' statements), so each direction is
    /// charged the same count, as when each grouped the callers itself.
    evaluations: usize,
}

/// Group the callers of `space` for comparing `policies` (the granting policy of the forward
/// search first); `templates` is [`requests`] of `space`.
///
/// Callers grouped by the keys that can matter to them: a key tested only in statements whose
/// principal or action can never apply to a caller cannot change that caller's result, so it
/// stays absent for it. Same answer, far fewer contexts.
pub fn prepare<'a, 't>(
    policies: &[&Policy],
    space: &Space<'a>,
    templates: &'t [Request],
) -> Prepared<'a, 't> {
    let mut evaluations = 0usize;
    let probes = probes(policies);
    let lower_names: Vec<String> = space
        .keys
        .iter()
        .map(|k| k.name.to_ascii_lowercase())
        .collect();
    let infos: Vec<CallerInfo<'t>> = templates.iter().map(CallerInfo::new).collect();
    let mut by_keys: BTreeMap<Vec<usize>, Vec<usize>> = BTreeMap::new();
    let mut first = 0usize;
    for spec in space.callers {
        let end = first.saturating_add(spec.apis.len());
        let own_infos = infos.get(first..end).unwrap_or_default();
        let keys = relevant_keys(&probes, spec, own_infos, &lower_names, &mut evaluations);
        by_keys.entry(keys).or_default().extend(first..end);
        first = end;
    }
    let groups: Vec<Group> = by_keys
        .into_iter()
        .map(|(keys, requests)| Group { keys, requests })
        .collect();
    let mut working: Vec<Option<Request>> = vec![None; templates.len()];
    for group in groups.iter().filter(|g| !g.keys.is_empty()) {
        for &i in &group.requests {
            if let (Some(slot), Some(t)) = (working.get_mut(i), templates.get(i)) {
                *slot = Some(t.clone());
            }
        }
    }
    Prepared {
        keys: space.keys,
        groups,
        infos,
        templates,
        working,
        evaluations,
    }
}

/// What a searched request must be: allowed by `grant` (and by `also`, when given), denied by
/// `deny` (final decisions).
#[derive(Clone, Copy)]
pub struct Judge<'p> {
    pub grant: &'p Policy,
    pub deny: &'p Policy,
    pub also: Option<&'p Policy>,
}

impl Prepared<'_, '_> {
    /// How many requests the simplest-first enumeration would try at most: per caller group,
    /// its requests times every choice of absent-or-a-value for each of its keys.
    pub fn space_size(&self) -> usize {
        self.groups
            .iter()
            .map(|g| {
                g.keys
                    .iter()
                    .filter_map(|&k| self.keys.get(k))
                    .fold(g.requests.len(), |acc, k| {
                        acc.saturating_mul(k.values.len().saturating_add(1))
                    })
            })
            .fold(0usize, usize::saturating_add)
    }
}

/// One direction of a comparison: the simplest-first enumeration, with the aimed search
/// ([`targeted`]) first when the enumeration could not finish within the budget anyway, and
/// after it when the enumeration was cut off without a witness.
pub fn directed(
    grant: &Policy,
    deny: &Policy,
    prepared: &mut Prepared<'_, '_>,
    space: &Space<'_>,
    budget: usize,
    limit: usize,
) -> Outcome {
    let aim = |out: &Outcome| !out.found.is_empty();
    let templates = prepared.templates;
    let big = prepared.space_size() > budget;
    if big {
        let aimed = targeted(grant, deny, space, templates, budget, limit);
        if aim(&aimed) {
            return Outcome {
                complete: true,
                ..aimed
            };
        }
    }
    let full = search(
        Judge {
            grant,
            deny,
            also: None,
        },
        prepared,
        budget,
        limit,
    );
    if !full.complete && !aim(&full) && !big {
        let aimed = targeted(grant, deny, space, templates, budget, limit);
        if aim(&aimed) {
            return Outcome {
                complete: true,
                ..aimed
            };
        }
    }
    full
}

/// Search for requests the judge's policies grant and its `deny` does not (final decisions,
/// §9.3).
pub fn search(
    judge: Judge<'_>,
    prepared: &mut Prepared<'_, '_>,
    budget: usize,
    limit: usize,
) -> Outcome {
    let mut out = Outcome {
        evaluations: prepared.evaluations,
        ..Outcome::default()
    };
    let Prepared {
        keys,
        groups,
        infos,
        templates,
        working,
        ..
    } = prepared;
    let keys: &[KeyUniverse] = keys;
    let widest = groups.iter().map(|g| g.keys.len()).max().unwrap_or(0);
    let mut context: Vec<(&str, &ContextValue)> = Vec::with_capacity(widest);
    for present in 0..=widest {
        for group in groups.iter() {
            let k = group.keys.len();
            if present > k {
                continue;
            }
            // Positions into `group.keys`.
            let mut combo: Vec<usize> = (0..present).collect();
            // Keys every request carries are never left out (request realism).
            let required: Vec<usize> = group
                .keys
                .iter()
                .copied()
                .filter(|&ki| {
                    keys.get(ki)
                        .is_some_and(|k| realism::always_present(&k.name))
                })
                .collect();
            loop {
                let chosen: Vec<usize> = combo
                    .iter()
                    .filter_map(|&i| group.keys.get(i).copied())
                    .collect();
                if !required.iter().all(|r| chosen.contains(r)) {
                    if !next_combination(&mut combo, k) {
                        break;
                    }
                    continue;
                }
                // Odometer over the chosen keys' values.
                let mut digits = vec![0usize; present];
                loop {
                    context.clear();
                    for (&ki, &d) in chosen.iter().zip(&digits) {
                        if let Some(key) = keys.get(ki) {
                            if let Some(v) = key.values.get(d) {
                                context.push((key.name.as_str(), v));
                            }
                        }
                    }
                    let batch = Batch {
                        members: &group.requests,
                        infos,
                        templates,
                        context: &context,
                    };
                    if try_context(judge, working, &batch, &mut out, budget, limit) {
                        return out;
                    }
                    if !advance(&mut digits, |i| {
                        chosen
                            .get(i)
                            .and_then(|&ki| keys.get(ki))
                            .map_or(0, |key| key.values.len())
                    }) {
                        break;
                    }
                }
                if !next_combination(&mut combo, k) {
                    break;
                }
            }
        }
    }
    out.complete = true;
    out
}

/// A search aimed at the statements of `grant` (the after policy in the forward direction):
/// for each Allow statement with conditions and each caller it names, every key the statement
/// tests is set to the first value of its universe that the statement's own conditions on it
/// accept (absent when they accept that), then one key at a time runs through its whole
/// universe while the others are held fixed. It decides nothing on its own: it finds the
/// witnesses of a change to one part of a statement whose other keys are all required, which
/// the simplest-first enumeration reaches only after every smaller combination. Every request
/// it tries is an ordinary candidate (realistic, checked by both policies).
pub fn targeted(
    grant: &Policy,
    deny: &Policy,
    space: &Space<'_>,
    templates: &[Request],
    budget: usize,
    limit: usize,
) -> Outcome {
    let mut out = Outcome::default();
    for statement in grant
        .statements
        .iter()
        .filter(|s| s.effect == crate::policy::Effect::Allow && !s.conditions.is_empty())
    {
        let mut names: Vec<String> = Vec::new();
        for c in &statement.conditions {
            let lower = c.key.to_ascii_lowercase();
            if !names.contains(&lower) {
                names.push(lower);
            }
        }
        for template in templates {
            let info = CallerInfo::new(template);
            if principal_matches(&statement.principals, &info).is_none()
                || !action_matches(&statement.actions, &template.action)
            {
                continue;
            }
            // Each key's universe, limited to what this caller can carry.
            let keys: Vec<(&KeyUniverse, String)> = names
                .iter()
                .filter(|n| realism::key_possible(&template.principal, &template.action, n))
                .filter_map(|n| {
                    space
                        .keys
                        .iter()
                        .find(|k| k.name.eq_ignore_ascii_case(n))
                        .map(|k| (k, n.clone()))
                })
                .collect();
            let mut base = template.clone();
            for (key, lower) in &keys {
                let holds = |req: &Request| {
                    statement
                        .conditions
                        .iter()
                        .filter(|c| c.key.eq_ignore_ascii_case(lower))
                        .all(|c| {
                            crate::eval::condition::condition_holds(
                                c,
                                statement.effect,
                                grant.version,
                                req,
                            )
                        })
                };
                if holds(&base) && !realism::always_present(lower) {
                    continue;
                }
                for v in &key.values {
                    base.context.insert(key.name.clone(), v.clone());
                    if holds(&base) {
                        break;
                    }
                    base.context.remove(&key.name);
                }
                if realism::always_present(lower) && !base.context.contains_key(&key.name) {
                    if let Some(v) = key.values.first() {
                        base.context.insert(key.name.clone(), v.clone());
                    }
                }
            }
            let base_info = CallerInfo::new(&base);
            if let Some(found) = first_witness(
                Judge {
                    grant,
                    deny,
                    also: None,
                },
                &base,
                &base_info,
                &mut out.evaluations,
            ) {
                push_found(&mut out, found);
            }
            for (key, _) in &keys {
                let mut trial = base.clone();
                let absent = (!realism::always_present(&key.name)).then_some(None);
                for v in absent.into_iter().chain(key.values.iter().map(Some)) {
                    match v {
                        Some(v) => trial.context.insert(key.name.clone(), v.clone()),
                        None => trial.context.remove(&key.name),
                    };
                    let trial_info = CallerInfo::new(&trial);
                    if let Some(found) = first_witness(
                        Judge {
                            grant,
                            deny,
                            also: None,
                        },
                        &trial,
                        &trial_info,
                        &mut out.evaluations,
                    ) {
                        push_found(&mut out, found);
                    }
                    if out.found.len() >= limit || out.evaluations > budget {
                        out.complete = out.found.len() >= limit;
                        return out;
                    }
                }
            }
        }
    }
    out
}

fn push_found(out: &mut Outcome, found: Request) {
    if !out.found.contains(&found) {
        out.found.push(found);
    }
}

/// The request for one caller and API before any searched key is added.
fn base_request(role: &str, spec: &CallerSpec, api: &str) -> Request {
    Request {
        role: role.to_string(),
        action: api.to_string(),
        also: Vec::new(),
        principal: spec.caller.clone(),
        caller_allows: true,
        context: spec
            .context
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect(),
    }
}

/// One statement with conditions, read as an unconditional Allow on its own, with the
/// (lower-cased) keys it tests or uses as `${...}` variables. Such a statement applies to a
/// request exactly when the evaluator's two tests pass: its actions cover the action and its
/// principal names the caller.
struct Probe<'p> {
    statement: &'p Statement,
    /// Whether its actions cover each of [`EXTRA_ACTIONS`] (the same for every caller).
    extras: [bool; 3],
    keys: Vec<String>,
}

/// The probes of every statement with conditions of each policy in turn, built once rather
/// than once per caller.
fn probes<'p>(policies: &[&'p Policy]) -> Vec<Probe<'p>> {
    let mut out = Vec::new();
    for &policy in policies {
        for s in &policy.statements {
            if s.conditions.is_empty() {
                continue;
            }
            let mut keys = Vec::new();
            for c in &s.conditions {
                keys.push(c.key.to_ascii_lowercase());
                if let Operator::Known { base, .. } = c.operator {
                    for v in &c.values {
                        for seg in segments(v, policy.version, base) {
                            if let Seg::Var { key, .. } = seg {
                                keys.push(key.to_ascii_lowercase());
                            }
                        }
                    }
                }
            }
            let extras = EXTRA_ACTIONS.map(|a| action_matches(&s.actions, a));
            out.push(Probe {
                statement: s,
                extras,
                keys,
            });
        }
    }
    out
}

/// Indices (into the keys, given by their lower-cased names) of the keys tested by some
/// statement of either policy that can apply to `spec` through one of its APIs: its principal
/// block names the caller and its actions cover the API or a permission-only action. Checked
/// with the evaluator's own principal and action tests, so they match exactly as in
/// evaluation. Keys used as `${...}` variables in those statements count too. `infos` holds
/// the caller of the request for each API of `spec`.
fn relevant_keys(
    probes: &[Probe<'_>],
    spec: &CallerSpec,
    infos: &[CallerInfo<'_>],
    lower_names: &[String],
    evals: &mut usize,
) -> Vec<usize> {
    let mut wanted: BTreeSet<&str> = BTreeSet::new();
    for probe in probes {
        if can_apply(probe, spec, infos, evals) {
            wanted.extend(probe.keys.iter().map(String::as_str));
        }
    }
    // Request realism: a key this caller's requests never carry stays absent for it (a
    // claim of another issuer, `sts:ExternalId` on a web-identity call, ...).
    lower_names
        .iter()
        .enumerate()
        .filter(|(_, name)| wanted.contains(name.as_str()))
        .filter(|(_, name)| {
            spec.apis
                .iter()
                .any(|api| realism::key_possible(&spec.caller, api, name))
        })
        .map(|(i, _)| i)
        .collect()
}

/// `requests` holds one request per API of `spec`, in order, and `infos` their callers.
/// Each action tried counts as one trust evaluation, in the order the evaluator would be
/// asked: the API, then the permission-only actions.
fn can_apply(
    probe: &Probe<'_>,
    spec: &CallerSpec,
    infos: &[CallerInfo<'_>],
    evals: &mut usize,
) -> bool {
    for (api, info) in spec.apis.iter().zip(infos) {
        let named = principal_matches(&probe.statement.principals, info).is_some();
        let covered =
            std::iter::once(action_matches(&probe.statement.actions, api)).chain(probe.extras);
        for covers in covered {
            *evals = evals.saturating_add(1);
            if covers && named {
                return true;
            }
        }
    }
    false
}

/// One candidate context for the requests of one group.
struct Batch<'b, 'i> {
    /// Indices into the prepared requests.
    members: &'b [usize],
    /// The caller of each prepared request.
    infos: &'b [CallerInfo<'i>],
    /// The prepared requests as built.
    templates: &'b [Request],
    context: &'b [(&'b str, &'b ContextValue)],
}

/// Try every request of a group with one context. Returns true when the search must stop
/// (limit reached: complete; or budget spent: incomplete).
fn try_context(
    judge: Judge<'_>,
    working: &mut [Option<Request>],
    batch: &Batch<'_, '_>,
    out: &mut Outcome,
    budget: usize,
    limit: usize,
) -> bool {
    // The caller's account of a unique-ID caller comes from `aws:PrincipalAccount`: only a
    // context that sets it can change what was read from the request as built.
    let reread = batch
        .context
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("aws:PrincipalAccount"));
    let mut added: Vec<&str> = Vec::with_capacity(batch.context.len());
    for &i in batch.members {
        let Some(info) = batch.infos.get(i) else {
            continue;
        };
        let found = if batch.context.is_empty() {
            let Some(base) = batch.templates.get(i) else {
                continue;
            };
            first_witness(judge, base, info, &mut out.evaluations)
        } else {
            // A context with keys only comes to groups with keys, whose requests have copies.
            let Some(Some(base)) = working.get_mut(i) else {
                continue;
            };
            // The caller's own keys win over searched ones with the same name, as when the
            // caller's context is written over the searched one.
            added.clear();
            for &(k, v) in batch.context {
                if !base.context.contains_key(k) {
                    base.context.insert(k.to_string(), v.clone());
                    added.push(k);
                }
            }
            let found = if reread {
                first_witness(judge, base, &CallerInfo::new(base), &mut out.evaluations)
            } else {
                first_witness(judge, base, info, &mut out.evaluations)
            };
            for k in &added {
                base.context.remove(*k);
            }
            found
        };
        if let Some(found) = found {
            out.found.push(found);
            if out.found.len() >= limit {
                out.complete = true;
                return true;
            }
        }
        if out.evaluations > budget {
            out.complete = false;
            return true;
        }
    }
    false
}

/// The simplest (`also`, `caller_allows`) variant of `base` that `grant` allows and `deny`
/// does not, if any.
/// `info` is the caller of `base`.
fn first_witness(
    judge: Judge<'_>,
    base: &Request,
    info: &CallerInfo<'_>,
    evals: &mut usize,
) -> Option<Request> {
    let mut g = Lazy::new(judge.grant);
    let mut d = Lazy::new(judge.deny);
    let mut a = judge.also.map(Lazy::new);
    if g.get(base, info, 0, evals) < TrustResult::AllowAccount {
        // Every variant needs the API action.
        return None;
    }
    // Request realism: a request that passes tags, a source identity or provided contexts
    // also needs the permission-only action that goes with them.
    let mut needed = [false; 3];
    for k in base.context.keys() {
        if let Some(action) = realism::action_needed(k) {
            for (slot, extra) in needed.iter_mut().zip(EXTRA_ACTIONS) {
                *slot |= extra == action;
            }
        }
    }
    for also in ALSO_SUBSETS {
        if needed
            .iter()
            .enumerate()
            .any(|(i, &need)| need && !also.contains(&i))
        {
            continue;
        }
        let tg = g.combined(base, info, also, evals);
        if tg < TrustResult::AllowAccount {
            continue;
        }
        for caller_allows in [true, false] {
            // The decision reads neither `also` nor anything but the caller, the role and
            // `caller_allows`, so the variant is only built once it is a witness.
            if decide_with(info, tg, caller_allows) != Decision::Allow {
                continue;
            }
            let td = d.combined(base, info, also, evals);
            let also_grants = match a.as_mut() {
                Some(a) => {
                    let ta = a.combined(base, info, also, evals);
                    decide_with(info, ta, caller_allows) == Decision::Allow
                }
                None => true,
            };
            if also_grants && decide_with(info, td, caller_allows) == Decision::Deny {
                let mut req = base.clone();
                req.also = also
                    .iter()
                    .filter_map(|&i| EXTRA_ACTIONS.get(i).map(|s| s.to_string()))
                    .collect();
                req.caller_allows = caller_allows;
                // The candidate is built from realistic parts; this is the one check of the
                // whole request (a key every request carries left out, say).
                let policies: Vec<&Policy> = [judge.grant, judge.deny]
                    .into_iter()
                    .chain(judge.also)
                    .collect();
                if realism::check_for(&req, &policies).is_err() {
                    return None;
                }
                return Some(req);
            }
        }
    }
    None
}

/// Next digit vector of a mixed-radix counter; false after the last one.
fn advance(digits: &mut [usize], radix: impl Fn(usize) -> usize) -> bool {
    for i in (0..digits.len()).rev() {
        if let Some(d) = digits.get_mut(i) {
            if d.saturating_add(1) < radix(i) {
                *d = d.saturating_add(1);
                return true;
            }
            *d = 0;
        }
    }
    false
}

/// Next `combo.len()`-subset of `0..n` in lexicographic order; false after the last one.
fn next_combination(combo: &mut [usize], n: usize) -> bool {
    let size = combo.len();
    for i in (0..size).rev() {
        let max_here = n.saturating_sub(size).saturating_add(i);
        if combo.get(i).is_some_and(|&c| c < max_here) {
            let first = combo.get(i).copied().unwrap_or(0).saturating_add(1);
            for (next, slot) in (first..).zip(combo.iter_mut().skip(i)) {
                *slot = next;
            }
            return true;
        }
    }
    false
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn combinations_in_order() {
        let mut c = vec![0, 1];
        let mut all = vec![c.clone()];
        while next_combination(&mut c, 4) {
            all.push(c.clone());
        }
        assert_eq!(
            all,
            vec![
                vec![0, 1],
                vec![0, 2],
                vec![0, 3],
                vec![1, 2],
                vec![1, 3],
                vec![2, 3]
            ]
        );
        let mut empty: Vec<usize> = vec![];
        assert!(!next_combination(&mut empty, 3));
    }

    #[test]
    fn odometer_covers_the_product() {
        let mut d = vec![0, 0];
        let mut n = 1;
        while advance(&mut d, |i| [2, 3][i]) {
            n += 1;
        }
        assert_eq!(n, 6);
    }
}
