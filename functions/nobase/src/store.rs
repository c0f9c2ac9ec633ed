//! nobase store operations. Every write states what must be true; the outcome of a failed
//! transaction is read from its cancellation reasons, never from a read first. Request costs are
//! listed per operation in `docs/data-model.md`.
//!
//! The operator's functions (create and change developers, apps, boards, posts, user statuses)
//! are used by `tools/admin`; the rest by the functions.

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};

use super::items::{AppItem, BoardItem, DeveloperItem, LikeItem, PostItem, UserItem};
use super::model::{
    AccountRange, App, AppStatus, Board, Date, Developer, DeveloperStatus, Post, PostStatus, User, UserStatus,
};
use super::refusal::{NobaseError, Refusal};
use super::view::PostView;
use crate::keys::{self as k, attr};
use shared::error::AppError;
use shared::ids;
use shared::keys::{self, Key};
use shared::store::query::Query;
use shared::store::write::Change;
use shared::store::{Item, Store, n, s};

/// A user and their password hash.
pub type UserAndHash = (User, String);

/// What [`NobaseStore::gate_items`] found.
#[derive(Debug, Default)]
pub struct GateItems {
    pub app: Option<App>,
    pub developer: Option<Developer>,
    pub user: Option<UserAndHash>,
}

/// An app's stored configuration, or [`Refusal::AppBroken`] when it can't be used (the reason
/// goes to the logs).
fn parse_app(appid: &str, item: Item) -> Result<App, NobaseError> {
    serde_dynamo::from_item::<_, AppItem>(item)
        .map_err(|e| e.to_string())
        .and_then(AppItem::into_app)
        .map_err(|why| {
            tracing::warn!(appid, reason = %why, "app configuration is broken");
            Refusal::AppBroken.into()
        })
}

pub struct NobaseStore<'a> {
    store: &'a Store,
}

/// What an operator changes on an app; `None` leaves a field as it is.
#[derive(Debug, Default, Clone)]
pub struct AppChange {
    pub name: Option<String>,
    pub developer_id: Option<String>,
    pub status: Option<AppStatus>,
    pub token_mode: Option<bool>,
    pub accounts: Option<AccountRange>,
    pub post_review: Option<bool>,
    pub signature_digest: Option<String>,
}

/// What an operator changes on a developer; `None` leaves a field as it is.
#[derive(Debug, Default, Clone)]
pub struct DeveloperChange {
    pub name: Option<String>,
    pub status: Option<DeveloperStatus>,
    pub vip_until: Option<Date>,
}

impl<'a> NobaseStore<'a> {
    pub fn new(store: &'a Store) -> Self {
        Self { store }
    }

    fn table(&self) -> &str {
        self.store.table()
    }

    /// Sets `fields` on the existing item at `key` and returns it as it is now; `missing` when
    /// there is no such item. Cost: 1 UpdateItem.
    async fn set(
        &self,
        key: &Key,
        fields: Vec<(&'static str, AttributeValue)>,
        missing: impl Into<shared::error::Msg>,
    ) -> Result<Item, NobaseError> {
        if fields.is_empty() {
            return self
                .store
                .get_item(key, true)
                .await?
                .ok_or_else(|| AppError::not_found(missing).into());
        }
        let change = fields
            .into_iter()
            .fold(Change::new(key.clone()).when_exists(), |change, (name, value)| {
                change.set(name, value)
            });
        Ok(change.update_or(self.store, AppError::not_found(missing)).await?)
    }

    /// Runs `tx`; a failed condition of item `i` becomes `on_failed(i)` (the first such item
    /// that `on_failed` names); any other cancellation is a fault.
    async fn transact(
        &self,
        tx: Vec<TransactWriteItem>,
        what: &str,
        on_failed: impl Fn(usize) -> Option<NobaseError>,
    ) -> Result<(), NobaseError> {
        let len = tx.len();
        let Err(cancelled) = self.store.transact(tx).await? else {
            return Ok(());
        };
        match (0..len).find_map(|i| cancelled.condition_failed(i).then(|| on_failed(i)).flatten()) {
            Some(err) => Err(err),
            None => Err(AppError::internal(format!("{what} cancelled: {cancelled:?}")).into()),
        }
    }

    /// Writes a new item at `key`; `Ok(false)` when an item with its key exists.
    /// Cost: 1 PutItem.
    async fn create(&self, key: Key, item: Item) -> Result<bool, NobaseError> {
        let written = Change::new(key).when_absent(keys::PK).put(self.store, item).await?;
        Ok(written.applied())
    }

    // ---- developers (operator) ----

    /// Cost: 1 PutItem.
    #[tracing::instrument(skip_all, fields(developer_id = %d.developer_id))]
    pub async fn create_developer(&self, d: &Developer) -> Result<(), NobaseError> {
        let item = serde_dynamo::to_item(DeveloperItem::new(d))?;
        if self.create(k::developer(&d.developer_id), item).await? {
            Ok(())
        } else {
            Err(AppError::conflict(format!("developer {} exists", d.developer_id)).into())
        }
    }

    /// Cost: 1 GetItem.
    #[tracing::instrument(skip(self))]
    pub async fn developer(&self, developer_id: &str) -> Result<Option<Developer>, NobaseError> {
        if !ids::is_valid_id(developer_id) {
            return Ok(None);
        }
        match self.store.get_item(&k::developer(developer_id), true).await? {
            Some(item) => Ok(Some(
                serde_dynamo::from_item::<_, DeveloperItem>(item)?.into_developer(),
            )),
            None => Ok(None),
        }
    }

    /// Cost: 1 UpdateItem.
    #[tracing::instrument(skip(self, change))]
    pub async fn update_developer(
        &self,
        developer_id: &str,
        change: DeveloperChange,
    ) -> Result<Developer, NobaseError> {
        let mut fields = Vec::new();
        if let Some(name) = change.name {
            fields.push((attr::NAME, s(name)));
        }
        if let Some(status) = change.status {
            fields.push((attr::STATUS, s(status.as_str())));
        }
        if let Some(date) = change.vip_until {
            fields.push((attr::VIP_UNTIL, s(date.to_string())));
        }
        let missing = format!("no developer {developer_id}");
        if !ids::is_valid_id(developer_id) {
            return Err(AppError::not_found(missing).into());
        }
        let item = self.set(&k::developer(developer_id), fields, missing).await?;
        Ok(serde_dynamo::from_item::<_, DeveloperItem>(item)?.into_developer())
    }

    // ---- apps ----

    /// Creates an app of an existing developer. Cost: 1 TransactWriteItems.
    #[tracing::instrument(skip_all, fields(appid = %app.appid, developer_id = %app.developer_id))]
    pub async fn create_app(&self, app: &App) -> Result<(), NobaseError> {
        let tx = vec![
            self.store.check_exists(&k::developer(&app.developer_id))?,
            self.store.put_new(serde_dynamo::to_item(AppItem::new(app))?)?,
        ];
        self.transact(tx, "app create", |i| {
            Some(match i {
                0 => AppError::not_found(format!("no developer {}", app.developer_id)).into(),
                _ => AppError::conflict(format!("app {} exists", app.appid)).into(),
            })
        })
        .await
    }

    /// The app's configuration: `None` when there is no such app, [`Refusal::AppBroken`] when
    /// its stored configuration can't be used (the reason goes to the logs). Cost: 1 GetItem.
    #[tracing::instrument(skip(self))]
    pub async fn app(&self, appid: &str) -> Result<Option<App>, NobaseError> {
        if !ids::is_valid_id(appid) {
            return Ok(None);
        }
        match self.store.get_item(&k::app(appid), true).await? {
            Some(item) => parse_app(appid, item).map(Some),
            None => Ok(None),
        }
    }

    /// Changes an app's configuration. A new developer must exist. Cost: 1 UpdateItem (+ 1
    /// GetItem when the developer changes).
    #[tracing::instrument(skip(self, change))]
    pub async fn update_app(&self, appid: &str, change: AppChange) -> Result<App, NobaseError> {
        let mut fields = Vec::new();
        if let Some(name) = change.name {
            fields.push((attr::NAME, s(name)));
        }
        if let Some(developer_id) = change.developer_id {
            if self.developer(&developer_id).await?.is_none() {
                return Err(AppError::not_found(format!("no developer {developer_id}")).into());
            }
            fields.push((attr::DEVELOPER_ID, s(developer_id)));
        }
        if let Some(status) = change.status {
            fields.push((attr::STATUS, s(status.as_str())));
        }
        if let Some(on) = change.token_mode {
            fields.push((attr::TOKEN_MODE, AttributeValue::Bool(on)));
        }
        if let Some(range) = change.accounts {
            fields.push((attr::ACCOUNT_MIN, n(range.min().into())));
            fields.push((attr::ACCOUNT_MAX, n(range.max().into())));
        }
        if let Some(on) = change.post_review {
            fields.push((attr::POST_REVIEW, AttributeValue::Bool(on)));
        }
        if let Some(digest) = change.signature_digest {
            fields.push((attr::SIGNATURE_HASH, s(digest)));
        }
        let missing = format!("no app {appid}");
        if !ids::is_valid_id(appid) {
            return Err(AppError::not_found(missing).into());
        }
        let item = self.set(&k::app(appid), fields, missing).await?;
        serde_dynamo::from_item::<_, AppItem>(item)?
            .into_app()
            .map_err(|why| AppError::internal(format!("app {appid} is now unusable: {why}")).into())
    }

    // ---- boards (operator) ----

    /// Creates a board in an existing app. Cost: 1 TransactWriteItems.
    #[tracing::instrument(skip_all, fields(appid = %board.appid, uid = %board.uid))]
    pub async fn create_board(&self, board: &Board) -> Result<(), NobaseError> {
        let tx = vec![
            self.store.check_exists(&k::app(&board.appid))?,
            self.store.put_new(serde_dynamo::to_item(BoardItem::new(board))?)?,
        ];
        self.transact(tx, "board create", |i| {
            Some(match i {
                0 => AppError::not_found(format!("no app {}", board.appid)).into(),
                _ => AppError::conflict(format!("board {} exists in app {}", board.uid, board.appid)).into(),
            })
        })
        .await
    }

    /// Every board of an app, in `uid` order. Cost: 1 Query per 1 MB.
    #[tracing::instrument(skip(self))]
    pub async fn boards(&self, appid: &str) -> Result<Vec<Board>, NobaseError> {
        let boards = Query::table(k::app_partition(appid))
            .begins_with(k::BOARD_PREFIX)
            .all_as::<BoardItem>(self.store)
            .await?;
        Ok(boards.into_iter().map(BoardItem::into_board).collect())
    }

    // ---- users ----

    /// Creates a user; an account taken in this app is [`Refusal::AccountTaken`].
    /// Cost: 1 PutItem.
    #[tracing::instrument(skip_all, fields(appid = %user.appid, user_id = %user.user_id))]
    pub async fn register(&self, user: &User, password_hash: String) -> Result<(), NobaseError> {
        let item = serde_dynamo::to_item(UserItem::new(user, password_hash))?;
        if self.create(k::user(&user.appid, &user.account), item).await? {
            Ok(())
        } else {
            Err(Refusal::AccountTaken.into())
        }
    }

    /// A user and their password hash. Cost: 1 GetItem.
    #[tracing::instrument(skip(self))]
    pub async fn user(&self, appid: &str, account: &str) -> Result<Option<UserAndHash>, NobaseError> {
        match self.store.get_item(&k::user(appid, account), true).await? {
            Some(item) => Ok(Some(serde_dynamo::from_item::<_, UserItem>(item)?.into_user())),
            None => Ok(None),
        }
    }

    /// Cost: 1 UpdateItem.
    #[tracing::instrument(skip(self))]
    pub async fn set_user_status(&self, appid: &str, account: &str, status: UserStatus) -> Result<User, NobaseError> {
        let missing = format!("no user {account} in app {appid}");
        let fields = vec![(attr::STATUS, s(status.as_str()))];
        let item = self.set(&k::user(appid, account), fields, missing).await?;
        Ok(serde_dynamo::from_item::<_, UserItem>(item)?.into_user().0)
    }

    /// A developer and, when `user` names one, a user with their password hash, read together.
    /// Cost: 1 BatchGetItem (consistent).
    #[tracing::instrument(skip(self))]
    pub async fn developer_and_user(
        &self,
        developer_id: &str,
        user: Option<(&str, &str)>,
    ) -> Result<(Option<Developer>, Option<UserAndHash>), NobaseError> {
        let read = self.gate_items(None, developer_id, user).await?;
        Ok((read.developer, read.user))
    }

    /// What a request's checks read, together: the app when `appid` names one, the developer,
    /// and the user (appid, account) when named. Token mode's checks know all three from the
    /// token before reading anything, so its requests read them in one request instead of two
    /// in a row (docs/nobase.md). Cost: 1 BatchGetItem (consistent).
    #[tracing::instrument(skip(self))]
    pub async fn gate_items(
        &self,
        appid: Option<&str>,
        developer_id: &str,
        user: Option<(&str, &str)>,
    ) -> Result<GateItems, NobaseError> {
        let appid = appid.filter(|a| ids::is_valid_id(a));
        let mut keys: Vec<Key> = appid.map(k::app).into_iter().collect();
        keys.push(k::developer(developer_id));
        keys.extend(user.map(|(appid, account)| k::user(appid, account)));
        let mut read = GateItems::default();
        for item in self.store.batch_get(&keys, true).await? {
            match item.get(keys::ENTITY).and_then(|e| e.as_s().ok()).map(String::as_str) {
                Some(k::entity::APP) => read.app = Some(parse_app(appid.unwrap_or_default(), item)?),
                Some(k::entity::DEVELOPER) => {
                    read.developer = Some(serde_dynamo::from_item::<_, DeveloperItem>(item)?.into_developer());
                }
                Some(k::entity::USER) => {
                    read.user = Some(serde_dynamo::from_item::<_, UserItem>(item)?.into_user());
                }
                other => return Err(AppError::internal(format!("unexpected item of entity {other:?}")).into()),
            }
        }
        Ok(read)
    }

    // ---- posts ----

    /// Adds a post to an existing board ([`Refusal::BoardMissing`] otherwise).
    /// Cost: 1 TransactWriteItems.
    #[tracing::instrument(skip_all, fields(appid = %post.appid, post_id = %post.id))]
    pub async fn add_post(&self, post: &Post) -> Result<(), NobaseError> {
        if !ids::is_valid_id(&post.uid) {
            return Err(Refusal::BoardMissing.into());
        }
        let tx = vec![
            self.store.check_exists(&k::board(&post.appid, &post.uid))?,
            self.store.put_new(serde_dynamo::to_item(PostItem::new(post))?)?,
        ];
        self.transact(tx, "post add", |i| match i {
            0 => Some(Refusal::BoardMissing.into()),
            _ => None, // a new UUIDv7 can't collide; if it did, that is a fault
        })
        .await
    }

    /// A post of an app. Cost: 1 GetItem.
    #[tracing::instrument(skip(self))]
    pub async fn post(&self, appid: &str, post_id: &str) -> Result<Option<Post>, NobaseError> {
        if !ids::is_valid_id(post_id) {
            return Ok(None);
        }
        match self.store.get_item(&k::post(appid, post_id), true).await? {
            Some(item) => Ok(Some(serde_dynamo::from_item::<_, PostItem>(item)?.into_post())),
            None => Ok(None),
        }
    }

    /// Cost: 1 UpdateItem.
    #[tracing::instrument(skip(self))]
    pub async fn set_post_status(&self, appid: &str, post_id: &str, status: PostStatus) -> Result<Post, NobaseError> {
        let missing = format!("no post {post_id} in app {appid}");
        if !ids::is_valid_id(post_id) {
            return Err(AppError::not_found(missing).into());
        }
        let fields = vec![(attr::STATUS, s(status.as_str()))];
        let item = self.set(&k::post(appid, post_id), fields, missing).await?;
        Ok(serde_dynamo::from_item::<_, PostItem>(item)?.into_post())
    }

    /// Post `post_id` of board `uid` as `viewer` sees it: [`Refusal::PostMissing`] when there is
    /// no such post in that board, [`Refusal::PostUnderReview`] when it is under review and not
    /// the viewer's. Cost: 1 BatchGetItem (the post and the viewer's like, consistent).
    #[tracing::instrument(skip(self, viewer), fields(viewer = %viewer.user_id))]
    pub async fn post_view(
        &self,
        appid: &str,
        uid: &str,
        post_id: &str,
        viewer: &User,
    ) -> Result<PostView, NobaseError> {
        if !ids::is_valid_id(uid) || !ids::is_valid_id(post_id) {
            return Err(Refusal::PostMissing.into());
        }
        let like_key = k::like(appid, post_id, &viewer.user_id);
        let items = self
            .store
            .batch_get(&[k::post(appid, post_id), like_key.clone()], true)
            .await?;
        let mut post = None;
        let mut liked = false;
        for item in items {
            if Key::of_item(&item).as_ref() == Some(&like_key) {
                liked = true;
            } else {
                post = Some(serde_dynamo::from_item::<_, PostItem>(item)?.into_post());
            }
        }
        let post = post.filter(|p| p.uid == uid).ok_or(Refusal::PostMissing)?;
        if post.status == PostStatus::Review && post.author_id != viewer.user_id {
            return Err(Refusal::PostUnderReview.into());
        }
        Ok(PostView { post, liked })
    }

    // ---- likes ----

    /// Likes (`like`) or cancels the like of `user_id` on post `post_id` of board `uid`.
    ///
    /// One transaction: the post exists in board `uid`, is not under review, and its
    /// `likeCount` moves by ±1; the like item is created (must be absent) or deleted (must be
    /// present). Which condition failed decides the answer, in this order: no such post in
    /// that board ([`Refusal::PostMissing`]), post under review
    /// ([`Refusal::PostUnderReview`], told apart by the post's old image that the failed
    /// condition returns), then [`Refusal::AlreadyLiked`] / [`Refusal::NotLiked`]. Nothing is read
    /// first, and a refused request changes nothing. Cost: 1 TransactWriteItems.
    #[tracing::instrument(skip(self))]
    pub async fn set_like(
        &self,
        appid: &str,
        uid: &str,
        post_id: &str,
        user_id: &str,
        like: bool,
    ) -> Result<(), NobaseError> {
        if !ids::is_valid_id(uid) || !ids::is_valid_id(post_id) {
            return Err(Refusal::PostMissing.into());
        }
        let delta = if like { 1 } else { -1 };
        // A post that may be liked: in the board the request names, in a normal state. Its old
        // image, on a failed condition, tells "under review" from "missing".
        let bump = Change::new(k::post(appid, post_id))
            .count(attr::LIKE_COUNT, delta)
            .when_exists()
            .when_eq(attr::BOARD, s(uid))
            .when_eq(attr::STATUS, s(PostStatus::Normal.as_str()))
            .into_update_returning_old(self.table())?;
        let change = if like {
            let item = serde_dynamo::to_item(LikeItem::new(appid, post_id, user_id, shared::clock::now_ms()))?;
            self.store.put_new(item)?
        } else {
            self.store.delete_existing(&k::like(appid, post_id, user_id))?
        };
        // No check of the board itself: a post's board is fixed when the post is added (which
        // checks that the board exists) and boards are never deleted, so a post in board `uid`
        // proves the board.
        let tx = vec![bump, change];
        let Err(cancelled) = self.store.transact(tx).await? else {
            return Ok(());
        };
        if cancelled.condition_failed(0) {
            let in_board = cancelled
                .item(0)
                .and_then(|old| old.get(attr::BOARD))
                .and_then(|b| b.as_s().ok())
                .is_some_and(|b| b == uid);
            // The post exists in this board, so it failed on its status.
            return Err(if in_board {
                Refusal::PostUnderReview
            } else {
                Refusal::PostMissing
            }
            .into());
        }
        if cancelled.condition_failed(1) {
            return Err(if like { Refusal::AlreadyLiked } else { Refusal::NotLiked }.into());
        }
        Err(AppError::internal(format!("like cancelled: {cancelled:?}")).into())
    }
}
