//! The chat socket's connections, in one item per user: the user's presence (`WEIF#USER#<id>` /
//! `PRESENCE`), one attribute per open connection of the user (`keys::presence_attr`, valued
//! with its expiry in seconds), so a push to a group's members reads one small item per member,
//! 100 to a `BatchGetItem`, instead of one Query each. Nothing is kept per connection: every
//! event of a connection names its user (the `$connect` authorizer's answer, in the event), so
//! nothing ever looks a connection up by its ID.
//!
//! A connection expires two hours and five minutes after it opened (API Gateway closes it at
//! two hours); `$disconnect`, `logout` and a push answered 410 Gone forget it sooner. Reads skip
//! what expired (DynamoDB's TTL deletes items only within a few days), and a push removes the
//! expired presence attributes it read. Why one item per user, the order of the writes and the
//! item's size bound: docs/decisions.md, *A user's connections in one presence item*.

use std::collections::{HashMap, HashSet};

use super::WeifStore;
use crate::keys as k;
use shared::error::AppError;
use shared::keys::{ENTITY, Key, TTL};
use shared::store::write::{Change, Written};
use shared::store::{Item, n, s};

/// How long a connection lives after it opened, in seconds: API Gateway's two hours and a
/// margin.
pub const CONNECTION_TTL_SECS: i64 = 2 * 3600 + 300;

/// The most connections of one user a push reaches (a user's devices): a connect past this
/// evicts the user's oldest from the presence item. An evicted connection stays open (its frames
/// are served) without pushes, and catches up with the sync route.
pub const MAX_USER_CONNECTIONS: usize = 20;

/// A `BatchGetItem` reads at most this many keys.
const BATCH_GET_KEYS: usize = 100;

/// Whom a push reaches, as read from the presence items: `(user, connection)` pairs.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Reach {
    /// Open connections, at most [`MAX_USER_CONNECTIONS`] per user (the newest).
    pub live: Vec<(String, String)>,
    /// Expired presence attributes that were read: to forget ([`WeifStore::forget`]).
    pub stale: Vec<(String, String)>,
}

impl Reach {
    /// Adds `user_id`'s presence `item`: its live connections, newest first, and its expired
    /// ones.
    fn add(&mut self, user_id: &str, item: &Item, now_secs: i64) {
        let (live, stale) = split(presence_of(item), now_secs);
        self.live.extend(
            live.into_iter()
                .take(MAX_USER_CONNECTIONS)
                .map(|c| (user_id.to_owned(), c)),
        );
        self.stale.extend(stale.into_iter().map(|c| (user_id.to_owned(), c)));
    }
}

/// The connections a presence item holds, with their expiries (seconds).
fn presence_of(item: &Item) -> Vec<(String, i64)> {
    item.iter()
        .filter_map(|(name, value)| {
            let connection = k::presence_connection(name)?;
            let expires = value.as_n().ok()?.parse().ok()?;
            Some((connection, expires))
        })
        .collect()
}

/// `connections` split into the open ones, newest first, and the expired ones.
fn split(mut connections: Vec<(String, i64)>, now_secs: i64) -> (Vec<String>, Vec<String>) {
    connections.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let (live, stale): (Vec<_>, Vec<_>) = connections.into_iter().partition(|(_, e)| *e > now_secs);
    (
        live.into_iter().map(|(c, _)| c).collect(),
        stale.into_iter().map(|(c, _)| c).collect(),
    )
}

/// What a connect leaves out of a presence item holding more than [`MAX_USER_CONNECTIONS`]
/// connections: the expired ones, then the oldest open ones past the cap, never `kept` (the
/// connection just opened).
fn evicted(connections: Vec<(String, i64)>, kept: &str, now_secs: i64) -> Vec<String> {
    if connections.len() <= MAX_USER_CONNECTIONS {
        return Vec::new();
    }
    let (live, mut out) = split(connections, now_secs);
    let mut room = MAX_USER_CONNECTIONS - usize::from(live.iter().any(|c| c == kept));
    for connection in live {
        if connection == kept {
            continue;
        }
        match room {
            0 => out.push(connection),
            _ => room -= 1,
        }
    }
    out
}

impl WeifStore {
    /// Records `connection_id`, opened at `connected_at` (ms) by `user_id`: its attribute in the
    /// user's presence; an error fails the connect (so no connection is served frames without
    /// getting pushes). Past [`MAX_USER_CONNECTIONS`], the user's expired and oldest connections
    /// leave the presence item. Cost: 1 UpdateItem (1 WRU: the item stays under 1 KB), + 1
    /// UpdateItem when past the cap.
    #[tracing::instrument(skip(self))]
    pub async fn open_connection(&self, connection_id: &str, user_id: &str, connected_at: i64) -> Result<(), AppError> {
        let expires_at = connected_at / 1000 + CONNECTION_TTL_SECS;
        // The item's own TTL follows its newest connection: it goes when all of them expired.
        let presence = Change::new(k::presence(user_id))
            .set(&k::presence_attr(connection_id), n(expires_at))
            .set(ENTITY, s(k::entity::PRESENCE))
            .set(TTL, n(expires_at))
            .update(&self.store)
            .await?;
        let Written::Applied(presence) = presence else {
            return Err(AppError::internal("an unconditional presence update was refused"));
        };
        let out = evicted(presence_of(&presence), connection_id, shared::clock::now_secs());
        if !out.is_empty() {
            // Best effort: a push reads at most the newest MAX_USER_CONNECTIONS anyway.
            if let Err(e) = self.forget_presence(user_id, &out).await {
                e.log();
            }
        }
        Ok(())
    }

    /// Forgets `user_id`'s connection (`$disconnect`, `logout`): its presence attribute.
    /// Cost: 1 UpdateItem.
    #[tracing::instrument(skip(self))]
    pub async fn forget_connection(&self, user_id: &str, connection_id: &str) -> Result<(), AppError> {
        self.forget_presence(user_id, &[connection_id.to_owned()]).await
    }

    /// Forgets what a push found: `gone` connections (answered 410 Gone) and `stale` ones
    /// (expired), their presence attributes. Cost: 1 UpdateItem per user (one REMOVE of all its
    /// attributes), `FAN_OUT` at a time.
    #[tracing::instrument(skip_all, fields(gone = gone.len(), stale = stale.len()))]
    pub async fn forget(&self, gone: Vec<(String, String)>, stale: Vec<(String, String)>) -> Result<(), AppError> {
        let mut by_user: HashMap<String, Vec<String>> = HashMap::new();
        for (user, connection) in gone.into_iter().chain(stale) {
            by_user.entry(user).or_default().push(connection);
        }
        self.fan_out(by_user.into_iter().collect(), |store, (user, connections)| async move {
            store.forget_presence(&user, &connections).await
        })
        .await?;
        Ok(())
    }

    /// Removes `connections` from `user_id`'s presence item, if it exists (an update of a
    /// missing item would create it). Cost: 1 UpdateItem.
    async fn forget_presence(&self, user_id: &str, connections: &[String]) -> Result<(), AppError> {
        let mut change = Change::new(k::presence(user_id)).when_exists();
        for connection in connections {
            change = change.remove(&k::presence_attr(connection));
        }
        change.update(&self.store).await?;
        Ok(())
    }

    /// The open connections of `user_id` (at most [`MAX_USER_CONNECTIONS`], the newest), and
    /// the expired ones read. Cost: 1 GetItem (eventually consistent, 0.5 RRU).
    #[tracing::instrument(skip(self))]
    pub async fn connections_of(&self, user_id: &str, now_secs: i64) -> Result<Reach, AppError> {
        let mut reach = Reach::default();
        if let Some(item) = self.store.get_item(&k::presence(user_id), false).await? {
            reach.add(user_id, &item, now_secs);
        }
        Ok(reach)
    }

    /// The open connections of each of `users` (and the expired ones read), from their
    /// presence items. Cost: 1 BatchGetItem per 100 users (eventually consistent, 0.5 RRU per
    /// user), the batches at once (`FAN_OUT` at a time).
    #[tracing::instrument(skip_all, fields(users = users.len()))]
    pub async fn connections_of_all(&self, users: Vec<String>, now_secs: i64) -> Result<Reach, AppError> {
        let mut seen = HashSet::new();
        let users: Vec<String> = users.into_iter().filter(|u| seen.insert(u.clone())).collect();
        let by_partition: HashMap<String, String> = users.iter().map(|u| (k::presence(u).pk, u.clone())).collect();
        let batches: Vec<Vec<Key>> = users
            .chunks(BATCH_GET_KEYS)
            .map(|chunk| chunk.iter().map(|u| k::presence(u)).collect())
            .collect();
        let found = self
            .fan_out(batches, |store, keys| async move {
                store.store.batch_get(&keys, false).await
            })
            .await?;
        let mut reach = Reach::default();
        for item in found.iter().flatten() {
            let user = item
                .get(shared::keys::PK)
                .and_then(|pk| pk.as_s().ok())
                .and_then(|pk| by_partition.get(pk));
            if let Some(user) = user {
                reach.add(user, item, now_secs);
            }
        }
        Ok(reach)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn presence(connections: &[(&str, i64)]) -> Vec<(String, i64)> {
        connections.iter().map(|(c, e)| ((*c).to_owned(), *e)).collect()
    }

    #[test]
    fn a_read_keeps_the_newest_open_connections_and_reports_the_expired() {
        let mut item = Item::new();
        item.insert(shared::keys::PK.into(), s(k::presence("u").pk));
        item.insert(ENTITY.into(), s(k::entity::PRESENCE));
        item.insert(TTL.into(), n(500));
        item.insert(k::presence_attr("old-1="), n(90));
        for i in 0..MAX_USER_CONNECTIONS + 2 {
            item.insert(k::presence_attr(&format!("c{i:02}")), n(200 + i as i64));
        }
        let mut reach = Reach::default();
        reach.add("u", &item, 100);
        assert_eq!(reach.live.len(), MAX_USER_CONNECTIONS);
        assert_eq!(reach.live[0], ("u".into(), "c21".into()), "newest first");
        assert!(
            !reach.live.iter().any(|(_, c)| c == "c00" || c == "c01"),
            "the oldest left out"
        );
        assert_eq!(reach.stale, [("u".to_owned(), "old-1=".to_owned())]);
    }

    #[test]
    fn a_connect_past_the_cap_evicts_the_expired_then_the_oldest_never_itself() {
        let under: Vec<(&str, i64)> = vec![("a", 10), ("b", 300)];
        assert!(evicted(presence(&under), "b", 100).is_empty(), "under the cap: nothing");

        let mut full: Vec<(String, i64)> = (0..MAX_USER_CONNECTIONS as i64)
            .map(|i| (format!("c{i:02}"), 200 + i))
            .collect();
        full.push(("dead".into(), 50));
        assert_eq!(evicted(full.clone(), "c19", 100), ["dead"]);

        full.push(("new".into(), 400));
        assert_eq!(evicted(full.clone(), "new", 100), ["dead", "c00"]);
        // A connect whose own expiry is the oldest (a clock behind) still keeps itself.
        full.push(("late".into(), 150));
        let out = evicted(full, "late", 100);
        assert!(!out.contains(&"late".to_owned()), "{out:?}");
        assert_eq!(out, ["dead", "c01", "c00"]);
    }
}
