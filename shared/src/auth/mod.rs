//! Authentication: access tokens, password hashes and the caller's identity.
//!
//! The caller's identity only ever comes from a verified token ([`Caller`]); a user ID in a
//! request body is never trusted.

pub mod password;
pub mod token;

pub use token::{Audience, Caller, TokenError, Tokens};
