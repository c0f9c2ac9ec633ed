//! Validated chatx inputs and the records the API returns.
//!
//! Each input type can only be built through `parse`, which returns the client-facing message
//! on failure; once a value exists it is valid, so handlers never re-check it.
//! Limits (documented in `docs/chatx.md`): account 3–32 of `[A-Za-z0-9_.@-]`; password 6–128
//! characters; nickname 1–32 characters; URLs http(s), at most 512 characters; post content at
//! most 5,000 characters and at most 9 images; comment content 1–1,000 characters; page size
//! 1–100 (default 20).

use serde::Serialize;

use shared::error::AppError;

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// A login name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account(String);

impl Account {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(AppError::bad_request("account is required"));
        }
        let ok_chars = raw.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.@-".contains(&b));
        if !(3..=32).contains(&raw.len()) || !ok_chars {
            return Err(AppError::bad_request(
                "account must be 3-32 characters of letters, digits, '_', '.', '@' or '-'",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A plaintext password on its way to being hashed or verified. Never printed.
pub struct Password(String);

impl Password {
    pub fn parse(raw: String) -> Result<Self, AppError> {
        if raw.is_empty() {
            return Err(AppError::bad_request("password is required"));
        }
        if !(6..=128).contains(&chars(&raw)) {
            return Err(AppError::bad_request("password must be 6-128 characters"));
        }
        Ok(Self(raw))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nickname(String);

impl Nickname {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(AppError::bad_request("nickname is required"));
        }
        if chars(raw) > 32 || has_control(raw) {
            return Err(AppError::bad_request(
                "nickname must be at most 32 characters, without control characters",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// An http(s) URL of at most 512 characters (an avatar or an image).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url(String);

impl Url {
    /// `field` names the argument in the error message.
    pub fn parse(raw: &str, field: &str) -> Result<Self, AppError> {
        let raw = raw.trim();
        let scheme_ok = raw.starts_with("https://") || raw.starts_with("http://");
        if !scheme_ok || raw.len() > 512 || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(AppError::bad_request(format!(
                "{field} must be an http(s) URL of at most 512 characters"
            )));
        }
        Ok(Self(raw.to_owned()))
    }

    /// Like [`Url::parse`], but an empty value means "no URL".
    pub fn parse_optional(raw: &str, field: &str) -> Result<String, AppError> {
        if raw.trim().is_empty() {
            Ok(String::new())
        } else {
            Ok(Self::parse(raw, field)?.0)
        }
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// What a post says: text, images, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostBody {
    pub content: String,
    pub images: Vec<String>,
}

pub const MAX_POST_CHARS: usize = 5000;
pub const MAX_POST_IMAGES: usize = 9;

impl PostBody {
    pub fn parse(content: &str, images: &[String]) -> Result<Self, AppError> {
        let content = content.trim();
        if chars(content) > MAX_POST_CHARS {
            return Err(AppError::bad_request(format!(
                "content must be at most {MAX_POST_CHARS} characters"
            )));
        }
        if images.len() > MAX_POST_IMAGES {
            return Err(AppError::bad_request(format!("at most {MAX_POST_IMAGES} images")));
        }
        let images = images
            .iter()
            .map(|i| Url::parse(i, "images").map(Url::into_inner))
            .collect::<Result<Vec<_>, _>>()?;
        if content.is_empty() && images.is_empty() {
            return Err(AppError::bad_request("content or images is required"));
        }
        Ok(Self {
            content: content.to_owned(),
            images,
        })
    }
}

pub const MAX_COMMENT_CHARS: usize = 1000;

/// What a comment says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentText(String);

impl CommentText {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(AppError::bad_request("content is required"));
        }
        if chars(raw) > MAX_COMMENT_CHARS {
            return Err(AppError::bad_request(format!(
                "content must be at most {MAX_COMMENT_CHARS} characters"
            )));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// How many items a page holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSize(usize);

impl PageSize {
    pub const DEFAULT: usize = 20;
    pub const MAX: usize = 100;

    pub fn parse(raw: Option<i64>) -> Result<Self, AppError> {
        match raw.map(usize::try_from) {
            None => Ok(Self(Self::DEFAULT)),
            Some(Ok(n)) if (1..=Self::MAX).contains(&n) => Ok(Self(n)),
            Some(_) => Err(AppError::bad_request(format!(
                "count must be between 1 and {}",
                Self::MAX
            ))),
        }
    }

    pub fn get(self) -> usize {
        self.0
    }
}

/// A user's public profile with its creation time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    #[serde(rename = "userID")]
    pub user_id: String,
    pub nickname: String,
    #[serde(rename = "faceURL")]
    pub face_url: String,
    #[serde(rename = "createTime")]
    pub create_time: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Post {
    #[serde(rename = "postID")]
    pub post_id: String,
    #[serde(rename = "userID")]
    pub user_id: String,
    pub content: String,
    pub images: Vec<String>,
    pub create_time: i64,
    pub like_count: i64,
    pub comment_count: i64,
    /// Whether the caller likes this post.
    pub liked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    #[serde(rename = "commentID")]
    pub comment_id: String,
    #[serde(rename = "postID")]
    pub post_id: String,
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "replyToCommentID")]
    pub reply_to_comment_id: String,
    pub content: String,
    pub create_time: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Like {
    #[serde(rename = "userID")]
    pub user_id: String,
    pub create_time: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts() {
        assert!(Account::parse("alice_01").is_ok());
        assert_eq!(Account::parse(" ").unwrap_err().to_string(), "account is required");
        assert!(Account::parse("ab").is_err());
        assert!(Account::parse("a#b").is_err());
        assert!(Account::parse(&"a".repeat(33)).is_err());
    }

    #[test]
    fn passwords_are_bounded_and_never_printed() {
        assert!(Password::parse("12345".into()).is_err());
        let p = Password::parse("hunter22".into()).unwrap();
        assert_eq!(format!("{p:?}"), "Password(***)");
    }

    #[test]
    fn nicknames_count_characters_not_bytes() {
        assert!(Nickname::parse(&"张".repeat(32)).is_ok());
        assert!(Nickname::parse(&"张".repeat(33)).is_err());
        assert_eq!(Nickname::parse("").unwrap_err().to_string(), "nickname is required");
    }

    #[test]
    fn urls_must_be_http() {
        assert!(Url::parse("https://cdn.example.com/a.png", "faceURL").is_ok());
        assert!(Url::parse("javascript:alert(1)", "faceURL").is_err());
        assert_eq!(Url::parse_optional("", "faceURL").unwrap(), "");
    }

    #[test]
    fn posts_need_text_or_images() {
        assert_eq!(
            PostBody::parse("  ", &[]).unwrap_err().to_string(),
            "content or images is required"
        );
        assert!(PostBody::parse("", &["https://x/y.png".into()]).is_ok());
        assert!(PostBody::parse(&"a".repeat(MAX_POST_CHARS + 1), &[]).is_err());
        assert!(PostBody::parse("x", &vec!["https://x/y.png".to_string(); 10]).is_err());
    }

    #[test]
    fn comments_need_content_within_limit() {
        assert_eq!(
            CommentText::parse(" \n").unwrap_err().to_string(),
            "content is required"
        );
        assert!(CommentText::parse(&"好".repeat(MAX_COMMENT_CHARS)).is_ok());
        assert!(CommentText::parse(&"好".repeat(MAX_COMMENT_CHARS + 1)).is_err());
    }

    #[test]
    fn page_sizes() {
        assert_eq!(PageSize::parse(None).unwrap().get(), 20);
        assert_eq!(PageSize::parse(Some(100)).unwrap().get(), 100);
        assert!(PageSize::parse(Some(0)).is_err());
        assert!(PageSize::parse(Some(101)).is_err());
    }
}
