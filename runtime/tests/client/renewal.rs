//! Token renewals against a hostile OAuth server: the credentials go in a POST body, and
//! a failed or hanging renewal is one outcome shared by every caller waiting for it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bitrix24::user::Current;
use bitrix24_runtime::Client;
use bitrix24_runtime::client::{
    Error, MemoryTokenStore, OAuth, RateLimit, RefreshError, RetryPolicy, Tokens,
};
use futures::future::join_all;

use crate::hostile::{Answer, Hostile, Seen};

const ACCESS: &str = "old-access-token";
const REFRESH: &str = "old-refresh-token";
const CLIENT_SECRET: &str = "the-client-secret";

/// A reply of `user.current`.
fn current_user() -> Answer {
    Answer::Json(200, r#"{"result":{"ID":"1","NAME":"Admin"}}"#.to_owned())
}

/// Whether a REST request carries the old access token.
fn with_old_token(seen: &Seen) -> bool {
    seen.text().contains(ACCESS)
}

/// An OAuth client of `server`, its token endpoint at `/oauth/token/`.
fn client(server: &Hostile, token_timeout: Duration) -> (Client, Arc<MemoryTokenStore>) {
    let store = Arc::new(MemoryTokenStore::new());
    let auth = OAuth::new(
        &server.url,
        "app.hostile",
        CLIENT_SECRET,
        Tokens::new(ACCESS, REFRESH),
        Arc::clone(&store),
    )
    .token_url(format!("{}/oauth/token/", server.url))
    .token_timeout(token_timeout);
    let client = Client::builder(auth)
        .allow_http(true)
        .rate_limit(RateLimit::new(1000.0, 1000))
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    (client, store)
}

fn expired() -> Answer {
    Answer::Json(
        401,
        r#"{"error":"expired_token","error_description":"The access token provided has expired."}"#
            .to_owned(),
    )
}

#[tokio::test]
async fn the_renewal_sends_its_credentials_in_a_post_body_not_the_url() {
    let server = Hostile::start(|seen, _| {
        if seen.target.starts_with("/oauth/") {
            Answer::Json(
                200,
                r#"{"access_token":"new-access","refresh_token":"new-refresh","expires_in":3600}"#
                    .to_owned(),
            )
        } else if with_old_token(seen) {
            expired()
        } else {
            current_user()
        }
    })
    .await;
    let (client, store) = client(&server, Duration::from_secs(5));
    client.call(&Current::new()).await.unwrap();
    let renewals = server.seen_at("/oauth/");
    assert_eq!(renewals.len(), 1);
    let renewal = &renewals[0];
    assert_eq!(
        (renewal.method.as_str(), renewal.target.as_str()),
        ("POST", "/oauth/token/")
    );
    assert_eq!(
        renewal.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let form: Vec<(String, String)> = form_urlencoded::parse(&renewal.body).into_owned().collect();
    for (name, value) in [
        ("grant_type", "refresh_token"),
        ("client_id", "app.hostile"),
        ("client_secret", CLIENT_SECRET),
        ("refresh_token", REFRESH),
    ] {
        assert!(
            form.contains(&(name.to_owned(), value.to_owned())),
            "{name} missing from {form:?}"
        );
    }
    assert_eq!(
        store
            .latest()
            .map(|tokens| tokens.access_token.expose().to_owned()),
        Some("new-access".to_owned())
    );
}

/// Runs `callers` concurrent calls behind an expired token against a token endpoint that
/// answers `renewal`; returns their errors and how long each took.
async fn callers_behind_a_failing_renewal(
    renewal: Answer,
    callers: usize,
    token_timeout: Duration,
) -> (
    Hostile,
    Client,
    Vec<(Error<bitrix24::user::CurrentError>, Duration)>,
) {
    let server = Hostile::start(move |seen, _| {
        if seen.target.starts_with("/oauth/") {
            renewal.clone()
        } else {
            expired()
        }
    })
    .await;
    let (client, _) = client(&server, token_timeout);
    let started = Instant::now();
    let calls = (0..callers).map(|_| {
        let client = client.clone();
        tokio::spawn(async move {
            let error = client.call(&Current::new()).await.unwrap_err();
            (error, started.elapsed())
        })
    });
    let outcomes = join_all(calls)
        .await
        .into_iter()
        .map(|outcome| outcome.unwrap())
        .collect();
    (server, client, outcomes)
}

#[tokio::test]
async fn a_failed_renewal_is_one_outcome_for_every_waiting_caller() {
    let late = |answer| Answer::Late(Duration::from_millis(300), Box::new(answer));
    for (name, renewal) in [
        (
            "HTML 500",
            late(Answer::Json(
                500,
                "<html>500 Internal Server Error</html>".into(),
            )),
        ),
        ("dropped connection", late(Answer::Close)),
        ("garbage", late(Answer::Json(200, r#"{"access_tok"#.into()))),
    ] {
        let (server, client, outcomes) =
            callers_behind_a_failing_renewal(renewal, 64, Duration::from_secs(5)).await;
        assert_eq!(
            server.seen_at("/oauth/").len(),
            1,
            "{name}: one renewal for 64 callers"
        );
        for (error, _) in &outcomes {
            assert!(matches!(error, Error::Refresh(_)), "{name}: {error:?}");
        }
        // A call that comes after the failure tries again.
        let error = client.call(&Current::new()).await.unwrap_err();
        assert!(matches!(error, Error::Refresh(_)), "{name}: {error:?}");
        assert_eq!(server.seen_at("/oauth/").len(), 2, "{name}");
    }
}

#[tokio::test]
async fn a_hanging_renewal_fails_every_caller_at_the_token_timeout() {
    let (server, _, outcomes) = callers_behind_a_failing_renewal(
        Answer::Stall(Duration::from_secs(20)),
        32,
        Duration::from_millis(500),
    )
    .await;
    assert_eq!(server.seen_at("/oauth/").len(), 1);
    let slowest = outcomes.iter().map(|(_, took)| *took).max().unwrap();
    let fastest = outcomes.iter().map(|(_, took)| *took).min().unwrap();
    assert!(
        fastest >= Duration::from_millis(450) && slowest < Duration::from_millis(3000),
        "callers finished between {fastest:?} and {slowest:?}"
    );
    for (error, _) in &outcomes {
        let Error::Refresh(RefreshError::Transport(transport)) = error else {
            panic!("not a transport failure of the renewal: {error:?}");
        };
        assert!(transport.is_timeout());
    }
}

#[tokio::test]
async fn an_oversized_or_redirected_token_reply_is_a_typed_refusal() {
    for (answer, expected) in [
        (Answer::Claims(1 << 20, Duration::from_secs(5)), "too large"),
        (Answer::Endless, "too large"),
        (
            Answer::With(
                307,
                vec![format!(
                    "Location: https://elsewhere.example/?secret={CLIENT_SECRET}"
                )],
                String::new(),
            ),
            "redirect",
        ),
    ] {
        let (server, _, outcomes) =
            callers_behind_a_failing_renewal(answer, 1, Duration::from_secs(5)).await;
        let (error, took) = &outcomes[0];
        let text = format!("{error} {error:?}");
        match error {
            Error::Refresh(RefreshError::TooLarge(too_large)) if expected == "too large" => {
                assert_eq!(too_large.limit, 64 * 1024);
            }
            Error::Refresh(RefreshError::Redirect(redirect)) if expected == "redirect" => {
                assert_eq!(redirect.status, 307);
            }
            _ => panic!("not {expected}: {text}"),
        }
        assert!(
            !text.contains(CLIENT_SECRET) && !text.contains("elsewhere"),
            "{text}"
        );
        assert!(*took < Duration::from_secs(3), "{took:?}");
        assert_eq!(server.seen_at("/oauth/").len(), 1);
    }
}

#[tokio::test]
async fn a_renewal_cut_by_the_call_deadline_still_ends_and_its_refresh_token_is_not_sent_again() {
    let server = Hostile::start(|seen, _| {
        if seen.target.starts_with("/oauth/") {
            Answer::Late(
                Duration::from_millis(800),
                Box::new(Answer::Json(
                    200,
                    r#"{"access_token":"new-access","refresh_token":"new-refresh","expires_in":3600}"#
                        .to_owned(),
                )),
            )
        } else if with_old_token(seen) {
            expired()
        } else {
            current_user()
        }
    })
    .await;
    let store = Arc::new(MemoryTokenStore::new());
    let auth = OAuth::new(
        &server.url,
        "app.hostile",
        CLIENT_SECRET,
        Tokens::new(ACCESS, REFRESH),
        Arc::clone(&store),
    )
    .token_url(format!("{}/oauth/token/", server.url))
    .token_timeout(Duration::from_secs(5));
    let client = Client::builder(auth)
        .allow_http(true)
        .rate_limit(RateLimit::new(1000.0, 1000))
        .retry(RetryPolicy::never())
        .call_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    // The call runs out while the OAuth server has not answered yet.
    let error = client.call(&Current::new()).await.unwrap_err();
    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
    // A call made meanwhile waits for the same renewal (within its own deadline).
    let error = client.call(&Current::new()).await.unwrap_err();
    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
    // The renewal went on without its caller: its answer is kept, and the refresh token
    // it sent is not sent again.
    tokio::time::sleep(Duration::from_millis(900)).await;
    client.call(&Current::new()).await.unwrap();
    assert_eq!(server.seen_at("/oauth/").len(), 1);
    assert_eq!(
        store
            .latest()
            .map(|tokens| tokens.access_token.expose().to_owned()),
        Some("new-access".to_owned())
    );
}
