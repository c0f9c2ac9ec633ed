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

pub use items::bulk;
pub use model::*;
pub use store::{ChatxStore, Page};
pub use view::*;

use serde::Deserialize;
use shared::auth::Audience;
use shared::{AppError, AppState};

/// The audience of chatx tokens: a token of another surface is refused here.
pub const AUDIENCE: Audience = Audience::new("chatx");

/// chatx's own settings, from its environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatxSettings {
    /// `CHATX_LIKE_SHARDS`: the like-count shards a post gets when it turns hot (1 to 50;
    /// 1 = never shard: a hot post's likes queue on its one counter, docs/chatx.md).
    pub like_shards: u32,
}

impl ChatxSettings {
    pub const DEFAULT_LIKE_SHARDS: i64 = 10;

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, shared::config::ConfigError> {
        let shards = shared::config::setting(lookup, "CHATX_LIKE_SHARDS", Self::DEFAULT_LIKE_SHARDS, 1..=50)?;
        Ok(Self {
            like_shards: u32::try_from(shards).unwrap_or(1),
        })
    }

    /// The settings of this container, read once; a value out of range stops the function loudly.
    pub fn get() -> Self {
        static SETTINGS: std::sync::OnceLock<ChatxSettings> = std::sync::OnceLock::new();
        *SETTINGS.get_or_init(|| {
            Self::from_lookup(|name| std::env::var(name).ok()).unwrap_or_else(|e| panic!("chatx settings: {e}"))
        })
    }
}

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
