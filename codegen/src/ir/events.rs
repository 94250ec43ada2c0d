//! Resolving event specs: one module per scope under `events`, a unit type per event and
//! the type of its `data`, resolved like a method's result.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::build::{Resolver, claim, docs_url};
use super::{Cfg, Crate, Direction, Event, ModPath, Newtype, Traffic, TypeDef};
use crate::naming::{Case, ident};
use crate::spec::{EventSpec, Field, Primitive, SpecSet, TypeExpr};
use crate::{Diagnostic, Diagnostics};

/// The module holding every event, one submodule per scope.
const EVENTS_MODULE: &str = "events";

/// Adds the events of `specs` to `krate`: their features, their types (claimed in
/// `origins`), and the named types they use to `type_users`.
pub(super) fn build(
    specs: &SpecSet,
    krate: &mut Crate,
    type_users: &mut BTreeMap<String, Cfg>,
    origins: &mut BTreeMap<(ModPath, String), PathBuf>,
    diags: &mut Diagnostics,
) {
    let mut sorted: Vec<&(PathBuf, EventSpec)> = specs.events.iter().collect();
    sorted.sort_by(|a, b| a.1.event.cmp(&b.1.event));
    if let Some((file, _)) = sorted.first()
        && krate.modules.contains_key(&vec![EVENTS_MODULE.to_owned()])
    {
        diags.push(Diagnostic {
            file: file.clone(),
            location: None,
            path: "event".to_owned(),
            message: format!(
                "methods already generate a module `{EVENTS_MODULE}`, where events would go"
            ),
        });
    }
    // Variants of `AnyEvent` share one namespace across scopes.
    let mut variants: BTreeMap<String, PathBuf> = BTreeMap::new();
    for (file, spec) in sorted {
        let cfg: Cfg = spec.scopes.iter().cloned().collect();
        krate.features.extend(cfg.iter().cloned());
        let scope = spec.scopes.first().map_or("none", String::as_str);
        let module = vec![EVENTS_MODULE.to_owned(), ident(scope, Case::Snake)];
        let mut resolver = Resolver::new(specs, module.clone(), cfg.clone());
        let event = event(&mut resolver, spec, module.clone(), cfg.clone());
        for used in std::mem::take(&mut resolver.used_types) {
            type_users
                .entry(used)
                .or_default()
                .extend(cfg.iter().cloned());
        }
        let names = std::iter::once(event.name.clone())
            .chain(event.data.iter().map(|d| d.name().to_owned()))
            .chain(event.nested.iter().map(|t| t.name().to_owned()));
        for name in names {
            claim(origins, &module, name, (file, "event"), diags);
        }
        if let Some(first) = variants.insert(event.name.clone(), file.clone()) {
            diags.push(Diagnostic {
                file: file.clone(),
                location: None,
                path: "event".to_owned(),
                message: format!(
                    "generates the `AnyEvent` variant `{}`, which {} generates too",
                    event.name,
                    first.display()
                ),
            });
        }
        krate.events.push(event);
    }
}

/// One event's items.
fn event(resolver: &mut Resolver<'_>, spec: &EventSpec, module: ModPath, cfg: Cfg) -> Event {
    let name = ident(spec.type_source(), Case::Type);
    let url = docs_url(&spec.docs);
    let data_name = format!("{name}Data");
    let doc = vec![format!("The `data` of [`{name}`] (`{}`).", spec.event)];
    let data = spec.data.as_ref().map(|data| {
        let field = data.as_field();
        match (
            field.ty.nullable_inner().unwrap_or(&field.ty),
            &field.fields,
        ) {
            (TypeExpr::Primitive(Primitive::Object), Some(fields)) => {
                TypeDef::Struct(resolver.structure(&data_name, doc, fields, Direction::Response))
            }
            _ => {
                let value = Field {
                    name: "value".to_owned(),
                    ..field
                };
                let ty = resolver.field_type(&name, &value, Direction::Response);
                TypeDef::Newtype(Newtype {
                    name: data_name,
                    doc,
                    cfg: cfg.clone(),
                    ty,
                    traffic: Traffic::default(),
                })
            }
        }
    });
    Event {
        name,
        wire_name: spec.event.clone(),
        scopes: spec.scopes.clone(),
        docs_url: url,
        deprecated: spec.deprecated,
        cfg,
        module,
        data,
        nested: std::mem::take(&mut resolver.nested),
    }
}
