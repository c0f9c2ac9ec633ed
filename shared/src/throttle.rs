//! Rate limits: how often a subject (a user, an account, a source IP) may do something (a
//! [`Rule`]: `limit` times per `window`, in bursts of up to `limit`).
//!
//! Each (rule, subject) is one item holding one timestamp, the *theoretical arrival time* of the
//! generic cell rate algorithm (GCRA), which is a token bucket kept as a single number: with
//! `I = window / limit` and `τ = window − I`, a request at `now` is allowed when
//! `TAT ≤ now + τ`, and moves `TAT` to `max(TAT, now) + I`. DynamoDB can't compute `max` in an
//! update, so a check is one conditional `UpdateItem` for the idle case (`TAT < now`: set it to
//! `now + I`) and, when that condition fails, one for the busy case (`now ≤ TAT ≤ now + τ`: add
//! `I`); a refusal of the second names the wait (`Retry-After`). Concurrent checks stay exact:
//! each one moves `TAT` atomically, and no request is let through past the limit. Items expire
//! (TTL) once their bucket is full again.
//!
//! Cost: 1 UpdateItem per check (2 while the subject is busy). Limits are configuration:
//! `RATE_LIMITS` overrides a rule (`weifchat.like=120/60,…`, `limit/seconds`) or turns them all
//! off (`off`, for load tests); see `docs/limits.md`.

use std::collections::HashMap;

use crate::error::AppError;
use crate::keys::{self, Key};
use crate::store::write::{Change, Written};
use crate::store::{Store, n, s};

/// The partition prefix of rate-limit items (registered in [`keys::PREFIXES`]).
pub const PREFIX: &str = keys::registered("RATE#");
const ENTITY: &str = "RateLimit";
const TAT: &str = "tat";

/// The subject of a per-user rule.
pub fn user(user_id: &str) -> String {
    format!("user:{user_id}")
}

/// The subject of a per-account rule (login attempts, whoever makes them).
pub fn account(account: &str) -> String {
    format!("account:{}", account.trim().to_lowercase())
}

/// The subject of a per-source rule: the client's IP address as API Gateway saw it.
pub fn source(req: &lambda_http::Request) -> String {
    use lambda_http::RequestExt;
    use lambda_http::request::RequestContext;
    let ip = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.clone(),
        Some(RequestContext::WebSocket(ctx)) => ctx.identity.source_ip.clone(),
        _ => None,
    };
    format!("ip:{}", ip.unwrap_or_else(|| "unknown".into()))
}

/// How often something may be done: `limit` times per `window_secs`, in bursts of up to `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// `<surface>.<action>`, unique; the name `RATE_LIMITS` overrides it by.
    pub name: &'static str,
    pub limit: u32,
    pub window_secs: u32,
    /// Whether a container lets a subject's first [`local_share`] requests of a window through
    /// on its own count, in memory, before counting in the table ([`Local`]).
    pub local_first: bool,
}

impl Rule {
    pub const fn new(name: &'static str, limit: u32, window_secs: u32) -> Self {
        Self {
            name,
            limit,
            window_secs,
            local_first: false,
        }
    }

    /// The same rule, counted in memory first ([`Local`]): for frequent, cheap actions (likes,
    /// messages) whose table count would cost more than the action itself; never for password
    /// checks, which stay exact.
    pub const fn local_first(self) -> Self {
        Self {
            local_first: true,
            ..self
        }
    }
}

/// What a container lets through on its own per window: a quarter of the limit (0 below 4, so
/// small limits are counted in the table alone, exactly).
pub fn local_share(rule: Rule) -> u32 {
    rule.limit / 4
}

/// The most subjects a container remembers; past it, the buckets that are full again are
/// forgotten (they hold nothing), then, if still too many, all of them (which only sends
/// requests to the table's count).
const LOCAL_SUBJECTS: usize = 10_000;

/// The in-memory first tier of the [`Rule::local_first`] rules, one per container: a token
/// bucket per (rule, subject) of [`local_share`] requests per window. A request it lets through
/// costs nothing; past it, requests are counted in the table, exactly, as every other rule's.
/// So an ordinary user's likes never write a rate-limit item, and one subject gets at most
/// `limit + C × limit / 4` requests a window through `C` containers that are warm at once
/// (the table's bucket is shared; the containers' are not). docs/limits.md.
#[derive(Debug, Default)]
pub struct Local(std::sync::Mutex<HashMap<(&'static str, String), i64>>);

impl Local {
    /// Takes one request from the container's bucket of (`rule`, `subject`) at `now_ms`:
    /// whether it was there to take.
    pub fn take(&self, rule: Rule, subject: &str, now_ms: i64) -> bool {
        let share = local_share(rule);
        if !rule.local_first || share == 0 {
            return false;
        }
        let (interval, tolerance) = interval_and_tolerance(Rule { limit: share, ..rule });
        let mut buckets = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= LOCAL_SUBJECTS {
            buckets.retain(|_, tat| *tat >= now_ms);
            if buckets.len() >= LOCAL_SUBJECTS {
                buckets.clear();
            }
        }
        let tat = buckets.entry((rule.name, subject.to_owned())).or_insert(now_ms);
        let start = (*tat).max(now_ms);
        if start > now_ms + tolerance {
            return false;
        }
        *tat = start + interval;
        true
    }
}

/// The configured limits: the rules' defaults unless `RATE_LIMITS` overrides them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Limits {
    off: bool,
    overrides: HashMap<String, (u32, u32)>,
}

impl Limits {
    /// Every rule off (load tests, benchmarks).
    pub fn off() -> Self {
        Self {
            off: true,
            overrides: HashMap::new(),
        }
    }

    /// `off`, or `name=limit/seconds` pairs separated by commas.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.eq_ignore_ascii_case("off") {
            return Ok(Self::off());
        }
        let mut overrides = HashMap::new();
        for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let parsed = pair.split_once('=').and_then(|(name, value)| {
                let (limit, secs) = value.split_once('/')?;
                let (limit, secs) = (limit.trim().parse().ok()?, secs.trim().parse().ok()?);
                (limit > 0 && secs > 0).then(|| (name.trim().to_owned(), (limit, secs)))
            });
            let (name, rule) = parsed.ok_or_else(|| format!("`{pair}` is not name=limit/seconds"))?;
            overrides.insert(name, rule);
        }
        Ok(Self { off: false, overrides })
    }

    /// `rule` as configured; `None` when limits are off.
    fn effective(&self, rule: Rule) -> Option<Rule> {
        if self.off {
            return None;
        }
        Some(match self.overrides.get(rule.name) {
            Some(&(limit, window_secs)) => Rule {
                limit,
                window_secs,
                ..rule
            },
            None => rule,
        })
    }
}

/// The GCRA's two numbers for a rule, in milliseconds: the interval and the tolerance.
fn interval_and_tolerance(rule: Rule) -> (i64, i64) {
    let window = i64::from(rule.window_secs) * 1000;
    let interval = (window / i64::from(rule.limit.max(1))).max(1);
    (interval, window - interval)
}

/// How long until a request is allowed, for a bucket at `tat`, in whole seconds (at least 1).
fn retry_after_secs(tat: i64, now: i64, tolerance: i64) -> u64 {
    let wait_ms = (tat - tolerance - now).max(1);
    u64::try_from((wait_ms + 999) / 1000).unwrap_or(1)
}

/// Counts one request of `subject` against `rule` at `now_ms`: `Ok` if allowed, else
/// [`AppError::Throttled`] with the seconds to wait. Nothing is written when limits are off, nor
/// when the container's own first tier lets the request through ([`Local`]).
pub async fn check(
    store: &Store,
    limits: &Limits,
    local: &Local,
    rule: Rule,
    subject: &str,
    now_ms: i64,
) -> Result<(), AppError> {
    let Some(rule) = limits.effective(rule) else {
        return Ok(());
    };
    if local.take(rule, subject, now_ms) {
        return Ok(());
    }
    let (interval, tolerance) = interval_and_tolerance(rule);
    let key = Key::new(format!("{PREFIX}{subject}"), rule.name);
    let expires = |tat: i64| n((tat + tolerance) / 1000 + 60);
    let idle = Change::new(key.clone())
        .set(keys::ENTITY, s(ENTITY))
        .set(TAT, n(now_ms + interval))
        .set(keys::TTL, expires(now_ms + interval))
        .when_absent_or_lt(TAT, n(now_ms))
        .update(store)
        .await?;
    if let Written::Applied(_) = idle {
        return Ok(());
    }
    let busy = Change::new(key)
        .add(TAT, interval)
        .set(keys::TTL, expires(now_ms + tolerance + interval))
        .when_ge(TAT, n(now_ms))
        .when_le(TAT, n(now_ms + tolerance))
        .update(store)
        .await?;
    match busy {
        Written::Applied(_) => Ok(()),
        Written::Refused(old) => {
            let tat = old
                .as_ref()
                .and_then(|i| i.get(TAT))
                .and_then(|v| v.as_n().ok())
                .and_then(|v| v.parse().ok())
                .unwrap_or(now_ms + tolerance + interval);
            tracing::info!(rule = rule.name, subject, "rate limited");
            Err(AppError::Throttled {
                retry_after_secs: retry_after_secs(tat, now_ms, tolerance),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_overrides_and_off() {
        let l = Limits::parse("weifchat.like=3/60, info.login = 10/300").unwrap();
        let like = Rule::new("weifchat.like", 120, 60);
        assert_eq!(l.effective(like), Some(Rule::new("weifchat.like", 3, 60)));
        let other = Rule::new("chatx.like", 120, 60);
        assert_eq!(l.effective(other), Some(other));
        assert_eq!(Limits::parse("OFF").unwrap().effective(like), None);
        assert_eq!(Limits::parse("").unwrap(), Limits::default());
        for bad in ["x", "x=1", "x=0/60", "x=a/60", "x=1/0"] {
            assert!(Limits::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_first_tier_lets_a_quarter_of_the_limit_through_per_window() {
        let like = Rule::new("t.like", 8, 60).local_first();
        let local = Local::default();
        let now = 1_000_000;
        let taken = (0..5).filter(|_| local.take(like, "user:a", now)).count();
        assert_eq!(taken, 2, "a burst of limit / 4");
        assert!(local.take(like, "user:b", now), "each subject has its own bucket");
        assert!(!local.take(like, "user:a", now + 29_000), "refilled at 2 per minute");
        assert!(local.take(like, "user:a", now + 30_000));
        // Small limits, and rules not marked, are never let through in memory.
        assert!(!local.take(Rule::new("t.small", 3, 60).local_first(), "user:a", now));
        assert!(!local.take(Rule::new("t.login", 100, 60), "user:a", now));
    }

    #[test]
    fn the_first_tier_forgets_subjects_past_its_bound() {
        let like = Rule::new("t.like", 400, 60).local_first();
        let local = Local::default();
        for i in 0..LOCAL_SUBJECTS + 10 {
            assert!(local.take(like, &format!("user:{i}"), 1_000));
        }
        let remembered = local.0.lock().unwrap().len();
        assert!(remembered <= LOCAL_SUBJECTS, "{remembered}");
    }

    #[test]
    fn the_bucket_allows_a_burst_of_limit_then_one_per_interval() {
        let rule = Rule::new("t", 4, 60);
        let (interval, tolerance) = interval_and_tolerance(rule);
        assert_eq!((interval, tolerance), (15_000, 45_000));
        // Simulate the two conditional updates.
        let now = 1_000_000;
        let mut tat: Option<i64> = None;
        let mut allowed = 0;
        for _ in 0..10 {
            match tat {
                None => tat = Some(now + interval),
                Some(t) if t < now => tat = Some(now + interval),
                Some(t) if t <= now + tolerance => tat = Some(t + interval),
                Some(_) => continue,
            }
            allowed += 1;
        }
        assert_eq!(allowed, 4, "a burst of `limit`");
        let t = tat.unwrap();
        assert_eq!(
            retry_after_secs(t, now, tolerance),
            15,
            "the next token in one interval"
        );
        assert_eq!(retry_after_secs(t, now + 14_500, tolerance), 1);
    }
}
