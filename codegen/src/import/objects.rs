//! Objects the docs describe once and methods reference by link: each becomes one named
//! type (`specs/types/<name>.yaml`), used everywhere the object travels.
//!
//! An object is identified by where it is described: a page (`crm/universal/object-fields.md`,
//! a page about one object) or a heading of a page (`sale/data-types.md#sale_order`). Its
//! name is, in order: the name of a hand-written type describing the same place
//! (`specs/overrides/types/`), the type name the referencing row writes (`` `deal` ``,
//! `` `sale_order` ``), the anchor, or the `*.fields` method or page it comes from. Generic
//! words (`item`, `fields`, …) are not names. Two places proposing one name share the type
//! when they sit in the same docs folder (a `*.get` reply and the `*.fields` page of the
//! same entity); otherwise the later one is qualified by its folder.

use std::collections::{BTreeMap, BTreeSet};

use crate::naming::{Case, ident};
use crate::spec::{Field, NamedType, TypeExpr};

use super::types::Vocabulary;

/// Words that say what a table is, not which object it describes.
const GENERIC: [&str; 21] = [
    "item",
    "items",
    "object",
    "objects",
    "field",
    "fields",
    "result",
    "data",
    "params",
    "parameters",
    "parameter",
    "list",
    "element",
    "elements",
    "entity",
    "description",
    "response",
    "common",
    "index",
    "universal",
    "value",
];

/// Words of page and folder names that say what a page does or where it sits, not which
/// object it describes (`crm-deal-get.md`, `fields-rest-v3.md`, `api-reference/`).
const PAGE_WORDS: [&str; 12] = [
    "get",
    "add",
    "update",
    "delete",
    "set",
    "rest",
    "v2",
    "v3",
    "api",
    "reference",
    "md",
    "includes",
];

/// The objects found so far in one import.
#[derive(Debug, Default)]
pub struct Objects {
    /// Named types by name, each with the docs folder it is described in.
    types: BTreeMap<String, (String, NamedType)>,
    /// The name given to each described place (`page.md` or `page.md#anchor`).
    places: BTreeMap<String, String>,
    /// Objects whose fields are being read: a reference to one of them is a cycle.
    reading: BTreeSet<String>,
    /// The fields of the hand-written types, by name.
    hand_written: BTreeMap<String, Vec<Field>>,
}

/// What claiming a place gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The place already has a type (read before, or hand-written): use it.
    Known(String),
    /// A new object: read its fields and [`add`](Objects::add) them.
    New(String),
    /// The object is being read further up: referencing it here would make a type
    /// contain itself.
    Cycle,
}

impl Objects {
    /// No objects yet, beside the hand-written types (name and fields).
    pub fn new(hand_written: impl IntoIterator<Item = (String, Vec<Field>)>) -> Self {
        Objects {
            hand_written: hand_written.into_iter().collect(),
            ..Objects::default()
        }
    }

    /// The fields of a shared type found so far or written by hand.
    pub fn fields(&self, name: &str) -> Option<Vec<Field>> {
        match self.types.get(name) {
            Some((_, ty)) => ty.fields.clone(),
            None => self.hand_written.get(name).cloned(),
        }
    }

    /// The type of the object described at `place` (`page.md` or `page.md#anchor`),
    /// named from the first usable `proposals`.
    pub fn claim(&mut self, place: &str, proposals: &[String], vocab: &Vocabulary) -> Claim {
        if let Some(name) = vocab.type_docs.get(place) {
            return Claim::Known(name.clone());
        }
        if let Some(name) = self.places.get(place) {
            return if self.reading.contains(name) {
                Claim::Cycle
            } else {
                Claim::Known(name.clone())
            };
        }
        let folder = folder_of(place);
        let proposed = proposals
            .iter()
            .map(|p| type_name(p))
            .find(|p| !p.is_empty() && !GENERIC.contains(&p.as_str()));
        // Only a name the docs give says two places describe one object; a name made from
        // the page's path is this place's alone.
        let name = match proposed {
            Some(proposed) => self.free_name(&proposed, Some(folder), vocab),
            None => self.free_name(&path_name(place), None, vocab),
        };
        self.places.insert(place.to_owned(), name.clone());
        if self.types.contains_key(&name) {
            // The same object described again in its folder: its fields join the first
            // description's.
            self.reading.insert(name.clone());
            return Claim::New(name);
        }
        self.types.insert(
            name.clone(),
            (
                folder.to_owned(),
                NamedType {
                    name: name.clone(),
                    docs: Some(place.to_owned()),
                    ty: None,
                    values: None,
                    fields: Some(Vec::new()),
                },
            ),
        );
        self.reading.insert(name.clone());
        Claim::New(name)
    }

    /// Adds the fields read for a newly claimed object; fields already known (from another
    /// description of the same object) are kept.
    pub fn add(&mut self, name: &str, fields: Vec<Field>) {
        self.reading.remove(name);
        if let Some((_, ty)) = self.types.get_mut(name) {
            let known = ty.fields.get_or_insert_with(Vec::new);
            for field in fields {
                if !known.iter().any(|f| f.name == field.name) {
                    known.push(field);
                }
            }
        }
    }

    /// Points the docs of `name`, found in an included fragment, at `page`, which shows
    /// it: the fragment is no page of the docs site. Its anchor stays.
    pub fn shown_on(&mut self, name: &str, page: &str) {
        if let Some((_, ty)) = self.types.get_mut(name) {
            let anchor = ty
                .docs
                .as_deref()
                .and_then(|d| d.split_once('#'))
                .map(|(_, a)| a);
            ty.docs = Some(match anchor {
                Some(anchor) => format!("{page}#{anchor}"),
                None => page.to_owned(),
            });
        }
    }

    /// Every object found, by name; objects without any field are left out (a reference
    /// to one is a loose object).
    pub fn into_types(self) -> BTreeMap<String, NamedType> {
        self.types
            .into_iter()
            .filter(|(_, (_, ty))| ty.fields.as_ref().is_some_and(|f| !f.is_empty()))
            .map(|(name, (_, ty))| (name, ty))
            .collect()
    }

    /// Whether the object has at least one field (so far).
    pub fn has_fields(&self, name: &str) -> bool {
        self.types
            .get(name)
            .is_some_and(|(_, t)| t.fields.as_ref().is_some_and(|f| !f.is_empty()))
    }

    /// `proposed`, or a qualified form of it when the name is taken by an entity, a
    /// hand-written type or an object of another folder than `shared_in` (of any folder
    /// without one).
    fn free_name(&self, proposed: &str, shared_in: Option<&str>, vocab: &Vocabulary) -> String {
        let taken = |name: &str| {
            let primitive = name
                .parse::<TypeExpr>()
                .is_ok_and(|t| !matches!(t, TypeExpr::Name(_)));
            primitive
                || vocab.entities.contains_key(name)
                || vocab.types.contains(name)
                || self
                    .types
                    .get(name)
                    .is_some_and(|(f, _)| Some(f.as_str()) != shared_in)
        };
        if !taken(proposed) {
            return proposed.to_owned();
        }
        let qualifier = shared_in
            .unwrap_or_default()
            .rsplit('/')
            .map(type_name)
            .find(|s| {
                !s.is_empty()
                    && !GENERIC.contains(&s.as_str())
                    && !PAGE_WORDS.contains(&s.as_str())
                    && !s.contains("api_reference")
                    && !proposed.starts_with(s.as_str())
            })
            .unwrap_or_default();
        let qualified = if qualifier.is_empty() {
            proposed.to_owned()
        } else {
            format!("{qualifier}_{proposed}")
        };
        (1..)
            .map(|n| match n {
                1 => qualified.clone(),
                n => format!("{qualified}_{n}"),
            })
            .find(|name| !taken(name))
            .expect("an unbounded range has a free name")
    }
}

/// The docs folder of a place (`api-reference/crm/deals` for
/// `api-reference/crm/deals/crm-deal-get.md#deal`).
fn folder_of(place: &str) -> &str {
    let page = place.split('#').next().unwrap_or(place);
    page.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// A type name from a word of the docs: snake case (`ActionDto` → `action_dto`), without
/// the `_` that keeps Rust keywords apart (the type's Rust name is in upper camel case).
fn type_name(word: &str) -> String {
    ident(word, Case::Snake).trim_end_matches('_').to_owned()
}

/// A name for a place that proposes none: the page's file name without generic words,
/// else its folder's (`tasks/fields.md` → `tasks`).
fn path_name(place: &str) -> String {
    let page = place.split('#').next().unwrap_or(place);
    let words = |segment: &str| -> Vec<String> {
        segment
            .trim_end_matches(".md")
            .split(['-', '_', '.'])
            .map(str::to_lowercase)
            .filter(|w| {
                !w.is_empty() && !GENERIC.contains(&w.as_str()) && !PAGE_WORDS.contains(&w.as_str())
            })
            .collect()
    };
    page.rsplit('/')
        .map(words)
        .find(|w| !w.is_empty())
        .map(|w| w.join("_"))
        .unwrap_or_else(|| "object".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str) -> Field {
        Field::new(name, TypeExpr::Primitive(crate::spec::Primitive::String))
    }

    #[test]
    fn places_are_named_once_and_shared_within_their_folder() {
        let mut vocab = Vocabulary::default();
        vocab
            .entities
            .insert("crm_deal".into(), crate::spec::IdType::Integer);
        vocab.types.insert("crm_item".into());
        vocab.type_docs.insert(
            "api/crm/universal/object-fields.md".into(),
            "crm_item".into(),
        );
        let mut objects = Objects::default();
        let props = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();

        assert_eq!(
            objects.claim(
                "api/crm/universal/object-fields.md",
                &props(&["item"]),
                &vocab
            ),
            Claim::Known("crm_item".into())
        );
        // A `*.get` reply describes the deal; the `*.fields` page of the same folder too.
        let deal = objects.claim(
            "api/crm/deals/crm-deal-get.md#deal",
            &props(&["deal"]),
            &vocab,
        );
        assert_eq!(deal, Claim::New("deal".into()));
        assert_eq!(
            objects.claim(
                "api/crm/deals/crm-deal-get.md#deal",
                &props(&["deal"]),
                &vocab
            ),
            Claim::Cycle
        );
        objects.add("deal", vec![field("ID"), field("TITLE")]);
        assert_eq!(
            objects.claim(
                "api/crm/deals/crm-deal-fields.md",
                &props(&["deal"]),
                &vocab
            ),
            Claim::New("deal".into())
        );
        objects.add("deal", vec![field("TITLE"), field("STAGE_ID")]);
        // Another folder's `deal` is another object; an entity's name is not taken.
        assert_eq!(
            objects.claim("api/sale/x/deal.md", &props(&["deal"]), &vocab),
            Claim::New("x_deal".into())
        );
        assert_eq!(
            objects.claim("api/crm/y/thing.md", &props(&["crm_deal"]), &vocab),
            Claim::New("y_crm_deal".into())
        );
        // Generic proposals give way to the page's name.
        assert_eq!(
            objects.claim("api/tasks/fields.md", &props(&["item", "fields"]), &vocab),
            Claim::New("tasks".into())
        );
        let types = objects.into_types();
        let deal_fields: Vec<&str> = types["deal"]
            .fields
            .iter()
            .flatten()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(deal_fields, ["ID", "TITLE", "STAGE_ID"]);
        assert_eq!(
            types["deal"].docs.as_deref(),
            Some("api/crm/deals/crm-deal-get.md#deal")
        );
    }
}
