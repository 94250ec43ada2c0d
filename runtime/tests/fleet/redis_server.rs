//! A `redis-server` of the test's own: on a free port of 127.0.0.1, with a password, no
//! persistence, in a directory of its own; stopped when dropped.

use std::hash::{BuildHasher, RandomState};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The program `name` (such as `redis-server` or `openssl`) on the `PATH`, if any.
pub fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// A running (or stopped) Redis server.
pub struct RedisServer {
    binary: PathBuf,
    dir: PathBuf,
    port: u16,
    password: String,
    /// `--tls-…` settings: the server speaks TLS only.
    tls: Option<Tls>,
    child: Option<Child>,
}

/// The files of a TLS server.
#[derive(Clone)]
pub struct Tls {
    pub certificate: PathBuf,
    pub key: PathBuf,
    pub ca: PathBuf,
}

impl RedisServer {
    /// Starts a server over plain TCP.
    pub fn start(binary: &Path) -> Self {
        Self::launch(binary, None)
    }

    /// Starts a server that speaks TLS only, with `tls`'s certificate.
    pub fn start_tls(binary: &Path, tls: Tls) -> Self {
        Self::launch(binary, Some(tls))
    }

    fn launch(binary: &Path, tls: Option<Tls>) -> Self {
        let random = RandomState::new().hash_one(Instant::now());
        let dir = std::env::temp_dir().join(format!(
            "bitrix24-fleet-redis-{}-{random:x}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("a directory for redis-server");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let mut server = Self {
            binary: binary.to_owned(),
            dir,
            port,
            password: format!("fleet-{random:x}"),
            tls,
            child: None,
        };
        server.restart();
        server
    }

    /// The URL clients connect with: `redis://:<password>@127.0.0.1:<port>/`, or
    /// `rediss://:<password>@localhost:<port>/` over TLS.
    pub fn url(&self) -> String {
        match self.tls {
            None => format!("redis://:{}@127.0.0.1:{}/", self.password, self.port),
            Some(_) => format!("rediss://:{}@localhost:{}/", self.password, self.port),
        }
    }

    /// The password, to check that it shows up nowhere.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port, empty, and waits until it accepts
    /// connections.
    pub fn restart(&mut self) {
        self.stop();
        let port = self.port.to_string();
        let mut command = Command::new(&self.binary);
        command
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--requirepass", &self.password])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        match &self.tls {
            None => {
                command.args(["--port", &port]);
            }
            Some(tls) => {
                command
                    .args([
                        "--port",
                        "0",
                        "--tls-port",
                        &port,
                        "--tls-auth-clients",
                        "no",
                    ])
                    .arg("--tls-cert-file")
                    .arg(&tls.certificate)
                    .arg("--tls-key-file")
                    .arg(&tls.key)
                    .arg("--tls-ca-cert-file")
                    .arg(&tls.ca);
            }
        }
        self.child = Some(command.spawn().expect("redis-server starts"));
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not listen on port {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
