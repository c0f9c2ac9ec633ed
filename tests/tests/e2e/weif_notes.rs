//! weifChat notes (#45–#47): add, the caller's notes 12 a page, delete.

use e2e::serde_json::{Value, json};
use e2e::weif::{WeifUser, field};
use e2e::{TestApp, spawn_app};

async fn add(app: &TestApp, user: &WeifUser, text: &str) -> Value {
    app.weif_post(
        "/notes/add",
        &user.token,
        json!({"userId": user.id, "text": text, "color": "#fbdc7c", "time": "2023-09-28"}),
    )
    .await
}

async fn page(app: &TestApp, user: &WeifUser, n: &str) -> Vec<Value> {
    let env = app.weif_get_ok("/notes/get", &user.token, &[("pageNum", n)]).await;
    env["data"].as_array().unwrap().clone()
}

/// `Thu Sep 28 2023 00:02:43 GMT+0800 (中国标准时间)`.
fn is_js_date(s: &str) -> bool {
    let parts: Vec<&str> = s.splitn(6, ' ').collect();
    parts.len() == 6
        && ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].contains(&parts[0])
        && parts[1].len() == 3
        && parts[2].len() == 2
        && parts[3].len() == 4
        && parts[4].len() == 8
        && parts[5] == "GMT+0800 (中国标准时间)"
}

#[tokio::test]
async fn notes_add_200_answers_the_new_notes_id() {
    let app = spawn_app().await;
    let user = app.weif_register().await;
    let env = add(&app, &user, "...").await;
    assert_eq!(env["status"], 200);
    assert_eq!(env["msg"], "已发布");
    let keys: Vec<&str> = env.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["status", "msg", "_id"]);
    let id = env["_id"].as_str().unwrap();
    let listed = page(&app, &user, "1").await;
    assert_eq!(listed.len(), 1);
    let note = &listed[0];
    assert_eq!(
        (&note["_id"], &note["text"], &note["color"], &note["__v"]),
        (&json!(id), &json!("..."), &json!("#fbdc7c"), &json!(0))
    );
    assert_eq!(
        note["userId"],
        json!({"_id": user.id, "nick": user.nick, "imgUrl": "/user_pic1.jpeg"})
    );
    assert!(is_js_date(note["time"].as_str().unwrap()), "{}", note["time"]);
}

#[tokio::test]
async fn notes_add_405_needs_the_user_and_text_and_a_colour_in_shape() {
    let app = spawn_app().await;
    let user = app.weif_register().await;
    let env = app.weif_post("/notes/add", &user.token, json!({})).await;
    assert_eq!(
        env,
        json!({"status": 405, "msg": "参数错误", "data": [
            field("userId参数不能为空", "userId", "body"),
            field("便签内容不能为空", "text", "body"),
        ]})
    );
    let env = app
        .weif_post(
            "/notes/add",
            &user.token,
            json!({"userId": user.id, "text": "t", "color": "red"}),
        )
        .await;
    assert_eq!(
        env["data"],
        json!([field("便签颜色必须为#rrggbb格式", "color", "body")])
    );
    // Without a colour, the default.
    app.weif_post_ok("/notes/add", &user.token, json!({"userId": user.id, "text": "t"}))
        .await;
    assert_eq!(page(&app, &user, "1").await[0]["color"], "#fff5a8");
}

#[tokio::test]
async fn notes_get_200_pages_twelve_newest_first_of_the_callers_notes_only() {
    let app = spawn_app().await;
    let [user, other] = app.weif_users().await;
    for i in 0..13 {
        add(&app, &user, &format!("n{i}")).await;
    }
    add(&app, &other, "not yours").await;
    let first = page(&app, &user, "1").await;
    let texts: Vec<&str> = first.iter().map(|n| n["text"].as_str().unwrap()).collect();
    assert_eq!(
        texts,
        [
            "n12", "n11", "n10", "n9", "n8", "n7", "n6", "n5", "n4", "n3", "n2", "n1"
        ]
    );
    let second = page(&app, &user, "2").await;
    assert_eq!(second.len(), 1);
    assert_eq!(second[0]["text"], "n0");
    assert!(page(&app, &user, "3").await.is_empty());
    let env = app.weif_get("/notes/get", &user.token, &[("pageNum", "x")]).await;
    assert_eq!(
        env["data"],
        json!([field("pageNum必须为1-50的整数", "pageNum", "query")])
    );
}

#[tokio::test]
async fn notes_del_200_deletes_the_callers_note_and_nobody_elses() {
    let app = spawn_app().await;
    let [user, other] = app.weif_users().await;
    let id = add(&app, &user, "mine").await["_id"].as_str().unwrap().to_owned();
    let env = app.weif_get("/notes/del", &other.token, &[("_id", &id)]).await;
    assert_eq!(env, json!({"status": 400, "msg": "便签不存在"}));
    assert_eq!(page(&app, &user, "1").await.len(), 1, "still there");
    let env = app.weif_get("/notes/del", &user.token, &[("_id", &id)]).await;
    assert_eq!(env, json!({"status": 200, "msg": "删除成功"}));
    assert!(page(&app, &user, "1").await.is_empty());
    let env = app.weif_get("/notes/del", &user.token, &[("_id", &id)]).await;
    assert_eq!(env, json!({"status": 400, "msg": "便签不存在"}));
    let env = app.weif_get("/notes/del", &user.token, &[]).await;
    assert_eq!(env["data"], json!([field("_id参数不能为空", "_id", "query")]));
}
