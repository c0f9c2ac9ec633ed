//! The nobase BBS surface: one Lambda function per endpoint (see `src/bin/`), all in nobase's
//! style (`GET`/`POST`, parameters in the query string, a form or a JSON body; HTTP 200 with
//! `{code, msg, data}`). The checks every endpoint shares, and their order, are in
//! `crate::wire`; handlers here only add their own parameters and their work.

pub mod gate;
mod items;
pub mod keys;
pub mod likes;
pub mod limits;
pub mod model;
pub mod posts;
mod refusal;
mod store;
pub mod users;
pub mod view;
pub mod wire;

pub use gate::{Identity, Session};
pub use model::*;
pub use refusal::{NobaseError, Refusal};
pub use store::{AppChange, DeveloperChange, NobaseStore};
pub use view::PostView;
pub use wire::{Endpoint, Params};

use shared::AppState;
use shared::auth::Audience;

/// The audience of nobase tokens: a token of another surface is refused here.
pub const AUDIENCE: Audience = Audience::new("nobase");

/// The nobase store, from the container state.
pub trait NobaseState {
    fn nobase(&self) -> NobaseStore<'_>;
}

impl NobaseState for AppState {
    fn nobase(&self) -> NobaseStore<'_> {
        NobaseStore::new(&self.store)
    }
}

shared::functions! {
    "nobase";
    "nobase-bbs-post-like" => likes::post_like,
    "nobase-bbs-post-add" => posts::add,
    "nobase-bbs-post-detail" => posts::detail,
    "nobase-user-register" => users::register,
    "nobase-user-login" => users::login,
}

#[cfg(test)]
mod tests;
