//! Form bodies with PHP-style keys, as Bitrix24 posts events.
//!
//! A body `event=ONCRMLEADADD&data[FIELDS][ID]=7&list[]=a&list[]=b` is one nested PHP
//! array; it decodes to the JSON object
//! `{"event": "ONCRMLEADADD", "data": {"FIELDS": {"ID": "7"}}, "list": ["a", "b"]}`.
//! Every value is a string, as PHP sees it. An array whose keys are `0, 1, …` in order
//! becomes a JSON list, any other a JSON object. A key given twice keeps the later
//! value, and a key that is given both as a value and as an array is what was given
//! last, as in PHP.
//!
//! Unlike PHP, the decoder is strict: a bad `%` escape, text that is not UTF-8, brackets
//! that do not pair up as `name[a][b]`, and a key with no name are errors rather than
//! guesses, and every [`DecodeLimits`] is enforced while decoding.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::{DecodeError, DecodeLimits};

/// Decodes a form-encoded body with PHP-style keys into a JSON object.
pub fn decode_form(body: &[u8], limits: &DecodeLimits) -> Result<Map<String, Value>, DecodeError> {
    if body.len() > limits.body_limit() {
        return Err(DecodeError::BodyTooLarge {
            limit: limits.body_limit(),
        });
    }
    let mut root = Array::default();
    let mut keys = 0;
    for (index, raw) in body.split(|&byte| byte == b'&').enumerate() {
        if raw.is_empty() {
            continue;
        }
        let pair = index + 1;
        keys += 1;
        if keys > limits.key_limit() {
            return Err(DecodeError::TooManyKeys {
                limit: limits.key_limit(),
            });
        }
        let (raw_key, raw_value) = match raw.iter().position(|&byte| byte == b'=') {
            Some(equals) => (&raw[..equals], &raw[equals + 1..]),
            None => (raw, &[][..]),
        };
        let key = text(raw_key, pair)?;
        if key.len() > limits.key_len_limit() {
            return Err(DecodeError::KeyTooLong {
                limit: limits.key_len_limit(),
            });
        }
        let (name, path) = split_key(&key).map_err(|error| error.at(pair))?;
        if path.len() > limits.depth_limit() {
            return Err(DecodeError::TooDeep {
                limit: limits.depth_limit(),
            });
        }
        let value = text(raw_value, pair)?;
        root.insert(name, &path, value)
            .map_err(|_| DecodeError::IndexOverflow { pair })?;
    }
    Ok(root.into_object())
}

/// Percent-decodes one side of a pair (`+` is a space) into UTF-8 text.
fn text(raw: &[u8], pair: usize) -> Result<String, DecodeError> {
    let mut bytes = Vec::with_capacity(raw.len());
    let mut rest = raw;
    while let Some((&byte, tail)) = rest.split_first() {
        rest = tail;
        match byte {
            b'+' => bytes.push(b' '),
            b'%' => {
                let (high, low) = match rest {
                    [high, low, ..] => (hex(*high), hex(*low)),
                    _ => (None, None),
                };
                let (Some(high), Some(low)) = (high, low) else {
                    return Err(DecodeError::PercentEncoding { pair });
                };
                bytes.push(high << 4 | low);
                rest = &rest[2..];
            }
            other => bytes.push(other),
        }
    }
    String::from_utf8(bytes).map_err(|_| DecodeError::InvalidUtf8 { pair })
}

/// The value of one hexadecimal digit.
fn hex(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// What is wrong with a key, before the pair it belongs to is known.
#[derive(Debug, PartialEq, Eq)]
enum KeyError {
    Brackets,
    EmptyName,
}

impl KeyError {
    fn at(self, pair: usize) -> DecodeError {
        match self {
            Self::Brackets => DecodeError::Brackets { pair },
            Self::EmptyName => DecodeError::EmptyName { pair },
        }
    }
}

/// Splits `a[b][][c]` into `a` and `[Some("b"), None, Some("c")]` (`None` for `[]`).
fn split_key(key: &str) -> Result<(&str, Vec<Option<&str>>), KeyError> {
    let (name, mut rest) = key.split_at(key.find('[').unwrap_or(key.len()));
    if name.contains(']') {
        return Err(KeyError::Brackets);
    }
    if name.is_empty() {
        return Err(KeyError::EmptyName);
    }
    let mut path = Vec::new();
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[').ok_or(KeyError::Brackets)?;
        let close = inner.find(']').ok_or(KeyError::Brackets)?;
        let segment = &inner[..close];
        if segment.contains('[') {
            return Err(KeyError::Brackets);
        }
        path.push((!segment.is_empty()).then_some(segment));
        rest = &inner[close + 1..];
    }
    Ok((name, path))
}

/// An `[]` that would append past the largest index PHP allows.
#[derive(Debug)]
struct IndexOverflow;

/// One PHP array being built: its entries in the order they were first given.
#[derive(Debug, Default)]
struct Array {
    entries: Vec<(String, Entry)>,
    positions: HashMap<String, usize>,
    /// The largest integer key so far; `[]` appends after it.
    largest_index: Option<i64>,
}

/// An entry of an array: a value when `value` is set, otherwise the array `array`.
#[derive(Debug, Default)]
struct Entry {
    value: Option<String>,
    array: Array,
}

impl Array {
    /// Sets `name[path…]` to `value`, creating arrays on the way and replacing any value
    /// that stands where an array is needed.
    fn insert(
        &mut self,
        name: &str,
        path: &[Option<&str>],
        value: String,
    ) -> Result<(), IndexOverflow> {
        let mut array = self;
        let mut key = name.to_owned();
        for segment in path {
            let child = array.child_array(key);
            key = match segment {
                Some(segment) => (*segment).to_owned(),
                None => child.append_key()?,
            };
            array = child;
        }
        let entry = array.entry(key);
        entry.value = Some(value);
        entry.array = Array::default();
        Ok(())
    }

    /// The array at `key`, made empty if a value is there.
    fn child_array(&mut self, key: String) -> &mut Array {
        let entry = self.entry(key);
        if entry.value.take().is_some() {
            entry.array = Array::default();
        }
        &mut entry.array
    }

    /// The entry at `key`, added empty at the end if there is none.
    fn entry(&mut self, key: String) -> &mut Entry {
        let position = match self.positions.get(&key) {
            Some(&position) => position,
            None => {
                if let Some(index) = integer_key(&key)
                    && self.largest_index.is_none_or(|largest| index > largest)
                {
                    self.largest_index = Some(index);
                }
                let position = self.entries.len();
                self.positions.insert(key.clone(), position);
                self.entries.push((key, Entry::default()));
                position
            }
        };
        &mut self.entries[position].1
    }

    /// The key `[]` appends at: one more than the largest integer key, or 0.
    fn append_key(&self) -> Result<String, IndexOverflow> {
        match self.largest_index {
            None => Ok("0".to_owned()),
            Some(largest) => largest
                .checked_add(1)
                .map(|next| next.to_string())
                .ok_or(IndexOverflow),
        }
    }

    fn into_object(self) -> Map<String, Value> {
        self.entries
            .into_iter()
            .map(|(key, entry)| (key, entry.into_value()))
            .collect()
    }

    fn into_value(self) -> Value {
        let sequential = self
            .entries
            .iter()
            .enumerate()
            .all(|(index, (key, _))| integer_key(key) == i64::try_from(index).ok());
        if sequential {
            Value::Array(
                self.entries
                    .into_iter()
                    .map(|(_, entry)| entry.into_value())
                    .collect(),
            )
        } else {
            Value::Object(self.into_object())
        }
    }
}

impl Entry {
    fn into_value(self) -> Value {
        match self.value {
            Some(text) => Value::String(text),
            None => self.array.into_value(),
        }
    }
}

/// A key PHP takes as an integer: `0`, or digits without a leading zero that fit an
/// `i64`. Negative keys do not move where `[]` appends, so they are not counted.
fn integer_key(key: &str) -> Option<i64> {
    let canonical = key == "0"
        || (!key.starts_with('0') && !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()));
    if canonical { key.parse().ok() } else { None }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{decode_form, integer_key, split_key};
    use crate::events::{DecodeError, DecodeLimits};

    fn decode(body: &str) -> Result<Value, DecodeError> {
        decode_form(body.as_bytes(), &DecodeLimits::default()).map(Value::Object)
    }

    #[test]
    fn nested_keys_lists_and_escapes() {
        let body = "event=ONCRMLEADADD&event_handler_id=7&data%5BFIELDS%5D%5BID%5D=42\
                    &data[FIELDS][TITLE]=John+%26+Martin&list[]=a&list[]=b\
                    &phones[0][VALUE]=1&phones[1][VALUE]=2&empty=&bare&&auth[domain]=x.bitrix24.com";
        assert_eq!(
            decode(body).unwrap(),
            json!({
                "event": "ONCRMLEADADD",
                "event_handler_id": "7",
                "data": {"FIELDS": {"ID": "42", "TITLE": "John & Martin"}},
                "list": ["a", "b"],
                "phones": [{"VALUE": "1"}, {"VALUE": "2"}],
                "empty": "",
                "bare": "",
                "auth": {"domain": "x.bitrix24.com"}
            })
        );
    }

    #[test]
    fn arrays_follow_php() {
        // `[]` appends after the largest integer key; keys out of order stay an object.
        assert_eq!(
            decode("a[5]=five&a[]=six&b[1]=x&b[0]=y&c[x]=1&c[]=2&d[-3]=m&d[]=n").unwrap(),
            json!({
                "a": {"5": "five", "6": "six"},
                "b": {"1": "x", "0": "y"},
                "c": {"x": "1", "0": "2"},
                "d": {"-3": "m", "0": "n"}
            })
        );
        // Leading zeros make a string key.
        assert_eq!(
            decode("a[00]=x&a[]=y").unwrap(),
            json!({"a": {"00": "x", "0": "y"}})
        );
        // The later of a value and an array wins; a repeated key keeps its place.
        assert_eq!(
            decode("a=1&a[b]=2&c[d]=3&c=4&l[]=x&l[0]=z").unwrap(),
            json!({"a": {"b": "2"}, "c": "4", "l": ["z"]})
        );
    }

    #[test]
    fn malformed_pairs_are_errors_naming_the_pair() {
        let cases = [
            ("a=1&b=%zz", "bad percent-encoding in form pair 2"),
            ("a=%4", "bad percent-encoding in form pair 1"),
            ("a=%ff%fe", "form pair 1 is not UTF-8"),
            (
                "x=1&&a[b=1",
                "unbalanced brackets in the key of form pair 3",
            ),
            ("a]=1", "unbalanced brackets in the key of form pair 1"),
            ("a[b]c=1", "unbalanced brackets in the key of form pair 1"),
            ("a[b[c]]=1", "unbalanced brackets in the key of form pair 1"),
            ("[a]=1", "the key of form pair 1 has no name"),
            ("=1", "the key of form pair 1 has no name"),
        ];
        for (body, expected) in cases {
            assert_eq!(decode(body).unwrap_err().to_string(), expected, "{body}");
        }
    }

    #[test]
    fn appending_past_the_largest_index_is_an_error() {
        let body = format!("a[{}]=x&a[]=y", i64::MAX);
        assert!(matches!(
            decode(&body),
            Err(DecodeError::IndexOverflow { pair: 2 })
        ));
        let body = format!("a[{}]=x&a[]=y", i64::MAX - 1);
        assert_eq!(decode(&body).unwrap()["a"][i64::MAX.to_string()], "y");
    }

    #[test]
    fn limits_are_enforced() {
        let limits = DecodeLimits::default()
            .max_body(64)
            .max_keys(3)
            .max_key_len(8)
            .max_depth(2);
        let decode = |body: &str| decode_form(body.as_bytes(), &limits);
        assert!(decode("a[b][c]=1&x=2&y=3").is_ok());
        assert!(matches!(
            decode(&"a".repeat(65)),
            Err(DecodeError::BodyTooLarge { limit: 64 })
        ));
        assert!(matches!(
            decode("a=1&b=2&c=3&d=4"),
            Err(DecodeError::TooManyKeys { limit: 3 })
        ));
        // Empty pairs are not keys.
        assert!(decode("a=1&&&b=2&&c=3&").is_ok());
        assert!(matches!(
            decode("abcde%5B%5D%5B%5D=1"),
            Err(DecodeError::KeyTooLong { limit: 8 })
        ));
        assert!(matches!(
            decode("a[][][]=1"),
            Err(DecodeError::TooDeep { limit: 2 })
        ));
    }

    #[test]
    fn keys_split_into_name_and_path() {
        assert_eq!(
            split_key("a[b][][c]").unwrap(),
            ("a", vec![Some("b"), None, Some("c")])
        );
        assert_eq!(split_key("plain").unwrap(), ("plain", vec![]));
        assert_eq!(integer_key("0"), Some(0));
        assert_eq!(integer_key("12"), Some(12));
        assert_eq!(integer_key("012"), None);
        assert_eq!(integer_key("-1"), None);
        assert_eq!(integer_key("99999999999999999999"), None);
        assert_eq!(integer_key(""), None);
    }
}
