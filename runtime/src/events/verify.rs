//! Checking that a delivery comes from the portal: its `auth[application_token]`
//! against the one the application got when it was installed.
//!
//! Bitrix24 sends the application token first with `ONAPPINSTALL`, and then with every
//! event (see `api-reference/events/safe-event-handlers.md`). A handler keeps the token
//! from the installation and refuses any delivery whose token differs. For
//! `ONAPPUNINSTALL`, which carries no OAuth tokens, this is the only check there is.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use subtle::ConstantTimeEq;

use super::{EventAuth, VerifyError};
use crate::Secret;

/// The application token deliveries must carry. `Debug` does not show it.
#[derive(Debug, Clone)]
pub struct ApplicationToken(Secret);

impl ApplicationToken {
    /// The token the application got with `ONAPPINSTALL` (or, for an outgoing webhook,
    /// the one the portal shows in the webhook's settings).
    pub fn new(token: impl Into<Secret>) -> Self {
        Self(token.into())
    }

    /// Checks the token of a delivery against this one, in time that does not depend on
    /// where the two differ (only on their lengths).
    pub fn verify(&self, auth: &EventAuth) -> Result<(), VerifyError> {
        let given = auth
            .application_token
            .as_ref()
            .ok_or(VerifyError::Missing)?;
        let expected = self.0.expose().as_bytes();
        if bool::from(expected.ct_eq(given.expose().as_bytes())) {
            Ok(())
        } else {
            Err(VerifyError::Mismatch)
        }
    }

    /// The token, to store it.
    pub fn secret(&self) -> &Secret {
        &self.0
    }
}

/// Where an [`EventReceiver`](super::EventReceiver) finds the application token a
/// delivery must carry.
pub trait TokenSource: Send + Sync {
    /// The token expected from the portal that `auth` names, or `None` when the
    /// application is not known to be installed there.
    fn expected_token(&self, auth: &EventAuth) -> Option<ApplicationToken>;
}

/// One token for every delivery: an application installed on one portal, or an outgoing
/// webhook.
impl TokenSource for ApplicationToken {
    fn expected_token(&self, _auth: &EventAuth) -> Option<ApplicationToken> {
        Some(self.clone())
    }
}

/// The application tokens of an application installed on several portals, by the
/// portal's `member_id`, kept in memory. Clones share the same tokens.
#[derive(Debug, Clone, Default)]
pub struct ApplicationTokens {
    by_member: Arc<RwLock<HashMap<String, ApplicationToken>>>,
}

impl ApplicationTokens {
    /// No tokens yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the token of the portal `member_id`, replacing any earlier one.
    pub fn insert(&self, member_id: impl Into<String>, token: ApplicationToken) {
        self.by_member
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(member_id.into(), token);
    }

    /// Forgets the token of the portal `member_id` (after `ONAPPUNINSTALL`); returns
    /// whether there was one.
    pub fn remove(&self, member_id: &str) -> bool {
        self.by_member
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(member_id)
            .is_some()
    }
}

impl TokenSource for ApplicationTokens {
    fn expected_token(&self, auth: &EventAuth) -> Option<ApplicationToken> {
        let member_id = auth.member_id.as_deref()?;
        self.by_member
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(member_id)
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::{ApplicationToken, ApplicationTokens, TokenSource};
    use crate::Secret;
    use crate::events::{EventAuth, VerifyError};

    fn auth(member_id: &str, token: Option<&str>) -> EventAuth {
        EventAuth {
            member_id: Some(member_id.to_owned()),
            application_token: token.map(Secret::new),
            ..EventAuth::default()
        }
    }

    #[test]
    fn only_the_same_token_passes() {
        let expected = ApplicationToken::new("51856fefc120afa4b628cc82d3935cce");
        assert_eq!(
            expected.verify(&auth("m", Some("51856fefc120afa4b628cc82d3935cce"))),
            Ok(())
        );
        for wrong in [
            "51856fefc120afa4b628cc82d3935ccf",
            "51856fefc120afa4b628cc82d3935cc",
            "51856fefc120afa4b628cc82d3935ccee",
            "x",
        ] {
            assert_eq!(
                expected.verify(&auth("m", Some(wrong))),
                Err(VerifyError::Mismatch),
                "{wrong}"
            );
        }
        assert_eq!(expected.verify(&auth("m", None)), Err(VerifyError::Missing));
        assert_eq!(format!("{expected:?}"), "ApplicationToken(Secret(***))");
    }

    #[test]
    fn tokens_are_kept_per_portal() {
        let tokens = ApplicationTokens::new();
        let shared = tokens.clone();
        assert!(tokens.expected_token(&auth("a", None)).is_none());
        shared.insert("a", ApplicationToken::new("token-a"));
        tokens.insert("b", ApplicationToken::new("token-b"));
        let a = tokens.expected_token(&auth("a", None)).unwrap();
        assert_eq!(a.secret().expose(), "token-a");
        assert!(a.verify(&auth("a", Some("token-b"))).is_err());
        assert!(tokens.expected_token(&EventAuth::default()).is_none());
        assert!(shared.remove("a"));
        assert!(!shared.remove("a"));
        assert!(tokens.expected_token(&auth("a", None)).is_none());
        let single = ApplicationToken::new("t");
        assert!(single.expected_token(&EventAuth::default()).is_some());
    }
}
