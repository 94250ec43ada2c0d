//! The deduplication pass: structs and enums that come out the same (the same fields with
//! the same wire names, types and flags; the same allowed values) are emitted once.
//!
//! Types merge when they are identical and mean the same: one of them is a shared type of
//! `types` (the object the docs describe), or they are of one module. Of each such group
//! the one kept is the shared type, else a nested type, else a method's response or an
//! event's data, the first in module order; it compiles under every feature of the group. Every reference to the
//! others points to it, and each of them stays where the module path rule puts it, as an
//! alias of the one kept (`pub type UpdateResponse = GetResponse;`, `pub type
//! AddFieldsFmTypeId = crate::types::CrmMultifieldTypeId;`), so a name once generated
//! keeps compiling. As merging makes more types identical (two structs holding the two
//! merged ones), the pass runs until nothing changes. Request types are never merged:
//! each is its own method.

use std::collections::BTreeMap;

use super::{Alias, Cfg, Crate, ModPath, Struct, StructField, TYPES_MODULE, Ty, TypeDef, TypeRef};

/// Merges identical nested and shared types of `krate` until none is left.
pub fn dedup(krate: &mut Crate) {
    loop {
        let renames = merge_round(krate);
        if renames.is_empty() {
            return;
        }
        rewrite(krate, &renames);
    }
}

/// Where a mergeable type lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Owner {
    /// `Module::types[i]`.
    Module(usize),
    /// `Module::methods[m].nested[i]`.
    Method(usize, usize),
    /// `Crate::events[e].nested[i]`.
    Event(usize, usize),
    /// `Module::methods[m].response`.
    Response(usize),
    /// `Crate::events[e].data`.
    EventData(usize),
}

impl Owner {
    /// Whether the type is part of a method's or an event's own API, so that a type of
    /// its own kind is kept over it.
    fn keeps_name(self) -> bool {
        matches!(self, Owner::Response(_) | Owner::EventData(_))
    }
}

/// One round: finds the groups of identical types, keeps one of each (its features the
/// union of the group's) and makes the rest aliases of it. Returns the references to
/// redirect.
fn merge_round(krate: &mut Crate) -> BTreeMap<TypeRef, TypeRef> {
    let mut groups: BTreeMap<String, Vec<(TypeRef, Owner, Cfg)>> = BTreeMap::new();
    for (path, module) in &krate.modules {
        for (i, def) in module.types.iter().enumerate() {
            add(&mut groups, path, def, Owner::Module(i));
        }
        for (m, method) in module.methods.iter().enumerate() {
            for (i, def) in method.nested.iter().enumerate() {
                add(&mut groups, path, def, Owner::Method(m, i));
            }
            add(&mut groups, path, &method.response, Owner::Response(m));
        }
    }
    for (e, event) in krate.events.iter().enumerate() {
        for (i, def) in event.nested.iter().enumerate() {
            add(&mut groups, &event.module, def, Owner::Event(e, i));
        }
        if let Some(data) = &event.data {
            add(&mut groups, &event.module, data, Owner::EventData(e));
        }
    }

    let mut renames = BTreeMap::new();
    for mut members in groups
        .into_values()
        .flat_map(by_meaning)
        .filter(|g| g.len() > 1)
    {
        members.sort_by_key(|(r, owner, _)| {
            let shared = r.module.first().map(String::as_str) == Some(TYPES_MODULE);
            (
                !shared,
                owner.keeps_name(),
                r.module.clone(),
                r.name.clone(),
            )
        });
        let (kept, kept_owner, _) = members[0].clone();
        let any_unconditional = members.iter().any(|(_, _, cfg)| cfg.is_empty());
        let mut cfg: Cfg = Cfg::new();
        if !any_unconditional {
            for (_, _, member_cfg) in &members {
                cfg.extend(member_cfg.iter().cloned());
            }
        }
        set_cfg(krate, &kept.module, kept_owner, cfg);
        for (r, owner, cfg) in members.into_iter().skip(1) {
            alias(krate, &r, owner, cfg, &kept);
            renames.insert(r, kept.clone());
        }
    }
    renames
}

/// The members of a group that may share one type: all of them when one is a shared type
/// of `types` (an object the docs name, which they all are); else those of each module
/// apart. Two modules' types that merely look alike (`{"ID": 1}` in a booking event and
/// in a catalog one) stay apart, named for what each describes.
fn by_meaning(members: Vec<(TypeRef, Owner, Cfg)>) -> Vec<Vec<(TypeRef, Owner, Cfg)>> {
    let shared = |r: &TypeRef| r.module.first().map(String::as_str) == Some(TYPES_MODULE);
    if members.iter().any(|(r, _, _)| shared(r)) {
        return vec![members];
    }
    let mut by_module: BTreeMap<ModPath, Vec<(TypeRef, Owner, Cfg)>> = BTreeMap::new();
    for member in members {
        by_module
            .entry(member.0.module.clone())
            .or_default()
            .push(member);
    }
    by_module.into_values().collect()
}

/// Turns a merged type into an alias of the type kept, under its own name and features.
fn alias(krate: &mut Crate, r: &TypeRef, owner: Owner, cfg: Cfg, kept: &TypeRef) {
    let def = def_mut(krate, &r.module, owner);
    let doc = match def {
        TypeDef::Struct(s) => std::mem::take(&mut s.doc),
        TypeDef::Enum(e) => std::mem::take(&mut e.doc),
        TypeDef::Newtype(n) => std::mem::take(&mut n.doc),
        TypeDef::Alias(a) => std::mem::take(&mut a.doc),
    };
    *def = TypeDef::Alias(Alias {
        name: r.name.clone(),
        doc,
        cfg,
        target: kept.clone(),
    });
}

/// The type definition an owner holds.
fn def_mut<'k>(krate: &'k mut Crate, module: &ModPath, owner: Owner) -> &'k mut TypeDef {
    let module = krate.modules.get_mut(module);
    match owner {
        Owner::Module(i) => &mut module.expect("listed").types[i],
        Owner::Method(m, i) => &mut module.expect("listed").methods[m].nested[i],
        Owner::Response(m) => &mut module.expect("listed").methods[m].response,
        Owner::Event(e, i) => &mut krate.events[e].nested[i],
        Owner::EventData(e) => krate.events[e].data.as_mut().expect("listed"),
    }
}

/// Files a type under the key of its structure.
fn add(
    groups: &mut BTreeMap<String, Vec<(TypeRef, Owner, Cfg)>>,
    module: &ModPath,
    def: &TypeDef,
    owner: Owner,
) {
    let (key, cfg) = match def {
        TypeDef::Struct(s) => (struct_key(s), s.cfg.clone()),
        TypeDef::Enum(e) => (
            format!("enum {} {:?}", e.integer, e.variants),
            e.cfg.clone(),
        ), // A wrapper of one value (`AddResponse(i64)`) is too small to share, and an
        // alias is already shared.
        TypeDef::Newtype(_) | TypeDef::Alias(_) => return,
    };
    let r = TypeRef {
        module: module.clone(),
        name: def.name().to_owned(),
    };
    groups.entry(key).or_default().push((r, owner, cfg));
}

/// What makes two structs emit the same code, bar their names, docs and features.
fn struct_key(s: &Struct) -> String {
    let fields: Vec<String> = s.fields.iter().map(field_key).collect();
    let wildcards = s.wildcards.as_ref().map(|w| (&w.name, &w.patterns));
    format!("struct {fields:?} {wildcards:?}")
}

fn field_key(f: &StructField) -> String {
    format!(
        "{} {} {:?} {} {} {:?} {:?}",
        f.name, f.wire_name, f.ty, f.required, f.deprecated, f.aliases, f.doc
    )
}

/// Sets the features of the kept type.
fn set_cfg(krate: &mut Crate, module: &ModPath, owner: Owner, cfg: Cfg) {
    match def_mut(krate, module, owner) {
        TypeDef::Struct(s) => s.cfg = cfg,
        TypeDef::Enum(e) => e.cfg = cfg,
        TypeDef::Newtype(n) => n.cfg = cfg,
        TypeDef::Alias(a) => a.cfg = cfg,
    }
}

/// Points every reference of the crate at the types kept.
fn rewrite(krate: &mut Crate, renames: &BTreeMap<TypeRef, TypeRef>) {
    for module in krate.modules.values_mut() {
        module
            .types
            .iter_mut()
            .for_each(|d| rewrite_def(d, renames));
        for method in &mut module.methods {
            let fields = method.request.fields.iter_mut();
            fields.for_each(|f| rewrite_field(f, renames));
            rewrite_def(&mut method.response, renames);
            if let Some(paging) = &mut method.paging {
                rename(&mut paging.item, renames);
            }
            method
                .nested
                .iter_mut()
                .for_each(|d| rewrite_def(d, renames));
        }
    }
    for event in &mut krate.events {
        if let Some(data) = &mut event.data {
            rewrite_def(data, renames);
        }
        event
            .nested
            .iter_mut()
            .for_each(|d| rewrite_def(d, renames));
    }
}

/// Redirects the references of a type definition.
fn rewrite_def(def: &mut TypeDef, renames: &BTreeMap<TypeRef, TypeRef>) {
    match def {
        TypeDef::Struct(s) => s.fields.iter_mut().for_each(|f| rewrite_field(f, renames)),
        TypeDef::Newtype(n) => rename(&mut n.ty, renames),
        TypeDef::Enum(_) | TypeDef::Alias(_) => {}
    }
}

/// Redirects the references of a field, and the name of its type in its doc.
fn rewrite_field(field: &mut StructField, renames: &BTreeMap<TypeRef, TypeRef>) {
    let before = field.ty.describe();
    rename(&mut field.ty, renames);
    let after = field.ty.describe();
    if before != after {
        for line in &mut field.doc {
            *line = line.replace(&before, &after);
        }
    }
}

/// Redirects the references inside one type.
fn rename(ty: &mut Ty, renames: &BTreeMap<TypeRef, TypeRef>) {
    match ty {
        Ty::Named(r) | Ty::IntEnum(r) => {
            if let Some(kept) = renames.get(r) {
                *r = kept.clone();
            }
        }
        Ty::List(inner) | Ty::Map(inner) | Ty::Nullable(inner) => rename(inner, renames),
        Ty::OneOf(members) => members.iter_mut().for_each(|m| rename(m, renames)),
        Ty::Int
        | Ty::Float
        | Ty::Bool(_)
        | Ty::Text
        | Ty::Json
        | Ty::FieldDescription
        | Ty::Unit => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Module;

    fn object(name: &str, field_ty: Ty, cfg: &[&str]) -> TypeDef {
        TypeDef::Struct(Struct {
            name: name.to_owned(),
            doc: vec![format!("The `{name}` object.")],
            cfg: cfg.iter().map(|s| s.to_string()).collect(),
            fields: vec![StructField {
                name: "id".into(),
                wire_name: "ID".into(),
                doc: vec![format!("`ID`: {}.", field_ty.describe())],
                ty: field_ty,
                required: false,
                deprecated: false,
                aliases: vec![],
            }],
            wildcards: None,
            traffic: Default::default(),
        })
    }

    #[test]
    fn identical_types_are_kept_once_and_references_follow() {
        let at = |module: &str, name: &str| TypeRef {
            module: vec![module.to_owned()],
            name: name.to_owned(),
        };
        let mut krate = Crate::default();
        let mut types = Module::default();
        types.types.push(object("Shared", Ty::Int, &["crm"]));
        krate.modules.insert(vec!["types".into()], types);
        let mut sale = Module::default();
        // Identical to `Shared`; two holders, one of `SaleThing`, one of `Shared`.
        sale.types.push(object("SaleThing", Ty::Int, &["sale"]));
        let holder = |name: &str, of: Ty| object(name, of, &["sale"]);
        sale.types
            .push(holder("Holder", Ty::Named(at("sale", "SaleThing"))));
        sale.types
            .push(holder("OtherHolder", Ty::Named(at("types", "Shared"))));
        krate.modules.insert(vec!["sale".into()], sale);
        // In another module, a holder that only looks like them.
        let mut task = Module::default();
        task.types.push(object(
            "Holder",
            Ty::Named(at("types", "Shared")),
            &["task"],
        ));
        task.types.push(object("Other", Ty::Text, &["task"]));
        krate.modules.insert(vec!["task".into()], task);

        dedup(&mut krate);
        // Each type by name: a struct, or the type it is an alias of.
        let kinds = |m: &str| -> Vec<(String, String)> {
            let kind = |t: &TypeDef| match t {
                TypeDef::Alias(a) => format!("= {}::{}", a.target.module.join("::"), a.target.name),
                _ => "struct".to_owned(),
            };
            let types = &krate.modules[&vec![m.to_owned()]].types;
            types
                .iter()
                .map(|t| (t.name().to_owned(), kind(t)))
                .collect()
        };
        let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        // `SaleThing` is `Shared`; then the two holders of `sale` are one, the first kept.
        // The merged ones stay, under their names, as aliases; `task`'s holder only looks
        // like them and stays its own.
        assert_eq!(kinds("types"), [pair("Shared", "struct")]);
        assert_eq!(
            kinds("sale"),
            [
                pair("SaleThing", "= types::Shared"),
                pair("Holder", "struct"),
                pair("OtherHolder", "= sale::Holder"),
            ]
        );
        assert_eq!(
            kinds("task"),
            [pair("Holder", "struct"), pair("Other", "struct")]
        );
        let TypeDef::Struct(shared) = &krate.modules[&vec!["types".into()]].types[0] else {
            panic!()
        };
        assert_eq!(shared.cfg, ["crm", "sale"].map(String::from).into());
        let TypeDef::Struct(holder) = &krate.modules[&vec!["sale".into()]].types[1] else {
            panic!()
        };
        assert_eq!(holder.fields[0].ty, Ty::Named(at("types", "Shared")));
        assert_eq!(holder.fields[0].doc, ["`ID`: `Shared`."]);
    }
}
