//! The streaming plan reader: plan documents read from any `Read` in fixed buffers, with
//! memory bounded by the largest IAM role entry rather than by the plan (SPEC §9).
//!
//! The scanner (`scan`) walks the JSON at byte speed. This module knows where in a plan it is:
//! it reads the top-level keys it needs, walks `resource_changes`/`resource_drift` entry by
//! entry, checks each entry's shape exactly as the typed records in `records` do (so an entry
//! is refused here whatever its type), and hands only the bytes of managed IAM role entries to
//! those typed records. Everything else is validated and skipped, never kept.
//!
//! Errors: a shape error names the JSON path and serde's own reason, found by running the
//! typed records over the captured bytes of the value at fault; a syntax error names its line
//! and column in the whole input. Every input (file, standard input, decoded UTF-16, a
//! converted binary plan) is read here, so each gets the same message.

use serde::de::DeserializeSeed;

use super::accounts::{account_number, arn_account, AccountFacts, ResourceKind};
use super::context::{self, Collector, Note};
use super::error::{one_line, PlanError};
use super::extract;
use super::facts::{
    resource_key, state_child, values_key, ProviderFound, ResourceKey, StateLevel, MODULE_DEPTH,
};
use super::model::{RoleChange, RoleSink};
use super::records::{
    self, change_key, check_document, entry_key, label, list_shape_reason, side_key, top_key,
    without_position, ChangeKey, DocRecord, EntryKey, InfoKey, LenientString, ResourceEntry,
    RoleRecord, SideKey, TopKey,
};
use super::scan::{Chunks, ScanError, Source, SHORT};

/// The largest role entry kept for the typed records; a bigger one is refused rather than
/// letting one entry take the memory a whole plan must fit in.
const ROLE_ENTRY_LIMIT: usize = 64 << 20;

/// How much of an entry is kept, once it is known not to be a role, in case it turns out
/// malformed and its bytes are needed for the message.
const OTHER_ENTRY_LIMIT: usize = 1 << 20;

/// The resource types whose entries are handed to the typed records (SPEC §1.1).
const ROLE_TYPES: &[&str] = &["aws_iam_role", "awscc_iam_role"];

/// Every document of the input, checked, in order. Stops at the first that cannot be read.
pub(super) fn read_documents<R: Chunks>(
    display: &str,
    reader: R,
    sink: &mut dyn RoleSink,
) -> Result<Vec<DocRecord>, PlanError> {
    let mut plan = PlanStream {
        src: Source::new(reader),
        display,
        sink,
        doc_no: 0,
        spans: context::Spans::default(),
        trim: Trim::default(),
        context: None,
    };
    let mut docs = Vec::new();
    loop {
        let doc_no = docs.len().saturating_add(1);
        let first = match plan.src.peek_nonws() {
            Ok(Some(b)) => b,
            Ok(None) => break,
            Err(err) => return Err(plan.scan_failure(err)),
        };
        if first != b'{' {
            return Err(plan.not_an_object(first, doc_no));
        }
        plan.src.bump();
        plan.doc_no = doc_no;
        match plan.document() {
            Ok(mut doc) => {
                doc.context = plan
                    .context
                    .take()
                    .map(Collector::finish)
                    .unwrap_or_default();
                check_document(&doc, &label(display, doc_no))?;
                docs.push(doc);
            }
            Err(Stop::Scan(err)) => return Err(plan.scan_failure(err)),
            // Said at once, without reading on: a wrong type is the plan's own fault, and a
            // stream that has not ended must not keep the gate waiting.
            Err(Stop::Shape { path, reason }) => {
                return Err(PlanError::Shape {
                    file: label(display, doc_no),
                    path: one_line(&path),
                    reason,
                });
            }
        }
    }
    if docs.is_empty() {
        return Err(PlanError::Empty {
            file: display.to_string(),
        });
    }
    Ok(docs)
}

/// The data source whose values describe the provider's own account.
const CALLER: &str = "aws_caller_identity";

/// The account of an ARN, as a number.
fn arn_number(arn: &str) -> Option<u64> {
    arn_account(arn).and_then(account_number)
}

/// A side's `arn` and `account_id` accounts.
type Side = (Option<u64>, Option<u64>);

/// Why the walk stopped.
enum Stop {
    Scan(ScanError),
    /// A value of the wrong shape: its JSON path in the document and serde's reason.
    Shape {
        path: String,
        reason: String,
    },
}

impl From<ScanError> for Stop {
    fn from(err: ScanError) -> Self {
        Stop::Scan(err)
    }
}

/// A wrong shape found by the scanner inside a resource entry: the entry's bytes are then
/// given to the typed records for the exact path and reason.
struct Malformed;

enum EntryStop {
    Stop(Stop),
    Malformed,
}

impl From<ScanError> for EntryStop {
    fn from(err: ScanError) -> Self {
        EntryStop::Stop(Stop::Scan(err))
    }
}

impl From<Malformed> for EntryStop {
    fn from(_: Malformed) -> Self {
        EntryStop::Malformed
    }
}

struct PlanStream<'a, R> {
    src: Source<R>,
    display: &'a str,
    /// Told of each `resource_changes` role as it is read.
    sink: &'a mut dyn RoleSink,
    /// The document being read (1-based).
    doc_no: usize,
    /// Where the entry being read holds what `context` keeps (offsets into its capture).
    spans: context::Spans,
    /// The members of the entry's sides that the typed records read (`Trim`).
    trim: Trim,
    /// What the document being read says about its roles' permissions and consumers,
    /// collected on its own thread (started at the first note).
    context: Option<Collector>,
}

/// A role entry as the typed records need it: each side object (`before`, `after`) cut down
/// to the members `SideRecord` reads (trust documents, `arn` and the informing strings), in
/// their order, the rest of the entry as it is; a trust document's value is written `null`
/// and its text put back into the record afterwards (`patch`), since serde would only scan
/// it for its end. Most of a side's bytes are attributes serde would only stream past (tags,
/// policies, dates), a second time on the reading thread.
/// Offsets are into the entry's capture; recorded only while the address names a role type,
/// and used only when every offset was known, else the typed records read the whole entry.
#[derive(Default)]
struct Trim {
    /// Whether the sides below describe the entry (cleared when an offset is unknown).
    whole: bool,
    sides: Vec<TrimSide>,
}

/// One side object of a `Trim`.
struct TrimSide {
    /// `after`, else `before`.
    after: bool,
    /// From `{` to past `}`.
    object: Span,
    /// The members the typed records read, each with, for a trust document, whether it is
    /// awscc's and its value.
    members: Vec<(Span, Option<(bool, Span)>)>,
}

/// A range of offsets into an entry's capture, `(start, end)`.
type Span = (usize, usize);

impl Trim {
    fn start(&mut self, whole: bool) {
        self.whole = whole;
        self.sides.clear();
    }

    /// The entry's bytes with each side cut down, or `None` to read them whole.
    fn apply(&self, bytes: &[u8]) -> Option<Vec<u8>> {
        if !self.whole || self.sides.is_empty() {
            return None;
        }
        let mut out = Vec::with_capacity(bytes.len());
        let mut at = 0;
        for side in &self.sides {
            let (start, end) = side.object;
            out.extend_from_slice(bytes.get(at..start)?);
            out.push(b'{');
            for (i, ((from, to), trust)) in side.members.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                match trust {
                    Some((_, (value, _))) => {
                        out.extend_from_slice(bytes.get(*from..*value)?);
                        out.extend_from_slice(b"null");
                    }
                    None => out.extend_from_slice(bytes.get(*from..*to)?),
                }
            }
            out.push(b'}');
            at = end;
        }
        out.extend_from_slice(bytes.get(at..)?);
        Some(out)
    }

    /// Put the trust documents written `null` by `apply` back into `role`, from `bytes`.
    fn patch(&self, bytes: &[u8], role: &mut RoleRecord) -> Option<()> {
        for side in &self.sides {
            let record = if side.after {
                role.change.after.as_mut()
            } else {
                role.change.before.as_mut()
            };
            let Some(record) = record else {
                continue;
            };
            for (awscc, (from, to)) in side.members.iter().filter_map(|m| m.1) {
                let text: Box<str> = std::str::from_utf8(bytes.get(from..to)?).ok()?.into();
                if awscc {
                    record.awscc_trust = Some(text);
                } else {
                    record.aws_trust = Some(text);
                }
            }
        }
        Some(())
    }
}

#[cfg(test)]
thread_local! {
    /// Role entries read from trimmed bytes on this thread, so tests can tell trimming ran
    /// (a trim that broke the JSON would fall back to the whole entry unseen).
    static TRIMMED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Refuse a second occurrence of a key, like the typed records do.
fn once(seen: &mut bool, name: &str) -> Result<(), Stop> {
    if std::mem::replace(seen, true) {
        return Err(Stop::Shape {
            path: "top level".to_string(),
            reason: format!("duplicate field `{name}`"),
        });
    }
    Ok(())
}

impl<R: Chunks> PlanStream<'_, R> {
    // --- documents -----------------------------------------------------------------------

    /// One plan document; its `{` is consumed.
    fn document(&mut self) -> Result<DocRecord, Stop> {
        let mut doc = DocRecord::default();
        let mut seen = [false; 7];
        // Once the version is one trustgate cannot read, the
        // resource lists may have any shape, and the version error is the one to give.
        let mut unsupported = false;
        if !self.src.first_key()? {
            return Ok(doc);
        }
        loop {
            let key = self.src.key(top_key)?;
            self.src.colon()?;
            match key {
                TopKey::FormatVersion => {
                    once(&mut seen[0], "format_version")?;
                    doc.has_plan_key = true;
                    doc.format_version = self.scalar::<Option<String>>("format_version")?;
                    unsupported |= doc
                        .format_version
                        .as_deref()
                        .is_some_and(|v| !records::supported_version(v));
                }
                TopKey::PlanFormatVersion => {
                    once(&mut seen[1], "plan_format_version")?;
                    doc.has_plan_key = true;
                    doc.plan_format_version =
                        self.scalar::<Option<String>>("plan_format_version")?;
                    unsupported |= doc
                        .plan_format_version
                        .as_deref()
                        .is_some_and(|v| !records::supported_version(v));
                }
                TopKey::TerraformVersion => {
                    once(&mut seen[2], "terraform_version")?;
                    doc.has_plan_key = true;
                    doc.terraform_version = self.scalar::<LenientString>("terraform_version")?.0;
                }
                TopKey::Complete => {
                    once(&mut seen[3], "complete")?;
                    doc.complete = self.scalar("complete")?;
                }
                TopKey::Errored => {
                    once(&mut seen[4], "errored")?;
                    doc.errored = self.scalar("errored")?;
                }
                TopKey::ResourceChanges => {
                    once(&mut seen[5], "resource_changes")?;
                    doc.has_plan_key = true;
                    if unsupported {
                        self.src.skip_value()?;
                    } else {
                        doc.changes = self
                            .resource_list("resource_changes", Some(&doc.drift), &mut doc.facts)?
                            .1;
                    }
                }
                TopKey::ResourceDrift => {
                    once(&mut seen[6], "resource_drift")?;
                    if unsupported {
                        self.src.skip_value()?;
                    } else {
                        doc.drift = self
                            .resource_list("resource_drift", None, &mut AccountFacts::default())?
                            .0;
                    }
                }
                TopKey::Configuration => {
                    doc.has_plan_key = true;
                    let mut out = Config {
                        sources: &mut doc.module_sources,
                        facts: &mut doc.facts,
                    };
                    self.config(Level::Root, String::new(), &mut out, 0)?;
                }
                TopKey::PlannedValues => {
                    doc.has_plan_key = true;
                    self.state(StateLevel::PlannedValues, 0, false, &mut doc.facts)?;
                    self.note(Note::PlannedRolesRead);
                }
                TopKey::PriorState => {
                    doc.has_plan_key = true;
                    self.state(StateLevel::PriorState, 0, true, &mut doc.facts)?;
                }
                TopKey::EventKey => {
                    doc.has_event_key = true;
                    self.src.skip_value()?;
                }
                TopKey::Other => self.src.skip_value()?,
            }
            if !self.src.next_key()? {
                return Ok(doc);
            }
        }
    }

    /// A small top-level value, read by serde from its captured bytes (so its type rules and
    /// messages are serde's).
    fn scalar<T: serde::de::DeserializeOwned>(&mut self, path: &str) -> Result<T, Stop> {
        let shape = |bytes: &[u8]| match serde_json::from_slice::<T>(bytes) {
            Err(err) if err.classify() == serde_json::error::Category::Data => {
                Some(without_position(&err))
            }
            _ => None,
        };
        let bytes = self.captured_value(path, shape)?;
        serde_json::from_slice(&bytes).map_err(|err| Stop::Shape {
            path: path.to_string(),
            reason: without_position(&err),
        })
    }

    /// Read the next value, starting with `first`: a string is read (not skipped) as serde
    /// reads a string it is given, so its faults are placed where serde places them.
    fn read_value(&mut self, first: u8) -> Result<(), ScanError> {
        if first == b'"' {
            self.src.bump();
            self.src.string(usize::MAX).map(|_| ())
        } else {
            self.src.skip_value()
        }
    }

    /// The bytes of the next value (at `path`). When its JSON is broken, `shape` is asked
    /// about the bytes up to the fault: a wrong type serde finds before it is the error to
    /// give (serde reads in order, and says so first), else the syntax error is.
    fn captured_value(
        &mut self,
        path: &str,
        shape: impl Fn(&[u8]) -> Option<String>,
    ) -> Result<Vec<u8>, Stop> {
        let first = self.src.peek_nonws()?;
        self.src.begin_capture(usize::MAX);
        if let Err(err) = self.read_value(first.unwrap_or_default()) {
            let reason = self.src.captured_so_far().and_then(|bytes| shape(&bytes));
            self.src.drop_capture();
            return Err(match reason {
                Some(reason) if matches!(err, ScanError::Syntax { .. }) => Stop::Shape {
                    path: path.to_string(),
                    reason,
                },
                _ => Stop::Scan(err),
            });
        }
        Ok(self.src.end_capture().unwrap_or_default())
    }

    // --- resource lists ------------------------------------------------------------------

    /// `resource_changes` (with the drift records read before it) / `resource_drift`
    /// (`earlier_drift` is `None`): null, or a list whose role entries are kept. Returns the
    /// drift records, or the changes.
    fn resource_list(
        &mut self,
        name: &str,
        earlier_drift: Option<&[RoleRecord]>,
        facts: &mut AccountFacts,
    ) -> Result<(Vec<RoleRecord>, Vec<RoleChange>), Stop> {
        let drift = earlier_drift.is_none();
        let earlier_drift = earlier_drift.map(extract::DriftIndex::new);
        // Drift records are kept as records (extraction reads them at the end); changes
        // are converted as they are read.
        let mut roles = Vec::new();
        let mut changes = Vec::new();
        match self.src.peek_nonws()? {
            Some(b'n') => {
                self.src.bump();
                self.src.literal(b"ull")?;
                return Ok((roles, changes));
            }
            Some(b'[') => self.src.bump(),
            _ => {
                // Not a list: serde over the value says what it is.
                let bytes = self.captured_value(name, list_shape_reason)?;
                return Err(Stop::Shape {
                    path: name.to_string(),
                    reason: list_shape_reason(&bytes)
                        .unwrap_or_else(|| "expected a list of resource changes".into()),
                });
            }
        }
        if !self.src.first_element()? {
            return Ok((roles, changes));
        }
        let mut index = 0;
        loop {
            let start = self.src.peek_nonws()?;
            self.src.begin_capture(ROLE_ENTRY_LIMIT);
            let outcome = match start {
                Some(b'{') => {
                    self.src.bump();
                    self.entry(drift, facts)
                }
                _ => {
                    // Not an object: skip it so serde can say what it is.
                    match self.src.skip_value() {
                        Ok(()) => Err(EntryStop::Malformed),
                        Err(err) => Err(EntryStop::Stop(Stop::Scan(err))),
                    }
                }
            };
            match outcome {
                Ok(Kept::Context) => {
                    // Context only informs: an entry too large to keep is skipped.
                    if let Some(bytes) = self.src.end_capture().filter(|_| !drift) {
                        self.context_entry(bytes);
                    }
                }
                Ok(Kept::Role) => {
                    let Some(bytes) = self.src.end_capture() else {
                        return Err(Stop::Shape {
                            path: format!("{name}[{index}]"),
                            reason: format!(
                                "the entry is larger than {} MiB, more than trustgate reads \
                                 for one role",
                                ROLE_ENTRY_LIMIT >> 20
                            ),
                        });
                    };
                    // Read from the trimmed bytes; an error is worded from the whole entry.
                    let trimmed = self.trim.apply(&bytes).and_then(|trimmed| {
                        let mut role = typed_entry(&trimmed, drift).ok()?;
                        if let Some(role) = role.as_mut() {
                            self.trim.patch(&bytes, role)?;
                        }
                        #[cfg(test)]
                        TRIMMED.with(|n| n.set(n.get().saturating_add(1)));
                        Some(role)
                    });
                    let typed = match trimmed {
                        Some(role) => Ok(role),
                        None => typed_entry(&bytes, drift),
                    };
                    if !drift {
                        // Read first, so the bytes move to the context instead of a copy.
                        self.context_entry(bytes);
                    }
                    match typed {
                        Ok(Some(role)) => {
                            if let Some(earlier) = &earlier_drift {
                                // Converted now, so the record's copies are not kept.
                                let mut change = extract::role_change(role);
                                if self.sink.wants_roles() {
                                    // The texts move to the copy handed out, the kept change
                                    // holds where the sink stowed them: copying them for the
                                    // copy was most of its cost.
                                    let before = self.sink.stow(&change.before);
                                    let after = self.sink.stow(&change.after);
                                    let before =
                                        before.map(|s| std::mem::replace(&mut change.before, s));
                                    let after =
                                        after.map(|s| std::mem::replace(&mut change.after, s));
                                    let mut early = extract::early_change(&change, earlier);
                                    if let Some(text) = before {
                                        early.before = text;
                                    }
                                    if let Some(text) = after {
                                        early.after = text;
                                    }
                                    self.sink.role(self.doc_no, changes.len(), early);
                                }
                                changes.push(change);
                            } else {
                                roles.push(role);
                            }
                        }
                        Ok(None) => {}
                        // The scanner read the entry whole, so serde's reason stands even for
                        // JSON it refuses that the scanner does not (an escape it checks).
                        Err((path, reason, _)) => {
                            return Err(Stop::Shape {
                                path: join_path(name, index, &path),
                                reason,
                            })
                        }
                    }
                }
                Ok(Kept::No) => self.src.drop_capture(),
                Err(EntryStop::Malformed) => return Err(self.malformed(name, index, drift)),
                Err(EntryStop::Stop(Stop::Scan(err @ ScanError::Syntax { .. }))) => {
                    // serde reads in order too: a wrong type it meets before the broken JSON
                    // is the error it gives.
                    let found = self.src.captured_so_far().map(|b| typed_entry(&b, drift));
                    self.src.drop_capture();
                    return Err(match found {
                        Some(Err((path, reason, true))) => Stop::Shape {
                            path: join_path(name, index, &path),
                            reason,
                        },
                        _ => Stop::Scan(err),
                    });
                }
                Err(EntryStop::Stop(stop)) => {
                    self.src.drop_capture();
                    return Err(stop);
                }
            }
            index = index.saturating_add(1);
            if !self.src.next_element()? {
                return Ok((roles, changes));
            }
        }
    }

    /// The shape error for entry `index`: serde's, from the bytes captured so far (they reach
    /// past the fault, so serde meets it before the bytes end), else a plain one.
    fn malformed(&mut self, name: &str, index: usize, drift: bool) -> Stop {
        let mut found = self
            .src
            .captured_so_far()
            .and_then(|bytes| typed_entry(&bytes, drift).err());
        if matches!(found, Some((_, _, false))) {
            // serde met broken JSON or the end of the bytes seen before a wrong type: the value
            // here is broken (its syntax error is the one to give), or reaches past those bytes.
            if let Err(err) = self.src.skip_value() {
                self.src.drop_capture();
                return Stop::Scan(err);
            }
            found = self
                .src
                .captured_so_far()
                .and_then(|bytes| typed_entry(&bytes, drift).err());
        }
        self.src.drop_capture();
        match found {
            Some((path, reason, true)) => Stop::Shape {
                path: join_path(name, index, &path),
                reason,
            },
            Some((path, _, false)) => Stop::Shape {
                path: join_path(name, index, &path),
                reason: NOT_AN_ENTRY.to_string(),
            },
            None => Stop::Shape {
                path: format!("{name}[{index}]"),
                reason: NOT_AN_ENTRY.to_string(),
            },
        }
    }

    /// One entry (its `{` consumed), checked like the typed `ResourceEntry`; whether it is a
    /// managed IAM role (its captured bytes then go to the typed records).
    fn entry(&mut self, drift: bool, facts: &mut AccountFacts) -> Result<Kept, EntryStop> {
        let mut seen = [false; 9];
        self.spans.clear();
        self.trim.start(false);
        let mut kept_type = None;
        // What the entry tells of accounts (as the typed `ResourceEntry` records it).
        let mut address = None;
        let mut data = false;
        let mut resource_type = None;
        let mut sides = Vec::new();
        let mut is_role_type = false;
        let mut managed = true;
        let (mut has_address, mut has_name, mut has_type, mut has_change) =
            (false, false, false, false);
        if self.src.first_key()? {
            loop {
                let key = self.src.key(entry_key)?;
                self.src.colon()?;
                let slot = match key {
                    EntryKey::Address => 0,
                    EntryKey::Mode => 1,
                    EntryKey::Type => 2,
                    EntryKey::Name => 3,
                    EntryKey::ModuleAddress => 4,
                    EntryKey::Index => 5,
                    EntryKey::PreviousAddress => 6,
                    EntryKey::ActionReason => 7,
                    EntryKey::Change => 8,
                    EntryKey::Other => 9,
                };
                if let Some(seen) = seen.get_mut(slot) {
                    if std::mem::replace(seen, true) {
                        return Err(EntryStop::Malformed);
                    }
                }
                match key {
                    EntryKey::Address => {
                        let start = self.capture_start()?;
                        // A managed resource's address names its type: only a role's
                        // sides are recorded for trimming (a wrong guess reads whole).
                        let read = self.string_with(false, |a| {
                            (facts.address_key(a), a.contains("iam_role"))
                        })?;
                        address = read.map(|r| r.0);
                        self.trim.start(read.is_some_and(|r| r.1));
                        has_address = address.is_some();
                        self.spans.address(self.value_span(start));
                    }
                    EntryKey::Type => {
                        has_type = true;
                        let kind = self.string_with(false, |t| {
                            (
                                ROLE_TYPES.contains(&t),
                                ResourceKind::of(None, t),
                                t == CALLER,
                                context::context_type(t),
                            )
                        })?;
                        is_role_type = kind.is_some_and(|k| k.0);
                        resource_type = kind.map(|k| (k.1, k.2));
                        kept_type = kind.and_then(|k| k.3);
                        self.spans.resource_type(kept_type);
                        if !is_role_type && kept_type.is_none() {
                            self.src.limit_capture(OTHER_ENTRY_LIMIT);
                        }
                    }
                    EntryKey::Mode => {
                        // A missing or null mode is managed (the oldest formats omit it).
                        let read = self.string_with(true, |m| (m == "managed", m == "data"))?;
                        managed = read.is_none_or(|m| m.0);
                        data = read.is_some_and(|m| m.1);
                        if !managed {
                            self.spans.resource_type(None);
                            self.src.limit_capture(OTHER_ENTRY_LIMIT);
                        }
                    }
                    EntryKey::Name => has_name = self.string_value(true, &[])?.is_some(),
                    EntryKey::ModuleAddress
                    | EntryKey::PreviousAddress
                    | EntryKey::ActionReason => {
                        self.string_value(true, &[])?;
                    }
                    EntryKey::Change => {
                        has_change = true;
                        sides.clear();
                        self.change(&mut sides)?;
                    }
                    EntryKey::Index | EntryKey::Other => self.src.skip_value()?,
                }
                if !self.src.next_key()? {
                    break;
                }
            }
        }
        // Terraform 1.0.0 wrote drift entries without `address`; the typed records rebuild it
        // from `name`, and refuses the entry without either.
        if !has_type || !has_change || !(has_address || (drift && has_name)) {
            return Err(EntryStop::Malformed);
        }
        if let (false, Some(address)) = (drift, address) {
            facts.saw_change(address);
        }
        if let (false, Some(address), Some((managed_kind, caller))) =
            (drift, address, resource_type)
        {
            let kind = match (data, caller) {
                (false, _) => managed_kind,
                (true, true) => ResourceKind::CallerIdentity,
                (true, false) => ResourceKind::OtherData,
            };
            for (arn, account_id) in sides {
                facts.resource_key(address, kind, arn, account_id);
            }
        }
        Ok(match (managed, is_role_type, kept_type) {
            (true, true, _) => Kept::Role,
            (true, false, Some(_)) => Kept::Context,
            _ => Kept::No,
        })
    }

    /// A `resource_changes` entry of a type `context` reads (its captured bytes).
    fn context_entry(&mut self, bytes: Vec<u8>) {
        let spans = std::mem::take(&mut self.spans);
        self.note(Note::Entry(bytes, spans));
    }

    /// Tell the document's context collector, started at the first note.
    fn note(&mut self, note: Note) {
        self.context.get_or_insert_with(Collector::new).note(note);
    }

    /// Where the next value starts in the entry's captured bytes.
    fn capture_start(&mut self) -> Result<Option<usize>, ScanError> {
        self.src.peek_nonws()?;
        Ok(self.src.capture_offset())
    }

    /// The span from `start` to here, when the capture is still whole.
    fn value_span(&self, start: Option<usize>) -> Option<(usize, usize)> {
        Some((start?, self.src.capture_offset()?))
    }

    /// The first byte of the next value, consumed, when it is one of `want`; else the value is
    /// malformed, and left unread so that its own faults can be found where they are.
    fn value_start(&mut self, want: &[u8]) -> Result<u8, EntryStop> {
        match self.src.peek_nonws()? {
            Some(b) if want.contains(&b) => {
                self.src.bump();
                Ok(b)
            }
            _ => Err(Malformed.into()),
        }
    }

    /// What `read` makes of a string (or, when `nullable`, `None` for null); any other value
    /// is malformed.
    fn string_with<T>(
        &mut self,
        nullable: bool,
        read: impl FnOnce(&str) -> T,
    ) -> Result<Option<T>, EntryStop> {
        match self.src.peek_nonws()? {
            Some(b'"') => {
                self.src.bump();
                Ok(Some(read(self.src.string(usize::MAX)?.unwrap_or_default())))
            }
            Some(b'n') if nullable => {
                self.src.bump();
                self.src.literal(b"ull")?;
                Ok(None)
            }
            _ => Err(Malformed.into()),
        }
    }

    /// A string (or, when `nullable`, null): whether it is one of `names` (a string too long
    /// to be any is none of them), `None` for null. Any other value is malformed.
    fn string_value(&mut self, nullable: bool, names: &[&str]) -> Result<Option<bool>, EntryStop> {
        match self.src.peek_nonws()? {
            Some(b'"') => {
                self.src.bump();
                let text = self.src.string(SHORT)?.unwrap_or_default();
                Ok(Some(names.contains(&text)))
            }
            Some(b'n') if nullable => {
                self.src.bump();
                self.src.literal(b"ull")?;
                Ok(None)
            }
            _ => Err(Malformed.into()),
        }
    }

    /// `change` (typed `ChangeRecord`): an object with an `actions` list of strings, sides
    /// that are null or objects, and markers that are booleans, null or objects.
    fn change(&mut self, sides: &mut Vec<Side>) -> Result<(), EntryStop> {
        self.value_start(b"{")?;
        let mut seen = [false; 8];
        if self.src.first_key()? {
            loop {
                let key = self.src.key(change_key)?;
                self.src.colon()?;
                let slot = match key {
                    ChangeKey::Actions => 0,
                    ChangeKey::Before => 1,
                    ChangeKey::After => 2,
                    ChangeKey::AfterUnknown => 3,
                    ChangeKey::BeforeSensitive => 4,
                    ChangeKey::AfterSensitive => 5,
                    ChangeKey::Importing => 6,
                    ChangeKey::Other => 7,
                };
                if slot < 7 {
                    if let Some(seen) = seen.get_mut(slot) {
                        if std::mem::replace(seen, true) {
                            return Err(Malformed.into());
                        }
                    }
                }
                match key {
                    ChangeKey::Actions => self.actions()?,
                    ChangeKey::Before | ChangeKey::After => {
                        if let Some(side) = self.side(matches!(key, ChangeKey::After))? {
                            sides.push(side);
                        }
                    }
                    ChangeKey::AfterUnknown
                    | ChangeKey::BeforeSensitive
                    | ChangeKey::AfterSensitive => self.marks()?,
                    ChangeKey::Importing | ChangeKey::Other => self.src.skip_value()?,
                }
                if !self.src.next_key()? {
                    break;
                }
            }
        }
        if seen.first() != Some(&true) {
            return Err(Malformed.into());
        }
        Ok(())
    }

    fn actions(&mut self) -> Result<(), EntryStop> {
        self.value_start(b"[")?;
        if !self.src.first_element()? {
            return Ok(());
        }
        loop {
            self.value_start(b"\"")?;
            self.src.string(SHORT)?;
            if !self.src.next_element()? {
                return Ok(());
            }
        }
    }

    /// `before` / `after`: null or an object of attributes; only duplicate trust or ARN keys
    /// are refused (as the typed `SideRecord` does). Returns its `arn` and `account_id`
    /// strings (`None` for null).
    fn side(&mut self, after: bool) -> Result<Option<Side>, EntryStop> {
        match self.value_start(b"n{")? {
            b'n' => {
                self.spans.side(after, false);
                self.src.literal(b"ull")?;
                return Ok(None);
            }
            b'{' => self.spans.side(after, true),
            _ => return Err(Malformed.into()),
        }
        let mut seen = [false; 3];
        let (mut arn, mut account_id) = (None, None);
        // The side's `{` (consumed) and the members the typed records read (`Trim`).
        let object = self.src.capture_offset().map(|o| o.saturating_sub(1));
        let mut members = Vec::new();
        if !self.src.first_key()? {
            return Ok(Some((arn, account_id)));
        }
        loop {
            // The key's opening quote is consumed.
            let member = self.src.capture_offset().map(|o| o.saturating_sub(1));
            let (key, kept) = self.src.key(|k| (side_key(k), context::context_attr(k)))?;
            let slot = match key {
                SideKey::AwsTrust => Some(0),
                SideKey::AwsccTrust => Some(1),
                SideKey::Arn => Some(2),
                SideKey::Info(_) | SideKey::Other => None,
            };
            if let Some(seen) = slot.and_then(|i| seen.get_mut(i)) {
                if std::mem::replace(seen, true) {
                    return Err(Malformed.into());
                }
            }
            self.src.colon()?;
            // Where the value starts, for the spans kept of it (most attributes keep none).
            let trust = match key {
                SideKey::AwsTrust => Some(false),
                SideKey::AwsccTrust => Some(true),
                _ => None,
            };
            let start = if matches!(key, SideKey::Arn) || kept.is_some() || trust.is_some() {
                self.capture_start()?
            } else {
                None
            };
            // serde reads the string attributes (checking them as it does any string it
            // reads); every other value only streams past. A repeated informing key is the
            // last, a value of another type none, as `LenientString` reads them.
            match key {
                SideKey::Arn => arn = self.lenient_with(arn_number)?.flatten(),
                SideKey::Info(InfoKey::AccountId) => {
                    account_id = self.lenient_with(account_number)?.flatten();
                }
                SideKey::Info(_) => {
                    self.lenient_with(|_| ())?;
                }
                _ => self.src.skip_value()?,
            }
            let read = !matches!(key, SideKey::Other);
            match (key, kept) {
                (SideKey::Arn, _) => self.spans.arn(after, self.value_span(start)),
                (_, Some(name)) => self.spans.attr(after, name, self.value_span(start)),
                _ => {}
            }
            if self.trim.whole && read {
                let value = trust.map(|awscc| Some((awscc, self.value_span(start)?)));
                match (self.value_span(member), value) {
                    (Some(span), None) => members.push((span, None)),
                    (Some(span), Some(Some(trust))) => members.push((span, Some(trust))),
                    _ => self.trim.whole = false,
                }
            }
            if !self.src.next_key()? {
                if self.trim.whole {
                    match self.value_span(object) {
                        Some(object) => self.trim.sides.push(TrimSide {
                            after,
                            object,
                            members,
                        }),
                        None => self.trim.whole = false,
                    }
                }
                return Ok(Some((arn, account_id)));
            }
        }
    }

    /// A value read as `LenientString` reads it: a string's text, anything else skipped.
    fn lenient_string(&mut self) -> Result<Option<String>, ScanError> {
        self.lenient_with(str::to_string)
    }

    /// What `read` makes of a value read as `LenientString` reads it (a string), without
    /// copying it; `None` for any other value, skipped.
    fn lenient_with<T>(&mut self, read: impl FnOnce(&str) -> T) -> Result<Option<T>, ScanError> {
        if self.src.peek_nonws()? == Some(b'"') {
            self.src.bump();
            return Ok(self.src.string(usize::MAX)?.map(read));
        }
        self.src.skip_value()?;
        Ok(None)
    }

    // --- prior_state / planned_values ----------------------------------------------------

    /// Walk `prior_state` / `planned_values` (the keys `facts::state_child` names), recording
    /// each resource's accounts into `facts`; everything else streams past.
    fn state(
        &mut self,
        level: StateLevel,
        depth: usize,
        prior: bool,
        facts: &mut AccountFacts,
    ) -> Result<(), Stop> {
        let lists = matches!(level, StateLevel::Modules | StateLevel::Resources);
        match self.src.peek_nonws()? {
            Some(b'{') => {
                self.src.bump();
                if !self.src.first_key()? {
                    return Ok(());
                }
                loop {
                    let child = self.src.key(|k| k.to_vec())?;
                    let child =
                        state_child(level, &child).filter(|_| !lists && depth <= MODULE_DEPTH);
                    self.src.colon()?;
                    match child {
                        Some(child) => {
                            self.state(child, depth.saturating_add(1), prior, facts)?;
                        }
                        None => self.src.skip_value()?,
                    }
                    if !self.src.next_key()? {
                        return Ok(());
                    }
                }
            }
            Some(b'[') if lists => {
                self.src.bump();
                if !self.src.first_element()? {
                    return Ok(());
                }
                loop {
                    if level == StateLevel::Resources {
                        self.state_resource(prior, facts)?;
                    } else {
                        self.state(StateLevel::Module, depth, prior, facts)?;
                    }
                    if !self.src.next_element()? {
                        return Ok(());
                    }
                }
            }
            _ => Ok(self.any_value()?),
        }
    }

    /// One state resource: its address, mode, type and `values.arn` / `values.account_id`,
    /// recorded into `facts` (as `StateResource::record` does), read without copying.
    fn state_resource(&mut self, prior: bool, facts: &mut AccountFacts) -> Result<(), Stop> {
        if self.src.peek_nonws()? != Some(b'{') {
            return Ok(self.any_value()?);
        }
        self.src.bump();
        // Each a repeated key's last value, `None` for a value that is not a string.
        let (mut address, mut data, mut kind) = (None, None, None);
        let (mut arn, mut account_id) = (None, None);
        if self.src.first_key()? {
            loop {
                let key = self.src.key(resource_key)?;
                self.src.colon()?;
                match key {
                    ResourceKey::Address => {
                        address = self.lenient_with(|a| facts.address_key(a))?
                    }
                    ResourceKey::Mode => data = self.lenient_with(|m| m == "data")?,
                    ResourceKey::Type => {
                        kind = self.lenient_with(|t| {
                            (
                                ResourceKind::of(None, t),
                                t == CALLER,
                                ROLE_TYPES.contains(&t),
                            )
                        })?;
                    }
                    ResourceKey::Values => {
                        arn = None;
                        account_id = None;
                        let caller = kind.map(|k: (ResourceKind, bool, bool)| k.1);
                        let wanted = facts.values_wanted(prior, address, data, caller);
                        // The roles the plan will have, for `context` to keep what names them.
                        let role = !prior && data != Some(true) && kind.is_some_and(|k| k.2);
                        if role && !wanted {
                            // Captured and skipped, so a fault in it is reported where the
                            // typed reader, which skips these values, reports it.
                            self.src.peek_nonws()?;
                            self.src.begin_capture(OTHER_ENTRY_LIMIT);
                            self.src.skip_value()?;
                            if let Some(bytes) = self.src.end_capture() {
                                self.note(Note::PlannedRoleValues(bytes));
                            }
                        } else if !wanted {
                            self.src.skip_value()?;
                        } else if self.src.peek_nonws()? == Some(b'{') {
                            self.src.bump();
                            if self.src.first_key()? {
                                loop {
                                    let key = self.src.key(values_key)?;
                                    self.src.colon()?;
                                    match key {
                                        ResourceKey::Arn => {
                                            arn = self.lenient_with(arn_number)?.flatten();
                                        }
                                        ResourceKey::AccountId => {
                                            account_id =
                                                self.lenient_with(account_number)?.flatten();
                                        }
                                        _ => self.src.skip_value()?,
                                    }
                                    if !self.src.next_key()? {
                                        break;
                                    }
                                }
                            }
                        } else {
                            self.any_value()?;
                        }
                    }
                    _ => self.src.skip_value()?,
                }
                if !self.src.next_key()? {
                    break;
                }
            }
        }
        if let (Some(address), Some((managed_kind, caller, _))) = (address, kind) {
            let kind = match (data == Some(true), caller) {
                (false, _) => managed_kind,
                (true, true) => ResourceKind::CallerIdentity,
                (true, false) => ResourceKind::OtherData,
            };
            facts.resource_key(address, kind, arn, account_id);
        }
        Ok(())
    }

    /// A value read leniently: a string is read (so its faults are found where serde finds
    /// them), anything else skipped.
    fn any_value(&mut self) -> Result<(), ScanError> {
        self.lenient_string().map(|_| ())
    }

    /// One resource of `configuration`: its `address` and `provider_config_key`.
    fn config_resource(&mut self, module: &str, facts: &mut AccountFacts) -> Result<(), Stop> {
        if self.src.peek_nonws()? != Some(b'{') {
            return Ok(self.any_value()?);
        }
        self.src.bump();
        let (mut address, mut key, mut kind, mut mode) = (None, None, None, None);
        let mut expressions = None;
        if self.src.first_key()? {
            loop {
                let name = self.src.string(usize::MAX)?.unwrap_or_default();
                // Kept only while the type may be one `context` reads.
                let expr = name == "expressions"
                    && kind
                        .as_deref()
                        .is_none_or(|t| context::context_type(t).is_some());
                let slot = match name {
                    "address" => Some(&mut address),
                    "provider_config_key" => Some(&mut key),
                    "type" => Some(&mut kind),
                    "mode" => Some(&mut mode),
                    _ => None,
                };
                self.src.colon()?;
                match slot {
                    Some(slot) => *slot = self.lenient_string()?,
                    None if expr => {
                        self.src.peek_nonws()?;
                        self.src.begin_capture(OTHER_ENTRY_LIMIT);
                        self.src.skip_value()?;
                        expressions = self.src.end_capture();
                    }
                    None => self.src.skip_value()?,
                }
                if !self.src.next_key()? {
                    break;
                }
            }
        }
        if let (Some(address), Some(kind), Some(expressions), None | Some("managed")) =
            (&address, &kind, &expressions, mode.as_deref())
        {
            self.note(Note::Config(
                module.to_string(),
                address.clone(),
                kind.clone(),
                expressions.clone(),
            ));
        }
        if let (Some(address), Some(key)) = (address, key) {
            facts.config_resource(module, &address, &key);
        }
        Ok(())
    }

    /// One `provider_config` entry: the constant strings at the
    /// paths `facts::provider_path` names.
    fn provider(&mut self, key: &str, facts: &mut AccountFacts) -> Result<(), Stop> {
        let mut found = ProviderFound::default();
        self.provider_walk(&mut Vec::new(), false, &mut found)?;
        found.record(key, facts);
        Ok(())
    }

    /// A provider entry's value at `path`: `in_list` when it is a list's element (a list in it
    /// is not entered: lists of lists hold nothing looked for).
    fn provider_walk(
        &mut self,
        path: &mut Vec<String>,
        in_list: bool,
        found: &mut ProviderFound,
    ) -> Result<(), Stop> {
        match self.src.peek_nonws()? {
            Some(b'{') => {
                self.src.bump();
                found.object(path);
                if !self.src.first_key()? {
                    return Ok(());
                }
                loop {
                    let name = self.src.string(usize::MAX)?.unwrap_or_default().to_string();
                    self.src.colon()?;
                    path.push(name);
                    if ProviderFound::wanted(path) {
                        self.provider_walk(path, false, found)?;
                    } else {
                        self.src.skip_value()?;
                    }
                    path.pop();
                    if !self.src.next_key()? {
                        return Ok(());
                    }
                }
            }
            Some(b'[') if !in_list && ProviderFound::at_list(path) => {
                self.src.bump();
                if !self.src.first_element()? {
                    return Ok(());
                }
                loop {
                    self.provider_walk(path, true, found)?;
                    if !self.src.next_element()? {
                        return Ok(());
                    }
                }
            }
            Some(b'[') => Ok(self.src.skip_value()?),
            _ => {
                if let Some(text) = self.lenient_string()? {
                    found.string(path, text);
                }
                Ok(())
            }
        }
    }

    /// `after_unknown` / `*_sensitive`: a boolean, null, or an object (typed `Marks`).
    fn marks(&mut self) -> Result<(), EntryStop> {
        match self.value_start(b"tfn{")? {
            b't' => Ok(self.src.literal(b"rue")?),
            b'f' => Ok(self.src.literal(b"alse")?),
            b'n' => Ok(self.src.literal(b"ull")?),
            b'{' => {
                if !self.src.first_key()? {
                    return Ok(());
                }
                loop {
                    // Keys are read (checked as UTF-8, like serde reads them), values skipped.
                    self.src.key(|_| ())?;
                    self.src.colon()?;
                    self.src.skip_value()?;
                    if !self.src.next_key()? {
                        return Ok(());
                    }
                }
            }
            _ => Err(Malformed.into()),
        }
    }

    // --- configuration -------------------------------------------------------------------

    /// `configuration`'s module calls: (module address,
    /// `source`), a call before the calls inside it; and each resource's provider and each
    /// provider's account facts. Lenient: an unexpected value is skipped.
    fn config(
        &mut self,
        level: Level,
        address: String,
        out: &mut Config<'_>,
        depth: usize,
    ) -> Result<(), Stop> {
        if level == Level::Resources && depth <= MODULE_DEPTH {
            if self.src.peek_nonws()? != Some(b'[') {
                self.src.skip_value()?;
                return Ok(());
            }
            self.src.bump();
            if !self.src.first_element()? {
                return Ok(());
            }
            loop {
                self.config_resource(&address, out.facts)?;
                if !self.src.next_element()? {
                    return Ok(());
                }
            }
        }
        if self.src.peek_nonws()? != Some(b'{') || depth > MODULE_DEPTH {
            self.src.skip_value()?;
            return Ok(());
        }
        self.src.bump();
        let mut source = None;
        if !self.src.first_key()? {
            return Ok(());
        }
        loop {
            let key = self.src.string(usize::MAX)?.unwrap_or_default();
            let child = match (level, key) {
                (Level::Providers, key) => {
                    let key = key.to_string();
                    self.src.colon()?;
                    self.provider(&key, out.facts)?;
                    None
                }
                (Level::Root, "provider_config") => Some((Level::Providers, String::new())),
                (Level::Module, "resources") => Some((Level::Resources, address.clone())),
                (Level::Root, "root_module") | (Level::Call, "module") => {
                    Some((Level::Module, address.clone()))
                }
                (Level::Module, "module_calls") => Some((Level::Calls, address.clone())),
                (Level::Calls, name) => Some((
                    Level::Call,
                    if address.is_empty() {
                        format!("module.{name}")
                    } else {
                        format!("{address}.module.{name}")
                    },
                )),
                (Level::Call, "source") => {
                    self.src.colon()?;
                    source = self.scalar::<LenientString>("configuration")?.0;
                    None
                }
                _ => {
                    self.src.colon()?;
                    self.src.skip_value()?;
                    None
                }
            };
            if let Some((child_level, child_address)) = child {
                self.src.colon()?;
                if let (Level::Call, Some(s)) = (level, source.take()) {
                    out.sources.push((address.clone(), s));
                }
                self.config(child_level, child_address, out, depth.saturating_add(1))?;
            }
            if !self.src.next_key()? {
                break;
            }
        }
        if let (Level::Call, Some(s)) = (level, source) {
            out.sources.push((address, s));
        }
        Ok(())
    }

    // --- errors --------------------------------------------------------------------------

    /// A document that does not start with `{`. A scalar is read first, as serde reads it
    /// before judging its type, so a broken one is a syntax error.
    fn not_an_object(&mut self, first: u8, doc_no: usize) -> PlanError {
        let file = self.display.to_string();
        let value = matches!(first, b'[' | b'"' | b't' | b'f' | b'n' | b'-' | b'0'..=b'9');
        let at_first = self.src.error_at_next("expected value");
        let skipped = if value && first != b'[' {
            self.read_value(first)
        } else {
            Ok(())
        };
        // Wrapper output first: it is what makes the document look like anything else.
        if self.src.rest_looks_like_wrapper() {
            return PlanError::Wrapper { file };
        }
        match skipped {
            Err(ScanError::Syntax {
                line,
                column,
                eof: false,
                ..
            }) if doc_no > 1 => stray(file, line, column, first),
            Err(err) => read_error(file, err),
            Ok(()) if value => PlanError::NotAPlan {
                file: label(self.display, doc_no),
                reason: format!(
                    "the document is {}, not an object",
                    records::value_kind(Some(first))
                ),
            },
            Ok(()) => match at_first {
                ScanError::Syntax { line, column, .. } if doc_no > 1 => {
                    stray(file, line, column, first)
                }
                err => read_error(file, err),
            },
        }
    }

    fn scan_failure(&mut self, err: ScanError) -> PlanError {
        let file = self.display.to_string();
        // Wrapper output makes the JSON fail at some arbitrary byte; say what it is.
        if matches!(err, ScanError::Syntax { .. }) && self.src.rest_looks_like_wrapper() {
            return PlanError::Wrapper { file };
        }
        read_error(file, err)
    }
}

/// The error a scanner failure is, as it stands.
fn read_error(file: String, err: ScanError) -> PlanError {
    match err {
        ScanError::Io(err) => PlanError::Io {
            file,
            reason: super::error::io_reason(&err),
        },
        ScanError::Syntax {
            line, column, eof, ..
        } if eof => PlanError::Truncated { file, line, column },
        ScanError::Syntax {
            line,
            column,
            reason,
            ..
        } => PlanError::Syntax {
            file,
            line,
            column,
            reason: reason.to_string(),
        },
    }
}

/// Bytes after a complete document that cannot begin another.
fn stray(file: String, line: usize, column: usize, first: u8) -> PlanError {
    PlanError::Syntax {
        file,
        line,
        column,
        reason: if first.is_ascii_graphic() {
            format!(
                "unexpected `{}` after the end of the plan document",
                char::from(first)
            )
        } else {
            "unexpected bytes after the end of the plan document".to_string()
        },
    }
}

/// What `entry` found: an entry to drop, a role for the typed records, or an entry only
/// `context` keeps.
enum Kept {
    No,
    Role,
    Context,
}

/// Where `config` is in the `configuration` tree.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    /// `configuration` itself: `root_module` and `provider_config` are read.
    Root,
    /// A module (`root_module` or a call's `module`): `module_calls` and `resources`.
    Module,
    /// `module_calls`: call name -> call.
    Calls,
    /// One call: `source` and the called `module`.
    Call,
    /// `provider_config`: key -> provider entry.
    Providers,
    /// A module's `resources`.
    Resources,
}

/// What `config` collects.
struct Config<'a> {
    sources: &'a mut Vec<(String, String)>,
    facts: &'a mut AccountFacts,
}

/// Where in an entry serde stopped, its reason, and whether the fault is a wrong shape (else
/// serde met the end of the bytes or broken JSON first).
type Fault = (String, String, bool);

/// What an entry whose shape serde could not say is.
const NOT_AN_ENTRY: &str = "the entry does not have the shape of a resource change";

/// The typed records over one entry's bytes; on failure, the JSON path inside the entry and
/// serde's reason. The path is tracked only on the second, failing pass.
fn typed_entry(bytes: &[u8], drift: bool) -> Result<Option<RoleRecord>, Fault> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    if let Ok(role) = (ResourceEntry { drift }).deserialize(&mut de) {
        return Ok(role);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut track = serde_path_to_error::Track::new();
    let result = (ResourceEntry { drift })
        .deserialize(serde_path_to_error::Deserializer::new(&mut de, &mut track));
    match result {
        Ok(role) => Ok(role),
        Err(err) => {
            let path = track.path().to_string();
            // Bytes cut short or broken JSON are not the entry's shape: only a data error
            // has a reason to give.
            let data = err.classify() == serde_json::error::Category::Data;
            Err((path, without_position(&err), data))
        }
    }
}

/// `resource_changes[3]` + `change.actions`.
fn join_path(list: &str, index: usize, inner: &str) -> String {
    if inner == "." || inner.is_empty() {
        format!("{list}[{index}]")
    } else if inner.starts_with('[') {
        format!("{list}[{index}]{inner}")
    } else {
        format!("{list}[{index}].{inner}")
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use crate::plan::{NoSink, Plan, Stowed, TrustDoc};
    use std::io::Read;
    use std::path::{Path, PathBuf};

    /// Hands out at most `step` bytes per read (varying), so values straddle every refill.
    struct Chunky<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Chunky<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.step = self.step % 13 + 1;
            let n = self.step.min(buf.len()).min(self.bytes.len());
            let (head, rest) = self.bytes.split_at(n);
            buf[..n].copy_from_slice(head);
            self.bytes = rest;
            Ok(n)
        }
    }

    /// Each side is cut to the members it names, in order, the rest kept as it is; a trust
    /// document's value is written `null`.
    #[test]
    fn a_trim_keeps_the_named_members_of_each_side() {
        let bytes = br#"{"change":{"before":{"a":1,"arn":"x","t": "{}","b":[2]},"after":{ "c" : 3 }},"k":0}"#;
        let text = std::str::from_utf8(bytes).unwrap();
        let span = |from: &str, to: &str| {
            let start = text.find(from).unwrap();
            (start, start + text[start..].find(to).unwrap() + to.len())
        };
        let trim = Trim {
            whole: true,
            sides: vec![
                TrimSide {
                    after: false,
                    object: span(r#"{"a""#, "]}"),
                    members: vec![
                        (span(r#""arn""#, r#""x""#), None),
                        (
                            span(r#""t""#, r#""{}""#),
                            Some((false, span(r#""{}""#, r#"}""#))),
                        ),
                    ],
                },
                TrimSide {
                    after: true,
                    object: span(r#"{ "c""#, " }"),
                    members: vec![],
                },
            ],
        };
        assert_eq!(
            String::from_utf8(trim.apply(bytes).unwrap()).unwrap(),
            r#"{"change":{"before":{"arn":"x","t": null},"after":{}},"k":0}"#
        );
        assert_eq!(Trim::default().apply(bytes), None);
    }

    /// Role entries read from their trimmed bytes give the roles their whole bytes give (the
    /// same plan with addresses that do not name the type is read whole): members the typed
    /// records skip first, last, alone, between repeated informing keys, with odd spacing,
    /// nested values, a non-string ARN, an empty and a null side, a trust document that is
    /// null, a number or an object, awscc's object document.
    #[test]
    fn trimmed_role_entries_read_as_whole_ones() {
        let trust = r#""{\"Version\":\"2012-10-17\",\"Statement\":[]}""#;
        let sides = [
            format!(r#"{{"tags":{{"a":"b"}},"assume_role_policy":{trust},"arn":"arn:aws:iam::123456789012:role/r","name":"r","path":"/","x":[1,{{"y":null}}]}}"#),
            format!(" {{ \"a\" : 1 ,\n \"arn\" : null , \"name\":\"n\" , \"q\":{{}}, \"name\":\"m\", \"assume_role_policy\" : {trust} }} "),
            "{}".to_string(),
            r#"{"a":1,"b":[2,{"c":"\"}"}]}"#.to_string(),
            "null".to_string(),
            format!(r#"{{"account_id":"123456789012","assume_role_policy":{trust},"name_prefix":"p","z":true}}"#),
            r#"{"assume_role_policy":null,"tags":{}}"#.to_string(),
            r#"{"x":"y","assume_role_policy":5}"#.to_string(),
            r#"{"assume_role_policy":{"Version":"2012-10-17"}}"#.to_string(),
        ];
        let plan = |role_word: &str| {
            let mut entries = Vec::new();
            for (i, before) in sides.iter().enumerate() {
                let after = &sides[(i + 1) % sides.len()];
                entries.push(format!(
                    r#"{{"address":"module.m.aws_{role_word}.r{i}","change":{{"actions":["update"],"before":{before},"after":{after},"after_unknown":{{"tags":true}},"before_sensitive":false,"after_sensitive":{{}}}},"mode":"managed","name":"r{i}","type":"aws_iam_role"}}"#
                ));
            }
            entries.push(format!(
                r#"{{"address":"awscc_{role_word}.c","change":{{"actions":["create"],"before":null,"after":{{"role_name":"c","x":[],"assume_role_policy_document":{{"Version":"2012-10-17","Statement":[]}}}}}},"mode":"managed","name":"c","type":"awscc_iam_role"}}"#
            ));
            format!(
                r#"{{"format_version":"1.2","resource_changes":[{}]}}"#,
                entries.join(",")
            )
        };
        let read = |text: String| {
            let before = TRIMMED.with(|n| n.get());
            let plans = streamed(text.as_bytes(), false).unwrap();
            let trimmed = TRIMMED.with(|n| n.get()) - before;
            let mut roles = plans.into_iter().next().unwrap().roles;
            for role in &mut roles {
                role.address = role.address.replace("iam_rolX", "iam_role");
            }
            (roles, trimmed)
        };
        let (trimmed, count) = read(plan("iam_role"));
        let (whole, none) = read(plan("iam_rolX"));
        assert_eq!(trimmed.len(), sides.len() + 1);
        assert_eq!(trimmed, whole);
        assert_eq!((count, none), (sides.len() + 1, 0));
    }

    fn streamed(bytes: &[u8], chunky: bool) -> Result<Vec<Plan>, PlanError> {
        let docs = if chunky {
            read_documents("p", Chunky { bytes, step: 0 }, &mut NoSink)
        } else {
            read_documents("p", bytes, &mut NoSink)
        };
        docs.map(|d| crate::plan::input::plans_of("p", d))
    }

    /// The reader gives the same plans, or the same error, whatever sizes its input arrives
    /// in: one buffer, or a few bytes at a time, so values straddle every refill.
    fn agree(bytes: &[u8], what: &str) {
        let whole = streamed(bytes, false);
        let chunky = streamed(bytes, true);
        match (&whole, &chunky) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{what}"),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{what}"),
            _ => panic!("{what}: whole {whole:?}, chunky {chunky:?}"),
        }
    }

    /// Every `*.json` under `testdata/plans` and, when `../shared` is beside the checkout,
    /// under each of `corpora` (relative to it). Without `../shared` the test says so in one
    /// line and goes on with testdata alone, so a fresh clone passes; with
    /// `TRUSTGATE_REQUIRE_SHARED=1` (set by `.ci/run`) its absence fails the test instead.
    /// Returns the files and whether the corpora were read.
    fn known_plans(test: &str, corpora: &[&str]) -> (Vec<PathBuf>, bool) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        json_files(&root.join("testdata/plans"), &mut files);
        let shared = root.join("../shared");
        let present = shared.join("SPEC.md").is_file();
        if present {
            for dir in corpora {
                json_files(&shared.join(dir), &mut files);
            }
        } else if std::env::var("TRUSTGATE_REQUIRE_SHARED").as_deref() == Ok("1") {
            panic!("{test}: ../shared is missing but TRUSTGATE_REQUIRE_SHARED=1");
        } else {
            eprintln!(
                "SKIPPED {test} on ../shared: it is not beside this checkout (testdata only)"
            );
        }
        (files, present)
    }

    fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                json_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }

    /// What the reader hands out while reading.
    #[derive(Default)]
    struct Recorder(Vec<(usize, usize, crate::plan::RoleChange)>);

    impl RoleSink for Recorder {
        fn role(&mut self, doc: usize, index: usize, change: crate::plan::RoleChange) {
            self.0.push((doc, index, change));
        }
    }

    /// The final role as it was when its entry was read: without what the rest of the plan
    /// adds (provider, an own account not from its ARN, a rename's pairing).
    fn as_read(change: &crate::plan::RoleChange) -> crate::plan::RoleChange {
        let mut change = change.clone();
        change.provider = None;
        change.paired = None;
        change.own_account = change
            .own_account
            .filter(|o| o.source == crate::plan::AccountSource::RoleArn);
        change
    }

    /// Terraform writes `resource_drift` before `resource_changes`, so on every real plan
    /// the role handed out early is exactly the final one as its entry says (analysis
    /// started from it is kept unless the rest of the plan adds to it), and every
    /// `resource_changes` role is handed out once.
    #[test]
    fn early_roles_are_the_final_roles_on_every_known_plan() {
        let (files, with_corpus) = known_plans(
            "early_roles_are_the_final_roles_on_every_known_plan",
            &["corpus"],
        );
        let mut seen = 0;
        for file in files {
            let bytes = std::fs::read(&file).unwrap();
            let Ok(text) = crate::plan::input::decode("p", &bytes) else {
                continue;
            };
            let mut recorder = Recorder::default();
            let Ok(docs) = read_documents("p", &text[..], &mut recorder) else {
                continue;
            };
            let changes: usize = docs.iter().map(|d| d.changes.len()).sum();
            let plans = crate::plan::input::plans_of("p", docs);
            assert_eq!(recorder.0.len(), changes, "{}", file.display());
            for (doc, index, change) in recorder.0 {
                assert_eq!(
                    as_read(&plans[doc - 1].roles[index]),
                    change,
                    "{}",
                    file.display()
                );
                seen += 1;
            }
        }
        // testdata/plans alone hold 63 roles; the corpus adds well over a hundred.
        let least = if with_corpus { 100 } else { 50 };
        assert!(seen > least, "only {seen} roles");
    }

    /// A sink that keeps trust texts elsewhere (numbered as offered) and records what it is
    /// handed.
    #[derive(Default)]
    struct Stower {
        texts: Vec<String>,
        handed: Vec<crate::plan::RoleChange>,
    }

    impl RoleSink for Stower {
        fn role(&mut self, _doc: usize, _index: usize, change: crate::plan::RoleChange) {
            self.handed.push(change);
        }
        fn stow(&mut self, doc: &TrustDoc) -> Option<TrustDoc> {
            let TrustDoc::Text(text) = doc else {
                return None;
            };
            self.texts.push(text.clone());
            Some(TrustDoc::Stowed(Stowed {
                at: (self.texts.len() - 1) as u64,
                len: text.len() as u32,
            }))
        }
    }

    /// A stowing sink is handed each role with its trust texts, and the plan read keeps only
    /// where the sink put them: the same texts, each stowed once.
    #[test]
    fn roles_are_handed_out_with_their_texts_and_kept_stowed() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(root.join("testdata/plans/drift.json")).unwrap();
        let mut sink = Stower::default();
        let docs = read_documents("p", &bytes[..], &mut sink).unwrap();
        let plans = crate::plan::input::plans_of("p", docs);
        let kept = &plans[0].roles;
        assert!(!sink.handed.is_empty());
        let mut stowed = 0;
        for (handed, kept) in sink.handed.iter().zip(kept) {
            assert_eq!(handed.address, kept.address);
            for (handed, kept) in [(&handed.before, &kept.before), (&handed.after, &kept.after)] {
                match (handed, kept) {
                    (TrustDoc::Text(text), TrustDoc::Stowed(at)) => {
                        assert_eq!(&sink.texts[at.at as usize], text);
                        stowed += 1;
                    }
                    (handed, kept) => {
                        assert!(!matches!(handed, TrustDoc::Text(_)), "{handed:?}");
                        assert_eq!(handed, kept);
                    }
                }
            }
        }
        assert!(stowed > 0);
        assert_eq!(stowed, sink.texts.len());
    }

    /// Drift written after the changes (legal JSON, not what Terraform writes) reaches the
    /// roles only at the end: the early roles then differ, and the caller must not use
    /// analysis started from them (pipeline::EarlyResults::take).
    #[test]
    fn drift_after_the_changes_is_missing_from_the_early_roles() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(root.join("testdata/plans/drift.json")).unwrap();
        // serde_json's map sorts keys: resource_changes now comes before resource_drift.
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let sorted = serde_json::to_vec(&value).unwrap();
        let differing = |bytes: &[u8]| {
            let mut recorder = Recorder::default();
            let docs = read_documents("p", Chunky { bytes, step: 0 }, &mut recorder).unwrap();
            let plans = crate::plan::input::plans_of("p", docs);
            recorder
                .0
                .into_iter()
                .filter(|(doc, index, change)| as_read(&plans[doc - 1].roles[*index]) != *change)
                .count()
        };
        assert_eq!(differing(&bytes), 0);
        assert!(differing(&sorted) > 0);
    }

    #[test]
    fn streaming_agrees_with_itself_on_every_known_plan() {
        let (files, _) = known_plans(
            "streaming_agrees_with_itself_on_every_known_plan",
            &["corpus", "corpus-edge"],
        );
        assert!(files.len() > 10);
        for file in files {
            let bytes = std::fs::read(&file).unwrap();
            // UTF-16 and BOM inputs are decoded before either reader sees them.
            let Ok(text) = crate::plan::input::decode("p", &bytes) else {
                continue;
            };
            agree(&text, &file.display().to_string());
        }
    }

    #[test]
    fn streaming_agrees_on_broken_plans() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let plan = std::fs::read(root.join("testdata/plans/demo.json")).unwrap();
        for cut in (0..plan.len()).step_by(7) {
            agree(&plan[..cut], &format!("cut at {cut}"));
        }
        let replacements: &[&[u8]] = &[b"", b"1", b"\"", b"[", b"}", b",", b"null", b"\\", b"\x01"];
        for (i, at) in (0..plan.len()).step_by(23).enumerate() {
            let with = replacements[i % replacements.len()];
            let mut bytes = plan.clone();
            bytes.splice(at..at + 1, with.iter().copied());
            agree(&bytes, &format!("byte {at} replaced by {with:?}"));
        }
    }

    #[test]
    fn streaming_agrees_on_odd_shapes() {
        let entry = |change: &str| {
            format!(
                r#"{{"format_version":"1.2","resource_changes":[{{"address":"aws_iam_role.r","mode":"managed","type":"aws_iam_role","name":"r","change":{change}}}]}}"#
            )
        };
        let cases = [
            r#"{"format_version":"1.2","resource_changes":"x"}"#.to_string(),
            r#"{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":"create"}]}"#.to_string(),
            r#"{"format_version":"1.2","resource_changes":[{"address":"a.b","mode":[],"type":"a","change":{"actions":[]}}]}"#.to_string(),
            r#"{"format_version":"1.2","resource_changes":[{"type":"a","change":{"actions":[]}}]}"#.to_string(),
            r#"{"format_version":"1.2","resource_changes":[5]}"#.to_string(),
            r#"{"format_version":"1.2","resource_drift":[{"type":"aws_iam_role","name":"r","mode":null,"change":{"actions":["update"],"before":{},"after":{"assume_role_policy":"{}"}}}]}"#.to_string(),
            r#"{"format_version":"1.2","resource_drift":[{"type":"x","change":{"actions":[]}}]}"#.to_string(),
            r#"{"format_version":"2.0","resource_changes":"a new shape"}"#.to_string(),
            r#"{"resource_changes":[],"format_version":"2.0"}"#.to_string(),
            r#"{"format_version":"1.2","errored":"no"}"#.to_string(),
            r#"{"format_version":"1.2","format_version":"1.2"}"#.to_string(),
            r#"{"format_version":5}"#.to_string(),
            r#"{"terraform_version":5,"complete":null}"#.to_string(),
            r#"{"Version":"2012-10-17"}"#.to_string(),
            r#"{"@level":"info","format_version":"1.2"}"#.to_string(),
            r#"{"format_version":"1.2","configuration":{"root_module":{"module_calls":{"a":{"source":"./a","module":{"module_calls":{"b":{"module":{},"source":"./b"}}}},"c":5}}}}"#.to_string(),
            r#"{"format_version":"1.2","configuration":[1,{"x":2}]}"#.to_string(),
            r#"{"format_version":"1.2","resource_changes":[{"address":"a.b","typ\u0065":"aws_iam_role","change":{"actions":["create"],"after":{"assume_role_policy":"{}"}}}]}"#.to_string(),
            entry(r#"{"actions":5}"#),
            entry(r#"{"actions":["update"],"before":"x"}"#),
            entry(r#"{"before":null}"#),
            entry(r#"{"actions":["create"],"after_unknown":"yes"}"#),
            entry(r#"{"actions":["create"],"actions":["create"]}"#),
            entry(r#"{"actions":["update"],"before":{"arn":1,"arn":2}}"#),
            entry(r#"{"actions":["update"],"before":{"assume_role_policy":[[[]]]},"after_unknown":{"assume_role_policy":[true]}}"#),
            entry(r#"{"actions":["create"],"importing":{"id":"x"},"after":{"assume_role_policy_document":{"a":1}}}"#),
            "[1, 2]".to_string(),
            "\"plan\"".to_string(),
            "null".to_string(),
            "hello".to_string(),
            r#"{"format_version":"1.2"} {"format_version":"1.2"}{"format_version":"1.2"}"#.to_string(),
            r#"{"format_version":"1.2"} x"#.to_string(),
            r#"{"format_version":"1.2"} [1]"#.to_string(),
            "{\n  \"format_version\": \"1.2\",,\n}".to_string(),
        ];
        for case in &cases {
            agree(case.as_bytes(), case);
        }
    }

    /// The parts of a plan that tell accounts, in odd shapes, with a created role whose own
    /// account they decide: both readers read them leniently and reach the same account.
    #[test]
    fn streaming_agrees_on_account_facts() {
        let role = r#"{"address":"aws_iam_role.r","mode":"managed","type":"aws_iam_role","name":"r","change":{"actions":["create"],"before":null,"after":{"assume_role_policy":"{}"}}}"#;
        let plan = |rest: &str, resources: &str, providers: &str| {
            format!(
                r#"{{"format_version":"1.2",{rest}"resource_changes":[{role}],"configuration":{{"provider_config":{providers},"root_module":{{"resources":[{{"address":"aws_iam_role.r","provider_config_key":"aws"}},{resources}]}}}}}}"#
            )
        };
        let caller = r#"{"address":"data.aws_caller_identity.c","provider_config_key":"aws"}"#;
        let bucket = r#"{"address":"aws_s3_bucket.b","provider_config_key":"aws"}"#;
        let cases = [
            // A repeated account_id is its last value; odd resources and modules are skipped.
            (
                plan(
                    r#""prior_state":{"values":{"root_module":{"resources":[5,"x",{"address":1,"values":"v"},{"address":"data.aws_caller_identity.c","mode":"data","type":"aws_caller_identity","values":{"account_id":"111122223333","account_id":"444455556666"}}],"child_modules":[[],{"resources":{}}]}}},"planned_values":"x","#,
                    caller,
                    r#"{"aws":{}}"#,
                ),
                Some("444455556666"),
            ),
            // An ARN that is not a string tells nothing; a managed resource's planned values
            // repeat resource_changes and are not read.
            (
                plan(
                    r#""planned_values":{"root_module":{"resources":[{"values":{"arn":"arn:aws:s3:us-east-1:222222222222:b"},"address":"aws_s3_bucket.b","mode":"managed","type":"aws_s3_bucket"}]}},"prior_state":{"values":{"root_module":{"resources":[{"address":"aws_s3_bucket.b","mode":"managed","type":"aws_s3_bucket","values":{"arn":5}}]}}},"#,
                    bucket,
                    r#"{"aws":{}}"#,
                ),
                None,
            ),
            // Lists of lists under assume_role hold nothing; a block as an object does.
            (
                plan(
                    "",
                    "5",
                    r#"{"aws":{"expressions":{"assume_role":[[{"role_arn":{"constant_value":"arn:aws:iam::111122223333:role/x"}}],{"role_arn":{"constant_value":"arn:aws:iam::333333333333:role/y"}}],"allowed_account_ids":{"constant_value":["111122223333",5,["x"]]}}},"aws.b":"x","aws.c":[1]}"#,
                ),
                Some("333333333333"),
            ),
        ];
        for (case, want) in &cases {
            agree(case.as_bytes(), case);
            let plans = streamed(case.as_bytes(), true).unwrap();
            let got = plans[0].roles[0]
                .own_account
                .as_ref()
                .map(|o| o.account.as_str());
            assert_eq!(got, *want, "{case}");
        }
    }

    #[test]
    fn paths_join_like_serde_path_to_error() {
        assert_eq!(join_path("resource_changes", 3, "."), "resource_changes[3]");
        assert_eq!(
            join_path("resource_changes", 0, "change.actions"),
            "resource_changes[0].change.actions"
        );
    }
}
