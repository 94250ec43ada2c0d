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
