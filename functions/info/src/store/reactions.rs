//! Likes, favorites and shares. Each changes its record and the counter it counts in one
//! transaction whose conditions say what must be true; the outcome is read from the
//! cancellation reasons, never from a read first.

use super::InfoStore;
use crate::items::{RelationItem, ShareRewardItem};
use crate::keys::{self as k, Relation, attr, entity};
use shared::clock;
use shared::error::AppError;
use shared::store::write::{Change, put_new};

fn not_found() -> AppError {
    AppError::not_found("Info not found.")
}

impl InfoStore<'_> {
    /// Makes `user`'s like (or favorite) of an info present (`on`) or absent. Idempotent: a
    /// repeat changes nothing and succeeds. The reaction in the info's partition (indexed in
    /// GSI1 under the user's relations, for "my likes") and the info's counter change together:
    /// the counter always equals the number of reactions. A new like needs a published info;
    /// taking one back only an info that is not being deleted. Cost: 1 TransactWriteItems of 2
    /// items (5 write units with the index entry).
    #[tracing::instrument(skip(self))]
    pub async fn set_relation(&self, info: u64, user: u64, relation: Relation, on: bool) -> Result<(), AppError> {
        let table = self.table();
        let counter = match relation {
            Relation::Like => attr::LIKES_COUNT,
            Relation::Favorite => attr::FAVORITES_COUNT,
        };
        let stats = Change::new(k::stats(info)).when_exists().when_absent(attr::PURGING);
        let tx = if on {
            let reaction = RelationItem::new(relation, info, user, clock::now_ms());
            vec![
                put_new(table, serde_dynamo::to_item(reaction)?)?,
                stats
                    .count(counter, 1)
                    .when_absent(attr::DELETED_AT)
                    .into_update(table)?,
            ]
        } else {
            vec![
                Change::new(k::reaction(info, user, relation))
                    .when_exists()
                    .into_delete(table)?,
                stats.count(counter, -1).into_update(table)?,
            ]
        };
        match self.store.transact(tx).await? {
            Ok(()) => Ok(()),
            Err(c) if c.condition_failed(1) => Err(not_found()),
            Err(c) if c.condition_failed(0) => Ok(()), // already in the wanted state
            Err(c) => Err(AppError::internal(format!("{relation:?} cancelled: {c:?}"))),
        }
    }

    /// Counts a share of a published info. A signed-in user's first share of an info earns the
    /// configured points, recorded in their points ledger in the same transaction; the answer
    /// is the points earned, if any. Cost: 1 TransactWriteItems; a later share by the same user
    /// 1 cancelled TransactWriteItems + 1 UpdateItem; an anonymous share 1 UpdateItem.
    #[tracing::instrument(skip(self))]
    pub async fn share(&self, info: u64, sharer: Option<u64>) -> Result<Option<i64>, AppError> {
        let table = self.table();
        let stats = Change::new(k::stats(info))
            .add(attr::SHARES_COUNT, 1)
            .when_exists()
            .when_absent(attr::DELETED_AT)
            .when_absent(attr::PURGING);
        if let Some(user) = sharer.filter(|_| self.share_points > 0) {
            let key = k::share_reward(user, info);
            let reward = ShareRewardItem {
                pk: key.pk,
                sk: key.sk,
                entity: entity::SHARE_REWARD.into(),
                user_id: user,
                info_id: info,
                amount: self.share_points,
                created_at: clock::now_ms(),
            };
            let tx = vec![
                put_new(table, serde_dynamo::to_item(reward)?)?,
                Change::new(k::user(user))
                    .add(attr::POINTS, self.share_points)
                    .when_exists()
                    .into_update(table)?,
                stats.clone().into_update(table)?,
            ];
            match self.store.transact(tx).await? {
                Ok(()) => return Ok(Some(self.share_points)),
                Err(c) if c.condition_failed(2) => return Err(not_found()),
                Err(c) if c.condition_failed(0) || c.condition_failed(1) => {} // rewarded before
                Err(c) => return Err(AppError::internal(format!("share cancelled: {c:?}"))),
            }
        }
        stats.update_or(self.store, not_found()).await?;
        Ok(None)
    }
}
