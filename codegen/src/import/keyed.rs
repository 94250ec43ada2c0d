//! Objects keyed by the caller or the server. The docs write them in the form
//! `{"field_1": "value_1", ... "field_N": "value_N"}` and say in words what the keys and
//! the values are, each usually with a link: "where `field` is a field of [the
//! object](…) and `value` is an object of type [rest_field_description](…)"; or in words
//! alone: "Key — item identifier, value — object with [item description](…)", "The key
//! of the object is the user identifier, and the value is …". Such an object is a map,
//! never a struct of the fields its keys are linked to, nor of the keys an example shows.

/// Whether a description gives its object in the keyed form.
pub fn is_keyed(description: &str) -> bool {
    form_end(description).is_some()
}

/// Whether a row says what the keys of its object are ("…, where the key is the identifier
/// of the attachment"): the one row of such a table stands for every member.
pub fn names_the_keys(description: &str) -> bool {
    let lower = description.to_ascii_lowercase();
    KEY_WORDS.iter().any(|words| lower.contains(words))
}

/// What the words about the values say of them beyond the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Values {
    /// One of the linked object (or of anything, without a link).
    One,
    /// A list of the linked object ("The value is an array of objects, each describing an
    /// [event](#event)").
    List,
    /// A list whose items depend on the call (a bulleted "when …" for each case).
    ListOfAny,
}

/// What the sentence about the values (from its mention to the end of the sentence) says
/// they are.
pub fn values(description: &str) -> Values {
    let Some(end) = form_end(description) else {
        return Values::One;
    };
    let after = description[end..].to_ascii_lowercase();
    let Some(at) = VALUE_WORDS.iter().find_map(|words| after.find(words)) else {
        return Values::One;
    };
    let sentence = &after[at..];
    let end = [". ", ".\n"]
        .iter()
        .filter_map(|stop| sentence.find(stop))
        .min()
        .unwrap_or(sentence.len());
    let sentence = &sentence[..end];
    match (sentence.contains("array"), sentence.contains("\n- ")) {
        (false, _) => Values::One,
        (true, false) => Values::List,
        (true, true) => Values::ListOfAny,
    }
}

/// Whether the values of the keyed form are sort directions (`"field_N": "order_N"`, or
/// "where the key is the field and the value is `ASC` or `DESC`").
pub fn sorts(description: &str) -> bool {
    let Some(end) = form_end(description) else {
        return false;
    };
    let after = description[end..].to_ascii_lowercase();
    description.contains("\"order_N\"")
        || description.contains("\"order_1\"")
        || after.contains("`asc` or `desc`")
}

/// The link that describes the values: the first link after a mention of `value` that
/// follows the form (the key's link comes before it).
pub fn value_link(description: &str) -> Option<String> {
    let after = &description[form_end(description)?..];
    let lower = after.to_ascii_lowercase();
    // Without a mention of the value, the link that ends the sentence about the keys
    // ("where the object's key is the `code` of the region [(details)](#regions)").
    let mention = ["`value`", " value ", " values "]
        .iter()
        .find_map(|words| lower.find(words))
        .unwrap_or(0);
    let rest = &after[mention..];
    // The link must be close to the mention, in the same sentence.
    let open = rest.find("](")?;
    if rest[..open].contains(". ") {
        return None;
    }
    let target = &rest[open + 2..];
    target.find(')').map(|end| target[..end].to_owned())
}

/// The byte offset just past the keyed form (its last key is `"<name>_N"`, such as
/// `"field_N"` or `"lang_N"`), or past the words that say what the keys are, if the
/// description has either.
fn form_end(description: &str) -> Option<usize> {
    let written = description
        .find("_N\":")
        .or_else(|| description.find("_N\" :"))
        .or_else(|| description.find("field_N:"));
    match written {
        Some(at) => {
            let close = description[at..].find('}')?;
            Some(at + close + 1)
        }
        None => keys_in_words(description),
    }
}

/// Words that say what the keys of an object are.
const KEY_WORDS: [&str; 5] = [
    "key — ",
    "key of the object is ",
    "where the key is ",
    "where the object's key is ",
    "the keys are ",
];

/// Words, later in the same sentence, that say what the values are.
const VALUE_WORDS: [&str; 5] = [
    "value — ",
    "the value is",
    "the value:",
    "and the value ",
    "the values are",
];

/// The byte offset past words that say what the keys are ("Key — …", "The key of the object
/// is …", "where the key is …", "The keys are …") when the same sentence goes on to say what
/// the value is, or links to its description.
fn keys_in_words(description: &str) -> Option<usize> {
    // ASCII lower case keeps byte offsets.
    let lower = description.to_ascii_lowercase();
    KEY_WORDS.iter().find_map(|words| {
        let at = lower.find(words)? + words.len();
        let sentence = &lower[at..lower[at..].find(". ").map_or(lower.len(), |end| at + end)];
        (VALUE_WORDS.iter().any(|value| sentence.contains(value)) || sentence.contains("]("))
            .then_some(at)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &str = "Object of the form `{\"field_1\": \"value_1\", ... \"field_N\": \"value_N\"}`, \
        where `field` names a field of the [thing](../types.md#thing) and `value` is an \
        object of type [field_info](../types.md#field_info)";

    #[test]
    fn reads_the_keyed_form() {
        assert!(is_keyed(FIELDS));
        assert!(!is_keyed(
            "An object with the fields of the [thing](x.md#thing)"
        ));
        let langs = "In the form `{\"lang_1\": \"value_1\", ... \"lang_N\": \"value_N\"}`, \
            where `value` is an object of type [names](#names)";
        assert_eq!(value_link(langs).as_deref(), Some("#names"));
        assert_eq!(
            value_link(FIELDS).as_deref(),
            Some("../types.md#field_info")
        );
        assert!(!sorts(FIELDS));
    }

    #[test]
    fn reads_keys_and_values_said_in_words() {
        let items = "Object with checklist items. Key — item identifier, value — object \
            with [item description](#checklist-item)";
        assert!(is_keyed(items));
        assert_eq!(value_link(items).as_deref(), Some("#checklist-item"));
        let users = "Object with descriptions of users.\n\nThe key of the object is the user \
            identifier, and the value is the object with [user description](#user)";
        assert_eq!(value_link(users).as_deref(), Some("#user"));
        let counters = "Counters for chats. Key — chat ID, value — number of unread messages";
        assert!(is_keyed(counters));
        assert_eq!(value_link(counters), None);
        let list = "Object where the key is the identifier of the item and the value is the \
            description of the item [(detailed description)](#item).";
        assert!(is_keyed(list));
        assert_eq!(value_link(list).as_deref(), Some("#item"));
        let departments = "The root object where the key is the department ID, and the value:\n\
            - when `USER_DATA = 'N'` contains an array of employee IDs,\n\
            - when `USER_DATA = 'Y'` contains an array of objects [(users)](#user)";
        assert!(is_keyed(departments));
        assert_eq!(values(departments), Values::ListOfAny);
        assert_eq!(values(list), Values::One);
        let busy = "The key of the object is the user ID.\n\nThe value is an array of objects, \
            each describing an [event](#event)";
        assert_eq!(values(busy), Values::List);
        let access = "An object where the key is the `user ID`, and the value is an object with \
            [actions](#action) on the task.\n\nWithout access, an empty array `[]` comes.";
        assert_eq!(values(access), Values::One);
        let settings = "Settings. The keys are the names of the settings, and the values are \
            objects whose structure is described [below](#settings)";
        assert_eq!(value_link(settings).as_deref(), Some("#settings"));
        let regions = "List of regions, where the object's key is the `code` of the region \
            [(detailed description)](#regions)";
        assert_eq!(value_link(regions).as_deref(), Some("#regions"));
        let order = "List for sorting, where the key is the field and the value is `ASC` or `DESC`";
        assert!(sorts(order));
        assert!(names_the_keys(
            "File id in the form `n<fileId>`, where the key is the identifier of the attachment"
        ));
        assert!(!names_the_keys("Identifier of the file"));
        // A key named, with no value said: not a map.
        assert!(!is_keyed("Contains a single key — `item`"));
        assert!(!is_keyed(
            "Files, where the key is the identifier of the Drive object. For each file, `id`"
        ));
    }

    #[test]
    fn the_key_link_is_not_the_value_link() {
        let keys_only = "In the form `{\"field_1\": \"value_1\", ... \"field_N\": \"value_N\"}`. \
            Keys are the fields of the [thing](x.md#thing). The value is any scalar.";
        assert!(is_keyed(keys_only));
        assert_eq!(value_link(keys_only), None);
        let order = "In the form `{\"field_1\": \"order_1\", ... \"field_N\": \"order_N\"}`";
        assert!(sorts(order));
    }
}
