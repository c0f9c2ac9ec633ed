//! The info module's rate limits (`shared::throttle`): defaults, overridable by `RATE_LIMITS`.

use shared::throttle::Rule;

pub const REACTION: Rule = Rule::new("info.reaction", 120, 60).local_first();
pub const COMMENT: Rule = Rule::new("info.comment", 30, 60);
pub const POST: Rule = Rule::new("info.post", 20, 60);
pub const LOGIN_ACCOUNT: Rule = Rule::new("info.login.account", 10, 300);
pub const LOGIN_SOURCE: Rule = Rule::new("info.login.ip", 100, 300);
pub const REGISTER_SOURCE: Rule = Rule::new("info.register.ip", 30, 3600);
