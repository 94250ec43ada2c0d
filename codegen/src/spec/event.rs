//! Inbound event specs (`specs/events/<scope>/<EVENT>.yaml`) and their checks.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::load::error;
use super::model::{ResultSpec, SpecSet, is_false};
use super::validate::{Position, check_docs_path, check_field, check_scopes};
use crate::Diagnostics;

/// One event Bitrix24 posts to a handler: its name, scopes and the fields of its `data`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EventSpec {
    /// Wire name in upper case, as the `event` member carries it (`ONCRMLEADADD`).
    pub event: String,
    /// The docs' mixed-case spelling (`onCrmLeadAdd`), which names the Rust type; the
    /// same letters as `event`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spelling: Option<String>,
    /// Scopes, one of which an application needs to bind the event.
    pub scopes: Vec<String>,
    /// Path of the documentation page inside the docs repository.
    pub docs: String,
    /// Documented as deprecated.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deprecated: bool,
    /// Shape of the `data` member (`paged` does not apply); absent when the docs do not
    /// describe it, so it is read as any JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<ResultSpec>,
}

impl EventSpec {
    /// The name that becomes the Rust type: the spelling, else the wire name.
    pub fn type_source(&self) -> &str {
        self.spelling.as_deref().unwrap_or(&self.event)
    }
}

/// Records every problem of the event specs of `set` in `diags`.
pub(super) fn check(set: &SpecSet, diags: &mut Diagnostics) {
    // Deliveries name events in any case, so two events may not differ only in case.
    let mut seen: BTreeMap<String, &Path> = BTreeMap::new();
    for (file, spec) in &set.events {
        if !is_event_name(&spec.event) {
            diags.push(error(
                file,
                "event",
                format!(
                    "`{}` is not an event name (upper-case letters, digits, `_` and `.`)",
                    spec.event
                ),
            ));
        }
        let expected = format!("{}.yaml", spec.event);
        if file
            .file_name()
            .is_some_and(|n| n.to_string_lossy() != expected)
        {
            diags.push(error(
                file,
                "event",
                format!("the file for `{}` must be named `{expected}`", spec.event),
            ));
        }
        if let Some(first) = seen.insert(spec.event.to_ascii_uppercase(), file) {
            diags.push(error(
                file,
                "event",
                format!(
                    "duplicate event `{}`, also in {}",
                    spec.event,
                    first.display()
                ),
            ));
        }
        if let Some(spelling) = &spec.spelling
            && !spelling.eq_ignore_ascii_case(&spec.event)
        {
            diags.push(error(
                file,
                "spelling",
                format!(
                    "`{spelling}` does not spell `{}` (only the letter case may differ)",
                    spec.event
                ),
            ));
        }
        check_scopes(file, &spec.scopes, diags);
        check_docs_path(file, "docs", &spec.docs, diags);
        if let Some(data) = &spec.data {
            let field = data.as_field();
            check_field(set, file, "data", &field, Position::Result, diags);
            if data.paged {
                diags.push(error(file, "data.paged", "event data is never paged"));
            }
        }
    }
}

fn is_event_name(name: &str) -> bool {
    !name.is_empty()
        && name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '.')
        && !name.split('.').any(str::is_empty)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn spec(yaml: &str) -> EventSpec {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn every_problem_names_file_and_field() {
        let good = "event: ONCRMLEADADD\nspelling: onCrmLeadAdd\nscopes: [crm]\ndocs: a/b.md\ndata:\n  type: object\n  fields:\n    - name: FIELDS\n      type: object\n      fields:\n        - name: ID\n          type: integer\n";
        let bad = "event: onX..Y\nspelling: onZ\nscopes: [full]\ndocs: /abs.md\ndata:\n  type: object\n  paged: true\n  fields:\n    - name: ID\n      type: strng\n      required: true\n";
        let set = SpecSet {
            events: vec![
                (PathBuf::from("e/crm/ONCRMLEADADD.yaml"), spec(good)),
                (PathBuf::from("e/crm/oncrmleadadd.yaml"), spec(good)),
                (PathBuf::from("e/x/X.yaml"), spec(bad)),
            ],
            ..SpecSet::default()
        };
        let mut diags = Diagnostics::default();
        check(&set, &mut diags);
        let text = diags.to_string();
        for expected in [
            "e/crm/oncrmleadadd.yaml: event: the file for `ONCRMLEADADD` must be named `ONCRMLEADADD.yaml`",
            "e/crm/oncrmleadadd.yaml: event: duplicate event `ONCRMLEADADD`, also in e/crm/ONCRMLEADADD.yaml",
            "e/x/X.yaml: event: `onX..Y` is not an event name",
            "e/x/X.yaml: spelling: `onZ` does not spell `onX..Y`",
            "e/x/X.yaml: scopes[0]: `full` is a reserved feature name",
            "e/x/X.yaml: docs: `/abs.md` is not a relative `.md` path",
            "e/x/X.yaml: data.fields[0].type: unknown type 'strng'",
            "e/x/X.yaml: data.fields[0].required: result fields are never required",
            "e/x/X.yaml: data.paged: event data is never paged",
        ] {
            assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
        }
        // One more: `X.yaml` is not named after its (invalid) event either.
        let errors = text.lines().filter(|l| l.starts_with("error: ")).count();
        assert_eq!(errors, 10, "{text}");
    }
}
