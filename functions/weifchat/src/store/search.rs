//! Search over users and groups without a Scan: exact look-ups by phone, WaiFCode and group
//! number (their unique items), and a bounded prefix search on nicknames and group names (a
//! GSI1 partition per first character, sorted by the lowercased name).

use super::WeifStore;
use crate::items::{AccountItem, Group, GroupItem, GroupNumberItem, User, UserItem, WaifCodeItem, is_entity};
use crate::keys as k;
use crate::model;
use shared::error::AppError;
use shared::keys::Key;
use shared::store::Item;
use shared::store::query::Query;

/// The most prefix matches a search returns of each kind.
pub const SEARCH_LIMIT: usize = 20;

/// Users and groups a keyword finds: exact matches first, then name prefixes.
#[derive(Debug, Clone, Default)]
pub struct SearchHits {
    pub users: Vec<User>,
    pub groups: Vec<Group>,
}

impl WeifStore {
    /// Cost, all at once: 1 GetItem per exact key the keyword could be (phone, WaiFCode,
    /// group number) + 1 Query on GSI1 per name index (≤ 20 items each); then 1 BatchGetItem
    /// for the exact hits.
    #[tracing::instrument(skip_all)]
    pub async fn search(&self, keyword: &str) -> Result<SearchHits, AppError> {
        let keyword = keyword.trim();
        let phone_key = model::phone(keyword).ok().map(|p| k::account(&p));
        let code_key = keyword.starts_with("WaiFCode_").then(|| k::waif_code(keyword));
        let number_key = keyword
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0 && keyword.bytes().all(|b| b.is_ascii_digit()))
            .map(k::group_number);
        // Boxed: side by side, five SDK calls make one ~100 KB future, which an unoptimised
        // build copies on the stack (under the handler's span it overflowed a 2 MB thread).
        let (by_phone, by_code, by_number, nicks, names) = tokio::join!(
            Box::pin(self.get_opt::<AccountItem>(phone_key)),
            Box::pin(self.get_opt::<WaifCodeItem>(code_key)),
            Box::pin(self.get_opt::<GroupNumberItem>(number_key)),
            Box::pin(self.prefix(k::nick_search(keyword))),
            Box::pin(self.prefix(k::group_name_search(keyword))),
        );
        let mut exact: Vec<Key> = [by_phone?.map(|a| a.user_id), by_code?.map(|c| c.user_id)]
            .into_iter()
            .flatten()
            .map(|id| k::user(&id))
            .collect();
        exact.extend(by_number?.map(|g| k::group(&g.group_id)));
        let found = if exact.is_empty() {
            Vec::new()
        } else {
            self.store.batch_get(&exact, false).await?
        };
        let mut hits = SearchHits::default();
        for item in found.iter().chain(nicks?.iter()) {
            if is_entity(item, k::entity::USER) {
                let user = serde_dynamo::from_item::<_, UserItem>(item.clone())?.user;
                if !hits.users.iter().any(|u| u.id == user.id) {
                    hits.users.push(user);
                }
            }
        }
        for item in found.iter().chain(names?.iter()) {
            if is_entity(item, k::entity::GROUP)
                && let Some(group) = serde_dynamo::from_item::<_, GroupItem>(item.clone())?.live()
                && !hits.groups.iter().any(|g| g.id == group.id)
            {
                hits.groups.push(group);
            }
        }
        Ok(hits)
    }

    async fn get_opt<T: serde::de::DeserializeOwned>(&self, key: Option<Key>) -> Result<Option<T>, AppError> {
        match key {
            Some(key) => self.store.get(&key, false).await,
            None => Ok(None),
        }
    }

    /// Up to [`SEARCH_LIMIT`] items of a name index partition whose name starts with `prefix`.
    async fn prefix(&self, index: Option<(String, String)>) -> Result<Vec<Item>, AppError> {
        let Some((partition, prefix)) = index else {
            return Ok(Vec::new());
        };
        Query::gsi1(partition)
            .begins_with(prefix)
            .limit(SEARCH_LIMIT)
            .all(&self.store)
            .await
    }
}
