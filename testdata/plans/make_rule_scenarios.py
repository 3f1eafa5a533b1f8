#!/usr/bin/env python3
"""Build one plan scenario per rule from update_trust.json, a real plan (Andr1yK's
`aws_iam_role.grafana`, account 337909773697) with its trust policies replaced.

Run from this directory: `python3 make_rule_scenarios.py`. The plans are committed; this script records
how they were made. What each scenario must produce is written by hand in ../plan_scenarios.json.
"""
import copy
import json

OWN = "337909773697"
GH = f"arn:aws:iam::{OWN}:oidc-provider/token.actions.githubusercontent.com"
V = "2012-10-17"


def pol(*statements):
    return {"Version": V, "Statement": list(statements)}


def st(principal, action="sts:AssumeRole", cond=None, effect="Allow"):
    s = {"Effect": effect, "Principal": principal, "Action": action}
    if cond:
        s["Condition"] = cond
    return s


XACCT = {"AWS": "arn:aws:iam::111122223333:root"}
EXT = {"StringEquals": {"sts:ExternalId": "partner-7f3a"}}

# name -> (before policy or None for a create, after policy or raw text)
SCENARIOS = {
    "trust-widened": (
        pol(st(XACCT, cond={**EXT, "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
        pol(st(XACCT, cond={**EXT, "IpAddress": {"aws:SourceIp": "203.0.0.0/16"}})),
    ),
    "principal-added": (
        pol(st({"Service": "ec2.amazonaws.com"})),
        pol(st({"Service": "ec2.amazonaws.com", "AWS": "arn:aws:iam::111122223333:role/monitoring"})),
    ),
    "principal-broadened": (
        pol(st({"AWS": f"arn:aws:iam::{OWN}:role/deployer"})),
        pol(st({"AWS": OWN})),
    ),
    "external-id-removed": (pol(st(XACCT, cond=EXT)), pol(st(XACCT))),
    "mfa-removed": (
        pol(st({"AWS": f"arn:aws:iam::{OWN}:root"}, cond={"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
        pol(st({"AWS": f"arn:aws:iam::{OWN}:root"}, cond={"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}})),
    ),
    "org-guard-removed": (
        pol(st({"AWS": "*"}, cond={"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})),
        pol(st({"AWS": "*"})),
    ),
    "source-guard-removed": (
        pol(st({"Service": "lambda.amazonaws.com"}, cond={"StringEquals": {"aws:SourceAccount": OWN}})),
        pol(st({"Service": "lambda.amazonaws.com"})),
    ),
    "oidc-subject-widened": (
        pol(st({"Federated": GH}, "sts:AssumeRoleWithWebIdentity", {"StringEquals": {
            "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main",
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}})),
        pol(st({"Federated": GH}, "sts:AssumeRoleWithWebIdentity", {
            "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"},
            "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}})),
    ),
    "oidc-audience-removed": (
        pol(st({"Federated": GH}, "sts:AssumeRoleWithWebIdentity", {"StringEquals": {
            "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main",
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}})),
        pol(st({"Federated": GH}, "sts:AssumeRoleWithWebIdentity", {"StringEquals": {
            "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main"}})),
    ),
    "deny-removed": (
        pol(st({"AWS": f"arn:aws:iam::{OWN}:root"}),
            st({"AWS": f"arn:aws:iam::{OWN}:user/intern"}, effect="Deny")),
        pol(st({"AWS": f"arn:aws:iam::{OWN}:root"})),
    ),
    "action-widened": (
        pol(st(XACCT, cond=EXT)),
        pol(st(XACCT, ["sts:AssumeRole", "sts:TagSession"], EXT)),
    ),
    "condition-value-changed": (
        pol(st(XACCT, cond=EXT)),
        pol(st(XACCT, cond={"StringEquals": {"sts:ExternalId": "partner-9c2e"}})),
    ),
    "public-trust": (None, pol(st({"AWS": "*"}))),
    "oidc-unpinned": (
        None,
        pol(st({"Federated": GH}, "sts:AssumeRoleWithWebIdentity",
               {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}})),
    ),
    "cross-account-no-guard": (None, pol(st(XACCT))),
    "service-no-source-guard": (None, pol(st({"Service": "lambda.amazonaws.com"}))),
    "trust-policy-invalid": (None, pol(st({"AWS": "arn:aws:iam::111122223333:role/dev-*"}))),
    "trust-policy-unparseable": (pol(st({"Service": "ec2.amazonaws.com"})), "{\"Statement\": [ {\"Effect\": \"Allow\""),
    "analysis-incomplete": (
        pol(st({"Federated": GH}, "sts:AssumeRoleWithWebIdentity", {"StringLike": {
            "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main"}})),
        pol(st({"Federated": GH}, "sts:AssumeRoleWithWebIdentity", {"StringLike": {
            "token.actions.githubusercontent.com:sub": [f"repo:acme/app-{i}:*" for i in range(400)]}})),
    ),
}


def text(policy):
    return policy if isinstance(policy, str) else json.dumps(policy, separators=(",", ":"))


def main():
    with open("update_trust.json") as f:
        base = json.load(f)
    for name, (before, after) in SCENARIOS.items():
        plan = copy.deepcopy(base)
        rc = plan["resource_changes"][0]
        change = rc["change"]
        change["after"]["assume_role_policy"] = text(after)
        if before is None:
            # A create: nothing before; the ARN and other computed attributes are unknown.
            change["actions"] = ["create"]
            change["before"] = None
            change["before_sensitive"] = False
            for computed in ("arn", "create_date", "id", "unique_id"):
                change["after"].pop(computed, None)
                change["after_unknown"][computed] = True
        else:
            change["before"]["assume_role_policy"] = text(before)
        with open(f"rule-{name}.json", "w") as f:
            json.dump(plan, f, indent=2)
            f.write("\n")


def drift_reverted():
    """drift.json with the plan reverting grafana's drifted trust to the last applied one:
    the drift is reported, but must not block the fix."""
    with open("drift.json") as f:
        plan = json.load(f)
    applied = next(d for d in plan["resource_drift"] if d["address"] == "aws_iam_role.grafana")
    rc = next(r for r in plan["resource_changes"] if r["address"] == "aws_iam_role.grafana")
    rc["change"]["actions"] = ["update"]
    rc["change"]["after"]["assume_role_policy"] = applied["change"]["before"]["assume_role_policy"]
    # Keep only grafana so the scenario shows one thing.
    plan["resource_changes"] = [rc]
    plan["resource_drift"] = [applied]
    with open("rule-trust-drifted-reverted.json", "w") as f:
        json.dump(plan, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
    drift_reverted()
