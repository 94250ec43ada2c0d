//! Cutting the client's credentials out of any text a server sent: reply excerpts, parser
//! messages, error descriptions, validation entries.
//!
//! A server may echo a credential in any form it received or chose to write it in: as
//! is, percent-encoded (`%61%62`, as in a URL or a form), or escaped in JSON or Rust
//! debug text (`\u0061`, `\u{61}`, `\/`). Text is read as a sequence of such units, each
//! standing for one character or byte; a credential spelled by consecutive units is
//! replaced whole, whatever mix of forms spells it, and so is the start of one cut off at
//! the end of the text.

use std::ops::Range;

use crate::{ApiError, InvalidField, Secret};

use super::undecodable::EXCERPT_LIMIT;

/// What stands in a text where a credential of the client was.
pub(crate) const REDACTED: &str = "[redacted]";

/// The shortest start of a credential that is redacted when the text ends with it.
const MIN_CUT_PREFIX: usize = 6;

/// The most bytes one byte of a credential can take in any spelling: `\u{10ffff}` takes
/// 10 for a character of at least one byte, a surrogate pair 12 for one of four.
const MAX_SPELLING: usize = 10;

/// The credentials of a client, to be cut out of text.
#[derive(Debug, Clone, Default)]
pub(crate) struct Redactor {
    secrets: Vec<Secret>,
}

impl Redactor {
    /// A redactor of the non-empty secrets among `secrets`.
    pub(crate) fn new(secrets: impl IntoIterator<Item = Secret>) -> Self {
        Self {
            secrets: secrets
                .into_iter()
                .filter(|secret| !secret.expose().is_empty())
                .collect(),
        }
    }

    /// The length of the longest credential.
    fn longest(&self) -> usize {
        self.secrets
            .iter()
            .map(|secret| secret.expose().len())
            .max()
            .unwrap_or(0)
    }

    /// `text` with every spelling of every credential replaced by `[redacted]`.
    pub(crate) fn text(&self, text: &str) -> String {
        if self.secrets.is_empty() {
            return text.to_owned();
        }
        let units = units(text);
        let decoded: Vec<u8> = units.iter().flat_map(|unit| unit.bytes()).collect();
        // The unit each decoded byte came from.
        let owner: Vec<usize> = units
            .iter()
            .enumerate()
            .flat_map(|(index, unit)| std::iter::repeat_n(index, unit.bytes().len()))
            .collect();
        let mut hits: Vec<Range<usize>> = Vec::new();
        for secret in &self.secrets {
            let secret = secret.expose().as_bytes();
            let mut from = 0;
            while let Some(at) = find(&decoded[from..], secret) {
                let start = from + at;
                hits.push(span(&units, &owner, start..start + secret.len()));
                from = start + 1;
            }
            // The start of the credential, cut off by the end of the text.
            let longest_cut = secret.len().saturating_sub(1).min(decoded.len());
            for len in (MIN_CUT_PREFIX.min(secret.len())..=longest_cut).rev() {
                if decoded.ends_with(&secret[..len]) {
                    let start = decoded.len() - len;
                    hits.push(span(&units, &owner, start..decoded.len()));
                    break;
                }
            }
        }
        if hits.is_empty() {
            return text.to_owned();
        }
        hits.sort_by_key(|hit| hit.start);
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for hit in hits {
            if hit.end <= at {
                continue;
            }
            if hit.start > at {
                out.push_str(&text[at..hit.start]);
            } else if hit.start < at {
                // Overlaps the hit before it, which already stands for it.
                at = hit.end;
                continue;
            }
            out.push_str(REDACTED);
            at = hit.end;
        }
        out.push_str(&text[at..]);
        out
    }

    /// The start of a reply body, at most [`EXCERPT_LIMIT`] bytes decoded lossily as
    /// UTF-8, redacted. The body is redacted in a window long enough to hold any spelling
    /// of a credential that starts inside the limit, so that one cut by the limit is not
    /// left half visible.
    pub(crate) fn excerpt(&self, body: &[u8]) -> String {
        let window = &body[..body
            .len()
            .min(EXCERPT_LIMIT + self.longest() * MAX_SPELLING)];
        let mut text = self.text(&String::from_utf8_lossy(window));
        if text.len() > EXCERPT_LIMIT {
            let mut end = EXCERPT_LIMIT;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
        }
        text
    }

    /// An error reply with every text in it redacted: the code, the message and the
    /// validation entries.
    pub(crate) fn api_error(&self, error: ApiError) -> ApiError {
        ApiError {
            code: self.text(&error.code),
            message: self.text(&error.message),
            status: error.status,
            validation: error
                .validation
                .into_iter()
                .map(|invalid| InvalidField {
                    field: self.text(&invalid.field),
                    message: self.text(&invalid.message),
                })
                .collect(),
        }
    }
}

/// The byte range of `text` that the units owning decoded bytes `decoded` span.
fn span(units: &[Unit], owner: &[usize], decoded: Range<usize>) -> Range<usize> {
    units[owner[decoded.start]].at.start..units[owner[decoded.end - 1]].at.end
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// One character or byte of a text, in whatever form the text spells it.
#[derive(Debug)]
struct Unit {
    /// Where the unit is in the text.
    at: Range<usize>,
    /// What it stands for.
    value: Value,
}

#[derive(Debug)]
enum Value {
    Char(char),
    Byte(u8),
}

impl Unit {
    fn bytes(&self) -> Vec<u8> {
        match self.value {
            Value::Char(c) => c.to_string().into_bytes(),
            Value::Byte(b) => vec![b],
        }
    }
}

/// The units of `text`: escapes decoded, every other character as itself.
fn units(text: &str) -> Vec<Unit> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(text.len());
    let mut at = 0;
    while at < text.len() {
        let (len, value) = escape(&text[at..]).unwrap_or_else(|| {
            let c = text[at..].chars().next().unwrap_or_default();
            (c.len_utf8(), Value::Char(c))
        });
        debug_assert!(len > 0 && at + len <= bytes.len());
        out.push(Unit {
            at: at..at + len,
            value,
        });
        at += len;
    }
    out
}

/// The escape at the start of `text`, if there is one: its length and value.
fn escape(text: &str) -> Option<(usize, Value)> {
    let rest = text.as_bytes();
    match rest {
        [b'%', high, low, ..] => {
            let byte = (hex(*high)? << 4) | hex(*low)?;
            Some((3, Value::Byte(byte)))
        }
        [b'\\', b'u', b'{', ..] => {
            let close = text[3..].find('}')?;
            let digits = &text[3..3 + close];
            if digits.is_empty() || digits.len() > 6 {
                return None;
            }
            let c = char::from_u32(u32::from_str_radix(digits, 16).ok()?)?;
            Some((3 + close + 1, Value::Char(c)))
        }
        [b'\\', b'u', ..] => {
            let high = u16_at(text, 2)?;
            if (0xD800..0xDC00).contains(&high)
                && text.get(6..8) == Some("\\u")
                && let Some(low) = u16_at(text, 8)
                && (0xDC00..0xE000).contains(&low)
            {
                let c = char::decode_utf16([high, low]).next()?.ok()?;
                return Some((12, Value::Char(c)));
            }
            Some((6, Value::Char(char::from_u32(u32::from(high))?)))
        }
        [b'\\', escaped @ (b'/' | b'\\' | b'"'), ..] => {
            Some((2, Value::Char(char::from(*escaped))))
        }
        _ => None,
    }
}

/// Four hex digits at `at` in `text`.
fn u16_at(text: &str, at: usize) -> Option<u16> {
    let digits = text.get(at..at + 4)?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u16::from_str_radix(digits, 16).ok()
}

fn hex(digit: u8) -> Option<u8> {
    char::from(digit).to_digit(16).map(|value| value as u8)
}

#[cfg(test)]
mod tests {
    use super::{EXCERPT_LIMIT, REDACTED, Redactor};
    use crate::{ApiError, InvalidField, Secret};

    fn redactor() -> Redactor {
        Redactor::new([
            Secret::new("s3cr3t/c0de+x"),
            Secret::new(""),
            Secret::new("tok123"),
        ])
    }

    #[test]
    fn every_spelling_of_a_credential_is_redacted() {
        let redactor = redactor();
        for text in [
            "s3cr3t/c0de+x",
            "s3cr3t%2Fc0de%2Bx",
            "s3cr3t%2fc0de%2bx",
            "%73%33%63%72%33%74%2F%63%30%64%65%2B%78",
            r"s3cr3t\/c0de+x",
            r"\u0073\u0033cr3t\u002Fc0de+x",
            r"s3cr3t\u{2f}c0de\u{2b}x",
        ] {
            let out = redactor.text(&format!("before {text} after"));
            assert_eq!(out, format!("before {REDACTED} after"), "{text}");
        }
        assert_eq!(
            redactor.text("tok123tok123 and tok12"),
            format!("{REDACTED}{REDACTED} and tok12"),
            "a start shorter than six characters is not a credential"
        );
    }

    #[test]
    fn a_credential_cut_off_by_the_end_of_the_text_is_redacted() {
        let redactor = redactor();
        assert_eq!(redactor.text("auth=s3cr3t/c0"), format!("auth={REDACTED}"));
        assert_eq!(redactor.text("auth=s3cr"), "auth=s3cr");
    }

    #[test]
    fn other_text_and_escapes_are_kept() {
        let redactor = redactor();
        for text in [
            "nothing secret, 100% sure",
            r"a \u00e9 \n %zz \u{zz} \u12",
            "é ü 😀",
            "",
        ] {
            assert_eq!(redactor.text(text), text);
        }
        assert_eq!(Redactor::default().text("s3cr3t/c0de+x"), "s3cr3t/c0de+x");
        assert_eq!(redactor.longest(), 13);
    }

    #[test]
    fn surrogate_pairs_and_non_ascii_credentials() {
        let redactor = Redactor::new([Secret::new("ключ😀")]);
        assert_eq!(
            redactor.text(r"x \u043a\u043b\u044e\u0447\ud83d\ude00 y"),
            format!("x {REDACTED} y")
        );
        assert_eq!(redactor.text("x ключ😀 y"), format!("x {REDACTED} y"));
    }

    #[test]
    fn excerpts_are_short_cut_on_a_char_boundary_and_redacted_across_the_limit() {
        assert_eq!(
            Redactor::default().excerpt(b"<html>502</html>"),
            "<html>502</html>"
        );
        let body = "é".repeat(EXCERPT_LIMIT);
        let text = Redactor::default().excerpt(body.as_bytes());
        assert_eq!(text.len(), EXCERPT_LIMIT);
        assert!(text.chars().all(|c| c == 'é'));
        let odd = format!("a{body}");
        assert_eq!(
            Redactor::default().excerpt(odd.as_bytes()).len(),
            EXCERPT_LIMIT - 1
        );
        assert_eq!(Redactor::default().excerpt(b"ok\xff"), "ok\u{fffd}");

        let secret = Secret::new("0123456789abcdef");
        let redactor = Redactor::new([secret.clone()]);
        let mut body = "x".repeat(EXCERPT_LIMIT - 4);
        body.push_str(secret.expose());
        body.push_str(&"y".repeat(100));
        let text = redactor.excerpt(body.as_bytes());
        assert!(!text.contains("0123"), "{text}");
        assert!(text.ends_with("[red"), "{text}");
        let mut escaped = "x".repeat(EXCERPT_LIMIT - 4);
        for c in secret.expose().chars() {
            escaped.push_str(&format!("\\u{:04x}", u32::from(c)));
        }
        let text = redactor.excerpt(escaped.as_bytes());
        assert!(text.ends_with("[red"), "{text}");
    }

    #[test]
    fn error_replies_are_redacted_in_every_text() {
        let mut error = ApiError::new("tok123", "token tok123 is wrong").with_status(401);
        error.validation.push(InvalidField {
            field: "auth".into(),
            message: "got tok123".into(),
        });
        let error = redactor().api_error(error);
        assert!(!format!("{error} {error:?}").contains("tok123"));
        assert_eq!(error.status, Some(401));
    }
}
