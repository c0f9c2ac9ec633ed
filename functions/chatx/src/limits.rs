//! chatx's rate limits (`shared::throttle`): defaults, overridable by `RATE_LIMITS`.

use shared::throttle::Rule;

pub const LIKE: Rule = Rule::new("chatx.like", 120, 60).local_first();
pub const COMMENT: Rule = Rule::new("chatx.comment", 30, 60);
pub const POST: Rule = Rule::new("chatx.post", 20, 60);
pub const LOGIN_ACCOUNT: Rule = Rule::new("chatx.login.account", 10, 300);
pub const LOGIN_SOURCE: Rule = Rule::new("chatx.login.ip", 100, 300);
pub const REGISTER_SOURCE: Rule = Rule::new("chatx.register.ip", 30, 3600);
