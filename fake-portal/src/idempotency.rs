//! REST 3.0 `Idempotency-Key`: a write with a key runs once; a repeat with the same
//! parameters gets the stored reply, one with other parameters an error.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::failure::Failure;

/// Whose key it is: the credential (webhook or application), the method and the key.
pub(crate) type KeyOwner = (String, String, String);

/// The replies of successful calls made with a key, with the parameters they had.
#[derive(Debug, Default)]
pub(crate) struct Idempotency {
    stored: HashMap<KeyOwner, (Map<String, Value>, Value)>,
}

impl Idempotency {
    /// The stored reply for a repeat of a call, or `None` for a key not used yet. A key
    /// that is not 1 to 255 printable ASCII characters is a 400; a key used before with
    /// other parameters a 422.
    pub(crate) fn replay(
        &self,
        owner: &KeyOwner,
        params: &Map<String, Value>,
    ) -> Result<Option<Value>, Failure> {
        let key = &owner.2;
        if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            return Err(Failure::new(
                400,
                "BITRIX_REST_V3_EXCEPTION_INVALIDIDEMPOTENCYKEYEXCEPTION",
                "The idempotency key must be 1 to 255 printable ASCII characters",
            ));
        }
        match self.stored.get(owner) {
            None => Ok(None),
            Some((stored, reply)) if stored == params => Ok(Some(reply.clone())),
            Some(_) => Err(Failure::new(
                422,
                "BITRIX_REST_V3_EXCEPTION_IDEMPOTENCYKEYREUSEDEXCEPTION",
                "The idempotency key was already used with a different request body",
            )),
        }
    }

    /// Keeps the reply of a successful call made with a key.
    pub(crate) fn store(&mut self, owner: KeyOwner, params: Map<String, Value>, reply: Value) {
        self.stored.insert(owner, (params, reply));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    use super::Idempotency;

    fn params(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(params) => params,
            _ => unreachable!("an object literal"),
        }
    }

    #[test]
    fn a_key_replays_its_reply_and_refuses_other_parameters() {
        let mut store = Idempotency::default();
        let owner = (
            "webhook:1".to_owned(),
            "tasks.task.add".to_owned(),
            "k-1".to_owned(),
        );
        let first = params(json!({"fields": {"title": "a"}}));
        assert_eq!(store.replay(&owner, &first).unwrap(), None);
        store.store(owner.clone(), first.clone(), json!({"result": 1}));
        assert_eq!(
            store.replay(&owner, &first).unwrap(),
            Some(json!({"result": 1}))
        );
        let other = params(json!({"fields": {"title": "b"}}));
        assert_eq!(store.replay(&owner, &other).unwrap_err().status, 422);
        let elsewhere = (
            "webhook:1".to_owned(),
            "tasks.task.update".to_owned(),
            "k-1".to_owned(),
        );
        assert_eq!(store.replay(&elsewhere, &other).unwrap(), None);
        for bad in ["", "tab\there", &"k".repeat(256), "ключ"] {
            let owner = ("w".to_owned(), "m".to_owned(), bad.to_owned());
            assert_eq!(
                store.replay(&owner, &first).unwrap_err().status,
                400,
                "{bad:?}"
            );
        }
    }
}
