//! Handler tier: requests built as API Gateway builds them, straight into the handlers. Only
//! what is decided before any store call is tested here (the parameter checks and their order,
//! the fault envelope); the rest runs end to end in `tests/`.

use crate::Endpoint;
use shared::lambda::{Body, Request, Response};
use shared::testing::{self, offline_state};

use super::{functions, likes, posts, users};

/// A nobase call: `GET` with its parameters in the raw query string, no body.
fn get(query: &str) -> Request {
    testing::request("GET", &format!("/api/x?{query}")).build()
}

fn envelope(resp: &Response<Body>) -> serde_json::Value {
    assert_eq!(resp.status(), 200, "nobase answers every request with HTTP 200");
    testing::json_body(resp)
}

fn endpoints() -> Vec<(&'static str, Endpoint)> {
    vec![
        ("nobase-bbs-post-like", likes::POST_LIKE),
        ("nobase-bbs-post-add", posts::POST_ADD),
        ("nobase-bbs-post-detail", posts::POST_DETAIL),
        ("nobase-user-register", users::REGISTER),
        ("nobase-user-login", users::LOGIN),
    ]
}

/// Valid values for each parameter, so that only the missing one is wrong.
fn value(name: &str) -> &'static str {
    match name {
        "like" => "1",
        "title" => "a+title",
        "content" => "some+content",
        _ => "x1",
    }
}

#[tokio::test]
async fn every_function_checks_its_required_parameters_in_order_before_any_read() {
    let state = offline_state();
    let table = endpoints();
    assert_eq!(table.len(), functions().len());
    for f in functions() {
        let (_, endpoint) = table
            .iter()
            .find(|(b, _)| *b == f.binary)
            .expect("endpoint of function");
        assert_eq!(endpoint.required.first(), Some(&"appid"), "{}", f.binary);
        assert!(endpoint.required.contains(&"signature"), "{}", f.binary);
        for (i, missing) in endpoint.required.iter().enumerate() {
            let query: Vec<String> = endpoint.required[..i]
                .iter()
                .map(|p| format!("{p}={}", value(p)))
                .collect();
            let resp = (f.handler)(&state, get(&query.join("&"))).await;
            assert_eq!(
                envelope(&resp),
                serde_json::json!({"code":204,"msg":"fail","data":format!("接口参数错误:缺少{missing}")}),
                "{} without {missing}",
                f.binary
            );
        }
    }
}

#[tokio::test]
async fn seed_002_405_like_must_be_1_or_2_before_any_read() {
    let state = offline_state();
    for like in ["0", "3", "01", "like", "1.0", "-1"] {
        let resp = likes::post_like(&state, get(&format!("appid=a1&uid=b1&id=p1&like={like}&signature=s"))).await;
        assert_eq!(
            envelope(&resp),
            serde_json::json!({"code":405,"msg":"fail","data":"like参数错误(需为1或2)"}),
            "like={like}"
        );
    }
}

#[tokio::test]
async fn a_missing_parameter_is_reported_before_a_wrong_like() {
    let state = offline_state();
    let resp = likes::post_like(&state, get("appid=a1&uid=b1&id=p1&like=9")).await;
    assert_eq!(envelope(&resp)["data"], "接口参数错误:缺少signature");
}

#[tokio::test]
async fn store_faults_are_the_seeds_operation_failed_without_details() {
    let state = offline_state();
    let resp = likes::post_like(&state, get("appid=a1&uid=b1&id=p1&like=1&signature=s")).await;
    assert_eq!(
        envelope(&resp),
        serde_json::json!({"code":405,"msg":"fail","data":"操作失败"})
    );
}

#[tokio::test]
async fn post_add_checks_title_and_content_before_any_read() {
    let state = offline_state();
    let long = "长".repeat(101);
    let cases = [
        (format!("title={long}&content=c"), "帖子标题长度需为1-100个字符!"),
        ("title=t&content=%20".to_owned(), "接口参数错误:缺少content"),
        (
            format!("title=t&content={}", "长".repeat(5001)),
            "帖子内容长度需为1-5000个字符!",
        ),
    ];
    for (fields, message) in cases {
        let resp = posts::add(&state, get(&format!("appid=a1&uid=b1&signature=s&{fields}"))).await;
        let env = envelope(&resp);
        assert_eq!(env["data"], message);
        assert_eq!(env["code"], 204);
    }
}
