//! Bearer secrets: `kpat_` (users) and `spat_` (system accounts), 48 random alphanumerics,
//! stored only as SHA-256.

use rand::distributions::Alphanumeric;
use rand::Rng;
use sha2::{Digest, Sha256};

const SECRET_LEN: usize = 48;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Personal,
    SystemAccount,
}

impl TokenKind {
    pub fn prefix(self) -> &'static str {
        match self {
            TokenKind::Personal => "kpat_",
            TokenKind::SystemAccount => "spat_",
        }
    }

    /// The kind of a well-formed secret, or `None`.
    pub fn of(secret: &str) -> Option<TokenKind> {
        let kind = if secret.starts_with("kpat_") {
            TokenKind::Personal
        } else if secret.starts_with("spat_") {
            TokenKind::SystemAccount
        } else {
            return None;
        };
        let body = &secret[5..];
        (body.len() == SECRET_LEN && body.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(kind)
    }
}

/// A new secret; show it once, store `hash(&secret)`.
pub fn generate(kind: TokenKind) -> String {
    let body: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(SECRET_LEN)
        .map(char::from)
        .collect();
    format!("{}{}", kind.prefix(), body)
}

pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_parse_and_hash_stably() {
        let t = generate(TokenKind::Personal);
        assert_eq!(TokenKind::of(&t), Some(TokenKind::Personal));
        assert_eq!(hash(&t), hash(&t));
        assert_ne!(hash(&t), hash(&generate(TokenKind::Personal)));
        let s = generate(TokenKind::SystemAccount);
        assert_eq!(TokenKind::of(&s), Some(TokenKind::SystemAccount));
        assert_eq!(hash(&t).len(), 64);
    }

    #[test]
    fn malformed_secrets_are_rejected() {
        for s in [
            "",
            "kpat_",
            "kpat_short",
            "npat_abc",
            &format!("kpat_{}!", "a".repeat(47)),
        ] {
            assert_eq!(TokenKind::of(s), None, "{s}");
        }
    }
}
