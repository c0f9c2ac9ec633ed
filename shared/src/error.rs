//! The one error type. Handlers and the store return [`AppError`]; each wire style
//! (chatx/OpenIM today, nobase, weifChat and the REST info module later) renders it in one place.
//! Client variants carry the message the client sees; [`AppError::Internal`] keeps its source
//! for the logs and is never shown to a client.

use std::borrow::Cow;

use crate::auth::TokenError;

pub type Msg = Cow<'static, str>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is malformed, incomplete or out of range.
    #[error("{0}")]
    BadRequest(Msg),
    /// Named request fields are invalid, each with its own message (several at once, in the
    /// order they were checked). Surfaces that report per-field errors render the list.
    #[error("{}", .0.first().map_or("invalid request", |f| f.message.as_ref()))]
    Invalid(Vec<FieldError>),
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
    /// Anything else: a store fault, a bug. Logged with its source, rendered as a generic error.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
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

    /// Logs an internal error with its whole source chain; client errors are logged at debug.
    pub fn log(&self) {
        match self {
            Self::Internal(source) => {
                tracing::error!(error = %Chain(source.as_ref()), "internal error")
            }
            other => tracing::debug!(error = %other, "request refused"),
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

impl<E, R> From<aws_sdk_dynamodb::error::SdkError<E, R>> for AppError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    fn from(err: aws_sdk_dynamodb::error::SdkError<E, R>) -> Self {
        Self::internal(err)
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
    fn internal_errors_do_not_show_their_source_in_display() {
        let err = AppError::internal(std::io::Error::other("table xyz is on fire"));
        assert_eq!(err.to_string(), "internal error");
    }

    #[test]
    fn invalid_fields_display_their_first_message() {
        let err = AppError::Invalid(vec![FieldError::new("a", "a is bad"), FieldError::new("b", "b is bad")]);
        assert_eq!(err.to_string(), "a is bad");
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
