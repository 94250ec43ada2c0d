//! The payload examples of the docs decode into `AnyEvent`: every JSON example of what a
//! handler receives, on every event page, lands in its event's variant, both as JSON and
//! form-encoded the way Bitrix24 posts it (PHP's `http_build_query`: scalars as text,
//! `true` as `1`, `false` as `0`, empty lists and `null` left out).
//!
//! The examples are read from the docs when the test runs (`$BITRIX24_DOCS`, else
//! `../shared/b24restdocs` next to the workspace); without them the test says it was
//! skipped and why (under CI, docs configured but missing fail it).

use bitrix24::events::AnyEvent;
use bitrix24_codegen::import;
use bitrix24_codegen::naming::{Case, ident};
use bitrix24_runtime::events::{DecodeLimits, EventSet, decode_delivery};
use serde_json::{Map, Value};

/// The share of examples that must decode into their variant.
const REQUIRED_PASS_RATE: f64 = 95.0;

/// A delivery as PHP's `http_build_query` sends it.
fn form_encode(value: &Value) -> Vec<u8> {
    fn walk(prefix: &str, value: &Value, out: &mut form_urlencoded::Serializer<'_, String>) {
        let mut nested = |key: String, v: &Value| {
            let key = if prefix.is_empty() {
                key
            } else {
                format!("{prefix}[{key}]")
            };
            walk(&key, v, out);
        };
        match value {
            Value::Object(members) => members.iter().for_each(|(k, v)| nested(k.clone(), v)),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .for_each(|(i, v)| nested(i.to_string(), v)),
            Value::Null => {}
            Value::Bool(b) => {
                out.append_pair(prefix, if *b { "1" } else { "0" });
            }
            Value::Number(n) => {
                out.append_pair(prefix, &n.to_string());
            }
            Value::String(s) => {
                out.append_pair(prefix, s);
            }
        }
    }
    let mut out = form_urlencoded::Serializer::new(String::new());
    walk("", value, &mut out);
    out.finish().into_bytes()
}

/// Decodes a body into `AnyEvent` and checks the variant; the reason when it fails.
fn check(body: &[u8], content_type: &str, variant: &str) -> Result<(), String> {
    let delivery = decode_delivery(body, Some(content_type), &DecodeLimits::default())
        .map_err(|e| format!("decode: {e}"))?;
    let event = AnyEvent::from_delivery(delivery).map_err(|e| format!("data: {e}"))?;
    let debug = format!("{event:?}");
    let got = debug.split('(').next().unwrap_or_default();
    if got == variant {
        Ok(())
    } else {
        Err(format!("landed in `{got}`, expected `{variant}`"))
    }
}

#[test]
fn payload_examples_of_the_docs_decode_into_their_variant() {
    let Some(docs) = bitrix24_tests::docs_checkout() else {
        return;
    };
    let imported = import::import(&docs, &bitrix24_tests::workspace().join("specs")).unwrap();
    let (mut passed, mut total) = (0usize, 0usize);
    let mut failures = Vec::new();
    let mut without_examples = Vec::new();
    for (name, event) in &imported.events {
        if event.examples.is_empty() {
            without_examples.push(name.as_str());
        }
        let variant = ident(event.spec.type_source(), Case::Type);
        for example in &event.examples {
            let delivery = if example.whole {
                example.value.clone()
            } else {
                let mut members = Map::new();
                members.insert("event".to_owned(), Value::from(name.as_str()));
                members.insert("data".to_owned(), example.value.clone());
                Value::Object(members)
            };
            let json = serde_json::to_vec(&delivery).unwrap();
            for (encoding, body, content_type) in [
                ("json", json, "application/json"),
                (
                    "form",
                    form_encode(&delivery),
                    "application/x-www-form-urlencoded",
                ),
            ] {
                total += 1;
                match check(&body, content_type, &variant) {
                    Ok(()) => passed += 1,
                    Err(reason) => failures.push(format!(
                        "{name} ({}, {encoding}): {reason}",
                        event.spec.docs
                    )),
                }
            }
        }
    }
    let rate = passed as f64 * 100.0 / total.max(1) as f64;
    println!("payload examples decoded into their variant: {passed} of {total} ({rate:.1}%)");
    println!(
        "events without a payload example: {} ({})",
        without_examples.len(),
        without_examples.join(", ")
    );
    for failure in &failures {
        println!("failed: {failure}");
    }
    assert!(total > 300, "only {total} example decodings found");
    assert!(
        rate >= REQUIRED_PASS_RATE,
        "{rate:.1}% of payload examples decode, below {REQUIRED_PASS_RATE}%:\n{}",
        failures.join("\n")
    );
}
