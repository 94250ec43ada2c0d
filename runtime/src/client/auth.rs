//! How the client authorizes its calls: an incoming webhook or an OAuth application.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;

use super::builder::BuildError;
use super::tokens::{TokenStore, Tokens};
use crate::Secret;

/// The OAuth server that renews the tokens of every Bitrix24 application.
pub const OAUTH_TOKEN_URL: &str = "https://oauth.bitrix.info/oauth/token/";

/// The default time limit of a request to the OAuth server.
const TOKEN_TIMEOUT: Duration = Duration::from_secs(15);

/// The credentials a client calls with.
#[derive(Debug)]
pub enum Auth {
    /// An incoming webhook.
    Webhook(Webhook),
    /// An OAuth application acting for one user.
    OAuth(OAuth),
}

impl From<Webhook> for Auth {
    fn from(webhook: Webhook) -> Self {
        Self::Webhook(webhook)
    }
}

impl From<OAuth> for Auth {
    fn from(oauth: OAuth) -> Self {
        Self::OAuth(oauth)
    }
}

/// An incoming webhook: calls go to `https://<portal>/rest/<user_id>/<code>/<method>` and
/// run with the rights of the user who created the webhook.
#[derive(Debug, Clone)]
pub struct Webhook {
    pub(crate) portal: String,
    pub(crate) user_id: u64,
    pub(crate) code: Secret,
}

impl Webhook {
    /// A webhook of `portal` (such as `https://example.bitrix24.com`), created by user
    /// `user_id`, with the secret `code`.
    pub fn new(portal: impl Into<String>, user_id: u64, code: impl Into<Secret>) -> Self {
        Self {
            portal: portal.into(),
            user_id,
            code: code.into(),
        }
    }

    /// Reads a webhook from the URL Bitrix24 shows for it, such as
    /// `https://example.bitrix24.com/rest/1/abcdef0123456789/`. The error never repeats
    /// the URL, which holds the secret code.
    pub fn from_url(url: &str) -> Result<Self, BuildError> {
        let invalid = || BuildError::InvalidWebhookUrl;
        let mut url = Url::parse(url).map_err(|_| invalid())?;
        let segments: Vec<String> = url
            .path_segments()
            .ok_or_else(invalid)?
            .map(str::to_owned)
            .collect();
        let rest = segments
            .iter()
            .position(|segment| segment == "rest")
            .ok_or_else(invalid)?;
        let (user_id, code) = match &segments[rest + 1..] {
            [user_id, code, ..] => (user_id, code),
            _ => return Err(invalid()),
        };
        let user_id: u64 = user_id.parse().map_err(|_| invalid())?;
        if code.is_empty() {
            return Err(invalid());
        }
        let code = Secret::new(code.as_str());
        url.set_path(&segments[..rest].join("/"));
        url.set_query(None);
        url.set_fragment(None);
        Ok(Self::new(url.as_str(), user_id, code))
    }

    /// The user who created the webhook.
    pub fn user_id(&self) -> u64 {
        self.user_id
    }
}

/// An OAuth application acting for one user: the access token goes with every call as
/// `auth`, and is renewed at the OAuth server when the portal reports it expired.
pub struct OAuth {
    pub(crate) portal: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: Secret,
    pub(crate) tokens: Tokens,
    pub(crate) token_url: String,
    pub(crate) token_timeout: Duration,
    pub(crate) store: Arc<dyn TokenStore>,
}

impl OAuth {
    /// An application with the keys `client_id` / `client_secret`, calling `portal`
    /// (such as `https://example.bitrix24.com`) with `tokens`; renewed tokens are handed
    /// to `store`. Tokens that carry a `client_endpoint` (the address a renewal named)
    /// call there instead of `portal`.
    pub fn new(
        portal: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        tokens: Tokens,
        store: impl TokenStore + 'static,
    ) -> Self {
        Self {
            portal: portal.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            tokens,
            token_url: OAUTH_TOKEN_URL.to_owned(),
            token_timeout: TOKEN_TIMEOUT,
            store: Arc::new(store),
        }
    }

    /// Sets the token endpoint of the OAuth server (by default [`OAUTH_TOKEN_URL`]).
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = url.into();
        self
    }

    /// Sets the time limit of one request to the OAuth server (default 15 s). Every call
    /// waiting for the renewal fails with it when it runs out.
    pub fn token_timeout(mut self, timeout: Duration) -> Self {
        self.token_timeout = timeout;
        self
    }
}

impl fmt::Debug for OAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth")
            .field("portal", &self.portal)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("tokens", &self.tokens)
            .field("token_url", &self.token_url)
            .field("token_timeout", &self.token_timeout)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::{OAuth, Webhook};
    use crate::client::{MemoryTokenStore, Tokens};

    #[test]
    fn webhook_url_is_split_into_portal_user_and_code() {
        let webhook = Webhook::from_url("https://example.bitrix24.com/rest/7/c0de/").unwrap();
        assert_eq!(webhook.portal, "https://example.bitrix24.com/");
        assert_eq!(webhook.user_id(), 7);
        assert_eq!(webhook.code.expose(), "c0de");
        let webhook =
            Webhook::from_url("http://127.0.0.1:8080/b24/rest/1/x/profile.json?a=1").unwrap();
        assert_eq!(webhook.portal, "http://127.0.0.1:8080/b24");
        assert_eq!(webhook.code.expose(), "x");
    }

    #[test]
    fn bad_webhook_urls_are_rejected_without_echoing_them() {
        for url in [
            "not a url",
            "https://example.bitrix24.com/rest/",
            "https://example.bitrix24.com/rest/abc/s3cret/",
            "https://example.bitrix24.com/api/1/s3cret/",
            "https://example.bitrix24.com/rest/1//",
        ] {
            let error = Webhook::from_url(url).unwrap_err();
            let text = format!("{error} {error:?}");
            assert!(
                text.contains("https://<portal>/rest/<user id>/<code>/"),
                "{url}: {text}"
            );
            assert!(!text.contains("s3cret"), "{text}");
        }
    }

    #[test]
    fn debug_output_hides_credentials() {
        let webhook = Webhook::new("https://example.bitrix24.com", 1, "hook-code");
        let oauth = OAuth::new(
            "https://example.bitrix24.com",
            "app.1",
            "client-secret",
            Tokens::new("access-token", "refresh-token"),
            MemoryTokenStore::new(),
        );
        let text = format!("{webhook:?} {oauth:?}");
        for secret in [
            "hook-code",
            "client-secret",
            "access-token",
            "refresh-token",
        ] {
            assert!(!text.contains(secret), "{text}");
        }
        assert!(text.contains("app.1"));
    }
}
