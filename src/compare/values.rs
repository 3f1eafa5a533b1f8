//! The per-key value universe (SEMANTICS §7.3 step 3 and step 5): for every condition key of
//! both policies, a short list of values such that every condition of either policy takes
//! every truth value it can take on one of them.
//!
//! Strings: one witness per satisfiable cell of the key's atoms (`automaton::cells`). Numbers,
//! dates and addresses: the points that split the line at every literal. Booleans: `true`,
//! `false` and something else. Multi-valued keys: the empty set, singletons and small mixed
//! sets. Absent is not listed here: the search decides which keys are present.

use super::automaton::{self, Atom, AtomKind, BoundHit, Bounds, Matcher};
use super::realism;
use crate::civil;
use crate::eval::ContextValue;
use crate::policy::keys::{self, Arity};
use crate::policy::{BaseOp, Condition, Operator, Policy, Version};
use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Keys whose values the caller fixes (SEMANTICS §9.2): the principal universe generates them,
/// never the value universe, so a witness never pairs a caller with someone else's ARN.
pub use super::realism::CALLER_KEYS;

/// A value that no policy literal of any type equals: the "something else" of each family.
const OTHER: &str = "x";

/// One condition of either policy, with the policy's `Version` (variables need 2012).
#[derive(Debug, Clone, Copy)]
pub struct CondRef<'p> {
    pub version: Version,
    pub cond: &'p Condition,
}

/// Every condition of both policies.
pub fn conditions<'p>(policies: &[&'p Policy]) -> Vec<CondRef<'p>> {
    let mut out = Vec::new();
    for p in policies {
        for s in &p.statements {
            for c in &s.conditions {
                out.push(CondRef {
                    version: p.version,
                    cond: c,
                });
            }
        }
    }
    out
}

/// One piece of a condition value: policy text, an escape, or a `${key}` variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Text(String),
    /// `${*}`, `${?}`, `${$}`: a literal character, never a wildcard.
    Escaped(char),
    Var {
        /// The key as written (compare case-insensitively).
        key: String,
        default: Option<String>,
    },
}

/// Split a value into segments the way the evaluator substitutes (SEMANTICS §4.5): only for
/// `Version 2012` and operators that take variables; otherwise the whole value is text.
// Bounded by parsing: fixed-width date fields, epoch seconds of at most 15 digits (i128
// nanoseconds keep every such value and its ±1 s neighbours exact), indices below lengths.
#[allow(clippy::arithmetic_side_effects)]
pub fn segments(text: &str, version: Version, base: BaseOp) -> Vec<Seg> {
    if version != Version::V2012 || !base.takes_variables() || !text.contains("${") {
        return vec![Seg::Text(text.to_string())];
    }
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let (before, from) = rest.split_at(start);
        if !before.is_empty() {
            out.push(Seg::Text(before.to_string()));
        }
        let after = from.get(2..).unwrap_or("");
        let Some(end) = after.find('}') else {
            out.push(Seg::Text(from.to_string()));
            return out;
        };
        let body = after.get(..end).unwrap_or("");
        let whole = from.get(..end + 3).unwrap_or(from);
        rest = after.get(end + 1..).unwrap_or("");
        match body {
            "*" => out.push(Seg::Escaped('*')),
            "?" => out.push(Seg::Escaped('?')),
            "$" => out.push(Seg::Escaped('$')),
            _ => match parse_var(body) {
                Some((key, default)) => out.push(Seg::Var { key, default }),
                // Malformed: the evaluator keeps the text as written.
                None => out.push(Seg::Text(whole.to_string())),
            },
        }
    }
    if !rest.is_empty() {
        out.push(Seg::Text(rest.to_string()));
    }
    out
}

fn parse_var(body: &str) -> Option<(String, Option<String>)> {
    let (key, default) = match body.split_once(',') {
        Some((key, default)) => {
            let inner = default.trim().strip_prefix('\'')?.strip_suffix('\'')?;
            (key.trim(), Some(inner.to_string()))
        }
        None => (body.trim(), None),
    };
    if key.is_empty() {
        return None;
    }
    Some((key.to_string(), default))
}

/// The atom kind of a string-family operator.
pub fn atom_kind(base: BaseOp) -> Option<AtomKind> {
    match base {
        BaseOp::StringEquals | BaseOp::StringNotEquals => Some(AtomKind::Equals),
        BaseOp::StringEqualsIgnoreCase | BaseOp::StringNotEqualsIgnoreCase => {
            Some(AtomKind::EqualsIgnoreCase)
        }
        BaseOp::StringLike | BaseOp::StringNotLike => Some(AtomKind::Like),
        BaseOp::ArnEquals | BaseOp::ArnLike | BaseOp::ArnNotEquals | BaseOp::ArnNotLike => {
            Some(AtomKind::Arn)
        }
        _ => None,
    }
}

/// The atom of `segs` with each variable replaced by `value_of(key)`; `None` when a variable
/// has no value and no default (the condition is then constant, SEMANTICS §4.5).
pub fn atom_of(
    kind: AtomKind,
    segs: &[Seg],
    value_of: &dyn Fn(&str) -> Option<String>,
) -> Option<Atom> {
    let mut toks = Vec::new();
    for seg in segs {
        match seg {
            Seg::Text(t) => toks.extend(Atom::from_text(kind, t).toks),
            Seg::Escaped(c) => toks.push(automaton::Tok::Lit(*c)),
            Seg::Var { key, default } => {
                let v = value_of(&key.to_ascii_lowercase()).or_else(|| default.clone())?;
                // Substituted text is literal (SEMANTICS §4.5 [inf]).
                toks.extend(v.chars().map(automaton::Tok::Lit));
            }
        }
    }
    Some(Atom { kind, toks }.normalised())
}

/// Key names that appear as `${...}` variables in any condition value: lower-cased name to the
/// name as first written.
pub fn variable_keys(conds: &[CondRef<'_>]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for c in conds {
        let Operator::Known { base, .. } = c.cond.operator else {
            continue;
        };
        for v in &c.cond.values {
            for seg in segments(v, c.version, base) {
                if let Seg::Var { key, .. } = seg {
                    out.entry(key.to_ascii_lowercase()).or_insert(key);
                }
            }
        }
    }
    out
}

/// The string atoms of one key, with variables replaced by each of their representative
/// values (`tokens`, step 5) in turn, and — for keys the caller fixes — also by `*`, which
/// over-approximates every substitution.
fn string_atoms(
    conds: &[&CondRef<'_>],
    tokens: &BTreeMap<String, Vec<String>>,
    wild_vars: bool,
) -> Vec<Atom> {
    let mut atoms = BTreeSet::new();
    for c in conds {
        let Operator::Known { base, .. } = c.cond.operator else {
            continue;
        };
        let Some(kind) = atom_kind(base) else {
            continue;
        };
        for v in &c.cond.values {
            let segs = segments(v, c.version, base);
            let vars: Vec<String> = segs
                .iter()
                .filter_map(|s| match s {
                    Seg::Var { key, .. } => Some(key.to_ascii_lowercase()),
                    _ => None,
                })
                .collect();
            if vars.is_empty() {
                atoms.insert(Atom::from_text(kind, v));
                continue;
            }
            if wild_vars {
                let star: Vec<Seg> = segs
                    .iter()
                    .map(|s| match s {
                        Seg::Var { .. } => Seg::Text("*".into()),
                        other => other.clone(),
                    })
                    .collect();
                let glob = if kind == AtomKind::Arn {
                    AtomKind::Arn
                } else {
                    AtomKind::Like
                };
                if let Some(a) = atom_of(glob, &star, &|_| None) {
                    atoms.insert(a);
                }
            }
            // One atom per representative value of each variable (the others at their first
            // representative), plus the defaults (every variable missing).
            let first = |k: &str| tokens.get(k).and_then(|t| t.first().cloned());
            if let Some(a) = atom_of(kind, &segs, &first) {
                atoms.insert(a);
            }
            for var in &vars {
                for tok in tokens.get(var.as_str()).into_iter().flatten().skip(1) {
                    let pick = |k: &str| {
                        if k == var.as_str() {
                            Some(tok.clone())
                        } else {
                            first(k)
                        }
                    };
                    if let Some(a) = atom_of(kind, &segs, &pick) {
                        atoms.insert(a);
                    }
                }
            }
            if let Some(a) = atom_of(kind, &segs, &|_| None) {
                atoms.insert(a);
            }
        }
    }
    atoms.into_iter().collect()
}

/// One key's candidate values, simplest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyUniverse {
    /// The key as first written in a policy (lookup is case-insensitive).
    pub name: String,
    pub values: Vec<ContextValue>,
}

/// Witness strings for every cell of a key's string atoms (the minterm method).
pub fn string_witnesses(
    conds: &[&CondRef<'_>],
    tokens: &BTreeMap<String, Vec<String>>,
    wild_vars: bool,
    fresh_pref: &str,
    bounds: Bounds,
) -> Result<Vec<String>, BoundHit> {
    let atoms = string_atoms(conds, tokens, wild_vars);
    if atoms.is_empty() {
        return Ok(Vec::new());
    }
    let cells = automaton::cells(&atoms, fresh_pref, bounds)?;
    Ok(cells.into_iter().map(|c| c.witness).collect())
}

/// Witness strings for every cell of `key`'s string atoms that lies inside the glob `shape`
/// and outside every glob of `exclude`: the values of the key that a caller restricted to
/// `shape` minus `exclude` can present, one per distinction the policies' conditions draw.
/// Variables in the atoms are read as `*`, which over-approximates every substitution.
pub fn shaped_key_witnesses(
    conds: &[CondRef<'_>],
    key: &str,
    shape: &str,
    exclude: &[String],
    bounds: Bounds,
) -> Result<Vec<String>, BoundHit> {
    let group: Vec<&CondRef<'_>> = conds
        .iter()
        .filter(|c| c.cond.key.eq_ignore_ascii_case(key))
        .collect();
    let mut atoms = string_atoms(&group, &BTreeMap::new(), true);
    let first_extra = atoms.len();
    atoms.push(Atom::from_text(AtomKind::Like, shape));
    atoms.extend(exclude.iter().map(|e| Atom::from_text(AtomKind::Like, e)));
    let cells = automaton::cells(&atoms, "", bounds)?;
    Ok(cells
        .into_iter()
        .filter(|c| {
            let mut extra = c.inside.iter().skip(first_extra);
            extra.next() == Some(&true) && extra.all(|inside| !inside)
        })
        .map(|c| readable(&c.witness, &atoms))
        .collect())
}

/// The witness with punctuation the automaton chose for a wildcard replaced by a letter or
/// digit wherever that keeps it in the same cell: `o-aaaaaaaaaa` rather than `o----------`,
/// `repo:acmea/a` rather than `repo:acme://`. Same answer to every atom, easier to read.
fn readable(witness: &str, atoms: &[Atom]) -> String {
    let mut matcher = Matcher::new(atoms);
    let cell = cell_of(&mut matcher, witness);
    let mut chars: Vec<char> = witness.chars().collect();
    let mut text = String::with_capacity(witness.len());
    for i in 0..chars.len() {
        if !matches!(chars.get(i), Some(c) if !c.is_ascii_alphanumeric()) {
            continue;
        }
        let original = chars.get(i).copied();
        for candidate in "abcdefghijklmnopqrstuvwxyz0123456789".chars() {
            if let Some(c) = chars.get_mut(i) {
                *c = candidate;
            }
            text.clear();
            text.extend(chars.iter());
            if in_cell(&mut matcher, &cell, &text) {
                break;
            }
            if let (Some(c), Some(o)) = (chars.get_mut(i), original) {
                *c = o;
            }
        }
    }
    chars.into_iter().collect()
}

/// Whether `text` is in `cell`: accepted by exactly the atoms that accept the cell's members.
fn in_cell(matcher: &mut Matcher, cell: &[bool], text: &str) -> bool {
    cell.len() == matcher.atoms()
        && cell
            .iter()
            .enumerate()
            .all(|(i, inside)| matcher.accepts(i, text) == *inside)
}

/// Which atoms accept `text`.
fn cell_of(matcher: &mut Matcher, text: &str) -> Vec<bool> {
    (0..matcher.atoms())
        .map(|i| matcher.accepts(i, text))
        .collect()
}

/// [`string_witnesses`] for a key whose values (or, with `element`, the elements of a set of
/// its values) have a form (`realism::value_shape`): the form's globs join the atoms, so every
/// cell that holds a value AWS could send is split from the part that holds none, and its
/// shortest witness is taken inside the form.
fn shaped_string_witnesses(
    lower: &str,
    conds: &[&CondRef<'_>],
    tokens: &BTreeMap<String, Vec<String>>,
    element: bool,
    bounds: Bounds,
) -> Result<Vec<String>, BoundHit> {
    let Some(shape) = realism::value_shape(lower, element) else {
        return string_witnesses(conds, tokens, false, "", bounds);
    };
    let mut atoms = string_atoms(conds, tokens, false);
    let own = atoms.len();
    atoms.extend(
        shape
            .globs
            .iter()
            .map(|g| Atom::from_text(AtomKind::Like, g)),
    );
    let cells = automaton::cells_fresh_first(&atoms, shape.fresh, bounds)?;
    // One witness per combination of the policy's own atoms: the one inside the earliest
    // form (cells that differ only in the form globs behave the same under every condition).
    let mut best: BTreeMap<Vec<bool>, (usize, usize, String)> = BTreeMap::new();
    for (order, c) in cells.into_iter().enumerate() {
        let Some(form) = c.inside.iter().skip(own).position(|&inside| inside) else {
            continue;
        };
        // A witness the key cannot hold leaves the choice to the next form (a date form's
        // `2024-33-33…` to the digits of epoch seconds), not the cell unmet.
        if realism::single_value(lower, &c.witness).is_err() || (element && c.witness.is_empty()) {
            continue;
        }
        let policy_side: Vec<bool> = c.inside.iter().take(own).copied().collect();
        let better = best
            .get(&policy_side)
            .is_none_or(|&(f, o, _)| (form, order) < (f, o));
        if better {
            best.insert(policy_side, (form, order, c.witness));
        }
    }
    let mut kept: Vec<(usize, String)> = best.into_values().map(|(_, o, w)| (o, w)).collect();
    kept.sort();
    Ok(kept
        .into_iter()
        .map(|(_, w)| match lower {
            "aws:sourcearn" => readable_arn(&w, &atoms),
            _ => w,
        })
        .collect())
}

/// An ARN segment, whether it holds only what the search filled in, and what to try instead.
type Refill = (usize, fn(&str) -> bool, &'static [&'static str]);

/// A source ARN witness with the segments the search filled with its digits read as a real
/// resource's: `arn:aws:sns:us-east-1:000000000000:example` rather than
/// `arn:aws:0::000000000000:0`, segment by segment wherever that keeps the witness in the same
/// cell of every atom (the policies' patterns and the form), so it proves the same thing.
fn readable_arn(witness: &str, atoms: &[Atom]) -> String {
    let mut matcher = Matcher::new(atoms);
    let cell = cell_of(&mut matcher, witness);
    let mut parts: Vec<String> = witness.splitn(6, ':').map(str::to_string).collect();
    if parts.len() != 6 || parts.first().map(String::as_str) != Some("arn") {
        return witness.to_string();
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let plan: [Refill; 3] = [
        (2, digits, &["sns", "sqs", "events"]),
        (3, str::is_empty, &["us-east-1", "eu-west-1"]),
        (5, digits, &["example"]),
    ];
    for (segment, filler, candidates) in plan {
        let Some(current) = parts.get(segment).cloned() else {
            continue;
        };
        if !filler(&current) {
            continue;
        }
        for candidate in candidates {
            if let Some(p) = parts.get_mut(segment) {
                *p = (*candidate).to_string();
            }
            if in_cell(&mut matcher, &cell, &parts.join(":")) {
                break;
            }
            if let Some(p) = parts.get_mut(segment) {
                p.clone_from(&current);
            }
        }
    }
    parts.join(":")
}

/// The value universe of every key of `conds` except the caller-fixed ones.
///
/// `tokens`: representative values of variable keys (step 5); a free variable key gets its
/// representatives as extra candidates so "variable present and equal" is reachable.
// Bounded by parsing: fixed-width date fields, epoch seconds of at most 15 digits (i128
// nanoseconds keep every such value and its ±1 s neighbours exact), indices below lengths.
#[allow(clippy::arithmetic_side_effects)]
pub fn universes(
    conds: &[CondRef<'_>],
    tokens: &BTreeMap<String, Vec<String>>,
    free_var_keys: &BTreeMap<String, String>,
    bounds: Bounds,
) -> Result<Vec<KeyUniverse>, BoundHit> {
    // Group by lower-cased key (key names and tag-key suffixes are case-insensitive, §1.9).
    let mut groups: BTreeMap<String, (String, Vec<&CondRef<'_>>)> = BTreeMap::new();
    for c in conds {
        let lower = c.cond.key.to_ascii_lowercase();
        groups
            .entry(lower)
            .or_insert_with(|| (c.cond.key.clone(), Vec::new()))
            .1
            .push(c);
    }
    for (lower, name) in free_var_keys {
        groups
            .entry(lower.clone())
            .or_insert_with(|| (name.clone(), Vec::new()));
    }
    let mut out = Vec::new();
    for (lower, (name, group)) in groups {
        if CALLER_KEYS.contains(&lower.as_str()) {
            continue;
        }
        // The bound reached is reported with the key it was reached on.
        let on_key = |b: BoundHit| BoundHit(format!("`{name}`: {}", b.0));
        let mut set_ops = 0usize;
        let mut other_points: Vec<String> = Vec::new();
        for c in &group {
            let Operator::Known { set, base, .. } = c.cond.operator else {
                continue;
            };
            if set.is_some() {
                set_ops += 1;
            }
            other_points.extend(points(base, &c.cond.values));
        }
        // The candidates for one value (`element`: for one element of a set), simplest first.
        let candidates = |element: bool| -> Result<Vec<String>, BoundHit> {
            let mut singles =
                shaped_string_witnesses(&lower, &group, tokens, element, bounds).map_err(on_key)?;
            singles.extend(other_points.iter().cloned());
            if let Some(t) = tokens.get(&lower) {
                singles.extend(t.iter().cloned());
            }
            if singles.is_empty() {
                // Only `Null` or unknown operators test this key: any present value will do.
                singles.push(OTHER.to_string());
            }
            // Only values AWS could send for this key (request realism): a typed key never
            // holds the "something else" of another type, a claim is never empty, nor is an
            // element of a set.
            singles
                .retain(|v| realism::single_value(&lower, v).is_ok() && !(element && v.is_empty()));
            singles.extend(typical(&lower).iter().map(|v| v.to_string()));
            Ok(dedupe(singles))
        };
        let used_with_sets = set_ops > 0;
        let arity = keys::arity(&lower);
        let mut values = Vec::new();
        // A single-valued key holds one value even under `ForAnyValue`/`ForAllValues`: the
        // set operators then read it as a one-element set, never as a list.
        if arity != Arity::Multi {
            values.extend(candidates(false)?.into_iter().map(ContextValue::Single));
        }
        if arity == Arity::Multi || (arity == Arity::Either && used_with_sets) {
            // The elements are steered to non-empty text separately: a cell whose shortest
            // member is "" must still be met by a set (a tag key outside every pattern is what
            // escapes a `ForAllValues` Deny).
            let elements = candidates(true)?;
            values.extend(multi_values(&elements, set_ops.max(2), bounds).map_err(on_key)?);
        }
        if used_with_sets && arity != Arity::Multi {
            // ForAllValues treats a lone "" as vacuous (SEMANTICS §4.1); kept only where the
            // key can hold "" (a tag value can, an ExternalId cannot).
            values.push(ContextValue::Single(String::new()));
        }
        values.retain(|v| realism::value(&lower, v).is_ok());
        let mut seen = BTreeSet::new();
        values.retain(|v| seen.insert(v.clone()));
        out.push(KeyUniverse { name, values });
    }
    Ok(out)
}

/// Values of the documented form for a typed key, so that a key tested only with string
/// operators still meets both booleans and a real address, time or number.
fn typical(lower: &str) -> &'static [&'static str] {
    match lower {
        "aws:multifactorauthpresent"
        | "aws:securetransport"
        | "aws:viaawsservice"
        | "aws:principalisawsservice"
        | "sts:roleauthorizedbyidp" => &["true", "false"],
        "aws:multifactorauthage" => &["60"],
        "aws:sourceip" | "aws:vpcsourceip" => &["192.0.2.1"],
        "aws:currenttime" | "aws:tokenissuetime" => &["2025-01-01T00:00:00Z"],
        "aws:epochtime" => &["1735689600"],
        _ => &[],
    }
}

fn dedupe(items: Vec<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    items
        .into_iter()
        .filter(|s| seen.insert(s.clone()))
        .collect()
}

/// Multi-valued candidates: `[]`, `[""]` and every set of at most `max_size` distinct singles.
/// Any mix of `ForAllValues`/`ForAnyValue` conditions that some set satisfies is satisfied by
/// a set of at most one element per condition (one witness per `ForAnyValue` that must hold,
/// one counterexample per `ForAllValues` that must fail), so sets up to the number of
/// set-qualified conditions are enough.
// Bounded by parsing: fixed-width date fields, epoch seconds of at most 15 digits (i128
// nanoseconds keep every such value and its ±1 s neighbours exact), indices below lengths.
#[allow(clippy::arithmetic_side_effects)]
fn multi_values(
    singles: &[String],
    max_size: usize,
    bounds: Bounds,
) -> Result<Vec<ContextValue>, BoundHit> {
    let mut out = vec![
        ContextValue::Multi(Vec::new()),
        ContextValue::Multi(vec![String::new()]),
    ];
    let n = singles.len();
    let limit = bounds.max_cells;
    let mut current: Vec<usize> = Vec::new();
    // Iterative enumeration of index combinations by size.
    for size in 1..=max_size.min(n) {
        current.clear();
        current.extend(0..size);
        loop {
            let set: Vec<String> = current
                .iter()
                .filter_map(|&i| singles.get(i).cloned())
                .collect();
            out.push(ContextValue::Multi(set));
            if out.len() > limit {
                return Err(BoundHit(format!(
                    "more than {limit} candidate value sets for a multi-valued key"
                )));
            }
            // Next combination.
            let mut i = size;
            let mut advanced = false;
            while i > 0 {
                i -= 1;
                let max_here = n - size + i;
                if current.get(i).is_some_and(|&c| c < max_here) {
                    if let Some(c) = current.get_mut(i) {
                        *c += 1;
                    }
                    for j in i + 1..size {
                        let prev = current.get(j - 1).copied().unwrap_or(0);
                        if let Some(c) = current.get_mut(j) {
                            *c = prev + 1;
                        }
                    }
                    advanced = true;
                    break;
                }
            }
            if !advanced {
                break;
            }
        }
    }
    Ok(out)
}

/// The boundary points of one non-string condition.
pub fn points(base: BaseOp, literals: &[String]) -> Vec<String> {
    match base {
        BaseOp::NumericEquals
        | BaseOp::NumericNotEquals
        | BaseOp::NumericLessThan
        | BaseOp::NumericLessThanEquals
        | BaseOp::NumericGreaterThan
        | BaseOp::NumericGreaterThanEquals => number_points(literals),
        BaseOp::DateEquals
        | BaseOp::DateNotEquals
        | BaseOp::DateLessThan
        | BaseOp::DateLessThanEquals
        | BaseOp::DateGreaterThan
        | BaseOp::DateGreaterThanEquals => date_points(literals),
        BaseOp::IpAddress | BaseOp::NotIpAddress => ip_points(literals),
        BaseOp::Bool => vec!["true".into(), "false".into(), OTHER.into()],
        BaseOp::BinaryEquals => {
            let mut v: Vec<String> = literals.to_vec();
            v.push(OTHER.into());
            v
        }
        _ => Vec::new(),
    }
}

/// `[+-]digits[.digits]` as a float (the evaluator refuses exponents and bare dots too).
fn parse_number(text: &str) -> Option<f64> {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    text.parse().ok()
}

/// Every literal, ±1, ±0.5, the midpoints between neighbours, and a non-number: one point in
/// every interval the literals cut the line into, and the literals themselves.
/// [inf] Beyond 2^53 the float neighbours may coincide with the literal; such bounds are not
/// found in trust policies.
pub fn number_points(literals: &[String]) -> Vec<String> {
    let mut out: Vec<String> = literals.to_vec();
    let mut nums: Vec<f64> = literals.iter().filter_map(|l| parse_number(l)).collect();
    nums.sort_by(|a, b| a.total_cmp(b));
    nums.dedup();
    for n in &nums {
        for d in [-1.0, 1.0, -0.5, 0.5] {
            out.push(format_number(n + d));
        }
    }
    for w in nums.windows(2) {
        if let [a, b] = w {
            out.push(format_number((a + b) / 2.0));
        }
    }
    out.push(OTHER.into());
    dedupe(out)
}

fn format_number(n: f64) -> String {
    // `Display` for f64 never uses an exponent and prints integers without a dot.
    format!("{n}")
}

/// An instant in whole nanoseconds since the epoch (i128 keeps every ISO year exact).
type Nanos = i128;
const NS: i128 = 1_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateForm {
    Epoch,
    Iso,
}

/// Each date literal, ±1 s, and the midpoint between neighbours, written in the literal's
/// own form (epoch seconds or ISO 8601 UTC), plus a non-date.
// Bounded by parsing: fixed-width date fields, epoch seconds of at most 15 digits (i128
// nanoseconds keep every such value and its ±1 s neighbours exact), indices below lengths.
#[allow(clippy::arithmetic_side_effects)]
pub fn date_points(literals: &[String]) -> Vec<String> {
    let mut out: Vec<String> = literals.to_vec();
    let mut parsed: Vec<(Nanos, DateForm)> =
        literals.iter().filter_map(|l| parse_date(l)).collect();
    parsed.sort_by_key(|p| p.0);
    parsed.dedup_by_key(|p| p.0);
    for (t, form) in &parsed {
        // The literal itself in the form AWS writes times in.
        out.push(format_date(*t, DateForm::Iso));
        out.push(format_date(t - NS, *form));
        out.push(format_date(t + NS, *form));
    }
    for w in parsed.windows(2) {
        if let [(a, form), (b, _)] = w {
            out.push(format_date(a + (b - a) / 2, *form));
        }
    }
    out.push(OTHER.into());
    dedupe(out)
}

/// A literal as the evaluator reads it (`crate::civil`), in whole nanoseconds, with the form
/// it was written in. A literal the evaluator does not read as a date gets no points: no
/// request value can compare to it.
fn parse_date(text: &str) -> Option<(Nanos, DateForm)> {
    let (instant, form) = match civil::parse_epoch(text) {
        Some(instant) => (instant, DateForm::Epoch),
        None => (civil::parse_iso(text)?, DateForm::Iso),
    };
    Some((nanos(instant), form))
}

// Seconds below 10^16 (15 epoch digits, or an ISO year below 10000) times 10^9 fits an
// i128 many times over.
#[allow(clippy::arithmetic_side_effects)]
fn nanos((secs, nanos): civil::Instant) -> Nanos {
    i128::from(secs) * NS + i128::from(nanos)
}

fn format_date(t: Nanos, form: DateForm) -> String {
    let secs = t.div_euclid(NS);
    let nanos = t.rem_euclid(NS);
    let frac = if nanos == 0 {
        String::new()
    } else {
        let s = format!(".{nanos:09}");
        s.trim_end_matches('0').to_string()
    };
    match form {
        DateForm::Epoch => format!("{secs}{frac}"),
        DateForm::Iso => {
            let days = secs.div_euclid(86_400);
            let rem = secs.rem_euclid(86_400);
            let (y, m, d) = civil::civil_from_days(i64::try_from(days).unwrap_or(0));
            format!(
                "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{frac}Z",
                rem / 3600,
                (rem % 3600) / 60,
                rem % 60
            )
        }
    }
}

/// For each CIDR its first and last address and the addresses just outside, one address of
/// the other family, and a non-address.
// Bounded by parsing: fixed-width date fields, epoch seconds of at most 15 digits (i128
// nanoseconds keep every such value and its ±1 s neighbours exact), indices below lengths.
#[allow(clippy::arithmetic_side_effects)]
pub fn ip_points(literals: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let (mut v4, mut v6) = (false, false);
    for l in literals {
        let (addr, prefix) = match l.split_once('/') {
            Some((a, p)) => (a, p.parse::<u32>().ok()),
            None => (l.as_str(), None),
        };
        match addr.parse::<IpAddr>() {
            Ok(IpAddr::V4(a)) => {
                v4 = true;
                let p = prefix.unwrap_or(32).min(32);
                let mask = u32::MAX.checked_shl(32 - p).unwrap_or(0);
                let first = u32::from(a) & mask;
                let last = first | !mask;
                out.push(Ipv4Addr::from(first).to_string());
                out.push(Ipv4Addr::from(last).to_string());
                if let Some(x) = first.checked_sub(1) {
                    out.push(Ipv4Addr::from(x).to_string());
                }
                if let Some(x) = last.checked_add(1) {
                    out.push(Ipv4Addr::from(x).to_string());
                }
            }
            Ok(IpAddr::V6(a)) => {
                v6 = true;
                let p = prefix.unwrap_or(128).min(128);
                let mask = u128::MAX.checked_shl(128 - p).unwrap_or(0);
                let first = u128::from(a) & mask;
                let last = first | !mask;
                out.push(Ipv6Addr::from(first).to_string());
                out.push(Ipv6Addr::from(last).to_string());
                if let Some(x) = first.checked_sub(1) {
                    out.push(Ipv6Addr::from(x).to_string());
                }
                if let Some(x) = last.checked_add(1) {
                    out.push(Ipv6Addr::from(x).to_string());
                }
            }
            Err(_) => {}
        }
    }
    if v4 || !v6 {
        out.push("2001:db8::1".into());
    }
    if v6 || !v4 {
        out.push("192.0.2.1".into());
    }
    out.push(OTHER.into());
    dedupe(out)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn numbers_split_every_interval() {
        let p = number_points(&s(&["3600", "10"]));
        for want in [
            "3600", "10", "3599", "3601", "9", "11", "9.5", "10.5", "1805", "x",
        ] {
            assert!(p.contains(&want.to_string()), "{want} in {p:?}");
        }
    }

    #[test]
    fn dates_keep_their_form_and_step_one_second() {
        let p = date_points(&s(&["2025-01-01T00:00:00Z"]));
        assert!(p.contains(&"2024-12-31T23:59:59Z".to_string()), "{p:?}");
        assert!(p.contains(&"2025-01-01T00:00:01Z".to_string()));
        let p = date_points(&s(&["1735689600"]));
        assert!(p.contains(&"1735689599".to_string()));
        assert!(p.contains(&"1735689601".to_string()));
        let p = date_points(&s(&["2025-01-01T00:00:00Z", "2025-01-01T00:00:01Z"]));
        assert!(p.contains(&"2025-01-01T00:00:00.5Z".to_string()), "{p:?}");
    }

    #[test]
    fn iso_offsets_are_normalised() {
        assert_eq!(
            parse_date("2025-01-01T02:00:00+02:00"),
            parse_date("2025-01-01T00:00:00Z")
        );
        assert_eq!(parse_date("1970-01-01"), Some((0, DateForm::Iso)));
        assert_eq!(parse_date("-1.5"), Some((-1_500_000_000, DateForm::Epoch)));
        assert_eq!(parse_date("garbage"), None);
    }

    /// The points around a literal are only worth anything when the evaluator reads it as a
    /// date: the comparator reads literals with the evaluator's own reader, so the offset
    /// forms it accepts give points, and texts it refuses give none.
    #[test]
    fn date_literals_are_read_as_the_evaluator_reads_them() {
        for (literal, next) in [
            ("2025-01-01T05:00:00+0500", "2025-01-01T00:00:01Z"),
            ("2025-01-01T01:00:00+01", "2025-01-01T00:00:01Z"),
            ("2025-01-01T00:00:00,5Z", "2025-01-01T00:00:01.5Z"),
            ("0000001735689600", "1735689601"),
        ] {
            let p = date_points(&s(&[literal]));
            assert!(p.contains(&next.to_string()), "{literal}: {next} in {p:?}");
            let instant = crate::civil::parse_instant(literal).map(nanos);
            assert_eq!(parse_date(literal).map(|d| d.0), instant, "{literal}");
        }
        for not_a_date in [
            "2023-02-30",
            "2025-01-01T25:00:00Z",
            "1.",
            "2025-01-01T00:00:00+5",
        ] {
            assert_eq!(
                crate::civil::parse_instant(not_a_date),
                None,
                "{not_a_date}"
            );
            assert_eq!(
                date_points(&s(&[not_a_date])),
                s(&[not_a_date, "x"]),
                "{not_a_date}"
            );
        }
    }

    #[test]
    fn cidr_edges_and_neighbours() {
        let p = ip_points(&s(&["203.0.113.0/24"]));
        for want in [
            "203.0.113.0",
            "203.0.113.255",
            "203.0.112.255",
            "203.0.114.0",
            "2001:db8::1",
            "x",
        ] {
            assert!(p.contains(&want.to_string()), "{want} in {p:?}");
        }
        let p = ip_points(&s(&["2001:db8::/32"]));
        assert!(p.contains(&"2001:db8::".to_string()), "{p:?}");
        assert!(p.contains(&"2001:db7:ffff:ffff:ffff:ffff:ffff:ffff".to_string()));
        assert!(p.contains(&"192.0.2.1".to_string()));
    }

    #[test]
    fn variables_split_into_segments() {
        let segs = segments(
            "u-${aws:username}-${*}-${aws:x, 'd'}",
            Version::V2012,
            BaseOp::StringLike,
        );
        assert_eq!(
            segs,
            vec![
                Seg::Text("u-".into()),
                Seg::Var {
                    key: "aws:username".into(),
                    default: None
                },
                Seg::Text("-".into()),
                Seg::Escaped('*'),
                Seg::Text("-".into()),
                Seg::Var {
                    key: "aws:x".into(),
                    default: Some("d".into())
                },
            ]
        );
        // Version 2008: literal text.
        assert_eq!(
            segments("${aws:username}", Version::V2008, BaseOp::StringLike),
            vec![Seg::Text("${aws:username}".into())]
        );
    }

    #[test]
    fn multi_sets_up_to_the_bound() {
        let v = multi_values(&s(&["a", "b", "c"]), 2, Bounds::default()).unwrap();
        // [], [""], 3 singletons, 3 pairs.
        assert_eq!(v.len(), 8);
        assert!(v.contains(&ContextValue::Multi(s(&["a", "c"]))));
    }
}
