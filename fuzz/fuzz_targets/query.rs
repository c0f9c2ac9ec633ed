//! Query strings: parsed as lambda_http parses an HTTP API's `rawQueryString`, then info's
//! `Input` (PHP's `a[]=` lists) with every query it validates, nobase's `Params`, and weifChat's
//! query `Params` with its paging rules. Never a panic, never an internal error; info's fields
//! hold no blank value and no untrimmed string.
//!
//! Input: the query string (without `?`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use social_fuzz::{client_error, ready, request};
use weifchat::wire::{Failure, Params, Route};

const QUERY: Route = Route::query(Failure::Msg("失败"));

fn trimmed(v: &Value) -> bool {
    match v {
        Value::String(s) => s.trim() == s,
        Value::Array(items) => items.iter().all(trimmed),
        Value::Object(map) => map.values().all(trimmed),
        _ => true,
    }
}

fuzz_target!(|data: &[u8]| {
    let query = String::from_utf8_lossy(data);
    let req = request(&query, "", b"");

    let input = info::wire::Input::from_request(&req);
    client_error(&input);
    if let Ok(input) = input {
        for (name, _) in input.query() {
            let name = name.strip_suffix("[]").unwrap_or(name);
            if let Some(v) = input.get(name) {
                assert!(trimmed(v), "{name}: untrimmed {v}");
                assert!(!matches!(v, Value::String(s) if s.is_empty()), "{name}: blank");
            }
        }
        use info::request::*;
        client_error(&input.parse::<info::ListQuery>());
        client_error(&input.parse::<info::CommentQuery>());
        client_error(&input.parse::<CategoryQuery>());
        client_error(&input.parse::<CategoryListQuery>());
        client_error(&input.parse::<InfoQuery>());
    }

    let _ = nobase::Params::from_request(&req);

    let params = ready(Params::read(&req, &QUERY));
    client_error(&params);
    if let Ok(params) = params {
        let _ = weifchat::model::page_num(params.text("pageNum"));
        let _ = weifchat::model::history_page(params.text("page"));
        let _ = weifchat::model::seen_seq(params.text("seq"));
        let _ = weifchat::model::chat_type(params.text("type"));
    }
});
