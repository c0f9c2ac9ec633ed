//! Access tokens (`shared::auth::Tokens::verify`): never a panic, and a token is accepted only
//! if it really verifies. The oracle is written here from the definitions, independent of the
//! JWT library: the header says HS256, the signature is HMAC-SHA256 of `header.payload` under
//! the secret, the payload's `aud`, `iss`, `sub` are right and `exp` is in the future.
//!
//! Input: the token. The seeds are tokens issued with [`SECRET`] that expire in 2286.
#![no_main]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use sha2::{Digest, Sha256};
use shared::auth::{Audience, Tokens};

/// The secret of the seed tokens (`fuzz/corpus/token/`).
pub const SECRET: &[u8] = b"fuzz-secret-fuzz-secret-fuzz-secret!";
const AUDIENCE: Audience = Audience::new("chatx");

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    block[..key.len()].copy_from_slice(key); // the secret is shorter than a block
    let pad = |byte: u8| block.map(|k| k ^ byte);
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

fn json(part: &str) -> Value {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .expect("an accepted token's part is base64url");
    serde_json::from_slice(&bytes).expect("an accepted token's part is JSON")
}

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else { return };
    let tokens = Tokens::new(SECRET, 0);
    let Ok(caller) = tokens.verify(token, AUDIENCE) else {
        return;
    };

    let token = token.trim();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "three parts");
    let signing_input = &token[..parts[0].len() + 1 + parts[1].len()];
    let signature = URL_SAFE_NO_PAD.decode(parts[2]).expect("the signature is base64url");
    assert_eq!(
        signature,
        hmac_sha256(SECRET, signing_input.as_bytes()),
        "the signature is the HMAC"
    );
    assert_eq!(json(parts[0])["alg"], "HS256");
    let claims = json(parts[1]);
    assert_eq!(claims["aud"], AUDIENCE.as_str());
    assert_eq!(claims["iss"], shared::auth::token::ISSUER);
    assert_eq!(claims["sub"], caller.user_id());
    assert!(
        claims["exp"].as_i64().expect("exp") > shared::clock::now_secs(),
        "not expired"
    );
});
