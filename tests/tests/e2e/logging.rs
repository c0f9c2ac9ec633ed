//! One JSON log line per request on every surface, through the gateway as a client calls: the
//! request's `done` line names its request ID, route, caller (and chatx's operation ID), outcome,
//! code, DynamoDB requests and duration; refused requests are logged too; and no password,
//! token or signature a client sent ever reaches the log.

use e2e::nobase::{LOGIN as NOBASE_LOGIN, REGISTER as NOBASE_REGISTER, World, owned, post_form};
use e2e::serde_json::{Value, json};
use e2e::{TestApp, spawn_app, unique};
use shared::telemetry::{CapturedLogs, json_subscriber};

/// The `done` lines logged while `calls` ran, parsed (every line must be one JSON object).
async fn done_lines<F: std::future::Future<Output = ()>>(logs: &CapturedLogs, calls: F) -> (String, Vec<Value>) {
    let subscriber = json_subscriber(tracing_subscriber::EnvFilter::new("info"), logs.clone());
    let guard = tracing::subscriber::set_default(subscriber);
    calls.await;
    drop(guard);
    let text = logs.text();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| e2e::serde_json::from_str(l).unwrap_or_else(|e| panic!("not one JSON object ({e}): {l}")))
        .collect();
    let done = lines.into_iter().filter(|l| l["fields"]["message"] == "done").collect();
    (text, done)
}

/// The done line of the request to `route`, the `n`th of them.
fn line<'a>(done: &'a [Value], route: &str, n: usize) -> &'a Value {
    done.iter()
        .filter(|l| l["span"]["route"] == route)
        .nth(n)
        .unwrap_or_else(|| panic!("no done line {n} for {route}: {done:#?}"))
}

/// The fields every done line carries.
fn assert_complete(line: &Value) {
    let span = &line["span"];
    assert_eq!(span["name"], "request", "{line}");
    assert!(span["request_id"].as_str().is_some_and(|id| id.len() > 2), "{line}");
    for field in ["code", "outcome", "dynamodb_requests", "duration_ms"] {
        assert!(!line["fields"][field].is_null(), "{field} in {line}");
    }
}

fn assert_secrets_absent(text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "{secret} in the logs:\n{text}");
    }
}

async fn chatx_calls(app: &TestApp, password: &str) -> String {
    let account = unique("u");
    let register = json!({"account": account, "password": password, "nickname": "n"});
    let data = app.chatx_ok("/chatx/account/register", "", register).await;
    let token = data["token"].as_str().unwrap().to_owned();
    app.chatx_ok(
        "/chatx/account/login",
        "",
        json!({"account": account, "password": password}),
    )
    .await;
    let (_, env) = app
        .raw(
            "POST",
            "/chatx/user/get",
            &[("operationID", "op-logged-1"), ("token", &token)],
            "{}",
        )
        .await;
    assert_eq!(env["errCode"], 0, "{env}");
    // A refusal at the token check.
    let env = app.chatx("/chatx/user/get", "not-a-token", json!({})).await;
    assert_ne!(env["errCode"], 0, "{env}");
    token
}

#[tokio::test]
async fn chatx_logs_one_json_line_per_request_without_secrets() {
    let app = spawn_app().await;
    let logs = CapturedLogs::default();
    let password = unique("pw-chatx-");
    let mut token = String::new();
    let (text, done) = done_lines(&logs, async { token = chatx_calls(&app, &password).await }).await;
    let get = line(&done, "POST /chatx/user/get", 0);
    assert_complete(get);
    assert_eq!(get["fields"]["outcome"], "ok", "{get}");
    assert_eq!(get["span"]["operation_id"], "\"op-logged-1\"", "{get}");
    assert!(get["span"]["user_id"].as_str().is_some_and(|u| !u.is_empty()), "{get}");
    let refused = line(&done, "POST /chatx/user/get", 1);
    assert_complete(refused);
    assert_eq!(refused["fields"]["outcome"], "refused", "{refused}");
    assert_complete(line(&done, "POST /chatx/account/login", 0));
    assert_secrets_absent(&text, &[&password, &token]);
}

#[tokio::test]
async fn weifchat_logs_one_json_line_per_request_without_secrets() {
    let app = spawn_app().await;
    let logs = CapturedLogs::default();
    let (phone, password) = (e2e::weif::phone(), unique("pw-weif-"));
    let mut token = String::new();
    let (text, done) = done_lines(&logs, async {
        let env = app
            .weif_post_ok(
                "/register",
                "",
                json!({"phone": phone, "password": password, "nick": "n"}),
            )
            .await;
        token = env["data"]["token"].as_str().unwrap().to_owned();
        let id = env["data"]["_id"].as_str().unwrap().to_owned();
        app.weif_post_ok("/login", "", json!({"phone": phone, "password": password}))
            .await;
        let me = [("_id", id.as_str()), ("urlId", id.as_str())];
        app.weif_get_ok("/home/user", &token, &me).await;
        let env = app.weif_get("/home/user", "forged", &me).await;
        assert_ne!(env["status"], 200, "{env}");
    })
    .await;
    let list = line(&done, "GET /home/user", 0);
    assert_complete(list);
    assert!(
        list["span"]["user_id"].as_str().is_some_and(|u| !u.is_empty()),
        "{list}"
    );
    assert_eq!(line(&done, "GET /home/user", 1)["fields"]["outcome"], "refused");
    assert_complete(line(&done, "POST /login", 0));
    assert_secrets_absent(&text, &[&password, &token]);
}

#[tokio::test]
async fn nobase_logs_one_json_line_per_request_without_secrets() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let logs = CapturedLogs::default();
    let (account, password) = (unique("u"), unique("pw-nobase-"));
    let creds = owned(&[("user", &account), ("pass", &password)]);
    let mut token = String::new();
    let (text, done) = done_lines(&logs, async {
        post_form(&app, NOBASE_REGISTER, &world.params(&creds)).await;
        let env = post_form(&app, NOBASE_LOGIN, &world.params(&creds)).await;
        assert_eq!(env["code"], 200, "{env}");
        token = env["data"]["token"].as_str().unwrap().to_owned();
    })
    .await;
    let login = line(&done, "POST /api/user/login", 0);
    assert_complete(login);
    assert_eq!(login["fields"]["outcome"], "ok", "{login}");
    assert_complete(line(&done, "POST /api/user/register", 0));
    assert_secrets_absent(&text, &[&password, &token, &world.signature]);
}

#[tokio::test]
async fn info_logs_one_json_line_per_request_without_secrets() {
    let app = spawn_app().await;
    let logs = CapturedLogs::default();
    let (name, password) = (unique("u"), unique("pw-info-"));
    let mut token = String::new();
    let (text, done) = done_lines(&logs, async {
        let created = app
            .rest_ok(
                201,
                "POST",
                "/api/v2/users",
                None,
                Some(json!({"name": name, "password": password})),
            )
            .await;
        token = created["access_token"].as_str().unwrap().to_owned();
        let login = json!({"login": name, "password": password});
        app.rest_ok(200, "POST", "/api/v2/auth/login", None, Some(login)).await;
        app.rest_ok(200, "GET", "/api/v2/user", Some(&token), None).await;
        let (status, _) = app.rest("GET", "/api/v2/user", Some("forged"), None).await;
        assert_eq!(status, 401);
    })
    .await;
    let me = line(&done, "GET /api/v2/user", 0);
    assert_complete(me);
    assert_eq!(me["fields"]["code"], 200, "{me}");
    assert!(me["span"]["user_id"].as_str().is_some_and(|u| !u.is_empty()), "{me}");
    let refused = line(&done, "GET /api/v2/user", 1);
    assert_eq!(
        (&refused["fields"]["code"], &refused["fields"]["outcome"]),
        (&json!(401), &json!("refused"))
    );
    assert_complete(line(&done, "POST /api/v2/auth/login", 0));
    assert_secrets_absent(&text, &[&password, &token]);
}
