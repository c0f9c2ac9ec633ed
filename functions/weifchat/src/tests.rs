//! Handler tier: requests built as API Gateway builds them, straight into the handlers. Only
//! what is decided before any store call is tested here; the rest runs end to end in `tests/`.

use serde_json::{Value, json};
use shared::auth::Audience;
use shared::lambda::{Body, Request, Response};
use shared::testing::{self, offline_state};

use super::functions;

/// A weifChat call: `Authorization: Bearer`, the query string and path (`/:type`) parameters
/// API Gateway extracts, and a JSON body.
fn request(token: Option<&str>, query: &[(&str, &str)], path: &[(&str, &str)], body: Value) -> Request {
    let mut req = testing::request("POST", "/x").header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", &format!("Bearer {t}"));
    }
    req.body(body.to_string()).query(query).path(path).build()
}

fn envelope(resp: &Response<Body>) -> Value {
    assert_eq!(resp.status(), 200, "weifChat answers every request with HTTP 200");
    testing::json_body(resp)
}

async fn call(binary: &str, req: Request) -> Value {
    let state = offline_state();
    let f = functions().into_iter().find(|f| f.binary == binary).unwrap();
    envelope(&(f.handler)(&state, req).await)
}

fn token(user: &str) -> String {
    offline_state().tokens.issue(user, crate::AUDIENCE).unwrap()
}

#[tokio::test]
async fn every_function_but_register_and_login_wants_a_token_first() {
    let state = offline_state();
    for f in functions() {
        if f.binary.starts_with("weif-socket-") {
            continue; // WebSocket events: `a_socket_handshake_without_a_valid_token_is_refused`
        }
        let resp = (f.handler)(&state, request(None, &[], &[], json!("not an object"))).await;
        if f.binary == "weif-file-get" {
            // The files' addresses are public (`<img src>`); a path of no file is a 404.
            assert_eq!(resp.status(), 404);
            continue;
        }
        let env = envelope(&resp);
        if UPLOADS_WITH_RES_CODE.contains(&f.binary) {
            assert_eq!(env, json!({"res_code": 401, "msg": "请先登录"}), "{}", f.binary);
        } else if ["weif-register", "weif-login"].contains(&f.binary) {
            assert_eq!(
                env,
                json!({"status": 400, "msg": "请求体必须是JSON对象"}),
                "{}",
                f.binary
            );
        } else if f.binary == "weif-search" {
            assert_eq!(
                env,
                json!({"status": 401, "msg": "请先登录", "result": false}),
                "{}",
                f.binary
            );
        } else {
            assert_eq!(env, json!({"status": 401, "msg": "请先登录"}), "{}", f.binary);
        }
    }
}

#[tokio::test]
async fn tokens_of_another_surface_or_secret_are_refused() {
    let chatx = offline_state().tokens.issue("u1", Audience::new("chatx")).unwrap();
    let foreign = shared::auth::Tokens::new(&[1u8; 32], 60)
        .issue("u1", crate::AUDIENCE)
        .unwrap();
    for t in [chatx.as_str(), foreign.as_str(), "garbage"] {
        let env = call("weif-notes-get", request(Some(t), &[], &[], json!({}))).await;
        assert_eq!(env, json!({"status": 401, "msg": "身份认证失败, 请重新登录"}));
    }
    let expired = offline_state().tokens.issue_expired("u1", crate::AUDIENCE, 5).unwrap();
    let env = call("weif-notes-get", request(Some(&expired), &[], &[], json!({}))).await;
    assert_eq!(env, json!({"status": 401, "msg": "登录已过期, 请重新登录"}));
}

#[tokio::test]
async fn a_parameter_naming_someone_else_is_refused_before_any_store_call() {
    let t = token("u1");
    let env = call(
        "weif-friend-add",
        request(Some(&t), &[], &[], json!({"userId": "u2", "friendId": "u3"})),
    )
    .await;
    assert_eq!(env, json!({"status": 403, "msg": "身份不符, 无权操作"}));
    let env = call(
        "weif-home-user",
        request(Some(&t), &[("_id", "u2"), ("urlId", "u3")], &[], json!({})),
    )
    .await;
    assert_eq!(env["status"], 403);
}

#[tokio::test]
async fn query_routes_report_query_locations() {
    let t = token("u1");
    let env = call("weif-del-friend", request(Some(&t), &[], &[], json!({}))).await;
    assert_eq!(
        env,
        json!({"status": 405, "msg": "参数错误", "data": [
            {"type": "field", "msg": "userId参数不能为空", "path": "userId", "location": "query"},
            {"type": "field", "msg": "friendId参数不能为空", "path": "friendId", "location": "query"}
        ]})
    );
}

#[tokio::test]
async fn a_bad_comment_type_is_a_path_parameter_error() {
    let t = token("u1");
    let env = call(
        "weif-space-comment-del",
        request(Some(&t), &[], &[("type", "7")], json!({})),
    )
    .await;
    assert_eq!(
        env["data"],
        json!([
            {"type": "field", "msg": "type必须为0或1", "path": "type", "location": "params"},
            {"type": "field", "msg": "_id参数不能为空", "path": "_id", "location": "query"}
        ])
    );
}

/// A route's binary, query, body and the answer expected.
type Case = (&'static str, &'static [(&'static str, &'static str)], Value, Value);

/// Each route's own failure body (the seed's `error` rows), when the store is unreachable.
#[tokio::test]
async fn store_faults_answer_each_routes_failure_row() {
    let t = token("u1");
    let cases: &[Case] = &[
        (
            "weif-register",
            &[],
            json!({"phone": "13800000000", "password": "secret-1", "nick": "n"}),
            json!({"status": 404, "msg": "注册失败"}),
        ),
        (
            "weif-login",
            &[],
            json!({"phone": "13800000000", "password": "x"}),
            json!({"status": 404, "msg": "登录失败"}),
        ),
        (
            "weif-home-user",
            &[("_id", "u1"), ("urlId", "u2")],
            json!({}),
            json!({"status": 404, "msg": "加载失败"}),
        ),
        (
            "weif-tabbar-message-userinfo",
            &[("_id", "u1")],
            json!({}),
            json!({"status": 404, "data": "服务器错误"}),
        ),
        (
            "weif-update-user",
            &[],
            json!({"_id": "u1", "nick": "n", "sex": "男"}),
            json!({"status": 404, "msg": "保存失败"}),
        ),
        (
            "weif-search",
            &[("keyword", "x")],
            json!({}),
            json!({"status": 404, "msg": "服务器错误", "result": false}),
        ),
        (
            "weif-friend-add",
            &[],
            json!({"userId": "u1", "friendId": "u2"}),
            json!({"status": 404, "msg": "申请失败,请重试"}),
        ),
        (
            "weif-contacts-friend",
            &[("userId", "u1")],
            json!({}),
            json!({"status": 404, "msg": "请求失败"}),
        ),
        (
            "weif-del-friend",
            &[("userId", "u1"), ("friendId", "u2")],
            json!({}),
            json!({"status": 404, "msg": "删除失败"}),
        ),
        (
            "weif-get-friend-noagree",
            &[("userId", "u1")],
            json!({}),
            json!({"status": 404, "msg": "服务器错误"}),
        ),
        (
            "weif-friend-agree",
            &[],
            json!({"userId": "u1", "friendId": "u2"}),
            json!({"status": 404, "msg": "添加失败"}),
        ),
        (
            "weif-friend-refuse",
            &[],
            json!({"userId": "u1", "friendId": "u2"}),
            json!({"status": 404, "msg": "服务器错误"}),
        ),
        (
            "weif-create-group",
            &[],
            json!({"userId": "u1", "groupName": "g", "sign": "s"}),
            json!({"status": 404, "msg": "创建失败"}),
        ),
        (
            "weif-home-group",
            &[("groupId", "g1"), ("userId", "u1")],
            json!({}),
            json!({"status": 404, "data": "服务器错误"}),
        ),
        (
            "weif-get-group-user",
            &[("groupId", "g1")],
            json!({}),
            json!({"status": 404, "msg": "服务器错误"}),
        ),
        (
            "weif-group-add",
            &[],
            json!({"groupId": "g1", "userId": "u1"}),
            json!({"status": 404, "msg": "申请失败"}),
        ),
        (
            "weif-group-refuse",
            &[],
            json!({"userId": "u2", "groupId": "g1"}),
            json!({"status": 404, "msg": "服务器错误"}),
        ),
        (
            "weif-contacts-group",
            &[("userId", "u1")],
            json!({}),
            json!({"status": 404, "msg": "请求失败"}),
        ),
        (
            "weif-get-update-group",
            &[("groupId", "g1"), ("groupLeaderId", "u1")],
            json!({}),
            json!({"status": 404, "msg": "服务器错误"}),
        ),
        (
            "weif-update-group-info",
            &[],
            json!({"_id": "g1", "groupName": "g", "sign": "s"}),
            json!({"status": 404, "msg": "修改失败"}),
        ),
        (
            "weif-del-group-user",
            &[("userId", "u2"), ("groupId", "g1")],
            json!({}),
            json!({"status": 404, "msg": "移除失败"}),
        ),
        (
            "weif-del-group",
            &[("groupId", "g1")],
            json!({}),
            json!({"status": 404, "msg": "error"}),
        ),
        (
            "weif-get-group-noagree",
            &[("userId", "u1")],
            json!({}),
            json!({"status": 404, "data": "服务器错误"}),
        ),
        (
            "weif-group-agree",
            &[],
            json!({"userId": "u2", "groupId": "g1"}),
            json!({"status": 404, "msg": "添加失败"}),
        ),
        (
            "weif-space-add",
            &[],
            json!({"userId": "u1", "textDesc": "t"}),
            json!({"status": 404, "msg": "发布失败"}),
        ),
        (
            "weif-space-get",
            &[("userId", "u1")],
            json!({}),
            json!({"status": 404, "msg": "服务器错误"}),
        ),
        (
            "weif-space-del",
            &[("_id", "s1")],
            json!({}),
            json!({"status": 404, "msg": "删除失败"}),
        ),
        (
            "weif-space-details",
            &[("userId", "u2")],
            json!({}),
            json!({"status": 404, "msg": "error"}),
        ),
        (
            "weif-space-like",
            &[],
            json!({"spaceId": "s1", "userId": "u1"}),
            json!({"status": 404, "msg": "服务器错误"}),
        ),
        (
            "weif-notes-add",
            &[],
            json!({"userId": "u1", "text": "t"}),
            json!({"status": 404, "msg": "服务器错误"}),
        ),
        (
            "weif-notes-get",
            &[],
            json!({}),
            json!({"status": 404, "data": "服务器错误"}),
        ),
        (
            "weif-notes-del",
            &[("_id", "n1")],
            json!({}),
            json!({"status": 404, "msg": "删除失败, 请稍后再试"}),
        ),
    ];
    for (binary, query, body, expected) in cases {
        let env = call(binary, request(Some(&t), query, &[], body.clone())).await;
        assert_eq!(&env, expected, "{binary}");
    }
    let env = call(
        "weif-space-comment-add",
        request(
            Some(&t),
            &[],
            &[("type", "0")],
            json!({"userId": "u1", "spaceId": "s1", "textarea": "hi"}),
        ),
    )
    .await;
    assert_eq!(env, json!({"status": 404, "msg": "error"}));
    let env = call(
        "weif-space-comment-del",
        request(Some(&t), &[("_id", "c1")], &[("type", "0")], json!({})),
    )
    .await;
    assert_eq!(env, json!({"status": 404, "msg": "服务器错误"}));
}

// ---- uploads (#5, #15, #27, #38–42): what is decided before S3 or the table ----

/// The upload rows whose envelope names its status `res_code`.
const UPLOADS_WITH_RES_CODE: [&str; 5] = [
    "weif-upload-user",
    "weif-upload-group",
    "weif-space-upload-photos",
    "weif-chat-private-photo",
    "weif-chat-group-photo",
];

const BOUNDARY: &str = "XyZtestBoundary";

fn png() -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    b.extend(3u32.to_be_bytes());
    b.extend(4u32.to_be_bytes());
    b.extend([8, 6, 0, 0, 0]);
    b
}

fn form(user: &str, path: &[(&str, &str)], fields: &[(&str, &str)], files: &[(&str, Vec<u8>)]) -> Request {
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").bytes());
    }
    for (k, bytes) in files {
        body.extend(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"a.png\"\r\n\r\n").bytes(),
        );
        body.extend(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{BOUNDARY}--\r\n").bytes());
    testing::request("POST", "/x")
        .header("content-type", &format!("multipart/form-data; boundary={BOUNDARY}"))
        .header("authorization", &format!("Bearer {}", token(user)))
        .path(path)
        .bytes(body)
        .build()
}

#[tokio::test]
async fn row_5_refuses_another_users_id_before_storing() {
    let env = call(
        "weif-upload-user",
        form("u1", &[], &[("_id", "u2")], &[("file", png())]),
    )
    .await;
    assert_eq!(env, json!({"res_code": 403, "msg": "身份不符, 无权操作"}));
}

#[tokio::test]
async fn image_routes_judge_the_content_not_the_name() {
    let env = call(
        "weif-upload-user",
        form(
            "u1",
            &[],
            &[("_id", "u1")],
            &[("file", b"%PDF-1.4 not an image".to_vec())],
        ),
    )
    .await;
    assert_eq!(
        env,
        json!({"res_code": 405, "msg": "参数错误", "data": [
            {"type": "field", "msg": "file必须是图片(png/jpeg/gif/webp)", "path": "file", "location": "body"}
        ]})
    );
    let env = call("weif-chat-private-photo", form("u1", &[], &[], &[])).await;
    assert_eq!(env["data"][0]["msg"], "photo不能为空");
}

#[tokio::test]
async fn row_27_takes_at_most_nine_photos() {
    let ten: Vec<(&str, Vec<u8>)> = (0..10).map(|_| ("photos", png())).collect();
    let env = call("weif-space-upload-photos", form("u1", &[], &[], &ten)).await;
    assert_eq!(env["res_code"], 405);
    assert_eq!(env["data"][0]["msg"], "photos最多9张图片");
}

#[tokio::test]
async fn a_chunk_names_its_file_hash_index_and_blob() {
    let env = call(
        "weif-chat-file",
        form("u1", &[("type", "other")], &[("fileHash", "xyz"), ("index", "-1")], &[]),
    )
    .await;
    let msgs: Vec<&str> = env["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["msg"].as_str().unwrap())
        .collect();
    assert_eq!(env["status"], 405);
    assert_eq!(
        msgs,
        [
            "type必须为private或group",
            "fileHash必须为32位十六进制MD5",
            "index必须为0到9999的整数",
            "blob必须是一个文件"
        ]
    );
    assert_eq!(env["data"][0]["location"], "params");
}

#[tokio::test]
async fn merge_and_verify_check_type_and_hash() {
    for binary in ["weif-merge", "weif-verify"] {
        let env = call(binary, request(Some(&token("u1")), &[], &[("type", "x")], json!({}))).await;
        assert_eq!(env["status"], 405, "{binary}");
        assert_eq!(env["data"][1]["msg"], "fileHash不能为空");
    }
}

#[tokio::test]
async fn a_form_must_be_multipart_and_within_its_limits() {
    let req = request(Some(&token("u1")), &[], &[], json!({"_id": "u1"}));
    let env = call("weif-upload-user", req).await;
    assert_eq!(
        env,
        json!({"res_code": 400, "msg": "请求体必须是multipart/form-data表单"})
    );
    let big = vec![0u8; crate::wire::MAX_FILE_BYTES + 1];
    let env = call("weif-chat-private-photo", form("u1", &[], &[], &[("photo", big)])).await;
    assert_eq!(env["res_code"], 400);
}

/// The `$connect` event API Gateway sends for `?<query>`.
fn connect_event(query: &str) -> Request {
    let params: serde_json::Map<String, Value> = form_urlencoded_pairs(query)
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let event = json!({
        "headers": {"host": "local"},
        "queryStringParameters": params,
        "requestContext": {
            "routeKey": "$connect", "eventType": "CONNECT", "connectionId": "c-1", "requestId": "r-1",
            "connectedAt": 1_700_000_000_000_i64, "requestTimeEpoch": 1_700_000_000_000_i64,
            "stage": "ws", "apiId": "local", "messageDirection": "IN",
        },
        "isBase64Encoded": false,
    });
    lambda_http::request::from_str(&event.to_string()).unwrap()
}

fn form_urlencoded_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

#[tokio::test]
async fn a_socket_handshake_without_a_valid_weifchat_token_is_refused() {
    let state = offline_state();
    let connect = functions()
        .into_iter()
        .find(|f| f.binary == "weif-socket-connect")
        .unwrap();
    let other = offline_state().tokens.issue("u1", Audience::new("chatx")).unwrap();
    for query in [
        String::new(),
        "token=".into(),
        "token=garbage".into(),
        format!("token={other}"),
    ] {
        let resp = (connect.handler)(&state, connect_event(&query)).await;
        assert_eq!(resp.status(), 401, "{query}");
    }
}
