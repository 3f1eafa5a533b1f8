//! Each role's blast radius and consumers, from the rest of the plan: the policies that give it
//! permissions (inline, attached, managed, its boundary), classified; and the resources that
//! run as it or assume it (Lambda functions, ECS tasks, instance profiles, Kubernetes service
//! accounts, other roles, provider `assume_role` blocks).
//!
//! Pure: a pass over one plan's roles and the `PlanContext` the reader collected, run after
//! the read (the facts need the whole plan). Roles are related to the other resources by the
//! names and ARNs the plan knows, and, where a created resource's ARN is known only after
//! apply, by the references of `configuration`.

pub mod classify;

pub use classify::PermissionClass;

pub use classify::PolicyFacts;

use crate::plan::context::{role_name_of_arn, ContextResource, PlanContext};
use crate::plan::RoleChange;
use crate::plan::{config_address, instance_parts};
use crate::policy::Resources;
use serde::Serialize;
use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::BuildHasher;

/// One source of a role's permissions, as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    /// Where it comes from: a resource address, or a policy ARN the role names.
    pub from: String,
    pub class: PermissionClass,
    /// Why it has its class, in a few words (empty for `other`).
    pub why: String,
}

/// A role's permissions, as far as the plan shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlastRadius {
    /// What whoever assumes the role can do: the highest class of its grants, capped by a
    /// known boundary; `unknown` when the plan shows no permission of the role at all.
    pub class: PermissionClass,
    pub grants: Vec<Grant>,
    /// The permissions boundary, when the role has one (boxed: few roles have one, and every
    /// role's facts are held at once).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boundary: Option<Box<Grant>>,
}

impl BlastRadius {
    /// A role the plan shows no permission of.
    pub fn unknown() -> BlastRadius {
        BlastRadius {
            class: PermissionClass::Unknown,
            grants: Vec::new(),
            boundary: None,
        }
    }
}

/// Resources that run as a role, by the attribute naming the role, with the service principal
/// the role's trust must name and the permission-only actions the service's call needs.
pub const RUNS_AS: &[(&str, &str, &str, &[&str])] = &[
    ("aws_lambda_function", "role", "lambda.amazonaws.com", &[]),
    (
        "aws_ecs_task_definition",
        "task_role_arn",
        "ecs-tasks.amazonaws.com",
        &[],
    ),
    (
        "aws_ecs_task_definition",
        "execution_role_arn",
        "ecs-tasks.amazonaws.com",
        &[],
    ),
    ("aws_iam_instance_profile", "role", "ec2.amazonaws.com", &[]),
    (
        "aws_codebuild_project",
        "service_role",
        "codebuild.amazonaws.com",
        &[],
    ),
    (
        "aws_sfn_state_machine",
        "role_arn",
        "states.amazonaws.com",
        &[],
    ),
    (
        "aws_cloudwatch_event_target",
        "role_arn",
        "events.amazonaws.com",
        &[],
    ),
    ("aws_glue_job", "role_arn", "glue.amazonaws.com", &[]),
    ("aws_glue_crawler", "role", "glue.amazonaws.com", &[]),
    (
        "aws_sagemaker_notebook_instance",
        "role_arn",
        "sagemaker.amazonaws.com",
        &[],
    ),
    (
        "aws_sagemaker_model",
        "execution_role_arn",
        "sagemaker.amazonaws.com",
        &[],
    ),
    ("aws_eks_cluster", "role_arn", "eks.amazonaws.com", &[]),
    (
        "aws_eks_node_group",
        "node_role_arn",
        "ec2.amazonaws.com",
        &[],
    ),
    (
        "aws_eks_pod_identity_association",
        "role_arn",
        "pods.eks.amazonaws.com",
        &["sts:TagSession"],
    ),
    (
        "aws_codepipeline",
        "role_arn",
        "codepipeline.amazonaws.com",
        &[],
    ),
    (
        "aws_batch_compute_environment",
        "service_role",
        "batch.amazonaws.com",
        &[],
    ),
    (
        "aws_config_configuration_recorder",
        "role_arn",
        "config.amazonaws.com",
        &[],
    ),
];

/// Something in the plan that needs to assume a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Consumer {
    /// A resource that runs as the role through a service principal.
    Service {
        address: String,
        service: &'static str,
        also: &'static [&'static str],
        /// The resource's ARN, when known (the service sends it as `aws:SourceArn`).
        arn: Option<String>,
    },
    /// A Kubernetes service account bound to the role (IRSA): its token's `sub`.
    ServiceAccount {
        address: String,
        namespace: String,
        name: String,
    },
    /// Another role of the plan whose identity policy allows it to assume this one.
    Role { address: String, arn: String },
    /// A provider configuration that assumes the role.
    Provider {
        provider: String,
        has_external_id: bool,
        external_id: Option<String>,
    },
}

/// What the rest of the plan says about one role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleFacts {
    pub blast: BlastRadius,
    pub consumers: Vec<Consumer>,
    /// Roles of the plan that may assume this one by their own policies beyond the first
    /// `ROLE_CONSUMER_LIMIT` (by address), which alone are among `consumers`.
    pub unjudged_role_consumers: usize,
    /// `max_session_duration` after the change (seconds), when known.
    pub max_session_duration: Option<u64>,
}

impl RoleFacts {
    /// Whether the plan says anything about the role that its own analysis does not: a
    /// permission, a consumer, or a session longer than role chaining allows. A role whose
    /// facts do not matter keeps the result of its own analysis, with permissions `unknown`.
    pub fn matter(&self) -> bool {
        self.blast != BlastRadius::unknown()
            || !self.consumers.is_empty()
            || self
                .max_session_duration
                .is_some_and(|d| d > CHAINING_LIMIT)
    }
}

impl RoleFacts {
    /// Whether the pass after the read judges the role's trust again with these facts
    /// (`trust-breaks-consumer`): only with a consumer or a session longer than chaining
    /// allows. Otherwise what callers must now send was said by the role's own analysis.
    pub fn needs_trust(&self) -> bool {
        !self.consumers.is_empty()
            || self
                .max_session_duration
                .is_some_and(|d| d > CHAINING_LIMIT)
    }
}

/// AWS limits a session of role chaining (a role's session assuming a role) to one hour.
pub const CHAINING_LIMIT: u64 = 3600;

/// The roles of the plan that may assume a role, by their own policies, listed among its
/// consumers (the first by address; `RoleFacts::unjudged_role_consumers` counts the rest). A
/// policy that allows `sts:AssumeRole` on `*`, attached to every role, makes each role a
/// consumer of every other: listing them all held a plan of 4,000 roles' 16 million pairs
/// (2.5 GB, 25 s), and a trust change turning away a hundred callers already says what it
/// must.
pub const ROLE_CONSUMER_LIMIT: usize = 100;

/// The names other resources use for a role: its IAM name on either side.
fn role_names(role: &RoleChange) -> impl Iterator<Item = &str> {
    [&role.iam_after.name, &role.iam_before.name]
        .into_iter()
        .flatten()
        .map(|n| &**n)
        .filter(|n| !n.is_empty())
}

/// The ARN other resources use for a role, when the plan knows it.
fn role_arn(role: &RoleChange) -> Option<&str> {
    role.arn_after.as_deref().or(role.arn_before.as_deref())
}

/// Role indexes by text, as one sorted vector of (hash of the text, role, text): an entry
/// costs 32 bytes, where a map of vectors costs a node share and an allocation per text (a plan
/// of 25,000 roles held some 8 MiB of them at the read's peak). Sorted by the hash, not the
/// text: the texts are ARNs and addresses that share long prefixes, and sorting them by text
/// was a sixth of the work after the read on a plan of 25,000 roles. The hasher is keyed per
/// run, so no plan can be written to make its texts collide.
struct Lookup<'a, S = ahash::RandomState> {
    entries: Vec<(u64, usize, &'a str)>,
    hasher: S,
}

impl<'a> Lookup<'a, ahash::RandomState> {
    fn new(pairs: impl Iterator<Item = (&'a str, usize)>) -> Lookup<'a, ahash::RandomState> {
        Lookup::with_hasher(pairs, ahash::RandomState::new())
    }
}

impl<'a, S: BuildHasher> Lookup<'a, S> {
    fn with_hasher(pairs: impl Iterator<Item = (&'a str, usize)>, hasher: S) -> Lookup<'a, S> {
        let mut entries: Vec<(u64, usize, &str)> = pairs
            .map(|(text, i)| (hasher.hash_one(text), i, text))
            .collect();
        entries.sort_unstable();
        entries.dedup();
        Lookup { entries, hasher }
    }

    /// The roles under `key`, in role order (within one hash, entries are in role order).
    fn get<'s>(&'s self, key: &'s str) -> impl Iterator<Item = usize> + 's {
        let hash = self.hasher.hash_one(key);
        let start = self.entries.partition_point(|(h, ..)| *h < hash);
        self.entries
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(move |(h, ..)| *h == hash)
            .filter(move |(_, _, text)| *text == key)
            .map(|(_, i, _)| *i)
    }

    fn contains(&self, key: &str) -> bool {
        self.get(key).next().is_some()
    }
}

/// The roles a value or a configuration reference names.
struct Index<'a> {
    by_text: Lookup<'a>,
    /// By configuration address: wanted only to follow a configuration reference, which most
    /// plans' values make needless, so built when first asked.
    by_config: OnceCell<Lookup<'a>>,
    roles: &'a [RoleChange],
    /// Each role's configuration address, in `roles` order, once `by_config` is built.
    configs: &'a OnceCell<Vec<String>>,
    /// Each role's module instance and own key (`instance_parts`), in `roles` order, once a
    /// reference is followed: asked of every instance a reference names, for every referrer.
    parts: OnceCell<Vec<Parts<'a>>>,
    /// Configuration references: (resource config address, attribute) -> referenced
    /// addresses with the instance key written out, if any, and whether the expression reads
    /// `count.index` or `each.*`.
    references: BTreeMap<(&'a str, &'a str), (Vec<Target<'a>>, bool)>,
}

impl<'a> Index<'a> {
    /// `configs`: empty, to hold each role's configuration address if one is wanted.
    fn new(
        roles: &'a [RoleChange],
        configs: &'a OnceCell<Vec<String>>,
        context: &'a PlanContext,
    ) -> Index<'a> {
        let by_text = roles
            .iter()
            .enumerate()
            .flat_map(|(i, role)| role_names(role).chain(role_arn(role)).map(move |n| (n, i)));
        let mut references: BTreeMap<(&str, &str), (Vec<Target>, bool)> = BTreeMap::new();
        for c in &context.config {
            for (attr, target, key) in &c.references {
                let entry = references.entry((c.address.as_str(), *attr)).or_default();
                entry.0.push((target.as_str(), key.as_deref()));
                entry.1 |= c.keyed.contains(attr);
            }
        }
        Index {
            by_text: Lookup::new(by_text),
            by_config: OnceCell::new(),
            roles,
            configs,
            parts: OnceCell::new(),
            references,
        }
    }

    /// The roles whose configuration address is `config`.
    fn configured<'s>(&'s self, config: &'s str) -> impl Iterator<Item = usize> + 's {
        self.by_config
            .get_or_init(|| {
                let configs = self.configs.get_or_init(|| {
                    self.roles
                        .iter()
                        .map(|r| config_address(&r.address))
                        .collect()
                });
                Lookup::new(configs.iter().map(String::as_str).zip(0..))
            })
            .get(config)
    }

    /// Each role's module instance and own key, read once asked for.
    fn parts(&self) -> &[Parts<'a>] {
        self.parts.get_or_init(|| {
            self.roles
                .iter()
                .map(|r| instance_parts(&r.address))
                .collect()
        })
    }

    /// The roles a value names: an ARN, a name, or an ARN whose name is a role's.
    fn named<'s>(&'s self, value: &'s str) -> impl Iterator<Item = usize> + 's {
        // The value itself when it names a role, else the role name in it.
        let key = match role_name_of_arn(value) {
            Some(name) if !self.by_text.contains(value) => name,
            _ => value,
        };
        self.by_text.get(key)
    }

    /// The roles `resource`'s attribute `attr` names, by value or, when its value is not
    /// known yet, by reference.
    fn roles(&self, resource: &ContextResource, attr: &str) -> BTreeSet<usize> {
        let mut out: BTreeSet<usize> = resource.strings(attr).flat_map(|v| self.named(v)).collect();
        if out.is_empty() && !self.references.is_empty() {
            let config = config_address(&resource.address);
            if let Some((targets, keyed)) = self.references.get(&(config.as_str(), attr)) {
                let parts = self.parts();
                for &(t, key) in targets {
                    out.extend(referenced(
                        &resource.address,
                        (key, *keyed),
                        self.configured(t),
                        |&i| parts.get(i).copied().unwrap_or_default(),
                    ));
                }
            }
        }
        out
    }
}

/// A configuration reference's resource address and the instance key it writes out, if any
/// (`aws_iam_role.r[0].arn`: `("aws_iam_role.r", Some("0"))`).
type Target<'a> = (&'a str, Option<&'a str>);

/// Of the instances `found` of the resource block a reference names, those it can mean from
/// `referrer` (an instance address): those of the referrer's own module instance (a reference
/// names a resource of its own module, so a module called with `for_each` has one role per
/// instance, not one for all), and of those the one whose key the reference writes out
/// (`written`: `aws_iam_role.r[0].arn`), or, when the expression reads `count.index` or
/// `each.*` (`keyed`: `aws_iam_role.r[count.index].arn`), the one of the referrer's own key
/// when there is one. Otherwise every instance may be the one (a key computed some other
/// way): all of the module instance's are kept.
fn referenced<'s, T>(
    referrer: &str,
    (written, keyed): (Option<&str>, bool),
    found: impl Iterator<Item = T>,
    parts: impl Fn(&T) -> Parts<'s>,
) -> Vec<T> {
    let (module, key) = instance_parts(referrer);
    let mut found: Vec<T> = found.filter(|t| parts(t).0 == module).collect();
    if let Some(written) = written {
        // Exact: the instance named, or none of the plan's.
        found.retain(|t| parts(t).1 == Some(written));
    } else if let (true, Some(key)) = (keyed, key) {
        if found.iter().any(|t| parts(t).1 == Some(key)) {
            found.retain(|t| parts(t).1 == Some(key));
        }
    }
    found
}

/// An instance address's module instance and own key (`instance_parts`).
type Parts<'a> = (&'a str, Option<&'a str>);

/// The policies of the plan by ARN and by configuration address (those of class `other`
/// that allow no `sts:AssumeRole` only as keys, in `context`).
struct Policies<'a> {
    /// Indexes into `context.resources` (of one ARN, the last read counts).
    by_arn: Lookup<'a>,
    /// Wanted only to follow a configuration reference to a policy, so built when first asked.
    by_config: OnceCell<BTreeMap<String, Vec<(&'a ContextResource, Parts<'a>)>>>,
    context: &'a PlanContext,
}

impl<'a> Policies<'a> {
    fn new(context: &'a PlanContext) -> Policies<'a> {
        let by_arn = Lookup::new(
            Self::all(context).filter_map(|(j, r)| r.arn.as_deref().map(|arn| (arn, j))),
        );
        Policies {
            by_arn,
            by_config: OnceCell::new(),
            context,
        }
    }

    /// The policy resources that exist after the change, with their index in the context.
    fn all(context: &'a PlanContext) -> impl Iterator<Item = (usize, &'a ContextResource)> {
        context
            .resources
            .iter()
            .enumerate()
            .filter(|(_, r)| r.resource_type == "aws_iam_policy" && r.exists_after)
    }

    /// The policy named by `arn`.
    fn by_arn(&self, arn: &str) -> Option<&'a ContextResource> {
        let j = self.by_arn.get(arn).last()?;
        self.context.resources.get(j)
    }

    /// The policies at configuration address `config`, each with its module instance and key.
    fn configured(&self, config: &str) -> &[(&'a ContextResource, Parts<'a>)] {
        self.by_config
            .get_or_init(|| {
                let mut by_config: BTreeMap<String, Vec<(&ContextResource, Parts<'a>)>> =
                    BTreeMap::new();
                for (_, r) in Self::all(self.context) {
                    by_config
                        .entry(config_address(&r.address))
                        .or_default()
                        .push((r, instance_parts(&r.address)));
                }
                by_config
            })
            .get(config)
            .map_or(&[], Vec::as_slice)
    }
}

/// Where a grant comes from, as borrowed parts of the plan until the role's facts are
/// wanted: formatted for every role at once, the sources were a third of what relating a plan
/// of 25,000 roles held at its end.
#[derive(Debug, Clone, Copy)]
enum Source<'a> {
    /// A resource address or an attribute name, as is.
    Plain(&'a str),
    /// An inline policy of the role: `inline_policy `NAME``.
    Inline(&'a str),
    /// A policy resource reached through another: `FROM -> POLICY`.
    Via(&'a str, &'a str),
    /// A policy the plan names by ARN only: `FROM (ARN)`.
    Arn(&'a str, &'a str),
}

impl Source<'_> {
    fn text(self) -> String {
        match self {
            Source::Plain(from) => from.to_string(),
            Source::Inline(name) => format!("inline_policy `{name}`"),
            Source::Via(from, policy) => format!("{from} -> {policy}"),
            Source::Arn(from, arn) => format!("{from} ({arn})"),
        }
    }
}

/// A grant as `relation` finds it: made a `Grant` only when its role's facts are taken.
#[derive(Debug, Clone, Copy)]
struct Pending<'a> {
    from: Source<'a>,
    class: PermissionClass,
    why: &'a str,
}

impl Pending<'_> {
    fn grant(self) -> Grant {
        Grant {
            from: self.from.text(),
            class: self.class,
            why: self.why.to_string(),
        }
    }
}

/// What a role's permissions are made of so far, and which roles its policies may assume.
#[derive(Default)]
struct Collected<'a> {
    grants: Vec<Pending<'a>>,
    assume: Vec<&'a Option<Resources>>,
    /// Boxed: few roles have a permissions boundary.
    boundary: Option<Box<Pending<'a>>>,
}

impl<'a> Collected<'a> {
    /// Most roles have a grant or two: the first two are given room one at a time, not four at
    /// once (a plan of 25,000 roles held 4 MiB of empty room at the peak of `relation`).
    fn grant(&mut self, grant: Pending<'a>) {
        if self.grants.len() < 2 {
            self.grants.reserve_exact(1);
        }
        self.grants.push(grant);
    }

    fn push(&mut self, from: Source<'a>, facts: &'a PolicyFacts) {
        self.assume.extend(facts.assume.iter());
        self.grant(Pending {
            from,
            class: facts.class,
            why: &facts.why,
        });
    }

    /// The grants of the policy `arn` names (or, its ARN unknown, of the policies the
    /// configuration references: `referenced`, and whether a plain one is among them).
    fn policy(
        &mut self,
        arn: Option<&'a str>,
        (referenced, plain): (&[&'a ContextResource], bool),
        from: &'a str,
        policies: &Policies<'a>,
    ) {
        let other = |from: Source<'a>| Pending {
            from,
            class: PermissionClass::Other,
            why: "",
        };
        let mut push = |resource: &'a ContextResource| {
            for (_, facts) in &resource.policies {
                self.push(Source::Via(from, &resource.address), facts);
            }
        };
        match arn {
            Some(arn) => match (policies.by_arn(arn), classify::managed_class(arn)) {
                (Some(resource), _) => push(resource),
                (None, _) if policies.context.plain_policy(arn) => {
                    self.grant(other(Source::Arn(from, arn)));
                }
                (None, Some((class, why))) => self.grant(Pending {
                    from: Source::Arn(from, arn),
                    class,
                    why,
                }),
                (None, None) => self.grant(Pending {
                    from: Source::Arn(from, arn),
                    class: PermissionClass::Unknown,
                    why: "the policy is not in the plan",
                }),
            },
            None if !referenced.is_empty() || plain => {
                referenced.iter().copied().for_each(push);
                if plain {
                    self.grant(other(Source::Plain(from)));
                }
            }
            None => self.grant(Pending {
                from: Source::Plain(from),
                class: PermissionClass::Unknown,
                why: "the policy ARN is known only after apply",
            }),
        }
    }
}

/// Role `i`'s consumers so far.
fn consumers_of(consumers: &mut [Vec<Consumer>], i: usize) -> Option<&mut Vec<Consumer>> {
    consumers.get_mut(i)
}

/// A role of the plan whose identity policies allow `sts:AssumeRole`: a consumer of each role
/// of the plan those statements cover.
struct Caller<'a> {
    index: usize,
    address: &'a str,
    arn: &'a str,
    assume: Vec<&'a Option<Resources>>,
    /// A statement covers every ARN (no resources named, or `*`): asked of every role of the
    /// plan, so answered once (a plan whose 10,000 roles each allow `sts:AssumeRole` on `*`
    /// took 2.3 s matching `*` a hundred million times).
    everything: bool,
}

/// What the plan says about each of its roles, taken role by role in `roles` order: the grants
/// stay borrowed from the plan's context until their role's facts are taken, so that only one
/// role's are formatted at a time (all at once, they were the largest part of what relating a
/// plan of 25,000 roles held).
pub struct Relation<'a> {
    /// Each role's consumers; its permissions and session are read when it is taken (its
    /// whole facts held for every role were the largest part of relating).
    consumers: Vec<Vec<Consumer>>,
    collected: Vec<Collected<'a>>,
    /// The roles that may assume roles, by address: each role's role consumers are found
    /// when it is taken, so they are never all held at once.
    callers: Vec<Caller<'a>>,
    /// What the roles' own attributes give is read when each role is taken: it concerns that
    /// role alone, and is a third of relating.
    own: Own<'a>,
}

impl<'a> Relation<'a> {
    /// Each role's facts, in `roles` order.
    pub fn into_facts(self) -> impl Iterator<Item = RoleFacts> + 'a {
        let own = self.own;
        let callers = self.callers;
        self.consumers
            .into_iter()
            .zip(self.collected)
            .enumerate()
            .map(move |(i, (consumers, mut collected))| {
                let mut f = RoleFacts {
                    blast: BlastRadius::unknown(),
                    consumers,
                    unjudged_role_consumers: 0,
                    max_session_duration: None,
                };
                role_consumers(&callers, own.roles.get(i), i, &mut f);
                own.add(i, &mut f, &mut collected);
                f.consumers.sort_by_key(consumer_key);
                f.consumers.dedup();
                let grants = collected.grants.into_iter().map(Pending::grant).collect();
                let boundary = collected.boundary.map(|b| Box::new(b.grant()));
                f.blast = blast_radius(grants, boundary);
                f
            })
    }
}

/// The roles' own attributes: their managed and inline policies, boundary and session.
struct Own<'a> {
    roles: &'a [RoleChange],
    context: &'a PlanContext,
    /// The context's role records by address (of one address, the last read counts).
    records: Lookup<'a>,
    policies: Policies<'a>,
}

impl<'a> Own<'a> {
    fn new(roles: &'a [RoleChange], context: &'a PlanContext, policies: Policies<'a>) -> Own<'a> {
        let records = Lookup::new(
            context
                .resources
                .iter()
                .enumerate()
                .filter(|(_, r)| r.resource_type == "aws_iam_role")
                .map(|(j, r)| (&*r.address, j)),
        );
        Own {
            roles,
            context,
            records,
            policies,
        }
    }

    /// Role `i`'s record, when the role exists after the change.
    fn record(&self, i: usize) -> Option<&'a ContextResource> {
        let role = self.roles.get(i)?;
        let j = self.records.get(role.address.as_str()).last()?;
        self.context.resources.get(j).filter(|r| r.exists_after)
    }

    /// Role `i`'s own grants, boundary and session, into its facts. Its grants come from
    /// attributes (`managed_policy_arns ...`, `inline_policy ...`), never from a resource
    /// address as the other resources' grants do, so adding them after those leaves their
    /// order, which is by source, as it was.
    fn add(&self, i: usize, facts: &mut RoleFacts, c: &mut Collected<'a>) {
        let Some(record) = self.record(i) else {
            return;
        };
        self.policies_of(record, c);
        if let Some(arn) = record.str_attr("permissions_boundary") {
            let mut boundary = Collected::default();
            boundary.policy(
                Some(arn),
                (&[], false),
                "permissions_boundary",
                &self.policies,
            );
            c.boundary = boundary.grants.into_iter().next().map(Box::new);
        }
        facts.max_session_duration = record.max_session_duration;
    }

    /// Role `i`'s own policies' `sts:AssumeRole` statements, into `c` (their grants are
    /// added when the role is taken).
    fn assume(&self, i: usize, c: &mut Collected<'a>) {
        if let Some(record) = self.record(i) {
            let mut own = Collected::default();
            self.policies_of(record, &mut own);
            c.assume.extend(own.assume);
        }
    }

    /// The grants of a role's managed and inline policies, into `c`.
    fn policies_of(&self, record: &'a ContextResource, c: &mut Collected<'a>) {
        for arn in record.strings("managed_policy_arns") {
            c.policy(
                Some(arn),
                (&[], false),
                "managed_policy_arns",
                &self.policies,
            );
        }
        for (name, policy) in &record.policies {
            c.push(Source::Inline(name), policy);
        }
    }
}

/// What the plan says about each role of `roles` (see `Relation`).
pub fn relation<'a>(roles: &'a [RoleChange], context: &'a PlanContext) -> Relation<'a> {
    let configs = OnceCell::new();
    let index = Index::new(roles, &configs, context);
    let policies = Policies::new(context);
    let mut collected: Vec<Collected<'_>> = roles.iter().map(|_| Collected::default()).collect();
    // Filled in place: every role's are held at once, so no second copy of them is built.
    let mut consumers: Vec<Vec<Consumer>> = roles.iter().map(|_| Vec::new()).collect();

    let own = Own::new(roles, context, policies);
    // Which roles a role may assume is wanted now, for the roles that consume others: from
    // its own policies only when some policy of the plan allows `sts:AssumeRole` at all.
    let assumes = context
        .resources
        .iter()
        .any(|r| r.policies.iter().any(|(_, p)| !p.assume.is_empty()));
    if assumes {
        for (i, c) in collected.iter_mut().enumerate() {
            own.assume(i, c);
        }
    }

    for resource in context.resources.iter().filter(|r| r.exists_after) {
        match resource.resource_type {
            "aws_iam_role_policy" => {
                for i in index.roles(resource, "role") {
                    if let Some(c) = collected.get_mut(i) {
                        for (_, facts) in &resource.policies {
                            c.push(Source::Plain(&resource.address), facts);
                        }
                    }
                }
            }
            "aws_iam_role_policy_attachment" | "aws_iam_policy_attachment" => {
                let attr = if resource.resource_type == "aws_iam_policy_attachment" {
                    "roles"
                } else {
                    "role"
                };
                let arn = resource.str_attr("policy_arn");
                // Followed only when the ARN is not known yet.
                let config = arn.is_none().then(|| config_address(&resource.address));
                let (targets, keyed): (&[Target], bool) = match &config {
                    None => (&[], false),
                    Some(config) => index
                        .references
                        .get(&(config.as_str(), "policy_arn"))
                        .map_or((&[], false), |(targets, keyed)| {
                            (targets.as_slice(), *keyed)
                        }),
                };
                let referenced: Vec<&ContextResource> = targets
                    .iter()
                    .flat_map(|&(t, written)| {
                        let found = own.policies.configured(t).iter();
                        referenced(&resource.address, (written, keyed), found, |(_, p)| *p)
                    })
                    .map(|(r, _)| *r)
                    .collect();
                let plain = targets.iter().any(|(t, _)| context.plain_policy(t));
                for i in index.roles(resource, attr) {
                    if let Some(c) = collected.get_mut(i) {
                        c.policy(arn, (&referenced, plain), &resource.address, &own.policies);
                    }
                }
            }
            "kubernetes_service_account" | "kubernetes_service_account_v1" => {
                let Some(sa) = &resource.service_account else {
                    continue;
                };
                for i in index.named(&sa.role_arn) {
                    if let Some(c) = consumers_of(&mut consumers, i) {
                        c.push(Consumer::ServiceAccount {
                            address: resource.address.to_string(),
                            namespace: sa.namespace.to_string(),
                            name: sa.name.to_string(),
                        });
                    }
                }
            }
            other => {
                for (_, attr, service, also) in RUNS_AS.iter().filter(|(t, ..)| *t == other) {
                    for i in index.roles(resource, attr) {
                        if let Some(c) = consumers_of(&mut consumers, i) {
                            c.push(Consumer::Service {
                                address: resource.address.to_string(),
                                service,
                                also,
                                arn: resource.arn.as_deref().map(str::to_string),
                            });
                        }
                    }
                }
            }
        }
    }

    for p in &context.providers {
        let mut targets: BTreeSet<usize> = BTreeSet::new();
        for arn in &p.role_arns {
            targets.extend(index.by_text.get(arn));
        }
        for (r, written) in &p.role_references {
            // A provider's references resolve in its module, which has no instances of its
            // own (a module with a provider block cannot be called with count or for_each).
            let parts = index.parts();
            targets.extend(index.configured(r).filter(|&i| {
                written.is_none() || parts.get(i).and_then(|p| p.1) == written.as_deref()
            }));
        }
        for i in targets {
            if let Some(c) = consumers_of(&mut consumers, i) {
                c.push(Consumer::Provider {
                    provider: p.provider.clone(),
                    has_external_id: p.has_external_id,
                    external_id: p.external_id.clone(),
                });
            }
        }
    }

    // Roles whose identity policy lets them assume another role of the plan (most roles'
    // policies allow no `sts:AssumeRole` at all), in the order their consumers are listed.
    let mut callers: Vec<Caller<'_>> = roles
        .iter()
        .enumerate()
        .filter_map(|(index, caller)| {
            let assume = collected.get(index).map(|c| &c.assume)?;
            (!assume.is_empty()).then_some(())?;
            let everything = assume
                .iter()
                .any(|s| classify::covers_everything(s.as_ref()));
            Some(Caller {
                index,
                address: &caller.address,
                arn: role_arn(caller)?,
                assume: assume.clone(),
                everything,
            })
        })
        .collect();
    callers.sort_by(|a, b| a.address.cmp(b.address).then(a.index.cmp(&b.index)));

    Relation {
        consumers,
        collected,
        callers,
        own,
    }
}

/// Role `i`'s role consumers into its facts: the first `ROLE_CONSUMER_LIMIT` callers whose
/// statements cover its ARN, the rest counted.
fn role_consumers(callers: &[Caller<'_>], role: Option<&RoleChange>, i: usize, f: &mut RoleFacts) {
    let Some(target) = role.and_then(role_arn) else {
        return;
    };
    let mut listed = 0usize;
    for caller in callers {
        if caller.index == i
            || !(caller.everything
                || caller
                    .assume
                    .iter()
                    .any(|s| classify::covers(s.as_ref(), target)))
        {
            continue;
        }
        if listed < ROLE_CONSUMER_LIMIT {
            listed = listed.saturating_add(1);
            f.consumers.push(Consumer::Role {
                address: caller.address.to_string(),
                arn: caller.arn.to_string(),
            });
        } else {
            f.unjudged_role_consumers = f.unjudged_role_consumers.saturating_add(1);
        }
    }
}

fn consumer_key(c: &Consumer) -> String {
    match c {
        Consumer::Service { address, .. }
        | Consumer::ServiceAccount { address, .. }
        | Consumer::Role { address, .. } => address.clone(),
        Consumer::Provider { provider, .. } => format!("provider {provider}"),
    }
}

/// The role's class from its grants, capped by a boundary whose class is known.
fn blast_radius(mut grants: Vec<Grant>, boundary: Option<Box<Grant>>) -> BlastRadius {
    grants.sort_by(|a, b| a.from.cmp(&b.from).then(a.why.cmp(&b.why)));
    grants.dedup();
    let mut class = grants
        .iter()
        .map(|g| g.class)
        .max()
        .unwrap_or(PermissionClass::Unknown);
    // A boundary caps what the role's policies grant: effective permissions are in both.
    // An unknown boundary caps nothing (the reading that reports more).
    if let Some(b) = &boundary {
        if b.class != PermissionClass::Unknown && b.class < class {
            class = b.class;
        }
    }
    BlastRadius {
        class,
        grants,
        boundary,
    }
}

#[cfg(test)]
mod lookup_tests {
    use super::Lookup;
    use std::hash::{BuildHasher, Hasher};

    /// Every text hashes alike: the lookup must still tell texts apart by their content.
    #[derive(Clone, Copy)]
    struct Colliding;

    struct Zero;

    impl Hasher for Zero {
        fn finish(&self) -> u64 {
            0
        }
        fn write(&mut self, _: &[u8]) {}
    }

    impl BuildHasher for Colliding {
        type Hasher = Zero;
        fn build_hasher(&self) -> Zero {
            Zero
        }
    }

    fn roles_of<S: BuildHasher>(lookup: &Lookup<'_, S>, key: &str) -> Vec<usize> {
        lookup.get(key).collect()
    }

    #[test]
    fn a_text_names_its_roles_once_each_in_role_order() {
        let pairs = [
            ("arn:aws:iam::1:role/b", 3),
            ("app", 2),
            ("arn:aws:iam::1:role/b", 1),
            ("app", 0),
            ("app", 2),
            ("ap", 4),
        ];
        let keyed = Lookup::new(pairs.into_iter());
        let colliding = Lookup::with_hasher(pairs.into_iter(), Colliding);
        assert_eq!(roles_of(&keyed, "app"), [0, 2]);
        assert_eq!(roles_of(&colliding, "app"), [0, 2]);
        assert_eq!(roles_of(&keyed, "arn:aws:iam::1:role/b"), [1, 3]);
        assert_eq!(roles_of(&colliding, "arn:aws:iam::1:role/b"), [1, 3]);
        assert_eq!(roles_of(&colliding, "ap"), [4]);
        assert!(roles_of(&keyed, "a").is_empty());
        assert!(!colliding.contains("a"));
        assert!(colliding.contains("ap"));
    }
}

#[cfg(test)]
mod source_tests {
    use super::Source;

    /// The report names a grant's source as it did when sources were formatted at once.
    #[test]
    fn each_source_reads_as_the_report_names_it() {
        assert_eq!(
            Source::Plain("aws_iam_role_policy.p").text(),
            "aws_iam_role_policy.p"
        );
        assert_eq!(Source::Inline("s3").text(), "inline_policy `s3`");
        assert_eq!(
            Source::Via("aws_iam_role_policy_attachment.a", "aws_iam_policy.p").text(),
            "aws_iam_role_policy_attachment.a -> aws_iam_policy.p"
        );
        assert_eq!(
            Source::Arn(
                "permissions_boundary",
                "arn:aws:iam::aws:policy/ReadOnlyAccess"
            )
            .text(),
            "permissions_boundary (arn:aws:iam::aws:policy/ReadOnlyAccess)"
        );
    }
}
