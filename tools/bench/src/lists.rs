//! (d) A list endpoint at growing sizes: a chatx user with 100, 1,000 and 10,000 posts (written
//! with the store's own `add_post`, one PutItem each, as the route writes them), then pages of
//! `POST /chatx/moments/post/list`: the metered first page (requests, items read) and warm calls'
//! latency. The other list endpoints are not filled yet (docs/benchmarks.md says so).

use std::time::Instant;

use chatx::ChatxState;
use e2e::matrix::Runner;
use serde_json::json;

use crate::meter::MeterProxy;

pub struct ListRun {
    pub route: &'static str,
    pub rows: usize,
    pub requests: usize,
    pub items: u64,
    pub rru: f64,
    /// Client round trips of the warm calls, microseconds.
    pub samples: Vec<f64>,
}

pub async fn chatx_posts(runner: &Runner, proxy: &MeterProxy, sizes: &[usize], warm: usize) -> Vec<ListRun> {
    let app = &runner.app;
    let user = app.register().await;
    let state = app.operator().await;
    let store = state.chatx();
    let mut written = 0;
    let mut out = Vec::new();
    for &rows in sizes {
        while written < rows {
            let now = shared::clock::now_ms();
            let post = chatx::model::Post {
                post_id: uuid::Uuid::now_v7().to_string(),
                user_id: user.user_id.clone(),
                content: format!("filler post {written}: {}", "x".repeat(100)),
                images: Vec::new(),
                create_time: now,
                like_count: 0,
                comment_count: 0,
                liked: false,
            };
            store.add_post(&post).await.expect("a filler post");
            written += 1;
        }
        let body = json!({"userID": user.user_id});
        proxy.take();
        proxy.metering(true);
        let first = app.chatx("/chatx/moments/post/list", &user.token, body.clone()).await;
        proxy.metering(false);
        assert_eq!(first["errCode"], 0, "{first}");
        let calls = proxy.take();
        let mut samples = Vec::new();
        for _ in 0..warm {
            let started = Instant::now();
            app.chatx("/chatx/moments/post/list", &user.token, body.clone()).await;
            samples.push(started.elapsed().as_secs_f64() * 1e6);
        }
        out.push(ListRun {
            route: "POST /chatx/moments/post/list",
            rows,
            requests: calls.len(),
            items: calls.iter().map(|c| c.items).sum(),
            rru: calls.iter().fold(0.0, |s, c| s + c.rru),
            samples,
        });
        eprintln!("  chatx post list at {rows} posts: {} requests", calls.len());
    }
    out
}
