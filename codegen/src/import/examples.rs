//! The examples of a method page: its request examples, as JSON objects of parameters (the
//! body of the cURL call, webhook or OAuth with the OAuth token left out, then the
//! arguments of every call of the method in the other languages:
//! `BX24.callMethod('m', {…})`, `CRest::call('m', […])`,
//! `call.make({method: 'm', params: {…}})`), the example values a parameter's
//! description writes (`in the format \`{"timestamp": "1723446900"}\``).

use serde_json::{Map, Value};

use super::corpus::Page;
use super::literal;
use super::yfm::Block;

/// The parameters of one example call.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The parameters read.
    pub params: Map<String, Value>,
    /// Whether every parameter was read: none left out for being code or a placeholder
    /// (`"attachId": **put_attach_id**`).
    pub whole: bool,
}

/// The parameters of each example call of `method` on the page, the cURL body first.
pub fn requests(page: &Page, method: &str) -> Vec<Request> {
    let codes = page.blocks.iter().filter_map(|b| match b {
        Block::Code(code) => Some(code),
        _ => None,
    });
    let (curl, other): (Vec<_>, Vec<_>) = codes.partition(|c| is_curl(&c.lang, &c.text));
    let bodies = curl.iter().filter_map(|c| curl_body(&c.text));
    let calls = other.iter().flat_map(|c| call_arguments(&c.text, method));
    bodies
        .chain(calls)
        .filter_map(|(v, whole)| match v {
            Value::Object(mut params) => {
                let whole = !drop_placeholders(&mut params) && whole;
                Some(Request { params, whole })
            }
            _ => None,
        })
        .collect()
}

/// Leaves out members whose value is a quoted stand-in for what the reader fills in
/// (`"**put_id_here**"`, `'your_id_here'`), at any depth; whether there were any.
fn drop_placeholders(members: &mut Map<String, Value>) -> bool {
    let before = members.len();
    members.retain(|_, v| !v.as_str().is_some_and(is_placeholder));
    let mut dropped = members.len() < before;
    for value in members.values_mut() {
        if let Value::Object(nested) = value {
            dropped |= drop_placeholders(nested);
        }
    }
    dropped
}

/// `**put_id_here**`, `your_id_here`: a snake-case name in bold stars or about "here".
fn is_placeholder(text: &str) -> bool {
    let inner = text
        .strip_prefix("**")
        .and_then(|t| t.strip_suffix("**"))
        .unwrap_or(text);
    let snake = !inner.is_empty()
        && inner
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    snake && (inner.len() < text.len() || inner.contains("_here"))
}

fn is_curl(lang: &str, text: &str) -> bool {
    lang.starts_with("curl") || lang == "bash" && text.trim_start().starts_with("curl")
}

/// The JSON body of a cURL call (`-d '{…}'`), without the `auth` member, and whether it
/// was read whole.
fn curl_body(text: &str) -> Option<(Value, bool)> {
    let at = text.find("-d '")?;
    let body = literal::shell_single_quoted(&text[at + 4..]);
    let (mut value, whole) = literal::parse_checked(&body)?;
    if let Value::Object(map) = &mut value {
        map.remove("auth");
    }
    Some((value, whole))
}

/// The data passed to each call of `method` in a code example (the argument after the
/// quoted method name, or the `params` member of the object naming the method), and
/// whether it was read whole.
fn call_arguments(text: &str, method: &str) -> Vec<(Value, bool)> {
    let quoted = [format!("'{method}'"), format!("\"{method}\"")];
    let mut out = Vec::new();
    for q in &quoted {
        for (at, _) in text.match_indices(q.as_str()) {
            let after = &text[at + q.len()..];
            let trimmed = after.trim_start();
            let value = trimmed
                .strip_prefix(',')
                .and_then(literal::parse_checked)
                .or_else(|| params_member(trimmed));
            out.extend(value);
        }
    }
    out
}

/// The value of a `params:` member that follows the method name in the same object.
fn params_member(after: &str) -> Option<(Value, bool)> {
    let end = after
        .char_indices()
        .nth(200)
        .map_or(after.len(), |(i, _)| i);
    let window = &after[..end];
    let key = window.find("params")?;
    let rest = after[key + "params".len()..].trim_start_matches(['\'', '"']);
    let rest = rest.trim_start();
    let rest = rest.strip_prefix(':').or_else(|| rest.strip_prefix("=>"))?;
    literal::parse_checked(rest)
}

/// The example values of field `name` its description writes, in code spans or blocks
/// (`'NAME': {'de': '…', 'en': '…'}` gives the object). None when one of the literals is
/// not all data (`{fileData: [value1, value2]}`): the others may then show only a variant
/// of the value.
pub fn in_description(name: &str, description: &str) -> Vec<Value> {
    let mut values = Vec::new();
    for snippet in code_snippets(description) {
        let snippet = snippet.trim();
        if !snippet.starts_with(['{', '[', '\'', '"']) {
            continue;
        }
        // `'NAME': {…},` is the value under the field's name.
        let member = || {
            let wrapped = format!("{{{}}}", snippet.trim_end_matches(','));
            match literal::parse_complete(&wrapped)? {
                Value::Object(map) if map.len() == 1 => {
                    let (key, inner) = map.into_iter().next()?;
                    key.eq_ignore_ascii_case(name).then_some(inner)
                }
                _ => None,
            }
        };
        match literal::parse_complete(snippet).filter(|v| !v.is_string()) {
            Some(value) => values.push(value),
            None => match member() {
                Some(value) => values.push(value),
                None if snippet.starts_with(['{', '[']) => return Vec::new(),
                None => {}
            },
        }
    }
    // Examples of different kinds (an object and a list) leave the type open.
    let kinds = |v: &Value| std::mem::discriminant(v);
    match values.first() {
        Some(first) if values.iter().all(|v| kinds(v) == kinds(first)) => values,
        _ => Vec::new(),
    }
}

/// The contents of the fenced blocks (without their info line) and inline code spans of
/// a description.
fn code_snippets(description: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, part) in description.split("```").enumerate() {
        if i % 2 == 1 {
            let body = match part.split_once('\n') {
                Some((info, body)) if !info.contains(['{', '[']) => body,
                _ => part,
            };
            out.push(body.to_owned());
        } else {
            out.extend(part.split('`').skip(1).step_by(2).map(str::to_owned));
        }
    }
    out
}

#[cfg(test)]
mod tests {

    use super::*;
    use serde_json::json;

    const PAGE: &str = "# Add x.add\n\n\
        ```bash\ncurl -X POST \\\n  -d '{\"ids\":[1,2],\"at\":\"'\"$(date -I)\"'\",\"auth\":\"**put_access_token_here**\"}' \\\n  https://x/rest/x.add\n```\n\n\
        ```js\nBX24.callMethod(\n  'x.add',\n  { ids: [1, 2], names: ['a'] },\n  function(r) {}\n);\n```\n\n\
        ```ts\nawait $b24.actions.v2.call.make({\n  method: 'x.add',\n  params: { tags: { a: 'b' } },\n})\n```\n\n\
        ```php\n$r = CRest::call('x.add', ['flags' => [true]]);\n$o = CRest::call('x.other', ['no' => 1]);\n```\n\n\
        ```js\nBX24.callMethod('x.add', { id: **put_id_here**, name: 'n' });\n```\n\n\
        ```js\nBX24.callMethod('x.add', { id: '**put_id_here**', to: {u: 'your_user_here'}, at: 'at **now**' });\n```\n";

    #[test]
    fn descriptions_give_values_of_their_field() {
        let name = "Name: string or\n\n```js\n'NAME': {\n    'de': 'Aktion',\n    'en': 'action',\n    ...\n},\n```\n";
        assert_eq!(
            in_description("NAME", name),
            [json!({"de": "Aktion", "en": "action"})]
        );
        let time =
            "In the format `{\"timestamp\": \"1723446900\", \"timezone\": \"Europe/Berlin\"}`";
        assert_eq!(
            in_description("from", time),
            [json!({"timestamp": "1723446900", "timezone": "Europe/Berlin"})]
        );
        let picture = "Object `{fileData: [value1, value2]}`; to delete, `{remove: 'Y'}`";
        assert!(in_description("picture", picture).is_empty());
        assert!(in_description("x", "Values `Y`, `N`, `5`").is_empty());
        // A member of the value, or an item of a list, is not the value.
        assert!(in_description("MEMBERS", "Values: `'TYPE': 'A'`").is_empty());
        assert!(in_description("add", "```\n{\"name\": \"x\"},\n```").is_empty());
        let mixed = "As `{\"user\": \"3\"}`, for example\n```js\n[['user', '3']]\n```";
        assert!(in_description("creators", mixed).is_empty());
    }

    #[test]
    fn every_language_gives_its_call() {
        let page = Page::new("x.md".to_owned(), PAGE);
        let found: Vec<Value> = requests(&page, "x.add")
            .into_iter()
            .map(|r| Value::Object(r.params))
            .collect();
        assert_eq!(
            found,
            [
                json!({"ids": [1, 2], "at": ""}),
                json!({"ids": [1, 2], "names": ["a"]}),
                json!({"tags": {"a": "b"}}),
                json!({"flags": [true]}),
                json!({"name": "n"}),
                json!({"to": {}, "at": "at **now**"}),
            ]
        );
        let whole: Vec<bool> = requests(&page, "x.add").iter().map(|r| r.whole).collect();
        assert_eq!(
            whole,
            [true, true, true, true, false, false],
            "placeholders are left out"
        );
    }
}
