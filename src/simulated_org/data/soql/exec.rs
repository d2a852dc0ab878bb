//! Running a bound query: filter rows, sort, page, then build only the output records.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value, json};

use super::ast::Op;
use super::bind::{BCond, Bound, Entry, Kind, Node, Plan, Resolved};
use crate::simulated_org::data::QueryOutput;
use crate::simulated_org::data::matching::{cmp_ignore_case, glob_match};
use crate::simulated_org::data::schema::FieldType;
use crate::simulated_org::data::store::{Row, Store};

static NULL: Value = Value::Null;

/// Run a plan over the store.
pub fn execute(
    store: &Store,
    plan: &Plan<'_>,
    version: &str,
    include_deleted: bool,
) -> QueryOutput {
    let rows = matching_rows(
        store,
        plan,
        store.tables[plan.obj].rows.values(),
        include_deleted,
    );
    match &plan.kind {
        Kind::CountRows => QueryOutput {
            total_size: rows.len(),
            records: Vec::new(),
        },
        Kind::Aggregate(counts) => {
            let mut record = Map::new();
            record.insert("attributes".into(), json!({"type": "AggregateResult"}));
            for (path, alias) in counts {
                let n = rows
                    .iter()
                    .filter(|r| !value(store, r, path).is_null())
                    .count();
                record.insert(alias.clone(), Value::from(n));
            }
            QueryOutput {
                total_size: 1,
                records: vec![Value::Object(record)],
            }
        }
        Kind::Rows => {
            let records: Vec<Value> = rows
                .iter()
                .map(|r| build(store, r, plan.obj, &plan.node, version))
                .collect();
            QueryOutput {
                total_size: records.len(),
                records,
            }
        }
    }
}

/// Filter, sort and page `candidates` by the plan's WHERE, ORDER BY, OFFSET and LIMIT.
pub fn matching_rows<'r>(
    store: &'r Store,
    plan: &Plan<'_>,
    candidates: impl Iterator<Item = &'r Row>,
    include_deleted: bool,
) -> Vec<&'r Row> {
    let mut rows: Vec<&Row> = candidates
        .filter(|r| include_deleted || !r.is_deleted())
        .filter(|r| plan.filter.as_ref().is_none_or(|c| eval(store, r, c)))
        .collect();
    if !plan.order.is_empty() {
        rows.sort_by(|a, b| compare_rows(store, a, b, &plan.order));
    }
    let limit = plan.limit.unwrap_or(usize::MAX);
    rows.into_iter().skip(plan.offset).take(limit).collect()
}

/// The value at the end of a path, or null when a lookup on the way is empty.
pub fn value<'r>(store: &'r Store, row: &'r Row, path: &Resolved<'_>) -> &'r Value {
    let mut current = row;
    for (lookup, target) in &path.hops {
        let Some(id) = current.get(lookup.name).as_str() else {
            return &NULL;
        };
        match store.tables[*target].rows.get(id) {
            Some(parent) if !parent.is_deleted() => current = parent,
            _ => return &NULL,
        }
    }
    current.get(path.field.name)
}

fn eval(store: &Store, row: &Row, c: &BCond<'_>) -> bool {
    match c {
        BCond::And(cs) => cs.iter().all(|c| eval(store, row, c)),
        BCond::Or(cs) => cs.iter().any(|c| eval(store, row, c)),
        BCond::Not(inner) => !eval(store, row, inner),
        BCond::Cmp(path, op, bound) => {
            compare(path.field.ftype, value(store, row, path), *op, bound)
        }
        BCond::In(path, negated, bounds) => {
            let v = value(store, row, path);
            let hit = bounds
                .iter()
                .any(|b| compare(path.field.ftype, v, Op::Eq, b));
            hit != *negated
        }
    }
}

fn holds(op: Op, ord: Ordering) -> bool {
    match op {
        Op::Eq | Op::Like => ord == Ordering::Equal,
        Op::Ne => ord != Ordering::Equal,
        Op::Lt => ord == Ordering::Less,
        Op::Gt => ord == Ordering::Greater,
        Op::Le => ord != Ordering::Greater,
        Op::Ge => ord != Ordering::Less,
    }
}

fn compare(ftype: FieldType, v: &Value, op: Op, bound: &Bound) -> bool {
    match (v, bound) {
        (Value::Null, Bound::Null) => op == Op::Eq,
        (Value::Null, _) => op == Op::Ne,
        (_, Bound::Null) => op == Op::Ne,
        (_, Bound::Pattern(p)) => v.as_str().is_some_and(|s| glob_match(p, s)),
        (_, Bound::Range(start, end)) => {
            as_date(ftype, v).is_some_and(|d| in_range(op, d, *start, *end))
        }
        _ => ordering(ftype, v, bound).is_some_and(|ord| holds(op, ord)),
    }
}

fn in_range(op: Op, d: NaiveDate, start: NaiveDate, end: NaiveDate) -> bool {
    let inside = d >= start && d < end;
    match op {
        Op::Eq | Op::Like => inside,
        Op::Ne => !inside,
        Op::Lt => d < start,
        Op::Le => d < end,
        Op::Gt => d >= end,
        Op::Ge => d >= start,
    }
}

fn ordering(ftype: FieldType, v: &Value, bound: &Bound) -> Option<Ordering> {
    match bound {
        Bound::Text(t) if matches!(ftype, FieldType::Id | FieldType::Reference) => {
            Some(v.as_str()?.cmp(t.as_str()))
        }
        Bound::Text(t) => Some(cmp_ignore_case(v.as_str()?, t)),
        Bound::Num(n) => v.as_f64()?.partial_cmp(n),
        Bound::Bool(b) => Some(v.as_bool()?.cmp(b)),
        Bound::Date(d) => Some(as_date(ftype, v)?.cmp(d)),
        Bound::DateTime(t) => Some(as_datetime(v)?.cmp(t)),
        _ => None,
    }
}

fn as_datetime(v: &Value) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(v.as_str()?, "%Y-%m-%dT%H:%M:%S%.3f%z")
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn as_date(ftype: FieldType, v: &Value) -> Option<NaiveDate> {
    if ftype == FieldType::Datetime {
        return as_datetime(v).map(|t| t.date_naive());
    }
    NaiveDate::parse_from_str(v.as_str()?, "%Y-%m-%d").ok()
}

fn compare_rows(store: &Store, a: &Row, b: &Row, keys: &[(Resolved<'_>, bool, bool)]) -> Ordering {
    for (path, descending, nulls_first) in keys {
        let (va, vb) = (value(store, a, path), value(store, b, path));
        let ord = match (va.is_null(), vb.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => {
                if *nulls_first {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (false, true) => {
                if *nulls_first {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (false, false) => {
                let ord = compare_values(va, vb);
                if *descending { ord.reverse() } else { ord }
            }
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

fn compare_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::String(x), Value::String(y)) => cmp_ignore_case(x, y),
        _ => Ordering::Equal,
    }
}

/// The output record for `row` of object `obj` with the fields of `node`.
pub fn build(store: &Store, row: &Row, obj: usize, node: &Node<'_>, version: &str) -> Value {
    let name = store.objects[obj].name;
    let mut out = Map::new();
    out.insert(
        "attributes".into(),
        json!({"type": name, "url": format!("/services/data/v{version}/sobjects/{name}/{}", row.id())}),
    );
    for entry in &node.entries {
        match entry {
            Entry::Field(f) => {
                out.insert(f.name.into(), row.get(f.name).clone());
            }
            Entry::Parent(lookup, target, sub) => {
                let parent = row
                    .get(lookup.name)
                    .as_str()
                    .and_then(|id| store.tables[*target].rows.get(id))
                    .filter(|p| !p.is_deleted());
                let rel = lookup.relationship_name.unwrap_or(lookup.name);
                let nested = parent.map_or(Value::Null, |p| build(store, p, *target, sub, version));
                out.insert(rel.into(), nested);
            }
            Entry::Child(plan) => {
                let (rel, _) = plan
                    .child_of
                    .as_ref()
                    .map_or(("", None), |(r, f)| (r.as_str(), Some(f)));
                out.insert(rel.into(), children(store, row, plan, version));
            }
        }
    }
    Value::Object(out)
}

fn children(store: &Store, parent: &Row, plan: &Plan<'_>, version: &str) -> Value {
    let Some((_, lookup)) = &plan.child_of else {
        return Value::Null;
    };
    let parent_id = parent.id();
    let candidates = store.tables[plan.obj]
        .rows
        .values()
        .filter(|r| r.get(lookup.name).as_str() == Some(parent_id));
    let rows = matching_rows(store, plan, candidates, false);
    if rows.is_empty() {
        return Value::Null;
    }
    let records: Vec<Value> = rows
        .iter()
        .map(|r| build(store, r, plan.obj, &plan.node, version))
        .collect();
    json!({"totalSize": records.len(), "done": true, "records": records})
}
