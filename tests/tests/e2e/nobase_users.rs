//! `POST /api/user/register` and `POST /api/user/login`: the accounts post_like acts as.

use e2e::serde_json::json;
use e2e::{spawn_app, unique};
use nobase::{AccountRange, AppChange, AppStatus, UserStatus};

use e2e::nobase::{LOGIN, POST_LIKE, REGISTER, Setup, World, fail, get, ok, owned, post_form};

#[tokio::test]
async fn register_then_login_in_token_mode_issues_a_token_bound_to_the_app() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let account = unique("u");
    let creds = owned(&[("user", &account), ("pass", "pass word 1")]);
    let env = post_form(&app, REGISTER, &world.params(&creds)).await;
    assert_eq!(env, ok(json!("注册成功")));
    let env = post_form(&app, LOGIN, &world.params(&creds)).await;
    assert_eq!(env["code"], 200, "{env}");
    let data = &env["data"];
    assert_eq!(data["account"], account.as_str());
    let token = data["token"].as_str().unwrap();
    let expires = data["expires"].as_i64().unwrap();
    let ttl = expires - shared::clock::now_secs();
    assert!(
        (e2e::config().token_ttl_secs - 5..=e2e::config().token_ttl_secs).contains(&ttl),
        "{ttl}"
    );
    let (caller, _) = app
        .tokens
        .verify_with::<e2e::serde_json::Value>(token, nobase::AUDIENCE)
        .unwrap();
    assert_eq!(caller.user_id(), data["userId"].as_str().unwrap());
    // The token works for post_like.
    let mut like = world.params(&owned(&[("uid", &world.board), ("id", &world.post), ("like", "1")]));
    like.push(("token", token.to_owned()));
    assert_eq!(get(&app, POST_LIKE, &like).await, ok(json!("操作成功")));
}

#[tokio::test]
async fn login_in_user_pass_mode_checks_the_password_and_issues_no_token() {
    let app = spawn_app().await;
    let world = World::with(&app, Setup::user_pass()).await;
    let member = world.member(&app).await;
    let env = post_form(
        &app,
        LOGIN,
        &world.params(&owned(&[("user", &member.account), ("pass", &member.pass)])),
    )
    .await;
    assert_eq!(env, ok(json!({"userId": member.user_id, "account": member.account})));
}

#[tokio::test]
async fn login_refuses_wrong_passwords_unknown_accounts_and_abnormal_users() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let member = world.member(&app).await;
    for (user, pass) in [(member.account.as_str(), "wrong-pass"), ("nobody-here", "whatever")] {
        let env = post_form(&app, LOGIN, &world.params(&owned(&[("user", user), ("pass", pass)]))).await;
        assert_eq!(env, fail(404, "用户账号密码错误!"));
    }
    world
        .store()
        .set_user_status(&world.appid, &member.account, UserStatus::Abnormal)
        .await
        .unwrap();
    let env = post_form(
        &app,
        LOGIN,
        &world.params(&owned(&[("user", &member.account), ("pass", &member.pass)])),
    )
    .await;
    assert_eq!(env, fail(404, "用户账号状态异常!"));
}

#[tokio::test]
async fn register_refuses_a_taken_account_and_stores_only_an_argon2id_hash() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let account = unique("u");
    let creds = owned(&[("user", &account), ("pass", "correct horse")]);
    assert_eq!(
        post_form(&app, REGISTER, &world.params(&creds)).await,
        ok(json!("注册成功"))
    );
    let again = owned(&[("user", &account), ("pass", "another one")]);
    assert_eq!(
        post_form(&app, REGISTER, &world.params(&again)).await,
        fail(405, "该账号已被注册!")
    );
    let key = nobase::keys::user(&world.appid, &account);
    let item = app.item(&key).await.unwrap();
    let hash = item["passwordHash"].as_s().unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let text = format!("{item:?}");
    assert!(
        !text.contains("correct horse") && !text.contains("another one"),
        "{text}"
    );
    // The same account may exist in another app.
    let other = World::new(&app).await;
    assert_eq!(
        post_form(&app, REGISTER, &other.params(&creds)).await,
        ok(json!("注册成功"))
    );
}

#[tokio::test]
async fn register_checks_the_apps_account_range_the_characters_and_the_password() {
    let app = spawn_app().await;
    let setup = Setup {
        accounts: AccountRange::new(4, 6).unwrap(),
        ..Setup::token()
    };
    let world = World::with(&app, setup).await;
    for (user, pass, answer) in [
        ("abc", "long enough", fail(204, "用户账号长度需为4-6个字符!")),
        ("abcdefg", "long enough", fail(204, "用户账号长度需为4-6个字符!")),
        ("ab#cd", "long enough", fail(204, "用户账号只能包含字母、数字和_.@-!")),
        (
            "张三丰四",
            "long enough",
            fail(204, "用户账号只能包含字母、数字和_.@-!"),
        ),
        ("abcd", "12345", fail(204, "用户密码长度需为6-128个字符!")),
    ] {
        let env = post_form(&app, REGISTER, &world.params(&owned(&[("user", user), ("pass", pass)]))).await;
        assert_eq!(env, answer, "{user} / {pass}");
    }
    let env = post_form(&app, REGISTER, &world.params(&owned(&[("pass", "long enough")]))).await;
    assert_eq!(env, fail(204, "接口参数错误:缺少user"));
    let env = post_form(&app, REGISTER, &world.params(&owned(&[("user", "abcd")]))).await;
    assert_eq!(env, fail(204, "接口参数错误:缺少pass"));
    for account in ["abc", "abcdefg", "ab#cd", "abcd"] {
        assert!(
            app.item(&nobase::keys::user(&world.appid, account)).await.is_none(),
            "{account}"
        );
    }
}

#[tokio::test]
async fn register_runs_the_app_checks_first() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let creds = owned(&[("user", "abcd"), ("pass", "long enough")]);
    let mut wrong = world.params(&creds);
    wrong.retain(|(k, _)| *k != "signature");
    wrong.push(("signature", "nope".into()));
    assert_eq!(post_form(&app, REGISTER, &wrong).await, fail(402, "签名校验失败!"));
    world
        .store()
        .update_app(
            &world.appid,
            AppChange {
                status: Some(AppStatus::Disabled),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        post_form(&app, REGISTER, &world.params(&creds)).await,
        fail(404, "应用已停用!")
    );
    assert!(app.item(&nobase::keys::user(&world.appid, "abcd")).await.is_none());
}
