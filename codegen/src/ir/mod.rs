//! The intermediate representation: the specs with every Rust-level decision made.
//!
//! Emitters only print what is here; they decide no names, types or paths.

mod build;
mod dedup;
mod events;
mod gates;
mod traffic;
mod types;

pub use build::build;
pub use gates::{event_gate, ungated, ungated_event};
pub use traffic::Traffic;
pub use types::{Ty, TypeRef};

use std::collections::{BTreeMap, BTreeSet};

use crate::spec::ApiVersion;

/// A module path inside the generated crate, as Rust identifiers (`["crm", "item"]`).
pub type ModPath = Vec<String>;

/// The module holding the named shared types (`specs/types/`).
pub const TYPES_MODULE: &str = "types";

/// The whole generated crate.
#[derive(Debug, Clone, Default)]
pub struct Crate {
    /// Every cargo feature (one per scope).
    pub features: BTreeSet<String>,
    /// Modules by path; the root module is the empty path.
    pub modules: BTreeMap<ModPath, Module>,
    /// The errors any method can return.
    pub system_errors: Vec<ErrorVariant>,
    /// URL of the page the system errors come from.
    pub system_errors_url: String,
    /// Inbound events, sorted by wire name.
    pub events: Vec<Event>,
}

/// The items of one module.
#[derive(Debug, Clone, Default)]
pub struct Module {
    /// Wire-name prefix the module stands for (`crm.item`), empty for `types`.
    pub wire_prefix: String,
    /// Methods, sorted by wire name and version.
    pub methods: Vec<Method>,
    /// Named types, sorted by name.
    pub types: Vec<TypeDef>,
    /// The features every item in the module and its submodules compiles under, when
    /// they all share them: printed once, on the module's declaration.
    pub gate: Option<Cfg>,
}

/// Cargo features under which an item is compiled: any of them; empty means always.
pub type Cfg = BTreeSet<String>;

/// One method.
#[derive(Debug, Clone)]
pub struct Method {
    /// Wire name.
    pub wire_name: String,
    /// REST API version.
    pub api: ApiVersion,
    /// Scopes as documented.
    pub scopes: Vec<String>,
    /// Who may call it.
    pub access: Option<String>,
    /// Public documentation URL.
    pub docs_url: String,
    /// Documented as deprecated.
    pub deprecated: bool,
    /// May run inside `batch`.
    pub batch: bool,
    /// A repeated call is harmless.
    pub safe_to_repeat: bool,
    /// Features that compile it.
    pub cfg: Cfg,
    /// The request type (the method's parameters).
    pub request: Struct,
    /// The type of `result`.
    pub response: TypeDef,
    /// For paged list methods, how they page.
    pub paging: Option<Paging>,
    /// The error enum.
    pub error: ErrorEnum,
    /// Structs and enums made for nested parameters and result fields.
    pub nested: Vec<TypeDef>,
}

/// How a paged list method pages (the runtime's `Paged`), and reads by identifier
/// (`FastListed`).
#[derive(Debug, Clone)]
pub struct Paging {
    /// One row.
    pub item: Ty,
    /// The response field holding the rows (an `Option<Vec<_>>`); `None` when the
    /// response wraps the list itself.
    pub items_field: Option<String>,
    /// How a page's offset is set.
    pub start: Start,
    /// How the list is read by identifier, when it can be.
    pub fast: Option<FastListing>,
}

/// How a page's offset is set on the request.
#[derive(Debug, Clone)]
pub enum Start {
    /// REST 2: the `Option<i64>` field holding `start`.
    Field(String),
    /// REST 3.0: the `Option<BTreeMap<String, i64>>` field holding `pagination`, whose
    /// `offset` is set and `page` removed.
    Pagination(String),
}

/// The runtime's `FastListing` of a method, by wire names.
#[derive(Debug, Clone)]
pub struct FastListing {
    /// The rows' identifier field.
    pub id: String,
    /// The filter parameter keyed by field.
    pub filter: Option<String>,
    /// The REST 3.0 filter parameter, a list of conditions.
    pub conditions: Option<String>,
    /// The order parameter (the direction, with `sort`).
    pub order: String,
    /// The parameter naming the field to sort by.
    pub sort: Option<String>,
    /// The result member holding the rows.
    pub items_at: Option<String>,
}

/// One inbound event: a unit type implementing the runtime's `Event`, and its data.
#[derive(Debug, Clone)]
pub struct Event {
    /// Rust name of the unit type (also the `AnyEvent` variant).
    pub name: String,
    /// Wire name, upper case.
    pub wire_name: String,
    /// Scopes as documented.
    pub scopes: Vec<String>,
    /// Public documentation URL.
    pub docs_url: String,
    /// Documented as deprecated.
    pub deprecated: bool,
    /// Features that compile it.
    pub cfg: Cfg,
    /// The module it is generated in (`events::crm`).
    pub module: ModPath,
    /// The type of `data`: a generated struct or newtype, or `None` for any JSON.
    pub data: Option<TypeDef>,
    /// Structs and enums made for nested data fields.
    pub nested: Vec<TypeDef>,
}

/// A generated type.
#[derive(Debug, Clone)]
pub enum TypeDef {
    /// A struct with named fields.
    Struct(Struct),
    /// An enum of allowed values.
    Enum(Enum),
    /// A one-field wrapper around a non-object result.
    Newtype(Newtype),
    /// Another name for an identical type (a method's response that another method
    /// returns too).
    Alias(Alias),
}

impl TypeDef {
    /// The Rust name.
    pub fn name(&self) -> &str {
        match self {
            TypeDef::Struct(s) => &s.name,
            TypeDef::Enum(e) => &e.name,
            TypeDef::Newtype(n) => &n.name,
            TypeDef::Alias(a) => &a.name,
        }
    }

    /// The features that compile it.
    pub fn cfg(&self) -> &Cfg {
        match self {
            TypeDef::Struct(s) => &s.cfg,
            TypeDef::Enum(e) => &e.cfg,
            TypeDef::Newtype(n) => &n.cfg,
            TypeDef::Alias(a) => &a.cfg,
        }
    }

    /// The features that compile it, to change.
    pub fn cfg_mut(&mut self) -> &mut Cfg {
        match self {
            TypeDef::Struct(s) => &mut s.cfg,
            TypeDef::Enum(e) => &mut e.cfg,
            TypeDef::Newtype(n) => &mut n.cfg,
            TypeDef::Alias(a) => &mut a.cfg,
        }
    }
}

/// Whether a struct is sent (strict, required fields) or received (everything optional).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Built by the caller and serialized: required fields are not `Option`.
    Request,
    /// Read from a reply: every field is optional.
    Response,
}

/// A struct.
#[derive(Debug, Clone)]
pub struct Struct {
    /// Rust name.
    pub name: String,
    /// Doc lines.
    pub doc: Vec<String>,
    /// Features that compile it.
    pub cfg: Cfg,
    /// Fields in spec order.
    pub fields: Vec<StructField>,
    /// Wildcard names (`UF_*`) collected into one flattened map, if any.
    pub wildcards: Option<Wildcards>,
    /// Which way it travels.
    pub traffic: Traffic,
}

/// One struct field.
#[derive(Debug, Clone)]
pub struct StructField {
    /// Rust name (also the setter name).
    pub name: String,
    /// Wire name.
    pub wire_name: String,
    /// The value type (without the `Option` of optional fields).
    pub ty: Ty,
    /// Required in a request: not wrapped in `Option`, taken by `new()`.
    pub required: bool,
    /// Doc lines.
    pub doc: Vec<String>,
    /// Documented as deprecated.
    pub deprecated: bool,
    /// Other wire spellings read as this field.
    pub aliases: Vec<String>,
}

/// The wildcard fields of a struct, kept in a flattened `BTreeMap<String, Value>`.
#[derive(Debug, Clone)]
pub struct Wildcards {
    /// Rust name of the map field.
    pub name: String,
    /// The wildcard patterns (`UF_*`).
    pub patterns: Vec<String>,
}

/// An enum of allowed values with an `Unknown` variant.
#[derive(Debug, Clone)]
pub struct Enum {
    /// Rust name.
    pub name: String,
    /// Doc lines.
    pub doc: Vec<String>,
    /// Features that compile it.
    pub cfg: Cfg,
    /// Whether values are integers (else strings).
    pub integer: bool,
    /// Variants: Rust name and wire value.
    pub variants: Vec<(String, String)>,
}

/// A wrapper struct around a non-object result.
#[derive(Debug, Clone)]
pub struct Newtype {
    /// Rust name.
    pub name: String,
    /// Doc lines.
    pub doc: Vec<String>,
    /// Features that compile it.
    pub cfg: Cfg,
    /// The wrapped type.
    pub ty: Ty,
    /// Which way it travels.
    pub traffic: Traffic,
}

/// `pub type Name = Target;`
#[derive(Debug, Clone)]
pub struct Alias {
    /// Rust name.
    pub name: String,
    /// Doc lines.
    pub doc: Vec<String>,
    /// Features that compile it.
    pub cfg: Cfg,
    /// The type it names.
    pub target: TypeRef,
}

/// A method's error enum.
#[derive(Debug, Clone)]
pub struct ErrorEnum {
    /// Rust name.
    pub name: String,
    /// Variants for the documented codes.
    pub variants: Vec<ErrorVariant>,
}

/// One error code.
#[derive(Debug, Clone)]
pub struct ErrorVariant {
    /// Rust name.
    pub name: String,
    /// The wire code.
    pub code: String,
    /// Documented messages with their HTTP status, in spec order.
    pub cases: Vec<ErrorCase>,
}

/// A documented error message with its HTTP status.
pub type ErrorCase = (Option<String>, Option<u16>);

impl ErrorVariant {
    /// The documented HTTP status when all cases agree on one.
    pub fn status(&self) -> Option<u16> {
        let first = self.cases.first()?.1;
        self.cases
            .iter()
            .all(|(_, s)| *s == first)
            .then_some(first)
            .flatten()
    }
}
