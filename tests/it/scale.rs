//! The large equivalent and narrowing changes of testdata/scale/ (written by its
//! make_scale.py): a dozen condition keys, hundreds of values, reordered keys and values, many
//! wildcard values, `Version` dropped. None may raise any finding — no widening and no
//! `analysis-incomplete` — and the comparator settles each as unchanged or narrowed.
//! `make bench` prints their times.

use crate::common;
use serde_json::Value;
use trustgate::analysis::analyse_pair;
use trustgate::compare::{compare, CompareOptions, Verdict};
use trustgate::policy::parse_policy;
use trustgate::rules::RuleSettings;

const ROLE: &str = "arn:aws:iam::111111111111:role/target";

fn fixtures() -> Vec<(String, Value)> {
    let files = common::json_files("scale");
    files
        .into_iter()
        .map(|f| {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            let doc = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
            (name, doc)
        })
        .collect()
}

#[test]
fn large_equivalent_and_narrowing_changes_raise_nothing() {
    let all = fixtures();
    assert!(all.len() >= 5, "testdata/scale has {} fixtures", all.len());
    for (name, doc) in all {
        let (before, after) = (doc["before"].to_string(), doc["after"].to_string());
        let findings =
            analyse_pair(Some(&before), &after, Some(ROLE), &RuleSettings::default()).findings;
        assert!(
            findings.is_empty(),
            "{name}: {:?}",
            findings
                .iter()
                .map(|f| (f.rule, f.message.as_str()))
                .collect::<Vec<_>>()
        );
        let r = compare(
            &parse_policy(&before).unwrap(),
            &parse_policy(&after).unwrap(),
            &CompareOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = if name.starts_with("equivalent") {
            Verdict::Unchanged
        } else {
            Verdict::Narrowed
        };
        assert_eq!(r.verdict, want, "{name}");
    }
}

/// The opposite direction of each narrowing is a widening, found with a realistic witness:
/// coverage only ever skips a search it has proven unnecessary.
#[test]
fn the_reverse_of_each_narrowing_widens() {
    for (name, doc) in fixtures() {
        if !name.starts_with("narrowing") {
            continue;
        }
        let before = parse_policy(&doc["after"].to_string()).unwrap();
        let after = parse_policy(&doc["before"].to_string()).unwrap();
        let r = compare(&before, &after, &CompareOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(r.verdict.is_widening(), "{name}: {}", r.verdict.as_str());
        for w in &r.witnesses {
            assert_eq!(
                trustgate::compare::realism::check(&w.request),
                Ok(()),
                "{name}"
            );
        }
    }
}
