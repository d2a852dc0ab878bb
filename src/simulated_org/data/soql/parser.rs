//! Recursive-descent SOQL parser over the token stream.

use super::QueryError;
use super::ast::{Cond, Literal, Op, OrderKey, Path, Query, SelectItem};
use super::lexer::{Pos, Tok, Token};

const RESERVED: &[&str] = &[
    "SELECT", "FROM", "WHERE", "ORDER", "BY", "LIMIT", "OFFSET", "AND", "OR", "NOT", "IN", "LIKE",
    "NULL", "TRUE", "FALSE", "GROUP", "HAVING", "WITH", "FOR", "INCLUDES", "EXCLUDES", "UPDATE",
];
const DATE_KEYWORDS: &[&str] = &["TODAY", "YESTERDAY", "TOMORROW", "THIS_MONTH", "THIS_YEAR"];
const DATE_N_KEYWORDS: &[&str] = &["LAST_N_DAYS", "NEXT_N_DAYS"];

/// Parse a token stream into a query.
pub fn parse(tokens: &[Token]) -> Result<Query, QueryError> {
    let mut p = Parser { tokens, at: 0 };
    let query = p.query()?;
    p.trailing_clauses()?;
    p.expect_eof()?;
    Ok(query)
}

/// Parse a SOSL `RETURNING Obj(...)` body starting just after its `(`: fields, then optional
/// WHERE, ORDER BY, LIMIT and OFFSET, up to the closing `)`. Returns the query (with an empty
/// `from`) and the index of the token after `)`.
pub fn parse_returning(tokens: &[Token], at: usize) -> Result<(Query, usize), QueryError> {
    let mut p = Parser { tokens, at };
    let mut select = Vec::new();
    if !(p.is_kw("WHERE") || p.is_kw("ORDER") || p.is_kw("LIMIT") || p.is_kw("OFFSET")) {
        select.push(p.select_item()?);
        while p.eat_sym(",") {
            select.push(p.select_item()?);
        }
    }
    let filter = if p.eat_kw("WHERE") {
        Some(p.condition()?)
    } else {
        None
    };
    let order = if p.eat_kw("ORDER") {
        p.order_by()?
    } else {
        Vec::new()
    };
    let limit = if p.eat_kw("LIMIT") {
        Some(p.integer()?.0)
    } else {
        None
    };
    let offset = if p.eat_kw("OFFSET") {
        Some(p.integer()?)
    } else {
        None
    };
    p.expect_sym(")")?;
    let from_pos = tokens.get(at).map_or(Pos { row: 1, col: 1 }, |t| t.pos);
    let query = Query {
        select,
        from: String::new(),
        from_pos,
        filter,
        order,
        limit,
        offset,
    };
    Ok((query, p.at))
}

struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        let last = self.tokens.len().saturating_sub(1);
        &self.tokens[self.at.min(last)]
    }
    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        self.at += 1;
        t
    }
    fn unexpected(&self) -> QueryError {
        let t = self.peek();
        QueryError::malformed(t.pos, format!("unexpected token: '{}'", t.text))
    }
    fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.peek().tok, Tok::Ident(s) if s.eq_ignore_ascii_case(kw))
    }
    fn eat_kw(&mut self, kw: &str) -> bool {
        let hit = self.is_kw(kw);
        if hit {
            self.at += 1;
        }
        hit
    }
    fn expect_kw(&mut self, kw: &str) -> Result<(), QueryError> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }
    fn eat_sym(&mut self, sym: &str) -> bool {
        let hit = matches!(self.peek().tok, Tok::Sym(s) if s == sym);
        if hit {
            self.at += 1;
        }
        hit
    }
    fn expect_sym(&mut self, sym: &str) -> Result<(), QueryError> {
        if self.eat_sym(sym) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }
    fn expect_eof(&self) -> Result<(), QueryError> {
        if self.peek().tok == Tok::Eof {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn ident(&mut self) -> Result<(String, Pos), QueryError> {
        match &self.peek().tok {
            Tok::Ident(s) if !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s)) => {
                let t = self.bump();
                Ok((s_of(&t), t.pos))
            }
            _ => Err(self.unexpected()),
        }
    }

    fn path(&mut self) -> Result<Path, QueryError> {
        let (first, pos) = self.ident()?;
        let mut parts = vec![first];
        while self.eat_sym(".") {
            parts.push(self.ident()?.0);
        }
        Ok(Path { parts, pos })
    }

    fn query(&mut self) -> Result<Query, QueryError> {
        self.expect_kw("SELECT")?;
        let mut select = vec![self.select_item()?];
        while self.eat_sym(",") {
            select.push(self.select_item()?);
        }
        self.expect_kw("FROM")?;
        let (from, from_pos) = self.ident()?;
        let filter = if self.eat_kw("WHERE") {
            Some(self.condition()?)
        } else {
            None
        };
        let order = if self.eat_kw("ORDER") {
            self.order_by()?
        } else {
            Vec::new()
        };
        let limit = if self.eat_kw("LIMIT") {
            Some(self.integer()?.0)
        } else {
            None
        };
        let offset = if self.eat_kw("OFFSET") {
            Some(self.integer()?)
        } else {
            None
        };
        Ok(Query {
            select,
            from,
            from_pos,
            filter,
            order,
            limit,
            offset,
        })
    }

    fn select_item(&mut self) -> Result<SelectItem, QueryError> {
        if self.eat_sym("(") {
            let child = self.query()?;
            self.expect_sym(")")?;
            return Ok(SelectItem::Child(Box::new(child)));
        }
        if self.is_kw("COUNT")
            && self
                .tokens
                .get(self.at + 1)
                .is_some_and(|t| t.tok == Tok::Sym("("))
        {
            let pos = self.bump().pos;
            self.expect_sym("(")?;
            if self.eat_sym(")") {
                return Ok(SelectItem::CountRows(pos));
            }
            let path = self.path()?;
            self.expect_sym(")")?;
            let alias = match &self.peek().tok {
                Tok::Ident(s) if !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s)) => {
                    Some(s_of(&self.bump()))
                }
                _ => None,
            };
            return Ok(SelectItem::Count { path, alias });
        }
        let path = self.path()?;
        if let Tok::Ident(s) = &self.peek().tok
            && !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s))
        {
            let pos = self.peek().pos;
            return Err(QueryError::malformed(
                pos,
                "only aggregate expressions use field aliasing".into(),
            ));
        }
        Ok(SelectItem::Field(path))
    }

    fn integer(&mut self) -> Result<(usize, Pos), QueryError> {
        let t = self.peek().clone();
        match &t.tok {
            Tok::Num(n) => match n.parse::<usize>() {
                Ok(v) => {
                    self.at += 1;
                    Ok((v, t.pos))
                }
                Err(_) => Err(self.unexpected()),
            },
            _ => Err(self.unexpected()),
        }
    }

    fn order_by(&mut self) -> Result<Vec<OrderKey>, QueryError> {
        self.expect_kw("BY")?;
        let mut keys = Vec::new();
        loop {
            let path = self.path()?;
            let descending = self.eat_kw("DESC");
            if !descending {
                self.eat_kw("ASC");
            }
            let mut nulls_first = !descending;
            if self.eat_kw("NULLS") {
                nulls_first = if self.eat_kw("FIRST") {
                    true
                } else {
                    self.expect_kw("LAST")?;
                    false
                };
            }
            keys.push(OrderKey {
                path,
                descending,
                nulls_first,
            });
            if !self.eat_sym(",") {
                return Ok(keys);
            }
        }
    }

    /// `FOR VIEW|REFERENCE|UPDATE` and `UPDATE TRACKING|VIEWSTAT` are accepted and ignored.
    fn trailing_clauses(&mut self) -> Result<(), QueryError> {
        if self.eat_kw("FOR") {
            if !(self.eat_kw("VIEW") || self.eat_kw("REFERENCE") || self.eat_kw("UPDATE")) {
                return Err(self.unexpected());
            }
        } else if self.eat_kw("UPDATE") && !(self.eat_kw("TRACKING") || self.eat_kw("VIEWSTAT")) {
            return Err(self.unexpected());
        }
        Ok(())
    }

    // SOQL refuses to mix AND and OR at one level without parentheses.
    fn condition(&mut self) -> Result<Cond, QueryError> {
        let first = self.unary()?;
        let joiner = if self.is_kw("AND") {
            "AND"
        } else if self.is_kw("OR") {
            "OR"
        } else {
            return Ok(first);
        };
        let mut parts = vec![first];
        while self.eat_kw(joiner) {
            parts.push(self.unary()?);
        }
        if self.is_kw("AND") || self.is_kw("OR") {
            return Err(self.unexpected());
        }
        Ok(if joiner == "AND" {
            Cond::And(parts)
        } else {
            Cond::Or(parts)
        })
    }

    fn unary(&mut self) -> Result<Cond, QueryError> {
        if self.eat_kw("NOT") {
            return Ok(Cond::Not(Box::new(self.unary()?)));
        }
        if self.eat_sym("(") {
            let inner = self.condition()?;
            self.expect_sym(")")?;
            return Ok(inner);
        }
        self.simple()
    }

    fn simple(&mut self) -> Result<Cond, QueryError> {
        let path = self.path()?;
        let negated = self.eat_kw("NOT");
        if self.eat_kw("IN") {
            self.expect_sym("(")?;
            let mut values = vec![self.literal()?];
            while self.eat_sym(",") {
                values.push(self.literal()?);
            }
            self.expect_sym(")")?;
            return Ok(Cond::In {
                path,
                negated,
                values,
            });
        }
        if negated {
            return Err(self.unexpected());
        }
        let op = self.operator()?;
        let (value, value_pos) = self.literal()?;
        Ok(Cond::Cmp {
            path,
            op,
            value,
            value_pos,
        })
    }

    fn operator(&mut self) -> Result<Op, QueryError> {
        if self.eat_kw("LIKE") {
            return Ok(Op::Like);
        }
        let op = match self.peek().tok {
            Tok::Sym("=") => Op::Eq,
            Tok::Sym("!=") | Tok::Sym("<>") => Op::Ne,
            Tok::Sym("<") => Op::Lt,
            Tok::Sym(">") => Op::Gt,
            Tok::Sym("<=") => Op::Le,
            Tok::Sym(">=") => Op::Ge,
            _ => return Err(self.unexpected()),
        };
        self.at += 1;
        Ok(op)
    }

    fn literal(&mut self) -> Result<(Literal, Pos), QueryError> {
        let t = self.peek().clone();
        let lit = match &t.tok {
            Tok::Str(v, p) => Literal::Str(v.clone(), p.clone()),
            Tok::Num(n) => Literal::Num(n.parse().map_err(|_| self.unexpected())?),
            Tok::Date(d) => Literal::Date(d.clone()),
            Tok::DateTime(d) => Literal::DateTime(d.clone()),
            Tok::Ident(s) => return self.word_literal(s, t.pos),
            _ => return Err(self.unexpected()),
        };
        self.at += 1;
        Ok((lit, t.pos))
    }

    fn word_literal(&mut self, word: &str, pos: Pos) -> Result<(Literal, Pos), QueryError> {
        let upper = word.to_ascii_uppercase();
        let lit = match upper.as_str() {
            "TRUE" => Literal::Bool(true),
            "FALSE" => Literal::Bool(false),
            "NULL" => Literal::Null,
            w if DATE_KEYWORDS.contains(&w) => Literal::DateKeyword(upper.clone(), None),
            w if DATE_N_KEYWORDS.contains(&w) => {
                self.at += 1;
                self.expect_sym(":")?;
                let (n, _) = self.integer()?;
                return Ok((Literal::DateKeyword(upper, Some(n as i64)), pos));
            }
            _ => return Err(self.unexpected()),
        };
        self.at += 1;
        Ok((lit, pos))
    }
}

fn s_of(t: &Token) -> String {
    match &t.tok {
        Tok::Ident(s) => s.clone(),
        _ => t.text.clone(),
    }
}
