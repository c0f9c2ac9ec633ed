//! chatx helpers: calls with the wire's `operationID` and `token` headers, users and posts.

use serde_json::{Value, json};

use crate::{TestApp, unique};

/// A registered chatx user.
#[derive(Debug, Clone)]
pub struct User {
    pub user_id: String,
    pub token: String,
    pub account: String,
    pub password: String,
}

impl TestApp {
    /// A chatx call: `POST path` with `operationID` and `token` headers; asserts HTTP 200 and
    /// returns the envelope.
    pub async fn chatx(&self, path: &str, token: &str, body: Value) -> Value {
        let op = unique("op-");
        let (status, env) = self
            .raw(
                "POST",
                path,
                &[("operationID", &op), ("token", token)],
                body.to_string(),
            )
            .await;
        assert_eq!(status, 200, "{path}: {env}");
        env
    }

    /// [`TestApp::chatx`] with each of `bodies`, all in flight at once; the envelopes in order.
    pub async fn chatx_all(&self, path: &str, token: &str, bodies: Vec<Value>) -> Vec<Value> {
        futures_util::future::join_all(bodies.into_iter().map(|b| self.chatx(path, token, b))).await
    }

    /// Like [`TestApp::chatx`], but asserts success and returns `data`.
    pub async fn chatx_ok(&self, path: &str, token: &str, body: Value) -> Value {
        let env = self.chatx(path, token, body).await;
        assert_eq!(env["errCode"], 0, "{path}: {env}");
        env.get("data").cloned().unwrap_or(Value::Null)
    }

    pub async fn register(&self) -> User {
        let account = unique("u");
        let password = "secret-pass".to_owned();
        let data = self
            .chatx_ok(
                "/chatx/account/register",
                "",
                json!({"account": account, "password": password, "nickname": format!("nick {account}"), "faceURL": format!("https://cdn.example.com/{account}.png")}),
            )
            .await;
        User {
            user_id: data["userID"].as_str().unwrap().to_owned(),
            token: data["token"].as_str().unwrap().to_owned(),
            account,
            password,
        }
    }

    pub async fn add_post(&self, user: &User, content: &str) -> String {
        let data = self
            .chatx_ok(
                "/chatx/moments/post/add",
                &user.token,
                json!({"content": content, "images": []}),
            )
            .await;
        data["post"]["postID"].as_str().unwrap().to_owned()
    }
}
