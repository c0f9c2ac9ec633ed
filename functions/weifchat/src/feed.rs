//! The weifChat functions on the table's stream. `weif-feed-fanout` carries out the fan-out
//! jobs a big author's publish or delete leaves (`WeifStore::add_space`, store/feed.rs): only
//! the jobs' partitions reach it (the template's filter); each job's INSERT record runs it, its
//! REMOVE (the job done) finds nothing to do. `weif-profile-copies` carries a profile's changes
//! to the copies on its friends' edges.

use std::future::Future;

use shared::AppState;
use shared::error::AppError;
use shared::keys::Key;
use shared::lambda::{StreamEvent, StreamFunction, StreamFuture, StreamItemFailure, StreamResponse};

use crate::WeifState;
use crate::keys as k;

/// The keys of a batch of stream records that `wanted` accepts, each once, with the sequence
/// number of its first record.
fn keys_of(event: &StreamEvent, wanted: impl Fn(&Key) -> bool) -> Vec<(Key, String)> {
    let mut keys: Vec<(Key, String)> = Vec::new();
    for (key, sequence) in event.records.iter().filter_map(shared::lambda::record_key) {
        if wanted(&key) && !keys.iter().any(|(j, _)| *j == key) {
            keys.push((key, sequence));
        }
    }
    keys
}

/// Runs `job` for each key of the batch that `wanted` accepts, in order; at the first that fails
/// (a store fault), the batch is handed again from that key's record on
/// (`ReportBatchItemFailures`). Each job must be harmless to run twice.
async fn each_key<Fut>(event: StreamEvent, wanted: impl Fn(&Key) -> bool, job: impl Fn(Key) -> Fut) -> StreamResponse
where
    Fut: Future<Output = Result<(), AppError>>,
{
    let mut response = StreamResponse::default();
    for (key, sequence) in keys_of(&event, wanted) {
        if let Err(err) = job(key).await {
            err.log();
            let mut failure = StreamItemFailure::default();
            failure.item_identifier = Some(sequence);
            response.batch_item_failures.push(failure);
            break;
        }
    }
    response
}

/// Runs each fan-out job of the batch. A job done twice is harmless: done, it is deleted, and a
/// write of entries is idempotent.
pub fn fan_out(state: &AppState, event: StreamEvent) -> StreamFuture<'_> {
    let store = state.weifchat();
    Box::pin(each_key(
        event,
        |key| key.pk.starts_with(k::FAN_OUT_PREFIX),
        move |job| {
            let store = store.clone();
            async move { store.run_fan_out_job(&job).await }
        },
    ))
}

/// `weif-profile-copies`, on the table's stream: for each user item changed, brings the copies
/// of the user's profile on their friends' edges and their memberships up to date
/// (`WeifStore::copy_profile`); for each group item changed, the copies of the group on its
/// memberships and join requests (`WeifStore::copy_group`). Only user and group items reach it
/// (the template's filter); a change that left the profile or the group as it was ends after
/// one read.
pub fn copy_profiles(state: &AppState, event: StreamEvent) -> StreamFuture<'_> {
    let store = state.weifchat();
    Box::pin(each_key(
        event,
        |key| k::user_of(key).is_some() || k::group_of(key).is_some(),
        move |key| {
            let store = store.clone();
            async move {
                match (k::user_of(&key), k::group_of(&key)) {
                    (Some(user), _) => store.copy_profile(user).await.map(|_| ()),
                    (_, Some(group)) => store.copy_group(group).await.map(|_| ()),
                    _ => Err(AppError::internal("neither a user nor a group key")),
                }
            }
        },
    ))
}

/// The weifChat functions on the table's stream, for the local gateway.
pub fn stream_functions() -> Vec<StreamFunction> {
    vec![
        StreamFunction {
            binary: "weif-feed-fanout",
            handler: fan_out,
        },
        StreamFunction {
            binary: "weif-profile-copies",
            handler: copy_profiles,
        },
    ]
}
