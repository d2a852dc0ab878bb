//! Valid read-only SELECTs built from the fuzzer's bytes are accepted, trimmed and unchanged;
//! the same SELECT with a side-effect clause, or with a second statement, spliced in between any
//! two of its tokens is refused for that reason.
//!
//! The queries use names that contain the clause words (`For__c`, `Update_Tracking__c`), string
//! literals holding anything (quoted here by hand, not by the crate's `quote_literal`), LIKE
//! patterns, numbers, date literals, nested conditions and any ASCII whitespace.

#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use salesforce_mcp::salesforce::soql::{SoqlGuardError, check_read_only};

const NAMES: &[&str] = &[
    "Id",
    "Name",
    "Account",
    "Contact",
    "Owner.Name",
    "Account.Owner.Email",
    "For__c",
    "Update__c",
    "View__c",
    "Reference__c",
    "Tracking__c",
    "ViewStat__c",
    "For_View__c",
    "Update_Tracking__c",
    "ForUpdate__c",
    "ns__For__c",
    "View",
    "Reference",
    "Tracking",
    "Viewstat",
    "Select__c",
    "x",
];

const SPACES: &[&str] = &[" ", "  ", "\t", "\n", "\r\n", " \n\t "];

const CLAUSES: &[&str] = &[
    "FOR UPDATE",
    "FOR VIEW",
    "FOR REFERENCE",
    "UPDATE TRACKING",
    "UPDATE VIEWSTAT",
];

/// A name made of the fuzzer's bytes, never exactly FOR or UPDATE (reserved words).
fn name(u: &mut Unstructured<'_>) -> arbitrary::Result<String> {
    if u.ratio(3, 4)? {
        return Ok((*u.choose(NAMES)?).to_owned());
    }
    let len = u.int_in_range(1..=12)?;
    let mut out = String::new();
    for i in 0..len {
        let pool: &[u8] = if i == 0 {
            b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
        } else {
            b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        };
        out.push(char::from(*u.choose(pool)?));
    }
    if ["FOR", "UPDATE"]
        .iter()
        .any(|w| out.eq_ignore_ascii_case(w))
    {
        out.push_str("__c");
    }
    Ok(out)
}

/// A SOQL string literal for any text, escaped by the rules in the SOQL reference.
fn literal(text: &str, like: bool) -> String {
    let mut out = String::from("'");
    for c in text.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\R"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            '%' | '_' if like => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn value(u: &mut Unstructured<'_>) -> arbitrary::Result<String> {
    Ok(match u.int_in_range(0..=7)? {
        0 | 1 => literal(&String::arbitrary(u)?, false),
        2 => u.int_in_range(-1_000_000i64..=1_000_000)?.to_string(),
        3 => format!(
            "{}.{}",
            u.int_in_range(0u32..=9999)?,
            u.int_in_range(0u32..=99)?
        ),
        4 => (*u.choose(&[
            "true",
            "FALSE",
            "null",
            "TODAY",
            "LAST_N_DAYS:30",
            "2024-01-31",
        ])?)
        .to_owned(),
        5 => literal(
            u.choose(&[
                "for update",
                "FOR VIEW; DELETE",
                "x' FOR UPDATE",
                "update\ntracking",
            ])?,
            false,
        ),
        _ => "2024-01-31T10:00:00Z".to_owned(),
    })
}

fn condition(u: &mut Unstructured<'_>, depth: u8, out: &mut Vec<String>) -> arbitrary::Result<()> {
    let choice = if depth == 0 {
        0
    } else {
        u.int_in_range(0..=5)?
    };
    match choice {
        0 | 1 => {
            out.push(name(u)?);
            out.push((*u.choose(&["=", "!=", "<", "<=", ">", ">="])?).to_owned());
            out.push(value(u)?);
        }
        2 => {
            condition(u, depth - 1, out)?;
            out.push((*u.choose(&["AND", "OR", "and", "Or"])?).to_owned());
            condition(u, depth - 1, out)?;
        }
        3 => {
            out.push("NOT".to_owned());
            out.push("(".to_owned());
            condition(u, depth - 1, out)?;
            out.push(")".to_owned());
        }
        4 => {
            out.push(name(u)?);
            out.push("LIKE".to_owned());
            out.push(literal(&String::arbitrary(u)?, true));
        }
        _ => {
            out.push(name(u)?);
            out.push((*u.choose(&["IN", "NOT IN"])?).to_owned());
            out.push("(".to_owned());
            for i in 0..u.int_in_range(1..=4)? {
                if i > 0 {
                    out.push(",".to_owned());
                }
                out.push(value(u)?);
            }
            out.push(")".to_owned());
        }
    }
    Ok(())
}

/// The tokens of one valid SELECT.
fn select(u: &mut Unstructured<'_>) -> arbitrary::Result<Vec<String>> {
    let mut t = vec![(*u.choose(&["SELECT", "select", "Select"])?).to_owned()];
    for i in 0..u.int_in_range(1..=5)? {
        if i > 0 {
            t.push(",".to_owned());
        }
        if u.ratio(1, 6)? {
            t.push("COUNT()".to_owned());
        } else {
            t.push(name(u)?);
        }
    }
    t.push("FROM".to_owned());
    t.push(name(u)?);
    if u.ratio(2, 3)? {
        t.push("WHERE".to_owned());
        condition(u, 3, &mut t)?;
    }
    if u.ratio(1, 3)? {
        t.extend(["ORDER", "BY"].map(str::to_owned));
        t.push(name(u)?);
        t.push((*u.choose(&["ASC", "DESC", "DESC NULLS LAST"])?).to_owned());
    }
    if u.ratio(1, 2)? {
        t.push("LIMIT".to_owned());
        t.push(u.int_in_range(1u32..=50_000)?.to_string());
    }
    if u.ratio(1, 4)? {
        t.push("OFFSET".to_owned());
        t.push(u.int_in_range(0u32..=2000)?.to_string());
    }
    Ok(t)
}

/// Joins tokens with whitespace chosen by the fuzzer (none before `,` and `)` sometimes).
fn render(u: &mut Unstructured<'_>, tokens: &[String]) -> arbitrary::Result<String> {
    let mut out = String::new();
    for (i, token) in tokens.iter().enumerate() {
        let tight = matches!(token.as_str(), "," | ")" | "(") && u.ratio(1, 2)?;
        if i > 0 && !tight {
            out.push_str(u.choose(SPACES)?);
        }
        out.push_str(token);
    }
    Ok(out)
}

fn run(u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    let tokens = select(u)?;
    let body = render(u, &tokens)?;
    let lead = *u.choose(&["", " ", "\n\t"])?;
    let tail = *u.choose(&["", ";", " ;\n", "\n"])?;
    let text = format!("{lead}{body}{tail}");
    match check_read_only(&text) {
        Ok(q) => assert_eq!(q.as_str(), body, "accepted but changed: {text:?}"),
        Err(e) => panic!("a valid SELECT refused ({e}): {text:?}"),
    }

    // Splice a clause or a second statement between two tokens (never before SELECT).
    let at = u.int_in_range(1..=tokens.len())?;
    let splice_statement = u.ratio(1, 4)?;
    let mut spliced = tokens.clone();
    let clause = *u.choose(CLAUSES)?;
    let clause_text = if u.ratio(1, 2)? {
        clause.to_ascii_lowercase().replace(' ', u.choose(SPACES)?)
    } else {
        clause.to_owned()
    };
    if splice_statement {
        spliced.insert(at, "; DELETE FROM Account".to_owned());
    } else {
        spliced.insert(at, clause_text);
    }
    let text = render(u, &spliced)?;
    match check_read_only(&text) {
        Err(SoqlGuardError::MultipleStatements { .. }) if splice_statement => {}
        Err(SoqlGuardError::SideEffectClause { clause: c, .. }) if !splice_statement => {
            assert_eq!(c, clause, "reported another clause: {text:?}");
        }
        other => panic!("spliced query not refused for the splice ({other:?}): {text:?}"),
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
