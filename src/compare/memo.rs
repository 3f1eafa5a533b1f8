//! Per-thread memory of answers given lately (parsed trust texts, comparisons, exposure
//! searches): a plan's roles repeat their trust texts (a service's trust on every role one
//! module makes), and the analysis, the rules and the passes after the read ask the same
//! questions of them again. Every question cached this way is a pure function of its key, so
//! a remembered answer is the answer.

use std::cell::RefCell;
use std::hash::{BuildHasher, Hash, Hasher};
use std::thread::LocalKey;

use crate::eval::principal::{parse_arn, split_arn};

/// Answers by slot: one per hash value modulo the slot count (the key itself is compared), so
/// memory stays small whatever the plan.
pub(crate) type Slots<K, V> = RefCell<Vec<Option<(K, V)>>>;

pub(crate) fn slots<K, V>(count: usize) -> Slots<K, V> {
    RefCell::new((0..count).map(|_| None).collect())
}

/// The slot `key` is kept in (a hash of the key modulo the slot count).
pub(crate) fn slot_of<K: Hash + 'static, V: 'static>(
    memo: &'static LocalKey<Slots<K, V>>,
    key: &K,
) -> usize {
    let hash = SpreadState::default().hash_one(key);
    let count = memo.with(|m| m.borrow().len()) as u64;
    hash.checked_rem(count).unwrap_or(0) as usize
}

/// Empty this thread's `memo`.
pub(crate) fn forget<K: 'static, V: 'static>(memo: &'static LocalKey<Slots<K, V>>) {
    memo.with(|m| m.borrow_mut().iter_mut().for_each(|e| *e = None));
}

/// The answer for `key`: remembered, or computed by `compute` and remembered. `compute` runs
/// with no borrow held, so it may ask other memos (or this one) in turn.
pub(crate) fn remembered<K: Hash + Eq + 'static, V: Clone + 'static>(
    memo: &'static LocalKey<Slots<K, V>>,
    key: K,
    compute: impl FnOnce() -> V,
) -> V {
    let slot = slot_of(memo, &key);
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

/// A fast, non-cryptographic hash for choosing a slot (the key itself is compared, so a
/// collision costs only a miss): a multiply-rotate over eight bytes at a time. SipHash, the
/// standard one, cost more per policy key than the lookups it served.
#[derive(Default)]
pub(crate) struct Spread(u64);

/// Builds [`Spread`] hashers: for `HashMap`s and slot caches whose keys are policy text.
pub(crate) type SpreadState = std::hash::BuildHasherDefault<Spread>;

impl Spread {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for Spread {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            self.add(u64::from_le_bytes(w));
        }
        let mut rest = [0u8; 8];
        for (to, from) in rest.iter_mut().zip(words.remainder()) {
            *to = *from;
        }
        // The length too, so runs of zero bytes of different lengths differ.
        self.add(u64::from_le_bytes(rest) ^ (bytes.len() as u64).rotate_left(56));
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    /// Mixed once more (splitmix64's finish), so the low bits the slot is taken from depend
    /// on every bit of the key.
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys that differ in a few bytes (role names, ExternalIds) land in most slots: a weak
    /// mix would crowd them into a few and turn the memo into misses.
    #[test]
    fn similar_keys_spread_over_the_slots() {
        let slots: std::collections::BTreeSet<u64> = (0..1024)
            .map(|i| {
                let key = format!("arn:aws:iam::123456789012:role/r{i}");
                SpreadState::default().hash_one(key.as_str()) % 128
            })
            .collect();
        assert!(slots.len() > 120, "{} of 128 slots", slots.len());
    }
}
