use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::*;

#[derive(Debug, Default, PartialEq, Serialize, Object)]
struct Inner {
    #[serde(default, with = "As::<Int>", skip_serializing_if = "Option::is_none")]
    id: Option<i64>,
}

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct Reply {
    #[serde(default, with = "As::<Int>")]
    int: Option<i64>,
    #[serde(default, with = "As::<Float>")]
    float: Option<f64>,
    #[serde(default, with = "As::<Text>")]
    text: Option<String>,
    #[serde(default, with = "As::<YesNo>")]
    flag: Option<bool>,
    #[serde(default)]
    inner: Option<Inner>,
    #[serde(default)]
    required_inner: Inner,
    #[serde(default, with = "As::<List<Same>>")]
    inners: Vec<Inner>,
    #[serde(default, with = "As::<List<Int>>")]
    ids: Option<Vec<i64>>,
    #[serde(default, with = "As::<Map<Text>>")]
    options: Option<BTreeMap<String, String>>,
}

fn read(value: serde_json::Value) -> Reply {
    serde_json::from_value(value).expect("lenient read")
}

#[test]
fn numbers_sent_as_strings_are_read() {
    let r = read(json!({"int": "42", "float": "1.5", "ids": ["1", 2, "3"]}));
    assert_eq!(r.int, Some(42));
    assert_eq!(r.float, Some(1.5));
    assert_eq!(r.ids, Some(vec![1, 2, 3]));
}

#[test]
fn empty_string_and_null_are_absent_for_numbers_but_not_text() {
    let r = read(json!({"int": "", "float": null, "text": ""}));
    assert_eq!(r.int, None);
    assert_eq!(r.float, None);
    assert_eq!(r.text, Some(String::new()));
}

#[test]
fn every_boolean_form_is_read_and_yes_no_is_written() {
    for (wire, expected) in [
        (json!("Y"), true),
        (json!("N"), false),
        (json!(1), true),
        (json!("0"), false),
        (json!(true), true),
        (json!("false"), false),
    ] {
        assert_eq!(read(json!({ "flag": wire })).flag, Some(expected), "{wire}");
    }
    let written = serde_json::to_value(Reply {
        flag: Some(true),
        ..Reply::default()
    })
    .unwrap();
    assert_eq!(written["flag"], json!("Y"));
}

#[test]
fn php_empty_array_stands_for_an_empty_object_or_map() {
    let r = read(
        json!({"inner": [], "required_inner": [], "options": [], "inners": [[], {"id": "7"}]}),
    );
    assert_eq!(r.inner, Some(Inner::default()));
    assert_eq!(r.inners, vec![Inner::default(), Inner { id: Some(7) }]);
    assert_eq!(r.required_inner, Inner::default());
    assert_eq!(r.options, Some(BTreeMap::new()));
}

#[test]
fn php_keyed_array_is_read_as_a_list() {
    let r = read(json!({"ids": {"0": 5, "1": "6"}}));
    assert_eq!(r.ids, Some(vec![5, 6]));
}

#[test]
fn unknown_fields_are_ignored_and_missing_fields_are_none() {
    let r = read(json!({"surprise": {"deep": [1, 2]}}));
    assert_eq!(r, Reply::default());
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    for bad in [
        json!({"int": "abc"}),
        json!({"flag": "maybe"}),
        json!({"inner": [1]}),
        json!({"int": 1.5}),
    ] {
        assert!(
            serde_json::from_value::<Reply>(bad.clone()).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn zero_one_and_true_false_write_their_forms() {
    #[derive(Serialize)]
    struct Flags {
        #[serde(with = "As::<ZeroOne>")]
        a: bool,
        #[serde(with = "As::<TrueFalse>")]
        b: bool,
    }
    let written = serde_json::to_value(Flags { a: true, b: false }).unwrap();
    assert_eq!(written, json!({"a": 1, "b": false}));
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Label {
    #[serde(default, with = "As::<OneOf<(Text, Map<Text>)>>")]
    label: Option<OneOf2<String, BTreeMap<String, String>>>,
    #[serde(with = "As::<List<OneOf<(YesNo, Int, Text)>>>")]
    flags: Vec<OneOf3<bool, i64, String>>,
}

#[test]
fn unions_read_the_first_member_that_fits_and_write_each_in_its_form() {
    let label: Label = serde_json::from_value(json!({
        "label": {"en": "Name", "de": 5},
        "flags": ["Y", "7", "x"]
    }))
    .expect("union read");
    let map = BTreeMap::from([
        ("de".to_owned(), "5".to_owned()),
        ("en".to_owned(), "Name".to_owned()),
    ]);
    assert_eq!(label.label, Some(OneOf2::Second(map)));
    assert_eq!(
        label.flags,
        [
            OneOf3::First(true),
            OneOf3::Second(7),
            OneOf3::Third("x".to_owned())
        ]
    );
    assert_eq!(
        serde_json::to_value(&label).unwrap(),
        json!({"label": {"de": "5", "en": "Name"}, "flags": ["Y", 7, "x"]})
    );
    let text: Label = serde_json::from_value(json!({"label": "Name", "flags": []})).unwrap();
    assert_eq!(text.label, Some(OneOf2::First("Name".to_owned())));
    let none: Label = serde_json::from_value(json!({"label": null, "flags": []})).unwrap();
    assert_eq!(none.label, None);
    let err = serde_json::from_value::<Label>(json!({"flags": [[1]]})).unwrap_err();
    assert!(err.to_string().contains("one of three types"), "{err}");
}
