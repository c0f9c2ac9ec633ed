//! What the nobase API answers beside its records ([`crate::model`]).

use serde::Serialize;

use crate::model::Post;

/// A post as the detail endpoint shows it: with whether the caller likes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PostView {
    #[serde(flatten)]
    pub post: Post,
    pub liked: bool,
}
