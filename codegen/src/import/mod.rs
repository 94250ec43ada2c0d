//! The docs importer: a checkout of the official Bitrix24 REST docs in, one method spec
//! per documented method and one per documented event out.
//!
//! 1. [`corpus`] reads every page and splits it into blocks ([`yfm`]).
//! 2. [`method`] recognises method pages and reads their parameter, result and error
//!    tables ([`table`], [`fields`], [`types`], [`facts`], [`errors`]), with the shapes
//!    the REST conventions and the keyed form fix ([`conventions`], [`keyed`]), sharpened
//!    by the page's examples ([`refine`]).
//!    [`events`] reads event pages (one event, or several) the same way.
//! 3. [`siblings`] gives the results a page leaves out from the methods it names or sits
//!    beside, and [`typescript`] what is still open from the result types the page's
//!    TypeScript examples declare; [`overrides`] applies the hand-written corrections of
//!    `specs/overrides/`; shared types no method or event reaches are dropped.
//! 4. [`stats`] counts what was typed concretely; [`Import::files`] and
//!    [`Import::event_files`] render the specs.
//!
//! Only facts are taken from the pages (names, types, required flags, defaults, allowed
//! values, error codes, messages and statuses, scopes, links), never their prose.

mod conventions;
mod corpus;
mod errors;
pub mod events;
mod examples;
mod facts;
mod fields;
mod keyed;
mod listing;
mod literal;
mod method;
mod objects;
pub mod overrides;
mod refine;
mod scopes;
mod siblings;
pub mod stats;
mod table;
mod types;
mod typescript;
pub mod yfm;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use corpus::{Corpus, Page};
pub use events::ImportedEvent;
pub use method::{ImportedMethod, Naming};
pub use objects::Objects;
pub use types::Vocabulary;

use crate::output::FileSet;
use crate::spec::{ApiVersion, EventSpec, MethodSpec, NamedType, SpecSet};
use crate::{Diagnostics, spec};

/// The environment variable naming a checkout of the docs.
pub const DOCS_VAR: &str = "BITRIX24_DOCS";

/// Where the docs are looked for when no path is given: `$BITRIX24_DOCS`, else
/// `shared/b24restdocs` beside the workspace at `workspace`.
pub fn default_docs(workspace: &Path) -> PathBuf {
    std::env::var_os(DOCS_VAR)
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("../shared/b24restdocs"))
}

/// The docs checkout for a test that reads the docs: the one at [`default_docs`] when it
/// is a checkout, else `None` after printing that the test is skipped and why.
///
/// Under CI (`CI=true`) a test never skips silently: when `$BITRIX24_DOCS` is set, or a
/// directory exists at the default place, but holds no checkout, this panics instead.
pub fn docs_for_test(workspace: &Path) -> Option<PathBuf> {
    checkout_for_test(
        default_docs(workspace),
        std::env::var_os(DOCS_VAR).is_some(),
        std::env::var("CI").is_ok_and(|v| v == "true"),
    )
}

/// [`docs_for_test`] for the docs at `dir`, with `$BITRIX24_DOCS` set or not and under CI
/// or not.
fn checkout_for_test(dir: PathBuf, var_set: bool, ci: bool) -> Option<PathBuf> {
    if dir.join("api-reference").is_dir() {
        return Some(dir);
    }
    let why = format!(
        "no docs checkout at {} (set {DOCS_VAR} to a clone of github.com/bitrix24/b24restdocs)",
        dir.display()
    );
    if ci && (var_set || dir.exists()) {
        panic!("{why}, though docs are configured: under CI a test that reads them must run");
    }
    eprintln!("skipped: {why}");
    None
}

/// The outcome of an import.
#[derive(Debug)]
pub struct Import {
    /// Number of pages that document a method.
    pub method_pages: usize,
    /// Imported methods by (name, api), overrides applied.
    pub methods: BTreeMap<(String, ApiVersion), ImportedMethod>,
    /// Pages that could not be read completely: (page, reason).
    pub problems: Vec<(String, String)>,
    /// Number of override files applied.
    pub overrides: usize,
    /// Number of pages that document one event.
    pub event_pages: usize,
    /// Number of pages that document several events.
    pub multi_event_pages: usize,
    /// Imported events by upper-case wire name, overrides applied.
    pub events: BTreeMap<String, ImportedEvent>,
    /// Number of event override files applied.
    pub event_overrides: usize,
    /// Pages whose title and example call name different methods, with the name chosen.
    pub disagreeing_names: Vec<(String, Naming)>,
    /// Shared types of the objects the docs describe, by name, overrides applied.
    pub types: BTreeMap<String, NamedType>,
    /// Number of type override files applied.
    pub type_overrides: usize,
}

/// Imports every method page of the docs at `docs`, with the vocabulary and overrides of
/// the specs directory `specs`. Override problems are errors; page problems are listed.
pub fn import(docs: &Path, specs: &Path) -> Result<Import, String> {
    let (corpus, unreadable) = Corpus::read(docs)?;
    let mut diags = Diagnostics::default();
    let type_overrides = overrides::load_types(&specs.join("overrides").join("types"), &mut diags);
    let mut vocab = vocabulary(specs, &type_overrides).map_err(|d| d.to_string())?;
    vocab.object_ids = types::object_ids(&corpus);
    let mut objects = objects::Objects::new(type_overrides.values().filter_map(|(_, o)| {
        let spec = o.spec.as_ref()?;
        Some((o.name.clone(), spec.fields.clone()?))
    }));
    let mut problems: Vec<(String, String)> = unreadable;
    let mut methods: BTreeMap<(String, ApiVersion), ImportedMethod> = BTreeMap::new();
    let mut method_pages = 0;
    let namings: Vec<(&corpus::Page, method::Naming)> = corpus
        .pages
        .values()
        .filter_map(|page| method::naming(page).map(|naming| (page, naming)))
        .collect();
    let named: Vec<(&corpus::Page, String)> = namings
        .iter()
        .map(|(page, naming)| (*page, naming.name.clone()))
        .collect();
    let disagreeing_names = namings
        .iter()
        .filter(|(_, naming)| naming.disagrees())
        .map(|(page, naming)| (page.path.clone(), naming.clone()))
        .collect();
    for (page, name) in &named {
        // A namespace named in a title (`imbot.v2` on its change log) is not a method:
        // the page has no scope line and other methods live under it.
        let prefix = format!("{name}.");
        if !scopes::has_line(page) && named.iter().any(|(_, other)| other.starts_with(&prefix)) {
            continue;
        }
        let (page, name) = (*page, name.clone());
        method_pages += 1;
        let imported = method::import(&corpus, page, name, &vocab, &mut objects);
        for p in &imported.problems {
            problems.push((page.path.clone(), p.clone()));
        }
        let key = (imported.spec.method.clone(), imported.spec.api);
        match methods.get(&key) {
            // The same method on two pages: keep the current page over an outdated one,
            // and the method's own page over one that shows it in passing.
            Some(first)
                if (first.spec.deprecated && !imported.spec.deprecated)
                    || (method::file_matches(page, &key.0)
                        && !corpus
                            .pages
                            .get(&first.spec.docs)
                            .is_some_and(|p| method::file_matches(p, &key.0))) =>
            {
                problems.push((
                    first.spec.docs.clone(),
                    format!("`{}` is also documented on {}", key.0, page.path),
                ));
                methods.insert(key, imported);
            }
            Some(first) => {
                problems.push((
                    page.path.clone(),
                    format!("`{}` is also documented on {}", key.0, first.spec.docs),
                ));
            }
            None => {
                methods.insert(key, imported);
            }
        }
    }

    siblings::type_records(&mut methods);
    typescript::fill_in_results(&mut methods);
    let overrides = overrides::load(&specs.join("overrides"), &mut diags);
    for (key, (file, o)) in &overrides {
        let imported = methods.remove(key);
        let base = imported.as_ref().map(|m| m.spec.clone());
        if let Some(spec) = overrides::apply(file, o, base.clone(), &mut diags) {
            let method = match imported {
                Some(m) => ImportedMethod {
                    spec,
                    from_page: base,
                    ..m
                },
                None => ImportedMethod {
                    spec,
                    problems: Vec::new(),
                    response_example: None,
                    request_example: None,
                    from_page: None,
                    result_shown_by_example: false,
                    result_like: None,
                    declared_result: None,
                    filled_by_declaration: Vec::new(),
                },
            };
            methods.insert(key.clone(), method);
        }
    }
    let events = import_events(
        &corpus,
        &vocab,
        specs,
        &mut objects,
        &mut problems,
        &mut diags,
    );
    let mut types = objects.into_types();
    for (name, (file, o)) in &type_overrides {
        let imported = types.remove(name);
        if let Some(ty) = overrides::apply_type(file, o, imported, &mut diags) {
            types.insert(name.clone(), ty);
        }
    }
    diags.into_result(()).map_err(|d| d.to_string())?;
    for m in methods.values() {
        let reply = m.response_example.as_deref();
        let Some(reply) = reply.and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
        else {
            continue;
        };
        // A type written whole is as its override says; one corrected by fixes is still
        // shaped by the replies carrying it.
        let fixed = |name: &str| {
            type_overrides
                .get(name)
                .is_some_and(|(_, o)| o.spec.is_some())
        };
        refine::shared_shapes_in(
            &m.spec.result.as_field(),
            &reply["result"],
            &mut types,
            &fixed,
        );
    }
    // An object read on the way to a field the import then leaves out (the `auth` of an
    // event's envelope) is no type of the API; a type written by hand stays, to be
    // checked.
    let reached = crate::spec::reached_types(
        methods.values().map(|m| &m.spec),
        events.events.values().map(|e| &e.spec),
        |name| types.get(name),
    );
    types.retain(|name, _| reached.contains(name) || type_overrides.contains_key(name));
    listing::describe(methods.values_mut().map(|m| &mut m.spec), &types);
    problems.sort();
    Ok(Import {
        method_pages,
        methods,
        problems,
        overrides: overrides.len(),
        event_pages: events.single_pages,
        multi_event_pages: events.multi_pages,
        events: events.events,
        event_overrides: events.overrides,
        disagreeing_names,
        types,
        type_overrides: type_overrides.len(),
    })
}

/// What [`import_events`] found.
struct ImportedEvents {
    single_pages: usize,
    multi_pages: usize,
    events: BTreeMap<String, ImportedEvent>,
    overrides: usize,
}

/// Imports every event page, then applies `specs/overrides/events/`.
fn import_events(
    corpus: &Corpus,
    vocab: &Vocabulary,
    specs: &Path,
    objects: &mut objects::Objects,
    problems: &mut Vec<(String, String)>,
    diags: &mut Diagnostics,
) -> ImportedEvents {
    let mut found = ImportedEvents {
        single_pages: 0,
        multi_pages: 0,
        events: BTreeMap::new(),
        overrides: 0,
    };
    for page in corpus.pages.values() {
        let Some(kind) = events::event_page(page) else {
            continue;
        };
        match kind {
            events::EventPage::Single => found.single_pages += 1,
            events::EventPage::Several => found.multi_pages += 1,
        }
        for imported in events::import(corpus, page, kind, vocab, objects) {
            for p in &imported.problems {
                problems.push((page.path.clone(), p.clone()));
            }
            let key = imported.spec.event.clone();
            match found.events.get(&key) {
                // The same event on two pages: the current page wins over an outdated one.
                Some(first) if first.spec.deprecated && !imported.spec.deprecated => {
                    problems.push((
                        first.spec.docs.clone(),
                        format!("`{key}` is also documented on {}", page.path),
                    ));
                    found.events.insert(key, imported);
                }
                Some(first) => problems.push((
                    page.path.clone(),
                    format!("`{key}` is also documented on {}", first.spec.docs),
                )),
                None => {
                    found.events.insert(key, imported);
                }
            }
        }
    }
    let overrides = overrides::load_events(&specs.join("overrides").join("events"), diags);
    found.overrides = overrides.len();
    for (key, (file, o)) in &overrides {
        let imported = found.events.remove(key);
        let base = imported.as_ref().map(|e| e.spec.clone());
        if let Some(spec) = overrides::apply_event(file, o, base.clone(), diags) {
            let (problems, examples) = imported
                .map(|e| (e.problems, e.examples))
                .unwrap_or_default();
            let event = ImportedEvent {
                spec,
                problems,
                from_page: base,
                examples,
            };
            found.events.insert(spec_key(&event.spec), event);
        }
    }
    found
}

/// The key of an event: its wire name in upper case.
fn spec_key(spec: &EventSpec) -> String {
    spec.event.to_ascii_uppercase()
}

/// Checks that the imported specs, with the shared specs of `specs`, validate and
/// generate, so a bad import writes nothing.
pub fn validate(import: &Import, specs: &Path) -> Result<(), Diagnostics> {
    let set = import.spec_set(specs)?;
    spec::validate_set(&set)?;
    crate::ir::build(&set).map(|_| ())
}

/// The entities of a specs directory and the shared types written by hand
/// (`overrides/types/`), by name and by the docs place they describe. Imported types are
/// not read back: an import does not depend on the one before it.
pub fn vocabulary(
    specs: &Path,
    hand_written: &overrides::TypeOverrides,
) -> Result<Vocabulary, Diagnostics> {
    let set = spec::load_shared(specs)?;
    let spec_of = |o: &overrides::TypeOverride| o.spec.clone();
    Ok(Vocabulary {
        entities: set.entities,
        // Only types written whole are known before the import; one corrected by
        // fixes is imported from its page first.
        types: hand_written
            .iter()
            .filter(|(_, (_, o))| o.spec.is_some())
            .map(|(name, _)| name.clone())
            .collect(),
        object_ids: BTreeMap::new(),
        type_docs: hand_written
            .values()
            .filter_map(|(_, o)| Some((spec_of(o)?.docs?, o.name.clone())))
            .collect(),
    })
}

impl Import {
    /// The imported methods and events with the shared specs (entities, types, system
    /// errors) of the specs directory `specs`, as the generator would load them once
    /// written.
    pub fn spec_set(&self, specs: &Path) -> Result<SpecSet, Diagnostics> {
        let mut set = spec::load_shared(specs)?;
        set.types = self
            .types
            .iter()
            .map(|(name, ty)| {
                let file = specs.join("types").join(type_file(name));
                (name.clone(), (file, ty.clone()))
            })
            .collect();
        for ((name, api), m) in &self.methods {
            set.methods.push((
                specs.join("methods").join(method_file(name, *api)),
                m.spec.clone(),
            ));
        }
        for event in self.events.values() {
            set.events.push((
                specs.join("events").join(event_file(&event.spec)),
                event.spec.clone(),
            ));
        }
        Ok(set)
    }

    /// The method spec files, relative to `specs/methods/`.
    pub fn files(&self) -> Result<FileSet, String> {
        let mut files = FileSet::default();
        for ((name, api), m) in &self.methods {
            files.insert(method_file(name, *api), render(&m.spec)?);
        }
        Ok(files)
    }
}

impl Import {
    /// The shared type files, relative to `specs/types/`.
    pub fn type_files(&self) -> Result<FileSet, String> {
        let mut files = FileSet::default();
        for (name, ty) in &self.types {
            let body = serde_yaml::to_string(ty).map_err(|e| format!("type {name}: {e}"))?;
            files.insert(type_file(name), format!("{IMPORTED_HEADER}{body}"));
        }
        Ok(files)
    }

    /// The event spec files, relative to `specs/events/`.
    pub fn event_files(&self) -> Result<FileSet, String> {
        let mut files = FileSet::default();
        for event in self.events.values() {
            let body = serde_yaml::to_string(&event.spec)
                .map_err(|e| format!("{}: {e}", event.spec.event))?;
            files.insert(event_file(&event.spec), format!("{IMPORTED_HEADER}{body}"));
        }
        Ok(files)
    }
}

/// The file of an event spec, relative to `specs/events/`: under its first scope.
fn event_file(spec: &EventSpec) -> String {
    let scope = spec.scopes.first().map_or("none", String::as_str);
    format!("{scope}/{}.yaml", spec.event)
}

/// The file of a shared type, relative to `specs/types/`.
fn type_file(name: &str) -> String {
    format!("{name}.yaml")
}

/// The first lines of every imported spec file.
const IMPORTED_HEADER: &str = "# Imported from the Bitrix24 REST docs by `cargo xtask import`; do not edit.\n# Corrections belong in specs/overrides/.\n";

/// The file of a method spec, relative to `specs/methods/`.
fn method_file(name: &str, api: ApiVersion) -> String {
    let first = name.split('.').next().unwrap_or(name);
    match api {
        ApiVersion::V2 => format!("{first}/{name}.yaml"),
        ApiVersion::V3 => format!("{first}/{name}.v3.yaml"),
    }
}

/// A spec as YAML, with a header saying where it came from.
pub fn render(spec: &MethodSpec) -> Result<String, String> {
    let body = serde_yaml::to_string(spec).map_err(|e| format!("{}: {e}", spec.method))?;
    Ok(format!("{IMPORTED_HEADER}{body}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tests_skip_without_docs_but_not_under_ci_when_docs_are_configured() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let empty = dir.path().to_owned();
        assert_eq!(checkout_for_test(missing.clone(), false, false), None);
        assert_eq!(checkout_for_test(missing.clone(), false, true), None);
        assert_eq!(checkout_for_test(empty.clone(), false, false), None);
        for (at, var_set) in [(missing, true), (empty.clone(), false)] {
            let run = std::panic::catch_unwind(|| checkout_for_test(at, var_set, true));
            assert!(
                run.is_err(),
                "configured docs that are missing fail under CI"
            );
        }
        std::fs::create_dir(empty.join("api-reference")).unwrap();
        assert_eq!(checkout_for_test(empty.clone(), true, true), Some(empty));
    }
}
