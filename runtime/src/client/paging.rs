//! Walking a list method page by page, following the reply's `next`.

use futures::stream::{self, Stream, TryStreamExt};

use crate::Paged;

use super::client::Client;
use super::error::Error;

impl Client {
    /// The pages of a list method, from the request's `start` on: each reply's `next`
    /// becomes the following request's `start`, until a reply has no `next`.
    ///
    /// A reply whose `next` does not move past the previous one ends the stream, so a
    /// misbehaving portal cannot make it loop. Every page is one call, with the client's
    /// rate limiting and retries.
    pub fn pages<'a, M: Paged + 'a>(
        &'a self,
        request: M,
    ) -> impl Stream<Item = Result<Vec<M::Item>, Error<M::Error>>> + 'a {
        stream::try_unfold(Some((request, None::<i64>)), move |state| async move {
            let Some((mut request, previous)) = state else {
                return Ok(None);
            };
            let envelope = self.call_envelope(&request).await?;
            let items = M::into_items(envelope.result);
            let following = match (envelope.next, advance(previous, envelope.next)) {
                (_, Some(next)) => {
                    request.set_start(next);
                    Some((request, Some(next)))
                }
                (Some(next), None) => {
                    tracing::warn!(
                        method = M::NAME,
                        next,
                        "the portal's `next` does not advance; paging stops"
                    );
                    None
                }
                (None, None) => None,
            };
            Ok(Some((items, following)))
        })
    }

    /// The elements of a list method, all pages one after the other (see
    /// [`pages`](Self::pages)).
    pub fn items<'a, M: Paged + 'a>(
        &'a self,
        request: M,
    ) -> impl Stream<Item = Result<M::Item, Error<M::Error>>> + 'a {
        self.pages(request)
            .map_ok(|page| stream::iter(page.into_iter().map(Ok)))
            .try_flatten()
    }
}

/// The `start` of the next page: the reply's `next`, if it moves past the previous one.
fn advance(previous: Option<i64>, next: Option<i64>) -> Option<i64> {
    next.filter(|next| previous.is_none_or(|previous| *next > previous))
}

#[cfg(test)]
mod tests {
    use super::advance;

    #[test]
    fn paging_moves_forward_only() {
        assert_eq!(advance(None, Some(50)), Some(50));
        assert_eq!(advance(Some(50), Some(100)), Some(100));
        assert_eq!(advance(Some(50), Some(50)), None);
        assert_eq!(advance(Some(100), Some(50)), None);
        assert_eq!(advance(Some(50), None), None);
    }
}
