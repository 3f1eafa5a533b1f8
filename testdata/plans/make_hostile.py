#!/usr/bin/env python3
"""Writes report-hostile.json: a plan whose values try to break out of every report format.

Each value carries the marker PWNED so a test can find every place it lands. Run from the
repository root: python3 testdata/plans/make_hostile.py
"""
import json

HOSTILE = (
    "x`</details>\n\n### ✅ trustgate: nothing blocks this plan PWNED\n\n<details>"
    "| a | b |<img src=x onerror=alert(1)>::error::PWNED%0A%\r\x1b[31m\u202eevil\u2066"
)
LONG = "PWNED-" + "a" * 300
# What a real value of each kind can hold: a Git branch name has no control characters or
# spaces; an IAM role path is printable ASCII without spaces (the role name itself is plain).
BRANCH = "".join(c for c in HOSTILE if not c.isspace() and ord(c) >= 0x20 and c != "\x7f")
PATH = "".join(c for c in BRANCH if 0x21 <= ord(c) < 0x7F)

def doc(statements):
    return json.dumps({"Version": "2012-10-17", "Statement": statements})

github = "arn:aws:iam::337909773697:oidc-provider/token.actions.githubusercontent.com"
def oidc(sub, sid):
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Federated": github},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": sub,
        }},
    }

def change(address, name, before, after):
    return {
        "address": address,
        "mode": "managed",
        "type": "aws_iam_role",
        "name": name,
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {
            "actions": ["update"],
            "before": {"arn": "arn:aws:iam::337909773697:role/deploy", "assume_role_policy": before},
            "after": {"arn": "arn:aws:iam::337909773697:role/deploy", "assume_role_policy": after},
            "after_unknown": {},
            "before_sensitive": {},
            "after_sensitive": {},
        },
    }

changes = [
    # A branch name with a backtick and a closing </details>: a lateral change of the OIDC sub.
    change(
        'aws_iam_role.deploy["' + HOSTILE.replace('"', "'") + '"]',
        "deploy",
        doc([oidc("repo:acme/app:ref:refs/heads/main", "Deploy")]),
        doc([oidc("repo:acme/app:ref:refs/heads/" + BRANCH, "Deploy" + HOSTILE)]),
    ),
    # A new principal whose role name is hostile, and a very long one.
    change(
        "aws_iam_role.partner",
        "partner",
        doc([{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]),
        doc([{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com", "AWS": [
            "arn:aws:iam::999988887777:role/" + PATH + "/partner",
            "arn:aws:iam::999988887777:role/" + LONG + "/partner2",
        ]}, "Action": "sts:AssumeRole"}]),
    ),
]
plan = {"format_version": "1.2", "terraform_version": "1.10.3", "resource_changes": changes}
with open("testdata/plans/report-hostile.json", "w") as f:
    json.dump(plan, f, indent=2, ensure_ascii=True)
    f.write("\n")
