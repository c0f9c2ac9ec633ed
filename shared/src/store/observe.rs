//! A record of the DynamoDB operations a client performs, in order: each operation's name and,
//! once its answer is in, how many items it read. Tests use it to assert request budgets ("like
//! costs at most two requests", "no Scan") and read budgets ("a page of 15 reads about 15
//! items, whatever the size of the table"); the local gateway gives each function its own.

use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::operation::batch_get_item::BatchGetItemOutput;
use aws_sdk_dynamodb::operation::get_item::GetItemOutput;
use aws_sdk_dynamodb::operation::query::QueryOutput;
use aws_sdk_dynamodb::operation::scan::ScanOutput;
use aws_sdk_dynamodb::operation::transact_get_items::TransactGetItemsOutput;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    AfterDeserializationInterceptorContextRef, BeforeSerializationInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

/// One recorded operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The operation's name (`Query`, `BatchGetItem`, ...).
    pub operation: String,
    /// Items the operation read: for `Query` and `Scan` the items evaluated (`ScannedCount`,
    /// what DynamoDB reads and charges, before any filter), for `GetItem` and the batch and
    /// transactional reads the items found. 0 for writes and for calls without an answer.
    pub items_read: usize,
}

#[derive(Debug, Clone, Default)]
pub struct RequestLog(Arc<Mutex<Log>>);

#[derive(Debug, Default)]
struct Log {
    calls: Vec<Call>,
    /// Bumped by every `take`, so an answer arriving after a `take` can't land on another call.
    generation: u64,
}

/// Where this operation's call sits in the log, kept in the operation's own config bag.
#[derive(Debug, Clone)]
struct Slot {
    generation: u64,
    index: usize,
}

impl Storable for Slot {
    type Storer = StoreReplace<Self>;
}

impl RequestLog {
    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The operations recorded since the last `take` (of either kind), emptying the record.
    pub fn take(&self) -> Vec<String> {
        self.take_calls().into_iter().map(|c| c.operation).collect()
    }

    /// The calls recorded since the last `take` (of either kind), emptying the record.
    pub fn take_calls(&self) -> Vec<Call> {
        let mut log = self.log();
        log.generation += 1;
        std::mem::take(&mut log.calls)
    }

    /// The operations recorded so far.
    pub fn snapshot(&self) -> Vec<String> {
        self.log().calls.iter().map(|c| c.operation.clone()).collect()
    }
}

/// Items read by a DynamoDB operation's output (0 for outputs that read nothing).
fn items_read(output: &aws_smithy_runtime_api::client::interceptors::context::Output) -> usize {
    if let Some(o) = output.downcast_ref::<QueryOutput>() {
        return usize::try_from(o.scanned_count()).unwrap_or(0);
    }
    if let Some(o) = output.downcast_ref::<ScanOutput>() {
        return usize::try_from(o.scanned_count()).unwrap_or(0);
    }
    if let Some(o) = output.downcast_ref::<GetItemOutput>() {
        return usize::from(o.item().is_some());
    }
    if let Some(o) = output.downcast_ref::<BatchGetItemOutput>() {
        return o.responses().map_or(0, |r| r.values().map(Vec::len).sum());
    }
    if let Some(o) = output.downcast_ref::<TransactGetItemsOutput>() {
        return o.responses().iter().filter(|r| r.item().is_some()).count();
    }
    0
}

impl Intercept for RequestLog {
    fn name(&self) -> &'static str {
        "RequestLog"
    }

    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg
            .load::<Metadata>()
            .map(|m| m.name().to_owned())
            .unwrap_or_else(|| "unknown".into());
        let slot = {
            let mut log = self.log();
            log.calls.push(Call {
                operation,
                items_read: 0,
            });
            Slot {
                generation: log.generation,
                index: log.calls.len() - 1,
            }
        };
        cfg.interceptor_state().store_put(slot);
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let (Some(slot), Ok(output)) = (cfg.load::<Slot>(), context.output_or_error()) else {
            return Ok(());
        };
        let read = items_read(output);
        let mut log = self.log();
        if log.generation == slot.generation
            && let Some(call) = log.calls.get_mut(slot.index)
        {
            call.items_read = read;
        }
        Ok(())
    }
}
