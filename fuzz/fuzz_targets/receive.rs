//! The whole path of an inbound request, decoding and verification, on arbitrary bytes:
//! it never panics, and nothing is accepted unless it carried the expected token.

#![no_main]

use bitrix24_runtime::events::{ApplicationToken, Delivery, Event, EventReceiver};
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use serde_json::Value;

const TOKEN: &str = "51856fefc120afa4b628cc82d3935cce";

/// The content types a request may come with, picked by the first byte.
const CONTENT_TYPES: [Option<&str>; 4] = [
    Some("application/x-www-form-urlencoded"),
    Some("application/json; charset=utf-8"),
    Some("text/plain"),
    None,
];

#[derive(Debug, Deserialize)]
struct ItemData {
    #[serde(rename = "FIELDS")]
    #[allow(dead_code, reason = "read only to check that the data decodes")]
    fields: ItemFields,
}

#[derive(Debug, Deserialize)]
struct ItemFields {
    #[serde(rename = "ID")]
    #[allow(dead_code, reason = "read only to check that the data decodes")]
    id: String,
}

struct ItemAdd;

impl Event for ItemAdd {
    const NAME: &'static str = "ONCRMDYNAMICITEMADD";
    const SCOPES: &'static [&'static str] = &["crm"];
    type Data = ItemData;
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, body)) = data.split_first() else {
        return;
    };
    let content_type = CONTENT_TYPES[usize::from(choice) % CONTENT_TYPES.len()];
    let receiver = EventReceiver::new(ApplicationToken::new(TOKEN));
    if let Ok(delivery) = receiver.receive_any::<Delivery<Value>>(body, content_type) {
        let token = delivery
            .auth
            .application_token
            .expect("verified without a token");
        assert_eq!(token.expose(), TOKEN, "verified with another token");
    }
    if let Ok(delivery) = receiver.receive::<ItemAdd>(body, content_type) {
        assert!(delivery.event.eq_ignore_ascii_case(ItemAdd::NAME));
    }
    let _ = receiver.unverified(body, content_type);
});
