//! A throttling proxy between the functions' DynamoDB clients and the DynamoDB API server: it
//! enforces DynamoDB's write limit per partition key (1,000 WCU a second; here a chosen rate,
//! since the local API server serves far fewer requests than one DynamoDB partition takes) and
//! answers past it as DynamoDB does (docs/chatx.md, *Hot posts*):
//!
//! | request | over the limit |
//! |---|---|
//! | `TransactWriteItems` | HTTP 400 `TransactionCanceledException`, reason `ThrottlingError` on each item over its key's budget, `None` on the others |
//! | `PutItem`, `UpdateItem`, `DeleteItem`, `BatchWriteItem` | HTTP 400 `ProvisionedThroughputExceededException` (the SDK retries it) |
//!
//! Each key has a token bucket refilled at the rate and holding one second of it (no burst
//! credit beyond that). A write is charged as DynamoDB charges it: a put `ceil(item size / 1 KB)`,
//! an update, delete or condition check 1 (the item's size is not in the request: small items
//! assumed), twice inside a transaction; a request is charged only if every key it writes has
//! the units, and a throttled request is charged nothing. Reads, and writes to secondary
//! indexes, are not limited. [`Scope::Item`] keys the budget by item (partition and sort key)
//! instead: DynamoDB splits a hot item collection across partitions by sort key ("split for
//! heat", tables without local secondary indexes), so what can't be spread is one item.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::{Request, StatusCode};
use serde_json::{Value, json};

use crate::proxy::{self, Answer, Handle, Listening, Upstream, dynamodb_error};

/// What one budget covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// All items of a partition key (DynamoDB's rule for one partition).
    PartitionKey,
    /// One item (a hot item collection split for heat).
    Item,
}

/// The limit the proxy enforces.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Write units a second per key (DynamoDB: 1,000).
    pub wcu_per_second: f64,
    pub scope: Scope,
}

/// What the proxy saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Seen {
    /// Write requests forwarded.
    pub forwarded: u64,
    /// Write requests throttled.
    pub throttled: u64,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

struct Shared {
    upstream: Upstream,
    limit: Limit,
    buckets: Mutex<HashMap<String, Bucket>>,
    forwarded: AtomicU64,
    throttled: AtomicU64,
}

/// The running proxy; it stops when dropped.
pub struct ThrottleProxy {
    listening: Listening,
    shared: Arc<Shared>,
}

impl ThrottleProxy {
    /// Starts the proxy in front of `upstream` (`http://127.0.0.1:PORT`).
    pub async fn start(upstream: &str, limit: Limit) -> Self {
        let shared = Arc::new(Shared {
            upstream: Upstream::new(upstream),
            limit,
            buckets: Mutex::new(HashMap::new()),
            forwarded: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
        });
        let listening = Listening::start(shared.clone()).await;
        Self { listening, shared }
    }

    pub fn url(&self) -> String {
        self.listening.url()
    }

    pub fn seen(&self) -> Seen {
        Seen {
            forwarded: self.shared.forwarded.load(Ordering::SeqCst),
            throttled: self.shared.throttled.load(Ordering::SeqCst),
        }
    }
}

/// One write of a request: the key its budget is kept under and its write units.
#[derive(Debug, Clone, PartialEq)]
struct Write {
    key: String,
    units: f64,
}

/// DynamoDB's item size: attribute names plus values (strings and binaries by their bytes,
/// numbers about one byte per two digits, containers 3 bytes plus their parts).
fn size(value: &Value) -> usize {
    match value {
        Value::Object(attrs) if attrs.len() == 1 => {
            let (kind, v) = attrs.iter().next().expect("one entry");
            match (kind.as_str(), v) {
                ("S" | "B", Value::String(s)) => s.len(),
                ("N", Value::String(s)) => s.len().div_ceil(2) + 1,
                ("BOOL" | "NULL", _) => 1,
                ("M", Value::Object(m)) => 3 + m.iter().map(|(k, v)| k.len() + size(v)).sum::<usize>(),
                ("L", Value::Array(l)) => 3 + l.iter().map(size).sum::<usize>(),
                ("SS" | "NS" | "BS", Value::Array(l)) => l.iter().map(|v| v.as_str().map_or(0, str::len)).sum(),
                _ => 0,
            }
        }
        _ => 0,
    }
}

fn item_size(item: &Value) -> usize {
    item.as_object()
        .map_or(0, |attrs| attrs.iter().map(|(k, v)| k.len() + size(v)).sum())
}

impl Shared {
    fn budget_key(&self, item_or_key: &Value) -> String {
        let text = |name: &str| item_or_key[name]["S"].as_str().unwrap_or_default().to_owned();
        match self.limit.scope {
            Scope::PartitionKey => text("PK"),
            Scope::Item => format!("{}\u{0}{}", text("PK"), text("SK")),
        }
    }

    fn put(&self, item: &Value, factor: f64) -> Write {
        Write {
            key: self.budget_key(item),
            units: item_size(item).div_ceil(1024).max(1) as f64 * factor,
        }
    }

    fn keyed(&self, key: &Value, factor: f64) -> Write {
        Write {
            key: self.budget_key(key),
            units: factor,
        }
    }

    /// The writes of a request, in request order (empty for reads and anything else).
    fn writes(&self, operation: &str, body: &Value) -> Vec<Write> {
        match operation {
            "PutItem" => vec![self.put(&body["Item"], 1.0)],
            "UpdateItem" | "DeleteItem" => vec![self.keyed(&body["Key"], 1.0)],
            "TransactWriteItems" => body["TransactItems"]
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .map(
                            |t| match (&t["Put"], &t["Update"], &t["Delete"], &t["ConditionCheck"]) {
                                (Value::Object(p), ..) => self.put(&p["Item"], 2.0),
                                (_, Value::Object(u), ..) => self.keyed(&u["Key"], 2.0),
                                (_, _, Value::Object(d), _) => self.keyed(&d["Key"], 2.0),
                                (_, _, _, c) => self.keyed(&c["Key"], 2.0),
                            },
                        )
                        .collect()
                })
                .unwrap_or_default(),
            "BatchWriteItem" => body["RequestItems"]
                .as_object()
                .map(|tables| {
                    tables
                        .values()
                        .filter_map(Value::as_array)
                        .flatten()
                        .map(|r| match &r["PutRequest"] {
                            Value::Object(p) => self.put(&p["Item"], 1.0),
                            _ => self.keyed(&r["DeleteRequest"]["Key"], 1.0),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// Charges `writes` if every key has the units; otherwise charges nothing and answers, per
    /// write, whether its key was over budget.
    fn charge(&self, writes: &[Write]) -> Result<(), Vec<bool>> {
        let rate = self.limit.wcu_per_second;
        let now = Instant::now();
        let mut buckets = self.buckets.lock().expect("buckets");
        let mut demand: HashMap<&str, f64> = HashMap::new();
        for w in writes {
            *demand.entry(&w.key).or_default() += w.units;
        }
        let mut over = Vec::new();
        for (key, units) in &demand {
            let bucket = buckets
                .entry((*key).to_owned())
                .or_insert(Bucket { tokens: rate, at: now });
            bucket.tokens = (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * rate).min(rate);
            bucket.at = now;
            if bucket.tokens < *units {
                over.push(*key);
            }
        }
        if !over.is_empty() {
            return Err(writes.iter().map(|w| over.contains(&w.key.as_str())).collect());
        }
        for (key, units) in demand {
            if let Some(bucket) = buckets.get_mut(key) {
                bucket.tokens -= units;
            }
        }
        Ok(())
    }
}

impl Handle for Shared {
    type Error = std::io::Error;

    async fn handle(&self, req: Request<Incoming>) -> Result<Answer, std::io::Error> {
        let (parts, body) = req.into_parts();
        let body = body.collect().await.map_err(std::io::Error::other)?.to_bytes();
        let operation = proxy::operation(&parts).unwrap_or_default().to_owned();
        let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let writes = self.writes(&operation, &parsed);
        if !writes.is_empty() {
            if let Err(over) = self.charge(&writes) {
                self.throttled.fetch_add(1, Ordering::SeqCst);
                return Ok(throttled(&operation, &over));
            }
            self.forwarded.fetch_add(1, Ordering::SeqCst);
        }
        let forwarded = self
            .upstream
            .forward(&parts, body)
            .await
            .map_err(std::io::Error::other)?;
        Ok(forwarded.into_answer())
    }
}

/// DynamoDB's answer to a write over its key's throughput.
fn throttled(operation: &str, over: &[bool]) -> Answer {
    let (code, fields) = if operation == "TransactWriteItems" {
        let reasons: Vec<Value> = over
            .iter()
            .map(|o| match o {
                true => json!({"Code": "ThrottlingError", "Message": "Throughput exceeds the current capacity for one or more global secondary indexes or the table (throttled by the test proxy)"}),
                false => json!({"Code": "None"}),
            })
            .collect();
        let codes: Vec<&str> = over
            .iter()
            .map(|o| if *o { "ThrottlingError" } else { "None" })
            .collect();
        (
            "TransactionCanceledException",
            json!({
                "Message": format!("Transaction cancelled, please refer cancellation reasons for specific reasons [{}]", codes.join(", ")),
                "CancellationReasons": reasons,
            }),
        )
    } else {
        (
            "ProvisionedThroughputExceededException",
            json!({"message": "The level of configured provisioned throughput for the table was exceeded (throttled by the test proxy)"}),
        )
    };
    dynamodb_error(StatusCode::BAD_REQUEST, code, fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(scope: Scope) -> Shared {
        Shared {
            upstream: Upstream::new("http://127.0.0.1:1"),
            limit: Limit {
                wcu_per_second: 10.0,
                scope,
            },
            buckets: Mutex::new(HashMap::new()),
            forwarded: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
        }
    }

    fn like_tx() -> Value {
        json!({"TransactItems": [
            {"Put": {"Item": {"PK": {"S": "P#1"}, "SK": {"S": "LIKE#u"}, "n": {"N": "12"}}}},
            {"Update": {"Key": {"PK": {"S": "P#1"}, "SK": {"S": "#POST"}}}}
        ]})
    }

    #[test]
    fn transactions_cost_two_units_a_write_under_each_partition_key() {
        let s = shared(Scope::PartitionKey);
        let w = s.writes("TransactWriteItems", &like_tx());
        assert_eq!(
            w,
            [
                Write {
                    key: "P#1".into(),
                    units: 2.0
                },
                Write {
                    key: "P#1".into(),
                    units: 2.0
                }
            ]
        );
        let big = json!({"Item": {"PK": {"S": "P#2"}, "body": {"S": "x".repeat(2100)}}});
        assert_eq!(s.writes("PutItem", &big)[0].units, 3.0);
        assert!(s.writes("GetItem", &big).is_empty());
    }

    #[test]
    fn a_key_over_its_budget_throttles_the_request_and_charges_nothing() {
        let s = shared(Scope::PartitionKey);
        let w = s.writes("TransactWriteItems", &like_tx());
        assert_eq!(s.charge(&w), Ok(()), "4 of 10 units");
        assert_eq!(s.charge(&w), Ok(()), "8 of 10");
        assert_eq!(
            s.charge(&w),
            Err(vec![true, true]),
            "12 of 10: both writes on the hot key"
        );
        let other = s.writes("UpdateItem", &json!({"Key": {"PK": {"S": "P#9"}, "SK": {"S": "x"}}}));
        assert_eq!(s.charge(&other), Ok(()), "another key has its own budget");
    }

    #[test]
    fn item_scope_keeps_a_budget_per_item() {
        let s = shared(Scope::Item);
        let w = s.writes("TransactWriteItems", &like_tx());
        assert_ne!(w[0].key, w[1].key);
        for _ in 0..5 {
            assert_eq!(s.charge(&w), Ok(()));
        }
        assert_eq!(s.charge(&w), Err(vec![true, true]));
    }
}
