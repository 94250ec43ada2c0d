//! Module gates: a module whose items all compile under the same features is gated once,
//! on its `mod` declaration, instead of on every item. A gated module's file is not even
//! read by rustc when its features are off.

use std::collections::BTreeSet;

use super::{Cfg, Crate, Event, Method, ModPath, TypeDef};

/// Sets [`Module::gate`](super::Module::gate) on every module whose items, and the items
/// of all its submodules, share one non-empty `cfg`.
pub fn gate(krate: &mut Crate) {
    let paths: Vec<ModPath> = krate.modules.keys().cloned().collect();
    for path in paths {
        let mut cfgs: BTreeSet<&Cfg> = BTreeSet::new();
        for (_, module) in krate
            .modules
            .range(path.clone()..)
            .take_while(|(p, _)| p.starts_with(&path))
        {
            for m in &module.methods {
                cfgs.extend(method_cfgs(m));
            }
            cfgs.extend(module.types.iter().map(TypeDef::cfg));
        }
        krate.modules.get_mut(&path).expect("listed above").gate = shared_gate(cfgs);
    }
}

/// The one non-empty `cfg` all these items print, if they share one.
fn shared_gate<'c>(cfgs: impl IntoIterator<Item = &'c Cfg>) -> Option<Cfg> {
    let cfgs: BTreeSet<&Cfg> = cfgs.into_iter().collect();
    match cfgs.into_iter().collect::<Vec<_>>().as_slice() {
        [one] if !one.is_empty() => Some((*one).clone()),
        _ => None,
    }
}

/// Every `cfg` printed for a method's items.
fn method_cfgs(m: &Method) -> impl Iterator<Item = &Cfg> {
    [&m.cfg, &m.request.cfg, m.response.cfg()]
        .into_iter()
        .chain(m.nested.iter().map(TypeDef::cfg))
}

/// The gate of an events module (`events::crm`): the one non-empty `cfg` of all its
/// events and their data types, if they share one.
pub fn event_gate(events: &[&Event]) -> Option<Cfg> {
    shared_gate(events.iter().flat_map(|e| event_cfgs(e)))
}

/// Every `cfg` printed for an event's items.
fn event_cfgs(e: &Event) -> impl Iterator<Item = &Cfg> {
    std::iter::once(&e.cfg)
        .chain(e.data.iter().map(TypeDef::cfg))
        .chain(e.nested.iter().map(TypeDef::cfg))
}

/// A copy of an event of a gated events module without its own `cfg`s.
pub fn ungated_event(e: &Event) -> Event {
    let mut e = e.clone();
    e.cfg.clear();
    e.data.iter_mut().for_each(|t| t.cfg_mut().clear());
    e.nested.iter_mut().for_each(|t| t.cfg_mut().clear());
    e
}

/// A copy of a gated module's items without their own `cfg`: the gate covers them.
pub fn ungated(module: &super::Module) -> super::Module {
    let mut module = module.clone();
    for m in &mut module.methods {
        m.cfg.clear();
        m.request.cfg.clear();
        m.response.cfg_mut().clear();
        m.nested.iter_mut().for_each(|t| t.cfg_mut().clear());
    }
    module.types.iter_mut().for_each(|t| t.cfg_mut().clear());
    module
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Enum, Module};

    fn enumeration(name: &str, cfg: &[&str]) -> TypeDef {
        TypeDef::Enum(Enum {
            name: name.to_owned(),
            doc: Vec::new(),
            cfg: cfg.iter().map(|s| s.to_string()).collect(),
            integer: false,
            variants: Vec::new(),
        })
    }

    #[test]
    fn a_module_is_gated_when_it_and_its_submodules_share_one_cfg() {
        let mut krate = Crate::default();
        let module = |types: Vec<TypeDef>| Module {
            types,
            ..Module::default()
        };
        let path = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<ModPath>();
        // `crm` and `crm::item` are all `crm`; `sale` holds a `sale` item and a submodule
        // of `cashbox` items; `types` mixes.
        krate.modules.insert(path(&[]), module(Vec::new()));
        krate
            .modules
            .insert(path(&["crm"]), module(vec![enumeration("A", &["crm"])]));
        krate.modules.insert(
            path(&["crm", "item"]),
            module(vec![enumeration("B", &["crm"])]),
        );
        krate
            .modules
            .insert(path(&["sale"]), module(vec![enumeration("C", &["sale"])]));
        krate.modules.insert(
            path(&["sale", "cashbox"]),
            module(vec![enumeration("D", &["cashbox"])]),
        );
        krate.modules.insert(
            path(&["types"]),
            module(vec![enumeration("E", &["crm"]), enumeration("F", &[])]),
        );
        gate(&mut krate);
        let gate_of = |p: &[&str]| {
            krate.modules[&path(p)]
                .gate
                .as_ref()
                .map(|g| g.iter().cloned().collect::<Vec<_>>())
        };
        let one = |f: &str| Some(vec![f.to_owned()]);
        assert_eq!(gate_of(&[]), None);
        assert_eq!(gate_of(&["crm"]), one("crm"));
        assert_eq!(gate_of(&["crm", "item"]), one("crm"));
        assert_eq!(gate_of(&["sale"]), None);
        assert_eq!(gate_of(&["sale", "cashbox"]), one("cashbox"));
        assert_eq!(gate_of(&["types"]), None);
        // Items of a gated module print no cfg of their own.
        let ungated = ungated(&krate.modules[&path(&["crm"])]);
        assert!(ungated.types[0].cfg().is_empty());
    }

    fn event(name: &str, cfg: &[&str], data_cfg: &[&str]) -> Event {
        Event {
            name: name.to_owned(),
            wire_name: name.to_uppercase(),
            scopes: vec!["crm".to_owned()],
            docs_url: String::new(),
            deprecated: false,
            cfg: cfg.iter().map(|s| s.to_string()).collect(),
            module: vec!["events".to_owned(), "crm".to_owned()],
            data: Some(enumeration("Data", data_cfg)),
            nested: vec![enumeration("Nested", cfg)],
        }
    }

    #[test]
    fn an_events_module_is_gated_when_its_events_and_their_data_share_one_cfg() {
        let a = event("A", &["crm"], &["crm"]);
        let b = event("B", &["crm"], &["crm"]);
        let gate = event_gate(&[&a, &b]).map(|g| g.into_iter().collect::<Vec<_>>());
        assert_eq!(gate, Some(vec!["crm".to_owned()]));
        // Data compiled under another feature too, or no feature at all: no gate.
        let wider = event("C", &["crm"], &["crm", "sale"]);
        assert_eq!(event_gate(&[&a, &wider]), None);
        assert_eq!(event_gate(&[&event("D", &[], &[])]), None);
        let ungated = ungated_event(&a);
        assert!(ungated.cfg.is_empty());
        assert!(
            ungated
                .data
                .iter()
                .chain(&ungated.nested)
                .all(|t| t.cfg().is_empty())
        );
    }
}
