//! weifChat accounts and users (#1–#4, #6, #7): register, login, a user's home, the message
//! tab's header, profile update, search. Each seed row is a test named after it.

use e2e::serde_json::{Value, json};
use e2e::spawn_app;
use e2e::weif::{WeifUser, field, phone};
use weifchat::keys as k;

const REGISTER: &str = "/register";
const LOGIN: &str = "/login";

#[tokio::test]
async fn register_200_answers_the_profile_with_a_token_and_the_seeds_defaults() {
    let app = spawn_app().await;
    let phone = phone();
    let env = app
        .weif_post(
            REGISTER,
            "",
            json!({"phone": phone, "password": "secret-pass", "nick": "wifi歪f"}),
        )
        .await;
    assert_eq!(env["status"], 200);
    assert_eq!(env["msg"], "注册成功");
    let data = &env["data"];
    let keys: Vec<&str> = data.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "token", "_id", "phone", "nick", "imgUrl", "sex", "birthday", "start", "sign"
        ]
    );
    assert_eq!(data["phone"], phone.as_str());
    assert_eq!(data["nick"], "wifi歪f");
    assert_eq!(data["imgUrl"], "/user_pic1.jpeg");
    assert_eq!(data["sex"], "未知");
    assert_eq!(data["birthday"], "");
    assert_eq!(data["start"], "");
    assert_eq!(data["sign"], "这个人很高冷, 暂时没有留下什么");
    assert_eq!(app.requests("weif-register"), ["TransactWriteItems"]);
    // The token works at once.
    let me = app
        .weif_get_ok(
            "/tabbar/message/userinfo",
            data["token"].as_str().unwrap(),
            &[("_id", data["_id"].as_str().unwrap())],
        )
        .await;
    assert_eq!(me["data"]["nick"], "wifi歪f");
}

#[tokio::test]
async fn register_405_lists_every_missing_parameter_as_the_seed_prints_it() {
    let app = spawn_app().await;
    let env = app.weif_post(REGISTER, "", json!({})).await;
    assert_eq!(
        env,
        json!({"status": 405, "msg": "参数错误", "data": [
            field("手机号不合法", "phone", "body"),
            field("手机号不能为空", "phone", "body"),
            field("密码不能为空", "password", "body"),
            field("昵称不能为空", "nick", "body"),
        ]})
    );
    assert!(app.requests("weif-register").is_empty(), "nothing is written");
}

#[tokio::test]
async fn register_405_names_only_the_checks_that_failed() {
    let app = spawn_app().await;
    let env = app
        .weif_post(
            REGISTER,
            "",
            json!({"phone": "12345", "password": "12345", "nick": "ok"}),
        )
        .await;
    assert_eq!(
        env["data"],
        json!([
            field("手机号不合法", "phone", "body"),
            field("密码长度必须为6-128位", "password", "body"),
        ])
    );
}

#[tokio::test]
async fn register_accepts_form_bodies_like_express_urlencoded() {
    let app = spawn_app().await;
    let phone = phone();
    let (status, env) = app
        .raw(
            "POST",
            REGISTER,
            &[("content-type", "application/x-www-form-urlencoded")],
            format!("phone={phone}&password=secret-pass&nick=%E6%AD%AAf"),
        )
        .await;
    assert_eq!((status, &env["status"]), (200, &json!(200)), "{env}");
    assert_eq!(env["data"]["nick"], "歪f");
}

#[tokio::test]
async fn register_400_the_user_is_registered_even_under_concurrent_registration() {
    let app = spawn_app().await;
    let phone = phone();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..10 {
        let (http, url) = (app.http.clone(), format!("{}{REGISTER}", app.base_url));
        let body = json!({"phone": phone, "password": "secret-pass", "nick": format!("n{i}")});
        tasks.spawn(async move {
            let resp = http.post(url).json(&body).send().await.unwrap();
            resp.json::<Value>().await.unwrap()
        });
    }
    let mut answers = Vec::new();
    while let Some(env) = tasks.join_next().await {
        let env = env.unwrap();
        answers.push((env["status"].as_i64().unwrap(), env["msg"].as_str().unwrap().to_owned()));
    }
    answers.sort();
    assert_eq!(answers[0], (200, "注册成功".to_owned()));
    assert!(
        answers[1..].iter().all(|a| *a == (400, "该用户已注册".to_owned())),
        "{answers:?}"
    );
    assert_eq!(app.count_items(&k::account(&phone).pk, "").await, 1);
    let env = app
        .weif_post(
            REGISTER,
            "",
            json!({"phone": phone, "password": "another-pass", "nick": "late"}),
        )
        .await;
    assert_eq!(env, json!({"status": 400, "msg": "该用户已注册"}));
}

#[tokio::test]
async fn passwords_are_stored_as_argon2id_hashes_only() {
    let app = spawn_app().await;
    let user = app.weif_register().await;
    let item = app.item(&k::account(&user.phone)).await.expect("account item");
    assert!(
        item.values()
            .filter_map(|v| v.as_s().ok())
            .all(|v| !v.contains(&user.password)),
        "plaintext password stored"
    );
    let hash = item.get("passwordHash").and_then(|v| v.as_s().ok()).unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let profile = app.item(&k::user(&user.id)).await.unwrap();
    assert!(!profile.contains_key("passwordHash"));
}

#[tokio::test]
async fn login_200_answers_the_profile_with_a_new_working_token() {
    let app = spawn_app().await;
    let user = app.weif_register_as("歪f").await;
    let env = app
        .weif_post(LOGIN, "", json!({"phone": user.phone, "password": user.password}))
        .await;
    assert_eq!(env["status"], 200);
    assert_eq!(env["msg"], "登录成功");
    assert_eq!(env["data"]["_id"], user.id.as_str());
    assert_eq!(env["data"]["nick"], "歪f");
    assert_eq!(app.requests("weif-login"), ["GetItem", "GetItem"]);
    let token = env["data"]["token"].as_str().unwrap();
    app.weif_get_ok("/tabbar/message/userinfo", token, &[("_id", &user.id)])
        .await;
}

#[tokio::test]
async fn login_400_the_user_does_not_exist() {
    let app = spawn_app().await;
    let env = app
        .weif_post(LOGIN, "", json!({"phone": phone(), "password": "secret-pass"}))
        .await;
    assert_eq!(env, json!({"status": 400, "msg": "该用户不存在"}));
}

#[tokio::test]
async fn login_401_wrong_password() {
    let app = spawn_app().await;
    let user = app.weif_register().await;
    let env = app
        .weif_post(LOGIN, "", json!({"phone": user.phone, "password": "wrong-pass"}))
        .await;
    assert_eq!(env, json!({"status": 401, "msg": "密码错误"}));
}

#[tokio::test]
async fn login_405_missing_phone_and_password() {
    let app = spawn_app().await;
    let env = app.weif_post(LOGIN, "", json!({})).await;
    assert_eq!(
        env["data"],
        json!([
            field("手机号不合法", "phone", "body"),
            field("手机号不能为空", "phone", "body"),
            field("密码不能为空", "password", "body"),
        ])
    );
}

async fn home(app: &e2e::TestApp, viewer: &WeifUser, url_id: &str) -> Value {
    app.weif_get("/home/user", &viewer.token, &[("_id", &viewer.id), ("urlId", url_id)])
        .await
}

#[tokio::test]
async fn home_user_200_on_ones_own_page_is_friend_state_3_with_the_phone() {
    let app = spawn_app().await;
    let user = app.weif_register().await;
    let env = home(&app, &user, &user.id).await;
    assert_eq!(env["status"], 200);
    assert_eq!(env["data"]["friendState"], 3);
    let u = &env["data"]["user"];
    assert_eq!(u["_id"], user.id.as_str());
    assert_eq!(u["phone"], user.phone.as_str());
    assert!(u["WaiFCode"].as_str().unwrap().starts_with("WaiFCode_"));
    assert!(u.get("password").is_none() && u.get("passwordHash").is_none());
}

#[tokio::test]
async fn home_user_200_of_a_stranger_is_friend_state_2_without_their_phone() {
    let app = spawn_app().await;
    let [me, other] = app.weif_users().await;
    let env = home(&app, &me, &other.id).await;
    assert_eq!(env["data"]["friendState"], 2);
    assert_eq!(env["data"]["user"]["nick"], other.nick.as_str());
    assert!(env["data"]["user"].get("phone").is_none(), "{env}");
    assert_eq!(app.requests("weif-home-user"), ["GetItem", "GetItem"]);
}

#[tokio::test]
async fn home_user_400_for_an_unknown_user_and_405_without_parameters() {
    let app = spawn_app().await;
    let me = app.weif_register().await;
    assert_eq!(
        home(&app, &me, "nobody").await,
        json!({"status": 400, "msg": "该用户不存在"})
    );
    let env = app.weif_get("/home/user", &me.token, &[]).await;
    assert_eq!(
        env["data"],
        json!([
            field("_id参数不能为空", "_id", "query"),
            field("urlId参数不能为空", "urlId", "query"),
        ])
    );
}

#[tokio::test]
async fn tabbar_message_userinfo_200_answers_id_nick_and_avatar() {
    let app = spawn_app().await;
    let user = app.weif_register_as("wifi歪f").await;
    let env = app
        .weif_get("/tabbar/message/userinfo", &user.token, &[("_id", &user.id)])
        .await;
    assert_eq!(
        env,
        json!({"status": 200, "data": {"_id": user.id, "nick": "wifi歪f", "imgUrl": "/user_pic1.jpeg"}})
    );
}

const UPDATE: &str = "/update/user";

#[tokio::test]
async fn update_user_200_saves_and_answers_start_the_star_sign_of_the_birthday() {
    let app = spawn_app().await;
    let user = app.weif_register().await;
    let env = app
        .weif_post(
            UPDATE,
            &user.token,
            json!({"_id": user.id, "nick": "新昵称", "sex": "男", "birthday": "2003-06-26", "sign": "能失去的从来不属于我", "imgUrl": "/user2.png"}),
        )
        .await;
    assert_eq!(env, json!({"status": 200, "msg": "保存成功", "start": "巨蟹座"}));
    let env = app
        .weif_post(LOGIN, "", json!({"phone": user.phone, "password": user.password}))
        .await;
    let data = &env["data"];
    assert_eq!(
        (
            &data["nick"],
            &data["sex"],
            &data["birthday"],
            &data["start"],
            &data["sign"],
            &data["imgUrl"]
        ),
        (
            &json!("新昵称"),
            &json!("男"),
            &json!("2003-06-26"),
            &json!("巨蟹座"),
            &json!("能失去的从来不属于我"),
            &json!("/user2.png")
        )
    );
    assert_eq!(app.requests("weif-update-user"), ["UpdateItem"]);
}

#[tokio::test]
async fn update_user_keeps_absent_fields_and_clears_an_empty_birthday() {
    let app = spawn_app().await;
    let user = app.weif_register().await;
    app.weif_post_ok(
        UPDATE,
        &user.token,
        json!({"_id": user.id, "nick": "a", "sex": "女", "birthday": "2001-01-01", "sign": "s1"}),
    )
    .await;
    let env = app
        .weif_post(
            UPDATE,
            &user.token,
            json!({"_id": user.id, "nick": "b", "sex": "女", "birthday": ""}),
        )
        .await;
    assert_eq!(env["start"], "");
    let me = home(&app, &user, &user.id).await;
    assert_eq!(me["data"]["user"]["birthday"], "");
    assert_eq!(me["data"]["user"]["sign"], "s1", "absent sign stays");
    assert_eq!(me["data"]["user"]["imgUrl"], "/user_pic1.jpeg");
}

#[tokio::test]
async fn update_user_405_lists_the_seeds_messages() {
    let app = spawn_app().await;
    let user = app.weif_register().await;
    let env = app.weif_post(UPDATE, &user.token, json!({})).await;
    assert_eq!(
        env,
        json!({"status": 405, "msg": "参数错误", "data": [
            field("_id参数不能为空", "_id", "body"),
            field("昵称不能为空", "nick", "body"),
            field("性别不能为空", "sex", "body"),
            field("性别必须为未知/男/女", "sex", "body"),
        ]})
    );
    let env = app
        .weif_post(
            UPDATE,
            &user.token,
            json!({"_id": user.id, "nick": "n", "sex": "male", "birthday": "2003/06/26", "imgUrl": "javascript:alert(1)"}),
        )
        .await;
    assert_eq!(
        env["data"],
        json!([
            field("性别必须为未知/男/女", "sex", "body"),
            field("生日必须为xxxx-xx-xx格式的有效日期", "birthday", "body"),
            field("imgUrl必须为以/或http(s)://开头的图片地址", "imgUrl", "body"),
        ])
    );
}

const SEARCH: &str = "/search";

#[tokio::test]
async fn search_400_keyword_empty_with_empty_data_and_result_false() {
    let app = spawn_app().await;
    let user = app.weif_register().await;
    for query in [vec![], vec![("keyword", "  ")]] {
        let env = app.weif_get(SEARCH, &user.token, &query).await;
        assert_eq!(
            env,
            json!({"status": 400, "msg": "关键字为空, 暂无数据", "data": [], "result": false})
        );
    }
    assert!(app.requests("weif-search").is_empty());
}

#[tokio::test]
async fn search_400_no_data_with_result_false() {
    let app = spawn_app().await;
    let user = app.weif_register().await;
    let long = "WaiFCode_".repeat(300);
    for keyword in [e2e::unique("无此人"), long] {
        let env = app.weif_get(SEARCH, &user.token, &[("keyword", &keyword)]).await;
        assert_eq!(env, json!({"status": 400, "msg": "暂无数据", "result": false}));
    }
}

#[tokio::test]
async fn search_200_finds_users_by_phone_waifcode_and_nickname_prefix_without_a_scan() {
    let app = spawn_app().await;
    let prefix = e2e::unique("Srch");
    let alice = app.weif_register_as(&format!("{prefix}Alice")).await;
    let bob = app.weif_register_as(&format!("{prefix}bob")).await;
    let searcher = app.weif_register().await;
    let ids = |env: &Value| -> Vec<String> {
        env["data"]["friendList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["_id"].as_str().unwrap().to_owned())
            .collect()
    };
    // Prefix, case-insensitive: both.
    let env = app
        .weif_get(SEARCH, &searcher.token, &[("keyword", &prefix.to_uppercase())])
        .await;
    assert_eq!(env["status"], 200, "{env}");
    let mut found = ids(&env);
    found.sort();
    let mut expected = vec![alice.id.clone(), bob.id.clone()];
    expected.sort();
    assert_eq!(found, expected);
    assert_eq!(env["data"]["groupList"], json!([]));
    let first = &env["data"]["friendList"][0];
    let keys: Vec<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["_id", "nick", "imgUrl", "sign"]);
    // Exact phone.
    let env = app.weif_get(SEARCH, &searcher.token, &[("keyword", &bob.phone)]).await;
    assert_eq!(ids(&env), [bob.id.as_str()]);
    assert!(!app.requests("weif-search").iter().any(|r| r == "Scan"));
    // Exact WaiFCode.
    let home = app
        .weif_get("/home/user", &alice.token, &[("_id", &alice.id), ("urlId", &alice.id)])
        .await;
    let code = home["data"]["user"]["WaiFCode"].as_str().unwrap();
    let env = app.weif_get(SEARCH, &searcher.token, &[("keyword", code)]).await;
    assert_eq!(ids(&env), [alice.id.as_str()]);
}

#[tokio::test]
async fn a_renamed_user_is_found_by_the_new_name_only() {
    let app = spawn_app().await;
    let old = e2e::unique("OldName");
    let new = e2e::unique("NewName");
    let user = app.weif_register_as(&old).await;
    app.weif_post_ok(UPDATE, &user.token, json!({"_id": user.id, "nick": new, "sex": "未知"}))
        .await;
    let env = app.weif_get(SEARCH, &user.token, &[("keyword", &old)]).await;
    assert_eq!(env["msg"], "暂无数据");
    let env = app.weif_get(SEARCH, &user.token, &[("keyword", &new)]).await;
    assert_eq!(env["data"]["friendList"][0]["_id"], user.id.as_str());
}
