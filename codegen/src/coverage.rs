//! How much of an example reply the generated types keep and check, computed from the IR
//! (the specs with every Rust type decided), so it needs no generated crate.
//!
//! A [`Walker`] reads a reply's `result` the way the method's generated response type and
//! the runtime's wire adapters read it (PHP's lenient forms included: `"42"` for an
//! integer, `[]` for an empty object, a list as an object keyed `"0"`, `"1"`, …), and
//! records:
//!
//! - whether the type reads the reply at all ([`Reading::decodes`]);
//! - for every key of every object a struct reads, what becomes of it ([`Fate`]): a typed
//!   field, a key of a declared wildcard (`UF_*`), a key only the struct's catch-all map
//!   keeps, or a key dropped;
//! - for every scalar (string, number, boolean), whether a type checks it: whether the
//!   reply with that scalar replaced by [`mutation`] (an object) would be rejected;
//! - shape failures: a non-empty object of which the struct reading it recognises no key.
//!
//! [`Report`] does this for the example reply of every imported method page; `cargo xtask
//! stats` prints it and `tests/doc_examples.rs` holds the walker to the generated
//! decoder, mutation by mutation.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::LazyLock;

use serde_json::Value;

use crate::import::Import;
use crate::ir::{Crate, Method, Struct, StructField, Ty, TypeDef, TypeRef, Wildcards};
use crate::spec::ApiVersion;

/// The value a scalar is replaced by to see whether its type checks it: an empty object,
/// which no scalar type reads and every struct, list and map does.
pub fn mutation() -> Value {
    Value::Object(serde_json::Map::new())
}

/// The `result` member of an example reply (JSON text); `None` when the text is not
/// JSON, an error when it is JSON without a `result`.
pub fn reply_result(example: &str) -> Option<Result<Value, String>> {
    let reply: Value = serde_json::from_str(example).ok()?;
    Some(match reply {
        Value::Object(mut members) => members
            .remove("result")
            .ok_or_else(|| "the example reply has no `result` member".to_owned()),
        _ => Err("the example reply is not a JSON object".to_owned()),
    })
}

/// What becomes of a key of an object that a generated struct reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fate {
    /// Read by a field of the struct (under its name or an alias).
    Typed,
    /// Kept in the struct's map of a declared wildcard (`UF_*`) that the key matches.
    Wildcard,
    /// Kept only by the struct's catch-all map, matching no declared wildcard.
    CatchAll,
    /// Ignored: the struct has no field for it and no map.
    Dropped,
}

impl Fate {
    /// Whether the key survives as data of the type: typed or under a declared wildcard.
    pub fn kept(self) -> bool {
        matches!(self, Fate::Typed | Fate::Wildcard)
    }
}

/// A place in a reply's `result`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spot {
    /// JSON pointer into the `result` (RFC 6901), for [`Value::pointer_mut`].
    pub pointer: String,
    /// Path for people: `result.items[].ID`, list indices collapsed to `[]`.
    pub path: String,
}

/// One key of an object read by a struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// Where the key's value is.
    pub at: Spot,
    /// What becomes of it.
    pub fate: Fate,
}

/// One scalar (string, number or boolean; `null` carries nothing to check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar {
    /// Where it is.
    pub at: Spot,
    /// Whether the reply with [`mutation`] in its place is rejected.
    pub checked: bool,
}

/// What a [`Walker`] found in one reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// Whether the response type reads the `result`; the first reason when not.
    pub decodes: Result<(), String>,
    /// Every key of every object read by a struct, in reply order.
    pub keys: Vec<Key>,
    /// Every scalar, in reply order.
    pub scalars: Vec<Scalar>,
    /// Paths of non-empty objects of which the struct reading them recognises no key.
    pub shape: Vec<String>,
}

impl Reading {
    fn new() -> Reading {
        Reading {
            decodes: Ok(()),
            keys: Vec::new(),
            scalars: Vec::new(),
            shape: Vec::new(),
        }
    }

    /// Whether the reply decodes and has no shape failure.
    pub fn passes(&self) -> bool {
        self.decodes.is_ok() && self.shape.is_empty()
    }

    /// Whether the reply passes and every key of it is kept.
    pub fn keeps_every_key(&self) -> bool {
        self.passes() && self.keys.iter().all(|k| k.fate.kept())
    }

    /// The distinct scalar fields by path, each checked when every occurrence is.
    pub fn fields(&self) -> BTreeMap<&str, bool> {
        let mut fields = BTreeMap::new();
        for s in &self.scalars {
            let checked = fields.entry(s.at.path.as_str()).or_insert(true);
            *checked &= s.checked;
        }
        fields
    }

    /// The distinct paths of keys with fate `fate`.
    pub fn keys_with(&self, fate: Fate) -> BTreeSet<&str> {
        self.keys
            .iter()
            .filter(|k| k.fate == fate)
            .map(|k| k.at.path.as_str())
            .collect()
    }
}

/// The runtime's `FieldDescription` (`runtime/src/field_description.rs`) as the struct it
/// reads like: its named members typed, every other member kept in a declared map.
static FIELD_DESCRIPTION: LazyLock<Struct> = LazyLock::new(|| {
    let member = |wire: &str, ty: Ty| StructField {
        name: wire.to_owned(),
        wire_name: wire.to_owned(),
        ty,
        required: false,
        doc: Vec::new(),
        deprecated: false,
        aliases: Vec::new(),
    };
    let flag = || Ty::Bool(crate::spec::BoolFormat::TrueFalse);
    Struct {
        name: "FieldDescription".to_owned(),
        doc: Vec::new(),
        cfg: Default::default(),
        traffic: Default::default(),
        fields: vec![
            member("type", Ty::Text),
            member("isRequired", flag()),
            member("isReadOnly", flag()),
            member("isImmutable", flag()),
            member("isMultiple", flag()),
            member("isDynamic", flag()),
            member("title", Ty::Text),
            member("upperName", Ty::Text),
            member("formLabel", Ty::Text),
            member("listLabel", Ty::Text),
            member("filterLabel", Ty::Text),
            member("items", Ty::Json),
            member("settings", Ty::Json),
        ],
        wildcards: Some(Wildcards {
            name: "other".to_owned(),
            patterns: vec!["*".to_owned()],
        }),
    }
});

/// Reads replies against the response types of a [`Crate`].
pub struct Walker<'a> {
    methods: HashMap<(&'a str, ApiVersion), &'a Method>,
    types: HashMap<(&'a [String], &'a str), &'a TypeDef>,
}

impl<'a> Walker<'a> {
    /// A walker over the methods and types of `krate`.
    pub fn new(krate: &'a Crate) -> Walker<'a> {
        let mut methods = HashMap::new();
        let mut types = HashMap::new();
        for (path, module) in &krate.modules {
            for def in &module.types {
                types.insert((path.as_slice(), def.name()), def);
            }
            for m in &module.methods {
                methods.insert((m.wire_name.as_str(), m.api), m);
                // Responses too: another method's response may be an alias of this one.
                types.insert((path.as_slice(), m.response.name()), &m.response);
                for def in &m.nested {
                    types.insert((path.as_slice(), def.name()), def);
                }
            }
        }
        // Event types too: a method's type may have merged into one of an event.
        for event in &krate.events {
            for def in event.nested.iter().chain(&event.data) {
                types.insert((event.module.as_slice(), def.name()), def);
            }
        }
        Walker { methods, types }
    }

    /// Reads `result` as the response of `method`; `None` when the crate has no such
    /// method.
    pub fn read(&self, method: &str, api: ApiVersion, result: &Value) -> Option<Reading> {
        let m = self.methods.get(&(method, api))?;
        let mut reading = Reading::new();
        let mut walk = Walk {
            walker: self,
            out: Some(&mut reading),
            frame: None,
            pointer: String::new(),
            path: "result".to_owned(),
        };
        let decodes = match &m.response {
            TypeDef::Struct(s) => walk.structure(s, result),
            TypeDef::Newtype(n) => walk.value(&n.ty, result, false),
            TypeDef::Enum(e) => Err(format!("response `{}` is an enum", e.name)),
            TypeDef::Alias(a) => match self.def(&a.target) {
                Some(TypeDef::Struct(s)) => walk.structure(s, result),
                _ => Err(format!("response `{}` names no struct", a.name)),
            },
        };
        reading.decodes = decodes;
        Some(reading)
    }

    /// Whether `ty` reads `value` (as an `Option` when `optional`).
    fn fits(&self, ty: &Ty, value: &Value, optional: bool) -> bool {
        let mut walk = Walk {
            walker: self,
            out: None,
            frame: None,
            pointer: String::new(),
            path: String::new(),
        };
        walk.value(ty, value, optional).is_ok()
    }

    /// The definition a reference names, through aliases.
    fn def(&self, r: &TypeRef) -> Option<&'a TypeDef> {
        match self
            .types
            .get(&(r.module.as_slice(), r.name.as_str()))
            .copied()
        {
            Some(TypeDef::Alias(a)) => self.def(&a.target),
            other => other,
        }
    }
}

/// The outermost `OneOf` above the value being read: a failure below it is not final, as
/// the next member may read the value, so a scalar under it is checked only when the
/// whole `OneOf` rejects the mutated value.
#[derive(Clone, Copy)]
struct Frame<'r, 'a> {
    ty: &'a Ty,
    value: &'r Value,
    optional: bool,
    /// Length of the pointer of `value`.
    depth: usize,
}

/// One read of a value; records into `out` unless it only tries whether a value fits.
struct Walk<'r, 'a> {
    walker: &'r Walker<'a>,
    out: Option<&'r mut Reading>,
    frame: Option<Frame<'r, 'a>>,
    pointer: String,
    path: String,
}

/// The wire adapters of scalars.
#[derive(Clone, Copy)]
enum Kind {
    Int,
    Float,
    Text,
    Bool,
}

impl Kind {
    /// Whether the runtime's adapter reads `value` (`runtime/src/wire/scalars.rs`).
    fn reads(self, value: &Value, optional: bool) -> bool {
        let empty = |text: &str| text.trim().is_empty();
        match (self, value) {
            (_, Value::Null) => optional,
            (_, Value::Array(_) | Value::Object(_)) => false,
            (Kind::Text, _) => true,
            (Kind::Int | Kind::Float, Value::Bool(_)) => false,
            (Kind::Bool, Value::Bool(_)) => true,
            (_, Value::String(s)) if empty(s) => optional,
            (Kind::Int, Value::Number(n)) => {
                n.as_i64().is_some() || n.as_f64().is_some_and(|f| n.is_f64() && integral(f))
            }
            (Kind::Int, Value::String(s)) => {
                let s = s.trim();
                s.parse::<i64>().is_ok() || s.parse::<f64>().is_ok_and(integral)
            }
            (Kind::Float, Value::Number(_)) => true,
            (Kind::Float, Value::String(s)) => s.trim().parse::<f64>().is_ok_and(f64::is_finite),
            (Kind::Bool, Value::Number(n)) => !n.is_f64() && matches!(n.as_i64(), Some(0 | 1)),
            (Kind::Bool, Value::String(s)) => matches!(
                s.trim(),
                "Y" | "y"
                    | "1"
                    | "true"
                    | "TRUE"
                    | "True"
                    | "N"
                    | "n"
                    | "0"
                    | "false"
                    | "FALSE"
                    | "False"
            ),
        }
    }

    fn expecting(self) -> &'static str {
        match self {
            Kind::Int => "an integer",
            Kind::Float => "a number",
            Kind::Text => "a string",
            Kind::Bool => "a boolean",
        }
    }
}

/// A float the integer adapter takes: integral and in range.
fn integral(v: f64) -> bool {
    v.fract() == 0.0 && v >= i64::MIN as f64 && v < i64::MAX as f64
}

/// `value` in a few characters, for reasons.
fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

impl<'r, 'a> Walk<'r, 'a> {
    /// Reads `value` as `ty`, as an `Option` field when `optional`.
    fn value(&mut self, ty: &'a Ty, value: &'r Value, optional: bool) -> Result<(), String> {
        match ty {
            Ty::Json => {
                self.untyped(value);
                Ok(())
            }
            Ty::Int | Ty::IntEnum(_) => self.scalar(Kind::Int, value, optional),
            Ty::Float => self.scalar(Kind::Float, value, optional),
            Ty::Text => self.scalar(Kind::Text, value, optional),
            Ty::Bool(_) => self.scalar(Kind::Bool, value, optional),
            Ty::Named(r) => match self.walker.def(r) {
                Some(TypeDef::Struct(s)) => self.structure(s, value),
                // A string enum reads text; an `Option` of it reads `null` as none.
                Some(TypeDef::Enum(_)) => self.scalar(Kind::Text, value, optional),
                Some(TypeDef::Newtype(_) | TypeDef::Alias(_)) | None => {
                    self.untyped(value);
                    Err(format!("at `{}`: no type `{}`", self.path, r.name))
                }
            },
            Ty::List(item) | Ty::Map(item) => self.container(item, value),
            Ty::Nullable(_) if value.is_null() => Ok(()),
            Ty::Nullable(inner) => self.value(inner, value, true),
            Ty::OneOf(members) => self.one_of(ty, members, value, optional),
            Ty::FieldDescription => self.structure(&FIELD_DESCRIPTION, value),
            Ty::Unit if value.is_null() => Ok(()),
            Ty::Unit => {
                self.untyped(value);
                Err(self.expected("null", value))
            }
        }
    }

    fn scalar(&mut self, kind: Kind, value: &'r Value, optional: bool) -> Result<(), String> {
        match value {
            Value::Null => {}
            Value::Array(_) | Value::Object(_) => self.untyped(value),
            _ => {
                let checked = self.out.is_some() && self.checked();
                self.record_scalar(checked);
            }
        }
        if kind.reads(value, optional) {
            Ok(())
        } else {
            Err(self.expected(kind.expecting(), value))
        }
    }

    /// Whether the scalar at the current pointer, read by a scalar type, is checked:
    /// always, unless a `OneOf` above it reads the reply with the scalar mutated.
    fn checked(&self) -> bool {
        let Some(frame) = self.frame else {
            return true;
        };
        let mut mutated = frame.value.clone();
        match mutated.pointer_mut(&self.pointer[frame.depth..]) {
            Some(slot) => *slot = mutation(),
            None => return false,
        }
        !self.walker.fits(frame.ty, &mutated, frame.optional)
    }

    /// A generated response struct: reads an object by its fields, PHP's empty values
    /// (`null`, `false`, `[]`) as empty, nothing else.
    fn structure(&mut self, s: &'a Struct, value: &'r Value) -> Result<(), String> {
        match value {
            Value::Object(members) => self.members(s, members),
            Value::Null | Value::Bool(false) => Ok(()),
            Value::Array(items) if items.is_empty() => Ok(()),
            other => {
                self.untyped(other);
                Err(self.expected("an object", other))
            }
        }
    }

    fn members(
        &mut self,
        s: &'a Struct,
        members: &'r serde_json::Map<String, Value>,
    ) -> Result<(), String> {
        let mut outcome = Ok(());
        let mut recognised = false;
        let mut seen = BTreeSet::new();
        for (key, value) in members {
            let field = s
                .fields
                .iter()
                .find(|f| f.wire_name == *key || f.aliases.contains(key));
            let mark = self.enter_key(key);
            let read = match field {
                Some(f) => {
                    recognised = true;
                    self.record_key(Fate::Typed);
                    if seen.insert(f.wire_name.as_str()) {
                        self.value(&f.ty, value, true)
                    } else {
                        self.untyped(value);
                        Err(format!(
                            "at `{}`: duplicate field `{}`",
                            self.path, f.wire_name
                        ))
                    }
                }
                None => {
                    let wildcard = s.wildcards.as_ref().map(|w| {
                        w.patterns
                            .iter()
                            .any(|p| key.starts_with(p.trim_end_matches('*')))
                    });
                    let fate = match wildcard {
                        Some(true) => Fate::Wildcard,
                        Some(false) => Fate::CatchAll,
                        None => Fate::Dropped,
                    };
                    recognised |= fate == Fate::Wildcard;
                    self.record_key(fate);
                    self.untyped(value);
                    Ok(())
                }
            };
            self.leave(mark);
            if outcome.is_ok() {
                outcome = read;
            }
            if outcome.is_err() && self.out.is_none() {
                return outcome;
            }
        }
        if !members.is_empty() && !recognised {
            let path = self.path.clone();
            if let Some(out) = self.out.as_deref_mut() {
                out.shape.push(path);
            }
        }
        outcome
    }

    /// A list or a map: reads a list or an object item by item, PHP's `null` and `false`
    /// as empty.
    fn container(&mut self, item: &'a Ty, value: &'r Value) -> Result<(), String> {
        let mut outcome = Ok(());
        match value {
            Value::Null | Value::Bool(false) => {}
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    let mark = self.enter_index(i);
                    let read = self.value(item, v, false);
                    self.leave(mark);
                    if outcome.is_ok() {
                        outcome = read;
                    }
                }
            }
            Value::Object(members) => {
                for (key, v) in members {
                    let mark = self.enter_key(key);
                    let read = self.value(item, v, false);
                    self.leave(mark);
                    if outcome.is_ok() {
                        outcome = read;
                    }
                }
            }
            other => {
                self.untyped(other);
                outcome = Err(self.expected("a list or an object", other));
            }
        }
        outcome
    }

    /// A `OneOf`: the first member that reads the value; `null` is none for an `Option`.
    fn one_of(
        &mut self,
        ty: &'a Ty,
        members: &'a [Ty],
        value: &'r Value,
        optional: bool,
    ) -> Result<(), String> {
        if optional && value.is_null() {
            return Ok(());
        }
        let Some(member) = members.iter().find(|m| self.walker.fits(m, value, false)) else {
            self.untyped(value);
            return Err(self.expected("a value of one of the types", value));
        };
        let outer = self.frame;
        self.frame = outer.or(Some(Frame {
            ty,
            value,
            optional,
            depth: self.pointer.len(),
        }));
        let read = self.value(member, value, false);
        self.frame = outer;
        read
    }

    /// Records every scalar under `value` as unchecked: nothing reads it as a type.
    fn untyped(&mut self, value: &'r Value) {
        if self.out.is_none() {
            return;
        }
        match value {
            Value::Null => {}
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    let mark = self.enter_index(i);
                    self.untyped(v);
                    self.leave(mark);
                }
            }
            Value::Object(members) => {
                for (key, v) in members {
                    let mark = self.enter_key(key);
                    self.untyped(v);
                    self.leave(mark);
                }
            }
            _ => self.record_scalar(false),
        }
    }

    fn record_scalar(&mut self, checked: bool) {
        let at = self.spot();
        if let Some(out) = self.out.as_deref_mut() {
            out.scalars.push(Scalar { at, checked });
        }
    }

    fn record_key(&mut self, fate: Fate) {
        let at = self.spot();
        if let Some(out) = self.out.as_deref_mut() {
            out.keys.push(Key { at, fate });
        }
    }

    fn spot(&self) -> Spot {
        Spot {
            pointer: self.pointer.clone(),
            path: self.path.clone(),
        }
    }

    fn expected(&self, what: &str, found: &Value) -> String {
        format!(
            "at `{}`: expected {what}, found {}",
            self.path,
            short(found)
        )
    }

    /// Steps into member `key`; returns the mark [`Walk::leave`] steps back to.
    fn enter_key(&mut self, key: &str) -> (usize, usize) {
        let mark = (self.pointer.len(), self.path.len());
        self.pointer.push('/');
        self.pointer
            .push_str(&key.replace('~', "~0").replace('/', "~1"));
        self.path.push('.');
        self.path.push_str(key);
        mark
    }

    /// Steps into item `index` of a list.
    fn enter_index(&mut self, index: usize) -> (usize, usize) {
        let mark = (self.pointer.len(), self.path.len());
        self.pointer.push_str(&format!("/{index}"));
        self.path.push_str("[]");
        mark
    }

    fn leave(&mut self, (pointer, path): (usize, usize)) {
        self.pointer.truncate(pointer);
        self.path.truncate(path);
    }
}

/// One method's example reply, read.
#[derive(Debug, Clone)]
pub struct Example {
    /// Wire name of the method.
    pub method: String,
    /// Its API version.
    pub api: ApiVersion,
    /// The reply's `result`; `None` when the example has none.
    pub result: Option<Value>,
    /// Whether the result's type comes from this same example alone (its page gives no
    /// fields): its checks test the generator, not the docs' description of the reply.
    pub typed_by_example: bool,
    /// What the walker found (`decodes` fails when there is no `result`).
    pub reading: Reading,
}

/// The example replies of an import, read against a crate's types.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// One per method of both the import and the crate whose page shows a JSON reply.
    pub examples: Vec<Example>,
}

impl Report {
    /// Reads the example reply of every method of `import` that `walker` knows.
    pub fn of(import: &Import, walker: &Walker) -> Report {
        let mut examples = Vec::new();
        for ((method, api), imported) in &import.methods {
            let Some(result) = imported.response_example.as_deref().and_then(reply_result) else {
                continue;
            };
            if !walker.methods.contains_key(&(method.as_str(), *api)) {
                continue;
            }
            let reading = match &result {
                Ok(value) => walker.read(method, *api, value),
                Err(reason) => Some(Reading {
                    decodes: Err(reason.clone()),
                    ..Reading::new()
                }),
            };
            examples.extend(reading.map(|reading| Example {
                method: method.clone(),
                api: *api,
                result: result.ok(),
                typed_by_example: imported.result_shown_by_example,
                reading,
            }));
        }
        Report { examples }
    }

    /// The counts over every example.
    pub fn totals(&self) -> Totals {
        let mut t = Totals {
            replies: self.examples.len(),
            ..Totals::default()
        };
        for e in &self.examples {
            let r = &e.reading;
            t.decoding += usize::from(r.passes());
            t.keeping += usize::from(r.keeps_every_key());
            t.shape_failures += usize::from(!r.shape.is_empty());
            let fields = r.fields();
            let checked = fields.values().filter(|c| **c).count();
            t.fields += fields.len();
            t.checked += checked;
            if e.typed_by_example {
                t.checked_by_own_example += checked;
            }
        }
        t
    }
}

/// Counts over the example replies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Example replies read.
    pub replies: usize,
    /// Replies that decode without a shape failure.
    pub decoding: usize,
    /// Replies that decode and keep every key typed or under a declared wildcard.
    pub keeping: usize,
    /// Replies with a shape failure.
    pub shape_failures: usize,
    /// Distinct scalar fields (by path, per method).
    pub fields: usize,
    /// Distinct scalar fields a type checks.
    pub checked: usize,
    /// Of those, the ones in results typed by their own example reply alone.
    pub checked_by_own_example: usize,
}

impl Totals {
    /// Decoding replies, in percent.
    pub fn percent_decoding(&self) -> f64 {
        crate::import::stats::percent(self.decoding, self.replies)
    }

    /// Replies keeping every key, in percent.
    pub fn percent_keeping(&self) -> f64 {
        crate::import::stats::percent(self.keeping, self.replies)
    }

    /// Checked scalar fields, in percent.
    pub fn percent_checked(&self) -> f64 {
        crate::import::stats::percent(self.checked, self.fields)
    }
}

impl fmt::Display for Totals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "replies with examples:     {}", self.replies)?;
        writeln!(
            f,
            "replies decoding:          {} of {} ({:.1}%), {} with a shape failure",
            self.decoding,
            self.replies,
            self.percent_decoding(),
            self.shape_failures
        )?;
        writeln!(
            f,
            "replies keeping every key: {} of {} ({:.1}%)",
            self.keeping,
            self.replies,
            self.percent_keeping()
        )?;
        writeln!(
            f,
            "typed coverage:            {} of {} distinct scalar fields checked ({:.1}%)",
            self.checked,
            self.fields,
            self.percent_checked()
        )?;
        write!(
            f,
            "  of them typed by their own example reply alone: {} ({:.1}% checked without them)",
            self.checked_by_own_example,
            crate::import::stats::percent(self.checked - self.checked_by_own_example, self.fields)
        )
    }
}

impl Example {
    /// Whether the reply passes, keeps every key and has every scalar checked.
    pub fn is_complete(&self) -> bool {
        self.reading.keeps_every_key() && self.reading.scalars.iter().all(|s| s.checked)
    }
}

/// One line: the method, whether its reply decodes, and its dropped, catch-all only and
/// unchecked paths.
impl fmt::Display for Example {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.reading;
        let api = match self.api {
            ApiVersion::V2 => "",
            ApiVersion::V3 => " (v3)",
        };
        write!(f, "{}{api}: ", self.method)?;
        match &r.decodes {
            Ok(()) => f.write_str("decodes")?,
            Err(reason) => write!(f, "does not decode ({reason})")?,
        }
        if !r.shape.is_empty() {
            let paths = r.shape.iter().map(String::as_str).collect();
            write!(f, "; shape: no key recognised at {}", list(paths))?;
        }
        let kept = r.keys.iter().filter(|k| k.fate.kept()).count();
        write!(f, "; keys {kept} of {} kept", r.keys.len())?;
        for (fate, what) in [
            (Fate::Dropped, "dropped"),
            (Fate::CatchAll, "catch-all only"),
        ] {
            let paths = r.keys_with(fate);
            if !paths.is_empty() {
                write!(f, "; {what}: {}", list(paths))?;
            }
        }
        let fields = r.fields();
        let unchecked: BTreeSet<&str> = fields
            .iter()
            .filter(|(_, checked)| !**checked)
            .map(|(path, _)| *path)
            .collect();
        write!(
            f,
            "; fields {} of {} checked",
            fields.len() - unchecked.len(),
            fields.len()
        )?;
        if !unchecked.is_empty() {
            write!(f, "; unchecked: {}", list(unchecked))?;
        }
        Ok(())
    }
}

fn list(paths: BTreeSet<&str>) -> String {
    paths.into_iter().collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests;
