//! Every role's result, held encoded: a few compact bytes per role in a buffer that moves to a
//! temporary file once it is large, with only a small summary per role kept in memory. A
//! report on tens of thousands of roles then costs memory for its largest role and the
//! summaries, not for every role's policies, findings and witnesses; the renderers read the
//! results back one role at a time, in plan order.
//!
//! The encoding is private to one run (written and read by the same process): length-prefixed
//! strings and small tags, no versioning. `&'static str` fields (rule ids, role types, account
//! sources) are numbered in a table per store, so a custom rule's id comes back as itself.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::Mutex;

use crate::analysis::{CompactJson, RoleReport, RoleResult, Verdict};
use crate::eval::{Caller, ContextValue, Request};
use crate::finding::{Finding, Severity, Suppression};
use crate::permissions::{BlastRadius, Grant, PermissionClass};
use crate::plan::Stowed;

/// Encoded results stay in memory up to this many bytes; past it they go to a temporary file.
/// A plan of a few hundred roles never reaches it; the 100k bench plan's 5,000 roles (about
/// 10 MiB of records) do, and a budget of 8 MiB cost it 7 MiB of peak memory for no speed.
const MEMORY_BYTES: usize = 2 << 20;

/// Where one role's record is, and what the summaries need without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    at: u64,
    len: u32,
    /// Bytes of the role part (the findings follow it).
    role_len: u32,
    /// Where the role's permissions are when they were learnt after the record was written
    /// (`Store::with_permissions`); they replace the record's own. Offset and length packed
    /// in one word (`pack`): a slot is held for every role.
    permissions: Option<std::num::NonZeroU64>,
    /// The role's verdict; `None` for findings held without their role's report
    /// (`Results::from_findings`).
    pub role: Option<Verdict>,
    /// Any action other than `no-op`/`read` (the summary line's "changed").
    pub changed: bool,
    /// Findings the gate counts, by severity (`Severity::ALL` order), and suppressed ones.
    pub by_severity: [u32; 5],
    pub suppressed: u32,
    pub findings: u32,
    /// What `[[ignore]]` entries did with this role's findings (see `suppress::Tally`).
    pub tally: crate::suppress::Tally,
}

/// The bytes behind the slots: shared by the threads that analyse roles.
#[derive(Debug)]
pub struct Store {
    /// The results' records.
    inner: Mutex<Inner>,
    /// The stowed trust texts, apart: the reading thread stows while the analysing threads
    /// store results, and behind one lock it waited on their writes (about 3% of a
    /// role-heavy run).
    texts: Mutex<Inner>,
    /// Rule ids, role types and account sources, numbered as first written.
    statics: Mutex<Vec<&'static str>>,
    /// Bytes held in memory, by the records and by the texts each, before they move to a file.
    budget: usize,
}

#[derive(Debug, Default)]
struct Inner {
    memory: Vec<u8>,
    file: Option<Spill>,
    /// The first I/O error; reading back then fails with it.
    error: Option<String>,
}

#[derive(Debug)]
struct Spill {
    file: File,
    /// Bytes appended, those still in `pending` included.
    len: u64,
    /// Appended bytes not yet written: one `write` per `PENDING` bytes instead of one per
    /// record (a role-heavy plan appends tens of thousands of small records and texts).
    pending: Vec<u8>,
    /// Stretches of the file read ahead, with their offsets: each pass over the results reads
    /// them mostly in the order they were written, so one `read` serves many records. There
    /// are several because a pass reads from more than one run of records at once (the first
    /// results, those stored again after the read, their permissions).
    windows: [(u64, Vec<u8>); WINDOWS],
    /// The window the next miss replaces.
    next: usize,
    /// Removed when the store is dropped (where the file could not be removed while open).
    path: Option<PathBuf>,
}

impl Drop for Spill {
    fn drop(&mut self) {
        if let Some(path) = &self.path {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Default for Store {
    fn default() -> Self {
        Store::new()
    }
}

impl Store {
    pub fn new() -> Store {
        Store::with_budget(memory_bytes())
    }

    fn with_budget(budget: usize) -> Store {
        Store {
            inner: Mutex::new(Inner::default()),
            texts: Mutex::new(Inner::default()),
            statics: Mutex::new(Vec::new()),
            // Halved between records and texts, so the two hold no more than one did.
            budget: budget / 2,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        guard(&self.inner)
    }

    /// Encode `result` (its findings already judged by the configuration, `tally` what that
    /// did) and keep it; the slot finds it again.
    pub fn push(&self, result: &RoleResult, tally: crate::suppress::Tally) -> Slot {
        self.push_parts(Some(&result.role), &result.findings, tally)
    }

    fn push_parts(
        &self,
        role: Option<&RoleReport>,
        findings: &[Finding],
        tally: crate::suppress::Tally,
    ) -> Slot {
        let mut bytes = Vec::with_capacity(1024);
        let mut enc = Enc::new(&mut bytes, self);
        match role {
            Some(role) => {
                enc.out.push(1);
                encode_role(&mut enc, role);
            }
            None => enc.out.push(0),
        }
        let role_len = bytes.len();
        let mut enc = Enc::new(&mut bytes, self);
        enc.len(findings.len());
        for f in findings {
            encode_finding(&mut enc, f);
        }
        let result = Parts { role, findings };
        let mut by_severity = [0u32; 5];
        let mut suppressed = 0u32;
        for f in result.findings {
            if f.suppressed.is_some() {
                suppressed = suppressed.saturating_add(1);
            } else if let Some(n) = Severity::ALL
                .iter()
                .position(|s| *s == f.severity)
                .and_then(|i| by_severity.get_mut(i))
            {
                *n = n.saturating_add(1);
            }
        }
        let (at, len) = self.lock().append(&bytes, self.budget);
        Slot {
            at,
            len,
            role_len: u32::try_from(role_len).unwrap_or(u32::MAX),
            permissions: None,
            role: result.role.map(|r| r.verdict),
            changed: result
                .role
                .is_some_and(|r| r.actions.iter().any(|a| a != "no-op" && a != "read")),
            by_severity,
            suppressed,
            findings: u32::try_from(result.findings.len()).unwrap_or(u32::MAX),
            tally,
        }
    }

    /// `slot` with its role's permissions replaced by `blast`, kept beside the record rather
    /// than in a new copy of it: the pass after the read learns most roles' permissions and
    /// nothing else about them, and decoding and encoding each whole record again cost more
    /// than reading this small one with it.
    /// `Err` gives the slot back when the permissions are too large to be placed this way
    /// (16 MiB, or past the first TiB of results): the caller stores the whole record again.
    pub fn with_permissions(&self, mut slot: Slot, blast: &BlastRadius) -> Result<Slot, Slot> {
        let mut bytes = Vec::with_capacity(64);
        encode_permissions(&mut Enc::new(&mut bytes, self), Some(blast));
        if bytes.len() >= 1 << PACKED_LEN_BITS {
            return Err(slot);
        }
        let (at, len) = self.lock().append(&bytes, self.budget);
        match pack(at, len) {
            Some(packed) => {
                slot.permissions = Some(packed);
                Ok(slot)
            }
            None => Err(slot),
        }
    }

    /// The permissions `slot` holds beside its record (`with_permissions`): `Ok(None)` when
    /// it holds none, so the record's own stand.
    fn permissions(
        &self,
        slot: &Slot,
        statics: &[&'static str],
    ) -> Result<Option<Option<BlastRadius>>, String> {
        let Some((at, len)) = slot.permissions.map(unpack) else {
            return Ok(None);
        };
        let mut buf = Vec::new();
        self.read_at(at, len, &mut buf)?;
        let mut dec = Dec {
            bytes: &buf,
            at: 0,
            statics,
        };
        decode_permissions(&mut dec)
            .map(Some)
            .ok_or_else(|| "a result record could not be decoded".to_string())
    }

    /// Keep a role's trust text, like a record, while the rest of its plan is read
    /// (`plan::RoleSink::stow`); `unstow` gives it back.
    pub fn stow(&self, text: &str) -> Stowed {
        let (at, len) = guard(&self.texts).append(text.as_bytes(), self.budget);
        Stowed { at, len }
    }

    /// The text `stowed` holds, or why it cannot be read back.
    pub fn unstow(&self, stowed: Stowed) -> Result<String, String> {
        let mut buf = Vec::new();
        guard(&self.texts).read(stowed.at, stowed.len, &mut buf)?;
        String::from_utf8(buf).map_err(|_| "a stowed trust text came back damaged".to_string())
    }

    /// The record of `slot`, or why it cannot be read back.
    fn read(&self, slot: &Slot, buf: &mut Vec<u8>) -> Result<(), String> {
        self.read_at(slot.at, slot.len, buf)
    }

    fn read_at(&self, at: u64, len: u32, buf: &mut Vec<u8>) -> Result<(), String> {
        self.lock().read(at, len, buf)
    }

    /// The result `slot` holds, of plan `plan`: for the pass after the read, which may change
    /// it and push it again.
    pub fn result(&self, slot: &Slot, plan: &str) -> Result<RoleResult, String> {
        let mut buf = Vec::new();
        self.read(slot, &mut buf)?;
        let statics = self.statics();
        let mut dec = Dec {
            bytes: &buf,
            at: 0,
            statics: &statics,
        };
        let decoded = (|| {
            if !dec.bool()? {
                return None;
            }
            let mut role = decode_role(&mut dec)?;
            role.plan = plan.to_string();
            let findings = decode_findings(&mut dec, plan)?;
            Some(RoleResult { role, findings })
        })();
        let mut result =
            decoded.ok_or_else(|| "a result record could not be decoded".to_string())?;
        if let Some(permissions) = self.permissions(slot, &statics)? {
            result.role.permissions = permissions;
        }
        Ok(result)
    }

    /// The number of a static string in this store's table.
    fn intern(&self, s: &'static str) -> usize {
        let mut statics = match self.statics.lock() {
            Ok(t) => t,
            Err(poisoned) => poisoned.into_inner(),
        };
        match statics.iter().position(|t| *t == s) {
            Some(i) => i,
            None => {
                statics.push(s);
                statics.len().saturating_sub(1)
            }
        }
    }

    fn statics(&self) -> Vec<&'static str> {
        match self.statics.lock() {
            Ok(t) => t.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

/// The bytes behind `lock`: a thread that panicked holding it does not take the others'
/// results with it.
fn guard(lock: &Mutex<Inner>) -> std::sync::MutexGuard<'_, Inner> {
    match lock.lock() {
        Ok(inner) => inner,
        Err(poisoned) => poisoned.into_inner(),
    }
}

impl Inner {
    /// Bytes `at..at + len` into `buf`, or why they cannot be read back.
    fn read(&mut self, at: u64, len: u32, buf: &mut Vec<u8>) -> Result<(), String> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let start = usize::try_from(at).map_err(|_| "record offset too large".to_string())?;
        let len = usize::try_from(len).map_err(|_| "record too large".to_string())?;
        buf.clear();
        if let Some(bytes) = start
            .checked_add(len)
            .and_then(|end| self.memory.get(start..end))
        {
            buf.extend_from_slice(bytes);
            return Ok(());
        }
        let Some(spill) = self.file.as_mut() else {
            return Err("a result record is missing".to_string());
        };
        buf.resize(len, 0);
        spill
            .read_at(at, buf)
            .map_err(|e| format!("cannot read the temporary results file back: {e}"))
    }

    /// Append a record: (offset, length).
    fn append(&mut self, bytes: &[u8], budget: usize) -> (u64, u32) {
        let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
        if self.file.is_none() && self.memory.len().saturating_add(bytes.len()) > budget {
            // Past the memory budget: move what there is to a file. Should no file be
            // possible, the results stay in memory (slower to run out of, never lost).
            if let Ok(mut spill) = Spill::create() {
                if spill.file.write_all(&self.memory).is_ok() {
                    spill.len = self.memory.len() as u64;
                    self.memory = Vec::new();
                    self.file = Some(spill);
                }
            }
        }
        match self.file.as_mut() {
            Some(spill) => {
                let at = spill.len;
                match spill.append(bytes) {
                    Ok(()) => {}
                    Err(e) => {
                        self.error.get_or_insert_with(|| {
                            format!("cannot write the temporary results file: {e}")
                        });
                    }
                }
                (at, len)
            }
            None => {
                let at = self.memory.len() as u64;
                self.memory.extend_from_slice(bytes);
                (at, len)
            }
        }
    }
}

/// The memory budget; `TRUSTGATE_RESULTS_IN_MEMORY` (bytes) overrides it, so tests can make a
/// small plan take the file path.
fn memory_bytes() -> usize {
    std::env::var("TRUSTGATE_RESULTS_IN_MEMORY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(MEMORY_BYTES)
}

impl Spill {
    fn create() -> std::io::Result<Spill> {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("trustgate-results-{}-{n}.bin", std::process::id()));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        // Unlinked at once where the system allows it, so no file outlives the run even when
        // it is killed; elsewhere removed when the store is dropped.
        let path = std::fs::remove_file(&path).err().map(|_| path);
        Ok(Spill {
            file,
            len: 0,
            pending: Vec::new(),
            windows: Default::default(),
            next: 0,
            path,
        })
    }

    fn append(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if self.pending.len().saturating_add(bytes.len()) > PENDING {
            self.flush()?;
        }
        if bytes.len() >= PENDING {
            self.file.write_all(bytes)?;
        } else {
            self.pending.extend_from_slice(bytes);
        }
        self.len = self.len.saturating_add(bytes.len() as u64);
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let result = self.file.write_all(&self.pending);
        self.pending.clear();
        result
    }

    /// Bytes `at..at + buf.len()` into `buf`: from a window that holds them, else from the
    /// file (once `pending` is written), reading ahead a window's worth.
    fn read_at(&mut self, at: u64, buf: &mut [u8]) -> std::io::Result<()> {
        let len = buf.len();
        let window = match (0..WINDOWS).find(|&w| self.windowed(w, at, len).is_some()) {
            Some(w) => w,
            None => {
                self.flush()?;
                let w = self.next % WINDOWS;
                self.next = w.wrapping_add(1);
                let ahead = (len.max(PENDING) as u64).min(self.len.saturating_sub(at));
                let Some((window_at, window)) = self.windows.get_mut(w) else {
                    return Err(std::io::ErrorKind::InvalidInput.into());
                };
                window.resize(usize::try_from(ahead).unwrap_or(usize::MAX), 0);
                *window_at = at;
                self.file.seek(SeekFrom::Start(at))?;
                let read = self.file.read_exact(window);
                if read.is_err() {
                    window.clear();
                }
                read?;
                // The next write must go to the end again.
                self.file.seek(SeekFrom::Start(self.len))?;
                w
            }
        };
        let held = self
            .windowed(window, at, len)
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::UnexpectedEof))?;
        buf.copy_from_slice(held);
        Ok(())
    }

    fn windowed(&self, w: usize, at: u64, len: usize) -> Option<&[u8]> {
        let (window_at, window) = self.windows.get(w)?;
        let start = usize::try_from(at.checked_sub(*window_at)?).ok()?;
        window.get(start..start.checked_add(len)?)
    }
}

/// Bits of a packed location (`pack`) that hold the length; the offset has the rest.
const PACKED_LEN_BITS: u32 = 24;

/// An offset and a length in one word, or `None` when either does not fit (a length is never
/// 0: a permissions record has at least its tag byte, so the word is never 0 either).
fn pack(at: u64, len: u32) -> Option<std::num::NonZeroU64> {
    if len >= 1 << PACKED_LEN_BITS || at >= 1 << (64 - PACKED_LEN_BITS) {
        return None;
    }
    std::num::NonZeroU64::new((at << PACKED_LEN_BITS) | u64::from(len))
}

fn unpack(packed: std::num::NonZeroU64) -> (u64, u32) {
    let word = packed.get();
    let len = u32::try_from(word & ((1 << PACKED_LEN_BITS) - 1)).unwrap_or(u32::MAX);
    (word >> PACKED_LEN_BITS, len)
}

/// How many windows a spilled store reads ahead into.
const WINDOWS: usize = 4;

/// The write buffer of a spilled store.
const PENDING: usize = 64 << 10;

/// A record's two parts.
struct Parts<'a> {
    role: Option<&'a RoleReport>,
    findings: &'a [Finding],
}

/// Every role's result in plan order, and the plans they belong to.
#[derive(Debug, Default)]
pub struct Results {
    store: Store,
    slots: Vec<(u32, Slot)>,
    plans: Vec<String>,
    /// Set when a record could not be read back: the renderers' output is then incomplete
    /// and the run must fail (see `Results::failure`).
    failure: Mutex<Option<String>>,
}

impl Results {
    /// Results of a run, from the store their slots point into.
    pub fn new(store: Store) -> Results {
        Results {
            store,
            ..Results::default()
        }
    }

    /// Results for `roles` roles: their slots sized at once (see `new`).
    pub fn with_capacity(store: Store, roles: usize) -> Results {
        let mut results = Results::new(store);
        results.slots.reserve_exact(roles);
        results
    }

    /// Results held from plain values (a comparison of two files, tests).
    pub fn from_results(results: Vec<RoleResult>) -> Results {
        let mut out = Results::new(Store::new());
        for r in results {
            let plan = r.role.plan.clone();
            let slot = out.store.push(&r, crate::suppress::Tally::default());
            out.push(&plan, slot);
        }
        out
    }

    /// Findings without their roles' reports, in one record per (plan, address) run: for
    /// the renderers that only show findings, in tests.
    pub fn from_findings(findings: Vec<Finding>) -> Results {
        let mut out = Results::new(Store::new());
        let mut rest = findings.as_slice();
        while let Some(first) = rest.first() {
            let n = rest
                .iter()
                .take_while(|f| f.plan == first.plan && f.address == first.address)
                .count();
            let (group, tail) = rest.split_at(n);
            let slot = out
                .store
                .push_parts(None, group, crate::suppress::Tally::default());
            out.push(&first.plan, slot);
            rest = tail;
        }
        out
    }

    /// The next role, of plan `plan`.
    pub fn push(&mut self, plan: &str, slot: Slot) {
        let index = match self.plans.iter().rposition(|p| p == plan) {
            Some(i) => i,
            None => {
                self.plans.push(plan.to_string());
                self.plans.len().saturating_sub(1)
            }
        };
        self.slots
            .push((u32::try_from(index).unwrap_or(u32::MAX), slot));
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// How many roles.
    pub fn len(&self) -> usize {
        self.slots().filter(|s| s.role.is_some()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn slots(&self) -> impl Iterator<Item = &Slot> {
        self.slots.iter().map(|(_, s)| s)
    }

    /// Why a record could not be read back, if one could not: what was rendered is then
    /// missing roles.
    pub fn failure(&self) -> Option<String> {
        match self.failure.lock() {
            Ok(f) => f.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn fail(&self, why: String) {
        let mut failure = match self.failure.lock() {
            Ok(f) => f,
            Err(poisoned) => poisoned.into_inner(),
        };
        failure.get_or_insert(why);
    }

    /// Every role's report, in plan order.
    pub fn roles(&self) -> impl Iterator<Item = RoleReport> + '_ {
        self.records(false).filter_map(|(role, _)| role)
    }

    /// Every finding, role by role in plan order.
    pub fn findings(&self) -> impl Iterator<Item = Finding> + '_ {
        self.slots
            .iter()
            .filter(|(_, slot)| slot.findings > 0)
            .map(|(plan, slot)| (*plan, slot))
            .scan(Reader::new(self), |reader, (plan, slot)| {
                Some(reader.findings(plan, slot))
            })
            .flatten()
    }

    /// Every record (its role, when it has one, and its findings) with its position among
    /// the slots and its plan's index (`plan_name`), in plan order.
    pub fn records_at(
        &self,
    ) -> impl Iterator<Item = (usize, u32, Option<RoleReport>, Vec<Finding>)> + '_ {
        self.slots
            .iter()
            .enumerate()
            .scan(Reader::new(self), |reader, (i, (plan, slot))| {
                let (role, findings) = reader.result(*plan, slot, true)?;
                Some((i, *plan, role, findings))
            })
    }

    /// The record at position `i` among the slots (see `records_at`), read back again.
    pub fn record_at(&self, i: usize) -> Option<(Option<RoleReport>, Vec<Finding>)> {
        let (plan, slot) = self.slots.get(i)?;
        Reader::new(self).result(*plan, slot, true)
    }

    /// The name of plan `index` (see `records_at`).
    pub fn plan_name(&self, index: u32) -> String {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.plans.get(i))
            .cloned()
            .unwrap_or_default()
    }

    fn records(
        &self,
        findings: bool,
    ) -> impl Iterator<Item = (Option<RoleReport>, Vec<Finding>)> + '_ {
        self.slots
            .iter()
            .filter(move |(_, slot)| findings || slot.role.is_some())
            .scan(Reader::new(self), move |reader, (plan, slot)| {
                reader.result(*plan, slot, findings)
            })
    }
}

/// Reads records back, with one buffer and the interned strings.
struct Reader<'a> {
    results: &'a Results,
    statics: Vec<&'static str>,
    buf: RefCell<Vec<u8>>,
}

impl<'a> Reader<'a> {
    fn new(results: &'a Results) -> Reader<'a> {
        Reader {
            results,
            statics: results.store.statics(),
            buf: RefCell::new(Vec::new()),
        }
    }

    fn plan(&self, index: u32) -> String {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.results.plans.get(i))
            .cloned()
            .unwrap_or_default()
    }

    /// The role (and its findings when `findings`); `None` ends the iteration, with the
    /// failure recorded.
    fn result(
        &self,
        plan: u32,
        slot: &Slot,
        findings: bool,
    ) -> Option<(Option<RoleReport>, Vec<Finding>)> {
        let mut buf = self.buf.borrow_mut();
        if let Err(e) = self.results.store.read(slot, &mut buf) {
            self.results.fail(e);
            return None;
        }
        let plan = self.plan(plan);
        let mut dec = Dec {
            bytes: &buf,
            at: 0,
            statics: &self.statics,
        };
        let decoded = (|| {
            let role = if dec.bool()? {
                let mut role = decode_role(&mut dec)?;
                role.plan.clone_from(&plan);
                Some(role)
            } else {
                None
            };
            let list = if findings {
                decode_findings(&mut dec, &plan)?
            } else {
                Vec::new()
            };
            Some((role, list))
        })();
        if decoded.is_none() {
            self.results
                .fail("a result record could not be decoded".to_string());
        }
        let (mut role, list) = decoded?;
        match self.results.store.permissions(slot, &self.statics) {
            Ok(Some(permissions)) => {
                if let Some(role) = role.as_mut() {
                    role.permissions = permissions;
                }
            }
            Ok(None) => {}
            Err(e) => {
                self.results.fail(e);
                return None;
            }
        }
        Some((role, list))
    }

    fn findings(&self, plan: u32, slot: &Slot) -> Vec<Finding> {
        let mut buf = self.buf.borrow_mut();
        if let Err(e) = self.results.store.read(slot, &mut buf) {
            self.results.fail(e);
            return Vec::new();
        }
        let plan = self.plan(plan);
        let mut dec = Dec {
            bytes: &buf,
            at: usize::try_from(slot.role_len).unwrap_or(usize::MAX),
            statics: &self.statics,
        };
        decode_findings(&mut dec, &plan).unwrap_or_else(|| {
            self.results
                .fail("a result record could not be decoded".to_string());
            Vec::new()
        })
    }
}

// ---- encoding ----

/// Static strings are written as their number in the store's table.
struct Enc<'a> {
    out: &'a mut Vec<u8>,
    store: &'a Store,
}

impl<'a> Enc<'a> {
    fn new(out: &'a mut Vec<u8>, store: &'a Store) -> Enc<'a> {
        Enc { out, store }
    }

    fn len(&mut self, n: usize) {
        let mut n = n as u64;
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                self.out.push(byte);
                return;
            }
            self.out.push(byte | 0x80);
        }
    }

    fn bool(&mut self, b: bool) {
        self.out.push(u8::from(b));
    }

    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.out.extend_from_slice(s.as_bytes());
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.out.push(1);
                self.str(s);
            }
            None => self.out.push(0),
        }
    }

    fn strs(&mut self, list: &[String]) {
        self.len(list.len());
        for s in list {
            self.str(s);
        }
    }

    /// A static string: its number in the store's table.
    fn stat(&mut self, s: &'static str) {
        let n = self.store.intern(s);
        self.len(n);
    }
}

fn encode_role(enc: &mut Enc<'_>, role: &RoleReport) {
    // `plan` is the slot's; the rest in field order.
    enc.str(&role.address);
    enc.stat(role.role_type);
    enc.strs(&role.actions);
    enc.out.push(tag(&Verdict::ALL, role.verdict));
    enc.str(role.before.as_str());
    enc.str(role.after.as_str());
    enc.opt_str(role.previous_address.as_deref());
    enc.opt_str(role.own_account.as_deref());
    match role.own_account_source {
        Some(s) => {
            enc.out.push(1);
            enc.stat(s);
        }
        None => enc.out.push(0),
    }
    enc.bool(role.imported);
    enc.opt_str(role.paired_with.as_deref());
    enc.strs(&role.principals_before);
    enc.strs(&role.principals_after);
    encode_permissions(enc, role.permissions.as_ref());
}

fn encode_permissions(enc: &mut Enc<'_>, permissions: Option<&BlastRadius>) {
    match permissions {
        Some(blast) => {
            enc.out.push(1);
            enc.out.push(tag(&PermissionClass::ALL, blast.class));
            enc.len(blast.grants.len());
            for g in &blast.grants {
                encode_grant(enc, g);
            }
            match &blast.boundary {
                Some(g) => {
                    enc.out.push(1);
                    encode_grant(enc, g);
                }
                None => enc.out.push(0),
            }
        }
        None => enc.out.push(0),
    }
}

fn encode_grant(enc: &mut Enc<'_>, g: &Grant) {
    enc.str(&g.from);
    enc.out.push(tag(&PermissionClass::ALL, g.class));
    enc.str(&g.why);
}

fn encode_finding(enc: &mut Enc<'_>, f: &Finding) {
    enc.stat(f.rule);
    enc.out.push(tag(&Severity::ALL, f.severity));
    enc.str(&f.address);
    enc.str(&f.message);
    enc.opt_str(f.before_pointer.as_deref());
    enc.opt_str(f.after_pointer.as_deref());
    match &f.witness {
        Some(w) => {
            enc.out.push(1);
            encode_request(enc, w);
        }
        None => enc.out.push(0),
    }
    enc.str(&f.fingerprint);
    match &f.suppressed {
        Some(s) => {
            enc.out.push(1);
            enc.str(&s.reason);
            enc.opt_str(s.expires.as_deref());
        }
        None => enc.out.push(0),
    }
}

fn encode_request(enc: &mut Enc<'_>, r: &Request) {
    enc.str(&r.role);
    enc.str(&r.action);
    enc.strs(&r.also);
    let (tag, value) = match &r.principal {
        Caller::Aws(v) => (0, v),
        Caller::Service(v) => (1, v),
        Caller::Federated(v) => (2, v),
    };
    enc.out.push(tag);
    enc.str(value);
    enc.bool(r.caller_allows);
    enc.len(r.context.len());
    for (key, value) in &r.context {
        enc.str(key);
        match value {
            ContextValue::Single(v) => {
                enc.out.push(0);
                enc.str(v);
            }
            ContextValue::Multi(list) => {
                enc.out.push(1);
                enc.strs(list);
            }
        }
    }
}

/// An enum value as its position in the list of every value (`ALL`), which decoding reads
/// back by the same list.
fn tag<T: PartialEq>(all: &[T], value: T) -> u8 {
    all.iter()
        .position(|x| *x == value)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(u8::MAX)
}

// ---- decoding ----

struct Dec<'a> {
    bytes: &'a [u8],
    at: usize,
    statics: &'a [&'static str],
}

impl<'a> Dec<'a> {
    fn class(&mut self) -> Option<PermissionClass> {
        PermissionClass::ALL.get(usize::from(self.byte()?)).copied()
    }

    fn grant(&mut self) -> Option<Grant> {
        Some(Grant {
            from: self.str()?,
            class: self.class()?,
            why: self.str()?,
        })
    }

    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at = self.at.checked_add(1)?;
        Some(b)
    }

    fn len(&mut self) -> Option<usize> {
        let mut n: u64 = 0;
        let mut shift = 0u32;
        loop {
            let b = self.byte()?;
            n |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return usize::try_from(n).ok();
            }
            shift = shift.checked_add(7)?;
            if shift > 63 {
                return None;
            }
        }
    }

    fn bool(&mut self) -> Option<bool> {
        match self.byte()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    fn raw(&mut self) -> Option<&'a [u8]> {
        let n = self.len()?;
        let end = self.at.checked_add(n)?;
        let s = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(s)
    }

    fn str(&mut self) -> Option<String> {
        std::str::from_utf8(self.raw()?).ok().map(str::to_string)
    }

    fn opt_str(&mut self) -> Option<Option<String>> {
        if self.bool()? {
            self.str().map(Some)
        } else {
            Some(None)
        }
    }

    fn strs(&mut self) -> Option<Vec<String>> {
        let n = self.len()?;
        // A length is checked against what is left before any allocation.
        let mut list = Vec::with_capacity(n.min(self.bytes.len()));
        for _ in 0..n {
            list.push(self.str()?);
        }
        Some(list)
    }

    fn stat(&mut self) -> Option<&'static str> {
        let n = self.len()?;
        self.statics.get(n).copied()
    }

    fn request(&mut self) -> Option<Request> {
        let role = self.str()?;
        let action = self.str()?;
        let also = self.strs()?;
        let principal = match self.byte()? {
            0 => Caller::Aws(self.str()?),
            1 => Caller::Service(self.str()?),
            2 => Caller::Federated(self.str()?),
            _ => return None,
        };
        let caller_allows = self.bool()?;
        let n = self.len()?;
        let mut context = BTreeMap::new();
        for _ in 0..n {
            let key = self.str()?;
            let value = match self.byte()? {
                0 => ContextValue::Single(self.str()?),
                1 => ContextValue::Multi(self.strs()?),
                _ => return None,
            };
            context.insert(key, value);
        }
        Some(Request {
            role,
            action,
            also,
            principal,
            caller_allows,
            context,
        })
    }
}

fn decode_role(dec: &mut Dec<'_>) -> Option<RoleReport> {
    let address = dec.str()?;
    let role_type = dec.stat()?;
    let actions = dec.strs()?;
    let verdict = *Verdict::ALL.get(usize::from(dec.byte()?))?;
    let before = CompactJson::from_text(dec.str()?);
    let after = CompactJson::from_text(dec.str()?);
    let previous_address = dec.opt_str()?;
    let own_account = dec.opt_str()?;
    let own_account_source = if dec.bool()? { Some(dec.stat()?) } else { None };
    let imported = dec.bool()?;
    let paired_with = dec.opt_str()?;
    let principals_before = dec.strs()?;
    let principals_after = dec.strs()?;
    let permissions = decode_permissions(dec)?;
    Some(RoleReport {
        plan: String::new(),
        address,
        role_type,
        actions,
        verdict,
        before,
        after,
        previous_address,
        own_account,
        own_account_source,
        imported,
        paired_with,
        principals_before,
        principals_after,
        permissions,
    })
}

/// What `encode_permissions` wrote; `None` when it cannot be decoded.
fn decode_permissions(dec: &mut Dec<'_>) -> Option<Option<BlastRadius>> {
    if !dec.bool()? {
        return Some(None);
    }
    let class = dec.class()?;
    let n = dec.len()?;
    let mut grants = Vec::with_capacity(n.min(dec.bytes.len()));
    for _ in 0..n {
        grants.push(dec.grant()?);
    }
    let boundary = if dec.bool()? {
        Some(Box::new(dec.grant()?))
    } else {
        None
    };
    Some(Some(BlastRadius {
        class,
        grants,
        boundary,
    }))
}

fn decode_findings(dec: &mut Dec<'_>, plan: &str) -> Option<Vec<Finding>> {
    let n = dec.len()?;
    let mut list = Vec::with_capacity(n.min(dec.bytes.len()));
    for _ in 0..n {
        let rule = dec.stat()?;
        let severity = *Severity::ALL.get(usize::from(dec.byte()?))?;
        let address = dec.str()?;
        let message = dec.str()?;
        let before_pointer = dec.opt_str()?;
        let after_pointer = dec.opt_str()?;
        let witness = if dec.bool()? {
            Some(dec.request()?)
        } else {
            None
        };
        let fingerprint = dec.str()?;
        let suppressed = if dec.bool()? {
            Some(Suppression {
                reason: dec.str()?,
                expires: dec.opt_str()?,
            })
        } else {
            None
        };
        list.push(Finding {
            rule,
            severity,
            plan: plan.to_string(),
            address,
            message,
            before_pointer,
            after_pointer,
            witness,
            fingerprint,
            suppressed,
        });
    }
    Some(list)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use crate::analysis::analyse_pair;
    use crate::rules::RuleSettings;

    /// Every rule fixture's result, with one finding suppressed so the suppression is encoded.
    fn fixture_results() -> Vec<RoleResult> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/rules");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
            .into_iter()
            .flatten()
            .flatten()
            .flat_map(|dir| {
                std::fs::read_dir(dir.path())
                    .into_iter()
                    .flatten()
                    .flatten()
            })
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        let text = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let settings = RuleSettings {
            all: true,
            ..RuleSettings::default()
        };
        let mut results = Vec::new();
        for file in files {
            let Ok(bytes) = std::fs::read(&file) else {
                continue;
            };
            let Ok(fixture) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
                continue;
            };
            if fixture.get("after").is_none() {
                continue;
            }
            let before = (!fixture["before"].is_null()).then(|| text(&fixture["before"]));
            let mut result = analyse_pair(
                before.as_deref(),
                &text(&fixture["after"]),
                Some("arn:aws:iam::111111111111:role/app"),
                &settings,
            );
            result.role.address = file.display().to_string();
            results.push(result);
        }
        if let Some(f) = results
            .iter_mut()
            .flat_map(|r| r.findings.iter_mut())
            .nth(3)
        {
            f.suppressed = Some(crate::finding::Suppression {
                reason: "accepted \u{1F512} risk".into(),
                expires: Some("2027-01-31".into()),
            });
        }
        results
    }

    fn round_trip(budget: usize) {
        let results = fixture_results();
        assert!(results.len() > 50, "the rule fixtures were not found");
        assert!(results
            .iter()
            .any(|r| r.findings.iter().any(|f| f.witness.is_some())));
        let store = Store::with_budget(budget);
        let mut held = Results::new(store);
        for r in &results {
            let slot = held.store.push(r, crate::suppress::Tally::default());
            held.push(&r.role.plan, slot);
        }
        assert_eq!(held.store.lock().file.is_some(), budget == 0);
        let roles: Vec<RoleReport> = held.roles().collect();
        let findings: Vec<Finding> = held.findings().collect();
        assert_eq!(roles.len(), results.len());
        for (got, want) in roles.iter().zip(&results) {
            assert_eq!(got, &want.role);
        }
        let want: Vec<&Finding> = results.iter().flat_map(|r| &r.findings).collect();
        assert_eq!(findings.iter().collect::<Vec<_>>(), want);
        assert!(findings.iter().any(|f| f.suppressed.is_some()));
        assert_eq!(held.failure(), None);
        let counted: u32 = held
            .slots()
            .map(|s| s.by_severity.iter().sum::<u32>())
            .sum();
        assert_eq!(counted as usize + 1, want.len());
    }

    /// Permissions kept beside a record (`with_permissions`) come back in its role, from
    /// memory and from the file, through every reader, with the record's findings and
    /// counts as they were; records without them keep their own.
    #[test]
    fn permissions_kept_beside_a_record_replace_its_own() {
        for budget in [usize::MAX, 0] {
            let results = fixture_results();
            let store = Store::with_budget(budget);
            let mut held = Results::new(store);
            let blast = BlastRadius {
                class: PermissionClass::AdminEquivalent,
                grants: vec![Grant {
                    from: "aws_iam_role_policy.admin".to_string(),
                    class: PermissionClass::AdminEquivalent,
                    why: "allows `*` on `*`".to_string(),
                }],
                boundary: Some(Box::new(Grant {
                    from: "arn:aws:iam::aws:policy/ReadOnlyAccess".to_string(),
                    class: PermissionClass::Other,
                    why: String::new(),
                })),
            };
            let mut want = Vec::new();
            for (i, r) in results.iter().enumerate() {
                let slot = held.store.push(r, crate::suppress::Tally::default());
                let mut expected = r.clone();
                let slot = if i % 2 == 0 {
                    expected.role.permissions = Some(blast.clone());
                    held.store.with_permissions(slot, &blast).unwrap()
                } else {
                    slot
                };
                let back = held.store.result(&slot, &r.role.plan).unwrap();
                assert_eq!(back.role, expected.role);
                assert_eq!(back.findings, expected.findings);
                held.push(&r.role.plan, slot);
                want.push(expected);
            }
            let roles: Vec<RoleReport> = held.roles().collect();
            assert_eq!(
                roles,
                want.iter().map(|r| r.role.clone()).collect::<Vec<_>>()
            );
            for (i, expected) in want.iter().enumerate() {
                let (role, findings) = held.record_at(i).unwrap();
                assert_eq!(role.as_ref(), Some(&expected.role));
                assert_eq!(findings, expected.findings);
            }
            let findings: Vec<Finding> = held.findings().collect();
            let all: Vec<Finding> = want.iter().flat_map(|r| r.findings.clone()).collect();
            assert_eq!(findings, all);
            assert_eq!(held.failure(), None);
        }
    }

    /// A location packs and unpacks to itself within its bounds, and does not pack past them
    /// (the caller then stores the whole record again).
    #[test]
    fn locations_pack_within_their_bounds() {
        let max_at = (1u64 << (64 - PACKED_LEN_BITS)) - 1;
        let max_len = (1u32 << PACKED_LEN_BITS) - 1;
        for (at, len) in [(0, 1), (7, 300), (max_at, max_len), (1 << 30, 2)] {
            assert_eq!(pack(at, len).map(unpack), Some((at, len)));
        }
        assert_eq!(pack(max_at + 1, 1), None);
        assert_eq!(pack(0, max_len + 1), None);
    }

    #[test]
    fn results_read_back_equal_from_memory() {
        round_trip(usize::MAX);
    }

    #[test]
    fn results_read_back_equal_from_the_temporary_file() {
        round_trip(0);
    }

    /// Trust texts stowed between records come back as they went in, from memory and from the
    /// file, and the records around them too.
    #[test]
    fn stowed_texts_come_back_between_records() {
        for budget in [usize::MAX, 0] {
            let store = Store::with_budget(budget);
            let result = crate::analysis::analyse_pair(
                None,
                r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#,
                None,
                &RuleSettings::default(),
            );
            let texts = ["{\"Statement\":[]}", "", "caf\u{e9} \u{1F600}"];
            let mut stowed = Vec::new();
            let mut slots = Vec::new();
            for text in texts {
                slots.push(store.push(&result, crate::suppress::Tally::default()));
                stowed.push(store.stow(text));
            }
            assert_eq!(store.lock().file.is_some(), budget == 0);
            assert_eq!(guard(&store.texts).file.is_some(), budget == 0);
            // Read back in another order than written: each read leaves appends at the end.
            for (text, at) in texts.iter().zip(&stowed).rev() {
                assert_eq!(store.unstow(*at).as_deref(), Ok(*text));
            }
            store.stow("after");
            for slot in &slots {
                assert_eq!(
                    store.result(slot, "p").unwrap().role.address,
                    result.role.address
                );
            }
            assert_eq!(store.unstow(stowed[0]).as_deref(), Ok(texts[0]));
        }
    }

    /// A spilled store holds more than its read-ahead windows and write buffer: texts read in
    /// interleaved runs, backwards, and right after appends (still buffered) all come back as
    /// they went in, and a text larger than a window too.
    #[test]
    fn spilled_texts_come_back_in_any_order() {
        let store = Store::with_budget(0);
        let text = |i: usize| format!("{i:05}:{}", "x".repeat(i * 37 % 3000));
        let n = 400;
        let mut stowed: Vec<Stowed> = (0..n).map(|i| store.stow(&text(i))).collect();
        let big = "y".repeat(3 * PENDING + 11);
        stowed.push(store.stow(&big));
        let check = |i: usize| {
            let want = if i == n { big.clone() } else { text(i) };
            assert_eq!(
                store.unstow(stowed[i]).as_deref(),
                Ok(want.as_str()),
                "text {i}"
            );
        };
        // Two forward runs at once, as a pass over first and later results reads them.
        for i in 0..n / 2 {
            check(i);
            check(i + n / 2);
        }
        for i in (0..=n).rev() {
            check(i);
        }
        // Appended after the reads: held in the write buffer until the next miss.
        let last = store.stow("last");
        assert_eq!(store.unstow(last).as_deref(), Ok("last"));
        check(n);
        check(0);
    }
}
