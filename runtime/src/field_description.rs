//! What `*.fields` and `*.getFields` methods return for each field of an object.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::wire::{As, Text, TrueFalse};

/// The description of one field of an object, as `crm.deal.fields`, `crm.item.fields`,
/// `sale.order.getFields` and the other field-listing methods return it, keyed by the
/// field's name:
///
/// ```json
/// "TITLE": {"type": "string", "isRequired": false, "isReadOnly": false,
///           "isImmutable": false, "isMultiple": false, "isDynamic": false, "title": "Title"}
/// ```
///
/// Every member may be absent (older methods send fewer); booleans are read in any of the
/// forms Bitrix24 sends. Members this type does not name (`statusType`, …)
/// are kept in [`other`](Self::other) and written back.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FieldDescription {
    /// The field's type (`string`, `integer`, `crm_status`, `enumeration`, …).
    #[serde(
        rename = "type",
        default,
        skip_serializing_if = "Option::is_none",
        with = "As::<Text>"
    )]
    pub ty: Option<String>,
    /// Whether a new object must set the field.
    #[serde(
        rename = "isRequired",
        default,
        skip_serializing_if = "Option::is_none",
        with = "As::<TrueFalse>"
    )]
    pub is_required: Option<bool>,
    /// Whether the field is set by the portal only.
    #[serde(
        rename = "isReadOnly",
        default,
        skip_serializing_if = "Option::is_none",
        with = "As::<TrueFalse>"
    )]
    pub is_read_only: Option<bool>,
    /// Whether the field can be set only when the object is created.
    #[serde(
        rename = "isImmutable",
        default,
        skip_serializing_if = "Option::is_none",
        with = "As::<TrueFalse>"
    )]
    pub is_immutable: Option<bool>,
    /// Whether the field holds a list of values.
    #[serde(
        rename = "isMultiple",
        default,
        skip_serializing_if = "Option::is_none",
        with = "As::<TrueFalse>"
    )]
    pub is_multiple: Option<bool>,
    /// Whether the field is a custom (user) field.
    #[serde(
        rename = "isDynamic",
        default,
        skip_serializing_if = "Option::is_none",
        with = "As::<TrueFalse>"
    )]
    pub is_dynamic: Option<bool>,
    /// The field's name in the portal's language.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "As::<Text>")]
    pub title: Option<String>,
    /// The field's name in upper case (`crm.item.fields`: `STAGE_ID` for `stageId`).
    #[serde(
        rename = "upperName",
        default,
        skip_serializing_if = "Option::is_none",
        with = "As::<Text>"
    )]
    pub upper_name: Option<String>,
    /// The label of the field in forms (custom fields).
    #[serde(
        rename = "formLabel",
        default,
        skip_serializing_if = "Option::is_none",
        with = "As::<Text>"
    )]
    pub form_label: Option<String>,
    /// The label of the field's column in lists (custom fields).
    #[serde(
        rename = "listLabel",
        default,
        skip_serializing_if = "Option::is_none",
        with = "As::<Text>"
    )]
    pub list_label: Option<String>,
    /// The label of the field in the filter (custom fields).
    #[serde(
        rename = "filterLabel",
        default,
        skip_serializing_if = "Option::is_none",
        with = "As::<Text>"
    )]
    pub filter_label: Option<String>,
    /// The allowed values of an enumeration field (`ID` and `VALUE` of each).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Value>,
    /// The field's settings (custom fields), as the portal sends them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<Value>,
    /// Every other member, by name.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_every_form_and_keeps_unknown_members() {
        let wire = json!({
            "type": "crm_status", "isRequired": false, "isReadOnly": "Y",
            "isImmutable": 1, "isMultiple": "false", "isDynamic": false,
            "title": "Type", "upperName": "TYPE_ID", "statusType": "DEAL_TYPE",
            "items": [{"ID": "1", "VALUE": "A"}]
        });
        let description: FieldDescription = serde_json::from_value(wire).unwrap();
        assert_eq!(description.ty.as_deref(), Some("crm_status"));
        assert_eq!(description.is_required, Some(false));
        assert_eq!(description.is_read_only, Some(true));
        assert_eq!(description.is_immutable, Some(true));
        assert_eq!(description.is_multiple, Some(false));
        assert_eq!(description.title.as_deref(), Some("Type"));
        assert_eq!(description.upper_name.as_deref(), Some("TYPE_ID"));
        assert_eq!(description.other["statusType"], json!("DEAL_TYPE"));
        assert_eq!(description.items, Some(json!([{"ID": "1", "VALUE": "A"}])));
        let again = serde_json::to_value(&description).unwrap();
        assert_eq!(again["statusType"], json!("DEAL_TYPE"));
        assert_eq!(again["upperName"], json!("TYPE_ID"));
        assert_eq!(again["isReadOnly"], json!(true));
    }

    #[test]
    fn a_record_is_not_a_description() {
        // A member typed as text cannot take an object: a reply that is a record, not a
        // map of descriptions, fails where its values are objects.
        let record = json!({"type": {"id": 1}});
        assert!(serde_json::from_value::<FieldDescription>(record).is_err());
    }
}
