//! The PHP-style form decoder on arbitrary bytes: it returns a value or an error, never
//! panics, and keeps every limit.

#![no_main]

use bitrix24_runtime::events::{DecodeLimits, decode_form};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the default limits or tight ones, so that every limit is hit.
    let Some((&choice, body)) = data.split_first() else {
        return;
    };
    let limits = if choice % 2 == 0 {
        DecodeLimits::default()
    } else {
        DecodeLimits::default()
            .max_body(512)
            .max_keys(8)
            .max_key_len(24)
            .max_depth(3)
    };
    if let Ok(object) = decode_form(body, &limits) {
        assert!(body.len() <= limits.body_limit());
        assert!(object.len() <= limits.key_limit());
        for value in object.values() {
            assert!(depth(value) <= limits.depth_limit());
        }
    }
});

/// How many objects and lists nest inside `value`, counting `value` itself.
fn depth(value: &Value) -> usize {
    match value {
        Value::Object(object) => 1 + object.values().map(depth).max().unwrap_or(0),
        Value::Array(list) => 1 + list.iter().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}
