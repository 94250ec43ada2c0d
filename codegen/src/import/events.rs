//! Turning event pages into event specs.
//!
//! Two kinds of pages document events:
//! - a page per event (`crm/leads/events/on-crm-lead-add.md`): its title names the event
//!   (`Event onCrmLeadAdd`), or its file does and its example delivers it
//!   (`on-booking-update.md`, `ONBOOKINGUPDATE`); the first fields table lists the
//!   delivery (`event`, `data`, `data.FIELDS`, …, nested tables followed as for methods),
//!   or, on older pages, the fields of `data` itself;
//! - a page of several events (`imbot.v2/events/events.md`): each `##` heading is an
//!   event name in capitals, with the table of its `data` and an example of it below.
//!
//! The wire name comes from the example delivery's `event` member, else from the text
//! naming the code (``In this case — `ONCRMLEADADD` ``), else from the title; the scope
//! from the page's `Scope:` line, else from the nearest `index.md` up the folder tree.
//! The envelope (`event`, `event_handler_id`, `ts`, `auth`) is the runtime's `Delivery`,
//! not part of the spec.

use serde_json::{Map, Value};

use super::corpus::{Corpus, Page, PlacedTable, Section};
use super::fields::FieldReader;
use super::method;
use super::objects::Objects;
use super::refine;
use super::scopes;
use super::table::TableKind;
use super::types::Vocabulary;
use super::yfm::Block;
use crate::spec::{EventSpec, Field, Primitive, ResultSpec, TypeExpr};

/// An event spec read from a page, with what could not be read.
#[derive(Debug, Clone)]
pub struct ImportedEvent {
    /// The spec.
    pub spec: EventSpec,
    /// Parts of the page that could not be read, each a short reason.
    pub problems: Vec<String>,
    /// The spec as read from the page, when an override changed it.
    pub from_page: Option<EventSpec>,
    /// The page's examples of what a handler receives for this event.
    pub examples: Vec<PayloadExample>,
}

/// How a page documents events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventPage {
    /// One event.
    Single,
    /// Several events, one per `##` heading.
    Several,
}

/// An example of what a handler receives, as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct PayloadExample {
    /// A whole delivery (`event`, `data`, `auth`, …), or only its `data`.
    pub whole: bool,
    /// The example as JSON.
    pub value: Value,
}

/// Whether, and how, a page documents events; index pages never do.
pub fn event_page(page: &Page) -> Option<EventPage> {
    if page.path.ends_with("/index.md") {
        return None;
    }
    let headed = event_headings(page).count();
    if headed >= 2 {
        return Some(EventPage::Several);
    }
    let title = page.title()?;
    if title_events(title).next().is_some() {
        return Some(EventPage::Single);
    }
    // A title in words (`Event on Booking Update`): the file is named after the event
    // its example delivers.
    let delivered = deliveries(page).next()?;
    let name = delivered.get("event")?.as_str()?;
    file_spelling(page, name).map(|_| EventPage::Single)
}

/// Reads the events of an event page.
pub fn import(
    corpus: &Corpus,
    page: &Page,
    kind: EventPage,
    vocab: &Vocabulary,
    objects: &mut Objects,
) -> Vec<ImportedEvent> {
    let mut problems = Vec::new();
    let scopes = scopes::of_page(corpus, page);
    if scopes.is_empty() {
        problems.push("no `Scope:` line on the page or an index page above it".to_owned());
    }
    let deprecated = method::is_deprecated(page);
    let mut reader = FieldReader::new(corpus, vocab, objects);
    let events: Vec<(String, Option<String>, Option<Field>)> = match kind {
        EventPage::Single => {
            let (event, spelling) = single_name(page);
            let data = page
                .tables
                .iter()
                .find(|t| t.kind == TableKind::Fields && !under_auth(page, t))
                .and_then(|placed| payload(&mut reader, page, placed));
            vec![(event, spelling, data)]
        }
        EventPage::Several => event_headings(page)
            .map(|(i, name)| {
                let data = section_table(page, i).and_then(|placed| {
                    let fields = reader.read(page, placed, Section::Response);
                    object_of(fields)
                });
                (name.to_owned(), None, data)
            })
            .collect(),
    };
    let reader_problems = reader.take_problems();
    events
        .into_iter()
        .map(|(event, spelling, data)| {
            let mut problems = problems.clone();
            problems.extend(reader_problems.iter().cloned());
            let examples = payload_examples(page, kind, &event);
            let data = match data {
                Some(mut data) => {
                    // The page's examples sharpen loose types.
                    for example in &examples {
                        let value = if example.whole {
                            example.value.get("data").cloned().unwrap_or(Value::Null)
                        } else {
                            example.value.clone()
                        };
                        settle(&mut data, value);
                    }
                    Some(ResultSpec {
                        ty: data.ty,
                        fields: data.fields,
                        values: data.values,
                        format: data.format,
                        paged: false,
                        items: None,
                    })
                }
                None => {
                    problems.push(format!("no described fields of the `data` of `{event}`"));
                    None
                }
            };
            ImportedEvent {
                spec: EventSpec {
                    event,
                    spelling,
                    scopes: scopes.clone(),
                    docs: page.path.clone(),
                    deprecated,
                    data,
                },
                problems,
                from_page: None,
                examples,
            }
        })
        .collect()
}

/// Sharpens `data` with an example of it: loose types as for methods (see [`refine`]),
/// and fields read as `object` for a type name the docs do not define
/// (`userFieldEntityId`) take the scalar type the example shows.
fn settle(data: &mut Field, example: Value) {
    let wrapped: Map<String, Value> = [(data.name.clone(), example)].into_iter().collect();
    refine::refine(std::slice::from_mut(data), &wrapped, refine::Example::Reply);
    if let (Some(fields), Some(Value::Object(members))) =
        (&mut data.fields, wrapped.get(&data.name))
    {
        scalars_for_unknown_names(fields, members);
    }
}

/// See [`settle`]: `object` fields without fields whose example value is a scalar.
fn scalars_for_unknown_names(fields: &mut [Field], example: &Map<String, Value>) {
    for field in fields {
        let Some(value) = example.get(&field.name) else {
            continue;
        };
        match (&mut field.fields, value) {
            (Some(nested), Value::Object(members)) => scalars_for_unknown_names(nested, members),
            (None, scalar) if field.ty == TypeExpr::Primitive(Primitive::Object) => {
                let kind = match scalar {
                    Value::String(_) => Some(Primitive::String),
                    Value::Number(n) if n.is_i64() || n.is_u64() => Some(Primitive::Integer),
                    Value::Number(_) => Some(Primitive::Double),
                    _ => None,
                };
                if let Some(kind) = kind {
                    field.ty = TypeExpr::Primitive(kind);
                }
            }
            _ => {}
        }
    }
}

/// The page's examples of what a handler receives for `event`: whole deliveries (JSON
/// objects with an `event` member and no `handler`, which would make them an
/// `event.bind` call) and, on a page of several events, the examples of `data` in the
/// event's own section.
fn payload_examples(page: &Page, kind: EventPage, event: &str) -> Vec<PayloadExample> {
    let mut out: Vec<PayloadExample> = deliveries(page)
        .filter(|d| {
            kind == EventPage::Single
                || d.get("event")
                    .and_then(Value::as_str)
                    .is_some_and(|e| e.eq_ignore_ascii_case(event))
        })
        .map(|value| PayloadExample {
            whole: true,
            value: Value::Object(value),
        })
        .collect();
    if kind == EventPage::Several
        && let Some((start, _)) = event_headings(page).find(|(_, name)| *name == event)
    {
        for block in section_blocks(page, start) {
            if let Block::Code(code) = block
                && code.lang.starts_with("json")
                && let Ok(Value::Object(data)) = serde_json::from_str(&code.text)
                && !data.contains_key("event")
            {
                out.push(PayloadExample {
                    whole: false,
                    value: Value::Object(data),
                });
            }
        }
    }
    out
}

/// JSON examples that are deliveries: objects with `event` but no `handler`.
fn deliveries(page: &Page) -> impl Iterator<Item = Map<String, Value>> + '_ {
    page.blocks.iter().filter_map(|block| match block {
        Block::Code(code) if code.lang.is_empty() || code.lang.starts_with("json") => {
            match serde_json::from_str::<Value>(&code.text) {
                Ok(Value::Object(members))
                    if members.get("event").is_some_and(Value::is_string)
                        && !members.contains_key("handler") =>
                {
                    Some(members)
                }
                _ => None,
            }
        }
        _ => None,
    })
}

/// `##` headings that are event names in capitals (`ONIMBOTV2MESSAGEADD`), with their
/// block index.
fn event_headings(page: &Page) -> impl Iterator<Item = (usize, &str)> {
    page.blocks
        .iter()
        .enumerate()
        .filter_map(|(i, block)| match block {
            Block::Heading(h) if h.level == 2 && is_capital_event(&h.text) => {
                Some((i, h.text.as_str()))
            }
            _ => None,
        })
}

/// The blocks after the `##` heading at `start`, up to the next `##` heading.
fn section_blocks(page: &Page, start: usize) -> impl Iterator<Item = &Block> {
    page.blocks[start + 1..]
        .iter()
        .take_while(|b| !matches!(b, Block::Heading(h) if h.level <= 2))
}

/// The first fields table in the `##` section starting at `start`.
fn section_table(page: &Page, start: usize) -> Option<&PlacedTable> {
    let end = start + 1 + section_blocks(page, start).count();
    page.tables
        .iter()
        .find(|t| t.kind == TableKind::Fields && (start..end).contains(&t.block))
}

/// Whether a table sits under the `auth` heading (the envelope, not the payload).
fn under_auth(page: &Page, placed: &PlacedTable) -> bool {
    page.heading(placed).is_some_and(|h| h.anchor == "auth")
}

/// `data` from the first table: its `data` row, or, when the table does not list the
/// envelope, an object of the table's fields. `None` when `data` is an object or list
/// without described fields.
fn payload(reader: &mut FieldReader<'_>, page: &Page, placed: &PlacedTable) -> Option<Field> {
    let top = reader.read(page, placed, Section::Response);
    let envelope = ["event", "event_handler_id", "ts", "auth"];
    let data = top.iter().find(|f| f.name.eq_ignore_ascii_case("data"));
    match data {
        Some(data) => {
            let container = matches!(
                data.ty.element(),
                TypeExpr::Primitive(Primitive::Object | Primitive::Array | Primitive::Any)
            );
            let described = data.fields.as_ref().is_some_and(|f| !f.is_empty());
            (described || !container).then(|| Field {
                name: "data".to_owned(),
                ..data.clone()
            })
        }
        None if top.iter().any(|f| envelope.contains(&f.name.as_str())) => None,
        None => object_of(top),
    }
}

/// `data` as an object of `fields`, if there are any.
fn object_of(fields: Vec<Field>) -> Option<Field> {
    (!fields.is_empty()).then(|| Field {
        fields: Some(fields),
        ..Field::new("data", TypeExpr::Primitive(Primitive::Object))
    })
}

/// The wire name (upper case) and mixed-case spelling of a page's one event.
fn single_name(page: &Page) -> (String, Option<String>) {
    // A title may name other words shaped like events (`Event onDeletingRecordFromWaitList
    // onBookingWaitListItemDelete`): the code is its last one.
    let in_title: Vec<String> = page
        .title()
        .map(|t| title_events(t).map(str::to_owned).collect())
        .unwrap_or_default();
    let from_title = in_title.last().cloned();
    let from_example = deliveries(page)
        .find_map(|d| d.get("event").and_then(Value::as_str).map(str::to_owned))
        .filter(|e| is_event_token(e));
    let from_text = stated_code(page);
    let name = from_example
        .clone()
        .or(from_text)
        .or_else(|| from_title.clone())
        .unwrap_or_default();
    let mixed = |s: &String| s.chars().any(|c| c.is_ascii_lowercase());
    let spelling = in_title
        .into_iter()
        .chain(from_example)
        .find(|s| mixed(s) && s.eq_ignore_ascii_case(&name))
        .or_else(|| file_spelling(page, &name));
    (name.to_ascii_uppercase(), spelling)
}

/// The code the `event` row states (``In this case — `ONTASKADD` ``).
fn stated_code(page: &Page) -> Option<String> {
    page.tables.iter().find_map(|placed| {
        page.table(placed).rows.iter().find_map(|row| {
            let cell = row.get(1)?;
            let at = cell.find("In this case")?;
            let rest = &cell[at..];
            let open = rest.find('`')? + 1;
            let close = rest[open..].find('`')? + open;
            let code = &rest[open..close];
            is_event_token(code).then(|| code.to_owned())
        })
    })
}

/// The spelling the file name gives (`on-imbot-join-chat.md` → `onImbotJoinChat`), when
/// it spells `name`.
fn file_spelling(page: &Page, name: &str) -> Option<String> {
    let stem = page.path.rsplit('/').next()?.strip_suffix(".md")?;
    let mut spelling = String::new();
    for (i, word) in stem.split('-').enumerate() {
        let mut chars = word.chars();
        let first = chars.next()?;
        if i == 0 {
            spelling.push(first.to_ascii_lowercase());
        } else {
            spelling.push(first.to_ascii_uppercase());
        }
        spelling.extend(chars);
    }
    let letters = |s: &str| -> String { s.chars().filter(char::is_ascii_alphanumeric).collect() };
    let same = letters(&spelling).eq_ignore_ascii_case(&letters(name));
    // Dotted names (`CATALOG.PRODUCT.ON.ADD`) keep their own form.
    (same && !name.contains('.')).then_some(spelling)
}

/// The words of a title shaped like an event: `onXxx` / `ONXXX`, or a dotted `X.Y.ON.Z`.
fn title_events(title: &str) -> impl Iterator<Item = &str> {
    title
        .split(|c: char| c.is_whitespace() || c == '`' || c == ',' || c == ':')
        .filter(|w| is_event_token(w))
}

/// `onCrmLeadAdd`, `OnTaskAdd`, `ONCRMLEADADD` or `CATALOG.PRODUCT.ON.ADD`.
fn is_event_token(word: &str) -> bool {
    let alnum = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric());
    if word.contains('.') {
        let parts: Vec<&str> = word.split('.').collect();
        return parts.len() >= 3
            && parts.iter().all(|p| alnum(p))
            && parts.contains(&"ON")
            && word.chars().all(|c| !c.is_ascii_lowercase());
    }
    let bytes = word.as_bytes();
    bytes.len() > 3
        && bytes[..2].eq_ignore_ascii_case(b"on")
        && bytes[2].is_ascii_uppercase()
        && alnum(word)
}

/// An event name written in capitals only (`ONIMBOTV2MESSAGEADD`).
fn is_capital_event(text: &str) -> bool {
    is_event_token(text) && !text.chars().any(|c| c.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SINGLE: &str = "# Event onCrmLeadAdd\n\n> Scope: [`crm`](x.md)\n\n## What the Handler Receives\n\n```json\n{\"event\": \"ONCRMLEADADD\", \"data\": {\"FIELDS\": {\"ID\": \"7\"}}, \"ts\": \"1\"}\n```\n\n#|\n|| **parameter**\n`type` | **Description** ||\n|| **event**\n[`string`](x.md) | Code.\n\nIn this case — `ONCRMLEADADD` ||\n|| **data**\n[`object`](x.md) | Data ||\n|| **data.FIELDS**\n[`object`](x.md) | Described [below](#fields) ||\n|| **auth**\n[`object`](x.md) | Described [below](#auth) ||\n|#\n\n### Parameter FIELDS {#fields}\n\n#|\n|| **parameter**\n`type` | **Description** ||\n|| **ID**\n[`integer`](x.md) | Id ||\n|#\n";

    const SEVERAL: &str = "# Event Formats\n\n## Intro\n\n## ONXV2ADD {#onxv2add}\n\n#|\n|| **Field** | **Type** | **Description** ||\n|| **id** | `integer` | Id ||\n|| **tags** | `array` | Tags ||\n|#\n\n### Example Data\n\n```json\n{\"id\": 1, \"tags\": [\"a\"]}\n```\n\n## ONXV2DELETE {#onxv2delete}\n\nNo table.\n";

    fn corpus(pages: &[(&str, &str)]) -> Corpus {
        Corpus {
            pages: pages
                .iter()
                .map(|(path, text)| (path.to_string(), Page::new(path.to_string(), text)))
                .collect(),
        }
    }

    #[test]
    fn a_page_per_event_gives_name_spelling_scope_and_data() {
        let corpus = corpus(&[("a/events/on-crm-lead-add.md", SINGLE)]);
        let page = &corpus.pages["a/events/on-crm-lead-add.md"];
        assert_eq!(event_page(page), Some(EventPage::Single));
        let events = import(
            &corpus,
            page,
            EventPage::Single,
            &Vocabulary::default(),
            &mut Objects::default(),
        );
        assert_eq!(events.len(), 1);
        let spec = &events[0].spec;
        assert_eq!(spec.event, "ONCRMLEADADD");
        assert_eq!(spec.spelling.as_deref(), Some("onCrmLeadAdd"));
        assert_eq!(spec.scopes, ["crm"]);
        let data = spec.data.as_ref().unwrap().fields.as_ref().unwrap();
        assert_eq!(data.len(), 1, "{data:?}");
        assert_eq!(data[0].name, "FIELDS");
        let inner = data[0].fields.as_ref().unwrap();
        assert_eq!(
            (inner[0].name.as_str(), inner[0].ty.to_string()),
            ("ID", "integer".to_owned())
        );
        assert!(events[0].problems.is_empty(), "{:?}", events[0].problems);
        let examples = payload_examples(page, EventPage::Single, "ONCRMLEADADD");
        assert_eq!(examples.len(), 1);
        assert!(examples[0].whole);
    }

    #[test]
    fn a_page_of_several_events_reads_each_section_and_takes_the_index_scope() {
        let corpus = corpus(&[
            ("b/events/events.md", SEVERAL),
            (
                "b/events/index.md",
                "# Events\n\n> Scope: [`imbot`](x.md)\n",
            ),
        ]);
        let page = &corpus.pages["b/events/events.md"];
        assert_eq!(event_page(page), Some(EventPage::Several));
        assert_eq!(event_page(&corpus.pages["b/events/index.md"]), None);
        let events = import(
            &corpus,
            page,
            EventPage::Several,
            &Vocabulary::default(),
            &mut Objects::default(),
        );
        let names: Vec<&str> = events.iter().map(|e| e.spec.event.as_str()).collect();
        assert_eq!(names, ["ONXV2ADD", "ONXV2DELETE"]);
        assert_eq!(events[0].spec.scopes, ["imbot"]);
        // The example sharpens `array` to a list of strings.
        let data = events[0]
            .spec
            .data
            .as_ref()
            .unwrap()
            .fields
            .as_ref()
            .unwrap();
        assert_eq!(data[1].ty.to_string(), "string[]");
        assert_eq!(events[1].spec.data, None);
        assert_eq!(
            events[1].problems,
            ["no described fields of the `data` of `ONXV2DELETE`"]
        );
        let examples = payload_examples(page, EventPage::Several, "ONXV2ADD");
        assert_eq!(examples.len(), 1);
        assert!(!examples[0].whole);
    }

    #[test]
    fn the_title_word_that_spells_the_code_is_the_spelling() {
        let page = SINGLE.replace(
            "# Event onCrmLeadAdd",
            "# Event onSomethingElse onCrmLeadAdd",
        );
        let corpus = corpus(&[("a/events/lead-added.md", &page)]);
        let page = &corpus.pages["a/events/lead-added.md"];
        let (name, spelling) = single_name(page);
        assert_eq!(name, "ONCRMLEADADD");
        assert_eq!(spelling.as_deref(), Some("onCrmLeadAdd"));
    }

    #[test]
    fn event_words() {
        for word in [
            "onCrmLeadAdd",
            "OnTaskAdd",
            "ONIMBOTV2DELETE",
            "CATALOG.PRICE.TYPE.ON.ADD",
        ] {
            assert!(is_event_token(word), "{word}");
        }
        for word in [
            "On",
            "Online",
            "event.bind",
            "catalog.price.on.add",
            "ONE.TWO",
        ] {
            assert!(!is_event_token(word), "{word}");
        }
    }
}
