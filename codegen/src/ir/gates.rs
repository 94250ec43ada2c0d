//! Module gates: a module whose items all compile under the same features is gated once,
//! on its `mod` declaration, instead of on every item.

use std::collections::BTreeSet;

use super::{Cfg, Crate, Method, ModPath, TypeDef};

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
        let gate = match cfgs.into_iter().collect::<Vec<_>>().as_slice() {
            [one] if !one.is_empty() => Some((*one).clone()),
            _ => None,
        };
        krate.modules.get_mut(&path).expect("listed above").gate = gate;
    }
}

/// Every `cfg` printed for a method's items.
fn method_cfgs(m: &Method) -> impl Iterator<Item = &Cfg> {
    [&m.cfg, &m.request.cfg, m.response.cfg()]
        .into_iter()
        .chain(m.nested.iter().map(TypeDef::cfg))
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
}
