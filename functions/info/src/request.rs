//! Typed requests: one per route that reads input, parsed from its [`Input`] with the rules of
//! [`crate::model`], in the order the 422 lists their failures. A request exists only when every
//! field is valid; otherwise parsing answers the 422 naming every failing field. Handlers get one
//! with `input.parse()?` and never see a half-checked value.

use serde_json::Value;
use shared::error::AppError;
use shared::storage::{self, FileInfo, MAX_FILE_SIZE, UploadRequest};

use crate::model::{
    CategoryName, CommentQuery, FeedDraft, InfoFields, ListQuery, Media, MediaRef, Node, Password, Trashed, UserName,
    With, category_name, id, node, sort, user_name,
};
use crate::store::{CategoryChange, NewInfo};
use crate::wire::{FromInput, Input, Validator};

/// `POST /users`: `{name, password}`.
#[derive(Debug)]
pub struct Registration {
    pub name: UserName,
    pub password: Password,
}

impl FromInput for Registration {
    fn from_input(input: &Input) -> Result<Self, AppError> {
        input.validate(|v| {
            let name = user_name(v, "name");
            let password = Password::parse(v, "password");
            Some(Self {
                name: name?,
                password: password?,
            })
        })
    }
}

/// `POST /auth/login`: `{login, password}`.
#[derive(Debug)]
pub struct Login {
    pub login: String,
    pub password: Password,
}

impl FromInput for Login {
    fn from_input(input: &Input) -> Result<Self, AppError> {
        input.validate(|v| {
            v.required("login");
            v.required("password");
            let login = v.string("login");
            let password = Password::given(v, "password");
            Some(Self {
                login: login?.to_owned(),
                password: password?,
            })
        })
    }
}

/// `count_by_author_id`: the author whose counts each category carries.
fn count_by_author(v: &mut Validator<'_>) -> Option<u64> {
    id(v, "count_by_author_id")
}

/// `GET /info/categories/{id}`: `?count_by_author_id`.
#[derive(Debug, Clone, Copy)]
pub struct CategoryQuery {
    pub count_by_author: Option<u64>,
}

impl FromInput for CategoryQuery {
    fn from_input(input: &Input) -> Result<Self, AppError> {
        input.validate(|v| {
            Some(Self {
                count_by_author: count_by_author(v),
            })
        })
    }
}

/// `GET /info/categories`: `?trashed&count_by_author_id`.
#[derive(Debug, Clone, Copy)]
pub struct CategoryListQuery {
    pub trashed: Trashed,
    pub count_by_author: Option<u64>,
}

impl FromInput for CategoryListQuery {
    fn from_input(input: &Input) -> Result<Self, AppError> {
        input.validate(|v| {
            let trashed = Trashed::parse(v);
            Some(Self {
                trashed,
                count_by_author: count_by_author(v),
            })
        })
    }
}

/// `POST /infos/categories`: `{name, icon?, sort}`.
#[derive(Debug, Clone)]
pub struct NewCategory {
    pub name: CategoryName,
    pub icon: Option<Node>,
    pub sort: i64,
}

impl FromInput for NewCategory {
    fn from_input(input: &Input) -> Result<Self, AppError> {
        input.validate(|v| {
            v.required("name");
            let name = category_name(v, "name");
            let icon = node(v, "icon");
            v.required("sort");
            let sort = sort(v, "sort");
            Some(Self {
                name: name?,
                icon,
                sort: sort?,
            })
        })
    }
}

/// `PUT|PATCH /info/categories/{id}`: `{name?, icon?, sort?, deleted?}`; an absent field stays
/// as it is.
#[derive(Debug, Clone)]
pub struct CategoryEdit {
    pub name: Option<CategoryName>,
    pub icon: Option<Node>,
    pub sort: Option<i64>,
    pub deleted: Option<bool>,
}

impl CategoryEdit {
    /// The store's change, with the icon as storage described it.
    pub fn with_icon(self, icon: Option<FileInfo>) -> CategoryChange {
        CategoryChange {
            name: self.name,
            icon,
            sort: self.sort,
            deleted: self.deleted,
        }
    }
}

impl FromInput for CategoryEdit {
    fn from_input(input: &Input) -> Result<Self, AppError> {
        input.validate(|v| {
            let name = category_name(v, "name");
            let icon = node(v, "icon");
            let sort = sort(v, "sort");
            let deleted = v.boolean("deleted");
            Some(Self {
                name,
                icon,
                sort,
                deleted,
            })
        })
    }
}

/// `GET /infos/{id}`: `?with`.
#[derive(Debug, Clone, Copy)]
pub struct InfoQuery {
    pub with: With,
}

impl FromInput for InfoQuery {
    fn from_input(input: &Input) -> Result<Self, AppError> {
        input.validate(|v| Some(Self { with: With::parse(v) }))
    }
}

/// `GET /infos`: every filter, order and window of the listing.
impl FromInput for ListQuery {
    fn from_input(input: &Input) -> Result<Self, AppError> {
        input.validate(|v| Some(ListQuery::parse(v)))
    }
}

/// `POST /infos`: an info to publish (`category_id`, `title` and `content` required), its
/// `content_medias` still nodes.
#[derive(Debug, Clone)]
pub struct InfoDraft {
    /// Another author than the publisher.
    pub author_id: Option<u64>,
    pub category_id: u64,
    pub title: String,
    pub summary: Option<String>,
    pub content: String,
    pub content_medias: Vec<MediaRef>,
    pub recommend: bool,
    pub topped: bool,
    pub category_topped: bool,
}

impl InfoDraft {
    /// The info to create: by `author_id`, else by `publisher`, with its medias described.
    pub fn publish(self, publisher: u64, content_medias: Vec<Media>) -> NewInfo {
        NewInfo {
            author_id: self.author_id.unwrap_or(publisher),
            category_id: self.category_id,
            title: self.title,
            summary: self.summary,
            content: self.content,
            content_medias,
            recommend: self.recommend,
            topped: self.topped,
            category_topped: self.category_topped,
        }
    }
}

impl FromInput for InfoDraft {
    fn from_input(input: &Input) -> Result<Self, AppError> {
        input.validate(|v| {
            let f = InfoFields::parse(v, true);
            Some(Self {
                author_id: f.author_id,
                category_id: f.category_id?,
                title: f.title?,
                summary: f.summary,
                content: f.content?,
                content_medias: f.content_medias.unwrap_or_default(),
                recommend: f.recommend.unwrap_or(false),
                topped: f.topped.unwrap_or(false),
                category_topped: f.category_topped.unwrap_or(false),
            })
        })
    }
}

/// `PATCH /infos/{id}`: the fields to change, `content_medias` still nodes.
impl FromInput for InfoFields {
    fn from_input(input: &Input) -> Result<Self, AppError> {
        input.validate(|v| Some(InfoFields::parse(v, false)))
    }
}

/// `POST /feeds`: a comment on an info.
impl FromInput for FeedDraft {
    fn from_input(input: &Input) -> Result<Self, AppError> {
        input.validate(FeedDraft::parse)
    }
}

/// `GET /infos/{id}/comments`, `GET /info/comments`: `?type&after&order&limit`.
impl FromInput for CommentQuery {
    fn from_input(input: &Input) -> Result<Self, AppError> {
        input.validate(|v| Some(CommentQuery::parse(v)))
    }
}

/// `POST /storage`: `{filename, hash, size, mime_type, storage: {channel: "public"}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUpload {
    pub filename: String,
    pub md5: [u8; 16],
    pub size: u64,
    pub mime: &'static str,
}

impl NewUpload {
    /// The upload to issue for `owner` (`<surface>:<user ID>`).
    pub fn by(self, owner: String) -> UploadRequest {
        UploadRequest {
            filename: self.filename,
            mime: self.mime,
            size: self.size,
            md5: self.md5,
            owner,
        }
    }
}

/// The MD5 `hash` as 32 hex digits.
fn md5(v: &mut Validator<'_>) -> Option<[u8; 16]> {
    let hex = v.string("hash")?;
    let bytes: Option<Vec<u8>> = (hex.len() == 32)
        .then(|| {
            (0..16)
                .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
                .collect()
        })
        .flatten();
    match bytes.and_then(|b| <[u8; 16]>::try_from(b).ok()) {
        Some(md5) => Some(md5),
        None => {
            v.fail("hash", "The hash must be the file's MD5, as 32 hexadecimal digits.");
            None
        }
    }
}

impl FromInput for NewUpload {
    fn from_input(input: &Input) -> Result<Self, AppError> {
        input.validate(|v| {
            for field in ["filename", "hash", "size", "mime_type"] {
                v.required(field);
            }
            let filename = v.string("filename").filter(|f| {
                let ok = f.chars().count() <= 255;
                if !ok {
                    v.fail("filename", "The filename may not be greater than 255 characters.");
                }
                ok
            });
            let md5 = md5(v);
            let size = v
                .integer("size")
                .and_then(|n| match u64::try_from(n).ok().filter(|n| (1..=MAX_FILE_SIZE).contains(n)) {
                    Some(n) => Some(n),
                    None => {
                        v.fail("size", format!("The size must be between 1 and {MAX_FILE_SIZE} bytes."));
                        None
                    }
                });
            let mime = v.string("mime_type").and_then(|m| match storage::accepted_type(m) {
                Some((mime, _, _)) => Some(mime),
                None => {
                    v.fail(
                        "mime_type",
                        "The mime type must be one of image/png, image/jpeg, image/gif, image/webp, video/mp4, video/quicktime, video/webm.",
                    );
                    None
                }
            });
            match v.input().get("storage") {
                None => {}
                Some(Value::Object(o)) if o.get("channel").is_none_or(|c| c == storage::CHANNEL) => {}
                Some(_) => v.fail("storage.channel", "The selected storage.channel is invalid."),
            }
            Some(Self {
                filename: filename?.to_owned(),
                md5: md5?,
                size: size?,
                mime: mime?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(body: Value) -> Input {
        let Value::Object(b) = body else { panic!() };
        Input::from_parts(&[], b)
    }

    fn fields(err: AppError) -> Vec<(String, String)> {
        match err {
            AppError::Invalid(e) => e
                .fields()
                .into_iter()
                .map(|(f, m)| (f.to_owned(), m[0].to_owned()))
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_request_exists_only_when_every_field_is_valid() {
        let new: NewCategory = input(json!({"name": "新闻", "sort": "3"})).parse().unwrap();
        assert_eq!((new.name.as_str(), new.sort, new.icon), ("新闻", 3, None));
        let err = input(json!({"icon": "nope"})).parse::<NewCategory>().unwrap_err();
        assert_eq!(
            fields(err),
            [
                ("name", "The name field is required."),
                ("icon", "The selected icon is invalid."),
                ("sort", "The sort field is required."),
            ]
            .map(|(f, m)| (f.to_owned(), m.to_owned()))
        );
    }

    #[test]
    fn login_takes_any_password_and_registration_checks_it() {
        let login: Login = input(json!({"login": "ann", "password": "x"})).parse().unwrap();
        assert_eq!((login.login.as_str(), login.password.expose()), ("ann", "x"));
        let err = input(json!({"name": "ann", "password": "x"}))
            .parse::<Registration>()
            .unwrap_err();
        assert_eq!(fields(err)[0].0, "password");
        let err = input(json!({})).parse::<Login>().unwrap_err();
        assert_eq!(
            fields(err).into_iter().map(|(f, _)| f).collect::<Vec<_>>(),
            ["login", "password"]
        );
    }

    #[test]
    fn drafts_default_their_flags_and_keep_their_author() {
        let d: InfoDraft = input(json!({"category_id": 2, "title": "标题", "content": "正文"}))
            .parse()
            .unwrap();
        assert!(d.content_medias.is_empty() && !d.recommend && !d.topped && !d.category_topped);
        assert_eq!(d.clone().publish(7, Vec::new()).author_id, 7);
        let d = InfoDraft {
            author_id: Some(9),
            ..d
        };
        assert_eq!(d.publish(7, Vec::new()).author_id, 9);
    }

    #[test]
    fn uploads_check_every_field() {
        let u: NewUpload = input(json!({
            "filename": "a.png", "hash": "0123456789abcdef0123456789ABCDEF", "size": 10, "mime_type": "image/png",
            "storage": {"channel": "public"},
        }))
        .parse()
        .unwrap();
        assert_eq!((u.size, u.mime, u.md5[15]), (10, "image/png", 0xef));
        let err = input(json!({"hash": "xyz", "size": 0, "mime_type": "text/plain", "storage": {"channel": "s3"}}))
            .parse::<NewUpload>()
            .unwrap_err();
        assert_eq!(
            fields(err).into_iter().map(|(f, _)| f).collect::<Vec<_>>(),
            ["filename", "hash", "size", "mime_type", "storage.channel"]
        );
    }
}
