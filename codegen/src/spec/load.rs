//! Reading the spec files, collecting every problem instead of stopping at the first.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::EventSpec;
use super::model::{IdType, MethodSpec, NamedType, SpecSet, SystemErrors};
use super::validate;
use crate::{Diagnostic, Diagnostics};

/// Loads and validates every spec under `dir` (the `specs/` directory).
pub fn load(dir: &Path) -> Result<SpecSet, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut set = read_shared(dir, &mut diags);
    for file in yaml_files(&dir.join("methods"), &mut diags) {
        if let Some(spec) = parse_file::<MethodSpec>(&file, &mut diags) {
            set.methods.push((file, spec));
        }
    }
    for file in yaml_files(&dir.join("events"), &mut diags) {
        if let Some(spec) = parse_file::<EventSpec>(&file, &mut diags) {
            set.events.push((file, spec));
        }
    }
    validate::check(&set, &mut diags);
    diags.into_result(set)
}

/// Validates a spec set assembled in memory (by the importer) as `load` would.
pub fn validate_set(set: &SpecSet) -> Result<(), Diagnostics> {
    let mut diags = Diagnostics::default();
    validate::check(set, &mut diags);
    diags.into_result(())
}

/// Loads what methods share (named types, entities, system errors) without the methods.
pub fn load_shared(dir: &Path) -> Result<SpecSet, Diagnostics> {
    let mut diags = Diagnostics::default();
    let set = read_shared(dir, &mut diags);
    diags.into_result(set)
}

fn read_shared(dir: &Path, diags: &mut Diagnostics) -> SpecSet {
    let mut set = SpecSet::default();
    for file in yaml_files(&dir.join("types"), diags) {
        if let Some(ty) = parse_file::<NamedType>(&file, diags) {
            let name = ty.name.clone();
            if let Some((first, _)) = set.types.get(&name) {
                diags.push(error(
                    &file,
                    "name",
                    format!("type `{name}` is also defined in {}", first.display()),
                ));
            } else {
                set.types.insert(name, (file, ty));
            }
        }
    }
    let entities = dir.join("entities.yaml");
    if let Some(map) = parse_file::<BTreeMap<String, IdType>>(&entities, diags) {
        set.entities = map;
    }
    let system = dir.join("system-errors.yaml");
    if let Some(errors) = parse_file::<SystemErrors>(&system, diags) {
        set.system_errors = errors;
    }
    set
}

/// A problem at a field path of a file, without a parser location.
pub(super) fn error(
    file: &Path,
    path: impl Into<String>,
    message: impl Into<String>,
) -> Diagnostic {
    Diagnostic {
        file: file.to_owned(),
        location: None,
        path: path.into(),
        message: message.into(),
    }
}

/// Every `*.yaml` file below `dir`, sorted, so runs are deterministic.
fn yaml_files(dir: &Path, diags: &mut Diagnostics) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(current) = pending.pop() {
        let entries = match fs::read_dir(&current) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && current == dir => continue,
            Err(e) => {
                diags.push(error(&current, "", format!("cannot read directory: {e}")));
                continue;
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "yaml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Parses one file; on failure records the parser's message, location and field path.
fn parse_file<T: DeserializeOwned>(file: &Path, diags: &mut Diagnostics) -> Option<T> {
    let text = match fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) => {
            diags.push(error(file, "", format!("cannot read file: {e}")));
            return None;
        }
    };
    match serde_yaml::from_str(&text) {
        Ok(value) => Some(value),
        Err(e) => {
            diags.push(parser_diagnostic(file, &e));
            None
        }
    }
}

/// Splits a YAML error (`params[2].type: unknown type at line 3 column 5`) into its parts.
fn parser_diagnostic(file: &Path, e: &serde_yaml::Error) -> Diagnostic {
    let location = e.location().map(|l| (l.line(), l.column()));
    let text = e.to_string();
    let text = match text.rfind(" at line ") {
        Some(i) if location.is_some() => &text[..i],
        _ => &text[..],
    };
    let (path, message) = match text.split_once(": ") {
        Some((path, message)) if !path.contains(' ') => (path.to_owned(), message.to_owned()),
        _ => (String::new(), text.to_owned()),
    };
    Diagnostic {
        file: file.to_owned(),
        location,
        path,
        message,
    }
}
