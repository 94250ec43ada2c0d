//! The documentation's own examples read into the generated types.
//!
//! For every method in `specs/` whose page shows a reply that parses as JSON, the reply's
//! `result` must decode into the method's response type. For every page whose examples
//! send parameters (the cURL JSON body, or what the JS and PHP calls pass, as the importer
//! reads them), reading them as the request type and writing them back must give
//! the same parameters, up to the spellings the API reads alike (`"5"` and `5`, `"Y"` and
//! `true`, a missing member and `null`, a list and an object keyed `"0"`, `"1"`, … (PHP
//! reads both as one array), a key and the alias the spec lists for it: `ID` for `id`).
//! Examples with values the importer left out (code, unquoted placeholders) are not
//! parseable bodies and are not round-tripped.
//!
//! The examples are read from the docs checkout at test time (`$BITRIX24_DOCS`, else
//! `../shared/b24restdocs`); without one the test says it was skipped. The pass rates are
//! printed with every failure and its reason. Replies and request bodies must each pass
//! at 95% or more (on the docs snapshot 5988ed13: replies 97.3% of 1,468, requests 95.3%
//! of 1,584). What still fails is the docs contradicting themselves: examples sending
//! keys the tables do not list (`start` to lists whose replies are not paged,
//! `additionalInfo`), other names than the table for positional legacy methods
//! (`task.item.*`), or other shapes (`landing.demos.*`), and objects whose kinds the
//! docs describe only in prose (configurable activity content blocks).

use std::collections::HashMap;

use bitrix24::registry::{self, Entry};
use bitrix24_codegen::import::{self, ImportedMethod};
use bitrix24_codegen::spec;
use serde_json::Value;

/// The lowest pass rate of the replies: the target.
const REPLY_TARGET: f64 = 0.95;
/// The lowest pass rate of the request round trips: the target.
const REQUEST_TARGET: f64 = 0.95;

/// Passes and failures (method, reason) of one check.
#[derive(Default)]
struct Tally {
    passed: usize,
    failed: Vec<(String, String)>,
}

impl Tally {
    fn record(&mut self, method: &str, outcome: Result<(), String>) {
        match outcome {
            Ok(()) => self.passed += 1,
            Err(reason) => self.failed.push((method.to_owned(), reason)),
        }
    }

    fn rate(&self) -> f64 {
        let total = self.passed + self.failed.len();
        if total == 0 {
            1.0
        } else {
            self.passed as f64 / total as f64
        }
    }

    fn report(&self, what: &str) {
        for (method, reason) in &self.failed {
            println!("{what} failed: {method}: {reason}");
        }
        println!(
            "{what}: {} of {} pass ({:.1}%)",
            self.passed,
            self.passed + self.failed.len(),
            self.rate() * 100.0
        );
    }
}

fn runtime_api(api: spec::ApiVersion) -> bitrix24::ApiVersion {
    match api {
        spec::ApiVersion::V2 => bitrix24::ApiVersion::V2,
        spec::ApiVersion::V3 => bitrix24::ApiVersion::V3,
    }
}

/// The reply example's `result`, when the example is JSON with one.
fn reply_result(example: &str) -> Option<Result<Value, String>> {
    let reply: Value = serde_json::from_str(example).ok()?;
    Some(match reply {
        Value::Object(mut members) => members
            .remove("result")
            .ok_or_else(|| "the example reply has no `result` member".to_owned()),
        _ => Err("the example reply is not a JSON object".to_owned()),
    })
}

fn decode_reply(entry: &Entry, result: Result<Value, String>) -> Result<(), String> {
    (entry.decode_result)(result?).map_err(|e| e.to_string())
}

fn round_trip(entry: &Entry, params: &Value, fields: &[spec::Field]) -> Result<(), String> {
    let written = (entry.round_trip_params)(params.clone()).map_err(|e| e.to_string())?;
    match difference(&canonical(params, fields), &written, "") {
        None => Ok(()),
        Some(diff) => Err(format!("written back differently: {diff}")),
    }
}

/// The request with each key that a field lists as an alias (a spelling the API reads
/// alike) spelled as the field is named, which is how it is written back.
fn canonical(params: &Value, fields: &[spec::Field]) -> Value {
    match params {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(key, value)| {
                    match fields
                        .iter()
                        .find(|f| f.name == *key || f.aliases.contains(key))
                    {
                        Some(f) => (
                            f.name.clone(),
                            canonical(value, f.fields.as_deref().unwrap_or_default()),
                        ),
                        None => (key.clone(), value.clone()),
                    }
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| canonical(v, fields)).collect()),
        other => other.clone(),
    }
}

/// Where two JSON values differ beyond the spellings the API reads alike, if they do.
fn difference(sent: &Value, written: &Value, at: &str) -> Option<String> {
    use Value::{Array, Null, Object};
    match (sent, written) {
        (Object(a), Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            keys.into_iter().find_map(|k| {
                let (x, y) = (a.get(k).unwrap_or(&Null), b.get(k).unwrap_or(&Null));
                difference(x, y, &format!("{at}/{k}"))
            })
        }
        (Array(a), Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (x, y))| difference(x, y, &format!("{at}/{i}"))),
        (Array(a), Object(b)) | (Object(b), Array(a)) if a.is_empty() && b.is_empty() => None,
        // PHP reads a list and an object keyed "0", "1", … alike: as the same array.
        (Array(a), Object(b)) | (Object(b), Array(a))
            if a.len() == b.len() && (0..a.len()).all(|i| b.contains_key(&i.to_string())) =>
        {
            a.iter()
                .enumerate()
                .find_map(|(i, x)| difference(x, &b[&i.to_string()], &format!("{at}/{i}")))
        }
        (a, b) if same_scalar(a, b) => None,
        (a, b) => Some(format!("at `{at}` {a} became {b}")),
    }
}

/// Scalars the API reads alike: equal values, a number and its text, and the spellings
/// of a boolean.
fn same_scalar(a: &Value, b: &Value) -> bool {
    fn text(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
    fn truth(v: &Value) -> Option<bool> {
        match v {
            Value::Bool(b) => Some(*b),
            Value::String(s) if matches!(s.as_str(), "Y" | "1" | "true") => Some(true),
            Value::String(s) if matches!(s.as_str(), "N" | "0" | "false") => Some(false),
            Value::Number(n) if n.as_i64() == Some(1) => Some(true),
            Value::Number(n) if n.as_i64() == Some(0) => Some(false),
            _ => None,
        }
    }
    fn number(v: &Value) -> Option<f64> {
        text(v)?.parse().ok()
    }
    a == b
        || text(a).is_some_and(|x| text(b) == Some(x))
        || number(a).is_some_and(|x| number(b) == Some(x))
        || (matches!(a, Value::Bool(_)) || matches!(b, Value::Bool(_)))
            && truth(a).is_some_and(|x| truth(b) == Some(x))
}

#[test]
fn documented_examples_read_into_the_generated_types() {
    let Some(docs) = bitrix24_tests::docs_checkout() else {
        return;
    };
    let imported = import::import(&docs, &bitrix24_tests::workspace().join("specs"))
        .unwrap_or_else(|e| panic!("importing {}: {e}", docs.display()));
    let pages: HashMap<(String, bitrix24::ApiVersion), &ImportedMethod> = imported
        .methods
        .iter()
        .map(|((name, api), m)| ((name.clone(), runtime_api(*api)), m))
        .collect();

    let (mut replies, mut requests) = (Tally::default(), Tally::default());
    let entries = registry::methods();
    assert!(!entries.is_empty(), "the registry lists the methods");
    for entry in &entries {
        let Some(page) = pages.get(&(entry.name.to_owned(), entry.api)) else {
            continue;
        };
        if let Some(result) = page.response_example.as_deref().and_then(reply_result) {
            replies.record(entry.name, decode_reply(entry, result));
        }
        if let Some(params) = page
            .request_example
            .as_deref()
            .and_then(|body| serde_json::from_str::<Value>(body).ok())
        {
            requests.record(entry.name, round_trip(entry, &params, &page.spec.params));
        }
    }
    replies.report("reply example");
    requests.report("request round trip");
    assert!(
        replies.passed + requests.passed > 0,
        "the docs have examples of the methods in specs/"
    );
    for (what, tally, least) in [
        ("reply examples", &replies, REPLY_TARGET),
        ("request round trips", &requests, REQUEST_TARGET),
    ] {
        assert!(
            tally.rate() >= least,
            "{what}: {:.1}% pass, below {:.0}%",
            tally.rate() * 100.0,
            least * 100.0
        );
    }
}

#[test]
fn round_trip_comparison_tells_real_changes_from_spellings() {
    let sent = serde_json::json!({"id": "5", "active": "Y", "list": [], "gone": null, "l": [1, 2]});
    let written = serde_json::json!({"id": 5, "active": true, "list": {}, "l": {"0": 1, "1": "2"}});
    assert_eq!(difference(&sent, &written, ""), None);
    let keyed = serde_json::json!({"id": 5, "active": true, "list": {}, "l": {"0": 1, "a": 2}});
    assert!(
        difference(&sent, &keyed, "").is_some(),
        "other keys are not a list"
    );
    let lost = serde_json::json!({"id": 5, "active": true, "list": {}, "extra": 1});
    assert_eq!(
        difference(&lost, &written, ""),
        Some("at `/extra` 1 became null".to_owned())
    );
    let changed = serde_json::json!({"id": 6, "active": "Y", "list": []});
    assert!(difference(&changed, &written, "").is_some());
    assert!(difference(&serde_json::json!("N"), &serde_json::json!(true), "").is_some());
}

#[test]
fn aliases_are_compared_as_the_names_they_spell() {
    let mut id = spec::Field::new("id", spec::TypeExpr::Primitive(spec::Primitive::Integer));
    id.aliases.push("ID".to_owned());
    let sent = serde_json::json!({"ID": 5, "TITLE": "x"});
    assert_eq!(
        canonical(&sent, &[id]),
        serde_json::json!({"id": 5, "TITLE": "x"}),
        "only listed aliases are renamed"
    );
}
