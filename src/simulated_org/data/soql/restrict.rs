//! Salesforce's implementation restriction on ContentDocumentLink: a query must filter by
//! `ContentDocumentId` or `LinkedEntityId` with `=` (one id) or `IN` (several).

use super::super::ApiError;
use super::ast::{Cond, Op, Query};

const MESSAGE: &str = "Implementation restriction: ContentDocumentLink requires a filter by a single Id on ContentDocumentId or LinkedEntityId using the equals operator or multiple Id's using the IN operator.";

fn on_link_field(parts: &[String]) -> bool {
    matches!(parts, [f] if f.eq_ignore_ascii_case("ContentDocumentId") || f.eq_ignore_ascii_case("LinkedEntityId"))
}

fn restricts(cond: &Cond) -> bool {
    match cond {
        Cond::Cmp { path, op, .. } => *op == Op::Eq && on_link_field(&path.parts),
        Cond::In { path, negated, .. } => !negated && on_link_field(&path.parts),
        Cond::And(all) => all.iter().any(restricts),
        Cond::Or(_) | Cond::Not(_) => false,
    }
}

/// 400 for a ContentDocumentLink query without the required filter.
pub fn check(query: &Query) -> Result<(), ApiError> {
    let unfiltered = query.from.eq_ignore_ascii_case("ContentDocumentLink")
        && !query.filter.as_ref().is_some_and(restricts);
    match unfiltered {
        true => Err(ApiError::new(400, "MALFORMED_QUERY", MESSAGE)),
        false => Ok(()),
    }
}
