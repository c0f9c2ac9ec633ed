//! Info-module accounts (ThinkSNS style): register, login, the signed-in user, and the
//! `infos:admin` ability granted by the operator.

use e2e::serde_json::json;
use e2e::{spawn_app_on_own_table, unique};
use info::InfoState;

#[tokio::test]
async fn register_answers_201_with_a_bearer_token() {
    let app = spawn_app_on_own_table().await;
    let name = unique("u");
    let (status, body) = app
        .rest(
            "POST",
            "/api/v2/users",
            None,
            Some(json!({"name": name, "password": "secret-pass"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], e2e::config().token_ttl_secs);
    let me = app
        .rest_ok(200, "GET", "/api/v2/user", body["access_token"].as_str(), None)
        .await;
    assert_eq!(me["name"], name.as_str());
    assert!(me["id"].as_u64().unwrap() > 0, "integer user IDs: {me}");
    assert_eq!(me["abilities"], json!([]));
}

#[tokio::test]
async fn login_answers_a_token_for_the_right_password_only() {
    let app = spawn_app_on_own_table().await;
    let user = app.info_user().await;
    let ok = app
        .rest_ok(
            200,
            "POST",
            "/api/v2/auth/login",
            None,
            Some(json!({"login": user.name.to_uppercase(), "password": "secret-pass"})),
        )
        .await;
    assert_eq!(ok["token_type"], "bearer");
    let me = app
        .rest_ok(200, "GET", "/api/v2/user", ok["access_token"].as_str(), None)
        .await;
    assert_eq!(me["id"], user.id);
    for body in [
        json!({"login": user.name, "password": "wrong-pass"}),
        json!({"login": unique("nobody"), "password": "secret-pass"}),
    ] {
        let (status, err) = app.rest("POST", "/api/v2/auth/login", None, Some(body)).await;
        assert_eq!(
            (status, err),
            (422, json!({"message": "These credentials do not match our records."}))
        );
    }
}

#[tokio::test]
async fn names_are_unique_case_insensitively_even_at_once() {
    let app = spawn_app_on_own_table().await;
    let name = unique("Same");
    let attempts = [name.clone(), name.to_lowercase(), name.to_uppercase()].map(|n| {
        app.rest(
            "POST",
            "/api/v2/users",
            None,
            Some(json!({"name": n, "password": "secret-pass"})),
        )
    });
    let results = futures_join(attempts).await;
    let created = results.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(created, 1, "{results:?}");
    for (status, body) in results.iter().filter(|(s, _)| *s != 201) {
        assert_eq!(*status, 422);
        assert_eq!(body["errors"], json!({"name": ["The name has already been taken."]}));
    }
}

async fn futures_join<F: std::future::Future>(futures: [F; 3]) -> Vec<F::Output> {
    let [a, b, c] = futures;
    let (a, b, c) = tokio::join!(a, b, c);
    vec![a, b, c]
}

#[tokio::test]
async fn invalid_registrations_are_422_with_every_field() {
    let app = spawn_app_on_own_table().await;
    let (status, body) = app
        .rest(
            "POST",
            "/api/v2/users",
            None,
            Some(json!({"name": "a b", "password": "123"})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"],
        json!({
            "name": ["The name may only contain letters, digits, underscores and CJK characters, and may not start with a digit."],
            "password": ["The password must be at least 6 characters."],
        })
    );
}

#[tokio::test]
async fn the_signed_in_user_needs_a_valid_info_token() {
    let app = spawn_app_on_own_table().await;
    let chatx = app.register().await;
    for token in [None, Some("garbage"), Some(chatx.token.as_str())] {
        let (status, body) = app.rest("GET", "/api/v2/user", token, None).await;
        assert_eq!(
            (status, body),
            (401, json!({"message": "Unauthenticated."})),
            "{token:?}"
        );
    }
    let ghost = app.tokens.issue("999999999", info::AUDIENCE).unwrap();
    assert_eq!(app.rest("GET", "/api/v2/user", Some(&ghost), None).await.0, 401);
}

#[tokio::test]
async fn the_operator_grants_and_revokes_infos_admin() {
    let app = spawn_app_on_own_table().await;
    let user = app.info_user().await;
    app.grant_admin(&user).await;
    let me = app.rest_ok(200, "GET", "/api/v2/user", Some(&user.token), None).await;
    assert_eq!(me["abilities"], json!(["infos:admin"]));
    // The ability is read from the table on each request: the same token gains and loses it.
    app.rest_ok(
        201,
        "POST",
        "/api/v2/infos/categories",
        Some(&user.token),
        Some(json!({"name": unique("c"), "sort": 1})),
    )
    .await;
    app.operator()
        .await
        .info()
        .set_ability(user.id, "infos:admin", false)
        .await
        .unwrap();
    let (status, _) = app
        .rest(
            "POST",
            "/api/v2/infos/categories",
            Some(&user.token),
            Some(json!({"name": unique("c"), "sort": 1})),
        )
        .await;
    assert_eq!(status, 403);
}
