//! Reading the data literals of code examples as JSON: JSON itself, JavaScript object
//! literals (`{USERS: [103, 547], TYPE: 'CHAT'}`) and PHP arrays
//! (`['USERS' => [103, 547]]`, `array('ID' => 5)`).
//!
//! Examples mix data with code: variables, calls, concatenations and placeholders
//! (`**put_id_here**`). A value that is not plain data is left out: an object drops the
//! member, a list with such an item is left out as a whole. Reading never fails on
//! malformed input; it reads what it can.

use serde_json::{Map, Number, Value};

/// The literal starting at `text` (after leading spaces and comments), if it is data,
/// and whether it was read whole (nothing in it left out for being code or a
/// placeholder).
pub fn parse_checked(text: &str) -> Option<(Value, bool)> {
    let mut reader = Reader {
        rest: text,
        complete: true,
    };
    let value = reader.value()?;
    Some((value, reader.complete))
}

/// The literal of the whole `text`, if it is data throughout: nothing left out, nothing
/// after it.
pub fn parse_complete(text: &str) -> Option<Value> {
    let mut reader = Reader {
        rest: text,
        complete: true,
    };
    let value = reader.value()?;
    reader.skip_space();
    (reader.complete && reader.rest.trim_end_matches(';').is_empty()).then_some(value)
}

/// The body of a `-d '…'` shell argument: the single-quoted parts, with whatever the shell
/// would substitute between them (`'"$(date -Iseconds)"'`) left out.
pub fn shell_single_quoted(arg: &str) -> String {
    let mut out = String::new();
    let (mut quoted, mut double, mut depth) = (true, false, 0usize);
    for c in arg.chars() {
        match c {
            '\'' if !double => quoted = !quoted,
            _ if quoted => out.push(c),
            '"' => double = !double,
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if c.is_whitespace() && !double && depth == 0 => break,
            _ => {}
        }
    }
    out
}

struct Reader<'a> {
    rest: &'a str,
    /// Whether nothing has been left out so far.
    complete: bool,
}

/// A value read: data, or something else that was skipped.
type Read = Option<Value>;

impl Reader<'_> {
    /// Skips spaces, comments and elisions (`...`, `…`, which stand for more members).
    fn skip_space(&mut self) {
        loop {
            let t = self.rest.trim_start();
            if let Some(r) = t.strip_prefix("...").or_else(|| t.strip_prefix('…')) {
                self.rest = r.trim_start().strip_prefix(',').unwrap_or(r);
            } else if let Some(r) = t.strip_prefix("//") {
                self.rest = r.find('\n').map_or("", |i| &r[i..]);
            } else if let Some(r) = t.strip_prefix("/*") {
                self.rest = r.find("*/").map_or("", |i| &r[i + 2..]);
            } else {
                self.rest = t;
                return;
            }
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_space();
        self.rest.chars().next()
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_space();
        match self.rest.strip_prefix(token) {
            Some(r) => {
                self.rest = r;
                true
            }
            None => false,
        }
    }

    /// A value, followed by anything up to the next separator at this level; a value
    /// followed by more than a separator is an expression and not data.
    fn value(&mut self) -> Read {
        let v = self.term();
        match self.peek() {
            None | Some(',' | '}' | ']' | ')' | ';') => v,
            _ if self.rest.starts_with("=>") => v,
            _ => {
                self.skip_expression();
                self.complete = false;
                None
            }
        }
    }

    fn term(&mut self) -> Read {
        let c = self.peek()?;
        if self.eat("array(") {
            return self.list(')');
        }
        match c {
            '{' => {
                self.rest = &self.rest[1..];
                self.object()
            }
            '[' => {
                self.rest = &self.rest[1..];
                self.list(']')
            }
            '\'' | '"' | '`' => self.string(c).map(Value::String),
            '-' | '0'..='9' => self.number(),
            _ => {
                let word = self.word();
                match word {
                    "true" | "TRUE" => Some(Value::Bool(true)),
                    "false" | "FALSE" => Some(Value::Bool(false)),
                    "null" | "NULL" => Some(Value::Null),
                    _ => None,
                }
            }
        }
    }

    fn word(&mut self) -> &str {
        let end = self
            .rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(self.rest.len());
        let (w, r) = self.rest.split_at(end);
        self.rest = r;
        w
    }

    /// Skips an expression up to the next separator outside brackets and strings.
    fn skip_expression(&mut self) {
        let mut depth = 0usize;
        while let Some(c) = self.rest.chars().next() {
            match c {
                '\'' | '"' | '`' => {
                    self.string(c);
                    continue;
                }
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' if depth == 0 => return,
                ')' | ']' | '}' => depth -= 1,
                ',' | ';' if depth == 0 => return,
                _ => {}
            }
            self.rest = &self.rest[c.len_utf8()..];
        }
    }

    fn string(&mut self, quote: char) -> Option<String> {
        let mut out = String::new();
        let mut chars = self.rest[1..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, 't')) => out.push('\t'),
                    Some((_, e)) => out.push(e),
                    None => break,
                },
                c if c == quote => {
                    self.rest = &self.rest[1 + i + 1..];
                    return Some(out);
                }
                c => out.push(c),
            }
        }
        self.rest = "";
        None
    }

    fn number(&mut self) -> Read {
        let end = self
            .rest
            .char_indices()
            .skip(1)
            .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
            .map_or(self.rest.len(), |(i, _)| i);
        let (text, r) = self.rest.split_at(end);
        self.rest = r;
        if let Ok(n) = text.parse::<i64>() {
            return Some(Value::Number(n.into()));
        }
        text.parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
    }

    /// A key: a string, a word or a number.
    fn key(&mut self) -> Option<String> {
        match self.peek()? {
            q @ ('\'' | '"') => self.string(q),
            _ => {
                let w = self.word();
                (!w.is_empty()).then(|| w.to_owned())
            }
        }
    }

    /// `{key: value, …}` after the `{`.
    fn object(&mut self) -> Read {
        let mut map = Map::new();
        loop {
            if self.eat("}") {
                return Some(Value::Object(map));
            }
            let key = self.key()?;
            if !(self.eat(":") || self.eat("=>")) {
                return None;
            }
            match self.value() {
                Some(v) => {
                    map.insert(key, v);
                }
                None => self.complete = false,
            }
            if !self.eat(",") && self.peek() != Some('}') {
                return None;
            }
        }
    }

    /// `[a, b]`, PHP's `['k' => v]` (an object) or `array(…)`, after the opening bracket.
    fn list(&mut self, close: char) -> Read {
        let close = close.to_string();
        let mut items = Vec::new();
        let mut keyed = Map::new();
        let mut complete = true;
        loop {
            if self.eat(&close) {
                break;
            }
            let item = self.value();
            if self.eat("=>") {
                let key = match item {
                    Some(Value::String(s)) => s,
                    Some(Value::Number(n)) => n.to_string(),
                    _ => return None,
                };
                match self.value() {
                    Some(v) => {
                        keyed.insert(key, v);
                    }
                    None => self.complete = false,
                }
            } else {
                match item {
                    Some(v) => items.push(v),
                    None => complete = false,
                }
            }
            if !self.eat(",") && !self.rest.trim_start().starts_with(close.as_str()) {
                return None;
            }
        }
        match (items.is_empty(), keyed.is_empty()) {
            (true, false) => Some(Value::Object(keyed)),
            (_, true) if complete => Some(Value::Array(items)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(text: &str) -> Option<Value> {
        parse_checked(text).map(|(value, _)| value)
    }

    #[test]
    fn reads_javascript_and_php_data() {
        let js = "{\n  USERS: [103, 547], // who\n  TYPE: 'CHAT',\n  'x-y': \"a\\\"b\",\n  \
            ok: true, price: -1.5,\n}";
        assert_eq!(
            parse(js),
            Some(
                json!({"USERS": [103, 547], "TYPE": "CHAT", "x-y": "a\"b", "ok": true, "price": -1.5})
            )
        );
        let php = "[\n 'USERS' => [103, 547],\n 'FIELDS' => array('NAME' => 'x', 'SORT' => 10),\n]";
        assert_eq!(
            parse(php),
            Some(json!({"USERS": [103, 547], "FIELDS": {"NAME": "x", "SORT": 10}}))
        );
        assert_eq!(
            parse(r#"{"a": {"b": [null]}}"#),
            Some(json!({"a": {"b": [null]}}))
        );
        let elided = "{\n  'de': 'Name',\n  'en': 'name',\n  ...\n}";
        assert_eq!(parse(elided), Some(json!({"de": "Name", "en": "name"})));
        assert_eq!(parse("['a', 'b', …]"), Some(json!(["a", "b"])));
        // An example reply eliding rows, with a comma left before the closing bracket;
        // brackets and quotes inside strings are text.
        let reply =
            "{\n  \"result\": [\n    {\"ID\": \"1\", \"NAME\": \"a, ]\\\" }\",},\n    ...\n  ],\n}";
        assert_eq!(
            parse_complete(reply),
            Some(json!({"result": [{"ID": "1", "NAME": "a, ]\" }"}]}))
        );
        // An elision may also stand inside a line; code in place of data is no reply.
        assert_eq!(parse_complete("{\"a\": 1 ... }"), Some(json!({"a": 1})));
        assert_eq!(parse_complete("{\"a\": count()}"), None);
    }

    #[test]
    fn code_and_placeholders_are_left_out() {
        let js = "{ id: taskId, at: new Date(), name: 'a' + b, list: [x, 1], n: 5, \
            s: **put_here**, t: 'ok' }";
        assert_eq!(parse_checked(js), Some((json!({"n": 5, "t": "ok"}), false)));
        assert_eq!(parse_checked("{n: 5}"), Some((json!({"n": 5}), true)));
        assert_eq!(parse("someCall(1)"), None);
        assert_eq!(parse("{ unclosed: [1, 2"), None);
        assert_eq!(parse(""), None);
        assert_eq!(
            parse_complete("{remove: 'Y'}"),
            Some(json!({"remove": "Y"}))
        );
        assert_eq!(parse_complete("{fileData: [value1, value2]}"), None);
        assert_eq!(parse_complete("{a: 1} and more"), None);
        // An item of a list is not the list.
        assert_eq!(parse_complete("{a: 1},"), None);
    }

    #[test]
    fn shell_arguments_lose_their_substitutions() {
        assert_eq!(
            shell_single_quoted(r#"{"d":"'"$(date -I)"'","n":1}' \"#),
            r#"{"d":"","n":1}"#
        );
        assert_eq!(shell_single_quoted(r#"{"a":1}'"#), r#"{"a":1}"#);
    }
}
