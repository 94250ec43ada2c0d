//! `rediss://` URLs: TLS with the server's certificate verified (against the roots in
//! `SSL_CERT_FILE`), AUTH with the URL's password, which shows up in no output.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use bitrix24_fake_portal::FakePortal;
use serde_json::json;

use crate::processes::spawn;
use crate::redis_server::{RedisServer, Tls, on_path};
use crate::worker::{Auth, Call, Shared, Spec};
use crate::{Env, under_ci};

/// Makes a certificate authority and a certificate for `localhost` / 127.0.0.1 signed by
/// it, in `dir`.
fn certificates(openssl: &Path, dir: &Path) -> Tls {
    let run = |args: &[&str]| {
        let status = Command::new(openssl)
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl runs");
        assert!(
            status.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&status.stderr)
        );
    };
    let ec = "ec_paramgen_curve:prime256v1";
    run(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        ec,
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "1",
        "-subj",
        "/CN=bitrix24 fleet test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        ec,
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .expect("the extensions file");
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "1",
        "-extfile",
        "server.ext",
    ]);
    Tls {
        certificate: dir.join("server.pem"),
        key: dir.join("server.key"),
        ca: dir.join("ca.pem"),
    }
}

pub fn rediss_urls_verify_the_server_and_hide_the_password(env: &Env) {
    let Some(openssl) = on_path("openssl") else {
        assert!(
            !under_ci(),
            "openssl is needed to make the test's certificates"
        );
        println!("  SKIPPED: openssl is not on the PATH");
        return;
    };
    let dir = std::env::temp_dir().join(format!("bitrix24-fleet-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a directory for the certificates");
    let tls = certificates(&openssl, &dir);
    let redis = RedisServer::start_tls(&env.binary, tls.clone());
    let portal = env
        .runtime
        .block_on(FakePortal::builder().no_rate_limit().start())
        .expect("a portal");
    let spec = Spec {
        auth: Auth::Webhook(portal.webhook_url()),
        redis: Some(Shared::new(redis.url(), "tls")),
        rate: (1000.0, 1000),
        max_attempts: 1,
        max_operating_wait_ms: 0,
        tasks: vec![vec![Call::new("user.current", json!({}))]],
        repeat_until_ms: None,
        pause_ms: 0,
    };
    let ca = tls.ca.to_string_lossy().into_owned();
    let deadline = Instant::now() + Duration::from_secs(30);
    let trusted = spawn(&spec, &[("SSL_CERT_FILE", &ca)]).finish(deadline);
    let no_roots = dir.join("no-roots.pem");
    std::fs::write(&no_roots, "").expect("an empty root file");
    let untrusted =
        spawn(&spec, &[("SSL_CERT_FILE", &no_roots.to_string_lossy())]).finish(deadline);
    println!(
        "  trusted CA: {:?}; unknown CA: {:?}",
        trusted.calls[0].error, untrusted.calls[0].detail
    );
    assert_eq!(
        trusted.calls[0].error, None,
        "{:?}",
        trusted.calls[0].detail
    );
    assert_eq!(untrusted.calls[0].error.as_deref(), Some("coordination"));
    for call in trusted.calls.iter().chain(&untrusted.calls) {
        if let Some(detail) = &call.detail {
            assert!(!detail.contains(redis.password()), "{detail}");
        }
    }
    drop(redis);
    let _ = std::fs::remove_dir_all(&dir);
}
