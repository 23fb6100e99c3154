//! Konnect labels: keys and values 1–63 characters of `[a-zA-Z0-9._-]`, starting and ending
//! alphanumeric; keys must not start with a reserved prefix; at most 50 per entity.

use std::collections::BTreeMap;

pub const MAX_LABELS: usize = 50;
pub const RESERVED_PREFIXES: [&str; 5] = ["kong", "konnect", "mesh", "kic", "_"];

pub type Labels = BTreeMap<String, String>;

/// Why a label set is rejected: the offending field (`labels.<key>` or `labels`) and a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelError {
    pub field: String,
    pub reason: String,
}

fn valid_token(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 63 {
        return false;
    }
    let alnum = |c: &u8| c.is_ascii_alphanumeric();
    let inner = |c: &u8| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_');
    alnum(&b[0]) && alnum(&b[b.len() - 1]) && b.iter().all(inner)
}

pub fn validate_key(key: &str) -> Result<(), LabelError> {
    let field = format!("labels.{key}");
    if key.is_empty() || key.chars().count() > 63 {
        return Err(LabelError {
            field,
            reason: "label keys must be 1 to 63 characters long".into(),
        });
    }
    let lower = key.to_ascii_lowercase();
    if let Some(p) = RESERVED_PREFIXES.iter().find(|p| lower.starts_with(*p)) {
        return Err(LabelError {
            field,
            reason: format!("label keys must not start with the reserved prefix '{p}'"),
        });
    }
    if !valid_token(key) {
        return Err(LabelError {
            field,
            reason: "label keys must start and end with a letter or digit and contain only letters, digits, '-', '.' and '_'".into(),
        });
    }
    Ok(())
}

pub fn validate_value(key: &str, value: &str) -> Result<(), LabelError> {
    if !valid_token(value) {
        return Err(LabelError {
            field: format!("labels.{key}"),
            reason: "label values must be 1 to 63 characters, start and end with a letter or digit and contain only letters, digits, '-', '.' and '_'".into(),
        });
    }
    Ok(())
}

/// Validates a complete label set.
pub fn validate(labels: &Labels) -> Result<(), LabelError> {
    for (k, v) in labels {
        validate_key(k)?;
        validate_value(k, v)?;
    }
    if labels.len() > MAX_LABELS {
        return Err(LabelError {
            field: "labels".into(),
            reason: format!("must not have more than {MAX_LABELS} labels"),
        });
    }
    Ok(())
}

/// Applies a `LabelsUpdate` (a `null` value deletes the key) and validates the result.
pub fn apply_update(current: &Labels, update: &BTreeMap<String, Option<String>>) -> Result<Labels, LabelError> {
    let mut next = current.clone();
    for (k, v) in update {
        match v {
            Some(v) => {
                validate_key(k)?;
                validate_value(k, v)?;
                next.insert(k.clone(), v.clone());
            }
            None => {
                next.remove(k);
            }
        }
    }
    validate(&next)?;
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(k: &str, v: &str) -> Labels {
        [(k.to_string(), v.to_string())].into_iter().collect()
    }

    #[test]
    fn accepts_konnect_examples() {
        assert!(validate(&one("env", "test")).is_ok());
        assert!(validate(&one("a", "b")).is_ok());
        assert!(validate(&one("team.name-x_1", "Prod.v1-a_b")).is_ok());
    }

    #[test]
    fn rejects_bad_keys_and_values() {
        for k in ["", "kong-x", "Konnect", "mesh1", "kic", "_x", "-a", "a-", "a b", "é"] {
            assert!(validate(&one(k, "v")).is_err(), "key {k:?}");
        }
        for v in ["", "-v", "v-", "v v", &"x".repeat(64)] {
            assert!(validate(&one("k", v)).is_err(), "value {v:?}");
        }
        assert!(validate(&one(&"k".repeat(64), "v")).is_err());
        assert!(validate(&one(&"k".repeat(63), &"v".repeat(63))).is_ok());
    }

    #[test]
    fn limits_count() {
        let many: Labels = (0..51).map(|i| (format!("k{i}"), "v".into())).collect();
        assert_eq!(validate(&many).unwrap_err().field, "labels");
    }

    proptest::proptest! {
        #[test]
        fn validation_never_panics(k in ".{0,80}", v in ".{0,80}", n in 0usize..60) {
            let mut labels = one(&k, &v);
            for i in 0..n {
                labels.insert(format!("k{i}"), "v".into());
            }
            let _ = validate(&labels);
            let upd = [(k.clone(), Some(v.clone())), (format!("k{n}"), None)].into_iter().collect();
            if let Ok(next) = apply_update(&labels, &upd) {
                proptest::prop_assert!(next.len() <= MAX_LABELS);
                proptest::prop_assert!(validate(&next).is_ok());
            }
        }
    }

    #[test]
    fn null_deletes_on_update() {
        let cur = one("a", "1");
        let upd = [("a".to_string(), None), ("b".to_string(), Some("2".to_string()))]
            .into_iter()
            .collect();
        let next = apply_update(&cur, &upd).unwrap();
        assert_eq!(next, one("b", "2"));
    }
}
