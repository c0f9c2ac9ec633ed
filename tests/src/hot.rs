//! A hot chatx post: many users liking one post at once through the [`crate::throttle`] proxy.
//! The e2e test `chatx_hot` asserts its counts; `examples/hot_post_likes.rs` reports its likes a
//! second (a benchmark figure, never asserted).

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::TestApp;

/// What a storm of likes did.
#[derive(Debug, Clone)]
pub struct Storm {
    /// Likes (or cancels) that answered success.
    pub done: usize,
    /// Busy answers (errCode 503) that were sent again.
    pub busy: usize,
    pub elapsed: Duration,
    /// Every successful answer's `likeCount`.
    pub counts: Vec<i64>,
}

impl Storm {
    pub fn per_second(&self) -> f64 {
        self.done as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Tokens of `n` new users (chatx takes the liker from the token alone, so no account is needed).
pub fn likers(app: &TestApp, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            let user = uuid::Uuid::now_v7().simple().to_string();
            app.tokens.issue(&user, chatx::AUDIENCE).expect("a token")
        })
        .collect()
}

/// Each token likes (or, with `cancel`, unlikes) `post_id` once, `in_flight` at a time; a busy
/// answer is sent again after a short pause, as a client would. Panics on any other error.
pub async fn storm(app: &TestApp, post_id: &str, tokens: &[String], cancel: bool, in_flight: usize) -> Storm {
    let started = Instant::now();
    let answers: Vec<(i64, usize)> = futures_util::stream::iter(tokens)
        .map(|token| async move {
            let mut busy = 0;
            loop {
                let env: Value = app
                    .chatx(
                        "/chatx/moments/like",
                        token,
                        json!({"postID": post_id, "cancel": cancel}),
                    )
                    .await;
                match env["errCode"].as_i64() {
                    Some(0) => return (env["data"]["likeCount"].as_i64().expect("likeCount"), busy),
                    Some(503) => {
                        busy += 1;
                        tokio::time::sleep(Duration::from_millis(50 * busy.min(10) as u64)).await;
                    }
                    _ => panic!("like failed: {env}"),
                }
            }
        })
        .buffer_unordered(in_flight)
        .collect()
        .await;
    Storm {
        done: answers.len(),
        busy: answers.iter().map(|(_, b)| b).sum(),
        elapsed: started.elapsed(),
        counts: answers.into_iter().map(|(c, _)| c).collect(),
    }
}
