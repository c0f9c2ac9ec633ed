//! The chat socket's connections: one item per open WebSocket connection, found by its ID (a
//! frame names only its connection) and listed per user through GSI1 (a push reaches every
//! connection of a user, phone and desktop alike, without a Scan). Each item expires two hours
//! and five minutes after its connection opened (API Gateway closes a connection at two hours);
//! `$disconnect`, `logout` and a push answered 410 Gone delete it sooner. Reads skip expired
//! items, as DynamoDB's TTL deletes them only within a few days.

use super::WeifStore;
use crate::items::ConnectionItem;
use crate::keys as k;
use shared::error::AppError;
use shared::store::query::Query;
use shared::store::write::Change;

/// How long a connection item lives after its connection opened, in seconds: API Gateway's two
/// hours and a margin.
pub const CONNECTION_TTL_SECS: i64 = 2 * 3600 + 300;

/// The most connections a push to one user reaches (a user's devices; older ones past this are
/// served by the sync route).
pub const MAX_USER_CONNECTIONS: usize = 20;

impl WeifStore {
    /// Records `connection_id`, opened at `connected_at` (ms) by `user_id`. Cost: 1 PutItem.
    #[tracing::instrument(skip(self))]
    pub async fn open_connection(&self, connection_id: &str, user_id: &str, connected_at: i64) -> Result<(), AppError> {
        let expires_at = connected_at / 1000 + CONNECTION_TTL_SECS;
        let item = ConnectionItem::new(connection_id, user_id, connected_at, expires_at);
        Change::new(k::connection(connection_id))
            .put(&self.store, serde_dynamo::to_item(item)?)
            .await?;
        Ok(())
    }

    /// The user of an open connection; `None` once it is closed, logged out or expired.
    /// Cost: 1 GetItem (consistent: a frame may follow its `$connect` at once).
    #[tracing::instrument(skip(self))]
    pub async fn connection_user(&self, connection_id: &str, now_secs: i64) -> Result<Option<String>, AppError> {
        let item: Option<ConnectionItem> = self.store.get(&k::connection(connection_id), true).await?;
        Ok(item.filter(|c| c.expires_at > now_secs).map(|c| c.user_id))
    }

    /// Forgets a connection (closed, logged out or gone). Cost: 1 DeleteItem.
    #[tracing::instrument(skip(self))]
    pub async fn close_connection(&self, connection_id: &str) -> Result<(), AppError> {
        self.store.delete_if_exists(&k::connection(connection_id)).await?;
        Ok(())
    }

    /// The open connections of `user_id`. Cost: 1 Query on GSI1 (≤ 20 items).
    #[tracing::instrument(skip(self))]
    pub async fn connections_of(&self, user_id: &str, now_secs: i64) -> Result<Vec<String>, AppError> {
        let items: Vec<ConnectionItem> = Query::gsi1(k::connections(user_id))
            .limit(MAX_USER_CONNECTIONS)
            .all_as(&self.store)
            .await?;
        Ok(items
            .into_iter()
            .filter(|c| c.expires_at > now_secs)
            .map(|c| c.connection_id)
            .collect())
    }

    /// The open connections of each of `users`, [`super::FAN_OUT`] queries at once, as
    /// `(user, connection)` pairs. Cost: 1 Query on GSI1 per user.
    pub async fn connections_of_all(
        &self,
        users: Vec<String>,
        now_secs: i64,
    ) -> Result<Vec<(String, String)>, AppError> {
        let found = self
            .fan_out(users, move |store, user| async move {
                let connections = store.connections_of(&user, now_secs).await?;
                Ok(connections.into_iter().map(|c| (user.clone(), c)).collect::<Vec<_>>())
            })
            .await?;
        Ok(found.into_iter().flatten().collect())
    }
}
