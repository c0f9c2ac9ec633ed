//! weifChat's presence items (issue 11): a user's open connections in one item, so a push to a
//! group reads its members' connections with one `BatchGetItem` per 100 members instead of one
//! Query each; the cap of connections a push reaches; expired entries skipped and removed;
//! `$disconnect` and `logout` removing theirs.

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::serde_json::{Value, json};
use e2e::weif::WeifUser;
use e2e::{Socket, TestApp, spawn_app, unique};
use shared::clock::{now_ms, now_secs};
use shared::store::observe::Call;
use weifchat::keys as k;

/// How long a check that no frame comes waits (a negative check: short).
const QUIET: std::time::Duration = std::time::Duration::from_millis(300);

/// The connections `user`'s presence item holds (any order; none without an item).
async fn presence(app: &TestApp, user: &str) -> Vec<String> {
    let item = app.item(&k::presence(user)).await.unwrap_or_default();
    let mut connections: Vec<String> = item.keys().filter_map(|a| k::presence_connection(a)).collect();
    connections.sort();
    connections
}

/// Waits until the function serving `socket`'s frames is done with the ones sent before: a
/// connection's frames are served in order, so `login`'s answer comes after them.
async fn settle(socket: &mut Socket) {
    socket.send_json(&json!({"action": "login", "data": {}})).await;
    loop {
        if socket.recv_json().await["event"] == "login" {
            return;
        }
    }
}

fn count(calls: &[Call], operation: &str) -> usize {
    calls.iter().filter(|c| c.operation == operation).count()
}

fn private(to: &WeifUser, message: &str) -> Value {
    json!({"action": "private_chat", "data": {"dataMsg": {"msgType": 0, "message": message}, "fId": to.id}})
}

#[tokio::test]
async fn a_group_message_to_150_members_reads_their_connections_in_two_batched_reads() {
    let app = spawn_app().await;
    let [owner, b, c] = app.weif_users_direct::<3>().await;
    let gid = app.weif_group(&owner, &unique("g")).await;
    app.weif_join(&b, &owner, &gid).await;
    app.weif_join(&c, &owner, &gid).await;
    // 147 more members, and a connection each as `$connect` records it (item and presence),
    // with no socket behind it: a push to one answers 410 Gone.
    let store = app.weif_store().await;
    let mut members = Vec::new();
    let mut offline = Vec::new();
    for i in 0..147 {
        let user = shared::ids::new_id();
        members.push(weifchat::bulk::member(&weifchat::Membership {
            id: shared::ids::new_id(),
            group_id: gid.clone(),
            user_id: user.clone(),
            owner_id: owner.id.clone(),
            time: now_ms(),
            ..Default::default()
        }));
        let connection = format!("offline-{i}=");
        store.open_connection(&connection, &user, now_ms()).await.unwrap();
        offline.push((user, connection));
    }
    app.put_all(members).await;
    let (mut so, _) = app.weif_connect(&owner).await;
    let (mut sb, _) = app.weif_connect(&b).await;
    let (mut sc, _) = app.weif_connect(&c).await;

    app.calls("weif-socket-group-chat");
    so.send_json(
        &json!({"action": "group_chat", "data": {"dataMsg": {"msgType": 0, "message": "大家好"}, "gId": gid}}),
    )
    .await;
    for s in [&mut sb, &mut sc] {
        let pushed = s.recv_json().await;
        assert_eq!(
            (&pushed["event"], &pushed["data"]["message"]),
            (&json!("group_chat"), &json!("大家好")),
            "{pushed}"
        );
        assert_eq!(s.recv_json().await, json!({"event": "unread_message", "data": gid}));
    }
    settle(&mut so).await;

    let calls = app.calls("weif-socket-group-chat");
    let ops: Vec<&str> = calls.iter().map(|c| c.operation.as_str()).collect();
    assert_eq!(
        count(&calls, "BatchGetItem"),
        2,
        "150 presence items, 100 a request: {ops:?}"
    );
    assert_eq!(
        count(&calls, "Query"),
        1,
        "the group with its members only, no Query per member: {ops:?}"
    );
    assert_eq!(
        count(&calls, "GetItem"),
        2,
        "the chat's head, the sender (the group comes with its members, the connection's user from the authorizer): {ops:?}"
    );
    let presence_read: usize = calls
        .iter()
        .filter(|c| c.operation == "BatchGetItem")
        .map(|c| c.items_read)
        .sum();
    assert_eq!(presence_read, 150, "one presence item per member");
    // The 147 pushes answered 410 Gone: those connections are forgotten.
    for (user, connection) in offline.iter().step_by(29) {
        assert!(presence(&app, user).await.is_empty(), "{connection}");
    }
    so.expect_silence(QUIET).await;
}

#[tokio::test]
async fn an_expired_presence_entry_is_not_pushed_to_and_is_removed() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    let (mut old, old_id) = app.weif_connect(&b).await;
    let (mut live, live_id) = app.weif_connect(&b).await;
    // `old`'s entry says it expired a second ago (API Gateway would have closed it by then).
    app.dynamo
        .update_item()
        .table_name(&app.table)
        .set_key(Some(k::presence(&b.id).to_item()))
        .update_expression("SET #c = :past")
        .expression_attribute_names("#c", k::presence_attr(&old_id))
        .expression_attribute_values(":past", AttributeValue::N((now_secs() - 1).to_string()))
        .send()
        .await
        .unwrap();

    let (mut sa, _) = app.weif_connect(&a).await;
    sa.send_json(&private(&b, "只给在线的")).await;
    assert_eq!(live.recv_json().await["data"]["message"], "只给在线的");
    assert_eq!(live.recv_json().await["event"], "unread_message");
    old.expect_silence(QUIET).await;
    settle(&mut sa).await;
    assert_eq!(presence(&app, &b.id).await, [live_id], "the expired entry is removed");
}

#[tokio::test]
async fn disconnect_and_logout_remove_their_presence_entries() {
    let app = spawn_app().await;
    let [b] = app.weif_users_direct::<1>().await;
    let (phone, phone_id) = app.weif_connect(&b).await;
    let (mut desktop, desktop_id) = app.weif_connect(&b).await;
    let mut both = vec![phone_id.clone(), desktop_id.clone()];
    both.sort();
    assert_eq!(presence(&app, &b.id).await, both);

    app.requests("weif-socket-disconnect");
    phone.close().await;
    let only_desktop = vec![desktop_id.clone()];
    for _ in 0..100 {
        if presence(&app, &b.id).await == only_desktop {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(presence(&app, &b.id).await, only_desktop, "`$disconnect` removed it");
    assert_eq!(
        app.requests("weif-socket-disconnect"),
        ["UpdateItem"],
        "the authorizer named the user: its presence entry goes, nothing read"
    );

    desktop
        .send_json(&json!({"action": "logout", "data": {"userId": b.id}}))
        .await;
    assert_eq!(
        desktop.recv_close().await.map(|(code, _)| code),
        Some(1000),
        "`logout` closed it"
    );
    assert!(presence(&app, &b.id).await.is_empty(), "`logout` removed it");
}

#[tokio::test]
async fn a_users_connections_past_twenty_evict_the_oldest_from_pushes() {
    let app = spawn_app().await;
    let [b] = app.weif_users_direct::<1>().await;
    let store = app.weif_store().await;
    let cap = weifchat::MAX_USER_CONNECTIONS;
    let opened = now_ms();
    // A second apart, so their expiries (in seconds) order them.
    for i in 0..=cap {
        store
            .open_connection(&format!("device-{i:02}"), &b.id, opened + i as i64 * 1000)
            .await
            .unwrap();
    }
    let mut newest: Vec<String> = (1..=cap).map(|i| format!("device-{i:02}")).collect();
    newest.sort();
    assert_eq!(presence(&app, &b.id).await, newest, "the oldest left the presence item");
    let reach = store.connections_of(&b.id, now_secs()).await.unwrap();
    assert_eq!(reach.live.len(), cap);
    assert!(reach.live.iter().all(|(u, c)| u == &b.id && c != "device-00"));
}
