//! Validated nobase inputs and the records the surface works with.
//!
//! Each input type is built only through `parse`, which answers the surface's own refusal; once
//! a value exists it is valid. Limits (docs/nobase.md): accounts within the app's configured
//! length range (at most 1–64) of `[A-Za-z0-9_.@-]`; passwords 6–128 characters; titles 1–100 and
//! contents 1–5,000 characters after trimming; operator-chosen signatures at least 16 characters.

use std::fmt;
use std::str::FromStr;

use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::refusal::{CONTENT_MAX, PASSWORD_MAX, PASSWORD_MIN, Refusal, TITLE_MAX};
use shared::clock;

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// A closed set of lowercase names stored as strings (statuses): serde, `FromStr` (for the
/// operator's command line) and `as_str`.
macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        "`{other}` is not one of: {}",
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(
    /// A developer account's status: only `normal` developers' apps answer.
    DeveloperStatus { Normal = "normal", Abnormal = "abnormal" }
);
string_enum!(
    /// An app's status: `disabled` and `review` (under review) apps refuse every request.
    AppStatus { Normal = "normal", Disabled = "disabled", Review = "review" }
);
string_enum!(
    /// A user's status: only `normal` users may act.
    UserStatus { Normal = "normal", Abnormal = "abnormal" }
);
string_enum!(
    /// A post's status: posts under `review` can't be liked and are shown only to their author.
    PostStatus { Normal = "normal", Review = "review" }
);

/// China Standard Time (UTC+8, no daylight saving): the calendar nobase's dates are in.
pub const DATE_OFFSET_SECS: i64 = 8 * 3600;
const DAY_SECS: i64 = 86_400;

/// A calendar date (the last day a developer's VIP is paid for), stored as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date {
    /// Days since 1970-01-01.
    days: i64,
}

impl Date {
    /// Today in China Standard Time.
    pub fn today() -> Self {
        Self::of_epoch_secs(clock::now_secs())
    }

    pub fn of_epoch_secs(secs: i64) -> Self {
        Self {
            days: (secs + DATE_OFFSET_SECS).div_euclid(DAY_SECS),
        }
    }

    pub fn plus_days(self, n: i64) -> Self {
        Self { days: self.days + n }
    }

    /// How many days past this date `today` is, if it is past it: paid until the 10th, on the
    /// 13th a developer is 3 days overdue; on the 10th itself, not overdue.
    pub fn days_overdue(self, today: Date) -> Option<i64> {
        let days = today.days - self.days;
        (days > 0).then_some(days)
    }

    /// `YYYY-MM-DD`, a real date between years 1970 and 9999.
    pub fn parse(s: &str) -> Result<Self, String> {
        let invalid = || format!("`{s}` is not a date of the form YYYY-MM-DD");
        let b = s.as_bytes();
        let shape_ok = b.len() == 10
            && b.iter().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            });
        if !shape_ok {
            return Err(invalid());
        }
        let num = |r: std::ops::Range<usize>| b[r].iter().fold(0i64, |n, c| n * 10 + i64::from(c - b'0'));
        let (y, m, d) = (num(0..4), num(5..7), num(8..10));
        if !(1970..=9999).contains(&y) || !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
            return Err(invalid());
        }
        Ok(Self {
            days: days_from_civil(y, m, d),
        })
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = civil_from_days(self.days);
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl TryFrom<String> for Date {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<Date> for String {
    fn from(d: Date) -> String {
        d.to_string()
    }
}

impl FromStr for Date {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::parse(s)
    }
}

/// The account lengths an app accepts, in characters: `min..=max`, within 1..=64.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountRange {
    min: u32,
    max: u32,
}

impl AccountRange {
    pub const LIMIT: u32 = 64;
    pub const DEFAULT: AccountRange = AccountRange { min: 3, max: 32 };
    /// Every length any app may allow.
    pub const WIDEST: AccountRange = AccountRange {
        min: 1,
        max: Self::LIMIT,
    };

    pub fn new(min: u32, max: u32) -> Result<Self, String> {
        if min < 1 || min > max || max > Self::LIMIT {
            return Err(format!(
                "account lengths {min}-{max}: need 1 <= min <= max <= {}",
                Self::LIMIT
            ));
        }
        Ok(Self { min, max })
    }

    pub fn min(self) -> u32 {
        self.min
    }

    pub fn max(self) -> u32 {
        self.max
    }

    fn contains(self, len: usize) -> bool {
        (self.min as usize..=self.max as usize).contains(&len)
    }
}

/// A user's account name in an app: its length within the app's range, then of
/// `[A-Za-z0-9_.@-]` (so it can never reach into another key's shape).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account(String);

impl Account {
    pub fn parse(raw: &str, range: AccountRange) -> Result<Self, Refusal> {
        let raw = raw.trim();
        if !range.contains(chars(raw)) {
            return Err(Refusal::AccountLength {
                min: range.min,
                max: range.max,
            });
        }
        if !raw.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.@-".contains(&b)) {
            return Err(Refusal::AccountChars);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password, on its way to being hashed. Never printed.
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, Refusal> {
        if !(PASSWORD_MIN..=PASSWORD_MAX).contains(&chars(raw)) {
            return Err(Refusal::PasswordLength);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A post's title: 1–100 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title(String);

impl Title {
    pub fn parse(raw: &str) -> Result<Self, Refusal> {
        let raw = raw.trim();
        if !(1..=TITLE_MAX).contains(&chars(raw)) {
            return Err(Refusal::TitleLength);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A post's text: 1–5,000 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content(String);

impl Content {
    pub fn parse(raw: &str) -> Result<Self, Refusal> {
        let raw = raw.trim();
        if !(1..=CONTENT_MAX).contains(&chars(raw)) {
            return Err(Refusal::ContentLength);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// An app's signature: a secret the app sends with every request. Only its SHA-256 digest is
/// stored; a request's signature is compared digest to digest in constant time.
pub mod signature {
    use super::*;

    /// The shortest signature an operator may choose.
    pub const MIN_LEN: usize = 16;

    /// A new random signature: 32 URL-safe characters (192 bits).
    pub fn generate() -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>())
    }

    /// The digest stored for `signature`: lowercase hex SHA-256.
    pub fn digest(signature: &str) -> String {
        Sha256::digest(signature.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Whether `stored` has the shape of a digest made by [`digest`].
    pub fn is_digest(stored: &str) -> bool {
        stored.len() == 64 && stored.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }

    /// Whether `provided` is the signature whose digest is `stored`, in time independent of
    /// where they differ.
    pub fn matches(provided: &str, stored: &str) -> bool {
        let provided = digest(provided);
        bool::from(provided.as_bytes().ct_eq(stored.as_bytes()))
    }
}

/// A developer account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Developer {
    pub developer_id: String,
    pub name: String,
    pub status: DeveloperStatus,
    /// The last day the developer's VIP is paid for.
    pub vip_until: Date,
    pub create_time: i64,
}

/// An app's configuration, as the operator set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    pub appid: String,
    pub developer_id: String,
    pub name: String,
    pub status: AppStatus,
    /// Token mode: users act with a `token` (from login) instead of `user` + `pass`.
    pub token_mode: bool,
    pub accounts: AccountRange,
    /// Whether new posts start under review.
    pub post_review: bool,
    /// SHA-256 of the app's signature (see [`signature`]).
    pub signature_digest: String,
    pub create_time: i64,
}

/// A board of an app (the seed's `uid`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Board {
    pub appid: String,
    pub uid: String,
    pub name: String,
    pub create_time: i64,
}

/// A user of an app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub appid: String,
    pub user_id: String,
    pub account: String,
    pub status: UserStatus,
    pub create_time: i64,
}

/// A post in a board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Post {
    #[serde(skip)]
    pub appid: String,
    pub id: String,
    /// Its board.
    pub uid: String,
    pub title: String,
    pub content: String,
    /// The author's user ID (empty for posts the operator made).
    #[serde(skip)]
    pub author_id: String,
    /// The author's account (empty for posts the operator made).
    pub author: String,
    pub status: PostStatus,
    pub like_count: i64,
    pub create_time: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_print_and_count_overdue_days() {
        let d = Date::parse("2026-01-10").unwrap();
        assert_eq!(d.to_string(), "2026-01-10");
        assert_eq!(d.days_overdue(Date::parse("2026-01-13").unwrap()), Some(3));
        assert_eq!(d.days_overdue(d), None);
        assert_eq!(d.days_overdue(Date::parse("2026-01-09").unwrap()), None);
        assert_eq!(
            Date::parse("2025-12-31")
                .unwrap()
                .days_overdue(Date::parse("2026-03-01").unwrap()),
            Some(60)
        );
        assert_eq!(Date::parse("1970-01-01").unwrap().days, 0);
        assert_eq!(
            Date::parse("2000-02-29").unwrap().plus_days(1).to_string(),
            "2000-03-01"
        );
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-1-01",
            "20260101",
            "2026-01-00",
            "2026-+1-01",
            "é026-01-01",
            "١٩٧٠-01-01",
        ] {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn today_is_in_china_standard_time() {
        // 2026-01-10 16:30 UTC is already 2026-01-11 00:30 in Beijing.
        let secs = (Date::parse("2026-01-10").unwrap().days * DAY_SECS) + 16 * 3600 + 30 * 60;
        assert_eq!(Date::of_epoch_secs(secs).to_string(), "2026-01-11");
        assert_eq!(Date::of_epoch_secs(secs - 3600).to_string(), "2026-01-10");
    }

    #[test]
    fn dates_are_stored_as_text() {
        let json = serde_json::to_string(&Date::parse("2027-12-31").unwrap()).unwrap();
        assert_eq!(json, "\"2027-12-31\"");
        assert!(serde_json::from_str::<Date>("\"2027-02-30\"").is_err());
    }

    #[test]
    fn accounts_check_the_apps_length_range_then_characters() {
        let range = AccountRange::new(3, 5).unwrap();
        assert_eq!(Account::parse(" abc ", range).unwrap().as_str(), "abc");
        assert_eq!(
            Account::parse("ab", range).unwrap_err(),
            Refusal::AccountLength { min: 3, max: 5 }
        );
        assert_eq!(
            Account::parse("abcdef", range).unwrap_err(),
            Refusal::AccountLength { min: 3, max: 5 }
        );
        // Characters, not bytes: three Chinese characters are three long, but not allowed.
        assert_eq!(Account::parse("张三丰", range).unwrap_err(), Refusal::AccountChars);
        assert_eq!(Account::parse("a#b", range).unwrap_err(), Refusal::AccountChars);
        assert!(AccountRange::new(0, 3).is_err());
        assert!(AccountRange::new(5, 3).is_err());
        assert!(AccountRange::new(1, 65).is_err());
    }

    #[test]
    fn passwords_titles_and_contents_are_bounded() {
        assert_eq!(Password::parse("12345").unwrap_err(), Refusal::PasswordLength);
        assert_eq!(format!("{:?}", Password::parse("hunter22").unwrap()), "Password(***)");
        assert_eq!(Title::parse("  ").unwrap_err(), Refusal::TitleLength);
        assert!(Title::parse(&"标".repeat(TITLE_MAX)).is_ok());
        assert!(Title::parse(&"标".repeat(TITLE_MAX + 1)).is_err());
        assert!(Content::parse(&"文".repeat(CONTENT_MAX)).is_ok());
        assert_eq!(Content::parse("").unwrap_err(), Refusal::ContentLength);
    }

    #[test]
    fn signatures_are_stored_as_digests_and_compared_by_digest() {
        let sig = signature::generate();
        assert_eq!(sig.len(), 32);
        let stored = signature::digest(&sig);
        assert!(signature::is_digest(&stored));
        assert!(!stored.contains(&sig));
        assert!(signature::matches(&sig, &stored));
        assert!(!signature::matches(&format!("{sig}x"), &stored));
        assert!(!signature::matches("", &stored));
        assert_eq!(
            signature::digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn statuses_read_and_print_their_names() {
        assert_eq!("review".parse::<AppStatus>().unwrap(), AppStatus::Review);
        assert!(
            "paused"
                .parse::<AppStatus>()
                .unwrap_err()
                .contains("normal, disabled, review")
        );
        assert_eq!(UserStatus::Abnormal.to_string(), "abnormal");
        assert_eq!(PostStatus::ALL.len(), 2);
    }
}
