//! A block-level reader for the Yandex Flavored Markdown of the Bitrix24 docs.
//!
//! It recognises only what the importer needs: headings (with `{#anchor}`), multi-line
//! tables (`#| || cell | cell || |#`, also indented inside `{% list tabs %}`), fenced code
//! blocks and blockquote lines. Everything else is skipped. It never fails: malformed
//! input (an unclosed table or fence) ends at the end of the page.

/// One block of a page, in page order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// `## Text {#anchor}`.
    Heading(Heading),
    /// A YFM table.
    Table(Table),
    /// A fenced code block.
    Code(Code),
    /// A `> ` line, without the marker.
    Quote(String),
    /// Any other non-empty line, trimmed.
    Text(String),
}

/// A heading.
#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    /// 1 for `#`, 2 for `##`, …
    pub level: usize,
    /// The text without the marker and the anchor.
    pub text: String,
    /// The explicit `{#anchor}`, or the text turned into a slug.
    pub anchor: String,
}

/// A table: rows of cells, the header row included when the page has one.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// 1-based line of the `#|` marker.
    pub line: usize,
    /// Cells of each row, trimmed, with their inner line breaks.
    pub rows: Vec<Vec<String>>,
}

/// A fenced code block.
#[derive(Debug, Clone, PartialEq)]
pub struct Code {
    /// The info string after the fence (`json`, `curl`, …), lower case.
    pub lang: String,
    /// The content, with the common indentation removed.
    pub text: String,
}

/// Splits a page into blocks.
pub fn parse(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim();
        if let Some(fence) = fence_marker(trimmed) {
            let indent = line.len() - line.trim_start().len();
            let lang = trimmed[fence.len()..].trim().to_lowercase();
            let mut body = Vec::new();
            i += 1;
            // A closing fence is the fence's characters alone: "```bash" opens another
            // block and does not close this one (CommonMark).
            let closes = |line: &str| {
                let t = line.trim();
                t.starts_with(fence) && t.chars().all(|c| fence.starts_with(c))
            };
            while i < lines.len() && !closes(lines[i]) {
                body.push(strip_indent(lines[i], indent));
                i += 1;
            }
            blocks.push(Block::Code(Code {
                lang,
                text: body.join("\n"),
            }));
            i += 1;
        } else if let Some(first) = trimmed.strip_prefix("#|") {
            let start = i;
            let mut body = String::new();
            body.push_str(first);
            i += 1;
            let mut depth = 1;
            while i < lines.len() {
                let t = lines[i].trim();
                if t.starts_with("#|") {
                    depth += 1;
                }
                if let Some(last) = t.strip_suffix("|#") {
                    depth -= 1;
                    if depth == 0 {
                        body.push('\n');
                        body.push_str(last);
                        break;
                    }
                }
                body.push('\n');
                body.push_str(t);
                i += 1;
            }
            blocks.push(Block::Table(Table {
                line: start + 1,
                rows: table_rows(&body),
            }));
            i += 1;
        } else if let Some(heading) = heading(trimmed) {
            blocks.push(Block::Heading(heading));
            i += 1;
        } else if let Some(quote) = trimmed.strip_prefix('>') {
            blocks.push(Block::Quote(quote.trim().to_owned()));
            i += 1;
        } else {
            if !trimmed.is_empty() {
                blocks.push(Block::Text(trimmed.to_owned()));
            }
            i += 1;
        }
    }
    blocks
}

/// The backtick or tilde run opening a fence, if the line opens one.
fn fence_marker(trimmed: &str) -> Option<&str> {
    for fence in ["```", "~~~"] {
        if trimmed.starts_with(fence) {
            let run = trimmed.len()
                - trimmed
                    .trim_start_matches(fence.as_bytes()[0] as char)
                    .len();
            let marker = &trimmed[..run];
            // An inline span such as ```a | b``` on one line is not a fence.
            if trimmed[run..].contains(marker) {
                return None;
            }
            return Some(marker);
        }
    }
    None
}

fn strip_indent(line: &str, indent: usize) -> String {
    let spaces = line.len() - line.trim_start().len();
    line[spaces.min(indent)..].to_owned()
}

fn heading(trimmed: &str) -> Option<Heading> {
    let level = trimmed.len() - trimmed.trim_start_matches('#').len();
    if level == 0 || level > 6 || !trimmed[level..].starts_with(' ') {
        return None;
    }
    let mut text = trimmed[level..].trim().to_owned();
    let mut anchor = None;
    if let Some(open) = text.rfind("{#")
        && text.ends_with('}')
    {
        anchor = Some(text[open + 2..text.len() - 1].trim().to_owned());
        text = text[..open].trim().to_owned();
    }
    let anchor = anchor.unwrap_or_else(|| slug(&text));
    Some(Heading {
        level,
        text,
        anchor,
    })
}

/// A heading's text as a link target: lower case, words joined by `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() || c == '_' || c == '.' {
            out.extend(c.to_lowercase());
        } else if (c.is_whitespace() || c == '-') && !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// Splits a table body into rows and cells. `||` opens and closes a row, `|` separates
/// cells; neither counts inside inline code or a fenced block.
fn table_rows(body: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row: Option<Vec<String>> = None;
    let mut cell = String::new();
    let mut in_fence = false;
    for line in body.split('\n') {
        if line.trim_start().starts_with("```") && fence_marker(line.trim()).is_some() {
            in_fence = !in_fence;
            cell.push_str(line);
            cell.push('\n');
            continue;
        }
        if in_fence {
            cell.push_str(line);
            cell.push('\n');
            continue;
        }
        let chars: Vec<char> = line.chars().collect();
        let mut k = 0;
        let mut code_run = 0usize;
        while k < chars.len() {
            let c = chars[k];
            if c == '`' {
                let run = chars[k..].iter().take_while(|&&c| c == '`').count();
                if code_run == 0 {
                    code_run = run;
                } else if code_run == run {
                    code_run = 0;
                }
                cell.extend(std::iter::repeat_n('`', run));
                k += run;
                continue;
            }
            if c == '\\' && k + 1 < chars.len() && chars[k + 1] == '|' {
                cell.push('|');
                k += 2;
                continue;
            }
            if c == '|' && code_run == 0 {
                if chars.get(k + 1) == Some(&'|') {
                    match row.take() {
                        None => {
                            row = Some(Vec::new());
                            cell.clear();
                        }
                        Some(mut cells) => {
                            cells.push(cell.trim().to_owned());
                            rows.push(cells);
                            cell.clear();
                        }
                    }
                    k += 2;
                    continue;
                }
                if let Some(cells) = row.as_mut() {
                    cells.push(cell.trim().to_owned());
                    cell.clear();
                    k += 1;
                    continue;
                }
            }
            cell.push(c);
            k += 1;
        }
        // Inline code never spans lines in these tables; a lone backtick must not
        // swallow the rest of the table.
        cell.push('\n');
    }
    if let Some(mut cells) = row {
        cells.push(cell.trim().to_owned());
        rows.push(cells);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_headings_tables_code_and_quotes() {
        let page = "# Delete department.delete\n\n> Scope: [`department`](x.md)\n\n## Parameters {#params}\n\n#|\n|| **Name**\n`type` | **Description** ||\n|| **ID***\n[`integer`](../data-types.md) | Id, ```a | b``` ||\n|#\n\n```json\n{\"result\": true}\n```\n";
        let blocks = parse(page);
        assert_eq!(
            blocks[0],
            Block::Heading(Heading {
                level: 1,
                text: "Delete department.delete".into(),
                anchor: "delete-department.delete".into()
            })
        );
        assert_eq!(
            blocks[1],
            Block::Quote("Scope: [`department`](x.md)".into())
        );
        assert!(matches!(&blocks[2], Block::Heading(h) if h.anchor == "params"));
        let Block::Table(table) = &blocks[3] else {
            panic!("expected a table, got {:?}", blocks[3]);
        };
        assert_eq!(table.line, 7);
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[1][0], "**ID***\n[`integer`](../data-types.md)");
        assert_eq!(table.rows[1][1], "Id, ```a | b```");
        assert!(
            matches!(&blocks[4], Block::Code(c) if c.lang == "json" && c.text == "{\"result\": true}")
        );
    }

    #[test]
    fn a_fence_with_an_info_string_does_not_close_a_block() {
        // The first block is left open; the next tab's "```bash" is inside it, and the
        // bare fence after closes it, so the reply below is still read.
        let text = "```bash\ncurl a\n- OAuth\n    ```bash\n    curl b\n    ```\n\n## Response\n\n```json\n{\"result\": true}\n```\n";
        let blocks = parse(text);
        let langs: Vec<&str> = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Code(code) => Some(code.lang.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(langs, ["bash", "json"]);
        assert!(
            blocks
                .iter()
                .any(|b| matches!(b, Block::Heading(h) if h.text == "Response"))
        );
    }

    #[test]
    fn indented_tables_and_unclosed_input_do_not_fail() {
        let blocks = parse("  #|\n  || a | b ||\n  || c | `x|y` ||\n  |#\n");
        let Block::Table(table) = &blocks[0] else {
            panic!("expected a table");
        };
        assert_eq!(table.rows, vec![vec!["a", "b"], vec!["c", "`x|y`"]]);
        // An unclosed table and an unclosed fence end at the end of the page.
        assert_eq!(parse("#|\n|| a | b").len(), 1);
        assert_eq!(parse("```json\n{").len(), 1);
        assert!(parse("|| ` | ||\n#|\n|| `` ||").len() <= 2);
    }
}
