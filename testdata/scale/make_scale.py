#!/usr/bin/env python3
"""Writes the large equivalent / narrowing comparison fixtures in this directory.

Each fixture is {"why", "before", "after"}; every one is an equivalent or narrowing change, so
trustgate must report no finding at all (no widening, no analysis-incomplete). `make bench`
times them. Run from this directory: python3 make_scale.py
"""
import json
import random

ACCT = "222222222222"


def many_keys(n_values, seed):
    """One cross-account statement with a dozen condition keys and hundreds of values."""
    rnd = random.Random(seed)
    ext = [f"partner-{i:04d}" for i in range(n_values)]
    arns = [f"arn:aws:iam::{ACCT}:role/team-{i}-*" for i in range(40)]
    cidrs = [f"10.{i // 256}.{i % 256}.0/24" for i in range(60)]
    teams = [f"team{i}" for i in range(80)]
    regions = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]
    sessions = [f"ci-{i}-*" for i in range(30)]
    cond = {
        "StringEquals": {
            "sts:ExternalId": ext,
            "aws:PrincipalOrgID": "o-abcdef1234",
            "aws:PrincipalTag/team": teams,
            "aws:RequestedRegion": regions,
        },
        "ArnLike": {"aws:PrincipalArn": arns},
        "IpAddress": {"aws:SourceIp": cidrs},
        "StringLike": {"sts:RoleSessionName": sessions},
        "Bool": {"aws:MultiFactorAuthPresent": "true"},
        "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"},
        "DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"},
        "DateLessThan": {"aws:EpochTime": "1893456000"},
        "StringNotEquals": {"aws:PrincipalType": "Anonymous"},
    }
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Partner",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
                "Action": "sts:AssumeRole",
                "Condition": cond,
            },
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            },
        ],
    }


def shuffled(policy, seed):
    """The same policy with keys, values and statements reordered and reformatted."""
    rnd = random.Random(seed)
    p = json.loads(json.dumps(policy))
    for s in p["Statement"]:
        s.pop("Sid", None)
        if s["Principal"].get("AWS", "").endswith(":root"):
            s["Principal"]["AWS"] = [ACCT]
        s["Action"] = [s["Action"]]
        cond = s.get("Condition")
        if cond:
            ops = list(cond.items())
            rnd.shuffle(ops)
            new = {}
            for op, keys in ops:
                ks = list(keys.items())
                rnd.shuffle(ks)
                block = {}
                for k, v in ks:
                    v = list(v) if isinstance(v, list) else [v]
                    rnd.shuffle(v)
                    block[k] = v
                new[op] = block
            s["Condition"] = new
    p["Statement"].reverse()
    return p


def narrowed(policy):
    """Values removed from several keys, a condition added, a statement removed."""
    p = json.loads(json.dumps(policy))
    s = p["Statement"][0]
    c = s["Condition"]
    c["StringEquals"]["sts:ExternalId"] = c["StringEquals"]["sts:ExternalId"][::2]
    c["ArnLike"]["aws:PrincipalArn"] = c["ArnLike"]["aws:PrincipalArn"][:25]
    c["IpAddress"]["aws:SourceIp"] = c["IpAddress"]["aws:SourceIp"][:40]
    c["StringEquals"]["aws:PrincipalTag/env"] = "prod"
    p["Statement"] = p["Statement"][:1]
    return p


def github(n, repos_seed=1):
    subs = [f"repo:acme/app-{i}:ref:refs/heads/*" for i in range(n)]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {
                    "Federated": "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
                },
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                    "StringLike": {"token.actions.githubusercontent.com:sub": subs},
                },
            }
        ],
    }


def write(name, why, before, after):
    with open(name, "w") as f:
        json.dump({"why": why, "before": before, "after": after}, f, indent=1)
        f.write("\n")


base = many_keys(300, 1)
write(
    "equivalent-many-keys.json",
    "twelve condition keys and ~500 values, reordered, scalars as lists, account ID for root ARN",
    base,
    shuffled(base, 2),
)
write(
    "narrowing-many-keys.json",
    "the same policy with values removed from three keys, a tag condition added and a statement dropped",
    base,
    narrowed(base),
)
no_version = json.loads(json.dumps(base))
del no_version["Version"]
write(
    "equivalent-version-dropped.json",
    "Version removed from a policy without ${...} variables: nothing reads it",
    base,
    no_version,
)
gh = github(200)
gh_shuffled = json.loads(json.dumps(gh))
gh_shuffled["Statement"][0]["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"].reverse()
write(
    "equivalent-many-wildcards.json",
    "200 wildcard subject patterns, reordered",
    gh,
    gh_shuffled,
)
gh_narrow = json.loads(json.dumps(gh))
subs = gh_narrow["Statement"][0]["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"]
gh_narrow["Statement"][0]["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"] = [
    s.replace("refs/heads/*", "refs/heads/main") for s in subs[:150]
]
write(
    "narrowing-many-wildcards.json",
    "200 wildcard subject patterns narrowed to 150 exact branches",
    gh,
    gh_narrow,
)
