//! `weif-feed-fanout`, on the table's stream: carries out the fan-out jobs a big author's
//! publish or delete leaves (`WeifStore::add_space`, store/feed.rs). Only the jobs' partitions
//! reach it (the template's filter); each job's INSERT record runs it, its REMOVE (the job done)
//! finds nothing to do.

use shared::AppState;
use shared::keys::Key;
use shared::lambda::{StreamEvent, StreamFunction, StreamFuture, StreamItemFailure, StreamResponse};

use crate::WeifState;
use crate::keys as k;

/// The jobs named by a batch of stream records, each once, with the sequence number of its
/// first record.
fn jobs(event: &StreamEvent) -> Vec<(Key, String)> {
    let mut jobs: Vec<(Key, String)> = Vec::new();
    for (key, sequence) in event.records.iter().filter_map(shared::lambda::record_key) {
        if key.pk.starts_with(k::FAN_OUT_PREFIX) && !jobs.iter().any(|(j, _)| *j == key) {
            jobs.push((key, sequence));
        }
    }
    jobs
}

/// Runs each job of the batch in order; at the first that fails (a store fault), the batch is
/// handed again from that job's record on (`ReportBatchItemFailures`). A job done twice is
/// harmless: done, it is deleted, and a write of entries is idempotent.
pub fn fan_out(state: &AppState, event: StreamEvent) -> StreamFuture<'_> {
    Box::pin(async move {
        let store = state.weifchat();
        let mut response = StreamResponse::default();
        for (job, sequence) in jobs(&event) {
            if let Err(err) = store.run_fan_out_job(&job).await {
                err.log();
                let mut failure = StreamItemFailure::default();
                failure.item_identifier = Some(sequence);
                response.batch_item_failures.push(failure);
                break;
            }
        }
        response
    })
}

/// The weifChat functions on the table's stream, for the local gateway.
pub fn stream_functions() -> Vec<StreamFunction> {
    vec![StreamFunction {
        binary: "weif-feed-fanout",
        handler: fan_out,
    }]
}
