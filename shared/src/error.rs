//! The one error type. Handlers and the store return [`AppError`]; each wire style
//! renders it in one place, in its own wire module.
//! Client variants carry the message the client sees; [`AppError::Internal`] keeps its source
//! for the logs and is never shown to a client.

use std::borrow::Cow;

pub type Msg = Cow<'static, str>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is malformed, incomplete or out of range.
    #[error("{0}")]
    BadRequest(Msg),
    /// Request fields that failed validation, each with its message, in the order they were
    /// checked. REST renders them grouped by field (Laravel's `errors`), weifChat as
    /// express-validator's list, the envelope styles by their first message.
    #[error("{0}")]
    Invalid(FieldErrors),
    /// The token is missing, malformed, invalid or expired.
    #[error("{0}")]
    Unauthenticated(#[from] TokenError),
    /// An account/password pair was rejected.
    #[error("{0}")]
    BadCredentials(Msg),
    /// The caller is known but may not do this.
    #[error("{0}")]
    Forbidden(Msg),
    /// The thing the request names does not exist.
    #[error("{0}")]
    NotFound(Msg),
    /// The request conflicts with what exists (a duplicate unique value).
    #[error("{0}")]
    Conflict(Msg),
    /// Too many requests of this kind from this caller (a rate limit): try again after
    /// `retry_after_secs`.
    #[error("too many requests, retry after {retry_after_secs} s")]
    Throttled { retry_after_secs: u64 },
    /// The store stayed busy or out of reach through its retries (throttled, a 5xx, a timeout,
    /// a dropped connection, transaction conflicts past their budget): nothing the client did
    /// wrong, and worth retrying after [`AppError::RETRY_AFTER_SECS`]. Logged with its source and
    /// counted as a fault like `Internal`; each surface renders it as its "retry later" answer
    /// (docs/reliability.md). Built in one place: [`From<SdkError>`](AppError#impl-From) and the
    /// conflict retry.
    #[error("the service is busy, retry after {} s", AppError::RETRY_AFTER_SECS)]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A repeat of a create under the same `Idempotency-Key` that can't be answered with the
    /// first answer (`shared::idempotency`).
    #[error("{0}")]
    Idempotency(#[from] IdempotencyError),
    /// Anything else: a store fault, a bug. Logged with its source, rendered as a generic error.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Why a token was refused. The display text is what clients see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token is empty")]
    Missing,
    #[error("token is malformed")]
    Malformed,
    #[error("token is invalid")]
    Invalid,
    #[error("token has expired")]
    Expired,
}

/// Why a request under an `Idempotency-Key` was refused. The display text is what clients see
/// where a surface's envelope has room for English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdempotencyError {
    /// The first request with this key is still running: retry in a moment (409-like).
    #[error("a request with this Idempotency-Key is still in progress; retry later")]
    InProgress,
    /// The key was used with another request (another body, path or query): 422-like, never
    /// worth retrying as is.
    #[error("this Idempotency-Key was already used with a different request")]
    Mismatch,
}

/// One invalid request field and why, in the client's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Msg,
    pub message: Msg,
}

impl FieldError {
    pub fn new(field: impl Into<Msg>, message: impl Into<Msg>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl AppError {
    pub fn bad_request(msg: impl Into<Msg>) -> Self {
        Self::BadRequest(msg.into())
    }
    /// One invalid field.
    pub fn invalid(field: impl Into<Msg>, msg: impl Into<Msg>) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(field, msg);
        Self::Invalid(errors)
    }
    pub fn not_found(msg: impl Into<Msg>) -> Self {
        Self::NotFound(msg.into())
    }
    pub fn forbidden(msg: impl Into<Msg>) -> Self {
        Self::Forbidden(msg.into())
    }
    pub fn conflict(msg: impl Into<Msg>) -> Self {
        Self::Conflict(msg.into())
    }
    pub fn internal(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(source.into())
    }
    pub fn unavailable(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Unavailable(source.into())
    }

    /// How long a client told to retry ([`AppError::Unavailable`]) should wait: the SDK's
    /// retries already spent their budget, so an immediate retry would likely meet the same.
    pub const RETRY_AFTER_SECS: u64 = 1;

    /// The seconds a client should wait before retrying, for the errors worth retrying
    /// (a rate limit, a busy store); `None` for the others.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::Throttled { retry_after_secs } => Some(*retry_after_secs),
            Self::Unavailable(_) => Some(Self::RETRY_AFTER_SECS),
            _ => None,
        }
    }

    /// Whether it failed on our side (`Internal`, `Unavailable`) rather than refusing the
    /// client's request.
    pub fn is_fault(&self) -> bool {
        matches!(self, Self::Internal(_) | Self::Unavailable(_))
    }

    /// Logs an internal error with its whole source chain; client errors are logged at debug.
    pub fn log(&self) {
        match self {
            Self::Internal(source) => {
                tracing::error!(error = %Chain(source.as_ref()), "internal error")
            }
            Self::Unavailable(source) => {
                tracing::error!(error = %Chain(source.as_ref()), "store unavailable after retries")
            }
            other => tracing::debug!(error = %other, "request refused"),
        }
    }
}

/// Validation failures, in the order they were found; a field may fail several rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn add(&mut self, field: impl Into<Msg>, msg: impl Into<Msg>) {
        self.0.push(FieldError::new(field, msg));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `field` already has a message (later rules of a field are skipped once one fails).
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    /// Every failure, in the order found.
    pub fn iter(&self) -> std::slice::Iter<'_, FieldError> {
        self.0.iter()
    }

    pub fn as_slice(&self) -> &[FieldError] {
        &self.0
    }

    /// Each field with its messages, fields in the order they first failed.
    pub fn fields(&self) -> Vec<(&str, Vec<&str>)> {
        let mut grouped: Vec<(&str, Vec<&str>)> = Vec::new();
        for e in &self.0 {
            match grouped.iter_mut().find(|(f, _)| *f == e.field.as_ref()) {
                Some((_, msgs)) => msgs.push(&e.message),
                None => grouped.push((&e.field, vec![&e.message])),
            }
        }
        grouped
    }

    /// How many messages there are in all.
    pub fn count(&self) -> usize {
        self.0.len()
    }

    /// `Ok` when nothing failed, else the errors as [`AppError::Invalid`].
    pub fn into_result(self) -> Result<(), AppError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self))
        }
    }
}

impl From<Vec<FieldError>> for FieldErrors {
    fn from(errors: Vec<FieldError>) -> Self {
        Self(errors)
    }
}

impl std::fmt::Display for FieldErrors {
    /// The first message.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.first() {
            Some(e) => f.write_str(&e.message),
            None => f.write_str("invalid input"),
        }
    }
}

/// Displays an error followed by its sources: `outer: inner: root`.
pub struct Chain<'a>(pub &'a (dyn std::error::Error + 'static));

impl std::fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(s) = source {
            write!(f, ": {s}")?;
            source = s.source();
        }
        Ok(())
    }
}

/// Service error codes that mean "busy or failing for now, try again": throttling (DynamoDB's
/// and S3's), server faults, a transaction still in progress under the same token.
const TRANSIENT_CODES: &[&str] = &[
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionInProgressException",
    "SlowDown",
    "InternalError",
];

/// The one place an SDK error becomes an [`AppError`]. The SDK's standard retry mode has
/// already retried what was retryable (`shared::state::dynamo_config`); what is still transient
/// here (a timeout, a connection that failed or dropped, a response cut short, a throttling or
/// server error code) is [`AppError::Unavailable`], anything else [`AppError::Internal`].
impl<E, R> From<aws_sdk_dynamodb::error::SdkError<E, R>> for AppError
where
    E: std::error::Error + aws_sdk_dynamodb::error::ProvideErrorMetadata + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    fn from(err: aws_sdk_dynamodb::error::SdkError<E, R>) -> Self {
        use aws_sdk_dynamodb::error::SdkError;
        let transient = match &err {
            SdkError::TimeoutError(_) | SdkError::ResponseError(_) => true,
            // A connection that failed or dropped; not a request that couldn't be sent at all
            // (a malformed endpoint: a configuration fault).
            SdkError::DispatchFailure(e) => e.is_io() || e.is_timeout(),
            SdkError::ServiceError(e) => e.err().code().is_some_and(|c| TRANSIENT_CODES.contains(&c)),
            _ => false,
        };
        if transient {
            Self::unavailable(err)
        } else {
            Self::internal(err)
        }
    }
}

impl From<serde_dynamo::Error> for AppError {
    fn from(err: serde_dynamo::Error) -> Self {
        Self::internal(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_store_errors_say_when_to_retry_without_their_source() {
        let err = AppError::unavailable(std::io::Error::other("ThrottlingException on table xyz"));
        assert_eq!(err.to_string(), "the service is busy, retry after 1 s");
        assert_eq!(err.retry_after_secs(), Some(1));
        assert!(err.is_fault());
        assert_eq!(AppError::Throttled { retry_after_secs: 7 }.retry_after_secs(), Some(7));
        assert!(!AppError::Throttled { retry_after_secs: 7 }.is_fault());
        assert_eq!(AppError::internal(std::io::Error::other("x")).retry_after_secs(), None);
    }

    #[test]
    fn sdk_errors_are_unavailable_when_transient_internal_otherwise() {
        use aws_sdk_dynamodb::error::{ErrorMetadata, SdkError};
        use aws_sdk_dynamodb::operation::get_item::GetItemError;
        use aws_smithy_runtime_api::http::{Response, StatusCode};
        use aws_smithy_types::body::SdkBody;
        let service = |code: &str, status: u16| {
            let meta = ErrorMetadata::builder().code(code).message("m").build();
            SdkError::service_error(
                GetItemError::generic(meta),
                Response::new(StatusCode::try_from(status).unwrap(), SdkBody::empty()),
            )
        };
        for code in [
            "ThrottlingException",
            "ProvisionedThroughputExceededException",
            "InternalServerError",
        ] {
            assert!(
                matches!(AppError::from(service(code, 400)), AppError::Unavailable(_)),
                "{code}"
            );
        }
        for code in [
            "ValidationException",
            "ResourceNotFoundException",
            "AccessDeniedException",
        ] {
            assert!(
                matches!(AppError::from(service(code, 400)), AppError::Internal(_)),
                "{code}"
            );
        }
        let timeout: SdkError<GetItemError, Response> = SdkError::timeout_error("attempt timed out");
        assert!(matches!(AppError::from(timeout), AppError::Unavailable(_)));
    }

    #[test]
    fn internal_errors_do_not_show_their_source_in_display() {
        let err = AppError::internal(std::io::Error::other("table xyz is on fire"));
        assert_eq!(err.to_string(), "internal error");
    }

    #[test]
    fn invalid_fields_display_their_first_message() {
        let err = AppError::Invalid(vec![FieldError::new("a", "a is bad"), FieldError::new("b", "b is bad")].into());
        assert_eq!(err.to_string(), "a is bad");
    }

    #[test]
    fn field_errors_keep_their_order_and_group_by_field() {
        let mut e = FieldErrors::default();
        e.add("name", "The name field is required.");
        e.add("sort", "The sort must be an integer.");
        e.add("name", "again");
        assert_eq!(e.count(), 3);
        assert!(e.has("sort") && !e.has("icon"));
        let order: Vec<&str> = e.iter().map(|f| f.field.as_ref()).collect();
        assert_eq!(order, ["name", "sort", "name"]);
        assert_eq!(
            e.fields(),
            [
                ("name", vec!["The name field is required.", "again"]),
                ("sort", vec!["The sort must be an integer."])
            ]
        );
        assert_eq!(AppError::Invalid(e).to_string(), "The name field is required.");
        assert!(FieldErrors::default().into_result().is_ok());
    }

    #[test]
    fn chain_shows_every_source() {
        #[derive(Debug, thiserror::Error)]
        #[error("outer")]
        struct Outer(#[source] std::io::Error);
        let err = Outer(std::io::Error::other("root cause"));
        assert_eq!(Chain(&err).to_string(), "outer: root cause");
    }
}
