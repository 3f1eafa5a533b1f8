//! The one integration-test binary: every test that reads testdata/, ../shared or runs the CLI.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod action;
mod blast_radius;
mod cli;
mod comment;
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
mod mock_http;
mod mutation;
mod pipeline;
mod plan_reader;
mod policy_parse;
mod posture_props;
mod regressions;
mod report_cli;
mod report_formats;
mod report_hostile;
mod report_json;
mod report_markdown;
mod report_sarif;
mod rule_fixtures;
mod scale;
mod scenarios;
mod self_contained;
mod vectors;
