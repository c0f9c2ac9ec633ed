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
//! | `INFO_SHARE_POINTS` | points a user earns for their first share of an info (0: none) | 2 |

use std::fmt;

pub const DEFAULT_TOKEN_TTL_SECS: i64 = 7 * 24 * 3600;
pub const MIN_SECRET_LEN: usize = 32;
pub const DEFAULT_INFO_SHARE_POINTS: i64 = 2;

#[derive(Clone)]
pub struct Config {
    pub table_name: String,
    pub token_secret: Secret,
    pub token_ttl_secs: i64,
    /// The bucket of uploaded files, for the functions that use storage.
    pub storage_bucket: Option<String>,
    /// Points for a user's first share of an info (info module, `hit-share`); 0 turns them off.
    pub info_share_points: i64,
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
            .field("info_share_points", &self.info_share_points)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
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
        let info_share_points = match lookup("INFO_SHARE_POINTS") {
            None => DEFAULT_INFO_SHARE_POINTS,
            Some(v) => v
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (0..=1_000_000).contains(n))
                .ok_or_else(|| ConfigError::Invalid {
                    name: "INFO_SHARE_POINTS",
                    reason: "must be an integer from 0 to 1000000".into(),
                })?,
        };
        Ok(Self {
            table_name,
            token_secret: Secret::new(secret.into_bytes()),
            token_ttl_secs,
            storage_bucket,
            info_share_points,
        })
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
    fn reads_storage_and_share_settings() {
        let secret = "s".repeat(32);
        let base = [("TABLE_NAME", "t"), ("TOKEN_SECRET", secret.as_str())];
        let cfg = Config::from_lookup(lookup(&base)).unwrap();
        assert_eq!(
            (cfg.storage_bucket, cfg.info_share_points),
            (None, DEFAULT_INFO_SHARE_POINTS)
        );
        let cfg = Config::from_lookup(lookup(&[
            base[0],
            base[1],
            ("STORAGE_BUCKET", "b"),
            ("INFO_SHARE_POINTS", "0"),
        ]))
        .unwrap();
        assert_eq!((cfg.storage_bucket.as_deref(), cfg.info_share_points), (Some("b"), 0));
        let err = Config::from_lookup(lookup(&[base[0], base[1], ("INFO_SHARE_POINTS", "-1")])).unwrap_err();
        assert!(matches!(
            err,
            ConfigError::Invalid {
                name: "INFO_SHARE_POINTS",
                ..
            }
        ));
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let secret = "topsecret".repeat(4);
        let cfg = Config::from_lookup(lookup(&[("TABLE_NAME", "t"), ("TOKEN_SECRET", &secret)])).unwrap();
        assert!(!format!("{cfg:?}").contains("topsecret"));
    }
}
