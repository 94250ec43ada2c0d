//! PHP's view of request parameters and of JSON arrays.
//!
//! A form body `a[b][c]=1&list[]=x&list[]=y` is a nested PHP array, and PHP's
//! `json_encode` writes an array with keys `0..n` as a JSON list, an empty array as `[]`,
//! and any other array as an object. The portal parses and answers the same way.

use serde_json::{Map, Value};

/// Parses a form-encoded body or query string with PHP-style keys into a JSON object.
/// Every value is a string, as PHP sees it; arrays with keys `0..n` become lists.
pub(crate) fn parse_form(input: &[u8]) -> Map<String, Value> {
    let mut root = Map::new();
    for (key, value) in form_urlencoded::parse(input) {
        let (name, path) = split_key(&key);
        if name.is_empty() {
            continue;
        }
        insert(&mut root, name, &path, Value::String(value.into_owned()));
    }
    root.into_iter()
        .map(|(key, value)| (key, listify(value)))
        .collect()
}

/// The keys of an object parameter in the order the request gave them, which PHP keeps
/// and a JSON map does not: the entries of `name[...]` in a form, or of `"name": {...}` in
/// a JSON body.
pub(crate) fn key_order(body: &[u8], is_json: bool, name: &str) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    if is_json {
        if let Ok(ordered) = serde_json::from_slice::<OrderedObject>(body) {
            for (key, value) in ordered.0 {
                if key == name
                    && let Ok(inner) = serde_json::from_str::<OrderedObject>(value.get())
                {
                    keys = inner.0.into_iter().map(|(key, _)| key).collect();
                }
            }
        }
        return keys;
    }
    for (key, _) in form_urlencoded::parse(body) {
        let (first, path) = split_key(&key);
        if first == name
            && let Some(Some(inner)) = path.first()
            && !keys.iter().any(|known| known == inner)
        {
            keys.push(inner.clone());
        }
    }
    keys
}

/// A JSON object read as its entries in order.
struct OrderedObject(Vec<(String, Box<serde_json::value::RawValue>)>);

impl<'de> serde::Deserialize<'de> for OrderedObject {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries;

        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = OrderedObject;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }

            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<OrderedObject, M::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(OrderedObject(entries))
            }
        }

        d.deserialize_map(Entries)
    }
}

/// Splits `a[b][][c]` into `a` and `[Some("b"), None, Some("c")]` (`None` for `[]`).
/// A key whose brackets do not close is a plain name, as in PHP.
fn split_key(key: &str) -> (&str, Vec<Option<String>>) {
    let Some(open) = key.find('[') else {
        return (key, Vec::new());
    };
    let (name, mut rest) = key.split_at(open);
    let mut path = Vec::new();
    while let Some(inner) = rest.strip_prefix('[') {
        let Some(close) = inner.find(']') else { break };
        let segment = &inner[..close];
        path.push((!segment.is_empty()).then(|| segment.to_owned()));
        rest = &inner[close + 1..];
    }
    if path.is_empty() {
        return (key, Vec::new());
    }
    (name, path)
}

fn insert(object: &mut Map<String, Value>, key: &str, path: &[Option<String>], value: Value) {
    let Some((next, rest)) = path.split_first() else {
        object.insert(key.to_owned(), value);
        return;
    };
    let slot = object
        .entry(key.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    let Value::Object(inner) = slot else { return };
    let key = match next {
        Some(key) => key.clone(),
        None => next_index(inner).to_string(),
    };
    insert(inner, &key, rest, value);
}

/// The key PHP gives to `a[]`: one more than the largest integer key, or 0.
fn next_index(object: &Map<String, Value>) -> u64 {
    object
        .keys()
        .filter_map(|key| key.parse::<u64>().ok())
        .max()
        .map_or(0, |max| max + 1)
}

/// Turns objects keyed `0..n` into lists, all the way down.
fn listify(value: Value) -> Value {
    match value {
        Value::Object(object) => php_array(
            object
                .into_iter()
                .map(|(key, value)| (key, listify(value)))
                .collect(),
        ),
        other => other,
    }
}

/// What PHP's `json_encode` writes for an array with these entries: a list when the keys
/// are `0..n` in order (`[]` when empty), otherwise an object.
pub(crate) fn php_array(entries: Vec<(String, Value)>) -> Value {
    let sequential = entries
        .iter()
        .enumerate()
        .all(|(index, (key, _))| key.parse::<usize>().ok() == Some(index));
    if sequential {
        Value::Array(entries.into_iter().map(|(_, value)| value).collect())
    } else {
        Value::Object(entries.into_iter().collect())
    }
}

/// Encodes a JSON object as PHP's `http_build_query` does: nested keys as `a[b][0]=…`
/// (brackets percent-encoded), `true` / `false` as `1` / `0`, and neither `null` nor
/// empty arrays sent at all.
pub(crate) fn build_query(object: &Map<String, Value>) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (key, value) in object {
        append_pairs(&mut form, key.clone(), value);
    }
    form.finish()
}

fn append_pairs(form: &mut form_urlencoded::Serializer<'_, String>, key: String, value: &Value) {
    match value {
        Value::Null => {}
        Value::Bool(flag) => {
            form.append_pair(&key, if *flag { "1" } else { "0" });
        }
        Value::Number(number) => {
            form.append_pair(&key, &number.to_string());
        }
        Value::String(text) => {
            form.append_pair(&key, text);
        }
        Value::Array(list) => {
            for (index, inner) in list.iter().enumerate() {
                append_pairs(form, format!("{key}[{index}]"), inner);
            }
        }
        Value::Object(object) => {
            for (name, inner) in object {
                append_pairs(form, format!("{key}[{name}]"), inner);
            }
        }
    }
}

/// A parameter by name, ignoring ASCII case as Bitrix24 does for most parameters.
pub(crate) fn param<'a>(params: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    params.get(name).or_else(|| {
        params
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    })
}

/// An integer sent as a number or as a string.
pub(crate) fn int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// A boolean sent as `true`, `1`, `"1"`, `"Y"` or `"true"` (anything else is false).
pub(crate) fn truthy(value: &Value) -> bool {
    match value {
        Value::Bool(flag) => *flag,
        Value::Number(number) => number.as_i64() == Some(1),
        Value::String(text) => matches!(text.as_str(), "1" | "Y" | "y" | "true"),
        _ => false,
    }
}

/// A scalar as PHP turns it into a string.
pub(crate) fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(true) => Some("1".to_owned()),
        Value::Bool(false) | Value::Null => Some(String::new()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{build_query, int, key_order, param, parse_form, php_array, truthy};

    #[test]
    fn nested_keys_lists_and_appends() {
        let parsed = parse_form(
            b"fields[TITLE]=John%26Martin&fields[PHONE][0][VALUE]=1&fields[PHONE][1][VALUE]=2\
              &select[]=ID&select[]=NAME&a[b][c]=deep&plain=x+y",
        );
        assert_eq!(
            serde_json::Value::Object(parsed),
            json!({
                "fields": {"TITLE": "John&Martin", "PHONE": [{"VALUE": "1"}, {"VALUE": "2"}]},
                "select": ["ID", "NAME"],
                "a": {"b": {"c": "deep"}},
                "plain": "x y"
            })
        );
    }

    #[test]
    fn odd_keys_are_read_as_php_does() {
        let parsed = parse_form(b"a[=1&b[x]y=2&=3&c[5]=five&c[]=six");
        assert_eq!(parsed["a["], "1");
        assert_eq!(parsed["b"], json!({"x": "2"}));
        assert_eq!(parsed["c"], json!({"5": "five", "6": "six"}));
        assert!(!parsed.contains_key(""));
    }

    #[test]
    fn php_arrays_encode_as_lists_only_when_sequential() {
        assert_eq!(php_array(vec![]), json!([]));
        assert_eq!(
            php_array(vec![("0".into(), json!(1)), ("1".into(), json!(2))]),
            json!([1, 2])
        );
        assert_eq!(php_array(vec![("1".into(), json!(1))]), json!({"1": 1}));
    }

    #[test]
    fn key_order_follows_the_request() {
        let body = br#"{"halt":0,"cmd":{"zeta":"user.current","alpha":"app.option.get"}}"#;
        assert_eq!(key_order(body, true, "cmd"), ["zeta", "alpha"]);
        let form = b"cmd[zeta]=user.current&cmd[alpha]=app.option.get%3Foption%3Dx";
        assert_eq!(key_order(form, false, "cmd"), ["zeta", "alpha"]);
        assert!(key_order(b"not json", true, "cmd").is_empty());
    }

    #[test]
    fn queries_are_built_as_php_builds_them() {
        let object = json!({
            "event": "ONCRMDEALADD",
            "data": {"FIELDS": {"ID": 7}, "LIST": ["a", true, false], "NONE": null, "EMPTY": []},
            "auth": {"domain": "x y&z"}
        });
        let serde_json::Value::Object(object) = object else {
            unreachable!()
        };
        let query = build_query(&object);
        let mut pairs: Vec<&str> = query.split('&').collect();
        pairs.sort_unstable();
        assert_eq!(
            pairs,
            [
                "auth%5Bdomain%5D=x+y%26z",
                "data%5BFIELDS%5D%5BID%5D=7",
                "data%5BLIST%5D%5B0%5D=a",
                "data%5BLIST%5D%5B1%5D=1",
                "data%5BLIST%5D%5B2%5D=0",
                "event=ONCRMDEALADD",
            ]
        );
        let parsed = parse_form(query.as_bytes());
        assert_eq!(parsed["data"]["FIELDS"]["ID"], "7");
        assert_eq!(parsed["auth"]["domain"], "x y&z");
    }

    #[test]
    fn scalars_are_read_leniently() {
        let params = parse_form(b"ID=42&Flag=Y");
        assert_eq!(param(&params, "id").and_then(int), Some(42));
        assert!(param(&params, "flag").is_some_and(truthy));
        assert_eq!(int(&json!(" 7 ")), Some(7));
        assert!(!truthy(&json!("N")));
    }
}
