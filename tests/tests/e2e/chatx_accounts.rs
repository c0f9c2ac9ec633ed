//! Accounts and profiles: register and login (only `operationID` needed), hashed passwords,
//! race-free unique account names, profile get and update.

use aws_sdk_dynamodb::types::AttributeValue;
use chatx::keys as k;
use e2e::serde_json::json;
use e2e::{spawn_app, unique};

const REGISTER: &str = "/chatx/account/register";
const LOGIN: &str = "/chatx/account/login";

#[tokio::test]
async fn register_then_login_gives_a_working_token() {
    let app = spawn_app().await;
    let user = app.register().await;
    let data = app
        .chatx_ok(LOGIN, "", json!({"account": user.account, "password": user.password}))
        .await;
    assert_eq!(data["userID"], user.user_id.as_str());
    let token = data["token"].as_str().unwrap();
    let me = app.chatx_ok("/chatx/user/get", token, json!({})).await;
    assert_eq!(me["user"]["userID"], user.user_id.as_str());
    assert_eq!(me["user"]["nickname"], format!("nick {}", user.account));
}

#[tokio::test]
async fn register_and_login_need_operation_id_but_no_token() {
    let app = spawn_app().await;
    let (_, env) = app
        .raw(
            "POST",
            REGISTER,
            &[],
            r#"{"account":"abc","password":"123456","nickname":"n"}"#,
        )
        .await;
    assert_eq!(
        env,
        json!({"errCode":1001,"errMsg":"ArgsError","errDlt":"header must have operationID"})
    );
    let (_, env) = app
        .raw("POST", LOGIN, &[], r#"{"account":"abc","password":"123456"}"#)
        .await;
    assert_eq!(env["errDlt"], "header must have operationID");
}

#[tokio::test]
async fn passwords_are_stored_as_argon2id_hashes_only() {
    let app = spawn_app().await;
    let user = app.register().await;
    let item = app.item(&k::account(&user.account)).await.expect("account item");
    let stored: Vec<String> = item.values().filter_map(|v| v.as_s().ok().cloned()).collect();
    assert!(
        stored.iter().all(|v| !v.contains(&user.password)),
        "plaintext password stored"
    );
    let hash = item.get("passwordHash").and_then(|v| v.as_s().ok()).unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
}

#[tokio::test]
async fn a_taken_account_is_refused_even_under_concurrent_registration() {
    let app = spawn_app().await;
    let account = unique("dup");
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..10 {
        let (http, url) = (app.http.clone(), format!("{}{REGISTER}", app.base_url));
        let body = json!({"account": account, "password": "secret-pass", "nickname": format!("n{i}")});
        tasks.spawn(async move {
            let resp = http
                .post(url)
                .header("operationID", format!("op{i}"))
                .json(&body)
                .send()
                .await
                .unwrap();
            resp.json::<e2e::serde_json::Value>().await.unwrap()
        });
    }
    let mut codes = Vec::new();
    while let Some(env) = tasks.join_next().await {
        codes.push(env.unwrap()["errCode"].as_i64().unwrap());
    }
    codes.sort();
    assert_eq!(codes, [0, 1003, 1003, 1003, 1003, 1003, 1003, 1003, 1003, 1003]);
    let env = app
        .chatx(
            REGISTER,
            "",
            json!({"account": account, "password": "another-pass", "nickname": "late"}),
        )
        .await;
    assert_eq!(
        env,
        json!({"errCode":1003,"errMsg":"DuplicateKeyError","errDlt":"account already registered"})
    );
}

#[tokio::test]
async fn wrong_password_and_unknown_account_get_the_same_answer() {
    let app = spawn_app().await;
    let user = app.register().await;
    let expected = json!({"errCode":20001,"errMsg":"PasswordError","errDlt":"account or password is incorrect"});
    let env = app
        .chatx(LOGIN, "", json!({"account": user.account, "password": "wrong-pass"}))
        .await;
    assert_eq!(env, expected);
    let env = app
        .chatx(
            LOGIN,
            "",
            json!({"account": unique("nobody"), "password": "wrong-pass"}),
        )
        .await;
    assert_eq!(env, expected);
    let env = app.chatx(LOGIN, "", json!({"account": user.account})).await;
    assert_eq!(env["errDlt"], "password is required");
}

#[tokio::test]
async fn registration_input_is_validated_and_nothing_is_written() {
    let app = spawn_app().await;
    let account = unique("v");
    for (body, msg) in [
        (
            json!({"password": "secret-pass", "nickname": "n"}),
            "account is required",
        ),
        (
            json!({"account": "a#b", "password": "secret-pass", "nickname": "n"}),
            "account must be 3-32 characters of letters, digits, '_', '.', '@' or '-'",
        ),
        (json!({"account": account, "nickname": "n"}), "password is required"),
        (
            json!({"account": account, "password": "12345", "nickname": "n"}),
            "password must be 6-128 characters",
        ),
        (
            json!({"account": account, "password": "secret-pass"}),
            "nickname is required",
        ),
        (
            json!({"account": account, "password": "secret-pass", "nickname": "n", "faceURL": "ftp://x"}),
            "faceURL must be an http(s) URL of at most 512 characters",
        ),
    ] {
        let env = app.chatx(REGISTER, "", body.clone()).await;
        assert_eq!(env, json!({"errCode":1001,"errMsg":"ArgsError","errDlt":msg}), "{body}");
    }
    assert!(app.item(&k::account(&account)).await.is_none());
}

#[tokio::test]
async fn profile_update_changes_only_the_callers_profile() {
    let app = spawn_app().await;
    let (me, other) = (app.register().await, app.register().await);
    let data = app
        .chatx_ok(
            "/chatx/user/update",
            &me.token,
            json!({"nickname": "Bob", "userID": other.user_id}),
        )
        .await;
    assert_eq!(data["user"]["userID"], me.user_id.as_str());
    assert_eq!(data["user"]["nickname"], "Bob");
    assert_eq!(
        data["user"]["faceURL"],
        format!("https://cdn.example.com/{}.png", me.account),
        "faceURL untouched"
    );
    let data = app
        .chatx_ok(
            "/chatx/user/update",
            &me.token,
            json!({"faceURL": "https://cdn.example.com/avatar/b.png"}),
        )
        .await;
    assert_eq!(data["user"]["faceURL"], "https://cdn.example.com/avatar/b.png");
    let seen = app
        .chatx_ok("/chatx/user/get", &other.token, json!({"userID": me.user_id}))
        .await;
    assert_eq!(seen["user"]["nickname"], "Bob");
    let theirs = app.item(&k::user(&other.user_id)).await.unwrap();
    assert_eq!(
        theirs.get("nickname"),
        Some(&AttributeValue::S(format!("nick {}", other.account)))
    );
}

#[tokio::test]
async fn profile_errors() {
    let app = spawn_app().await;
    let me = app.register().await;
    let env = app.chatx("/chatx/user/update", &me.token, json!({})).await;
    assert_eq!(env["errDlt"], "nickname or faceURL is required");
    let env = app
        .chatx("/chatx/user/update", &me.token, json!({"nickname": "  "}))
        .await;
    assert_eq!(env["errDlt"], "nickname is required");
    let env = app
        .chatx("/chatx/user/get", &me.token, json!({"userID": unique("u")}))
        .await;
    assert_eq!(
        env,
        json!({"errCode":1004,"errMsg":"RecordNotFoundError","errDlt":"user not found"})
    );
}
