//! The chatx surface: one Lambda function per endpoint (see `src/bin/`), all in the OpenIM
//! style (`POST`, JSON body, `operationID` + `token` headers, `{errCode, errMsg, errDlt, data}`,
//! rendered in [`wire`]). The crate owns the whole surface: keys, model, items, store, views.
//! Handlers are library code so the Lambda binaries, the local gateway and the tests run the
//! very same function.

pub mod accounts;
pub mod comments;
mod items;
pub mod keys;
pub mod likes;
pub mod limits;
pub mod model;
pub mod posts;
mod store;
pub mod users;
pub mod view;
pub mod wire;

pub use model::*;
pub use store::{ChatxStore, Page};
pub use view::*;

use serde::Deserialize;
use shared::auth::Audience;
use shared::{AppError, AppState};

/// The audience of chatx tokens: a token of another surface is refused here.
pub const AUDIENCE: Audience = Audience::new("chatx");

/// The chatx store, from the container state.
pub trait ChatxState {
    fn chatx(&self) -> ChatxStore<'_>;
}

impl ChatxState for AppState {
    fn chatx(&self) -> ChatxStore<'_> {
        ChatxStore::new(&self.store)
    }
}

/// The body of a listing under one post (likes, comments): `{postID, cursor?, count?}`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct PostPageBody {
    #[serde(rename = "postID")]
    post_id: String,
    cursor: String,
    count: Option<i64>,
}

/// A validated [`PostPageBody`].
struct PostPage {
    post_id: String,
    cursor: String,
    size: PageSize,
}

impl PostPageBody {
    fn parse(self) -> Result<PostPage, AppError> {
        Ok(PostPage {
            post_id: shared::ids::parse_id(&self.post_id, "postID", "postID is required")?,
            cursor: self.cursor,
            size: PageSize::parse(self.count)?,
        })
    }
}

shared::functions! {
    "chatx";
    "chatx-account-register" => accounts::register,
    "chatx-account-login" => accounts::login,
    "chatx-user-get" => users::get,
    "chatx-user-update" => users::update,
    "chatx-moments-post-add" => posts::add,
    "chatx-moments-post-get" => posts::get,
    "chatx-moments-post-delete" => posts::delete,
    "chatx-moments-post-list" => posts::list,
    "chatx-moments-like" => likes::like,
    "chatx-moments-like-list" => likes::list,
    "chatx-moments-comment-add" => comments::add,
    "chatx-moments-comment-list" => comments::list,
    "chatx-moments-comment-delete" => comments::delete,
}

#[cfg(test)]
mod tests;
