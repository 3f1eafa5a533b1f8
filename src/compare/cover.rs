//! Statement coverage: proving, statement by statement and without a search, that one policy
//! grants nothing another does not. This is what keeps equivalent and narrowing changes of
//! large policies (a dozen condition keys, hundreds of values, reordered, reformatted) silent:
//! statements the change does not touch cover themselves, and a touched statement that only
//! gained conditions or lost values is covered by its old self.
//!
//! The argument: when every Allow statement of `after` is covered by an Allow statement of
//! `before` (it names no caller the other does not name the same way, covers no action the
//! other does not, and its conditions imply the other's) and every Deny statement of `before`
//! is covered by a Deny statement of `after`, then for every request and every action the
//! `before` trust result is at least the `after` one, so no request is newly allowed. Anything
//! this cannot prove goes to the witness search.

use super::automaton::{self, Atom, AtomKind, Bounds};
use super::realism;
use super::values::atom_kind;
use crate::eval::action::action_matches;
use crate::eval::principal::{is_account_id, parse_arn};
use crate::eval::values::{cidr_within, cmp_dates, cmp_numbers, parse_cidr};
use crate::policy::keys::{self, Arity};
use crate::policy::{
    BaseOp, Condition, Effect, Operator, Policy, PrincipalMode, PrincipalType, SetQualifier,
    Statement, Version,
};

/// Every action a trust-policy statement can be asked about.
const TRUST_ACTIONS: [&str; 6] = [
    "sts:AssumeRole",
    "sts:AssumeRoleWithWebIdentity",
    "sts:AssumeRoleWithSAML",
    "sts:TagSession",
    "sts:SetSourceIdentity",
    "sts:SetContext",
];

/// Value pairs compared for language inclusion before coverage gives up (and the search
/// decides instead).
const MAX_PAIRS: usize = 200_000;

/// Proven: `after` allows no request that `before` refuses.
pub fn no_new_access(before: &Policy, after: &Policy, role_arn: &str) -> bool {
    let partition = parse_arn(role_arn).map_or("aws", |a| a.partition);
    let mut budget = MAX_PAIRS;
    fn side(p: &Policy, e: Effect) -> Vec<Side<'_>> {
        p.statements
            .iter()
            .filter(|s| s.effect == e)
            .map(|s| Side {
                statement: s,
                version: p.version,
            })
            .collect()
    }
    let (before_allow, after_allow) = (side(before, Effect::Allow), side(after, Effect::Allow));
    let (before_deny, after_deny) = (side(before, Effect::Deny), side(after, Effect::Deny));
    let mut check = |generals: &[Side<'_>], specifics: &[Side<'_>]| {
        let mut by = Cover {
            generals,
            partition,
            budget: &mut budget,
        };
        specifics
            .iter()
            .all(|s| by.whole(s) || by.in_parts(s) || by.value_by_value(s))
    };
    check(&before_allow, &after_allow) && check(&after_deny, &before_deny)
}

/// The statements a specific one must be covered by, and what the proof may still spend.
struct Cover<'c, 'p> {
    generals: &'c [Side<'p>],
    partition: &'c str,
    budget: &'c mut usize,
}

/// A statement and the version of its policy (variables need 2012).
#[derive(Clone, Copy)]
struct Side<'p> {
    statement: &'p Statement,
    version: Version,
}

/// Every request (and action) `specific` applies to, `general` applies to, naming the caller
/// at least as directly.
fn covers(general: &Side<'_>, specific: &Side<'_>, partition: &str, budget: &mut usize) -> bool {
    let (g, s) = (general.statement, specific.statement);
    if g.effect != s.effect {
        return false;
    }
    if s.conditions
        .iter()
        .any(|c| c.operator == Operator::Unknown && s.effect == Effect::Deny)
    {
        // An unknown operator fails inside a Deny: the statement never applies.
        return true;
    }
    principals_covered(g, s, partition)
        && TRUST_ACTIONS
            .iter()
            .all(|a| !action_matches(&s.actions, a) || action_matches(&g.actions, a))
        && g.conditions.iter().all(|cg| {
            (cg.operator == Operator::Unknown && g.effect == Effect::Allow)
                || s.conditions
                    .iter()
                    .any(|cs| implies(cs, specific.version, cg, general.version, budget))
        })
}

impl Cover<'_, '_> {
    /// One general statement covers `specific` as a whole.
    fn whole(&mut self, specific: &Side<'_>) -> bool {
        let (partition, budget) = (self.partition, &mut *self.budget);
        self.generals
            .iter()
            .any(|g| covers(g, specific, partition, budget))
    }

    /// `specific` covered one principal entry and one action at a time, each part by some
    /// general statement (a statement merged from several, or naming principals that several
    /// old statements named with the same conditions).
    fn in_parts(&mut self, specific: &Side<'_>) -> bool {
        let s = specific.statement;
        if s.principals.mode != PrincipalMode::Principal || self.generals.len() < 2 {
            return false;
        }
        s.principals.entries.iter().all(|entry| {
            TRUST_ACTIONS
                .iter()
                .filter(|a| action_matches(&s.actions, a))
                .all(|action| {
                    let mut part = s.clone();
                    part.principals.entries = vec![entry.clone()];
                    part.actions = crate::policy::Actions {
                        mode: crate::policy::ActionMode::Action,
                        patterns: vec![(*action).to_string()],
                    };
                    self.whole(&Side {
                        statement: &part,
                        version: specific.version,
                    })
                })
        })
    }

    /// `specific` covered one value of one of its conditions at a time: a positive condition
    /// (plain, `ForAnyValue:` or `…IfExists`) holds exactly when it holds for one of its
    /// values alone, so the statement is the union of its one-value copies (a statement whose
    /// value list was split over several old statements, or the reverse).
    fn value_by_value(&mut self, specific: &Side<'_>) -> bool {
        let s = specific.statement;
        if self.generals.len() < 2 {
            return false;
        }
        s.conditions.iter().enumerate().any(|(ci, c)| {
            let splittable = c.values.len() > 1
                && matches!(
                    c.operator,
                    Operator::Known { set, base, .. }
                        if set != Some(SetQualifier::ForAllValues)
                            && !base.is_negated()
                            && base != BaseOp::Null
                );
            splittable
                && c.values.iter().all(|v| {
                    let mut part = s.clone();
                    if let Some(pc) = part.conditions.get_mut(ci) {
                        pc.values = vec![v.clone()];
                    }
                    let part = Side {
                        statement: &part,
                        version: specific.version,
                    };
                    self.whole(&part) || self.in_parts(&part)
                })
        })
    }
}

/// One spelling per principal: an account ID is its root ARN.
fn principal_key(kind: &PrincipalType, value: &str, partition: &str) -> (PrincipalType, String) {
    if *kind == PrincipalType::Aws && is_account_id(value) {
        return (kind.clone(), format!("arn:{partition}:iam::{value}:root"));
    }
    (kind.clone(), value.to_string())
}

fn principals_covered(g: &Statement, s: &Statement, partition: &str) -> bool {
    let norm = |st: &Statement| -> Vec<(PrincipalType, String)> {
        let mut v: Vec<_> = st
            .principals
            .entries
            .iter()
            .map(|e| principal_key(&e.kind, &e.value, partition))
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let (gn, sn) = (norm(g), norm(s));
    match (g.principals.mode, s.principals.mode) {
        (PrincipalMode::Principal, PrincipalMode::Principal) => {
            // `"AWS":"*"` names every AWS caller directly, and service callers too (the
            // evaluator's conservative reading).
            let star = gn.iter().any(|(k, v)| *k == PrincipalType::Aws && v == "*");
            sn.iter().all(|entry| {
                gn.contains(entry)
                    || (star && matches!(entry.0, PrincipalType::Aws | PrincipalType::Service))
            })
        }
        (PrincipalMode::NotPrincipal, PrincipalMode::NotPrincipal) => gn == sn,
        _ => false,
    }
}

/// The operator as the evaluator reads it on this key: on a single-valued key `ForAnyValue:X`
/// is `X` when a missing key fails both (a positive `X`, or an `IfExists` one), and
/// `ForAllValues:X` is `XIfExists` when the key never holds an empty value (the one value the
/// set form treats as vacuous); on a key every request carries, `XIfExists` is `X`.
fn effective(
    set: Option<SetQualifier>,
    base: BaseOp,
    if_exists: bool,
    key: &str,
) -> (Option<SetQualifier>, bool) {
    if keys::arity(key) != Arity::Single || base == BaseOp::Null {
        return (set, if_exists);
    }
    // A key every request carries is never missing: `IfExists` changes nothing on it.
    let present = realism::always_present(key);
    let (set, if_exists) = match set {
        Some(SetQualifier::ForAnyValue) if !base.is_negated() || if_exists || present => {
            (None, if_exists)
        }
        Some(SetQualifier::ForAllValues) if realism::single_value(key, "").is_err() => (None, true),
        other => (other, if_exists),
    };
    (set, if_exists && !present)
}

/// Whenever `s` holds, `g` holds.
fn implies(s: &Condition, sv: Version, g: &Condition, gv: Version, budget: &mut usize) -> bool {
    if !s.key.eq_ignore_ascii_case(&g.key) {
        return false;
    }
    let (
        Operator::Known {
            set: s_set,
            base: s_base,
            if_exists: s_if,
        },
        Operator::Known {
            set: g_set,
            base: g_base,
            if_exists: g_if,
        },
    ) = (&s.operator, &g.operator)
    else {
        return false;
    };
    let (s_base, g_base) = (*s_base, *g_base);
    let (s_set, s_if) = effective(*s_set, s_base, *s_if, &s.key);
    let (g_set, g_if) = effective(*g_set, g_base, *g_if, &g.key);
    // A missing key: `IfExists` holds, so the specific side may only have it where the
    // general side does too; set qualifiers must agree.
    if s_set != g_set || (s_if && !g_if) {
        return false;
    }
    let variables = |c: &Condition, v: Version| {
        v == Version::V2012 && c.values.iter().any(|x| x.contains("${"))
    };
    let (s_vars, g_vars) = (variables(s, sv), variables(g, gv));
    if (s_vars || g_vars) && (sv != gv || s_base != g_base) {
        return false;
    }
    let negated = s_base.is_negated();
    if negated != g_base.is_negated() {
        return false;
    }
    // Positive: OR over values, so every specific value must be inside a general one.
    // Negated: NOR, so every general value must be inside a specific one.
    let (inner, inner_base, outer, outer_base) = if negated {
        (g, g_base, s, s_base)
    } else {
        (s, s_base, g, g_base)
    };
    if s_vars || g_vars || s_base == BaseOp::Null || g_base == BaseOp::Null {
        return s_base == g_base && inner.values.iter().all(|v| outer.values.contains(v));
    }
    match (atom_kind(inner_base), atom_kind(outer_base)) {
        (Some(ik), Some(ok)) => {
            // Families must agree: a string value is never compared as an ARN and back.
            let arn = |k: AtomKind| k == AtomKind::Arn;
            if arn(ik) != arn(ok) {
                return false;
            }
            let same_kind: std::collections::BTreeSet<&str> = if ik == ok {
                outer.values.iter().map(String::as_str).collect()
            } else {
                std::collections::BTreeSet::new()
            };
            inner.values.iter().all(|v| {
                if same_kind.contains(v.as_str()) {
                    return true;
                }
                let a = Atom::from_text(ik, v);
                outer.values.iter().any(|w| {
                    *budget = budget.saturating_sub(1);
                    *budget > 0 && included(&a, &Atom::from_text(ok, w))
                })
            })
        }
        _ => {
            s_base == g_base
                && inner
                    .values
                    .iter()
                    .all(|v| outer.values.iter().any(|w| within(s_base, v, w)))
        }
    }
}

/// For the non-string operators: every context value `base` accepts against policy value `v`,
/// it accepts against `w` (a lower upper bound, a higher lower bound, a smaller CIDR, or the
/// same text).
fn within(base: BaseOp, v: &str, w: &str) -> bool {
    use std::cmp::Ordering::{Equal, Greater, Less};
    if v == w {
        return true;
    }
    match base {
        BaseOp::NumericLessThan | BaseOp::NumericLessThanEquals => {
            matches!(cmp_numbers(v, w), Some(Less | Equal))
        }
        BaseOp::NumericGreaterThan | BaseOp::NumericGreaterThanEquals => {
            matches!(cmp_numbers(v, w), Some(Greater | Equal))
        }
        BaseOp::DateLessThan | BaseOp::DateLessThanEquals => {
            matches!(cmp_dates(v, w), Some(Less | Equal))
        }
        BaseOp::DateGreaterThan | BaseOp::DateGreaterThanEquals => {
            matches!(cmp_dates(v, w), Some(Greater | Equal))
        }
        BaseOp::IpAddress | BaseOp::NotIpAddress => match (parse_cidr(v), parse_cidr(w)) {
            (Some(a), Some(b)) => cidr_within(&a, &b),
            _ => false,
        },
        _ => false,
    }
}

/// Every value `a` accepts, `b` accepts.
fn included(a: &Atom, b: &Atom) -> bool {
    if a == b {
        return true;
    }
    if a.kind == AtomKind::Equals {
        let text: String = a
            .toks
            .iter()
            .map(|t| match t {
                automaton::Tok::Lit(c) => *c,
                automaton::Tok::Star => '*',
                automaton::Tok::One => '?',
            })
            .collect();
        return b.accepts(&text);
    }
    let small = Bounds {
        max_states: 20_000,
        max_work: 2_000_000,
        ..Bounds::default()
    };
    match automaton::cells(&[a.clone(), b.clone()], "", small) {
        Ok(cells) => !cells
            .iter()
            .any(|c| c.inside.first() == Some(&true) && c.inside.get(1) == Some(&false)),
        // Too big to decide here: not proven.
        Err(_) => false,
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use crate::policy::parse_policy;

    const ROLE: &str = crate::eval::DEFAULT_ROLE;

    fn p(cond: &str) -> Policy {
        parse_policy(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"222222222222"}},"Action":"sts:AssumeRole","Condition":{cond}}}]}}"#
        ))
        .unwrap()
    }

    #[test]
    fn fewer_values_and_more_conditions_are_covered() {
        let before = p(r#"{"StringEquals":{"sts:ExternalId":["a1","b2"]}}"#);
        let after = p(
            r#"{"StringEquals":{"sts:ExternalId":"a1"},"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#,
        );
        assert!(no_new_access(&before, &after, ROLE));
        assert!(!no_new_access(&after, &before, ROLE));
    }

    #[test]
    fn a_narrower_glob_is_covered_and_a_wider_one_is_not() {
        let before = p(r#"{"StringLike":{"sts:ExternalId":"ab*"}}"#);
        let after = p(r#"{"StringLike":{"sts:ExternalId":"abc*"}}"#);
        assert!(no_new_access(&before, &after, ROLE));
        assert!(!no_new_access(&after, &before, ROLE));
    }

    #[test]
    fn negated_values_grow_to_narrow() {
        let before = p(r#"{"StringNotEquals":{"sts:ExternalId":"a1"}}"#);
        let after = p(r#"{"StringNotEquals":{"sts:ExternalId":["a1","b2"]}}"#);
        assert!(no_new_access(&before, &after, ROLE));
        assert!(!no_new_access(&after, &before, ROLE));
    }

    #[test]
    fn for_any_value_on_a_single_valued_key_is_the_plain_operator() {
        let before = p(r#"{"StringEquals":{"sts:ExternalId":"a1"}}"#);
        let after = p(r#"{"ForAnyValue:StringEquals":{"sts:ExternalId":"a1"}}"#);
        assert!(no_new_access(&before, &after, ROLE));
        assert!(no_new_access(&after, &before, ROLE));
        // ForAllValues admits a request without the key: never covered by the plain form.
        let all = p(r#"{"ForAllValues:StringEquals":{"sts:ExternalId":"a1"}}"#);
        assert!(!no_new_access(&before, &all, ROLE));
    }

    #[test]
    fn set_operators_on_a_key_every_request_carries_are_the_plain_operator() {
        let before = p(r#"{"StringLike":{"sts:RoleSessionName":"ci-*"}}"#);
        for op in [
            "ForAllValues:StringLike",
            "ForAnyValue:StringLike",
            "StringLikeIfExists",
        ] {
            let after = p(&format!(r#"{{"{op}":{{"sts:RoleSessionName":"ci-*"}}}}"#));
            assert!(no_new_access(&before, &after, ROLE), "{op}");
            assert!(no_new_access(&after, &before, ROLE), "{op}");
        }
    }

    #[test]
    fn account_id_and_root_arn_are_one_principal_but_a_role_is_not_its_account() {
        let id = parse_policy(r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"sts:AssumeRole"}]}"#).unwrap();
        let root = parse_policy(r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"sts:AssumeRole"}]}"#).unwrap();
        let role = parse_policy(r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:role/ci"},"Action":"sts:AssumeRole"}]}"#).unwrap();
        assert!(no_new_access(&id, &root, ROLE) && no_new_access(&root, &id, ROLE));
        assert!(!no_new_access(&id, &role, ROLE));
    }

    #[test]
    fn merged_statements_and_narrower_bounds_are_covered() {
        let split = parse_policy(r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"sts:AssumeRole","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}"#).unwrap();
        let merged = parse_policy(r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222","Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"IpAddress":{"aws:SourceIp":"10.1.0.0/16"}}}]}"#).unwrap();
        assert!(no_new_access(&split, &merged, ROLE));
        assert!(!no_new_access(&merged, &split, ROLE));
        let before = p(r#"{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}"#);
        let after = p(r#"{"NumericLessThan":{"aws:MultiFactorAuthAge":"1800"}}"#);
        assert!(no_new_access(&before, &after, ROLE));
        assert!(!no_new_access(&after, &before, ROLE));
    }

    #[test]
    fn a_value_list_split_over_statements_is_covered_both_ways() {
        let one = p(r#"{"StringEquals":{"sts:ExternalId":["a1","b2"]}}"#);
        let split = parse_policy(r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"a1"}}},{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"b2"}}}]}"#).unwrap();
        assert!(no_new_access(&one, &split, ROLE));
        assert!(no_new_access(&split, &one, ROLE));
        let wider = p(r#"{"StringEquals":{"sts:ExternalId":["a1","b2","c3"]}}"#);
        assert!(!no_new_access(&split, &wider, ROLE));
    }

    #[test]
    fn a_removed_deny_is_not_covered() {
        let with = parse_policy(r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-abcdefghij"}}}]}"#).unwrap();
        let without = parse_policy(r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#).unwrap();
        assert!(!no_new_access(&with, &without, ROLE));
        assert!(no_new_access(&without, &with, ROLE));
    }
}
