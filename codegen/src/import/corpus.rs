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
        for (i, block) in blocks.iter().enumerate() {
            match block {
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

fn relative(root: &Path, file: &Path) -> String {
    file.strip_prefix(root)
        .unwrap_or(file)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
