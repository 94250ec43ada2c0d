//! Which way each generated type travels: sent in a request, received in a reply or an
//! event, or both. A type gets the serde half and the builders its direction needs.

use std::collections::BTreeMap;

use super::{Crate, ModPath, Struct, Ty, TypeDef, TypeRef};

/// Which way a type travels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traffic {
    /// Built by the caller and serialized into a request.
    pub sent: bool,
    /// Deserialized from a reply or an event.
    pub received: bool,
}

impl Traffic {
    /// Whether the type is serialized: it is sent, or nothing reaches it (then it gets
    /// both directions).
    pub fn sends(self) -> bool {
        self.sent || !self.received
    }

    /// Whether the type is deserialized: it is received, or nothing reaches it.
    pub fn receives(self) -> bool {
        self.received || !self.sent
    }

    const SENT: Traffic = Traffic {
        sent: true,
        received: false,
    };
    const RECEIVED: Traffic = Traffic {
        sent: false,
        received: true,
    };
}

/// Sets the traffic of every struct and newtype: requests are sent, method results and
/// event data received, and a type takes the directions of every type that holds it.
pub fn mark(krate: &mut Crate) {
    let mut edges: BTreeMap<TypeRef, Vec<TypeRef>> = BTreeMap::new();
    let mut pending: Vec<(TypeRef, Traffic)> = Vec::new();
    for (path, module) in &krate.modules {
        for m in &module.methods {
            pending.push((at(path, &m.request.name), Traffic::SENT));
            pending.push((at(path, m.response.name()), Traffic::RECEIVED));
            edges.insert(at(path, &m.request.name), struct_refs(&m.request));
            for def in std::iter::once(&m.response).chain(&m.nested) {
                edges.insert(at(path, def.name()), refs(def));
            }
        }
        for def in &module.types {
            edges.insert(at(path, def.name()), refs(def));
        }
    }
    for e in &krate.events {
        if let Some(data) = &e.data {
            pending.push((at(&e.module, data.name()), Traffic::RECEIVED));
        }
        for def in e.data.iter().chain(&e.nested) {
            edges.insert(at(&e.module, def.name()), refs(def));
        }
    }
    let mut found: BTreeMap<TypeRef, Traffic> = BTreeMap::new();
    while let Some((at, traffic)) = pending.pop() {
        let seen = found.entry(at.clone()).or_default();
        let before = *seen;
        seen.sent |= traffic.sent;
        seen.received |= traffic.received;
        if *seen != before {
            let inner = edges.get(&at).into_iter().flatten();
            pending.extend(inner.map(|r| (r.clone(), traffic)));
        }
    }
    let traffic =
        |module: &ModPath, name: &str| found.get(&at(module, name)).copied().unwrap_or_default();
    for (path, module) in &mut krate.modules {
        for m in &mut module.methods {
            m.request.traffic = traffic(path, &m.request.name);
            for def in std::iter::once(&mut m.response).chain(&mut m.nested) {
                set(def, traffic(path, def.name()));
            }
        }
        for def in &mut module.types {
            set(def, traffic(path, def.name()));
        }
    }
    for e in &mut krate.events {
        for def in e.data.iter_mut().chain(&mut e.nested) {
            set(def, traffic(&e.module, def.name()));
        }
    }
}

fn at(module: &ModPath, name: &str) -> TypeRef {
    TypeRef {
        module: module.clone(),
        name: name.to_owned(),
    }
}

/// Sets the traffic of a struct or newtype.
fn set(def: &mut TypeDef, traffic: Traffic) {
    match def {
        TypeDef::Struct(s) => s.traffic = traffic,
        TypeDef::Newtype(n) => n.traffic = traffic,
        TypeDef::Enum(_) | TypeDef::Alias(_) => {}
    }
}

/// The generated types a type refers to.
fn refs(def: &TypeDef) -> Vec<TypeRef> {
    let mut out = Vec::new();
    match def {
        TypeDef::Struct(s) => return struct_refs(s),
        TypeDef::Newtype(n) => named(&n.ty, &mut out),
        TypeDef::Alias(a) => out.push(a.target.clone()),
        TypeDef::Enum(_) => {}
    }
    out
}

fn struct_refs(s: &Struct) -> Vec<TypeRef> {
    let mut out = Vec::new();
    s.fields.iter().for_each(|f| named(&f.ty, &mut out));
    out
}

/// The generated types a field type refers to.
fn named(ty: &Ty, out: &mut Vec<TypeRef>) {
    match ty {
        Ty::Named(r) | Ty::IntEnum(r) => out.push(r.clone()),
        Ty::List(t) | Ty::Map(t) | Ty::Nullable(t) => named(t, out),
        Ty::OneOf(members) => members.iter().for_each(|m| named(m, out)),
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
    use crate::ir::{ErrorEnum, Method, Module, StructField};
    use crate::spec::ApiVersion;

    fn structure(name: &str, holds: Option<TypeRef>) -> Struct {
        Struct {
            name: name.to_owned(),
            doc: Vec::new(),
            cfg: Default::default(),
            fields: holds
                .into_iter()
                .map(|r| StructField {
                    name: "inner".into(),
                    wire_name: "inner".into(),
                    ty: Ty::List(Box::new(Ty::Named(r))),
                    required: false,
                    doc: Vec::new(),
                    deprecated: false,
                    aliases: Vec::new(),
                })
                .collect(),
            wildcards: None,
            traffic: Traffic::default(),
        }
    }

    fn method(request: Struct, response: Struct, nested: Vec<TypeDef>) -> Method {
        Method {
            wire_name: "x.get".into(),
            api: ApiVersion::V2,
            scopes: Vec::new(),
            access: None,
            docs_url: String::new(),
            deprecated: false,
            batch: true,
            safe_to_repeat: true,
            cfg: Default::default(),
            request,
            response: TypeDef::Struct(response),
            paging: None,
            error: ErrorEnum {
                name: "GetError".into(),
                variants: Vec::new(),
            },
            nested,
        }
    }

    #[test]
    fn a_type_travels_the_ways_of_everything_that_holds_it() {
        let at = |module: &str, name: &str| TypeRef {
            module: vec![module.to_owned()],
            name: name.to_owned(),
        };
        let mut krate = Crate::default();
        // `Both` is held by a request and by a reply; `Sent` only by the request (through
        // a nested type); `Received` only by the reply; `Unused` by nothing.
        let types = Module {
            types: vec![
                TypeDef::Struct(structure("Both", None)),
                TypeDef::Struct(structure("Sent", None)),
                TypeDef::Struct(structure("Received", Some(at("types", "Both")))),
                TypeDef::Struct(structure("Unused", None)),
            ],
            ..Module::default()
        };
        krate.modules.insert(vec!["types".into()], types);
        let mut x = Module::default();
        x.methods.push(method(
            structure("Get", Some(at("x", "GetFilter"))),
            structure("GetResponse", Some(at("types", "Received"))),
            vec![TypeDef::Struct(structure(
                "GetFilter",
                Some(at("types", "Sent")),
            ))],
        ));
        x.methods[0].nested.push(TypeDef::Struct(structure(
            "GetOther",
            Some(at("types", "Both")),
        )));
        x.methods[0]
            .request
            .fields
            .extend(structure("Tmp", Some(at("x", "GetOther"))).fields);
        krate.modules.insert(vec!["x".into()], x);

        mark(&mut krate);
        let traffic = |module: &str, name: &str| {
            let module = &krate.modules[&vec![module.to_owned()]];
            let m = &module.methods.first();
            match m.filter(|m| m.request.name == name) {
                Some(m) => m.request.traffic,
                None => module
                    .types
                    .iter()
                    .chain(
                        m.iter()
                            .flat_map(|m| std::iter::once(&m.response).chain(&m.nested)),
                    )
                    .find_map(|t| match t {
                        TypeDef::Struct(s) if s.name == name => Some(s.traffic),
                        _ => None,
                    })
                    .expect("defined"),
            }
        };
        let (sent, received, both) = (
            Traffic::SENT,
            Traffic::RECEIVED,
            Traffic {
                sent: true,
                received: true,
            },
        );
        assert_eq!(traffic("x", "Get"), sent);
        assert_eq!(traffic("x", "GetFilter"), sent);
        assert_eq!(traffic("types", "Sent"), sent);
        assert_eq!(traffic("x", "GetResponse"), received);
        assert_eq!(traffic("types", "Received"), received);
        assert_eq!(traffic("types", "Both"), both);
        assert_eq!(traffic("types", "Unused"), Traffic::default());
    }
}
