//! Error tables: code, message and HTTP status, in every header layout the docs use.

use super::table::plain;
use super::yfm::Table;
use crate::spec::ErrorSpec;

/// Which column holds what, read off the header row.
#[derive(Debug, Default)]
struct Columns {
    code: Option<usize>,
    status: Option<usize>,
    message: Option<usize>,
}

fn columns(header: &[String]) -> Columns {
    let names: Vec<String> = header.iter().map(|c| plain(c).to_lowercase()).collect();
    let find = |pred: &dyn Fn(&str) -> bool| names.iter().position(|n| pred(n));
    let code = find(&|n| n.starts_with("code") || n == "error code" || n == "error");
    let status = find(&|n| n.contains("status"));
    // An explicit message column; otherwise the first `Description` column is the message
    // when another column explains it (`Code | Description | Value`).
    let message = find(&|n| n.contains("message") || n.contains("error text") || n == "text")
        .or_else(|| {
            let description = find(&|n| n.starts_with("description"))?;
            let explained = names.len() > description + 1;
            explained.then_some(description)
        });
    Columns {
        code,
        status,
        message,
    }
}

/// The errors of one table. `default_status` is the status the page states for its
/// error examples when the table has no status column.
pub fn read(table: &Table, default_status: Option<u16>) -> Vec<ErrorSpec> {
    let Some((header, rows)) = table.rows.split_first() else {
        return Vec::new();
    };
    let cols = columns(header);
    let Some(code_col) = cols.code else {
        return Vec::new();
    };
    let mut errors = Vec::new();
    for row in rows {
        let Some(code) = row.get(code_col).and_then(|c| code_text(c)) else {
            continue;
        };
        let status = cols
            .status
            .and_then(|i| row.get(i))
            .and_then(|c| plain(c).trim().parse::<u16>().ok())
            .or(default_status);
        let message = cols
            .message
            .and_then(|i| row.get(i))
            .map(|c| plain(c))
            .filter(|m| !m.is_empty() && m != "-" && m != "—");
        errors.push(ErrorSpec {
            code,
            message,
            status,
        });
    }
    errors
}

/// The code in a cell: the text of its first code span, or the plain text when it is a
/// single token. "Empty value" and prose are not codes.
fn code_text(cell: &str) -> Option<String> {
    let code = match cell.find('`') {
        Some(open) => {
            let rest = &cell[open + 1..];
            rest[..rest.find('`')?].trim().to_owned()
        }
        None => plain(cell),
    };
    let valid = !code.is_empty()
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.:".contains(c));
    valid.then_some(code)
}

const STATUS_LINE: &str = "HTTP status:";

/// Whether a line states the HTTP status of an example reply (`HTTP status: **400**`,
/// `HTTP Status: **200**`).
pub fn is_status_line(line: &str) -> bool {
    line.get(..STATUS_LINE.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(STATUS_LINE))
}

/// The single HTTP status in a line such as `HTTP status: **400**`.
pub fn stated_status(line: &str) -> Option<u16> {
    if !is_status_line(line) {
        return None;
    }
    let rest = &line[STATUS_LINE.len()..];
    let statuses: Vec<u16> = rest
        .split(',')
        .filter_map(|s| plain(s).trim().parse().ok())
        .collect();
    match statuses.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> Table {
        Table {
            line: 1,
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
                .collect(),
        }
    }

    #[test]
    fn reads_status_code_description_value_tables() {
        let t = table(&[
            &["**Status**", "**Code**", "**Description**", "**Value**"],
            &["`400`", "`NOT_FOUND`", "SPA not found", "explanation"],
            &["`400`", "Empty value", "x", "y"],
        ]);
        assert_eq!(
            read(&t, None),
            vec![ErrorSpec {
                code: "NOT_FOUND".into(),
                message: Some("SPA not found".into()),
                status: Some(400)
            }]
        );
    }

    #[test]
    fn message_columns_and_stated_status() {
        let t = table(&[
            &["**Code**", "**Error Message**", "**Description**"],
            &["`ERROR_CORE`", "Department not found", "explanation"],
        ]);
        let errors = read(&t, stated_status("HTTP status: **400**"));
        assert_eq!(errors[0].message.as_deref(), Some("Department not found"));
        assert_eq!(errors[0].status, Some(400));
        // Two columns: the description explains, it is not the message.
        let t = table(&[&["**Code**", "**Description**"], &["`100`", "explanation"]]);
        assert_eq!(read(&t, None)[0].message, None);
        assert_eq!(stated_status("HTTP status: **400**, **403**"), None);
        assert_eq!(
            stated_status("HTTP Status: **403**"),
            Some(403),
            "either case"
        );
    }
}
