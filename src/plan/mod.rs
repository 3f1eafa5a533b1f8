//! Reading `terraform show -json` output: input decoding, the streaming typed reader, and
//! extraction of every IAM role trust document (SPEC §1, §1.1).

pub mod model;

pub use model::*;
