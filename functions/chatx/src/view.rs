//! What the chatx API answers beside its records ([`crate::model`]): the shapes that join a
//! record with the public profile of the user behind it.

use serde::Serialize;

use crate::model::{Comment, Profile};

/// The part of a profile shown beside a comment or a like.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicProfile {
    #[serde(rename = "userID")]
    pub user_id: String,
    pub nickname: String,
    #[serde(rename = "faceURL")]
    pub face_url: String,
}

impl PublicProfile {
    /// The profile of `user_id` from `profile`, or an empty one when the user is gone.
    pub fn of(user_id: &str, profile: Option<&Profile>) -> Self {
        match profile {
            Some(p) => Self {
                user_id: p.user_id.clone(),
                nickname: p.nickname.clone(),
                face_url: p.face_url.clone(),
            },
            None => Self {
                user_id: user_id.to_owned(),
                nickname: String::new(),
                face_url: String::new(),
            },
        }
    }
}

/// A comment as the API shows it: the comment and its author's public profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommentView {
    #[serde(flatten)]
    pub comment: Comment,
    pub commenter: PublicProfile,
}

/// A like as the API shows it: who liked, with their public profile, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LikeView {
    #[serde(flatten)]
    pub user: PublicProfile,
    #[serde(rename = "createTime")]
    pub create_time: i64,
}
