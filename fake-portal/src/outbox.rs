//! Posting events to handler URLs, one at a time in the order they were raised, as
//! Bitrix24's queue server does, outside the lock on the portal's state.

use std::sync::Weak;
use std::time::Duration;

use reqwest::header;
use tokio::sync::{mpsc, oneshot};

use crate::server::Portal;

/// How long a handler may take to answer.
const HANDLER_TIMEOUT: Duration = Duration::from_secs(10);

/// Work for the task that posts events.
#[derive(Debug)]
pub(crate) enum Job {
    /// Post a form-encoded `body` to the handler `url`.
    Deliver { url: String, body: String },
    /// Signal once every earlier job is done.
    Flush(oneshot::Sender<()>),
}

/// Where raised events go: the queue of the posting task, and the portal's address for
/// the `auth` of each event.
#[derive(Debug)]
pub(crate) struct Outbox {
    base_url: String,
    jobs: mpsc::UnboundedSender<Job>,
}

impl Outbox {
    /// An outbox for the portal at `base_url`, and the queue [`post_events`] works
    /// through.
    pub(crate) fn new(base_url: String) -> (Self, mpsc::UnboundedReceiver<Job>) {
        let (jobs, queue) = mpsc::unbounded_channel();
        (Self { base_url, jobs }, queue)
    }

    /// The portal's address, `http://127.0.0.1:<port>`.
    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Queues an event for the handler `url`.
    pub(crate) fn deliver(&self, url: String, body: String) {
        // Once the posting task is gone the portal is shutting down; nobody waits for
        // the event then.
        let _ = self.jobs.send(Job::Deliver { url, body });
    }

    /// A signal that fires once every event queued so far has been posted.
    pub(crate) fn flush(&self) -> oneshot::Receiver<()> {
        let (done, flushed) = oneshot::channel();
        // If the task is gone, `done` is dropped and the receiver wakes up at once.
        let _ = self.jobs.send(Job::Flush(done));
        flushed
    }
}

/// Posts queued events until the portal is dropped, counting in the portal's stats which
/// handlers answered with a 2xx status and which did not (or could not be reached).
pub(crate) async fn post_events(mut queue: mpsc::UnboundedReceiver<Job>, portal: Weak<Portal>) {
    let http = match reqwest::Client::builder().timeout(HANDLER_TIMEOUT).build() {
        Ok(http) => http,
        Err(error) => {
            eprintln!("fake portal cannot post events: {error}");
            return;
        }
    };
    while let Some(job) = queue.recv().await {
        match job {
            Job::Deliver { url, body } => {
                let delivered = http
                    .post(&url)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(body)
                    .send()
                    .await
                    .is_ok_and(|reply| reply.status().is_success());
                let Some(portal) = portal.upgrade() else {
                    return;
                };
                let mut state = portal.lock();
                if delivered {
                    state.stats.events_delivered += 1;
                } else {
                    state.stats.events_refused += 1;
                }
            }
            Job::Flush(done) => {
                let _ = done.send(());
            }
        }
    }
}
