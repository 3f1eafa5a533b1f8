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

    /// Membership test of one value. Many values against the same atoms: [`Matcher`].
    pub fn accepts(&self, value: &str) -> bool {
        Nfa::build(self).matches(value, &mut Vec::new(), &mut Vec::new())
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

    /// Whether the NFA accepts `value`: a run over sets of positions, over
    /// flags in two buffers the caller keeps, so a value costs no allocation. Epsilon moves
    /// only go from a `*` at `i` to `i + 1`, so one forward pass closes a set.
    fn matches(&self, value: &str, cur: &mut Vec<bool>, next: &mut Vec<bool>) -> bool {
        if self.empty {
            return false;
        }
        let close = |flags: &mut [bool]| {
            for (i, (_, loops)) in self.edges.iter().enumerate() {
                if *loops && flags.get(i) == Some(&true) {
                    if let Some(f) = flags.get_mut(i.saturating_add(1)) {
                        *f = true;
                    }
                }
            }
        };
        cur.clear();
        cur.resize(self.len(), false);
        if let Some(f) = cur.first_mut() {
            *f = true;
        }
        close(cur);
        for c in value.chars() {
            next.clear();
            next.resize(self.len(), false);
            let mut any = false;
            for (i, ((edge, loops), on)) in self.edges.iter().zip(cur.iter()).enumerate() {
                if *on && edge.accepts(c) {
                    if let Some(f) = next.get_mut(if *loops { i } else { i.saturating_add(1) }) {
                        *f = true;
                        any = true;
                    }
                }
            }
            if !any {
                return false;
            }
            close(next);
            std::mem::swap(cur, next);
        }
        cur.get(self.edges.len()) == Some(&true)
    }
}

/// The set-based run `Nfa::matches` replaced, kept as its reference.
#[cfg(test)]
impl Nfa {
    /// Follow epsilon moves (skipping `*`) from every state in `set`.
    fn close(&self, set: &mut std::collections::BTreeSet<usize>) {
        let mut todo: Vec<usize> = set.iter().copied().collect();
        while let Some(i) = todo.pop() {
            if let Some((_, true)) = self.edges.get(i) {
                if set.insert(i.saturating_add(1)) {
                    todo.push(i.saturating_add(1));
                }
            }
        }
    }

    fn start(&self) -> std::collections::BTreeSet<usize> {
        let mut set = std::collections::BTreeSet::new();
        if !self.empty {
            set.insert(0);
            self.close(&mut set);
        }
        set
    }

    fn step(
        &self,
        set: &std::collections::BTreeSet<usize>,
        c: char,
    ) -> std::collections::BTreeSet<usize> {
        let mut next = std::collections::BTreeSet::new();
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

    fn accepting(&self, set: &std::collections::BTreeSet<usize>) -> bool {
        set.contains(&self.edges.len())
    }

    fn reference_accepts(&self, value: &str) -> bool {
        let mut set = self.start();
        for c in value.chars() {
            set = self.step(&set, c);
        }
        self.accepting(&set)
    }
}

/// Many values tested against the same atoms: each atom's NFA built once, and the run's
/// buffers kept between values.
pub struct Matcher {
    nfas: Vec<Nfa>,
    cur: Vec<bool>,
    next: Vec<bool>,
}

impl Matcher {
    pub fn new(atoms: &[Atom]) -> Matcher {
        Matcher {
            nfas: atoms.iter().map(Nfa::build).collect(),
            cur: Vec::new(),
            next: Vec::new(),
        }
    }

    /// Whether the atom at `index` accepts `value` (`false` past the last atom).
    pub fn accepts(&mut self, index: usize, value: &str) -> bool {
        match self.nfas.get(index) {
            Some(nfa) => nfa.matches(value, &mut self.cur, &mut self.next),
            None => false,
        }
    }

    /// How many atoms there are.
    pub fn atoms(&self) -> usize {
        self.nfas.len()
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
            max_work: 200_000_000,
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
    let (mut out, fresh) = alphabet_parts(atoms, fresh_pref);
    // Fresh last: breadth-first order then prefers values made of policy characters.
    if let Some(f) = fresh {
        out.push(f);
    }
    out
}

/// [`alphabet`] as the sorted pattern characters and the fresh one.
fn alphabet_parts(atoms: &[Atom], fresh_pref: &str) -> (Vec<char>, Option<char>) {
    // Sorted and deduplicated once at the end: the same order a sorted set gives.
    let mut set: Vec<char> = Vec::new();
    for a in atoms {
        for c in a.chars() {
            set.push(c);
            if a.kind == AtomKind::EqualsIgnoreCase {
                set.push(c.to_ascii_lowercase());
                set.push(c.to_ascii_uppercase());
            }
        }
        if a.kind == AtomKind::Arn {
            // `:` is the one character ARN wildcards treat specially.
            set.push(':');
        }
    }
    set.sort_unstable();
    set.dedup();
    let taken = |c: char| set.iter().any(|x| x.eq_ignore_ascii_case(&c));
    let fresh = fresh_pref
        .chars()
        .chain("xyzqjkwvuts0123456789".chars())
        .chain(('\u{100}'..='\u{17f}').filter(|c| c.is_alphabetic()))
        .find(|c| !taken(*c));
    (set, fresh)
}

/// Every satisfiable cell of `atoms` with a shortest witness string, in breadth-first order
/// (shorter witnesses first). An empty atom list has one cell: the empty string.
pub fn cells(atoms: &[Atom], fresh_pref: &str, bounds: Bounds) -> Result<Vec<Cell>, BoundHit> {
    cells_ordered(atoms, fresh_pref, bounds, false)
}

/// [`cells`] with the fresh character tried first, so each cell's witness is made of it
/// wherever a wildcard allows: a form such as `system:serviceaccount:?*:?*` then yields
/// `system:serviceaccount:x:x`, not a run of the pattern's own `:`.
pub fn cells_fresh_first(
    atoms: &[Atom],
    fresh_pref: &str,
    bounds: Bounds,
) -> Result<Vec<Cell>, BoundHit> {
    cells_ordered(atoms, fresh_pref, bounds, true)
}

/// What one `cells_ordered` call is asked: its answer depends on nothing else.
type CellsKey = (Vec<Atom>, String, [usize; 5], bool);

/// Answers already computed in this process. The roles of one plan repeat their condition
/// patterns (a module's OIDC subjects, an organization ID) and every key of a documented form
/// brings the same form globs, so most searches of a large plan were done for an earlier
/// role. Bounded: emptied when full, so memory stays small whatever the plan.
static CELLS_CACHE: std::sync::OnceLock<std::sync::Mutex<CellsCache>> = std::sync::OnceLock::new();
type CellsCache =
    std::collections::HashMap<CellsKey, Result<Vec<Cell>, BoundHit>, super::memo::SpreadState>;
const CELLS_CACHE_ENTRIES: usize = 512;
/// Searches with more atoms than this are not kept (rare, and large to keep).
const CELLS_CACHE_ATOMS: usize = 32;

fn cells_ordered(
    atoms: &[Atom],
    fresh_pref: &str,
    bounds: Bounds,
    fresh_first: bool,
) -> Result<Vec<Cell>, BoundHit> {
    if atoms.len() > CELLS_CACHE_ATOMS {
        return cells_search(atoms, fresh_pref, bounds, fresh_first);
    }
    let key: CellsKey = (
        atoms.to_vec(),
        fresh_pref.to_string(),
        [
            bounds.max_states,
            bounds.max_words,
            bounds.max_cells,
            bounds.max_work,
            bounds.max_atoms,
        ],
        fresh_first,
    );
    let cache = CELLS_CACHE.get_or_init(Default::default);
    let lock = || match cache.lock() {
        Ok(c) => c,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(found) = lock().get(&key) {
        return found.clone();
    }
    let found = cells_search(atoms, fresh_pref, bounds, fresh_first);
    let mut cache = lock();
    if cache.len() >= CELLS_CACHE_ENTRIES {
        cache.clear();
    }
    cache.insert(key, found.clone());
    found
}

fn cells_search(
    atoms: &[Atom],
    fresh_pref: &str,
    bounds: Bounds,
    fresh_first: bool,
) -> Result<Vec<Cell>, BoundHit> {
    // A literal splits at most one cell off the others, so many literals with a few patterns
    // (a long ExternalId list and its documented form) stay within the cell bound; only
    // patterns can multiply cells.
    let patterns = atoms.iter().filter(|a| a.kind != AtomKind::Equals).count();
    if patterns > bounds.max_atoms {
        // Cells can grow exponentially with the number of atoms; a key with this many distinct
        // values is beyond what the analysis promises to settle.
        return Err(BoundHit(format!(
            "{} distinct patterns for one condition key (at most {} are analysed)",
            patterns, bounds.max_atoms
        )));
    }
    let (sorted, fresh) = alphabet_parts(atoms, fresh_pref);
    if let Some(cells) = split_literals(atoms, &sorted, fresh, bounds, fresh_first) {
        return Ok(cells);
    }

    let nfas: Vec<Nfa> = atoms.iter().map(Nfa::build).collect();
    search(&nfas, &sorted, fresh, bounds, fresh_first).map(|(cells, _)| cells)
}

/// The breadth-first search over the product of `nfas` with the alphabet `sorted` then
/// `fresh` (fresh first when `fresh_first`): the cells in the order first reached, and how
/// many product states were explored.
fn search(
    nfas: &[Nfa],
    sorted: &[char],
    fresh: Option<char>,
    bounds: Bounds,
    fresh_first: bool,
) -> Result<(Vec<Cell>, usize), BoundHit> {
    let mut alphabet = sorted.to_vec();
    alphabet.extend(fresh);

    // A product state: every atom's NFA state set, packed into one bit vector.
    let mut offsets = Vec::with_capacity(nfas.len());
    let mut total_bits = 0usize;
    for n in nfas {
        offsets.push(total_bits);
        total_bits = total_bits.saturating_add(n.len());
    }
    let words = total_bits.div_ceil(64).max(1);
    let layout = Layout {
        nfas,
        offsets: &offsets,
        words,
    };
    let mut masks = Masks::new(&layout, sorted, fresh);
    if fresh_first && fresh.is_some() {
        // The fresh character is last in both lists: move it to the front of both.
        alphabet.rotate_right(1);
        masks.accepts.rotate_right(1);
    }

    let start = layout.start();
    // Product states, each `words` long, in discovery order: breadth-first, so the queue is
    // simply this list read front to back.
    let mut seen = StateTable::new(words);
    // Per explored state: (parent index, character that led here), for witness reconstruction.
    let mut parents: Vec<Option<(usize, char)>> = Vec::new();
    // Cells keyed by the state's accepting bits (one bit per atom, so the same partition as
    // the in/out vector), valued by the first state reaching them.
    let mut cells_found = StateTable::new(words);
    let mut order: Vec<usize> = Vec::new();

    seen.insert(&start);
    parents.push(None);

    let mut state = vec![0u64; words];
    let mut next = vec![0u64; words];
    let mut inside = vec![0u64; words];
    let mut scratch = vec![0u64; words];
    let mut work = 0usize;
    let mut idx = 0usize;
    while idx < seen.len() {
        state.copy_from_slice(seen.get(idx));
        work = work.saturating_add(words.saturating_mul(alphabet.len()));
        if work > bounds.max_work {
            return Err(BoundHit(format!(
                "the value search for {} patterns exceeded its work bound",
                nfas.len()
            )));
        }
        for ((o, s), a) in inside.iter_mut().zip(&state).zip(&masks.accepting) {
            *o = s & a;
        }
        if cells_found.find(&inside).is_none() {
            if cells_found.len() >= bounds.max_cells {
                return Err(BoundHit(format!(
                    "more than {} distinct value classes for {} patterns",
                    bounds.max_cells,
                    nfas.len()
                )));
            }
            cells_found.insert(&inside);
            order.push(idx);
        }
        for (&c, accepts) in alphabet.iter().zip(&masks.accepts) {
            masks.step(&state, accepts, &mut next, &mut scratch);
            if seen.find(&next).is_some() {
                continue;
            }
            if seen.len() >= bounds.max_states
                || seen.len().saturating_add(1).saturating_mul(words) > bounds.max_words
            {
                return Err(BoundHit(format!(
                    "the value search for {} patterns exceeded {} states",
                    nfas.len(),
                    seen.len()
                )));
            }
            seen.insert(&next);
            parents.push(Some((idx, c)));
        }
        idx = idx.saturating_add(1);
    }

    let mut out = Vec::with_capacity(order.len());
    for first in order {
        out.push(Cell {
            inside: layout.inside(seen.get(first)),
            witness: reconstruct(&parents, first),
        });
    }
    Ok((out, seen.len()))
}

/// The cells of `atoms` from a search over their patterns alone, when the literals among them
/// (`StringEquals` values: an ExternalId, a subject) can only split one value each off those
/// cells. Exact: the same cells, witnesses and order as the search over every atom, which is
/// what `search` spends most of its time on when each role of a plan has its own random
/// ExternalId (the product with a literal's positions multiplies the states, and the cache
/// never sees the same literal twice).
///
/// Why it is the same: breadth-first over an ordered alphabet reaches states in shortlex
/// order of their shortest values, so each cell's witness is its shortlex-least value and
/// the cells come in the order of their witnesses. A literal's cell holds that one value. Any
/// other cell is a cell of the patterns minus the literals, whose least value is the patterns'
/// witness unless that witness is itself a literal: then, and whenever the search over every
/// atom might hit a bound (its states are at most the patterns' states times the literals'
/// prefixes plus one), `None`, and the full search decides.
fn split_literals(
    atoms: &[Atom],
    sorted: &[char],
    fresh: Option<char>,
    bounds: Bounds,
    fresh_first: bool,
) -> Option<Vec<Cell>> {
    let literal =
        |a: &Atom| a.kind == AtomKind::Equals && a.toks.iter().all(|t| matches!(t, Tok::Lit(_)));
    let texts: std::collections::BTreeSet<String> = atoms
        .iter()
        .filter(|a| literal(a))
        .map(|a| a.chars().collect())
        .collect();
    if texts.is_empty() {
        return None;
    }
    let patterns: Vec<(usize, Nfa)> = atoms
        .iter()
        .enumerate()
        .filter(|(_, a)| !literal(a))
        .map(|(i, a)| (i, Nfa::build(a)))
        .collect();
    let nfas: Vec<Nfa> = patterns.iter().map(|(_, n)| n.clone()).collect();
    let (found, states) = search(&nfas, sorted, fresh, bounds, fresh_first).ok()?;

    // The full search's bounds, checked against what it could at most explore.
    let prefixes: std::collections::BTreeSet<&str> = texts
        .iter()
        .flat_map(|t| {
            t.char_indices()
                .map(move |(i, _)| t.get(..i).unwrap_or_default())
                .chain(std::iter::once(t.as_str()))
        })
        .collect();
    let bits: usize = atoms.iter().map(|a| a.toks.len().saturating_add(1)).sum();
    let words = bits.div_ceil(64).max(1);
    let letters = sorted.len().saturating_add(usize::from(fresh.is_some()));
    let most = states.checked_mul(prefixes.len().checked_add(1)?)?;
    let stored = most.checked_mul(words)?;
    if most > bounds.max_states
        || stored > bounds.max_words
        || stored.checked_mul(letters)? > bounds.max_work
        || found.len().checked_add(texts.len())? > bounds.max_cells
    {
        return None;
    }

    let mut cells = Vec::with_capacity(found.len().saturating_add(texts.len()));
    for cell in found {
        if texts.contains(&cell.witness) {
            return None;
        }
        let mut inside = vec![false; atoms.len()];
        for ((i, _), on) in patterns.iter().zip(cell.inside) {
            if let Some(slot) = inside.get_mut(*i) {
                *slot = on;
            }
        }
        cells.push(Cell {
            inside,
            witness: cell.witness,
        });
    }
    let (mut cur, mut next) = (Vec::new(), Vec::new());
    for text in texts {
        let mut inside: Vec<bool> = atoms
            .iter()
            .map(|a| literal(a) && a.chars().eq(text.chars()))
            .collect();
        for (i, nfa) in &patterns {
            if let Some(slot) = inside.get_mut(*i) {
                *slot = nfa.matches(&text, &mut cur, &mut next);
            }
        }
        cells.push(Cell {
            inside,
            witness: text,
        });
    }
    // Shortlex order over the alphabet as the search orders it.
    let rank = |c: char| -> Option<usize> {
        let shift = usize::from(fresh_first && fresh.is_some());
        if Some(c) == fresh {
            return Some(if fresh_first { 0 } else { sorted.len() });
        }
        sorted
            .binary_search(&c)
            .ok()
            .map(|i| i.saturating_add(shift))
    };
    let mut keyed = Vec::with_capacity(cells.len());
    for cell in cells {
        let key: Vec<usize> = cell.witness.chars().map(rank).collect::<Option<_>>()?;
        keyed.push(((key.len(), key), cell));
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    Some(keyed.into_iter().map(|(_, cell)| cell).collect())
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

    fn inside(&self, state: &[u64]) -> Vec<bool> {
        self.nfas
            .iter()
            .zip(self.offsets)
            .map(|(n, &off)| get_bit(state, off.saturating_add(n.edges.len())))
            .collect()
    }
}

/// The NFAs' transitions as bit masks over a packed product state, so one step is a few word
/// operations instead of a walk over every position.
///
/// A set bit at a position whose edge accepts the character moves one position on (or stays,
/// for a `*`); every position's successor lies in the same NFA (the last position of each
/// NFA, its accepting one, has no edge), so a one-bit shift of the whole vector never carries
/// a state from one atom into the next.
struct Masks {
    /// Per alphabet character: the positions whose edge accepts it.
    accepts: Vec<Vec<u64>>,
    /// Positions holding a `*` (they loop, and may be skipped).
    loops: Vec<u64>,
    /// Each atom's accepting position.
    accepting: Vec<u64>,
}

/// `out = v << 1` across words.
fn shift_up(v: &[u64], out: &mut [u64]) {
    let mut carry = 0u64;
    for (o, &w) in out.iter_mut().zip(v) {
        *o = w.wrapping_shl(1) | carry;
        carry = w.wrapping_shr(63);
    }
}

impl Masks {
    /// `sorted` then `fresh` is the alphabet, in that order.
    fn new(layout: &Layout<'_>, sorted: &[char], fresh: Option<char>) -> Masks {
        let words = layout.words;
        let mut loops = vec![0u64; words];
        let mut accepting = vec![0u64; words];
        let size = sorted.len().saturating_add(usize::from(fresh.is_some()));
        let mut accepts = vec![vec![0u64; words]; size];
        for (n, &off) in layout.nfas.iter().zip(layout.offsets) {
            set_bit(&mut accepting, off.saturating_add(n.edges.len()));
            for (pos, (edge, looping)) in n.edges.iter().enumerate() {
                let bit = off.saturating_add(pos);
                if *looping {
                    set_bit(&mut loops, bit);
                }
                // A literal edge accepts at most its character in either case: look those up
                // in the sorted characters instead of asking every one. Wildcards ask all.
                let candidates = match *edge {
                    Edge::Exact(x) => Some([x, x, x]),
                    Edge::Folded(x) => Some([x, x.to_ascii_lowercase(), x.to_ascii_uppercase()]),
                    Edge::Any | Edge::AnyButColon => None,
                };
                match candidates {
                    Some(chars) => {
                        for c in chars {
                            if let Ok(i) = sorted.binary_search(&c) {
                                if edge.accepts(c) {
                                    if let Some(mask) = accepts.get_mut(i) {
                                        set_bit(mask, bit);
                                    }
                                }
                            }
                        }
                    }
                    None => {
                        for (&c, mask) in sorted.iter().zip(accepts.iter_mut()) {
                            if edge.accepts(c) {
                                set_bit(mask, bit);
                            }
                        }
                    }
                }
                if let (Some(f), Some(mask)) = (fresh, accepts.get_mut(sorted.len())) {
                    if edge.accepts(f) {
                        set_bit(mask, bit);
                    }
                }
            }
        }
        Masks {
            accepts,
            loops,
            accepting,
        }
    }

    /// The closed successor of `state` on the character whose mask is `accepts`.
    /// `moved` is scratch space of the state's width.
    fn step(&self, state: &[u64], accepts: &[u64], out: &mut [u64], moved: &mut [u64]) {
        // Most keys' atoms fit one word: the same operations without the loops.
        if let ([s], [a], [l], [o]) = (state, accepts, self.loops.as_slice(), &mut *out) {
            let m = s & a;
            let mut v = (m & !l).wrapping_shl(1) | (m & l);
            loop {
                let add = (v & l).wrapping_shl(1);
                if add & !v == 0 {
                    break;
                }
                v |= add;
            }
            *o = v;
            return;
        }
        // Bits that advance one position.
        for ((m, &s), (&a, &l)) in moved
            .iter_mut()
            .zip(state)
            .zip(accepts.iter().zip(&self.loops))
        {
            *m = s & a & !l;
        }
        shift_up(moved, out);
        // Bits that stay on their `*`.
        for ((o, &s), (&a, &l)) in out
            .iter_mut()
            .zip(state)
            .zip(accepts.iter().zip(&self.loops))
        {
            *o |= s & a & l;
        }
        self.close(out, moved);
    }

    /// Epsilon closure: a set `*` position also sets the next one, until nothing changes (as
    /// many rounds as the longest run of consecutive `*`s).
    fn close(&self, v: &mut [u64], scratch: &mut [u64]) {
        loop {
            for ((s, &x), &l) in scratch.iter_mut().zip(v.iter()).zip(&self.loops) {
                *s = x & l;
            }
            let mut changed = false;
            let mut carry = 0u64;
            for (x, &s) in v.iter_mut().zip(scratch.iter()) {
                let add = s.wrapping_shl(1) | carry;
                carry = s.wrapping_shr(63);
                if add & !*x != 0 {
                    *x |= add;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }
}

/// Word-by-word equality: states are a word or two, too short to be worth a `memcmp` call.
fn same(a: &[u64], b: &[u64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// A set of packed states of one width, stored end to end in discovery order, found by an
/// open-addressing hash table over their indices. Lookups and inserts borrow the state, so the
/// search allocates nothing per state. Hashing affects only speed: nothing iterates the table.
struct StateTable {
    words: usize,
    states: Vec<u64>,
    len: usize,
    /// Index + 1 of the state in each slot; 0 for an empty slot. Length: a power of two.
    slots: Vec<usize>,
}

impl StateTable {
    fn new(words: usize) -> StateTable {
        StateTable {
            words,
            states: Vec::new(),
            len: 0,
            slots: vec![0; 64],
        }
    }

    fn len(&self) -> usize {
        self.len
    }

    fn get(&self, idx: usize) -> &[u64] {
        let from = idx.saturating_mul(self.words);
        self.states
            .get(from..from.saturating_add(self.words))
            .unwrap_or(&[])
    }

    /// Multiplicative hashing: the top bits of the product depend on every input bit, so the
    /// slot is taken from them.
    fn hash(state: &[u64]) -> u64 {
        let mut h = 0u64;
        for &w in state {
            h = (h.rotate_left(26) ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
        h
    }

    /// Slot for `state`: where it is, or the empty slot where it would go.
    fn slot(&self, state: &[u64]) -> usize {
        let mask = self.slots.len().saturating_sub(1);
        // `slots.len()` is a power of two: keep as many top bits as it has index bits.
        let shift = 64u32.saturating_sub(mask.count_ones());
        let top = Self::hash(state).checked_shr(shift).unwrap_or(0);
        let mut at = usize::try_from(top).unwrap_or(0) & mask;
        loop {
            match self.slots.get(at) {
                Some(&0) | None => return at,
                Some(&i) if same(self.get(i.saturating_sub(1)), state) => return at,
                Some(_) => at = at.wrapping_add(1) & mask,
            }
        }
    }

    fn find(&self, state: &[u64]) -> Option<usize> {
        match self.slots.get(self.slot(state)) {
            Some(&i) if i != 0 => Some(i.saturating_sub(1)),
            _ => None,
        }
    }

    /// Add a state known to be absent.
    fn insert(&mut self, state: &[u64]) {
        if self.len.saturating_mul(2) >= self.slots.len() {
            self.grow();
        }
        self.states.extend_from_slice(state);
        self.len = self.len.saturating_add(1);
        let at = self.slot(state);
        if let Some(s) = self.slots.get_mut(at) {
            *s = self.len;
        }
    }

    fn grow(&mut self) {
        let size = self.slots.len().saturating_mul(2);
        self.slots = vec![0; size];
        for i in 0..self.len {
            let at = self.slot(self.get(i));
            if let Some(s) = self.slots.get_mut(at) {
                *s = i.saturating_add(1);
            }
        }
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
    use std::collections::BTreeSet;

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

    /// The search over every atom, as `cells_search` ran it before literals were split off.
    fn full(
        atoms: &[Atom],
        fresh_pref: &str,
        bounds: Bounds,
        fresh_first: bool,
    ) -> Result<Vec<Cell>, BoundHit> {
        let (sorted, fresh) = alphabet_parts(atoms, fresh_pref);
        let nfas: Vec<Nfa> = atoms.iter().map(Nfa::build).collect();
        search(&nfas, &sorted, fresh, bounds, fresh_first).map(|(cells, _)| cells)
    }

    /// An ExternalId beside its documented form, and a subject beside its forms: the split
    /// answers, with what the full search answers.
    #[test]
    fn literals_split_off_the_cells_of_the_patterns() {
        let cases = [
            vec![
                Atom::from_text(AtomKind::Equals, "3f9a0c1b2d4e"),
                like("??*"),
            ],
            vec![
                Atom::from_text(AtomKind::Equals, "repo:acme/app7:ref:refs/heads/main"),
                like("repo:?*/?*:ref:refs/heads/?*"),
                like("?*"),
            ],
            vec![
                like("repo:acme/*"),
                Atom::from_text(AtomKind::Equals, "repo:acme/app7:ref:refs/heads/main"),
                Atom::from_text(AtomKind::Equals, "repo:acme/app8:ref:refs/heads/main"),
            ],
            vec![
                Atom::from_text(AtomKind::Equals, "111122223333"),
                like("????????????"),
            ],
        ];
        for atoms in cases {
            for (pref, first) in [("", false), ("0123456789", true)] {
                let (sorted, fresh) = alphabet_parts(&atoms, pref);
                let split = split_literals(&atoms, &sorted, fresh, Bounds::default(), first);
                let want = full(&atoms, pref, Bounds::default(), first).unwrap();
                assert_eq!(split.as_ref(), Some(&want), "{atoms:?}");
                check_witnesses(&atoms, &want);
            }
        }
        // A pattern cell whose least value is a literal: the split declines.
        let atoms = [Atom::from_text(AtomKind::Equals, "aa"), like("??")];
        let (sorted, fresh) = alphabet_parts(&atoms, "");
        assert_eq!(
            split_literals(&atoms, &sorted, fresh, Bounds::default(), false),
            None
        );
        assert_eq!(
            cells(&atoms, "", Bounds::default()),
            full(&atoms, "", Bounds::default(), false)
        );
    }

    proptest::proptest! {
        /// Splitting literals off changes nothing: for any mix of literals and patterns of
        /// every kind, with either fresh-character order and under bounds tight enough to be
        /// hit, the cells (or the bound's message) are those of the search over every atom.
        #[test]
        fn split_literals_answer_as_the_full_search(
            specs in proptest::collection::vec((0usize..5, "[ab:*?]{0,6}"), 1..6),
            pref in 0usize..2,
            first in proptest::bool::ANY,
            tight in proptest::bool::ANY,
        ) {
            let atoms: Vec<Atom> = specs
                .iter()
                .map(|(k, text)| {
                    let kind = [AtomKind::Equals, AtomKind::Equals, AtomKind::EqualsIgnoreCase, AtomKind::Like, AtomKind::Arn][*k];
                    Atom::from_text(kind, text)
                })
                .collect();
            let pref = ["", "ab0"][pref];
            let bounds = if tight {
                Bounds { max_states: 12, max_words: 24, max_cells: 5, max_work: 120, ..Bounds::default() }
            } else {
                Bounds::default()
            };
            proptest::prop_assert_eq!(
                cells_search(&atoms, pref, bounds, first),
                full(&atoms, pref, bounds, first),
                "{:?}", atoms
            );
        }

        /// The allocation-free run answers as the set-based run it replaced, for every kind
        /// of atom, on patterns and values over a small alphabet (so wildcards, colons and
        /// case all meet), through `Atom::accepts` and through a `Matcher` reused between
        /// values.
        #[test]
        fn flag_run_answers_as_the_set_run(
            kind in 0usize..4,
            pattern in "[aA:*?/]{0,12}",
            values in proptest::collection::vec("[aA:/b]{0,14}", 1..6),
        ) {
            let kind = [AtomKind::Equals, AtomKind::EqualsIgnoreCase, AtomKind::Like, AtomKind::Arn][kind];
            let atom = Atom::from_text(kind, &pattern);
            let nfa = Nfa::build(&atom);
            let mut matcher = Matcher::new(std::slice::from_ref(&atom));
            for value in &values {
                let want = nfa.reference_accepts(value);
                proptest::prop_assert_eq!(atom.accepts(value), want, "{:?} on {:?}", atom, value);
                proptest::prop_assert_eq!(matcher.accepts(0, value), want);
            }
            proptest::prop_assert!(!matcher.accepts(1, "a"));
        }
    }
}
