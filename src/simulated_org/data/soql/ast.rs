//! The parsed form of a SOQL query.

use super::lexer::Pos;
use crate::simulated_org::data::matching::Pat;

/// A dotted field path (`Account.Owner.Name`) and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    /// Parts as written.
    pub parts: Vec<String>,
    /// Start position.
    pub pos: Pos,
}

/// One item of the SELECT list.
#[derive(Debug, Clone, PartialEq)]
pub enum SelectItem {
    /// A field or parent field.
    Field(Path),
    /// `COUNT()`: the number of rows, no records.
    CountRows(Pos),
    /// `COUNT(field)` with an optional alias.
    Count {
        /// The counted field (`None` for `COUNT(Id)`-like forms is not used).
        path: Path,
        /// Alias, else `expr<n>`.
        alias: Option<String>,
    },
    /// A child relationship subquery `(SELECT ... FROM Contacts)`.
    Child(Box<Query>),
}

/// A literal value in WHERE.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `'text'` with its LIKE pattern form.
    Str(String, Vec<Pat>),
    /// A number.
    Num(f64),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// `2026-01-15`.
    Date(String),
    /// `2026-01-15T10:00:00Z`.
    DateTime(String),
    /// `TODAY`, `LAST_N_DAYS:7`...: the keyword (upper case) and its `n`.
    DateKeyword(String, Option<i64>),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=`
    Eq,
    /// `!=` or `<>`
    Ne,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `>=`
    Ge,
    /// `LIKE`
    Like,
}

/// A WHERE condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// All must hold.
    And(Vec<Cond>),
    /// Any must hold.
    Or(Vec<Cond>),
    /// Negation.
    Not(Box<Cond>),
    /// `path op literal`.
    Cmp {
        /// Field.
        path: Path,
        /// Operator.
        op: Op,
        /// Value.
        value: Literal,
        /// Where the value starts.
        value_pos: Pos,
    },
    /// `path [NOT] IN (literals)`.
    In {
        /// Field.
        path: Path,
        /// `NOT IN`.
        negated: bool,
        /// Values with positions.
        values: Vec<(Literal, Pos)>,
    },
}

/// One ORDER BY key.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderKey {
    /// Field.
    pub path: Path,
    /// `DESC`.
    pub descending: bool,
    /// `NULLS FIRST` (default: first when ascending, last when descending).
    pub nulls_first: bool,
}

/// A whole query (or a child subquery).
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// SELECT list.
    pub select: Vec<SelectItem>,
    /// FROM object (or child relationship) name.
    pub from: String,
    /// Where the FROM name starts.
    pub from_pos: Pos,
    /// WHERE.
    pub filter: Option<Cond>,
    /// ORDER BY keys.
    pub order: Vec<OrderKey>,
    /// LIMIT.
    pub limit: Option<usize>,
    /// OFFSET and where its number is.
    pub offset: Option<(usize, Pos)>,
}
