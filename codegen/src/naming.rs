//! The one place that turns wire names into Rust identifiers.
//!
//! Every identifier the generator emits goes through [`ident`]: it recases with `heck`,
//! drops characters Rust does not allow, prefixes names that start with a digit and
//! suffixes keywords. Wire names are kept separately and emitted through
//! `#[serde(rename)]`.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// The kind of identifier, which decides its case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Types and enum variants: `UpperCamelCase`.
    Type,
    /// Fields, setters and modules: `snake_case`.
    Snake,
}

/// Words Rust reserves; an identifier equal to one gets a trailing `_`.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// The Rust identifier for `raw` in the given case.
///
/// `entityTypeId` → `entity_type_id`, `crm_multifield` → `CrmMultifield`, `type` → `type_`,
/// `100` → `V100` / `v100`, `~DESCRIPTION` → `raw_description`, and a name with no usable
/// character → `Value` / `value`.
pub fn ident(raw: &str, case: Case) -> String {
    // A leading `~` marks the portal's unescaped copy of a field: `~DESCRIPTION` is
    // `raw_description`.
    let raw = match raw.strip_prefix('~') {
        Some(field) => format!("raw {field}"),
        None => raw.to_owned(),
    };
    // Treat every non-alphanumeric character as a word break.
    let words: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let mut out = match case {
        Case::Type => words.to_upper_camel_case(),
        Case::Snake => words.to_snake_case(),
    };
    if out.is_empty() {
        out = "value".to_owned();
        if case == Case::Type {
            out = "Value".to_owned();
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, if case == Case::Type { 'V' } else { 'v' });
    }
    if KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// Makes `names` unique in order, suffixing repeats with `2`, `3`, … (`_2` in snake case).
pub fn unique(names: impl IntoIterator<Item = String>, case: Case) -> Vec<String> {
    let mut taken = std::collections::BTreeSet::new();
    names
        .into_iter()
        .map(|name| {
            let mut candidate = name.clone();
            let mut n = 2;
            while !taken.insert(candidate.clone()) {
                candidate = match case {
                    Case::Type => format!("{name}{n}"),
                    Case::Snake => format!("{name}_{n}"),
                };
                n += 1;
            }
            candidate
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recases_wire_names() {
        assert_eq!(ident("entityTypeId", Case::Snake), "entity_type_id");
        assert_eq!(ident("UF_CRM_TASK", Case::Snake), "uf_crm_task");
        assert_eq!(ident("~DESCRIPTION", Case::Snake), "raw_description");
        assert_eq!(
            ident("ufCrm_1721244707107", Case::Snake),
            "uf_crm_1721244707107"
        );
        assert_eq!(ident("crm_multifield", Case::Type), "CrmMultifield");
        assert_eq!(ident("ACCESS_DENIED", Case::Type), "AccessDenied");
        assert_eq!(
            ident("getAvailableForPayment", Case::Type),
            "GetAvailableForPayment"
        );
    }

    #[test]
    fn keywords_digits_and_empty_names_become_valid_identifiers() {
        assert_eq!(ident("type", Case::Snake), "type_");
        assert_eq!(ident("self", Case::Snake), "self_");
        assert_eq!(ident("100", Case::Type), "V100");
        assert_eq!(ident("1c", Case::Snake), "v1c");
        assert_eq!(ident("*", Case::Type), "Value");
        assert_eq!(ident("", Case::Snake), "value");
        for raw in ["type", "100", "a-b.c", "Ünïcode", "$result", "Self"] {
            for case in [Case::Type, Case::Snake] {
                let id = ident(raw, case);
                assert!(syn::parse_str::<syn::Ident>(&id).is_ok(), "{raw} -> {id}");
            }
        }
    }

    #[test]
    fn repeats_get_numbered_suffixes() {
        let names = ["AccessDenied", "AccessDenied", "Other"].map(String::from);
        assert_eq!(
            unique(names, Case::Type),
            ["AccessDenied", "AccessDenied2", "Other"]
        );
    }
}
