//! A hostile local server: scripted raw HTTP answers on 127.0.0.1, for what a fake portal
//! never does (redirects, huge and endless bodies, stalls, echoed secrets, failing token
//! renewals, far-future resets).
//!
//! Every connection and every answer is bounded: at most [`MAX_REQUESTS`] requests are
//! answered, an endless body stops after [`ENDLESS_CAP`] bytes or [`ENDLESS_TIME`], and a
//! stall lasts only as long as it is told to.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The most requests a server answers in all.
const MAX_REQUESTS: usize = 2_000;
/// The most body bytes an endless answer writes.
pub const ENDLESS_CAP: u64 = 256 * 1024 * 1024;
/// The longest an endless answer goes on.
const ENDLESS_TIME: Duration = Duration::from_secs(30);
/// The largest request head or body read.
const REQUEST_LIMIT: usize = 1 << 20;

/// A request the server received.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `GET`, `POST`, …
    pub method: String,
    /// The request target: path and query.
    pub target: String,
    /// The headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Seen {
    /// The value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(known, _)| known == name)
            .map(|(_, value)| value.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// How the server answers one request.
#[derive(Debug, Clone)]
pub enum Answer {
    /// A complete reply with this status and body, and `Content-Type: application/json`.
    Json(u16, String),
    /// A complete reply with these extra header lines (`Name: value`).
    With(u16, Vec<String>, String),
    /// `200` with a chunked body that never ends: chunks until the client hangs up, or
    /// [`ENDLESS_CAP`] bytes, or [`ENDLESS_TIME`].
    Endless,
    /// `200` declaring this `Content-Length`, then nothing, for this long.
    Claims(u64, Duration),
    /// No answer at all for this long, then the connection is closed.
    Stall(Duration),
    /// The connection is closed at once.
    Close,
    /// The answer, after a delay.
    Late(Duration, Box<Answer>),
}

/// A running hostile server; it stops when dropped.
pub struct Hostile {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    written: Arc<AtomicU64>,
    task: JoinHandle<()>,
}

type Script = dyn Fn(&Seen, usize) -> Answer + Send + Sync;

impl Hostile {
    /// Starts a server that answers request number `n` (from 0) as `script` says.
    pub async fn start(script: impl Fn(&Seen, usize) -> Answer + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let written = Arc::new(AtomicU64::new(0));
        let script: Arc<Script> = Arc::new(script);
        let count = Arc::new(AtomicUsize::new(0));
        let task = tokio::spawn({
            let seen = Arc::clone(&seen);
            let written = Arc::clone(&written);
            async move {
                while let Ok((stream, _)) = listener.accept().await {
                    tokio::spawn(serve(
                        stream,
                        Arc::clone(&script),
                        Arc::clone(&seen),
                        Arc::clone(&written),
                        Arc::clone(&count),
                    ));
                }
            }
        });
        Self {
            url,
            seen,
            written,
            task,
        }
    }

    /// The requests received so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The requests received so far whose target starts with `prefix`.
    pub fn seen_at(&self, prefix: &str) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|seen| seen.target.starts_with(prefix))
            .collect()
    }

    /// Body bytes written by endless answers.
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    /// The webhook URL of user 1 with `code` at this server.
    pub fn webhook_url(&self, code: &str) -> String {
        format!("{}/rest/1/{code}/", self.url)
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    mut stream: TcpStream,
    script: Arc<Script>,
    seen: Arc<Mutex<Vec<Seen>>>,
    written: Arc<AtomicU64>,
    count: Arc<AtomicUsize>,
) {
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_request(&mut stream, &mut buffer).await else {
            return;
        };
        let n = count.fetch_add(1, Ordering::Relaxed);
        if n >= MAX_REQUESTS {
            return;
        }
        let mut answer = script(&request, n);
        seen.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(request);
        while let Answer::Late(delay, later) = answer {
            tokio::time::sleep(delay).await;
            answer = *later;
        }
        match answer {
            Answer::Json(status, body) => {
                if write_reply(&mut stream, status, &[], &body).await.is_err() {
                    return;
                }
            }
            Answer::With(status, headers, body) => {
                if write_reply(&mut stream, status, &headers, &body)
                    .await
                    .is_err()
                {
                    return;
                }
            }
            Answer::Endless => {
                endless(&mut stream, &written).await;
                return;
            }
            Answer::Claims(length, hold) => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
                );
                let _ = stream.write_all(head.as_bytes()).await;
                tokio::time::sleep(hold).await;
                return;
            }
            Answer::Stall(hold) => {
                tokio::time::sleep(hold).await;
                return;
            }
            Answer::Close | Answer::Late(..) => return,
        }
    }
}

async fn write_reply(
    stream: &mut TcpStream,
    status: u16,
    headers: &[String],
    body: &str,
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status} Whatever\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for header in headers {
        head.push_str(header);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await
}

/// Writes a chunked body until the client hangs up or a bound is reached.
async fn endless(stream: &mut TcpStream, written: &AtomicU64) {
    let head =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    if stream.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let mut chunk = format!("{:x}\r\n", 64 * 1024).into_bytes();
    chunk.extend(std::iter::repeat_n(b' ', 64 * 1024));
    chunk.extend_from_slice(b"\r\n");
    let started = Instant::now();
    let mut sent = 0;
    while sent < ENDLESS_CAP && started.elapsed() < ENDLESS_TIME {
        if stream.write_all(&chunk).await.is_err() {
            return;
        }
        sent += 64 * 1024;
        written.fetch_add(64 * 1024, Ordering::Relaxed);
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
}

/// Reads one request (head and `Content-Length` body); `None` when the connection ends.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Seen> {
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            break at;
        }
        if buffer.len() > REQUEST_LIMIT || !fill(stream, buffer).await {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let target = first.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0)
        .min(REQUEST_LIMIT);
    let body_start = head_end + 4;
    while buffer.len() < body_start + length {
        if !fill(stream, buffer).await {
            return None;
        }
    }
    let body = buffer[body_start..body_start + length].to_vec();
    buffer.drain(..body_start + length);
    Some(Seen {
        method,
        target,
        headers,
        body,
    })
}

async fn fill(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> bool {
    let mut chunk = [0u8; 8192];
    match stream.read(&mut chunk).await {
        Ok(0) | Err(_) => false,
        Ok(read) => {
            buffer.extend_from_slice(&chunk[..read]);
            true
        }
    }
}
