//! Reading a reply within bounds: no redirect, and no more body than a limit.

use super::error::{Redirect, ReplyTooLarge, TransportError};

/// The most bytes of body read in advance of knowing how much arrives, whatever a
/// `Content-Length` claims.
const INITIAL_CAPACITY: usize = 1 << 20;

/// Why a reply was not read.
#[derive(Debug)]
pub(crate) enum Unread {
    /// The request or the reply failed in transit.
    Transport(TransportError),
    /// The reply is a redirect; its body is not read.
    Redirect(Redirect),
    /// The body is larger than the limit; the connection is dropped.
    TooLarge(ReplyTooLarge),
}

/// The status and body of `response`, read chunk by chunk up to `limit` bytes.
///
/// A redirect is refused before its body is read, and so is a body whose
/// `Content-Length` exceeds the limit; one that exceeds it while arriving is refused as
/// soon as it does. Dropping the response then closes the connection, so the rest is
/// never read.
pub(crate) async fn read(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<(u16, Vec<u8>), Unread> {
    let status = response.status().as_u16();
    if response.status().is_redirection() {
        return Err(Unread::Redirect(Redirect { status }));
    }
    let declared = response.content_length();
    let too_large = || {
        Unread::TooLarge(ReplyTooLarge {
            status,
            limit,
            declared,
        })
    };
    if declared.is_some_and(|declared| declared > limit as u64) {
        return Err(too_large());
    }
    let capacity = declared.map_or(0, |declared| declared as usize);
    let mut body = Vec::with_capacity(capacity.min(limit).min(INITIAL_CAPACITY));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|error| Unread::Transport(TransportError::new(error)))?
    {
        if chunk.len() > limit - body.len() {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok((status, body))
}
