//! Password hashing with argon2id, stored as a PHC string that carries its own salt and
//! parameters (so a hash made with other parameters still verifies). Hashing is CPU-bound, so
//! it runs on the blocking pool. Plaintext passwords are never logged or stored.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::AppError;

/// One of OWASP's argon2id configurations, which it rates equally strong: 12 MiB, 3 passes, 1
/// lane. It costs about the CPU time of the 19 MiB, 2-pass one (the crate's default) with 7 MiB
/// less memory, which is the login functions' peak (docs/decisions.md).
const PARAMS: Params = match Params::new(12 * 1024, 3, 1, None) {
    Ok(p) => p,
    Err(_) => panic!("argon2id parameters out of range"),
};

fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, PARAMS)
}

/// Hashes `password` to a PHC string (`$argon2id$v=19$m=12288,t=3,p=1$…`).
pub async fn hash(password: &str) -> Result<String, AppError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(AppError::internal)?
}

fn hash_blocking(password: &str) -> Result<String, AppError> {
    argon2()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(format!("argon2 hash: {e}")))
}

/// Whether `password` matches `stored`. With `stored = None` (no such account) it still spends
/// the time of one verification, so a response time doesn't tell which accounts exist.
pub async fn verify(password: &str, stored: Option<&str>) -> Result<bool, AppError> {
    let password = password.to_owned();
    let stored = stored.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let (phc, real) = match &stored {
            Some(s) => (s.as_str(), true),
            None => (dummy_hash()?, false),
        };
        let parsed = PasswordHash::new(phc).map_err(|e| AppError::internal(format!("stored hash: {e}")))?;
        let ok = argon2().verify_password(password.as_bytes(), &parsed).is_ok();
        Ok(ok && real)
    })
    .await
    .map_err(AppError::internal)?
}

fn dummy_hash() -> Result<&'static str, AppError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(h) = DUMMY.get() {
        return Ok(h);
    }
    let h = hash_blocking(&crate::ids::new_id())?;
    Ok(DUMMY.get_or_init(|| h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_is_argon2id_and_verifies() {
        let h = hash("correct horse").await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=12288,t=3,p=1$"), "{h}");
        assert!(!h.contains("correct horse"));
        assert!(verify("correct horse", Some(&h)).await.unwrap());
        assert!(!verify("wrong horse", Some(&h)).await.unwrap());
    }

    #[tokio::test]
    async fn a_hash_made_with_other_parameters_still_verifies() {
        let old = Argon2::default().hash_password(b"correct horse").unwrap().to_string();
        assert!(old.contains("m=19456,t=2,p=1"), "{old}");
        assert!(verify("correct horse", Some(&old)).await.unwrap());
        assert!(!verify("wrong horse", Some(&old)).await.unwrap());
    }

    #[tokio::test]
    async fn unknown_account_never_verifies() {
        assert!(!verify("anything", None).await.unwrap());
    }
}
