//! Seed 002, `GET|POST /api/bbs/post_like`: every rule and error row of the seed, its four code
//! examples, the order in which the checks run, and that a refused request changes nothing.

use e2e::serde_json::json;
use e2e::{spawn_app, unique};
use nobase::{
    AccountRange, AppChange, AppStatus, Date, DeveloperChange, DeveloperStatus, PostStatus, UserStatus, gate,
};

use e2e::nobase::{POST_LIKE, Setup, World, fail, get, ok, owned, post_form};

fn without(params: &[(&'static str, String)], name: &str) -> Vec<(&'static str, String)> {
    params.iter().filter(|(k, _)| *k != name).cloned().collect()
}

fn with(params: &[(&'static str, String)], name: &'static str, value: &str) -> Vec<(&'static str, String)> {
    let mut p = without(params, name);
    p.push((name, value.to_owned()));
    p
}

// ---- the seed's examples ----

#[tokio::test]
async fn seed_002_200_token_mode_examples_like_by_post_form_and_cancel_by_get() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let member = world.member(&app).await;
    // JavaScript / Python `requests.post(data=…)`: a form body with `token`.
    let env = post_form(&app, POST_LIKE, &world.like_params(&member, "1")).await;
    assert_eq!(env, ok(json!("操作成功")));
    assert_eq!(world.likes(&app, &world.post).await, (1, 1));
    let env = get(&app, POST_LIKE, &world.like_params(&member, "2")).await;
    assert_eq!(env, ok(json!("操作成功")));
    assert_eq!(world.likes(&app, &world.post).await, (0, 0));
}

#[tokio::test]
async fn seed_002_200_user_pass_mode_examples_cancel_by_get_and_like_by_post_form() {
    let app = spawn_app().await;
    let world = World::with(&app, Setup::user_pass()).await;
    let member = world.member(&app).await;
    assert!(member.token.is_none());
    // `url.searchParams.set(…)` / `requests.get(params=…)`: the query string with user + pass.
    let env = get(&app, POST_LIKE, &world.like_params(&member, "1")).await;
    assert_eq!(env, ok(json!("操作成功")));
    assert_eq!(world.likes(&app, &world.post).await, (1, 1));
    let env = post_form(&app, POST_LIKE, &world.like_params(&member, "2")).await;
    assert_eq!(env, ok(json!("操作成功")));
    assert_eq!(world.likes(&app, &world.post).await, (0, 0));
}

#[tokio::test]
async fn json_bodies_and_numbers_are_accepted_too() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let member = world.member(&app).await;
    let body = json!({
        "appid": world.appid, "uid": world.board, "id": world.post, "like": 1,
        "token": member.token, "signature": world.signature,
    });
    let (status, env) = app.raw("POST", POST_LIKE, &[], body.to_string()).await;
    assert_eq!((status, env), (200, ok(json!("操作成功"))));
    assert_eq!(world.likes(&app, &world.post).await, (1, 1));
}

#[tokio::test]
async fn a_body_parameter_wins_over_the_query_string() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let member = world.member(&app).await;
    let query = e2e::nobase::encode(&world.like_params(&member, "9"));
    let (_, env) = app
        .raw(
            "POST",
            &format!("{POST_LIKE}?{query}"),
            &[("content-type", "application/x-www-form-urlencoded")],
            "like=1",
        )
        .await;
    assert_eq!(env, ok(json!("操作成功")));
}

// ---- parameter rows ----

#[tokio::test]
async fn seed_002_204_when_a_required_parameter_is_missing() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let member = world.member(&app).await;
    let full = world.like_params(&member, "1");
    for name in ["appid", "uid", "id", "like", "signature"] {
        for params in [without(&full, name), with(&full, name, "  ")] {
            let env = get(&app, POST_LIKE, &params).await;
            assert_eq!(env, fail(204, &format!("接口参数错误:缺少{name}")), "{name}");
        }
    }
    assert_eq!(world.likes(&app, &world.post).await, (0, 0));
}

#[tokio::test]
async fn seed_002_405_like_must_be_1_or_2() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let member = world.member(&app).await;
    for like in ["0", "3", "true", "１"] {
        let env = get(&app, POST_LIKE, &world.like_params(&member, like)).await;
        assert_eq!(env, fail(405, "like参数错误(需为1或2)"), "like={like}");
    }
    assert_eq!(world.likes(&app, &world.post).await, (0, 0));
}

#[tokio::test]
async fn seed_002_204_token_mode_needs_a_token() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let member = world.member(&app).await;
    // user + pass are no substitute in token mode.
    let mut params = without(&world.like_params(&member, "1"), "token");
    params.extend(owned(&[("user", &member.account), ("pass", &member.pass)]));
    let env = get(&app, POST_LIKE, &params).await;
    assert_eq!(env, fail(204, "接口参数错误:令牌启用需传token!"));
    assert_eq!(world.likes(&app, &world.post).await, (0, 0));
}

#[tokio::test]
async fn user_pass_mode_needs_user_then_pass_and_ignores_a_token() {
    let app = spawn_app().await;
    let world = World::with(&app, Setup::user_pass()).await;
    let member = world.member(&app).await;
    let full = world.like_params(&member, "1");
    let env = get(&app, POST_LIKE, &with(&without(&full, "user"), "token", "whatever")).await;
    assert_eq!(env, fail(204, "接口参数错误:缺少user"));
    let env = get(&app, POST_LIKE, &without(&full, "pass")).await;
    assert_eq!(env, fail(204, "接口参数错误:缺少pass"));
    assert_eq!(world.likes(&app, &world.post).await, (0, 0));
}

// ---- identity rows ----

#[tokio::test]
async fn seed_002_401_token_invalid_expired_or_of_another_app_or_developer() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let member = world.member(&app).await;
    let user = world.user(&member).await;
    let app_config = world.app_config().await;

    let expired = gate::issue_expired_token(&world.state, &app_config, &user, 5).unwrap();
    let foreign_secret = shared::auth::Tokens::new(&[7u8; 32], 3600);
    let forged = foreign_secret
        .issue_with(
            &user.user_id,
            nobase::AUDIENCE,
            &json!({"app": world.appid, "dev": world.developer_id, "acct": member.account}),
        )
        .unwrap()
        .token;
    let chatx = app.tokens.issue(&user.user_id, chatx::AUDIENCE).unwrap();
    let plain_nobase = app.tokens.issue(&user.user_id, nobase::AUDIENCE).unwrap();
    // A token of another app of the same developer, for an account of the same name.
    let other_app = World::with(&app, Setup::token()).await;
    other_app
        .store()
        .update_app(
            &other_app.appid,
            AppChange {
                developer_id: Some(world.developer_id.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let twin = other_app.member_named(&app, &member.account).await;
    // A token naming this app and developer but another user of the same account name.
    let impostor = gate::issue_token(
        &world.state,
        &app_config,
        &nobase::User {
            user_id: shared::ids::new_id(),
            ..user.clone()
        },
    )
    .unwrap()
    .token;

    for (case, token) in [
        ("garbage", "not-a-token".to_owned()),
        ("expired", expired),
        ("signed with another secret", forged),
        ("chatx audience", chatx),
        ("without the app binding", plain_nobase),
        ("another app", twin.token.clone().unwrap()),
        ("another user of that account", impostor),
    ] {
        let env = get(
            &app,
            POST_LIKE,
            &with(&world.like_params(&member, "1"), "token", &token),
        )
        .await;
        assert_eq!(env, fail(401, "token无效或已过期(非当前应用/开发者)!"), "{case}");
    }

    // The app changes developer: tokens issued under the old one are refused.
    let other_dev = other_app.developer_id.clone();
    world
        .store()
        .update_app(
            &world.appid,
            AppChange {
                developer_id: Some(other_dev),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let env = get(&app, POST_LIKE, &world.like_params(&member, "1")).await;
    assert_eq!(
        env,
        fail(401, "token无效或已过期(非当前应用/开发者)!"),
        "another developer"
    );

    assert_eq!(world.likes(&app, &world.post).await, (0, 0));
}

#[tokio::test]
async fn seed_002_404_wrong_account_or_password() {
    let app = spawn_app().await;
    let world = World::with(&app, Setup::user_pass()).await;
    let member = world.member(&app).await;
    let full = world.like_params(&member, "1");
    for (case, params) in [
        ("wrong password", with(&full, "pass", "not-the-password")),
        (
            "password with another case",
            with(&full, "pass", &member.pass.to_uppercase()),
        ),
        ("unknown account", with(&full, "user", &unique("nobody"))),
        ("characters no account has", with(&full, "user", "张三丰")),
    ] {
        let env = get(&app, POST_LIKE, &params).await;
        assert_eq!(env, fail(404, "用户账号密码错误!"), "{case}");
    }
    assert_eq!(world.likes(&app, &world.post).await, (0, 0));
}

#[tokio::test]
async fn seed_002_404_user_status_abnormal_in_both_modes() {
    let app = spawn_app().await;
    for setup in [Setup::token(), Setup::user_pass()] {
        let world = World::with(&app, setup).await;
        let member = world.member(&app).await;
        world
            .store()
            .set_user_status(&world.appid, &member.account, UserStatus::Abnormal)
            .await
            .unwrap();
        let env = get(&app, POST_LIKE, &world.like_params(&member, "1")).await;
        assert_eq!(env, fail(404, "用户账号状态异常!"));
        if !setup.token_mode {
            // The password is checked first: a wrong one doesn't learn the status.
            let env = get(
                &app,
                POST_LIKE,
                &with(&world.like_params(&member, "1"), "pass", "wrong-pass"),
            )
            .await;
            assert_eq!(env, fail(404, "用户账号密码错误!"));
        }
        world
            .store()
            .set_user_status(&world.appid, &member.account, UserStatus::Normal)
            .await
            .unwrap();
        let env = get(&app, POST_LIKE, &world.like_params(&member, "1")).await;
        assert_eq!(env, ok(json!("操作成功")));
        assert_eq!(world.likes(&app, &world.post).await, (1, 1));
    }
}

#[tokio::test]
async fn seed_002_204_account_length_outside_the_apps_range() {
    let app = spawn_app().await;
    let setup = Setup {
        accounts: AccountRange::new(4, 8).unwrap(),
        ..Setup::user_pass()
    };
    let world = World::with(&app, setup).await;
    let member = world.member_named(&app, &unique("")[..8]).await;
    let full = world.like_params(&member, "1");
    for account in ["abc", "abcdefghi", "张三丰四"] {
        let env = get(&app, POST_LIKE, &with(&full, "user", account)).await;
        let expected = if account == "张三丰四" {
            fail(404, "用户账号密码错误!") // right length, characters no account has
        } else {
            fail(204, "用户账号长度需为4-8个字符!")
        };
        assert_eq!(env, expected, "{account}");
    }
    // The range is the app's, read on every request.
    world
        .store()
        .update_app(
            &world.appid,
            AppChange {
                accounts: Some(AccountRange::new(10, 20).unwrap()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let env = get(&app, POST_LIKE, &full).await;
    assert_eq!(env, fail(204, "用户账号长度需为10-20个字符!"));
    assert_eq!(world.likes(&app, &world.post).await, (0, 0));
}

// ---- app and developer rows ----

#[tokio::test]
async fn seed_002_402_signature_mismatch() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let other = World::new(&app).await;
    let member = world.member(&app).await;
    let full = world.like_params(&member, "1");
    let near_miss = format!("{}x", world.signature);
    for signature in [near_miss.as_str(), &world.signature[1..], other.signature.as_str(), "0"] {
        let env = get(&app, POST_LIKE, &with(&full, "signature", signature)).await;
        assert_eq!(env, fail(402, "签名校验失败!"), "{signature}");
    }
    assert_eq!(world.likes(&app, &world.post).await, (0, 0));
}

#[tokio::test]
async fn seed_002_407_app_config_missing() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let member = world.member(&app).await;
    for appid in [unique("app_"), "a#b".to_owned(), "x".repeat(65)] {
        let env = get(
            &app,
            POST_LIKE,
            &with(&world.like_params(&member, "1"), "appid", &appid),
        )
        .await;
        assert_eq!(env, fail(407, "应用配置不存在!"), "{appid}");
    }
}

#[tokio::test]
async fn seed_002_400_app_config_broken() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let member = world.member(&app).await;
    let key = nobase::keys::app(&world.appid);
    let breakages: [(&str, aws_sdk_dynamodb::types::AttributeValue); 4] = [
        ("accountMin", aws_sdk_dynamodb::types::AttributeValue::N("40".into())), // min > max
        (
            "signatureHash",
            aws_sdk_dynamodb::types::AttributeValue::S("the-plain-signature".into()),
        ),
        ("status", aws_sdk_dynamodb::types::AttributeValue::S("paused".into())),
        ("tokenMode", aws_sdk_dynamodb::types::AttributeValue::S("yes".into())),
    ];
    for (attr, value) in breakages {
        let mut item = app.item(&key).await.unwrap();
        let good = item.insert(attr.to_owned(), value).unwrap();
        put(&app, item.clone()).await;
        let env = get(&app, POST_LIKE, &world.like_params(&member, "1")).await;
        assert_eq!(env, fail(400, "应用配置错误!"), "{attr}");
        item.insert(attr.to_owned(), good);
        put(&app, item).await;
    }
    let mut item = app.item(&key).await.unwrap();
    item.remove("developerId");
    put(&app, item).await;
    let env = get(&app, POST_LIKE, &world.like_params(&member, "1")).await;
    assert_eq!(env, fail(400, "应用配置错误!"), "no developer");
    assert_eq!(world.likes(&app, &world.post).await, (0, 0));
}

async fn put(app: &e2e::TestApp, item: std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>) {
    app.dynamo
        .put_item()
        .table_name(&app.table)
        .set_item(Some(item))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn seed_002_404_app_disabled_or_under_review() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let member = world.member(&app).await;
    for (status, message) in [(AppStatus::Disabled, "应用已停用!"), (AppStatus::Review, "应用审核中!")] {
        world
            .store()
            .update_app(
                &world.appid,
                AppChange {
                    status: Some(status),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let env = get(&app, POST_LIKE, &world.like_params(&member, "1")).await;
        assert_eq!(env, fail(404, message));
    }
    assert_eq!(world.likes(&app, &world.post).await, (0, 0));
}

#[tokio::test]
async fn seed_002_404_developer_vip_overdue_with_the_real_number_of_days() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let member = world.member(&app).await;
    for days in [3, 1, 45] {
        world
            .store()
            .update_developer(
                &world.developer_id,
                DeveloperChange {
                    vip_until: Some(Date::today().plus_days(-days)),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let env = get(&app, POST_LIKE, &world.like_params(&member, "1")).await;
        assert_eq!(env, fail(404, &format!("开发者账号已逾期({days}天),请缴费后重试!")));
    }
    assert_eq!(world.likes(&app, &world.post).await, (0, 0));
    // Paid through today: in service.
    world
        .store()
        .update_developer(
            &world.developer_id,
            DeveloperChange {
                vip_until: Some(Date::today()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let env = get(&app, POST_LIKE, &world.like_params(&member, "1")).await;
    assert_eq!(env, ok(json!("操作成功")));
}

#[tokio::test]
async fn seed_002_404_developer_abnormal_or_missing() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let member = world.member(&app).await;
    world
        .store()
        .update_developer(
            &world.developer_id,
            DeveloperChange {
                status: Some(DeveloperStatus::Abnormal),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let env = get(&app, POST_LIKE, &world.like_params(&member, "1")).await;
    assert_eq!(env, fail(404, "开发者账号状态异常!"));
    let key = nobase::keys::developer(&world.developer_id);
    app.dynamo
        .delete_item()
        .table_name(&app.table)
        .set_key(Some(key.to_item()))
        .send()
        .await
        .unwrap();
    let env = get(&app, POST_LIKE, &world.like_params(&member, "1")).await;
    assert_eq!(env, fail(404, "开发者账号不存在!"));
    assert_eq!(world.likes(&app, &world.post).await, (0, 0));
}

// ---- post rows ----

#[tokio::test]
async fn seed_002_407_post_missing_or_not_in_that_board() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let member = world.member(&app).await;
    let other_board = world.add_board().await;
    let ghost = unique("p_");
    for like in ["1", "2"] {
        let full = world.like_params(&member, like);
        for (case, params) in [
            ("no such post", with(&full, "id", &ghost)),
            ("post in another board", with(&full, "uid", &other_board)),
            ("no such board", with(&full, "uid", &unique("b_"))),
            ("malformed post id", with(&full, "id", "p#1")),
        ] {
            let env = get(&app, POST_LIKE, &params).await;
            assert_eq!(env, fail(407, "该帖子不存在!"), "{case}, like={like}");
        }
    }
    assert_eq!(world.likes(&app, &world.post).await, (0, 0));
    let ghost_partition = nobase::keys::post_partition(&world.appid, &ghost);
    assert_eq!(
        app.count_items(&ghost_partition, "").await,
        0,
        "no post or like appears"
    );
}

#[tokio::test]
async fn seed_002_404_post_under_review() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let member = world.member(&app).await;
    let env = get(&app, POST_LIKE, &world.like_params(&member, "1")).await;
    assert_eq!(env, ok(json!("操作成功")));
    world
        .store()
        .set_post_status(&world.appid, &world.post, PostStatus::Review)
        .await
        .unwrap();
    for like in ["1", "2"] {
        let env = get(&app, POST_LIKE, &world.like_params(&member, like)).await;
        assert_eq!(env, fail(404, "帖子审核中!"), "like={like}");
    }
    assert_eq!(world.likes(&app, &world.post).await, (1, 1));
}

#[tokio::test]
async fn seed_002_405_already_liked_and_not_liked_yet() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let member = world.member(&app).await;
    let env = get(&app, POST_LIKE, &world.like_params(&member, "2")).await;
    assert_eq!(env, fail(405, "该帖子您还没有点赞过哦!"));
    assert_eq!(world.likes(&app, &world.post).await, (0, 0));
    let env = get(&app, POST_LIKE, &world.like_params(&member, "1")).await;
    assert_eq!(env, ok(json!("操作成功")));
    let env = get(&app, POST_LIKE, &world.like_params(&member, "1")).await;
    assert_eq!(env, fail(405, "该帖子您已经点赞过了"));
    assert_eq!(world.likes(&app, &world.post).await, (1, 1));
    let env = get(&app, POST_LIKE, &world.like_params(&member, "2")).await;
    assert_eq!(env, ok(json!("操作成功")));
    let env = get(&app, POST_LIKE, &world.like_params(&member, "2")).await;
    assert_eq!(env, fail(405, "该帖子您还没有点赞过哦!"));
    assert_eq!(world.likes(&app, &world.post).await, (0, 0));
}

// ---- the order of the checks ----

/// A request wrong in every way, mended one check at a time: each answer is the next check's
/// (docs/nobase.md lists the order), and nothing changes until the last.
#[tokio::test]
async fn the_checks_run_in_the_documented_order_and_a_refused_request_changes_nothing() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let member = world.member(&app).await;
    let store = world.store();
    let set_app = |status| AppChange {
        status: Some(status),
        ..Default::default()
    };
    store
        .update_app(&world.appid, set_app(AppStatus::Disabled))
        .await
        .unwrap();
    store
        .update_developer(
            &world.developer_id,
            DeveloperChange {
                status: Some(DeveloperStatus::Abnormal),
                vip_until: Some(Date::today().plus_days(-2)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    store
        .set_user_status(&world.appid, &member.account, UserStatus::Abnormal)
        .await
        .unwrap();
    store
        .set_post_status(&world.appid, &world.post, PostStatus::Review)
        .await
        .unwrap();
    let good = world.like_params(&member, "2");
    let mut params = with(&without(&good, "token"), "like", "9");
    params = with(&params, "uid", &unique("b_"));
    params = with(&params, "signature", "wrong-signature");
    params = with(&params, "appid", &unique("app_"));

    let mut steps = Vec::new();
    steps.push((
        get(&app, POST_LIKE, &without(&params, "signature")).await,
        fail(204, "接口参数错误:缺少signature"),
    ));
    steps.push((get(&app, POST_LIKE, &params).await, fail(405, "like参数错误(需为1或2)")));
    params = with(&params, "like", "2");
    steps.push((get(&app, POST_LIKE, &params).await, fail(407, "应用配置不存在!")));
    params = with(&params, "appid", &world.appid);
    steps.push((get(&app, POST_LIKE, &params).await, fail(402, "签名校验失败!")));
    params = with(&params, "signature", &world.signature);
    steps.push((get(&app, POST_LIKE, &params).await, fail(404, "应用已停用!")));
    store
        .update_app(&world.appid, set_app(AppStatus::Normal))
        .await
        .unwrap();
    steps.push((get(&app, POST_LIKE, &params).await, fail(404, "开发者账号状态异常!")));
    let normal = DeveloperChange {
        status: Some(DeveloperStatus::Normal),
        ..Default::default()
    };
    store.update_developer(&world.developer_id, normal).await.unwrap();
    steps.push((
        get(&app, POST_LIKE, &params).await,
        fail(404, "开发者账号已逾期(2天),请缴费后重试!"),
    ));
    let paid = DeveloperChange {
        vip_until: Some(Date::today().plus_days(365)),
        ..Default::default()
    };
    store.update_developer(&world.developer_id, paid).await.unwrap();
    steps.push((
        get(&app, POST_LIKE, &params).await,
        fail(204, "接口参数错误:令牌启用需传token!"),
    ));
    params = with(&params, "token", "forged");
    steps.push((
        get(&app, POST_LIKE, &params).await,
        fail(401, "token无效或已过期(非当前应用/开发者)!"),
    ));
    params = with(&params, "token", member.token.as_deref().unwrap());
    steps.push((get(&app, POST_LIKE, &params).await, fail(404, "用户账号状态异常!")));
    store
        .set_user_status(&world.appid, &member.account, UserStatus::Normal)
        .await
        .unwrap();
    steps.push((get(&app, POST_LIKE, &params).await, fail(407, "该帖子不存在!")));
    params = with(&params, "uid", &world.board);
    steps.push((get(&app, POST_LIKE, &params).await, fail(404, "帖子审核中!")));
    store
        .set_post_status(&world.appid, &world.post, PostStatus::Normal)
        .await
        .unwrap();
    steps.push((
        get(&app, POST_LIKE, &params).await,
        fail(405, "该帖子您还没有点赞过哦!"),
    ));
    assert_eq!(world.likes(&app, &world.post).await, (0, 0), "nothing changed so far");
    steps.push((
        get(&app, POST_LIKE, &with(&params, "like", "1")).await,
        ok(json!("操作成功")),
    ));
    for (i, (got, want)) in steps.iter().enumerate() {
        assert_eq!(got, want, "step {i}");
    }
    assert_eq!(world.likes(&app, &world.post).await, (1, 1));
}

// ---- cost and secrets ----

/// Token mode: the token names the app's developer and the user's account, so the app, the
/// developer and the user are read in one request, then the like is one transaction.
#[tokio::test]
async fn a_token_like_costs_one_batch_read_and_one_transaction() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let member = world.member(&app).await;
    app.requests("nobase-bbs-post-like");
    let env = get(&app, POST_LIKE, &world.like_params(&member, "1")).await;
    assert_eq!(env["code"], 200);
    assert_eq!(
        app.requests("nobase-bbs-post-like"),
        ["BatchGetItem", "TransactWriteItems"]
    );
    let env = get(&app, POST_LIKE, &world.like_params(&member, "1")).await;
    assert_eq!(env["code"], 405);
    assert_eq!(
        app.requests("nobase-bbs-post-like"),
        ["BatchGetItem", "TransactWriteItems"],
        "a repeated like is decided by the transaction, without a read"
    );
}

/// A token read together with the app (token mode's single read) is only trusted once the app
/// says it is in token mode: after the app leaves token mode, a token alone is not an identity,
/// and `user` + `pass` are what count (the single read is reused only where it read the same
/// developer and user).
#[tokio::test]
async fn a_token_is_ignored_once_the_app_leaves_token_mode() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let member = world.member(&app).await;
    world
        .store()
        .update_app(
            &world.appid,
            AppChange {
                token_mode: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    app.requests("nobase-bbs-post-like");
    let token_only = world.like_params(&member, "1");
    assert_eq!(
        get(&app, POST_LIKE, &token_only).await,
        fail(204, "接口参数错误:缺少user")
    );
    app.requests("nobase-bbs-post-like");
    let mut with_password = token_only.clone();
    with_password.extend([("user", member.account.clone()), ("pass", member.pass.clone())]);
    assert_eq!(get(&app, POST_LIKE, &with_password).await, ok(json!("操作成功")));
    assert_eq!(
        app.requests("nobase-bbs-post-like"),
        ["BatchGetItem", "TransactWriteItems"],
        "the single read already holds the developer and the user that `user` names"
    );
    assert_eq!(world.likes(&app, &world.post).await, (1, 1));
}

/// user+pass mode: the developer is only known from the app, so the app is read first.
#[tokio::test]
async fn a_user_pass_like_costs_one_read_of_the_app_one_batch_read_and_one_transaction() {
    let app = spawn_app().await;
    let world = World::with(&app, Setup::user_pass()).await;
    let member = world.member(&app).await;
    app.requests("nobase-bbs-post-like");
    let env = get(&app, POST_LIKE, &world.like_params(&member, "1")).await;
    assert_eq!(env["code"], 200);
    assert_eq!(
        app.requests("nobase-bbs-post-like"),
        ["GetItem", "BatchGetItem", "TransactWriteItems"]
    );
}

/// The plaintext password (and the signature and token) of a request never reach the logs,
/// even at TRACE level, nor the table.
#[tokio::test]
async fn secrets_of_a_request_are_never_logged_or_stored() {
    use tracing::instrument::WithSubscriber;

    let app = spawn_app().await;
    let world = World::with(&app, Setup::user_pass()).await;
    let member = world.member(&app).await;
    let logs = shared::telemetry::CapturedLogs::default();
    let subscriber = std::sync::Arc::new(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(logs.clone())
            .with_ansi(false)
            .finish(),
    );
    let state = shared::AppState::new(e2e::config(), app.dynamo.clone());
    for pass in [member.pass.clone(), "a-wrong-password".to_owned()] {
        let query = e2e::nobase::encode(&with(&world.like_params(&member, "1"), "pass", &pass));
        let request = shared::lambda::http::Request::builder()
            .method("GET")
            .uri(format!("{POST_LIKE}?{query}"))
            .body(shared::lambda::Body::Empty)
            .unwrap();
        let response = nobase::likes::post_like(&state, request)
            .with_subscriber(subscriber.clone())
            .await;
        assert_eq!(response.status(), 200);
    }
    let text = logs.text();
    assert!(text.contains("request"), "the logs were captured: {text}");
    for secret in [member.pass.as_str(), "a-wrong-password", world.signature.as_str()] {
        assert!(!text.contains(secret), "{secret} in the logs:\n{text}");
    }
    let key = nobase::keys::user(&world.appid, &member.account);
    let stored = format!("{:?}", app.item(&key).await.unwrap());
    assert!(!stored.contains(&member.pass), "{stored}");
}

/// The checked-in API Gateway events (a GET with a query string, a POST with a base64-encoded
/// form body, as HTTP APIs send forms) reach the app check: every parameter was read.
#[tokio::test]
async fn the_event_fixtures_are_read_as_api_gateway_sends_them() {
    let app = spawn_app().await;
    let state = shared::AppState::new(e2e::config(), app.dynamo.clone());
    for name in ["nobase-bbs-post-like-get", "nobase-bbs-post-like-post"] {
        let path = format!("{}/../events/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let request = lambda_http::request::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let response = nobase::likes::post_like(&state, request).await;
        let body: e2e::serde_json::Value = match response.body() {
            lambda_http::Body::Text(t) => e2e::serde_json::from_str(t).unwrap(),
            other => panic!("{other:?}"),
        };
        assert_eq!(body, fail(407, "应用配置不存在!"), "{name}");
    }
}
