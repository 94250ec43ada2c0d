//! Reading a fields table into spec fields, following nested tables for object fields.
//!
//! A field typed `object`, `object[]`, `array` or with a name the vocabulary lacks gets its
//! fields from another table, found in this order:
//! 1. a same-page link in its description (`[…](#fields)`) to a heading;
//! 2. for parameters, a link in its description to another page's heading
//!    (`[…](./add.md#params)`), to a page of fields (`[task fields](./fields.md)`), or to
//!    a `*.fields` method, whose reply lists the fields;
//! 3. a heading of the same page naming the field (`### Parameter fields`, `### FIELDS`);
//! 4. the page its type links to (`[\`sale_order\`](../order/object.md)`), at the anchor or
//!    its first fields table;
//! 5. a heading of the same page naming the type.
//!
//! Before that, shapes fixed otherwise win: the REST conventions for `select` and `order`
//! ([`conventions`]) and objects keyed by the caller ([`keyed`]), which are maps.
//!
//! Names written as paths (`data[].web`, `fields.TITLE`) are folded into their parent. An
//! example value the description writes sharpens a loose type ([`refine`]).

use std::collections::BTreeSet;

use super::conventions;
use super::corpus::{Corpus, Page, PlacedTable, Section};
use super::examples;
use super::facts;
use super::keyed;
use super::method;
use super::objects::{Claim, Objects};
use super::refine;
use super::table::{self, TableKind};
use super::types::{self, Vocabulary};
use super::yfm::Block;
use crate::spec::{ApiVersion, Field, Primitive, Scalar, TypeExpr};

/// How deep nested tables are followed.
const MAX_DEPTH: usize = 6;

/// Reads tables, remembering what it could not resolve.
pub struct FieldReader<'a> {
    corpus: &'a Corpus,
    vocab: &'a Vocabulary,
    /// The objects described elsewhere, named once for the whole import.
    objects: &'a mut Objects,
    /// Tables being read, to stop at cycles: (page path, block index).
    chain: Vec<(String, usize)>,
    problems: Vec<String>,
}

/// Where the fields of an object field are described.
struct Described<'p> {
    /// The page describing them.
    page: &'p Page,
    /// Its tables of them: one, or every table of a page about one object.
    tables: Vec<&'p PlacedTable>,
    /// The place (`page.md` or `page.md#anchor`), naming the object.
    place: String,
    /// Words naming the object, best first: the type the row writes, the anchor, the
    /// `*.fields` method.
    names: Vec<String>,
    /// The reply table of a `*.fields` method: the fields are its `result` row's, when it
    /// has one.
    fields_method: bool,
    /// The fragment the tables come from, when pages include them: an object described
    /// there for a table outside it is shared by those pages, not the field's alone.
    fragment: Option<String>,
}

impl<'a> FieldReader<'a> {
    /// A reader over a corpus, naming the objects it finds elsewhere in `objects`.
    pub fn new(corpus: &'a Corpus, vocab: &'a Vocabulary, objects: &'a mut Objects) -> Self {
        FieldReader {
            corpus,
            vocab,
            objects,
            chain: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Problems found since the last call.
    pub fn take_problems(&mut self) -> Vec<String> {
        std::mem::take(&mut self.problems)
    }

    /// The fields of a table.
    pub fn read(&mut self, page: &Page, placed: &PlacedTable, section: Section) -> Vec<Field> {
        let key = (page.path.clone(), placed.block);
        if self.chain.contains(&key) || self.chain.len() >= MAX_DEPTH {
            return Vec::new();
        }
        self.chain.push(key);
        let table = page.table(placed);
        let skip = usize::from(table::has_header(table));
        let mut fields: Vec<Field> = Vec::new();
        let mut alternatives = Vec::new();
        let mut selectable = Vec::new();
        let rows = &table.rows[skip.min(table.rows.len())..];
        for row in rows {
            let Some(row) = table::row_field(row) else {
                continue;
            };
            alternatives.extend(facts::alternatives(&row.description));
            // A row standing for any selected field of a linked object is those fields,
            // each one there only when selected; the table's own rows say more of a
            // field it names too.
            if let Some(any) = self.any_field_of(page, &row.description, section) {
                selectable.extend(any);
                continue;
            }
            // The one row of a nested object's table that says what the object's keys are
            // (rather than being a keyed object itself) stands for every member.
            let every_key = self.chain.len() > 1
                && rows.len() == 1
                && keyed::names_the_keys(&row.description)
                && !keyed::is_keyed(&row.description);
            let mut field = self.field(page, placed, section, row);
            if every_key {
                field.name = "*".to_owned();
                field.required = false;
            }
            insert(&mut fields, field);
        }
        for mut field in selectable {
            field.required = false;
            insert(&mut fields, field);
        }
        // Tables that continue this one for one kind of the object ("Parameters
        // applicable to order properties of type `STRING`") add fields, none of them
        // required for every kind.
        for more in continuations(page, placed) {
            for mut field in self.read(page, more, section) {
                field.required = false;
                insert(&mut fields, field);
            }
        }
        // Of parameters that stand in for one another, none is required alone.
        for group in alternatives {
            if group.iter().all(|n| fields.iter().any(|f| f.name == *n)) {
                fields
                    .iter_mut()
                    .filter(|f| group.contains(&f.name))
                    .for_each(|f| f.required = false);
            }
        }
        self.chain.pop();
        fields
    }

    fn field(
        &mut self,
        page: &Page,
        placed: &PlacedTable,
        section: Section,
        row: table::RowField,
    ) -> Field {
        let row_type = types::row_type(&row.type_text, self.vocab);
        let mut ty = row_type.expr;
        let mut name = row.name;
        if let Some(base) = name.strip_suffix("[]")
            && !base.contains('.')
            && !base.contains("[]")
        {
            name = base.to_owned();
            if !matches!(ty, TypeExpr::List(_)) && ty != TypeExpr::Primitive(Primitive::Array) {
                ty = TypeExpr::List(Box::new(ty));
            }
        }
        let leaf = leaf_name(&name).to_owned();
        // An `order` is a sort beside the other listing parameters; in a record's fields
        // it is the record (`fields.order` of `sale.propertyvalue.modify`, a sale order).
        let sort_allowed = !leaf.eq_ignore_ascii_case("order") || lists_beside(page, placed);
        let conventional = (section == Section::Params && sort_allowed)
            .then(|| conventions::param_type(&leaf, &ty))
            .flatten();
        if let Some(general) = conventions::union_type(&ty, section == Section::Params) {
            ty = general;
        }
        // A filter takes the values of an entity's fields, and any key with an operator
        // prefix.
        let keyed = keyed::is_keyed(&row.description);
        let filter = section == Section::Params && leaf.eq_ignore_ascii_case("filter");
        let prefixed_filter = keyed && filter;
        // A PHP "associative array", and a classic filter typed `array`, are objects (a
        // REST 3.0 filter is a list of conditions).
        if ty == TypeExpr::Primitive(Primitive::Array)
            && (row.description.to_lowercase().contains("associative array")
                || filter && method::api_version(page) == ApiVersion::V2)
        {
            ty = TypeExpr::Primitive(Primitive::Object);
        }
        let loose = matches!(
            ty,
            TypeExpr::Primitive(Primitive::Object | Primitive::Array | Primitive::Any)
        );
        let fixed = match conventional {
            Some(t) => Some((t, None)),
            None if keyed && loose && !prefixed_filter && row_type.unknown.is_none() => {
                Some(self.keyed(page, placed, section, &leaf, &row.description))
            }
            None => None,
        };
        let needs_fields = fixed.is_none()
            && (matches!(
                ty.element(),
                TypeExpr::Primitive(Primitive::Object | Primitive::Array)
            ) || row_type.unknown.is_some());
        let mut fields = None;
        // A fixed shape carries no values: lists on those rows describe the keys.
        let read_values = fixed.is_none();
        if let Some((fixed_ty, fixed_fields)) = fixed {
            ty = fixed_ty;
            fields = fixed_fields;
        } else if needs_fields {
            let described = self.nested(
                page,
                placed,
                section,
                &leaf,
                &row.description,
                row_type.unknown.as_ref(),
            );
            // An object named by its type, or described on another page, is a shared type;
            // a filter's keys are the object's fields, not the object.
            let object = described
                .as_ref()
                .filter(|_| !filter)
                .and_then(|d| self.shared(page, placed, d, row_type.unknown.is_some()));
            let found = match (&object, described) {
                (Some(_), _) | (None, None) => None,
                (None, Some(d)) => Some(self.read_described(&d, section)),
            };
            if let Some(element) = object {
                ty = with_element(ty, element);
            } else if let Some(mut nested) = found.filter(|f| !f.is_empty()) {
                // `array` with a fields table is a list of objects.
                // and a union with an object member is that object.
                let object = TypeExpr::Primitive(Primitive::Object);
                ty = match ty {
                    TypeExpr::Primitive(Primitive::Array) => TypeExpr::List(Box::new(object)),
                    TypeExpr::Union(members)
                        if members.iter().any(|m| matches!(m, TypeExpr::List(_))) =>
                    {
                        TypeExpr::List(Box::new(object))
                    }
                    TypeExpr::Union(_) => object,
                    other => other,
                };
                if prefixed_filter {
                    // The keys are the fields of an entity, none of them required here.
                    nested.iter_mut().for_each(|f| f.required = false);
                }
                if filter {
                    // Any key with an operator prefix (`>=DATE_CREATE`) too.
                    if !nested.iter().any(|f| f.name == "*") {
                        nested.push(Field::new("*", TypeExpr::Primitive(Primitive::Any)));
                    }
                }
                match every_key_only(nested) {
                    // An object whose one member stands for every key is a map of it.
                    Ok(every) => {
                        ty = with_element(ty, TypeExpr::Map(Box::new(every.ty)));
                        fields = every.fields;
                    }
                    Err(nested) => fields = Some(nested),
                }
            } else if let Some((unknown, _)) = &row_type.unknown {
                self.problems
                    .push(format!("type `{unknown}` of `{name}` not resolved"));
            }
        }
        let mut values = None;
        let mut format = None;
        if fields.is_none() && read_values {
            let listed = facts::allowed_values(&row.description);
            if ty.element() == &TypeExpr::Primitive(Primitive::Boolean) {
                format = listed.as_deref().and_then(facts::bool_format).or_else(|| {
                    // A `true`/`false` default tells the wire form too.
                    let default = facts::default_value(&row.description)?;
                    matches!(default, Scalar::Bool(_)).then_some(crate::spec::BoolFormat::TrueFalse)
                });
            } else if let TypeExpr::Primitive(
                text @ (Primitive::String | Primitive::Char | Primitive::Enum),
            ) = *ty.element()
                && facts::is_yes_no(listed.as_deref(), &row.description)
            {
                // Text that is `Y` or `N` is a boolean in that wire form.
                replace_element(&mut ty, text, Primitive::Boolean);
                format = Some(crate::spec::BoolFormat::YesNo);
            } else if let Some(listed) = listed {
                if value_type_fits(&ty, &listed) {
                    values = Some(values_for(&mut ty, listed));
                } else if *ty.element() == TypeExpr::Primitive(Primitive::Integer)
                    && listed.iter().all(|v| matches!(v, Scalar::Str(_)))
                {
                    // An `integer` whose values are all words (`busy`, `free`) is text.
                    replace_element(&mut ty, Primitive::Integer, Primitive::String);
                    values = Some(listed);
                }
            }
        }
        // `enum` is text with allowed values; without them it is plain text.
        if values.is_none() {
            replace_element(&mut ty, Primitive::Enum, Primitive::String);
        }
        let default = facts::default_value(&row.description).filter(|d| default_fits(&ty, d));
        let mut field = Field {
            name,
            ty,
            required: row.required
                && section == Section::Params
                && !facts::required_only_if(&row.description),
            default,
            values,
            format,
            fields,
            deprecated: row.description.to_lowercase().contains("deprecated"),
            aliases: Vec::new(),
        };
        // The description's own example of the value sharpens a loose type.
        for value in examples::in_description(&field.name, &row.description) {
            let example = [(field.name.clone(), value)].into_iter().collect();
            refine::refine(
                std::slice::from_mut(&mut field),
                &example,
                refine::Example::Described,
            );
        }
        field
    }

    /// The map a keyed object is (see [`keyed`]): of sort directions, of lists, of the object its
    /// values link to (or, when that link leads nowhere, that a table of this page under a
    /// heading named like the field describes), or of any JSON.
    fn keyed(
        &mut self,
        page: &Page,
        placed: &PlacedTable,
        section: Section,
        name: &str,
        description: &str,
    ) -> (TypeExpr, Option<Vec<Field>>) {
        let map = |t: Primitive| TypeExpr::Map(Box::new(TypeExpr::Primitive(t)));
        if keyed::sorts(description) {
            return (map(Primitive::String), None);
        }
        let values = keyed::values(description);
        if values == keyed::Values::ListOfAny {
            return (map(Primitive::Array), None);
        }
        // The map's values: the described object, or a list of it.
        let of = |element: TypeExpr| match values {
            keyed::Values::List => TypeExpr::Map(Box::new(TypeExpr::List(Box::new(element)))),
            _ => TypeExpr::Map(Box::new(element)),
        };
        let described = keyed::value_link(description).and_then(|link| {
            self.linked(page, &link, section).or_else(|| {
                self.find_nested(page, placed, section, name, description, None)
                    .filter(|d| d.page.path == page.path)
            })
        });
        let Some(described) = described else {
            return (of(TypeExpr::Primitive(Primitive::Any)), None);
        };
        if let Some(shared) = self.shared(page, placed, &described, false) {
            return (of(shared), None);
        }
        match every_key_only(self.read_described(&described, section)) {
            // A table whose one row stands for every key describes the values itself.
            Ok(every) => (of(every.ty), every.fields),
            Err(fields) if fields.is_empty() => (of(TypeExpr::Primitive(Primitive::Any)), None),
            Err(fields) => (of(TypeExpr::Primitive(Primitive::Object)), Some(fields)),
        }
    }

    /// The shared type of a described object (see [`object`](Self::object)); the docs' own
    /// description of a field description is the runtime's `field_description`.
    fn shared(
        &mut self,
        from: &Page,
        at: &PlacedTable,
        described: &Described<'_>,
        named: bool,
    ) -> Option<TypeExpr> {
        if described
            .names
            .iter()
            .any(|n| conventions::is_field_description(n))
        {
            return Some(TypeExpr::Primitive(Primitive::FieldDescription));
        }
        self.object(from, at, described, named).map(TypeExpr::Name)
    }

    /// The shared type of a described object: one named by the type its row writes
    /// (`named`), or described on another page or in a fragment that the table `at` is
    /// not part of. `None` for fields described beside the field for it alone, and for
    /// an object being read further up (a type cannot contain itself).
    fn object(
        &mut self,
        from: &Page,
        at: &PlacedTable,
        described: &Described<'_>,
        named: bool,
    ) -> Option<String> {
        if !named && described.page.path == from.path && described.fragment == at.fragment {
            return None;
        }
        let shown_on = described
            .fragment
            .is_some()
            .then_some(described.page.path.as_str());
        self.claim_object(&described.place, &described.names, shown_on, |reader| {
            reader.read_described(described, Section::Response)
        })
    }

    /// The shared type claimed at `place`: one known, or a new one with the fields `read`
    /// gives, none required and the envelope's `time` left out, its docs the page it is
    /// `shown_on` when that is not the place. `None` for an object being read further up,
    /// and for one the docs give no field of: a loose object, not a type.
    fn claim_object(
        &mut self,
        place: &str,
        names: &[String],
        shown_on: Option<&str>,
        read: impl FnOnce(&mut Self) -> Vec<Field>,
    ) -> Option<String> {
        match self.objects.claim(place, names, self.vocab) {
            Claim::Known(name) if self.vocab.types.contains(&name) => Some(name),
            Claim::Known(name) => self.objects.has_fields(&name).then_some(name),
            Claim::Cycle => None,
            Claim::New(name) => {
                if let Some(page) = shown_on {
                    self.objects.shown_on(&name, page);
                }
                let mut fields = read(self);
                fields.iter_mut().for_each(|f| f.required = false);
                // The envelope's `time` is not a member of the object, and a method's
                // reply table (its `result` beside `time`) is not the object.
                let time = TypeExpr::Name("time".to_owned());
                if fields.iter().any(|f| f.name == "time" && f.ty == time) {
                    fields.retain(|f| !(f.name == "time" && f.ty == time));
                    if fields.iter().all(|f| f.name == "result") {
                        fields.clear();
                    }
                }
                self.objects.add(&name, fields);
                self.objects.has_fields(&name).then_some(name)
            }
        }
    }

    /// The shared type of the object whose `fields` an included fragment describes
    /// (`calendar/_includes/calendar_event_fields.md`): one type for every page including
    /// it, named after the fragment, its docs the first `page` showing it. `None` when it
    /// has no fields.
    pub fn included_object(
        &mut self,
        fragment: &str,
        page: &Page,
        fields: Vec<Field>,
    ) -> Option<String> {
        let stem = fragment.rsplit('/').next()?.trim_end_matches(".md");
        let name = ["_fields", "-fields", "-response", "_response"]
            .iter()
            .find_map(|suffix| stem.strip_suffix(suffix))
            .unwrap_or(stem);
        self.claim_object(fragment, &[name.to_owned()], Some(&page.path), |_| fields)
    }

    /// The fields of a described object, its tables read in order.
    fn read_described(&mut self, described: &Described<'_>, section: Section) -> Vec<Field> {
        let mut fields = Vec::new();
        for table in &described.tables {
            for field in self.read(described.page, table, section) {
                insert(&mut fields, field);
            }
        }
        if described.fields_method {
            // A `*.fields` method replies with the entity's fields (in a table of its own,
            // or nested in a `result` row); which are required depends on the call, so
            // none is here.
            if let Some(result) = fields.iter().find(|f| f.name == "result") {
                fields = result.fields.clone().unwrap_or_default();
            }
            fields.iter_mut().for_each(|f| f.required = false);
        }
        fields
    }

    /// The fields of the object a row stands for any of (see
    /// [`facts::stands_for_any_field`]), read from the first link that describes fields.
    fn any_field_of(
        &mut self,
        page: &Page,
        description: &str,
        section: Section,
    ) -> Option<Vec<Field>> {
        if !facts::stands_for_any_field(description) {
            return None;
        }
        let described = other_page_links(description)
            .iter()
            .find_map(|link| self.linked_elsewhere(page, link, section))?;
        Some(self.read_described(&described, section))
    }

    /// Where a description link points to: the table under an anchor of this page or of
    /// another page, the reply of a `*.fields` method, or the tables of a page describing
    /// one object.
    fn linked(&self, page: &'a Page, link: &str, section: Section) -> Option<Described<'a>> {
        if let Some(anchor) = link.strip_prefix('#') {
            let tables = tables_under_anchor(page, anchor)?;
            return Some(Described::at(page, tables, Some(anchor), None));
        }
        self.linked_elsewhere(page, link, section)
    }

    /// Where a link to another page points to (see [`Self::linked`]).
    fn linked_elsewhere(&self, page: &Page, link: &str, section: Section) -> Option<Described<'a>> {
        let (target, anchor) = self.corpus.follow(&page.path, link)?;
        if anchor.is_none() && section == Section::Params && describes_fields(target) {
            let t = target.tables.iter().find(|t| {
                t.kind == TableKind::Fields
                    && matches!(t.section, Section::Response | Section::Other)
            })?;
            let mut described = Described::at(target, vec![t], None, None);
            described.fields_method = true;
            return Some(described);
        }
        let tables = object_tables_at(target, anchor.as_deref(), None);
        let heading = anchor
            .is_none()
            .then(|| first_of_several(target, &tables))
            .flatten();
        (!tables.is_empty()).then(|| Described::at(target, tables, anchor.as_deref(), heading))
    }

    /// Finds where the fields of an object field are described (see the module docs).
    fn nested(
        &self,
        page: &'a Page,
        placed: &PlacedTable,
        section: Section,
        name: &str,
        description: &str,
        unknown: Option<&(String, Option<String>)>,
    ) -> Option<Described<'a>> {
        let type_name = unknown.map(|(t, _)| t.as_str());
        let mut found = self
            .find_nested(page, placed, section, name, description, unknown)?
            .named(type_name);
        // Failing better words, the field is named after the object it holds (`task`).
        found.names.push(name.to_owned());
        Some(found)
    }

    fn find_nested(
        &self,
        page: &'a Page,
        placed: &PlacedTable,
        section: Section,
        name: &str,
        description: &str,
        unknown: Option<&(String, Option<String>)>,
    ) -> Option<Described<'a>> {
        // The object the row's type cell links to; an anchor there is the object's own
        // description, ahead of a shorter one the description points to on this page.
        let mut typed =
            unknown.and_then(|(type_name, link)| self.type_link(page, type_name, link.as_deref()?));
        if typed.as_ref().is_some_and(|(_, anchored)| *anchored) {
            return typed.map(|(found, _)| found);
        }
        for anchor in same_page_anchors(description) {
            if let Some(tables) = tables_under_anchor(page, &anchor) {
                return Some(Described::at(page, tables, Some(&anchor), None));
            }
        }
        // A link in the description to the fields elsewhere (`[task description](./fields.md)`).
        // Reply descriptions link to `*.fields` methods to say what each field means, not
        // that the reply is that object, so only parameters follow those.
        for link in other_page_links(description) {
            if let Some(found) = self.linked(page, &link, section) {
                return Some(found);
            }
        }
        if let Some(t) = table_named(page, placed, name) {
            return Some(Described::at(page, vec![t], None, page.heading(t)));
        }
        if let Some((found, _)) = typed.take() {
            return Some(found);
        }
        let (type_name, _) = unknown?;
        let t = table_named(page, placed, type_name)?;
        Some(Described::at(page, vec![t], None, page.heading(t)))
    }

    /// The tables of the object a row's type cell links to (`[Chat](entities.md#chat)`),
    /// and whether the link has an anchor.
    fn type_link(&self, page: &Page, type_name: &str, link: &str) -> Option<(Described<'a>, bool)> {
        let (target, anchor) = self.corpus.follow(&page.path, link)?;
        let tables = object_tables_at(target, anchor.as_deref(), Some(type_name));
        let first = tables.first()?;
        let heading = anchor.is_none().then(|| target.heading(first)).flatten();
        let anchored = anchor.is_some();
        Some((
            Described::at(target, tables, anchor.as_deref(), heading),
            anchored,
        ))
    }
}

impl<'p> Described<'p> {
    /// Tables of `page`, under `anchor` or the heading `heading` when known.
    fn at(
        page: &'p Page,
        tables: Vec<&'p PlacedTable>,
        anchor: Option<&str>,
        heading: Option<&super::yfm::Heading>,
    ) -> Self {
        let anchor = anchor
            .map(str::to_owned)
            .or_else(|| heading.map(|h| h.anchor.clone()).filter(|a| !a.is_empty()));
        // Tables of an included fragment are described at the fragment, whichever page
        // includes it.
        let fragment = tables
            .first()
            .and_then(|t| t.fragment.clone())
            .filter(|f| tables.iter().all(|t| t.fragment.as_ref() == Some(f)));
        let base = fragment.as_deref().unwrap_or(&page.path);
        let place = match &anchor {
            Some(anchor) => format!("{base}#{anchor}"),
            None => base.to_owned(),
        };
        let mut names: Vec<String> = anchor.into_iter().collect();
        if let Some(method) = method::method_name(page).filter(|m| m.ends_with(".fields")) {
            // `crm.deal.fields` describes a `deal`.
            names.extend(method.rsplit('.').nth(1).map(str::to_owned));
        }
        Described {
            page,
            tables,
            place,
            names,
            fields_method: false,
            fragment,
        }
    }

    /// The same place, named first by the type its row writes.
    fn named(mut self, type_name: Option<&str>) -> Self {
        if let Some(t) = type_name {
            self.names.insert(0, t.to_owned());
        }
        self
    }
}

/// Whether a parameters table holds the other parameters of a listing (`filter`,
/// `select`, `start`, …) beside an `order`.
fn lists_beside(page: &Page, placed: &PlacedTable) -> bool {
    let listing = [
        "filter",
        "select",
        "start",
        "limit",
        "pagination",
        "navigation",
    ];
    page.table(placed)
        .rows
        .iter()
        .filter_map(|row| table::row_field(row))
        .any(|row| {
            let leaf = leaf_name(&row.name);
            listing.iter().any(|l| leaf.eq_ignore_ascii_case(l))
        })
}

/// The last part of a path name: `filter` of `params.filter`, `id` of `items[].id`.
fn leaf_name(name: &str) -> &str {
    name.rsplit(['.', ']']).next().unwrap_or(name)
}

/// `ty` with its object element replaced (`object[]` → `name[]`).
pub(super) fn with_element(ty: TypeExpr, element: TypeExpr) -> TypeExpr {
    match ty {
        TypeExpr::List(inner) => TypeExpr::List(Box::new(with_element(*inner, element))),
        TypeExpr::Map(inner) => TypeExpr::Map(Box::new(with_element(*inner, element))),
        TypeExpr::Union(members) if members.iter().any(|m| matches!(m, TypeExpr::List(_))) => {
            TypeExpr::List(Box::new(element))
        }
        _ => element,
    }
}

/// The one member of `fields` when it is the wildcard `*` standing for every key; else the
/// fields as they are.
fn every_key_only(mut fields: Vec<Field>) -> Result<Field, Vec<Field>> {
    match fields.as_slice() {
        [only] if only.name == "*" => Ok(fields.remove(0)),
        _ => Err(fields),
    }
}

/// Adds a field, folding path names (`data[].web`, `fields.TITLE`) into a parent that is an
/// object or a list, and keeping the first of two fields with the same name (tabs list
/// variants of one object).
fn insert(fields: &mut Vec<Field>, field: Field) {
    let split = field
        .name
        .find("[].")
        .map(|i| (i, i + 3))
        .or_else(|| field.name.find('.').map(|i| (i, i + 1)));
    if let Some((end, start)) = split {
        let parent_name = field.name[..end].to_owned();
        let child_name = field.name[start..].to_owned();
        // Under a scalar parent (`edit` and `edit.originator`, both booleans) the dotted
        // name is a key of its own.
        if let Some(parent) = fields.iter_mut().find(|f| f.name == parent_name)
            && matches!(
                parent.ty.element(),
                TypeExpr::Primitive(Primitive::Object | Primitive::Array | Primitive::Any)
            )
        {
            if parent.ty.element() == &TypeExpr::Primitive(Primitive::Array) {
                parent.ty = TypeExpr::List(Box::new(TypeExpr::Primitive(Primitive::Object)));
            } else if parent.ty == TypeExpr::Primitive(Primitive::Any) {
                parent.ty = TypeExpr::Primitive(Primitive::Object);
            }
            let children = parent.fields.get_or_insert_with(Vec::new);
            insert(
                children,
                Field {
                    name: child_name,
                    ..field
                },
            );
            return;
        }
    }
    // A path's last part written as a list (`employees[].departments[]`) is a list.
    let mut field = field;
    if let Some(base) = field.name.strip_suffix("[]")
        && !base.is_empty()
        && !base.contains(['.', '['])
    {
        field.name = base.to_owned();
        if !matches!(
            field.ty,
            TypeExpr::List(_) | TypeExpr::Primitive(Primitive::Array)
        ) {
            field.ty = TypeExpr::List(Box::new(field.ty));
        }
    }
    if !fields.iter().any(|f| f.name == field.name) {
        fields.push(field);
    }
}

/// Targets of `](#anchor)` links in a description.
fn same_page_anchors(description: &str) -> Vec<String> {
    description
        .match_indices("](#")
        .filter_map(|(i, _)| {
            let rest = &description[i + 3..];
            rest.find(')').map(|end| rest[..end].to_owned())
        })
        .collect()
}

/// Links to fields on other pages in a description: with an anchor
/// (`[…](./x.md#task)`), or to a page of fields (`[task fields](./fields.md)`).
fn other_page_links(description: &str) -> Vec<String> {
    description
        .match_indices("](")
        .filter_map(|(i, _)| {
            let text = description[..i].rsplit('[').next().unwrap_or_default();
            let rest = &description[i + 2..];
            let link = &rest[..rest.find(')')?];
            let page = link.split('#').next().unwrap_or_default();
            let of_fields = link.contains('#')
                || text.to_lowercase().contains("field")
                || page.ends_with("/fields.md")
                || page == "fields.md";
            (page.ends_with(".md") && of_fields).then(|| link.to_owned())
        })
        .collect()
}

/// The fields tables describing the object a link points to, found by one rule for every
/// link: the table under its anchor; else the table under a heading named like the type
/// the link is written on (`[`sale_order`](data-types.md)` → `### sale_order`); else, on a
/// page about one object, every table of it (see [`object_tables`]). A method page lists
/// its parameters and a `data-types.md` page many types, so neither is one object.
fn object_tables_at<'p>(
    target: &'p Page,
    anchor: Option<&str>,
    type_name: Option<&str>,
) -> Vec<&'p PlacedTable> {
    if let Some(anchor) = anchor {
        return tables_under_anchor(target, anchor).unwrap_or_default();
    }
    if let Some(t) = type_name.and_then(|name| table_headed(target, name)) {
        return vec![t];
    }
    let one_object =
        method::method_name(target).is_none() && !target.path.ends_with("data-types.md");
    if one_object {
        object_tables(target)
    } else {
        Vec::new()
    }
}

/// On a page of several objects, the section heading of the one a link to the whole
/// page means: the first, when [`object_tables`] left the others out as objects of their
/// own. The link and one naming its anchor then describe the same place. (A first table
/// under the page's title is the page's object, named by the page.)
fn first_of_several<'p>(
    target: &'p Page,
    tables: &[&PlacedTable],
) -> Option<&'p super::yfm::Heading> {
    let top = target
        .tables
        .iter()
        .filter(|t| is_top_table(target, t))
        .count();
    if tables.len() < top {
        tables
            .first()
            .and_then(|t| target.heading(t))
            .filter(|h| h.level >= 2)
    } else {
        None
    }
}

/// A fields table at the top of a page or under a heading down to `###`.
fn is_top_table(target: &Page, t: &PlacedTable) -> bool {
    t.kind == TableKind::Fields && target.heading(t).is_none_or(|h| h.level <= 3)
}

/// The fields tables of the object a page describes: every one at the top of the page or
/// under a heading down to `###` (its common fields, then those of each kind, as tabs
/// list them). A table deeper down belongs to a part of the object (the content-block
/// page's `#### Parameters` of its `text` kind), not to the object itself; so does a
/// table after the first under a heading the first one's rows link to (the task fields
/// page's `## User Object {#user}`, the type of a task's `creator`): that is an object of
/// its own, read when a link names its anchor.
fn object_tables(target: &Page) -> Vec<&PlacedTable> {
    let tables: Vec<&PlacedTable> = target
        .tables
        .iter()
        .filter(|t| is_top_table(target, t))
        .collect();
    let Some(first) = tables.first() else {
        return tables;
    };
    let linked: BTreeSet<String> = target
        .table(first)
        .rows
        .iter()
        .flatten()
        .flat_map(|cell| same_page_anchors(cell))
        .collect();
    let own_object = |t: &PlacedTable| {
        target
            .heading(t)
            .is_some_and(|h| linked.contains(&h.anchor))
    };
    tables
        .iter()
        .enumerate()
        .filter(|(i, t)| *i == 0 || !own_object(t))
        .map(|(_, t)| *t)
        .collect()
}

/// The first fields table under a heading that is the name (`### sale_order`, any case),
/// or whose anchor is.
fn table_headed<'p>(page: &'p Page, name: &str) -> Option<&'p PlacedTable> {
    page.tables.iter().find(|t| {
        t.kind == TableKind::Fields
            && page.heading(t).is_some_and(|h| {
                h.text.trim().trim_matches('`').eq_ignore_ascii_case(name)
                    || h.anchor.eq_ignore_ascii_case(name)
            })
    })
}

/// Whether a page documents a `*.fields` method, whose reply lists an entity's fields.
fn describes_fields(page: &Page) -> bool {
    method::method_name(page).is_some_and(|name| name.ends_with(".fields"))
}

/// The first fields table under the heading with this anchor.
/// The fields tables under the heading an anchor names: the first, and the others under
/// the same heading (the groups of one object's fields that the text between them names,
/// as "Fields for external data source connections" and "Deprecated Fields" of a
/// contact). `None` when the heading has no fields table.
fn tables_under_anchor<'p>(page: &'p Page, anchor: &str) -> Option<Vec<&'p PlacedTable>> {
    let first = page.tables.iter().find(|t| {
        t.kind == TableKind::Fields && page.heading(t).is_some_and(|h| h.anchor == anchor)
    })?;
    Some(
        page.tables
            .iter()
            .filter(|t| t.kind == TableKind::Fields && t.heading == first.heading)
            .collect(),
    )
}

/// The fields tables after `placed` under the same heading, each introduced by a line
/// saying which kind of the object it applies to.
fn continuations<'p>(page: &'p Page, placed: &PlacedTable) -> Vec<&'p PlacedTable> {
    page.tables
        .iter()
        .filter(|t| {
            t.block > placed.block
                && t.heading == placed.heading
                && t.kind == TableKind::Fields
                && t.block
                    .checked_sub(1)
                    .and_then(|i| page.blocks.get(i))
                    .is_some_and(|b| matches!(b, Block::Text(line) if applies_to_a_kind(line)))
        })
        .collect()
}

/// "Parameters applicable to (relevant for) order properties of type `STRING`".
fn applies_to_a_kind(line: &str) -> bool {
    let lower = line.to_lowercase();
    (lower.contains("applicable to") || lower.contains("relevant for")) && line.contains('`')
}

/// The first fields table under a `###`-or-deeper heading that names `name` as a word,
/// other than the table being read; exact case first.
fn table_named<'p>(page: &'p Page, current: &PlacedTable, name: &str) -> Option<&'p PlacedTable> {
    if name.is_empty() || name == "*" {
        return None;
    }
    let candidates = || {
        page.tables.iter().filter(move |t| {
            // A reply's object is not described among the parameters, nor the reverse.
            t.kind == TableKind::Fields
                && t.block != current.block
                && (t.section == current.section || t.section == Section::Other)
                && page.heading(t).is_some_and(|h| h.level >= 3)
        })
    };
    let words = |t: &PlacedTable| -> Vec<String> {
        page.heading(t)
            .map(|h| {
                h.text
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .filter(|w| !w.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    candidates()
        .find(|t| words(t).iter().any(|w| w == name))
        .or_else(|| candidates().find(|t| words(t).iter().any(|w| w.eq_ignore_ascii_case(name))))
}

/// Listed values in the kind the type takes: text for text types (`1` → `"1"`), and an
/// `enum` of integers becomes `integer`.
fn values_for(ty: &mut TypeExpr, listed: Vec<Scalar>) -> Vec<Scalar> {
    let all_int = listed.iter().all(|v| matches!(v, Scalar::Int(_)));
    if all_int && ty.element() == &TypeExpr::Primitive(Primitive::Enum) {
        replace_element(ty, Primitive::Enum, Primitive::Integer);
        return listed;
    }
    if ty.element() == &TypeExpr::Primitive(Primitive::Integer) {
        return listed;
    }
    listed
        .into_iter()
        .map(|v| match v {
            Scalar::Str(s) => Scalar::Str(s),
            other => Scalar::Str(other.to_string()),
        })
        .collect()
}

/// Replaces a primitive at the element position of lists and `| null`.
fn replace_element(ty: &mut TypeExpr, from: Primitive, to: Primitive) {
    match ty {
        TypeExpr::Primitive(p) if *p == from => *p = to,
        TypeExpr::List(t) | TypeExpr::Map(t) => replace_element(t, from, to),
        TypeExpr::Union(members) => members
            .iter_mut()
            .for_each(|m| replace_element(m, from, to)),
        _ => {}
    }
}

/// Whether listed values can be the values of this type.
fn value_type_fits(ty: &TypeExpr, values: &[Scalar]) -> bool {
    match ty.element() {
        TypeExpr::Primitive(Primitive::Integer) => {
            values.iter().all(|v| matches!(v, Scalar::Int(_)))
        }
        TypeExpr::Primitive(
            Primitive::String | Primitive::Char | Primitive::Enum | Primitive::Text,
        ) => true,
        _ => false,
    }
}

/// Whether a stated default can be a value of this type.
fn default_fits(ty: &TypeExpr, default: &Scalar) -> bool {
    match ty {
        TypeExpr::Primitive(Primitive::Integer) => matches!(default, Scalar::Int(_)),
        TypeExpr::Primitive(Primitive::Boolean) => {
            matches!(default, Scalar::Bool(_))
                || matches!(default, Scalar::Str(s) if ["Y", "N"].contains(&s.as_str()))
                || matches!(default, Scalar::Int(0 | 1))
        }
        TypeExpr::Primitive(
            Primitive::String | Primitive::Char | Primitive::Enum | Primitive::Text,
        ) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::spec::NamedType;

    fn field(name: &str, ty: &str) -> Field {
        Field::new(name, ty.parse().unwrap())
    }

    /// Reads the first parameters table of `main.md` in a corpus of two pages, with the
    /// shared types it named.
    fn read_params(main: &str, other: &str) -> (Vec<Field>, BTreeMap<String, NamedType>) {
        read_params_with(main, other, Vocabulary::default())
    }

    /// [`read_params`] knowing the shared types of `vocab`.
    fn read_params_with(
        main: &str,
        other: &str,
        vocab: Vocabulary,
    ) -> (Vec<Field>, BTreeMap<String, NamedType>) {
        let pages = [("docs/main.md", main), ("docs/thing.md", other)]
            .into_iter()
            .map(|(path, text)| (path.to_owned(), Page::new(path.to_owned(), text)))
            .collect();
        let corpus = Corpus { pages };
        let page = &corpus.pages["docs/main.md"];
        let placed = page.field_tables(Section::Params).next().unwrap();
        let mut objects = Objects::default();
        let fields =
            FieldReader::new(&corpus, &vocab, &mut objects).read(page, placed, Section::Params);
        (fields, objects.into_types())
    }

    const THING: &str = "# Thing\n\n## Fields {#thing}\n\n#|\n|| **Name**\n`type` | **Description** ||\n\
        || **id***\n`integer` | Id ||\n|| **title**\n`string` | Title ||\n|#\n\n\
        ## Info {#info}\n\n#|\n|| **Name**\n`type` | **Description** ||\n\
        || **type**\n`string` | Type ||\n|| **isRequired**\n`boolean` | Required ||\n|#\n";

    fn row(name: &str, ty: &str, description: &str) -> String {
        format!("|| **{name}**\n`{ty}` | {description} ||\n")
    }

    fn shape(f: &Field) -> (String, Vec<(&str, bool)>) {
        let fields = f.fields.iter().flatten();
        let names = fields.map(|f| (f.name.as_str(), f.required)).collect();
        (f.ty.to_string(), names)
    }

    #[test]
    fn every_table_under_an_objects_heading_holds_its_fields() {
        // A contact's groups of fields sit under its heading, named by text between them;
        // the table under the next heading is another object.
        let other = "# Things\n\n### thing {#thing}\n\n#|\n|| **Name**\n`type` | **Description** ||\n\
            || **ID**\n`integer` | Id ||\n|#\n\n**Deprecated fields**\n\n\
            #|\n|| **Name**\n`type` | **Description** ||\n|| **ADDRESS**\n`string` | Address ||\n|#\n\n\
            ### part {#part}\n\n#|\n|| **Name**\n`type` | **Description** ||\n\
            || **CODE**\n`string` | Code ||\n|#\n";
        let main = format!(
            "# Add main.add\n\n## Parameters\n\n#|\n|| **Name**\n`type` | **Description** ||\n{}|#\n",
            row("item", "object", "The [thing](thing.md#thing) to add")
        );
        let (fields, types) = read_params(&main, other);
        assert_eq!(fields[0].ty.to_string(), "thing");
        let names: Vec<_> = types["thing"]
            .fields
            .iter()
            .flatten()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(names, ["ID", "ADDRESS"]);
    }

    #[test]
    fn an_object_an_included_fragment_describes_is_shared_and_placed_there() {
        // As the corpus expands `{% include [..](_includes/item.md) %}`.
        let fragment = "{% fragment docs/_includes/chore.md %}\n#### Chore {#chore}\n\n#|\n\
            || **Name**\n`type` | **Description** ||\n|| **id**\n`integer` | Id ||\n|#\n\
            {% endfragment %}\n";
        let main = format!(
            "# Add main.add\n\n## Parameters\n\n#|\n|| **Name**\n`type` | **Description** ||\n{}|#\n\n{fragment}",
            row(
                "chore",
                "object",
                "The chore [(detailed description)](#chore)"
            )
        );
        let (fields, types) = read_params(&main, THING);
        assert_eq!(fields[0].ty.to_string(), "chore");
        // Its docs are the page showing it: a fragment is no page of the docs site.
        assert_eq!(types["chore"].docs.as_deref(), Some("docs/main.md#chore"));
        // Without the fragment, the same table is the field's own description.
        let own = main
            .replace("{% fragment docs/_includes/chore.md %}\n", "")
            .replace("{% endfragment %}\n", "");
        let (fields, types) = read_params(&own, THING);
        assert_eq!(fields[0].ty.to_string(), "object");
        assert!(types.is_empty());
    }

    #[test]
    fn the_envelope_is_no_member_of_an_object() {
        // A fields page that lists the envelope's `time` with the object's fields, and a
        // link that leads to a method's reply table.
        let other = "# Thing fields thing.fields\n\n## Fields {#thing}\n\n#|\n|| **Name**\n`type` | **Description** ||\n\
            || **ID**\n`integer` | Id ||\n|| **time**\n[`time`](data-types.md) | Timing ||\n|#\n\n\
            ## Returned Data {#reply}\n\n#|\n|| **Name**\n`type` | **Description** ||\n\
            || **result**\n`boolean` | Done ||\n|| **time**\n[`time`](data-types.md) | Timing ||\n|#\n";
        let main = format!(
            "# Add main.add\n\n## Parameters\n\n#|\n|| **Name**\n`type` | **Description** ||\n{}{}|#\n",
            row("item", "object", "The [thing](thing.md#thing) to add"),
            row("done", "object", "The [outcome](thing.md#reply)"),
        );
        let vocab = Vocabulary {
            types: ["time".to_owned()].into(),
            ..Vocabulary::default()
        };
        let (fields, types) = read_params_with(&main, other, vocab);
        let names: Vec<_> = types["thing"]
            .fields
            .iter()
            .flatten()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(names, ["ID"]);
        assert_eq!(fields[1].ty.to_string(), "object");
        assert!(
            !types
                .values()
                .any(|t| t.fields.iter().flatten().any(|f| f.name == "result"))
        );
    }

    #[test]
    fn a_row_for_any_selected_field_of_a_linked_object_is_those_fields() {
        let main = format!(
            "# List main.list\n\n## Parameters\n\n#|\n|| **Name**\n`type` | **Description** ||\n{}{}|#\n",
            row(
                "FIELD",
                "string",
                "Any field of the thing from [Thing fields](thing.md#thing), if selected"
            ),
            row("title", "string | null", "Title, empty when unnamed"),
        );
        let (fields, _) = read_params(&main, THING);
        let shapes: Vec<(&str, String, bool)> = fields
            .iter()
            .map(|f| (f.name.as_str(), f.ty.to_string(), f.required))
            .collect();
        // The linked object's fields, none required; the table's own row for one of them
        // says more of it and stays.
        assert_eq!(
            shapes,
            [
                ("title", "string | null".to_owned(), false),
                ("id", "integer".to_owned(), false),
            ]
        );
        // A field that is one of a linked object's is not a placeholder.
        let main = format!(
            "# List main.list\n\n## Parameters\n\n#|\n|| **Name**\n`type` | **Description** ||\n{}|#\n",
            row(
                "FIELD",
                "string",
                "The field of [Thing fields](thing.md#thing) to sort by"
            ),
        );
        let (fields, _) = read_params(&main, THING);
        assert_eq!(fields[0].name, "FIELD");
    }

    #[test]
    fn linked_tables_keyed_maps_and_conventions() {
        let keyed = "In the form `{\"field_1\": \"value_1\", ... \"field_N\": \"value_N\"}`";
        let rows = [
            row(
                "select",
                "array",
                "Fields to select, see [fields](thing.md#thing)",
            ),
            row(
                "order",
                "object",
                "Sort order, see [fields](thing.md#thing)",
            ),
            row(
                "filter",
                "object",
                &format!("{keyed}, keys are fields of the [thing](thing.md#thing)"),
            ),
            row("item", "object", "The [thing](thing.md#thing) to add"),
            row(
                "infos",
                "object",
                &format!("{keyed}, where `value` is an object of type [info](thing.md#info)"),
            ),
            row(
                "extra",
                "object",
                &format!("{keyed}, where the value is text"),
            ),
            row(
                "options",
                "array",
                "An associative array, see [fields](thing.md#thing)",
            ),
            row("active", "char", "Values:\n- `Y` — yes\n- `N` — no"),
        ];
        let main = format!(
            "# Add main.add\n\n## Parameters\n\n#|\n|| **Name**\n`type` | **Description** ||\n{}|#\n",
            rows.concat()
        );
        let (fields, types) = read_params(&main, THING);
        let shapes: Vec<_> = fields.iter().map(shape).collect();
        assert_eq!(shapes[0], ("string[]".into(), vec![]));
        assert_eq!(shapes[1], ("map<string>".into(), vec![]));
        // A keyed filter takes the fields, none required, and any prefixed key.
        assert_eq!(
            shapes[2],
            (
                "object".into(),
                vec![("id", false), ("title", false), ("*", false)]
            )
        );
        // Objects described on another page are shared types, named by their anchor;
        // what is required of them depends on the call, so nothing is.
        assert_eq!(shapes[3], ("thing".into(), vec![]));
        assert_eq!(shapes[4], ("map<info>".into(), vec![]));
        assert_eq!(shapes[5], ("map<any>".into(), vec![]));
        assert_eq!(shapes[6], ("thing".into(), vec![]));
        let names = |t: &str| -> Vec<(String, bool)> {
            let fields = types[t].fields.iter().flatten();
            fields.map(|f| (f.name.clone(), f.required)).collect()
        };
        assert_eq!(
            names("thing"),
            [("id".into(), false), ("title".into(), false)]
        );
        assert_eq!(
            names("info"),
            [("type".into(), false), ("isRequired".into(), false)]
        );
        assert_eq!(types["thing"].docs.as_deref(), Some("docs/thing.md#thing"));
        assert_eq!(shapes[7], ("boolean".into(), vec![]));
        assert_eq!(fields[7].format, Some(crate::spec::BoolFormat::YesNo));
        assert_eq!(fields[7].values, None);
    }

    #[test]
    fn an_anchor_in_the_type_cell_comes_before_a_shorter_description_here() {
        let main = "# Get main.get\n\n## Parameters\n\n#|\n|| **Name**\n`type` | **Description** ||\n\
            || **item**\n[`Thing`](thing.md#thing) | The thing [(in short)](#short) ||\n|#\n\n\
            ## Short {#short}\n\n#|\n|| **Name**\n`type` | **Description** ||\n\
            || **id**\n`integer` | Id ||\n|#\n";
        let (fields, types) = read_params(main, THING);
        assert_eq!(fields[0].ty.to_string(), "thing");
        let names: Vec<&str> = types["thing"]
            .fields
            .iter()
            .flatten()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(names, ["id", "title"]);
    }

    #[test]
    fn a_link_to_a_page_of_several_objects_means_its_first_and_not_the_others() {
        // The task page's first section links to its user section: the user is an object
        // of its own, not more fields of the task; a link to the page and one to the
        // task's anchor are one type.
        let tasks = "# Task fields

## Task Object {#taskdto}

#|
|| **Name**
`type` | **Description** ||
            || **id**
`integer` | Id ||
|| **creator**
[`object`](#user) | The [creator](#user) ||
|#

            ## User Object {#user}

#|
|| **Name**
`type` | **Description** ||
            || **name**
`string` | Name ||
|#
";
        let main = "# Add main.add

## Parameters

#|
|| **Name**
`type` | **Description** ||
            || **fields**
`object` | The [task fields](thing.md) ||
            || **parent**
`object` | The [parent task](thing.md#taskdto) ||
|#
";
        let (fields, types) = read_params(main, tasks);
        assert_eq!(fields[0].ty.to_string(), "taskdto");
        assert_eq!(fields[1].ty.to_string(), "taskdto");
        let names: Vec<&str> = types["taskdto"]
            .fields
            .iter()
            .flatten()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(names, ["id", "creator"]);
    }

    #[test]
    fn links_followed_are_anchored_or_to_fields() {
        let d = "See [task fields](./fields.md), [the list](./list.md), \
            [a type](../types.md#x) and [here](#y)";
        assert_eq!(
            other_page_links(d),
            ["./fields.md", "../types.md#x"].map(String::from)
        );
    }

    #[test]
    fn path_names_fold_into_their_parent() {
        let mut fields = Vec::new();
        insert(&mut fields, field("data", "array"));
        insert(&mut fields, field("data[].web", "string"));
        insert(&mut fields, field("data[].id", "integer"));
        insert(&mut fields, field("data", "string"));
        assert_eq!(fields.len(), 1);
        assert_eq!(fields[0].ty.to_string(), "object[]");
        let names: Vec<&str> = fields[0]
            .fields
            .as_ref()
            .unwrap()
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(names, ["web", "id"]);
        // A scalar parent keeps a dotted name as a key of its own.
        let mut action = Vec::new();
        insert(&mut action, field("edit", "boolean"));
        insert(&mut action, field("edit.plan", "boolean"));
        let names: Vec<&str> = action.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["edit", "edit.plan"]);
        // A nested path's last part written as a list is a list its own paths fold into.
        let mut employees = vec![field("employees", "array")];
        insert(&mut employees, field("employees[].departments[]", "array"));
        insert(
            &mut employees,
            field("employees[].departments[].id", "integer"),
        );
        let departments = &employees[0].fields.as_ref().unwrap()[0];
        assert_eq!(departments.name, "departments");
        assert_eq!(departments.ty.to_string(), "object[]");
        assert_eq!(departments.fields.as_ref().unwrap()[0].name, "id");
    }

    #[test]
    fn an_integer_whose_values_are_words_is_text() {
        let main = format!(
            "# Get main.get\n\n## Parameters\n\n#|\n|| **Name**\n`type` | **Description** ||\n{}{}|#\n",
            row(
                "STATE",
                "integer",
                "State. Possible values:\n- `busy` — busy\n- `free` — free"
            ),
            row(
                "LEVEL",
                "integer",
                "Level. Possible values:\n- `1` — low\n- `2` — high"
            ),
        );
        let (fields, _) = read_params(&main, THING);
        let shapes: Vec<(String, Option<usize>)> = fields
            .iter()
            .map(|f| (f.ty.to_string(), f.values.as_ref().map(Vec::len)))
            .collect();
        assert_eq!(
            shapes,
            [
                ("string".to_owned(), Some(2)),
                ("integer".to_owned(), Some(2))
            ]
        );
    }
}
