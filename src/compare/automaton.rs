//! String atoms as small automata, and the minterm search over them (SEMANTICS §7.3 step 3).
//!
//! An *atom* is one string predicate a policy applies to a condition key: an exact literal
//! (`StringEquals`), a case-folded literal (`StringEqualsIgnoreCase`), a glob (`StringLike`) or
//! an ARN glob (`ArnLike`/`ArnEquals`). Every string-valued condition on a key is a Boolean
//! combination of its atoms, so two values that lie inside exactly the same atoms (the same
//! *cell*) behave the same under every such condition. [`cells`] finds one shortest witness
//! string for every satisfiable cell with one breadth-first search over the product of the
//! atoms' NFA state sets; that is what makes the comparator's search complete for strings.
//!
//! The search is bounded (product states, stored words, cells): a bound hit is an error the
//! caller turns into `analysis-incomplete`, never a silent "no witness".
#![deny(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use std::collections::{BTreeSet, HashMap, VecDeque};

/// One element of an atom's pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tok {
    /// A character that must appear as is.
    Lit(char),
    /// `*`: any run of characters (for ARN atoms: no `:` in the first five components).
    Star,
    /// `?`: exactly one character (same `:` rule for ARN atoms).
    One,
}

/// How an atom reads its tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AtomKind {
    /// Whole-string comparison, case-sensitive; the tokens are all literals.
    Equals,
    /// Whole-string comparison, ASCII case-insensitive (SEMANTICS §4.2, PMapper's finding).
    EqualsIgnoreCase,
    /// `StringLike` glob over the whole value.
    Like,
    /// `ArnLike`/`ArnEquals`: six colon-separated components globbed one by one; the sixth is
    /// everything after the fifth colon (SEMANTICS §4.6).
    Arn,
}

/// A string predicate: the set of values it accepts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Atom {
    pub kind: AtomKind,
    pub toks: Vec<Tok>,
}

impl Atom {
    /// An atom from policy text as written (`*`/`?` are wildcards for globs, literal otherwise).
    pub fn from_text(kind: AtomKind, text: &str) -> Atom {
        let toks = text
            .chars()
            .map(|c| match (kind, c) {
                (AtomKind::Like | AtomKind::Arn, '*') => Tok::Star,
                (AtomKind::Like | AtomKind::Arn, '?') => Tok::One,
                (_, c) => Tok::Lit(c),
            })
            .collect();
        Atom { kind, toks }.normalised()
    }

    /// A glob without wildcards is the same language as a literal: one canonical form keeps the
    /// cell count down (`StringLike "a"` and `StringEquals "a"` are one atom).
    pub fn normalised(mut self) -> Atom {
        if self.kind == AtomKind::Like && self.toks.iter().all(|t| matches!(t, Tok::Lit(_))) {
            self.kind = AtomKind::Equals;
        }
        if self.kind == AtomKind::Equals {
            // Equals never has wildcards: a `*` in its tokens can only be a literal.
            self.toks = self
                .toks
                .iter()
                .map(|t| match t {
                    Tok::Star => Tok::Lit('*'),
                    Tok::One => Tok::Lit('?'),
                    lit => *lit,
                })
                .collect();
        }
        self
    }

    /// Reference membership test (used by tests and by the cell self-check).
    pub fn accepts(&self, value: &str) -> bool {
        let nfa = Nfa::build(self);
        let mut set = nfa.start();
        for c in value.chars() {
            set = nfa.step(&set, c);
            if set.is_empty() {
                return false;
            }
        }
        nfa.accepting(&set)
    }

    fn chars(&self) -> impl Iterator<Item = char> + '_ {
        self.toks.iter().filter_map(|t| match t {
            Tok::Lit(c) => Some(*c),
            _ => None,
        })
    }
}

/// What one NFA transition accepts.
#[derive(Debug, Clone, Copy)]
enum Edge {
    Exact(char),
    Folded(char),
    Any,
    AnyButColon,
}

impl Edge {
    fn accepts(self, c: char) -> bool {
        match self {
            Edge::Exact(x) => x == c,
            Edge::Folded(x) => x.eq_ignore_ascii_case(&c),
            Edge::Any => true,
            Edge::AnyButColon => c != ':',
        }
    }
}

/// A Thompson-style NFA over token positions: state `i` means "the first `i` tokens matched".
/// A `Star` at position `i` loops on `i` and has an epsilon move to `i + 1`.
#[derive(Debug, Clone)]
struct Nfa {
    /// Per position: `Some((edge, loops))` for the token there, `None` past the end.
    edges: Vec<(Edge, bool)>,
    /// An ARN pattern with fewer than five colons matches nothing (SEMANTICS §4.6 [inf]).
    empty: bool,
}

impl Nfa {
    fn build(atom: &Atom) -> Nfa {
        let mut edges = Vec::with_capacity(atom.toks.len());
        let mut colons = 0usize;
        for t in &atom.toks {
            // In an ARN pattern the first five colons separate components; wildcards before the
            // fifth cannot cross a colon, wildcards in the sixth can.
            let in_head = atom.kind == AtomKind::Arn && colons < 5;
            let edge = match (atom.kind, t) {
                (AtomKind::EqualsIgnoreCase, Tok::Lit(c)) => (Edge::Folded(*c), false),
                (_, Tok::Lit(c)) => {
                    if *c == ':' {
                        colons = colons.saturating_add(1);
                    }
                    (Edge::Exact(*c), false)
                }
                (_, Tok::Star) if in_head => (Edge::AnyButColon, true),
                (_, Tok::Star) => (Edge::Any, true),
                (_, Tok::One) if in_head => (Edge::AnyButColon, false),
                (_, Tok::One) => (Edge::Any, false),
            };
            edges.push(edge);
        }
        Nfa {
            edges,
            empty: atom.kind == AtomKind::Arn && colons < 5,
        }
    }

    fn len(&self) -> usize {
        self.edges.len().saturating_add(1)
    }

    /// Follow epsilon moves (skipping `*`) from every state in `set`.
    fn close(&self, set: &mut BTreeSet<usize>) {
        let mut todo: Vec<usize> = set.iter().copied().collect();
        while let Some(i) = todo.pop() {
            if let Some((_, true)) = self.edges.get(i) {
                if set.insert(i.saturating_add(1)) {
                    todo.push(i.saturating_add(1));
                }
            }
        }
    }

    fn start(&self) -> BTreeSet<usize> {
        let mut set = BTreeSet::new();
        if !self.empty {
            set.insert(0);
            self.close(&mut set);
        }
        set
    }

    fn step(&self, set: &BTreeSet<usize>, c: char) -> BTreeSet<usize> {
        let mut next = BTreeSet::new();
        for &i in set {
            if let Some((edge, loops)) = self.edges.get(i) {
                if edge.accepts(c) {
                    next.insert(if *loops { i } else { i.saturating_add(1) });
                }
            }
        }
        self.close(&mut next);
        next
    }

    fn accepting(&self, set: &BTreeSet<usize>) -> bool {
        set.contains(&self.edges.len())
    }
}

/// Bounds of one minterm search.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// Product states explored.
    pub max_states: usize,
    /// 64-bit words stored for product states (memory bound).
    pub max_words: usize,
    /// Distinct cells reported.
    pub max_cells: usize,
    /// Packed words stepped, summed over the search (time bound).
    pub max_work: usize,
    /// Atoms (distinct values) per key.
    pub max_atoms: usize,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            max_states: 200_000,
            max_words: 4_000_000,
            max_cells: 2_048,
            max_work: 20_000_000,
            max_atoms: 256,
        }
    }
}

/// One satisfiable in/out combination of the atoms, with its shortest witness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// `inside[i]`: the witness lies in atom `i`'s language.
    pub inside: Vec<bool>,
    pub witness: String,
}

/// The search bound was hit; the message says which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundHit(pub String);

/// The characters that matter for `atoms`, plus one *fresh* character that no atom mentions
/// (in either case): every character outside the pattern alphabet behaves like it under every
/// atom, so one representative keeps the search complete. `fresh_pref` lists the preferred
/// fresh characters (digits for account IDs, letters elsewhere).
pub fn alphabet(atoms: &[Atom], fresh_pref: &str) -> Vec<char> {
    let mut set = BTreeSet::new();
    for a in atoms {
        for c in a.chars() {
            set.insert(c);
            if a.kind == AtomKind::EqualsIgnoreCase {
                set.insert(c.to_ascii_lowercase());
                set.insert(c.to_ascii_uppercase());
            }
        }
        if a.kind == AtomKind::Arn {
            // `:` is the one character ARN wildcards treat specially.
            set.insert(':');
        }
    }
    let taken = |c: char| set.iter().any(|x| x.eq_ignore_ascii_case(&c));
    let fresh = fresh_pref
        .chars()
        .chain("xyzqjkwvuts0123456789".chars())
        .chain(('\u{100}'..='\u{17f}').filter(|c| c.is_alphabetic()))
        .find(|c| !taken(*c));
    let mut out: Vec<char> = set.into_iter().collect();
    // Fresh last: breadth-first order then prefers values made of policy characters.
    if let Some(f) = fresh {
        out.push(f);
    }
    out
}

/// Every satisfiable cell of `atoms` with a shortest witness string, in breadth-first order
/// (shorter witnesses first). An empty atom list has one cell: the empty string.
pub fn cells(atoms: &[Atom], fresh_pref: &str, bounds: Bounds) -> Result<Vec<Cell>, BoundHit> {
    if atoms.len() > bounds.max_atoms {
        // Cells can grow exponentially with the number of atoms; a key with this many distinct
        // values is beyond what the analysis promises to settle.
        return Err(BoundHit(format!(
            "{} distinct values for one condition key (at most {} are analysed)",
            atoms.len(),
            bounds.max_atoms
        )));
    }
    let nfas: Vec<Nfa> = atoms.iter().map(Nfa::build).collect();
    let alphabet = alphabet(atoms, fresh_pref);
    // A product state: every atom's NFA state set, packed into one bit vector.
    let mut offsets = Vec::with_capacity(nfas.len());
    let mut total_bits = 0usize;
    for n in &nfas {
        offsets.push(total_bits);
        total_bits = total_bits.saturating_add(n.len());
    }
    let words = total_bits.div_ceil(64).max(1);
    let layout = Layout {
        nfas: &nfas,
        offsets: &offsets,
        words,
    };

    let start = layout.start();
    let mut seen: HashMap<Vec<u64>, usize> = HashMap::new();
    // Per explored state: (parent index, character that led here), for witness reconstruction.
    let mut parents: Vec<Option<(usize, char)>> = Vec::new();
    let mut queue: VecDeque<(usize, Vec<u64>)> = VecDeque::new();
    let mut cells_found: HashMap<Vec<bool>, usize> = HashMap::new();
    let mut order: Vec<Vec<bool>> = Vec::new();

    seen.insert(start.clone(), 0);
    parents.push(None);
    queue.push_back((0, start));

    let mut work = 0usize;
    while let Some((idx, state)) = queue.pop_front() {
        work = work.saturating_add(words.saturating_mul(alphabet.len()));
        if work > bounds.max_work {
            return Err(BoundHit(format!(
                "the value search for {} patterns exceeded its work bound",
                atoms.len()
            )));
        }
        let inside = layout.inside(&state);
        if !cells_found.contains_key(&inside) {
            if cells_found.len() >= bounds.max_cells {
                return Err(BoundHit(format!(
                    "more than {} distinct value classes for {} patterns",
                    bounds.max_cells,
                    atoms.len()
                )));
            }
            cells_found.insert(inside.clone(), idx);
            order.push(inside);
        }
        for &c in &alphabet {
            let next = layout.step(&state, c);
            if seen.contains_key(&next) {
                continue;
            }
            if seen.len() >= bounds.max_states
                || seen.len().saturating_add(1).saturating_mul(words) > bounds.max_words
            {
                return Err(BoundHit(format!(
                    "the value search for {} patterns exceeded {} states",
                    atoms.len(),
                    seen.len()
                )));
            }
            let new_idx = parents.len();
            seen.insert(next.clone(), new_idx);
            parents.push(Some((idx, c)));
            queue.push_back((new_idx, next));
        }
    }

    let mut out = Vec::with_capacity(order.len());
    for inside in order {
        let Some(&idx) = cells_found.get(&inside) else {
            continue;
        };
        out.push(Cell {
            inside,
            witness: reconstruct(&parents, idx),
        });
    }
    Ok(out)
}

/// Where each atom's NFA positions live in a packed product state.
struct Layout<'a> {
    nfas: &'a [Nfa],
    offsets: &'a [usize],
    words: usize,
}

fn get_bit(v: &[u64], bit: usize) -> bool {
    v.get(bit / 64)
        .is_some_and(|w| w & (1u64 << (bit % 64)) != 0)
}

fn set_bit(v: &mut [u64], bit: usize) {
    if let Some(w) = v.get_mut(bit / 64) {
        *w |= 1u64 << (bit % 64);
    }
}

impl Layout<'_> {
    /// Epsilon moves only go forward (a `*` may be skipped), so one ascending pass closes.
    fn close(&self, v: &mut [u64]) {
        for (n, &off) in self.nfas.iter().zip(self.offsets) {
            for (pos, (_, loops)) in n.edges.iter().enumerate() {
                if *loops && get_bit(v, off.saturating_add(pos)) {
                    set_bit(v, off.saturating_add(pos).saturating_add(1));
                }
            }
        }
    }

    fn start(&self) -> Vec<u64> {
        let mut v = vec![0u64; self.words];
        for (n, &off) in self.nfas.iter().zip(self.offsets) {
            if !n.empty {
                set_bit(&mut v, off);
            }
        }
        self.close(&mut v);
        v
    }

    fn step(&self, state: &[u64], c: char) -> Vec<u64> {
        let mut v = vec![0u64; self.words];
        for (n, &off) in self.nfas.iter().zip(self.offsets) {
            for (pos, (edge, loops)) in n.edges.iter().enumerate() {
                if get_bit(state, off.saturating_add(pos)) && edge.accepts(c) {
                    let to = if *loops { pos } else { pos.saturating_add(1) };
                    set_bit(&mut v, off.saturating_add(to));
                }
            }
        }
        self.close(&mut v);
        v
    }

    fn inside(&self, state: &[u64]) -> Vec<bool> {
        self.nfas
            .iter()
            .zip(self.offsets)
            .map(|(n, &off)| get_bit(state, off.saturating_add(n.edges.len())))
            .collect()
    }
}

fn reconstruct(parents: &[Option<(usize, char)>], mut idx: usize) -> String {
    let mut chars = Vec::new();
    // Each step moves to a strictly smaller index (parents are explored first), so this ends.
    while let Some(Some((parent, c))) = parents.get(idx) {
        chars.push(*c);
        if *parent >= idx {
            break;
        }
        idx = *parent;
    }
    chars.iter().rev().collect()
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    fn like(s: &str) -> Atom {
        Atom::from_text(AtomKind::Like, s)
    }

    fn inside_sets(cells: &[Cell]) -> BTreeSet<Vec<bool>> {
        cells.iter().map(|c| c.inside.clone()).collect()
    }

    fn check_witnesses(atoms: &[Atom], cells: &[Cell]) {
        for cell in cells {
            for (atom, inside) in atoms.iter().zip(&cell.inside) {
                assert_eq!(
                    atom.accepts(&cell.witness),
                    *inside,
                    "{atom:?} on {:?}",
                    cell.witness
                );
            }
        }
    }

    #[test]
    fn nested_globs_have_no_out_in_cell() {
        let atoms = [like("repo:acme/*"), like("repo:acme/app:*")];
        let cells = cells(&atoms, "", Bounds::default()).unwrap();
        check_witnesses(&atoms, &cells);
        let got = inside_sets(&cells);
        assert!(got.contains(&vec![true, true]));
        assert!(got.contains(&vec![true, false]));
        assert!(got.contains(&vec![false, false]));
        assert!(
            !got.contains(&vec![false, true]),
            "app:* lies inside acme/*"
        );
        let in_in = cells.iter().find(|c| c.inside == [true, true]).unwrap();
        assert_eq!(in_in.witness, "repo:acme/app:");
    }

    #[test]
    fn literals_and_fresh_values() {
        let atoms = [
            Atom::from_text(AtomKind::Equals, "a1b2"),
            Atom::from_text(AtomKind::Equals, "c3d4"),
        ];
        let cells = cells(&atoms, "", Bounds::default()).unwrap();
        check_witnesses(&atoms, &cells);
        let witnesses: Vec<&str> = cells.iter().map(|c| c.witness.as_str()).collect();
        assert_eq!(witnesses, ["", "a1b2", "c3d4"]);
    }

    #[test]
    fn star_in_equals_is_literal() {
        let atoms = [
            Atom::from_text(AtomKind::Equals, "repo:acme/*"),
            like("repo:acme/*"),
        ];
        let cells = cells(&atoms, "", Bounds::default()).unwrap();
        check_witnesses(&atoms, &cells);
        let got = inside_sets(&cells);
        assert!(got.contains(&vec![true, true]));
        assert!(got.contains(&vec![false, true]));
        assert!(got.contains(&vec![false, false]));
        assert!(!got.contains(&vec![true, false]));
    }

    #[test]
    fn ignore_case_atoms_accept_both_cases() {
        let atoms = [
            Atom::from_text(AtomKind::EqualsIgnoreCase, "Prod"),
            Atom::from_text(AtomKind::Equals, "prod"),
        ];
        assert!(atoms[0].accepts("PROD"));
        assert!(!atoms[0].accepts("prod2"));
        let cells = cells(&atoms, "", Bounds::default()).unwrap();
        check_witnesses(&atoms, &cells);
        let got = inside_sets(&cells);
        assert!(
            got.contains(&vec![true, false]),
            "PROD is in the folded atom only"
        );
        assert!(got.contains(&vec![true, true]));
        assert!(got.contains(&vec![false, false]));
        assert!(!got.contains(&vec![false, true]));
    }

    #[test]
    fn arn_wildcards_do_not_cross_colons_before_the_sixth_component() {
        let arn = Atom::from_text(AtomKind::Arn, "arn:aws:iam::*:role/x");
        assert!(arn.accepts("arn:aws:iam::222222222222:role/x"));
        assert!(!arn.accepts("arn:aws:iam::2:2:role/x"));
        // The sixth component takes the rest, colons included.
        let tail = Atom::from_text(AtomKind::Arn, "arn:aws:sts::1:*");
        assert!(tail.accepts("arn:aws:sts::1:a:b:c"));
        // Fewer than six components: matches nothing.
        let short = Atom::from_text(AtomKind::Arn, "arn:aws:*");
        assert!(!short.accepts("arn:aws:iam::1:role/x"));
        // A string glob crosses colons where the ARN glob does not.
        let atoms = [arn, like("arn:aws:iam::*:role/x")];
        let cells = cells(&atoms, "", Bounds::default()).unwrap();
        check_witnesses(&atoms, &cells);
        let got = inside_sets(&cells);
        assert!(got.contains(&vec![false, true]));
        assert!(!got.contains(&vec![true, false]));
    }

    #[test]
    fn question_mark_is_one_character() {
        let atoms = [like("a?"), like("a*")];
        let cells = cells(&atoms, "", Bounds::default()).unwrap();
        check_witnesses(&atoms, &cells);
        let got = inside_sets(&cells);
        assert_eq!(got.len(), 3);
        assert!(!got.contains(&vec![true, false]));
    }

    #[test]
    fn no_atoms_gives_one_cell() {
        let cells = cells(&[], "", Bounds::default()).unwrap();
        assert_eq!(cells.len(), 1);
    }

    #[test]
    fn fresh_character_prefers_the_caller_choice() {
        let a = alphabet(&[Atom::from_text(AtomKind::Equals, "01")], "0123456789");
        assert_eq!(a, vec!['0', '1', '2']);
    }

    #[test]
    fn thousands_of_wildcards_hit_a_bound() {
        let atoms: Vec<Atom> = (0..3000)
            .map(|i| like(&format!("*{}*{}*", i, i * 7)))
            .collect();
        let r = cells(&atoms, "", Bounds::default());
        assert!(r.is_err());
        // Under the atom bound, the state/work bounds still stop a blow-up. Smaller bounds
        // than the defaults keep the test quick; the mechanism is the same. (No timing
        // assertion: the test harness is the clock.)
        let small = Bounds {
            max_states: 2_000,
            max_work: 200_000,
            ..Bounds::default()
        };
        let r = cells(atoms.get(..200).unwrap(), "", small);
        assert!(r.is_err());
    }
}
