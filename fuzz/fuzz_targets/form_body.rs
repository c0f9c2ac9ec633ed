//! Parameters of the form-style surfaces: nobase's `Params` (query string, then an
//! `x-www-form-urlencoded` or JSON body) and weifChat's body `Params` (JSON or form, `photos` a
//! list). Never a panic, never an internal error. nobase: every pair of a form body is a
//! parameter (the last of a name wins), read back as sent.
//!
//! Input: line 1 the content type, line 2 the query string, then the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use social_fuzz::{client_error, lines, ready, request};
use weifchat::wire::{Failure, Params, Route};

const BODY: Route = Route::body(Failure::Msg("失败")).lists(&["photos"]);

fuzz_target!(|data: &[u8]| {
    let ([content_type, query], body) = lines::<2>(data);
    let req = request(&query, &content_type, body);

    if let Ok(params) = nobase::Params::from_request(&req) {
        let form = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded");
        if form && !body.iter().all(u8::is_ascii_whitespace) {
            let mut last = std::collections::HashMap::new();
            for (name, value) in form_urlencoded::parse(body) {
                last.insert(name.into_owned(), value.into_owned());
            }
            for (name, value) in &last {
                let expected = Some(value.as_str()).filter(|v| !v.trim().is_empty());
                assert_eq!(params.raw(name), expected, "form field {name:?}");
            }
        }
    }

    let params = ready(Params::read(&req, &BODY));
    client_error(&params);
    if let Ok(params) = params {
        // weifChat's field rules answer a list of field errors (no internal error is possible).
        let photos = params.text("photos");
        let _ = weifchat::model::photos(photos);
        let _ = weifchat::model::space_content(params.text("text"), photos);
        let _ = weifchat::model::birthday(params.text("birthday"), 1_700_000_000_000);
        let _ = weifchat::model::color(params.text("color"));
        let _ = weifchat::model::desired_like(params.get("isLike"));
    }
});
