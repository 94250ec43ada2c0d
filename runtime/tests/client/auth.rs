//! Webhook and OAuth authorization, token renewal, and HTTPS.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bitrix24::SystemError;
use bitrix24::user::{Current, CurrentError};
use bitrix24_fake_portal::FakePortal;
use bitrix24_runtime::Client;
use bitrix24_runtime::client::{
    BuildError, Error, MemoryTokenStore, OAuth, RefreshError, TokenStore, TokenStoreError, Tokens,
    Webhook,
};
use futures::future::BoxFuture;

use crate::support::{TaskAdd, TaskFields, oauth, store};

#[tokio::test]
async fn an_expired_access_token_is_renewed_saved_and_the_call_repeated() {
    let portal = FakePortal::start().await.unwrap();
    let store = store();
    let client = oauth(&portal, Arc::clone(&store)).build().unwrap();
    client.call(&Current::new()).await.unwrap();
    assert_eq!(store.saves(), 0, "no renewal while the token is valid");

    portal.expire_access_tokens();
    let user = client.call(&Current::new()).await.unwrap().0;
    assert_eq!(user.id, Some(1));
    let stats = portal.stats();
    assert_eq!((stats.expired_tokens, stats.refreshes), (1, 1));
    let saved = store.latest().expect("renewed tokens were saved");
    assert!(saved.expires_at.is_some());
    assert_eq!(
        saved.client_endpoint,
        Some(format!("{}/rest/", portal.url()))
    );

    client.call(&Current::new()).await.unwrap();
    assert_eq!(
        portal.stats().refreshes,
        1,
        "the renewed token is used from then on"
    );
    assert_eq!(store.saves(), 1);
}

#[tokio::test]
async fn a_renewal_moves_later_calls_to_the_client_endpoint_it_names() {
    let portal = FakePortal::builder()
        .client_endpoint_path("/moved/rest/")
        .start()
        .await
        .unwrap();
    let store = store();
    let client = oauth(&portal, Arc::clone(&store)).build().unwrap();
    client.call(&Current::new()).await.unwrap();
    portal.expire_access_tokens();
    client.call(&Current::new()).await.unwrap();
    client.call(&Current::new()).await.unwrap();
    let stats = portal.stats();
    assert_eq!(
        (stats.requests, stats.client_endpoint_requests),
        (4, 2),
        "the repeated call and the next one went to the new address"
    );
    let saved = store.latest().expect("renewed tokens were saved");
    let moved = format!("{}/moved/rest/", portal.url());
    assert_eq!(saved.client_endpoint.as_deref(), Some(moved.as_str()));

    let restored = OAuth::new(
        "http://127.0.0.1:9/",
        portal.client_id(),
        portal.client_secret(),
        saved,
        MemoryTokenStore::new(),
    )
    .token_url(portal.token_url());
    let client = Client::builder(restored).allow_http(true).build().unwrap();
    client.call(&Current::new()).await.unwrap();
    let task = TaskAdd {
        fields: TaskFields {
            title: "At the new address".to_owned(),
            creator_id: 1,
            responsible_id: 1,
        },
    };
    client.call(&task).await.unwrap();
    assert_eq!(
        portal.stats().client_endpoint_requests,
        4,
        "tokens with a client endpoint call there, REST 3.0 included"
    );
}

#[tokio::test]
async fn the_call_is_repeated_only_once_after_a_renewal() {
    let portal = FakePortal::builder()
        .access_token_ttl(Duration::ZERO)
        .start()
        .await
        .unwrap();
    let client = oauth(&portal, MemoryTokenStore::new()).build().unwrap();
    let error = client.call(&Current::new()).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Method(CurrentError::System(SystemError::ExpiredToken(_)))
        ),
        "{error:?}"
    );
    let stats = portal.stats();
    assert_eq!((stats.expired_tokens, stats.refreshes), (2, 1));
}

#[tokio::test]
async fn a_refused_refresh_token_is_invalid_grant_and_is_not_sent_again() {
    let portal = FakePortal::start().await.unwrap();
    let client = oauth(&portal, MemoryTokenStore::new()).build().unwrap();
    portal.revoke_refresh_tokens();
    portal.expire_access_tokens();
    for _ in 0..3 {
        let error = client.call(&Current::new()).await.unwrap_err();
        let Error::Refresh(RefreshError::InvalidGrant(api)) = &error else {
            panic!("not invalid_grant: {error:?}");
        };
        assert_eq!(api.status, Some(400));
        assert_eq!(
            error.api_error().map(|e| e.code.as_str()),
            Some("invalid_grant")
        );
    }
    assert_eq!(portal.stats().refused_refreshes, 1);
}

#[tokio::test]
async fn a_wrong_client_secret_is_a_rejected_refresh() {
    let portal = FakePortal::start().await.unwrap();
    let issued = portal.issue_tokens();
    let auth = OAuth::new(
        portal.url(),
        portal.client_id(),
        "not-the-secret",
        Tokens::new(issued.access_token, issued.refresh_token),
        MemoryTokenStore::new(),
    )
    .token_url(portal.token_url());
    let client = Client::builder(auth).allow_http(true).build().unwrap();
    portal.expire_access_tokens();
    let error = client.call(&Current::new()).await.unwrap_err();
    let Error::Refresh(RefreshError::Rejected(api)) = &error else {
        panic!("not a rejected refresh: {error:?}");
    };
    assert_eq!(
        (api.code.as_str(), api.status),
        ("invalid_client", Some(401))
    );
}

/// A store that fails its first save.
#[derive(Default)]
struct FlakyStore {
    saves: AtomicUsize,
}

impl TokenStore for FlakyStore {
    fn save<'a>(&'a self, _: &'a Tokens) -> BoxFuture<'a, Result<(), TokenStoreError>> {
        let first = self.saves.fetch_add(1, Ordering::SeqCst) == 0;
        Box::pin(async move {
            if first {
                Err(TokenStoreError::new("disk full"))
            } else {
                Ok(())
            }
        })
    }
}

#[tokio::test]
async fn a_failed_save_is_reported_and_the_renewed_tokens_are_still_used() {
    let portal = FakePortal::start().await.unwrap();
    let client = oauth(&portal, FlakyStore::default()).build().unwrap();
    portal.expire_access_tokens();
    let error = client.call(&Current::new()).await.unwrap_err();
    assert!(matches!(error, Error::TokenStore(_)), "{error:?}");
    assert!(error.to_string().contains("disk full"));
    client.call(&Current::new()).await.unwrap();
    assert_eq!(portal.stats().refreshes, 1);
}

#[tokio::test]
async fn https_is_required_unless_plain_http_is_allowed() {
    let portal = FakePortal::start().await.unwrap();
    let error = Client::builder(Webhook::from_url(&portal.webhook_url()).unwrap())
        .build()
        .unwrap_err();
    assert!(
        matches!(error, BuildError::InsecureUrl { what: "portal URL" }),
        "{error:?}"
    );
    assert!(!error.to_string().contains(&portal.webhook_code()));

    let issued = portal.issue_tokens();
    let auth = OAuth::new(
        "https://example.bitrix24.com",
        "app",
        "secret",
        Tokens::new(issued.access_token, issued.refresh_token),
        MemoryTokenStore::new(),
    )
    .token_url(portal.token_url());
    let error = Client::builder(auth).build().unwrap_err();
    assert!(
        matches!(
            error,
            BuildError::InsecureUrl {
                what: "OAuth token URL"
            }
        ),
        "{error:?}"
    );
}
