//! Accounts (phone + password hash) and users (the profile others see).

use super::WeifStore;
use crate::items::{AccountItem, User, UserItem, WaifCodeItem};
use crate::keys::{self as k, attr};
use aws_sdk_dynamodb::types::AttributeValue;
use shared::error::AppError;
use shared::keys;
use shared::store::Item;
use shared::store::s;
use shared::store::write::{Change, Written};

/// How many times a register draws a new WaiFCode after a collision (1 in 10^10 each).
const CODE_ATTEMPTS: usize = 5;

/// A new user (its WaiFCode is drawn by [`WeifStore::register`]) and its password hash.
#[derive(Debug, Clone)]
pub struct Registration {
    pub user: User,
    pub password_hash: String,
}

/// What a profile update sets: `nick` and `sex` always, the rest when given.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub nick: String,
    pub sex: String,
    pub birthday: Option<String>,
    pub sign: Option<String>,
    pub img_url: Option<String>,
}

/// A new WaiFCode: `WaiFCode_` and ten random digits. (The original derived it from the phone
/// number, which showed the phone to anyone who saw the code.)
pub fn new_waif_code() -> String {
    format!("WaiFCode_{:010}", rand::random_range(0..10_000_000_000u64))
}

impl WeifStore {
    /// Creates the account, the user and its WaiFCode in one transaction: a taken phone is
    /// `该用户已注册` (whatever the concurrency); a taken WaiFCode is drawn again.
    /// Cost: 1 TransactWriteItems (+1 per redraw).
    #[tracing::instrument(skip_all, fields(user_id = %reg.user.id))]
    pub async fn register(&self, reg: Registration) -> Result<User, AppError> {
        let mut user = reg.user;
        for _ in 0..CODE_ATTEMPTS {
            user.waif_code = new_waif_code();
            let tx = vec![
                self.put_new(AccountItem::new(
                    &user.phone,
                    &user.id,
                    reg.password_hash.clone(),
                    user.created_at,
                ))?,
                self.put_new(UserItem::new(&user))?,
                self.put_new(WaifCodeItem::new(&user.waif_code, &user.id))?,
            ];
            match self.store.transact(tx).await? {
                Ok(()) => return Ok(user),
                Err(c) if c.condition_failed(0) => return Err(AppError::conflict("该用户已注册")),
                Err(c) if c.condition_failed(2) => continue,
                Err(c) => return Err(AppError::internal(format!("register cancelled: {c:?}"))),
            }
        }
        Err(AppError::internal("no free WaiFCode after several draws"))
    }

    /// The user ID and password hash of a phone's account. Cost: 1 GetItem (consistent).
    #[tracing::instrument(skip_all)]
    pub async fn credentials(&self, phone: &str) -> Result<Option<(String, String)>, AppError> {
        let account: Option<AccountItem> = self.store.get(&k::account(phone), true).await?;
        Ok(account.map(|a| (a.user_id, a.password_hash)))
    }

    /// Cost: 1 GetItem.
    #[tracing::instrument(skip(self))]
    pub async fn user(&self, id: &str) -> Result<Option<User>, AppError> {
        let item: Option<UserItem> = self.store.get(&k::user(id), false).await?;
        Ok(item.map(|i| i.user))
    }

    /// Changes a user's profile (and its place in the nickname index) and returns it. Saving
    /// the profile as it is writes nothing: its version stays, so its copies aren't rewritten
    /// (`copy_profile`). Cost: 1 UpdateItem.
    #[tracing::instrument(skip(self, changes))]
    pub async fn update_user(&self, id: &str, changes: UserChanges) -> Result<User, AppError> {
        let (gpk, gsk) = k::nick_index(&changes.nick, id).ok_or_else(|| AppError::internal("empty nick"))?;
        let mut fields = vec![(attr::NICK, s(changes.nick)), (attr::SEX, s(changes.sex))];
        for (name, value) in [
            (attr::BIRTHDAY, changes.birthday),
            (attr::SIGN, changes.sign),
            (attr::IMG_URL, changes.img_url),
        ] {
            fields.extend(value.map(|v| (name, s(v))));
        }
        let index = [(keys::GSI1_PK, s(gpk)), (keys::GSI1_SK, s(gsk))];
        let item = self.set_profile(id, &fields, &index).await?;
        Ok(serde_dynamo::from_item::<_, UserItem>(item)?.user)
    }

    /// Sets `fields` of user `id`'s profile, and `derived` with them, as a new profile version,
    /// unless every field already has its value: then nothing is written. The user as it is
    /// now; 404 `该用户不存在` when there is none. Cost: 1 UpdateItem.
    pub(super) async fn set_profile(
        &self,
        id: &str,
        fields: &[(&str, AttributeValue)],
        derived: &[(&str, AttributeValue)],
    ) -> Result<Item, AppError> {
        let mut change = Change::new(k::user(id)).when_exists().when_any_differs(fields);
        for (name, value) in fields.iter().chain(derived) {
            change = change.set(name, value.clone());
        }
        match change.add(attr::PROFILE_VERSION, 1).update(&self.store).await? {
            Written::Applied(item) | Written::Refused(Some(item)) => Ok(item),
            Written::Refused(None) => Err(AppError::not_found("该用户不存在")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waif_codes_have_ten_digits() {
        let code = new_waif_code();
        assert_eq!(code.len(), "WaiFCode_".len() + 10, "{code}");
        assert!(code["WaiFCode_".len()..].bytes().all(|b| b.is_ascii_digit()));
    }
}
