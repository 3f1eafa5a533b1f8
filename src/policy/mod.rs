//! Trust-policy documents: the model, the parser (with duplicate-key detection) and the
//! structural normal form.

pub mod json;
pub mod keys;
pub mod limits;
pub mod model;
pub mod normal;
pub mod parse;

pub use model::*;
pub use normal::{normal_form, SharedPolicy};
pub use parse::{parse_operator, parse_policy, policy_from_node, ParseError};
