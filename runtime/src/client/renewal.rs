//! Who renews an OAuth installation's tokens: the client on its own, or one client of a
//! fleet at a time (feature `redis`).
//!
//! The OAuth server replaces the refresh token on every renewal, so two clients renewing
//! the same pair at once leave one of them with `invalid_grant`. A client asks its
//! [`Renewals`] before renewing: another client may have renewed already (its pair is
//! adopted), or refused tokens may be known, or this client gets the turn, under a
//! [`Lease`] that it reports the outcome to.

use futures::future::BoxFuture;

use super::error::Failure;
use super::oauth::RefusedRenewal;
use super::tokens::Tokens;

/// Decides who renews the tokens of one installation.
pub(crate) trait Renewals: Send + Sync {
    /// Called, one renewal at a time within a client, when the portal refused the access
    /// token of `current` as expired.
    fn begin<'a>(&'a self, current: &'a Tokens) -> BoxFuture<'a, Result<Turn, Failure>>;
}

/// What a client does about its expired access token.
#[cfg_attr(
    not(feature = "redis"),
    expect(dead_code, reason = "only a fleet (feature `redis`) adopts or refuses")
)]
pub(crate) enum Turn {
    /// Another client renewed the tokens: use this pair.
    Adopt(Tokens),
    /// The OAuth server already refused to renew the latest pair; it is not sent again.
    Refused(RefusedRenewal),
    /// Renew this pair (the latest one known) and report the outcome to the lease.
    Renew(Tokens, Box<dyn Lease>),
}

/// The right to renew one pair of tokens, until the outcome is reported. Dropping it
/// without a report (a failure in transit, a cancelled call) gives the turn to another
/// client.
pub(crate) trait Lease: Send {
    /// The OAuth server renewed the pair: publish the new one.
    fn renewed<'a>(self: Box<Self>, tokens: &'a Tokens) -> BoxFuture<'a, Result<(), Failure>>;

    /// The OAuth server refused to renew the pair: remember it, so that no client sends
    /// the refused refresh token again.
    fn refused<'a>(
        self: Box<Self>,
        refusal: &'a RefusedRenewal,
    ) -> BoxFuture<'a, Result<(), Failure>>;
}

/// A client that renews on its own: it always has the turn, and keeps refusals itself.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Alone;

impl Renewals for Alone {
    fn begin<'a>(&'a self, current: &'a Tokens) -> BoxFuture<'a, Result<Turn, Failure>> {
        Box::pin(std::future::ready(Ok(Turn::Renew(
            current.clone(),
            Box::new(Alone),
        ))))
    }
}

impl Lease for Alone {
    fn renewed<'a>(self: Box<Self>, _: &'a Tokens) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(std::future::ready(Ok(())))
    }

    fn refused<'a>(self: Box<Self>, _: &'a RefusedRenewal) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(std::future::ready(Ok(())))
    }
}
