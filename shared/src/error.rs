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
    /// Input that fails validation, with a message per field (REST surfaces render the fields;
    /// envelope surfaces render it like `BadRequest`, with the first message).
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
    /// Anything else: a store fault, a bug. Logged with its source, rendered as a generic error.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    pub fn bad_request(msg: impl Into<Msg>) -> Self {
        Self::BadRequest(msg.into())
    }
    /// One invalid field.
    pub fn invalid(field: impl Into<String>, msg: impl Into<Msg>) -> Self {
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

/// Validation failures by field, in the order they were found; a field may have several messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(String, Vec<Msg>)>);

impl FieldErrors {
    pub fn add(&mut self, field: impl Into<String>, msg: impl Into<Msg>) {
        let field = field.into();
        match self.0.iter_mut().find(|(f, _)| *f == field) {
            Some((_, msgs)) => msgs.push(msg.into()),
            None => self.0.push((field, vec![msg.into()])),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `field` already has a message (later rules of a field are skipped once one fails).
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(f, _)| f == field)
    }

    /// Each field with its messages, in the order found.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &[Msg])> {
        self.0.iter().map(|(f, m)| (f.as_str(), m.as_slice()))
    }

    /// How many messages there are in all.
    pub fn count(&self) -> usize {
        self.0.iter().map(|(_, m)| m.len()).sum()
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

impl std::fmt::Display for FieldErrors {
    /// The first message.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.first().and_then(|(_, m)| m.first()) {
            Some(m) => f.write_str(m),
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
    fn field_errors_group_by_field_and_display_the_first() {
        let mut e = FieldErrors::default();
        e.add("name", "The name field is required.");
        e.add("sort", "The sort must be an integer.");
        e.add("name", "again");
        assert_eq!(e.count(), 3);
        assert!(e.has("sort") && !e.has("icon"));
        let fields: Vec<_> = e.fields().map(|(f, m)| (f, m.len())).collect();
        assert_eq!(fields, [("name", 2), ("sort", 1)]);
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
