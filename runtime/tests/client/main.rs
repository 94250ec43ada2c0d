//! The client against the fake portal: every promise of `bitrix24_runtime::client`,
//! end to end over HTTP.

mod auth;
mod batch;
mod calls;
mod concurrency;
mod failures;
mod limits;
mod listing;
mod paging;
mod support;
