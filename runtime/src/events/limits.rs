//! Hard limits on what an inbound request body may hold before it is decoded.

/// The deepest nesting [`DecodeLimits::max_depth`] accepts; larger settings are lowered to
/// it, so that no setting lets a body nest deep enough to exhaust the stack.
pub const MAX_DEPTH_CAP: usize = 64;

/// Limits on an inbound event body. A body over any of them is refused with a
/// [`DecodeError`](super::DecodeError) before it is decoded further.
///
/// The defaults are far above what Bitrix24 sends (an event's `data` is a few identifiers)
/// and well below what would cost a handler noticeable memory or time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeLimits {
    max_body: usize,
    max_keys: usize,
    max_key_len: usize,
    max_depth: usize,
}

impl Default for DecodeLimits {
    /// A body of at most 256 KiB, 1,000 keys (form pairs, or JSON scalars), keys of at
    /// most 256 bytes, nested at most 16 levels below the top.
    fn default() -> Self {
        Self {
            max_body: 256 * 1024,
            max_keys: 1000,
            max_key_len: 256,
            max_depth: 16,
        }
    }
}

impl DecodeLimits {
    /// Sets the largest body, in bytes.
    #[must_use]
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Sets the most keys: `key=value` pairs of a form body, or scalars and empty
    /// containers of a JSON body.
    #[must_use]
    pub fn max_keys(mut self, keys: usize) -> Self {
        self.max_keys = keys;
        self
    }

    /// Sets the longest key, in bytes after percent-decoding: a whole form key such as
    /// `data[FIELDS][ID]`, or one member name of a JSON object.
    #[must_use]
    pub fn max_key_len(mut self, bytes: usize) -> Self {
        self.max_key_len = bytes;
        self
    }

    /// Sets the deepest nesting below the top-level object: the number of `[…]`
    /// segments of a form key, or of objects and lists around a JSON value. At most
    /// [`MAX_DEPTH_CAP`].
    #[must_use]
    pub fn max_depth(mut self, levels: usize) -> Self {
        self.max_depth = levels.min(MAX_DEPTH_CAP);
        self
    }

    /// The largest body, in bytes.
    pub fn body_limit(&self) -> usize {
        self.max_body
    }

    /// The most keys.
    pub fn key_limit(&self) -> usize {
        self.max_keys
    }

    /// The longest key, in bytes.
    pub fn key_len_limit(&self) -> usize {
        self.max_key_len
    }

    /// The deepest nesting.
    pub fn depth_limit(&self) -> usize {
        self.max_depth
    }
}

#[cfg(test)]
mod tests {
    use super::{DecodeLimits, MAX_DEPTH_CAP};

    #[test]
    fn setters_change_one_limit_and_depth_is_capped() {
        let limits = DecodeLimits::default()
            .max_body(10)
            .max_keys(2)
            .max_key_len(3)
            .max_depth(4);
        assert_eq!(
            (
                limits.body_limit(),
                limits.key_limit(),
                limits.key_len_limit(),
                limits.depth_limit()
            ),
            (10, 2, 3, 4)
        );
        assert_eq!(
            DecodeLimits::default().max_depth(10_000).depth_limit(),
            MAX_DEPTH_CAP
        );
    }
}
