//! From a request to a verified, typed event: decode within limits, check the
//! application token, then read the event's data.

use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use super::{
    DecodeError, DecodeLimits, Delivery, Event, EventSet, ReceiveError, TokenSource, VerifyError,
    decode_delivery,
};

/// Turns the requests a handler URL receives into verified events.
///
/// It decodes the body within its [`DecodeLimits`], checks the delivery's application
/// token against the one its [`TokenSource`] expects for the sending portal, and only
/// then reads the event's `data`. Cloning is cheap and clones share the token source.
#[derive(Clone)]
pub struct EventReceiver {
    tokens: Arc<dyn TokenSource>,
    limits: DecodeLimits,
}

impl fmt::Debug for EventReceiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventReceiver")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl EventReceiver {
    /// A receiver that checks tokens against `tokens`, with the default limits.
    pub fn new(tokens: impl TokenSource + 'static) -> Self {
        Self {
            tokens: Arc::new(tokens),
            limits: DecodeLimits::default(),
        }
    }

    /// Sets the limits on request bodies.
    #[must_use]
    pub fn with_limits(mut self, limits: DecodeLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The limits on request bodies.
    pub fn limits(&self) -> &DecodeLimits {
        &self.limits
    }

    /// Decodes and verifies a request of any event, leaving its `data` as JSON.
    fn verified(
        &self,
        body: &[u8],
        content_type: Option<&str>,
    ) -> Result<Delivery<Value>, ReceiveError> {
        let delivery = decode_delivery(body, content_type, &self.limits)?;
        self.verify(&delivery)?;
        Ok(delivery)
    }

    /// Checks a decoded delivery's application token.
    pub fn verify<D>(&self, delivery: &Delivery<D>) -> Result<(), VerifyError> {
        self.tokens
            .expected_token(&delivery.auth)
            .ok_or(VerifyError::UnknownPortal)?
            .verify(&delivery.auth)
    }

    /// Decodes and verifies a request of event `E`; a delivery of any other event is an
    /// [`EventError::Unexpected`](super::EventError::Unexpected).
    pub fn receive<E: Event>(
        &self,
        body: &[u8],
        content_type: Option<&str>,
    ) -> Result<Delivery<E::Data>, ReceiveError> {
        Ok(self.verified(body, content_type)?.into_event::<E>()?)
    }

    /// Decodes and verifies a request of any event of the set `S`, such as the
    /// generated enum of all events.
    pub fn receive_any<S: EventSet>(
        &self,
        body: &[u8],
        content_type: Option<&str>,
    ) -> Result<S, ReceiveError> {
        Ok(S::from_delivery(self.verified(body, content_type)?)?)
    }

    /// Decodes a request without verifying it, for `ONAPPINSTALL`; see
    /// [`decode_delivery`].
    pub fn unverified(
        &self,
        body: &[u8],
        content_type: Option<&str>,
    ) -> Result<Delivery<Value>, DecodeError> {
        decode_delivery(body, content_type, &self.limits)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::Value;

    use super::EventReceiver;
    use crate::events::{
        ApplicationToken, ApplicationTokens, DecodeError, DecodeLimits, Delivery, Event,
        EventError, EventSet, ReceiveError, VerifyError,
    };

    const TOKEN: &str = "51856fefc120afa4b628cc82d3935cce";
    const FORM: Option<&str> = Some("application/x-www-form-urlencoded");

    #[derive(Debug, PartialEq, Deserialize)]
    struct DealData {
        #[serde(rename = "FIELDS")]
        fields: DealFields,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct DealFields {
        #[serde(rename = "ID")]
        id: String,
    }

    struct DealAdd;

    impl Event for DealAdd {
        const NAME: &'static str = "ONCRMDEALADD";
        const SCOPES: &'static [&'static str] = &["crm"];
        type Data = DealData;
    }

    struct DealDelete;

    impl Event for DealDelete {
        const NAME: &'static str = "ONCRMDEALDELETE";
        const SCOPES: &'static [&'static str] = &["crm"];
        type Data = DealData;
    }

    /// A hand-written set, shaped like the generated enum of all events.
    #[derive(Debug)]
    enum DealEvents {
        Add(Delivery<DealData>),
        Delete(Delivery<DealData>),
        Unknown(Delivery<Value>),
    }

    impl EventSet for DealEvents {
        fn from_delivery(delivery: Delivery<Value>) -> Result<Self, EventError> {
            if DealAdd::matches(&delivery.event) {
                delivery.into_event::<DealAdd>().map(Self::Add)
            } else if DealDelete::matches(&delivery.event) {
                delivery.into_event::<DealDelete>().map(Self::Delete)
            } else {
                Ok(Self::Unknown(delivery))
            }
        }
    }

    fn body(event: &str, token: &str) -> String {
        format!(
            "event={event}&event_handler_id=3&data%5BFIELDS%5D%5BID%5D=42&ts=1766047124\
             &auth%5Bmember_id%5D=m1&auth%5Baccess_token%5D=access-secret\
             &auth%5Bapplication_token%5D={token}"
        )
    }

    #[test]
    fn a_delivery_with_the_token_is_typed() {
        let receiver = EventReceiver::new(ApplicationToken::new(TOKEN));
        let delivery = receiver
            .receive::<DealAdd>(body("ONCRMDEALADD", TOKEN).as_bytes(), FORM)
            .unwrap();
        assert_eq!(delivery.data.fields.id, "42");
        assert_eq!(delivery.event_handler_id, Some(3));
        assert_eq!(delivery.ts, Some(1_766_047_124));

        let sorted = |event| {
            receiver
                .receive_any::<DealEvents>(body(event, TOKEN).as_bytes(), FORM)
                .unwrap()
        };
        assert!(matches!(sorted("OnCrmDealAdd"), DealEvents::Add(d) if d.data.fields.id == "42"));
        assert!(
            matches!(sorted("ONCRMDEALDELETE"), DealEvents::Delete(d) if d.data.fields.id == "42")
        );
        assert!(
            matches!(sorted("ONCRMLEADADD"), DealEvents::Unknown(d) if d.event == "ONCRMLEADADD")
        );
    }

    #[test]
    fn forged_missing_and_unknown_tokens_are_refused_without_showing_tokens() {
        let receiver = EventReceiver::new(ApplicationToken::new(TOKEN));
        let forged = "0".repeat(TOKEN.len());
        let error = receiver
            .receive::<DealAdd>(body("ONCRMDEALADD", &forged).as_bytes(), FORM)
            .unwrap_err();
        assert!(matches!(error, ReceiveError::Verify(VerifyError::Mismatch)));
        let text = format!("{error} {error:?}");
        for secret in [TOKEN, forged.as_str(), "access-secret"] {
            assert!(!text.contains(secret), "{text}");
        }
        let error = receiver
            .receive_any::<DealEvents>(b"event=ONCRMDEALADD&data[FIELDS][ID]=1", FORM)
            .unwrap_err();
        assert!(matches!(error, ReceiveError::Verify(VerifyError::Missing)));

        let tokens = ApplicationTokens::new();
        let per_portal = EventReceiver::new(tokens.clone());
        let delivery = body("ONCRMDEALADD", TOKEN);
        assert!(matches!(
            per_portal.receive::<DealAdd>(delivery.as_bytes(), FORM),
            Err(ReceiveError::Verify(VerifyError::UnknownPortal))
        ));
        tokens.insert("m1", ApplicationToken::new(TOKEN));
        assert!(
            per_portal
                .receive::<DealAdd>(delivery.as_bytes(), FORM)
                .is_ok()
        );
    }

    #[test]
    fn the_data_is_read_only_after_the_token_checks_out() {
        let receiver = EventReceiver::new(ApplicationToken::new(TOKEN));
        let bad_data = "event=ONCRMDEALADD&data[FIELDS]=x&auth[application_token]=forged";
        assert!(matches!(
            receiver.receive::<DealAdd>(bad_data.as_bytes(), FORM),
            Err(ReceiveError::Verify(VerifyError::Mismatch))
        ));
        let bad_data = format!("event=ONCRMDEALADD&data[FIELDS]=x&auth[application_token]={TOKEN}");
        assert!(matches!(
            receiver.receive::<DealAdd>(bad_data.as_bytes(), FORM),
            Err(ReceiveError::Event(EventError::Data { .. }))
        ));
        assert!(matches!(
            receiver.receive::<DealDelete>(body("ONCRMDEALADD", TOKEN).as_bytes(), FORM),
            Err(ReceiveError::Event(EventError::Unexpected { .. }))
        ));
    }

    #[test]
    fn the_receiver_applies_its_limits() {
        let receiver = EventReceiver::new(ApplicationToken::new(TOKEN))
            .with_limits(DecodeLimits::default().max_body(16));
        assert_eq!(receiver.limits().body_limit(), 16);
        let delivery = body("ONCRMDEALADD", TOKEN);
        assert!(matches!(
            receiver.receive_any::<Delivery<Value>>(delivery.as_bytes(), FORM),
            Err(ReceiveError::Decode(DecodeError::BodyTooLarge {
                limit: 16
            }))
        ));
        assert!(matches!(
            receiver.unverified(delivery.as_bytes(), FORM),
            Err(DecodeError::BodyTooLarge { limit: 16 })
        ));
        assert!(format!("{receiver:?}").starts_with("EventReceiver { limits"));
    }
}
