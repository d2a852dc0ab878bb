//! SOQL tokenizer: identifiers, string/number/date literals and punctuation, each with its
//! 1-based row and column (for Salesforce's caret error messages).

use crate::simulated_org::data::matching::Pat;

/// Where a token starts: 1-based row and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    /// Line, from 1.
    pub row: usize,
    /// Column, from 1.
    pub col: usize,
}

/// A token's kind and value.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// Identifier or keyword (`SELECT`, `Account`, `LAST_N_DAYS`).
    Ident(String),
    /// Quoted string: its value and its meaning as a LIKE pattern.
    Str(String, Vec<Pat>),
    /// Number as written.
    Num(String),
    /// `2026-01-15`.
    Date(String),
    /// `2026-01-15T10:00:00Z` or with an offset.
    DateTime(String),
    /// Punctuation or operator: `, ( ) . : = != <> < > <= >=`.
    Sym(&'static str),
    /// End of input.
    Eof,
}

/// A token with its position and the text it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// Kind and value.
    pub tok: Tok,
    /// Where it starts.
    pub pos: Pos,
    /// Source text (for `unexpected token: '...'`).
    pub text: String,
}

/// A lexing failure: where, and Salesforce's message.
#[derive(Debug, Clone, PartialEq)]
pub struct LexError {
    /// Where.
    pub pos: Pos,
    /// Message after the caret lines.
    pub message: String,
}

const SYMBOLS: &[&str] = &[
    "!=", "<>", "<=", ">=", ",", "(", ")", ".", ":", "=", "<", ">",
];

/// Split a query into tokens, ending with [`Tok::Eof`].
pub fn tokenize(src: &str) -> Result<Vec<Token>, LexError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut row, mut line_start) = (0usize, 1usize, 0usize);
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            row += 1;
            line_start = i + 1;
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let pos = Pos {
            row,
            col: i - line_start + 1,
        };
        let (tok, end) = lex_one(&chars, i, pos)?;
        out.push(Token {
            tok,
            pos,
            text: chars[i..end].iter().collect(),
        });
        i = end;
    }
    let pos = Pos {
        row,
        col: chars.len() - line_start + 1,
    };
    out.push(Token {
        tok: Tok::Eof,
        pos,
        text: "<EOF>".into(),
    });
    Ok(out)
}

fn lex_one(chars: &[char], i: usize, pos: Pos) -> Result<(Tok, usize), LexError> {
    let c = chars[i];
    if c == '\'' {
        return lex_string(chars, i, pos);
    }
    let signed = (c == '-' || c == '+') && chars.get(i + 1).is_some_and(char::is_ascii_digit);
    if c.is_ascii_digit() || signed {
        return Ok(lex_number_or_date(chars, i));
    }
    if c.is_alphabetic() || c == '_' {
        let end = scan(chars, i, |c| c.is_alphanumeric() || c == '_');
        return Ok((Tok::Ident(chars[i..end].iter().collect()), end));
    }
    for sym in SYMBOLS {
        let n = sym.chars().count();
        if chars.len() >= i + n && chars[i..i + n].iter().copied().eq(sym.chars()) {
            return Ok((Tok::Sym(sym), i + n));
        }
    }
    Err(LexError {
        pos,
        message: format!(
            "line {}:{} no viable alternative at character '{c}'",
            pos.row,
            pos.col - 1
        ),
    })
}

fn scan(chars: &[char], mut i: usize, keep: impl Fn(char) -> bool) -> usize {
    while i < chars.len() && keep(chars[i]) {
        i += 1;
    }
    i
}

fn lex_number_or_date(chars: &[char], start: usize) -> (Tok, usize) {
    let digits = scan(chars, start + 1, |c| c.is_ascii_digit());
    let text = |end: usize| chars[start..end].iter().collect::<String>();
    let is_date = digits - start == 4
        && chars.get(digits) == Some(&'-')
        && scan(chars, digits + 1, |c| c.is_ascii_digit()) == digits + 3
        && chars.get(digits + 3) == Some(&'-')
        && scan(chars, digits + 4, |c| c.is_ascii_digit()) == digits + 6;
    if is_date {
        let date_end = digits + 6;
        if chars.get(date_end) == Some(&'T') {
            let end = scan(chars, date_end + 1, |c| {
                c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '+' | '-')
            });
            return (Tok::DateTime(text(end)), end);
        }
        return (Tok::Date(text(date_end)), date_end);
    }
    let mut end = digits;
    if chars.get(end) == Some(&'.') && chars.get(end + 1).is_some_and(char::is_ascii_digit) {
        end = scan(chars, end + 1, |c| c.is_ascii_digit());
    }
    (Tok::Num(text(end)), end)
}

fn lex_string(chars: &[char], start: usize, pos: Pos) -> Result<(Tok, usize), LexError> {
    let (mut value, mut pattern) = (String::new(), Vec::new());
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '\'' => return Ok((Tok::Str(value, pattern), i + 1)),
            '\\' => {
                let (decoded, used) = unescape(chars, i, pos)?;
                // An escaped `%` or `_` is a literal character in a LIKE pattern.
                value.push(decoded);
                pattern.push(Pat::Lit(decoded));
                i += used;
            }
            '%' => {
                value.push('%');
                pattern.push(Pat::Any);
                i += 1;
            }
            '_' => {
                value.push('_');
                pattern.push(Pat::One);
                i += 1;
            }
            c => {
                value.push(c);
                pattern.push(Pat::Lit(c));
                i += 1;
            }
        }
    }
    let end = Pos {
        row: pos.row,
        col: pos.col + (chars.len() - start),
    };
    Err(LexError {
        pos: end,
        message: format!(
            "line {}:{} mismatched character '<EOF>' expecting '''",
            end.row,
            end.col - 1
        ),
    })
}

fn unescape(chars: &[char], i: usize, pos: Pos) -> Result<(char, usize), LexError> {
    let next = chars.get(i + 1).copied().unwrap_or(' ');
    let decoded = match next {
        'n' | 'N' => '\n',
        'r' | 'R' => '\r',
        't' | 'T' => '\t',
        'b' | 'B' => '\u{8}',
        'f' | 'F' => '\u{c}',
        '"' | '\'' | '\\' | '%' | '_' => next,
        'u' => {
            let hex: String = chars.iter().skip(i + 2).take(4).collect();
            let code = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
            return code.map(|c| (c, 6)).ok_or_else(|| illegal(chars, i, pos));
        }
        _ => return Err(illegal(chars, i, pos)),
    };
    Ok((decoded, 2))
}

fn illegal(chars: &[char], i: usize, pos: Pos) -> LexError {
    let seq: String = chars.iter().skip(i).take(2).collect();
    LexError {
        pos,
        message: format!(
            "Invalid string literal. Illegal character sequence '{seq}' in string literal."
        ),
    }
}
