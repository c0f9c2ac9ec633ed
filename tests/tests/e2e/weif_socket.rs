//! weifChat's chat socket (seed 003's socket events) through the local gateway's WebSocket API,
//! with real WebSocket clients: handshakes, frames both ways, pushes to every connection of a
//! user, refusals that store nothing, gone connections, apply notices from the REST routes,
//! catching up with the sync route, and concurrent senders.

use std::collections::BTreeSet;

use e2e::serde_json::{Value, json};
use e2e::weif::WeifUser;
use e2e::{Socket, TestApp, spawn_app};
use weifchat::keys as k;

/// How long a check that no frame comes waits (a negative check: short).
const QUIET: std::time::Duration = std::time::Duration::from_millis(300);

async fn connect(app: &TestApp, user: &WeifUser) -> (Socket, String) {
    app.weif_connect(user).await
}

fn private(to: &WeifUser, message: &str) -> Value {
    json!({"action": "private_chat", "data": {"dataMsg": {"msgType": 0, "message": message}, "fId": to.id}})
}

fn group(group: &str, message: &str) -> Value {
    json!({"action": "group_chat", "data": {"dataMsg": {"msgType": 0, "message": message}, "gId": group}})
}

async fn history(app: &TestApp, me: &WeifUser, friend: &WeifUser) -> Vec<String> {
    let env = app
        .weif_get_ok(
            "/message/friend",
            &me.token,
            &[("userId", &me.id), ("friendId", &friend.id)],
        )
        .await;
    env["data"]["messageList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["message"].as_str().unwrap().to_owned())
        .collect()
}

async fn sync(app: &TestApp, me: &WeifUser, kind: &str, id: &str, seq: u64, cursor: Option<&str>) -> Value {
    let seq = seq.to_string();
    let mut query = vec![("userId", me.id.as_str()), ("id", id), ("seq", seq.as_str())];
    if let Some(c) = cursor {
        query.push(("cursor", c));
    }
    app.weif_get(&format!("/message/sync/{kind}"), &me.token, &query).await
}

fn error(action: &str, status: u16, msg: &str) -> Value {
    json!({"event": "error", "data": {"action": action, "status": status, "msg": msg}})
}

#[tokio::test]
async fn two_friends_chat_both_ways() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    let (mut sa, _) = connect(&app, &a).await;
    let (mut sb, _) = connect(&app, &b).await;

    sa.send_json(&private(&b, "你好")).await;
    let pushed = sb.recv_json().await;
    assert_eq!(pushed["event"], "private_chat", "{pushed}");
    let data = &pushed["data"];
    assert_eq!(
        (
            &data["userId"],
            &data["msgType"],
            &data["message"],
            &data["fromId"],
            &data["toId"],
            &data["seq"]
        ),
        (
            &json!({"_id": a.id, "nick": a.nick, "imgUrl": data["userId"]["imgUrl"]}),
            &json!(0),
            &json!("你好"),
            &json!(a.id),
            &json!(b.id),
            &json!(1)
        )
    );
    let time = data["time"].as_str().unwrap();
    assert!(time.ends_with('Z') && time.len() == 24, "ISO time: {time}");
    assert_eq!(sb.recv_json().await, json!({"event": "unread_message", "data": a.id}));
    sa.expect_silence(QUIET).await;

    sb.send_json(&private(&a, "hi")).await;
    let reply = sa.recv_json().await;
    assert_eq!(
        (&reply["event"], &reply["data"]["message"], &reply["data"]["seq"]),
        (&json!("private_chat"), &json!("hi"), &json!(2))
    );
    assert_eq!(sa.recv_json().await, json!({"event": "unread_message", "data": b.id}));
    assert_eq!(history(&app, &a, &b).await, ["你好", "hi"]);
}

#[tokio::test]
async fn a_group_of_three_chats_and_the_sender_gets_no_echo() {
    let app = spawn_app().await;
    let [a, b, c] = app.weif_users().await;
    let gid = app.weif_group(&a, &e2e::unique("g")).await;
    app.weif_join(&b, &a, &gid).await;
    app.weif_join(&c, &a, &gid).await;
    let (mut sa, _) = connect(&app, &a).await;
    let (mut sb, _) = connect(&app, &b).await;
    let (mut sc, _) = connect(&app, &c).await;
    for s in [&mut sa, &mut sb, &mut sc] {
        s.send_json(&json!({"action": "join_group", "data": {"gId": gid}}))
            .await;
        assert_eq!(
            s.recv_json().await,
            json!({"event": "join_group", "data": {"gId": gid, "lastSeq": 0}})
        );
    }

    sa.send_json(&group(&gid, "大家好")).await;
    for s in [&mut sb, &mut sc] {
        let pushed = s.recv_json().await;
        assert_eq!(pushed["event"], "group_chat", "{pushed}");
        assert_eq!(
            (
                &pushed["data"]["message"],
                &pushed["data"]["fromId"],
                &pushed["data"]["toId"],
                &pushed["data"]["seq"]
            ),
            (&json!("大家好"), &json!(a.id), &json!(gid), &json!(1))
        );
        assert_eq!(pushed["data"]["groupInfo"]["_id"], gid);
        assert_eq!(pushed["data"]["userId"]["_id"], a.id);
        assert_eq!(s.recv_json().await, json!({"event": "unread_message", "data": gid}));
    }
    sa.expect_silence(QUIET).await;

    sc.send_json(&group(&gid, "收到")).await;
    for s in [&mut sa, &mut sb] {
        assert_eq!(s.recv_json().await["data"]["seq"], 2);
        assert_eq!(s.recv_json().await["event"], "unread_message");
    }
    sc.expect_silence(QUIET).await;
}

#[tokio::test]
async fn a_non_friend_and_a_non_member_are_refused_with_nothing_stored() {
    let app = spawn_app().await;
    let (a, b, stranger) = app.weif_people().await;
    let gid = app.weif_group(&a, &e2e::unique("g")).await;
    let (mut ss, _) = connect(&app, &stranger).await;
    let (mut sa, _) = connect(&app, &a).await;

    ss.send_json(&private(&a, "spam")).await;
    assert_eq!(ss.recv_json().await, error("private_chat", 403, "您与ta还不是好友哦"));
    ss.send_json(&group(&gid, "spam")).await;
    assert_eq!(ss.recv_json().await, error("group_chat", 403, "您还未加入该群哦"));
    ss.send_json(&json!({"action": "join_group", "data": {"gId": gid}}))
        .await;
    assert_eq!(ss.recv_json().await, error("join_group", 403, "您还未加入该群哦"));
    sa.expect_silence(QUIET).await;
    assert!(
        app.item(&k::chat_head(&k::private_chat(&stranger.id, &a.id)))
            .await
            .is_none()
    );
    assert!(app.item(&k::chat_head(&k::group_chat(&gid))).await.is_none());
    assert!(app.item(&k::conversation(&a.id, &stranger.id)).await.is_none());
    // Friends still can.
    let (mut sb, _) = connect(&app, &b).await;
    sb.send_json(&private(&a, "ok")).await;
    assert_eq!(sa.recv_json().await["data"]["message"], "ok");
}

#[tokio::test]
async fn a_connection_without_a_valid_weifchat_token_is_refused_at_the_handshake() {
    let app = spawn_app().await;
    let chatx_token = app.tokens.issue("u1", chatx::AUDIENCE).unwrap();
    for query in [
        String::new(),
        "token=".into(),
        "token=not-a-token".into(),
        format!("token={chatx_token}"),
    ] {
        match app.socket(&query).await {
            Err(status) => assert_eq!(status, 401, "{query}"),
            Ok(_) => panic!("handshake accepted with {query:?}"),
        }
    }
}

#[tokio::test]
async fn the_sender_is_the_connection_never_a_field_of_the_frame() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    let (mut sa, _) = connect(&app, &a).await;
    let (mut sb, _) = connect(&app, &b).await;
    let forged = json!({"action": "private_chat", "data": {"dataMsg": {"msgType": 0, "message": "x", "userId": {"_id": b.id}}, "uId": b.id, "fId": a.id}});
    sa.send_json(&forged).await;
    assert_eq!(sa.recv_json().await, error("private_chat", 403, "身份不符, 无权操作"));
    for action in ["login", "init_apply_notice", "apply_notice", "logout"] {
        sa.send_json(&json!({"action": action, "data": {"userId": b.id}})).await;
        assert_eq!(sa.recv_json().await, error(action, 403, "身份不符, 无权操作"));
    }
    sb.expect_silence(QUIET).await;
    assert!(app.item(&k::chat_head(&k::private_chat(&a.id, &b.id))).await.is_none());
    // A client's `dataMsg.userId` is ignored: the pushed sender is the connection's user.
    sa.send_json(&json!({"action": "private_chat", "data": {"dataMsg": {"msgType": 0, "message": "me", "userId": {"_id": b.id, "nick": "fake"}}, "fId": b.id}})).await;
    let pushed = sb.recv_json().await;
    assert_eq!(
        (&pushed["data"]["userId"]["_id"], &pushed["data"]["userId"]["nick"]),
        (&json!(a.id), &json!(a.nick))
    );
}

#[tokio::test]
async fn bad_frames_get_error_frames_and_store_nothing() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    let (mut sa, _) = connect(&app, &a).await;
    let invalid = |msg: &str, path: &str| {
        json!({"event": "error", "data": {"action": "private_chat", "status": 405, "msg": "参数错误",
            "data": [{"type": "field", "msg": msg, "path": path, "location": "body"}]}})
    };
    sa.send_json(&json!({"action": "private_chat", "data": {"dataMsg": {"msgType": 9, "message": "x"}, "fId": b.id}}))
        .await;
    assert_eq!(sa.recv_json().await, invalid("msgType必须为0-8的整数", "msgType"));
    sa.send_json(&json!({"action": "private_chat", "data": {"dataMsg": {"msgType": 0, "message": ""}, "fId": b.id}}))
        .await;
    assert_eq!(sa.recv_json().await, invalid("消息内容不能为空", "message"));
    let long = "长".repeat(8_000);
    sa.send_json(&json!({"action": "private_chat", "data": {"dataMsg": {"msgType": 0, "message": long}, "fId": b.id}}))
        .await;
    assert_eq!(sa.recv_json().await, invalid("消息内容过长", "message"));
    sa.send_json(&json!({"action": "private_chat", "data": {"dataMsg": {"msgType": 0, "message": "x"}}}))
        .await;
    assert_eq!(sa.recv_json().await, invalid("fId参数不能为空", "fId"));
    // A string field takes strings only.
    sa.send_json(
        &json!({"action": "private_chat", "data": {"dataMsg": {"msgType": 0, "message": {"$gt": ""}}, "fId": b.id}}),
    )
    .await;
    let err = sa.recv_json().await;
    assert_eq!(
        (&err["event"], &err["data"]["status"]),
        (&json!("error"), &json!(400)),
        "{err}"
    );
    // An unknown action reaches `$default`.
    sa.send_json(&json!({"action": "shout", "data": {}})).await;
    assert_eq!(sa.recv_json().await, error("$default", 400, "未知的事件: shout"));
    assert!(app.item(&k::chat_head(&k::private_chat(&a.id, &b.id))).await.is_none());
}

#[tokio::test]
async fn closed_connections_are_forgotten_by_disconnect_and_gone_ones_on_the_next_push() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    let (sb, b_conn) = connect(&app, &b).await;
    assert!(present(&app, &b.id, &b_conn).await);
    sb.close().await;
    wait_until_gone(&app, &b.id, &b_conn).await;

    // A connection whose `$disconnect` never ran (API Gateway doesn't promise it): the next
    // push to it answers 410 Gone, and it is forgotten.
    let store = app.weif_store().await;
    store
        .open_connection("stale-connection=", &b.id, shared::clock::now_ms())
        .await
        .unwrap();
    let (mut sb2, b_live) = connect(&app, &b).await;
    let (mut sa, _) = connect(&app, &a).await;
    sa.send_json(&private(&b, "still there?")).await;
    assert_eq!(sb2.recv_json().await["data"]["message"], "still there?");
    assert_eq!(sb2.recv_json().await["event"], "unread_message");
    wait_until_gone(&app, &b.id, "stale-connection=").await;
    assert!(present(&app, &b.id, &b_live).await, "the live connection stays");
    sa.expect_silence(QUIET).await;
}

/// Waits (bounded) until the chat's head says `seq` messages are stored.
async fn wait_for_last_seq(app: &TestApp, chat: &str, seq: u64) {
    for _ in 0..100 {
        let head = app.item(&k::chat_head(chat)).await;
        if head.and_then(|h| h.get("lastSeq").and_then(|v| v.as_n().ok()).cloned()) == Some(seq.to_string()) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("chat {chat} never reached seq {seq}");
}

/// Whether `connection` is in `user`'s presence item (what a push reads).
async fn present(app: &TestApp, user: &str, connection: &str) -> bool {
    app.item(&k::presence(user))
        .await
        .is_some_and(|p| p.contains_key(&k::presence_attr(connection)))
}

/// Waits (bounded) for a connection to leave its user's presence: `$disconnect` runs after the
/// close.
async fn wait_until_gone(app: &TestApp, user: &str, connection: &str) {
    for _ in 0..100 {
        if !present(app, user, connection).await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("connection {connection} still in {user}'s presence");
}

#[tokio::test]
async fn every_connection_of_a_user_gets_the_push_and_the_senders_other_devices_too() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    let (mut phone_a, _) = connect(&app, &a).await;
    let (mut desktop_a, _) = connect(&app, &a).await;
    let (mut phone_b, _) = connect(&app, &b).await;
    let (mut desktop_b, _) = connect(&app, &b).await;
    phone_a.send_json(&private(&b, "to both")).await;
    for s in [&mut phone_b, &mut desktop_b] {
        assert_eq!(s.recv_json().await["data"]["message"], "to both");
        assert_eq!(s.recv_json().await, json!({"event": "unread_message", "data": a.id}));
    }
    let synced = desktop_a.recv_json().await;
    assert_eq!(
        (&synced["event"], &synced["data"]["message"]),
        (&json!("private_chat"), &json!("to both"))
    );
    desktop_a.expect_silence(QUIET).await;
    phone_a.expect_silence(QUIET).await;
}

#[tokio::test]
async fn friend_and_group_requests_push_apply_notice_and_agreeing_pushes_agree_apply() {
    let app = spawn_app().await;
    let [a, b] = app.weif_users().await;
    let (mut sa, _) = connect(&app, &a).await;
    let (mut sb, _) = connect(&app, &b).await;
    sb.send_json(&json!({"action": "init_apply_notice", "data": {"userId": b.id}}))
        .await;
    assert_eq!(
        sb.recv_json().await,
        json!({"event": "init_apply_notice", "data": {"friendNoticeNum": 0, "groupNoticeNum": 0}})
    );

    app.weif_post_ok("/friend/add", &a.token, json!({"userId": a.id, "friendId": b.id}))
        .await;
    assert_eq!(
        sb.recv_json().await,
        json!({"event": "apply_notice", "data": {"friendNoticeNum": 1, "groupNoticeNum": 0}})
    );
    app.weif_post_ok("/friend/agree", &b.token, json!({"userId": b.id, "friendId": a.id}))
        .await;
    assert_eq!(sa.recv_json().await, json!({"event": "agree_apply", "data": null}));

    let gid = app.weif_group(&b, &e2e::unique("g")).await;
    app.weif_post_ok("/group/add", &a.token, json!({"groupId": gid, "userId": a.id}))
        .await;
    assert_eq!(
        sb.recv_json().await,
        json!({"event": "apply_notice", "data": {"friendNoticeNum": 0, "groupNoticeNum": 1}})
    );
    sb.send_json(&json!({"action": "apply_notice", "data": {}})).await;
    assert_eq!(
        sb.recv_json().await,
        json!({"event": "apply_notice", "data": {"friendNoticeNum": 0, "groupNoticeNum": 1}})
    );
    app.weif_post_ok("/group/agree", &b.token, json!({"userId": a.id, "groupId": gid}))
        .await;
    assert_eq!(sa.recv_json().await, json!({"event": "agree_apply", "data": null}));

    // The socket's own agree_apply reaches a friend only.
    sb.send_json(&json!({"action": "agree_apply", "data": {"toId": a.id}}))
        .await;
    assert_eq!(sa.recv_json().await, json!({"event": "agree_apply", "data": null}));
    let stranger = app.weif_register().await;
    sb.send_json(&json!({"action": "agree_apply", "data": {"toId": stranger.id}}))
        .await;
    assert_eq!(sb.recv_json().await, error("agree_apply", 403, "您与ta还不是好友哦"));
}

#[tokio::test]
async fn logout_closes_that_connection_and_the_token_connects_again() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    let (mut sa, _) = connect(&app, &a).await;
    let (mut sb, b_conn) = connect(&app, &b).await;
    sb.send_json(&json!({"action": "logout", "data": {"userId": b.id}}))
        .await;
    // The server closes it (DeleteConnection: 1000), so no frame of it is served any more.
    let (code, _) = sb.recv_close().await.expect("a close frame");
    assert_eq!(code, 1000);
    wait_until_gone(&app, &b.id, &b_conn).await;
    assert_eq!(app.requests("weif-socket-logout"), ["UpdateItem"]);
    sa.send_json(&private(&b, "are you there")).await;
    // Stored all the same: the table is the truth.
    wait_for_last_seq(&app, &k::private_chat(&a.id, &b.id), 1).await;
    assert_eq!(history(&app, &b, &a).await, ["are you there"]);
    // The token is still valid: the client connects again and chats.
    let (mut sb, again) = connect(&app, &b).await;
    assert_ne!(again, b_conn);
    sa.send_json(&private(&b, "welcome back")).await;
    assert_eq!(sb.recv_json().await["data"]["message"], "welcome back");
}

/// The `$connect` authorizer checks the token and reads nothing; every frame's sender comes from
/// its answer, so no frame reads its connection item (one request fewer than before on each).
#[tokio::test]
async fn the_authorizer_reads_nothing_and_frames_read_no_connection_item() {
    let app = spawn_app().await;
    let [a, b] = app.weif_users_direct::<2>().await;
    let gid = app.weif_group(&a, &e2e::unique("g")).await;
    app.requests("weif-socket-connect");
    let (mut sa, _) = connect(&app, &a).await;
    assert!(app.requests("weif-socket-authorize").is_empty());
    assert_eq!(app.requests("weif-socket-connect"), ["UpdateItem"]);
    assert!(
        app.requests("weif-socket-login").is_empty(),
        "login answers from the event alone"
    );
    sa.send_json(&json!({"action": "join_group", "data": {"gId": gid}}))
        .await;
    assert_eq!(
        sa.recv_json().await,
        json!({"event": "join_group", "data": {"gId": gid, "lastSeq": 0}})
    );
    assert_eq!(app.requests("weif-socket-join-group"), ["BatchGetItem"]);
    sa.send_json(&json!({"action": "init_apply_notice", "data": {}})).await;
    assert_eq!(sa.recv_json().await["event"], "init_apply_notice");
    assert_eq!(app.requests("weif-socket-init-apply-notice"), ["Query", "Query"]);
    sa.send_json(&json!({"action": "nope", "data": {}})).await;
    assert_eq!(sa.recv_json().await["data"]["status"], 400);
    assert!(app.requests("weif-socket-default").is_empty());
    // The sender is still the token's user: another user's connection is someone else.
    let (mut sb, _) = connect(&app, &b).await;
    sb.send_json(&json!({"action": "login", "data": {"userId": a.id}}))
        .await;
    assert_eq!(sb.recv_json().await, error("login", 403, "身份不符, 无权操作"));
}

#[tokio::test]
async fn a_reconnecting_client_syncs_exactly_the_missed_messages_in_order() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    let (mut sa, _) = connect(&app, &a).await;
    let (mut sb, _) = connect(&app, &b).await;
    sa.send_json(&private(&b, "m1")).await;
    let last_seen = sb.recv_json().await["data"]["seq"].as_u64().unwrap();
    assert_eq!(last_seen, 1);
    sb.close().await;
    for i in 2..=4 {
        sa.send_json(&private(&b, &format!("m{i}"))).await;
    }
    // Success is silent: wait (bounded) until the three are stored before reconnecting.
    wait_for_last_seq(&app, &k::private_chat(&a.id, &b.id), 4).await;

    let (_sb, _) = connect(&app, &b).await;
    let env = sync(&app, &b, "friend", &a.id, last_seen, None).await;
    assert_eq!(env["status"], 200, "{env}");
    let got: Vec<(u64, &str)> = env["data"]["messageList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["seq"].as_u64().unwrap(), m["message"].as_str().unwrap()))
        .collect();
    assert_eq!(got, [(2, "m2"), (3, "m3"), (4, "m4")]);
    assert_eq!(env["data"]["next"], Value::Null);
    assert_eq!(env["data"]["messageList"][0]["userId"]["_id"], a.id);

    // Not friends, not a member: as the histories answer.
    let stranger = app.weif_register().await;
    assert_eq!(
        sync(&app, &stranger, "friend", &a.id, 0, None).await,
        json!({"status": 202, "msg": "您与ta还不是好友哦"})
    );
    let gid = app.weif_group(&a, &e2e::unique("g")).await;
    assert_eq!(
        sync(&app, &stranger, "group", &gid, 0, None).await,
        json!({"status": 202, "msg": "您还未加入该群哦"})
    );
}

#[tokio::test]
async fn sync_pages_with_its_cursor() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    let store = app.weif_store().await;
    for i in 1..=(weifchat::SYNC_PAGE + 5) {
        store
            .send_private(
                &a.id,
                &b.id,
                &e2e::weif::text(&format!("m{i}")),
                None,
                shared::clock::now_ms(),
            )
            .await
            .unwrap();
    }
    let first = sync(&app, &b, "friend", &a.id, 0, None).await;
    let list = first["data"]["messageList"].as_array().unwrap();
    assert_eq!(list.len(), weifchat::SYNC_PAGE);
    let cursor = first["data"]["next"].as_str().expect("a next page");
    let second = sync(&app, &b, "friend", &a.id, 0, Some(cursor)).await;
    let seqs: Vec<u64> = second["data"]["messageList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, (101..=105).collect::<Vec<u64>>());
}

#[tokio::test]
async fn twenty_friends_sending_at_once_are_all_stored_and_counted() {
    let app = spawn_app().await;
    let target = app.weif_register().await;
    let mut senders = Vec::new();
    for _ in 0..20 {
        let friend = app.weif_register().await;
        app.weif_befriend(&friend, &target).await;
        let (socket, _) = connect(&app, &friend).await;
        senders.push((friend, socket));
    }
    let (mut inbox, _) = connect(&app, &target).await;
    let sends = senders.iter_mut().map(|(friend, socket)| {
        let frame = private(&target, &format!("from {}", friend.id));
        async move { socket.send_json(&frame).await }
    });
    futures_util::future::join_all(sends).await;

    let mut from = BTreeSet::new();
    for _ in 0..40 {
        let frame = inbox.recv_json().await;
        if frame["event"] == "private_chat" {
            assert_eq!(frame["data"]["seq"], 1, "each chat's first message");
            from.insert(frame["data"]["fromId"].as_str().unwrap().to_owned());
        }
    }
    let expected: BTreeSet<String> = senders.iter().map(|(f, _)| f.id.clone()).collect();
    assert_eq!(from, expected);
    let list = app
        .weif_get_ok("/message/list", &target.token, &[("userId", &target.id)])
        .await;
    let unread: u64 = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["unreadMsgCount"].as_u64().unwrap())
        .sum();
    assert_eq!(unread, 20);
}

#[tokio::test]
async fn twenty_messages_at_once_in_one_chat_get_gap_free_seqs() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    let mut sockets = Vec::new();
    for _ in 0..4 {
        sockets.push(connect(&app, &a).await.0);
    }
    let (mut inbox, _) = connect(&app, &b).await;
    let sends = sockets.iter_mut().enumerate().map(|(i, socket)| {
        let b = &b;
        async move {
            for j in 0..5 {
                socket.send_json(&private(b, &format!("{i}-{j}"))).await;
            }
        }
    });
    futures_util::future::join_all(sends).await;
    let mut seqs = BTreeSet::new();
    while seqs.len() < 20 {
        let frame = inbox.recv_json().await;
        if frame["event"] == "private_chat" {
            seqs.insert(frame["data"]["seq"].as_u64().unwrap());
        }
    }
    assert_eq!(seqs, (1..=20).collect());
    let env = sync(&app, &b, "friend", &a.id, 0, None).await;
    assert_eq!(env["data"]["messageList"].as_array().unwrap().len(), 20);
    let conv = app.item(&k::conversation(&b.id, &a.id)).await.unwrap();
    assert_eq!(conv["unread"].as_n().unwrap(), "20");
}

/// A client that didn't hear back (a dropped connection, a timeout) resends its message with the
/// same `clientMsgId`, from the same or another connection: the message is stored once, pushed
/// once, and counted once as unread. Without the ID two sends are two messages; another sender
/// may use the same ID; a malformed ID is refused and stores nothing.
#[tokio::test]
async fn a_resent_message_with_its_client_id_is_stored_and_pushed_once() {
    let app = spawn_app().await;
    let (a, b, c) = app.weif_people().await;
    let (mut sa, _) = connect(&app, &a).await;
    let (mut sa2, _) = connect(&app, &a).await;
    let (mut sb, _) = connect(&app, &b).await;
    let with_id = |mut frame: Value, id: &str| {
        frame["data"]["clientMsgId"] = json!(id);
        frame
    };

    let once = with_id(private(&b, "只一次"), "m-1");
    sa.send_json(&once).await;
    assert_eq!(sb.recv_json().await["data"]["seq"], 1);
    assert_eq!(sb.recv_json().await["event"], "unread_message");
    assert_eq!(sa2.recv_json().await["data"]["seq"], 1, "the sender's other device");
    sa2.send_json(&once).await;
    sa.send_json(&once).await;
    sb.expect_silence(QUIET).await;
    sa.expect_silence(QUIET).await;
    assert_eq!(history(&app, &b, &a).await, ["只一次"]);
    let conversation = app.item(&k::conversation(&b.id, &a.id)).await.unwrap();
    assert_eq!(conversation["unread"].as_n().unwrap(), "1");
    let record = app
        .item(&k::sent_message(&a.id, "m-1"))
        .await
        .expect("the client ID's record");
    let expires: i64 = record[shared::keys::TTL].as_n().unwrap().parse().unwrap();
    let day = weifchat::SENT_ID_SECS;
    assert!(
        (day - 60..=day + 5).contains(&(expires - shared::clock::now_secs())),
        "{expires}"
    );

    // Without an ID, a resend is another message; another sender's same ID is theirs.
    sa.send_json(&private(&b, "两次")).await;
    sa.send_json(&private(&b, "两次")).await;
    for seq in [2, 3] {
        assert_eq!(sb.recv_json().await["data"]["seq"], seq);
        assert_eq!(sb.recv_json().await["event"], "unread_message");
    }
    app.weif_befriend(&c, &b).await;
    let (mut sc, _) = connect(&app, &c).await;
    sc.send_json(&with_id(private(&b, "c's"), "m-1")).await;
    let mut pushed = sb.recv_json().await;
    while pushed["event"] == "apply_notice" {
        pushed = sb.recv_json().await; // c's friend request, before the message
    }
    assert_eq!(
        (&pushed["data"]["message"], &pushed["data"]["seq"]),
        (&json!("c's"), &json!(1))
    );

    // A group message resent is stored once too.
    let gid = app.weif_group(&a, "resend").await;
    app.weif_join(&b, &a, &gid).await;
    let in_group = with_id(group(&gid, "群里一次"), "g-1");
    sa.send_json(&in_group).await;
    sa.send_json(&in_group).await;
    wait_for_last_seq(&app, &k::group_chat(&gid), 1).await;
    assert_eq!(app.count_items(&k::group_chat(&gid), k::MESSAGE_PREFIX).await, 1);

    // A malformed ID is refused before anything is stored.
    sa.send_json(&with_id(private(&b, "x"), "has space")).await;
    let mut err = sa.recv_json().await;
    while err["event"] == "apply_notice" {
        err = sa.recv_json().await; // b's request to join the group
    }
    assert_eq!(
        (&err["event"], &err["data"]["status"]),
        (&json!("error"), &json!(400)),
        "{err}"
    );
    assert_eq!(history(&app, &b, &a).await.len(), 3);
}
