//! Turning one method page into a method spec.

use super::conventions;
use super::corpus::{Corpus, Page, Section};
use super::errors;
use super::examples;
use super::fields::{self, FieldReader};
use super::literal;
use super::objects::Objects;
use super::refine;
use super::scopes;
use super::table::{self, TableKind};
use super::types::{Vocabulary, is_concrete_result};
use super::typescript;
use super::yfm::Block;
use crate::spec::{ApiVersion, ErrorSpec, Field, MethodSpec, Primitive, ResultSpec, TypeExpr};

/// A spec read from a page, with what could not be read.
#[derive(Debug, Clone)]
pub struct ImportedMethod {
    /// The spec.
    pub spec: MethodSpec,
    /// Parts of the page that could not be read, each a short reason.
    pub problems: Vec<String>,
    /// The example reply (JSON text), when the page shows one.
    pub response_example: Option<String>,
    /// The parameters (JSON text) of the page's first example call read whole (no value
    /// in it code or a placeholder), the cURL one when shown.
    pub request_example: Option<String>,
    /// The spec as read from the page, when an override changed it.
    pub from_page: Option<MethodSpec>,
    /// Whether the result's shape comes from the example reply alone (the page gives a
    /// loose type and no fields): a sibling's documented record is worth more.
    pub result_shown_by_example: bool,
    /// The method whose reply the page says this one's is like ("a result similar to
    /// the request [rpa.fields.getSettings](…)").
    pub result_like: Option<String>,
    /// The result type the page's TypeScript examples declare, as a `result` field;
    /// `None` also when the reply section says in words what a table would.
    pub declared_result: Option<Field>,
    /// What that declaration filled in of what the page, its example reply and its
    /// siblings leave open: `result`, or paths of members (`result.items`).
    pub filled_by_declaration: Vec<String>,
}

/// The method a page documents: the last method-like token of its title, checked
/// against the URL of its cURL example.
pub fn method_name(page: &Page) -> Option<String> {
    naming(page).map(|n| n.name)
}

/// How a page names its method: in its title and in the call its example makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Naming {
    /// The wire name chosen.
    pub name: String,
    /// The method-like token of the title, if any.
    pub title: Option<String>,
    /// The method the webhook cURL example calls, if any.
    pub call: Option<String>,
}

impl Naming {
    /// Whether the title and the call name different methods (one extending the other,
    /// `im.recent` titled and `im.recent.pin` called, is a refinement, not a conflict).
    pub fn disagrees(&self) -> bool {
        match (&self.title, &self.call) {
            // The server reads method names in any letter case.
            (Some(title), Some(call)) => {
                !title.eq_ignore_ascii_case(call) && !call.starts_with(&format!("{title}."))
            }
            _ => false,
        }
    }
}

/// How a page names its method (see [`Naming`]), or `None` for a page that documents
/// none.
///
/// The title's name wins, unless the call refines it (`im.recent` titled, `im.recent.pin`
/// called) or the call is what the page's file is named after and the title is not
/// (a typo in the title, `humanresourses.employee.search`, or an old name,
/// `ctrigger.delete` on `crm-automation-trigger-delete.md`): the server answers to the
/// name the call uses.
pub fn naming(page: &Page) -> Option<Naming> {
    let title = page.title()?;
    // A method page has the sections of one (parameters, examples, the reply) or at
    // least a scope line.
    let has_method_sections = page.blocks.iter().any(|b| match b {
        Block::Heading(h) if h.level <= 3 => {
            let t = h.text.to_lowercase();
            t.contains("parameters")
                || t == "code examples"
                || t.starts_with("response")
                || t == "returned data"
        }
        Block::Quote(q) => q.starts_with("Scope"),
        _ => false,
    });
    if !has_method_sections {
        return None;
    }
    let call = called_method(page);
    let from_title = title
        .split(|c: char| {
            c.is_whitespace() || c == '`' || c == ',' || c == ':' || c == '(' || c == ')'
        })
        .rfind(|t| is_method_name(t))
        .map(str::to_owned);
    let name = match (&from_title, &call) {
        // A title in words only: the method its cURL example calls, when the page is
        // named after it (`methods.md`, `crm-requisite-fields.md`); other pages only show
        // a call.
        (None, call) => call.clone().filter(|name| file_matches(page, name))?,
        (Some(title), Some(call))
            if call.starts_with(&format!("{title}."))
                || (file_matches(page, call) && !file_matches(page, title)) =>
        {
            call.clone()
        }
        (Some(title), _) => title.clone(),
    };
    Some(Naming {
        name,
        title: from_title,
        call,
    })
}

fn is_method_name(token: &str) -> bool {
    token.contains('.') && is_name(token)
}

/// A wire method name, possibly of one segment (`methods`, `scope`).
fn is_name(token: &str) -> bool {
    let starts_lower = token.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    starts_lower
        && !token.ends_with(".md")
        && token
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

/// The method the webhook cURL example calls (the last segment of its URL).
fn called_method(page: &Page) -> Option<String> {
    page.blocks.iter().find_map(|b| match b {
        Block::Code(code) if code.lang.starts_with("curl") || code.lang == "bash" => code
            .text
            .lines()
            .find(|l| l.trim_start().starts_with("https://") && l.contains("/rest/"))
            .and_then(|l| {
                l.trim()
                    .trim_end_matches(['\'', '"', '\\', ' '])
                    .rsplit('/')
                    .next()
            })
            .map(|m| without_format(m.split('?').next().unwrap_or(m).trim()).to_owned())
            .filter(|m| is_name(m)),
        _ => None,
    })
}

/// A method name without the reply format a URL may append (`ai.engine.list.json`):
/// the format is not part of the name.
fn without_format(name: &str) -> &str {
    [".json", ".xml"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .unwrap_or(name)
}

/// How well a page's file name matches the method (`crm-item-add.md` for `crm.item.add`):
/// of two pages documenting one method, the better match is its own page.
pub fn file_matches(page: &Page, name: &str) -> bool {
    let stem = page
        .path
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .trim_end_matches(".md");
    let stem: String = stem.chars().filter(char::is_ascii_alphanumeric).collect();
    let name: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
    stem.eq_ignore_ascii_case(&name)
}

/// The REST version a method page documents: 3.0 when its path says so or its examples
/// call `/rest/api/`.
pub fn api_version(page: &Page) -> ApiVersion {
    let v3 = page.path.contains("rest-v3")
        || page
            .blocks
            .iter()
            .any(|b| matches!(b, Block::Code(c) if c.text.contains("/rest/api/")));
    if v3 { ApiVersion::V3 } else { ApiVersion::V2 }
}

/// Reads a method page.
pub fn import(
    corpus: &Corpus,
    page: &Page,
    name: String,
    vocab: &Vocabulary,
    objects: &mut Objects,
) -> ImportedMethod {
    let mut problems = Vec::new();
    let api = api_version(page);
    let scopes = scopes::of_page(corpus, page);
    if scopes.is_empty() {
        problems.push("no `Scope:` line".to_owned());
    }
    let mut reader = FieldReader::new(corpus, vocab, objects);

    // Parameters: the first fields table of the parameters section, or failing that of
    // the page head (some short pages have no `##` headings).
    let param_table = page
        .field_tables(Section::Params)
        .next()
        .or_else(|| page.field_tables(Section::Head).next());
    let examples = examples::requests(page, &name);
    let mut params = match param_table {
        Some(placed) => reader.read(page, placed, Section::Params),
        None => {
            if !page_says_no_params(page) && !links_list_conventions(page) {
                problems.push("no parameter table".to_owned());
            }
            Vec::new()
        }
    };

    // Examples read in part still show the types of what was read.
    if links_list_conventions(page) {
        conventions::add_list_params(&mut params);
    }
    let untyped = param_table.is_some_and(|placed| !table::has_types(page.table(placed)));
    for example in &examples {
        refine::refine(&mut params, &example.params, refine::Example::Sent);
        if untyped {
            refine::type_untyped(&mut params, &example.params);
        }
    }
    let request_example = examples
        .iter()
        .find(|e| e.whole)
        .map(|e| serde_json::Value::Object(e.params.clone()).to_string());
    // The example reply, parsed once; kept as text for the checks of the types.
    let (response_example, reply) = example_reply(page, &mut problems);
    let (mut result, result_problem, mut shown_by_example) =
        result_spec(&mut reader, page, reply.as_ref());
    problems.extend(reader.take_problems());
    if let Some(reply) = &reply {
        let mut field = result.as_field();
        let example: serde_json::Map<String, serde_json::Value> =
            [("result".to_owned(), reply["result"].clone())]
                .into_iter()
                .collect();
        refine::refine(
            std::slice::from_mut(&mut field),
            &example,
            refine::Example::Reply,
        );
        // A `*.fields` method describes each field; the page may type its reply as the
        // record itself.
        if conventions::lists_fields(&name) {
            conventions::field_descriptions(&mut field, &reply["result"]);
        }
        let described = is_concrete_result(&field.ty, field.fields.as_deref());
        let described_shape = field.clone();
        refine::reply_shape(&mut field, &reply["result"], &|n| objects.fields(n));
        // A record the reply shape has just wrapped (`{"numerator": {…}}`) meets its
        // example only now: refined by it, then its own fields shaped by it.
        if field != described_shape {
            refine::refine(
                std::slice::from_mut(&mut field),
                &example,
                refine::Example::Reply,
            );
            refine::reply_shape(&mut field, &reply["result"], &|n| objects.fields(n));
        }
        shown_by_example |= !described && is_concrete_result(&field.ty, field.fields.as_deref());
        result.ty = field.ty;
        result.fields = field.fields;
        result.values = field.values;
        result.format = field.format;
    }
    problems.extend(result_problem);
    let spec = MethodSpec {
        method: name.clone(),
        api,
        scopes: if scopes.is_empty() {
            vec![name.split('.').next().unwrap_or("basic").to_lowercase()]
        } else {
            scopes
        },
        access: None,
        docs: page.path.clone(),
        deprecated: is_deprecated(page),
        // REST 3.0 methods cannot run inside `batch`, nor can `batch` itself.
        batch: name != "batch" && api == ApiVersion::V2,
        safe_to_repeat: is_read_only(&name),
        params,
        result,
        errors: error_specs(page),
        fast_listing: None,
    };
    ImportedMethod {
        spec,
        problems,
        response_example,
        request_example,
        from_page: None,
        result_shown_by_example: shown_by_example,
        result_like: result_like(page),
        // Filled in once the siblings have given theirs.
        declared_result: declared_result(page, &name),
        filled_by_declaration: Vec::new(),
    }
}

/// The result type the page's TypeScript examples declare for `method`, unless the
/// reply section says in words what a table would ("a file is returned"): the words
/// stand, the declaration does not. (An example reply and its HTTP status are no words.)
fn declared_result(page: &Page, method: &str) -> Option<Field> {
    let described = page.field_tables(Section::Response).next().is_some();
    let in_words = !described
        && page
            .blocks_in(Section::Response)
            .any(|b| matches!(b, Block::Text(t) if !errors::is_status_line(t)));
    if in_words {
        return None;
    }
    let (ty, fields) = typescript::result_type(page, method)?;
    Some(Field {
        fields,
        ..Field::new("result", ty)
    })
}

/// The method the reply section says the reply is like: the first link written as a
/// method name after "similar to" in its text ("Returns a response similar to the
/// [rpa.type.get](./rpa-type-get.md) method").
fn result_like(page: &Page) -> Option<String> {
    page.blocks_in(Section::Response).find_map(|block| {
        let Block::Text(text) = block else {
            return None;
        };
        // ASCII lower case keeps byte offsets, so `at` indexes `text` too.
        let at = text.to_ascii_lowercase().find("similar to ")?;
        let after = &text[at..];
        let open = after.find('[')?;
        let close = after[open..].find("](")? + open;
        let name = after[open + 1..close].trim_matches('`');
        let method_like = name.contains('.')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_');
        method_like.then(|| name.to_owned())
    })
}

/// Whether the parameters section (or the head of a page without one) refers to the
/// description of list methods for the parameters every list method takes.
fn links_list_conventions(page: &Page) -> bool {
    page.blocks_in(Section::Params)
        .chain(page.blocks_in(Section::Head))
        .any(|block| matches!(block, Block::Text(t) if t.contains(conventions::LIST_METHODS_PAGE)))
}

/// A page that states it takes no parameters: its parameters section has text but no table.
fn page_says_no_params(page: &Page) -> bool {
    const SAYS_NONE: [&str; 6] = [
        "without parameters",
        "no parameters",
        "does not accept",
        "doesn't accept",
        "does not take",
        "has no parameters",
    ];
    page.blocks_in(Section::Params).any(|block| match block {
        Block::Text(t) => {
            let t = t.to_lowercase();
            SAYS_NONE.iter().any(|phrase| t.contains(phrase))
        }
        _ => false,
    })
}

/// Deprecated: under an `outdated/` or `deprecated/` folder, or a deprecation note
/// before the first section.
pub(super) fn is_deprecated(page: &Page) -> bool {
    if page.path.contains("/outdated/") || page.path.contains("deprecated/") {
        return true;
    }
    for block in &page.blocks {
        match block {
            Block::Heading(h) if h.level == 2 => return false,
            Block::Text(t) if t.starts_with("{% note") => {
                let t = t.to_lowercase();
                if t.contains("deprecated")
                    || t.contains("discontinued")
                    || t.contains("development has been halted")
                {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// Methods whose last name segment reads: calling them twice is harmless.
fn is_read_only(name: &str) -> bool {
    let last = name.rsplit('.').next().unwrap_or_default().to_lowercase();
    // `get…` and `list…` (getFields, getList, listAll) are covered by the prefixes below.
    const READ: [&str; 8] = [
        "fields", "current", "search", "count", "info", "version", "status", "access",
    ];
    READ.contains(&last.as_str())
        || last.starts_with("get")
        || last.starts_with("list")
        || last.ends_with("list")
}

/// The result: the `result` row of the first table of the reply section and its fields;
/// why the page does not describe it so, if it does not; and whether the example reply
/// alone gave it a concrete type.
fn result_spec(
    reader: &mut FieldReader<'_>,
    page: &Page,
    reply: Option<&serde_json::Value>,
) -> (ResultSpec, Option<String>, bool) {
    let shown = reply.and_then(|r| r.get("result"));
    let Some(placed) = page.field_tables(Section::Response).next() else {
        // Without a table, the example reply is all the page says of the result.
        if let Some(value) = shown {
            let (ty, fields) = match value {
                serde_json::Value::Null => (TypeExpr::Null, None),
                _ => refine::shown_value(value),
            };
            let counted = ["total", "next"]
                .iter()
                .any(|k| reply.as_ref().is_some_and(|r| r.get(k).is_some()));
            let paged = counted && matches!(ty, TypeExpr::List(_));
            let result = ResultSpec {
                ty,
                fields,
                values: None,
                format: None,
                paged,
                items: None,
            };
            let by_example = is_concrete_result(&result.ty, result.fields.as_deref());
            return (
                result,
                Some("no result table; typed by the example reply".to_owned()),
                by_example,
            );
        }
        // A `*.fields` page whose words say it returns field descriptions.
        let words = page.blocks_in(Section::Head).any(
            |block| matches!(block, Block::Text(t) if conventions::says_it_describes_fields(t)),
        );
        if words && method_name(page).is_some_and(|m| conventions::lists_fields(&m)) {
            let result = ResultSpec {
                ty: TypeExpr::Map(Box::new(TypeExpr::Primitive(Primitive::FieldDescription))),
                ..untyped_result()
            };
            return (
                result,
                Some("no result table; field descriptions, as its words say".to_owned()),
                false,
            );
        }
        return (untyped_result(), Some("no result table".to_owned()), false);
    };
    let top = reader.read(page, placed, Section::Response);
    // REST 3.0 replies have no `total` or `next` beside `result`: rows so named are its.
    let envelope: &[&str] = match api_version(page) {
        ApiVersion::V2 => &["time", "total", "next"],
        ApiVersion::V3 => &["time"],
    };
    let paged_reply = top
        .iter()
        .any(|f| envelope.contains(&f.name.as_str()) && (f.name == "total" || f.name == "next"));
    // Rows other than `result` and the envelope are fields of `result` when `result`
    // itself has none ("root element" tables list its fields beside it).
    let siblings: Vec<Field> = top
        .iter()
        .filter(|f| f.name != "result" && !envelope.contains(&f.name.as_str()))
        .cloned()
        .collect();
    let mut result = match top.iter().find(|f| f.name == "result") {
        Some(field) => field.clone(),
        None if siblings.is_empty() => {
            return (
                untyped_result(),
                Some("result table has no `result` row".to_owned()),
                false,
            );
        }
        None => Field::new("result", TypeExpr::Primitive(Primitive::Object)),
    };
    let container = matches!(
        result.ty.element(),
        TypeExpr::Primitive(Primitive::Object | Primitive::Array)
    );
    if result.fields.is_none() && container && !siblings.is_empty() {
        result.fields = Some(siblings);
    }
    // Whether `result` is one object or a list of them, the example reply tells best
    // (a map keyed by the caller stays one).
    if result.fields.is_some()
        && !matches!(result.ty, TypeExpr::Map(_))
        && let Some(kind) = shown.and_then(json_kind)
    {
        result.ty = match kind {
            JsonKind::Object => TypeExpr::Primitive(Primitive::Object),
            JsonKind::List => TypeExpr::List(Box::new(TypeExpr::Primitive(Primitive::Object))),
        };
    } else if result.fields.is_some() && result.ty == TypeExpr::Primitive(Primitive::Array) {
        result.ty = TypeExpr::List(Box::new(TypeExpr::Primitive(Primitive::Object)));
    }
    // A record an included fragment describes is one shared type, whichever page
    // includes it (the calendar event of `calendar.event.get`, `.getbyid`, `.get.nearest`).
    let object = TypeExpr::Primitive(Primitive::Object);
    if let Some(fragment) = &placed.fragment
        && let Some(fields) = result.fields.clone()
        && *result.ty.element() == object
        && let Some(name) = reader.included_object(fragment, page, fields)
    {
        result.ty = fields::with_element(result.ty.clone(), TypeExpr::Name(name));
        result.fields = None;
    }
    // A paged reply is a list, of anything when the page does not say of what.
    if paged_reply && result.ty == TypeExpr::Primitive(Primitive::Array) {
        result.ty = TypeExpr::List(Box::new(TypeExpr::Primitive(Primitive::Any)));
    }
    // A result the table leaves open and the example shows as `null` is always `null`
    // ("Root element of the response, equal to `null`").
    if result.ty == TypeExpr::Primitive(Primitive::Any)
        && result.fields.is_none()
        && shown.is_some_and(serde_json::Value::is_null)
    {
        result.ty = TypeExpr::Null;
    }
    let paged = paged_reply && matches!(result.ty, TypeExpr::List(_));
    (
        ResultSpec {
            ty: result.ty,
            fields: result.fields,
            values: result.values,
            format: result.format,
            paged,
            items: None,
        },
        None,
        false,
    )
}

/// A result the page does not describe: any JSON.
fn untyped_result() -> ResultSpec {
    ResultSpec {
        ty: TypeExpr::Primitive(Primitive::Any),
        fields: None,
        values: None,
        format: None,
        paged: false,
        items: None,
    }
}

/// The JSON kind of a value.
enum JsonKind {
    Object,
    List,
}

/// Whether an example's `result` is an object or a list (a PHP-style object keyed `"0"`,
/// `"1"`, … counts as a list); `None` for anything else.
fn json_kind(result: &serde_json::Value) -> Option<JsonKind> {
    match result {
        serde_json::Value::Array(items)
            if items.iter().all(serde_json::Value::is_object) && !items.is_empty() =>
        {
            Some(JsonKind::List)
        }
        serde_json::Value::Object(map) if !map.is_empty() => {
            if map.keys().all(|k| k.parse::<u64>().is_ok())
                && map.values().all(serde_json::Value::is_object)
            {
                Some(JsonKind::List)
            } else {
                Some(JsonKind::Object)
            }
        }
        _ => None,
    }
}

/// Every error table of the errors section, with the status the section states for its
/// error example (`HTTP status: **400**`) when the table has no status column.
fn error_specs(page: &Page) -> Vec<ErrorSpec> {
    let mut out: Vec<ErrorSpec> = Vec::new();
    let mut status = None;
    for block in page.blocks_in(Section::Errors) {
        match block {
            Block::Heading(h) if h.level == 2 => status = None,
            Block::Text(t) if errors::is_status_line(t) => status = errors::stated_status(t),
            Block::Table(t) if super::table::kind(t) == TableKind::Errors => {
                for e in errors::read(t, status) {
                    if !out.contains(&e) {
                        out.push(e);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The page's example reply, as text (for the checks of the types) and parsed, read
/// past the slips some pages make, each reported in `problems`: an elided reply (`...`),
/// a result shown without its envelope, the envelope's `time` inside `result`.
fn example_reply(
    page: &Page,
    problems: &mut Vec<String>,
) -> (Option<String>, Option<serde_json::Value>) {
    let text = response_example(page);
    let mut reply = text
        .as_deref()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok());
    let read_whole = reply.is_some();
    if reply.is_none()
        && let Some(elided) = text.as_deref().and_then(literal::parse_complete)
    {
        problems.push(
            "the example reply elides part of itself (`...`); read without the elision".to_owned(),
        );
        reply = Some(elided);
    }
    if reply.is_none()
        && let Some(bare) = bare_result_example(page)
    {
        problems.push(
            "the example reply shows the result without its envelope; read as `result`".to_owned(),
        );
        reply = Some(serde_json::json!({ "result": bare }));
    }
    let moved = reply.as_mut().is_some_and(move_time_beside_result);
    if moved {
        problems.push(
            "the example reply has the envelope's `time` inside `result`; read as sent, beside it"
                .to_owned(),
        );
    }
    // A reply read past a slip is kept as read; the page's own text otherwise.
    let text = match &reply {
        Some(read) if !read_whole || moved => Some(format!("{read:#}")),
        _ => text,
    };
    (text, reply)
}

/// Puts the envelope's `time` back beside `result` when the example shows it inside (a
/// misplaced brace: `tasks.task.approve` and its siblings end `result` with `"time":
/// {"start": …, "finish": …, "duration": …}` and have no `time` of their own). Whether it
/// moved it.
fn move_time_beside_result(reply: &mut serde_json::Value) -> bool {
    let Some(reply) = reply.as_object_mut() else {
        return false;
    };
    if reply.contains_key("time") {
        return false;
    }
    let Some(result) = reply.get_mut("result").and_then(|r| r.as_object_mut()) else {
        return false;
    };
    let envelope = result
        .get("time")
        .and_then(|t| t.as_object())
        .is_some_and(|t| {
            ["start", "finish", "duration"]
                .iter()
                .all(|k| t.contains_key(*k))
        });
    let Some(time) = envelope.then(|| result.remove("time")).flatten() else {
        return false;
    };
    reply.insert("time".to_owned(), time);
    true
}

/// The one JSON object (or list of objects) the reply section shows when it is not a
/// whole reply: the result without the `result` and `time` around it
/// (`{"comment": {…}}`, `[{"id": 1}, …]`). None when the section shows several, or one
/// naming the envelope's or an error's members.
fn bare_result_example(page: &Page) -> Option<serde_json::Value> {
    let mut shown = page
        .blocks_in(Section::Response)
        .filter_map(|block| match block {
            // JSON, or a JavaScript literal some pages write as JSON (`{ID: 0}`).
            Block::Code(code) if code.lang.starts_with("json") => {
                serde_json::from_str::<serde_json::Value>(&code.text)
                    .ok()
                    .or_else(|| literal::parse_complete(&code.text))
            }
            _ => None,
        });
    let value = shown.next()?;
    let envelope = [
        "result",
        "time",
        "error",
        "error_description",
        "total",
        "next",
    ];
    // An object, or a list of objects (the rows of a list), none of them a reply.
    let objects: Vec<&serde_json::Map<String, serde_json::Value>> = match &value {
        serde_json::Value::Array(items) => {
            items.iter().map(|i| i.as_object()).collect::<Option<_>>()?
        }
        other => vec![other.as_object()?],
    };
    (shown.next().is_none()
        && objects.iter().all(|members| {
            !members.is_empty() && !members.keys().any(|k| envelope.contains(&k.as_str()))
        })
        && !objects.is_empty())
    .then_some(value)
}

/// The first JSON object of the reply section with a `result` member.
fn response_example(page: &Page) -> Option<String> {
    page.blocks_in(Section::Response)
        .find_map(|block| match block {
            Block::Code(code)
                if code.lang.starts_with("json")
                    && code.text.trim_start().starts_with('{')
                    && code.text.contains("\"result\"") =>
            {
                Some(code.text.clone())
            }
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// The result of a page whose reply table is `rows` (none: no table), with `example`.
    fn result_of(rows: Option<&str>, example: &str) -> ResultSpec {
        let table = rows.map_or(String::new(), |rows| {
            format!("#|\n|| **Name**\n`type` | **Description** ||\n{rows}|#\n")
        });
        let text = format!("# Delete a thing a.delete\n\n## Response Handling\n\n{table}");
        let page = Page::new("docs/a-delete.md".to_owned(), &text);
        let corpus = Corpus {
            pages: BTreeMap::new(),
        };
        let vocab = Vocabulary::default();
        let mut objects = Objects::default();
        let mut reader = FieldReader::new(&corpus, &vocab, &mut objects);
        let reply = serde_json::from_str(example).ok();
        result_spec(&mut reader, &page, reply.as_ref()).0
    }

    const NULL_REPLY: &str = r#"{"result": null, "time": {"start": 1.0}}"#;

    #[test]
    fn the_envelope_time_an_example_shows_inside_result_is_put_beside_it() {
        let time = r#"{"start": 1.0, "finish": 2.0, "duration": 1.0}"#;
        let slipped = format!(r#"{{"result": {{"task": {{"id": "1"}}, "time": {time}}}}}"#);
        let parse = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap();
        let mut fixed = parse(&slipped);
        assert!(move_time_beside_result(&mut fixed));
        assert_eq!(fixed["result"], serde_json::json!({"task": {"id": "1"}}));
        assert_eq!(fixed["time"]["finish"], serde_json::json!(2.0));
        // A reply with its own `time`, or a result member `time` of another shape, stays.
        for text in [
            format!(r#"{{"result": {{"time": {time}}}, "time": {time}}}"#),
            r#"{"result": {"time": {"start": "09:00"}}}"#.to_owned(),
        ] {
            let mut reply = parse(&text);
            assert!(!move_time_beside_result(&mut reply));
            assert_eq!(reply, parse(&text));
        }
    }

    #[test]
    fn a_reply_section_showing_only_the_result_is_read_as_the_result() {
        let literal = Page::new(
            "docs/a-get.md".to_owned(),
            "# Get a.get\n\n## Result:\n\n```json\n{ID: 0, NAME: \"Default\"}\n```\n",
        );
        assert_eq!(
            bare_result_example(&literal),
            Some(serde_json::json!({"ID": 0, "NAME": "Default"}))
        );
        let page = |blocks: &str| {
            let text = format!("# Add a thing a.add\n\n## Response Handling\n\n{blocks}");
            Page::new("docs/a-add.md".to_owned(), &text)
        };
        let json = |text: &str| format!("```json\n{text}\n```\n\n");
        let bare = page(&json(r#"{"comment": {"id": 350}}"#));
        assert_eq!(
            bare_result_example(&bare),
            Some(serde_json::json!({"comment": {"id": 350}}))
        );
        let rows = page(&json(r#"[{"id": 1}, {"id": 3}]"#));
        assert_eq!(
            bare_result_example(&rows),
            Some(serde_json::json!([{"id": 1}, {"id": 3}]))
        );
        // A whole reply, an error, or one of several examples is not the result alone.
        for blocks in [
            json(r#"{"result": {"id": 1}, "time": {"start": 1.0}}"#),
            json(r#"{"error": "NOT_FOUND", "error_description": "Not found"}"#),
            json("{}"),
            json("[]"),
            json(r#"[{"id": 1}, 5]"#),
            format!("{}{}", json(r#"{"a": 1}"#), json(r#"{"b": 2}"#)),
        ] {
            assert_eq!(bare_result_example(&page(&blocks)), None, "{blocks}");
        }
    }

    #[test]
    fn a_typescript_declaration_counts_unless_the_reply_section_says_it_in_words() {
        let page = |reply: &str| {
            let text = format!(
                "# Download a.download\n\n## Code Examples\n\n```ts\nconst r = await $b24.actions.v2.call.make<boolean>({{\n  method: 'a.download',\n}})\n```\n\n{reply}"
            );
            Page::new("docs/a-download.md".to_owned(), &text)
        };
        let declared = |reply: &str| declared_result(&page(reply), "a.download").map(|f| f.ty);
        let boolean = Some(TypeExpr::Primitive(Primitive::Boolean));
        assert_eq!(declared(""), boolean, "no reply section");
        let table = "## Response Handling\n\n#|\n|| **Name**\n`type` | **Description** ||\n|| **result**\n[`object`](../data-types.md) | The result ||\n|#\n";
        assert_eq!(declared(table), boolean, "a table it may fill in");
        assert_eq!(
            declared("## Response Handling\n\nA file is returned.\n"),
            None
        );
        let unread_example =
            "## Response Handling\n\nHTTP Status: **200**\n\n```json\nArray\n(\n)\n```\n";
        assert_eq!(
            declared(unread_example),
            boolean,
            "an example the importer cannot read"
        );
    }

    #[test]
    fn a_reply_said_to_be_like_another_methods_names_it() {
        let like = |words: &str| {
            let text = format!("# Add a thing a.add\n\n## Response Handling\n\n{words}\n");
            result_like(&Page::new("docs/a-add.md".to_owned(), &text))
        };
        assert_eq!(
            like("Returns a response similar to the [rpa.type.get](./rpa-type-get.md) method."),
            Some("rpa.type.get".to_owned())
        );
        assert_eq!(
            like("A result similar to the call of the method [`rpa.item.get`](./g.md)."),
            Some("rpa.item.get".to_owned())
        );
        // A link that is not a method, or no likeness, names none.
        assert_eq!(like("Similar to the [element list](./list.md)."), None);
        assert_eq!(like("See [rpa.type.get](./rpa-type-get.md)."), None);
    }

    #[test]
    fn rest_3_replies_keep_total_inside_result() {
        let rows = "|| **result**\n`object` | Data ||\n|| **items**\n`array` | Rows ||\n\
            || **total**\n`integer` | Count ||\n|| **time**\n`time` | Timing ||\n";
        let table = format!("#|\n|| **Name**\n`type` | **Description** ||\n{rows}|#\n");
        let text = format!("# Count a.count\n\n## Response Handling\n\n{table}");
        let read = |path: &str| {
            let page = Page::new(path.to_owned(), &text);
            let corpus = Corpus {
                pages: BTreeMap::new(),
            };
            let vocab = Vocabulary::default();
            let mut objects = Objects::default();
            let mut reader = FieldReader::new(&corpus, &vocab, &mut objects);
            let result = result_spec(&mut reader, &page, None).0;
            let names: Vec<String> = result
                .fields
                .iter()
                .flatten()
                .map(|f| f.name.clone())
                .collect();
            (names, result.paged)
        };
        // REST 2 sends `total` beside `result`, REST 3.0 inside it.
        assert_eq!(read("docs/a-count.md"), (vec!["items".to_owned()], false));
        assert_eq!(
            read("docs/a-count-rest-v3.md"),
            (vec!["items".to_owned(), "total".to_owned()], false)
        );
    }

    #[test]
    fn a_result_the_page_shows_only_as_null_is_null() {
        let null_row = "|| **result**\n`null` | Equal to `null` ||\n";
        assert_eq!(result_of(Some(null_row), NULL_REPLY).ty, TypeExpr::Null);
        assert_eq!(result_of(None, NULL_REPLY).ty, TypeExpr::Null);
        // A typed row, or an example of another value, keeps what they say.
        let bool_row = "|| **result**\n`boolean` | Success ||\n";
        let bool_result = result_of(Some(bool_row), NULL_REPLY).ty;
        assert_eq!(bool_result, TypeExpr::Primitive(Primitive::Boolean));
        let true_reply = r#"{"result": true}"#;
        assert_ne!(result_of(Some(null_row), true_reply).ty, TypeExpr::Null);
    }
}
