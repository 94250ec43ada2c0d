//! Integration tests of the generator and the generated `bitrix24` crate; see the test
//! targets beside this file.
//!
//! # Required parameters are enforced by the compiler
//!
//! The doc tests below come in pairs: a `compile_fail` block and, right next to it, the
//! same program written correctly, which must compile. The correct one proves that the
//! names, imports and field types used are right, so the `compile_fail` block can only
//! fail for the reason it states.
//!
//! ## A request cannot be built with a struct literal
//!
//! Request types are `#[non_exhaustive]`, so the only way to build one is `new`, which
//! takes every required parameter. A struct literal is rejected even when it names every
//! field:
//!
//! ```compile_fail,E0639
//! use bitrix24::crm::item::{Add, AddFields};
//!
//! let request = Add {
//!     entity_type_id: 2,
//!     fields: AddFields::new().title("Deal"),
//!     use_original_uf_names: None,
//! };
//! # let _ = request;
//! ```
//!
//! The same request built with `new`; the pattern shows that the literal above named the
//! fields with their exact types:
//!
//! ```
//! use bitrix24::crm::item::{Add, AddFields};
//!
//! let request = Add::new(2, AddFields::new().title("Deal"));
//! let Add {
//!     entity_type_id,
//!     fields,
//!     use_original_uf_names,
//!     ..
//! } = request;
//! let _: (i64, AddFields, Option<bool>) = (entity_type_id, fields, use_original_uf_names);
//! assert_eq!(entity_type_id, 2);
//! ```
//!
//! Nor with a struct literal that copies the rest from another value:
//!
//! ```compile_fail,E0639
//! use bitrix24::crm::item::{Add, AddFields};
//!
//! let template = Add::new(2, AddFields::new());
//! let request = Add { entity_type_id: 3, ..template };
//! # let _ = request;
//! ```
//!
//! ```
//! use bitrix24::crm::item::{Add, AddFields};
//!
//! let template = Add::new(2, AddFields::new());
//! let mut request = template.clone();
//! request.entity_type_id = 3;
//! # let _ = request;
//! ```
//!
//! ## `new` takes every required parameter
//!
//! `crm.item.add` requires `entityTypeId` and `fields`; leaving both out is rejected:
//!
//! ```compile_fail,E0061
//! use bitrix24::crm::item::{Add, AddFields};
//!
//! let request = Add::new();
//! # let _ = (request, AddFields::new());
//! ```
//!
//! and so is leaving out only `fields`:
//!
//! ```compile_fail,E0061
//! use bitrix24::crm::item::{Add, AddFields};
//!
//! let request = Add::new(2);
//! # let _ = (request, AddFields::new());
//! ```
//!
//! The correct call passes both:
//!
//! ```
//! use bitrix24::crm::item::{Add, AddFields};
//!
//! let request = Add::new(2, AddFields::new());
//! # let _ = request;
//! ```
//!
//! A method without required parameters has a `new` without arguments:
//!
//! ```
//! let request = bitrix24::user::Get::new();
//! # let _ = request;
//! ```

use std::path::{Path, PathBuf};

/// The root of the workspace.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The checkout of the official docs that tests read examples from (`$BITRIX24_DOCS`,
/// else `../shared/b24restdocs` beside the workspace), or `None` after printing why the
/// calling test is skipped; under CI (`CI=true`) docs configured but missing fail the
/// test instead (see [`bitrix24_codegen::import::docs_for_test`]).
pub fn docs_checkout() -> Option<PathBuf> {
    bitrix24_codegen::import::docs_for_test(&workspace())
}
