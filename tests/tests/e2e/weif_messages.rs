//! weifChat messages (issue 9): history pages (#36, #37), the conversation list (#43), read
//! marks (#44), and the message store behind them.
//!
//! Messages are sent over the WebSocket API, which comes in a later issue: these tests send
//! them by calling the store (`WeifStore::send_private` / `send_group`) directly on the test
//! table, as the socket functions will.

use std::collections::BTreeSet;

use e2e::serde_json::{Value, json};
use e2e::weif::{WeifUser, field, text};
use e2e::{TestApp, spawn_app};
use local_gateway::{Template, template_path};
use weifchat::keys as k;
use weifchat::{Chat, Message, WeifStore};

async fn send(store: &WeifStore, from: &WeifUser, to: &WeifUser, message: &str) -> Message {
    store
        .send_private(&from.id, &to.id, &text(message), None, shared::clock::now_ms())
        .await
        .expect("sent")
        .message()
        .expect("a new message")
}

/// The seqs of concurrent sends, each of which must have stored a new message.
async fn new_seqs(tasks: tokio::task::JoinSet<Result<weifchat::Sent, shared::AppError>>) -> BTreeSet<u64> {
    let sent = tasks.join_all().await.into_iter();
    sent.map(|r| r.unwrap().message().expect("a new message").seq).collect()
}

async fn send_group(store: &WeifStore, from: &WeifUser, group: &str, message: &str) -> Message {
    store
        .send_group(&from.id, group, &text(message), None, shared::clock::now_ms())
        .await
        .expect("sent")
        .message()
        .expect("a new message")
}

async fn friend_page(app: &TestApp, me: &WeifUser, friend: &WeifUser, page: &str) -> Value {
    app.weif_get(
        "/message/friend",
        &me.token,
        &[("userId", &me.id), ("friendId", &friend.id), ("pageNum", page)],
    )
    .await
}

async fn group_page(app: &TestApp, me: &WeifUser, group: &str, page: &str) -> Value {
    app.weif_get(
        "/message/group",
        &me.token,
        &[("userId", &me.id), ("groupId", group), ("pageNum", page)],
    )
    .await
}

async fn list(app: &TestApp, me: &WeifUser) -> Vec<Value> {
    let env = app.weif_get_ok("/message/list", &me.token, &[("userId", &me.id)]).await;
    env["data"].as_array().unwrap().clone()
}

async fn mark_read(app: &TestApp, me: &WeifUser, kind: &str, id: &str) -> Value {
    app.weif_get(
        &format!("/message/read/{kind}"),
        &me.token,
        &[("userId", &me.id), ("id", id)],
    )
    .await
}

fn brief(u: &WeifUser) -> Value {
    json!({"_id": u.id, "nick": u.nick, "imgUrl": "/user_pic1.jpeg"})
}

fn seqs(messages: &[Message]) -> Vec<u64> {
    messages.iter().map(|m| m.seq).collect()
}

/// All of a chat's messages, page after page of the sync read.
async fn all_messages(store: &WeifStore, chat: &Chat) -> Vec<Message> {
    let (mut out, mut cursor) = (Vec::new(), None::<String>);
    loop {
        let page = store.messages_after(chat, 0, cursor.as_deref()).await.unwrap();
        out.extend(page.messages);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return out,
        }
    }
}

#[tokio::test]
async fn message_friend_200_shows_the_page_oldest_first_with_users_and_read_state() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    let store = app.weif_store().await;
    let first = send(&store, &a, &b, "# Hello 歪fChat Editor").await;
    send(&store, &a, &b, "a").await;
    assert_eq!(
        mark_read(&app, &b, "friend", &a.id).await,
        json!({"status": 200, "msg": "已读"})
    );
    let last = send(&store, &b, &a, "Hh").await;
    assert_eq!((first.seq, last.seq), (1, 3));

    let env = friend_page(&app, &a, &b, "1").await;
    assert_eq!(env["status"], 200, "{env}");
    assert_eq!(env["data"]["friendNick"], json!({"_id": b.id, "nick": b.nick}));
    let list = env["data"]["messageList"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(
        list[0],
        json!({
            "_id": first.id,
            "userId": brief(&a),
            "friendId": brief(&b),
            "message": "# Hello 歪fChat Editor",
            "msgType": 0,
            "time": weifchat::time::js_date(first.time),
            "state": 1,
            "__v": 0,
            "seq": 1
        })
    );
    // b read a's two messages; a has not read b's.
    let states: Vec<&Value> = list.iter().map(|m| &m["state"]).collect();
    assert_eq!(states, [&json!(1), &json!(1), &json!(0)]);
    assert_eq!(list[2]["userId"], brief(&b));
    assert_eq!(list[2]["friendId"], brief(&a));
    assert!(list[2]["time"].as_str().unwrap().ends_with("GMT+0800 (中国标准时间)"));
}

#[tokio::test]
async fn message_friend_201_past_the_end_and_empty_first_page() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    assert_eq!(
        friend_page(&app, &a, &b, "1").await,
        json!({"status": 200, "data": {"friendNick": {"_id": b.id, "nick": b.nick}, "messageList": []}})
    );
    send(&app.weif_store().await, &a, &b, "hi").await;
    assert_eq!(
        friend_page(&app, &a, &b, "2").await,
        json!({"status": 201, "data": {"_id": b.id, "nick": b.nick}, "msg": "暂无更多"})
    );
}

#[tokio::test]
async fn message_friend_202_when_not_friends() {
    let app = spawn_app().await;
    let (a, _, c) = app.weif_people().await;
    assert_eq!(
        friend_page(&app, &a, &c, "1").await,
        json!({"status": 202, "data": {"friendNick": {"_id": c.id, "nick": c.nick}}, "msg": "您与ta还不是好友哦"})
    );
}

#[tokio::test]
async fn message_friend_refuses_another_users_history_and_bad_pages() {
    let app = spawn_app().await;
    let (a, b, c) = app.weif_people().await;
    let env = app
        .weif_get("/message/friend", &c.token, &[("userId", &a.id), ("friendId", &b.id)])
        .await;
    assert_eq!(env, json!({"status": 403, "msg": "身份不符, 无权操作"}));
    let env = friend_page(&app, &a, &b, "0").await;
    assert_eq!(env["status"], 405);
    assert_eq!(
        env["data"],
        json!([field("pageNum必须为1-100000的整数", "pageNum", "query")])
    );
}

#[tokio::test]
async fn a_non_friend_or_non_member_stores_nothing() {
    let app = spawn_app().await;
    let (a, b, c) = app.weif_people().await;
    let store = app.weif_store().await;
    let refused = store
        .send_private(&c.id, &a.id, &text("hi"), None, shared::clock::now_ms())
        .await
        .unwrap_err();
    assert!(
        matches!(refused, shared::AppError::Forbidden(ref m) if m == "您与ta还不是好友哦"),
        "{refused:?}"
    );
    assert_eq!(app.count_items(&k::private_chat(&a.id, &c.id), "").await, 0);
    assert!(app.item(&k::conversation(&a.id, &c.id)).await.is_none());
    assert!(app.item(&k::conversation(&c.id, &a.id)).await.is_none());

    let group = app.weif_group(&a, "wifi群").await;
    let refused = store
        .send_group(&c.id, &group, &text("hi"), None, shared::clock::now_ms())
        .await
        .unwrap_err();
    assert!(
        matches!(refused, shared::AppError::Forbidden(ref m) if m == "您还未加入该群哦"),
        "{refused:?}"
    );
    assert_eq!(app.count_items(&k::group_chat(&group), "").await, 0);
    // A former friend can't send either.
    app.weif_get_ok("/del/friend", &a.token, &[("userId", &a.id), ("friendId", &b.id)])
        .await;
    assert!(
        store
            .send_private(&b.id, &a.id, &text("hi"), None, shared::clock::now_ms())
            .await
            .is_err()
    );
    assert_eq!(app.count_items(&k::private_chat(&a.id, &b.id), "").await, 0);
}

#[tokio::test]
async fn message_group_200_201_202() {
    let app = spawn_app().await;
    let [owner, member, stranger] = app.weif_users().await;
    let group = app.weif_group(&owner, "wifi群").await;
    app.weif_join(&member, &owner, &group).await;
    let store = app.weif_store().await;
    let first = send_group(&store, &member, &group, "1").await;
    send_group(&store, &owner, &group, "?").await;

    let env = group_page(&app, &owner, &group, "1").await;
    assert_eq!(env["status"], 200, "{env}");
    assert_eq!(env["data"]["groupNick"], json!({"_id": group, "groupName": "wifi群"}));
    let list = env["data"]["messageList"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        list[0],
        json!({
            "_id": first.id,
            "groupId": group,
            "userId": brief(&member),
            "message": "1",
            "msgType": 0,
            "time": weifchat::time::js_date(first.time),
            "__v": 0,
            "seq": 1
        })
    );
    assert_eq!(list[1]["userId"], brief(&owner));
    assert_eq!(
        group_page(&app, &member, &group, "2").await,
        json!({"status": 201, "data": {"_id": group, "groupName": "wifi群"}, "msg": "暂无更多"})
    );
    assert_eq!(
        group_page(&app, &stranger, &group, "1").await,
        json!({"status": 202, "data": {"_id": group, "groupName": "wifi群"}, "msg": "您还未加入该群哦"})
    );
}

/// The sorted operations of a binary's recorded calls (reads made at once land in any order) and
/// the items they read.
fn ops_and_items(app: &TestApp, binary: &str) -> (Vec<String>, usize) {
    let calls = app.calls(binary);
    let mut ops: Vec<String> = calls.iter().map(|c| c.operation.clone()).collect();
    ops.sort();
    (ops, calls.iter().map(|c| c.items_read).sum())
}

/// Page 1 of a chat is its newest messages, read beside the membership or friendship check
/// without the chat's head; later pages number their range from the head.
#[tokio::test]
async fn page_1_reads_the_newest_messages_beside_the_check_without_the_head() {
    let app = spawn_app().await;
    let [owner, member] = app.weif_users().await;
    let group = app.weif_group(&owner, "newest").await;
    app.weif_join(&member, &owner, &group).await;
    app.weif_befriend(&owner, &member).await;
    let store = app.weif_store().await;
    for i in 1..=25 {
        let from = if i % 2 == 0 { &owner } else { &member };
        send_group(&store, from, &group, &i.to_string()).await;
        send(&store, from, if i % 2 == 0 { &member } else { &owner }, &i.to_string()).await;
    }
    let text_of = |env: &Value| -> Vec<String> {
        let list = env["data"]["messageList"].as_array().unwrap();
        list.iter().map(|m| m["message"].as_str().unwrap().to_owned()).collect()
    };
    let range = |r: std::ops::RangeInclusive<u32>| -> Vec<String> { r.map(|i| i.to_string()).collect() };

    app.calls("weif-message-group");
    let env = group_page(&app, &member, &group, "1").await;
    assert_eq!(text_of(&env), range(6..=25));
    assert_eq!(
        ops_and_items(&app, "weif-message-group"),
        (
            vec!["BatchGetItem".into(), "BatchGetItem".into(), "Query".into()],
            1 + 20 + 2
        ),
        "the membership (with the group's copy; not the group, nor the chat's head), the 20 newest \
         messages, their 2 senders"
    );
    let env = group_page(&app, &member, &group, "2").await;
    assert_eq!(text_of(&env), range(1..=5));
    assert_eq!(
        ops_and_items(&app, "weif-message-group"),
        (
            vec!["BatchGetItem".into(), "BatchGetItem".into(), "Query".into()],
            2 + 5 + 2
        ),
        "page 2 reads the head for its range, with the membership"
    );

    app.calls("weif-message-friend");
    let env = friend_page(&app, &owner, &member, "1").await;
    assert_eq!(text_of(&env), range(6..=25));
    assert_eq!(
        ops_and_items(&app, "weif-message-friend"),
        (vec!["Query".into(), "Query".into(), "Query".into()], 2 + 2 + 20),
        "each side's friend edge and conversation (one Query a side, the users from their \
         copies), and the 20 newest messages, at once"
    );
    let env = friend_page(&app, &owner, &member, "2").await;
    assert_eq!(text_of(&env), range(1..=5));
    assert_eq!(
        ops_and_items(&app, "weif-message-friend"),
        (vec!["Query".into(), "Query".into(), "Query".into()], 2 + 2 + 5)
    );
}

#[tokio::test]
async fn message_list_shows_conversations_newest_first_and_mark_read_clears_unread() {
    let app = spawn_app().await;
    let (a, b, c) = app.weif_people().await;
    let group = app.weif_group(&c, "wifi群").await;
    app.weif_join(&a, &c, &group).await;
    let store = app.weif_store().await;
    // Nothing sent yet: an empty list (the group has no messages).
    assert!(list(&app, &a).await.is_empty());

    let g1 = send_group(&store, &c, &group, "?").await;
    send_group(&store, &c, &group, "??").await;
    send(&store, &b, &a, "one").await;
    let last = send(&store, &b, &a, "two").await;
    send(&store, &a, &b, "mine").await;

    app.calls("weif-message-list");
    let entries = list(&app, &a).await;
    assert_eq!(
        ops_and_items(&app, "weif-message-list"),
        (vec!["BatchGetItem".into(), "Query".into(), "Query".into()], 1 + 1 + 1),
        "the conversation (its peer from the copy on it), the membership (the group's copy on it), \
         the group's head"
    );
    assert_eq!(entries.len(), 2, "{entries:?}");
    let friend = &entries[0];
    assert_eq!(friend["type"], "friendChat");
    assert_eq!(friend["_id"], b.id);
    assert_eq!(friend["nick"], b.nick);
    assert_eq!(friend["imgUrl"], "/user_pic1.jpeg");
    assert_eq!(friend["lastMsg"]["message"], "mine");
    assert_eq!(friend["unreadMsgCount"], 2, "a's own message is not unread for a");
    let _ = last;
    let grp = &entries[1];
    assert_eq!(grp["type"], "groupChat");
    assert_eq!(grp["_id"], group);
    assert_eq!(grp["groupName"], "wifi群");
    assert_eq!(grp["imgUrl"], "/group_pic.png");
    assert_eq!(grp["lastMsg"]["message"], "??");
    assert_eq!(e2e::weif::keys(&grp["lastMsg"]), ["message", "msgType", "time"]);
    assert_eq!(grp["unreadMsgCount"], 2);
    assert!(g1.seq == 1);
    // b sees a's message unread.
    assert_eq!(list(&app, &b).await[0]["unreadMsgCount"], 1);

    assert_eq!(
        mark_read(&app, &a, "friend", &b.id).await,
        json!({"status": 200, "msg": "已读"})
    );
    assert_eq!(
        mark_read(&app, &a, "group", &group).await,
        json!({"status": 200, "msg": "已读"})
    );
    let entries = list(&app, &a).await;
    let unread: Vec<&Value> = entries.iter().map(|e| &e["unreadMsgCount"]).collect();
    assert_eq!(unread, [&json!(0), &json!(0)]);
    // Marking again, or a chat one has no part in, is harmless.
    assert_eq!(mark_read(&app, &a, "group", &group).await["status"], 200);
    assert_eq!(mark_read(&app, &c, "friend", &a.id).await["status"], 200);
    let env = mark_read(&app, &a, "chat", &b.id).await;
    assert_eq!(env["data"], json!([field("type必须为friend或group", "type", "params")]));
}

#[tokio::test]
async fn twenty_friends_send_to_one_user_at_once() {
    let app = spawn_app().await;
    let receiver = app.weif_register().await;
    let mut senders = Vec::new();
    for _ in 0..20 {
        let s = app.weif_register().await;
        app.weif_befriend(&s, &receiver).await;
        senders.push(s);
    }
    let store = app.weif_store().await;
    let mut tasks = tokio::task::JoinSet::new();
    for s in senders.clone() {
        let (store, to) = (store.clone(), receiver.id.clone());
        tasks.spawn(async move {
            store
                .send_private(&s.id, &to, &text("hi"), None, shared::clock::now_ms())
                .await
        });
    }
    let sent: Vec<Message> = tasks
        .join_all()
        .await
        .into_iter()
        .map(|r| r.unwrap().message().unwrap())
        .collect();
    assert_eq!(sent.len(), 20);
    assert!(sent.iter().all(|m| m.seq == 1), "each conversation starts at 1");

    let entries = list(&app, &receiver).await;
    assert_eq!(entries.len(), 20);
    let unread: u64 = entries.iter().map(|e| e["unreadMsgCount"].as_u64().unwrap()).sum();
    assert_eq!(unread, 20);
    for s in &senders {
        let messages = all_messages(&store, &Chat::private(&s.id, &receiver.id)).await;
        assert_eq!(seqs(&messages), [1]);
    }
}

#[tokio::test]
async fn ten_concurrent_sends_in_one_chat_get_seqs_1_to_10() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    let store = app.weif_store().await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..10 {
        let (store, a, b) = (store.clone(), a.clone(), b.clone());
        let (from, to) = if i % 2 == 0 { (a, b) } else { (b, a) };
        tasks.spawn(async move {
            store
                .send_private(&from.id, &to.id, &text(&format!("m{i}")), None, shared::clock::now_ms())
                .await
        });
    }
    let sent = new_seqs(tasks).await;
    assert_eq!(sent, (1..=10).collect());
    let stored = all_messages(&store, &Chat::private(&a.id, &b.id)).await;
    assert_eq!(seqs(&stored), (1..=10).collect::<Vec<_>>());
    // Each side's unread counts exactly the other's five messages.
    assert_eq!(list(&app, &a).await[0]["unreadMsgCount"], 5);
    assert_eq!(list(&app, &b).await[0]["unreadMsgCount"], 5);
}

#[tokio::test]
async fn ten_concurrent_sends_in_one_group_get_seqs_1_to_10() {
    let app = spawn_app().await;
    let [owner, member] = app.weif_users().await;
    let group = app.weif_group(&owner, "g").await;
    app.weif_join(&member, &owner, &group).await;
    let store = app.weif_store().await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..10 {
        let (store, group) = (store.clone(), group.clone());
        let from = if i % 2 == 0 { owner.clone() } else { member.clone() };
        tasks.spawn(async move {
            store
                .send_group(&from.id, &group, &text("x"), None, shared::clock::now_ms())
                .await
        });
    }
    let sent = new_seqs(tasks).await;
    assert_eq!(sent, (1..=10).collect());
    // Each has read up to their own last message: what the other sent after it is unread.
    let stored = all_messages(&store, &Chat::group(&group)).await;
    for user in [&owner, &member] {
        let own_last = stored
            .iter()
            .filter(|m| m.from_id == user.id)
            .map(|m| m.seq)
            .max()
            .unwrap();
        let unread = list(&app, user).await[0]["unreadMsgCount"].as_u64().unwrap();
        assert_eq!(unread, 10 - own_last, "{}'s unread", user.nick);
    }
}

#[tokio::test]
async fn a_group_message_is_read_by_its_sender_and_unread_for_the_others() {
    let app = spawn_app().await;
    let [owner, member, other] = app.weif_users().await;
    let group = app.weif_group(&owner, "g").await;
    app.weif_join(&member, &owner, &group).await;
    app.weif_join(&other, &owner, &group).await;
    let store = app.weif_store().await;
    send_group(&store, &owner, &group, "1").await;
    send_group(&store, &owner, &group, "2").await;
    send_group(&store, &member, &group, "3").await;
    send_group(&store, &owner, &group, "4").await;
    let app = &app;
    let unread = |user| async move { list(app, user).await[0]["unreadMsgCount"].clone() };
    assert_eq!(unread(&owner).await, 0, "the owner sent the last one");
    assert_eq!(
        unread(&member).await,
        1,
        "read up to their own message, then the owner's 4"
    );
    assert_eq!(unread(&other).await, 4, "sent nothing, read nothing");
    // A non-member's send changes no one's mark (and is refused).
    let refused = store
        .send_group(
            &app.weif_register().await.id,
            &group,
            &text("x"),
            None,
            shared::clock::now_ms(),
        )
        .await;
    assert!(matches!(refused, Err(shared::AppError::Forbidden(_))), "{refused:?}");
    assert_eq!(unread(&other).await, 4);
}

fn items_read(app: &TestApp, binary: &str) -> usize {
    app.calls(binary).iter().map(|c| c.items_read).sum()
}

/// A page, the list and a mark read about one page of items whatever the history's length.
#[tokio::test]
async fn pages_lists_and_marks_cost_one_page_with_1000_messages() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    let store = app.weif_store().await;
    // Four chats in parallel would contend on one counter; one sender in order is the fastest.
    for i in 0..1000 {
        send(&store, &b, &a, &format!("m{i}")).await;
    }
    app.calls("weif-message-friend");

    let env = friend_page(&app, &a, &b, "1").await;
    let list1 = env["data"]["messageList"].as_array().unwrap();
    assert_eq!(list1.len(), 20);
    assert_eq!(list1[0]["message"], "m980");
    assert_eq!(list1[19]["message"], "m999");
    let first_page = items_read(&app, "weif-message-friend");
    assert!(first_page <= 25, "page 1 read {first_page} items");

    let env = friend_page(&app, &a, &b, "50").await;
    let list50 = env["data"]["messageList"].as_array().unwrap();
    assert_eq!((list50[0]["message"].clone(), list50.len()), (json!("m0"), 20));
    let calls = app.calls("weif-message-friend");
    let ops: Vec<&str> = calls.iter().map(|c| c.operation.as_str()).collect();
    assert_eq!(
        ops,
        ["Query", "Query", "Query"],
        "both sides, then one range: no offset scan"
    );
    let last_page: usize = calls.iter().map(|c| c.items_read).sum();
    assert!(last_page <= 25, "page 50 read {last_page} items");
    assert_eq!(friend_page(&app, &a, &b, "51").await["status"], 201);

    app.calls("weif-message-list");
    assert_eq!(list(&app, &a).await[0]["unreadMsgCount"], 1000);
    let listed = items_read(&app, "weif-message-list");
    assert!(listed <= 5, "the list read {listed} items");

    app.calls("weif-message-read");
    assert_eq!(mark_read(&app, &a, "friend", &b.id).await["status"], 200);
    let marked = items_read(&app, "weif-message-read");
    assert!(marked <= 2, "the mark read {marked} items");
    assert_eq!(list(&app, &a).await[0]["unreadMsgCount"], 0);
    let env = friend_page(&app, &a, &b, "1").await;
    assert!(
        env["data"]["messageList"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["state"] == 1)
    );

    // The catch-up read: after seq 900, a page of 100, then nothing.
    let chat = Chat::private(&a.id, &b.id);
    let page = store.messages_after(&chat, 900, None).await.unwrap();
    assert_eq!(seqs(&page.messages), (901..=1000).collect::<Vec<_>>());
    if let Some(next) = page.next {
        assert!(
            store
                .messages_after(&chat, 900, Some(&next))
                .await
                .unwrap()
                .messages
                .is_empty()
        );
    }
    let page = store.messages_after(&chat, 995, None).await.unwrap();
    assert_eq!(seqs(&page.messages), [996, 997, 998, 999, 1000]);
    assert!(page.next.is_none());
}

#[tokio::test]
async fn every_message_route_needs_a_weifchat_token() {
    let app = spawn_app().await;
    let chatx_token = app.tokens.issue("u1", chatx::AUDIENCE).unwrap();
    let template = Template::load(template_path()).unwrap();
    let routes: Vec<_> = template
        .functions
        .iter()
        .filter(|f| f.binary.starts_with("weif-message-"))
        .flat_map(|f| f.routes.iter())
        .collect();
    assert_eq!(routes.len(), 5, "{routes:?}");
    for route in routes {
        let path = route.path.replace("{type}", "friend");
        for headers in [vec![], vec![("authorization", format!("Bearer {chatx_token}"))]] {
            let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (status, env) = app.raw(&route.method, &path, &headers, "{}").await;
            assert_eq!(status, 200, "{route:?}");
            assert_eq!(env["status"], 401, "{route:?}: {env}");
        }
    }
}

#[tokio::test]
async fn message_routes_refuse_another_users_id() {
    let app = spawn_app().await;
    let (a, b, _) = app.weif_people().await;
    let group = app.weif_group(&b, "g").await;
    let not_you = json!({"status": 403, "msg": "身份不符, 无权操作"});
    let (id, group_id) = (b.id.as_str(), group.as_str());
    for (path, query) in [
        ("/message/group", vec![("userId", id), ("groupId", group_id)]),
        ("/message/list", vec![("userId", id)]),
        ("/message/read/friend", vec![("userId", id), ("id", a.id.as_str())]),
        ("/message/read/group", vec![("userId", id), ("id", group_id)]),
    ] {
        assert_eq!(app.weif_get(path, &a.token, &query).await, not_you, "{path}");
    }
}

#[tokio::test]
async fn what_was_said_before_a_member_joined_is_not_unread_for_them() {
    let app = spawn_app().await;
    let [owner, early, late] = app.weif_users().await;
    let group = app.weif_group(&owner, "g").await;
    app.weif_join(&early, &owner, &group).await;
    let store = app.weif_store().await;
    for _ in 0..3 {
        send_group(&store, &owner, &group, "before").await;
    }
    app.weif_join(&late, &owner, &group).await;
    send_group(&store, &owner, &group, "after").await;
    assert_eq!(list(&app, &early).await[0]["unreadMsgCount"], 4);
    assert_eq!(
        list(&app, &late).await[0]["unreadMsgCount"],
        1,
        "only what came after joining"
    );
    // The history is theirs to read all the same.
    let page = group_page(&app, &late, &group, "1").await;
    assert_eq!(page["data"]["messageList"].as_array().unwrap().len(), 4);
}
