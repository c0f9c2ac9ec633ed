//! weifChat's profile copies (issue 11): a friendship's edges and conversations and a group's
//! memberships carry a copy of a user's profile, so the lists and histories read no user item;
//! memberships and join requests carry a copy of their group's name and picture, so the group
//! lists read no group item. An edit reaches the copies through the table's stream
//! (`weif-profile-copies`); a copy never goes back to an older version; and a write that copies
//! a profile or a group while it is being edited copies the edited one.

use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::proxy::HoldOnce;
use e2e::serde_json::{Value, json};
use e2e::weif::WeifUser;
use e2e::{TestApp, spawn_app, spawn_app_holding, spawn_app_with_upkeep};
use weifchat::keys as k;

async fn rename_group(app: &TestApp, owner: &WeifUser, group: &str, name: &str) {
    let body = json!({"_id": group, "groupName": name, "sign": "简介"});
    let env = app.weif_post("/update/groupInfo", &owner.token, body).await;
    assert_eq!(env["status"], 200, "{env}");
}

/// The name `group` shows in `user`'s list at `route` ("" if not listed): their groups
/// (`/contacts/group`) or the requests to join theirs (`/get/group/noagree`).
async fn group_name_at(app: &TestApp, route: &str, user: &WeifUser, group: &str) -> String {
    let env = app.weif_get_ok(route, &user.token, &[("userId", &user.id)]).await;
    let found = env["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["groupId"]["_id"] == group);
    found
        .map(|e| e["groupId"]["groupName"].as_str().unwrap().to_owned())
        .unwrap_or_default()
}

async fn name_in_groups_of(app: &TestApp, user: &WeifUser, group: &str) -> String {
    group_name_at(app, "/contacts/group", user, group).await
}

async fn name_in_requests_of(app: &TestApp, owner: &WeifUser, group: &str) -> String {
    group_name_at(app, "/get/group/noagree", owner, group).await
}

async fn ask_to_join(app: &TestApp, user: &WeifUser, group: &str) -> Value {
    app.weif_post("/group/add", &user.token, json!({"userId": user.id, "groupId": group}))
        .await
}

async fn update_nick(app: &TestApp, user: &WeifUser, nick: &str) {
    let body = json!({"_id": user.id, "nick": nick, "sex": "男"});
    let env = app.weif_post("/update/user", &user.token, body).await;
    assert_eq!(env["status"], 200, "{env}");
}

/// `(userId, nick)` of each entry of `list` whose user is at `user_field`.
fn nicks(list: &Value, user_field: &str) -> Vec<(String, String)> {
    let text = |v: &Value| v.as_str().unwrap().to_owned();
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| (text(&e[user_field]["_id"]), text(&e[user_field]["nick"])))
        .collect()
}

/// The friends in `user`'s list, with the nick each shows.
async fn friends_of(app: &TestApp, user: &WeifUser) -> Vec<(String, String)> {
    let env = app
        .weif_get_ok("/contacts/friend", &user.token, &[("userId", &user.id)])
        .await;
    nicks(&env["data"], "friendId")
}

/// The members of `group`, with the nick each shows.
async fn members_of(app: &TestApp, viewer: &WeifUser, group: &str) -> Vec<(String, String)> {
    let env = app
        .weif_get_ok("/get/groupUser", &viewer.token, &[("groupId", group)])
        .await;
    nicks(&env["data"]["groupUser"], "userId")
}

/// `who`'s nick in `list`.
/// `(userId, nick)` of the applicants in `owner`'s list of join requests.
async fn requesters_of(app: &TestApp, owner: &WeifUser) -> Vec<(String, String)> {
    let env = app
        .weif_get_ok("/get/group/noagree", &owner.token, &[("userId", &owner.id)])
        .await;
    nicks(&env["data"], "userId")
}

fn nick_of(list: &[(String, String)], who: &WeifUser) -> String {
    let found = list.iter().find(|(id, _)| *id == who.id);
    found.map(|(_, nick)| nick.clone()).unwrap_or_default()
}

/// A profile edit reaches every copy through the table's stream (`weif-profile-copies`), as it
/// runs on AWS: the friends' lists, the group's member list, the owner's list of join requests
/// and the private chat's peer.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_profile_edit_reaches_every_copy_through_the_tables_stream() {
    let app = spawn_app_with_upkeep().await;
    let [me, f1, f2, stranger] = app.weif_users().await;
    app.weif_befriend(&f1, &me).await;
    app.weif_befriend(&me, &f2).await;
    let group = app.weif_group(&f1, "copies").await;
    app.weif_join(&me, &f1, &group).await;
    let asked = app.weif_group(&f2, "asked").await;
    assert_eq!(ask_to_join(&app, &me, &asked).await["status"], 200);
    update_nick(&app, &me, "新名字").await;

    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let seen = [
            nick_of(&friends_of(&app, &f1).await, &me),
            nick_of(&friends_of(&app, &f2).await, &me),
            nick_of(&members_of(&app, &f1, &group).await, &me),
            nick_of(&requesters_of(&app, &f2).await, &me),
        ];
        if seen.iter().all(|n| n == "新名字") {
            break;
        }
        assert!(Instant::now() < deadline, "copies not updated: {seen:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let env = app
        .weif_get_ok(
            "/message/friend",
            &f2.token,
            &[("userId", &f2.id), ("friendId", &me.id)],
        )
        .await;
    assert_eq!(env["data"]["friendNick"]["nick"], "新名字", "the conversation's copy");
    assert!(app.requests("weif-profile-copies").contains(&"UpdateItem".to_owned()));
    let store = app.weif_store().await;
    assert_eq!(
        store.copy_profile(&me.id).await.unwrap(),
        0,
        "the stream's run recorded the version it copied"
    );
    // Another user's edit touches nobody else's copies.
    update_nick(&app, &stranger, "路人").await;
    assert_eq!(store.copy_profile(&stranger.id).await.unwrap(), 0);
}

/// The copy on each item only moves forward: a run for an older version, twice, or after a
/// newer one leaves the newest copy.
#[tokio::test]
async fn profile_copies_never_go_back_to_an_older_version() {
    let app = spawn_app().await;
    let [me, friend] = app.weif_users().await;
    app.weif_befriend(&friend, &me).await;
    let group = app.weif_group(&friend, "versions").await;
    app.weif_join(&me, &friend, &group).await;
    let store = app.weif_store().await;
    update_nick(&app, &me, "v1").await;
    assert_eq!(
        store.copy_profile(&me.id).await.unwrap(),
        3,
        "the friend's edge and conversation, and the membership"
    );
    assert_eq!(nick_of(&friends_of(&app, &friend).await, &me), "v1");
    assert_eq!(nick_of(&members_of(&app, &friend, &group).await, &me), "v1");
    assert_eq!(store.copy_profile(&me.id).await.unwrap(), 0, "nothing new to copy");
    // An edge already holding a newer copy (a later run got there first) keeps it.
    let edge = k::friend(&friend.id, &me.id);
    let mut item = app.item(&edge).await.unwrap();
    item.insert("peerVersion".into(), AttributeValue::N("9".into()));
    app.put_all(vec![item]).await;
    update_nick(&app, &me, "v2").await;
    assert_eq!(store.copy_profile(&me.id).await.unwrap(), 3);
    assert_eq!(
        nick_of(&friends_of(&app, &friend).await, &me),
        "v1",
        "version 2 < 9: left"
    );
    let conversation = app.item(&k::conversation(&friend.id, &me.id)).await.unwrap();
    let copied = conversation["peer"].as_m().unwrap()["nick"].as_s().unwrap().clone();
    assert_eq!(copied, "v2", "the conversation's copy was at version 1: moved");
}

/// A friend request carries the requester's profile to the receiver's list, and a profile edit
/// reaches it while the request waits (its side in the receiver's partition mirrors the
/// requester's).
#[tokio::test]
async fn a_pending_friend_request_carries_the_requesters_profile_and_follows_its_edits() {
    let app = spawn_app().await;
    let [me, asker] = app.weif_users().await;
    app.weif_post_ok(
        "/friend/add",
        &asker.token,
        json!({"userId": asker.id, "friendId": me.id}),
    )
    .await;
    let listed = || async {
        let env = app
            .weif_get_ok("/get/friend/noagree", &me.token, &[("userId", &me.id)])
            .await;
        nick_of(&nicks(&env["data"], "friendId"), &asker)
    };
    assert_eq!(listed().await, asker.nick);
    update_nick(&app, &asker, "改名了").await;
    assert_eq!(
        app.weif_store().await.copy_profile(&asker.id).await.unwrap(),
        1,
        "the request's side in my partition"
    );
    assert_eq!(listed().await, "改名了");
    assert_eq!(app.requests("weif-get-friend-noagree"), ["Query", "Query"]);
}

/// Saving a profile as it is writes nothing: its version stays, so no copy is rewritten (a
/// client that saves the profile on every start would otherwise rewrite every friend's and
/// group's copy each time). The answer is the profile all the same.
#[tokio::test]
async fn saving_a_profile_unchanged_keeps_its_version_and_its_copies() {
    let app = spawn_app().await;
    let [me, friend] = app.weif_users().await;
    app.weif_befriend(&friend, &me).await;
    let version = |item: &aws_sdk_dynamodb::types::AttributeValue| item.as_n().unwrap().clone();
    let store = app.weif_store().await;
    let body = json!({"_id": me.id, "nick": "同一个", "sex": "女", "sign": "签名"});
    let first = app.weif_post("/update/user", &me.token, body.clone()).await;
    assert_eq!(first["status"], 200, "{first}");
    let saved = app.item(&k::user(&me.id)).await.unwrap();
    assert_eq!(
        store.copy_profile(&me.id).await.unwrap(),
        2,
        "the edge and the conversation"
    );

    let again = app.weif_post("/update/user", &me.token, body).await;
    assert_eq!(again, first, "the same answer");
    let after = app.item(&k::user(&me.id)).await.unwrap();
    assert_eq!(version(&after["profileVersion"]), version(&saved["profileVersion"]));
    assert_eq!(store.copy_profile(&me.id).await.unwrap(), 0, "nothing to copy");

    // One field differing is a change: a new version.
    let changed = json!({"_id": me.id, "nick": "同一个", "sex": "女", "sign": "新签名"});
    app.weif_post_ok("/update/user", &me.token, changed).await;
    let after = app.item(&k::user(&me.id)).await.unwrap();
    assert_ne!(version(&after["profileVersion"]), version(&saved["profileVersion"]));
    assert_eq!(store.copy_profile(&me.id).await.unwrap(), 2);
}

/// [`HoldOnce::during`] an edit of `user`'s profile and the edit's copies (as the stream would run
/// them).
async fn answer_during_an_edit(
    app: &TestApp,
    hold: &HoldOnce,
    user: &WeifUser,
    answer: impl Future<Output = Value>,
) -> Value {
    let edit = async {
        update_nick(app, user, "改过的名字").await;
        app.weif_store().await.copy_profile(&user.id).await.unwrap();
    };
    hold.during(edit, answer).await
}

/// [`HoldOnce::during`] a rename of `owner`'s `group` and its copies (as the stream would run them).
async fn answer_during_a_rename(
    app: &TestApp,
    hold: &HoldOnce,
    owner: &WeifUser,
    group: &str,
    answer: impl Future<Output = Value>,
) -> Value {
    let edit = async {
        rename_group(app, owner, group, "改过的群名").await;
        app.weif_store().await.copy_group(group).await.unwrap();
    };
    hold.during(edit, answer).await
}

/// A profile edited between an agree's read of the users and its transaction: the transaction
/// finds the profile's version moved, reads again and copies the edited profile; without its
/// check the old copy would land last and stay.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_profile_edited_while_an_agree_is_in_flight_is_the_one_copied() {
    let (app, hold, _proxy) = spawn_app_holding("TransactWriteItems").await;
    let [me, requester] = app.weif_users().await;
    app.weif_post_ok(
        "/friend/add",
        &requester.token,
        json!({"userId": requester.id, "friendId": me.id}),
    )
    .await;
    let agree = app.weif_post(
        "/friend/agree",
        &me.token,
        json!({"userId": me.id, "friendId": requester.id}),
    );
    let agreed = answer_during_an_edit(&app, &hold, &requester, agree).await;
    assert_eq!(agreed["status"], 200, "{agreed}");
    assert_eq!(nick_of(&friends_of(&app, &me).await, &requester), "改过的名字");
    assert_eq!(
        app.requests("weif-friend-agree")[..4],
        [
            "BatchGetItem",
            "TransactWriteItems",
            "BatchGetItem",
            "TransactWriteItems"
        ],
        "read, refused on the version, read again, agreed"
    );
}

/// The same for a friend request sent while the requester edits their profile: the receiver's
/// list shows the edited profile.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_profile_edited_while_a_friend_request_is_in_flight_is_the_one_copied() {
    let (app, hold, _proxy) = spawn_app_holding("TransactWriteItems").await;
    let [me, asker] = app.weif_users().await;
    let request = app.weif_post(
        "/friend/add",
        &asker.token,
        json!({"userId": asker.id, "friendId": me.id}),
    );
    let requested = answer_during_an_edit(&app, &hold, &asker, request).await;
    assert_eq!(requested["status"], 200, "{requested}");
    let env = app
        .weif_get_ok("/get/friend/noagree", &me.token, &[("userId", &me.id)])
        .await;
    assert_eq!(nick_of(&nicks(&env["data"], "friendId"), &asker), "改过的名字");
    assert_eq!(
        app.requests("weif-friend-add")[..4],
        ["GetItem", "TransactWriteItems", "GetItem", "TransactWriteItems"],
        "read, refused on the version, read again, requested"
    );
}

/// The same for a join request accepted while the applicant edits their profile: the
/// membership carries the edited profile.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_profile_edited_while_a_join_is_accepted_is_the_one_copied() {
    let (app, hold, _proxy) = spawn_app_holding("TransactWriteItems").await;
    let [owner, applicant] = app.weif_users().await;
    let group = app.weif_group(&owner, "held").await;
    app.weif_post_ok(
        "/group/add",
        &applicant.token,
        json!({"userId": applicant.id, "groupId": group}),
    )
    .await;
    let agree = app.weif_post(
        "/group/agree",
        &owner.token,
        json!({"userId": applicant.id, "groupId": group}),
    );
    let agreed = answer_during_an_edit(&app, &hold, &applicant, agree).await;
    assert_eq!(agreed["status"], 200, "{agreed}");
    assert_eq!(
        nick_of(&members_of(&app, &owner, &group).await, &applicant),
        "改过的名字"
    );
    let transactions = app
        .requests("weif-group-agree")
        .iter()
        .filter(|o| *o == "TransactWriteItems")
        .count();
    assert_eq!(transactions, 2, "refused on the version, then accepted");
}

/// A group edit reaches the copies of the group on its memberships and its join requests
/// through the table's stream, and the lists that show them read no group item.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_group_edit_reaches_its_memberships_and_join_requests_through_the_tables_stream() {
    let app = spawn_app_with_upkeep().await;
    let [owner, member, applicant] = app.weif_users().await;
    let group = app.weif_group(&owner, "旧群名").await;
    app.weif_join(&member, &owner, &group).await;
    assert_eq!(ask_to_join(&app, &applicant, &group).await["status"], 200);
    app.requests("weif-contacts-group");
    assert_eq!(name_in_groups_of(&app, &member, &group).await, "旧群名");
    assert_eq!(app.requests("weif-contacts-group"), ["Query"], "no group item read");
    rename_group(&app, &owner, &group, "新群名").await;

    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let seen = [
            name_in_groups_of(&app, &owner, &group).await,
            name_in_groups_of(&app, &member, &group).await,
            name_in_requests_of(&app, &owner, &group).await,
        ];
        if seen.iter().all(|n| n == "新群名") {
            break;
        }
        assert!(Instant::now() < deadline, "copies not updated: {seen:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.requests("weif-get-group-noagree");
    name_in_requests_of(&app, &owner, &group).await;
    assert_eq!(
        app.requests("weif-get-group-noagree"),
        ["Query"],
        "the requests alone: no group item, no applicant's"
    );
    let store = app.weif_store().await;
    assert_eq!(
        store.copy_group(&group).await.unwrap(),
        0,
        "the stream's run recorded its version"
    );
}

/// Each membership and request of the group holds a copy, and a run for a version already
/// copied changes nothing; a dissolved group's copies go with it.
#[tokio::test]
async fn group_copies_are_on_every_membership_and_request_and_go_with_the_group() {
    let app = spawn_app().await;
    let [owner, member, applicant] = app.weif_users().await;
    let group = app.weif_group(&owner, "v0").await;
    app.weif_join(&member, &owner, &group).await;
    assert_eq!(ask_to_join(&app, &applicant, &group).await["status"], 200);
    let store = app.weif_store().await;
    assert_eq!(store.copy_group(&group).await.unwrap(), 0, "nothing edited yet");
    rename_group(&app, &owner, &group, "v1").await;
    assert_eq!(
        store.copy_group(&group).await.unwrap(),
        3,
        "the owner's and the member's memberships, the request"
    );
    assert_eq!(store.copy_group(&group).await.unwrap(), 0);
    assert_eq!(name_in_requests_of(&app, &owner, &group).await, "v1");
    let env = app.weif_get("/del/group", &owner.token, &[("groupId", &group)]).await;
    assert_eq!(env["status"], 200, "{env}");
    assert_eq!(
        name_in_groups_of(&app, &member, &group).await,
        "",
        "not listed any more"
    );
    assert_eq!(store.copy_group(&group).await.unwrap(), 0);
}

/// A join request's requests when what it copies moved under it once: the group and the
/// applicant read, the transaction refused, what moved read again, the request written.
const ASKED_AGAIN: [&str; 5] = [
    "GetItem",
    "GetItem",
    "TransactWriteItems",
    "GetItem",
    "TransactWriteItems",
];

/// A group renamed between a join request's read of the group and its transaction: the
/// transaction finds the group's version moved, reads again and copies the new name.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_group_renamed_while_a_join_request_is_in_flight_is_the_name_copied() {
    let (app, hold, _proxy) = spawn_app_holding("TransactWriteItems").await;
    let [owner, applicant] = app.weif_users().await;
    let group = app.weif_group(&owner, "held").await;
    let asked = answer_during_a_rename(&app, &hold, &owner, &group, ask_to_join(&app, &applicant, &group)).await;
    assert_eq!(asked["status"], 200, "{asked}");
    assert_eq!(name_in_requests_of(&app, &owner, &group).await, "改过的群名");
    assert_eq!(
        app.requests("weif-group-add")[..5],
        ASKED_AGAIN,
        "refused on the group's version"
    );
}

/// A profile edited between a join request's read of the applicant and its transaction: the
/// request carries the edited profile (the owner's list of requests shows it, reading no user).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_profile_edited_while_a_join_request_is_in_flight_is_the_one_copied() {
    let (app, hold, _proxy) = spawn_app_holding("TransactWriteItems").await;
    let [owner, applicant] = app.weif_users().await;
    let group = app.weif_group(&owner, "held").await;
    let asked = answer_during_an_edit(&app, &hold, &applicant, ask_to_join(&app, &applicant, &group)).await;
    assert_eq!(asked["status"], 200, "{asked}");
    assert_eq!(nick_of(&requesters_of(&app, &owner).await, &applicant), "改过的名字");
    assert_eq!(
        app.requests("weif-group-add")[..5],
        ASKED_AGAIN,
        "refused on the profile's version"
    );
}

/// The same for a join accepted while the owner renames the group: the new membership carries
/// the new name.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_group_renamed_while_a_join_is_accepted_is_the_name_copied() {
    let (app, hold, _proxy) = spawn_app_holding("TransactWriteItems").await;
    let [owner, applicant] = app.weif_users().await;
    let group = app.weif_group(&owner, "held").await;
    assert_eq!(ask_to_join(&app, &applicant, &group).await["status"], 200);
    let agree = app.weif_post(
        "/group/agree",
        &owner.token,
        json!({"userId": applicant.id, "groupId": group}),
    );
    let agreed = answer_during_a_rename(&app, &hold, &owner, &group, agree).await;
    assert_eq!(agreed["status"], 200, "{agreed}");
    assert_eq!(name_in_groups_of(&app, &applicant, &group).await, "改过的群名");
    let transactions = app
        .requests("weif-group-agree")
        .iter()
        .filter(|o| *o == "TransactWriteItems")
        .count();
    assert_eq!(transactions, 2, "refused on the version, then accepted");
}

/// A membership without the group's copy (written before there were copies) still shows its
/// group: the lists and the history read the group item for it.
#[tokio::test]
async fn a_membership_without_the_groups_copy_reads_the_group() {
    let app = spawn_app().await;
    let [owner] = app.weif_users().await;
    let group = app.weif_group(&owner, "旧的成员").await;
    let store = app.weif_store().await;
    store
        .send_group(&owner.id, &group, &e2e::weif::text("hi"), None, shared::clock::now_ms())
        .await
        .unwrap();
    let key = k::member(&group, &owner.id);
    let mut membership = app.item(&key).await.unwrap();
    assert!(membership.remove("groupCopy").is_some());
    app.put_all(vec![membership]).await;

    assert_eq!(name_in_groups_of(&app, &owner, &group).await, "旧的成员");
    let env = app
        .weif_get_ok(
            "/message/group",
            &owner.token,
            &[("userId", &owner.id), ("groupId", &group), ("pageNum", "1")],
        )
        .await;
    assert_eq!(env["data"]["groupNick"]["groupName"], "旧的成员", "{env}");
    let env = app
        .weif_get_ok("/message/list", &owner.token, &[("userId", &owner.id)])
        .await;
    assert_eq!(env["data"][0]["groupName"], "旧的成员", "{env}");
}
