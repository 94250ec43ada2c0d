//! `batch`: up to 50 calls in one request, each able to use the results before it.

use serde_json::{Map, Value, json};

use crate::clock::{time_object, unix_now};
use crate::failure::Failure;
use crate::methods::{Api, Outcome};
use crate::php::{param, parse_form, php_array, text, truthy};
use crate::state::{Caller, State};

/// The most calls one batch runs.
pub(crate) const MAX_CALLS: usize = 50;

/// Runs the calls of `cmd` in request order (`order` lists the keys as the request gave
/// them). With `halt`, the first failed call ends the batch.
pub(crate) fn run(
    state: &mut State,
    caller: &Caller,
    params: &Map<String, Value>,
    order: &[String],
) -> Result<Outcome, Failure> {
    let commands = commands(params, order)?;
    let halt = param(params, "halt").is_some_and(truthy);
    let mut results: Vec<(String, Value)> = Vec::new();
    let mut errors: Vec<(String, Value)> = Vec::new();
    let mut totals: Vec<(String, Value)> = Vec::new();
    let mut nexts: Vec<(String, Value)> = Vec::new();
    let mut times: Vec<(String, Value)> = Vec::new();
    for (index, (key, command)) in commands.into_iter().enumerate() {
        let started = unix_now();
        let outcome = if index >= MAX_CALLS {
            Err(Failure::new(
                400,
                "ERROR_BATCH_LENGTH_EXCEEDED",
                "Max batch length exceeded",
            ))
        } else {
            call(state, caller, &command, &results)
        };
        match outcome {
            Ok((outcome, operating)) => {
                results.push((key.clone(), outcome.result));
                if let Some(total) = outcome.total {
                    totals.push((key.clone(), json!(total)));
                }
                if let Some(next) = outcome.next {
                    nexts.push((key.clone(), json!(next)));
                }
                times.push((key, time_object(started, unix_now(), operating)));
            }
            Err(failure) => {
                errors.push((key, failure.body()));
                if halt {
                    break;
                }
            }
        }
    }
    Ok(Outcome::of(json!({
        "result": php_array(results),
        "result_error": php_array(errors),
        "result_total": php_array(totals),
        "result_next": php_array(nexts),
        "result_time": php_array(times),
    })))
}

/// The calls of `cmd` as (key, `method?query`), in request order.
fn commands(
    params: &Map<String, Value>,
    order: &[String],
) -> Result<Vec<(String, String)>, Failure> {
    let entries: Vec<(String, &Value)> = match param(params, "cmd") {
        Some(Value::Object(cmd)) => cmd
            .iter()
            .map(|(key, value)| (key.clone(), value))
            .collect(),
        Some(Value::Array(cmd)) => cmd
            .iter()
            .enumerate()
            .map(|(index, value)| (index.to_string(), value))
            .collect(),
        _ => return Err(Failure::invalid_argument("cmd")),
    };
    let position = |key: &str| {
        order
            .iter()
            .position(|known| known == key)
            .unwrap_or(usize::MAX)
    };
    let mut entries = entries;
    entries.sort_by_key(|(key, _)| position(key));
    entries
        .into_iter()
        .map(|(key, value)| {
            text(value)
                .map(|command| (key, command))
                .ok_or_else(|| Failure::invalid_argument("cmd"))
        })
        .collect()
}

/// Runs one command with the `$result[…]` references in its parameters resolved.
fn call(
    state: &mut State,
    caller: &Caller,
    command: &str,
    results: &[(String, Value)],
) -> Result<(Outcome, Option<(f64, i64)>), Failure> {
    let (method, query) = command.split_once('?').unwrap_or((command, ""));
    let method = method.trim().trim_end_matches(".json").to_ascii_lowercase();
    if method == "batch" {
        return Err(Failure::new(
            405,
            "ERROR_BATCH_METHOD_NOT_ALLOWED",
            "Method is not allowed for batch usage",
        ));
    }
    let params = parse_form(query.as_bytes())
        .into_iter()
        .map(|(key, value)| (key, resolve(value, results)))
        .collect();
    state.invoke(caller, Api::V2, &method, &params)
}

/// Replaces `$result[key][field]…` in the strings of `value`. A string that is one whole
/// reference becomes the referenced value; references inside longer strings become its
/// text. References that lead nowhere stay as they are.
fn resolve(value: Value, results: &[(String, Value)]) -> Value {
    match value {
        Value::String(text) if text.contains("$result[") => substitute(&text, results),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| resolve(item, results))
                .collect(),
        ),
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(key, value)| (key, resolve(value, results)))
                .collect(),
        ),
        other => other,
    }
}

fn substitute(input: &str, results: &[(String, Value)]) -> Value {
    if let Some((path, len)) = reference(input)
        && len == input.len()
        && let Some(value) = lookup(&path, results)
    {
        return value.clone();
    }
    let mut out = String::new();
    let mut rest = input;
    while let Some(at) = rest.find("$result[") {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match reference(rest) {
            Some((path, len)) => {
                match lookup(&path, results).and_then(text) {
                    Some(value) => out.push_str(&value),
                    None => out.push_str(&rest[..len]),
                }
                rest = &rest[len..];
            }
            None => {
                out.push_str("$result[");
                rest = &rest["$result[".len()..];
            }
        }
    }
    out.push_str(rest);
    Value::String(out)
}

/// The path of a reference at the start of `input`, and its length.
fn reference(input: &str) -> Option<(Vec<&str>, usize)> {
    let mut rest = input.strip_prefix("$result")?;
    let mut path = Vec::new();
    while let Some(inner) = rest.strip_prefix('[') {
        let close = inner.find(']')?;
        path.push(&inner[..close]);
        rest = &inner[close + 1..];
    }
    (!path.is_empty()).then(|| (path, input.len() - rest.len()))
}

fn lookup<'a>(path: &[&str], results: &'a [(String, Value)]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut value = &results.iter().find(|(key, _)| key == first)?.1;
    for segment in rest {
        value = match value {
            Value::Object(fields) => fields.get(*segment)?,
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{reference, substitute};

    #[test]
    fn references_are_parsed() {
        assert_eq!(
            reference("$result[a][0][ID]x"),
            Some((vec!["a", "0", "ID"], 17))
        );
        assert_eq!(reference("$result"), None);
        assert_eq!(reference("$result[a"), None);
    }

    #[test]
    fn whole_references_keep_the_value_and_inline_ones_become_text() {
        let results = vec![
            (
                "user".to_owned(),
                json!({"ID": "7", "UF_DEPARTMENT": [3, 4]}),
            ),
            ("add".to_owned(), json!({"item": {"id": 12}})),
        ];
        assert_eq!(
            substitute("$result[user][UF_DEPARTMENT]", &results),
            json!([3, 4])
        );
        assert_eq!(substitute("$result[add][item][id]", &results), json!(12));
        assert_eq!(
            substitute("id $result[add][item][id] of $result[user][ID]", &results),
            json!("id 12 of 7")
        );
        assert_eq!(
            substitute("$result[none][x] $result[", &results),
            json!("$result[none][x] $result[")
        );
    }
}
