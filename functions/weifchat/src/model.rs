//! Validated weifChat inputs. Each parser returns a [`Field`]: the valid value, or every check
//! it failed with the seed's message (express-validator style, so a missing phone fails both
//! `手机号不合法` and `手机号不能为空`). Limits are listed in `docs/weifchat.md`.

use crate::fields::{Field, invalid};
use shared::AppError;

use super::time;

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// A mainland China mobile number, as express-validator's `isMobilePhone('zh-CN')` accepts it
/// (`+86` / `0086` prefix allowed); kept as its 11 digits.
pub fn phone(raw: &str) -> Field<String> {
    let raw = raw.trim();
    let digits = raw
        .strip_prefix("+86")
        .or_else(|| raw.strip_prefix("0086"))
        .unwrap_or(raw);
    let b = digits.as_bytes();
    let valid = b.len() == 11
        && b.iter().all(u8::is_ascii_digit)
        && ((b[0] == b'1' && (b'3'..=b'9').contains(&b[1])) || (b[0] == b'9' && (b[1] == b'2' || b[1] == b'8')));
    match (raw.is_empty(), valid) {
        (_, true) => Ok(digits.to_owned()),
        (true, _) => Err(vec![
            shared::error::FieldError::new("phone", "手机号不合法"),
            shared::error::FieldError::new("phone", "手机号不能为空"),
        ]),
        (false, false) => invalid("phone", "手机号不合法"),
    }
}

/// A plaintext password on its way to being hashed or verified. Never printed.
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 6;
    pub const MAX_CHARS: usize = 128;

    /// A new password (register): 6–128 characters.
    pub fn new(raw: &str) -> Field<Self> {
        if raw.is_empty() {
            return invalid("password", "密码不能为空");
        }
        if !(Self::MIN_CHARS..=Self::MAX_CHARS).contains(&chars(raw)) {
            return invalid("password", "密码长度必须为6-128位");
        }
        Ok(Self(raw.to_owned()))
    }

    /// A password to check (login): only required.
    pub fn given(raw: &str) -> Field<Self> {
        if raw.is_empty() {
            return invalid("password", "密码不能为空");
        }
        Ok(Self(raw.to_owned()))
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

/// Required text of at most `max` characters, without control characters (line breaks are
/// allowed where `multiline`).
fn text(
    raw: &str,
    field: &'static str,
    empty: &'static str,
    max: usize,
    label: &str,
    multiline: bool,
) -> Field<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return invalid(field, empty);
    }
    limited(raw, field, max, label, multiline)
}

/// Optional text of at most `max` characters.
fn limited(raw: &str, field: &'static str, max: usize, label: &str, multiline: bool) -> Field<String> {
    let raw = raw.trim();
    if chars(raw) > max {
        return invalid(field, format!("{label}最多{max}个字符"));
    }
    let bad = raw
        .chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t')));
    if bad {
        return invalid(field, format!("{label}不能包含控制字符"));
    }
    Ok(raw.to_owned())
}

pub const MAX_NICK_CHARS: usize = 32;

pub fn nick(raw: &str) -> Field<String> {
    text(raw, "nick", "昵称不能为空", MAX_NICK_CHARS, "昵称", false)
}

pub fn sign(raw: &str) -> Field<String> {
    limited(raw, "sign", 100, "个性签名", false)
}

pub fn group_name(raw: &str) -> Field<String> {
    text(raw, "groupName", "群名不能为空", 32, "群名", false)
}

pub fn group_sign(raw: &str) -> Field<String> {
    text(raw, "sign", "群简介不能为空", 200, "群简介", true)
}

pub fn text_desc(raw: &str) -> Field<String> {
    limited(raw, "textDesc", 2000, "textDesc", true)
}

pub fn comment_text(raw: &str) -> Field<String> {
    text(raw, "textarea", "评论内容不能为空", 500, "评论内容", true)
}

pub fn note_text(raw: &str) -> Field<String> {
    text(raw, "text", "便签内容不能为空", 1000, "便签内容", true)
}

/// `sex`: one of 未知, 男, 女.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Unknown,
    Male,
    Female,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Unknown => "未知",
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }

    pub fn parse(raw: &str) -> Field<Self> {
        const NOT_IN: &str = "性别必须为未知/男/女";
        match raw.trim() {
            "未知" => Ok(Sex::Unknown),
            "男" => Ok(Sex::Male),
            "女" => Ok(Sex::Female),
            "" => Err(vec![
                shared::error::FieldError::new("sex", "性别不能为空"),
                shared::error::FieldError::new("sex", NOT_IN),
            ]),
            _ => invalid("sex", NOT_IN),
        }
    }
}

/// A birthday `xxxx-xx-xx` (a real date from 1900 to `today`), or empty (not given).
pub fn birthday(raw: &str, today_ms: i64) -> Field<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(String::new());
    }
    let bad = || invalid("birthday", "生日必须为xxxx-xx-xx格式的有效日期");
    let Some((y, m, d)) = ymd(raw) else {
        return bad();
    };
    let today = time::china(today_ms);
    let days = time::days_from_civil(y, m, d);
    if y < 1900 || days > time::days_from_civil(today.year, today.month, today.day) {
        return bad();
    }
    Ok(raw.to_owned())
}

/// Year, month and day of a valid `YYYY-MM-DD`.
fn ymd(s: &str) -> Option<(i64, u32, u32)> {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return None;
    }
    let y: i64 = s[0..4].parse().ok()?;
    let m: u32 = s[5..7].parse().ok()?;
    let d: u32 = s[8..10].parse().ok()?;
    (d >= 1 && d <= time::days_in_month(y, m)).then_some((y, m, d))
}

/// The star sign (星座) of a birthday: the seed's `start`. Empty without a birthday.
pub fn star_sign(birthday: &str) -> &'static str {
    const SIGNS: [(u32, u32, &str); 12] = [
        (1, 20, "水瓶座"),
        (2, 19, "双鱼座"),
        (3, 21, "白羊座"),
        (4, 20, "金牛座"),
        (5, 21, "双子座"),
        (6, 22, "巨蟹座"),
        (7, 23, "狮子座"),
        (8, 23, "处女座"),
        (9, 23, "天秤座"),
        (10, 24, "天蝎座"),
        (11, 23, "射手座"),
        (12, 22, "摩羯座"),
    ];
    let Some((_, m, d)) = ymd(birthday) else {
        return "";
    };
    // The last sign that starts on or before (m, d); before 1-20 it is still 摩羯座.
    SIGNS
        .iter()
        .rev()
        .find(|(sm, sd, _)| (m, d) >= (*sm, *sd))
        .map_or("摩羯座", |(_, _, name)| name)
}

/// Born 2000–2009 (`00后`), for a group's `statis.is00sBornNum`.
pub fn born_in_00s(birthday: &str) -> bool {
    ymd(birthday).is_some_and(|(y, _, _)| (2000..=2009).contains(&y))
}

/// An image address: a path on this service (`/user2.png`, as the seed's samples) or an
/// http(s) URL; at most 512 characters, no whitespace or control characters. Empty is `None`.
pub fn image_url(raw: &str, field: &'static str) -> Field<Option<String>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let shaped =
        (raw.starts_with('/') && !raw.starts_with("//")) || raw.starts_with("https://") || raw.starts_with("http://");
    if !shaped || raw.len() > 512 || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return invalid(field, format!("{field}必须为以/或http(s)://开头的图片地址"));
    }
    Ok(Some(raw.to_owned()))
}

/// What a moment says: `textDesc`, `photos`, or both (one is required).
pub fn space_content(text: &str, photo_list: &str) -> Field<(String, Vec<String>)> {
    let (text, photo_list) = crate::fields::join(text_desc(text), photos(photo_list))?;
    if text.is_empty() && photo_list.is_empty() {
        return invalid("textDesc", "textDesc和photos不能同时为空");
    }
    Ok((text, photo_list))
}

pub const MAX_PHOTOS: usize = 9;

/// `photos`: a JSON array of image addresses (the seed sends it `JSON.stringify`-ed), at most
/// nine. Empty means none.
pub fn photos(raw: &str) -> Field<Vec<String>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    let Ok(list) = serde_json::from_str::<Vec<String>>(raw) else {
        return invalid("photos", "photos必须为图片地址数组的JSON字符串");
    };
    if list.len() > MAX_PHOTOS {
        return invalid("photos", format!("photos最多{MAX_PHOTOS}张"));
    }
    let mut out = Vec::with_capacity(list.len());
    for p in &list {
        match image_url(p, "photos")? {
            Some(url) => out.push(url),
            None => return invalid("photos", "photos必须为图片地址数组的JSON字符串"),
        }
    }
    Ok(out)
}

/// A note colour `#rrggbb` or `#rgb`; empty means the default.
pub fn color(raw: &str) -> Field<Option<String>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let hex = raw.strip_prefix('#').unwrap_or("");
    if !(hex.len() == 6 || hex.len() == 3) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return invalid("color", "便签颜色必须为#rrggbb格式");
    }
    Ok(Some(raw.to_ascii_lowercase()))
}

pub const MAX_PAGE_NUM: u32 = 50;

/// `pageNum`: 1 when absent, else 1–50.
pub fn page_num(raw: &str) -> Field<u32> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(1);
    }
    match raw.parse::<u32>() {
        Ok(n) if (1..=MAX_PAGE_NUM).contains(&n) => Ok(n),
        _ => invalid("pageNum", format!("pageNum必须为1-{MAX_PAGE_NUM}的整数")),
    }
}

/// The comment type of `/space/comment/…/:type`: 0 a comment, 1 a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentType {
    Comment,
    Reply,
}

impl CommentType {
    pub fn parse(raw: &str) -> Field<Self> {
        match raw.trim() {
            "0" => Ok(Self::Comment),
            "1" => Ok(Self::Reply),
            _ => invalid("type", "type必须为0或1"),
        }
    }

    pub fn number(self) -> u8 {
        match self {
            Self::Comment => 0,
            Self::Reply => 1,
        }
    }
}

/// `isLike` of `/space/like` (beyond the seed): the state the client wants (`true`/`false`, or
/// `1`/`0`); absent, the like toggles.
pub fn desired_like(raw: Option<&str>) -> Field<Option<bool>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some("true" | "1") => Ok(Some(true)),
        Some("false" | "0") => Ok(Some(false)),
        Some(_) => invalid("isLike", "isLike必须为true或false"),
    }
}

// ---- messages (issue 9) ----

/// A message's kind, as the client's `MessageType` numbers it: 0 text, 1 image, 2 video, 3 file,
/// 4 a single emoji, 5 markdown, 6 voice call, 7 video call, 8 screen sharing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MsgType(u8);

impl MsgType {
    pub const MAX: u8 = 8;

    pub fn parse(raw: i64) -> Result<Self, AppError> {
        match u8::try_from(raw) {
            Ok(n) if n <= Self::MAX => Ok(Self(n)),
            _ => Err(AppError::invalid("msgType", "msgType必须为0-8的整数")),
        }
    }

    pub fn number(self) -> u8 {
        self.0
    }
}

/// A message's text (a file or image message carries its JSON description here).
///
/// Limit: at most [`MessageText::MAX_JSON_BYTES`] bytes *as a JSON string* (escapes counted),
/// so a pushed message with its envelope (sender, group, times: under 1 KB) stays well under
/// API Gateway's 32 KB WebSocket frame; that is 24,000 ASCII or 8,000 CJK characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageText(String);

impl MessageText {
    pub const MAX_JSON_BYTES: usize = 24_000;

    pub fn parse(raw: impl Into<String>) -> Result<Self, AppError> {
        let raw = raw.into();
        if raw.is_empty() {
            return Err(AppError::invalid("message", "消息内容不能为空"));
        }
        let json_len = serde_json::to_string(&raw).map_err(AppError::internal)?.len();
        if json_len > Self::MAX_JSON_BYTES {
            return Err(AppError::invalid("message", "消息内容过长"));
        }
        Ok(Self(raw))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a user sends: a valid kind and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    pub msg_type: MsgType,
    pub message: MessageText,
}

impl Content {
    pub fn new(msg_type: i64, message: impl Into<String>) -> Result<Self, AppError> {
        Ok(Self {
            msg_type: MsgType::parse(msg_type)?,
            message: MessageText::parse(message)?,
        })
    }
}

/// The largest chat history page number (20 messages a page: 2,000,000 messages back); each
/// page costs the same whatever its number.
pub const MAX_HISTORY_PAGE: u32 = 100_000;

/// `pageNum` of a chat history: 1 when absent, else 1–100000.
pub fn history_page(raw: &str) -> Field<u32> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(1);
    }
    match raw.parse::<u32>() {
        Ok(n) if (1..=MAX_HISTORY_PAGE).contains(&n) => Ok(n),
        _ => invalid("pageNum", format!("pageNum必须为1-{MAX_HISTORY_PAGE}的整数")),
    }
}

/// `seq` of the sync route: the last sequence number the client has (0 when absent: from the
/// first message).
pub fn seen_seq(raw: &str) -> Field<u64> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(0);
    }
    raw.parse::<u64>().or_else(|_| invalid("seq", "seq必须为非负整数"))
}

/// `:type` of `/message/read/:type` and `/message/sync/:type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatType {
    Friend,
    Group,
}

impl ChatType {
    pub fn parse(raw: &str) -> Field<Self> {
        match raw.trim() {
            "friend" => Ok(Self::Friend),
            "group" => Ok(Self::Group),
            _ => invalid("type", "type必须为friend或group"),
        }
    }
}

// ---- uploads (#5, #15, #27, #38–42) ----

/// An image a form carried, checked by its content (PNG, JPEG, GIF or WebP).
#[derive(Debug, Clone)]
pub struct Image {
    pub name: String,
    pub mime: &'static str,
    pub ext: &'static str,
    pub bytes: Vec<u8>,
}

impl Image {
    /// `file` as an image, else `<field>必须是图片(png/jpeg/gif/webp)`.
    pub fn parse(file: crate::wire::FilePart, field: &'static str) -> Field<Image> {
        match shared::storage::image::format(&file.bytes) {
            Some((mime, ext)) => Ok(Image {
                name: file_name(file.file_name.as_deref().unwrap_or_default()),
                mime,
                ext,
                bytes: file.bytes,
            }),
            None => invalid(field, format!("{field}必须是图片(png/jpeg/gif/webp)")),
        }
    }

    /// The one image a form sent under `field` (`<field>不能为空` without one, `<field>只能上传一个文件`
    /// with several).
    pub fn one(mut files: Vec<crate::wire::FilePart>, field: &'static str) -> Field<Image> {
        match files.len() {
            0 => invalid(field, format!("{field}不能为空")),
            1 => Image::parse(files.remove(0), field),
            _ => invalid(field, format!("{field}只能上传一个文件")),
        }
    }
}

/// The most photos #27 takes at once.
pub const MAX_UPLOAD_PHOTOS: usize = 9;

/// #27's photos: one to nine images.
pub fn photo_files(files: Vec<crate::wire::FilePart>, field: &'static str) -> Field<Vec<Image>> {
    if files.is_empty() {
        return invalid(field, format!("{field}不能为空"));
    }
    if files.len() > MAX_UPLOAD_PHOTOS {
        return invalid(field, format!("{field}最多{MAX_UPLOAD_PHOTOS}张图片"));
    }
    let mut out = Vec::with_capacity(files.len());
    for file in files {
        out.push(Image::parse(file, field)?);
    }
    Ok(out)
}

/// A file name safe in an object key and an address: ASCII letters, digits, `.`, `_` and `-`
/// kept, anything else `_`, at most 100 characters, never starting with `.`; `file` when empty.
pub fn file_name(raw: &str) -> String {
    let mut name: String = raw
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    while name.starts_with('.') {
        name.replace_range(..1, "_");
    }
    if name.is_empty() { "file".into() } else { name }
}

/// `fileHash`: the hex MD5 of the whole file (as spark-md5 computes it in the browser), stored
/// lowercase.
pub fn file_hash(raw: &str) -> Field<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return invalid("fileHash", "fileHash不能为空");
    }
    if raw.len() != 32 || !raw.bytes().all(|b| b.is_ascii_hexdigit()) {
        return invalid("fileHash", "fileHash必须为32位十六进制MD5");
    }
    Ok(raw.to_ascii_lowercase())
}

/// The most chunks a file may have (S3's part limit; 4 MiB chunks make 40 GiB).
pub const MAX_CHUNKS: u32 = 10_000;

/// `index`: a chunk's position, from 0.
pub fn chunk_index(raw: &str) -> Field<u32> {
    match raw.trim().parse::<u32>() {
        Ok(i) if i < MAX_CHUNKS => Ok(i),
        _ => invalid("index", format!("index必须为0到{}的整数", MAX_CHUNKS - 1)),
    }
}

/// `:type` of #40–42: a private or a group chat (only recorded in the logs: the file's owner is
/// the uploader either way).
pub fn chat_type(raw: &str) -> Field<&'static str> {
    match raw {
        "private" => Ok("private"),
        "group" => Ok("group"),
        _ => invalid("type", "type必须为private或group"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::error::FieldError;

    fn messages<T: std::fmt::Debug>(f: Field<T>) -> Vec<String> {
        f.unwrap_err().into_iter().map(|e| e.message.into_owned()).collect()
    }

    #[test]
    fn phones_follow_is_mobile_phone_zh_cn() {
        assert_eq!(phone("15583251761").unwrap(), "15583251761");
        assert_eq!(phone("+8615583251761").unwrap(), "15583251761");
        assert_eq!(phone("008613800000000").unwrap(), "13800000000");
        assert_eq!(messages(phone("")), ["手机号不合法", "手机号不能为空"]);
        assert_eq!(messages(phone("12345678901")), ["手机号不合法"]);
        assert_eq!(messages(phone("1380000000")), ["手机号不合法"]);
        assert_eq!(messages(phone("1380000000a")), ["手机号不合法"]);
    }

    #[test]
    fn sex_missing_fails_both_checks_like_the_seed() {
        assert_eq!(
            Sex::parse("").unwrap_err(),
            [
                FieldError::new("sex", "性别不能为空"),
                FieldError::new("sex", "性别必须为未知/男/女")
            ]
        );
        assert_eq!(messages(Sex::parse("male")), ["性别必须为未知/男/女"]);
        assert_eq!(Sex::parse("女").unwrap().as_str(), "女");
    }

    #[test]
    fn passwords_are_bounded_and_never_printed() {
        assert_eq!(messages(Password::new("")), ["密码不能为空"]);
        assert_eq!(messages(Password::new("12345")), ["密码长度必须为6-128位"]);
        assert!(Password::given("1").is_ok());
        assert_eq!(format!("{:?}", Password::new("secret-1").unwrap()), "Password(***)");
    }

    #[test]
    fn texts_count_characters() {
        assert!(nick(&"歪".repeat(32)).is_ok());
        assert_eq!(messages(nick(&"歪".repeat(33))), ["昵称最多32个字符"]);
        assert_eq!(messages(nick("  ")), ["昵称不能为空"]);
        assert_eq!(messages(nick("a\u{7}b")), ["昵称不能包含控制字符"]);
        assert!(note_text("line\nline").is_ok());
        assert_eq!(sign("").unwrap(), "");
    }

    const DAY: i64 = 86_400_000;

    #[test]
    fn birthdays_are_real_dates_up_to_today() {
        let today = time::days_from_civil(2024, 3, 1) * DAY;
        assert_eq!(birthday("2003-06-26", today).unwrap(), "2003-06-26");
        assert_eq!(birthday("", today).unwrap(), "");
        assert_eq!(birthday("2024-02-29", today).unwrap(), "2024-02-29");
        for bad in [
            "2023-02-29",
            "2003-6-26",
            "2003/06/26",
            "1899-12-31",
            "2024-03-05",
            "abcd-ef-gh",
        ] {
            assert!(birthday(bad, today).is_err(), "{bad}");
        }
    }

    #[test]
    fn star_signs_change_on_their_first_day() {
        assert_eq!(star_sign("2003-06-26"), "巨蟹座");
        assert_eq!(star_sign("2000-01-19"), "摩羯座");
        assert_eq!(star_sign("2000-01-20"), "水瓶座");
        assert_eq!(star_sign("2000-12-21"), "射手座");
        assert_eq!(star_sign("2000-12-22"), "摩羯座");
        assert_eq!(star_sign("2000-03-21"), "白羊座");
        assert_eq!(star_sign("2000-10-23"), "天秤座");
        assert_eq!(star_sign("2000-10-24"), "天蝎座");
        assert_eq!(star_sign(""), "");
    }

    #[test]
    fn born_in_the_00s() {
        assert!(born_in_00s("2003-06-26"));
        assert!(!born_in_00s("1999-12-31"));
        assert!(!born_in_00s("2010-01-01"));
        assert!(!born_in_00s(""));
    }

    #[test]
    fn image_addresses_are_paths_or_http() {
        assert_eq!(
            image_url("/user2.png", "imgUrl").unwrap().as_deref(),
            Some("/user2.png")
        );
        assert!(image_url("/1700935073298-黄鼠狼.jpg", "imgUrl").is_ok());
        assert!(image_url("https://cdn.example.com/a.png", "imgUrl").is_ok());
        assert_eq!(image_url("", "imgUrl").unwrap(), None);
        for bad in ["javascript:alert(1)", "//evil.example/a.png", "/a b.png", "a.png"] {
            assert!(image_url(bad, "imgUrl").is_err(), "{bad}");
        }
    }

    #[test]
    fn photos_are_a_json_array_of_at_most_nine() {
        assert_eq!(photos(r#"["/a.jpg","/b.jpg"]"#).unwrap(), ["/a.jpg", "/b.jpg"]);
        assert!(photos("").unwrap().is_empty());
        assert!(photos("[]").unwrap().is_empty());
        assert!(photos("/a.jpg").is_err());
        assert!(photos(r#"["javascript:x"]"#).is_err());
        assert_eq!(
            messages(photos(&serde_json::to_string(&vec!["/a.jpg"; 10]).unwrap())),
            ["photos最多9张"]
        );
    }

    #[test]
    fn a_moment_needs_text_or_photos() {
        assert_eq!(messages(space_content(" ", "")), ["textDesc和photos不能同时为空"]);
        assert_eq!(space_content("", r#"["/a.jpg"]"#).unwrap().1, ["/a.jpg"]);
        assert_eq!(space_content("hi", "").unwrap().0, "hi");
        assert_eq!(
            messages(space_content(&"x".repeat(2001), "nope")),
            ["textDesc最多2000个字符", "photos必须为图片地址数组的JSON字符串"]
        );
    }

    #[test]
    fn colors_and_page_numbers() {
        assert_eq!(color("#FBDC7C").unwrap().as_deref(), Some("#fbdc7c"));
        assert_eq!(color("").unwrap(), None);
        assert!(color("red").is_err());
        assert_eq!(page_num("").unwrap(), 1);
        assert_eq!(page_num("50").unwrap(), 50);
        assert!(page_num("0").is_err() && page_num("51").is_err() && page_num("x").is_err());
    }

    #[test]
    fn comment_types() {
        assert_eq!(CommentType::parse("0").unwrap(), CommentType::Comment);
        assert_eq!(CommentType::parse("1").unwrap().number(), 1);
        assert_eq!(messages(CommentType::parse("2")), ["type必须为0或1"]);
    }

    #[test]
    fn message_content_is_checked() {
        assert!(Content::new(0, "hi").is_ok());
        assert!(Content::new(8, "x").is_ok());
        assert!(Content::new(9, "x").is_err());
        assert!(Content::new(-1, "x").is_err());
        assert!(Content::new(0, "").is_err());
        assert!(MessageText::parse("a".repeat(MessageText::MAX_JSON_BYTES - 2)).is_ok());
        assert!(MessageText::parse("a".repeat(MessageText::MAX_JSON_BYTES - 1)).is_err());
        // Escapes count: a quote is two bytes in the frame.
        assert!(MessageText::parse("\"".repeat(MessageText::MAX_JSON_BYTES / 2)).is_err());
        assert!(MessageText::parse("歪".repeat(7_999)).is_ok());
    }

    #[test]
    fn history_page_and_chat_type() {
        assert_eq!(history_page("").unwrap(), 1);
        assert_eq!(history_page("51").unwrap(), 51);
        assert!(history_page("0").is_err());
        assert_eq!(ChatType::parse("group").unwrap(), ChatType::Group);
        assert_eq!(messages(ChatType::parse("x")), vec!["type必须为friend或group"]);
    }
}
