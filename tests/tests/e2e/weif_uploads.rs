//! weifChat uploads (#5, #15, #27, #38–42): images checked by content, chunked files merged
//! and verified, every returned `url` downloadable through the gateway.

use e2e::serde_json::{Value, json};
use e2e::weif::png;
use e2e::{TestApp, spawn_app};

fn md5_hex(bytes: &[u8]) -> String {
    use md5::Digest;
    md5::Md5::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

async fn home_img(app: &TestApp, token: &str, id: &str) -> Value {
    let env = app
        .weif_get_ok("/home/user", token, &[("_id", id), ("urlId", id)])
        .await;
    env["data"]["user"]["imgUrl"].clone()
}

#[tokio::test]
async fn row_5_upload_user_sets_the_callers_picture() {
    let app = spawn_app().await;
    let (me, other) = (app.weif_register().await, app.weif_register().await);
    let env = app
        .weif_form(
            "/upload/user",
            &me.token,
            &[("_id", &me.id)],
            &[("file", "me.png", png())],
        )
        .await;
    assert_eq!(env["res_code"], 0, "{env}");
    assert_eq!(env["name"], "me.png");
    let url = env["url"].as_str().unwrap().to_owned();
    assert_eq!(home_img(&app, &me.token, &me.id).await, json!(url));
    assert_eq!(app.weif_download(&url).await, png());
    // Another user's _id: refused, nothing changes.
    let env = app
        .weif_form(
            "/upload/user",
            &me.token,
            &[("_id", &other.id)],
            &[("file", "x.png", png())],
        )
        .await;
    assert_eq!(env, json!({"res_code": 403, "msg": "身份不符, 无权操作"}));
    // Not an image (by content, whatever the name).
    let env = app
        .weif_form(
            "/upload/user",
            &me.token,
            &[("_id", &me.id)],
            &[("file", "x.png", b"%PDF-1.4".to_vec())],
        )
        .await;
    assert_eq!(env["res_code"], 405, "{env}");
    assert_eq!(env["data"][0]["msg"], "file必须是图片(png/jpeg/gif/webp)");
    assert_eq!(home_img(&app, &me.token, &me.id).await, json!(url));
    // No token.
    let env = app
        .weif_form("/upload/user", "", &[("_id", &me.id)], &[("file", "x.png", png())])
        .await;
    assert_eq!(env["res_code"], 401);
}

#[tokio::test]
async fn row_15_upload_group_only_by_its_owner() {
    let app = spawn_app().await;
    let (owner, other) = (app.weif_register().await, app.weif_register().await);
    let group = app.weif_group(&owner, "上传群").await;
    let env = app
        .weif_form(
            "/upload/group",
            &other.token,
            &[("groupId", &group)],
            &[("file", "g.png", png())],
        )
        .await;
    assert_eq!(env, json!({"res_code": 403, "msg": "只有群主可以修改群信息"}));
    let env = app
        .weif_form(
            "/upload/group",
            &owner.token,
            &[("groupId", &group)],
            &[("file", "g.png", png())],
        )
        .await;
    assert_eq!(env["res_code"], 0, "{env}");
    let url = env["url"].as_str().unwrap().to_owned();
    let info = app
        .weif_get_ok(
            "/get/update/group",
            &owner.token,
            &[("groupId", &group), ("groupLeaderId", &owner.id)],
        )
        .await;
    assert_eq!(info["data"]["groupInfo"]["imgUrl"], json!(url));
    assert_eq!(app.weif_download(&url).await, png());
    let env = app
        .weif_form(
            "/upload/group",
            &owner.token,
            &[("groupId", "nope")],
            &[("file", "g.png", png())],
        )
        .await;
    assert_eq!(env, json!({"res_code": 400, "msg": "该群不存在"}));
}

#[tokio::test]
async fn row_27_space_photos_at_most_nine() {
    let app = spawn_app().await;
    let me = app.weif_register().await;
    let photos: Vec<(&str, &str, Vec<u8>)> = (0..9).map(|_| ("photos", "p.png", png())).collect();
    let env = app.weif_form("/space/upload/photos", &me.token, &[], &photos).await;
    assert_eq!(env["res_code"], 200, "{env}");
    let urls = env["url"].as_array().unwrap();
    assert_eq!(urls.len(), 9);
    assert_eq!(app.weif_download(urls[8].as_str().unwrap()).await, png());
    let ten: Vec<(&str, &str, Vec<u8>)> = (0..10).map(|_| ("photos", "p.png", png())).collect();
    let env = app.weif_form("/space/upload/photos", &me.token, &[], &ten).await;
    assert_eq!(env["res_code"], 405, "{env}");
    assert_eq!(env["data"][0]["msg"], "photos最多9张图片");
}

#[tokio::test]
async fn rows_38_39_chat_photos() {
    let app = spawn_app().await;
    let me = app.weif_register().await;
    for path in ["/chat/private/photo", "/chat/group/photo"] {
        let env = app.weif_form(path, &me.token, &[], &[("photo", "c.png", png())]).await;
        assert_eq!(env["res_code"], 200, "{env}");
        assert_eq!(env["name"], "c.png");
        assert_eq!(app.weif_download(env["url"].as_str().unwrap()).await, png());
        let env = app
            .weif_form(path, &me.token, &[], &[("photo", "c.txt", b"hello".to_vec())])
            .await;
        assert_eq!(env["res_code"], 405, "{env}");
    }
}

async fn chunk(app: &TestApp, token: &str, hash: &str, index: usize, bytes: &[u8]) -> Value {
    let i = index.to_string();
    app.weif_form(
        "/chat/file/private",
        token,
        &[("fileHash", hash), ("index", &i)],
        &[("blob", "blob", bytes.to_vec())],
    )
    .await
}

#[tokio::test]
async fn rows_40_to_42_a_12_mb_file_in_three_chunks() {
    let app = spawn_app().await;
    let me = app.weif_register().await;
    let file: Vec<u8> = (0..12 * 1024 * 1024).map(|i: usize| (i * 7 + i / 4096) as u8).collect();
    let hash = md5_hex(&file);
    let verify = app
        .weif_post(
            "/verify/private",
            &me.token,
            json!({"fileHash": hash, "fileName": "big.bin"}),
        )
        .await;
    assert_eq!(
        verify,
        json!({"status": 200, "data": {"shouldUpload": true, "existChunks": []}})
    );
    let chunks: Vec<&[u8]> = file.chunks(4 * 1024 * 1024).collect();
    for (i, c) in chunks.iter().enumerate() {
        assert_eq!(
            chunk(&app, &me.token, &hash, i, c).await,
            json!({"status": 200, "msg": "上传成功"})
        );
    }
    // Retrying a chunk is safe.
    assert_eq!(chunk(&app, &me.token, &hash, 1, chunks[1]).await["status"], 200);
    let verify = app
        .weif_post(
            "/verify/private",
            &me.token,
            json!({"fileHash": hash, "fileName": "big.bin"}),
        )
        .await;
    assert_eq!(
        verify["data"]["existChunks"],
        json!([format!("{hash}-0"), format!("{hash}-1"), format!("{hash}-2")])
    );
    let merge = json!({"fileHash": hash, "fileName": "big.bin", "size": 4 * 1024 * 1024});
    let env = app.weif_post("/merge/private", &me.token, merge.clone()).await;
    assert_eq!(env["status"], 200, "{env}");
    assert_eq!(env["msg"], "合并成功");
    let url = env["url"].as_str().unwrap().to_owned();
    // Retrying the merge is safe: the same file.
    let again = app.weif_post("/merge/private", &me.token, merge).await;
    assert_eq!(again, env);
    let verify = app
        .weif_post(
            "/verify/private",
            &me.token,
            json!({"fileHash": hash, "fileName": "big.bin"}),
        )
        .await;
    assert_eq!(
        verify,
        json!({"status": 200, "data": {"shouldUpload": false, "url": url}})
    );
    assert!(
        app.weif_download(&url).await == file,
        "the merged file has the uploaded bytes"
    );
    // Another user doesn't see it.
    let other = app.weif_register().await;
    let verify = app
        .weif_post(
            "/verify/group",
            &other.token,
            json!({"fileHash": hash, "fileName": "big.bin"}),
        )
        .await;
    assert_eq!(verify["data"]["shouldUpload"], true);
}

#[tokio::test]
async fn row_41_merge_with_a_missing_chunk_or_a_wrong_hash_fails() {
    let app = spawn_app().await;
    let me = app.weif_register().await;
    let file: Vec<u8> = (0..300u32).map(|i| i as u8).collect();
    let hash = md5_hex(&file);
    chunk(&app, &me.token, &hash, 0, &file[..100]).await;
    chunk(&app, &me.token, &hash, 2, &file[200..]).await;
    let merge = json!({"fileHash": hash, "fileName": "f.bin", "size": 100});
    let env = app.weif_post("/merge/group", &me.token, merge.clone()).await;
    assert_eq!(env, json!({"status": 401, "msg": "合并失败,请重新上传"}));
    // The missing chunk arrives: now it merges.
    chunk(&app, &me.token, &hash, 1, &file[100..200]).await;
    let env = app.weif_post("/merge/group", &me.token, merge).await;
    assert_eq!(env["status"], 200, "{env}");
    assert_eq!(app.weif_download(env["url"].as_str().unwrap()).await, file);
    // A wrong hash.
    let wrong = md5_hex(b"something else");
    chunk(&app, &me.token, &wrong, 0, &file).await;
    let env = app
        .weif_post(
            "/merge/group",
            &me.token,
            json!({"fileHash": wrong, "fileName": "f.bin", "size": 300}),
        )
        .await;
    assert_eq!(env, json!({"status": 401, "msg": "合并失败,请重新上传"}));
    // Bad parameters.
    let env = app.weif_post("/merge/nope", &me.token, json!({"fileHash": "x"})).await;
    assert_eq!(env["status"], 405, "{env}");
}

#[tokio::test]
async fn sizes_past_lambdas_limit_are_refused() {
    let app = spawn_app().await;
    let me = app.weif_register().await;
    // A file over 4 MiB in a form that fits the event: the function refuses it.
    let mut big = png();
    big.resize(4 * 1024 * 1024 + 1, 0);
    let env = app
        .weif_form("/chat/private/photo", &me.token, &[], &[("photo", "big.png", big)])
        .await;
    assert_eq!(env["res_code"], 400, "{env}");
    // A 5 MiB chunk: base64-encoded it is over Lambda's 6 MiB event; the gateway answers 413.
    let (ct, body) = e2e::weif::multipart(&[], &[("blob", "blob", vec![1u8; 5 * 1024 * 1024])]);
    let bearer = format!("Bearer {}", me.token);
    let (status, _) = app
        .raw(
            "POST",
            "/chat/file/private",
            &[("content-type", ct.as_str()), ("authorization", bearer.as_str())],
            body,
        )
        .await;
    assert_eq!(status, 413);
}

#[tokio::test]
async fn the_files_route_serves_images_and_merged_files_only() {
    let app = spawn_app().await;
    let me = app.weif_register().await;
    let file = b"chunk bytes".to_vec();
    let hash = md5_hex(&file);
    chunk(&app, &me.token, &hash, 0, &file).await;
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for path in [
        format!("/weifchat/chunks/{}/{hash}/0", me.id),
        "/weifchat/images/../x.png".to_owned(),
        "/weifchat/storage/public/a.png".to_owned(),
    ] {
        let resp = no_redirects
            .get(format!("{}{path}", app.base_url))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 404, "{path}");
    }
    let env = app
        .weif_form("/chat/group/photo", &me.token, &[], &[("photo", "a.png", png())])
        .await;
    let url = env["url"].as_str().unwrap();
    let resp = no_redirects.get(format!("{}{url}", app.base_url)).send().await.unwrap();
    assert_eq!(resp.status(), 302);
}
