//! The SOSL clauses around the term: `FIND`, `IN ... FIELDS`, `RETURNING`, `LIMIT`.

use super::{MAX_ROWS, Returning, Scope, malformed};
use crate::simulated_org::data::ApiError;
use crate::simulated_org::data::soql::{
    Pos, QueryError, Tok, Token, caret_message, compile_on, parse_returning, tokenize,
};
use crate::simulated_org::data::store::Store;

/// Everything but the term.
#[derive(Debug)]
pub struct Clauses<'s> {
    /// Fields searched.
    pub scope: Scope,
    /// Objects returned, in order.
    pub returning: Vec<Returning<'s>>,
    /// Overall LIMIT.
    pub limit: Option<usize>,
}

struct Cursor<'a> {
    tokens: &'a [Token],
    at: usize,
    sosl: &'a str,
}

impl Cursor<'_> {
    fn peek(&self) -> &Token {
        &self.tokens[self.at.min(self.tokens.len() - 1)]
    }
    fn unexpected(&self) -> ApiError {
        let t = self.peek();
        malformed(self.sosl, t.pos, &format!("unexpected token: '{}'", t.text))
    }
    fn word(&self) -> Option<String> {
        match &self.peek().tok {
            Tok::Ident(s) => Some(s.to_ascii_uppercase()),
            _ => None,
        }
    }
    fn eat_word(&mut self, w: &str) -> bool {
        let hit = self.word().as_deref() == Some(w);
        self.at += usize::from(hit);
        hit
    }
    fn eat_sym(&mut self, s: &str) -> bool {
        let hit = matches!(self.peek().tok, Tok::Sym(x) if x == s);
        self.at += usize::from(hit);
        hit
    }
    fn ident(&mut self) -> Result<(String, Pos), ApiError> {
        let t = self.peek().clone();
        match t.tok {
            Tok::Ident(s) => {
                self.at += 1;
                Ok((s, t.pos))
            }
            _ => Err(self.unexpected()),
        }
    }
    fn number(&mut self) -> Result<usize, ApiError> {
        match &self.peek().tok {
            Tok::Num(n) => {
                let n = n.parse::<usize>().map_err(|_| self.unexpected())?;
                self.at += 1;
                Ok(n)
            }
            _ => Err(self.unexpected()),
        }
    }
}

/// Parse the clauses of `blanked` (the query with its term replaced by spaces).
pub fn parse<'s>(store: &'s Store, sosl: &str, blanked: &str) -> Result<Clauses<'s>, ApiError> {
    let tokens = tokenize(blanked).map_err(|e| malformed(sosl, e.pos, &e.message))?;
    let mut c = Cursor {
        tokens: &tokens,
        at: 0,
        sosl,
    };
    if !c.eat_word("FIND") {
        return Err(c.unexpected());
    }
    let scope = scope(&mut c)?;
    let mut returning = Vec::new();
    if c.eat_word("RETURNING") {
        loop {
            returning.push(returning_entry(store, &mut c)?);
            if !c.eat_sym(",") {
                break;
            }
        }
    } else {
        returning = store
            .objects
            .iter()
            .enumerate()
            .filter(|(_, o)| o.searchable)
            .map(|(obj, _)| Returning { obj, plan: None })
            .collect();
    }
    let limit = if c.eat_word("LIMIT") {
        Some(c.number()?.min(MAX_ROWS))
    } else {
        None
    };
    if c.peek().tok != Tok::Eof {
        return Err(c.unexpected());
    }
    Ok(Clauses {
        scope,
        returning,
        limit,
    })
}

fn scope(c: &mut Cursor<'_>) -> Result<Scope, ApiError> {
    if !c.eat_word("IN") {
        return Ok(Scope::All);
    }
    let scope = match c.word().as_deref() {
        Some("ALL" | "SIDEBAR") => Scope::All,
        Some("NAME") => Scope::Name,
        Some("EMAIL") => Scope::Email,
        Some("PHONE") => Scope::Phone,
        _ => return Err(c.unexpected()),
    };
    c.at += 1;
    if c.eat_word("FIELDS") {
        Ok(scope)
    } else {
        Err(c.unexpected())
    }
}

fn returning_entry<'s>(store: &'s Store, c: &mut Cursor<'_>) -> Result<Returning<'s>, ApiError> {
    let (name, pos) = c.ident()?;
    let obj = store.index(&name).ok_or_else(|| {
        let message = format!("sObject type '{name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.");
        ApiError::new(400, "INVALID_TYPE", &caret_message(c.sosl, pos, &message))
    })?;
    if !c.eat_sym("(") {
        return Ok(Returning { obj, plan: None });
    }
    let as_search_error = |e: QueryError| {
        let code = if e.code == "MALFORMED_QUERY" {
            "MALFORMED_SEARCH"
        } else {
            e.code
        };
        ApiError::new(400, code, &caret_message(c.sosl, e.pos, &e.message))
    };
    let (query, next) = parse_returning(c.tokens, c.at).map_err(as_search_error)?;
    let plan = compile_on(store, &query, obj).map_err(as_search_error)?;
    c.at = next;
    Ok(Returning {
        obj,
        plan: Some(plan),
    })
}
