//! trustgate: a gate for Terraform plans that judges IAM role trust-policy changes.
//!
//! Data flows one way: plan bytes -> role changes -> (before, after) policies -> findings ->
//! suppressions -> report -> renderers and gate.

pub mod analysis;
pub mod app;
pub mod civil;
pub mod cli;
pub mod compare;
pub mod config;
pub mod eval;
pub mod finding;
pub mod forge;
pub mod gate;
pub mod permissions;
pub mod pipeline;
pub mod plan;
pub mod policy;
pub mod report;
pub mod rules;
pub mod simulate;
pub mod suppress;
