//! The Bitrix24 REST API code generator.
//!
//! The pipeline, one module per stage:
//!
//! 1. [`spec`]: load the YAML specs from `specs/` and validate them, collecting every
//!    problem as a [`Diagnostic`].
//! 2. [`ir`]: resolve the specs into an intermediate representation in which every
//!    Rust name, type, module path and cargo feature is decided.
//! 3. [`emit`]: turn the IR into formatted Rust source files and the crate manifest.
//! 4. [`output`]: compare the files with what is on disk and write only the changes,
//!    all or nothing.
//!
//! Beside the pipeline, [`import`] writes `specs/` from the official docs, and
//! [`coverage`] measures how much of the docs' example replies the generated types keep
//! and check.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod coverage;
mod diagnostic;
pub mod emit;
pub mod import;
pub mod ir;
pub mod naming;
pub mod output;
pub mod spec;

pub use diagnostic::{Diagnostic, Diagnostics};

use std::path::Path;

/// Loads the specs under `specs_dir` and generates the files of the `bitrix24` crate, or
/// returns every problem found in the specs.
pub fn generate(specs_dir: &Path) -> Result<output::FileSet, Diagnostics> {
    let specs = spec::load(specs_dir)?;
    let ir = ir::build(&specs)?;
    Ok(emit::crate_files(&ir))
}
