//! Sharpening loose types with the page's own examples:
//! - `select: ["ID", "TITLE"]` in the request example makes `select` a `string[]`,
//!   `order: {"ID": "ASC"}` a `map<string>`;
//! - an `array` sent as an object is a PHP associative array: a map or an object;
//! - an `object[]` sent as one object is that object;
//! - an object whose fields the example does not name, but each of whose values names
//!   some, is keyed (by the caller, or by the portal: ids, class names): a map of those
//!   objects;
//! - an object the docs give no fields for takes the members its example shows, and a
//!   `*` wildcard for any other;
//! - a name sent in another letter case (`ID` for `id`) becomes an alias of the field.
//!
//! A `filter` stays an object: one example shows only some of the fields it may name.

use serde_json::{Map, Value};

use crate::spec::{BoolFormat, Field, Primitive, TypeExpr};

/// What an example is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Example {
    /// A request: it shows what may be sent, and for a union the member it is of.
    Sent,
    /// A value a description writes: as a request, except that an object written for an
    /// `array` may show one of its elements ("an array of objects in the format {…}").
    Described,
    /// A reply: one case of what may come back, so it leaves unions as they are (a union
    /// in a reply says that replies vary).
    Reply,
}

/// Refines `fields` with the members of an example object of them.
pub fn refine(fields: &mut [Field], example: &Map<String, Value>, kind: Example) {
    refine_at(fields, example, kind, true);
}

/// [`refine`] at the top of an example (`top`) or inside one of its values.
fn refine_at(fields: &mut [Field], example: &Map<String, Value>, kind: Example, top: bool) {
    let names: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
    for field in fields {
        let value = match example.get(&field.name) {
            Some(value) => value,
            // A request spelling the name in another case (`ID` for `id`) shows that the
            // API reads that spelling too.
            None if kind == Example::Sent => {
                let Some((key, value)) = example
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(&field.name) && !names.contains(k))
                else {
                    continue;
                };
                if !field.aliases.contains(key) {
                    field.aliases.push(key.clone());
                }
                value
            }
            None => continue,
        };
        let object = TypeExpr::Primitive(Primitive::Object);
        // A list of objects sent as one object is that object (the docs call any PHP
        // array an `array`, a list or not).
        if kind == Example::Sent
            && value.is_object()
            && matches!(&field.ty, TypeExpr::List(inner) if **inner == object)
        {
            field.ty = object.clone();
        }
        // An object whose fields the example does not name, but each of whose values
        // names some, is keyed (a request's by the caller, a reply's by ids or class
        // names): a map of those objects. A reply's whole value may instead wrap its
        // record in one member (`{"category": {…}}`), which `reply_shape` reads.
        if field.ty == object
            && (kind != Example::Reply || !top)
            && let (Some(nested), Value::Object(entries)) = (&field.fields, value)
            && keyed_by_example(nested, entries)
        {
            field.ty = TypeExpr::Map(Box::new(object.clone()));
        }
        // A scalar sent as a list (a filter's `"ID": [1, 2]`), or a list sent as one of its
        // items, takes either.
        if kind == Example::Sent
            && let Some(either) = one_or_many(&field.ty, value)
        {
            field.ty = either;
            continue;
        }
        // A filter's values are those of the fields it names, whatever one example shows.
        let keyed = !field.name.eq_ignore_ascii_case("filter");
        match (&mut field.ty, value) {
            // A JSON boolean in the example shows the wire form.
            (TypeExpr::Primitive(Primitive::Boolean), Value::Bool(_)) if field.format.is_none() => {
                field.format = Some(BoolFormat::TrueFalse);
            }
            (TypeExpr::Primitive(Primitive::Object), Value::Object(map))
                if field.fields.is_some() =>
            {
                if let Some(nested) = &mut field.fields {
                    refine_at(nested, map, kind, false);
                }
            }
            // A map of one scalar type another example shows with `null` values: any of
            // its values may be `null`.
            (TypeExpr::Map(inner), Value::Object(entries))
                if kind == Example::Reply
                    && matches!(
                        **inner,
                        TypeExpr::Primitive(
                            Primitive::Integer
                                | Primitive::Double
                                | Primitive::Boolean
                                | Primitive::String
                                | Primitive::Text
                                | Primitive::Char
                        )
                    )
                    && entries.values().any(Value::is_null) =>
            {
                **inner = or_null((**inner).clone(), entries);
            }
            // Each value of a map of objects is an example of the object.
            (TypeExpr::Map(inner), Value::Object(entries)) if **inner == object => {
                if let Some(nested) = &mut field.fields {
                    for entry in entries.values() {
                        if let Value::Object(members) = entry {
                            refine_at(nested, members, kind, false);
                        }
                    }
                }
            }
            // Each item of a list of objects is an example of the object.
            (TypeExpr::List(inner), Value::Array(items)) if **inner == object => {
                if let Some(nested) = &mut field.fields {
                    for item in items {
                        if let Value::Object(members) = item {
                            refine_at(nested, members, kind, false);
                        }
                    }
                }
            }
            // A map whose values the docs leave untyped, each an object in the reply: a
            // map of the object they show.
            (TypeExpr::Map(inner), Value::Object(entries))
                if **inner == TypeExpr::Primitive(Primitive::Any)
                    && kind == Example::Reply
                    && field.fields.is_none()
                    && !entries.is_empty()
                    && entries.values().all(Value::is_object) =>
            {
                let rows = Value::Array(entries.values().cloned().collect());
                if let (TypeExpr::List(item), Some(shown)) = shown_value(&rows) {
                    field.ty = TypeExpr::Map(item);
                    field.fields = Some(shown);
                }
            }
            // `string | object`: the member the example is of.
            (TypeExpr::Union(members), _) if field.fields.is_none() && kind != Example::Reply => {
                for member in members {
                    if let Some(sharp) = sharpen(member, value, keyed, kind) {
                        *member = sharp;
                    }
                }
            }
            (ty, _) if field.fields.is_none() => {
                if let Some(sharp) = sharpen(ty, value, keyed, kind) {
                    *ty = sharp;
                } else if *ty == object
                    && keyed
                    && kind != Example::Reply
                    && let Value::Object(members) = value
                    && let Some(shown) = shown_fields(members)
                {
                    field.fields = Some(shown);
                }
            }
            _ => {}
        }
    }
}

/// The fields an example object shows, for an object the docs describe no fields of:
/// each member typed by its JSON kind, and a `*` wildcard keeping any other key. None
/// when a key is not a field name (`"505"`, `"CALENDAR_EVENT|UF_CRM"`).
pub(super) fn shown_fields(example: &Map<String, Value>) -> Option<Vec<Field>> {
    let named = |k: &String| {
        k.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if example.is_empty() || !example.keys().all(named) {
        return None;
    }
    let mut fields: Vec<Field> = example
        .iter()
        .map(|(key, value)| {
            let (ty, nested) = shown_type(value);
            Field {
                fields: nested,
                ..Field::new(key.clone(), ty)
            }
        })
        .collect();
    fields.push(Field::new("*", TypeExpr::Primitive(Primitive::Any)));
    Some(fields)
}

/// The type a whole value shows, for a result the page describes in no table: a list of
/// objects is a list of the first one's form, an object keyed by ids (`{"5": {…}}`) a map
/// of its first value's form, anything else as [`shown_type`] reads it. The other items
/// widen the first one's fields: a number one of them shows with a fraction is a
/// `double`. (A `null` stays `any`: a value another item shows is one case of several,
/// as labels come as text or as texts by language.)
pub(super) fn shown_value(value: &Value) -> (TypeExpr, Option<Vec<Field>>) {
    let items: Vec<&Value> = match value {
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_object) => {
            items.iter().collect()
        }
        Value::Object(map)
            if !map.is_empty()
                && shown_fields(map).is_none()
                && map.values().all(Value::is_object) =>
        {
            map.values().collect()
        }
        _ => return shown_type(value),
    };
    let (ty, mut fields) = shown_value(items[0]);
    for other in items[1..].iter().filter_map(|v| v.as_object()) {
        widen(fields.iter_mut().flatten(), other);
    }
    let ty = Box::new(ty);
    let ty = match value {
        Value::Array(_) => TypeExpr::List(ty),
        _ => TypeExpr::Map(ty),
    };
    (ty, fields)
}

/// Widens fields typed by one example object with another object of the same form: an
/// integer the other shows with a fraction is a `double`.
fn widen<'f>(fields: impl Iterator<Item = &'f mut Field>, other: &Map<String, Value>) {
    let integer = TypeExpr::Primitive(Primitive::Integer);
    for field in fields.filter(|f| f.ty == integer) {
        if other.get(&field.name).is_some_and(|v| v.is_f64()) {
            field.ty = TypeExpr::Primitive(Primitive::Double);
        }
    }
}

/// The type a value shows by its JSON kind, with the fields of an object.
fn shown_type(value: &Value) -> (TypeExpr, Option<Vec<Field>>) {
    let nested = value.as_object().and_then(shown_fields);
    let ty = match (value, &nested) {
        (Value::Object(_), Some(_)) => TypeExpr::Primitive(Primitive::Object),
        (Value::Array(items), _) => match scalar_kind(items) {
            Some(t) => TypeExpr::List(Box::new(t)),
            None => TypeExpr::Primitive(Primitive::Array),
        },
        _ => {
            scalar_kind(std::slice::from_ref(value)).unwrap_or(TypeExpr::Primitive(Primitive::Any))
        }
    };
    (ty, nested)
}

/// Fixes the shape of a reply by its example where the page gets it wrong:
/// - a shared type the page names without saying how it comes: a list of them
///   (`"tasks": [{…}]` for a `task`), or a wrapper whose one member holds them
///   (`{"categories": [{…}]}` for a `category`);
/// - a scalar the example wraps in an object of one member (`{"result": true}`,
///   `{"id": 1823}` for an integer): that object;
/// - a scalar the example shows as an object or a list of objects (a currency typed by
///   its id): the members the example shows.
///
/// `fields_of` gives a shared type's fields.
pub fn reply_shape(
    field: &mut Field,
    value: &Value,
    fields_of: &dyn Fn(&str) -> Option<Vec<Field>>,
) {
    // The fields of a record the page describes: a shared type's, or an inline object's.
    let record = match &field.ty {
        TypeExpr::Name(name) => fields_of(name),
        TypeExpr::Primitive(Primitive::Object) => field.fields.clone(),
        _ => None,
    };
    let shares_keys = |record: &[Field], value: &Value| {
        let members = value.as_object();
        members.is_some_and(|m| record.iter().any(|f| m.contains_key(&f.name)))
    };
    if let Some(record) = record.filter(|r| !r.is_empty()) {
        match value {
            Value::Array(items)
                if items
                    .first()
                    .is_some_and(|first| shares_keys(&record, first)) =>
            {
                field.ty = TypeExpr::List(Box::new(field.ty.clone()));
                if let (Some(nested), Some(Value::Object(first))) =
                    (&mut field.fields, items.first())
                {
                    for nested in nested.iter_mut() {
                        if let Some(v) = first.get(&nested.name) {
                            reply_shape(nested, v, fields_of);
                        }
                    }
                }
                return;
            }
            Value::Object(members) if !shares_keys(&record, value) => {
                let holder = members.iter().find_map(|(key, v)| {
                    let first = v.as_array().and_then(|items| items.first()).unwrap_or(v);
                    shares_keys(&record, first).then(|| (key.clone(), v.is_array()))
                });
                if let Some((key, list)) = holder {
                    let mut held = Field {
                        name: key,
                        ..field.clone()
                    };
                    if list {
                        held.ty = TypeExpr::List(Box::new(held.ty));
                    }
                    *field = Field {
                        fields: Some(vec![held]),
                        ..Field::new(field.name.clone(), TypeExpr::Primitive(Primitive::Object))
                    };
                } else if let Some([wrapper]) = field.fields.as_deref_mut()
                    && let Some((key, held)) = members.iter().next()
                    && members.len() == 1
                {
                    // The one member the table names holds records the example shows
                    // under another name (`status` in the table, `statuses` in the
                    // reply): the example's name.
                    let records = match wrapper.ty.element() {
                        TypeExpr::Name(name) => fields_of(name),
                        _ => wrapper.fields.clone(),
                    };
                    let first = held
                        .as_array()
                        .and_then(|items| items.first())
                        .unwrap_or(held);
                    if records.is_some_and(|r| shares_keys(&r, first)) {
                        wrapper.name = key.clone();
                        reply_shape(wrapper, held, fields_of);
                    }
                }
                return;
            }
            // A shared record the example shows as one value (a property value's text,
            // where other kinds hold a file object): either.
            Value::String(_) | Value::Number(_) | Value::Bool(_)
                if matches!(field.ty, TypeExpr::Name(_)) =>
            {
                let (scalar, _) = shown_type(value);
                field.ty = TypeExpr::Union(vec![scalar, field.ty.clone()]);
                return;
            }
            _ => {}
        }
    }
    match (&field.ty, value) {
        (TypeExpr::Primitive(Primitive::Object), Value::Object(members))
            if field.fields.is_some() =>
        {
            for nested in field.fields.iter_mut().flatten() {
                if let Some(v) = members.get(&nested.name) {
                    reply_shape(nested, v, fields_of);
                }
            }
        }
        // The fields of a list's objects, each shaped as its items show it when they all
        // show the same shape (`null` aside).
        (TypeExpr::List(item), Value::Array(items))
            if **item == TypeExpr::Primitive(Primitive::Object) && field.fields.is_some() =>
        {
            for nested in field.fields.iter_mut().flatten() {
                let mut shapes = items
                    .iter()
                    .filter_map(|item| item.get(&nested.name))
                    .filter(|v| !v.is_null())
                    .map(|v| {
                        let mut shaped = nested.clone();
                        reply_shape(&mut shaped, v, fields_of);
                        shaped
                    });
                if let Some(first) = shapes.next()
                    && shapes.all(|other| other == first)
                {
                    *nested = first;
                }
            }
        }
        // A result the page leaves loose takes the shape its example shows.
        (ty, _) if field.fields.is_none() && loose(ty) && shows_something(value) => {
            shown(field, value);
        }
        // A list of scalars the example shows as a list of objects.
        (TypeExpr::List(item), Value::Array(items))
            if is_scalar(item, fields_of)
                && !items.is_empty()
                && items.iter().all(Value::is_object) =>
        {
            shown(field, value);
        }
        (ty, Value::Object(members)) if is_scalar(ty, fields_of) && !members.is_empty() => {
            match members.iter().next() {
                Some((key, member))
                    if members.len() == 1 && !member.is_object() && !member.is_array() =>
                {
                    let wrapped = Field {
                        name: key.clone(),
                        ..field.clone()
                    };
                    *field = Field {
                        fields: Some(vec![wrapped]),
                        ..Field::new(field.name.clone(), TypeExpr::Primitive(Primitive::Object))
                    };
                }
                _ => shown(field, value),
            }
        }
        (ty, Value::Array(items))
            if is_scalar(ty, fields_of)
                && !items.is_empty()
                && items.iter().all(Value::is_object) =>
        {
            shown(field, value);
        }
        _ => {}
    }
}

/// Fixes the shape of the fields of shared types by an example reply that carries them
/// (a `lead`'s `IM` the example shows as a list), as [`reply_shape`] fixes a reply's
/// own fields: every object value reached through `result` whose type is a shared type
/// in `types` and not `fixed` (written by hand) refines that type's fields.
pub fn shared_shapes_in(
    result: &Field,
    value: &Value,
    types: &mut std::collections::BTreeMap<String, crate::spec::NamedType>,
    fixed: &dyn Fn(&str) -> bool,
) {
    let object = TypeExpr::Primitive(Primitive::Object);
    match (&result.fields, value) {
        (Some(fields), Value::Object(members)) if result.ty == object => {
            for field in fields {
                if let Some(v) = members.get(&field.name) {
                    shared_shapes_in(field, v, types, fixed);
                }
            }
        }
        (Some(_), Value::Array(items)) if result.ty.element() == &object => {
            let item = Field {
                ty: object,
                ..result.clone()
            };
            items
                .iter()
                .for_each(|v| shared_shapes_in(&item, v, types, fixed));
        }
        _ => shared_shapes(&result.ty, value, types, fixed),
    }
}

fn shared_shapes(
    ty: &TypeExpr,
    value: &Value,
    types: &mut std::collections::BTreeMap<String, crate::spec::NamedType>,
    fixed: &dyn Fn(&str) -> bool,
) {
    match (ty, value) {
        (TypeExpr::List(item) | TypeExpr::Map(item), Value::Array(items)) => {
            items
                .iter()
                .for_each(|v| shared_shapes(item, v, types, fixed));
        }
        (TypeExpr::Map(item), Value::Object(members)) => {
            members
                .values()
                .for_each(|v| shared_shapes(item, v, types, fixed));
        }
        (TypeExpr::Name(name), Value::Object(members)) if !fixed(name) => {
            let Some(mut fields) = types.get_mut(name).and_then(|t| t.fields.take()) else {
                return;
            };
            for field in &mut fields {
                if let Some(v) = members.get(&field.name) {
                    let lookup = |n: &str| types.get(n).and_then(|t| t.fields.clone());
                    reply_shape(field, v, &lookup);
                }
            }
            let children: Vec<(TypeExpr, Value)> = fields
                .iter()
                .filter_map(|f| Some((f.ty.clone(), members.get(&f.name)?.clone())))
                .collect();
            if let Some(t) = types.get_mut(name) {
                t.fields = Some(fields);
            }
            for (ty, v) in children {
                shared_shapes(&ty, &v, types, fixed);
            }
        }
        (TypeExpr::Primitive(Primitive::Object), Value::Object(_)) => {}
        _ => {}
    }
}

/// Whether a type says nothing of its value's shape: any JSON, an object or a list of
/// anything, or a list of those.
fn loose(ty: &TypeExpr) -> bool {
    match ty {
        TypeExpr::Primitive(Primitive::Object | Primitive::Any | Primitive::Array) => true,
        TypeExpr::List(item) => loose(item),
        _ => false,
    }
}

/// Whether an example shows a shape: a value other than `null`, `[]` and `{}`.
fn shows_something(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Object(members) => !members.is_empty(),
        Value::Array(items) => !items.is_empty(),
        _ => true,
    }
}

/// Whether a type is one value: a scalar, or a name that is not a shared object (an
/// entity's id, an enum).
fn is_scalar(ty: &TypeExpr, fields_of: &dyn Fn(&str) -> Option<Vec<Field>>) -> bool {
    match ty {
        TypeExpr::Primitive(p) => !matches!(
            p,
            Primitive::Object
                | Primitive::Array
                | Primitive::Any
                | Primitive::File
                | Primitive::FieldDescription
        ),
        TypeExpr::Name(name) => fields_of(name).is_none(),
        _ => false,
    }
}

/// Types a field as its example value shows it, dropping what the page said.
fn shown(field: &mut Field, value: &Value) {
    let (ty, fields) = shown_value(value);
    *field = Field {
        fields,
        ..Field::new(field.name.clone(), ty)
    };
}

/// Types the fields of a table that gives no types by the values an example shows for
/// them (`"TASKID": 13` an integer); a field the example leaves out stays `any`.
pub fn type_untyped(fields: &mut [Field], example: &Map<String, Value>) {
    let any = TypeExpr::Primitive(Primitive::Any);
    for field in fields
        .iter_mut()
        .filter(|f| f.ty == any && !f.name.ends_with('*'))
    {
        let value = example
            .get(&field.name)
            .or_else(|| field.aliases.iter().find_map(|alias| example.get(alias)));
        if let Some(value) = value.filter(|v| !v.is_null()) {
            let (ty, nested) = shown_type(value);
            field.ty = ty;
            field.fields = nested;
        }
    }
}

/// Whether an example object names none of `fields` while each of its values is an
/// object naming some of them.
fn keyed_by_example(fields: &[Field], example: &Map<String, Value>) -> bool {
    let named = |key: &String| fields.iter().any(|f| f.name == *key);
    !example.is_empty()
        && !example.keys().any(named)
        && example
            .values()
            .all(|v| v.as_object().is_some_and(|o| o.keys().any(named)))
}

/// A loose type made precise by an example value of it: `array` by a list of one scalar
/// type, `object` (when `keyed`) by an object of one scalar type, a map; `array` by an
/// object, an object or (when `keyed`) a map.
fn sharpen(ty: &TypeExpr, value: &Value, keyed: bool, kind: Example) -> Option<TypeExpr> {
    match (ty, value) {
        // An integer the example writes with a fraction (a sum of money) is a number.
        (TypeExpr::Primitive(Primitive::Integer), Value::Number(n)) if n.is_f64() => {
            Some(TypeExpr::Primitive(Primitive::Double))
        }
        (TypeExpr::Primitive(Primitive::Array), Value::Array(items)) => {
            scalar_kind(items).map(|t| TypeExpr::List(Box::new(t)))
        }
        // An object of one scalar type is a map of it; so is a map whose values the docs
        // do not type, as a reply or a description's own example shows them (the keyed
        // form shows placeholders).
        (TypeExpr::Primitive(Primitive::Object), Value::Object(map)) if keyed => map_of(map),
        (TypeExpr::Map(inner), Value::Object(map))
            if **inner == TypeExpr::Primitive(Primitive::Any)
                && (kind == Example::Reply || kind == Example::Described && !placeholders(map)) =>
        {
            map_of(map)
        }
        // A PHP array written as an object is an associative one: a map of one scalar
        // type, or an object.
        (TypeExpr::Primitive(Primitive::Array), Value::Object(map))
            if kind != Example::Described =>
        {
            Some(
                map_of(map)
                    .filter(|_| keyed)
                    .unwrap_or(TypeExpr::Primitive(Primitive::Object)),
            )
        }
        _ => None,
    }
}

/// Whether an object is the docs' keyed form (`{"field_1": "value_1", …}`), which shows
/// where keys and values go, not what they are.
fn placeholders(map: &Map<String, Value>) -> bool {
    let placeholder = |text: &str| text.ends_with("_1") || text.ends_with("_N");
    map.iter()
        .any(|(key, value)| placeholder(key) || value.as_str().is_some_and(placeholder))
}

/// The map of the one scalar type every value of `map` has, if they share one.
fn map_of(map: &Map<String, Value>) -> Option<TypeExpr> {
    let values: Vec<Value> = map.values().cloned().collect();
    scalar_kind(&values).map(|t| TypeExpr::Map(Box::new(t)))
}

/// `kind`, or `kind | null` when one of the example's values is `null`.
fn or_null(kind: TypeExpr, map: &Map<String, Value>) -> TypeExpr {
    if map.values().any(Value::is_null) {
        TypeExpr::Union(vec![kind, TypeExpr::Null])
    } else {
        kind
    }
}

/// `T | T[]` for a scalar type `T` sent as a list of `T`, `T[] | T` for a list sent as one
/// `T`; `None` when the value has the declared shape or does not fit `T`.
fn one_or_many(ty: &TypeExpr, value: &Value) -> Option<TypeExpr> {
    let fits = |t: &TypeExpr, v: &Value| match (t, v) {
        (TypeExpr::Primitive(Primitive::Integer), Value::Number(n)) => n.is_i64(),
        (TypeExpr::Primitive(Primitive::Double), Value::Number(_)) => true,
        (
            TypeExpr::Primitive(Primitive::String | Primitive::Text | Primitive::Char),
            Value::String(_),
        ) => true,
        _ => false,
    };
    match (ty, value) {
        (TypeExpr::List(inner), item) if fits(inner, item) => {
            Some(TypeExpr::Union(vec![ty.clone(), (**inner).clone()]))
        }
        (scalar, Value::Array(items))
            if !items.is_empty() && items.iter().all(|item| fits(scalar, item)) =>
        {
            Some(TypeExpr::Union(vec![
                scalar.clone(),
                TypeExpr::List(Box::new(scalar.clone())),
            ]))
        }
        _ => None,
    }
}

/// The one scalar type of every item, if they share one and there is at least one;
/// integers beside numbers with a fraction are numbers.
fn scalar_kind(items: &[Value]) -> Option<TypeExpr> {
    let kind = |v: &Value| match v {
        Value::String(_) => Some(Primitive::String),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(Primitive::Integer),
        Value::Number(_) => Some(Primitive::Double),
        Value::Bool(_) => Some(Primitive::Boolean),
        _ => None,
    };
    let numbers = [Primitive::Integer, Primitive::Double];
    let mut kinds = items.iter().map(kind);
    let mut one = kinds.next()??;
    for other in kinds {
        let other = other?;
        if other == one {
            continue;
        }
        if numbers.contains(&one) && numbers.contains(&other) {
            one = Primitive::Double;
        } else {
            return None;
        }
    }
    Some(TypeExpr::Primitive(one))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, ty: &str) -> Field {
        Field::new(name, ty.parse().unwrap())
    }

    #[test]
    fn every_row_of_an_example_list_types_its_fields() {
        let rows = serde_json::json!([
            {"PRICE": 100, "DISCOUNT_SUM": 0, "TAX_RATE": null, "NAME": "a"},
            {"PRICE": 120, "DISCOUNT_SUM": 13199.6, "TAX_RATE": 20, "NAME": "b"}
        ]);
        let (ty, fields) = shown_value(&rows);
        assert_eq!(ty.to_string(), "object[]");
        let types: Vec<(String, String)> = fields
            .unwrap()
            .iter()
            .map(|f| (f.name.clone(), f.ty.to_string()))
            .collect();
        let expected = [
            ("DISCOUNT_SUM", "double"),
            ("NAME", "string"),
            ("PRICE", "integer"),
            ("TAX_RATE", "any"),
            ("*", "any"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        assert_eq!(types, expected);
        let numbers = [serde_json::json!(1), serde_json::json!(2.5)];
        assert_eq!(scalar_kind(&numbers).unwrap().to_string(), "double");
        let mixed = [serde_json::json!(1), serde_json::json!("2")];
        assert_eq!(scalar_kind(&mixed), None);
    }

    #[test]
    fn examples_sharpen_loose_types_only() {
        let mut fields = vec![
            field("select", "array"),
            field("order", "object"),
            field("filter", "object"),
            field("ids", "integer"),
            field("active", "boolean"),
            field("title", "string | object"),
            field("label", "object | string"),
            field("options", "array"),
            Field {
                fields: Some(vec![field("NAME", "string")]),
                ..field("fields", "object[]")
            },
        ];
        let example = serde_json::json!({
            "select": ["ID", "TITLE"],
            "order": {"ID": "ASC"},
            "filter": {">ID": 5},
            "ids": "7",
            "active": true,
            "title": {"de": "Titel", "en": "Title"},
            "label": "Name",
            "options": {"height": 60},
            "fields": {"NAME": "x"}
        });
        refine(&mut fields, example.as_object().unwrap(), Example::Sent);
        let types: Vec<String> = fields.iter().map(|f| f.ty.to_string()).collect();
        assert_eq!(
            types,
            [
                "string[]",
                "map<string>",
                "object",
                "integer",
                "boolean",
                "string | map<string>",
                "object | string",
                "map<integer>",
                "object"
            ]
        );
        assert_eq!(fields[4].format, Some(BoolFormat::TrueFalse));
        let mut reply = vec![field("title", "string | object")];
        let example = serde_json::json!({"title": {"de": "Titel"}});
        refine(&mut reply, example.as_object().unwrap(), Example::Reply);
        assert_eq!(reply[0].ty.to_string(), "string | object");
    }

    #[test]
    fn scalars_sent_as_lists_and_lists_sent_as_scalars_take_either() {
        let mut fields = vec![
            field("ID", "integer"),
            field("USER_ID", "integer[]"),
            field("NAME", "string"),
            field("CODE", "string"),
        ];
        let example = serde_json::json!({
            "ID": [3, 7],
            "USER_ID": 1271,
            "NAME": "x",
            "CODE": [1]
        });
        refine(&mut fields, example.as_object().unwrap(), Example::Sent);
        let types: Vec<String> = fields.iter().map(|f| f.ty.to_string()).collect();
        assert_eq!(
            types,
            [
                "integer | integer[]",
                "integer[] | integer",
                "string",
                "string"
            ]
        );
        let mut reply = vec![field("ID", "integer")];
        refine(&mut reply, example.as_object().unwrap(), Example::Reply);
        assert_eq!(
            reply[0].ty.to_string(),
            "integer",
            "replies do not widen types"
        );
    }

    #[test]
    fn an_integer_shown_with_a_fraction_is_a_number() {
        let mut fields = vec![
            field("DISCOUNT_SUM", "integer"),
            field("QUANTITY", "integer"),
        ];
        let example = serde_json::json!({"DISCOUNT_SUM": 13199.6, "QUANTITY": 2});
        refine(&mut fields, example.as_object().unwrap(), Example::Reply);
        assert_eq!(fields[0].ty.to_string(), "double");
        assert_eq!(fields[1].ty.to_string(), "integer");
    }

    #[test]
    fn a_map_of_untyped_values_takes_the_scalar_type_they_show() {
        let mut fields = vec![field("CHAT", "map<any>"), field("MIXED", "map<any>")];
        let example =
            serde_json::json!({"CHAT": {"1317": 2, "1319": 0}, "MIXED": {"1": 2, "2": "x"}});
        refine(&mut fields, example.as_object().unwrap(), Example::Reply);
        assert_eq!(fields[0].ty.to_string(), "map<integer>");
        assert_eq!(fields[1].ty.to_string(), "map<any>");
    }

    #[test]
    fn objects_keyed_by_the_caller_become_maps() {
        let mut fields = vec![Field {
            fields: Some(vec![
                field("Name", "string | object"),
                field("Type", "string"),
            ]),
            ..field("PROPERTIES", "object")
        }];
        let example = serde_json::json!({"PROPERTIES": {
            "inputString": {"Name": {"en": "Input"}, "Type": "string"}
        }});
        refine(&mut fields, example.as_object().unwrap(), Example::Sent);
        assert_eq!(fields[0].ty.to_string(), "map<object>");
        let nested = fields[0].fields.as_ref().unwrap();
        assert_eq!(nested[0].ty.to_string(), "string | map<string>");
        let mut plain = vec![Field {
            fields: Some(vec![field("Name", "string")]),
            ..field("PROPERTY", "object")
        }];
        let example = serde_json::json!({"PROPERTY": {"Name": "x"}});

        refine(&mut plain, example.as_object().unwrap(), Example::Sent);
        assert_eq!(plain[0].ty.to_string(), "object");
    }

    #[test]
    fn reply_objects_keyed_by_the_portal_become_maps_but_a_whole_reply_stays_a_wrapper() {
        let settings = || Field {
            fields: Some(vec![field("start", "integer"), field("step", "integer")]),
            ..field("settings", "object")
        };
        // Inside a reply, a described object shown keyed by a class name is a map of it.
        let mut numerator = vec![Field {
            fields: Some(vec![field("id", "string"), settings()]),
            ..field("result", "object")
        }];
        let example = serde_json::json!({"result": {"id": "45", "settings": {
            "Bitrix_Main_Numerator_Generator_SequentNumberGenerator": {"start": 100, "step": 1}
        }}});
        refine(&mut numerator, example.as_object().unwrap(), Example::Reply);
        let inner = numerator[0].fields.as_ref().unwrap();
        assert_eq!(inner[1].ty.to_string(), "map<object>");
        let names: Vec<&str> = inner[1]
            .fields
            .iter()
            .flatten()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(names, ["start", "step"]);
        // The whole reply naming none of its record's fields is a wrapper of the record
        // (`{"settings": {…}}`), left to `reply_shape`, not a map.
        let mut whole = vec![settings()];
        let example = serde_json::json!({"settings": {"category": {"start": 1, "step": 1}}});
        refine(&mut whole, example.as_object().unwrap(), Example::Reply);
        assert_eq!(whole[0].ty.to_string(), "object");
    }

    #[test]
    fn objects_without_described_fields_take_those_their_example_shows() {
        let mut fields = vec![field("previewPicture", "object"), field("FILES", "object")];
        let example = serde_json::json!({
            "previewPicture": {"fileData": ["a.png", "iVBOR"], "meta": {"w": 1.5}},
            "FILES": {"505": "del", "506": ["x"]}
        });
        refine(&mut fields, example.as_object().unwrap(), Example::Sent);
        let shown: Vec<(String, String)> = fields[0]
            .fields
            .iter()
            .flatten()
            .map(|f| (f.name.clone(), f.ty.to_string()))
            .collect();
        let pairs = [("fileData", "string[]"), ("meta", "object"), ("*", "any")];
        assert_eq!(shown, pairs.map(|(n, t)| (n.to_owned(), t.to_owned())));
        assert!(
            fields[1].fields.is_none(),
            "numbers are keys, not field names"
        );
    }

    #[test]
    fn fields_of_untyped_tables_take_the_kind_their_example_shows() {
        let mut fields = vec![
            field("TASKID", "any"),
            field("fields", "any"),
            field("ITEMS", "any"),
            field("NOTE", "any"),
            field("UF_*", "any"),
        ];
        let example = serde_json::json!({
            "TASKID": 13,
            "fields": {"TITLE": "x", "RESPONSIBLE_ID": 1},
            "ITEMS": [1, 2],
            "UF_X": "y"
        });
        type_untyped(&mut fields, example.as_object().unwrap());
        let types: Vec<String> = fields.iter().map(|f| f.ty.to_string()).collect();
        assert_eq!(types, ["integer", "object", "integer[]", "any", "any"]);
        let shown: Vec<&str> = fields[1]
            .fields
            .iter()
            .flatten()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(shown, ["RESPONSIBLE_ID", "TITLE", "*"]);
    }

    #[test]
    fn requests_spelling_a_name_in_another_case_give_it_an_alias() {
        let mut fields = vec![field("id", "integer"), field("ID2", "integer")];
        let example = serde_json::json!({"ID": 5, "id2": 6, "ID2": 7});
        refine(&mut fields, example.as_object().unwrap(), Example::Sent);
        assert_eq!(fields[0].aliases, ["ID"]);
        assert!(fields[1].aliases.is_empty(), "its own spelling is there");
        let mut reply = vec![field("id", "integer")];
        refine(&mut reply, example.as_object().unwrap(), Example::Reply);
        assert!(reply[0].aliases.is_empty(), "replies are read as they are");
    }

    #[test]
    fn shared_types_in_replies_take_the_shape_their_example_shows() {
        let task = vec![
            Field::new("id", "integer".parse().unwrap()),
            Field::new("title", "string".parse().unwrap()),
        ];
        let fields_of = |name: &str| (name == "task").then(|| task.clone());
        let shaped = |ty: &str, example: Value| {
            let mut field = Field::new("result", ty.parse().unwrap());
            if ty == "object" {
                field.fields = Some(vec![Field::new("tasks", "task".parse().unwrap())]);
            }
            reply_shape(&mut field, &example, &fields_of);
            let members: Vec<String> = field
                .fields
                .iter()
                .flatten()
                .map(|f| format!("{}: {}", f.name, f.ty))
                .collect();
            (field.ty.to_string(), members)
        };
        let record = serde_json::json!({"id": 1, "title": "A"});
        assert_eq!(
            shaped("task", serde_json::json!([record])),
            ("task[]".into(), vec![])
        );
        assert_eq!(
            shaped("task", serde_json::json!({"tasks": [record]})),
            ("object".into(), vec!["tasks: task[]".into()])
        );
        assert_eq!(
            shaped("object", serde_json::json!({"tasks": [record]})),
            ("object".into(), vec!["tasks: task[]".into()])
        );
        // A wrapper the table names otherwise takes the example's name when it holds
        // the same records; one holding something else keeps the table's.
        assert_eq!(
            shaped("object", serde_json::json!({"items": [record]})),
            ("object".into(), vec!["items: task[]".into()])
        );
        assert_eq!(
            shaped("object", serde_json::json!({"items": [{"x": 1}]})),
            ("object".into(), vec!["tasks: task".into()])
        );
        // The record itself, and replies that show something else, stay as they are.
        assert_eq!(shaped("task", record), ("task".into(), vec![]));
        assert_eq!(
            shaped("task", serde_json::json!({"x": 1})),
            ("task".into(), vec![])
        );
    }

    #[test]
    fn the_fields_of_listed_objects_take_the_shape_every_item_shows() {
        let mut rows = Field {
            fields: Some(vec![
                field("id", "any"),
                field("data", "any"),
                field("DEFAULT", "any"),
            ]),
            ..field("result", "object[]")
        };
        let items = serde_json::json!([
            {"id": 1, "data": {"scope": "task"}, "DEFAULT": 5},
            {"id": 2, "data": null, "DEFAULT": {"TYPE": "NONE"}}
        ]);
        reply_shape(&mut rows, &items, &|_| None);
        let shapes: Vec<String> = rows
            .fields
            .iter()
            .flatten()
            .map(|f| format!("{}: {}", f.name, f.ty))
            .collect();
        // `data` is one object where shown; `DEFAULT` differs between the items, so it
        // stays as loose as the table gives it.
        assert_eq!(shapes, ["id: integer", "data: object", "DEFAULT: any"]);
    }

    #[test]
    fn shared_types_take_the_shape_the_replies_carrying_them_show() {
        let named = |fields: Vec<Field>| crate::spec::NamedType {
            name: String::new(),
            docs: None,
            ty: None,
            values: None,
            fields: Some(fields),
        };
        let field = |name: &str, ty: &str| Field::new(name, ty.parse().unwrap());
        let mut types: std::collections::BTreeMap<String, crate::spec::NamedType> = [
            (
                "lead".to_owned(),
                named(vec![field("ID", "integer"), field("IM", "multi")]),
            ),
            ("multi".to_owned(), named(vec![field("VALUE", "string")])),
            ("hand".to_owned(), named(vec![field("IM", "multi")])),
        ]
        .into();
        let result = Field {
            fields: Some(vec![field("lead", "lead"), field("hand", "hand")]),
            ..field("result", "object")
        };
        let im = serde_json::json!([{"VALUE": "skype"}]);
        let reply = serde_json::json!({"lead": {"ID": 1, "IM": im}, "hand": {"IM": im}});
        shared_shapes_in(&result, &reply, &mut types, &|name| name == "hand");
        let ty_of = |t: &str, f: &str| {
            let fields = types[t].fields.as_ref().unwrap();
            fields.iter().find(|x| x.name == f).unwrap().ty.to_string()
        };
        assert_eq!(ty_of("lead", "IM"), "multi[]");
        // A type written by hand is left as it is.
        assert_eq!(ty_of("hand", "IM"), "multi");
    }
}
