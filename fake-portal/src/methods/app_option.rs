//! `app.option.set` and `app.option.get`: the application's key-value settings.

use serde_json::{Map, Value};

use super::Outcome;
use crate::failure::Failure;
use crate::php::{param, php_array, text};
use crate::state::State;

/// Stores every entry of `options`.
pub(crate) fn set(state: &mut State, params: &Map<String, Value>) -> Result<Outcome, Failure> {
    let options = match param(params, "options") {
        Some(Value::Object(options)) if !options.is_empty() => options.clone(),
        Some(Value::Array(options)) if !options.is_empty() => options
            .iter()
            .enumerate()
            .map(|(index, value)| (index.to_string(), value.clone()))
            .collect(),
        _ => {
            return Err(Failure::new(
                400,
                "ArgumentNullException",
                "Argument 'options' is null or empty",
            ));
        }
    };
    state.options.extend(options);
    Ok(Outcome::of(Value::Bool(true)))
}

/// One option's value (`null` when unset), or all options when `option` is not given.
pub(crate) fn get(state: &mut State, params: &Map<String, Value>) -> Result<Outcome, Failure> {
    match param(params, "option") {
        Some(name) => {
            let name = text(name).ok_or_else(|| Failure::invalid_argument("option"))?;
            Ok(Outcome::of(
                state.options.get(&name).cloned().unwrap_or(Value::Null),
            ))
        }
        None => Ok(Outcome::of(php_array(
            state
                .options
                .iter()
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect(),
        ))),
    }
}
