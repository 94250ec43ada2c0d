//! Checks that need more than one field or more than one file: names resolve, keys fit
//! their type, nothing is defined twice.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::load::error;
use super::model::{ApiVersion, ErrorSpec, Field, MethodSpec, NamedType, Scalar, SpecSet};
use super::{EventSpec, Primitive, TypeExpr};
use crate::Diagnostics;

/// Records every problem of `set` in `diags`.
pub(super) fn check(set: &SpecSet, diags: &mut Diagnostics) {
    let mut seen: BTreeMap<(String, ApiVersion), &Path> = BTreeMap::new();

    for (file, spec) in &set.methods {
        if !is_method_name(&spec.method) {
            diags.push(error(
                file,
                "method",
                format!("`{}` is not a method name", spec.method),
            ));
        }
        let expected = match spec.api {
            ApiVersion::V2 => format!("{}.yaml", spec.method),
            ApiVersion::V3 => format!("{}.v3.yaml", spec.method),
        };
        if file
            .file_name()
            .is_some_and(|n| n.to_string_lossy() != expected)
        {
            diags.push(error(
                file,
                "method",
                format!("the file for `{}` must be named `{expected}`", spec.method),
            ));
        }
        if let Some(first) = seen.insert((spec.method.clone(), spec.api), file) {
            diags.push(error(
                file,
                "method",
                format!(
                    "duplicate method `{}` ({:?}), also in {}",
                    spec.method,
                    spec.api,
                    first.display()
                ),
            ));
        }
        check_scopes(file, &spec.scopes, diags);
        check_docs_path(file, "docs", &spec.docs, diags);
        check_fields(set, file, "params", &spec.params, Position::Param, diags);
        if spec.batch && spec.api == ApiVersion::V3 {
            diags.push(error(
                file,
                "batch",
                "REST 3.0 methods cannot run inside `batch`",
            ));
        }

        let result = spec.result.as_field();
        if result.ty == TypeExpr::Null {
            // A result that is always `null`: the method returns nothing.
            if result.fields.is_some() || result.values.is_some() || spec.result.paged {
                diags.push(error(
                    file,
                    "result",
                    "a `null` result has no fields, values or paging",
                ));
            }
        } else {
            check_field(set, file, "result", &result, Position::Result, diags);
        }
        check_paging(file, spec, diags);
        check_errors(file, "errors", &spec.errors, diags);
    }

    for (name, (file, ty)) in &set.types {
        if Primitive::from_name(name).is_some() || set.entities.contains_key(name) {
            diags.push(error(
                file,
                "name",
                format!("`{name}` is already a primitive type or an entity"),
            ));
        }
        if file
            .file_stem()
            .is_some_and(|s| s.to_string_lossy() != *name)
        {
            diags.push(error(
                file,
                "name",
                format!("the file for type `{name}` must be named `{name}.yaml`"),
            ));
        }
        if let Some(docs) = &ty.docs {
            check_docs_path(file, "docs", docs.split('#').next().unwrap_or(docs), diags);
        }
        match (&ty.fields, &ty.ty, &ty.values) {
            (Some(fields), None, None) => {
                check_fields(set, file, "fields", fields, Position::Result, diags)
            }
            (None, Some(ty_expr), Some(values)) => {
                let as_field = Field {
                    name: name.clone(),
                    ty: ty_expr.clone(),
                    required: false,
                    default: None,
                    values: Some(values.clone()),
                    format: None,
                    fields: None,
                    deprecated: false,
                    aliases: Vec::new(),
                };
                check_field(set, file, "type", &as_field, Position::Result, diags);
            }
            _ => diags.push(error(
                file,
                "",
                "a named type has either `fields`, or `type` and `values`",
            )),
        }
    }

    check_reached(set, diags);
    super::event::check(set, diags);

    check_docs_path(
        Path::new("system-errors.yaml"),
        "docs",
        &set.system_errors.docs,
        diags,
    );
    check_errors(
        Path::new("system-errors.yaml"),
        "errors",
        &set.system_errors.errors,
        diags,
    );
}

/// Every named type is reached from a method or an event, directly or through other named
/// types: one that nothing reaches would have no feature to compile under, so every build
/// would pay for it.
fn check_reached(set: &SpecSet, diags: &mut Diagnostics) {
    let reached = reached_types(
        set.methods.iter().map(|(_, spec)| spec),
        set.events.iter().map(|(_, event)| event),
        |name| set.types.get(name).map(|(_, ty)| ty),
    );
    for (name, (file, _)) in &set.types {
        if !reached.contains(name) {
            diags.push(error(
                file,
                "name",
                format!("no method or event uses the named type `{name}`"),
            ));
        }
    }
}

/// The named types `methods` and `events` use, directly or through the named types
/// `type_of` gives.
pub fn reached_types<'s, 't>(
    methods: impl IntoIterator<Item = &'s MethodSpec>,
    events: impl IntoIterator<Item = &'s EventSpec>,
    type_of: impl Fn(&str) -> Option<&'t NamedType>,
) -> BTreeSet<String> {
    let mut pending = Vec::new();
    let mut push = |name: &str| pending.push(name.to_owned());
    for spec in methods {
        spec.params.iter().for_each(|p| p.for_each_name(&mut push));
        spec.result.as_field().for_each_name(&mut push);
    }
    for data in events.into_iter().filter_map(|e| e.data.as_ref()) {
        data.as_field().for_each_name(&mut push);
    }
    let mut reached = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if let Some(ty) = type_of(&name)
            && !reached.contains(&name)
        {
            let mut push = |n: &str| pending.push(n.to_owned());
            if let Some(ty_expr) = &ty.ty {
                ty_expr.for_each_name(&mut push);
            }
            ty.fields
                .iter()
                .flatten()
                .for_each(|f| f.for_each_name(&mut push));
        }
        reached.insert(name);
    }
    reached
}

/// Scopes: at least one, each a cargo feature name the generated crate does not reserve.
pub(super) fn check_scopes(file: &Path, scopes: &[String], diags: &mut Diagnostics) {
    if scopes.is_empty() {
        diags.push(error(file, "scopes", "at least one scope is required"));
    }
    for (i, scope) in scopes.iter().enumerate() {
        if RESERVED_FEATURES.contains(&scope.as_str()) {
            diags.push(error(
                file,
                format!("scopes[{i}]"),
                format!("`{scope}` is a reserved feature name of the generated crate"),
            ));
        } else if !is_feature_name(scope) {
            diags.push(error(
                file,
                format!("scopes[{i}]"),
                format!("`{scope}` is not a valid scope name"),
            ));
        }
    }
}

/// Where a field stands, which decides whether `required` and `default` make sense.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Position {
    /// A request parameter.
    Param,
    /// A field read from a reply or an event: never required.
    Result,
}

/// Whether a type expression may name `name`: a named type or an entity.
fn is_known(set: &SpecSet, name: &str) -> bool {
    set.types.contains_key(name) || set.entities.contains_key(name)
}

pub(super) fn check_fields(
    set: &SpecSet,
    file: &Path,
    path: &str,
    fields: &[Field],
    pos: Position,
    diags: &mut Diagnostics,
) {
    let mut seen = BTreeSet::new();
    for (i, field) in fields.iter().enumerate() {
        let field_path = format!("{path}[{i}]");
        if !seen.insert(field.name.as_str()) {
            diags.push(error(
                file,
                format!("{field_path}.name"),
                format!("duplicate field `{}`", field.name),
            ));
        }
        for (j, alias) in field.aliases.iter().enumerate() {
            if !alias.eq_ignore_ascii_case(&field.name)
                || *alias == field.name
                || fields.iter().any(|f| f.name == *alias)
            {
                diags.push(error(
                    file,
                    format!("{field_path}.aliases[{j}]"),
                    format!(
                        "`{alias}` is not another spelling of `{}` only (it must differ in \
                         letter case alone, and from every other field)",
                        field.name
                    ),
                ));
            }
        }
        check_field(set, file, &field_path, field, pos, diags);
    }
}

pub(super) fn check_field(
    set: &SpecSet,
    file: &Path,
    path: &str,
    field: &Field,
    pos: Position,
    diags: &mut Diagnostics,
) {
    let name = field.wildcard_prefix().unwrap_or(&field.name);
    if name.is_empty() && field.wildcard_prefix().is_none()
        || name.contains(char::is_whitespace)
        || name.contains('*')
    {
        diags.push(error(
            file,
            format!("{path}.name"),
            format!("`{}` is not a field name", field.name),
        ));
    }
    if field.wildcard_prefix().is_some() && field.required {
        diags.push(error(
            file,
            format!("{path}.required"),
            "a wildcard field cannot be required",
        ));
    }
    if pos == Position::Result && field.required {
        diags.push(error(
            file,
            format!("{path}.required"),
            "result fields are never required",
        ));
    }

    let ty_path = format!("{path}.type");
    check_type(set, file, &ty_path, &field.ty, diags);
    let element = field.ty.element();

    if let Some(values) = &field.values {
        let fits = match element {
            TypeExpr::Primitive(p) if p.is_text() => {
                values.iter().all(|v| matches!(v, Scalar::Str(_)))
            }
            TypeExpr::Primitive(Primitive::Integer) => {
                values.iter().all(|v| matches!(v, Scalar::Int(_)))
            }
            _ => false,
        };
        if values.is_empty() {
            diags.push(error(
                file,
                format!("{path}.values"),
                "`values` must list at least one value",
            ));
        } else if !fits {
            diags.push(error(
                file,
                format!("{path}.values"),
                format!(
                    "allowed values need a text or integer type with values of that kind, not `{}`",
                    field.ty
                ),
            ));
        }
        let distinct: BTreeSet<String> = values.iter().map(Scalar::to_string).collect();
        if distinct.len() != values.len() {
            diags.push(error(
                file,
                format!("{path}.values"),
                "duplicate allowed value",
            ));
        }
    } else if *element == TypeExpr::Primitive(Primitive::Enum) {
        diags.push(error(
            file,
            format!("{path}.values"),
            "type `enum` needs `values`",
        ));
    }

    if field.format.is_some() && *element != TypeExpr::Primitive(Primitive::Boolean) {
        diags.push(error(
            file,
            format!("{path}.format"),
            format!("`format` is only for `boolean`, not `{}`", field.ty),
        ));
    }

    if let Some(fields) = &field.fields {
        if !field.ty.holds_fields() {
            diags.push(error(
                file,
                format!("{path}.fields"),
                format!(
                    "`fields` needs an object type (`object`, `object[]`, `map<object>`, or a union with one such member), not `{}`",
                    field.ty
                ),
            ));
        }
        check_fields(set, file, &format!("{path}.fields"), fields, pos, diags);
    }
}

fn check_type(set: &SpecSet, file: &Path, path: &str, ty: &TypeExpr, diags: &mut Diagnostics) {
    ty.for_each_name(&mut |name| {
        if !is_known(set, name) {
            diags.push(error(file, path, format!("unknown type '{name}'")));
        }
    });
    if let TypeExpr::EntityField(entity, _) = ty
        && !set.entities.contains_key(entity)
    {
        diags.push(error(file, path, format!("`{entity}` is not an entity")));
    }
    if *ty == TypeExpr::Null {
        diags.push(error(
            file,
            path,
            "`null` is only allowed in a union such as `string | null`, or as a whole result",
        ));
    }
}

fn check_errors(file: &Path, path: &str, errors: &[ErrorSpec], diags: &mut Diagnostics) {
    let mut seen = BTreeSet::new();
    for (i, e) in errors.iter().enumerate() {
        if e.code.trim().is_empty() {
            diags.push(error(file, format!("{path}[{i}].code"), "empty error code"));
        }
        if !seen.insert((&e.code, &e.message)) {
            diags.push(error(
                file,
                format!("{path}[{i}]"),
                format!("error `{}` is listed twice with the same message", e.code),
            ));
        }
        if let Some(status) = e.status
            && !(100..=599).contains(&status)
        {
            diags.push(error(
                file,
                format!("{path}[{i}].status"),
                format!("{status} is not an HTTP status"),
            ));
        }
    }
}

pub(super) fn check_docs_path(file: &Path, path: &str, docs: &str, diags: &mut Diagnostics) {
    if !docs.ends_with(".md") || docs.starts_with('/') || docs.split('/').any(|part| part == "..") {
        diags.push(error(
            file,
            path,
            format!("`{docs}` is not a relative `.md` path inside the docs repository"),
        ));
    }
}

fn is_method_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|seg| {
            !seg.is_empty() && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// A paged result holds its rows: it is a list, or its `items` member is; fast listing
/// applies to paged lists and names parameters the method takes.
fn check_paging(file: &Path, spec: &MethodSpec, diags: &mut Diagnostics) {
    let result = &spec.result;
    let list = |ty: &TypeExpr| {
        matches!(ty, TypeExpr::List(_)) || *ty == TypeExpr::Primitive(Primitive::Array)
    };
    match &result.items {
        Some(member) => {
            let holds = result
                .fields
                .iter()
                .flatten()
                .any(|f| f.name == *member && list(&f.ty));
            if !holds || result.ty != TypeExpr::Primitive(Primitive::Object) {
                diags.push(error(
                    file,
                    "result.items",
                    format!("`{member}` is not a list member of an object result"),
                ));
            }
            if !result.paged {
                diags.push(error(
                    file,
                    "result.items",
                    "only a paged result has `items`",
                ));
            }
        }
        None if result.paged && !matches!(result.ty, TypeExpr::List(_)) => diags.push(error(
            file,
            "result.paged",
            "a paged result must be a list type (`T[]`) or name its list member in `items`",
        )),
        None => {}
    }
    let Some(fast) = &spec.fast_listing else {
        return;
    };
    if !result.paged {
        diags.push(error(
            file,
            "fast_listing",
            "only a paged list has fast listing",
        ));
    }
    if fast.filter.is_some() == fast.conditions.is_some() {
        diags.push(error(
            file,
            "fast_listing",
            "give one of `filter` (keyed by field) and `conditions` (REST 3.0)",
        ));
    }
    let named = [
        ("filter", fast.filter.as_ref()),
        ("conditions", fast.conditions.as_ref()),
        ("order", Some(&fast.order)),
        ("sort", fast.sort.as_ref()),
    ];
    for (key, name) in named {
        if let Some(name) = name
            && !spec.params.iter().any(|p| p.name == *name)
        {
            diags.push(error(
                file,
                format!("fast_listing.{key}"),
                format!("the method takes no parameter `{name}`"),
            ));
        }
    }
}

/// Features of the generated crate that are not scopes.
const RESERVED_FEATURES: &[&str] = &["default", "full", "client", "registry"];

/// Cargo feature names: ASCII letters, digits, `_`, `-`, `.`, starting with a letter or digit.
fn is_feature_name(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::spec::NamedType;

    fn named(yaml: &str) -> (String, (PathBuf, NamedType)) {
        let ty: NamedType = serde_yaml::from_str(yaml).unwrap();
        let file = PathBuf::from(format!("types/{}.yaml", ty.name));
        (ty.name.clone(), (file, ty))
    }

    #[test]
    fn a_named_type_nothing_reaches_is_an_error_naming_its_file() {
        let method = "method: a.get\nscopes: [a]\ndocs: a/get.md\nbatch: true\nsafe_to_repeat: true\nresult:\n  type: outer[]\n";
        let set = SpecSet {
            methods: vec![(
                PathBuf::from("methods/a/a.get.yaml"),
                serde_yaml::from_str(method).unwrap(),
            )],
            // `outer` is the result's rows, `inner` is reached through `outer`'s field, and
            // `stage` through `inner`'s; `orphan` is reached by nothing.
            types: [
                named("name: outer\nfields:\n  - name: X\n    type: map<inner>\n"),
                named("name: inner\nfields:\n  - name: S\n    type: stage | null\n"),
                named("name: stage\ntype: string\nvalues: [A, B]\n"),
                named("name: orphan\nfields:\n  - name: Y\n    type: string\n"),
            ]
            .into(),
            ..SpecSet::default()
        };
        let mut diags = Diagnostics::default();
        check(&set, &mut diags);
        let text = diags.to_string();
        // (The empty system errors are wrong too, and beside the point.)
        let errors: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("error: ") && !l.contains("system-errors.yaml"))
            .collect();
        assert_eq!(
            errors,
            ["error: types/orphan.yaml: name: no method or event uses the named type `orphan`"],
            "{text}"
        );
    }
}
