//! A span per request — method, matched route, status, latency, the error reference — and an
//! access log line at `info` when it ends. Requests are named by their route pattern
//! (`/pupils/{id}`), never by the path that was asked for: an address, with its ids and query,
//! can say something about a child.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;
use tracing::field::Empty;

use crate::error::ErrorInfo;

pub async fn requests(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unrouted)", MatchedPath::as_str)
        .to_owned();
    let span = tracing::info_span!(
        "request",
        method = %req.method(),
        route = %route,
        status = Empty,
        latency_ms = Empty,
        reference = Empty,
    );
    let started = Instant::now();
    let response = next.run(req).instrument(span.clone()).await;
    let status = response.status().as_u16();
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let reference = response
        .extensions()
        .get::<ErrorInfo>()
        .and_then(|i| i.reference.clone())
        .unwrap_or_default();
    span.record("status", status);
    span.record("latency_ms", latency_ms);
    if !reference.is_empty() {
        span.record("reference", tracing::field::display(&reference));
    }
    span.in_scope(|| tracing::info!(status, latency_ms, "request"));
    response
}
