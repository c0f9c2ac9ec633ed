//! A WebSocket client of the local gateway's WebSocket API, for tests (the end-to-end harness
//! hands these out as `app.socket(query)`). Its receiving methods wait a generous
//! [`RECV_TIMEOUT`] and panic with a clear message when what they wait for doesn't come.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for a frame it expects.
pub const RECV_TIMEOUT: Duration = Duration::from_secs(10);

/// One open connection to the WebSocket API.
pub struct Socket {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// What the server sent next.
enum Received {
    Text(String),
    /// A binary frame, by its length.
    Binary(usize),
    Closed(Option<(u16, String)>),
}

impl std::fmt::Display for Received {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Text(text) => write!(f, "the text frame {text}"),
            Self::Binary(len) => write!(f, "a binary frame of {len} bytes"),
            Self::Closed(Some((code, reason))) => write!(f, "a close frame {code} {reason:?}"),
            Self::Closed(None) => write!(f, "the end of the connection"),
        }
    }
}

impl Socket {
    /// Opens a connection to `url` (`ws://127.0.0.1:PORT/ws?token=…`); a refused handshake
    /// answers its HTTP status (the `$connect` function's).
    pub async fn connect(url: &str) -> Result<Self, u16> {
        match tokio::time::timeout(RECV_TIMEOUT, tokio_tungstenite::connect_async(url)).await {
            Ok(Ok((ws, _))) => Ok(Self { ws }),
            Ok(Err(WsError::Http(response))) => Err(response.status().as_u16()),
            Ok(Err(e)) => panic!("WebSocket handshake with {url} failed: {e}"),
            Err(_) => panic!("no WebSocket handshake answer from {url} within {RECV_TIMEOUT:?}"),
        }
    }

    /// Sends `value` as a text frame.
    pub async fn send_json(&mut self, value: &Value) {
        self.send_text(&value.to_string()).await;
    }

    /// Sends `text` as one text frame.
    pub async fn send_text(&mut self, text: &str) {
        self.ws
            .send(Message::text(text))
            .await
            .unwrap_or_else(|e| panic!("sending a text frame failed: {e}"));
    }

    /// Sends `bytes` as one binary frame.
    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        self.ws
            .send(Message::binary(bytes))
            .await
            .unwrap_or_else(|e| panic!("sending a binary frame failed: {e}"));
    }

    /// The next text frame; panics if none comes within [`RECV_TIMEOUT`] or the server closes.
    pub async fn recv_text(&mut self) -> String {
        match tokio::time::timeout(RECV_TIMEOUT, self.next()).await {
            Ok(Received::Text(text)) => text,
            Ok(other) => panic!("expected a text frame, got {other}"),
            Err(_) => panic!("no frame within {RECV_TIMEOUT:?}"),
        }
    }

    /// The next text frame, parsed as JSON (see [`Socket::recv_text`]).
    pub async fn recv_json(&mut self) -> Value {
        let text = self.recv_text().await;
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("frame is not JSON ({e}): {text}"))
    }

    /// The next text frame parsed as JSON, or `None` once the server closed the connection
    /// (after flushing the close frame tungstenite answers with); panics on a binary frame or if
    /// nothing comes within [`RECV_TIMEOUT`].
    pub async fn recv_json_or_close(&mut self) -> Option<Value> {
        match tokio::time::timeout(RECV_TIMEOUT, self.next()).await {
            Ok(Received::Text(text)) => {
                Some(serde_json::from_str(&text).unwrap_or_else(|e| panic!("frame is not JSON ({e}): {text}")))
            }
            Ok(Received::Closed(_)) => {
                let _ = self.ws.flush().await;
                None
            }
            Ok(other) => panic!("expected a text frame or a close, got {other}"),
            Err(_) => panic!("no frame within {RECV_TIMEOUT:?}"),
        }
    }

    /// Asserts that no frame comes within `window` (keep it short: a few hundred milliseconds).
    pub async fn expect_silence(&mut self, window: Duration) {
        if let Ok(frame) = tokio::time::timeout(window, self.next()).await {
            panic!("expected no frame within {window:?}, got {frame}");
        }
    }

    /// Waits for the server to close the connection; its close code and reason (`None`: the
    /// connection ended without a close frame). Panics if a data frame comes first.
    pub async fn recv_close(&mut self) -> Option<(u16, String)> {
        match tokio::time::timeout(RECV_TIMEOUT, self.next()).await {
            Ok(Received::Closed(close)) => {
                // Send the close frame tungstenite answers with, as a browser would at once.
                let _ = self.ws.flush().await;
                close
            }
            Ok(other) => panic!("expected the connection to close, got {other}"),
            Err(_) => panic!("the connection was not closed within {RECV_TIMEOUT:?}"),
        }
    }

    /// Closes the connection (code 1000) and waits for the server's close frame.
    pub async fn close(mut self) {
        let normal = CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        };
        let _ = self.ws.close(Some(normal)).await;
        let _ = tokio::time::timeout(RECV_TIMEOUT, async { while let Some(Ok(_)) = self.ws.next().await {} }).await;
    }

    async fn next(&mut self) -> Received {
        loop {
            match self.ws.next().await {
                Some(Ok(Message::Text(text))) => return Received::Text(text.as_str().to_owned()),
                Some(Ok(Message::Binary(bytes))) => return Received::Binary(bytes.len()),
                Some(Ok(Message::Close(frame))) => {
                    return Received::Closed(
                        frame.map(|CloseFrame { code, reason }| (u16::from(code), reason.as_str().to_owned())),
                    );
                }
                Some(Ok(_)) => {} // ping, pong
                Some(Err(_)) | None => return Received::Closed(None),
            }
        }
    }
}
