//! SOSL: `FIND {term} [IN ALL|NAME|EMAIL|PHONE FIELDS] [RETURNING Obj(Field, ...)] [LIMIT n]`.
//!
//! The term's words must all appear (as whole words, `*` and `?` wildcards allowed) in the
//! searched text fields of a record; `OR` between words offers alternatives.

use serde_json::{Value, json};

use super::ApiError;
use super::matching::{Pat, glob_match};
use super::schema::{FieldDef, FieldType, ObjectDef};
use super::soql::{Plan, Pos, build, caret_message, matching_rows};
use super::store::{Row, Store};

mod clause;
mod term;

const RESERVED: &str = "?&|!{}[]()^~*:\\\"'+-";
const NO_TERM: &str = "No search term found. The search term must be enclosed in braces.";
const MAX_ROWS: usize = 2000;

/// Which fields the term is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every text field.
    All,
    /// Name fields.
    Name,
    /// Email fields.
    Email,
    /// Phone fields.
    Phone,
}

/// One RETURNING entry.
#[derive(Debug, Clone)]
pub struct Returning<'s> {
    /// Object index in the store.
    pub obj: usize,
    /// Fields, WHERE, ORDER BY and LIMIT from `Obj(...)`; `None` returns only Id.
    pub plan: Option<Plan<'s>>,
}

fn malformed(sosl: &str, pos: Pos, message: &str) -> ApiError {
    ApiError::new(400, "MALFORMED_SEARCH", &caret_message(sosl, pos, message))
}

/// Run a search; the `{"searchRecords":[...]}` body.
pub fn run(store: &Store, sosl: &str, version: &str) -> Result<Value, ApiError> {
    let (open, close) =
        braces(sosl).ok_or_else(|| ApiError::new(400, "MALFORMED_SEARCH", NO_TERM))?;
    let alternatives = term::parse(sosl, open, close)?;
    let mut blanked: String = sosl[..open].to_string();
    blanked.extend(
        sosl[open..=close]
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' }),
    );
    blanked.push_str(&sosl[close + 1..]);
    let clauses = clause::parse(store, sosl, &blanked)?;
    let limit = clauses.limit.unwrap_or(MAX_ROWS).min(MAX_ROWS);
    let mut out = Vec::new();
    for ret in &clauses.returning {
        let obj = &store.objects[ret.obj];
        let fields = searched_fields(obj, clauses.scope);
        let hits = store.tables[ret.obj].live().filter(|row| {
            alternatives
                .iter()
                .any(|words| matches_all(row, &fields, words))
        });
        let rows = match &ret.plan {
            Some(plan) => matching_rows(store, plan, hits, false),
            None => hits.collect(),
        };
        for row in rows.into_iter().take(limit.saturating_sub(out.len())) {
            out.push(match &ret.plan {
                Some(plan) => build(store, row, ret.obj, &plan.node, version),
                None => id_only(row, obj, version),
            });
        }
    }
    Ok(json!({ "searchRecords": out }))
}

/// Byte offsets of the term's `{` and its closing unescaped `}`.
fn braces(sosl: &str) -> Option<(usize, usize)> {
    let open = sosl.find('{')?;
    let mut escaped = false;
    for (i, c) in sosl[open + 1..].char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '}' => return Some((open, open + 1 + i)),
            _ => {}
        }
    }
    None
}

fn position(sosl: &str, byte: usize) -> Pos {
    let before = &sosl[..byte];
    let row = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Pos {
        row,
        col: before[line_start..].chars().count() + 1,
    }
}

fn searched_fields(obj: &ObjectDef, scope: Scope) -> Vec<&FieldDef> {
    obj.fields
        .iter()
        .filter(|f| f.ftype.is_searchable_text())
        .filter(|f| match scope {
            Scope::All => true,
            Scope::Name => f.name_field || matches!(f.name, "FirstName" | "LastName" | "Company"),
            Scope::Email => f.ftype == FieldType::Email,
            Scope::Phone => f.ftype == FieldType::Phone,
        })
        .collect()
}

fn matches_all(row: &Row, fields: &[&FieldDef], words: &[Vec<Pat>]) -> bool {
    words.iter().all(|pattern| {
        fields.iter().any(|f| {
            row.get(f.name).as_str().is_some_and(|text| {
                text.split(|c: char| !c.is_alphanumeric())
                    .any(|w| !w.is_empty() && glob_match(pattern, w))
            })
        })
    })
}

fn id_only(row: &Row, obj: &ObjectDef, version: &str) -> Value {
    let url = format!(
        "/services/data/v{version}/sobjects/{}/{}",
        obj.name,
        row.id()
    );
    json!({"attributes": {"type": obj.name, "url": url}, "Id": row.id()})
}
