//! Showing data to a person or a model. A record name, a field value, a model's new value or a
//! Salesforce message can hold anything, so none of it reaches text raw: control characters
//! (C0 with newline, carriage return, tab, ESC and BEL; DEL; C1), bidirectional overrides and
//! isolates, and line and paragraph separators are written as visible escapes (`\n`, `\u{1b}`),
//! never interpreted; a newline in data cannot start a line of its own, and a terminal never
//! receives an escape sequence from data. Long values are cut, with their length shown.
//!
//! One implementation ([`escape_into`]) behind every entry point: [`quoted`] for values,
//! [`escaped`] for text that is not a value (a label, a whole message), and [`json`] for JSON
//! text that keeps its values but must not carry those characters raw either.

use std::fmt::Write as _;

/// Longest text shown in full, in characters; longer text is cut and its length shown.
pub const MAX_CHARS: usize = 1000;

/// True for a character that must never reach a person or a model raw: every control
/// character (C0, DEL, C1), the bidirectional marks, embeddings, overrides and isolates, and
/// the line and paragraph separators.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// Appends `text` to `out` with hidden characters, backslashes and (when `quote`) double
/// quotes escaped, cut after `max_chars` characters with the full length shown.
fn escape_into(out: &mut String, text: &str, max_chars: usize, quote: bool) {
    if quote {
        out.push('"');
    }
    let mut shown = 0usize;
    for c in text.chars() {
        if shown == max_chars {
            break;
        }
        shown += 1;
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\\' => out.push_str("\\\\"),
            '"' if quote => out.push_str("\\\""),
            c if is_hidden(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    let total = if shown == max_chars {
        text.chars().count()
    } else {
        shown
    };
    if total > shown {
        out.push('…');
    }
    if quote {
        out.push('"');
    }
    if total > shown {
        let _ = write!(out, " ({} chars)", thousands(total));
    }
}

/// `1234567` as `1,234,567`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// A value as shown: in double quotes, escaped, cut after [`MAX_CHARS`] with its length shown
/// (`"Acme\nSYSTEM…" (1,234 chars)`).
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    escape_into(&mut out, text, MAX_CHARS, true);
    out
}

/// Text that is not a value (a label, a whole message), escaped like [`quoted`] but without
/// the quotes.
pub fn escaped(text: &str) -> String {
    escaped_within(text, MAX_CHARS)
}

/// [`escaped`], cut after `max_chars` characters: a piece of input quoted in an error message.
pub fn escaped_within(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    escape_into(&mut out, text, max_chars, false);
    out
}

/// A JSON value as shown: `null` is `(empty)`, a string is [`quoted`], anything else is
/// compact JSON text ([`json`]).
pub fn value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "(empty)".to_owned(),
        serde_json::Value::String(s) => quoted(s),
        other => json(&other.to_string()),
    }
}

/// JSON text (as `serde_json` writes it) with every hidden character inside its strings
/// written as a `\uXXXX` escape: the same values, and nothing a terminal would interpret.
/// `serde_json` escapes C0 controls already, so a raw newline or tab left here is layout.
pub fn json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_hidden(c) && !matches!(c, '\n' | '\r' | '\t') {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible_escapes() {
        let shown = quoted("a\nb\r\tc\u{1b}[2K\u{7}\u{7f}\u{9b}1A\\\"");
        assert_eq!(shown, r#""a\nb\r\tc\u{1b}[2K\u{7}\u{7f}\u{9b}1A\\\"""#);
    }

    #[test]
    fn bidi_controls_and_separators_become_escapes() {
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{2028}', '\u{2029}',
        ] {
            let shown = escaped(&format!("x{c}y"));
            assert_eq!(shown, format!("x\\u{{{:x}}}y", u32::from(c)));
        }
    }

    #[test]
    fn no_shown_text_holds_a_hidden_character() {
        let all: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        for shown in [quoted(&all), escaped(&all)] {
            assert!(!shown.chars().any(is_hidden), "{shown}");
        }
        let value = serde_json::json!({"Name": all});
        assert!(!json(&value.to_string()).chars().any(is_hidden));
    }

    #[test]
    fn ordinary_text_is_kept() {
        assert_eq!(
            quoted("José Müller, 東京 (+1 555)"),
            "\"José Müller, 東京 (+1 555)\""
        );
        assert_eq!(escaped("हिन्दी"), "हिन्दी");
    }

    #[test]
    fn long_values_are_cut_with_their_length() {
        let long = "x".repeat(1234);
        let shown = quoted(&long);
        assert!(shown.ends_with("…\" (1,234 chars)"), "{shown}");
        assert_eq!(shown.chars().filter(|c| *c == 'x').count(), MAX_CHARS);
        assert_eq!(quoted(&"y".repeat(MAX_CHARS)).len(), MAX_CHARS + 2);
        assert!(escaped(&long).ends_with("… (1,234 chars)"));
    }

    #[test]
    fn json_keeps_its_values_and_escapes_the_rest() {
        let value = serde_json::json!({"Phone": "1\u{1b}[1A\u{9b}2\u{202e}"});
        let text = json(&serde_json::to_string_pretty(&value).unwrap());
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
        assert!(
            text.contains("\\u009b") && text.contains("\\u202e"),
            "{text}"
        );
    }
}
