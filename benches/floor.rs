//! The practical floor `make bench` compares trustgate with (issue 7): read the file into
//! memory, parse it with serde_json into typed records that keep only `aws_iam_role` trust
//! strings, skip everything else (`IgnoredAny`, serde's default for unknown fields).
//! `floor PLAN.json` prints how many trust strings it kept.

// A benchmark tool on its own generated data, not an input path: a panic here is a failed
// benchmark run, so plain indexing and arithmetic keep it readable.
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use serde::Deserialize;

#[derive(Deserialize)]
struct Plan {
    #[serde(default)]
    resource_changes: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "type")]
    resource_type: String,
    change: Change,
}

#[derive(Deserialize)]
struct Change {
    before: Option<Side>,
    after: Option<Side>,
}

#[derive(Deserialize)]
struct Side {
    assume_role_policy: Option<String>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: floor PLAN.json")?;
    let bytes = std::fs::read(path)?;
    let plan: Plan = serde_json::from_slice(&bytes)?;
    let mut trusts: Vec<String> = Vec::new();
    for entry in plan.resource_changes {
        if entry.resource_type == "aws_iam_role" {
            for side in [entry.change.before, entry.change.after]
                .into_iter()
                .flatten()
            {
                trusts.extend(side.assume_role_policy);
            }
        }
    }
    println!("{}", trusts.len());
    Ok(())
}
