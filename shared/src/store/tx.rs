//! Transaction outcomes, read from the cancellation reasons rather than from a second read.

use std::future::Future;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::{TransactWriteItemsError, TransactWriteItemsOutput};

use super::Item;
use crate::error::AppError;

/// Attempts of a transaction that keeps losing to concurrent writers.
const MAX_ATTEMPTS: u32 = 5;

/// A cancelled transaction: one reason code per item, in request order (`None` when that item
/// was fine), and the item as it was for those that asked for it
/// (`ReturnValuesOnConditionCheckFailure::AllOld`) and failed their condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Cancelled {
    codes: Vec<Option<String>>,
    items: Vec<Option<Item>>,
}

impl Cancelled {
    pub fn new(codes: Vec<Option<String>>) -> Self {
        Self {
            codes,
            items: Vec::new(),
        }
    }

    /// Cancellation reasons that carry the items as they were.
    pub fn with_items(codes: Vec<Option<String>>, items: Vec<Option<Item>>) -> Self {
        Self { codes, items }
    }

    /// The item `index` of the transaction named, as it was, when that item failed its condition
    /// and asked for it (`ReturnValuesOnConditionCheckFailure::AllOld`); `None` if it didn't exist.
    pub fn item(&self, index: usize) -> Option<&Item> {
        self.items.get(index).and_then(Option::as_ref)
    }

    /// Whether item `index` of the transaction failed its condition.
    pub fn condition_failed(&self, index: usize) -> bool {
        self.code(index) == Some("ConditionalCheckFailed")
    }

    pub fn code(&self, index: usize) -> Option<&str> {
        self.codes
            .get(index)
            .and_then(|c| c.as_deref())
            .filter(|c| *c != "None")
    }

    fn is_conflict(&self) -> bool {
        self.codes.iter().flatten().any(|c| c == "TransactionConflict")
    }
}

type Sent = Result<TransactWriteItemsOutput, SdkError<TransactWriteItemsError, aws_smithy_runtime_api::http::Response>>;

/// Splits a TransactWriteItems result into committed / cancelled / failed.
pub(super) fn outcome(sent: Sent) -> Result<Result<(), Cancelled>, AppError> {
    match sent {
        Ok(_) => Ok(Ok(())),
        Err(err) => match err.as_service_error() {
            Some(TransactWriteItemsError::TransactionCanceledException(e)) => {
                let reasons = e.cancellation_reasons();
                let codes = reasons.iter().map(|r| r.code().map(str::to_owned)).collect();
                let items = reasons.iter().map(|r| r.item().cloned()).collect();
                Ok(Err(Cancelled::with_items(codes, items)))
            }
            _ => Err(err.into()),
        },
    }
}

/// Runs `attempt` until it commits or is cancelled for a reason other than a conflict; a
/// conflict that outlasts the budget is [`AppError::Unavailable`] (busy: retry later). The
/// caller sends every attempt with the same `ClientRequestToken` ([`super::Store::transact`]).
pub(super) async fn with_conflict_retry<F, Fut>(mut attempt: F) -> Result<Result<(), Cancelled>, AppError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Result<(), Cancelled>, AppError>>,
{
    for n in 0..MAX_ATTEMPTS {
        match attempt().await? {
            Err(cancelled) if cancelled.is_conflict() => {
                tracing::warn!(attempt = n + 1, "transaction conflict, retrying");
                super::backoff(n).await;
            }
            done => return Ok(done),
        }
    }
    Err(AppError::unavailable(format!(
        "transaction still conflicting after {MAX_ATTEMPTS} attempts"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn conflict() -> Cancelled {
        Cancelled::new(vec![Some("TransactionConflict".into()), Some("None".into())])
    }

    #[test]
    fn reads_condition_failures_by_index() {
        let c = Cancelled::new(vec![Some("ConditionalCheckFailed".into()), Some("None".into()), None]);
        assert!(c.condition_failed(0));
        assert!(!c.condition_failed(1));
        assert!(!c.condition_failed(2));
        assert_eq!(c.code(1), None);
    }

    #[tokio::test]
    async fn conflicts_are_retried_until_commit() {
        let calls = AtomicU32::new(0);
        let result = with_conflict_retry(|| async {
            if calls.fetch_add(1, Ordering::SeqCst) < 2 {
                Ok(Err(conflict()))
            } else {
                Ok(Ok(()))
            }
        })
        .await;
        assert!(matches!(result, Ok(Ok(()))));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn condition_failures_are_not_retried() {
        let calls = AtomicU32::new(0);
        let failed = Cancelled::new(vec![Some("ConditionalCheckFailed".into())]);
        let result = with_conflict_retry(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok(Err(failed.clone()))
        })
        .await;
        assert_eq!(result.unwrap(), Err(failed));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn endless_conflicts_become_a_busy_error() {
        let calls = AtomicU32::new(0);
        let result = with_conflict_retry(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok(Err(conflict()))
        })
        .await;
        assert!(matches!(result, Err(AppError::Unavailable(_))));
        assert_eq!(calls.load(Ordering::SeqCst), MAX_ATTEMPTS);
    }
}
