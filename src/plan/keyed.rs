//! Tables keyed by a keyed hash (of an address, a policy, a role name; keyed per document):
//! their hasher, which takes the key as its own hash.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// The hasher of tables keyed by a keyed hash (`address_key`, a policy's or a role's key):
/// the key is already uniform and unpredictable, so it is its own hash, where the tables'
/// default hasher ran SipHash over it again on every insert and lookup (the reader asks one
/// for nearly every resource of the plan).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key;
    }

    /// Only `u64` keys are hashed here; anything else is folded in whole (FNV-1a), so a
    /// table keyed otherwise would be slower, never wrong.
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A set or map of keyed hashes (see `Prehashed`).
pub(super) type KeySet = HashSet<u64, BuildHasherDefault<Prehashed>>;
pub(super) type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<Prehashed>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, RandomState};

    #[test]
    fn a_keyed_hash_is_its_own_hash_and_other_input_is_still_told_apart() {
        let build = BuildHasherDefault::<Prehashed>::default();
        let keyed = RandomState::new();
        let keys = [
            0,
            u64::MAX,
            keyed.hash_one("aws_iam_role.a"),
            keyed.hash_one("aws_iam_role.b"),
        ];
        for key in keys {
            assert_eq!(build.hash_one(key), key);
        }
        let mut set = KeySet::default();
        set.extend(keys);
        assert_eq!(set.len(), 4);
        assert!(keys.iter().all(|k| set.contains(k)));
        assert!(!set.contains(&1));
        let mut map = KeyMap::default();
        map.insert(keys[2], "a");
        map.insert(keys[2], "a again");
        assert_eq!(map.get(&keys[2]), Some(&"a again"));
        assert_eq!(map.len(), 1);
        // Not a `u64`: folded byte by byte, so texts that differ hash apart.
        assert_ne!(build.hash_one("ab"), build.hash_one("ba"));
        assert_ne!(
            build.hash_one(b"a".as_slice()),
            build.hash_one(b"".as_slice())
        );
    }
}
