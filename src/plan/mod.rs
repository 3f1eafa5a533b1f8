//! Reading `terraform show -json` output: input decoding, the streaming typed reader, and
//! extraction of every IAM role trust document (SPEC §1, §1.1).
//!
//! - `input`: files, stdin, directories, encodings, binary plans, wrapper output;
//! - `reader`: the typed records and the document stream (nothing else of a plan is kept);
//! - `extract`: records to `RoleChange`s (trust documents, unknown/sensitive flags, drift);
//! - `error`: `PlanError`, the one-line messages users see.

mod error;
mod extract;
mod input;
pub mod model;
mod reader;

pub use error::PlanError;
pub use input::{expand_inputs, read_bytes, read_path, Input, ReadOptions};
pub use model::*;
