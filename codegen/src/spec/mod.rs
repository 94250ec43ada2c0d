//! The spec model: what `specs/` says about the API, loaded and validated.
//!
//! The format is documented in `specs/README.md`.

mod event;
mod load;
mod model;
mod type_expr;
mod validate;

pub use event::EventSpec;
pub use load::{load, load_shared, validate_set};
pub use model::{
    ApiVersion, BoolFormat, ErrorSpec, FastListingSpec, Field, IdType, MethodSpec, NamedType,
    ResultSpec, Scalar, SpecSet, SystemErrors,
};
pub use type_expr::{Primitive, TypeExpr};
pub use validate::reached_types;
