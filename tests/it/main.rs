//! The one integration-test binary: every test that reads testdata/, ../shared or runs the CLI.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod cli;
mod common;
mod compare_props;
mod compare_rules;
mod compare_vectors;
mod config;
mod config_custom;
mod config_ignore;
mod eval_cases;
mod eval_props;
mod eval_vectors;
mod mutation;
mod pipeline;
mod plan_reader;
mod policy_parse;
mod regressions;
mod report_formats;
mod report_json;
mod report_markdown;
mod report_sarif;
mod rule_fixtures;
mod scale;
mod scenarios;
mod vectors;
