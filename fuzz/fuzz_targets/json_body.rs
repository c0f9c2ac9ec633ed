//! JSON bodies: the platform's reader (`shared::http::json_body`, every chatx route) into a loose
//! value and into a chatx-shaped body with its validated types, and info's `Input` with every
//! body it parses. Never a panic, never an internal error; what the reader accepts was declared
//! JSON (or blank) and has no top-level `null`.
//!
//! Input: line 1 the content type (empty: none), then the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use serde_json::Value;
use shared::http;
use social_fuzz::{client_error, lines, request};

/// The shapes chatx's bodies take (strings, an optional number, a list of strings).
#[derive(Deserialize, Default)]
#[serde(default)]
struct ChatxBody {
    account: String,
    password: String,
    nickname: String,
    content: String,
    images: Vec<String>,
    count: Option<i64>,
}

fuzz_target!(|data: &[u8]| {
    let ([content_type], body) = lines::<1>(data);
    let req = request("", &content_type, body);

    let value = http::json_body::<Value>(&req);
    client_error(&value);
    if let Ok(value) = value {
        if body.iter().all(u8::is_ascii_whitespace) {
            assert_eq!(value, serde_json::json!({}), "a blank body reads as {{}}");
        } else {
            assert!(http::declares_json(&req), "only a body declared JSON is read");
        }
        if let Value::Object(fields) = &value {
            assert!(fields.values().all(|v| !v.is_null()), "a null field reads as absent");
        }
    }

    let typed = http::json_body::<ChatxBody>(&req);
    client_error(&typed);
    if let Ok(b) = typed {
        client_error(&chatx::Account::parse(&b.account));
        client_error(&chatx::Password::parse(b.password));
        client_error(&chatx::Nickname::parse(&b.nickname));
        client_error(&chatx::PostBody::parse(&b.content, &b.images));
        client_error(&chatx::CommentText::parse(&b.content));
        client_error(&chatx::PageSize::parse(b.count));
    }

    let input = info::wire::Input::from_request(&req);
    client_error(&input);
    if let Ok(input) = input {
        use info::request::*;
        client_error(&input.parse::<Registration>());
        client_error(&input.parse::<Login>());
        client_error(&input.parse::<NewCategory>());
        client_error(&input.parse::<CategoryEdit>());
        client_error(&input.parse::<InfoDraft>());
        client_error(&input.parse::<info::InfoFields>());
        client_error(&input.parse::<info::FeedDraft>());
        client_error(&input.parse::<NewUpload>());
    }
});
