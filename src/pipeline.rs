//! Analysis overlapped with reading: the roles the plan reader hands out as it reads
//! (`plan::RoleSink`) are analysed on worker threads while the scan goes on, each result
//! judged by the configuration and kept encoded in the results store (`report::store`), and
//! used only for a role the finished plan holds exactly as it was analysed. The store also
//! keeps the trust texts of the roles the plan holds meanwhile (`stow`, `restore`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TrySendError};
use std::sync::Mutex;
use std::thread::Scope;

use crate::analysis;
use crate::finding::Finding;
use crate::plan::{RoleChange, RoleSink, TrustDoc};
use crate::report::store::{Slot, Store};
use crate::rules::RuleSettings;
use crate::suppress::Tally;

/// The configuration's say on one role's findings (`suppress::judge`).
pub type Judge<'a> = &'a (dyn Fn(&mut Vec<Finding>) -> Tally + Sync);

/// Which role: (input, in the order read; document in that input, 1-based; index in the
/// document's `Plan::roles`).
pub type Key = (usize, usize, usize);

/// Roles handed to the workers together: a worker parked for want of work is woken once per
/// batch, not per role (each wake-up is a system call on the reading thread, the run's
/// critical path).
type Job = Vec<(Key, RoleChange)>;
const BATCH: usize = 8;

/// Batches waiting for a worker, at most (256 roles): enough to ride out an entry that is slow
/// to analyse, few enough that a backlog never holds a large share of the plan's roles.
const QUEUE: usize = 32;

/// A result computed while reading (kept in the store), with a fingerprint of what it was
/// computed from beyond the role's own `resource_changes` record.
struct Early {
    slot: Slot,
    inputs: u64,
}

/// What the reader's early changes may differ in from the final ones: only what the rest of
/// the document adds (`drift`, `before_sensitive`: plan::extract; the own account and a
/// rename's pairing: plan::accounts, plan::pairing); the address too, to catch a mismatched
/// key. The provider key only informs those.
///
/// Kept as a keyed 64-bit hash, not a copy: a copy cost some 100 bytes a role, held for every
/// role until the plan is read. The key is random per run, so no plan can be written to make
/// two different inputs collide; by chance they do once in 2^64.
fn fingerprint(hasher: &RandomState, change: &RoleChange) -> u64 {
    hasher.hash_one((
        &change.address,
        &change.drift,
        change.before_sensitive,
        &change.own_account,
        &change.paired,
    ))
}

/// The results computed while reading, by role.
pub struct EarlyResults {
    by_key: HashMap<Key, Early>,
    hasher: RandomState,
}

impl EarlyResults {
    /// The result for the role at `key`, if it was computed from exactly `change` (else
    /// `None`, and the role is analysed again). Analysis started before the document's name
    /// was known; the store names each result by its slot's plan.
    pub fn take(&mut self, key: &Key, change: &RoleChange) -> Option<Slot> {
        let early = self.by_key.remove(key)?;
        (early.inputs == fingerprint(&self.hasher, change)).then_some(early.slot)
    }
}

/// What the workers share.
struct Shared<'env> {
    settings: &'env RuleSettings,
    judge: Judge<'env>,
    store: &'env Store,
    queue: Mutex<Receiver<Job>>,
    /// Set when reading failed: queued roles are dropped unanalysed.
    cancelled: AtomicBool,
    hasher: RandomState,
}

/// The `RoleSink` that feeds the workers; `input` is set by the reader's caller before each
/// input.
pub struct Pipeline<'scope, 'env> {
    scope: &'scope Scope<'scope, 'env>,
    shared: &'env Shared<'env>,
    jobs: Option<SyncSender<Job>>,
    /// Roles read since the last batch was handed over.
    pending: Job,
    done: Sender<(Key, Early)>,
    started: bool,
    pub input: usize,
}

impl Pipeline<'_, '_> {
    /// Hand the pending roles to the workers.
    fn send(&mut self) {
        let Some(jobs) = &self.jobs else {
            return;
        };
        let batch = std::mem::replace(&mut self.pending, Vec::with_capacity(BATCH));
        match jobs.try_send(batch) {
            Ok(()) => {}
            // The workers are behind (many roles, small entries): the reading thread takes
            // this batch itself, so the queue, and the memory it holds, stays bounded.
            Err(TrySendError::Full(batch)) => {
                for (key, change) in batch {
                    let _ = self.done.send((key, analyse(self.shared, change)));
                }
            }
            // Every worker is gone: the roles are analysed at the end like any other.
            Err(TrySendError::Disconnected(_)) => {}
        }
    }
}

impl RoleSink for Pipeline<'_, '_> {
    fn role(&mut self, doc: usize, index: usize, change: RoleChange) {
        if !self.started {
            self.started = true;
            // The reading thread keeps a core; the rest analyse. After reading it joins them.
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            for _ in 0..cores.saturating_sub(1).max(1) {
                let shared = self.shared;
                let done = self.done.clone();
                self.scope.spawn(move || work(shared, &done));
            }
        }
        if self.jobs.is_none() {
            return;
        }
        self.pending.push(((self.input, doc, index), change));
        if self.pending.len() >= BATCH {
            self.send();
        }
    }

    fn stow(&mut self, doc: &TrustDoc) -> Option<TrustDoc> {
        match doc {
            TrustDoc::Text(text) => Some(TrustDoc::Stowed(self.shared.store.stow(text))),
            _ => None,
        }
    }
}

/// Take roles off the queue and analyse them until it is closed and empty.
fn work(shared: &Shared<'_>, done: &Sender<(Key, Early)>) {
    loop {
        let job = match shared.queue.lock() {
            Ok(queue) => queue.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        let Ok(batch) = job else {
            return;
        };
        for (key, change) in batch {
            if shared.cancelled.load(Ordering::Relaxed) {
                break;
            }
            if done.send((key, analyse(shared, change))).is_err() {
                return;
            }
        }
    }
}

fn analyse(shared: &Shared<'_>, change: RoleChange) -> Early {
    let mut result = analysis::analyse("", &change, shared.settings);
    // What the role's result says when the plan says nothing more about it (most roles of a
    // large plan); the pass after the read replaces it where the plan does
    // (`RoleFacts::matter`).
    result.role.permissions = Some(crate::permissions::BlastRadius::unknown());
    Early {
        slot: store(shared.store, shared.judge, result),
        inputs: fingerprint(&shared.hasher, &change),
    }
}

/// `change` with the trust texts the reader stowed in `store` (`Pipeline::stow`) read back:
/// what analysing the role again needs. A text that cannot be read back is an error (the
/// report would be incomplete).
pub fn restore<'c>(store: &Store, change: &'c RoleChange) -> Result<Cow<'c, RoleChange>, String> {
    let stowed = |doc: &TrustDoc| matches!(doc, TrustDoc::Stowed(_));
    if !stowed(&change.before)
        && !stowed(&change.after)
        && !change.paired.as_ref().is_some_and(|p| stowed(&p.before))
    {
        return Ok(Cow::Borrowed(change));
    }
    let unstow = |doc: &mut TrustDoc| -> Result<(), String> {
        if let TrustDoc::Stowed(at) = doc {
            *doc = TrustDoc::Text(store.unstow(*at)?);
        }
        Ok(())
    };
    let mut change = change.clone();
    unstow(&mut change.before)?;
    unstow(&mut change.after)?;
    if let Some(paired) = change.paired.as_mut() {
        unstow(&mut paired.before)?;
    }
    Ok(Cow::Owned(change))
}

/// Judge a result's findings and keep it in the store.
pub fn store(store: &Store, judge: Judge<'_>, mut result: analysis::RoleResult) -> Slot {
    let tally = judge(&mut result.findings);
    store.push(&result, tally)
}

/// Run `read` with a `Pipeline` to hand to the plan reader; returns what `read` returned and
/// the results computed meanwhile (in `store`). When `read` fails, the queued roles are
/// dropped.
pub fn overlapped<T, E>(
    settings: &RuleSettings,
    judge: Judge<'_>,
    store: &Store,
    read: impl FnOnce(&mut Pipeline<'_, '_>) -> Result<T, E>,
) -> (Result<T, E>, EarlyResults) {
    let (jobs, queue) = mpsc::sync_channel::<Job>(QUEUE);
    let (done, finished) = mpsc::channel::<(Key, Early)>();
    let shared = Shared {
        settings,
        judge,
        store,
        queue: Mutex::new(queue),
        cancelled: AtomicBool::new(false),
        hasher: RandomState::new(),
    };
    let outcome = std::thread::scope(|scope| {
        let mut pipeline = Pipeline {
            scope,
            shared: &shared,
            jobs: Some(jobs),
            pending: Vec::with_capacity(BATCH),
            done: done.clone(),
            started: false,
            input: 0,
        };
        let outcome = read(&mut pipeline);
        if outcome.is_err() {
            shared.cancelled.store(true, Ordering::Relaxed);
            pipeline.pending.clear();
        } else if !pipeline.pending.is_empty() {
            // The last, partial batch.
            pipeline.send();
        }
        // Closing the queue lets the workers stop once it is empty; this thread helps empty it.
        pipeline.jobs = None;
        if pipeline.started {
            work(&shared, &done);
        }
        outcome
    });
    drop(done);
    let early = EarlyResults {
        by_key: finished.into_iter().collect(),
        hasher: shared.hasher,
    };
    (outcome, early)
}
