//! CloudWatch metrics in Embedded Metric Format (EMF): the [`metrics`] facade, recorded by
//! `metrics_cloudwatch_embedded` and written to stdout as one JSON document per dimension set
//! after each invocation, which CloudWatch Logs turns into metrics. docs/operations.md lists
//! every metric.
//!
//! - [`serve`](crate::wire::serve) records each request: `Requests` (by `Service`, `Outcome`,
//!   `Code`), `Latency` and, for internal errors, `Faults` (by `Service`);
//! - the DynamoDB client's [`RequestMetrics`](crate::store::observe::RequestMetrics) records
//!   `DynamoDBRequests` and `DynamoDBThrottles` (by `Operation`), one per attempt;
//! - a surface counts what it does that is worth a graph with [`count`] (`Likes`, ...), by the
//!   `Service` of the request it serves.
//!
//! Only a Lambda function records anything: [`init`] installs the recorder when
//! `AWS_LAMBDA_FUNCTION_NAME` is set, and [`crate::lambda::run`] [`flush`]es it once per
//! invocation. Elsewhere (the local gateway, tests) nothing is installed and every call here is
//! a no-op.

use std::cell::Cell;
use std::future::Future;
use std::time::Duration;

use metrics::Unit;
pub use metrics_cloudwatch_embedded::Collector;

/// The namespace's variable, as Powertools for AWS Lambda names it; the template sets it to
/// the stack's name.
pub const NAMESPACE_VAR: &str = "POWERTOOLS_METRICS_NAMESPACE";
/// The namespace where [`NAMESPACE_VAR`] is unset.
pub const DEFAULT_NAMESPACE: &str = "SocialChat";

/// How a request ended: `Outcome` dimension of `Requests`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Answered with the route's result.
    Ok,
    /// Refused: the client's request was wrong or not allowed (its code says why).
    Refused,
    /// Failed on our side: a store fault, a bug (an internal error).
    Fault,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Refused => "refused",
            Self::Fault => "fault",
        }
    }
}

/// What one request has recorded so far, for its `done` line.
struct Scope {
    service: &'static str,
    dynamodb_requests: Cell<u32>,
    /// Time spent in those attempts (sent to answered).
    dynamodb_time: Cell<Duration>,
}

tokio::task_local! {
    static REQUEST: Scope;
}

/// Installs the EMF recorder in a Lambda function (`AWS_LAMBDA_FUNCTION_NAME` set), in the
/// namespace [`NAMESPACE_VAR`] names; `None` elsewhere, where metrics stay off.
pub fn init() -> Option<&'static Collector> {
    std::env::var_os("AWS_LAMBDA_FUNCTION_NAME")?;
    let namespace = std::env::var(NAMESPACE_VAR)
        .ok()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_NAMESPACE.to_owned());
    install(namespace)
}

/// Installs the process-wide recorder.
fn install(namespace: String) -> Option<&'static Collector> {
    let installed = metrics_cloudwatch_embedded::Builder::new()
        .cloudwatch_namespace(namespace)
        .init();
    match installed {
        Ok(collector) => {
            metrics::describe_counter!("Requests", Unit::Count, "requests answered");
            metrics::describe_histogram!("Latency", Unit::Milliseconds, "time to answer a request");
            metrics::describe_counter!("Faults", Unit::Count, "requests that failed on our side");
            metrics::describe_counter!("DynamoDBRequests", Unit::Count, "DynamoDB attempts");
            metrics::describe_counter!("DynamoDBThrottles", Unit::Count, "DynamoDB attempts throttled");
            Some(collector)
        }
        Err(e) => {
            tracing::warn!(error = %e, "metrics are off: no recorder");
            None
        }
    }
}

/// Writes what was recorded since the last flush to `out`, one EMF document a line (one per
/// dimension set; counters at zero and empty histograms left out), each with the invocation's
/// `requestId` and `xrayTraceId` as properties, named as on the log lines' runtime span.
pub fn flush(collector: &Collector, invocation: &lambda_http::Context, out: impl std::io::Write) {
    collector.set_property("requestId", invocation.request_id.as_str());
    match &invocation.xray_trace_id {
        Some(trace) => collector.set_property("xrayTraceId", trace.as_str()),
        None => collector.remove_property("xrayTraceId"),
    };
    if let Err(e) = collector.flush(out) {
        tracing::warn!(error = %e, "metrics not written");
    }
}

/// Runs a request of `service` so that what it records is attributed to it.
pub(crate) async fn scoped<F: Future>(service: &'static str, request: F) -> F::Output {
    let scope = Scope {
        service,
        dynamodb_requests: Cell::new(0),
        dynamodb_time: Cell::new(Duration::ZERO),
    };
    REQUEST.scope(scope, request).await
}

/// DynamoDB requests (attempts) made so far by the current request; 0 outside one.
pub(crate) fn dynamodb_requests() -> u32 {
    REQUEST.try_with(|s| s.dynamodb_requests.get()).unwrap_or(0)
}

/// Time spent in the current request's DynamoDB attempts so far; zero outside one.
pub(crate) fn dynamodb_time() -> Duration {
    REQUEST.try_with(|s| s.dynamodb_time.get()).unwrap_or_default()
}

/// Records one answered request.
pub(crate) fn request(service: &'static str, outcome: Outcome, code: i64, latency: Duration) {
    metrics::counter!(
        "Requests",
        "Service" => service,
        "Outcome" => outcome.as_str(),
        "Code" => code.to_string(),
    )
    .increment(1);
    metrics::histogram!("Latency", "Service" => service).record(latency.as_secs_f64() * 1000.0);
    if outcome == Outcome::Fault {
        metrics::counter!("Faults", "Service" => service).increment(1);
    }
}

/// Records one DynamoDB attempt of `operation` (`GetItem`, `TransactWriteItems`, ...) that took
/// `spent`.
pub(crate) fn dynamodb_request(operation: &str, throttled: bool, spent: Duration) {
    let _ = REQUEST.try_with(|s| {
        s.dynamodb_requests.set(s.dynamodb_requests.get() + 1);
        s.dynamodb_time.set(s.dynamodb_time.get() + spent);
    });
    metrics::counter!("DynamoDBRequests", "Operation" => operation.to_owned()).increment(1);
    if throttled {
        metrics::counter!("DynamoDBThrottles", "Operation" => operation.to_owned()).increment(1);
    }
}

/// Adds `n` to the count `name` (`Likes`, `Comments`, `MessagesSent`, ...) of the service the
/// current request belongs to: something a surface did that is worth a graph. A unit of Count.
pub fn count(name: &'static str, n: u64) {
    let service = REQUEST.try_with(|s| s.service).unwrap_or("none");
    metrics::describe_counter!(name, Unit::Count, "");
    metrics::counter!(name, "Service" => service).increment(n);
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::{Mutex, OnceLock};

    use serde_json::{Value, json};

    use super::*;

    /// The test binary's recorder (installed once, process-wide: the other tests record into it
    /// too, each under its own dimension values).
    fn collector() -> &'static Collector {
        static COLLECTOR: OnceLock<&'static Collector> = OnceLock::new();
        COLLECTOR.get_or_init(|| install("Test".into()).expect("the test binary's only recorder"))
    }

    /// The EMF documents `work` leaves, flushed as [`crate::lambda::run`] flushes after an
    /// invocation (of request ID `invocation-1`, trace ID `Root=1-test`). One at a time: a
    /// flush takes every value recorded so far.
    pub(crate) fn emitted<F: Future>(work: F) -> Vec<Value> {
        static ALONE: Mutex<()> = Mutex::new(());
        let _alone = ALONE.lock().unwrap_or_else(|p| p.into_inner());
        let collector = collector();
        collector.flush(std::io::sink()).expect("flush");
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
            .block_on(work);
        let mut invocation = lambda_http::Context::default();
        invocation.request_id = "invocation-1".into();
        invocation.xray_trace_id = Some("Root=1-test".into());
        let mut out = Vec::new();
        flush(collector, &invocation, &mut out);
        String::from_utf8(out)
            .expect("UTF-8")
            .lines()
            .map(|line| serde_json::from_str(line).expect("one JSON document a line"))
            .collect()
    }

    /// The document with these dimension values, with its metric definitions.
    pub(crate) fn document<'a>(docs: &'a [Value], dimensions: &[(&str, &str)]) -> &'a Value {
        docs.iter()
            .find(|d| dimensions.iter().all(|(k, v)| d[*k] == *v))
            .unwrap_or_else(|| panic!("no document with {dimensions:?} in {docs:#?}"))
    }

    #[test]
    fn a_count_is_a_metric_of_the_requests_service() {
        let docs = emitted(scoped("count-test", async { count("Likes", 2) }));
        let doc = document(&docs, &[("Service", "count-test")]);
        assert_eq!(doc["Likes"], 2);
        assert_eq!(
            (&doc["requestId"], &doc["xrayTraceId"]),
            (&json!("invocation-1"), &json!("Root=1-test"))
        );
        assert_eq!(
            doc["_aws"]["CloudWatchMetrics"],
            json!([{"Namespace": "Test", "Dimensions": [["Service"]], "Metrics": [{"Name": "Likes", "Unit": "Count"}]}])
        );
    }

    #[test]
    fn nothing_recorded_emits_nothing() {
        let docs = emitted(scoped("quiet-test", async {}));
        assert!(!docs.iter().any(|d| d["Service"] == "quiet-test"), "{docs:#?}");
    }
}
