//! Receiving events in an [axum] application (feature `axum`).
//!
//! [`Verified`] is an extractor: a handler that takes it runs only for a request that
//! decoded within the limits and carried the expected application token, and answers
//! with whatever the handler returns (`200 OK` for `()`). Any other request is answered
//! by the extractor's [`Rejection`], a 4xx status with a short reason that names no
//! token. The router's state must give an [`EventReceiver`] through [`FromRef`].
//!
//! [`Installation`] takes the `ONAPPINSTALL` delivery, which brings the application
//! token and so cannot be verified by it; confirm it another way before keeping the
//! token (for example, call the portal with the access token it brings).
//!
//! ```no_run
//! use axum::Router;
//! use axum::routing::post;
//! use bitrix24_runtime::events::axum::Verified;
//! use bitrix24_runtime::events::{ApplicationToken, Delivery, EventReceiver};
//!
//! async fn on_event(Verified(delivery): Verified<Delivery<serde_json::Value>>) {
//!     println!("{} {}", delivery.event, delivery.data);
//! }
//!
//! let receiver = EventReceiver::new(ApplicationToken::new("token from ONAPPINSTALL"));
//! let app: Router = Router::new().route("/events", post(on_event)).with_state(receiver);
//! ```

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::Value;

use super::{DecodeError, Delivery, EventError, EventReceiver, EventSet, ReceiveError};

/// The name of the event that brings the application token.
const INSTALL_EVENT: &str = "ONAPPINSTALL";

/// Extracts a verified event of the set `S`: the generated enum of all events, an enum
/// of your own, or [`Delivery<Value>`] for any event.
#[derive(Debug)]
pub struct Verified<S>(pub S);

impl<S, St> FromRequest<St> for Verified<S>
where
    S: EventSet,
    EventReceiver: FromRef<St>,
    St: Send + Sync,
{
    type Rejection = Rejection;

    async fn from_request(request: Request, state: &St) -> Result<Self, Rejection> {
        let receiver = EventReceiver::from_ref(state);
        let (content_type, body) = read(request, &receiver).await?;
        let event = receiver
            .receive_any(&body, content_type.as_deref())
            .map_err(Rejection::Receive)?;
        Ok(Self(event))
    }
}

/// Extracts an `ONAPPINSTALL` delivery, decoded within the limits but not verified: it
/// is the delivery that brings the application token.
#[derive(Debug)]
pub struct Installation(pub Delivery<Value>);

impl<St> FromRequest<St> for Installation
where
    EventReceiver: FromRef<St>,
    St: Send + Sync,
{
    type Rejection = Rejection;

    async fn from_request(request: Request, state: &St) -> Result<Self, Rejection> {
        let receiver = EventReceiver::from_ref(state);
        let (content_type, body) = read(request, &receiver).await?;
        let delivery = receiver
            .unverified(&body, content_type.as_deref())
            .map_err(|error| Rejection::Receive(error.into()))?;
        if !delivery.event.eq_ignore_ascii_case(INSTALL_EVENT) {
            return Err(Rejection::Receive(ReceiveError::Event(
                EventError::Unexpected {
                    expected: INSTALL_EVENT,
                    received: delivery.event,
                },
            )));
        }
        Ok(Self(delivery))
    }
}

/// Reads the content type and at most the receiver's body limit of the body.
async fn read(
    request: Request,
    receiver: &EventReceiver,
) -> Result<(Option<String>, Bytes), Rejection> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let limit = receiver.limits().body_limit();
    let collected = Limited::new(request.into_body(), limit)
        .collect()
        .await
        .map_err(|error| {
            if error.is::<LengthLimitError>() {
                Rejection::Receive(DecodeError::BodyTooLarge { limit }.into())
            } else {
                Rejection::Body
            }
        })?;
    Ok((content_type, collected.to_bytes()))
}

/// Why a request was refused; as a response, a 4xx status with the reason as text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// The body was read but is not a verified event.
    #[error(transparent)]
    Receive(ReceiveError),
    /// The body could not be read off the connection.
    #[error("the request body could not be read")]
    Body,
}

impl Rejection {
    /// The status the request is answered with: 413 for a body over the limit, 415 for
    /// a content type that is neither form nor JSON, 400 for a body that does not
    /// decode, 403 for a token that does not check out, 422 for a verified delivery that
    /// is not an event of the expected set or type.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Receive(ReceiveError::Decode(DecodeError::BodyTooLarge { .. })) => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            Self::Receive(ReceiveError::Decode(DecodeError::ContentType)) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            Self::Receive(ReceiveError::Verify(_)) => StatusCode::FORBIDDEN,
            Self::Receive(ReceiveError::Event(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Receive(_) | Self::Body => StatusCode::BAD_REQUEST,
        }
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        (
            self.status(),
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            self.to_string(),
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::extract::{FromRequest, Request};
    use axum::http::{StatusCode, header};
    use serde_json::Value;

    use super::{Installation, Rejection, Verified};
    use crate::events::{ApplicationToken, DecodeLimits, Delivery, EventReceiver};

    const FORM: &str = "application/x-www-form-urlencoded";

    fn request(content_type: &str, body: impl Into<Body>) -> Request {
        Request::builder()
            .method("POST")
            .uri("/events")
            .header(header::CONTENT_TYPE, content_type)
            .body(body.into())
            .unwrap()
    }

    fn receiver() -> EventReceiver {
        EventReceiver::new(ApplicationToken::new("good-token"))
            .with_limits(DecodeLimits::default().max_body(256))
    }

    async fn verified(request: Request) -> Result<Delivery<Value>, Rejection> {
        Verified::<Delivery<Value>>::from_request(request, &receiver())
            .await
            .map(|Verified(delivery)| delivery)
    }

    #[tokio::test]
    async fn a_verified_delivery_is_extracted() {
        let delivery = verified(request(
            FORM,
            "event=ONCRMDEALADD&data[FIELDS][ID]=5&auth[application_token]=good-token",
        ))
        .await
        .unwrap();
        assert_eq!(delivery.data["FIELDS"]["ID"], "5");
    }

    #[tokio::test]
    async fn bad_requests_get_4xx_without_tokens() {
        let cases = [
            (
                request(FORM, "event=X&auth[application_token]=forged-token"),
                StatusCode::FORBIDDEN,
            ),
            (request(FORM, "event=X"), StatusCode::FORBIDDEN),
            (request(FORM, "event=%zz"), StatusCode::BAD_REQUEST),
            (
                request("text/plain", "event=X"),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ),
            (
                request(FORM, "a=".repeat(200)),
                StatusCode::PAYLOAD_TOO_LARGE,
            ),
        ];
        for (request, status) in cases {
            let rejection = verified(request).await.unwrap_err();
            assert_eq!(rejection.status(), status, "{rejection}");
            let response = axum::response::IntoResponse::into_response(rejection);
            assert_eq!(response.status(), status);
            let body = axum::body::to_bytes(response.into_body(), 1024)
                .await
                .unwrap();
            let text = String::from_utf8(body.to_vec()).unwrap();
            assert!(!text.contains("token-") && !text.contains("good"), "{text}");
        }
    }

    #[tokio::test]
    async fn installation_takes_only_onappinstall_unverified() {
        let body = "event=ONAPPINSTALL&auth[application_token]=new-token&auth[member_id]=m";
        let Installation(delivery) = Installation::from_request(request(FORM, body), &receiver())
            .await
            .unwrap();
        assert_eq!(
            delivery.auth.application_token.unwrap().expose(),
            "new-token"
        );
        let other = Installation::from_request(
            request(
                FORM,
                "event=ONCRMDEALADD&auth[application_token]=good-token",
            ),
            &receiver(),
        )
        .await
        .unwrap_err();
        assert_eq!(other.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
}
