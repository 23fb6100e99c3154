//! argon2id password hashes, computed off the async runtime.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

fn hasher(fast: bool) -> Argon2<'static> {
    let params = if fast {
        Params::new(1024, 1, 1, None)
    } else {
        Params::new(19 * 1024, 2, 1, None)
    }
    .expect("static argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub async fn hash(password: String, fast: bool) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher(fast)
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("argon2: {e}"))
    })
    .await?
}

pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// Konnect's password rules: 8+ characters with a lowercase, an uppercase, a digit and a symbol.
pub fn complexity_problems(password: &str) -> Vec<(&'static str, i64, &'static str)> {
    let mut out = Vec::new();
    if password.chars().count() < 8 {
        out.push(("min_length", 8, "must have at least 8 characters"));
    }
    if !password.chars().any(|c| c.is_lowercase()) {
        out.push(("min_lowercase", 1, "must have at least 1 lowercase character"));
    }
    if !password.chars().any(|c| c.is_uppercase()) {
        out.push(("min_uppercase", 1, "must have at least 1 uppercase character"));
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        out.push(("min_digits", 1, "must have at least 1 digit"));
    }
    if !password.chars().any(|c| !c.is_alphanumeric()) {
        out.push(("min_symbols", 1, "must have at least 1 symbol"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify() {
        let h = hash("Secret123!".into(), true).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("Secret123!", &h));
        assert!(!verify("secret123!", &h));
    }

    #[test]
    fn complexity() {
        assert!(complexity_problems("TestPassword123!!").is_empty());
        assert_eq!(complexity_problems("short").len(), 4);
    }
}
