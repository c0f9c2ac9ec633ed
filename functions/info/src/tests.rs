//! Handler tier: requests built as API Gateway builds them, straight into the handlers. Only
//! what is decided before any store call is tested here; the rest runs end to end in `tests/`.

use serde_json::{Value, json};
use shared::auth::{Audience, Tokens};
use shared::lambda::{Body, Request, Response};
use shared::testing::{self, offline_state};

use super::functions;

/// Routes that need no token at all, and routes where a token is optional.
const PUBLIC: &[&str] = &["info-user-register", "info-auth-login", "info-storage-get"];
const OPTIONAL: &[&str] = &[
    "info-category-get",
    "info-category-list",
    "info-get",
    "info-list",
    "info-share",
    "info-comment-list",
    "info-comment-list-all",
];

/// A REST call: `method` with headers, the route's path parameters (`{id}`) and a body.
fn request(method: &str, headers: &[(&str, &str)], path: &[(&str, &str)], body: &str) -> Request {
    testing::request(method, "https://api.example.com/api/v2/x")
        .headers(headers)
        .path(path)
        .body(body)
        .build()
}

/// REST answers in the HTTP status: the status and the JSON body (`null` when empty).
fn answer(resp: &Response<Body>) -> (u16, Value) {
    (resp.status().as_u16(), testing::json_body(resp))
}

async fn call(binary: &str, req: Request) -> (u16, Value) {
    let state = offline_state();
    let f = functions().into_iter().find(|f| f.binary == binary).unwrap();
    answer(&(f.handler)(&state, req).await)
}

#[tokio::test]
async fn every_route_that_needs_a_token_answers_401_without_one() {
    for f in functions()
        .into_iter()
        .filter(|f| !PUBLIC.contains(&f.binary) && !OPTIONAL.contains(&f.binary))
    {
        let got = call(f.binary, request("POST", &[], &[("id", "1")], "not even json")).await;
        assert_eq!(got, (401, json!({"message": "Unauthenticated."})), "{}", f.binary);
    }
}

#[tokio::test]
async fn a_bad_token_is_401_even_where_a_token_is_optional() {
    let state = offline_state();
    let chatx = state.tokens.issue("7", Audience::new("chatx")).unwrap();
    let foreign = Tokens::new(&[1u8; 32], 60).issue("7", crate::AUDIENCE).unwrap();
    for header in [
        format!("Bearer {chatx}"),
        format!("Bearer {foreign}"),
        "Bearer not-a-jwt".into(),
        "Basic dXNlcjpwYXNz".into(),
    ] {
        for f in functions().into_iter().filter(|f| !PUBLIC.contains(&f.binary)) {
            let got = call(
                f.binary,
                request("GET", &[("authorization", &header)], &[("id", "1")], ""),
            )
            .await;
            assert_eq!(got.0, 401, "{}: {header}: {got:?}", f.binary);
        }
    }
}

#[tokio::test]
async fn bodies_that_are_not_json_objects_are_400() {
    for body in ["not even json", "[1, 2]", "\"text\""] {
        let got = call("info-user-register", request("POST", &[], &[], body)).await;
        assert_eq!(
            got,
            (400, json!({"message": "The request body must be a JSON object."}))
        );
    }
}

#[tokio::test]
async fn invalid_registrations_are_422_before_any_store_call() {
    let got = call(
        "info-user-register",
        request("POST", &[], &[], r#"{"name": "7up", "password": 12}"#),
    )
    .await;
    assert_eq!(got.0, 422);
    assert_eq!(
        got.1["errors"],
        json!({
            "name": ["The name may only contain letters, digits, underscores and CJK characters, and may not start with a digit."],
            "password": ["The password must be a string."],
        })
    );
    assert_eq!(
        got.1["message"],
        "The name may only contain letters, digits, underscores and CJK characters, and may not start with a digit. (and 1 more error)"
    );
}

#[tokio::test]
async fn ids_that_are_not_positive_integers_name_nothing() {
    let state = offline_state();
    let token = format!("Bearer {}", state.tokens.issue("7", crate::AUDIENCE).unwrap());
    for binary in [
        "info-get",
        "info-like",
        "info-share",
        "info-comment-list",
        "info-category-get",
    ] {
        for id in ["abc", "0", "-1", "1.5", "9999999999999"] {
            let got = call(binary, request("GET", &[("authorization", &token)], &[("id", id)], "")).await;
            assert_eq!(got.0, 404, "{binary} {id}: {got:?}");
        }
    }
}

#[tokio::test]
async fn store_faults_are_a_500_without_details() {
    let state = offline_state();
    let token = format!("Bearer {}", state.tokens.issue("7", crate::AUDIENCE).unwrap());
    let got = call(
        "info-like",
        request("PUT", &[("authorization", &token)], &[("id", "1")], ""),
    )
    .await;
    assert_eq!(got, (500, json!({"message": "Server Error"})));
}

#[test]
fn share_points_are_read_from_the_environment_in_range() {
    use crate::InfoSettings;
    let env = |v: &'static str| move |k: &str| (k == "INFO_SHARE_POINTS").then(|| v.to_owned());
    assert_eq!(InfoSettings::from_lookup(|_| None).unwrap().share_points, 2);
    assert_eq!(InfoSettings::from_lookup(env("0")).unwrap().share_points, 0);
    assert!(InfoSettings::from_lookup(env("-1")).is_err());
    assert!(InfoSettings::from_lookup(env("many")).is_err());
}
