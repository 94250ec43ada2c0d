//! An OAuth application that keeps its tokens in a file: renewed tokens are written as
//! soon as the client gets them.
//!
//! Runs against a local fake portal whose access token has expired, so the first call
//! renews it.
//!
//! ```sh
//! cargo run -p bitrix24-runtime --example oauth
//! ```

use std::path::PathBuf;

use bitrix24::user::Current;
use bitrix24_fake_portal::FakePortal;
use bitrix24_runtime::Client;
use bitrix24_runtime::client::{OAuth, TokenStore, TokenStoreError, Tokens};
use futures::future::BoxFuture;

/// Writes the tokens to a file readable only by its owner.
struct FileStore {
    path: PathBuf,
}

impl TokenStore for FileStore {
    fn save<'a>(&'a self, tokens: &'a Tokens) -> BoxFuture<'a, Result<(), TokenStoreError>> {
        Box::pin(async move {
            let text = serde_json::json!({
                "access_token": tokens.access_token.expose(),
                "refresh_token": tokens.refresh_token.expose(),
                "expires_at": tokens.expires_at,
                "client_endpoint": tokens.client_endpoint,
            })
            .to_string();
            write_private(&self.path, &text).map_err(TokenStoreError::new)
        })
    }
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let portal = FakePortal::start().await?;
    let issued = portal.issue_tokens();
    let path = std::env::temp_dir().join(format!(
        "bitrix24-example-tokens-{}.json",
        std::process::id()
    ));
    let auth = OAuth::new(
        portal.url(),
        portal.client_id(),
        portal.client_secret(),
        Tokens::new(issued.access_token, issued.refresh_token),
        FileStore { path: path.clone() },
    )
    .token_url(portal.token_url());
    let client = Client::builder(auth).allow_http(true).build()?;

    portal.expire_access_tokens();
    let me = client.call(&Current::new()).await?.0;
    println!(
        "calling as user {:?}; renewed tokens saved to {}",
        me.id,
        path.display()
    );
    std::fs::remove_file(&path)?;
    Ok(())
}
