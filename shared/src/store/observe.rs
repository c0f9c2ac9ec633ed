//! Watching a DynamoDB client's requests.
//!
//! [`RequestLog`] records the operations a client performs, in order: each operation's name and,
//! once its answer is in, how many items it read. Tests use it to assert request budgets ("like
//! costs at most two requests", "no Scan") and read budgets ("a page of 15 reads about 15
//! items, whatever the size of the table"); the local gateway gives each function its own.
//!
//! [`RequestMetrics`] counts every attempt (retries included) and the throttled ones, by
//! operation, as metrics (`crate::metrics`) and on the request's `done` line, with the time spent
//! in them (`dynamodb_us`, what `tools/bench` separates from handler time); every client
//! `shared::state::dynamo_config` builds carries it.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use aws_sdk_dynamodb::operation::batch_get_item::BatchGetItemOutput;
use aws_sdk_dynamodb::operation::get_item::GetItemOutput;
use aws_sdk_dynamodb::operation::query::QueryOutput;
use aws_sdk_dynamodb::operation::scan::ScanOutput;
use aws_sdk_dynamodb::operation::transact_get_items::TransactGetItemsOutput;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    AfterDeserializationInterceptorContextRef, BeforeSerializationInterceptorContextRef,
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::retries::classifiers::{ClassifyRetry, RetryAction, RetryReason};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use aws_smithy_types::retry::ErrorKind;

/// One recorded operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The operation's name (`Query`, `BatchGetItem`, ...).
    pub operation: String,
    /// Items the operation read: for `Query` and `Scan` the items evaluated (`ScannedCount`,
    /// what DynamoDB reads and charges, before any filter), for `GetItem` and the batch and
    /// transactional reads the items found. 0 for writes and for calls without an answer.
    pub items_read: usize,
}

#[derive(Debug, Clone, Default)]
pub struct RequestLog(Arc<Mutex<Log>>);

#[derive(Debug, Default)]
struct Log {
    calls: Vec<Call>,
    /// Bumped by every `take`, so an answer arriving after a `take` can't land on another call.
    generation: u64,
}

/// Where this operation's call sits in the log, kept in the operation's own config bag.
#[derive(Debug, Clone)]
struct Slot {
    generation: u64,
    index: usize,
}

impl Storable for Slot {
    type Storer = StoreReplace<Self>;
}

impl RequestLog {
    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The operations recorded since the last `take` (of either kind), emptying the record.
    pub fn take(&self) -> Vec<String> {
        self.take_calls().into_iter().map(|c| c.operation).collect()
    }

    /// The calls recorded since the last `take` (of either kind), emptying the record.
    pub fn take_calls(&self) -> Vec<Call> {
        let mut log = self.log();
        log.generation += 1;
        std::mem::take(&mut log.calls)
    }

    /// The operations recorded so far.
    pub fn snapshot(&self) -> Vec<String> {
        self.log().calls.iter().map(|c| c.operation.clone()).collect()
    }
}

/// Items read by a DynamoDB operation's output (0 for outputs that read nothing).
fn items_read(output: &aws_smithy_runtime_api::client::interceptors::context::Output) -> usize {
    if let Some(o) = output.downcast_ref::<QueryOutput>() {
        return usize::try_from(o.scanned_count()).unwrap_or(0);
    }
    if let Some(o) = output.downcast_ref::<ScanOutput>() {
        return usize::try_from(o.scanned_count()).unwrap_or(0);
    }
    if let Some(o) = output.downcast_ref::<GetItemOutput>() {
        return usize::from(o.item().is_some());
    }
    if let Some(o) = output.downcast_ref::<BatchGetItemOutput>() {
        return o.responses().map_or(0, |r| r.values().map(Vec::len).sum());
    }
    if let Some(o) = output.downcast_ref::<TransactGetItemsOutput>() {
        return o.responses().iter().filter(|r| r.item().is_some()).count();
    }
    0
}

impl Intercept for RequestLog {
    fn name(&self) -> &'static str {
        "RequestLog"
    }

    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg
            .load::<Metadata>()
            .map(|m| m.name().to_owned())
            .unwrap_or_else(|| "unknown".into());
        let slot = {
            let mut log = self.log();
            log.calls.push(Call {
                operation,
                items_read: 0,
            });
            Slot {
                generation: log.generation,
                index: log.calls.len() - 1,
            }
        };
        cfg.interceptor_state().store_put(slot);
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let (Some(slot), Ok(output)) = (cfg.load::<Slot>(), context.output_or_error()) else {
            return Ok(());
        };
        let read = items_read(output);
        let mut log = self.log();
        if log.generation == slot.generation
            && let Some(call) = log.calls.get_mut(slot.index)
        {
            call.items_read = read;
        }
        Ok(())
    }
}

/// Counts each DynamoDB attempt and the throttled ones (`DynamoDBRequests`,
/// `DynamoDBThrottles`, by `Operation`). An attempt is throttled when the SDK's own retry
/// classifiers call its answer a throttling error (`ProvisionedThroughputExceededException`,
/// `ThrottlingException`, `RequestLimitExceeded`, ...), so the list stays the SDK's.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestMetrics;

/// When the current attempt was sent, kept in the operation's config bag.
#[derive(Debug, Clone, Copy)]
struct AttemptStarted(Instant);

impl Storable for AttemptStarted {
    type Storer = StoreReplace<Self>;
}

impl Intercept for RequestMetrics {
    fn name(&self) -> &'static str {
        "RequestMetrics"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state().store_put(AttemptStarted(Instant::now()));
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg.load::<Metadata>().map_or("unknown", Metadata::name);
        let throttled = matches!(context.output_or_error(), Some(Err(_)))
            && runtime_components.retry_classifiers().any(|c| {
                matches!(
                    c.classify_retry(context.inner()),
                    RetryAction::RetryIndicated(RetryReason::RetryableError {
                        kind: ErrorKind::ThrottlingError,
                        ..
                    })
                )
            });
        let spent = cfg.load::<AttemptStarted>().map(|s| s.0.elapsed()).unwrap_or_default();
        crate::metrics::dynamodb_request(operation, throttled, spent);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use aws_sdk_dynamodb::config::retry::RetryConfig;
    use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
    use aws_sdk_dynamodb::types::AttributeValue;
    use aws_smithy_runtime_api::client::http::{
        HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
    };
    use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use serde_json::json;

    use super::*;
    use crate::metrics::tests::{document, emitted};

    /// A DynamoDB endpoint that answers every request with `status` and `body`.
    #[derive(Debug, Clone)]
    struct Answers {
        status: u16,
        body: &'static str,
    }

    impl HttpConnector for Answers {
        fn call(&self, _request: HttpRequest) -> HttpConnectorFuture {
            let status = StatusCode::try_from(self.status).expect("a status");
            let mut response = HttpResponse::new(status, SdkBody::from(self.body));
            response
                .headers_mut()
                .insert("content-type", "application/x-amz-json-1.0");
            HttpConnectorFuture::ready(Ok(response))
        }
    }

    impl HttpClient for Answers {
        fn http_connector(&self, _: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
            SharedHttpConnector::new(self.clone())
        }
    }

    /// A client of `endpoint` with [`RequestMetrics`], three attempts per call, no waiting.
    fn client(endpoint: Answers) -> aws_sdk_dynamodb::Client {
        let config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("k", "s", None, None, "test"))
            .http_client(endpoint)
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(3)
                    .with_initial_backoff(Duration::from_millis(1)),
            )
            .interceptor(RequestMetrics)
            .build();
        aws_sdk_dynamodb::Client::from_conf(config)
    }

    async fn get(client: &aws_sdk_dynamodb::Client) -> bool {
        client
            .get_item()
            .table_name("t")
            .key("PK", AttributeValue::S("metrics-test".into()))
            .send()
            .await
            .is_ok()
    }

    #[test]
    fn every_attempt_is_counted_and_throttled_ones_apart() {
        let throttling = Answers {
            status: 400,
            body: r#"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}"#,
        };
        let docs = emitted(async { assert!(!get(&client(throttling)).await) });
        let doc = document(&docs, &[("Operation", "GetItem")]);
        assert_eq!(
            (&doc["DynamoDBRequests"], &doc["DynamoDBThrottles"]),
            (&json!(3), &json!(3)),
            "{doc}"
        );
        assert_eq!(
            doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([["Operation"]])
        );

        let found = Answers {
            status: 200,
            body: r#"{"Item":{"PK":{"S":"metrics-test"}}}"#,
        };
        let docs = emitted(async { assert!(get(&client(found)).await) });
        let doc = document(&docs, &[("Operation", "GetItem")]);
        assert_eq!(doc["DynamoDBRequests"], 1, "{doc}");
        assert!(doc.get("DynamoDBThrottles").is_none(), "{doc}");

        let refused = Answers {
            status: 400,
            body: r#"{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"no"}"#,
        };
        let docs = emitted(async { assert!(!get(&client(refused)).await) });
        let doc = document(&docs, &[("Operation", "GetItem")]);
        assert_eq!(doc["DynamoDBRequests"], 1, "a refusal is not retried: {doc}");
        assert!(doc.get("DynamoDBThrottles").is_none(), "{doc}");
    }

    #[test]
    fn a_request_counts_its_own_dynamodb_requests() {
        let found = Answers {
            status: 200,
            body: r#"{"Item":{"PK":{"S":"metrics-test"}}}"#,
        };
        emitted(crate::metrics::scoped("count-own", async {
            let client = client(found);
            assert_eq!(crate::metrics::dynamodb_time(), Duration::ZERO);
            get(&client).await;
            get(&client).await;
            assert_eq!(crate::metrics::dynamodb_requests(), 2);
            assert!(
                crate::metrics::dynamodb_time() > Duration::ZERO,
                "the attempts' time is counted"
            );
        }));
    }
}
