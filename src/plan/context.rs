//! What the rest of a plan says about its roles, kept small as it is read: the resources that
//! give a role its permissions (policies, attachments, boundaries) or run as it (Lambda
//! functions, ECS tasks, instance profiles, Kubernetes service accounts, ...), and the
//! references between them in `configuration`.
//!
//! The streaming reader records where the attributes below lie in each `resource_changes`
//! entry (`Spans`) and, once the entry is known to be of a kept type, decodes only those: a
//! policy document is classified there and then and its text dropped, so what is kept per
//! resource is a few short strings. Provider `assume_role` blocks are read with the account
//! facts (`facts::ProviderFound`), once. Relating these records to roles is done after the
//! read, in `crate::permissions`.
//!
//! The decoding and classifying happen on a thread of each document's own (`Collector`): the
//! reader, on which the whole run waits, only hands the kept bytes over.

use super::accounts::{pieces, Piece};
use super::keyed::KeySet;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

use serde_json::Value;

use crate::permissions::classify::{read_policy, PolicyFacts};

/// Resource types whose `resource_changes` entries are kept, with the attributes read of each
/// (`arn` is read for every type, from the side's own record).
pub const KEPT: &[(&str, &[&str])] = &[
    (
        "aws_iam_role",
        &[
            "managed_policy_arns",
            "inline_policy",
            "permissions_boundary",
            "max_session_duration",
        ],
    ),
    ("aws_iam_role_policy", &["role", "policy"]),
    ("aws_iam_role_policy_attachment", &["role", "policy_arn"]),
    ("aws_iam_policy_attachment", &["roles", "policy_arn"]),
    ("aws_iam_policy", &["policy"]),
    ("aws_iam_instance_profile", &["role"]),
    ("aws_lambda_function", &["role"]),
    (
        "aws_ecs_task_definition",
        &["task_role_arn", "execution_role_arn"],
    ),
    ("aws_codebuild_project", &["service_role"]),
    ("aws_sfn_state_machine", &["role_arn"]),
    ("aws_cloudwatch_event_target", &["role_arn"]),
    ("aws_glue_job", &["role_arn"]),
    ("aws_glue_crawler", &["role"]),
    ("aws_sagemaker_notebook_instance", &["role_arn"]),
    ("aws_sagemaker_model", &["execution_role_arn"]),
    ("aws_eks_cluster", &["role_arn"]),
    ("aws_eks_node_group", &["node_role_arn"]),
    ("aws_eks_pod_identity_association", &["role_arn"]),
    ("aws_codepipeline", &["role_arn"]),
    ("aws_batch_compute_environment", &["service_role"]),
    ("aws_config_configuration_recorder", &["role_arn"]),
    ("kubernetes_service_account", &["metadata"]),
    ("kubernetes_service_account_v1", &["metadata"]),
];

/// Every attribute some kept type reads: the keys whose spans the reader records.
const CONTEXT_ATTRS: &[&str] = &[
    "managed_policy_arns",
    "inline_policy",
    "permissions_boundary",
    "max_session_duration",
    "role",
    "roles",
    "policy",
    "policy_arn",
    "role_arn",
    "task_role_arn",
    "execution_role_arn",
    "service_role",
    "node_role_arn",
    "metadata",
];

/// The type's name when entries of this type are kept.
pub(super) fn context_type(resource_type: &str) -> Option<&'static str> {
    KEPT.iter().map(|(t, _)| *t).find(|t| *t == resource_type)
}

/// The attributes read of a type.
fn kept_attrs(resource_type: &str) -> &'static [&'static str] {
    KEPT.iter()
        .find(|(t, _)| *t == resource_type)
        .map_or(&[], |(_, attrs)| *attrs)
}

/// The name of a side attribute some kept type reads, if it is one.
pub(super) fn context_attr(key: &[u8]) -> Option<&'static str> {
    CONTEXT_ATTRS.iter().copied().find(|a| a.as_bytes() == key)
}

/// A Kubernetes service account bound to a role by its IRSA annotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAccount {
    pub namespace: Box<str>,
    pub name: Box<str>,
    /// The `eks.amazonaws.com/role-arn` annotation.
    pub role_arn: Box<str>,
}

/// The annotation that binds a Kubernetes service account to a role (IRSA).
const IRSA_ANNOTATION: &str = "eks.amazonaws.com/role-arn";

/// One kept `resource_changes` entry, reduced to what relating it to roles needs (a plan may
/// hold tens of thousands: no policy text, no attribute values beyond these strings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextResource {
    pub address: Box<str>,
    pub resource_type: &'static str,
    /// The resource exists after the change (it is not deleted).
    pub exists_after: bool,
    /// The side's `arn`, when a string.
    pub arn: Option<Box<str>>,
    /// The string values of the attributes that name roles or policies (lists flattened),
    /// of the side that will exist (after, else before).
    pub names: Vec<(&'static str, Box<str>)>,
    /// The identity policy documents it holds, classified: (`inline_policy` block name, or
    /// empty for the `policy` attribute, and what the document gives).
    pub policies: Vec<(Box<str>, PolicyFacts)>,
    /// `max_session_duration` (a role), when a number.
    pub max_session_duration: Option<u64>,
    pub service_account: Option<Box<ServiceAccount>>,
}

impl ContextResource {
    /// The strings of attribute `attr`.
    pub fn strings<'a>(&'a self, attr: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.names
            .iter()
            .filter(move |(a, _)| *a == attr)
            .map(|(_, v)| &**v)
    }

    /// The first string of attribute `attr`.
    pub fn str_attr<'a>(&'a self, attr: &'a str) -> Option<&'a str> {
        self.strings(attr).next()
    }
}

/// A resource block of `configuration` of a kept type, with the references of the attributes
/// read: how a created resource names a role or policy whose ARN is not known yet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConfigResource {
    /// Module path and resource address, without instance keys
    /// (`module.a.aws_lambda_function.f`).
    pub address: String,
    /// (attribute, referenced resource address without instance keys, the instance key the
    /// reference writes out), e.g. (`role`, `module.a.aws_iam_role.r`, `None`) for
    /// `aws_iam_role.r.arn` and (`role`, `module.a.aws_iam_role.r`, `Some("0")`) for
    /// `aws_iam_role.r[0].arn`.
    pub references: Vec<(&'static str, String, Option<String>)>,
    /// The attributes whose expressions also read `count.index` or `each.*`: the idiom
    /// `aws_iam_role.r[count.index].arn` names the role instance of the resource's own key.
    pub keyed: Vec<&'static str>,
}

/// What a provider configuration's `assume_role` block says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProviderAssume {
    /// `aws`, `aws.deploy`, `module.m:aws` as the plan names the configuration.
    pub provider: String,
    /// `role_arn` constant values.
    pub role_arns: Vec<String>,
    /// The resources `role_arn` refers to (module path resolved), each with the instance key
    /// the reference writes out (`ConfigResource::references`).
    pub role_references: Vec<(String, Option<String>)>,
    /// The block sets `external_id` (a constant or an expression).
    pub has_external_id: bool,
    /// `external_id` when a constant.
    pub external_id: Option<String>,
}

/// Everything the context collected from one plan document.
///
/// Plans hold tens of thousands of policies, attachments and functions, and most name no
/// role of the plan: once `planned_values` (which Terraform writes before `resource_changes`)
/// has told the roles the plan will have, an entry that names only other roles is not kept,
/// and a policy that grants nothing of note is kept as a key of its ARN.
#[derive(Debug, Clone, Default)]
pub struct PlanContext {
    pub resources: Vec<ContextResource>,
    pub config: Vec<ConfigResource>,
    pub providers: Vec<ProviderAssume>,
    /// Keys of the `aws_iam_policy` documents of class `other` that allow no
    /// `sts:AssumeRole`, by ARN and by configuration address.
    plain_policies: KeySet,
    /// Random per document, so no input can aim a collision.
    hasher: RandomState,
    /// Keys of the role names `planned_values` holds, and whether it was read.
    planned_roles: KeySet,
    roles_known: bool,
}

impl PartialEq for PlanContext {
    fn eq(&self, other: &Self) -> bool {
        // The keys are random per document: only how many there are is comparable.
        self.resources == other.resources
            && self.config == other.config
            && self.providers == other.providers
            && self.plain_policies.len() == other.plain_policies.len()
    }
}

impl Eq for PlanContext {}

/// The name a role ARN ends with (`arn:aws:iam::1:role/path/name` -> `name`).
pub fn role_name_of_arn(arn: &str) -> Option<&str> {
    let resource = arn.strip_prefix("arn:")?.splitn(5, ':').nth(4)?;
    resource.strip_prefix("role/")?.rsplit('/').next()
}

/// The attributes whose values name policies, not roles.
const POLICY_NAMING: &[&str] = &["policy_arn", "managed_policy_arns", "permissions_boundary"];

impl PlanContext {
    fn key(&self, text: &str) -> u64 {
        self.hasher.hash_one(text)
    }

    /// A role's `values` in `planned_values` (its JSON text): its name and ARN. Lenient:
    /// values of another shape name nothing.
    pub(super) fn planned_role_values(&mut self, bytes: &[u8]) {
        #[derive(serde::Deserialize)]
        struct RoleValues {
            name: Option<Value>,
            arn: Option<Value>,
        }
        let Ok(values) = serde_json::from_slice::<RoleValues>(bytes) else {
            return;
        };
        for text in [values.name, values.arn]
            .iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            let key = self.key(role_name_of_arn(text).unwrap_or(text));
            self.planned_roles.insert(key);
        }
    }

    /// `planned_values` has been read: the roles the plan will have are known.
    pub(super) fn planned_roles_read(&mut self) {
        self.roles_known = true;
    }

    /// Whether an entry is kept, from the attributes that name roles: what is deleted gives
    /// no permission and runs as no role.
    pub(super) fn wanted(&self, record: &ContextResource) -> bool {
        record.exists_after
            && (matches!(record.resource_type, "aws_iam_role" | "aws_iam_policy")
                || self.may_name_a_role(record))
    }

    /// A kept entry, as read (`wanted` said so).
    pub(super) fn add(&mut self, mut record: ContextResource) {
        if record.resource_type == "aws_iam_role" {
            // The role's change has its ARN.
            record.arn = None;
        }
        if record.resource_type == "aws_iam_policy" {
            let plain = record.policies.iter().all(|(_, p)| {
                p.class == crate::permissions::PermissionClass::Other && p.assume.is_empty()
            });
            if let (true, Some(arn)) = (plain, record.arn.as_deref()) {
                let keys = [
                    self.key(arn),
                    self.key(&super::accounts::config_address(&record.address)),
                ];
                self.plain_policies.extend(keys);
                return;
            }
        }
        self.resources.push(record);
    }

    /// Whether the entry may name a role of the plan: it names one `planned_values` holds,
    /// or names none it knows yet (a value known only after apply may be one, found by its
    /// reference in `configuration`), or the roles are not known.
    fn may_name_a_role(&self, record: &ContextResource) -> bool {
        if !self.roles_known {
            return true;
        }
        let mut named = record
            .names
            .iter()
            .filter(|(attr, _)| !POLICY_NAMING.contains(attr))
            .map(|(_, v)| &**v)
            .chain(record.service_account.as_ref().map(|s| &*s.role_arn))
            .peekable();
        if named.peek().is_none() {
            return true;
        }
        named.any(|v| {
            self.planned_roles
                .contains(&self.key(role_name_of_arn(v).unwrap_or(v)))
        })
    }

    /// An `aws_iam_policy` of class `other` that allows no `sts:AssumeRole` has this ARN, or
    /// this configuration address.
    pub fn plain_policy(&self, arn_or_config_address: &str) -> bool {
        self.plain_policies
            .contains(&self.key(arn_or_config_address))
    }

    /// Give back the growth slack of the collections (filled by pushing) before the plan is
    /// kept.
    pub(super) fn shrink(&mut self) {
        self.resources.shrink_to_fit();
        self.config.shrink_to_fit();
    }
}

/// The provider configurations that assume a role, from what the account facts read of
/// each (`facts::ProviderFound`).
pub(super) fn providers(facts: &super::accounts::AccountFacts) -> Vec<ProviderAssume> {
    facts
        .providers
        .iter()
        .filter(|(_, p)| !p.role_arns.is_empty() || !p.role_references.is_empty())
        .map(|(key, p)| {
            // `module.m:aws.alias`: references resolve in the module the configuration is in.
            let module = key.split_once(':').map_or("", |(m, _)| m);
            let mut role_references =
                listed_resources(module, p.role_references.iter().map(String::as_str));
            role_references.sort();
            role_references.dedup();
            ProviderAssume {
                provider: key.clone(),
                role_arns: p.role_arns.clone(),
                role_references,
                has_external_id: p.has_external_id,
                external_id: p.external_id.clone(),
            }
        })
        .collect()
}

/// What the reader tells a document's context, in reading order.
pub(super) enum Note {
    /// A role's `values` in `planned_values`.
    PlannedRoleValues(Vec<u8>),
    /// `planned_values` has been read.
    PlannedRolesRead,
    /// A `resource_changes` entry of a kept type: its bytes, and where its values lie.
    Entry(Vec<u8>, Spans),
    /// A managed `configuration` resource of a kept type: module, address, type, and its
    /// `expressions`.
    Config(String, String, String, Vec<u8>),
}

impl PlanContext {
    fn note(&mut self, note: Note) {
        match note {
            Note::PlannedRoleValues(bytes) => self.planned_role_values(&bytes),
            Note::PlannedRolesRead => self.planned_roles_read(),
            Note::Entry(bytes, spans) => {
                if let Some(record) = spans.resource(&bytes, |r| self.wanted(r)) {
                    self.add(record);
                }
            }
            Note::Config(module, address, kind, expressions) => self
                .config
                .extend(config_resource(&module, &address, &kind, &expressions)),
        }
    }
}

/// Notes go to the collector in batches of this many, or fewer when their bytes pass
/// `BATCH_BYTES`: sent one at a time, waking the collector for each took the reader about 3%
/// of a 100k-resource plan's run in the kernel (in batches of 32, still about 1.7%).
const BATCH: usize = 128;
const BATCH_BYTES: usize = 128 << 10;
/// Batches waiting for the collector, at most: with `BATCH`, a few hundred entries' bytes.
const BATCHES: usize = 8;

impl Note {
    fn bytes(&self) -> usize {
        match self {
            Note::PlannedRoleValues(bytes) | Note::Entry(bytes, _) => bytes.len(),
            Note::PlannedRolesRead => 0,
            Note::Config(module, address, kind, expressions) => {
                [module.len(), address.len(), kind.len(), expressions.len()]
                    .into_iter()
                    .fold(0, usize::saturating_add)
            }
        }
    }
}

/// Collects one document's context on a thread of its own. Decoding the kept entries and
/// classifying their policy documents is most of what the context costs (a plan of 100k
/// resources holds tens of thousands of policies, attachments and functions); on the reader
/// it delays everything, on its own thread it overlaps the scan. The notes are applied in the
/// order sent, so the context is exactly the one reading them in line gives.
pub(super) struct Collector {
    notes: Option<SyncSender<Vec<Note>>>,
    thread: Option<JoinHandle<PlanContext>>,
    /// Notes not yet sent, and their bytes.
    pending: Vec<Note>,
    pending_bytes: usize,
    /// Where the notes go when no thread could be started.
    inline: PlanContext,
}

impl Collector {
    pub fn new() -> Collector {
        let (notes, received) = sync_channel::<Vec<Note>>(BATCHES);
        let thread = std::thread::Builder::new()
            .name("trustgate-context".into())
            .spawn(move || {
                let mut context = PlanContext::default();
                for note in received.into_iter().flatten() {
                    context.note(note);
                }
                context
            })
            .ok();
        Collector {
            notes: thread.is_some().then_some(notes),
            thread,
            pending: Vec::with_capacity(BATCH),
            pending_bytes: 0,
            inline: PlanContext::default(),
        }
    }

    pub fn note(&mut self, note: Note) {
        if self.notes.is_none() {
            self.inline.note(note);
            return;
        }
        self.pending_bytes = self.pending_bytes.saturating_add(note.bytes());
        self.pending.push(note);
        if self.pending.len() >= BATCH || self.pending_bytes >= BATCH_BYTES {
            self.send();
        }
    }

    fn send(&mut self) {
        self.pending_bytes = 0;
        let batch = std::mem::replace(&mut self.pending, Vec::with_capacity(BATCH));
        if let Some(notes) = &self.notes {
            // The thread is gone (it can only have panicked): `finish` says so; the notes
            // are applied here meanwhile.
            if let Err(unsent) = notes.send(batch) {
                for note in unsent.0 {
                    self.inline.note(note);
                }
            }
        }
    }

    /// The document's context, once every note is applied.
    pub fn finish(mut self) -> PlanContext {
        if !self.pending.is_empty() {
            self.send();
        }
        drop(self.notes.take());
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(context)) => context,
            // A panic there is a bug, as it would be here: raised again, not hidden as a
            // context that lacks what the thread had read.
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            None => std::mem::take(&mut self.inline),
        }
    }
}

/// A byte range of an entry's captured bytes.
type Span = (usize, usize);

/// The spans of one side's attributes.
#[derive(Debug, Default)]
struct SideSpans {
    /// The side is an object (not null or absent).
    present: bool,
    attrs: Vec<(&'static str, Option<Span>)>,
    arn: Option<Option<Span>>,
}

impl SideSpans {
    /// Forget the last entry's side, keeping the allocation: spans are recorded for every
    /// entry (its type may come after its `change`), so this must cost nothing.
    fn reset(&mut self, present: bool) {
        self.present = present;
        self.attrs.clear();
        self.arn = None;
    }
}

/// Where, in one entry's captured bytes, the streaming reader saw the values kept here.
#[derive(Debug, Default)]
pub(super) struct Spans {
    address: Option<Span>,
    resource_type: Option<&'static str>,
    before: SideSpans,
    after: SideSpans,
}

impl Spans {
    /// A new entry begins.
    pub fn clear(&mut self) {
        self.address = None;
        self.resource_type = None;
        self.before.reset(false);
        self.after.reset(false);
    }

    pub fn address(&mut self, span: Option<Span>) {
        self.address = span;
    }

    pub fn resource_type(&mut self, kept: Option<&'static str>) {
        self.resource_type = kept;
    }

    /// A side begins: an object (`present`) or null.
    pub fn side(&mut self, after: bool, present: bool) {
        self.side_mut(after).reset(present);
    }

    fn side_mut(&mut self, after: bool) -> &mut SideSpans {
        if after {
            &mut self.after
        } else {
            &mut self.before
        }
    }

    pub fn attr(&mut self, after: bool, name: &'static str, span: Option<Span>) {
        let side = self.side_mut(after);
        if side.present {
            side.attrs.push((name, span));
        }
    }

    pub fn arn(&mut self, after: bool, span: Option<Span>) {
        let side = self.side_mut(after);
        if side.present {
            side.arn = Some(span);
        }
    }

    /// The entry's record, decoded from its bytes; `None` when it is not of a kept type or a
    /// span is missing (a capture given up: the role then shows no such source, and a role
    /// with none is `unknown`).
    ///
    /// `wanted` is asked once the attributes that name roles are read, before the policy
    /// documents are parsed and the address and ARN copied: most entries stop there.
    pub fn resource(
        &self,
        bytes: &[u8],
        wanted: impl FnOnce(&ContextResource) -> bool,
    ) -> Option<ContextResource> {
        let resource_type = self.resource_type?;
        let kept = kept_attrs(resource_type);
        let exists_after = self.after.present;
        let side = if exists_after {
            &self.after
        } else if self.before.present {
            &self.before
        } else {
            return None;
        };
        let slice = |span: Option<Span>| span.and_then(|(a, b)| bytes.get(a..b));
        let mut out = ContextResource {
            address: Box::from(""),
            resource_type,
            exists_after,
            arn: None,
            names: Vec::new(),
            policies: Vec::new(),
            max_session_duration: None,
            service_account: None,
        };
        let read = |policies: bool, out: &mut ContextResource| -> Option<()> {
            for (name, span) in side
                .attrs
                .iter()
                .filter(|(n, _)| kept.contains(n) && (*n == "policy") == policies)
            {
                let value: Value = serde_json::from_slice(slice(*span)?).ok()?;
                read_attr(out, name, &value);
            }
            Some(())
        };
        read(false, &mut out)?;
        if !wanted(&out) {
            return None;
        }
        read(true, &mut out)?;
        let address: String = serde_json::from_slice(slice(self.address)?).ok()?;
        out.address = address.into();
        if let Some(span) = side.arn {
            out.arn = serde_json::from_slice::<Value>(slice(span)?)
                .ok()?
                .as_str()
                .map(Box::from);
        }
        // A policy resource without its document on this side: known only after apply.
        if matches!(resource_type, "aws_iam_policy" | "aws_iam_role_policy")
            && !side.attrs.iter().any(|(n, _)| *n == "policy")
        {
            out.policies.push((Box::from(""), read_policy(None)));
        }
        out.names.shrink_to_fit();
        out.policies.shrink_to_fit();
        Some(out)
    }
}

/// One attribute's value into the record (lenient: a value of an unexpected type tells
/// nothing, except a policy document, which is then `unknown`).
fn read_attr(out: &mut ContextResource, name: &'static str, value: &Value) {
    match name {
        "policy" => out
            .policies
            .push((Box::from(""), read_policy(value.as_str()))),
        "inline_policy" => {
            for block in value.as_array().into_iter().flatten() {
                let block_name = block.get("name").and_then(Value::as_str).unwrap_or("");
                let policy = block.get("policy");
                // An empty block is how the provider writes "no inline policy".
                if block_name.is_empty() && policy.is_none_or(|p| p == "" || p.is_null()) {
                    continue;
                }
                out.policies.push((
                    Box::from(block_name),
                    read_policy(policy.and_then(Value::as_str)),
                ));
            }
        }
        "max_session_duration" => out.max_session_duration = value.as_u64(),
        "metadata" => out.service_account = service_account(value),
        _ => match value {
            Value::String(s) if !s.is_empty() => out.names.push((name, Box::from(s.as_str()))),
            Value::Array(items) => out.names.extend(
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|s| (name, Box::from(s))),
            ),
            _ => {}
        },
    }
}

/// A Kubernetes service account's `metadata` block (a list of one object, or an object):
/// its namespace, name and IRSA annotation, when it has one.
fn service_account(metadata: &Value) -> Option<Box<ServiceAccount>> {
    let meta = match metadata {
        Value::Array(items) => items.first()?,
        other => other,
    };
    let role_arn = meta.get("annotations")?.get(IRSA_ANNOTATION)?.as_str()?;
    let namespace = meta
        .get("namespace")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .unwrap_or("default");
    Some(Box::new(ServiceAccount {
        namespace: namespace.into(),
        name: meta.get("name")?.as_str()?.into(),
        role_arn: role_arn.into(),
    }))
}

/// A module path and an address inside it.
pub(super) fn in_module(module: &str, address: &str) -> String {
    if module.is_empty() {
        address.to_string()
    } else {
        format!("{module}.{address}")
    }
}

/// The resource a reference names (`aws_iam_role.r.arn` -> `aws_iam_role.r`), in `module`,
/// with the instance key it writes out (`aws_iam_role.r[0].arn` -> `0`, `r["k"]` -> `"k"`, as
/// instance addresses write them) and whether the reference stops there (nothing after the
/// name or the key); `None` for anything that is not a managed resource (variables, locals,
/// module outputs, data sources).
pub(super) fn referenced_resource(
    module: &str,
    reference: &str,
) -> Option<(String, Option<String>, bool)> {
    let (kind, _) = reference.split_once('.')?;
    if matches!(
        kind,
        "var" | "local" | "module" | "data" | "each" | "count" | "path" | "terraform" | "self"
    ) {
        return None;
    }
    // Where the name ends, and the first key's `]`: walked as addresses are, so a `.` or `]`
    // in a quoted key is no boundary.
    let (mut name_end, mut close) = (None, None);
    let balanced = pieces(reference, |piece| match piece {
        Piece::Dot(i) | Piece::Open(i) if i > kind.len() => {
            name_end.get_or_insert(i);
        }
        Piece::Close(i) => {
            close.get_or_insert(i);
        }
        _ => {}
    });
    let name_end = name_end.unwrap_or(reference.len());
    let address = in_module(module, reference.get(..name_end)?);
    if reference.as_bytes().get(name_end) != Some(&b'[') {
        return Some((address, None, name_end == reference.len()));
    }
    let key = close
        .filter(|_| balanced)
        .and_then(|c| Some((reference.get(name_end.checked_add(1)?..c)?, c)));
    match key {
        Some((key, c)) => Some((
            address,
            Some(key.to_string()),
            c.checked_add(1) == Some(reference.len()),
        )),
        // Not a key Terraform would write: the reference names the resource, any instance.
        None => Some((address, None, false)),
    }
}

/// A `configuration` resource block of a kept type (`mode` managed), from its `expressions`
/// (JSON text): the references of the attributes read. Lenient: this part of the plan only
/// informs, so an unreadable value gives no references.
pub(super) fn config_resource(
    module: &str,
    address: &str,
    resource_type: &str,
    expressions: &[u8],
) -> Option<ConfigResource> {
    let kept = kept_attrs(context_type(resource_type)?);
    let Ok(Value::Object(expressions)) = serde_json::from_slice::<Value>(expressions) else {
        return None;
    };
    let mut references = Vec::new();
    let mut keyed = Vec::new();
    for (attr, expression) in &expressions {
        let Some(attr) = kept.iter().copied().find(|k| *k == attr) else {
            continue;
        };
        let (targets, by_key) = expression_references(expression, module);
        if by_key && !targets.is_empty() {
            keyed.push(attr);
        }
        for (target, key) in targets {
            references.push((attr, target, key));
        }
    }
    if references.is_empty() {
        return None;
    }
    references.sort();
    references.dedup();
    keyed.sort();
    keyed.dedup();
    Some(ConfigResource {
        address: in_module(module, address),
        references,
        keyed,
    })
}

/// The resources of an expression's `references` list, each with the instance key the
/// reference writes out (`referenced_resource`).
///
/// Terraform lists a reference as its every prefix, longest first, and after an instance
/// with a key written out (`aws_iam_role.r[0]`) the resource without the key
/// (`aws_iam_role.r`): that one is the same reference, not one to every instance, and is
/// passed over. A key Terraform cannot write out (`r[count.index]`, `r[var.i]`, `r[*]`)
/// leaves the resource alone, which names every instance it may mean.
fn listed_resources<'r>(
    module: &str,
    refs: impl Iterator<Item = &'r str>,
) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut refs = refs.peekable();
    while let Some(reference) = refs.next() {
        let Some((address, key, whole)) = referenced_resource(module, reference) else {
            continue;
        };
        if key.is_some() && whole {
            let unkeyed = reference.split('[').next();
            refs.next_if(|next| Some(*next) == unkeyed);
        }
        out.push((address, key));
    }
    out
}

/// The resources an expression refers to, at any depth (a block's nested expressions too),
/// each with the instance key the reference writes out (`listed_resources`), and whether the
/// expression also reads `count.index` or `each.*`.
fn expression_references(
    expression: &Value,
    module: &str,
) -> (Vec<(String, Option<String>)>, bool) {
    let mut out = Vec::new();
    let mut by_key = false;
    let mut stack = vec![expression];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                if let Some(Value::Array(refs)) = map.get("references") {
                    let refs = refs.iter().filter_map(Value::as_str);
                    by_key |= refs
                        .clone()
                        .any(|r| r == "count.index" || r.starts_with("each."));
                    out.extend(listed_resources(module, refs));
                }
                stack.extend(
                    map.iter()
                        .filter(|(k, _)| *k != "references")
                        .map(|(_, v)| v),
                );
            }
            Value::Array(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    out.sort();
    out.dedup();
    (out, by_key)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use crate::permissions::PermissionClass;

    #[test]
    fn every_kept_attribute_is_recorded() {
        for (_, attrs) in KEPT {
            for a in *attrs {
                assert!(CONTEXT_ATTRS.contains(a), "{a}");
            }
        }
    }

    #[test]
    fn config_blocks_resolve_references_in_their_module() {
        let expressions = br#"{"role":{"references":["aws_iam_role.r.arn","aws_iam_role.r"]},"handler":{"references":["var.h"]},"environment":[{"variables":{"references":["aws_iam_role.other.arn"]}}]}"#;
        let got = config_resource(
            "module.m",
            "aws_lambda_function.f",
            "aws_lambda_function",
            expressions,
        )
        .unwrap();
        assert_eq!(got.address, "module.m.aws_lambda_function.f");
        assert_eq!(
            got.references,
            vec![("role", "module.m.aws_iam_role.r".to_string(), None)]
        );
        assert!(config_resource("", "aws_s3_bucket.b", "aws_s3_bucket", expressions).is_none());
        assert!(
            config_resource("", "aws_lambda_function.f", "aws_lambda_function", b"[1]").is_none()
        );
    }

    #[test]
    fn a_reference_keeps_the_instance_key_it_writes_out() {
        let got = |r: &str| referenced_resource("module.m", r);
        let at = |key: Option<&str>, whole: bool| {
            Some((
                "module.m.aws_iam_role.r".to_string(),
                key.map(str::to_string),
                whole,
            ))
        };
        assert_eq!(got("aws_iam_role.r"), at(None, true));
        assert_eq!(got("aws_iam_role.r.arn"), at(None, false));
        assert_eq!(got("aws_iam_role.r[0]"), at(Some("0"), true));
        assert_eq!(got("aws_iam_role.r[0].arn"), at(Some("0"), false));
        assert_eq!(
            got(r#"aws_iam_role.r["a.b]"]"#),
            at(Some(r#""a.b]""#), true)
        );
        assert_eq!(
            got(r#"aws_iam_role.r["q\"]"].arn"#),
            at(Some(r#""q\"]""#), false)
        );
        // An empty key is kept as written: no instance of a plan has it.
        assert_eq!(got("aws_iam_role.r[]"), at(Some(""), true));
        // Not a key Terraform writes: any instance.
        assert_eq!(got("aws_iam_role.r[0"), at(None, false));
        assert_eq!(got(r#"aws_iam_role.r["0].arn"#), at(None, false));
        // A stray `]` is part of no key: kept in the name, as written.
        assert_eq!(
            got("aws_iam_role.r]"),
            Some(("module.m.aws_iam_role.r]".to_string(), None, true))
        );
        assert_eq!(
            got(r#"aws_iam_role.ü["é"].arn"#),
            Some((
                "module.m.aws_iam_role.ü".to_string(),
                Some(r#""é""#.to_string()),
                false
            ))
        );
        assert_eq!(got("var.r"), None);
        assert_eq!(got("data.aws_iam_role.r"), None);

        // Terraform's listing of `aws_iam_role.r[0].arn`, then of `aws_iam_role.q.arn`: the
        // resource after the keyed instance is that reference, not one to every instance.
        let expression = serde_json::json!({"references": ["aws_iam_role.r[0].arn",
            "aws_iam_role.r[0]", "aws_iam_role.r", "aws_iam_role.q.arn", "aws_iam_role.q"]});
        let (targets, by_key) = expression_references(&expression, "");
        assert_eq!(
            targets,
            [
                ("aws_iam_role.q".to_string(), None),
                ("aws_iam_role.r".to_string(), Some("0".to_string()))
            ]
        );
        assert!(!by_key);
        // The resource a second time (`r[var.i]`): every instance too.
        let expression = serde_json::json!({"references": ["aws_iam_role.r[0]",
            "aws_iam_role.r", "aws_iam_role.r", "var.i"]});
        let (targets, _) = expression_references(&expression, "");
        assert_eq!(
            targets,
            [
                ("aws_iam_role.r".to_string(), None),
                ("aws_iam_role.r".to_string(), Some("0".to_string()))
            ]
        );
    }

    /// Spans over a hand-written entry: the after side is read, its policy classified and
    /// its text not kept; an attribute the type does not read is ignored.
    #[test]
    fn spans_decode_the_side_that_will_exist() {
        let bytes = br#"{"address":"aws_iam_policy.p","before":{"policy":"x"},"after":{"arn":"arn:aws:iam::111111111111:policy/p","policy":"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}","role":"r"}}"#;
        let find = |needle: &str| {
            let text = std::str::from_utf8(bytes).unwrap();
            text.find(needle).unwrap() + needle.len()
        };
        let value_end = |start: usize| {
            let mut de = serde_json::Deserializer::from_slice(&bytes[start..]).into_iter::<Value>();
            de.next().unwrap().unwrap();
            start + de.byte_offset()
        };
        let mut spans = Spans::default();
        spans.clear();
        let a = find(r#""address":"#);
        spans.address(Some((a, value_end(a))));
        spans.resource_type(context_type("aws_iam_policy"));
        spans.side(false, true);
        spans.side(true, true);
        let arn = find(r#""after":{"arn":"#);
        spans.arn(true, Some((arn, value_end(arn))));
        let policy = find(r#"policy/p","policy":"#);
        spans.attr(true, "policy", Some((policy, value_end(policy))));
        let role = find(r#""role":"#);
        spans.attr(true, "role", Some((role, value_end(role))));
        let got = spans.resource(bytes, |_| true).unwrap();
        assert_eq!(&*got.address, "aws_iam_policy.p");
        assert!(got.exists_after);
        assert_eq!(
            got.arn.as_deref(),
            Some("arn:aws:iam::111111111111:policy/p")
        );
        assert!(got.names.is_empty());
        assert_eq!(got.policies.len(), 1);
        assert_eq!(got.policies[0].1.class, PermissionClass::AdminEquivalent);
        // Not a kept type: nothing.
        spans.resource_type(context_type("aws_s3_bucket"));
        assert!(spans.resource(bytes, |_| true).is_none());
    }

    fn read(plan: &str) -> PlanContext {
        let opts = crate::plan::ReadOptions {
            terraform_bin: None,
        };
        let mut plans = crate::plan::read_bytes("p", plan.as_bytes(), &opts).unwrap();
        std::mem::take(&mut plans[0].context)
    }

    fn entry(address: &str, kind: &str, after: &str) -> String {
        format!(
            r#"{{"address":"{address}","mode":"managed","type":"{kind}","name":"x","change":{{"actions":["update"],"before":{after},"after":{after}}}}}"#
        )
    }

    /// The streaming reader keeps what names a role of the plan, drops what names only other
    /// roles once `planned_values` has named them, keeps plain policies as keys only, and
    /// reads the provider's `assume_role` block with the account facts.
    #[test]
    fn the_stream_keeps_only_what_can_relate() {
        let trust = r#""assume_role_policy":"{\"Statement\":[]}""#;
        let changes = [
            entry("aws_iam_role.app", "aws_iam_role", &format!(r#"{{{trust},"name":"app","managed_policy_arns":["arn:aws:iam::aws:policy/ReadOnlyAccess"]}}"#)),
            entry("aws_lambda_function.mine", "aws_lambda_function", r#"{"role":"arn:aws:iam::111111111111:role/app","arn":"arn:aws:lambda:us-east-1:111111111111:function:mine"}"#),
            entry("aws_lambda_function.other", "aws_lambda_function", r#"{"role":"arn:aws:iam::111111111111:role/elsewhere"}"#),
            entry("aws_lambda_function.later", "aws_lambda_function", r#"{"role":null}"#),
            entry("aws_iam_policy.plain", "aws_iam_policy", r#"{"arn":"arn:aws:iam::111111111111:policy/plain","policy":"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}}"}"#),
            entry("aws_iam_policy.admin", "aws_iam_policy", r#"{"arn":"arn:aws:iam::111111111111:policy/admin","policy":"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}"}"#),
        ]
        .join(",");
        let planned = r#""planned_values":{"root_module":{"resources":[{"address":"aws_iam_role.app","mode":"managed","type":"aws_iam_role","values":{"name":"app","arn":"arn:aws:iam::111111111111:role/app"}}]}},"#;
        let providers = r#""configuration":{"provider_config":{"aws":{"name":"aws","expressions":{"assume_role":[{"role_arn":{"references":["aws_iam_role.app.arn","aws_iam_role.app"]},"external_id":{"references":["var.x"]}}]}}},"root_module":{"resources":[{"address":"aws_lambda_function.later","mode":"managed","type":"aws_lambda_function","expressions":{"role":{"references":["aws_iam_role.app.arn"]}}}]}}"#;
        let plan = format!(
            r#"{{"format_version":"1.2",{planned}"resource_changes":[{changes}],{providers}}}"#
        );
        let context = read(&plan);
        let kept: Vec<&str> = context.resources.iter().map(|r| &*r.address).collect();
        assert_eq!(
            kept,
            [
                "aws_iam_role.app",
                "aws_lambda_function.mine",
                "aws_lambda_function.later",
                "aws_iam_policy.admin"
            ]
        );
        assert!(context.plain_policy("arn:aws:iam::111111111111:policy/plain"));
        assert!(context.plain_policy("aws_iam_policy.plain"));
        assert!(!context.plain_policy("arn:aws:iam::111111111111:policy/admin"));
        assert_eq!(
            context.config,
            [ConfigResource {
                address: "aws_lambda_function.later".into(),
                references: vec![("role", "aws_iam_role.app".into(), None)],
                keyed: Vec::new(),
            }]
        );
        assert_eq!(
            context.providers,
            [ProviderAssume {
                provider: "aws".into(),
                role_arns: Vec::new(),
                role_references: vec![("aws_iam_role.app".into(), None)],
                has_external_id: true,
                external_id: None,
            }]
        );
        // Without `planned_values` first, nothing is known to be irrelevant: all is kept.
        let unfiltered = read(&plan.replace(planned, ""));
        assert_eq!(unfiltered.resources.len(), 5);
    }

    #[test]
    fn odd_values_are_lenient_and_unknown_documents_are_unknown() {
        let mut r = ContextResource {
            address: "a".into(),
            resource_type: "aws_iam_role",
            exists_after: true,
            arn: None,
            names: Vec::new(),
            policies: Vec::new(),
            max_session_duration: None,
            service_account: None,
        };
        read_attr(
            &mut r,
            "inline_policy",
            &serde_json::json!([{"name":"","policy":""}, {"name":"x","policy":null}, 5]),
        );
        read_attr(
            &mut r,
            "managed_policy_arns",
            &serde_json::json!(["a", 5, null]),
        );
        read_attr(&mut r, "max_session_duration", &serde_json::json!("7200"));
        read_attr(
            &mut r,
            "metadata",
            &serde_json::json!([{"name":"sa","annotations":{"eks.amazonaws.com/role-arn":"arn"}}]),
        );
        assert_eq!(r.policies.len(), 1);
        assert_eq!(r.policies[0].1.class, PermissionClass::Unknown);
        assert_eq!(r.strings("managed_policy_arns").collect::<Vec<_>>(), ["a"]);
        assert_eq!(r.max_session_duration, None);
        let sa = r.service_account.unwrap();
        assert_eq!((&*sa.namespace, &*sa.name), ("default", "sa"));
    }
}
