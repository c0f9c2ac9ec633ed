//! weifChat's rate limits (`shared::throttle`): defaults, overridable by `RATE_LIMITS`.

use shared::throttle::Rule;

pub const LIKE: Rule = Rule::new("weifchat.like", 120, 60).local_first();
pub const COMMENT: Rule = Rule::new("weifchat.comment", 30, 60);
pub const POST: Rule = Rule::new("weifchat.post", 20, 60);
pub const MESSAGE: Rule = Rule::new("weifchat.message", 120, 60).local_first();
pub const LOGIN_ACCOUNT: Rule = Rule::new("weifchat.login.account", 10, 300);
pub const LOGIN_SOURCE: Rule = Rule::new("weifchat.login.ip", 100, 300);
pub const REGISTER_SOURCE: Rule = Rule::new("weifchat.register.ip", 30, 3600);
