//! How to read a list method in full by identifier ("fast listing"), as a plain
//! description that needs no HTTP client: which field identifies an element, how the
//! request is narrowed to identifiers above the last one read and ordered by identifier,
//! where a page's elements are, and how many a page holds.
//!
//! The client (feature `client`) reads a list with it (`Client::list_fast`); the generated
//! crate describes each list method with it through [`FastListed`].

use crate::{BATCH_LIMIT, Paged};

/// A list method that can be read in full by identifier: its elements have a numeric
/// identifier, its filter narrows by `>` on it and its order sorts by it.
///
/// The generated crate implements it for the list methods whose spec says so; `Client::
/// list_fast(&request)` then needs nothing else.
pub trait FastListed: Paged {
    /// How to read this method in full by identifier.
    fn fast_listing() -> FastListing;
}

/// How to read a list method in full by identifier: each page asks for the elements whose
/// identifier is greater than the last one read, in ascending order, without counting the
/// total (`start = -1` in REST 2).
///
/// Built with `const fn`s, so a description can be a constant. The defaults fit
/// `crm.item.list` minus the place of its elements (`FastListing::new().items_at("items")`);
/// other methods name their parameters, such as `user.get`:
/// `FastListing::new().id_field("ID").filter_param("FILTER").sort_params("sort", "order")`.
///
/// The page size is what the client expects a page to hold before it has read one: it
/// chains the pages of one request by the identifier of the last element of a page of
/// that size. A portal that pages differently, or changes its page size, is not misread:
/// the client goes on with the size of the last page read, and ends the list only at an
/// empty page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FastListing {
    pub(crate) id_field: &'static str,
    pub(crate) filter: Filter,
    pub(crate) order: Order,
    pub(crate) items: Items,
    pub(crate) page_size: usize,
    pub(crate) pages_per_request: usize,
}

/// Where the elements of a page are in the method's `result`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Items {
    /// The result is the list: a JSON array, or an object keyed `"0"`, `"1"`, … as PHP
    /// writes one (`user.get`).
    Result,
    /// The list is under this key of the result object (`items` for `crm.item.list`).
    Key(&'static str),
}

/// How the request's filter is narrowed to identifiers above the last one read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Filter {
    /// An object parameter of REST 2 gets the key `><id>`: `filter: {">id": 40}`.
    Object(&'static str),
    /// A list of conditions of REST 3.0 gets one more: `filter: [["id", ">", 40]]`.
    Conditions(&'static str),
}

/// How the request is told to sort by ascending identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// One object parameter, replaced by `{<id>: "ASC"}`.
    Object(&'static str),
    /// A field parameter and a direction parameter, as `user.get` takes them with `sort`
    /// and `order`: set to `<id>` and `"ASC"`.
    FieldAndDirection {
        field: &'static str,
        direction: &'static str,
    },
}

impl Default for FastListing {
    fn default() -> Self {
        Self::new()
    }
}

impl FastListing {
    /// The defaults: identifier `id`, parameters `filter` (an object) and `order`, the
    /// result itself is the list, pages of 50, 50 pages per request.
    pub const fn new() -> Self {
        Self {
            id_field: "id",
            filter: Filter::Object("filter"),
            order: Order::Object("order"),
            items: Items::Result,
            page_size: 50,
            pages_per_request: BATCH_LIMIT,
        }
    }

    /// Sets the identifier field of the elements (default `id`; `ID` for older methods).
    pub const fn id_field(mut self, field: &'static str) -> Self {
        self.id_field = field;
        self
    }

    /// Sets the name of the filter object (default `filter`); its value in the request is
    /// kept and narrowed with `>` on the identifier.
    pub const fn filter_param(mut self, name: &'static str) -> Self {
        self.filter = Filter::Object(name);
        self
    }

    /// Narrows a REST 3.0 filter instead: the list of conditions named `name` gets
    /// `[<id>, ">", <last>]`.
    pub const fn conditions_filter(mut self, name: &'static str) -> Self {
        self.filter = Filter::Conditions(name);
        self
    }

    /// Sets the name of the object parameter that orders the list (default `order`); it
    /// is replaced by `{<id>: "ASC"}`.
    pub const fn order_param(mut self, name: &'static str) -> Self {
        self.order = Order::Object(name);
        self
    }

    /// Orders the list with two parameters instead, one naming the field and one the
    /// direction, as `user.get` does with `sort` and `order`.
    pub const fn sort_params(mut self, field: &'static str, direction: &'static str) -> Self {
        self.order = Order::FieldAndDirection { field, direction };
        self
    }

    /// Reads the elements from this key of the result (such as `items` for
    /// `crm.item.list`) instead of the result itself.
    pub const fn items_at(mut self, key: &'static str) -> Self {
        self.items = Items::Key(key);
        self
    }

    /// Sets how many elements the client expects the first page to hold (default 50, at
    /// least 1).
    pub const fn page_size(mut self, size: usize) -> Self {
        self.page_size = if size == 0 { 1 } else { size };
        self
    }

    /// Sets how many pages go in one HTTP request, from 1 (no `batch`) to 50 (the
    /// default). Use 1 for a method given by name that cannot run inside `batch`: its
    /// refused first page would otherwise be read again on its own, two requests a page.
    pub const fn pages_per_request(mut self, pages: usize) -> Self {
        self.pages_per_request = if pages == 0 {
            1
        } else if pages > BATCH_LIMIT {
            BATCH_LIMIT
        } else {
            pages
        };
        self
    }
}

#[cfg(test)]
mod tests {
    use super::{FastListing, Filter, Items, Order};

    /// A description as the generated crate writes one: a constant.
    const USERS: FastListing = FastListing::new()
        .id_field("ID")
        .filter_param("FILTER")
        .sort_params("sort", "order")
        .page_size(0)
        .pages_per_request(80);

    #[test]
    fn descriptions_are_built_in_const_fns() {
        assert_eq!(USERS.id_field, "ID");
        assert_eq!(USERS.filter, Filter::Object("FILTER"));
        assert_eq!(
            USERS.order,
            Order::FieldAndDirection {
                field: "sort",
                direction: "order"
            }
        );
        assert_eq!(USERS.items, Items::Result);
        assert_eq!((USERS.page_size, USERS.pages_per_request), (1, 50));
        let tasks = FastListing::new()
            .conditions_filter("filter")
            .items_at("items")
            .order_param("order")
            .pages_per_request(0);
        assert_eq!(tasks.filter, Filter::Conditions("filter"));
        assert_eq!(tasks.items, Items::Key("items"));
        assert_eq!(tasks.pages_per_request, 1);
        assert_eq!(FastListing::default(), FastListing::new());
    }
}
