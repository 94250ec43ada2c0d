//! Resolving specs into the IR: names, types, module paths and features.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::{
    Cfg, Crate, Direction, Enum, ErrorCase, ErrorEnum, ErrorVariant, FastListing, Method, ModPath,
    Newtype, Paging, Start, Struct, StructField, TYPES_MODULE, Traffic, Ty, TypeDef, TypeRef,
    Wildcards,
};
use crate::naming::{Case, ident, unique};
use crate::spec::{
    ApiVersion, BoolFormat, ErrorSpec, Field, IdType, MethodSpec, Primitive, Scalar, SpecSet,
    TypeExpr,
};
use crate::{Diagnostic, Diagnostics};

/// Base URL of the public documentation; a page's URL is this plus its path, `.md`
/// replaced by `.html`.
pub const DOCS_BASE_URL: &str = "https://apidocs.bitrix24.com/";

/// Builds the IR, or reports names that collide in the generated crate.
pub fn build(specs: &SpecSet) -> Result<Crate, Diagnostics> {
    let mut krate = Crate {
        system_errors: error_variants(&specs.system_errors.errors, &[]),
        system_errors_url: docs_url(&specs.system_errors.docs),
        ..Crate::default()
    };
    let mut type_users: BTreeMap<String, Cfg> = BTreeMap::new();
    let mut origins: BTreeMap<(ModPath, String), PathBuf> = BTreeMap::new();
    let mut diags = Diagnostics::default();

    let mut methods: Vec<&(PathBuf, MethodSpec)> = specs.methods.iter().collect();
    methods.sort_by(|a, b| (&a.1.method, a.1.api).cmp(&(&b.1.method, b.1.api)));
    for (file, spec) in methods {
        let cfg: Cfg = spec.scopes.iter().cloned().collect();
        krate.features.extend(cfg.iter().cloned());
        let (module, base) = method_path(&spec.method, spec.api);
        let mut resolver = Resolver::new(specs, module.clone(), cfg.clone());
        let method = resolver.method(spec, &base);
        for used in resolver.used_types {
            type_users
                .entry(used)
                .or_default()
                .extend(cfg.iter().cloned());
        }
        let names = std::iter::once(method.request.name.clone())
            .chain([method.response.name().to_owned(), method.error.name.clone()])
            .chain(method.nested.iter().map(|t| t.name().to_owned()));
        for name in names {
            claim(&mut origins, &module, name, (file, "method"), &mut diags);
        }
        krate
            .modules
            .entry(module.clone())
            .or_default()
            .methods
            .push(method);
        // Every module on the path exists and knows the wire prefix it stands for.
        let wire: Vec<&str> = spec.method.split('.').collect();
        let offset = module.len() + 1 - wire.len();
        for depth in 0..=module.len() {
            let entry = krate.modules.entry(module[..depth].to_vec()).or_default();
            entry.wire_prefix = wire[..depth.saturating_sub(offset)].join(".");
        }
    }

    super::events::build(specs, &mut krate, &mut type_users, &mut origins, &mut diags);

    let types_module = vec![TYPES_MODULE.to_owned()];
    let closure = type_closure(specs, type_users);
    // Nested types of a shared type are named after it, and must not take the name of
    // another shared type (`tasks` with a field `task` beside a type `tasks_task`).
    let shared_names: BTreeSet<String> = specs.types.keys().map(|n| ident(n, Case::Type)).collect();
    let mut taken = shared_names.clone();
    for (name, (file, named)) in &specs.types {
        let cfg = closure.get(name).cloned().unwrap_or_default();
        let mut resolver = Resolver::new(specs, types_module.clone(), cfg.clone());
        resolver.taken = std::mem::take(&mut taken);
        let rust_name = ident(name, Case::Type);
        let docs = named.docs.as_deref().map(docs_url);
        let mut doc = vec![format!("The `{name}` object.")];
        if let Some(url) = &docs {
            doc.push(String::new());
            doc.push(format!("[Documentation]({url})"));
        }
        let def = match (&named.fields, &named.ty, &named.values) {
            (Some(fields), _, _) => {
                TypeDef::Struct(resolver.structure(&rust_name, doc, fields, Direction::Response))
            }
            (None, Some(ty), Some(values)) => {
                TypeDef::Enum(enum_def(&rust_name, doc, cfg, ty, values))
            }
            _ => continue,
        };
        claim(
            &mut origins,
            &types_module,
            def.name().to_owned(),
            (file, "method"),
            &mut diags,
        );
        for nested in resolver.nested.iter() {
            claim(
                &mut origins,
                &types_module,
                nested.name().to_owned(),
                (file, "method"),
                &mut diags,
            );
        }
        taken = std::mem::take(&mut resolver.taken);
        let module = krate.modules.entry(types_module.clone()).or_default();
        module.types.push(def);
        module.types.append(&mut resolver.nested);
    }
    if let Some(module) = krate.modules.get_mut(&types_module) {
        module.types.sort_by(|a, b| a.name().cmp(b.name()));
    }
    super::dedup::dedup(&mut krate);
    super::gates::gate(&mut krate);
    super::traffic::mark(&mut krate);
    diags.into_result(krate)
}

/// Records that `name` is defined in `module` by `file`, reporting a second definition.
pub(super) fn claim(
    origins: &mut BTreeMap<(ModPath, String), PathBuf>,
    module: &ModPath,
    name: String,
    (file, path): (&Path, &str),
    diags: &mut Diagnostics,
) {
    let key = (module.clone(), name);
    if let Some(first) = origins.get(&key) {
        diags.push(Diagnostic {
            file: file.to_owned(),
            location: None,
            path: path.to_owned(),
            message: format!(
                "generates `{}::{}`, which {} generates too",
                module.join("::"),
                key.1,
                first.display()
            ),
        });
    } else {
        origins.insert(key, file.to_owned());
    }
}

/// The module path and type name of a method: all segments but the last name the module
/// (REST 3.0 methods under `v3`), the last names the request type.
///
/// `crm.item.add` → (`crm::item`, `Add`); `batch` → (crate root, `Batch`);
/// `tasks.task.get` in REST 3.0 → (`v3::tasks::task`, `Get`).
pub fn method_path(method: &str, api: ApiVersion) -> (ModPath, String) {
    let segments: Vec<&str> = method.split('.').collect();
    let (last, parents) = segments.split_last().expect("split yields one segment");
    let mut module: ModPath = match api {
        ApiVersion::V2 => Vec::new(),
        ApiVersion::V3 => vec!["v3".to_owned()],
    };
    module.extend(parents.iter().map(|s| ident(s, Case::Snake)));
    (module, ident(last, Case::Type))
}

/// The public URL of a docs page (`api-reference/x.md#anchor` → `…/api-reference/x.html#anchor`).
pub fn docs_url(path: &str) -> String {
    let (page, anchor) = match path.split_once('#') {
        Some((page, anchor)) => (page, format!("#{anchor}")),
        None => (path, String::new()),
    };
    let page = page.strip_suffix(".md").unwrap_or(page);
    format!("{DOCS_BASE_URL}{page}.html{anchor}")
}

/// Features of each named type: those of every method using it, directly or through other
/// named types.
fn type_closure(specs: &SpecSet, mut users: BTreeMap<String, Cfg>) -> BTreeMap<String, Cfg> {
    // A named type's fields may reference other named types: propagate until stable.
    let mut changed = true;
    while changed {
        changed = false;
        for (name, (_, named)) in &specs.types {
            let Some(cfg) = users.get(name).cloned() else {
                continue;
            };
            let mut referenced = BTreeSet::new();
            for field in named.fields.iter().flatten() {
                field.for_each_name(&mut |n| {
                    referenced.insert(n.to_owned());
                });
            }
            for r in referenced
                .into_iter()
                .filter(|r| specs.types.contains_key(r))
            {
                let entry = users.entry(r).or_default();
                let before = entry.len();
                entry.extend(cfg.iter().cloned());
                changed |= entry.len() != before;
            }
        }
    }
    users
}

/// Groups errors by code (codes repeat with other messages) into enum variants.
fn error_variants(errors: &[ErrorSpec], reserved: &[&str]) -> Vec<ErrorVariant> {
    let mut grouped: Vec<(String, Vec<ErrorCase>)> = Vec::new();
    for e in errors {
        match grouped.iter_mut().find(|(code, _)| *code == e.code) {
            Some((_, cases)) => cases.push((e.message.clone(), e.status)),
            None => grouped.push((e.code.clone(), vec![(e.message.clone(), e.status)])),
        }
    }
    let names = reserved
        .iter()
        .map(|r| r.to_string())
        .chain(grouped.iter().map(|(code, _)| ident(code, Case::Type)));
    let names = unique(names, Case::Type).split_off(reserved.len());
    grouped
        .into_iter()
        .zip(names)
        .map(|((code, cases), name)| ErrorVariant { name, code, cases })
        .collect()
}

fn enum_def(name: &str, doc: Vec<String>, cfg: Cfg, ty: &TypeExpr, values: &[Scalar]) -> Enum {
    let integer = *ty.element() == TypeExpr::Primitive(Primitive::Integer);
    let wire: Vec<String> = values.iter().map(Scalar::to_string).collect();
    let names =
        std::iter::once("Unknown".to_owned()).chain(wire.iter().map(|v| ident(v, Case::Type)));
    let names = unique(names, Case::Type).split_off(1);
    Enum {
        name: name.to_owned(),
        doc,
        cfg,
        integer,
        variants: names.into_iter().zip(wire).collect(),
    }
}

/// Resolves the types of one method, event or named type in the module it lands in.
pub(super) struct Resolver<'a> {
    specs: &'a SpecSet,
    module: ModPath,
    cfg: Cfg,
    /// Structs and enums made for nested objects and allowed values.
    pub(super) nested: Vec<TypeDef>,
    /// Named types referenced.
    pub(super) used_types: BTreeSet<String>,
    /// Names a nested type may not take (other types of the module); nested names are
    /// added as they are made, and a nested type whose name is taken gets a number.
    pub(super) taken: BTreeSet<String>,
}

impl<'a> Resolver<'a> {
    pub(super) fn new(specs: &'a SpecSet, module: ModPath, cfg: Cfg) -> Self {
        Self {
            specs,
            module,
            cfg,
            nested: Vec::new(),
            used_types: BTreeSet::new(),
            taken: BTreeSet::new(),
        }
    }

    fn method(&mut self, spec: &MethodSpec, base: &str) -> Method {
        let url = docs_url(&spec.docs);
        let doc = method_doc(spec, base, &url);
        let mut request = self.structure(base, doc, &spec.params, Direction::Request);
        if spec.result.paged
            && spec.api == ApiVersion::V2
            && !request
                .fields
                .iter()
                .any(|f| f.wire_name.eq_ignore_ascii_case("start"))
        {
            request.fields.push(StructField {
                name: "start".to_owned(),
                wire_name: "start".to_owned(),
                ty: Ty::Int,
                required: false,
                doc: vec!["`start`: offset of the first element of the page (`-1`: do not count the total).".to_owned()],
                deprecated: false,
                aliases: Vec::new(),
            });
        }

        let response_name = format!("{base}Response");
        let response_doc = vec![format!("The `result` of [`{}`]({url}).", spec.method)];
        let result = spec.result.as_field();
        let response = match (
            result.ty.nullable_inner().unwrap_or(&result.ty),
            &result.fields,
        ) {
            (TypeExpr::Primitive(Primitive::Object), Some(fields)) => TypeDef::Struct(
                self.structure(&response_name, response_doc, fields, Direction::Response),
            ),
            _ => {
                let item = Field {
                    name: "item".to_owned(),
                    ..result
                };
                let ty = self.field_type(base, &item, Direction::Response);
                let mut doc = response_doc;
                if ty == Ty::Unit {
                    doc.extend([
                        String::new(),
                        "Always `null`: the method returns nothing but its success.".to_owned(),
                    ]);
                }
                TypeDef::Newtype(Newtype {
                    name: response_name,
                    doc,
                    cfg: self.cfg.clone(),
                    ty,
                    traffic: Traffic::default(),
                })
            }
        };
        let paging = spec
            .result
            .paged
            .then(|| paging(spec, &request, &response))
            .flatten();

        let error = ErrorEnum {
            name: format!("{base}Error"),
            variants: error_variants(&spec.errors, &["System", "Unhandled"]),
        };
        Method {
            wire_name: spec.method.clone(),
            api: spec.api,
            scopes: spec.scopes.clone(),
            access: spec.access.clone(),
            docs_url: url,
            deprecated: spec.deprecated,
            batch: spec.batch,
            safe_to_repeat: spec.safe_to_repeat,
            cfg: self.cfg.clone(),
            request,
            response,
            paging,
            error,
            nested: std::mem::take(&mut self.nested),
        }
    }

    /// A struct named `name` from `fields`; nested types are named after it.
    pub(super) fn structure(
        &mut self,
        name: &str,
        doc: Vec<String>,
        fields: &[Field],
        direction: Direction,
    ) -> Struct {
        let (plain, wild): (Vec<&Field>, Vec<&Field>) =
            fields.iter().partition(|f| f.wildcard_prefix().is_none());
        let rust_names = unique(
            plain
                .iter()
                .map(|f| ident(&f.name, Case::Snake))
                .chain((!wild.is_empty()).then(|| "extra".to_owned())),
            Case::Snake,
        );
        let struct_fields = plain
            .iter()
            .zip(&rust_names)
            .map(|(f, rust_name)| {
                let ty = self.field_type(name, f, direction);
                let required = direction == Direction::Request && f.required;
                StructField {
                    name: rust_name.clone(),
                    wire_name: f.name.clone(),
                    doc: field_doc(f, &ty, required),
                    ty,
                    required,
                    deprecated: f.deprecated,
                    aliases: f.aliases.clone(),
                }
            })
            .collect();
        let wildcards = (!wild.is_empty()).then(|| Wildcards {
            name: rust_names.last().expect("extra is named").clone(),
            patterns: wild.iter().map(|f| f.name.clone()).collect(),
        });
        Struct {
            name: name.to_owned(),
            doc,
            cfg: self.cfg.clone(),
            fields: struct_fields,
            wildcards,
            traffic: Traffic::default(),
        }
    }

    /// The type of `field` of struct `owner`; nested objects and value lists become types
    /// named `{owner}{Field}`.
    pub(super) fn field_type(&mut self, owner: &str, field: &Field, direction: Direction) -> Ty {
        let nested_name = self.nested_name(owner, &field.name);
        let element = if let Some(values) = &field.values {
            let doc = vec![format!("Allowed values of `{}`.", field.name)];
            let def = enum_def(&nested_name, doc, self.cfg.clone(), &field.ty, values);
            let integer = def.integer;
            self.nested.push(TypeDef::Enum(def));
            let r = TypeRef {
                module: self.module.clone(),
                name: nested_name,
            };
            Some(if integer {
                Ty::IntEnum(r)
            } else {
                Ty::Named(r)
            })
        } else if let Some(fields) = &field.fields {
            let doc = vec![format!("The `{}` object.", field.name)];
            let def = self.structure(&nested_name, doc, fields, direction);
            self.nested.push(TypeDef::Struct(def));
            Some(Ty::Named(TypeRef {
                module: self.module.clone(),
                name: nested_name,
            }))
        } else {
            None
        };
        self.expr(&field.ty, field.format, element.as_ref())
    }

    /// The name of the type made for field `field` of `owner`: `{owner}{Field}`, numbered
    /// when a type of the module already has that name.
    fn nested_name(&mut self, owner: &str, field: &str) -> String {
        let base = format!("{owner}{}", ident(field, Case::Type));
        if self.taken.is_empty() {
            return base;
        }
        let name = (1..)
            .map(|n| match n {
                1 => base.clone(),
                n => format!("{base}{n}"),
            })
            .find(|name| !self.taken.contains(name))
            .expect("an unbounded range has a free name");
        self.taken.insert(name.clone());
        name
    }

    /// The type of an expression; `element` replaces the innermost type when given.
    fn expr(&mut self, ty: &TypeExpr, format: Option<BoolFormat>, element: Option<&Ty>) -> Ty {
        match ty {
            TypeExpr::List(t) => Ty::List(Box::new(self.expr(t, format, element))),
            // A map's values may be `null` where the specs say so (`map<string | null>`).
            TypeExpr::Map(t) => {
                let value = self.expr(t, format, element);
                Ty::Map(Box::new(match t.nullable_inner() {
                    Some(_) => Ty::Nullable(Box::new(value)),
                    None => value,
                }))
            }
            TypeExpr::Union(members) => match ty.nullable_inner() {
                Some(inner) => self.expr(inner, format, element),
                None => {
                    // Fields describe the one object member (`integer | object`); allowed
                    // values, every member.
                    let object = TypeExpr::Primitive(Primitive::Object);
                    let holder = ty.holds_fields();
                    let mut resolved: Vec<Ty> = Vec::new();
                    for m in members.iter().filter(|m| **m != TypeExpr::Null) {
                        let element = element.filter(|_| !holder || *m.element() == object);
                        let t = self.expr(m, format, element);
                        if !resolved.contains(&t) {
                            resolved.push(t);
                        }
                    }
                    one_of(resolved)
                }
            },
            _ if element.is_some() => element.cloned().expect("checked"),
            // Alone, only as a method's result: one that is always `null`.
            TypeExpr::Null => Ty::Unit,
            TypeExpr::Primitive(p) => match p {
                Primitive::Integer | Primitive::Timestamp => Ty::Int,
                Primitive::Double => Ty::Float,
                // Specs that give no wire form mean the most common one, `Y`/`N`.
                Primitive::Boolean => Ty::Bool(format.unwrap_or(BoolFormat::YesNo)),
                Primitive::Char
                | Primitive::String
                | Primitive::Text
                | Primitive::Date
                | Primitive::DateTime
                | Primitive::Enum => Ty::Text,
                Primitive::Object => Ty::Map(Box::new(Ty::Json)),
                Primitive::Array => Ty::List(Box::new(Ty::Json)),
                Primitive::File | Primitive::Any => Ty::Json,
                Primitive::FieldDescription => Ty::FieldDescription,
            },
            TypeExpr::EntityField(entity, _) => self.entity(entity),
            TypeExpr::Name(name) => {
                if self.specs.entities.contains_key(name) {
                    self.entity(name)
                } else {
                    self.used_types.insert(name.clone());
                    let r = TypeRef {
                        module: vec![TYPES_MODULE.to_owned()],
                        name: ident(name, Case::Type),
                    };
                    let integer_enum = self.specs.types.get(name).is_some_and(|(_, t)| {
                        t.values.is_some()
                            && t.ty.as_ref().map(TypeExpr::element)
                                == Some(&TypeExpr::Primitive(Primitive::Integer))
                    });
                    if integer_enum {
                        Ty::IntEnum(r)
                    } else {
                        Ty::Named(r)
                    }
                }
            }
        }
    }

    fn entity(&self, name: &str) -> Ty {
        match self.specs.entities.get(name) {
            Some(IdType::String) => Ty::Text,
            _ => Ty::Int,
        }
    }
}

/// How a paged list method pages, or `None` when its request or response does not have
/// the shape paging needs (a REST 3.0 `pagination` that is not a map of integers).
fn paging(spec: &MethodSpec, request: &Struct, response: &TypeDef) -> Option<Paging> {
    let (item, items_field) = match (&spec.result.items, response) {
        (
            None,
            TypeDef::Newtype(Newtype {
                ty: Ty::List(item), ..
            }),
        ) => ((**item).clone(), None),
        (Some(member), TypeDef::Struct(s)) => {
            let field = s.fields.iter().find(|f| f.wire_name == *member)?;
            let Ty::List(item) = &field.ty else {
                return None;
            };
            ((**item).clone(), Some(field.name.clone()))
        }
        _ => return None,
    };
    let field_named = |wire: &str| {
        let found = request
            .fields
            .iter()
            .find(|f| f.wire_name.eq_ignore_ascii_case(wire));
        found.map(|f| (f.name.clone(), f.ty.clone()))
    };
    let start = match spec.api {
        ApiVersion::V2 => Start::Field(field_named("start")?.0),
        ApiVersion::V3 => match field_named("pagination")? {
            (name, Ty::Map(value)) if *value == Ty::Int => Start::Pagination(name),
            _ => return None,
        },
    };
    let fast = spec.fast_listing.as_ref().map(|f| FastListing {
        id: f.id.clone(),
        filter: f.filter.clone(),
        conditions: f.conditions.clone(),
        order: f.order.clone(),
        sort: f.sort.clone(),
        items_at: spec.result.items.clone(),
    });
    Some(Paging {
        item,
        items_field,
        start,
        fast,
    })
}

/// The type of a union of distinct member types: the one member, or a `OneOf` of two or
/// three precise ones. JSON when a member is loose (JSON, or an object or list of it: the
/// union then tells no more than JSON) or there are more members than `OneOf` types.
fn one_of(mut members: Vec<Ty>) -> Ty {
    let loose = |t: &Ty| match t {
        Ty::Map(inner) | Ty::List(inner) => **inner == Ty::Json,
        other => *other == Ty::Json,
    };
    match members.len() {
        1 => members.pop().expect("one member"),
        2 | 3 if !members.iter().any(loose) => Ty::OneOf(members),
        _ => Ty::Json,
    }
}

/// Doc lines of a request type: the method's facts, never prose from the docs.
fn method_doc(spec: &MethodSpec, base: &str, url: &str) -> Vec<String> {
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let quoted = |items: &mut dyn Iterator<Item = &String>| {
        items
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut doc = vec![
        format!("Parameters of [`{}`]({url}).", spec.method),
        String::new(),
    ];
    doc.push(format!("- Scopes: {}", quoted(&mut spec.scopes.iter())));
    if let Some(access) = &spec.access {
        doc.push(format!("- Who may call: {access}"));
    }
    let required: Vec<&String> = spec
        .params
        .iter()
        .filter(|p| p.required)
        .map(|p| &p.name)
        .collect();
    if !required.is_empty() {
        doc.push(format!(
            "- Required parameters: {}",
            quoted(&mut required.into_iter())
        ));
    }
    let mut codes: Vec<&String> = spec.errors.iter().map(|e| &e.code).collect();
    codes.dedup();
    if codes.is_empty() {
        doc.push(format!("- Errors: [`{base}Error`] (system errors only)"));
    } else {
        doc.push(format!(
            "- Errors: [`{base}Error`]: {}",
            quoted(&mut codes.into_iter())
        ));
    }
    doc.push(format!("- Allowed in `batch`: {}", yes_no(spec.batch)));
    doc.push(format!("- Safe to repeat: {}", yes_no(spec.safe_to_repeat)));
    if spec.result.paged {
        doc.push(match spec.api {
            ApiVersion::V2 => "- Paged: yes (`start`, `next`, `total`)".to_owned(),
            ApiVersion::V3 => "- Paged: yes (`pagination`)".to_owned(),
        });
    }
    if let Some(fast) = &spec.fast_listing {
        doc.push(format!(
            "- Read in full by `{}` with `Client::list_fast`: yes",
            fast.id
        ));
    }
    if spec.api == ApiVersion::V3 {
        doc.push("- REST 3.0".to_owned());
    }
    doc
}

/// Doc lines of a field, built from facts only.
fn field_doc(field: &Field, ty: &Ty, required: bool) -> Vec<String> {
    let mut line = format!("`{}`: {}", field.name, ty.describe());
    if field.ty.nullable_inner().is_some() {
        line.push_str(", may be null");
    }
    line.push_str(if required { ", required." } else { "." });
    let mut doc = vec![line];
    if let Some(default) = &field.default {
        doc.push(format!("Default: `{default}`."));
    }
    if let Some(values) = &field.values {
        let list: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
        doc.push(format!("Allowed values: {}.", list.join(", ")));
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_names_map_to_module_paths_and_type_names() {
        let path = |m, api| method_path(m, api);
        assert_eq!(
            path("crm.item.add", ApiVersion::V2),
            (vec!["crm".into(), "item".into()], "Add".into())
        );
        assert_eq!(path("batch", ApiVersion::V2), (vec![], "Batch".into()));
        assert_eq!(
            path("tasks.task.get", ApiVersion::V3),
            (
                vec!["v3".into(), "tasks".into(), "task".into()],
                "Get".into()
            )
        );
        assert_eq!(
            path("crm.type.add", ApiVersion::V2).0,
            vec!["crm".to_owned(), "type_".to_owned()]
        );
        assert_eq!(path("im.recent.pin", ApiVersion::V2).1, "Pin");
    }

    #[test]
    fn unions_of_precise_members_are_one_of() {
        let text_or_map = one_of(vec![Ty::Text, Ty::Map(Box::new(Ty::Text))]);
        assert_eq!(
            text_or_map,
            Ty::OneOf(vec![Ty::Text, Ty::Map(Box::new(Ty::Text))])
        );
        assert_eq!(
            text_or_map.adapter().as_deref(),
            Some("w::OneOf<(w::Text, w::Map<w::Text>)>")
        );
        assert_eq!(one_of(vec![Ty::Int]), Ty::Int);
        assert_eq!(
            one_of(vec![Ty::Text, Ty::Map(Box::new(Ty::Json))]),
            Ty::Json
        );
        assert_eq!(
            one_of(vec![
                Ty::Text,
                Ty::Int,
                Ty::Float,
                Ty::Bool(BoolFormat::YesNo)
            ]),
            Ty::Json
        );
    }

    #[test]
    fn a_map_of_nullable_text_holds_options_read_by_the_text_adapter() {
        let specs = SpecSet::default();
        let mut builder = Resolver::new(&specs, vec!["x".into()], Cfg::new());
        let ty = builder.expr(&"map<string | null>".parse().unwrap(), None, None);
        assert_eq!(ty, Ty::Map(Box::new(Ty::Nullable(Box::new(Ty::Text)))));
        assert_eq!(
            ty.tokens(&vec![]).to_string().replace(' ', ""),
            "::std::collections::BTreeMap<::std::string::String,::std::option::Option<::std::string::String>>"
        );
        assert_eq!(ty.adapter().as_deref(), Some("w::Map<w::Text>"));
        // A nullable field is an `Option` of its own; its type stays the value's.
        let field = builder.expr(&"string | null".parse().unwrap(), None, None);
        assert_eq!(field, Ty::Text);
    }

    #[test]
    fn the_struct_of_a_union_s_fields_is_its_object_member_only() {
        let specs = SpecSet::default();
        let mut builder = Resolver::new(&specs, vec!["x".into()], Cfg::new());
        let block = Ty::Named(TypeRef {
            module: vec!["x".into()],
            name: "Block".into(),
        });
        let ty = builder.expr(&"integer | object".parse().unwrap(), None, Some(&block));
        assert_eq!(ty, Ty::OneOf(vec![Ty::Int, block.clone()]));
        let ty = builder.expr(
            &"map<object> | boolean".parse().unwrap(),
            None,
            Some(&block),
        );
        assert_eq!(
            ty,
            Ty::OneOf(vec![Ty::Map(Box::new(block)), Ty::Bool(BoolFormat::YesNo)])
        );
    }

    #[test]
    fn docs_urls_keep_anchors() {
        assert_eq!(
            docs_url("api-reference/crm/data-types.md#crm_multifield"),
            "https://apidocs.bitrix24.com/api-reference/crm/data-types.html#crm_multifield"
        );
    }

    #[test]
    fn repeated_error_codes_share_one_variant_and_avoid_reserved_names() {
        let e = |code: &str, msg: &str| ErrorSpec {
            code: code.into(),
            message: Some(msg.into()),
            status: None,
        };
        let variants = error_variants(
            &[
                e("AccessException", "a"),
                e("AccessException", "b"),
                e("SYSTEM", "c"),
                e("100", "d"),
            ],
            &["System", "Unhandled"],
        );
        let names: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["AccessException", "System2", "V100"]);
        assert_eq!(variants[0].cases.len(), 2);
    }
}
