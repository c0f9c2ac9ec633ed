//! A fault-injecting proxy between the functions' DynamoDB clients and the DynamoDB API server
//! (docs/reliability.md). An HTTP/1.1 reverse proxy on `127.0.0.1:<random port>` that forwards
//! each request and, at a chosen rate, answers in its place what DynamoDB answers when things go
//! wrong, or cuts the connection:
//!
//! | kind | what the client sees | applied on the server? |
//! |---|---|---|
//! | [`Kind::InternalServerError`] | HTTP 500 `InternalServerError` | no |
//! | [`Kind::Throttling`] | HTTP 400 `ThrottlingException` | no |
//! | [`Kind::ProvisionedThroughputExceeded`] | HTTP 400 `ProvisionedThroughputExceededException` | no |
//! | [`Kind::TransactionConflict`] | HTTP 400 `TransactionCanceledException`, the first item `TransactionConflict` (TransactWriteItems only: moto never produces it) | no |
//! | [`Kind::Latency`] | the real answer, late (10 to 250 ms) | yes |
//! | [`Kind::DropBeforeForwarding`] | the connection closes, no answer | no |
//! | [`Kind::DropAfterForwarding`] | the connection closes, no answer | **yes**: the case `ClientRequestToken` exists for |
//!
//! The errors have DynamoDB's JSON shape (`{"__type": "com.amazonaws.dynamodb.v20120810#…",
//! "message": …}` and `x-amzn-ErrorType`), so the SDK reads them as it reads DynamoDB's. Which
//! requests meet a fault, and which fault, comes from one RNG seeded with [`Faults::seed`]: the
//! sequence of decisions is reproducible; which request meets which decision depends on the
//! order requests arrive in. Requests that aren't DynamoDB's (no `X-Amz-Target`) are forwarded
//! untouched. [`FaultProxy::injected`] counts what was injected, per kind.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::BodyExt;
use hyper::body::{Bytes, Incoming};
use hyper::http::request::Parts;
use hyper::{Request, StatusCode};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::json;

use crate::proxy::{self, Answer, Handle, Listening, Upstream, dynamodb_error};

/// What the proxy injects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    InternalServerError,
    Throttling,
    ProvisionedThroughputExceeded,
    TransactionConflict,
    Latency,
    DropBeforeForwarding,
    DropAfterForwarding,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::InternalServerError,
        Kind::Throttling,
        Kind::ProvisionedThroughputExceeded,
        Kind::TransactionConflict,
        Kind::Latency,
        Kind::DropBeforeForwarding,
        Kind::DropAfterForwarding,
    ];

    fn index(self) -> usize {
        Self::ALL.iter().position(|k| *k == self).expect("every kind is in ALL")
    }
}

/// The faults to inject.
#[derive(Debug, Clone)]
pub struct Faults {
    /// The share of DynamoDB requests that meet a fault (0.0 to 1.0).
    pub rate: f64,
    /// Seeds the one RNG every decision is drawn from.
    pub seed: u64,
    /// The kinds to choose from, each equally likely (a `TransactionConflict` only where the
    /// request is a TransactWriteItems; elsewhere another kind is drawn).
    pub kinds: Vec<Kind>,
}

impl Faults {
    /// Every kind at `rate`.
    pub fn all(rate: f64, seed: u64) -> Self {
        Self {
            rate,
            seed,
            kinds: Kind::ALL.to_vec(),
        }
    }
}

/// What was injected, per kind, and how many DynamoDB requests the proxy saw while injecting.
#[derive(Clone, PartialEq, Eq)]
pub struct Injected {
    pub requests: u64,
    counts: [u64; Kind::ALL.len()],
}

impl Injected {
    pub fn count(&self, kind: Kind) -> u64 {
        self.counts[kind.index()]
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// How many kinds were injected at least once.
    pub fn kinds_seen(&self) -> usize {
        self.counts.iter().filter(|c| **c > 0).count()
    }
}

impl fmt::Debug for Injected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        m.entry(&"requests", &self.requests);
        for kind in Kind::ALL {
            m.entry(&kind, &self.count(kind));
        }
        m.finish()
    }
}

struct Shared {
    upstream: Upstream,
    faults: Faults,
    rng: Mutex<StdRng>,
    active: AtomicBool,
    requests: AtomicU64,
    counts: [AtomicU64; Kind::ALL.len()],
}

/// The running proxy; it stops when dropped.
pub struct FaultProxy {
    listening: Listening,
    shared: Arc<Shared>,
}

/// The connection is to be closed without an answer.
#[derive(Debug)]
struct Dropped;

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

impl FaultProxy {
    /// Starts the proxy in front of `upstream` (`http://127.0.0.1:PORT`), injecting nothing until
    /// [`FaultProxy::start_injecting`].
    pub async fn start(upstream: &str, faults: Faults) -> Self {
        let shared = Arc::new(Shared {
            upstream: Upstream::new(upstream),
            rng: Mutex::new(StdRng::seed_from_u64(faults.seed)),
            faults,
            active: AtomicBool::new(false),
            requests: AtomicU64::new(0),
            counts: Default::default(),
        });
        let listening = Listening::start(shared.clone()).await;
        Self { listening, shared }
    }

    pub fn url(&self) -> String {
        self.listening.url()
    }

    /// From now on, DynamoDB requests meet faults at the chosen rate.
    pub fn start_injecting(&self) {
        self.shared.active.store(true, Ordering::SeqCst);
    }

    /// From now on, every request is forwarded untouched (the counts stay).
    pub fn stop_injecting(&self) {
        self.shared.active.store(false, Ordering::SeqCst);
    }

    /// What was injected so far.
    pub fn injected(&self) -> Injected {
        let mut counts = [0; Kind::ALL.len()];
        for (c, a) in counts.iter_mut().zip(&self.shared.counts) {
            *c = a.load(Ordering::SeqCst);
        }
        Injected {
            requests: self.shared.requests.load(Ordering::SeqCst),
            counts,
        }
    }
}

impl Shared {
    /// Draws the fault for a request of `operation`, if any.
    fn decide(&self, operation: &str) -> Option<Kind> {
        if !self.active.load(Ordering::SeqCst) || self.faults.kinds.is_empty() {
            return None;
        }
        self.requests.fetch_add(1, Ordering::SeqCst);
        let mut rng = self.rng.lock().expect("rng");
        if rng.random::<f64>() >= self.faults.rate {
            return None;
        }
        let kinds: Vec<Kind> = self
            .faults
            .kinds
            .iter()
            .copied()
            .filter(|k| *k != Kind::TransactionConflict || operation == "TransactWriteItems")
            .collect();
        if kinds.is_empty() {
            return None;
        }
        let kind = kinds[rng.random_range(0..kinds.len())];
        self.counts[kind.index()].fetch_add(1, Ordering::SeqCst);
        Some(kind)
    }

    fn latency(&self) -> Duration {
        Duration::from_millis(self.rng.lock().expect("rng").random_range(10..=250))
    }

    /// Forwarded as it came; the server out of reach is a dropped connection to the client.
    async fn forward(&self, parts: &Parts, body: Bytes) -> Result<Answer, Dropped> {
        let forwarded = self.upstream.forward(parts, body).await.map_err(|_| Dropped)?;
        Ok(forwarded.into_answer())
    }
}

impl Handle for Shared {
    type Error = Dropped;

    async fn handle(&self, req: Request<Incoming>) -> Result<Answer, Dropped> {
        let (parts, body) = req.into_parts();
        let body = body.collect().await.map_err(|_| Dropped)?.to_bytes();
        let fault = proxy::operation(&parts).and_then(|op| self.decide(op));
        match fault {
            Some(Kind::InternalServerError) => Ok(dynamodb_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalServerError",
                json!({"message": "Internal server error (injected)"}),
            )),
            Some(Kind::Throttling) => Ok(dynamodb_error(
                StatusCode::BAD_REQUEST,
                "ThrottlingException",
                json!({"message": "Rate of requests exceeds the allowed throughput (injected)"}),
            )),
            Some(Kind::ProvisionedThroughputExceeded) => Ok(dynamodb_error(
                StatusCode::BAD_REQUEST,
                "ProvisionedThroughputExceededException",
                json!({"message": "The level of configured provisioned throughput for the table was exceeded (injected)"}),
            )),
            Some(Kind::TransactionConflict) => Ok(conflict(&body)),
            Some(Kind::DropBeforeForwarding) => Err(Dropped),
            Some(Kind::DropAfterForwarding) => {
                self.forward(&parts, body).await?;
                Err(Dropped)
            }
            Some(Kind::Latency) => {
                tokio::time::sleep(self.latency()).await;
                self.forward(&parts, body).await
            }
            None => self.forward(&parts, body).await,
        }
    }
}

/// DynamoDB's answer to a TransactWriteItems that lost to a concurrent transaction: the first
/// item `TransactionConflict`, the others `None`.
fn conflict(body: &[u8]) -> Answer {
    let items = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|b| b["TransactItems"].as_array().map(Vec::len))
        .unwrap_or(1)
        .max(1);
    let reasons: Vec<_> = (0..items)
        .map(|i| match i {
            0 => json!({"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}),
            _ => json!({"Code": "None"}),
        })
        .collect();
    let codes: Vec<&str> = (0..items)
        .map(|i| if i == 0 { "TransactionConflict" } else { "None" })
        .collect();
    dynamodb_error(
        StatusCode::BAD_REQUEST,
        "TransactionCanceledException",
        json!({
            "Message": format!("Transaction cancelled, please refer cancellation reasons for specific reasons [{}]", codes.join(", ")),
            "CancellationReasons": reasons,
        }),
    )
}
