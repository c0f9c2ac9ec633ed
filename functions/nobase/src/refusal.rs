//! Every answer of the nobase surface other than success: the seed's (code, message) pairs,
//! and the ones we chose where the seed names a case without printing it (docs/nobase.md).
//! Each variant is one rule; its code and message are fixed here and nowhere else.

use std::borrow::Cow;

use shared::error::AppError;

/// A request refused by one of the surface's rules. `Display` is the message clients see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A required parameter is absent or empty (204 `接口参数错误:缺少<name>`).
    Missing(&'static str),
    /// The body can't be read as parameters (too large, not JSON, not a supported type).
    UnreadableBody(&'static str),
    /// A JSON body's field is an array or an object: every parameter is text.
    NotText(String),
    /// `like` is not `1` or `2`.
    LikeInvalid,
    /// Token mode is on and no `token` was sent.
    TokenRequired,
    /// The token is malformed, forged, expired, or of another app / developer / user.
    TokenInvalid,
    /// user+pass mode: no such account, or a wrong password.
    BadCredentials,
    /// The user's status is not normal.
    UserAbnormal,
    /// The account's length is outside the app's configured range.
    AccountLength {
        min: u32,
        max: u32,
    },
    /// Register: the account has characters other than letters, digits, `_`, `.`, `@`, `-`.
    AccountChars,
    /// Register: the password is too short or too long.
    PasswordLength,
    /// Register: the account exists in this app.
    AccountTaken,
    /// The signature isn't the one configured for the app.
    SignatureMismatch,
    /// No app has this `appid`.
    AppMissing,
    /// The app's stored configuration can't be used.
    AppBroken,
    AppDisabled,
    AppUnderReview,
    /// The app's developer account doesn't exist.
    DeveloperMissing,
    DeveloperAbnormal,
    /// The developer's VIP ran out `days` days ago.
    DeveloperOverdue {
        days: i64,
    },
    /// Post add: no such board in this app.
    BoardMissing,
    /// No such board, no such post, or the post is in another board.
    PostMissing,
    PostUnderReview,
    AlreadyLiked,
    NotLiked,
    TitleLength,
    ContentLength,
}

pub const PASSWORD_MIN: usize = 6;
pub const PASSWORD_MAX: usize = 128;
pub const TITLE_MAX: usize = 100;
pub const CONTENT_MAX: usize = 5000;

impl Refusal {
    pub fn code(&self) -> i32 {
        use Refusal::*;
        match self {
            Missing(_)
            | UnreadableBody(_)
            | NotText(_)
            | TokenRequired
            | AccountLength { .. }
            | AccountChars
            | PasswordLength
            | TitleLength
            | ContentLength => 204,
            AppBroken => 400,
            TokenInvalid => 401,
            SignatureMismatch => 402,
            BadCredentials
            | UserAbnormal
            | AppDisabled
            | AppUnderReview
            | DeveloperMissing
            | DeveloperAbnormal
            | DeveloperOverdue { .. }
            | PostUnderReview => 404,
            LikeInvalid | AlreadyLiked | NotLiked | AccountTaken => 405,
            AppMissing | BoardMissing | PostMissing => 407,
        }
    }

    pub fn message(&self) -> Cow<'static, str> {
        use Refusal::*;
        match self {
            Missing(name) => format!("接口参数错误:缺少{name}").into(),
            UnreadableBody(why) => format!("接口参数错误:{why}").into(),
            NotText(name) => format!("接口参数错误:{name}必须为字符串").into(),
            LikeInvalid => "like参数错误(需为1或2)".into(),
            TokenRequired => "接口参数错误:令牌启用需传token!".into(),
            TokenInvalid => "token无效或已过期(非当前应用/开发者)!".into(),
            BadCredentials => "用户账号密码错误!".into(),
            UserAbnormal => "用户账号状态异常!".into(),
            AccountLength { min, max } => format!("用户账号长度需为{min}-{max}个字符!").into(),
            AccountChars => "用户账号只能包含字母、数字和_.@-!".into(),
            PasswordLength => format!("用户密码长度需为{PASSWORD_MIN}-{PASSWORD_MAX}个字符!").into(),
            AccountTaken => "该账号已被注册!".into(),
            SignatureMismatch => "签名校验失败!".into(),
            AppMissing => "应用配置不存在!".into(),
            AppBroken => "应用配置错误!".into(),
            AppDisabled => "应用已停用!".into(),
            AppUnderReview => "应用审核中!".into(),
            DeveloperMissing => "开发者账号不存在!".into(),
            DeveloperAbnormal => "开发者账号状态异常!".into(),
            DeveloperOverdue { days } => format!("开发者账号已逾期({days}天),请缴费后重试!").into(),
            BoardMissing => "该板块不存在!".into(),
            PostMissing => "该帖子不存在!".into(),
            PostUnderReview => "帖子审核中!".into(),
            AlreadyLiked => "该帖子您已经点赞过了".into(),
            NotLiked => "该帖子您还没有点赞过哦!".into(),
            TitleLength => format!("帖子标题长度需为1-{TITLE_MAX}个字符!").into(),
            ContentLength => format!("帖子内容长度需为1-{CONTENT_MAX}个字符!").into(),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for Refusal {}

/// What a nobase operation fails with: one of the surface's refusals, or a shared [`AppError`]
/// (in practice a fault: the store's, or a bug), which the nobase renderer also understands.
#[derive(Debug, thiserror::Error)]
pub enum NobaseError {
    #[error("{0}")]
    Refused(Refusal),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<Refusal> for NobaseError {
    fn from(r: Refusal) -> Self {
        Self::Refused(r)
    }
}

impl From<aws_sdk_dynamodb::error::BuildError> for NobaseError {
    fn from(e: aws_sdk_dynamodb::error::BuildError) -> Self {
        Self::App(AppError::internal(e))
    }
}

impl<E, R> From<aws_sdk_dynamodb::error::SdkError<E, R>> for NobaseError
where
    E: std::error::Error + aws_sdk_dynamodb::error::ProvideErrorMetadata + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    fn from(err: aws_sdk_dynamodb::error::SdkError<E, R>) -> Self {
        Self::App(err.into())
    }
}

impl From<serde_dynamo::Error> for NobaseError {
    fn from(err: serde_dynamo::Error) -> Self {
        Self::App(err.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_rows_are_printed_exactly() {
        let rows = [
            (Refusal::Missing("like"), 204, "接口参数错误:缺少like"),
            (Refusal::LikeInvalid, 405, "like参数错误(需为1或2)"),
            (Refusal::TokenRequired, 204, "接口参数错误:令牌启用需传token!"),
            (Refusal::AlreadyLiked, 405, "该帖子您已经点赞过了"),
            (Refusal::NotLiked, 405, "该帖子您还没有点赞过哦!"),
            (Refusal::TokenInvalid, 401, "token无效或已过期(非当前应用/开发者)!"),
            (Refusal::BadCredentials, 404, "用户账号密码错误!"),
            (Refusal::UserAbnormal, 404, "用户账号状态异常!"),
            (Refusal::PostMissing, 407, "该帖子不存在!"),
            (Refusal::PostUnderReview, 404, "帖子审核中!"),
            (
                Refusal::DeveloperOverdue { days: 3 },
                404,
                "开发者账号已逾期(3天),请缴费后重试!",
            ),
        ];
        for (refusal, code, message) in rows {
            assert_eq!((refusal.code(), refusal.message().as_ref()), (code, message));
        }
    }

    #[test]
    fn codes_follow_the_seeds_table() {
        assert_eq!(Refusal::AppBroken.code(), 400);
        assert_eq!(Refusal::SignatureMismatch.code(), 402);
        assert_eq!(Refusal::AppMissing.code(), 407);
        assert_eq!(Refusal::BoardMissing.code(), 407);
        assert_eq!(
            Refusal::AccountLength { min: 3, max: 5 }.message(),
            "用户账号长度需为3-5个字符!"
        );
    }
}
