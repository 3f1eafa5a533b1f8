#!/usr/bin/env python3
"""Build the report scenarios (`report-*.json`) from update_trust.json, a real plan (Andr1yK's
`aws_iam_role.grafana`, account 337909773697): the same plan shape with its roles and trust
policies replaced. They feed the output-format snapshots in tests/it/report_formats.rs.

Run from this directory: `python3 make_report_scenarios.py`. The plans are committed; this
script records how they were made.

- report-narrowed.json: one update that removes a principal (exit 0, no findings).
- report-modules.json: roles at the root, in a local module, in a module nested in it, and
  in a registry module, with the plan's `configuration.module_calls`; the matching `.tf`
  files are under ../terraform/modules-demo (for --source-dir).
- report-many-roles.json: twelve roles with every verdict: widened (several rules), lateral,
  narrowed, unchanged, created, deleted, unknown, unparseable.
- report-sensitive-widened.json: trust policies marked sensitive on one side only, each
  widened, each holding a distinctive value that must never appear in any output.
"""
import copy
import json

OWN = "337909773697"
V = "2012-10-17"
GH = f"arn:aws:iam::{OWN}:oidc-provider/token.actions.githubusercontent.com"

BASE = json.load(open("update_trust.json"))
TEMPLATE = BASE["resource_changes"][0]


def pol(*statements):
    return {"Version": V, "Statement": list(statements)}


def st(principal, action="sts:AssumeRole", cond=None, effect="Allow", sid=None):
    s = {"Effect": effect, "Principal": principal, "Action": action}
    if cond:
        s["Condition"] = cond
    if sid:
        s["Sid"] = sid
    return s


def text(policy):
    return policy if isinstance(policy, str) else json.dumps(policy, separators=(",", ":"))


def side(name, policy):
    s = copy.deepcopy(TEMPLATE["change"]["before"])
    s["arn"] = f"arn:aws:iam::{OWN}:role/{name}"
    s["id"] = name
    s["name"] = name
    s["assume_role_policy"] = text(policy)
    return s


def role(address, before, after, actions=None, sensitive=(False, False), unknown=False):
    """before/after: a policy (dict or raw text) or None where the role does not exist."""
    parts = address.split(".")
    name = parts[-1].split("[")[0]
    rc = copy.deepcopy(TEMPLATE)
    rc["address"] = address
    rc["name"] = name
    if len(parts) > 2:
        rc["module_address"] = ".".join(parts[:-2])
    if actions is None:
        actions = ["create"] if before is None else ["delete"] if after is None else ["update"]
    c = rc["change"]
    c["actions"] = actions
    c["before"] = side(name, before) if before is not None else None
    c["after"] = side(name, after) if after is not None else None
    if before is None and after is not None:
        # A created role's computed attributes are unknown, as in real plans.
        for key in ("arn", "create_date", "id", "unique_id"):
            c["after"].pop(key, None)
        c["after_unknown"] = {"arn": True, "create_date": True, "id": True, "unique_id": True}
    if unknown:
        c["after_unknown"] = {"assume_role_policy": True}
        c["after"].pop("assume_role_policy", None)
    for key, marked in zip(("before_sensitive", "after_sensitive"), sensitive):
        if marked:
            c[key] = dict(c[key], assume_role_policy=True)
    return rc


def plan(roles, module_calls=None):
    p = copy.deepcopy(BASE)
    p["resource_changes"] = roles
    p["planned_values"] = {"root_module": {}}
    root = {"resources": []}
    if module_calls:
        root["module_calls"] = module_calls
    p["configuration"]["root_module"] = root
    return p


def write(name, p):
    with open(name, "w") as f:
        json.dump(p, f, indent=2)
        f.write("\n")


XACCT = {"AWS": "arn:aws:iam::111122223333:root"}
EXT = {"StringEquals": {"sts:ExternalId": "partner-7f3a"}}
EC2 = {"Service": "ec2.amazonaws.com"}

write("report-narrowed.json", plan([
    role("aws_iam_role.ops",
         pol(st({"AWS": [f"arn:aws:iam::{OWN}:role/admin", "arn:aws:iam::111122223333:role/audit"]},
                sid="Ops")),
         pol(st({"AWS": f"arn:aws:iam::{OWN}:role/admin"}, sid="Ops"))),
]))

write("report-modules.json", plan(
    [
        role("aws_iam_role.partner", pol(st(XACCT, cond=EXT)), pol(st(XACCT))),
        role('module.ci["deploy"].aws_iam_role.github',
             pol(st({"Federated": GH}, "sts:AssumeRoleWithWebIdentity", {"StringEquals": {
                 "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main"}})),
             pol(st({"Federated": GH}, "sts:AssumeRoleWithWebIdentity", {"StringLike": {
                 "token.actions.githubusercontent.com:sub": "repo:acme/*"}}))),
        role('module.ci["deploy"].module.runner.aws_iam_role.this[0]', None, pol(st(EC2))),
        role("module.vendor.aws_iam_role.this", pol(st(EC2)),
             pol(st({"Service": "ec2.amazonaws.com", "AWS": "arn:aws:iam::111122223333:role/monitoring"}))),
    ],
    module_calls={
        "ci": {
            "source": "./modules/ci",
            "module": {"module_calls": {"runner": {"source": "../runner", "module": {}}}},
        },
        "vendor": {"source": "acme/role/aws", "version_constraint": "~> 1.0", "module": {}},
    },
))

many = [
    role("aws_iam_role.partner_reader", pol(st(XACCT, cond=EXT, sid="Partner")), pol(st(XACCT, sid="Partner"))),
    role("aws_iam_role.public", pol(st({"AWS": "*"}, cond={"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})),
         pol(st({"AWS": "*"}))),
    role("aws_iam_role.mfa", pol(st({"AWS": f"arn:aws:iam::{OWN}:root"}, cond={"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
         pol(st({"AWS": f"arn:aws:iam::{OWN}:root"}, cond={"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}))),
    role("aws_iam_role.lambda", pol(st({"Service": "lambda.amazonaws.com"}, cond={"StringEquals": {"aws:SourceAccount": OWN}})),
         pol(st({"Service": "lambda.amazonaws.com"}))),
    role("aws_iam_role.rotated", pol(st(XACCT, cond=EXT)),
         pol(st(XACCT, cond={"StringEquals": {"sts:ExternalId": "partner-9c2e"}}))),
    role("aws_iam_role.ops",
         pol(st({"AWS": [f"arn:aws:iam::{OWN}:role/admin", "arn:aws:iam::111122223333:role/audit"]})),
         pol(st({"AWS": f"arn:aws:iam::{OWN}:role/admin"}))),
    role("aws_iam_role.grafana", pol(st(EC2)), pol(st(EC2)), actions=["no-op"]),
    role("aws_iam_role.reporting", pol(st(EC2)), pol(st(EC2)), actions=["no-op"]),
    role("aws_iam_role.github_deploy", None,
         pol(st({"Federated": GH}, "sts:AssumeRoleWithWebIdentity", {"StringEquals": {
             "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}))),
    role("aws_iam_role.sre_bot", pol(st(EC2)), None),
    role("aws_iam_role.computed", pol(st(EC2)), pol(st(EC2)), unknown=True),
    role("aws_iam_role.broken", pol(st(EC2)), '{"Statement": [ {"Effect": "Allow",'),
]
write("report-many-roles.json", plan(many))

SECRET_AFTER = "SECRET-AFTER-EXTERNAL-ID-4242"
SECRET_BEFORE = "SECRET-BEFORE-EXTERNAL-ID-5151"
write("report-sensitive-widened.json", plan([
    # Only the new policy is sensitive: its values (account 424242424242, the ExternalId) must
    # never be printed; the old one may be.
    role("aws_iam_role.after_secret",
         pol(st(XACCT, cond=EXT)),
         pol(st({"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::424242424242:root"]},
                cond={"StringLike": {"sts:ExternalId": [SECRET_AFTER, "*"]}})),
         sensitive=(False, True)),
    # Only the old policy is sensitive: its values (account 515151515151) must never be printed.
    role("aws_iam_role.before_secret",
         pol(st({"AWS": "arn:aws:iam::515151515151:root"},
                cond={"StringEquals": {"sts:ExternalId": SECRET_BEFORE}})),
         pol(st({"AWS": "arn:aws:iam::515151515151:root"})),
         sensitive=(True, False)),
]))
