//! Hand-written corrections applied on top of imported specs (`specs/overrides/`).
//!
//! One file per method, named after it (`crm.item.add.yaml`, `tasks.task.get.v3.yaml`):
//!
//! ```yaml
//! method: department.get
//! fixes:
//!   - reason: the page types ID as integer; it is a department id
//!     at: params/ID            # field path: params|result|errors, then field names
//!     set: { type: department }
//!   - reason: the docs omit the paging parameter
//!     at: params
//!     add: [{ name: START, type: integer }]
//!   - reason: listed twice on the page
//!     at: params/START
//!     remove: true
//! ```
//!
//! Errors are addressed by code (`errors/ERROR_CORE`, the first with that code).
//! `set` merges keys into the target (a `null` value removes the key); `add` appends
//! fields (or errors) to a list; `remove` deletes the target field; without `at`, `set`
//! changes the method's own keys. A file may instead give the whole spec under `spec:`
//! (for a page the importer cannot read). Every fix names its reason, and a fix that no
//! longer applies (its target is gone) is an error, so a re-import never drops one silently.
//!
//! Events are corrected the same way by `specs/overrides/events/<EVENT>.yaml`, with
//! `event:` instead of `method:` and paths under `data`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_yaml::Value;

use crate::spec::{ApiVersion, EventSpec, MethodSpec, NamedType};
use crate::{Diagnostic, Diagnostics};

/// The overrides of one method.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// The method it corrects.
    pub method: String,
    /// Its API version.
    #[serde(default)]
    pub api: ApiVersion,
    /// Why the whole spec is written by hand, with `spec`.
    #[serde(default)]
    pub reason: Option<String>,
    /// A whole spec replacing the imported one (or standing in for a missing one).
    #[serde(default)]
    pub spec: Option<MethodSpec>,
    /// Corrections applied in order.
    #[serde(default)]
    pub fixes: Vec<Fix>,
}

/// One correction.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fix {
    /// Why the docs are wrong or incomplete here.
    pub reason: String,
    /// Path of the target: empty for the method (or event), else `params`, `result`,
    /// `errors` (`data` for an event) followed by field names separated by `/`.
    #[serde(default)]
    pub at: String,
    /// Keys to merge into the target.
    #[serde(default)]
    pub set: Option<serde_yaml::Mapping>,
    /// Items to append to the target list.
    #[serde(default)]
    pub add: Option<Vec<Value>>,
    /// Remove the target.
    #[serde(default)]
    pub remove: bool,
}

/// Overrides by (method, api), with their files.
pub type Overrides = BTreeMap<(String, ApiVersion), (PathBuf, Override)>;

/// Reads every override file in `dir` (missing directory: none).
pub fn load(dir: &Path, diags: &mut Diagnostics) -> Overrides {
    load_files(dir, diags)
}

/// An override file of one kind: what it corrects, and whether it gives a whole spec
/// (which needs a reason).
trait OverrideFile: DeserializeOwned {
    /// What identifies the corrected spec.
    type Key: Ord;
    /// The key naming the corrected spec in the file (`method`, `event`, `name`).
    const KEY: &'static str;
    /// The corrected spec's identity.
    fn key(&self) -> Self::Key;
    /// Whether the file gives a whole spec without saying why.
    fn whole_without_reason(&self) -> bool;
}

impl OverrideFile for Override {
    type Key = (String, ApiVersion);
    const KEY: &'static str = "method";
    fn key(&self) -> Self::Key {
        (self.method.clone(), self.api)
    }
    fn whole_without_reason(&self) -> bool {
        self.spec.is_some() && self.reason.is_none()
    }
}

impl OverrideFile for EventOverride {
    type Key = String;
    const KEY: &'static str = "event";
    fn key(&self) -> Self::Key {
        self.event.to_ascii_uppercase()
    }
    fn whole_without_reason(&self) -> bool {
        self.spec.is_some() && self.reason.is_none()
    }
}

impl OverrideFile for TypeOverride {
    type Key = String;
    const KEY: &'static str = "name";
    fn key(&self) -> Self::Key {
        self.name.clone()
    }
    fn whole_without_reason(&self) -> bool {
        self.spec.is_some() && self.reason.is_none()
    }
}

/// Reads every override file of one kind in `dir` (missing directory: none), each
/// keyed by what it corrects; a second file for the same spec is an error.
fn load_files<T: OverrideFile>(
    dir: &Path,
    diags: &mut Diagnostics,
) -> BTreeMap<T::Key, (PathBuf, T)> {
    let mut out: BTreeMap<T::Key, (PathBuf, T)> = BTreeMap::new();
    for (file, o) in read_files::<T>(dir, diags) {
        if o.whole_without_reason() {
            diags.push(problem(
                &file,
                "reason",
                "a whole-spec override needs a reason",
            ));
        }
        match out.get(&o.key()) {
            Some((first, _)) => diags.push(problem(
                &file,
                T::KEY,
                format!("also overridden in {}", first.display()),
            )),
            None => {
                out.insert(o.key(), (file, o));
            }
        }
    }
    out
}

/// The overrides of one event (`specs/overrides/events/<EVENT>.yaml`), in the form of a
/// method's: `fixes` address `data` and its field names, or the event's own keys.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventOverride {
    /// The event it corrects, by wire name.
    pub event: String,
    /// Why the whole spec is written by hand, with `spec`.
    #[serde(default)]
    pub reason: Option<String>,
    /// A whole spec replacing the imported one (or standing in for a missing one).
    #[serde(default)]
    pub spec: Option<EventSpec>,
    /// Corrections applied in order.
    #[serde(default)]
    pub fixes: Vec<Fix>,
}

/// Event overrides by upper-case wire name, with their files.
pub type EventOverrides = BTreeMap<String, (PathBuf, EventOverride)>;

/// Reads every event override file in `dir` (missing directory: none).
pub fn load_events(dir: &Path, diags: &mut Diagnostics) -> EventOverrides {
    load_files(dir, diags)
}

/// A shared type written or corrected by hand (`specs/overrides/types/<name>.yaml`), in
/// the form of a method's override: `fixes` address `fields` and its field names, or the
/// type's own keys; `spec` gives the whole type. Its `docs` place, when given, names the
/// type: every link to that place means it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeOverride {
    /// The type it corrects or adds, by name.
    pub name: String,
    /// Why the whole type is written by hand, with `spec`.
    #[serde(default)]
    pub reason: Option<String>,
    /// A whole type replacing the imported one (or standing in for a missing one).
    #[serde(default)]
    pub spec: Option<NamedType>,
    /// Corrections applied in order.
    #[serde(default)]
    pub fixes: Vec<Fix>,
}

/// Type overrides by name, with their files.
pub type TypeOverrides = BTreeMap<String, (PathBuf, TypeOverride)>;

/// Reads every type override file in `dir` (missing directory: none).
pub fn load_types(dir: &Path, diags: &mut Diagnostics) -> TypeOverrides {
    load_files(dir, diags)
}

/// Applies a type override to an imported type (or supplies the type when none was
/// imported).
pub fn apply_type(
    file: &Path,
    o: &TypeOverride,
    imported: Option<NamedType>,
    diags: &mut Diagnostics,
) -> Option<NamedType> {
    let target = ("type", o.name.as_str());
    apply_to(file, target, o.spec.as_ref(), &o.fixes, imported, diags)
}

/// Applies an event override to an imported spec (or supplies the spec when none was
/// imported).
pub fn apply_event(
    file: &Path,
    o: &EventOverride,
    imported: Option<EventSpec>,
    diags: &mut Diagnostics,
) -> Option<EventSpec> {
    let target = ("event", o.event.as_str());
    apply_to(file, target, o.spec.as_ref(), &o.fixes, imported, diags)
}

/// Every `*.yaml` file directly in `dir`, parsed, in file order.
fn read_files<T: DeserializeOwned>(dir: &Path, diags: &mut Diagnostics) -> Vec<(PathBuf, T)> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let parsed = fs::read_to_string(&file)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_yaml::from_str::<T>(&t).map_err(|e| e.to_string()));
        match parsed {
            Ok(o) => out.push((file, o)),
            Err(e) => diags.push(problem(&file, "", e)),
        }
    }
    out
}

/// Applies an override to an imported spec (or supplies the spec when none was imported).
pub fn apply(
    file: &Path,
    o: &Override,
    imported: Option<MethodSpec>,
    diags: &mut Diagnostics,
) -> Option<MethodSpec> {
    let target = ("method", o.method.as_str());
    apply_to(file, target, o.spec.as_ref(), &o.fixes, imported, diags)
}

/// Applies `fixes` to the override's whole `spec` if it gives one, else to the imported
/// spec; without either, `target` (`("method", "crm.deal.add")`) names what is missing.
fn apply_to<T: Clone + Serialize + DeserializeOwned>(
    file: &Path,
    (kind, name): (&str, &str),
    whole: Option<&T>,
    fixes: &[Fix],
    imported: Option<T>,
    diags: &mut Diagnostics,
) -> Option<T> {
    let base = match (whole, imported) {
        (Some(spec), _) => spec.clone(),
        (None, Some(spec)) => spec,
        (None, None) => {
            diags.push(problem(
                file,
                kind,
                format!("no page documents `{name}`; give the whole spec under `spec:`"),
            ));
            return None;
        }
    };
    apply_fixes(file, fixes, &base, diags)
}

/// Applies `fixes` in order to a spec through its YAML form.
fn apply_fixes<T: Serialize + DeserializeOwned>(
    file: &Path,
    fixes: &[Fix],
    base: &T,
    diags: &mut Diagnostics,
) -> Option<T> {
    let mut value = match serde_yaml::to_value(base) {
        Ok(v) => v,
        Err(e) => {
            diags.push(problem(file, "", e.to_string()));
            return None;
        }
    };
    for (i, fix) in fixes.iter().enumerate() {
        if let Err(message) = apply_fix(&mut value, fix) {
            diags.push(problem(file, format!("fixes[{i}]"), message));
        }
    }
    match serde_yaml::from_value::<T>(value) {
        Ok(spec) => Some(spec),
        Err(e) => {
            diags.push(problem(
                file,
                "fixes",
                format!("the corrected spec is invalid: {e}"),
            ));
            None
        }
    }
}

fn apply_fix(root: &mut Value, fix: &Fix) -> Result<(), String> {
    let segments: Vec<&str> = fix.at.split('/').filter(|s| !s.is_empty()).collect();
    if fix.remove {
        let (last, parent) = segments.split_last().ok_or("`remove` needs `at`")?;
        let list = field_list(navigate(root, parent)?)
            .ok_or_else(|| format!("`{}` holds no fields", parent.join("/")))?;
        let before = list.len();
        list.retain(|item| item_key(item) != Some(last));
        if list.len() == before {
            return Err(format!("no field `{last}` at `{}`", fix.at));
        }
        return Ok(());
    }
    let target = navigate(root, &segments)?;
    if let Some(set) = &fix.set {
        let map = target
            .as_mapping_mut()
            .ok_or_else(|| format!("`{}` is not a mapping", fix.at))?;
        for (k, v) in set {
            if v.is_null() {
                map.remove(k);
            } else {
                map.insert(k.clone(), v.clone());
            }
        }
    }
    if let Some(items) = &fix.add {
        let list = match target {
            Value::Sequence(seq) => seq,
            other => {
                let map = other
                    .as_mapping_mut()
                    .ok_or_else(|| format!("cannot add to `{}`", fix.at))?;
                map.entry(Value::from("fields"))
                    .or_insert_with(|| Value::Sequence(Vec::new()))
                    .as_sequence_mut()
                    .ok_or_else(|| format!("`{}/fields` is not a list", fix.at))?
            }
        };
        for item in items {
            let name = item.get("name");
            if name.is_some() && list.iter().any(|x| x.get("name") == name) {
                return Err(format!("`{}` already has a field {:?}", fix.at, name));
            }
            list.push(item.clone());
        }
    }
    Ok(())
}

/// The value at a path: mapping keys first (`params`, `result`), then field names.
fn navigate<'v>(root: &'v mut Value, segments: &[&str]) -> Result<&'v mut Value, String> {
    let mut current = root;
    for (depth, seg) in segments.iter().enumerate() {
        let here = segments[..depth].join("/");
        let is_key = current.as_mapping().is_some_and(|m| m.contains_key(*seg))
            && (depth == 0 || !matches!(*seg, "type" | "name"));
        current = if is_key {
            current.get_mut(*seg).expect("checked")
        } else if depth == 0 && matches!(*seg, "params" | "errors" | "data") {
            // An empty list is left out of the spec; create it to add to it.
            let map = current
                .as_mapping_mut()
                .ok_or("the spec is not a mapping")?;
            map.entry(Value::from(*seg))
                .or_insert_with(|| Value::Sequence(Vec::new()))
        } else {
            let list = field_list(current).ok_or_else(|| format!("`{here}` holds no fields"))?;
            list.iter_mut()
                .find(|item| item_key(item) == Some(seg))
                .ok_or_else(|| format!("no field `{seg}` at `{here}`"))?
        };
    }
    Ok(current)
}

/// What names a list item in a path: a field's `name`, an error's `code`.
fn item_key(item: &Value) -> Option<&str> {
    item.get("name")
        .or_else(|| item.get("code"))
        .and_then(Value::as_str)
}

/// The list of fields a value holds: itself, or its `fields` key.
fn field_list(value: &mut Value) -> Option<&mut Vec<Value>> {
    if value.is_sequence() {
        return value.as_sequence_mut();
    }
    value.get_mut("fields").and_then(Value::as_sequence_mut)
}

fn problem(file: &Path, path: impl Into<String>, message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        file: file.to_owned(),
        location: None,
        path: path.into(),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> MethodSpec {
        serde_yaml::from_str(
            "method: a.b\nscopes: [a]\ndocs: x.md\nbatch: true\nsafe_to_repeat: true\nparams:\n  - name: fields\n    type: object\n    fields:\n      - name: ID\n        type: integer\nresult:\n  type: boolean\n",
        )
        .unwrap()
    }

    fn apply_yaml(fixes: &str) -> (Option<MethodSpec>, Diagnostics) {
        let o: Override = serde_yaml::from_str(&format!("method: a.b\nfixes:\n{fixes}")).unwrap();
        let mut diags = Diagnostics::default();
        let out = apply(Path::new("o.yaml"), &o, Some(spec()), &mut diags);
        (out, diags)
    }

    #[test]
    fn set_add_and_remove_reach_nested_fields() {
        let (out, diags) = apply_yaml(
            "  - {reason: r, at: params/fields/ID, set: {type: user, required: true}}\n  - {reason: r, at: params/fields, add: [{name: NAME, type: string}]}\n  - {reason: r, at: params, add: [{name: START, type: integer}]}\n  - {reason: r, at: params/START, remove: true}\n  - {reason: r, set: {batch: false}}\n",
        );
        assert_eq!(diags, Diagnostics::default());
        let out = out.unwrap();
        let fields = out.params[0].fields.as_ref().unwrap();
        assert_eq!(fields[0].ty.to_string(), "user");
        assert!(fields[0].required);
        assert_eq!(fields[1].name, "NAME");
        assert_eq!(out.params.len(), 1);
        assert!(!out.batch);
    }

    #[test]
    fn a_fix_whose_target_is_gone_is_an_error() {
        let (_, diags) = apply_yaml("  - {reason: r, at: params/fields/GONE, set: {type: user}}\n");
        let text = diags.to_string();
        assert!(
            text.contains("o.yaml: fixes[0]: no field `GONE` at `params/fields`"),
            "{text}"
        );
    }
}
