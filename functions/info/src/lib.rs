//! The info (news) module (seed 004): one Lambda function per endpoint (see `src/bin/`), all in
//! the ThinkSNS Plus REST style (`crate::wire`: status codes, JSON without an envelope,
//! `Authorization: Bearer <token>`, Laravel-style errors). Handlers are library code so the
//! Lambda binaries, the local gateway and the tests run the very same function.

pub mod accounts;
pub mod categories;
pub mod comments;
pub mod infos;
pub mod items;
pub mod keys;
pub mod limits;
pub mod model;
pub mod reactions;
pub mod request;
pub mod storage;
mod store;
pub mod view;
pub mod wire;

pub use model::*;
pub use store::{
    CategoryChange, CommentPage, InfoPage, InfoStore, MAX_CATEGORIES, NewFeed, NewInfo, PageEntry, Viewed,
};

use std::sync::OnceLock;

use shared::auth::{Audience, Caller};
use shared::config::{self, ConfigError};
use shared::error::FieldErrors;
use shared::storage::{FileInfo, Kind, Unusable};
use shared::{AppError, AppState};

use crate::items::UserItem;
use crate::wire::attribute;

/// The audience of info tokens: a token of another surface is refused here.
pub const AUDIENCE: Audience = Audience::new("info");

/// The info module's own settings, from its functions' environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InfoSettings {
    /// `INFO_SHARE_POINTS`: points for a user's first share of an info (`hit-share`), 0 = none.
    pub share_points: i64,
}

impl InfoSettings {
    pub const DEFAULT_SHARE_POINTS: i64 = 2;

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Ok(Self {
            share_points: config::setting(lookup, "INFO_SHARE_POINTS", Self::DEFAULT_SHARE_POINTS, 0..=1_000_000)?,
        })
    }

    /// The settings of this container, read once. The template only passes values in range
    /// (`InfoSharePoints` has `MinValue`/`MaxValue`); anything else stops the function loudly.
    pub fn get() -> Self {
        static SETTINGS: OnceLock<InfoSettings> = OnceLock::new();
        *SETTINGS.get_or_init(|| {
            Self::from_lookup(|name| std::env::var(name).ok()).unwrap_or_else(|e| panic!("info settings: {e}"))
        })
    }
}

/// The info store, from the container state.
pub trait InfoState {
    fn info(&self) -> InfoStore<'_>;
}

impl InfoState for AppState {
    fn info(&self) -> InfoStore<'_> {
        InfoStore::new(&self.store, InfoSettings::get().share_points)
    }
}

/// The signed-in user. A token of a user that no longer exists is refused like a bad token.
async fn signed_in(state: &AppState, caller: &Caller) -> Result<UserItem, AppError> {
    let id = user_id(caller)?;
    state
        .info()
        .user(id, false)
        .await?
        .ok_or(AppError::Unauthenticated(shared::auth::TokenError::Invalid))
}

/// The signed-in user, who must have the `infos:admin` ability.
async fn admin(state: &AppState, caller: &Caller) -> Result<UserItem, AppError> {
    let user = signed_in(state, caller).await?;
    if !user.can(INFOS_ADMIN) {
        return Err(AppError::forbidden(format!(
            "This action needs the {INFOS_ADMIN} ability."
        )));
    }
    Ok(user)
}

/// The signed-in user, if the request carries a token.
async fn viewer(state: &AppState, caller: Option<&Caller>) -> Result<Option<UserItem>, AppError> {
    match caller {
        Some(c) => signed_in(state, c).await.map(Some),
        None => Ok(None),
    }
}

/// Storage nodes a request names, each with the field it came from and the kind it must be.
#[derive(Default)]
struct Files(Vec<(String, String, Kind)>);

impl Files {
    fn want(&mut self, field: impl Into<String>, node: impl Into<String>, kind: Kind) {
        self.0.push((field.into(), node.into(), kind));
    }

    /// Each node described, in the order wanted; a 422 naming every field whose node is unknown,
    /// not uploaded, or of the wrong kind.
    async fn describe(self, state: &AppState) -> Result<Vec<FileInfo>, AppError> {
        if self.0.is_empty() {
            return Ok(Vec::new());
        }
        let nodes: Vec<String> = self.0.iter().map(|(_, n, _)| n.clone()).collect();
        let described = state.storage()?.describe(&nodes).await?;
        let mut errors = FieldErrors::default();
        let mut out = Vec::with_capacity(self.0.len());
        for (field, node, kind) in &self.0 {
            let name = attribute(field);
            match described.get(node) {
                Some(Ok(f)) if f.kind == *kind => out.push(f.clone()),
                Some(Ok(_)) | Some(Err(Unusable::NotAnImage)) => errors.add(
                    field.clone(),
                    match kind {
                        Kind::Image => format!("The {name} must be an image."),
                        Kind::Video => format!("The {name} must be a video."),
                    },
                ),
                Some(Err(Unusable::NotUploaded)) => {
                    errors.add(field.clone(), format!("The {name} has not been uploaded."))
                }
                Some(Err(Unusable::Unknown)) | None => {
                    errors.add(field.clone(), format!("The selected {name} is invalid."))
                }
            }
        }
        errors.into_result()?;
        Ok(out)
    }
}

shared::functions! {
    "info";
    "info-user-register" => accounts::register,
    "info-auth-login" => accounts::login,
    "info-user-me" => accounts::me,
    "info-category-get" => categories::get,
    "info-category-list" => categories::list,
    "info-category-create" => categories::create,
    "info-category-update" => categories::update,
    "info-category-delete" => categories::delete,
    "info-get" => infos::get,
    "info-list" => infos::list,
    "info-create" => infos::create,
    "info-update" => infos::update,
    "info-delete" => infos::delete,
    "info-like" => reactions::like,
    "info-unlike" => reactions::unlike,
    "info-favorite" => reactions::favorite,
    "info-unfavorite" => reactions::unfavorite,
    "info-share" => reactions::share,
    "info-comment-create" => comments::create,
    "info-comment-list" => comments::list,
    "info-comment-list-all" => comments::list_all,
    "info-storage-create" => storage::create,
    "info-storage-get" => storage::get,
}

#[cfg(test)]
mod tests;
