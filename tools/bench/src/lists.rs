//! (d) Every list endpoint at growing sizes. One declaration per list ([`lists`]): how a row is
//! stored (the items the surface's own writes leave, from its `bulk` module or its public item
//! types) and which routes list those rows, with the owner's request for the first page. Each
//! list gets a table of its own (moto copies a whole table for every transaction and scans it
//! for every index query, so one shared table would slow every later list), is filled with
//! batch writes up to each size (capped where the product caps it), and each route's first page
//! is metered (requests, items read, RRU) and timed over `warm` calls. The table is deleted
//! after its list.

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use e2e::TestApp;
use serde_json::{Value, json};
use shared::store::Item;

use crate::meter::MeterProxy;

pub struct ListRun {
    pub route: &'static str,
    /// What one row is.
    pub row: &'static str,
    pub rows: usize,
    /// The product's cap when it cut the size short: (cap, why).
    pub capped: Option<(usize, &'static str)>,
    /// Seconds the batch writes took to grow the table to `rows` (shared by the routes that
    /// list the same rows).
    pub fill_secs: f64,
    pub requests: usize,
    pub items: u64,
    pub rru: f64,
    /// The route answered as it should (a refusal's figures are marked in the report).
    pub ok: bool,
    /// Client round trips of the warm calls, microseconds.
    pub samples: Vec<f64>,
}

/// Items read by a first page past which a list counts as unpaged (it reads every row) and gets
/// only [`UNPAGED_WARM`] warm calls.
pub const UNPAGED_READ: u64 = 1_000;
pub const UNPAGED_WARM: usize = 3;

type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One list: what a row is, the product's cap on it, and how to set it up.
struct List {
    row: &'static str,
    cap: Option<(usize, &'static str)>,
    prepare: for<'a> fn(&'a TestApp) -> Boxed<'a, Fixture>,
}

/// A prepared list: its owner exists, and what is not a row (a post, a group) is stored.
struct Fixture {
    /// The items of row `i` (0-based); rows are written in order.
    row: Box<dyn Fn(usize) -> Vec<Item> + Send + Sync>,
    /// Items rewritten once the table holds `n` rows (a chat's head: its last message).
    after: Option<Box<dyn Fn(usize) -> Vec<Item> + Send + Sync>>,
    /// The routes listing the rows, each with the owner's request for the first page.
    calls: Vec<(&'static str, Call)>,
}

/// A first-page request in its surface's wire style.
enum Call {
    /// chatx: `POST path`, JSON body, `token` header; `errCode` 0 when answered.
    Chatx {
        path: &'static str,
        token: String,
        body: Value,
    },
    /// weifChat: `GET path?query` with `Authorization: Bearer`; `status` 200 when answered.
    Weif {
        path: String,
        token: String,
        query: Vec<(&'static str, String)>,
    },
    /// info: `GET path` (bearer token if any); HTTP 200 when answered.
    Info { path: String, token: Option<String> },
}

impl Call {
    /// Sends the request; whether it was answered as a page.
    async fn send(&self, app: &TestApp) -> bool {
        match self {
            Call::Chatx { path, token, body } => app.chatx(path, token, body.clone()).await["errCode"] == 0,
            Call::Weif { path, token, query } => {
                let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
                app.weif_get(path, token, &query).await["status"] == 200
            }
            Call::Info { path, token } => app.rest("GET", path, token.as_deref(), None).await.0 == 200,
        }
    }
}

/// The `i`-th of a run of IDs starting at `base`: valid IDs (UUIDs) that sort in row order.
fn nth(base: u128, i: usize) -> String {
    uuid::Uuid::from_u128(base + i as u128).to_string()
}

/// A base for [`nth`]: a fresh time-ordered UUID, so the run sorts after what exists.
fn base() -> u128 {
    uuid::Uuid::now_v7().as_u128() & !0xffff_ffff
}

/// Row `i`'s time: a millisecond after row `i - 1`'s, starting at `start`.
fn at(start: i64, i: usize) -> i64 {
    start + i as i64
}

fn item(value: impl serde::Serialize) -> Item {
    serde_dynamo::to_item(value).expect("an item serializes")
}

/// Every list endpoint of template.yaml (nobase has none: its routes are a post, its like and
/// accounts), one declaration per list of rows.
fn lists() -> Vec<List> {
    use weifchat::{MAX_FRIENDS, MAX_GROUP_MEMBERS};
    const FRIENDS: &str = "a user has at most 500 friends (`MAX_FRIENDS`)";
    const MEMBERS: &str = "a group has at most 500 members (`MAX_GROUP_MEMBERS`)";
    const CONVERSATIONS: &str = "a private chat needs a friendship: at most 500 conversations";
    let friends = Some((MAX_FRIENDS as usize, FRIENDS));
    let members = Some((MAX_GROUP_MEMBERS as usize, MEMBERS));
    vec![
        List {
            row: "post of the owner's",
            cap: None,
            prepare: |app| Box::pin(chatx_posts(app)),
        },
        List {
            row: "like of one post",
            cap: None,
            prepare: |app| Box::pin(chatx_likes(app)),
        },
        List {
            row: "comment of one post",
            cap: None,
            prepare: |app| Box::pin(chatx_comments(app)),
        },
        List {
            row: "friend",
            cap: friends,
            prepare: |app| Box::pin(weif_friends(app)),
        },
        List {
            row: "friend request received",
            cap: None,
            prepare: |app| Box::pin(weif_friend_requests(app)),
        },
        List {
            row: "group the owner is in",
            cap: None,
            prepare: |app| Box::pin(weif_groups(app)),
        },
        List {
            row: "member of one group",
            cap: members,
            prepare: |app| Box::pin(weif_members(app)),
        },
        List {
            row: "request to join the owner's group",
            cap: None,
            prepare: |app| Box::pin(weif_join_requests(app)),
        },
        List {
            row: "moment in the owner's feed",
            cap: None,
            prepare: |app| Box::pin(weif_feed(app)),
        },
        List {
            row: "moment of the owner's",
            cap: None,
            prepare: |app| Box::pin(weif_spaces(app)),
        },
        List {
            row: "note",
            cap: None,
            prepare: |app| Box::pin(weif_notes(app)),
        },
        List {
            row: "message in a private chat",
            cap: None,
            prepare: |app| Box::pin(weif_private_chat(app)),
        },
        List {
            row: "message in a group chat",
            cap: None,
            prepare: |app| Box::pin(weif_group_chat(app)),
        },
        List {
            row: "private conversation",
            cap: Some((MAX_FRIENDS as usize, CONVERSATIONS)),
            prepare: |app| Box::pin(weif_conversations(app)),
        },
        List {
            row: "user whose nickname starts with the keyword",
            cap: None,
            prepare: |app| Box::pin(weif_search(app)),
        },
        List {
            row: "category",
            cap: None,
            prepare: |app| Box::pin(info_categories(app)),
        },
        List {
            row: "published info",
            cap: None,
            prepare: |app| Box::pin(info_infos(app)),
        },
        List {
            row: "comment of one info",
            cap: None,
            prepare: |app| Box::pin(info_comments(app)),
        },
    ]
}

/// Fills and measures every list at `sizes` rows.
pub async fn measure(proxy: &MeterProxy, sizes: &[usize], warm: usize) -> Vec<ListRun> {
    let mut out = Vec::new();
    for list in lists() {
        let app = e2e::spawn_app_through(&proxy.url()).await;
        let fixture = (list.prepare)(&app).await;
        let mut written = 0;
        for &size in sizes {
            let rows = list.cap.map_or(size, |(cap, _)| size.min(cap));
            if rows == written {
                continue;
            }
            let started = Instant::now();
            let mut items: Vec<Item> = (written..rows).flat_map(&fixture.row).collect();
            if let Some(after) = &fixture.after {
                items.extend(after(rows));
            }
            app.put_all(items).await;
            let fill_secs = started.elapsed().as_secs_f64();
            written = rows;
            for (route, call) in &fixture.calls {
                proxy.take();
                proxy.metering(true);
                let ok = call.send(&app).await;
                proxy.metering(false);
                let calls = proxy.take();
                // A list that reads everything it holds takes seconds a call on moto at these
                // sizes: a few warm calls say as much as fifty.
                let read: u64 = calls.iter().map(|c| c.items).sum();
                let warm = if read > UNPAGED_READ {
                    warm.min(UNPAGED_WARM)
                } else {
                    warm
                };
                let mut samples = Vec::new();
                for _ in 0..warm {
                    let started = Instant::now();
                    call.send(&app).await;
                    samples.push(started.elapsed().as_secs_f64() * 1e6);
                }
                eprintln!(
                    "  {route} at {rows} ({}): filled in {fill_secs:.1} s, {} requests, {} items",
                    list.row,
                    calls.len(),
                    calls.iter().map(|c| c.items).sum::<u64>()
                );
                out.push(ListRun {
                    route,
                    row: list.row,
                    rows,
                    capped: list.cap.filter(|(cap, _)| size > *cap),
                    fill_secs,
                    requests: calls.len(),
                    items: calls.iter().map(|c| c.items).sum(),
                    rru: calls.iter().fold(0.0, |s, c| s + c.rru),
                    ok,
                    samples,
                });
            }
        }
        let _ = app.dynamo.delete_table().table_name(&app.table).send().await;
    }
    out
}

// ---- chatx ----

/// A chatx user (registered through the API) and a post of theirs.
async fn chatx_post(app: &TestApp) -> (e2e::chatx::User, String) {
    let owner = app.register().await;
    let post = app.add_post(&owner, "a post to list the rows of").await;
    (owner, post)
}

/// A chatx user's public profile, as register leaves it.
fn chatx_profile(id: &str, now: i64) -> Item {
    chatx::bulk::profile(&chatx::model::Profile {
        user_id: id.into(),
        nickname: format!("liker {id}"),
        face_url: format!("https://cdn.example.com/{id}.png"),
        create_time: now,
    })
}

async fn chatx_posts(app: &TestApp) -> Fixture {
    let owner = app.register().await;
    let (user, start, ids) = (owner.user_id.clone(), shared::clock::now_ms(), base());
    Fixture {
        row: Box::new(move |i| {
            vec![chatx::bulk::post(&chatx::model::Post {
                post_id: nth(ids, i),
                user_id: user.clone(),
                content: format!("filler post {i}: {}", "x".repeat(100)),
                images: Vec::new(),
                create_time: at(start, i),
                like_count: 0,
                comment_count: 0,
                liked: false,
            })]
        }),
        after: None,
        calls: vec![(
            "POST /chatx/moments/post/list",
            Call::Chatx {
                path: "/chatx/moments/post/list",
                token: owner.token.clone(),
                body: json!({"userID": owner.user_id}),
            },
        )],
    }
}

async fn chatx_likes(app: &TestApp) -> Fixture {
    let (owner, post) = chatx_post(app).await;
    let stored = app.item(&chatx::keys::post(&post)).await.expect("the post");
    let post_time: i64 = stored["createTime"]
        .as_n()
        .expect("createTime")
        .parse()
        .expect("a time");
    let (start, ids, post_id, author) = (shared::clock::now_ms(), base(), post.clone(), owner.user_id.clone());
    Fixture {
        row: Box::new(move |i| {
            let liker = nth(ids, i);
            vec![
                chatx_profile(&liker, start),
                chatx::bulk::like(&post_id, &author, post_time, &liker, at(start, i)),
            ]
        }),
        after: None,
        calls: vec![(
            "POST /chatx/moments/like/list",
            Call::Chatx {
                path: "/chatx/moments/like/list",
                token: owner.token,
                body: json!({"postID": post}),
            },
        )],
    }
}

async fn chatx_comments(app: &TestApp) -> Fixture {
    let (owner, post) = chatx_post(app).await;
    let (start, ids, post_id) = (shared::clock::now_ms(), base(), post.clone());
    // Comments by 100 users (a profile each, written with their first comment).
    let users = base();
    Fixture {
        row: Box::new(move |i| {
            let user = nth(users, i % 100);
            let mut items = if i < 100 {
                vec![chatx_profile(&user, start)]
            } else {
                Vec::new()
            };
            items.push(chatx::bulk::comment(&chatx::model::Comment {
                comment_id: nth(ids, i),
                post_id: post_id.clone(),
                user_id: user,
                reply_to_comment_id: String::new(),
                content: format!("filler comment {i}: {}", "x".repeat(60)),
                create_time: at(start, i),
            }));
            items
        }),
        after: None,
        calls: vec![(
            "POST /chatx/moments/comment/list",
            Call::Chatx {
                path: "/chatx/moments/comment/list",
                token: owner.token,
                body: json!({"postID": post}),
            },
        )],
    }
}

// ---- weifChat ----

/// A weifChat user's profile as register leaves it (account and WaiFCode items left out).
/// A user as registered with `nick` (no phone or WaiFCode: the lists don't show them).
fn weif_profile(id: &str, nick: String, now: i64) -> weifchat::User {
    weifchat::User {
        id: id.into(),
        phone: String::new(),
        nick,
        img_url: weifchat::accounts::DEFAULT_AVATAR.into(),
        sex: weifchat::model::Sex::Unknown.as_str().into(),
        birthday: String::new(),
        sign: weifchat::accounts::DEFAULT_SIGN.into(),
        waif_code: String::new(),
        created_at: now,
    }
}

fn weif_user(id: &str, nick: String, now: i64) -> Item {
    weifchat::bulk::user(&weif_profile(id, nick, now), 1)
}

/// A user and their friendship with `owner` (the list's owner), as befriending leaves them.
fn weif_friend(id: &str, nick: String, owner: &weifchat::User, time: i64) -> Vec<Item> {
    let friend = weif_profile(id, nick, time);
    let mut items = vec![weifchat::bulk::user(&friend, 1)];
    items.extend(weifchat::bulk::friendship(&shared::ids::new_id(), &friend, owner, time));
    items
}

fn weif_call(path: &str, owner: &e2e::weif::WeifUser, query: &[(&'static str, &str)]) -> Call {
    Call::Weif {
        path: path.into(),
        token: owner.token.clone(),
        query: query.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
    }
}

/// The owner and a group of theirs (its items and the owner's membership), stored directly.
async fn weif_owned_group(app: &TestApp) -> (e2e::weif::WeifUser, weifchat::Group) {
    let owner = app.weif_register().await;
    let now = shared::clock::now_ms();
    let group = weif_group(&owner.id, &shared::ids::new_id(), 0, now);
    let mut items = weifchat::bulk::group(&group, 1).to_vec();
    let profile = weif_profile(&owner.id, owner.nick.clone(), now);
    items.push(weifchat::bulk::member(&membership(&group, &profile, now)));
    app.put_all(items).await;
    (owner, group)
}

fn weif_group(owner: &str, id: &str, i: usize, now: i64) -> weifchat::Group {
    weifchat::Group {
        id: id.into(),
        owner_id: owner.into(),
        name: format!("group {i}"),
        number: at(now, i),
        sign: "a group to list".into(),
        img_url: weifchat::groups::DEFAULT_GROUP_PICTURE.into(),
        created_at: now,
    }
}

/// `user`'s membership of `group`, with the copies of their profile and of the group a join
/// leaves on it.
fn membership(group: &weifchat::Group, user: &weifchat::User, time: i64) -> weifchat::Membership {
    weifchat::Membership {
        id: shared::ids::new_id(),
        group_id: group.id.clone(),
        user_id: user.id.clone(),
        owner_id: group.owner_id.clone(),
        time,
        peer: Some(weifchat::PeerCopy::of(user)),
        peer_version: 0,
        group: Some(weifchat::GroupCopy::of(group)),
        group_version: 0,
    }
}

async fn weif_friends(app: &TestApp) -> Fixture {
    let owner = app.weif_register().await;
    let owner_profile = weif_profile(&owner.id, owner.nick.clone(), shared::clock::now_ms());
    let (start, ids) = (shared::clock::now_ms(), base());
    Fixture {
        row: Box::new(move |i| {
            let friend = nth(ids, i);
            weif_friend(&friend, format!("friend {i}"), &owner_profile, at(start, i))
        }),
        after: None,
        calls: vec![(
            "GET /contacts/friend",
            weif_call("/contacts/friend", &owner, &[("userId", &owner.id)]),
        )],
    }
}

async fn weif_friend_requests(app: &TestApp) -> Fixture {
    let owner = app.weif_register().await;
    let (me, start, ids) = (owner.id.clone(), shared::clock::now_ms(), base());
    Fixture {
        row: Box::new(move |i| {
            let from = weif_profile(&nth(ids, i), format!("asker {i}"), start);
            let side = |user: &str, other: &str, incoming: bool| weifchat::Friend {
                id: nth(ids, i),
                user_id: user.into(),
                friend_id: other.into(),
                state: 0,
                incoming,
                time: at(start, i),
                ..Default::default()
            };
            // The receiver's side carries the requester's profile, as `request_friend` leaves it.
            let incoming = weifchat::Friend {
                peer: Some(weifchat::PeerCopy::of(&from)),
                peer_version: 1,
                ..side(&me, &from.id, true)
            };
            vec![
                weifchat::bulk::user(&from, 1),
                weifchat::bulk::friend_request(&incoming),
                weifchat::bulk::friend_request(&side(&from.id, &me, false)),
            ]
        }),
        after: None,
        calls: vec![(
            "GET /get/friend/noagree",
            weif_call("/get/friend/noagree", &owner, &[("userId", &owner.id)]),
        )],
    }
}

async fn weif_groups(app: &TestApp) -> Fixture {
    let owner = app.weif_register().await;
    let (start, ids) = (shared::clock::now_ms(), base());
    let me = weif_profile(&owner.id, owner.nick.clone(), start);
    Fixture {
        row: Box::new(move |i| {
            let group = weif_group(&me.id, &nth(ids, i), i, start);
            let mut items = weifchat::bulk::group(&group, 1).to_vec();
            items.push(weifchat::bulk::member(&membership(&group, &me, at(start, i))));
            items
        }),
        after: None,
        calls: vec![(
            "GET /contacts/group",
            weif_call("/contacts/group", &owner, &[("userId", &owner.id)]),
        )],
    }
}

async fn weif_members(app: &TestApp) -> Fixture {
    let (owner, group) = weif_owned_group(app).await;
    let (start, ids, g) = (shared::clock::now_ms(), base(), group.clone());
    Fixture {
        row: Box::new(move |i| {
            let user = weif_profile(&nth(ids, i), format!("member {i}"), start);
            vec![
                weifchat::bulk::user(&user, 1),
                weifchat::bulk::member(&membership(&g, &user, at(start, i))),
            ]
        }),
        after: None,
        calls: vec![
            (
                "GET /get/groupUser",
                weif_call("/get/groupUser", &owner, &[("groupId", &group.id)]),
            ),
            (
                "GET /home/group",
                weif_call("/home/group", &owner, &[("groupId", &group.id), ("userId", &owner.id)]),
            ),
        ],
    }
}

async fn weif_join_requests(app: &TestApp) -> Fixture {
    let (owner, group) = weif_owned_group(app).await;
    let (start, ids, g) = (shared::clock::now_ms(), base(), group.clone());
    Fixture {
        row: Box::new(move |i| {
            // As `request_join` leaves it: with the applicant's profile and the group's copied.
            let user = weif_profile(&nth(ids, i), format!("applicant {i}"), start);
            let request = membership(&g, &user, at(start, i));
            vec![weifchat::bulk::user(&user, 1), weifchat::bulk::join_request(&request)]
        }),
        after: None,
        calls: vec![(
            "GET /get/group/noagree",
            weif_call("/get/group/noagree", &owner, &[("userId", &owner.id)]),
        )],
    }
}

/// A moment of `author`'s, `i`-th of the run `ids`.
fn weif_space(author: &str, ids: u128, i: usize, start: i64) -> weifchat::Space {
    weifchat::Space {
        id: nth(ids, i),
        user_id: author.into(),
        text_desc: format!("filler moment {i}: {}", "x".repeat(60)),
        photos: Vec::new(),
        time: at(start, i),
    }
}

async fn weif_feed(app: &TestApp) -> Fixture {
    let owner = app.weif_register().await;
    let owner_profile = weif_profile(&owner.id, owner.nick.clone(), shared::clock::now_ms());
    let (me, start, friends, spaces) = (owner.id.clone(), shared::clock::now_ms(), base(), base());
    let cap = weifchat::MAX_FRIENDS as usize;
    Fixture {
        // Row i: a moment of friend i % 500 (friend i befriended with their first), in its
        // author's feed and the owner's, as publishing fans it out.
        row: Box::new(move |i| {
            let author = nth(friends, i % cap);
            let mut items = Vec::new();
            if i < cap {
                items.extend(weif_friend(
                    &author,
                    format!("friend {i}"),
                    &owner_profile,
                    at(start, i),
                ));
            }
            let space = weif_space(&author, spaces, i, start);
            items.extend(weifchat::bulk::space(&space));
            items.push(weifchat::bulk::feed_entry(&author, &space));
            items.push(weifchat::bulk::feed_entry(&me, &space));
            items
        }),
        after: None,
        calls: vec![(
            "GET /space/get",
            weif_call("/space/get", &owner, &[("userId", &owner.id)]),
        )],
    }
}

async fn weif_spaces(app: &TestApp) -> Fixture {
    let owner = app.weif_register().await;
    let (me, start, spaces) = (owner.id.clone(), shared::clock::now_ms(), base());
    Fixture {
        row: Box::new(move |i| {
            let space = weif_space(&me, spaces, i, start);
            let mut items = weifchat::bulk::space(&space).to_vec();
            items.push(weifchat::bulk::feed_entry(&me, &space));
            items
        }),
        after: None,
        calls: vec![(
            "GET /space/details",
            weif_call("/space/details", &owner, &[("userId", &owner.id)]),
        )],
    }
}

async fn weif_notes(app: &TestApp) -> Fixture {
    let owner = app.weif_register().await;
    let (me, start, ids) = (owner.id.clone(), shared::clock::now_ms(), base());
    Fixture {
        row: Box::new(move |i| {
            vec![weifchat::bulk::note(&weifchat::Note {
                id: nth(ids, i),
                user_id: me.clone(),
                text: format!("filler note {i}: {}", "x".repeat(60)),
                color: "#ffffff".into(),
                time: at(start, i),
            })]
        }),
        after: None,
        calls: vec![("GET /notes/get", weif_call("/notes/get", &owner, &[]))],
    }
}

/// Message `i` (seq `i + 1`) of a chat: `from` to `to` (private) or in `group`.
fn weif_message(
    ids: u128,
    i: usize,
    start: i64,
    from: &str,
    to: Option<&str>,
    group: Option<&str>,
) -> weifchat::Message {
    weifchat::Message {
        id: nth(ids, i),
        seq: i as u64 + 1,
        from_id: from.into(),
        to_id: to.map(str::to_owned),
        group_id: group.map(str::to_owned),
        msg_type: 0,
        message: format!("filler message {i}: {}", "x".repeat(40)),
        time: at(start, i),
    }
}

async fn weif_private_chat(app: &TestApp) -> Fixture {
    let owner = app.weif_register().await;
    let owner_profile = weif_profile(&owner.id, owner.nick.clone(), shared::clock::now_ms());
    let (start, ids) = (shared::clock::now_ms(), base());
    let friend = shared::ids::new_id();
    let items = weif_friend(&friend, "the friend".into(), &owner_profile, start);
    app.put_all(items).await;
    let chat = weifchat::keys::private_chat(&owner.id, &friend);
    let (me, peer) = (owner.id.clone(), friend.clone());
    // Messages alternate between the two; the owner has read them all.
    let message = move |i: usize| {
        let (from, to) = if i.is_multiple_of(2) {
            (&me, &peer)
        } else {
            (&peer, &me)
        };
        weif_message(ids, i, start, from, Some(to), None)
    };
    let friend_profile = weif_profile(&friend, "the friend".into(), start);
    let (row, last, chat2) = (message.clone(), message, chat.clone());
    Fixture {
        row: Box::new(move |i| vec![weifchat::bulk::message(&chat, &row(i))]),
        after: Some(Box::new(move |n| {
            let m = last(n - 1);
            let side = |user: &weifchat::User, other: &weifchat::User| {
                weifchat::bulk::conversation(&weifchat::Conversation {
                    user_id: user.id.clone(),
                    peer_id: other.id.clone(),
                    last_seq: m.seq,
                    last_time: m.time,
                    last_msg: weifchat::LastMessage::of(&m),
                    read_seq: m.seq,
                    peer: Some(weifchat::PeerCopy::of(other)),
                    ..Default::default()
                })
            };
            vec![
                weifchat::bulk::chat_head(&chat2, &m),
                side(&owner_profile, &friend_profile),
                side(&friend_profile, &owner_profile),
            ]
        })),
        calls: vec![
            (
                "GET /message/friend",
                weif_call(
                    "/message/friend",
                    &owner,
                    &[("userId", &owner.id), ("friendId", &friend)],
                ),
            ),
            (
                "GET /message/sync/{type} (friend)",
                weif_call(
                    "/message/sync/friend",
                    &owner,
                    &[("userId", &owner.id), ("id", &friend), ("seq", "0")],
                ),
            ),
        ],
    }
}

async fn weif_group_chat(app: &TestApp) -> Fixture {
    let (owner, group) = weif_owned_group(app).await;
    let (start, ids) = (shared::clock::now_ms(), base());
    let chat = weifchat::keys::group_chat(&group.id);
    let (me, g) = (owner.id.clone(), group.id.clone());
    let message = move |i: usize| weif_message(ids, i, start, &me, None, Some(&g));
    let (row, last, chat2) = (message.clone(), message, chat.clone());
    Fixture {
        row: Box::new(move |i| vec![weifchat::bulk::message(&chat, &row(i))]),
        after: Some(Box::new(move |n| vec![weifchat::bulk::chat_head(&chat2, &last(n - 1))])),
        calls: vec![
            (
                "GET /message/group",
                weif_call(
                    "/message/group",
                    &owner,
                    &[("userId", &owner.id), ("groupId", &group.id)],
                ),
            ),
            (
                "GET /message/sync/{type} (group)",
                weif_call(
                    "/message/sync/group",
                    &owner,
                    &[("userId", &owner.id), ("id", &group.id), ("seq", "0")],
                ),
            ),
        ],
    }
}

async fn weif_conversations(app: &TestApp) -> Fixture {
    let owner = app.weif_register().await;
    let owner_profile = weif_profile(&owner.id, owner.nick.clone(), shared::clock::now_ms());
    let (me, start, peers, messages) = (owner.id.clone(), shared::clock::now_ms(), base(), base());
    Fixture {
        // Row i: friend i, with whom the owner has exchanged one message.
        row: Box::new(move |i| {
            let peer = nth(peers, i);
            let m = weif_message(messages, i, start, &peer, Some(&me), None);
            let m = weifchat::Message { seq: 1, ..m };
            let peer_profile = weif_profile(&peer, format!("peer {i}"), start);
            let side = |user: &weifchat::User, other: &weifchat::User, unread: u64| {
                weifchat::bulk::conversation(&weifchat::Conversation {
                    user_id: user.id.clone(),
                    peer_id: other.id.clone(),
                    last_seq: 1,
                    last_time: m.time,
                    last_msg: weifchat::LastMessage::of(&m),
                    unread,
                    peer: Some(weifchat::PeerCopy::of(other)),
                    ..Default::default()
                })
            };
            let chat = weifchat::keys::private_chat(&me, &peer);
            let mut items = weif_friend(&peer, format!("peer {i}"), &owner_profile, at(start, i));
            // The conversations as the message left them, in place of the friendship's empty ones.
            items.retain(|item| !weifchat::bulk::is_conversation(item));
            items.extend([
                weifchat::bulk::message(&chat, &m),
                weifchat::bulk::chat_head(&chat, &m),
                side(&owner_profile, &peer_profile, 1),
                side(&peer_profile, &owner_profile, 0),
            ]);
            items
        }),
        after: None,
        calls: vec![(
            "GET /message/list",
            weif_call("/message/list", &owner, &[("userId", &owner.id)]),
        )],
    }
}

async fn weif_search(app: &TestApp) -> Fixture {
    let owner = app.weif_register().await;
    let (start, ids) = (shared::clock::now_ms(), base());
    let keyword = e2e::unique("bench");
    let nick = keyword.clone();
    Fixture {
        row: Box::new(move |i| vec![weif_user(&nth(ids, i), format!("{nick} {i}"), start)]),
        after: None,
        calls: vec![("GET /search", weif_call("/search", &owner, &[("keyword", &keyword)]))],
    }
}

// ---- info ----

async fn info_categories(app: &TestApp) -> Fixture {
    let viewer = app.info_user().await;
    let now = shared::clock::now_ms();
    Fixture {
        // IDs from 1: this table's category counter is never used.
        row: Box::new(move |i| {
            let id = i as u64 + 1;
            e2e::info::filler_category(id, &format!("category {id}"), now)
        }),
        after: None,
        calls: vec![(
            "GET /api/v2/info/categories",
            Call::Info {
                path: "/api/v2/info/categories".into(),
                token: Some(viewer.token),
            },
        )],
    }
}

async fn info_infos(app: &TestApp) -> Fixture {
    let admin = app.info_admin().await;
    let category = app.category(&admin).await;
    let (author, start) = (admin.id, shared::clock::now_ms());
    Fixture {
        // What creating an info writes (tests/tests/e2e/info_listing_cost.rs): the info, its
        // stats and its listing entries; one in 10 recommended, one in 50 topped. IDs from 1:
        // this table's info counter is never used.
        row: Box::new(move |i| e2e::info::filler_info(i as u64 + 1, author, category, at(start, i))),
        after: None,
        calls: vec![(
            "GET /api/v2/infos",
            Call::Info {
                path: "/api/v2/infos".into(),
                token: Some(admin.token),
            },
        )],
    }
}

async fn info_comments(app: &TestApp) -> Fixture {
    let admin = app.info_admin().await;
    let category = app.category(&admin).await;
    let info_id = app.publish(&admin, category, json!({})).await["id"]
        .as_u64()
        .expect("info ID");
    let (user, start) = (admin.id, shared::clock::now_ms());
    Fixture {
        // A comment as `add_comment` writes it: the feed and its listing entries (this info's
        // and every info's). IDs from 1000: below them, the table's own counter.
        row: Box::new(move |i| {
            let id = 1_000 + i as u64;
            let feed = info::items::FeedItem::new(
                id,
                user,
                info_id,
                info::items::Comment {
                    feed_content: format!("filler comment {i}: {}", "x".repeat(60)),
                    feed_from: 0,
                    feed_mark: None,
                    images: Vec::new(),
                    video: None,
                    video_cover: None,
                    created_at: at(start, i),
                },
            );
            let mut items = vec![item(&feed)];
            items.extend(feed.entries().iter().map(item));
            items
        }),
        after: None,
        calls: vec![
            (
                "GET /api/v2/infos/{id}/comments",
                Call::Info {
                    path: format!("/api/v2/infos/{info_id}/comments"),
                    token: Some(admin.token.clone()),
                },
            ),
            (
                "GET /api/v2/info/comments",
                Call::Info {
                    path: "/api/v2/info/comments".into(),
                    token: Some(admin.token),
                },
            ),
        ],
    }
}
