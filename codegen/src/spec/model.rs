//! Serde model of the spec files. Every struct rejects unknown keys.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::TypeExpr;

/// Everything loaded from one `specs/` directory.
#[derive(Debug, Clone, Default)]
pub struct SpecSet {
    /// Method specs with the file each came from, sorted by file.
    pub methods: Vec<(PathBuf, MethodSpec)>,
    /// Named shared types by name, with their files.
    pub types: BTreeMap<String, (PathBuf, NamedType)>,
    /// Entity names and the type of their ids.
    pub entities: BTreeMap<String, IdType>,
    /// The errors any method can return.
    pub system_errors: SystemErrors,
    /// Inbound event specs with the file each came from, sorted by file.
    pub events: Vec<(PathBuf, super::EventSpec)>,
}

/// One method (`specs/methods/**/<method>.yaml`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MethodSpec {
    /// Wire name, such as `crm.item.add`.
    pub method: String,
    /// REST API version.
    #[serde(default, skip_serializing_if = "ApiVersion::is_v2")]
    pub api: ApiVersion,
    /// Scopes, at least one of which the caller needs.
    pub scopes: Vec<String>,
    /// Who may call the method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<String>,
    /// Path of the documentation page inside the docs repository.
    pub docs: String,
    /// Documented as deprecated.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deprecated: bool,
    /// May run inside `batch`.
    pub batch: bool,
    /// A repeated call is harmless.
    pub safe_to_repeat: bool,
    /// Parameters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<Field>,
    /// Shape of `result`.
    pub result: ResultSpec,
    /// Method-specific errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ErrorSpec>,
    /// For a paged list that can be read in full by identifier, how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fast_listing: Option<FastListingSpec>,
}

/// How a paged list is read in full by identifier (`settings/performance/huge-data.md`):
/// each page asks for the rows whose identifier is above the last one seen, in ascending
/// order. Every name is a parameter of the method, but `id`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FastListingSpec {
    /// The rows' identifier field (`ID`, `id`).
    pub id: String,
    /// The filter: an object of conditions keyed by field (`{">ID": 5}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// The REST 3.0 filter: a list of conditions (`[["id", ">", 5]]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<String>,
    /// The order: an object of fields to directions (`{"ID": "ASC"}`), or, with `sort`,
    /// the direction alone.
    pub order: String,
    /// The field to sort by, when the order takes two parameters (`sort` and `order` of
    /// `user.get`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
}

/// REST API a method belongs to.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ApiVersion {
    /// Classic REST (`/rest/<method>`).
    #[default]
    V2,
    /// REST 3.0 (`/rest/api/<method>`).
    V3,
}

/// A parameter, a result field or a field of a named type.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Wire name; a trailing `*` makes it a wildcard.
    pub name: String,
    /// Type expression.
    #[serde(rename = "type")]
    pub ty: TypeExpr,
    /// Marked required in the docs.
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Documented default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Scalar>,
    /// Allowed values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Scalar>>,
    /// Wire form of a boolean.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<BoolFormat>,
    /// Fields of an object type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<Field>>,
    /// Documented as deprecated.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deprecated: bool,
    /// Other spellings of the name that the docs' own examples send (`ID` for `id`). They
    /// are read as this field; the field is always written under `name`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

impl ApiVersion {
    /// Whether this is classic REST, the default a spec may leave out.
    pub fn is_v2(&self) -> bool {
        *self == ApiVersion::V2
    }
}

pub(super) fn is_false(value: &bool) -> bool {
    !value
}

impl Field {
    /// A field with only a name and a type; every other key at its default.
    pub fn new(name: impl Into<String>, ty: TypeExpr) -> Field {
        Field {
            name: name.into(),
            ty,
            required: false,
            default: None,
            values: None,
            format: None,
            fields: None,
            deprecated: false,
            aliases: Vec::new(),
        }
    }

    /// The prefix of a wildcard name (`UF_` for `UF_*`), or `None` for a plain name.
    pub fn wildcard_prefix(&self) -> Option<&str> {
        self.name.strip_suffix('*')
    }

    /// Calls `f` with every type name the field's type and its nested fields' types use.
    pub fn for_each_name(&self, f: &mut impl FnMut(&str)) {
        self.ty.for_each_name(f);
        for nested in self.fields.iter().flatten() {
            nested.for_each_name(f);
        }
    }
}

/// Shape of the `result` member of a reply.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ResultSpec {
    /// Type expression.
    #[serde(rename = "type")]
    pub ty: TypeExpr,
    /// Fields of an object result, or of the elements of a list result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<Field>>,
    /// Allowed values of a scalar result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Scalar>>,
    /// Wire form of a boolean result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<BoolFormat>,
    /// A list paged with `start` / `next` / `total` (REST 3.0: `pagination`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub paged: bool,
    /// For a paged list whose rows are a member of an object result (`items`), that
    /// member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<String>,
}

impl ResultSpec {
    /// The result described as a field named `result`, so one resolver serves both.
    pub fn as_field(&self) -> Field {
        Field {
            name: "result".to_owned(),
            ty: self.ty.clone(),
            required: false,
            default: None,
            values: self.values.clone(),
            format: self.format,
            fields: self.fields.clone(),
            deprecated: false,
            aliases: Vec::new(),
        }
    }
}

/// A documented error.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorSpec {
    /// The `error` code.
    #[serde(deserialize_with = "scalar_text")]
    pub code: String,
    /// The `error_description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// HTTP status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

/// `system-errors.yaml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemErrors {
    /// The documentation page the errors come from.
    pub docs: String,
    /// The errors.
    pub errors: Vec<ErrorSpec>,
}

/// A named shared type (`specs/types/<name>.yaml`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NamedType {
    /// The name methods use to reference it.
    pub name: String,
    /// Documentation page (and anchor) describing it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docs: Option<String>,
    /// For an enum: the type of its values.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub ty: Option<TypeExpr>,
    /// For an enum: the allowed values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Scalar>>,
    /// For an object: its fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<Field>>,
}

/// The type of an entity's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IdType {
    /// A numeric id.
    Integer,
    /// A string id (`crm_status`, `crm_currency`).
    String,
}

/// Wire form of a boolean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum BoolFormat {
    /// `"Y"` / `"N"`.
    #[serde(rename = "yn")]
    YesNo,
    /// `1` / `0`.
    #[serde(rename = "01")]
    ZeroOne,
    /// `true` / `false`.
    #[serde(rename = "bool")]
    TrueFalse,
}

/// A YAML scalar: a default or an allowed value.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Scalar {
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating point number.
    Float(f64),
    /// Text.
    Str(String),
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Bool(v) => write!(f, "{v}"),
            Scalar::Int(v) => write!(f, "{v}"),
            Scalar::Float(v) => write!(f, "{v}"),
            Scalar::Str(v) => f.write_str(v),
        }
    }
}

/// Reads a string, accepting an unquoted number (`code: 100`) as its text.
fn scalar_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Scalar::deserialize(d)? {
        Scalar::Str(s) => Ok(s),
        Scalar::Int(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected a string or an integer, found `{other}`"
        ))),
    }
}
