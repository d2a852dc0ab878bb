//! Binding a parsed query to the schema: field paths, typed literals, and the execution plan.

use chrono::{DateTime, NaiveDate, Utc};

use super::QueryError;
use super::ast::{Cond, Op, Path, Query, SelectItem};
use super::literal::bind_literal;
use crate::simulated_org::data::matching::Pat;
use crate::simulated_org::data::schema::FieldDef;
use crate::simulated_org::data::store::Store;

const CUSTOM_FIELD_HINT: &str = "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.";
const CUSTOM_REL_HINT: &str = "If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.";
const CUSTOM_OBJECT_HINT: &str = "If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.";

/// A field reached from the queried object through zero or more lookups.
#[derive(Debug, Clone)]
pub struct Resolved<'s> {
    /// Lookup fields followed, each with the index of its target object.
    pub hops: Vec<(&'s FieldDef, usize)>,
    /// The field at the end.
    pub field: &'s FieldDef,
}

/// A literal converted to the compared field's type.
#[derive(Debug, Clone)]
pub enum Bound {
    /// `null`.
    Null,
    /// Text (compared ignoring case) or an id (compared exactly).
    Text(String),
    /// Number.
    Num(f64),
    /// Boolean.
    Bool(bool),
    /// Date.
    Date(NaiveDate),
    /// Datetime.
    DateTime(DateTime<Utc>),
    /// Date range `[start, end)` from a date keyword.
    Range(NaiveDate, NaiveDate),
    /// LIKE pattern.
    Pattern(Vec<Pat>),
}

/// A bound WHERE condition.
#[derive(Debug, Clone)]
pub enum BCond<'s> {
    /// All.
    And(Vec<BCond<'s>>),
    /// Any.
    Or(Vec<BCond<'s>>),
    /// Not.
    Not(Box<BCond<'s>>),
    /// Comparison.
    Cmp(Resolved<'s>, Op, Bound),
    /// `[NOT] IN`.
    In(Resolved<'s>, bool, Vec<Bound>),
}

/// What goes into each output record, in SELECT order.
#[derive(Debug, Clone)]
pub enum Entry<'s> {
    /// A field of this object.
    Field(&'s FieldDef),
    /// A parent record through a lookup.
    Parent(&'s FieldDef, usize, Node<'s>),
    /// A child relationship subquery.
    Child(Box<Plan<'s>>),
}

/// The output shape for records of one object.
#[derive(Debug, Clone)]
pub struct Node<'s> {
    /// Entries in SELECT order.
    pub entries: Vec<Entry<'s>>,
}

/// What the query returns.
#[derive(Debug, Clone)]
pub enum Kind<'s> {
    /// Records.
    Rows,
    /// `COUNT()`.
    CountRows,
    /// `COUNT(field)` aggregates with their aliases.
    Aggregate(Vec<(Resolved<'s>, String)>),
}

/// A query ready to run.
#[derive(Debug, Clone)]
pub struct Plan<'s> {
    /// Queried object index.
    pub obj: usize,
    /// For a child subquery: relationship name and the child's lookup to the parent.
    pub child_of: Option<(String, &'s FieldDef)>,
    /// Output shape.
    pub node: Node<'s>,
    /// Kind.
    pub kind: Kind<'s>,
    /// WHERE.
    pub filter: Option<BCond<'s>>,
    /// ORDER BY: field, descending, nulls first.
    pub order: Vec<(Resolved<'s>, bool, bool)>,
    /// LIMIT.
    pub limit: Option<usize>,
    /// OFFSET.
    pub offset: usize,
}

/// Compile a top-level query.
pub fn compile<'s>(store: &'s Store, q: &Query) -> Result<Plan<'s>, QueryError> {
    let obj = store.index(&q.from).ok_or_else(|| QueryError {
        pos: q.from_pos,
        code: "INVALID_TYPE",
        message: format!(
            "sObject type '{}' is not supported. {CUSTOM_OBJECT_HINT}",
            q.from
        ),
    })?;
    compile_for(store, q, obj, None)
}

/// Compile a query over object index `obj` (SOSL RETURNING bodies).
pub fn compile_on<'s>(store: &'s Store, q: &Query, obj: usize) -> Result<Plan<'s>, QueryError> {
    compile_for(store, q, obj, None)
}

fn compile_for<'s>(
    store: &'s Store,
    q: &Query,
    obj: usize,
    child_of: Option<(String, &'s FieldDef)>,
) -> Result<Plan<'s>, QueryError> {
    let (node, kind) = select_list(store, obj, &q.select)?;
    let filter = q
        .filter
        .as_ref()
        .map(|c| bind_cond(store, obj, c))
        .transpose()?;
    let order = q
        .order
        .iter()
        .map(|k| Ok((resolve(store, obj, &k.path)?, k.descending, k.nulls_first)))
        .collect::<Result<Vec<_>, QueryError>>()?;
    let offset = match q.offset {
        Some((n, pos)) if n > 2000 => {
            return Err(QueryError {
                pos,
                code: "NUMBER_OUTSIDE_VALID_RANGE",
                message: "Maximum SOQL offset allowed is 2000".into(),
            });
        }
        Some((n, _)) => n,
        None => 0,
    };
    Ok(Plan {
        obj,
        child_of,
        node,
        kind,
        filter,
        order,
        limit: q.limit,
        offset,
    })
}

fn select_list<'s>(
    store: &'s Store,
    obj: usize,
    items: &[SelectItem],
) -> Result<(Node<'s>, Kind<'s>), QueryError> {
    let mut node = Node {
        entries: Vec::new(),
    };
    let mut aggregates = Vec::new();
    let mut count_rows = None;
    let mut plain_field: Option<&Path> = None;
    for item in items {
        match item {
            SelectItem::Field(path) => {
                let resolved = resolve(store, obj, path)?;
                add_to_node(&mut node, &resolved.hops, resolved.field);
                plain_field = plain_field.or(Some(path));
            }
            SelectItem::CountRows(pos) => count_rows = Some(*pos),
            SelectItem::Count { path, alias } => {
                let name = alias
                    .clone()
                    .unwrap_or_else(|| format!("expr{}", aggregates.len()));
                aggregates.push((resolve(store, obj, path)?, name));
            }
            SelectItem::Child(sub) => node
                .entries
                .push(Entry::Child(Box::new(child_plan(store, obj, sub)?))),
        }
    }
    if let Some(pos) = count_rows {
        if items.len() > 1 {
            return Err(QueryError::malformed(
                pos,
                "COUNT() cannot be used with other fields in the SELECT list".into(),
            ));
        }
        return Ok((node, Kind::CountRows));
    }
    if !aggregates.is_empty() {
        if let Some(path) = plain_field {
            let message = format!(
                "Field must be grouped or aggregated: {}",
                path.parts.join(".")
            );
            return Err(QueryError::malformed(path.pos, message));
        }
        return Ok((node, Kind::Aggregate(aggregates)));
    }
    Ok((node, Kind::Rows))
}

fn add_to_node<'s>(node: &mut Node<'s>, hops: &[(&'s FieldDef, usize)], field: &'s FieldDef) {
    let Some(((lookup, target), rest)) = hops.split_first() else {
        let seen = node
            .entries
            .iter()
            .any(|e| matches!(e, Entry::Field(f) if f.name == field.name));
        if !seen {
            node.entries.push(Entry::Field(field));
        }
        return;
    };
    let existing = node.entries.iter_mut().find_map(|e| match e {
        Entry::Parent(f, _, sub) if f.name == lookup.name => Some(sub),
        _ => None,
    });
    match existing {
        Some(sub) => add_to_node(sub, rest, field),
        None => {
            let mut sub = Node {
                entries: Vec::new(),
            };
            add_to_node(&mut sub, rest, field);
            node.entries.push(Entry::Parent(lookup, *target, sub));
        }
    }
}

fn child_plan<'s>(store: &'s Store, parent: usize, sub: &Query) -> Result<Plan<'s>, QueryError> {
    let parent_name = store.objects[parent].name;
    for (idx, child) in store.objects.iter().enumerate() {
        for f in &child.fields {
            let rel = f
                .child_relationship
                .filter(|r| r.eq_ignore_ascii_case(&sub.from));
            if let (Some(rel), Some(parent_obj)) = (rel, f.reference_to)
                && parent_obj == parent_name
            {
                return compile_for(store, sub, idx, Some((rel.to_string(), f)));
            }
        }
    }
    Err(QueryError {
        pos: sub.from_pos,
        code: "INVALID_TYPE",
        message: format!(
            "Didn't understand relationship '{}' in FROM part of query call. {CUSTOM_REL_HINT}",
            sub.from
        ),
    })
}

/// Resolve a dotted path from object `obj`.
pub fn resolve<'s>(
    store: &'s Store,
    mut obj: usize,
    path: &Path,
) -> Result<Resolved<'s>, QueryError> {
    let Some((last, rels)) = path.parts.split_last() else {
        return Err(QueryError::malformed(
            path.pos,
            "unexpected token: '<EOF>'".into(),
        ));
    };
    let mut hops = Vec::new();
    for rel in rels {
        let lookup = store.objects[obj].relationship(rel);
        let target = lookup
            .and_then(|f| f.reference_to)
            .and_then(|t| store.index(t));
        let (Some(lookup), Some(target)) = (lookup, target) else {
            return Err(QueryError {
                pos: path.pos,
                code: "INVALID_FIELD",
                message: format!(
                    "Didn't understand relationship '{rel}' in field path. {CUSTOM_REL_HINT}"
                ),
            });
        };
        hops.push((lookup, target));
        obj = target;
    }
    let def = &store.objects[obj];
    let field = def.field(last).ok_or_else(|| QueryError {
        pos: path.pos,
        code: "INVALID_FIELD",
        message: format!(
            "No such column '{last}' on entity '{}'. {CUSTOM_FIELD_HINT}",
            def.name
        ),
    })?;
    Ok(Resolved { hops, field })
}

fn bind_cond<'s>(store: &'s Store, obj: usize, c: &Cond) -> Result<BCond<'s>, QueryError> {
    let all = |cs: &[Cond]| {
        cs.iter()
            .map(|c| bind_cond(store, obj, c))
            .collect::<Result<Vec<_>, _>>()
    };
    Ok(match c {
        Cond::And(cs) => BCond::And(all(cs)?),
        Cond::Or(cs) => BCond::Or(all(cs)?),
        Cond::Not(inner) => BCond::Not(Box::new(bind_cond(store, obj, inner)?)),
        Cond::Cmp {
            path,
            op,
            value,
            value_pos,
        } => {
            let r = resolve(store, obj, path)?;
            let bound = bind_literal(r.field, *op, value, *value_pos)?;
            BCond::Cmp(r, *op, bound)
        }
        Cond::In {
            path,
            negated,
            values,
        } => {
            let r = resolve(store, obj, path)?;
            let bound = values
                .iter()
                .map(|(v, pos)| bind_literal(r.field, Op::Eq, v, *pos))
                .collect::<Result<Vec<_>, _>>()?;
            BCond::In(r, *negated, bound)
        }
    })
}
