//! Trust-policy documents: the model, the parser (with duplicate-key detection) and the
//! structural normal form.

pub mod model;

pub use model::*;
