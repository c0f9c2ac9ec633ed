//! The functions' `done` lines, caught in process: a `tracing` layer that keeps each request's
//! route (from its `request` span) with the `done` line's DynamoDB requests and time.

use std::sync::Mutex;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

/// One request's `done` line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Done {
    /// The template's route (`POST /chatx/moments/like`, a WebSocket route key).
    pub route: String,
    pub dynamodb_requests: u64,
    /// Microseconds spent waiting for DynamoDB.
    pub dynamodb_us: u64,
    /// The answer's code (the envelope's, or the HTTP status).
    pub code: i64,
}

static DONE: Mutex<Vec<Done>> = Mutex::new(Vec::new());
static SEEN: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// Waits (at most `limit`) for the `done` line of `route`, and takes it.
pub async fn wait_for(route: &str, limit: std::time::Duration) -> Option<Done> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let seen = SEEN.notified();
        {
            let mut done = DONE.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(i) = done.iter().position(|d| d.route == route) {
                return Some(done.remove(i));
            }
        }
        if tokio::time::timeout_at(deadline, seen).await.is_err() {
            return None;
        }
    }
}

/// The `done` lines written since the last `take`.
pub fn take() -> Vec<Done> {
    std::mem::take(&mut *DONE.lock().unwrap_or_else(|p| p.into_inner()))
}

/// The layer to install.
pub struct DoneLines;

struct Route(String);

#[derive(Default)]
struct Fields {
    message: String,
    route: String,
    requests: u64,
    us: u64,
    code: i64,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            "route" => self.route = format!("{value:?}"),
            _ => {}
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "message" => self.message = value.to_owned(),
            "route" => self.route = value.to_owned(),
            _ => {}
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "dynamodb_requests" => self.requests = value,
            "dynamodb_us" => self.us = value,
            "code" => self.code = i64::try_from(value).unwrap_or(i64::MAX),
            _ => {}
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if field.name() == "code" {
            self.code = value;
        }
        self.record_u64(field, u64::try_from(value).unwrap_or(0));
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for DoneLines {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != "request" {
            return;
        }
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(Route(fields.route));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        if fields.message != "done" {
            return;
        }
        let route = ctx
            .event_scope(event)
            .and_then(|mut scope| scope.find_map(|span| span.extensions().get::<Route>().map(|r| r.0.clone())))
            .unwrap_or_default();
        DONE.lock().unwrap_or_else(|p| p.into_inner()).push(Done {
            route,
            dynamodb_requests: fields.requests,
            dynamodb_us: fields.us,
            code: fields.code,
        });
        SEEN.notify_waiters();
    }
}
