//! The comparator's per-thread memory of answers it gave lately: a plan's roles repeat their
//! trust texts (a service's trust on every role one module makes), and the analysis, the rules
//! and the passes after the read ask the same questions of them again. Every question cached
//! here is a pure function of its key, so a remembered answer is the answer.

use std::cell::RefCell;
use std::hash::{BuildHasher, Hash};
use std::thread::LocalKey;

use crate::eval::principal::{parse_arn, split_arn};

/// Answers by slot: one per hash value modulo the slot count (the key itself is compared), so
/// memory stays small whatever the plan.
pub(crate) type Slots<K, V> = RefCell<Vec<Option<(K, V)>>>;

pub(crate) fn slots<K, V>(count: usize) -> Slots<K, V> {
    RefCell::new((0..count).map(|_| None).collect())
}

/// The answer for `key`: remembered, or computed by `compute` and remembered. `compute` runs
/// with no borrow held, so it may ask other memos (or this one) in turn.
pub(crate) fn remembered<K: Hash + Eq + 'static, V: Clone + 'static>(
    memo: &'static LocalKey<Slots<K, V>>,
    key: K,
    compute: impl FnOnce() -> V,
) -> V {
    let hasher =
        std::hash::BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default();
    let hash = hasher.hash_one(&key);
    let slot = memo.with(|m| {
        let count = m.borrow().len() as u64;
        hash.checked_rem(count).unwrap_or(0) as usize
    });
    let hit = memo.with(|m| {
        m.borrow()
            .get(slot)
            .and_then(Option::as_ref)
            .filter(|(kept, _)| *kept == key)
            .map(|(_, value)| value.clone())
    });
    if let Some(value) = hit {
        return value;
    }
    let value = compute();
    memo.with(|m| {
        if let Some(entry) = m.borrow_mut().get_mut(slot) {
            *entry = Some((key, value.clone()));
        }
    });
    value
}

/// The part of a role ARN the comparator's answers depend on: all but the resource
/// (`role/NAME`). The evaluator reads only the role's partition and account
/// (`eval::principal::role_partition`, `role_account`), the universe and the outsider model
/// the same two, and the role's name only comes back as each witness's `request.role`
/// (`for_role`). `None` when the ARN cannot be read: such a role is not remembered.
pub(crate) fn role_scope(role_arn: &str) -> Option<&str> {
    parse_arn(role_arn)?;
    let [.., resource] = split_arn(role_arn)?;
    let resource_at = role_arn.len().checked_sub(resource.len())?;
    role_arn.get(..resource_at)
}

/// A remembered witness as it reads for another role of the same scope.
pub(crate) fn for_role(witness: &mut super::Witness, role_arn: &str) {
    if witness.request.role != role_arn {
        witness.request.role = role_arn.to_string();
    }
}
