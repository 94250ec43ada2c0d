//! Inbound events decoded into the generated types: a form-encoded and a JSON delivery
//! land in their `AnyEvent` variant with typed data, an event the specs do not know is
//! `Unknown`, and a single event type reads only its own deliveries.

use bitrix24::events::{AnyEvent, crm, imbot, imconnector};
use bitrix24_runtime::events::{ApplicationToken, Event, EventReceiver, EventSet, ReceiveError};

const TOKEN: &str = "51856fefc120afa4b628cc82d3935cce";
const FORM: Option<&str> = Some("application/x-www-form-urlencoded");
const JSON: Option<&str> = Some("application/json");

fn receiver() -> EventReceiver {
    EventReceiver::new(ApplicationToken::new(TOKEN))
}

#[test]
fn a_form_encoded_delivery_becomes_its_typed_variant() {
    let body = format!(
        "event=ONCRMLEADADD&event_handler_id=707&data%5BFIELDS%5D%5BID%5D=1000983\
         &ts=1742807175&auth%5Bdomain%5D=example.bitrix24.com&auth%5Bapplication_token%5D={TOKEN}"
    );
    let event: AnyEvent = receiver().receive_any(body.as_bytes(), FORM).unwrap();
    let AnyEvent::OnCrmLeadAdd(lead) = event else {
        panic!("not a lead: {event:?}")
    };
    let fields = lead.data.fields.expect("FIELDS is read");
    assert_eq!(fields.id, Some(1_000_983));
    assert_eq!(lead.event_handler_id, Some(707));
    assert_eq!(lead.auth.domain.as_deref(), Some("example.bitrix24.com"));
}

#[test]
fn a_json_delivery_becomes_its_typed_variant_with_nested_objects() {
    let body = serde_json::json!({
        "event": "ONIMBOTV2MESSAGEADD",
        "data": {
            "bot": {"id": 456, "code": "support_bot"},
            "message": {"id": 789, "chatId": 5, "text": "Hello bot!", "isSystem": false},
            "user": {"id": 1, "active": "1", "departments": ["1", 3]},
            "language": "en"
        },
        "ts": 1772093963,
        "auth": {"application_token": TOKEN}
    });
    let body = serde_json::to_vec(&body).unwrap();
    let event: AnyEvent = receiver().receive_any(&body, JSON).unwrap();
    let AnyEvent::OnImbotV2MessageAdd(delivery) = event else {
        panic!("not a bot message: {event:?}")
    };
    let message = delivery.data.message.expect("message is read");
    assert_eq!(message.id, Some(789));
    assert_eq!(message.chat_id, Some(5));
    assert_eq!(message.text.as_deref(), Some("Hello bot!"));
    assert_eq!(message.is_system, Some(false));
    // Webhook deliveries send scalars as text; they read as their types.
    let user = delivery.data.user.expect("user is read");
    assert_eq!(user.active, Some(true));
    assert_eq!(user.departments, Some(vec![1, 3]));
    assert_eq!(delivery.data.language.as_deref(), Some("en"));
}

#[test]
fn scalar_data_reads_as_its_type() {
    let body =
        format!("event=ONIMCONNECTORLINEDELETE&data=107&auth%5Bapplication_token%5D={TOKEN}");
    let event: AnyEvent = receiver().receive_any(body.as_bytes(), FORM).unwrap();
    let AnyEvent::OnImConnectorLineDelete(delivery) = event else {
        panic!("not a line deletion: {event:?}")
    };
    assert_eq!(delivery.data.into_inner(), 107);
}

#[test]
fn an_unknown_event_keeps_its_data_as_json() {
    let body = format!("event=ONSOMETHINGNEW&data%5BX%5D=1&auth%5Bapplication_token%5D={TOKEN}");
    let event: AnyEvent = receiver().receive_any(body.as_bytes(), FORM).unwrap();
    let AnyEvent::Unknown(delivery) = event else {
        panic!("a known event: {event:?}")
    };
    assert_eq!(delivery.event, "ONSOMETHINGNEW");
    assert_eq!(delivery.data["X"], "1");
}

#[test]
fn data_that_does_not_fit_its_type_is_an_error_not_unknown() {
    let body = serde_json::json!({
        "event": "onCrmLeadAdd",
        "data": {"FIELDS": {"ID": "not a number"}},
        "auth": {"application_token": TOKEN}
    });
    let body = serde_json::to_vec(&body).unwrap();
    let error = receiver().receive_any::<AnyEvent>(&body, JSON).unwrap_err();
    assert!(matches!(error, ReceiveError::Event(_)), "{error:?}");
}

#[test]
fn event_types_name_their_wire_event_and_scopes() {
    assert_eq!(crm::OnCrmLeadAdd::NAME, "ONCRMLEADADD");
    assert_eq!(crm::OnCrmLeadAdd::SCOPES, ["crm"]);
    assert!(crm::OnCrmLeadAdd::matches("onCrmLeadAdd"));
    assert_eq!(imbot::OnImbotV2Delete::NAME, "ONIMBOTV2DELETE");
    assert_eq!(
        imconnector::OnImConnectorLineDelete::SCOPES,
        ["imconnector"]
    );

    let body = format!("event=ONCRMDEALADD&auth%5Bapplication_token%5D={TOKEN}");
    let error = receiver()
        .receive::<crm::OnCrmLeadAdd>(body.as_bytes(), FORM)
        .unwrap_err();
    assert!(matches!(error, ReceiveError::Event(_)), "{error:?}");
    let deal: AnyEvent = receiver().receive_any(body.as_bytes(), FORM).unwrap();
    assert!(matches!(deal, AnyEvent::OnCrmDealAdd(_)), "{deal:?}");
}

#[test]
fn documented_names_in_any_case_are_variants() {
    // `from_delivery` sorts documented names, in any case, into their variants; data
    // left out reads as empty.
    for name in [
        "ONAPPINSTALL",
        "onTaskAdd",
        "CATALOG.PRODUCT.ON.ADD",
        "OnSessionStart",
    ] {
        let delivery = serde_json::from_value(serde_json::json!({"event": name})).unwrap();
        let event = AnyEvent::from_delivery(delivery);
        assert!(
            matches!(&event, Ok(e) if !matches!(e, AnyEvent::Unknown(_))),
            "{name}: {event:?}"
        );
    }
}
