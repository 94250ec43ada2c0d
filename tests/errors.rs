//! Error replies are sorted into each method's error enum: its documented codes first,
//! then the system errors any method can return, then `Unhandled`; the original reply is
//! always kept.

use bitrix24::crm::item::AddError;
use bitrix24::{ApiError, MethodError, SystemError};

/// An error reply as the transport hands it over: body plus HTTP status.
fn reply(body: &str, status: u16) -> ApiError {
    serde_json::from_str::<ApiError>(body)
        .expect("error body decodes")
        .with_status(status)
}

#[test]
fn a_documented_code_gives_its_variant() {
    let error = ApiError::new("NOT_FOUND", "SPA not found").with_status(400);
    let sorted = AddError::from_api_error(error.clone());
    assert!(
        matches!(&sorted, AddError::NotFound(e) if *e == error),
        "{sorted:?}"
    );

    let sorted = AddError::from_api_error(ApiError::new(
        "CREATE_DYNAMIC_ITEM_RESTRICTED",
        "You cannot create a new item due to your plan restrictions",
    ));
    assert!(
        matches!(sorted, AddError::CreateDynamicItemRestricted(_)),
        "{sorted:?}"
    );
}

#[test]
fn a_numeric_code_sent_as_a_number_gives_its_variant() {
    let error = reply(
        r#"{"error": 100, "error_description": "Expected iterable value for multiple field, but got `string` instead"}"#,
        400,
    );
    assert_eq!(error.code, "100");
    assert!(matches!(AddError::from_api_error(error), AddError::V100(_)));
}

#[test]
fn a_system_error_code_gives_the_system_variant_with_its_documented_status() {
    let sorted = AddError::from_api_error(
        ApiError::new("QUERY_LIMIT_EXCEEDED", "Too many requests").with_status(503),
    );
    let AddError::System(system) = sorted else {
        panic!("expected a system error, got {sorted:?}");
    };
    assert!(
        matches!(system, SystemError::QueryLimitExceeded(_)),
        "{system:?}"
    );
    assert_eq!(system.documented_status(), Some(503));

    let sorted = bitrix24::user::GetError::from_api_error(reply(
        r#"{"error": "OPERATION_TIME_LIMIT", "error_description": "Method is blocked due to operation time limit."}"#,
        429,
    ));
    let bitrix24::user::GetError::System(system) = sorted else {
        panic!("expected a system error, got {sorted:?}");
    };
    assert!(
        matches!(system, SystemError::OperationTimeLimit(_)),
        "{system:?}"
    );
    assert_eq!(system.documented_status(), Some(429));
    assert_eq!(system.api_error().status, Some(429));
}

#[test]
fn system_errors_are_recognised_by_methods_without_own_errors() {
    let sorted = bitrix24::user::CurrentError::from_api_error(
        ApiError::new("expired_token", "The access token provided has expired").with_status(401),
    );
    assert!(
        matches!(
            sorted,
            bitrix24::user::CurrentError::System(SystemError::ExpiredToken(_))
        ),
        "{sorted:?}"
    );
}

#[test]
fn a_method_code_wins_over_a_system_code_with_the_same_name() {
    // crm.item.add documents its own ACCESS_DENIED; for user.current it is the system error.
    let error = ApiError::new("ACCESS_DENIED", "Access denied").with_status(400);
    assert!(matches!(
        AddError::from_api_error(error.clone()),
        AddError::AccessDenied(_)
    ));
    let sorted = bitrix24::user::CurrentError::from_api_error(error);
    let bitrix24::user::CurrentError::System(system) = sorted else {
        panic!("expected a system error, got {sorted:?}");
    };
    assert!(matches!(system, SystemError::AccessDenied(_)));
    assert_eq!(system.documented_status(), Some(403));
}

#[test]
fn an_unknown_code_is_unhandled_and_kept_as_sent() {
    let error = ApiError::new("SOMETHING_NEW", "A code no spec lists").with_status(418);
    let sorted = AddError::from_api_error(error.clone());
    #[allow(deprecated)]
    let unhandled = matches!(sorted, AddError::Unhandled(_));
    assert!(unhandled, "{sorted:?}");
    assert_eq!(sorted.code(), "SOMETHING_NEW");
    assert_eq!(sorted.api_error(), &error);
    assert_eq!(sorted.to_string(), error.to_string());

    // Codes are compared exactly as sent.
    let sorted = AddError::from_api_error(ApiError::new("not_found", "SPA not found"));
    #[allow(deprecated)]
    let unhandled = matches!(sorted, AddError::Unhandled(_));
    assert!(unhandled, "{sorted:?}");
    assert_eq!(sorted.code(), "not_found");

    let sorted = bitrix24::BatchError::from_api_error(error.clone());
    assert_eq!(sorted.code(), "SOMETHING_NEW");
    assert_eq!(sorted.api_error(), &error);
}

#[test]
fn every_error_gives_its_code_whatever_its_variant() {
    let documented = AddError::from_api_error(ApiError::new("NOT_FOUND", "SPA not found"));
    assert!(
        matches!(documented, AddError::NotFound(_)),
        "{documented:?}"
    );
    assert_eq!(documented.code(), "NOT_FOUND");
    let system = AddError::from_api_error(ApiError::new("QUERY_LIMIT_EXCEEDED", "Too many"));
    assert!(matches!(system, AddError::System(_)), "{system:?}");
    assert_eq!(system.code(), "QUERY_LIMIT_EXCEEDED");
}

#[test]
fn one_code_with_several_documented_messages_is_one_variant() {
    use bitrix24::app::option::SetError;

    for message in [
        "Application context required",
        "Administrator authorization required",
    ] {
        let error = ApiError::new("AccessException", message).with_status(400);
        let sorted = SetError::from_api_error(error.clone());
        assert!(
            matches!(&sorted, SetError::AccessException(e) if *e == error),
            "{message}: {sorted:?}"
        );
    }
    let sorted =
        SetError::from_api_error(ApiError::new("ArgumentNullException", "options is empty"));
    assert!(
        matches!(sorted, SetError::ArgumentNullException(_)),
        "{sorted:?}"
    );

    use bitrix24::event::BindError;
    for message in [
        "Access denied! Offline events binding requires administrator access rights",
        "Access denied! Event binding with AUTH_TYPE requires administrator access rights",
    ] {
        let sorted = BindError::from_api_error(ApiError::new("ACCESS_DENIED", message));
        assert!(
            matches!(sorted, BindError::AccessDenied(_)),
            "{message}: {sorted:?}"
        );
    }
}

#[test]
fn api_error_returns_the_original_reply_for_every_kind_of_variant() {
    for (code, message, status) in [
        ("NOT_FOUND", "SPA not found", 400),
        ("QUERY_LIMIT_EXCEEDED", "Too many requests", 503),
        ("SOMETHING_NEW", "", 500),
    ] {
        let error = ApiError::new(code, message).with_status(status);
        let sorted = AddError::from_api_error(error.clone());
        assert_eq!(sorted.api_error(), &error, "{code}");
        assert_eq!(sorted.api_error().status, Some(status), "{code}");
    }
}

#[test]
fn display_shows_code_message_and_status() {
    let sorted = AddError::from_api_error(reply(
        r#"{"error": "NOT_FOUND", "error_description": "SPA not found"}"#,
        400,
    ));
    assert_eq!(sorted.to_string(), "NOT_FOUND: SPA not found (HTTP 400)");

    let system = AddError::from_api_error(ApiError::new("OPERATION_TIME_LIMIT", "Too long"));
    assert_eq!(system.to_string(), "OPERATION_TIME_LIMIT: Too long");

    // Without a description only the code is shown.
    let bare = AddError::from_api_error(reply(r#"{"error": "SOMETHING_NEW"}"#, 500));
    assert_eq!(bare.to_string(), "SOMETHING_NEW (HTTP 500)");

    // The error works with `?` into a boxed error and keeps its message there.
    fn fails() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let call: Result<(), AddError> = Err(AddError::from_api_error(ApiError::new(
            "NOT_FOUND",
            "SPA not found",
        )));
        call?;
        Ok(())
    }
    assert_eq!(fails().unwrap_err().to_string(), "NOT_FOUND: SPA not found");
}
