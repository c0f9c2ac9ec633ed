//! A local Lambda Runtime API (the documented `2018-06-01` interface a custom runtime such as
//! `lambda_runtime` polls): `GET /runtime/invocation/next` hands out the next event,
//! `POST /runtime/invocation/{id}/response` and `/error` answer it, `POST /runtime/init/error`
//! reports a failed init. It records when the function first asked for an event (the end of its
//! init) and, per invocation, when the event was handed out and when the answer came back.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::sync::{Notify, mpsc, oneshot};

const PREFIX: &str = "/2018-06-01/runtime";

/// What the function answered to one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Response(Vec<u8>),
    /// An invocation error (`/error`) or an init error (`/init/error`): its body.
    Error(String),
}

/// One answered invocation: the answer and how long the function took from the moment the event
/// was handed out to the moment its answer arrived.
#[derive(Debug, Clone)]
pub struct Answered {
    pub outcome: Outcome,
    pub took: Duration,
}

struct Queued {
    id: String,
    event: Vec<u8>,
    answer: oneshot::Sender<(Outcome, Instant)>,
    handed: oneshot::Sender<Instant>,
}

struct Inner {
    queue: tokio::sync::Mutex<mpsc::UnboundedReceiver<Queued>>,
    pending: Mutex<HashMap<String, oneshot::Sender<(Outcome, Instant)>>>,
    first_next: Mutex<Option<Instant>>,
    init_error: Mutex<Option<String>>,
    polled: Notify,
}

/// The emulator, serving one function process on a port of its own.
pub struct Runtime {
    addr: SocketAddr,
    inner: Arc<Inner>,
    events: mpsc::UnboundedSender<Queued>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Runtime {
    pub async fn start() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (events, queue) = mpsc::unbounded_channel();
        let inner = Arc::new(Inner {
            queue: tokio::sync::Mutex::new(queue),
            pending: Mutex::new(HashMap::new()),
            first_next: Mutex::new(None),
            init_error: Mutex::new(None),
            polled: Notify::new(),
        });
        let shared = inner.clone();
        let server = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let inner = shared.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| serve(inner.clone(), req));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Self {
            addr,
            inner,
            events,
            server,
        })
    }

    /// `AWS_LAMBDA_RUNTIME_API`: `host:port`.
    pub fn address(&self) -> String {
        self.addr.to_string()
    }

    /// When the function first asked for an event, once it has.
    pub fn first_next(&self) -> Option<Instant> {
        *self.inner.first_next.lock().unwrap()
    }

    /// The body of an init error, if the function reported one.
    pub fn init_error(&self) -> Option<String> {
        self.inner.init_error.lock().unwrap().clone()
    }

    /// Waits until the function has asked for its first event or reported an init error.
    pub async fn polled(&self) {
        loop {
            let notified = self.inner.polled.notified();
            if self.first_next().is_some() || self.init_error().is_some() {
                return;
            }
            notified.await;
        }
    }

    /// Hands `event` to the function at its next poll and waits for its answer.
    pub async fn invoke(&self, event: &[u8]) -> Result<Answered, String> {
        let (answer, answered) = oneshot::channel();
        let (handed, handed_at) = oneshot::channel();
        let queued = Queued {
            id: uuid::Uuid::new_v4().to_string(),
            event: event.to_vec(),
            answer,
            handed,
        };
        self.events
            .send(queued)
            .map_err(|_| "the emulator stopped".to_owned())?;
        let handed_at = handed_at
            .await
            .map_err(|_| "the event was never handed out".to_owned())?;
        let (outcome, at) = answered
            .await
            .map_err(|_| "the invocation was never answered".to_owned())?;
        Ok(Answered {
            outcome,
            took: at.duration_since(handed_at),
        })
    }
}

fn reply(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut res = Response::new(Full::new(body.into()));
    *res.status_mut() = status;
    res
}

async fn serve(inner: Arc<Inner>, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_owned();
    let Some(rest) = path.strip_prefix(PREFIX) else {
        return Ok(reply(StatusCode::NOT_FOUND, "unknown path"));
    };
    let rest = rest.to_owned();
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let at = Instant::now();
    Ok(match Route::of(&rest) {
        Some(Route::Next) => {
            inner.first_next.lock().unwrap().get_or_insert(at);
            inner.polled.notify_waiters();
            let Some(queued) = inner.queue.lock().await.recv().await else {
                return Ok(reply(StatusCode::GONE, "stopped"));
            };
            inner.pending.lock().unwrap().insert(queued.id.clone(), queued.answer);
            let mut res = reply(StatusCode::OK, queued.event);
            let deadline = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_millis()
                + 60_000;
            let headers = res.headers_mut();
            let mut set = |name: &'static str, value: String| {
                if let Ok(v) = value.parse() {
                    headers.insert(name, v);
                }
            };
            set("lambda-runtime-aws-request-id", queued.id);
            set("lambda-runtime-deadline-ms", deadline.to_string());
            set(
                "lambda-runtime-invoked-function-arn",
                "arn:aws:lambda:us-east-1:000000000000:function:coldstart".into(),
            );
            set(
                "lambda-runtime-trace-id",
                "Root=1-00000000-000000000000000000000000;Sampled=0".into(),
            );
            let _ = queued.handed.send(Instant::now());
            res
        }
        Some(Route::Response(id)) | Some(Route::Error(id)) if !inner.pending.lock().unwrap().contains_key(&id) => {
            reply(StatusCode::BAD_REQUEST, "unknown request id")
        }
        Some(Route::Response(id)) => {
            answer(&inner, &id, Outcome::Response(body.to_vec()), at);
            reply(StatusCode::ACCEPTED, "")
        }
        Some(Route::Error(id)) => {
            answer(
                &inner,
                &id,
                Outcome::Error(String::from_utf8_lossy(&body).into_owned()),
                at,
            );
            reply(StatusCode::ACCEPTED, "")
        }
        Some(Route::InitError) => {
            *inner.init_error.lock().unwrap() = Some(String::from_utf8_lossy(&body).into_owned());
            inner.polled.notify_waiters();
            reply(StatusCode::ACCEPTED, "")
        }
        None => reply(StatusCode::NOT_FOUND, "unknown path"),
    })
}

fn answer(inner: &Inner, id: &str, outcome: Outcome, at: Instant) {
    if let Some(tx) = inner.pending.lock().unwrap().remove(id) {
        let _ = tx.send((outcome, at));
    }
}

/// A Runtime API path below `/2018-06-01/runtime`.
#[derive(Debug, PartialEq, Eq)]
enum Route {
    Next,
    Response(String),
    Error(String),
    InitError,
}

impl Route {
    fn of(path: &str) -> Option<Self> {
        match path.trim_start_matches('/').split('/').collect::<Vec<_>>().as_slice() {
            ["invocation", "next"] => Some(Self::Next),
            ["invocation", id, "response"] => Some(Self::Response((*id).to_owned())),
            ["invocation", id, "error"] => Some(Self::Error((*id).to_owned())),
            ["init", "error"] => Some(Self::InitError),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_paths_and_nothing_else() {
        assert_eq!(Route::of("/invocation/next"), Some(Route::Next));
        assert_eq!(
            Route::of("/invocation/abc/response"),
            Some(Route::Response("abc".into()))
        );
        assert_eq!(Route::of("/invocation/abc/error"), Some(Route::Error("abc".into())));
        assert_eq!(Route::of("/init/error"), Some(Route::InitError));
        assert_eq!(Route::of("/invocation/abc"), None);
        assert_eq!(Route::of("/invocation/abc/other"), None);
    }
}
