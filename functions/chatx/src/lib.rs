//! The chatx surface: one Lambda function per endpoint (see `src/bin/`), all in the OpenIM
//! style (`POST`, JSON body, `operationID` + `token` headers, `{errCode, errMsg, errDlt, data}`).
//! Handlers are library code so the Lambda binaries, the local gateway and the tests run the
//! very same function.

pub mod accounts;
pub mod comments;
pub mod likes;
pub mod posts;
pub mod users;

use serde::Deserialize;
use shared::AppError;
use shared::chatx::PageSize;

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
