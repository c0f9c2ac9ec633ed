//! Idempotency keys (issue 10): every create honours an `Idempotency-Key` header as Powertools'
//! idempotency utility does. For one create of each surface (chatx post, nobase post, weifChat
//! moment, info comment), the same promises: a repeat gets the first answer byte for byte and
//! creates nothing; another body under the key is refused and changes nothing; ten concurrent
//! repeats create once; without the header every request creates (at the same DynamoDB cost as
//! before); the record expires (TTL); another caller's key is its own; a refused first attempt
//! frees the key; a bad key is refused. Each register answers a repeat with its first answer.
//! Each test counts the items of the entity it creates: in a table of its own, or (nobase, whose
//! world lives in the shared table) of its own app.

use e2e::nobase::{Member, POST_ADD, REGISTER, World, encode, owned};
use e2e::serde_json::{Value, json};
use e2e::{TestApp, spawn_app, spawn_app_on_own_table, unique};
use futures_util::future::join_all;
use shared::idempotency::{self, IdempotencyKey, attr};
use shared::keys::{self, Key};
use shared::store::{n, s};
use shared::throttle;

/// An answer as the client got it.
#[derive(Debug, Clone)]
struct Sent {
    status: u16,
    replayed: bool,
    text: String,
    json: Value,
}

/// The codes a surface answers with, in its own envelope.
struct Codes {
    ok: i64,
    in_progress: i64,
    mismatch: i64,
    bad_key: i64,
}

/// One caller's create on one surface.
struct Create<'a> {
    app: &'a TestApp,
    binary: &'static str,
    route: &'static str,
    path: &'static str,
    content_type: &'static str,
    /// Identity headers, sent with every request.
    headers: Vec<(&'static str, String)>,
    /// A header given a new value on every request (chatx's `operationID`), which the key's
    /// request hash leaves out.
    fresh: Option<&'static str>,
    /// Request `i`'s body (different `i`, different creations).
    body: Box<dyn Fn(u32) -> String + 'a>,
    /// A body the route refuses.
    refused: String,
    /// The entity created, and an attribute and value only this test's items have (nobase's
    /// app, whose world lives in the shared table).
    entity: &'static str,
    owner: Option<(&'static str, String)>,
    /// The code of an answer: its envelope's, or its HTTP status.
    code: fn(&Sent) -> i64,
    codes: Codes,
    /// The subject the records are scoped to.
    subject: String,
    /// The DynamoDB requests of a create without the header (sorted), as before idempotency keys.
    budget: &'static [&'static str],
    /// Those of the checks before the key is claimed (who asks), which a repeat makes too.
    admission: &'static [&'static str],
}

impl Create<'_> {
    async fn send_body(&self, key: Option<&str>, body: String) -> Sent {
        let mut req = self
            .app
            .http
            .post(format!("{}{}", self.app.base_url, self.path))
            .header("content-type", self.content_type)
            .body(body);
        for (name, value) in &self.headers {
            req = req.header(*name, value);
        }
        if let Some(name) = self.fresh {
            req = req.header(name, unique("op-"));
        }
        if let Some(key) = key {
            req = req.header("Idempotency-Key", key);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let replayed = resp.headers().get(idempotency::REPLAYED_HEADER).is_some();
        let text = resp.text().await.expect("body");
        let json = e2e::serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
        Sent {
            status,
            replayed,
            text,
            json,
        }
    }

    async fn send(&self, key: Option<&str>, i: u32) -> Sent {
        self.send_body(key, (self.body)(i)).await
    }

    fn code(&self, sent: &Sent) -> i64 {
        (self.code)(sent)
    }

    fn assert_created(&self, sent: &Sent) {
        assert_eq!(self.code(sent), self.codes.ok, "{}", sent.text);
    }

    /// How many items of the entity the table holds.
    async fn count(&self) -> usize {
        count_entity(self.app, self.entity, self.owner.as_ref()).await
    }

    fn record(&self, key: &str) -> Key {
        idempotency::record_key(self.route, &self.subject, &IdempotencyKey::parse(key).unwrap())
    }

    /// The DynamoDB requests of the create's function since the last call, sorted.
    fn requests(&self) -> Vec<String> {
        let mut ops = self.app.requests(self.binary);
        ops.sort();
        ops
    }
}

async fn count_entity(app: &TestApp, entity: &str, owner: Option<&(&str, String)>) -> usize {
    let (mut count, mut start) = (0, None);
    loop {
        let mut scan = app
            .dynamo
            .scan()
            .table_name(&app.table)
            .filter_expression("#e = :e")
            .expression_attribute_names("#e", keys::ENTITY)
            .expression_attribute_values(":e", s(entity));
        if let Some((name, value)) = owner {
            scan = scan
                .filter_expression("#e = :e AND #o = :o")
                .expression_attribute_names("#o", *name)
                .expression_attribute_values(":o", s(value.clone()));
        }
        let out = scan
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("scan");
        count += out.items().len();
        start = out.last_evaluated_key;
        if start.is_none() {
            return count;
        }
    }
}

async fn chatx_post(app: &TestApp) -> Create<'_> {
    let user = app.register().await;
    Create {
        app,
        binary: "chatx-moments-post-add",
        route: "POST /chatx/moments/post/add",
        path: "/chatx/moments/post/add",
        content_type: "application/json",
        headers: vec![("token", user.token.clone())],
        fresh: Some("operationID"),
        body: Box::new(|i| json!({"content": format!("post {i}"), "images": []}).to_string()),
        refused: json!({"content": "", "images": []}).to_string(),
        entity: chatx::keys::entity::POST,
        owner: None,
        code: |sent| sent.json["errCode"].as_i64().unwrap_or(-1),
        codes: Codes {
            ok: 0,
            in_progress: 1409,
            mismatch: 1422,
            bad_key: 1001,
        },
        subject: throttle::user(&user.user_id),
        budget: &["PutItem"],
        admission: &[],
    }
}

async fn nobase_post(app: &TestApp) -> Create<'_> {
    let world = World::new(app).await;
    let member = world.member(app).await;
    let subject = throttle::user(&member.user_id);
    let appid = world.appid.clone();
    let params = move |title: &str| {
        let mut p = world.params(&owned(&[("uid", &world.board), ("title", title), ("content", "内容")]));
        p.extend(member.identity());
        encode(&p)
    };
    let refused = params(&"长".repeat(101));
    Create {
        app,
        binary: "nobase-bbs-post-add",
        route: "POST /api/bbs/post_add",
        path: POST_ADD,
        content_type: "application/x-www-form-urlencoded",
        headers: Vec::new(),
        fresh: None,
        refused,
        body: Box::new(move |i| params(&format!("标题 {i}"))),
        entity: nobase::keys::entity::POST,
        owner: Some(("appid", appid)),
        code: |sent| sent.json["code"].as_i64().unwrap_or(-1),
        codes: Codes {
            ok: 200,
            in_progress: 409,
            mismatch: 422,
            bad_key: 204,
        },
        subject,
        budget: &["BatchGetItem", "TransactWriteItems"],
        admission: &["BatchGetItem"],
    }
}

async fn weif_space(app: &TestApp) -> Create<'_> {
    let user = app.weif_register().await;
    let id = user.id.clone();
    Create {
        app,
        binary: "weif-space-add",
        route: "POST /space/add",
        path: "/space/add",
        content_type: "application/json",
        headers: vec![("authorization", format!("Bearer {}", user.token))],
        fresh: None,
        refused: json!({"userId": id, "textDesc": ""}).to_string(),
        body: Box::new(move |i| json!({"userId": id, "textDesc": format!("moment {i}")}).to_string()),
        entity: weifchat::keys::entity::SPACE,
        owner: None,
        code: |sent| sent.json["status"].as_i64().unwrap_or(-1),
        codes: Codes {
            ok: 200,
            in_progress: 409,
            mismatch: 422,
            bad_key: 400,
        },
        subject: throttle::user(&user.id),
        // The author's friends (none here), the moment with its listing and feed entry, the
        // friends read again once it is stored.
        budget: &["Query", "Query", "TransactWriteItems"],
        admission: &[],
    }
}

async fn info_comment(app: &TestApp) -> Create<'_> {
    let admin = app.info_admin().await;
    let category = app.category(&admin).await;
    let info = app.publish(&admin, category, json!({})).await["id"].as_u64().unwrap();
    let user = app.info_user().await;
    Create {
        app,
        binary: "info-comment-create",
        route: "POST /api/v2/feeds",
        path: "/api/v2/feeds",
        content_type: "application/json",
        headers: vec![("authorization", format!("Bearer {}", user.token))],
        fresh: None,
        refused: json!({"repostable_type": "nope", "repostable_id": info}).to_string(),
        body: Box::new(move |i| {
            json!({"repostable_type": "infos", "repostable_id": info, "feed_content": format!("comment {i}")})
                .to_string()
        }),
        entity: info::keys::entity::FEED,
        owner: None,
        code: |sent| i64::from(sent.status),
        codes: Codes {
            ok: 201,
            in_progress: 409,
            mismatch: 422,
            bad_key: 400,
        },
        subject: throttle::user(&user.id.to_string()),
        budget: &["BatchGetItem", "GetItem", "TransactWriteItems", "UpdateItem"],
        admission: &[],
    }
}

// ---- the promises, for any create ----

async fn a_repeat_gets_the_first_answer_and_creates_once(c: Create<'_>) {
    let before = c.count().await;
    c.requests();
    let key = unique("key-");
    let first = c.send(Some(&key), 0).await;
    c.assert_created(&first);
    let mut expected: Vec<String> = c.budget.iter().map(|op| op.to_string()).collect();
    expected.extend(["PutItem".to_owned(), "UpdateItem".to_owned()]);
    expected.sort();
    assert_eq!(
        c.requests(),
        expected,
        "a first attempt: the create, claiming and completing the key"
    );
    for _ in 0..2 {
        let again = c.send(Some(&key), 0).await;
        assert_eq!((again.status, &again.text), (first.status, &first.text));
        assert!(again.replayed && !first.replayed);
        let mut expected: Vec<String> = c.admission.iter().map(|op| op.to_string()).collect();
        expected.push("PutItem".to_owned());
        expected.sort();
        assert_eq!(
            c.requests(),
            expected,
            "a repeat: who asks, one refused claim, nothing else"
        );
    }
    assert_eq!(c.count().await, before + 1);
}

async fn another_body_under_the_key_is_refused_and_changes_nothing(c: Create<'_>) {
    let before = c.count().await;
    let key = unique("key-");
    let first = c.send(Some(&key), 0).await;
    c.assert_created(&first);
    let other = c.send(Some(&key), 1).await;
    assert_eq!(c.code(&other), c.codes.mismatch, "{}", other.text);
    assert!(!other.replayed);
    assert_eq!(c.count().await, before + 1);
    let again = c.send(Some(&key), 0).await;
    assert_eq!(again.text, first.text, "the record still holds the first answer");
}

async fn concurrent_repeats_create_once(c: Create<'_>) {
    let before = c.count().await;
    let key = unique("key-");
    let answers = join_all((0..10).map(|_| c.send(Some(&key), 0))).await;
    assert_eq!(c.count().await, before + 1, "{answers:?}");
    let created: Vec<&Sent> = answers.iter().filter(|a| c.code(a) == c.codes.ok).collect();
    assert!(!created.is_empty(), "{answers:?}");
    for a in &answers {
        let code = c.code(a);
        assert!(
            (code == c.codes.ok && a.text == created[0].text) || code == c.codes.in_progress,
            "each answer is the first one or 'in progress': {answers:?}"
        );
    }
    assert_eq!(
        created.iter().filter(|a| !a.replayed).count(),
        1,
        "one answer is the creation's, the others replay it"
    );
}

async fn without_the_header_every_request_creates_at_the_same_cost(c: Create<'_>) {
    let before = c.count().await;
    c.requests();
    for i in 0..2 {
        let sent = c.send(None, i).await;
        c.assert_created(&sent);
        assert!(!sent.replayed);
        assert_eq!(c.requests(), c.budget, "no request beyond the create's own");
    }
    assert_eq!(c.count().await, before + 2);
}

async fn the_record_expires_in_a_day(c: Create<'_>) {
    let key = unique("key-");
    c.assert_created(&c.send(Some(&key), 0).await);
    let record = c.app.item(&c.record(&key)).await.expect("the key's record");
    assert_eq!(record[attr::STATUS].as_s().unwrap(), idempotency::COMPLETED);
    let expires: i64 = record[keys::TTL].as_n().unwrap().parse().unwrap();
    let in_a_day = shared::clock::now_secs() + idempotency::RECORD_SECS;
    assert!((in_a_day - 60..=in_a_day).contains(&expires), "expiresAt {expires}");
}

async fn another_caller_s_key_is_its_own(c: Create<'_>, d: Create<'_>) {
    let before = (c.count().await, d.count().await);
    let key = unique("key-");
    let mine = c.send(Some(&key), 0).await;
    let theirs = d.send(Some(&key), 0).await;
    c.assert_created(&mine);
    d.assert_created(&theirs);
    assert!(!theirs.replayed, "another caller's answer is never replayed");
    assert_ne!(c.record(&key), d.record(&key), "each caller's record is its own");
    let after = (c.count().await, d.count().await);
    if c.owner.is_some() {
        assert_eq!(after, (before.0 + 1, before.1 + 1), "one creation each");
    } else {
        assert_eq!(after.0, before.0 + 2, "one creation each");
    }
}

async fn a_refused_first_attempt_frees_the_key(c: Create<'_>) {
    let before = c.count().await;
    let key = unique("key-");
    let refused = c.send_body(Some(&key), c.refused.clone()).await;
    assert_ne!(c.code(&refused), c.codes.ok, "{}", refused.text);
    assert_eq!(c.app.item(&c.record(&key)).await, None, "no record is kept");
    let retry = c.send(Some(&key), 0).await;
    c.assert_created(&retry);
    assert!(!retry.replayed);
    assert_eq!(c.count().await, before + 1);
}

async fn a_bad_key_is_refused_in_the_envelope(c: Create<'_>) {
    let before = c.count().await;
    for key in ["two words", &"k".repeat(256)] {
        let sent = c.send(Some(key), 0).await;
        assert_eq!(c.code(&sent), c.codes.bad_key, "{}", sent.text);
    }
    assert!(c.send(Some(&"k".repeat(255)), 0).await.json.is_object());
    assert_eq!(c.count().await, before + 1, "only the 255-character key's create");
}

macro_rules! promises {
    ($($surface:ident on $spawn:ident),*) => {$(
        mod $surface {
            use super::*;

            #[tokio::test]
            async fn a_repeat_gets_the_first_answer_and_creates_once() {
                let app = $spawn().await;
                super::a_repeat_gets_the_first_answer_and_creates_once(super::$surface(&app).await).await;
            }

            #[tokio::test]
            async fn another_body_under_the_key_is_refused_and_changes_nothing() {
                let app = $spawn().await;
                super::another_body_under_the_key_is_refused_and_changes_nothing(super::$surface(&app).await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn concurrent_repeats_create_once() {
                let app = $spawn().await;
                super::concurrent_repeats_create_once(super::$surface(&app).await).await;
            }

            #[tokio::test]
            async fn without_the_header_every_request_creates_at_the_same_cost() {
                let app = $spawn().await;
                super::without_the_header_every_request_creates_at_the_same_cost(super::$surface(&app).await).await;
            }

            #[tokio::test]
            async fn the_record_expires_in_a_day() {
                let app = $spawn().await;
                super::the_record_expires_in_a_day(super::$surface(&app).await).await;
            }

            #[tokio::test]
            async fn another_caller_s_key_is_its_own() {
                let app = $spawn().await;
                let (c, d) = (super::$surface(&app).await, super::$surface(&app).await);
                super::another_caller_s_key_is_its_own(c, d).await;
            }

            #[tokio::test]
            async fn a_refused_first_attempt_frees_the_key() {
                let app = $spawn().await;
                super::a_refused_first_attempt_frees_the_key(super::$surface(&app).await).await;
            }

            #[tokio::test]
            async fn a_bad_key_is_refused_in_the_envelope() {
                let app = $spawn().await;
                super::a_bad_key_is_refused_in_the_envelope(super::$surface(&app).await).await;
            }
        }
    )*};
}

// nobase's world (developer, app, board) lives in the shared table.
promises!(
    chatx_post on spawn_app_on_own_table,
    nobase_post on spawn_app,
    weif_space on spawn_app_on_own_table,
    info_comment on spawn_app_on_own_table
);

/// A lock held by a request still running answers "in progress"; once it expires (a crashed
/// invocation), the key is free again.
#[tokio::test]
async fn an_expired_lock_frees_the_key_a_live_one_answers_in_progress() {
    let app = spawn_app_on_own_table().await;
    let c = chatx_post(&app).await;
    let key = unique("key-");
    let body = (c.body)(0);
    let hash = idempotency::fingerprint(
        &lambda_http::http::Request::builder()
            .method("POST")
            .uri(c.path)
            .header("content-type", c.content_type)
            .body(lambda_http::Body::Text(body.clone()))
            .unwrap(),
        idempotency::Hashing {
            secret: app.config.token_secret.expose(),
            credentials: &[],
        },
    );
    let lock = |expires: i64| {
        let mut item = c.record(&key).to_item();
        item.insert(keys::ENTITY.into(), s("IdempotencyRecord"));
        item.insert(attr::STATUS.into(), s(idempotency::IN_PROGRESS));
        item.insert(attr::HASH.into(), s(hash.clone()));
        item.insert(attr::CLAIM.into(), s("a crashed invocation"));
        item.insert(keys::TTL.into(), n(expires));
        app.dynamo.put_item().table_name(&app.table).set_item(Some(item)).send()
    };
    let before = c.count().await;
    lock(shared::clock::now_secs() + idempotency::LOCK_SECS).await.unwrap();
    let busy = c.send(Some(&key), 0).await;
    assert_eq!(
        (&busy.json["errCode"], &busy.json["errMsg"]),
        (&json!(1409), &json!("IdempotencyInProgressError")),
        "{}",
        busy.text
    );
    assert_eq!(c.count().await, before);
    lock(shared::clock::now_secs() - 1).await.unwrap();
    let sent = c.send(Some(&key), 0).await;
    c.assert_created(&sent);
    assert_eq!(c.count().await, before + 1);
}

/// nobase signs a token-mode request in with a `token` parameter: a retry after signing in
/// again (a new token) is the same request, and gets the first answer.
#[tokio::test]
async fn a_nobase_retry_with_a_new_token_gets_the_first_answer() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let member = world.member(&app).await;
    let first_token = member.token.clone().expect("token mode");
    // Tokens carry their issue time in seconds: sign in again once that has moved.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let again = world.login(&app, &member.account, &member.pass).await;
    let second_token = again.token.clone().expect("token mode");
    assert_ne!(first_token, second_token);
    let key = unique("key-");
    let send = |m: &Member| {
        let mut p = world.params(&owned(&[("uid", &world.board), ("title", "标题"), ("content", "内容")]));
        p.extend(m.identity());
        let req = app
            .http
            .post(format!("{}{POST_ADD}", app.base_url))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("idempotency-key", key.clone())
            .body(encode(&p));
        async move {
            let resp = req.send().await.unwrap();
            let replayed = resp.headers().contains_key(idempotency::REPLAYED_HEADER);
            (replayed, resp.text().await.unwrap())
        }
    };
    let first = send(&member).await;
    let retry = send(&again).await;
    assert!(first.1.contains("\"code\":200"), "{}", first.1);
    assert_eq!(retry, (true, first.1), "the first answer, replayed");
}

/// A register request: path, a header the surface needs, content type, body.
type Register<'a> = (&'a str, Option<(&'a str, &'a str)>, &'a str, String);

/// Register on every surface: a repeat under the key (scoped to the source) answers the first
/// answer, the same user and token, where without the key it would be "already registered".
#[tokio::test]
async fn a_repeated_register_answers_the_first_answer_on_every_surface() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let nobase_body = encode(&world.params(&[("user", unique("u")), ("pass", "secret-pass".to_owned())]));
    let account = unique("u");
    let cases: Vec<Register> = vec![
        (
            "/chatx/account/register",
            Some(("operationID", "op")),
            "application/json",
            json!({"account": account, "password": "secret-pass", "nickname": "n", "faceURL": "https://cdn.example.com/n.png"}).to_string(),
        ),
        (REGISTER, None, "application/x-www-form-urlencoded", nobase_body),
        (
            "/register",
            None,
            "application/json",
            json!({"phone": e2e::weif::phone(), "password": "secret-pass", "nick": "n"}).to_string(),
        ),
        (
            "/api/v2/users",
            None,
            "application/json",
            json!({"name": unique("u"), "password": "secret-pass"}).to_string(),
        ),
    ];
    for (path, header, content_type, body) in cases {
        let key = unique("key-");
        let send = |key: Option<String>| {
            let mut req = app
                .http
                .post(format!("{}{path}", app.base_url))
                .header("content-type", content_type)
                .body(body.clone());
            if let Some((name, value)) = header {
                req = req.header(name, value);
            }
            if let Some(key) = key {
                req = req.header("idempotency-key", key);
            }
            async move {
                let resp = req.send().await.unwrap();
                let replayed = resp.headers().contains_key(idempotency::REPLAYED_HEADER);
                (resp.status().as_u16(), replayed, resp.text().await.unwrap())
            }
        };
        let first = send(Some(key.clone())).await;
        let again = send(Some(key)).await;
        assert_eq!((again.0, &again.2), (first.0, &first.2), "{path}");
        assert!(!first.1 && again.1, "{path}");
        let without = send(None).await;
        assert_ne!(
            without.2, first.2,
            "{path}: without the key it registers again, and is refused"
        );
    }
}
