//! The metering proxy: an HTTP/1.1 reverse proxy between the functions' DynamoDB clients and the
//! DynamoDB API server that, while metering, serializes the requests and prices each one by
//! DynamoDB's rules ([`crate::units`]). A write's size is the larger of its item before and after
//! (each read straight from the server around the write), and the table's indexes (from
//! `template.yaml`) cost what changes in them. A read is priced at the full size of what it
//! evaluated: a read with a projection or a filter is repeated without them to size it.
//! The extra reads go to the server directly and are not counted.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use e2e::proxy::{self, Answer, Forwarded, Handle, Listening, Upstream};
use http_body_util::BodyExt;
use hyper::Request;
use hyper::body::Incoming;
use serde_json::{Map, Value, json};

use crate::units::{self, Index};

/// One DynamoDB request, priced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metered {
    pub operation: String,
    /// Items read (evaluated, for a Query).
    pub items: u64,
    pub rru: f64,
    /// Write units, the indexes' included.
    pub wru: f64,
    /// Of which the indexes'.
    pub index_wru: f64,
    /// When the proxy received it and when it answered, since the proxy started: a request
    /// that arrived before another's answer was sent can't have waited for it (the two were
    /// in flight together; while metering the proxy still serves them one at a time).
    pub arrived: Duration,
    pub answered: Duration,
}

/// The table's keys and indexes.
#[derive(Debug, Clone)]
pub struct Schema {
    pub key: Vec<String>,
    pub indexes: Vec<Index>,
}

impl Schema {
    pub fn from_template(table: &stack::template::TableDef) -> Self {
        Self {
            key: table.key_schema.iter().map(|(name, _)| name.clone()).collect(),
            indexes: table
                .indexes
                .iter()
                .map(|i| Index {
                    key: i.key_schema.iter().map(|(name, _)| name.clone()).collect(),
                    projection: if i.projection == "KEYS_ONLY" {
                        units::Projection::KeysOnly
                    } else {
                        units::Projection::All
                    },
                })
                .collect(),
        }
    }

    fn key_of(&self, item: &Map<String, Value>) -> Map<String, Value> {
        item.iter()
            .filter(|(k, _)| self.key.contains(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Index write units of one item going from `before` to `after`.
    fn index_units(&self, before: Option<&Map<String, Value>>, after: Option<&Map<String, Value>>) -> u64 {
        self.indexes
            .iter()
            .map(|i| i.write_units(before, after, &self.key))
            .sum()
    }
}

struct Shared {
    upstream: Upstream,
    schema: Schema,
    metering: std::sync::atomic::AtomicBool,
    /// One request at a time while metering, so the reads around a write see only it.
    turn: tokio::sync::Mutex<()>,
    log: Mutex<Vec<Metered>>,
    started: Instant,
}

pub struct MeterProxy {
    listening: Listening,
    shared: Arc<Shared>,
}

impl MeterProxy {
    pub async fn start(upstream: &str, schema: Schema) -> Self {
        let shared = Arc::new(Shared {
            upstream: Upstream::new(upstream),
            schema,
            metering: false.into(),
            turn: tokio::sync::Mutex::new(()),
            log: Mutex::new(Vec::new()),
            started: Instant::now(),
        });
        let listening = Listening::start(shared.clone()).await;
        Self { listening, shared }
    }

    pub fn url(&self) -> String {
        self.listening.url()
    }

    /// Starts (or stops) pricing requests; when off, the proxy only forwards.
    pub fn metering(&self, on: bool) {
        self.shared.metering.store(on, std::sync::atomic::Ordering::SeqCst);
    }

    /// The requests priced since the last `take`.
    pub fn take(&self) -> Vec<Metered> {
        std::mem::take(&mut *self.shared.log.lock().expect("log"))
    }
}

/// The server's answer as JSON.
fn json_of(answer: &Forwarded) -> Value {
    serde_json::from_slice(&answer.body).unwrap_or(Value::Null)
}

impl Handle for Shared {
    type Error = std::io::Error;

    async fn handle(&self, req: Request<Incoming>) -> Result<Answer, std::io::Error> {
        let arrived = self.started.elapsed();
        let (parts, body) = req.into_parts();
        let body = body.collect().await.map_err(std::io::Error::other)?.to_bytes();
        let operation = proxy::operation(&parts).map(str::to_owned);
        let forward = |body| async { self.upstream.forward(&parts, body).await.map_err(std::io::Error::other) };
        let answer = match operation {
            Some(op) if self.metering.load(std::sync::atomic::Ordering::SeqCst) => {
                let _turn = self.turn.lock().await;
                let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let auth = parts.headers.get("authorization").cloned();
                let mut metered = Metered {
                    operation: op.clone(),
                    arrived,
                    ..Metered::default()
                };
                let before = self.before_write(&op, &request, auth.as_ref()).await;
                let answer = forward(body).await?;
                self.price(&op, &request, &answer, before, auth.as_ref(), &mut metered)
                    .await;
                metered.answered = self.started.elapsed();
                self.log.lock().expect("log").push(metered);
                answer
            }
            _ => forward(body).await?,
        };
        Ok(answer.into_answer())
    }
}

impl Shared {
    /// Calls `operation` on the server directly (not metered).
    async fn call(&self, operation: &str, body: &Value, auth: Option<&hyper::header::HeaderValue>) -> Value {
        let mut req = self
            .upstream
            .http()
            .post(format!("{}/", self.upstream.url()))
            .header("x-amz-target", format!("DynamoDB_20120810.{operation}"))
            .header("content-type", "application/x-amz-json-1.0")
            .body(body.to_string());
        if let Some(auth) = auth {
            req = req.header("authorization", auth);
        }
        match req.send().await {
            Ok(resp) => resp.json().await.unwrap_or(Value::Null),
            Err(_) => Value::Null,
        }
    }

    async fn get(
        &self,
        table: &str,
        key: &Value,
        auth: Option<&hyper::header::HeaderValue>,
    ) -> Option<Map<String, Value>> {
        let answer = self
            .call(
                "GetItem",
                &json!({"TableName": table, "Key": key, "ConsistentRead": true}),
                auth,
            )
            .await;
        answer.get("Item").and_then(Value::as_object).cloned()
    }

    /// The items a write request touches: (table, key, kind) per action.
    fn write_targets(&self, operation: &str, request: &Value) -> Vec<(String, Value, WriteKind)> {
        let table = |v: &Value| v["TableName"].as_str().unwrap_or_default().to_owned();
        let key_of = |item: &Value| {
            Value::Object(
                self.schema
                    .key_of(item.as_object().cloned().as_ref().unwrap_or(&Map::new())),
            )
        };
        match operation {
            "PutItem" => vec![(table(request), key_of(&request["Item"]), WriteKind::Write)],
            "UpdateItem" | "DeleteItem" => vec![(table(request), request["Key"].clone(), WriteKind::Write)],
            "BatchWriteItem" => request["RequestItems"]
                .as_object()
                .into_iter()
                .flatten()
                .flat_map(|(t, writes)| {
                    writes.as_array().into_iter().flatten().map(move |w| {
                        let key = if w["PutRequest"].is_object() {
                            key_of(&w["PutRequest"]["Item"])
                        } else {
                            w["DeleteRequest"]["Key"].clone()
                        };
                        (t.clone(), key, WriteKind::Write)
                    })
                })
                .collect(),
            "TransactWriteItems" => request["TransactItems"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|action| {
                    let (name, body) = action.as_object()?.iter().next()?;
                    let key = if name == "Put" {
                        key_of(&body["Item"])
                    } else {
                        body["Key"].clone()
                    };
                    let kind = if name == "ConditionCheck" {
                        WriteKind::Check
                    } else {
                        WriteKind::Write
                    };
                    Some((table(body), key, kind))
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    async fn before_write(
        &self,
        operation: &str,
        request: &Value,
        auth: Option<&hyper::header::HeaderValue>,
    ) -> Vec<Option<Map<String, Value>>> {
        let mut before = Vec::new();
        for (table, key, _) in self.write_targets(operation, request) {
            before.push(self.get(&table, &key, auth).await);
        }
        before
    }

    async fn price(
        &self,
        operation: &str,
        request: &Value,
        answer: &Forwarded,
        before: Vec<Option<Map<String, Value>>>,
        auth: Option<&hyper::header::HeaderValue>,
        m: &mut Metered,
    ) {
        let out = json_of(answer);
        let consistent = request["ConsistentRead"].as_bool().unwrap_or(false);
        match operation {
            "PutItem" | "UpdateItem" | "DeleteItem" | "BatchWriteItem" | "TransactWriteItems" => {
                let factor = if operation == "TransactWriteItems" { 2 } else { 1 };
                for ((table, key, kind), before) in self.write_targets(operation, request).into_iter().zip(before) {
                    let after = self.get(&table, &key, auth).await;
                    let size = |i: &Option<Map<String, Value>>| i.as_ref().map_or(0, units::item_size);
                    let base = units::write_units(size(&before).max(size(&after))) * factor;
                    let index = match kind {
                        WriteKind::Check => 0,
                        WriteKind::Write => self.schema.index_units(before.as_ref(), after.as_ref()),
                    };
                    m.wru += (base + index) as f64;
                    m.index_wru += index as f64;
                }
            }
            "GetItem" => {
                let item = if request.get("ProjectionExpression").is_some() {
                    self.get(request["TableName"].as_str().unwrap_or_default(), &request["Key"], auth)
                        .await
                } else {
                    out.get("Item").and_then(Value::as_object).cloned()
                };
                m.items = u64::from(item.is_some());
                m.rru = units::read_units(item.as_ref().map_or(0, units::item_size), consistent);
            }
            "BatchGetItem" => {
                for (table, ask) in request["RequestItems"].as_object().into_iter().flatten() {
                    let consistent = ask["ConsistentRead"].as_bool().unwrap_or(false);
                    for key in ask["Keys"].as_array().into_iter().flatten() {
                        let item = self.get(table, key, auth).await;
                        m.rru += units::read_units(item.as_ref().map_or(0, units::item_size), consistent);
                    }
                }
                m.items = out["Responses"].as_object().map_or(0, |r| {
                    r.values().filter_map(Value::as_array).map(|a| a.len() as u64).sum()
                });
            }
            "TransactGetItems" => {
                for get in request["TransactItems"].as_array().into_iter().flatten() {
                    let get = &get["Get"];
                    let item = self
                        .get(get["TableName"].as_str().unwrap_or_default(), &get["Key"], auth)
                        .await;
                    m.items += u64::from(item.is_some());
                    m.rru += 2.0 * units::read_units(item.as_ref().map_or(0, units::item_size), true);
                }
            }
            "Query" | "Scan" => {
                m.items = out["ScannedCount"].as_u64().unwrap_or(0);
                let sized = if ["ProjectionExpression", "FilterExpression", "Select", "AttributesToGet"]
                    .iter()
                    .any(|f| request.get(*f).is_some())
                {
                    self.call(operation, &unfiltered(request), auth).await
                } else {
                    out
                };
                let size: u64 = sized["Items"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_object)
                    .map(units::item_size)
                    .sum();
                m.rru = units::read_units(size, consistent);
            }
            _ => {}
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum WriteKind {
    Write,
    /// A transaction's ConditionCheck: priced as a write of the checked item, changing nothing.
    Check,
}

/// A Query or Scan without its projection and filter, keeping only the expression names and
/// values its key condition uses (DynamoDB refuses unused ones): what it evaluated, in full.
pub fn unfiltered(request: &Value) -> Value {
    let mut r = request.clone();
    let Some(o) = r.as_object_mut() else { return r };
    for field in ["ProjectionExpression", "FilterExpression", "Select", "AttributesToGet"] {
        o.remove(field);
    }
    let condition = o
        .get("KeyConditionExpression")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let used = |placeholder: &str| {
        condition.match_indices(placeholder).any(|(i, _)| {
            !condition[i + placeholder.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        })
    };
    for field in ["ExpressionAttributeNames", "ExpressionAttributeValues"] {
        if let Some(Value::Object(map)) = o.get_mut(field) {
            map.retain(|k, _| used(k));
            if map.is_empty() {
                o.remove(field);
            }
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sizing_query_keeps_only_what_its_key_condition_uses() {
        let q = json!({
            "TableName": "t", "IndexName": "GSI1",
            "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :sk)",
            "FilterExpression": "#del = :no AND #pk2 = :pk2",
            "ProjectionExpression": "#pk, likes",
            "ExpressionAttributeNames": {"#pk": "GSI1PK", "#sk": "GSI1SK", "#del": "deleted", "#pk2": "x"},
            "ExpressionAttributeValues": {":pk": {"S": "a"}, ":sk": {"S": "b"}, ":no": {"BOOL": false}, ":pk2": {"S": "c"}},
            "Limit": 20
        });
        assert_eq!(
            unfiltered(&q),
            json!({
                "TableName": "t", "IndexName": "GSI1",
                "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :sk)",
                "ExpressionAttributeNames": {"#pk": "GSI1PK", "#sk": "GSI1SK"},
                "ExpressionAttributeValues": {":pk": {"S": "a"}, ":sk": {"S": "b"}},
                "Limit": 20
            })
        );
    }
}
