//! `filter[field]=v` and `filter[field][op]=v` → `domain::filter::Filter`, against a
//! per-endpoint allow-list of fields and operators.

use crate::domain::filter::{Condition, FieldKind, FieldSpec, Filter, Op, Value};
use crate::error::{ApiError, InvalidParameter};
use crate::http::query::RawQuery;

/// Splits `filter[a][b]` into `["a", "b"]`; `None` when the key is not bracket-formed.
fn brackets(key: &str) -> Option<Vec<&str>> {
    let mut rest = key.strip_prefix("filter")?;
    let mut parts = Vec::new();
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[')?;
        let end = inner.find(']')?;
        parts.push(&inner[..end]);
        rest = &inner[end + 1..];
    }
    Some(parts)
}

pub fn parse_filter(q: &RawQuery, specs: &[FieldSpec]) -> Result<Filter, ApiError> {
    let mut filter = Filter::default();
    let mut problems = Vec::new();
    for (key, raw) in &q.0 {
        if !key.starts_with("filter") {
            continue;
        }
        let Some(parts) = brackets(key).filter(|p| (1..=2).contains(&p.len())) else {
            problems.push(
                InvalidParameter::new(
                    key.clone(),
                    "filters must be of the form filter[field] or filter[field][operator]",
                )
                .rule("invalid")
                .source("query"),
            );
            continue;
        };
        let name = parts[0];
        let Some(spec) = specs.iter().find(|s| s.name == name) else {
            problems.push(
                InvalidParameter::new(
                    format!("[filter][{name}]"),
                    format!("[{name}] is not a supported filter field"),
                )
                .rule("unknown_property")
                .source("query"),
            );
            continue;
        };
        let op = match parts.get(1) {
            None => Some(Op::Eq),
            Some(o) => Op::parse(o).filter(|op| spec.ops.contains(op)),
        };
        let Some(op) = op else {
            let o = parts[1];
            problems.push(
                InvalidParameter::new(
                    format!("[filter][{name}][{o}]"),
                    format!("[{o}] is not a supported filter operation"),
                )
                .rule("invalid")
                .source("query"),
            );
            continue;
        };
        let value = match (spec.kind, op) {
            (FieldKind::Bool, _) => match raw.trim() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => {
                    problems.push(
                        InvalidParameter::new(key.clone(), "must be a boolean (true or false)")
                            .rule("is_boolean")
                            .source("query"),
                    );
                    continue;
                }
            },
            (FieldKind::Uuid, Op::OneOf) => Value::UuidList(
                raw.split(',')
                    .filter_map(|s| uuid::Uuid::parse_str(s.trim()).ok())
                    .collect(),
            ),
            (FieldKind::Uuid, Op::Contains) => Value::Text(raw.clone()),
            (FieldKind::Uuid, _) => match uuid::Uuid::parse_str(raw.trim()) {
                Ok(u) => Value::Uuid(u),
                Err(_) if op == Op::Neq => continue,
                Err(_) => Value::Nothing,
            },
            (FieldKind::Text, Op::OneOf) => Value::TextList(raw.split(',').map(|s| s.to_string()).collect()),
            (FieldKind::Text, _) => Value::Text(raw.clone()),
        };
        filter.conditions.push(Condition {
            field: spec.name,
            op,
            value,
        });
    }
    if problems.is_empty() {
        Ok(filter)
    } else {
        Err(ApiError::invalid_many(problems))
    }
}

/// Shorthands for the allow-lists.
pub const EQ_CONTAINS: &[Op] = &[Op::Eq, Op::Contains];
pub const EQ: &[Op] = &[Op::Eq];

pub const fn text(name: &'static str, ops: &'static [Op]) -> FieldSpec {
    FieldSpec {
        name,
        kind: FieldKind::Text,
        ops,
    }
}

pub const fn boolean(name: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        kind: FieldKind::Bool,
        ops: EQ,
    }
}

pub const fn uuid(name: &'static str, ops: &'static [Op]) -> FieldSpec {
    FieldSpec {
        name,
        kind: FieldKind::Uuid,
        ops,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const USERS: &[FieldSpec] = &[
        uuid("id", EQ),
        text("email", EQ_CONTAINS),
        text("full_name", EQ_CONTAINS),
        boolean("active"),
    ];

    fn parse(q: &str) -> Result<Filter, ApiError> {
        parse_filter(&RawQuery::parse(q), USERS)
    }

    #[test]
    fn forms() {
        let f = parse("filter[email]=a@b.c&filter[full_name][contains]=Jo&filter[active]=true&page[size]=2").unwrap();
        assert_eq!(f.conditions.len(), 3);
        assert_eq!(f.conditions[0].op, Op::Eq);
        assert_eq!(f.conditions[1].op, Op::Contains);
        assert_eq!(f.conditions[2].value, Value::Bool(true));
        let f = parse("filter%5Bemail%5D%5Beq%5D=x").unwrap();
        assert_eq!(f.conditions[0].value, Value::Text("x".into()));
        let f = parse("filter[id]=not-a-uuid").unwrap();
        assert_eq!(f.conditions[0].value, Value::Nothing);
    }

    fn first_field(e: ApiError) -> String {
        match e {
            ApiError::InvalidParameters { params, .. } => params[0].field.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_name_the_parameter() {
        assert_eq!(first_field(parse("filter[name]=x").unwrap_err()), "[filter][name]");
        assert_eq!(
            first_field(parse("filter[email][neq]=x").unwrap_err()),
            "[filter][email][neq]"
        );
        assert_eq!(
            first_field(parse("filter[id][contains]=x").unwrap_err()),
            "[filter][id][contains]"
        );
        assert_eq!(first_field(parse("filter[active]=yes").unwrap_err()), "filter[active]");
        assert_eq!(first_field(parse("filter=x").unwrap_err()), "filter");
        assert_eq!(first_field(parse("filter[a][b][c]=x").unwrap_err()), "filter[a][b][c]");
        assert_eq!(first_field(parse("filter[email=x").unwrap_err()), "filter[email");
    }

    proptest! {
        #[test]
        fn never_panics(q in ".{0,300}") {
            let _ = parse(&q);
        }

        #[test]
        fn never_panics_on_filter_shaped_keys(field in "[a-z_\\[\\]]{0,20}", op in "[a-z\\[\\]]{0,10}", v in ".{0,40}") {
            let q = format!("filter[{field}][{op}]={}", urlencode(&v));
            let _ = parse(&q);
        }
    }

    fn urlencode(s: &str) -> String {
        form_urlencoded::byte_serialize(s.as_bytes()).collect()
    }
}
