//! Accounts: register, credentials, users, abilities and verifications.

use std::collections::HashMap;

use super::InfoStore;
use crate::items::{AccountItem, UserItem, Verification};
use crate::keys::{self as k, attr, counter, entity};
use crate::model::name_key;
use shared::clock;
use shared::error::AppError;
use shared::store::n;
use shared::store::write::{Change, put_new};

impl InfoStore<'_> {
    /// Registers `name` (unique, case-insensitively) with a password hash; the user gets the
    /// next user ID. Cost: 1 UpdateItem (the ID) + 1 TransactWriteItems.
    #[tracing::instrument(skip_all)]
    pub async fn register(&self, name: &str, password_hash: String) -> Result<UserItem, AppError> {
        let id = self.next_id(counter::USER).await?;
        let now = clock::now_ms();
        let key = k::account(&name_key(name));
        let account = AccountItem {
            pk: key.pk,
            sk: key.sk,
            entity: entity::ACCOUNT.into(),
            name: name.into(),
            user_id: id,
            password_hash,
            created_at: now,
        };
        let user = UserItem::new(id, name, now);
        let tx = vec![
            put_new(self.table(), serde_dynamo::to_item(account)?)?,
            put_new(self.table(), serde_dynamo::to_item(&user)?)?,
        ];
        match self.store.transact(tx).await? {
            Ok(()) => Ok(user),
            Err(c) if c.condition_failed(0) => Err(AppError::invalid("name", "The name has already been taken.")),
            Err(c) => Err(AppError::internal(format!("register cancelled: {c:?}"))),
        }
    }

    /// The account of a login name. Cost: 1 GetItem (consistent).
    #[tracing::instrument(skip_all)]
    pub async fn account(&self, name: &str) -> Result<Option<AccountItem>, AppError> {
        self.store.get(&k::account(&name_key(name)), true).await
    }

    /// Cost: 1 GetItem.
    #[tracing::instrument(skip(self))]
    pub async fn user(&self, id: u64, consistent: bool) -> Result<Option<UserItem>, AppError> {
        self.store.get(&k::user(id), consistent).await
    }

    /// The users of `ids` that exist. Cost: 1 BatchGetItem per 100.
    #[tracing::instrument(skip_all)]
    pub async fn users(&self, ids: impl IntoIterator<Item = u64>) -> Result<HashMap<u64, UserItem>, AppError> {
        let keys: Vec<_> = ids.into_iter().map(k::user).collect();
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let items = self.store.batch_get(&keys, false).await?;
        Ok(serde_dynamo::from_items::<_, UserItem>(items)?
            .into_iter()
            .map(|u| (u.id, u))
            .collect())
    }

    /// Grants (or revokes) `ability` to user `id`; idempotent. Cost: 1 UpdateItem.
    #[tracing::instrument(skip(self))]
    pub async fn set_ability(&self, id: u64, ability: &str, grant: bool) -> Result<UserItem, AppError> {
        let change = Change::new(k::user(id)).when_exists();
        let change = if grant {
            change.add_to_set(attr::ABILITIES, ability)
        } else {
            change.delete_from_set(attr::ABILITIES, ability)
        };
        self.update_user(change).await
    }

    /// Sets (or removes) a user's verification. Cost: 1 UpdateItem.
    #[tracing::instrument(skip(self, verification))]
    pub async fn set_verification(&self, id: u64, verification: Option<Verification>) -> Result<UserItem, AppError> {
        let value = verification.map(serde_dynamo::to_attribute_value).transpose()?;
        let change = Change::new(k::user(id))
            .when_exists()
            .set_or_remove(attr::VERIFICATION, value)
            .set(attr::UPDATED_AT, n(clock::now_ms()));
        self.update_user(change).await
    }

    async fn update_user(&self, change: Change) -> Result<UserItem, AppError> {
        self.update_returning(change, AppError::not_found("User not found."))
            .await
    }
}
