//! The local stack: the table, HTTP routes and WebSocket API of `template.yaml`, served by every
//! function's real handler against a DynamoDB API server. `make dev` runs it; the end-to-end
//! tests embed it (and talk to its WebSocket API with [`client::Socket`]).

pub mod client;
pub mod gateway;
pub mod iam;
pub mod socket;
pub mod static_files;
pub mod streams;

pub use gateway::Gateway;
pub use stack::{Template, bucket, table, template, template_path};

/// Every function of every surface, for the gateway to mount.
pub fn all_functions() -> Vec<shared::lambda::Function> {
    [
        chatx::functions(), // one line per surface
        nobase::functions(),
        weifchat::functions(),
        info::functions(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Every function on the table's stream, for the gateway to feed.
pub fn all_stream_functions() -> Vec<shared::lambda::StreamFunction> {
    let mut functions = upkeep::stream_functions();
    functions.extend(weifchat::stream_functions());
    functions
}

/// Every WebSocket authorizer function, for the gateway to call before `$connect`.
pub fn all_authorizer_functions() -> Vec<shared::lambda::AuthorizerFunction> {
    weifchat::authorizer_functions()
}
