//! Handler tier: requests built as API Gateway builds them, straight into the handlers. Only
//! what is decided before any store call is tested here; the rest runs end to end in `tests/`.

use shared::lambda::{Body, Request, Response};
use shared::testing::{self, offline_state};

use super::functions;

/// A chatx call: `POST` with the wire's headers (`operationID`, `token`) and a JSON body.
fn request(headers: &[(&str, &str)], body: &str) -> Request {
    testing::request("POST", "/chatx/x").headers(headers).body(body).build()
}

fn envelope(resp: &Response<Body>) -> serde_json::Value {
    assert_eq!(resp.status(), 200, "chatx answers every request with HTTP 200");
    testing::json_body(resp)
}

#[tokio::test]
async fn every_function_wants_operation_id_first() {
    let state = offline_state();
    for f in functions() {
        let resp = (f.handler)(&state, request(&[], "not even json")).await;
        assert_eq!(
            envelope(&resp),
            serde_json::json!({"errCode":1001,"errMsg":"ArgsError","errDlt":"header must have operationID"}),
            "{}",
            f.binary
        );
    }
}

#[tokio::test]
async fn every_function_but_register_and_login_wants_a_token_second() {
    let state = offline_state();
    for f in functions() {
        let resp = (f.handler)(&state, request(&[("operationID", "op-1")], "not even json")).await;
        let env = envelope(&resp);
        if f.binary.starts_with("chatx-account-") {
            assert!(
                env["errDlt"].as_str().unwrap().starts_with("invalid JSON body"),
                "{}: {env}",
                f.binary
            );
        } else {
            assert_eq!(
                env,
                serde_json::json!({"errCode":1001,"errMsg":"ArgsError","errDlt":"token is empty"}),
                "{}",
                f.binary
            );
        }
    }
}

#[tokio::test]
async fn a_token_of_another_secret_is_invalid() {
    let state = offline_state();
    let foreign = shared::auth::Tokens::new(&[1u8; 32], 60)
        .issue("u1", crate::AUDIENCE)
        .unwrap();
    let like = functions()
        .into_iter()
        .find(|f| f.binary == "chatx-moments-like")
        .unwrap();
    let resp = (like.handler)(&state, request(&[("operationID", "op"), ("token", &foreign)], "{}")).await;
    assert_eq!(envelope(&resp)["errCode"], 1502);
}

#[tokio::test]
async fn empty_post_id_is_refused_before_any_store_call() {
    let state = offline_state();
    let token = state.tokens.issue("u1", crate::AUDIENCE).unwrap();
    for binary in ["chatx-moments-like", "chatx-moments-comment-add"] {
        let f = functions().into_iter().find(|f| f.binary == binary).unwrap();
        let resp = (f.handler)(
            &state,
            request(&[("operationID", "op"), ("token", &token)], r#"{"postID":""}"#),
        )
        .await;
        assert_eq!(
            envelope(&resp),
            serde_json::json!({"errCode":1001,"errMsg":"ArgsError","errDlt":"postID and userID are required"}),
            "{binary}"
        );
    }
}

#[tokio::test]
async fn store_faults_become_a_500_envelope_without_details() {
    let state = offline_state();
    let token = state.tokens.issue("u1", crate::AUDIENCE).unwrap();
    let like = functions()
        .into_iter()
        .find(|f| f.binary == "chatx-moments-like")
        .unwrap();
    let resp = (like.handler)(
        &state,
        request(&[("operationID", "op"), ("token", &token)], r#"{"postID":"p1"}"#),
    )
    .await;
    assert_eq!(
        envelope(&resp),
        serde_json::json!({"errCode":500,"errMsg":"ServerInternalError","errDlt":"internal error"})
    );
}
