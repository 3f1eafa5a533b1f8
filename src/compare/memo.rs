//! Memories of answers given lately: per thread (`Slots`: parsed trust texts, which one role's
//! analysis asks for again right away, so they are kept on first sight) and shared by the
//! threads (`Shared`: comparisons, exposure searches, never-matching statements, costly
//! answers mostly asked once, so kept from the second asking). A plan's roles repeat their trust
//! texts (a service's trust on every role one module makes), and the analysis, the rules and
//! the passes after the read ask the same questions of them again. Every question cached this
//! way is a pure function of its key, so a remembered answer is the answer.

use std::cell::RefCell;
use std::hash::{BuildHasher, Hash, Hasher, RandomState};
use std::sync::{Mutex, OnceLock};
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

/// A memory shared by the threads, for answers that cost a search each (comparisons, exposure
/// searches). Questions are known by a 128-bit fingerprint, not kept: a copy of a question's
/// two policies cost more memory than its answer. An answer is kept from the second time its
/// question is asked: most questions of a large plan are asked once (a role's own ExternalId
/// makes its comparison unlike any other), and kept on first sight they pushed out the few
/// hundred asked thousands of times. Two ways per set, the less recently used replaced.
pub(crate) struct Shared<V> {
    table: OnceLock<(RandomState, Mutex<Table<V>>)>,
    sets: usize,
}

struct Table<V> {
    /// `sets` pairs of ways, and which way of each pair was used last.
    ways: Vec<[Option<(u128, V)>; 2]>,
    recent: Vec<u8>,
    /// Fingerprints asked about once, by slot: the doorkeeper of `ways`.
    seen: Vec<u128>,
}

/// Questions remembered as asked once, per answer slot.
const SEEN_PER_SLOT: usize = 4;

impl<V: Clone> Shared<V> {
    /// A memory of `2 * sets` answers (allocated when first used).
    pub(crate) const fn new(sets: usize) -> Shared<V> {
        Shared {
            table: OnceLock::new(),
            sets,
        }
    }

    fn table(&self) -> &(RandomState, Mutex<Table<V>>) {
        self.table.get_or_init(|| {
            let sets = self.sets.max(1);
            (
                RandomState::new(),
                Mutex::new(Table {
                    ways: (0..sets).map(|_| [None, None]).collect(),
                    recent: vec![0; sets],
                    seen: vec![0; sets.saturating_mul(2 * SEEN_PER_SLOT)],
                }),
            )
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table<V>> {
        match self.table().1.lock() {
            Ok(t) => t,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The fingerprint of `key`: a fast unkeyed hash and a SipHash keyed per run side by side.
    /// Two questions share one only by chance (a 2^-64 chance per pair, not one a plan can be
    /// written to reach: the keyed half's key is random per run).
    fn fingerprint(&self, key: &impl Hash) -> u128 {
        let mut pair = Pair(Spread::default(), self.table().0.build_hasher());
        key.hash(&mut pair);
        (u128::from(pair.0.finish()) << 64) | u128::from(pair.1.finish())
    }

    /// The answer to the question `key`: remembered, or computed by `compute` (with no lock
    /// held: threads asking the same question at once each compute it) and remembered from
    /// its second asking.
    pub(crate) fn remembered(&self, key: &impl Hash, compute: impl FnOnce() -> V) -> V {
        let print = self.fingerprint(key);
        let sets = self.sets.max(1) as u128;
        let set = usize::try_from(print.checked_rem(sets).unwrap_or(0)).unwrap_or(0);
        {
            let mut table = self.lock();
            let hit = table.ways.get(set).and_then(|ways| {
                ways.iter()
                    .position(|w| w.as_ref().is_some_and(|(p, _)| *p == print))
            });
            if let Some(way) = hit {
                if let Some(r) = table.recent.get_mut(set) {
                    *r = way as u8;
                }
                let value = table
                    .ways
                    .get(set)
                    .and_then(|ways| ways.get(way))
                    .and_then(Option::as_ref)
                    .map(|(_, v)| v.clone());
                if let Some(value) = value {
                    return value;
                }
            }
        }
        let value = compute();
        let mut table = self.lock();
        let seen_slots = table.seen.len().max(1) as u128;
        let seen_at =
            usize::try_from((print >> 64).checked_rem(seen_slots).unwrap_or(0)).unwrap_or(0);
        let asked_before = table.seen.get(seen_at) == Some(&print);
        if !asked_before {
            if let Some(s) = table.seen.get_mut(seen_at) {
                *s = print;
            }
            return value;
        }
        let way = usize::from(table.recent.get(set).copied().unwrap_or(0) == 0);
        if let Some(slot) = table.ways.get_mut(set).and_then(|ways| ways.get_mut(way)) {
            *slot = Some((print, value.clone()));
        }
        if let Some(r) = table.recent.get_mut(set) {
            *r = way as u8;
        }
        value
    }

    /// Forget every answer (the memory they hold is returned).
    pub(crate) fn forget(&self) {
        if self.table.get().is_none() {
            return;
        }
        let mut table = self.lock();
        table.ways.iter_mut().for_each(|w| *w = [None, None]);
        table.seen.iter_mut().for_each(|s| *s = 0);
    }
}

/// Two hashers fed the same writes (`Shared::fingerprint`).
struct Pair(Spread, std::hash::DefaultHasher);

impl Hasher for Pair {
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
        self.1.write(bytes);
    }

    fn write_u8(&mut self, n: u8) {
        self.0.write_u8(n);
        self.1.write_u8(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.0.write_usize(n);
        self.1.write_usize(n);
    }

    fn finish(&self) -> u64 {
        self.0.finish() ^ self.1.finish()
    }
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
    use std::cell::Cell;

    /// An answer is computed on the first and second asking and served from the third; each
    /// question gets its own answer even when more questions share a set than it has ways;
    /// `forget` empties the memory.
    #[test]
    fn shared_answers_are_kept_from_the_second_asking() {
        // One set of two ways: every question competes for it.
        let memo: Shared<String> = Shared::new(1);
        let computed = Cell::new(0);
        let ask = |key: &str| {
            memo.remembered(&key, || {
                computed.set(computed.get() + 1);
                format!("answer to {key}")
            })
        };
        assert_eq!(ask("a"), "answer to a");
        assert_eq!(ask("a"), "answer to a");
        assert_eq!(computed.get(), 2);
        assert_eq!(ask("a"), "answer to a");
        assert_eq!(computed.get(), 2, "the third asking is served from memory");
        for _ in 0..3 {
            for key in ["a", "b", "c"] {
                assert_eq!(ask(key), format!("answer to {key}"));
            }
        }
        memo.forget();
        let before = computed.get();
        assert_eq!(ask("a"), "answer to a");
        assert_eq!(computed.get(), before + 1);
    }

    /// The fingerprint tells apart what the key's fields tell apart, including how a text is
    /// split between two fields.
    #[test]
    fn fingerprints_follow_the_whole_key() {
        let memo: Shared<u8> = Shared::new(4);
        let print = |k: &(&str, &str)| memo.fingerprint(k);
        assert_eq!(print(&("ab", "c")), print(&("ab", "c")));
        assert_ne!(print(&("ab", "c")), print(&("a", "bc")));
        assert_ne!(print(&("ab", "c")), print(&("ab", "d")));
    }

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
