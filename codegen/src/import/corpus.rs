//! The docs checkout: every page read and split into blocks once, with its tables indexed
//! by the heading they sit under.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::table::{self, TableKind};
use super::yfm::{self, Block, Heading, Table};

/// Pages outside `api-reference/` that document methods.
const EXTRA_METHOD_PAGES: [&str; 4] = [
    "settings/how-to-call-rest-api/batch.md",
    "settings/interactivity/push-and-pull/pull-application-config-get.md",
    "settings/interactivity/push-and-pull/pull-application-event-add.md",
    "settings/interactivity/push-and-pull/pull-application-push-add.md",
];

/// Every page of a docs checkout.
#[derive(Debug)]
pub struct Corpus {
    /// Pages by path relative to the checkout (`api-reference/…/x.md`).
    pub pages: BTreeMap<String, Page>,
}

/// One page.
#[derive(Debug)]
pub struct Page {
    /// Path relative to the checkout.
    pub path: String,
    /// The blocks in order.
    pub blocks: Vec<Block>,
    /// The section of each block (`sections[i]` for `blocks[i]`).
    pub sections: Vec<Section>,
    /// The page's fields tables with where they sit.
    pub tables: Vec<PlacedTable>,
}

/// The part of a method page a block belongs to, told by its `##` heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Before the first `##` heading.
    Head,
    /// Method parameters.
    Params,
    /// The reply.
    Response,
    /// Error handling.
    Errors,
    /// Anything else.
    Other,
}

/// A table with its section and the nearest heading above it.
#[derive(Debug)]
pub struct PlacedTable {
    /// Index of the table block in [`Page::blocks`].
    pub block: usize,
    /// Section of the page.
    pub section: Section,
    /// Index of the nearest heading block above the table, if any.
    pub heading: Option<usize>,
    /// What the table lists.
    pub kind: TableKind,
    /// The included fragment the table comes from (`api-reference/calendar/_includes/
    /// calendar_event_fields.md`), when it is not the page's own.
    pub fragment: Option<String>,
}

impl Corpus {
    /// Reads every markdown page below `root`; unreadable files are returned with the reason.
    pub fn read(root: &Path) -> Result<(Corpus, Vec<(String, String)>), String> {
        if !root.join("api-reference").is_dir() {
            return Err(format!(
                "{} is not a checkout of the Bitrix24 REST docs (no api-reference/ in it)",
                root.display()
            ));
        }
        let mut pages = BTreeMap::new();
        let mut unreadable = Vec::new();
        let mut files = Vec::new();
        collect_md(&root.join("api-reference"), &mut files);
        files.extend(EXTRA_METHOD_PAGES.iter().map(|p| root.join(p)));
        files.sort();
        for file in files {
            let rel = relative(root, &file);
            match fs::read(&file) {
                Ok(bytes) => {
                    let text = String::from_utf8_lossy(&bytes);
                    let text = expand_includes(root, &file, &text, MAX_INCLUDE_DEPTH);
                    pages.insert(rel.clone(), Page::new(rel, &text));
                }
                Err(e) => unreadable.push((rel, e.to_string())),
            }
        }
        Ok((Corpus { pages }, unreadable))
    }

    /// The page a link from `from` points to (`../order/object.md#x` → page, anchor).
    pub fn follow<'a>(&'a self, from: &str, link: &str) -> Option<(&'a Page, Option<String>)> {
        let (target, anchor) = match link.split_once('#') {
            Some((t, a)) => (t, Some(a.to_owned())),
            None => (link, None),
        };
        if target.is_empty() || target.contains("://") {
            return None;
        }
        let mut parts: Vec<&str> = from.split('/').collect();
        parts.pop();
        for seg in target.split('/') {
            match seg {
                "." | "" => {}
                ".." => {
                    parts.pop()?;
                }
                s => parts.push(s),
            }
        }
        self.pages.get(&parts.join("/")).map(|p| (p, anchor))
    }
}

impl Page {
    /// Splits a page's text and indexes its tables.
    pub fn new(path: String, text: &str) -> Page {
        let blocks = yfm::parse(text);
        let mut tables = Vec::new();
        let mut sections = Vec::with_capacity(blocks.len());
        let mut section = Section::Head;
        let mut heading = None;
        let mut fragments: Vec<String> = Vec::new();
        for (i, block) in blocks.iter().enumerate() {
            match block {
                Block::Text(line) if line == FRAGMENT_END => {
                    fragments.pop();
                }
                Block::Text(line) => {
                    if let Some(path) = line
                        .strip_prefix(FRAGMENT_START)
                        .and_then(|rest| rest.strip_suffix(" %}"))
                    {
                        fragments.push(path.to_owned());
                    }
                }
                Block::Heading(h) => {
                    if h.level <= 2 {
                        section = if h.level == 1 {
                            Section::Head
                        } else {
                            section_of(&h.text)
                        };
                    }
                    heading = Some(i);
                }
                Block::Table(t) => tables.push(PlacedTable {
                    block: i,
                    section,
                    heading,
                    kind: table::kind(t),
                    fragment: fragments.last().cloned(),
                }),
                _ => {}
            }
            sections.push(section);
        }
        Page {
            path,
            blocks,
            sections,
            tables,
        }
    }

    /// The blocks of a section, in page order.
    pub fn blocks_in(&self, section: Section) -> impl Iterator<Item = &Block> {
        self.blocks
            .iter()
            .zip(&self.sections)
            .filter(move |(_, s)| **s == section)
            .map(|(b, _)| b)
    }

    /// The `#` title.
    pub fn title(&self) -> Option<&str> {
        self.blocks.iter().find_map(|b| match b {
            Block::Heading(h) if h.level == 1 => Some(h.text.as_str()),
            _ => None,
        })
    }

    /// The table of a placed table.
    pub fn table(&self, placed: &PlacedTable) -> &Table {
        match &self.blocks[placed.block] {
            Block::Table(t) => t,
            _ => unreachable!("placed tables index table blocks"),
        }
    }

    /// The heading above a placed table.
    pub fn heading(&self, placed: &PlacedTable) -> Option<&Heading> {
        placed.heading.and_then(|i| match &self.blocks[i] {
            Block::Heading(h) => Some(h),
            _ => None,
        })
    }

    /// The fields tables of a section, in page order.
    pub fn field_tables(&self, section: Section) -> impl Iterator<Item = &PlacedTable> {
        self.tables
            .iter()
            .filter(move |t| t.section == section && t.kind == TableKind::Fields)
    }
}

fn section_of(heading: &str) -> Section {
    let h = heading.to_lowercase();
    if h.contains("error") {
        Section::Errors
    } else if h.contains("response") || h.contains("returned") || h.contains("result") {
        Section::Response
    } else if h.contains("parameter") || h.contains("arguments") {
        Section::Params
    } else {
        Section::Other
    }
}

/// How deep included fragments may include others.
const MAX_INCLUDE_DEPTH: usize = 3;

/// The line before an included fragment's text, followed by its path and ` %}`.
const FRAGMENT_START: &str = "{% fragment ";
/// The line after an included fragment's text.
const FRAGMENT_END: &str = "{% endfragment %}";

/// `text` with every `{% include [..](fragment.md) %}` line of its parameters and reply
/// sections replaced by the fragment's text, so that a fields table kept in a shared
/// fragment (`calendar/_includes/calendar_event_fields.md`, the checklist item of
/// `tasks/template/checklist/`) is read where the page shows it. `notitle` drops the
/// fragment's own heading, as the docs site does. Includes elsewhere (the shared error
/// tables, notes, example headers) are left as they are: the system errors are imported
/// once, not into each method. A fragment that cannot be read leaves its line.
///
/// The fragment's text is put between a [`FRAGMENT_START`] line naming its path below
/// `root` and a [`FRAGMENT_END`] line: an object it describes is one object, whichever
/// page includes it.
fn expand_includes(root: &Path, file: &Path, text: &str, depth: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut section = Section::Head;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if let Some(heading) = trimmed.strip_prefix("## ") {
            section = section_of(heading);
        }
        let fragment = matches!(section, Section::Params | Section::Response)
            .then(|| include_target(trimmed))
            .flatten()
            .filter(|_| depth > 0)
            .and_then(|(target, notitle)| {
                let path = normalized(&file.parent()?.join(target));
                let text = fs::read_to_string(&path).ok()?;
                let text = expand_includes(root, &path, &text, depth - 1);
                let text = if notitle { without_title(&text) } else { text };
                Some((relative(&normalized(root), &path), text))
            });
        match fragment {
            Some((path, fragment)) => {
                out.push_str(&format!("{FRAGMENT_START}{path} %}}\n"));
                out.push_str(&fragment);
                if !fragment.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(FRAGMENT_END);
                out.push('\n');
            }
            None => out.push_str(line),
        }
    }
    out
}

/// The fragment path of an include directive line and whether it says `notitle`.
fn include_target(line: &str) -> Option<(&str, bool)> {
    let directive = line.strip_prefix("{% include")?.strip_suffix("%}")?;
    let (_, after) = directive.split_once("](")?;
    let (target, _) = after.split_once(')')?;
    (target.ends_with(".md") && !target.contains("://"))
        .then(|| (target, directive.trim_start().starts_with("notitle")))
}

/// Whether a line is a markdown heading (`### Title`, not a table's `#|`).
fn is_heading(line: &str) -> bool {
    let level = line.bytes().take_while(|&b| b == b'#').count();
    (1..=6).contains(&level) && line[level..].starts_with(' ')
}

/// `text` without its first line when that line is a heading.
fn without_title(text: &str) -> String {
    let body = text.trim_start_matches('\n');
    match body.split_once('\n') {
        Some((first, rest)) if is_heading(first) => rest.to_owned(),
        _ => body.to_owned(),
    }
}

fn collect_md(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_md(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

/// `path` with its `.` parts dropped and each `..` resolved against the part before it
/// (a leading `..`, as in a relative docs path, stays).
fn normalized(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn relative(root: &Path, file: &Path) -> String {
    file.strip_prefix(root)
        .unwrap_or(file)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `files` (path, text) under a fresh directory and returns it.
    fn tree(name: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("b24-corpus-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for (path, text) in files {
            let file = dir.join(path);
            fs::create_dir_all(file.parent().unwrap()).unwrap();
            fs::write(file, text).unwrap();
        }
        dir
    }

    #[test]
    fn a_reply_fragment_is_read_where_the_page_includes_it() {
        let dir = tree(
            "reply",
            &[
                (
                    "_includes/event.md",
                    "#|\n|| **Name** | **Description** ||\n|| **ID**\n[`string`](x.md) | Id ||\n|#\n",
                ),
                (
                    "_includes/errors.md",
                    "#|\n|| **Code** | **Message** ||\n|| `E1` | Bad ||\n|#\n",
                ),
                (
                    "page.md",
                    "# Get x.get\n\n## Response Handling\n\n### Returned Data\n\n\
                     {% include notitle [fields](./_includes/event.md) %}\n\n\
                     ## Error Handling\n\n{% include [errors](./_includes/errors.md) %}\n",
                ),
            ],
        );
        let page = dir.join("page.md");
        let text = expand_includes(&dir, &page, &fs::read_to_string(&page).unwrap(), 3);
        // The reply fragment's table (its `#|` is not a title) is in the page…
        assert!(
            text.contains("#|\n|| **Name** | **Description** ||\n|| **ID**"),
            "{text}"
        );
        // …the errors' include stays a directive: system errors are imported once.
        assert!(
            text.contains("{% include [errors](./_includes/errors.md) %}"),
            "{text}"
        );
        assert!(!text.contains("`E1`"), "{text}");
        // The table knows the fragment it comes from, by its path in the checkout; the
        // page's own tables come from none.
        let page = Page::new(
            "page.md".to_owned(),
            &format!("{text}\n#|\n|| **A** | B ||\n|#\n"),
        );
        let fragments: Vec<Option<&str>> =
            page.tables.iter().map(|t| t.fragment.as_deref()).collect();
        assert_eq!(fragments, [Some("_includes/event.md"), None]);
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn paths_resolve_their_parent_parts_but_keep_a_leading_one() {
        assert_eq!(
            normalized(Path::new("../docs/api/calendar/x/.././_includes/f.md")),
            Path::new("../docs/api/calendar/_includes/f.md")
        );
        assert_eq!(
            normalized(Path::new("/docs/a/../b.md")),
            Path::new("/docs/b.md")
        );
    }

    #[test]
    fn notitle_drops_the_fragments_heading_and_a_missing_fragment_keeps_its_line() {
        let dir = tree(
            "title",
            &[
                ("_includes/item.md", "#### Object item {#item}\n\nText\n"),
                (
                    "page.md",
                    "## Method Parameters\n\n{% include notitle [a](_includes/item.md) %}\n\
                     {% include [b](_includes/item.md) %}\n{% include [c](_includes/gone.md) %}\n",
                ),
            ],
        );
        let page = dir.join("page.md");
        let text = expand_includes(&dir, &page, &fs::read_to_string(&page).unwrap(), 3);
        assert_eq!(text.matches("#### Object item").count(), 1, "{text}");
        assert_eq!(text.matches("Text").count(), 2, "{text}");
        assert!(
            text.contains("{% include [c](_includes/gone.md) %}"),
            "{text}"
        );
        let _ = fs::remove_dir_all(dir);
    }
}
