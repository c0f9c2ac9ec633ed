//! (e) The fan-out of one group message: a group of `members` (the owner included), every
//! member connected to the local WebSocket API and logged in; the owner sends one `group_chat`;
//! the time from sending it until the last other member has received it. Several messages, one
//! after another; their median and slowest.

use std::time::{Duration, Instant};

use e2e::TestApp;
use futures_util::future::join_all;
use serde_json::json;

/// What one fan-out measurement found.
pub struct Fanout {
    pub members: usize,
    /// Milliseconds from send to the last member's frame, one per message.
    pub last_ms: Vec<f64>,
    /// Milliseconds from send to the first member's frame, one per message.
    pub first_ms: Vec<f64>,
}

pub async fn measure(app: &TestApp, members: usize, messages: usize) -> Fanout {
    let [owner] = app.weif_users_direct::<1>().await;
    let group = app.weif_group(&owner, "fan-out").await;
    let mut others = Vec::new();
    while others.len() + 1 < members {
        let batch = app.weif_users_direct::<10>().await;
        for user in batch {
            if others.len() + 1 < members {
                others.push(user);
            }
        }
    }
    for user in &others {
        app.weif_join(user, &owner, &group).await;
    }
    let (mut sender, _) = app.weif_connect(&owner).await;
    let mut sockets = Vec::new();
    for user in &others {
        sockets.push(app.weif_connect(user).await.0);
    }
    let mut last_ms = Vec::new();
    let mut first_ms = Vec::new();
    for i in 0..messages {
        let text = format!("fan-out {i}");
        let started = Instant::now();
        sender
            .send_json(&json!({"action": "group_chat", "data": {
                "dataMsg": {"msgType": 0, "message": text}, "uId": owner.id, "gId": group}}))
            .await;
        let arrivals = join_all(sockets.iter_mut().map(|s| {
            let text = text.clone();
            async move {
                loop {
                    let frame = s.recv_json().await;
                    if frame["event"] == "group_chat" && frame.to_string().contains(&text) {
                        return started.elapsed();
                    }
                }
            }
        }))
        .await;
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        last_ms.push(arrivals.iter().copied().max().map_or(0.0, ms));
        first_ms.push(arrivals.iter().copied().min().map_or(0.0, ms));
    }
    for s in sockets {
        s.close().await;
    }
    sender.close().await;
    Fanout {
        members,
        last_ms,
        first_ms,
    }
}
