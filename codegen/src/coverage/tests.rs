use std::path::PathBuf;

use serde_json::json;

use super::*;
use crate::spec::{MethodSpec, NamedType, SpecSet};

/// `x.get`, whose result exercises every kind of type the walker reads.
const METHOD: &str = r#"
method: x.get
scopes: [x]
docs: x.md
batch: true
safe_to_repeat: true
result:
  type: object
  fields:
    - { name: ID, type: integer, aliases: [id] }
    - { name: NAME, type: string }
    - { name: FLAG, type: boolean }
    - { name: STATUS, type: string, values: [NEW, DONE] }
    - { name: DATA, type: any }
    - { name: LABEL, type: "string | map<string>" }
    - { name: CODE, type: "integer | double" }
    - { name: BY_USER, type: "map<integer>" }
    - { name: OWNER, type: user_fields }
    - name: ITEMS
      type: object[]
      fields:
        - { name: A, type: integer }
    - { name: UF_*, type: any }
"#;

const NAMED: &str = r#"
name: user_fields
fields:
  - { name: ID, type: user }
"#;

const LIST: &str = r#"
method: x.list
scopes: [x]
docs: x.md
batch: true
safe_to_repeat: true
result:
  type: integer[]
"#;

/// `x.delete`, whose result is always `null`.
const DELETE: &str = r#"
method: x.delete
scopes: [x]
docs: x.md
batch: true
safe_to_repeat: true
result:
  type: "null"
"#;

fn krate() -> Crate {
    let method = |yaml: &str| -> (PathBuf, MethodSpec) {
        (PathBuf::from("x.yaml"), serde_yaml::from_str(yaml).unwrap())
    };
    let named: NamedType = serde_yaml::from_str(NAMED).unwrap();
    let set = SpecSet {
        methods: vec![method(METHOD), method(LIST), method(DELETE)],
        types: [(named.name.clone(), (PathBuf::from("t.yaml"), named))].into(),
        entities: [("user".to_owned(), crate::spec::IdType::Integer)].into(),
        ..SpecSet::default()
    };
    crate::ir::build(&set).unwrap()
}

fn read(result: Value) -> Reading {
    Walker::new(&krate())
        .read("x.get", ApiVersion::V2, &result)
        .unwrap()
}

fn fate(reading: &Reading, path: &str) -> Fate {
    let key = reading.keys.iter().find(|k| k.at.path == path);
    key.unwrap_or_else(|| panic!("no key {path}")).fate
}

#[test]
fn keys_are_typed_wildcard_catch_all_or_dropped() {
    let reading = read(json!({
        "id": "5",
        "UF_CRM_1": 1,
        "OTHER": 2,
        "ITEMS": [{"A": 1, "B": 2}, {"A": 3}],
    }));
    assert_eq!(reading.decodes, Ok(()));
    assert_eq!(
        fate(&reading, "result.id"),
        Fate::Typed,
        "an alias is typed"
    );
    assert_eq!(fate(&reading, "result.UF_CRM_1"), Fate::Wildcard);
    assert_eq!(fate(&reading, "result.OTHER"), Fate::CatchAll);
    assert_eq!(fate(&reading, "result.ITEMS[].B"), Fate::Dropped);
    assert!(!reading.keeps_every_key());
    assert_eq!(reading.keys_with(Fate::Dropped).len(), 1);
    let kept = read(json!({"ID": 5, "UF_X": {"a": 1}, "ITEMS": [{"A": 1}]}));
    assert!(kept.keeps_every_key());
}

#[test]
fn only_scalars_a_type_reads_are_checked() {
    let reading = read(json!({
        "ID": 1,
        "NAME": "n",
        "FLAG": "Y",
        "STATUS": "ODD",
        "DATA": {"x": 1},
        "LABEL": "l",
        "CODE": "2.5",
        "BY_USER": {"7": "3"},
        "OWNER": {"ID": "9"},
        "ITEMS": {"0": {"A": 1}},
        "UF_X": 1,
        "OTHER": "o",
        "NONE": null,
    }));
    assert_eq!(reading.decodes, Ok(()));
    let fields = reading.fields();
    let checked: Vec<&str> = fields.iter().filter(|f| *f.1).map(|f| *f.0).collect();
    let unchecked: Vec<&str> = fields.iter().filter(|f| !*f.1).map(|f| *f.0).collect();
    assert_eq!(
        checked,
        [
            "result.BY_USER.7",
            "result.CODE",
            "result.FLAG",
            "result.ID",
            "result.ITEMS.0.A",
            "result.NAME",
            "result.OWNER.ID",
            "result.STATUS",
        ]
    );
    // `LABEL` may also be a map, which reads an object: replacing it with one is not
    // noticed. JSON, wildcard and catch-all values are read by no type.
    assert_eq!(
        unchecked,
        [
            "result.DATA.x",
            "result.LABEL",
            "result.OTHER",
            "result.UF_X"
        ]
    );
}

#[test]
fn a_checked_scalar_is_one_whose_mutation_fails_to_decode() {
    let result = json!({
        "ID": 1, "LABEL": "l", "CODE": 2, "DATA": [1], "OWNER": {"ID": 2},
        "ITEMS": [{"A": 1, "B": 2}], "BY_USER": [1, 2], "Z": true,
    });
    let walker_crate = krate();
    let walker = Walker::new(&walker_crate);
    let reading = walker.read("x.get", ApiVersion::V2, &result).unwrap();
    assert_eq!(reading.decodes, Ok(()));
    assert!(reading.scalars.len() >= 8);
    for scalar in &reading.scalars {
        let mut mutated = result.clone();
        *mutated.pointer_mut(&scalar.at.pointer).unwrap() = mutation();
        let rejected = walker
            .read("x.get", ApiVersion::V2, &mutated)
            .unwrap()
            .decodes
            .is_err();
        assert_eq!(rejected, scalar.checked, "{}", scalar.at.path);
    }
}

#[test]
fn decoding_follows_the_wire_adapters() {
    let ok = [
        json!({"ID": "42", "FLAG": 1, "CODE": "1.5", "OWNER": [], "ITEMS": null}),
        json!({"ID": 4.0, "FLAG": "", "NAME": 5, "BY_USER": false, "OWNER": false}),
        json!([]),
        json!(null),
        json!({"ID": null, "STATUS": null, "LABEL": {"en": "x"}}),
    ];
    for value in ok {
        assert_eq!(read(value.clone()).decodes, Ok(()), "{value}");
    }
    let rejected = [
        (json!({"ID": "abc"}), "result.ID"),
        (json!({"ID": 4.5}), "result.ID"),
        (json!({"FLAG": "maybe"}), "result.FLAG"),
        (json!({"FLAG": 2}), "result.FLAG"),
        (json!({"OWNER": [1]}), "result.OWNER"),
        (json!({"OWNER": "x"}), "result.OWNER"),
        (json!({"ITEMS": true}), "result.ITEMS"),
        (json!({"ITEMS": [{"A": {}}]}), "result.ITEMS[].A"),
        (json!({"CODE": "x"}), "result.CODE"),
        (json!({"BY_USER": {"1": ""}}), "result.BY_USER.1"),
        (json!({"ID": 1, "id": 2}), "result.id"),
        (json!("text"), "result"),
    ];
    for (value, at) in rejected {
        let reason = read(value.clone()).decodes.unwrap_err();
        assert!(reason.contains(&format!("`{at}`")), "{value}: {reason}");
    }
    let walker_crate = krate();
    let walker = Walker::new(&walker_crate);
    let list = |v: Value| walker.read("x.list", ApiVersion::V2, &v).unwrap().decodes;
    assert_eq!(
        list(json!({"a": "1", "b": 2})),
        Ok(()),
        "an object as a list"
    );
    assert!(list(json!([1, null])).is_err(), "a list item is required");
    assert!(walker.read("x.none", ApiVersion::V2, &json!(1)).is_none());
}

#[test]
fn an_object_of_which_no_key_is_recognised_is_a_shape_failure() {
    let items = read(json!({"items": [{"ID": 1}]}));
    assert_eq!(items.decodes, Ok(()), "serde alone lets it pass");
    assert_eq!(items.shape, ["result"]);
    assert!(!items.passes());
    let by_id = read(json!({"OWNER": {"17": {"ID": 1}}}));
    assert_eq!(by_id.shape, ["result.OWNER"]);
    let wildcard = read(json!({"UF_A": 1}));
    assert!(
        wildcard.shape.is_empty(),
        "a declared wildcard is recognised"
    );
    assert!(read(json!({})).shape.is_empty());
}

#[test]
fn totals_count_distinct_fields_with_list_items_collapsed() {
    let walker_crate = krate();
    let walker = Walker::new(&walker_crate);
    let example = |method: &str, result: Value| {
        let reading = walker.read(method, ApiVersion::V2, &result).unwrap();
        Example {
            method: method.to_owned(),
            api: ApiVersion::V2,
            result: Some(result),
            // The list's type comes from its own example: its checks are counted apart.
            typed_by_example: method == "x.list",
            reading,
        }
    };
    let report = Report {
        examples: vec![
            example(
                "x.get",
                json!({"ITEMS": [{"A": 1}, {"A": 2}], "DATA": [1, 2], "ID": 1}),
            ),
            example("x.list", json!([1, 2, 3])),
            example("x.get", json!({"other": 1})),
        ],
    };
    assert_eq!(
        report.totals(),
        Totals {
            replies: 3,
            decoding: 2,
            keeping: 2,
            shape_failures: 1,
            // result.ITEMS[].A, result.DATA[], result.ID; result[]; result.other
            fields: 5,
            checked: 3,
            checked_by_own_example: 1,
        }
    );
    let line = report.examples[2].to_string();
    assert_eq!(
        line,
        "x.get: decodes; shape: no key recognised at result; keys 0 of 1 kept; \
         catch-all only: result.other; fields 0 of 1 checked; unchecked: result.other"
    );
}

#[test]
fn replies_without_a_result_are_errors() {
    assert_eq!(reply_result("not json"), None);
    assert!(reply_result(r#"{"error": "x"}"#).unwrap().is_err());
    assert_eq!(
        reply_result(r#"{"result": [1], "time": {}}"#),
        Some(Ok(json!([1])))
    );
}

#[test]
fn a_null_result_reads_null_and_nothing_else() {
    let krate = krate();
    let walker = Walker::new(&krate);
    let read = |value: Value| walker.read("x.delete", ApiVersion::V2, &value).unwrap();
    assert!(read(Value::Null).passes());
    let reading = read(json!({"ID": 1}));
    assert!(!reading.passes(), "an object is not `null`");
    assert!(!read(json!(true)).passes());
}
