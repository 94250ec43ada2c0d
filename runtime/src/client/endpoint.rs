//! The URLs calls go to.

use reqwest::Url;

use crate::ApiVersion;

use super::builder::BuildError;
use super::error::RequestError;
use crate::Secret;

/// Parses a configured URL and checks that it uses HTTPS, or plain HTTP when allowed.
pub(crate) fn parse_url(
    url: &str,
    what: &'static str,
    allow_http: bool,
) -> Result<Url, BuildError> {
    let url = Url::parse(url).map_err(|_| BuildError::InvalidUrl { what })?;
    if url.cannot_be_a_base()
        || url.host().is_none()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(BuildError::InvalidUrl { what });
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if allow_http => Ok(url),
        "http" => Err(BuildError::InsecureUrl { what }),
        _ => Err(BuildError::InvalidUrl { what }),
    }
}

/// The REST root of a portal, `https://<portal>/rest/`, from the portal's address (with or
/// without the trailing `/rest/`); `what` names the address in errors.
pub(crate) fn rest_root(
    portal: &str,
    what: &'static str,
    allow_http: bool,
) -> Result<Url, BuildError> {
    let mut url = parse_url(portal, what, allow_http)?;
    let path = url.path().trim_end_matches('/');
    let path = path.strip_suffix("/rest").unwrap_or(path).to_owned();
    url.set_path(&format!("{path}/rest/"));
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

/// Where the calls of one client go.
#[derive(Debug)]
pub(crate) struct Endpoint {
    root: Url,
    webhook: Option<(u64, Secret)>,
}

impl Endpoint {
    /// Calls authorized by the `auth` parameter, to `<root><method>`.
    pub(crate) fn oauth(root: Url) -> Self {
        Self {
            root,
            webhook: None,
        }
    }

    /// Calls of an incoming webhook, to `<root><user_id>/<code>/<method>`.
    pub(crate) fn webhook(root: Url, user_id: u64, code: Secret) -> Self {
        Self {
            root,
            webhook: Some((user_id, code)),
        }
    }

    /// The REST root, `https://<portal>/rest/`.
    pub(crate) fn root(&self) -> &Url {
        &self.root
    }

    /// The webhook code, if the calls go to a webhook.
    pub(crate) fn webhook_code(&self) -> Option<&Secret> {
        self.webhook.as_ref().map(|(_, code)| code)
    }

    /// The URL of a method; it holds the webhook code, so it must never be logged.
    pub(crate) fn method_url(
        &self,
        version: ApiVersion,
        method: &str,
    ) -> Result<Url, RequestError> {
        if !is_method_name(method) {
            return Err(RequestError::MethodName);
        }
        let mut url = self.root.clone();
        {
            let mut segments = url
                .path_segments_mut()
                .map_err(|()| RequestError::MethodName)?;
            segments.pop_if_empty();
            if version == ApiVersion::V3 {
                segments.push("api");
            }
            if let Some((user_id, code)) = &self.webhook {
                segments.push(&user_id.to_string()).push(code.expose());
            }
            segments.push(method);
        }
        Ok(url)
    }
}

/// Whether `name` can be a method name: dot-separated words of ASCII letters, digits,
/// `_` and `-`.
pub(crate) fn is_method_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::{Endpoint, parse_url, rest_root};
    use crate::ApiVersion;
    use crate::client::{BuildError, Secret};

    #[test]
    fn rest_root_accepts_the_portal_with_or_without_rest() {
        for portal in [
            "https://example.bitrix24.com",
            "https://example.bitrix24.com/",
            "https://example.bitrix24.com/rest",
            "https://example.bitrix24.com/rest/",
        ] {
            assert_eq!(
                rest_root(portal, "portal URL", false).unwrap().as_str(),
                "https://example.bitrix24.com/rest/",
                "{portal}"
            );
        }
        assert_eq!(
            rest_root("http://127.0.0.1:4000/b24", "portal URL", true)
                .unwrap()
                .as_str(),
            "http://127.0.0.1:4000/b24/rest/"
        );
    }

    #[test]
    fn plain_http_needs_permission() {
        let refused = rest_root("http://example.bitrix24.com", "portal URL", false);
        assert!(matches!(
            refused,
            Err(BuildError::InsecureUrl { what: "portal URL" })
        ));
        let message = refused.unwrap_err().to_string();
        assert!(message.contains("allow_http(true)"), "{message}");
        for bad in [
            "ftp://example.com",
            "example.com",
            "https://user:pw@example.com",
            "data:x",
        ] {
            assert!(
                matches!(
                    parse_url(bad, "x", true),
                    Err(BuildError::InvalidUrl { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn method_urls() {
        let root = rest_root("https://example.bitrix24.com", "portal URL", false).unwrap();
        let hook = Endpoint::webhook(root.clone(), 3, Secret::new("c0de"));
        assert_eq!(
            hook.method_url(ApiVersion::V2, "crm.item.add")
                .unwrap()
                .as_str(),
            "https://example.bitrix24.com/rest/3/c0de/crm.item.add"
        );
        assert_eq!(
            hook.method_url(ApiVersion::V3, "tasks.task.get")
                .unwrap()
                .as_str(),
            "https://example.bitrix24.com/rest/api/3/c0de/tasks.task.get"
        );
        let oauth = Endpoint::oauth(root);
        assert_eq!(
            oauth.method_url(ApiVersion::V2, "batch").unwrap().as_str(),
            "https://example.bitrix24.com/rest/batch"
        );
        assert_eq!(
            oauth
                .method_url(ApiVersion::V3, "tasks.task.get")
                .unwrap()
                .as_str(),
            "https://example.bitrix24.com/rest/api/tasks.task.get"
        );
    }

    #[test]
    fn method_names_cannot_change_the_path() {
        let oauth = Endpoint::oauth(
            rest_root("https://example.bitrix24.com", "portal URL", false).unwrap(),
        );
        for bad in [
            "",
            "a..b",
            ".a",
            "a/b",
            "../x",
            "a?b",
            "a#b",
            "a b",
            "crm.item.add/",
        ] {
            assert!(oauth.method_url(ApiVersion::V2, bad).is_err(), "{bad:?}");
        }
        assert!(
            oauth
                .method_url(ApiVersion::V2, "IM.dialog_x-1.get")
                .is_ok()
        );
    }
}
