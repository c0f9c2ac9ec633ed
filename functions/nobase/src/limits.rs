//! nobase's rate limits (`shared::throttle`): defaults, overridable by `RATE_LIMITS`.

use shared::throttle::Rule;

pub const LIKE: Rule = Rule::new("nobase.like", 120, 60).local_first();
pub const POST: Rule = Rule::new("nobase.post", 20, 60);
pub const LOGIN_ACCOUNT: Rule = Rule::new("nobase.login.account", 10, 300);
pub const LOGIN_SOURCE: Rule = Rule::new("nobase.login.ip", 100, 300);
pub const REGISTER_SOURCE: Rule = Rule::new("nobase.register.ip", 30, 3600);
