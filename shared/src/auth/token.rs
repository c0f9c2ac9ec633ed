//! Access tokens: JWTs signed with HMAC-SHA256 from the configured secret.
//!
//! Verification pins the algorithm to HS256 (a token claiming `none` or another algorithm is
//! refused), and checks the signature, `exp` (no leeway), `iss` and `aud`. Each API surface is
//! its own audience, so a token issued for one surface can't be used on another. A surface may
//! bind a token to more than the user ([`Tokens::issue_with`], [`Tokens::verify_with`]): its own
//! claims travel signed beside the standard ones.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::clock;
use crate::error::AppError;
pub use crate::error::TokenError;

pub const ISSUER: &str = "social-backend";

/// Which API surface a token is for: a token of one surface is refused by the others. Each
/// surface declares its own (`pub const AUDIENCE: Audience = Audience::new("<surface>")`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Audience(&'static str);

impl Audience {
    pub const fn new(name: &'static str) -> Self {
        Self(name)
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Claims<E> {
    sub: String,
    aud: String,
    iss: String,
    iat: i64,
    exp: i64,
    /// A surface's own claims, beside the standard ones.
    #[serde(flatten)]
    extra: E,
}

/// No claims beyond the standard ones.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct NoClaims {}

/// An issued token and when it expires (epoch seconds).
#[derive(Debug, Clone)]
pub struct Issued {
    pub token: String,
    pub expires_at: i64,
}

/// The authenticated caller, as established by a verified token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    user_id: String,
}

impl Caller {
    pub fn user_id(&self) -> &str {
        &self.user_id
    }
}

/// Issues and verifies access tokens. Built once per container.
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl_secs: i64,
}

impl Tokens {
    pub fn new(secret: &[u8], ttl_secs: i64) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            ttl_secs,
        }
    }

    /// A token for `user_id` on `audience`, valid for the configured lifetime.
    pub fn issue(&self, user_id: &str, audience: Audience) -> Result<String, AppError> {
        self.issue_with(user_id, audience, &NoClaims {})
            .map(|issued| issued.token)
    }

    /// A token for `user_id` on `audience` that also carries `extra` claims (flattened beside
    /// the standard ones, so their names must differ from `sub`, `aud`, `iss`, `iat`, `exp`).
    pub fn issue_with<E: Serialize>(&self, user_id: &str, audience: Audience, extra: &E) -> Result<Issued, AppError> {
        let now = clock::now_secs();
        let expires_at = now + self.ttl_secs;
        let token = self.issue_at(user_id, audience, extra, now, expires_at)?;
        Ok(Issued { token, expires_at })
    }

    fn issue_at<E: Serialize>(
        &self,
        user_id: &str,
        audience: Audience,
        extra: &E,
        iat: i64,
        exp: i64,
    ) -> Result<String, AppError> {
        let claims = Claims {
            sub: user_id.to_owned(),
            aud: audience.as_str().to_owned(),
            iss: ISSUER.to_owned(),
            iat,
            exp,
            extra,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(AppError::internal)
    }

    /// Verifies `token` for `audience` and returns the caller it names.
    pub fn verify(&self, token: &str, audience: Audience) -> Result<Caller, TokenError> {
        self.verify_with::<NoClaims>(token, audience).map(|(caller, _)| caller)
    }

    /// Verifies `token` for `audience` and returns the caller and the surface's own claims. A
    /// token without them (or with claims of another shape) is refused as malformed.
    pub fn verify_with<E: DeserializeOwned>(&self, token: &str, audience: Audience) -> Result<(Caller, E), TokenError> {
        let token = token.trim();
        if token.is_empty() {
            return Err(TokenError::Missing);
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_audience(&[audience.as_str()]);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
        let data =
            jsonwebtoken::decode::<Claims<E>>(token, &self.decoding, &validation).map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                ErrorKind::InvalidToken | ErrorKind::Base64(_) | ErrorKind::Json(_) | ErrorKind::Utf8(_) => {
                    TokenError::Malformed
                }
                _ => TokenError::Invalid,
            })?;
        if !crate::ids::is_valid_id(&data.claims.sub) {
            return Err(TokenError::Invalid);
        }
        Ok((
            Caller {
                user_id: data.claims.sub,
            },
            data.claims.extra,
        ))
    }

    /// A token that expired `ago_secs` seconds ago: for tests of expiry handling.
    #[doc(hidden)]
    pub fn issue_expired(&self, user_id: &str, audience: Audience, ago_secs: i64) -> Result<String, AppError> {
        self.issue_expired_with(user_id, audience, &NoClaims {}, ago_secs)
    }

    /// Like [`Tokens::issue_expired`], with a surface's own claims.
    #[doc(hidden)]
    pub fn issue_expired_with<E: Serialize>(
        &self,
        user_id: &str,
        audience: Audience,
        extra: &E,
        ago_secs: i64,
    ) -> Result<String, AppError> {
        let now = clock::now_secs();
        self.issue_at(user_id, audience, extra, now - ago_secs - 60, now - ago_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    const ALPHA: Audience = Audience::new("alpha");
    const BETA: Audience = Audience::new("beta");

    fn tokens() -> Tokens {
        Tokens::new(&[7u8; 32], 3600)
    }

    #[test]
    fn issued_token_verifies_to_its_user() {
        let t = tokens();
        let token = t.issue("u1", ALPHA).unwrap();
        assert_eq!(t.verify(&token, ALPHA).unwrap().user_id(), "u1");
    }

    #[test]
    fn empty_token_is_missing() {
        assert_eq!(tokens().verify("  ", ALPHA), Err(TokenError::Missing));
    }

    #[test]
    fn garbage_is_malformed() {
        assert_eq!(tokens().verify("not-a-jwt", ALPHA), Err(TokenError::Malformed));
    }

    #[test]
    fn other_secret_is_invalid() {
        let token = Tokens::new(&[9u8; 32], 3600).issue("u1", ALPHA).unwrap();
        assert_eq!(tokens().verify(&token, ALPHA), Err(TokenError::Invalid));
    }

    #[test]
    fn expired_token_is_expired() {
        let t = tokens();
        let token = t.issue_expired("u1", ALPHA, 10).unwrap();
        assert_eq!(t.verify(&token, ALPHA), Err(TokenError::Expired));
    }

    fn signed(t: &Tokens, alg: Algorithm, aud: &str, iss: &str) -> String {
        let now = clock::now_secs();
        let claims = Claims {
            sub: "u1".into(),
            aud: aud.into(),
            iss: iss.into(),
            iat: now,
            exp: now + 60,
            extra: NoClaims {},
        };
        jsonwebtoken::encode(&Header::new(alg), &claims, &t.encoding).unwrap()
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Bound {
        app: String,
    }

    #[test]
    fn extra_claims_travel_signed_and_come_back() {
        let t = tokens();
        let issued = t.issue_with("u1", BETA, &Bound { app: "a1".into() }).unwrap();
        assert!(issued.expires_at > clock::now_secs());
        let (caller, bound) = t.verify_with::<Bound>(&issued.token, BETA).unwrap();
        assert_eq!(caller.user_id(), "u1");
        assert_eq!(bound, Bound { app: "a1".into() });
        // The plain verification still accepts it; its audience still binds it.
        assert!(t.verify(&issued.token, BETA).is_ok());
        assert_eq!(t.verify(&issued.token, ALPHA), Err(TokenError::Invalid));
    }

    #[test]
    fn a_token_without_the_surfaces_claims_is_refused() {
        let t = tokens();
        let plain = t.issue("u1", BETA).unwrap();
        assert!(t.verify_with::<Bound>(&plain, BETA).is_err());
    }

    #[test]
    fn expired_tokens_with_extra_claims_are_expired() {
        let t = tokens();
        let token = t
            .issue_expired_with("u1", BETA, &Bound { app: "a1".into() }, 5)
            .unwrap();
        assert_eq!(t.verify_with::<Bound>(&token, BETA).unwrap_err(), TokenError::Expired);
    }

    #[test]
    fn wrong_audience_is_invalid() {
        let t = tokens();
        assert_eq!(
            t.verify(&signed(&t, Algorithm::HS256, "gamma", ISSUER), ALPHA),
            Err(TokenError::Invalid)
        );
    }

    #[test]
    fn wrong_issuer_is_invalid() {
        let t = tokens();
        assert_eq!(
            t.verify(&signed(&t, Algorithm::HS256, "alpha", "someone"), ALPHA),
            Err(TokenError::Invalid)
        );
    }

    #[test]
    fn other_algorithms_are_refused_even_with_the_right_key() {
        let t = tokens();
        assert_eq!(
            t.verify(&signed(&t, Algorithm::HS512, "alpha", ISSUER), ALPHA),
            Err(TokenError::Invalid)
        );
    }

    #[test]
    fn alg_none_is_refused() {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = b64.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let exp = clock::now_secs() + 3600;
        let claims = b64.encode(format!(
            r#"{{"sub":"u1","aud":"alpha","iss":"{ISSUER}","iat":0,"exp":{exp}}}"#
        ));
        let token = format!("{header}.{claims}.");
        assert!(tokens().verify(&token, ALPHA).is_err());
    }
}
