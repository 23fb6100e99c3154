//! Configuration: defaults, then an optional `kontrol.toml`, then `KONTROL_*` environment
//! variables (nested keys with `__`), then command-line flags.

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize)]
pub struct Config {
    /// Address `kontrol serve` listens on.
    pub listen: String,
    /// `sqlite://path?mode=rwc` or `postgres://…`.
    pub database_url: String,
    /// Regions served by the regional API; the first is the default for plain `/v2/…` paths.
    pub regions: Vec<String>,
    /// Public base URL of this deployment, used in invite links.
    pub public_url: String,
    /// Domain under which data planes reach their control planes; each runtime group gets
    /// `https://<id-prefix>.<region>.cp.<cluster_domain>` and the matching `tp` endpoint.
    pub cluster_domain: String,
    /// Largest accepted `page[size]`.
    pub max_page_size: u32,
    /// Hours an invite stays valid.
    pub invite_ttl_hours: i64,
    /// Largest accepted request body, bytes.
    pub max_body_bytes: usize,
    /// How long an authenticated token's principal (its owner and roles) may be reused
    /// without reading the database again, in milliseconds; 0 disables. Any write request
    /// served by this process discards every entry at once, so this only bounds how long a
    /// change made through *another* process sharing the database (a revoked token, a removed
    /// role) can go unnoticed here.
    pub auth_cache_ttl_ms: u64,
    /// Cheap argon2 parameters, for tests only.
    pub fast_password_hashing: bool,
    pub smtp: Option<SmtpConfig>,
}

#[derive(Clone, Serialize, Deserialize)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub from: String,
    pub username: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("database_url", &redact_url(&self.database_url))
            .field("regions", &self.regions)
            .field("public_url", &self.public_url)
            .field("cluster_domain", &self.cluster_domain)
            .field("max_page_size", &self.max_page_size)
            .field("smtp", &self.smtp.as_ref().map(|s| (&s.host, s.port)))
            .finish()
    }
}

/// Hides the password of a database URL.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("****"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            database_url: "sqlite://kontrol.db?mode=rwc".into(),
            regions: ["us", "eu", "au", "me", "in"].map(String::from).to_vec(),
            public_url: "http://localhost:8080".into(),
            cluster_domain: "kontrol.localhost".into(),
            max_page_size: 100,
            invite_ttl_hours: 72,
            max_body_bytes: 1024 * 1024,
            auth_cache_ttl_ms: 5_000,
            fast_password_hashing: false,
            smtp: None,
        }
    }
}

impl Config {
    /// Defaults, `kontrol.toml` (or `$KONTROL_CONFIG`) and the environment.
    pub fn load() -> anyhow::Result<Config> {
        let file = std::env::var("KONTROL_CONFIG").unwrap_or_else(|_| "kontrol.toml".into());
        let cfg: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .merge(
                Env::prefixed("KONTROL_")
                    .ignore(&["config"])
                    .map(|k| {
                        if k.as_str().eq_ignore_ascii_case("database_url") {
                            "database_url".into()
                        } else {
                            k.into()
                        }
                    })
                    .split("__"),
            )
            .extract()?;
        cfg.validate()?;
        Ok(cfg)
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(!self.regions.is_empty(), "at least one region is required");
        for r in &self.regions {
            anyhow::ensure!(
                !r.is_empty() && r.len() <= 16 && r.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
                "region {r:?} must be lowercase letters and digits"
            );
            anyhow::ensure!(r != "global" && r != "v2" && r != "v3", "region name {r:?} is reserved");
        }
        anyhow::ensure!(
            (1..=1000).contains(&self.max_page_size),
            "max_page_size must be 1..=1000"
        );
        Ok(())
    }

    pub fn default_region(&self) -> &str {
        &self.regions[0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_overrides_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("KONTROL_LISTEN", "0.0.0.0:9000");
            jail.set_env("KONTROL_REGIONS", "[eu, us]");
            jail.set_env("KONTROL_SMTP__HOST", "127.0.0.1");
            jail.set_env("KONTROL_SMTP__PORT", "2525");
            jail.set_env("KONTROL_SMTP__FROM", "kontrol@example.com");
            let cfg = Config::load().expect("config");
            assert_eq!(cfg.listen, "0.0.0.0:9000");
            assert_eq!(cfg.regions, vec!["eu", "us"]);
            assert_eq!(cfg.default_region(), "eu");
            assert_eq!(cfg.smtp.as_ref().map(|s| s.port), Some(2525));
            Ok(())
        });
    }

    #[test]
    fn rejects_bad_region_names() {
        let cfg = Config {
            regions: vec!["Global".into()],
            ..Config::default()
        };
        assert!(cfg.validate().is_err());
        let cfg = Config {
            regions: vec![],
            ..Config::default()
        };
        assert!(cfg.validate().is_err());
    }

    #[test]
    fn debug_redacts_database_password() {
        let cfg = Config {
            database_url: "postgres://kontrol:s3cret@db/kontrol".into(),
            ..Config::default()
        };
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
    }
}
