//! Webhook codes, tokens and the client secret never show up in logs, errors or `Debug`
//! output, and every call is traced with its method, status and duration.
//!
//! A test binary of its own: it installs the global tracing subscriber, and tracing's
//! callsite cache makes a thread-local one unreliable while other tests run.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use bitrix24::crm::item::{Add, AddFields};
use bitrix24::user::Current;
use bitrix24_fake_portal::{FakePortal, Fault, FaultKind};
use bitrix24_runtime::Client;
use bitrix24_runtime::client::{MemoryTokenStore, OAuth, Tokens, Webhook};
use tracing_subscriber::fmt::format::FmtSpan;

#[path = "client/hostile.rs"]
#[expect(
    dead_code,
    reason = "shared with the client tests, which use all of it"
)]
mod hostile;

/// A log sink the test can read back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

#[tokio::test]
async fn secrets_stay_out_of_logs_errors_and_debug_output() {
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_writer({
            let logs = logs.clone();
            move || logs.clone()
        })
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");

    let portal = FakePortal::start().await.unwrap();
    let mut secrets = vec![portal.webhook_code(), portal.client_secret()];
    let mut seen = Vec::new();

    let client = Client::builder(Webhook::from_url(&portal.webhook_url()).unwrap())
        .allow_http(true)
        .build()
        .unwrap();
    seen.push(format!("{client:?}"));
    client.call(&Current::new()).await.unwrap();
    let failures = [
        None,
        Some(FaultKind::Html502),
        Some(FaultKind::TruncatedJson),
        Some(FaultKind::DropConnection),
    ];
    for fault in failures {
        if let Some(kind) = fault {
            portal.inject(Fault::new(kind).method("crm.item.add"));
        }
        // The title echoes the webhook code into the reply, as a careless server might.
        let title = format!("deal of {}", portal.webhook_code());
        match client
            .call(&Add::new(2, AddFields::new().title(&title)))
            .await
        {
            Ok(added) => seen.push(format!("{added:?}").replace(&title, "")),
            Err(error) => seen.push(format!("{error} {error:?}")),
        }
    }
    let error = client
        .call(&bitrix24::crm::item::Add::new(5, Default::default()))
        .await
        .unwrap_err();
    seen.push(format!("{error} {error:?}"));

    let tokens = Arc::new(MemoryTokenStore::new());
    let issued = portal.issue_tokens();
    secrets.push(issued.access_token.clone());
    secrets.push(issued.refresh_token.clone());
    let auth = OAuth::new(
        portal.url(),
        portal.client_id(),
        portal.client_secret(),
        Tokens::new(issued.access_token, issued.refresh_token),
        Arc::clone(&tokens),
    )
    .token_url(portal.token_url());
    let oauth_client = Client::builder(auth).allow_http(true).build().unwrap();
    seen.push(format!("{oauth_client:?}"));
    oauth_client.call(&Current::new()).await.unwrap();
    portal.expire_access_tokens();
    oauth_client.call(&Current::new()).await.unwrap();
    let renewed = tokens.latest().expect("renewed");
    secrets.push(renewed.access_token.expose().to_owned());
    secrets.push(renewed.refresh_token.expose().to_owned());
    seen.push(format!("{renewed:?}"));
    portal.revoke_refresh_tokens();
    portal.expire_access_tokens();
    let error = oauth_client.call(&Current::new()).await.unwrap_err();
    seen.push(format!("{error} {error:?}"));

    // A server that echoes the webhook code, percent-encoded, in every reply.
    let echo_code = "Echoed-c0de-in-logs";
    let server = hostile::Hostile::start(move |seen, _| {
        let echoed = seen.target.replace('-', "%2D");
        if seen.target.contains("crm.item.add") {
            hostile::Answer::Json(502, format!("<html>{echoed}</html>"))
        } else {
            hostile::Answer::Json(
                400,
                format!(r#"{{"error":"{echoed}","error_description":"{echoed}"}}"#),
            )
        }
    })
    .await;
    secrets.push(echo_code.to_owned());
    secrets.push(echo_code.replace('-', "%2D"));
    let echoing = Client::builder(Webhook::new(&server.url, 1, echo_code))
        .allow_http(true)
        .build()
        .unwrap();
    let error = echoing.call(&Current::new()).await.unwrap_err();
    seen.push(format!("{error} {error:?}"));
    let error = echoing
        .call(&Add::new(2, AddFields::new().title("x")))
        .await
        .unwrap_err();
    seen.push(format!("{error} {error:?}"));

    let logs = logs.text();
    for secret in &secrets {
        assert!(
            !logs.contains(secret.as_str()),
            "a secret in the logs:\n{logs}"
        );
        for text in &seen {
            assert!(!text.contains(secret.as_str()), "a secret in: {text}");
        }
    }
    assert!(
        seen.iter().any(|text| text.contains("[redacted]")),
        "{seen:#?}"
    );
    assert!(logs.contains("bitrix24.call"), "{logs}");
    assert!(
        logs.contains("method=\"crm.item.add\"") || logs.contains("method=crm.item.add"),
        "{logs}"
    );
    assert!(logs.contains("status=502"), "{logs}");
    assert!(logs.contains("duration_ms="), "{logs}");
    assert!(logs.contains("outcome=\"ok\""), "{logs}");
    assert!(logs.contains("attempts=1"), "{logs}");
}
