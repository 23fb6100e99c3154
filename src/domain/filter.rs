//! The filter AST that `http::filter` parses query strings into and `store` compiles to SQL.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Exact equality (`filter[f]=v` or `filter[f][eq]=v`).
    Eq,
    /// Not equal (`filter[f][neq]=v`).
    Neq,
    /// Case-insensitive substring (`filter[f][contains]=v`).
    Contains,
    /// Equal to any of a comma-separated list (`filter[f][oeq]=a,b`).
    OneOf,
    /// Equal to none of a list (built internally, e.g. for a `neq` over several spellings).
    NoneOf,
}

impl Op {
    pub fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "eq" => Op::Eq,
            "neq" => Op::Neq,
            "contains" => Op::Contains,
            "oeq" => Op::OneOf,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Bool,
    Uuid,
}

/// One filterable field of a resource: its query name (also its column) and its operators.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    pub name: &'static str,
    pub kind: FieldKind,
    pub ops: &'static [Op],
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Bool(bool),
    Uuid(uuid::Uuid),
    TextList(Vec<String>),
    UuidList(Vec<uuid::Uuid>),
    /// A value that can never match (an id filter that is not a UUID).
    Nothing,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub field: &'static str,
    pub op: Op,
    pub value: Value,
}

/// Conditions are AND-ed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub conditions: Vec<Condition>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty()
    }
}

/// Page-number pagination: `page[number]` from 1, `page[size]` from 1 to the configured max.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub number: u32,
    pub size: u32,
}

impl PageRequest {
    pub fn offset(&self) -> i64 {
        (self.number as i64 - 1) * self.size as i64
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest { number: 1, size: 10 }
    }
}

/// One page of a list and the total across all pages.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}
