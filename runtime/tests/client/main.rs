//! The client against the fake portal: every promise of `bitrix24_runtime::client`,
//! end to end over HTTP.

mod auth;
mod batch;
mod calls;
mod concurrency;
mod echoes;
mod failures;
mod hostile;
mod idempotency;
mod limits;
mod listing;
mod paging;
mod renewal;
mod replies;
mod support;
