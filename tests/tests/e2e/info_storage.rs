//! The storage API: nodes issued with presigned uploads, downloads by redirect, and image sizes
//! read from the uploaded files.

use e2e::info::{md5_hex, png};
use e2e::serde_json::{Value, json};
use e2e::spawn_app_on_own_table;

#[tokio::test]
async fn an_upload_is_issued_signed_uploaded_and_downloaded() {
    let app = spawn_app_on_own_table().await;
    let user = app.info_user().await;
    let bytes = png(640, 480);
    let upload = app.issue_upload(&user, "image/png", &bytes).await;
    let node = upload["node"].as_str().unwrap();
    assert!(node.starts_with("public:") && node.ends_with(".png"), "{node}");
    assert_eq!(upload["method"], "PUT");
    assert_eq!(
        (upload["form"].clone(), upload["file_key"].clone()),
        (Value::Null, Value::Null)
    );
    let headers = upload["headers"].as_object().unwrap();
    assert_eq!(headers["content-type"], "image/png", "{headers:?}");
    assert!(
        headers.contains_key("content-md5"),
        "the signature covers the MD5: {headers:?}"
    );
    assert!(upload["url"].as_str().unwrap().contains("X-Amz-Signature="));
    assert_eq!(app.put_upload(&upload, bytes.clone()).await, 200);

    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = no_redirects
        .get(format!("{}/api/v2/storage/{node}", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let downloaded = app.http.get(location).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(downloaded.as_ref(), bytes.as_slice());
}

#[tokio::test]
async fn uploads_need_a_token_and_valid_fields() {
    let app = spawn_app_on_own_table().await;
    let user = app.info_user().await;
    assert_eq!(app.rest("POST", "/api/v2/storage", None, Some(json!({}))).await.0, 401);
    let (status, body) = app
        .rest("POST", "/api/v2/storage", Some(&user.token), Some(json!({})))
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["filename", "hash", "size", "mime_type"]
    );
    let (status, body) = app
        .rest(
            "POST",
            "/api/v2/storage",
            Some(&user.token),
            Some(json!({"filename": "x.pdf", "hash": "abc", "size": 0, "mime_type": "application/pdf", "storage": {"channel": "private"}})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["hash", "size", "mime_type", "storage.channel"]
    );
}

#[tokio::test]
async fn unknown_nodes_are_not_found() {
    let app = spawn_app_on_own_table().await;
    for node in ["public:2020/01/01/nope.png", "not-a-node"] {
        let (status, body) = app.rest("GET", &format!("/api/v2/storage/{node}"), None, None).await;
        assert_eq!((status, body), (404, json!({"message": "File not found."})), "{node}");
    }
}

#[tokio::test]
async fn an_images_size_is_read_from_the_file_and_recorded_on_first_use() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let node = app.image(&admin, 300, 150).await;
    let stored = |node: String| {
        let app = &app;
        async move { app.item(&shared::keys::storage::node(&node)).await.unwrap() }
    };
    assert!(!stored(node.clone()).await.contains_key("width"), "unknown until used");
    let category = app
        .rest_ok(
            201,
            "POST",
            "/api/v2/infos/categories",
            Some(&admin.token),
            Some(json!({"name": e2e::unique("c"), "sort": 0, "icon": node})),
        )
        .await;
    assert_eq!(
        category["icon"],
        json!({"node": node, "url": format!("/api/v2/storage/{node}"), "mime": "image/png", "size": png(1, 1).len(), "width": 300, "height": 150})
    );
    let item = stored(node).await;
    assert_eq!(item["width"].as_n().unwrap(), "300");
    assert_eq!(item["height"].as_n().unwrap(), "150");
}

#[tokio::test]
async fn nodes_must_be_uploaded_and_of_the_right_kind() {
    let app = spawn_app_on_own_table().await;
    let admin = app.info_admin().await;
    let issued_only = app.issue_upload(&admin, "image/png", &png(10, 10)).await["node"]
        .as_str()
        .unwrap()
        .to_owned();
    let not_an_image = app.upload(&admin, "image/png", b"plain text, not a PNG".to_vec()).await;
    let video = app.upload(&admin, "video/mp4", b"\0\0\0\x18ftypmp42".to_vec()).await;
    let cases = [
        (issued_only, "The icon has not been uploaded."),
        (not_an_image, "The icon must be an image."),
        (video, "The icon must be an image."),
        (
            "public:2020/01/01/never-issued.png".to_owned(),
            "The selected icon is invalid.",
        ),
        ("../../etc/passwd".to_owned(), "The selected icon is invalid."),
    ];
    for (node, message) in cases {
        let (status, body) = app
            .rest(
                "POST",
                "/api/v2/infos/categories",
                Some(&admin.token),
                Some(json!({"name": e2e::unique("c"), "sort": 0, "icon": node})),
            )
            .await;
        assert_eq!(
            (status, body["errors"].clone()),
            (422, json!({"icon": [message]})),
            "{node}"
        );
    }
}

#[tokio::test]
async fn the_md5_is_what_the_upload_is_signed_with() {
    let app = spawn_app_on_own_table().await;
    let user = app.info_user().await;
    let bytes = png(1, 1);
    let upload = app.issue_upload(&user, "image/png", &bytes).await;
    use base64::Engine;
    let hex = md5_hex(&bytes);
    let raw: Vec<u8> = (0..16)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    assert_eq!(
        upload["headers"]["content-md5"],
        base64::engine::general_purpose::STANDARD.encode(raw)
    );
}

/// State whose S3 client may do `actions` on `storage/*` (the local IAM emulation), on the
/// app's table.
async fn with_s3_grants(app: &e2e::TestApp, actions: &[&str]) -> shared::AppState {
    use local_gateway::iam::Policy;
    use local_gateway::template::{Grant, Resource};
    let policy = Policy {
        function: "test".into(),
        grants: std::sync::Arc::new(vec![Grant {
            actions: actions.iter().map(|a| a.to_string()).collect(),
            resources: vec![Resource::Objects("storage/".into())],
        }]),
    };
    let sdk = shared::state::sdk_config().await;
    let s3 = shared::state::s3_config(&sdk).interceptor(policy).build();
    shared::AppState::new(app.config.clone(), app.dynamo.clone()).with_s3(aws_sdk_s3::Client::from_conf(s3))
}

/// The local IAM emulation covers S3: a function whose policy lacks `s3:PutObject` can't sign
/// an upload, one without `s3:GetObject` can't read a new image's size.
#[tokio::test]
async fn s3_calls_need_the_template_s_statements() {
    let app = spawn_app_on_own_table().await;
    let user = app.info_user().await;
    let upload = shared::storage::UploadRequest {
        filename: "f.png".into(),
        mime: "image/png",
        size: 10,
        md5: [0; 16],
        owner: "info:1".into(),
    };
    let reader = with_s3_grants(&app, &["s3:GetObject"]).await;
    let err = reader.storage().unwrap().issue(&upload).await.unwrap_err();
    assert!(format!("{err:?}").contains("not allowed s3:PutObject"), "{err:?}");
    let node = app.image(&user, 10, 10).await;
    assert!(reader.storage().unwrap().describe(&[node]).await.is_ok());

    let signer = with_s3_grants(&app, &["s3:PutObject"]).await;
    assert!(signer.storage().unwrap().issue(&upload).await.is_ok());
    let node = app.image(&user, 10, 10).await;
    let err = signer.storage().unwrap().describe(&[node]).await.unwrap_err();
    assert!(format!("{err:?}").contains("not allowed s3:GetObject"), "{err:?}");
}

/// A container with storage opens its S3 connection during init (`shared::lambda`): any answer
/// from S3 counts (the key never exists; a role that may not read it is answered 403), and only
/// an S3 that can't be reached is an error, which init logs and goes on from.
#[tokio::test]
async fn the_storage_warm_up_counts_any_answer_from_s3_and_only_an_unreachable_s3_fails() {
    let app = spawn_app_on_own_table().await;
    let state = app.operator().await;
    state.storage().unwrap().warm_up().await.unwrap();

    let sdk = shared::state::sdk_config().await;
    let nowhere = shared::state::s3_config(&sdk)
        .endpoint_url("http://127.0.0.1:1")
        .build();
    let unreachable = state.with_s3(aws_sdk_s3::Client::from_conf(nowhere));
    let err = unreachable.storage().unwrap().warm_up().await.unwrap_err();
    assert!(format!("{err:?}").contains("S3 not reached"), "{err:?}");
}
