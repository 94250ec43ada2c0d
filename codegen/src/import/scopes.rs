//! The scopes a method or an event needs, read from the page's `Scope:` line, or from the
//! nearest `index.md` up the folder tree when the page has none (the events overview
//! states `basic` for every `event.*` method). One reader serves method and event pages.
//!
//! A scope is a linked code span of that line (``[`crm`](../scopes/permissions.md)``),
//! dots kept (`sign.b2e`, `humanresources.hcmlink`), several in one span split at commas
//! (``[`placement, crm`](…)``). Code spans outside links are prose (`` module scope from
//! `moduleId` ``) and are read only when the line links none (`` Scope: `crm` ``).

use super::corpus::{Corpus, Page};
use super::yfm::Block;

/// The page's scopes, else those of the nearest `index.md` up the folder tree.
pub fn of_page(corpus: &Corpus, page: &Page) -> Vec<String> {
    let own = stated(page);
    if !own.is_empty() {
        return own;
    }
    let mut dir = page.path.as_str();
    while let Some((parent, _)) = dir.rsplit_once('/') {
        if let Some(index) = corpus.pages.get(&format!("{parent}/index.md")) {
            let found = stated(index);
            if !found.is_empty() {
                return found;
            }
        }
        dir = parent;
    }
    Vec::new()
}

/// Whether the page has a scope line of its own.
pub fn has_line(page: &Page) -> bool {
    line(page).is_some()
}

/// The scopes of the page's own scope line.
fn stated(page: &Page) -> Vec<String> {
    line(page).map(scopes_of_line).unwrap_or_default()
}

/// The rest of the first `> Scope:` line, or of a `**Scope**:` line as index pages
/// write it.
fn line(page: &Page) -> Option<&str> {
    page.blocks.iter().find_map(|block| match block {
        Block::Quote(q) => q
            .strip_prefix("Scope:")
            .or_else(|| q.strip_prefix("Scopes:")),
        Block::Text(t) => t.strip_prefix("**Scope**:"),
        _ => None,
    })
}

/// The scope names of a scope line: the code spans inside links, or all code spans when
/// none is linked.
fn scopes_of_line(line: &str) -> Vec<String> {
    let linked: String = link_texts(line).concat();
    let spans = if linked.contains('`') {
        code_spans(&linked)
    } else {
        code_spans(line)
    };
    let mut scopes: Vec<String> = Vec::new();
    for name in spans.iter().flat_map(|span| span.split(',')) {
        let scope = name.trim().to_lowercase();
        let valid = !scope.is_empty()
            && scope
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        if valid && !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    scopes
}

/// The texts of the markdown links of a line (`[text](target)`).
fn link_texts(line: &str) -> Vec<&str> {
    line.match_indices("](")
        .filter_map(|(end, _)| {
            let open = line[..end].rfind('[')?;
            Some(&line[open + 1..end])
        })
        .collect()
}

/// The contents of the single-backtick code spans of a text.
fn code_spans(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linked_spans_are_scopes_and_prose_spans_are_not() {
        let read = |line: &str| scopes_of_line(line);
        assert_eq!(
            read(" [`crm`](p.md), [`salescenter`](p.md)"),
            ["crm", "salescenter"]
        );
        assert_eq!(read(" [`placement, crm`](p.md)"), ["placement", "crm"]);
        assert_eq!(read(" [`sign.b2e`](p.md)"), ["sign.b2e"]);
        assert_eq!(
            read(" [`humanresources.hcmlink`](p.md)"),
            ["humanresources.hcmlink"]
        );
        assert_eq!(
            read(" [`userfieldconfig`](p.md), module scope from `moduleId` (e.g., [`crm`](p.md))"),
            ["userfieldconfig", "crm"]
        );
        assert_eq!(
            read(" [`placement`, `depending on the placement`](p.md)"),
            ["placement"]
        );
        assert_eq!(read(" `crm`"), ["crm"]);
        assert!(read("").is_empty());
    }

    #[test]
    fn pages_without_a_line_take_the_nearest_index() {
        let page = |path: &str, text: &str| (path.to_owned(), Page::new(path.to_owned(), text));
        let corpus = Corpus {
            pages: [
                page(
                    "a/events/index.md",
                    "# Events\n\n> Scope: [`basic`](x.md)\n",
                ),
                page(
                    "a/events/event-get.md",
                    "# Get event.get\n\nNo scope here.\n",
                ),
                page(
                    "a/events/event-bind.md",
                    "# Bind event.bind\n\n> Scope: [`user`](x.md)\n",
                ),
            ]
            .into_iter()
            .collect(),
        };
        let scopes = |p: &str| of_page(&corpus, &corpus.pages[p]);
        assert_eq!(scopes("a/events/event-get.md"), ["basic"]);
        assert_eq!(scopes("a/events/event-bind.md"), ["user"]);
        assert!(!has_line(&corpus.pages["a/events/event-get.md"]));
    }
}
