//! Logging: one JSON object a line, in Lambda (CloudWatch) and locally alike, each with its whole
//! span list: first the Lambda runtime's invocation span (`requestId`, the Lambda request ID, and
//! `xrayTraceId`, the X-Ray trace ID, which the runtime also exports as `_X_AMZN_TRACE_ID`), then
//! the request's (API Gateway's request ID, route and caller), the handler's and the store call's.
//! `LOG_FORMAT=text` switches to compact text for a human at a terminal (coloured only on one).
//! `RUST_LOG` filters (default `info`).
//!
//! Whatever `RUST_LOG` says, the Lambda runtime's TRACE record of each raw event is never
//! written: events carry passwords (register, login, nobase's user+pass mode), tokens and app
//! signatures, which must not reach the logs.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;

/// The runtime's target that logs every raw event at TRACE.
const RAW_EVENT_TARGET: &str = "lambda_runtime::layers::api_response";

/// How log lines are written (`LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object a line: what CloudWatch Logs Insights queries (the default).
    Json,
    /// Compact text, for a human reading a terminal (`LOG_FORMAT=text`).
    Text,
}

impl Format {
    /// The format `LOG_FORMAT` names: `text` (or `pretty`) for text, anything else JSON.
    pub fn from_setting(setting: Option<&str>) -> Self {
        match setting.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            Some("text" | "pretty") => Self::Text,
            _ => Self::Json,
        }
    }
}

pub fn init() {
    let filter = filter(std::env::var("RUST_LOG").ok().as_deref());
    match Format::from_setting(std::env::var("LOG_FORMAT").ok().as_deref()) {
        Format::Json => {
            let _ = json_subscriber(filter, std::io::stdout).try_init();
        }
        Format::Text => {
            // Colour only on a terminal: a log redirected to a file stays plain text.
            let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .compact()
                .with_ansi(ansi)
                .try_init();
        }
    }
}

/// The JSON subscriber writing to `writer` (stdout; [`CapturedLogs`] in tests): one object a line, with the current span and the whole span list; no
/// timestamp in Lambda (CloudWatch stamps each line), one elsewhere.
pub fn json_subscriber<W>(filter: EnvFilter, writer: W) -> Box<dyn tracing::Subscriber + Send + Sync + 'static>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let json = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .json()
        .with_current_span(true)
        .with_span_list(true)
        .with_ansi(false);
    if std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some() {
        Box::new(json.without_time().finish())
    } else {
        Box::new(json.finish())
    }
}

/// The filter for `rust_log` (`None`: `info`), never below DEBUG for the raw events' target.
fn filter(rust_log: Option<&str>) -> EnvFilter {
    let base = rust_log
        .filter(|s| !s.trim().is_empty())
        .and_then(|s| EnvFilter::try_new(s).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    match format!("{RAW_EVENT_TARGET}=debug").parse() {
        Ok(directive) => base.add_directive(directive),
        Err(_) => base,
    }
}

/// Log lines written to memory: a `MakeWriter` for tests that assert what is (not) logged.
#[doc(hidden)]
#[derive(Clone, Default)]
pub struct CapturedLogs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl CapturedLogs {
    pub fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(|p| p.into_inner());
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl std::io::Write for CapturedLogs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for CapturedLogs {
    type Writer = CapturedLogs;
    fn make_writer(&'a self) -> CapturedLogs {
        self.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_format_is_json_unless_text_is_asked_for() {
        assert_eq!(Format::from_setting(None), Format::Json);
        assert_eq!(Format::from_setting(Some("json")), Format::Json);
        assert_eq!(Format::from_setting(Some(" Text ")), Format::Text);
        assert_eq!(Format::from_setting(Some("pretty")), Format::Text);
    }

    #[test]
    fn raw_events_are_not_logged_even_at_trace() {
        let out = CapturedLogs::default();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(filter(Some("trace")))
            .with_writer(out.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::trace!(target: "lambda_runtime::layers::api_response", body = "pass=hunter22", "raw JSON event");
            tracing::debug!(target: "lambda_runtime::layers::api_response", "kept");
            tracing::trace!(target: "shared::other", "other traces stay");
        });
        let text = out.text();
        assert!(!text.contains("hunter22"), "{text}");
        assert!(text.contains("kept") && text.contains("other traces stay"), "{text}");
    }

    /// The question: does every line of an invocation carry its Lambda request ID and
    /// X-Ray trace ID? An invocation runs in the span lambda_runtime's TracingLayer makes for
    /// it (`lambda_runtime::layers::trace::request_span`); every line inside names it first.
    #[tokio::test]
    async fn every_line_of_an_invocation_carries_its_lambda_request_id_and_trace_id() {
        use lambda_http::Context;
        use lambda_http::lambda_runtime::layers::trace::request_span;
        use tracing::Instrument;

        let out = CapturedLogs::default();
        let _guard = tracing::subscriber::set_default(json_subscriber(filter(Some("debug")), out.clone()));
        let mut context = Context::default();
        context.request_id = "8f5c3a47-lambda-request".into();
        context.xray_trace_id = Some("Root=1-67891233-abcdef012345678912345678;Sampled=1".into());
        let request = lambda_http::http::Request::builder()
            .uri("/x")
            .body(lambda_http::Body::Empty)
            .expect("a request");
        async {
            tracing::info!("before the work");
            crate::wire::serve(&Quiet, &request, async {
                tracing::debug!(user = "u-1", "inside the work");
                Err::<(), _>(crate::AppError::internal("store down"))
            })
            .await;
        }
        .instrument(request_span(&context))
        .await;

        let text = out.text();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
            .collect();
        assert!(lines.len() >= 4, "{text}");
        for line in &lines {
            let invocation = &line["spans"][0];
            assert_eq!(invocation["name"], "Lambda runtime invoke", "{line}");
            assert_eq!(invocation["requestId"], "8f5c3a47-lambda-request", "{line}");
            assert_eq!(
                invocation["xrayTraceId"], "Root=1-67891233-abcdef012345678912345678;Sampled=1",
                "{line}"
            );
        }
        let done = lines
            .iter()
            .find(|l| l["fields"]["message"] == "done")
            .expect("a done line");
        assert_eq!(done["fields"]["outcome"], "fault", "{done}");
    }

    /// A wire style that answers nothing worth reading.
    struct Quiet;

    impl crate::wire::Wire for Quiet {
        const SERVICE: &'static str = "quiet";
        type Reply = ();
        type Error = crate::AppError;
        fn success(&self, (): ()) -> crate::wire::Answer {
            crate::wire::Answer {
                code: 0,
                response: lambda_http::Response::new(lambda_http::Body::Empty),
            }
        }
        fn failure(&self, _: &crate::AppError) -> crate::wire::Answer {
            self.success(())
        }
    }
}
