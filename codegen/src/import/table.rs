//! Reading one row of a parameter or field table: name, required mark, type, description.

use super::yfm::Table;

/// What a table is about, told by its header row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// `Name` / `Parameter` / `Field` with a type line: parameters or result fields.
    Fields,
    /// `Code` / `Status`: documented errors.
    Errors,
    /// Anything else (method lists, events, placements, …).
    Other,
}

/// Classifies a table by its first row.
pub fn kind(table: &Table) -> TableKind {
    let Some(header) = table.rows.first() else {
        return TableKind::Other;
    };
    let first = plain(header.first().map_or("", String::as_str)).to_lowercase();
    let words: Vec<String> = header.iter().map(|c| plain(c).to_lowercase()).collect();
    let has = |w: &str| words.iter().any(|c| c.contains(w));
    if (first.starts_with("code") || first.starts_with("status") || first.starts_with("error"))
        && (has("description") || has("message") || has("text"))
    {
        return TableKind::Errors;
    }
    let field_header =
        HEADER_WORDS.iter().any(|w| first.starts_with(w)) || types_the_columns(header);
    if field_header
        && (header.first().is_some_and(|c| c.contains('`'))
            || words.iter().any(|w| w == "type")
            || names_without_types(&words))
    {
        return TableKind::Fields;
    }
    // A table without a header row (booking.v1.booking.list): its first row is a field.
    if table
        .rows
        .iter()
        .all(|row| row.len() >= 2 && row_field(row).is_some())
        && table.rows.len() > 1
        && !field_header
    {
        return TableKind::Fields;
    }
    TableKind::Other
}

/// A `Name` / `Description` header: a fields table that gives no types (the legacy
/// `task.item.*` pages); the page's examples type its fields.
fn names_without_types(words: &[String]) -> bool {
    matches!(words, [_, description] if description.starts_with("description"))
}

/// Whether a fields table gives types: in the name cells or a column of their own.
pub fn has_types(table: &Table) -> bool {
    let Some(header) = table.rows.first() else {
        return true;
    };
    let words: Vec<String> = header.iter().map(|c| plain(c).to_lowercase()).collect();
    !names_without_types(&words)
        || table
            .rows
            .iter()
            .any(|row| row.first().is_some_and(|c| c.contains('`')))
}

/// First words of the name column's header.
const HEADER_WORDS: [&str; 4] = ["name", "parameter", "field", "key"];

/// Whether the first row of a fields table is a header to skip.
pub fn has_header(table: &Table) -> bool {
    table.rows.first().is_some_and(|row| {
        let first = plain(row.first().map_or("", String::as_str)).to_lowercase();
        types_the_columns(row)
            || HEADER_WORDS.iter().any(|w| first.starts_with(w))
                && row.first().is_some_and(|c| !c.contains('['))
    })
}

/// A header row whose name cell has the word `type` as its type line (`**Value**` /
/// `` `type` ``): whatever the column is called, the row names columns, not a field.
fn types_the_columns(row: &[String]) -> bool {
    row.first()
        .is_some_and(|c| c.to_ascii_lowercase().contains("`type`"))
}

/// One row of a fields table.
#[derive(Debug, Clone, PartialEq)]
pub struct RowField {
    /// The name as written, with `[]` and placeholders normalised (see [`row_field`]).
    pub name: String,
    /// Marked with `*` or `^*^`.
    pub required: bool,
    /// The type part of the name cell (code spans and links), or the type column.
    pub type_text: String,
    /// The description cell.
    pub description: String,
}

/// Reads a row, or `None` when its first cell holds no bold name.
pub fn row_field(row: &[String]) -> Option<RowField> {
    let cell = row.first()?;
    let open = cell.find("**")?;
    let after_open = &cell[open + 2..];
    // The closing `**`, not counting an escaped star (`UF_\*`).
    let close = (0..after_open.len().saturating_sub(1)).find(|&i| {
        after_open.is_char_boundary(i)
            && after_open[i..].starts_with("**")
            && !after_open[..i].ends_with('\\')
    })?;
    let raw_name = &after_open[..close];
    let rest = &after_open[close + 2..];
    let mut required = raw_name.contains("^*^")
        || raw_name.trim_end().ends_with('*') && !raw_name.trim_end().ends_with("\\*");
    // `**name***` is required; `**name****` (a bold empty span after the name) is not.
    if rest.starts_with('*') && !rest.starts_with("**") || rest.starts_with("^*^") {
        required = true;
    }
    let name = clean_name(raw_name)?;
    let rest = rest.strip_prefix("^*^").unwrap_or(rest);
    let rest = if rest.starts_with("**") {
        rest
    } else {
        rest.trim_start_matches('*')
    };
    // The type is on the next line of the name cell, or in a column of its own.
    let (type_text, description) = if row.len() >= 3 && !cell[open..].contains('`') {
        (row[1].clone(), row[2..].join("\n"))
    } else {
        (rest.to_owned(), row[1..].join("\n"))
    };
    Some(RowField {
        name: family_name(name, &description),
        required,
        type_text,
        description,
    })
}

/// The field name inside the bold span: `id^*^` → `id`, `UF_\*` → `UF_*`,
/// `<field_code>` or `{BOT_ID}` → `*` (any name), `TITLE (LANG)` → `TITLE`.
fn clean_name(raw: &str) -> Option<String> {
    let mut name = raw
        .replace("^*^", "")
        .replace("\\*", "\u{0}")
        .replace('\\', "");
    name = name.trim().trim_end_matches('*').replace('\u{0}', "*");
    let name = name
        .split_whitespace()
        .next()?
        .trim_end_matches(',')
        .to_owned();
    if name.starts_with('<') || name.starts_with('{') || name.starts_with('[') {
        return Some("*".to_owned());
    }
    // A leading `~` names the unescaped copy of a field (`~DESCRIPTION`).
    let valid = !name.is_empty()
        && name
            .trim_start_matches('~')
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-:[]*$@".contains(c));
    valid.then_some(name)
}

/// A name standing for a family of keys as a wildcard: `UF_CRM_...` → `UF_CRM_*`, and
/// `propertyN` whose description says what `N` is → `property*` (but `gpsN`, latitude
/// north, stays).
fn family_name(name: String, description: &str) -> String {
    if let Some(prefix) = name.strip_suffix("...") {
        return format!("{prefix}*");
    }
    match name.strip_suffix('N') {
        Some(prefix)
            if prefix.ends_with(|c: char| c.is_ascii_lowercase())
                && description.contains("`N`") =>
        {
            format!("{prefix}*")
        }
        _ => name,
    }
}

/// A cell's text with markup removed: bold, code ticks, links reduced to their text.
pub fn plain(cell: &str) -> String {
    let mut out = String::with_capacity(cell.len());
    let mut chars = cell.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' | '`' | '^' => {}
            ']' if chars.peek() == Some(&'(') => {
                for c in chars.by_ref() {
                    if c == ')' {
                        break;
                    }
                }
            }
            '[' => {}
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn reads_required_marks_in_every_spelling() {
        let f = row_field(&row(&["**ID***\n[`integer`](../data-types.md)", "Id"])).unwrap();
        assert_eq!((f.name.as_str(), f.required), ("ID", true));
        assert_eq!(f.type_text, "\n[`integer`](../data-types.md)");
        for cell in ["**ENTITY**^*^\n`string`", "**id^*^**\n`integer`"] {
            assert!(row_field(&row(&[cell, "x"])).unwrap().required, "{cell}");
        }
        let f = row_field(&row(&["**weight****\n[`integer`](x)", "x"])).unwrap();
        assert_eq!((f.name.as_str(), f.required), ("weight", false));
        let f = row_field(&row(&["**name**\n`string`", "x"])).unwrap();
        assert!(!f.required);
    }

    #[test]
    fn normalises_names() {
        let name = |cell: &str| row_field(&row(&[cell, "x"])).map(|f| f.name);
        assert_eq!(name("**UF_\\***\n`any`").as_deref(), Some("UF_*"));
        assert_eq!(name("**<field_code>**\n`any`").as_deref(), Some("*"));
        assert_eq!(name("**TITLE (LANG)**\n`string`").as_deref(), Some("TITLE"));
        assert_eq!(name("**items[]**\n`object`").as_deref(), Some("items[]"));
        // The unescaped copy of a field keeps its `~`; a `~` inside a name is no name.
        assert_eq!(
            name("**~DESCRIPTION**\n`string`").as_deref(),
            Some("~DESCRIPTION")
        );
        assert_eq!(name("**A~B**\n`string`"), None);
        assert_eq!(name("no bold"), None);
        let named =
            |cell: &str, description: &str| row_field(&row(&[cell, description])).unwrap().name;
        assert_eq!(named("**UF_CRM_...**\n`any`", "x"), "UF_CRM_*");
        assert_eq!(
            named("**propertyN**\n`any`", "where `N` is the id"),
            "property*"
        );
        assert_eq!(named("**gpsN**\n`double`", "latitude"), "gpsN");
    }

    #[test]
    fn type_column_tables() {
        let f = row_field(&row(&["**ID**", "`integer`", "Id"])).unwrap();
        assert_eq!(
            (f.type_text.as_str(), f.description.as_str()),
            ("`integer`", "Id")
        );
    }

    #[test]
    fn classifies_tables() {
        let t = |rows: &[&[&str]]| Table {
            line: 1,
            rows: rows.iter().map(|r| row(r)).collect(),
        };
        assert_eq!(
            kind(&t(&[&["**Name**\n`type`", "**Description**"]])),
            TableKind::Fields
        );
        assert_eq!(
            kind(&t(&[&["**Code**", "**Description**", "**Value**"]])),
            TableKind::Errors
        );
        assert_eq!(
            kind(&t(&[&["**Method**", "**Description**"]])),
            TableKind::Other
        );
        let value_header = t(&[
            &["**Value**\n`type`", "**Description**"],
            &["**id**\n`integer`", "x"],
        ]);
        assert_eq!(kind(&value_header), TableKind::Fields);
        assert!(has_header(&value_header));
        assert!(!has_header(&t(&[&["**id**\n`integer`", "x"]])));
        assert_eq!(
            kind(&t(&[
                &["**id**\n`integer`", "x"],
                &["**name**\n`string`", "y"]
            ])),
            TableKind::Fields
        );
    }
}
