//! The table's stream, locally: what Lambda's event source mapping does for a function with a
//! `DynamoDB` event in the template. It reads the table's stream through the DynamoDB API
//! server's Streams API (the same records DynamoDB Streams would give), keeps the records the
//! event's filter lets through, and invokes the function with batches of up to its `BatchSize`.
//! Records the function reports failed (`ReportBatchItemFailures`) are handed again from the
//! first failed one, up to [`RETRIES`] times, as the template's `MaximumRetryAttempts` says.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodbstreams::Client;
use aws_sdk_dynamodbstreams::types::{AttributeValue, Record, ShardIteratorType};
use serde_json::{Value, json};
use shared::AppState;
use shared::lambda::{StreamEvent, StreamHandler};
use shared::store::observe::RequestLog;
use stack::template::StreamSource;

/// Times a failed batch is handed again before its records are skipped.
const RETRIES: u32 = 5;
/// How long an empty read waits before the next (Lambda polls a shard about 4 times a second).
const IDLE: Duration = Duration::from_millis(250);

/// A function on the table's stream, mounted: its event, state and handler.
pub(crate) struct StreamMounted {
    pub(crate) binary: String,
    pub(crate) source: StreamSource,
    pub(crate) state: AppState,
    pub(crate) requests: RequestLog,
    pub(crate) handler: StreamHandler,
}

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Starts reading the stream of `table` from now on (every record written after this returns
/// reaches `function`), one task per shard, until the tasks are aborted.
pub(crate) async fn start(
    client: &Client,
    dynamo: &aws_sdk_dynamodb::Client,
    table: &str,
    function: &Arc<StreamMounted>,
) -> Result<Vec<tokio::task::JoinHandle<()>>, BoxError> {
    let described = dynamo.describe_table().table_name(table).send().await?;
    let arn = described
        .table
        .and_then(|t| t.latest_stream_arn)
        .ok_or_else(|| format!("table {table} has no stream (StreamSpecification)"))?;
    let stream = client.describe_stream().stream_arn(&arn).send().await?;
    let shards = stream.stream_description.and_then(|d| d.shards).unwrap_or_default();
    let mut readers = Vec::new();
    for shard in shards {
        let Some(shard_id) = shard.shard_id else { continue };
        let iterator = client
            .get_shard_iterator()
            .stream_arn(&arn)
            .shard_id(shard_id)
            .shard_iterator_type(ShardIteratorType::Latest)
            .send()
            .await?
            .shard_iterator;
        readers.push(tokio::spawn(read_shard(client.clone(), iterator, function.clone())));
    }
    Ok(readers)
}

/// Reads a shard from `iterator` on, handing each read's records to `function` before the next
/// read: one invocation at a time per shard, in order, as Lambda's. A failed read is logged and
/// tried again.
async fn read_shard(client: Client, mut iterator: Option<String>, function: Arc<StreamMounted>) {
    let limit = i32::try_from(function.source.batch_size).unwrap_or(i32::MAX);
    while let Some(current) = iterator.clone() {
        let out = match client.get_records().shard_iterator(current).limit(limit).send().await {
            Ok(out) => out,
            Err(err) => {
                tracing::warn!(function = %function.binary, error = %err, "reading the table's stream failed; trying again");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        iterator = out.next_shard_iterator;
        let records = out.records.unwrap_or_default();
        if records.is_empty() {
            tokio::time::sleep(IDLE).await;
        } else {
            deliver(&function, records).await;
        }
    }
}

/// Hands `records` (in order) to `function`, in batches, each batch again from its first failed
/// record until it succeeds or has been retried [`RETRIES`] times.
async fn deliver(function: &StreamMounted, records: Vec<Record>) {
    let accepted: Vec<Record> = records
        .into_iter()
        .filter(|r| {
            function
                .source
                .accepts(&key(r, shared::keys::PK), &key(r, shared::keys::SK))
        })
        .collect();
    for batch in accepted.chunks(function.source.batch_size.max(1)) {
        let mut pending = batch.to_vec();
        let mut attempt = 0;
        while !pending.is_empty() {
            let event = match event(&pending) {
                Ok(event) => event,
                Err(err) => {
                    tracing::error!(function = %function.binary, error = %err, "a stream record could not be read");
                    break;
                }
            };
            let response = (function.handler)(&function.state, event).await;
            let failed = response
                .batch_item_failures
                .iter()
                .filter_map(|f| f.item_identifier.as_deref())
                .filter_map(|id| pending.iter().position(|r| sequence(r) == Some(id)))
                .min();
            match failed {
                None => break,
                Some(_) if attempt >= RETRIES => {
                    tracing::warn!(function = %function.binary, "stream records skipped after {RETRIES} retries");
                    break;
                }
                Some(first) => {
                    attempt += 1;
                    pending.drain(..first);
                    tokio::time::sleep(Duration::from_millis(200) * attempt).await;
                }
            }
        }
    }
}

fn sequence(record: &Record) -> Option<&str> {
    record.dynamodb.as_ref().and_then(|d| d.sequence_number.as_deref())
}

/// A string key attribute of the record (`""` if absent).
fn key(record: &Record, name: &str) -> String {
    match record
        .dynamodb
        .as_ref()
        .and_then(|d| d.keys.as_ref())
        .and_then(|k| k.get(name))
    {
        Some(AttributeValue::S(pk)) => pk.clone(),
        _ => String::new(),
    }
}

/// The Lambda event of `records`, as the event source mapping sends it.
fn event(records: &[Record]) -> Result<StreamEvent, serde_json::Error> {
    let records: Vec<Value> = records
        .iter()
        .map(|r| {
            let change = r.dynamodb.as_ref();
            let keys: serde_json::Map<String, Value> = change
                .and_then(|d| d.keys.as_ref())
                .into_iter()
                .flatten()
                .filter_map(|(name, value)| attribute(value).map(|v| (name.clone(), v)))
                .collect();
            json!({
                "eventID": r.event_id,
                "eventName": r.event_name.as_ref().map(|n| n.as_str()),
                "eventSource": "aws:dynamodb",
                "eventVersion": r.event_version,
                "awsRegion": r.aws_region,
                "dynamodb": {
                    "Keys": keys,
                    "SequenceNumber": change.and_then(|d| d.sequence_number.clone()),
                    "SizeBytes": change.and_then(|d| d.size_bytes),
                    "StreamViewType": change.and_then(|d| d.stream_view_type.as_ref()).map(|v| v.as_str()),
                },
            })
        })
        .collect();
    serde_json::from_value(json!({ "Records": records }))
}

/// A key attribute in the event's JSON form (keys are strings, numbers or binary).
fn attribute(value: &AttributeValue) -> Option<Value> {
    use base64::Engine;
    match value {
        AttributeValue::S(s) => Some(json!({ "S": s })),
        AttributeValue::N(n) => Some(json!({ "N": n })),
        AttributeValue::B(b) => Some(json!({ "B": base64::engine::general_purpose::STANDARD.encode(b.as_ref()) })),
        _ => None,
    }
}
