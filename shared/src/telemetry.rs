//! Logging: JSON lines in Lambda (CloudWatch), each with its whole span list (the request's ID,
//! route and caller, the store call); compact text elsewhere, coloured only on a terminal.
//! `RUST_LOG` filters (default `info`).
//!
//! Whatever `RUST_LOG` says, the Lambda runtime's TRACE record of each raw event is never
//! written: events carry passwords (register, login, nobase's user+pass mode), tokens and app
//! signatures, which must not reach the logs.

use tracing_subscriber::EnvFilter;

/// The runtime's target that logs every raw event at TRACE.
const RAW_EVENT_TARGET: &str = "lambda_runtime::layers::api_response";

pub fn init() {
    let in_lambda = std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some();
    let builder = tracing_subscriber::fmt().with_env_filter(filter(std::env::var("RUST_LOG").ok().as_deref()));
    let _ = if in_lambda {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .without_time()
            .with_ansi(false)
            .try_init()
    } else {
        // Colour only on a terminal: a log redirected to a file stays plain text.
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
        builder.compact().with_ansi(ansi).try_init()
    };
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
}
