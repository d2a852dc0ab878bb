//! Literals converted to the compared field's type, with Salesforce's type errors.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use super::QueryError;
use super::ast::{Literal, Op};
use super::bind::Bound;
use super::lexer::Pos;
use crate::simulated_org::data::ids;
use crate::simulated_org::data::schema::{FieldDef, FieldType};

fn type_error(field: &FieldDef, pos: Pos, type_name: &str, quoted: bool) -> QueryError {
    let quotes = if quoted {
        "should be enclosed in quotes"
    } else {
        "should not be enclosed in quotes"
    };
    QueryError {
        pos,
        code: "INVALID_QUERY_FILTER_OPERATOR",
        message: format!(
            "value of filter criterion for field '{}' must be of type {type_name} and {quotes}",
            field.name
        ),
    }
}

/// Convert a WHERE literal for comparison with `field` by `op`.
pub fn bind_literal(
    field: &FieldDef,
    op: Op,
    lit: &Literal,
    pos: Pos,
) -> Result<Bound, QueryError> {
    use FieldType as T;
    if *lit == Literal::Null {
        return Ok(Bound::Null);
    }
    if op == Op::Like {
        return match lit {
            Literal::Str(_, p) if field.ftype.is_textual() => Ok(Bound::Pattern(p.clone())),
            Literal::Str(..) => Err(QueryError {
                pos,
                code: "INVALID_QUERY_FILTER_OPERATOR",
                message: format!("invalid operator on field: {}", field.name),
            }),
            _ => Err(type_error(field, pos, "string", true)),
        };
    }
    match (field.ftype, lit) {
        (T::Id | T::Reference, Literal::Str(s, _)) => match ids::normalize(s) {
            Some(id) => Ok(Bound::Text(id)),
            None if s.is_empty() => Ok(Bound::Null),
            None => Err(QueryError {
                pos,
                code: "INVALID_QUERY_FILTER_OPERATOR",
                message: format!("invalid ID field: {s}"),
            }),
        },
        (t, Literal::Str(s, _)) if t.is_textual() => Ok(Bound::Text(s.clone())),
        (t, _) if t.is_textual() => Err(type_error(field, pos, "string", true)),
        (t, Literal::Num(n)) if t.is_number() => Ok(Bound::Num(*n)),
        (t, _) if t.is_number() => Err(type_error(field, pos, "double", false)),
        (T::Boolean, Literal::Bool(b)) => Ok(Bound::Bool(*b)),
        (T::Boolean, _) => Err(type_error(field, pos, "boolean", false)),
        (T::Date | T::Datetime, Literal::DateKeyword(k, n)) => Ok(date_range(k, *n)),
        (T::Date, Literal::Date(d)) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(Bound::Date)
            .map_err(|_| type_error(field, pos, "date", false)),
        (T::Date, _) => Err(type_error(field, pos, "date", false)),
        (_, Literal::DateTime(d)) => DateTime::parse_from_rfc3339(d)
            .map(|t| Bound::DateTime(t.with_timezone(&Utc)))
            .map_err(|_| type_error(field, pos, "dateTime", false)),
        _ => Err(type_error(field, pos, "dateTime", false)),
    }
}

fn date_range(keyword: &str, n: Option<i64>) -> Bound {
    let today = Utc::now().date_naive();
    let day = Duration::days(1);
    let n = Duration::days(n.unwrap_or(0));
    let (start, end) = match keyword {
        "YESTERDAY" => (today - day, today),
        "TOMORROW" => (today + day, today + day + day),
        "LAST_N_DAYS" => (today - n, today + day),
        "NEXT_N_DAYS" => (today + day, today + day + n),
        "THIS_MONTH" => {
            let first = today.with_day(1).unwrap_or(today);
            let next = first
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(today);
            (first, next)
        }
        "THIS_YEAR" => {
            let first = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
            let next = NaiveDate::from_ymd_opt(today.year() + 1, 1, 1).unwrap_or(today);
            (first, next)
        }
        _ => (today, today + day),
    };
    Bound::Range(start, end)
}
