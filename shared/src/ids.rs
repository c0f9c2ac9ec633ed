//! Identifiers: how new ones are made and how incoming ones are checked.
//!
//! New IDs are UUIDv7: unique, and ordered by creation time, so a sort key made of them
//! lists items oldest to newest. Incoming IDs are restricted to `[A-Za-z0-9_-]{1,64}` so a
//! value can never reach into another key's shape (keys join parts with `#`).

use crate::error::{AppError, Msg};

/// A new time-ordered identifier (UUIDv7, hyphenated).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

pub const MAX_ID_LEN: usize = 64;

/// Whether `s` has the shape of an identifier this backend accepts.
pub fn is_valid_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_ID_LEN && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// An identifier taken from a request: present (else `missing`), and well-formed (else
/// "`<field>` is invalid").
pub fn parse_id(raw: &str, field: &str, missing: impl Into<Msg>) -> Result<String, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(AppError::BadRequest(missing.into()));
    }
    if !is_valid_id(raw) {
        return Err(AppError::bad_request(format!("{field} is invalid")));
    }
    Ok(raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_are_valid_and_time_ordered() {
        let a = new_id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = new_id();
        assert!(is_valid_id(&a) && is_valid_id(&b));
        assert!(a < b, "{a} should sort before {b}");
    }

    #[test]
    fn ids_reject_key_separators_and_oversize() {
        assert!(is_valid_id("p_10001"));
        assert!(!is_valid_id("p#LIKE"));
        assert!(!is_valid_id(""));
        assert!(!is_valid_id(&"a".repeat(65)));
        assert!(!is_valid_id("a b"));
    }

    #[test]
    fn parse_id_names_missing_and_invalid() {
        let missing = parse_id("  ", "postID", "postID is required").unwrap_err();
        assert_eq!(missing.to_string(), "postID is required");
        let invalid = parse_id("a/b", "postID", "postID is required").unwrap_err();
        assert_eq!(invalid.to_string(), "postID is invalid");
    }
}
