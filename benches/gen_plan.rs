//! Writes a realistic `terraform show -json` plan of N resources, deterministic from a seed,
//! for `make bench`: `gen_plan RESOURCES SEED OUT.json`.
//!
//! What makes it realistic (and so what the reader's speed is measured on): the sections a
//! real plan has (`planned_values`, `resource_changes`, `resource_drift`, `prior_state`,
//! `configuration`, `relevant_attributes`), a resource mix whose bulk is not roles (instances,
//! buckets, security groups with big nested rule blocks, lambdas with environments, IAM
//! policies whose documents are escaped JSON strings), modules nested two deep with `count`
//! and `for_each` instances, and about one resource in twenty (or one in ROLE_EVERY) an IAM role whose trust changes
//! in every way a plan can say: create, update (widened or narrowed), replace both ways,
//! delete, no-op, unknown after apply, sensitive, moved, and drifted. Output is minified, as
//! Terraform writes it.

// A benchmark tool on its own generated data, not an input path: a panic here is a failed
// benchmark run, so plain indexing and arithmetic keep it readable.
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use std::fmt::Write as _;
use std::io::{BufWriter, Write};

use serde_json::{json, Map, Value};

/// xorshift64*: tiny, deterministic, good enough to vary a plan.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items
            .get(self.below(items.len() as u64) as usize)
            .copied()
            .unwrap_or("x")
    }
    fn hex(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len);
        while s.len() < len {
            let _ = write!(s, "{:016x}", self.next());
        }
        s.truncate(len);
        s
    }
}

const ACCOUNT: &str = "123456789012";
const REGIONS: &[&str] = &["us-east-1", "eu-west-1", "ap-southeast-2"];

/// How a role's trust changes.
#[derive(Clone, Copy)]
enum RoleKind {
    Create,
    UpdateWiden,
    UpdateNarrow,
    ReplaceDbc,
    ReplaceCbd,
    Delete,
    NoOp,
    Unknown,
    Sensitive,
    Moved,
    Drifted,
}

const ROLE_KINDS: &[RoleKind] = &[
    RoleKind::Create,
    RoleKind::UpdateWiden,
    RoleKind::UpdateNarrow,
    RoleKind::ReplaceDbc,
    RoleKind::ReplaceCbd,
    RoleKind::Delete,
    RoleKind::NoOp,
    RoleKind::NoOp,
    RoleKind::NoOp,
    RoleKind::Unknown,
    RoleKind::Sensitive,
    RoleKind::Moved,
    RoleKind::Drifted,
];

fn trust(rng: &mut Rng, wide: bool) -> String {
    let doc = match rng.below(4) {
        0 => {
            json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",
            "Principal":{"Service": rng.pick(&["ec2.amazonaws.com","lambda.amazonaws.com","ecs-tasks.amazonaws.com"])}}]})
        }
        1 => {
            json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",
            "Principal":{"AWS": format!("arn:aws:iam::{}:root", if wide {"999988887777"} else {ACCOUNT})},
            "Condition": if wide { json!({}) } else { json!({"StringEquals":{"sts:ExternalId": rng.hex(12)}}) }}]})
        }
        2 => {
            json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity",
            "Principal":{"Federated": format!("arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com")},
            "Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},
                "StringLike":{"token.actions.githubusercontent.com:sub": if wide {"repo:acme/*".to_string()} else {format!("repo:acme/app{}:ref:refs/heads/main", rng.below(50))}}}}]})
        }
        _ => {
            json!({"Version":"2012-10-17","Statement":[{"Sid":"Svc","Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],
            "Principal":{"Service":["ecs-tasks.amazonaws.com","events.amazonaws.com"]},
            "Condition":{"StringEquals":{"aws:SourceAccount": if wide {"*"} else {ACCOUNT}}}}]})
        }
    };
    doc.to_string()
}

fn tags(rng: &mut Rng, name: &str) -> Value {
    json!({"Name": name, "team": rng.pick(&["platform","data","payments","search","growth"]),
        "env": rng.pick(&["prod","staging","dev"]), "cost-center": format!("cc-{}", rng.below(900) + 100),
        "managed-by": "terraform"})
}

/// One resource's attributes, by type.
fn attributes(rng: &mut Rng, rtype: &str, name: &str) -> Value {
    let region = rng.pick(REGIONS);
    match rtype {
        "aws_instance" => json!({
            "ami": format!("ami-{}", rng.hex(17)), "arn": format!("arn:aws:ec2:{region}:{ACCOUNT}:instance/i-{}", rng.hex(17)),
            "associate_public_ip_address": false, "availability_zone": format!("{region}a"),
            "cpu_core_count": 2, "cpu_threads_per_core": 2, "disable_api_termination": false,
            "ebs_optimized": true, "get_password_data": false, "iam_instance_profile": format!("{name}-profile"),
            "id": format!("i-{}", rng.hex(17)), "instance_type": rng.pick(&["t3.micro","m5.large","c6i.xlarge"]),
            "ipv6_address_count": 0, "ipv6_addresses": [], "key_name": "deploy", "monitoring": true,
            "private_dns": format!("ip-10-0-{}-{}.ec2.internal", rng.below(255), rng.below(255)),
            "private_ip": format!("10.0.{}.{}", rng.below(255), rng.below(255)),
            "root_block_device": [{"delete_on_termination": true, "device_name": "/dev/xvda", "encrypted": true,
                "iops": 3000, "kms_key_id": format!("arn:aws:kms:{region}:{ACCOUNT}:key/{}", rng.hex(32)),
                "tags": {}, "throughput": 125, "volume_id": format!("vol-{}", rng.hex(17)), "volume_size": 50, "volume_type": "gp3"}],
            "metadata_options": [{"http_endpoint": "enabled", "http_put_response_hop_limit": 1, "http_tokens": "required", "instance_metadata_tags": "disabled"}],
            "subnet_id": format!("subnet-{}", rng.hex(17)), "tags": tags(rng, name), "tags_all": tags(rng, name),
            "user_data": rng.hex(40), "vpc_security_group_ids": [format!("sg-{}", rng.hex(17))],
        }),
        "aws_s3_bucket" => json!({
            "acceleration_status": "", "arn": format!("arn:aws:s3:::{name}-{}", rng.hex(8)), "bucket": format!("{name}-{}", rng.hex(8)),
            "bucket_domain_name": format!("{name}.s3.amazonaws.com"), "force_destroy": false,
            "grant": [{"id": rng.hex(64), "permissions": ["FULL_CONTROL"], "type": "CanonicalUser", "uri": ""}],
            "hosted_zone_id": "Z3AQBSTGFYJSTF", "id": format!("{name}-{}", rng.hex(8)), "object_lock_enabled": false,
            "policy": "", "region": region, "request_payer": "BucketOwner",
            "server_side_encryption_configuration": [{"rule": [{"apply_server_side_encryption_by_default": [{"kms_master_key_id": "", "sse_algorithm": "AES256"}], "bucket_key_enabled": false}]}],
            "tags": tags(rng, name), "tags_all": tags(rng, name), "versioning": [{"enabled": true, "mfa_delete": false}],
            "website": [], "lifecycle_rule": [], "logging": [], "replication_configuration": [],
        }),
        "aws_security_group" => {
            let rule = |rng: &mut Rng| {
                json!({"cidr_blocks": [format!("10.{}.0.0/16", rng.below(255))], "description": "from the VPC",
                "from_port": rng.below(65535), "ipv6_cidr_blocks": [], "prefix_list_ids": [], "protocol": "tcp",
                "security_groups": [], "self": false, "to_port": rng.below(65535)})
            };
            let ingress: Vec<Value> = (0..4 + rng.below(10)).map(|_| rule(rng)).collect();
            let egress: Vec<Value> = (0..2).map(|_| rule(rng)).collect();
            json!({"arn": format!("arn:aws:ec2:{region}:{ACCOUNT}:security-group/sg-{}", rng.hex(17)),
                "description": "Managed by Terraform", "egress": egress, "id": format!("sg-{}", rng.hex(17)),
                "ingress": ingress, "name": name, "name_prefix": "", "owner_id": ACCOUNT,
                "revoke_rules_on_delete": false, "tags": tags(rng, name), "tags_all": tags(rng, name), "timeouts": null,
                "vpc_id": format!("vpc-{}", rng.hex(17))})
        }
        "aws_lambda_function" => {
            let mut env = Map::new();
            for i in 0..6 + rng.below(10) {
                env.insert(format!("VAR_{i}"), Value::String(rng.hex(24)));
            }
            json!({"architectures": ["arm64"], "arn": format!("arn:aws:lambda:{region}:{ACCOUNT}:function:{name}"),
                "code_signing_config_arn": "", "dead_letter_config": [], "description": "handler",
                "environment": [{"variables": env}], "ephemeral_storage": [{"size": 512}],
                "filename": "build/handler.zip", "function_name": name, "handler": "index.handler",
                "id": name, "image_uri": "", "invoke_arn": format!("arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{name}/invocations"),
                "kms_key_arn": "", "last_modified": "2024-05-01T12:00:00.000+0000", "layers": [],
                "memory_size": 512, "package_type": "Zip", "publish": false,
                "role": format!("arn:aws:iam::{ACCOUNT}:role/{name}"), "runtime": "nodejs20.x",
                "source_code_hash": rng.hex(44), "source_code_size": rng.below(10_000_000),
                "tags": tags(rng, name), "tags_all": tags(rng, name), "timeout": 30,
                "tracing_config": [{"mode": "PassThrough"}], "vpc_config": []})
        }
        "aws_iam_policy" => {
            let statements: Vec<Value> = (0..1 + rng.below(5))
                .map(|i| {
                    json!({"Sid": format!("S{i}"), "Effect": "Allow",
                "Action": ["s3:GetObject","s3:PutObject","kms:Decrypt"],
                "Resource": [format!("arn:aws:s3:::{name}-{}/*", rng.hex(6))]})
                })
                .collect();
            json!({"arn": format!("arn:aws:iam::{ACCOUNT}:policy/{name}"), "description": "", "id": format!("arn:aws:iam::{ACCOUNT}:policy/{name}"),
                "name": name, "name_prefix": "", "path": "/", "policy": json!({"Version":"2012-10-17","Statement":statements}).to_string(),
                "policy_id": rng.hex(21), "tags": tags(rng, name), "tags_all": tags(rng, name)})
        }
        _ => {
            json!({"id": format!("{name}-{}", rng.hex(20)), "policy_arn": format!("arn:aws:iam::{ACCOUNT}:policy/{name}"), "role": name})
        }
    }
}

fn role_attributes(rng: &mut Rng, name: &str, trust: &str) -> Value {
    json!({"arn": format!("arn:aws:iam::{ACCOUNT}:role/{name}"), "assume_role_policy": trust,
        "create_date": "2024-01-01T00:00:00Z", "description": "", "force_detach_policies": false,
        "id": name, "inline_policy": [], "managed_policy_arns": [format!("arn:aws:iam::aws:policy/ReadOnlyAccess")],
        "max_session_duration": 3600, "name": name, "name_prefix": "", "path": "/", "permissions_boundary": "",
        "tags": tags(rng, name), "tags_all": tags(rng, name), "unique_id": format!("AROA{}", rng.hex(17).to_uppercase())})
}

/// Every attribute `false` (an `after_unknown` / sensitivity tree with nothing marked).
fn falses(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| v.is_object() || v.is_array())
                .map(|(k, v)| (k.clone(), falses(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(falses).collect()),
        _ => Value::Bool(false),
    }
}

struct Resource {
    module: String,
    rtype: &'static str,
    name: String,
    index: Value,
    address: String,
    before: Value,
    after: Value,
    actions: Vec<&'static str>,
    after_unknown: Value,
    sensitive: bool,
    previous_address: Option<String>,
    action_reason: Option<&'static str>,
    drift: Option<Value>,
}

const TYPES: &[&str] = &[
    "aws_instance",
    "aws_s3_bucket",
    "aws_security_group",
    "aws_lambda_function",
    "aws_iam_policy",
    "aws_iam_role_policy_attachment",
];

fn resource(rng: &mut Rng, i: usize) -> Resource {
    // Modules two deep, with count and for_each instances, as monorepos have.
    let module = match i % 4 {
        0 => String::new(),
        1 => format!("module.svc{}", i % 97),
        2 => format!("module.team[\"t{}\"].module.app{}", i % 13, i % 7),
        _ => format!("module.env[{}]", i % 3),
    };
    let every = ROLE_EVERY.load(std::sync::atomic::Ordering::Relaxed).max(1);
    let is_role = i % every == 7 % every;
    let rtype: &'static str = if is_role {
        "aws_iam_role"
    } else {
        TYPES
            .get(rng.below(TYPES.len() as u64) as usize)
            .copied()
            .unwrap_or("aws_instance")
    };
    let name = format!("r{}", i / 3);
    let index = match i % 3 {
        0 => Value::Null,
        1 => json!(i % 5),
        _ => json!(format!("k{}", i % 11)),
    };
    let mut address = if module.is_empty() {
        format!("{rtype}.{name}")
    } else {
        format!("{module}.{rtype}.{name}")
    };
    match &index {
        Value::Null => {}
        other => {
            let _ = write!(address, "[{other}]");
        }
    }
    let mut res = Resource {
        module,
        rtype,
        name: name.clone(),
        index,
        address,
        before: Value::Null,
        after: Value::Null,
        actions: vec!["no-op"],
        after_unknown: json!({}),
        sensitive: false,
        previous_address: None,
        action_reason: None,
        drift: None,
    };
    if !is_role {
        let attrs = attributes(rng, rtype, &name);
        let roll = rng.below(10);
        res.actions = match roll {
            0 => vec!["create"],
            1 => vec!["update"],
            2 => vec!["delete"],
            _ => vec!["no-op"],
        };
        res.before = if roll == 0 {
            Value::Null
        } else {
            attrs.clone()
        };
        res.after = if roll == 2 { Value::Null } else { attrs };
        res.after_unknown = if roll == 2 {
            json!(false)
        } else {
            falses(&res.after)
        };
        return res;
    }
    let kind = ROLE_KINDS
        .get(rng.below(ROLE_KINDS.len() as u64) as usize)
        .copied()
        .unwrap_or(RoleKind::NoOp);
    let narrow = trust(rng, false);
    let wide = trust(rng, true);
    let before = role_attributes(rng, &name, &narrow);
    let mut after = before.clone();
    match kind {
        RoleKind::Create => {
            res.actions = vec!["create"];
            res.before = Value::Null;
            res.after = before;
        }
        RoleKind::UpdateWiden | RoleKind::UpdateNarrow => {
            res.actions = vec!["update"];
            let (b, a) = if matches!(kind, RoleKind::UpdateWiden) {
                (narrow, wide)
            } else {
                (wide, narrow)
            };
            after["assume_role_policy"] = json!(a);
            res.before = before;
            res.before["assume_role_policy"] = json!(b);
            res.after = after;
        }
        RoleKind::ReplaceDbc | RoleKind::ReplaceCbd => {
            res.actions = if matches!(kind, RoleKind::ReplaceDbc) {
                vec!["delete", "create"]
            } else {
                vec!["create", "delete"]
            };
            res.action_reason = Some("replace_because_cannot_update");
            after["assume_role_policy"] = json!(wide);
            res.before = before;
            res.after = after;
        }
        RoleKind::Delete => {
            res.actions = vec!["delete"];
            res.before = before;
            res.after = Value::Null;
        }
        RoleKind::NoOp | RoleKind::Sensitive | RoleKind::Moved | RoleKind::Drifted => {
            res.sensitive = matches!(kind, RoleKind::Sensitive);
            if matches!(kind, RoleKind::Moved) {
                res.previous_address = Some(format!("aws_iam_role.old_{name}"));
            }
            if matches!(kind, RoleKind::Drifted) {
                let mut drifted = before.clone();
                drifted["assume_role_policy"] = json!(wide);
                res.drift = Some(drifted);
            }
            res.before = before;
            res.after = after;
        }
        RoleKind::Unknown => {
            res.actions = vec!["update"];
            res.before = before;
            res.after = after;
            res.after_unknown = json!({"assume_role_policy": true});
            return res;
        }
    }
    res.after_unknown = if res.after.is_null() {
        json!(false)
    } else {
        falses(&res.after)
    };
    res
}

fn change_entry(res: &Resource, before: &Value, after: &Value, actions: &[&str]) -> Value {
    let marks = if res.sensitive {
        json!({"assume_role_policy": true, "tags": {}})
    } else {
        json!({})
    };
    let mut entry = json!({"address": res.address, "mode": "managed", "type": res.rtype, "name": res.name,
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {"actions": actions, "before": before, "after": after, "after_unknown": res.after_unknown,
            "before_sensitive": if before.is_null() { json!(false) } else { marks.clone() },
            "after_sensitive": if after.is_null() { json!(false) } else { marks }}});
    if !res.module.is_empty() {
        entry["module_address"] = json!(res.module);
    }
    if !res.index.is_null() {
        entry["index"] = res.index.clone();
    }
    if let Some(previous) = &res.previous_address {
        entry["previous_address"] = json!(previous);
    }
    if let Some(reason) = res.action_reason {
        entry["action_reason"] = json!(reason);
    }
    entry
}

fn state_entry(res: &Resource, values: &Value) -> Value {
    json!({"address": res.address, "mode": "managed", "type": res.rtype, "name": res.name, "index": res.index,
        "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0, "values": values,
        "sensitive_values": {}})
}

/// Write a JSON array of `items` under `key`, one at a time (the plan never sits in memory).
fn write_list<W: Write>(
    out: &mut W,
    key: &str,
    items: impl Iterator<Item = Value>,
) -> std::io::Result<()> {
    write!(out, "\"{key}\":[")?;
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, &item)?;
    }
    out.write_all(b"]")
}

/// One resource in this many is an IAM role (optional fourth argument; 20 by default, as
/// `make bench` uses): a denser plan measures the cost of many changed roles.
static ROLE_EVERY: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(20);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(count), Some(seed), Some(path)) = (args.get(1), args.get(2), args.get(3)) else {
        return Err("usage: gen_plan RESOURCES SEED OUT.json [ROLE_EVERY]".into());
    };
    if let Some(every) = args.get(4) {
        ROLE_EVERY.store(every.parse()?, std::sync::atomic::Ordering::Relaxed);
    }
    let count: usize = count.parse()?;
    let seed: u64 = seed.parse()?;
    // Resources are regenerated per section from the same seed, so nothing is held.
    let each = |f: fn(&Resource) -> Option<Value>| {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        (0..count).filter_map(move |i| f(&resource(&mut rng, i)))
    };
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    out.write_all(br#"{"format_version":"1.2","terraform_version":"1.9.8","#)?;
    out.write_all(br#""planned_values":{"root_module":{"#)?;
    write_list(
        &mut out,
        "resources",
        each(|r| (!r.after.is_null()).then(|| state_entry(r, &r.after))),
    )?;
    out.write_all(b"}},")?;
    write_list(
        &mut out,
        "resource_drift",
        each(|r| {
            r.drift
                .as_ref()
                .map(|d| change_entry(r, &r.before, d, &["update"]))
        }),
    )?;
    out.write_all(b",")?;
    write_list(
        &mut out,
        "resource_changes",
        each(|r| {
            let before = r.drift.as_ref().unwrap_or(&r.before);
            Some(change_entry(r, before, &r.after, &r.actions))
        }),
    )?;
    out.write_all(br#","prior_state":{"format_version":"1.0","terraform_version":"1.9.8","values":{"root_module":{"#)?;
    write_list(
        &mut out,
        "resources",
        each(|r| (!r.before.is_null()).then(|| state_entry(r, &r.before))),
    )?;
    out.write_all(b"}}},")?;
    // configuration: one resource block per (module, type, name), expressions included.
    let mut calls = Map::new();
    for m in 0..97 {
        calls.insert(format!("svc{m}"), json!({"source": format!("./modules/svc{m}"), "module": {"resources": [
            {"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "name": "r",
             "expressions": {"assume_role_policy": {"references": ["data.aws_iam_policy_document.trust.json"]}}}]}}));
    }
    calls.insert(
        "team".to_string(),
        json!({"source": "./modules/team", "for_each_expression": {"references": ["var.teams"]},
        "module": {"module_calls": {"app0": {"source": "./modules/app", "module": {}}}}}),
    );
    calls.insert(
        "env".to_string(),
        json!({"source": "./modules/env", "count_expression": {"constant_value": 3}, "module": {}}),
    );
    let configuration = json!({"provider_config": {"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws",
        "expressions": {"region": {"constant_value": "us-east-1"}}}},
        "root_module": {"module_calls": calls}});
    out.write_all(b"\"configuration\":")?;
    serde_json::to_writer(&mut out, &configuration)?;
    out.write_all(br#","relevant_attributes":[{"resource":"aws_iam_role.r","attribute":["assume_role_policy"]}],"timestamp":"2024-05-01T12:00:00Z","applyable":true,"complete":true,"errored":false}"#)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}
