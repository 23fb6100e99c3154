//! Pinned data-plane client certificates: one PEM `CERTIFICATE`, parseable X.509, valid now.

use sha2::{Digest, Sha256};
use x509_parser::pem::parse_x509_pem;
use x509_parser::prelude::*;

/// A certificate that passed validation: its normalised PEM and SHA-256 fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedCert {
    pub pem: String,
    pub fingerprint: String,
}

/// Largest PEM accepted (a certificate chain of a few KB is normal).
pub const MAX_PEM_BYTES: usize = 64 * 1024;

/// Validates a PEM certificate at time `now` (seconds since the epoch).
pub fn parse_pinned_cert(pem: &str, now: i64) -> Result<PinnedCert, String> {
    if pem.len() > MAX_PEM_BYTES {
        return Err(format!("must be at most {MAX_PEM_BYTES} bytes"));
    }
    let trimmed = pem.trim();
    if trimmed.is_empty() {
        return Err("cannot be blank".into());
    }
    if !trimmed.starts_with("-----BEGIN ") {
        return Err("must be a PEM-encoded X.509 certificate (-----BEGIN CERTIFICATE-----)".into());
    }
    let (rest, block) = parse_x509_pem(trimmed.as_bytes()).map_err(|_| "is not valid PEM".to_string())?;
    if !rest.iter().all(u8::is_ascii_whitespace) {
        return Err("must be exactly one PEM certificate; pin each certificate of a bundle separately".into());
    }
    if block.label != "CERTIFICATE" {
        if block.label.contains("PRIVATE KEY") {
            return Err("is a private key; pin the certificate, never the key".into());
        }
        return Err(format!("is a PEM '{}' block, not a CERTIFICATE", block.label));
    }
    let (_, cert) =
        X509Certificate::from_der(&block.contents).map_err(|e| format!("is not a valid X.509 certificate: {e}"))?;
    let validity = cert.validity();
    let not_before = validity.not_before.timestamp();
    let not_after = validity.not_after.timestamp();
    if now > not_after {
        return Err(format!("expired at {}", validity.not_after));
    }
    if now < not_before {
        return Err(format!("is not valid before {}", validity.not_before));
    }
    let fingerprint = hex::encode(Sha256::digest(&block.contents));
    Ok(PinnedCert {
        pem: format!("{trimmed}\n"),
        fingerprint,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rejects_garbage_and_keys() {
        assert!(parse_pinned_cert("", 0).is_err());
        assert!(parse_pinned_cert("hello", 0).unwrap_err().contains("PEM"));
        let key = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIE1b8hXNRw2W8Yq1gYw9sFQ0u1G7cR4n8qf0TzA6tIgq\n-----END PRIVATE KEY-----\n";
        assert!(parse_pinned_cert(key, 0).unwrap_err().contains("private key"));
        let bad = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(parse_pinned_cert(bad, 0).unwrap_err().contains("X.509"));
    }

    proptest! {
        #[test]
        fn never_panics(s in ".{0,400}") {
            let _ = parse_pinned_cert(&s, 0);
            let _ = parse_pinned_cert(&format!("-----BEGIN CERTIFICATE-----\n{s}\n-----END CERTIFICATE-----\n"), 0);
        }
    }
}
