//! Configuration, read once per container from the environment.
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `TABLE_NAME` | the single DynamoDB table | required |
//! | `TOKEN_SECRET` | HMAC key for access tokens, at least 32 bytes | required |
//! | `TOKEN_TTL_SECONDS` | lifetime of an issued token | 604800 (7 days) |
//! | `AWS_ENDPOINT_URL_DYNAMODB` | DynamoDB endpoint (read by the AWS SDK itself) | AWS |
//! | `STORAGE_BUCKET` | the S3 bucket of uploaded files (functions that use storage) | none |
//! | `AWS_ENDPOINT_URL_S3` | S3 endpoint (read by the AWS SDK; set locally, path-style addressing) | AWS |
//! | `RATE_LIMITS` | rate-limit overrides, `name=limit/seconds,…`, or `off` (`shared::throttle`) | each rule's default |
//! | `SOCKET_ENDPOINT` | the WebSocket API's Management API endpoint (functions that push frames) | none |

use std::fmt;

use crate::throttle::Limits;

pub const DEFAULT_TOKEN_TTL_SECS: i64 = 7 * 24 * 3600;
pub const MIN_SECRET_LEN: usize = 32;

#[derive(Clone)]
pub struct Config {
    pub table_name: String,
    pub token_secret: Secret,
    pub token_ttl_secs: i64,
    /// The bucket of uploaded files, for the functions that use storage.
    pub storage_bucket: Option<String>,
    /// The Management API endpoint of the WebSocket API, for the functions that push frames.
    pub socket_endpoint: Option<String>,
    /// Rate limits: each rule's default unless overridden.
    pub limits: Limits,
}

/// A secret value: kept out of `Debug` output and logs.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("table_name", &self.table_name)
            .field("token_secret", &self.token_secret)
            .field("token_ttl_secs", &self.token_ttl_secs)
            .field("storage_bucket", &self.storage_bucket)
            .field("socket_endpoint", &self.socket_endpoint)
            .field("limits", &self.limits)
            .finish()
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let required = |name: &'static str| {
            lookup(name)
                .filter(|v| !v.trim().is_empty())
                .ok_or(ConfigError::Missing(name))
        };
        let table_name = required("TABLE_NAME")?;
        let secret = required("TOKEN_SECRET")?;
        if secret.len() < MIN_SECRET_LEN {
            return Err(ConfigError::Invalid {
                name: "TOKEN_SECRET",
                reason: format!("must be at least {MIN_SECRET_LEN} bytes"),
            });
        }
        let token_ttl_secs = match lookup("TOKEN_TTL_SECONDS") {
            None => DEFAULT_TOKEN_TTL_SECS,
            Some(v) => v
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| ConfigError::Invalid {
                    name: "TOKEN_TTL_SECONDS",
                    reason: "must be a positive integer".into(),
                })?,
        };
        let storage_bucket = lookup("STORAGE_BUCKET").filter(|v| !v.trim().is_empty());
        let socket_endpoint = lookup("SOCKET_ENDPOINT").filter(|v| !v.trim().is_empty());
        let limits = match lookup("RATE_LIMITS") {
            Some(raw) => Limits::parse(&raw).map_err(|reason| ConfigError::Invalid {
                name: "RATE_LIMITS",
                reason,
            })?,
            None => Limits::default(),
        };
        Ok(Self {
            table_name,
            token_secret: Secret::new(secret.into_bytes()),
            token_ttl_secs,
            storage_bucket,
            socket_endpoint,
            limits,
        })
    }
}

/// An integer setting of a surface (its own environment variable): `default` when unset, an
/// error naming the variable when it is not an integer in `range`.
pub fn setting(
    lookup: impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, ConfigError> {
    match lookup(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| ConfigError::Invalid {
                name,
                reason: format!("must be an integer from {} to {}", range.start(), range.end()),
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn reads_required_and_defaults() {
        let secret = "s".repeat(32);
        let cfg = Config::from_lookup(lookup(&[("TABLE_NAME", "t"), ("TOKEN_SECRET", &secret)])).unwrap();
        assert_eq!(cfg.table_name, "t");
        assert_eq!(cfg.token_ttl_secs, DEFAULT_TOKEN_TTL_SECS);
    }

    #[test]
    fn refuses_missing_or_short_secret() {
        let err = Config::from_lookup(lookup(&[("TABLE_NAME", "t")])).unwrap_err();
        assert!(matches!(err, ConfigError::Missing("TOKEN_SECRET")));
        let err = Config::from_lookup(lookup(&[("TABLE_NAME", "t"), ("TOKEN_SECRET", "short")])).unwrap_err();
        assert!(matches!(
            err,
            ConfigError::Invalid {
                name: "TOKEN_SECRET",
                ..
            }
        ));
    }

    #[test]
    fn reads_the_storage_bucket() {
        let secret = "s".repeat(32);
        let base = [("TABLE_NAME", "t"), ("TOKEN_SECRET", secret.as_str())];
        assert_eq!(Config::from_lookup(lookup(&base)).unwrap().storage_bucket, None);
        let cfg = Config::from_lookup(lookup(&[base[0], base[1], ("STORAGE_BUCKET", "b")])).unwrap();
        assert_eq!(cfg.storage_bucket.as_deref(), Some("b"));
    }

    #[test]
    fn reads_a_surface_setting_in_range() {
        let env = lookup(&[("POINTS", " 5 "), ("BAD", "-1"), ("TEXT", "x")]);
        assert_eq!(setting(&env, "POINTS", 2, 0..=10), Ok(5));
        assert_eq!(setting(&env, "ABSENT", 2, 0..=10), Ok(2));
        for name in ["BAD", "TEXT"] {
            assert!(matches!(
                setting(&env, name, 2, 0..=10),
                Err(ConfigError::Invalid { .. })
            ));
        }
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let secret = "topsecret".repeat(4);
        let cfg = Config::from_lookup(lookup(&[("TABLE_NAME", "t"), ("TOKEN_SECRET", &secret)])).unwrap();
        assert!(!format!("{cfg:?}").contains("topsecret"));
    }
}
