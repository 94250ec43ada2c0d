//! The names of the keys a fleet keeps in Redis (the layout is documented in the module
//! `client::redis`).

/// The keys of one client's portal and credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Keys {
    /// `<prefix>:<portal>`, the start of every key.
    base: String,
}

impl Keys {
    /// The keys of `portal` under `prefix`.
    pub(super) fn new(prefix: &str, portal: &str) -> Self {
        Self {
            base: format!("{prefix}:{portal}"),
        }
    }

    /// The request-rate bucket of the portal, or of the portal as called from `source`.
    pub(super) fn bucket(&self, source: Option<&str>) -> String {
        match source {
            Some(source) => format!("{}:rate:{source}", self.base),
            None => format!("{}:rate", self.base),
        }
    }

    /// The operating-time hold of `method` for `credential` (`webhook:<user>` or
    /// `app:<client_id>`).
    pub(super) fn hold(&self, credential: &str, method: &str) -> String {
        format!("{}:hold:{credential}:{method}", self.base)
    }

    /// The OAuth token pair of an installation.
    pub(super) fn tokens(&self, installation: &str) -> String {
        format!("{}:oauth:{installation}", self.base)
    }

    /// The renewal lease of an installation's tokens.
    pub(super) fn renewal_lock(&self, installation: &str) -> String {
        format!("{}:oauth:{installation}:lock", self.base)
    }
}

#[cfg(test)]
mod tests {
    use super::Keys;

    #[test]
    fn keys_are_namespaced_by_prefix_and_portal() {
        let keys = Keys::new("bitrix24", "example.bitrix24.com");
        assert_eq!(keys.bucket(None), "bitrix24:example.bitrix24.com:rate");
        assert_eq!(
            keys.bucket(Some("egress-2")),
            "bitrix24:example.bitrix24.com:rate:egress-2"
        );
        assert_eq!(
            keys.hold("app:local.1", "crm.item.list"),
            "bitrix24:example.bitrix24.com:hold:app:local.1:crm.item.list"
        );
        assert_eq!(
            keys.tokens("local.1"),
            "bitrix24:example.bitrix24.com:oauth:local.1"
        );
        assert_eq!(
            keys.renewal_lock("local.1"),
            "bitrix24:example.bitrix24.com:oauth:local.1:lock"
        );
    }
}
