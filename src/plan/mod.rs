//! Reading `terraform show -json` output: input decoding, the streaming typed reader, and
//! extraction of every IAM role trust document (SPEC §1, §1.1).
//!
//! - `input`: files, stdin, directories, encodings, binary plans, wrapper output;
//! - `stream`: the streaming reader: any `Read` in fixed buffers, only role entries kept;
//! - `scan`: the byte-level JSON scanner under it (validates while skipping, no recursion);
//! - `records`: what a document keeps, and the typed records one role entry is read into;
//! - `extract`: records to `RoleChange`s (trust documents, unknown/sensitive flags, drift);
//! - `accounts`, `facts`: each role's own account, inferred from the whole plan;
//! - `context`: what the rest of the plan says about its roles (permissions, consumers);
//! - `keyed`: the tables keyed by a keyed hash, and their hasher;
//! - `pairing`: roles renamed without `moved` (deleted and created under one IAM name);
//! - `error`: `PlanError`, the one-line messages users see.

mod accounts;
pub mod context;
mod error;
mod extract;
mod facts;
mod input;
mod keyed;
pub mod model;
mod pairing;
mod readahead;
mod records;
mod scan;
/// The first `"`, `\\` or control byte of a slice, found a word at a time: the report's
/// JSON writer copies strings with it too.
pub(crate) use scan::find_special;
mod stream;

pub use accounts::{arn_account, config_address, instance_parts};
pub use context::PlanContext;
pub use error::PlanError;
pub use input::{
    expand_inputs, read_bytes, read_path, read_path_with, read_reader, read_reader_with,
    read_stdin, Input, ReadOptions,
};
pub use model::*;
