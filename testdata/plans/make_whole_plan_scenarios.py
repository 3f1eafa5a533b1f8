#!/usr/bin/env python3
"""Build the scenarios that need the whole plan to judge a role: the role's own account from
each source the plan has, renamed roles (no `moved` block), an import, and drift the plan
keeps. Edited from update_trust.json (Andr1yK's `aws_iam_role.grafana`) and drift.json: the
entries keep their real shape; the accounts, names and policies are set per scenario.

Run from this directory: `python3 make_whole_plan_scenarios.py`. The plans are committed; this
script records how they were made. What each must produce is written by hand in
../plan_scenarios.json.
"""
import copy
import json

V = "2012-10-17"
OWN = "444455556666"  # the role's account, told by one source per scenario
OTHER = "777788889999"  # a second provider's account
PARTNER = "111122223333"  # a third party


def pol(*statements):
    return {"Version": V, "Statement": list(statements)}


def st(principal, action="sts:AssumeRole", cond=None):
    s = {"Effect": "Allow", "Principal": principal, "Action": action}
    if cond:
        s["Condition"] = cond
    return s


def text(policy):
    return json.dumps(policy, separators=(",", ":"))


def base():
    with open("update_trust.json") as f:
        return json.load(f)


BASE = base()
ROLE = BASE["resource_changes"][0]


def role_entry(address, actions, before, after, name="grafana", arn_account=None,
               name_prefix="", importing=False):
    """A resource_changes entry of aws_iam_role shaped like the real one."""
    rc = copy.deepcopy(ROLE)
    rc["address"] = address
    module, _, local = address.rpartition(".aws_iam_role.")
    rc["name"] = local.split("[")[0] if module else address.split(".")[1].split("[")[0]
    if "[" in address:
        rc["index"] = json.loads(address[address.index("[") + 1:-1])
    ch = rc["change"]
    ch["actions"] = actions
    for side, policy in (("before", before), ("after", after)):
        if policy is None:
            ch[side] = None
            continue
        values = ch[side] = copy.deepcopy(ROLE["change"]["before"])
        values["assume_role_policy"] = text(policy)
        values["name"] = name
        values["name_prefix"] = name_prefix
        values["id"] = name
        if arn_account:
            values["arn"] = f"arn:aws:iam::{arn_account}:role/{name}"
        else:
            values.pop("arn", None)
    if after is not None and (before is None or "create" in actions):
        # A create: the ARN and other computed attributes are unknown.
        for computed in ("arn", "create_date", "id", "unique_id"):
            ch["after"].pop(computed, None)
            ch["after_unknown"][computed] = True
        if name is None:
            ch["after"].pop("name", None)
            ch["after_unknown"]["name"] = True
    if before is None:
        ch["before_sensitive"] = False
    if importing:
        ch["importing"] = {"id": name}
    return rc


def config_resource(address, provider="aws"):
    kind, name = address.split(".")[-2:]
    mode = "managed"
    if address.startswith("data."):
        mode = "data"
    return {"address": address, "mode": mode, "type": kind, "name": name.split("[")[0],
            "provider_config_key": provider, "schema_version": 0}


def state_resource(address, values, mode="managed"):
    kind, name = address.split(".")[-2:]
    return {"address": address, "mode": mode, "type": kind, "name": name,
            "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
            "values": values, "sensitive_values": {}}


def caller(address, account, mode="data"):
    return state_resource(address, {
        "account_id": account, "arn": f"arn:aws:sts::{account}:assumed-role/terraform/ci",
        "id": account, "user_id": "AROAEXAMPLEID:ci"}, mode)


def plan(changes, config, providers=None, prior=None, planned_extra=None):
    p = copy.deepcopy(BASE)
    p["resource_changes"] = changes
    p["planned_values"] = {"root_module": {"resources": [
        state_resource(rc["address"], rc["change"]["after"])
        for rc in changes if rc["change"]["after"] is not None] + (planned_extra or [])}}
    if prior is not None:
        p["prior_state"] = {"format_version": "1.0", "terraform_version": "1.10.3",
                            "values": {"root_module": {"resources": prior}}}
    provider_config = {"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws",
                               "version_constraint": "~> 5.0"}}
    for key, extra in (providers or {}).items():
        provider_config.setdefault(key, {"name": "aws", "full_name":
                                         "registry.terraform.io/hashicorp/aws"}).update(extra)
    p["configuration"] = {"provider_config": provider_config,
                          "root_module": {"resources": config}}
    return p


PARTNER_ROOT = {"AWS": f"arn:aws:iam::{PARTNER}:root"}
OWN_ROOT = {"AWS": f"arn:aws:iam::{OWN}:root"}
EC2 = {"Service": "ec2.amazonaws.com"}
EXT = {"StringEquals": {"sts:ExternalId": "partner-7f3a"}}


def own_account_scenarios():
    """A new role trusting its own account's root: no finding once the plan tells the
    account; without it, the account may be another's and the gate fails closed."""
    create = role_entry("aws_iam_role.grafana", ["create"], None, pol(st(OWN_ROOT)))
    role_cfg = config_resource("aws_iam_role.grafana")
    out = {
        "own-account-unknown.json": plan([create], [role_cfg]),
        "own-account-caller-identity.json": plan(
            [create], [role_cfg, config_resource("data.aws_caller_identity.current")],
            prior=[caller("data.aws_caller_identity.current", OWN)]),
        "own-account-provider-resources.json": plan(
            [create], [role_cfg, config_resource("aws_sqs_queue.events")],
            prior=[state_resource("aws_sqs_queue.events", {
                "arn": f"arn:aws:sqs:us-east-1:{OWN}:events", "name": "events"})]),
        "own-account-assume-role.json": plan([create], [role_cfg], providers={"aws": {
            "expressions": {"assume_role": [{"role_arn": {
                "constant_value": f"arn:aws:iam::{OWN}:role/terraform"}}]}}}),
        "own-account-allowed-ids.json": plan([create], [role_cfg], providers={"aws": {
            "expressions": {"allowed_account_ids": {"constant_value": [OWN]}}}}),
    }
    # Two provider aliases in two accounts: `aws` works in OWN, `aws.prod` in OTHER. Both
    # roles trust OTHER's root: the `aws.prod` one trusts its own account (no finding), the
    # `aws` one another account (a finding). Accounts never cross providers.
    a = role_entry("aws_iam_role.grafana", ["create"], None,
                   pol(st({"AWS": f"arn:aws:iam::{OTHER}:root"})))
    b = role_entry("aws_iam_role.prod_reader", ["create"], None,
                   pol(st({"AWS": f"arn:aws:iam::{OTHER}:root"})), name="prod-reader")
    out["own-account-provider-aliases.json"] = plan(
        [a, b],
        [config_resource("aws_iam_role.grafana"),
         config_resource("aws_iam_role.prod_reader", "aws.prod"),
         config_resource("data.aws_caller_identity.current"),
         config_resource("data.aws_caller_identity.prod", "aws.prod")],
        providers={"aws.prod": {"alias": "prod"}},
        prior=[caller("data.aws_caller_identity.current", OWN),
               caller("data.aws_caller_identity.prod", OTHER)])
    return out


def renamed(old, new, before, after, name="grafana", old_name=None, name_prefix=""):
    deleted = role_entry(old, ["delete"], before, None, name=old_name or name,
                         arn_account=OWN, name_prefix=name_prefix)
    deleted["action_reason"] = "delete_because_no_resource_config"
    created = role_entry(new, ["create"], None, after, name=name, name_prefix=name_prefix)
    return plan([deleted, created], [config_resource(new.split("[")[0])],
                prior=[state_resource(old, deleted["change"]["before"])])


def rename_scenarios():
    """A role deleted at one address and created at another under the same IAM name."""
    return {
        # A partner account gains access through the rename.
        "renamed-widened.json": renamed(
            "aws_iam_role.grafana", "aws_iam_role.observability",
            pol(st(EC2)), pol(st({**EC2, "AWS": f"arn:aws:iam::{PARTNER}:role/monitoring"}))),
        # A role of the same account gains access: the renamed role is in the old one's
        # account (its ARN), so this is same-account trust, reported without blocking.
        "renamed-widened-same-account.json": renamed(
            "aws_iam_role.grafana", "aws_iam_role.observability",
            pol(st(EC2)), pol(st({**EC2, "AWS": f"arn:aws:iam::{OWN}:role/deployer"}))),
        # The rename drops the partner: nothing fails (as a new role, EC2 without a source
        # guard would be reported).
        "renamed-narrowed.json": renamed(
            "aws_iam_role.grafana", "aws_iam_role.observability",
            pol(st({**EC2, "AWS": f"arn:aws:iam::{PARTNER}:role/monitoring"})), pol(st(EC2))),
        # The same trust written differently.
        "renamed-equivalent.json": renamed(
            "aws_iam_role.grafana", "aws_iam_role.observability",
            pol(st(PARTNER_ROOT, cond=EXT)),
            pol(st({"AWS": [PARTNER]}, ["sts:AssumeRole"],
                   {"StringEquals": {"sts:ExternalId": ["partner-7f3a"]}}))),
        # A for_each key change that keeps the name, dropping the partner's ExternalId.
        "renamed-for-each-rekey.json": renamed(
            'aws_iam_role.partner["acme"]', 'aws_iam_role.partner["acme-corp"]',
            pol(st(PARTNER_ROOT, cond=EXT)), pol(st(PARTNER_ROOT)), name="partner-acme"),
        # A name made from `name_prefix`: the new name is unknown until apply.
        "renamed-name-prefix.json": renamed(
            "aws_iam_role.grafana", "aws_iam_role.observability",
            pol(st(EC2)), pol(st({**EC2, "AWS": f"arn:aws:iam::{PARTNER}:role/monitoring"})),
            name=None, old_name="grafana-20250228220739", name_prefix="grafana-"),
    }


def import_scenario():
    """An `import` block bringing in a role anyone can assume."""
    public = pol(st({"AWS": "*"}))
    rc = role_entry("aws_iam_role.grafana", ["no-op"], public, public, arn_account=OWN,
                    importing=True)
    return {"import-public.json": plan([rc], [config_resource("aws_iam_role.grafana")])}


def drift_kept():
    """drift.json with the plan keeping grafana's drifted trust under a condition every
    caller meets (any session name): the drift still grants the partner, and must block."""
    with open("drift.json") as f:
        p = json.load(f)
    applied = next(d for d in p["resource_drift"] if d["address"] == "aws_iam_role.grafana")
    rc = next(r for r in p["resource_changes"] if r["address"] == "aws_iam_role.grafana")
    actual = json.loads(applied["change"]["after"]["assume_role_policy"])
    kept = copy.deepcopy(actual)
    for s in kept["Statement"]:
        s["Condition"] = {"StringLike": {"sts:RoleSessionName": "*"}}
    rc["change"]["actions"] = ["update"]
    rc["change"]["after"]["assume_role_policy"] = text(kept)
    p["resource_changes"] = [rc]
    p["resource_drift"] = [applied]
    return {"drift-kept-trivial-condition.json": p}


def main():
    for scenarios in (own_account_scenarios(), rename_scenarios(), import_scenario(),
                      drift_kept()):
        for name, p in scenarios.items():
            with open(name, "w") as f:
                json.dump(p, f, indent=2)
                f.write("\n")


if __name__ == "__main__":
    main()
