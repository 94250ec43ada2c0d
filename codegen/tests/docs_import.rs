//! The importer over the official docs snapshot: every page read without a panic, the
//! method pages imported, and the hand-written seed specs reproduced (or overridden with
//! a reason).
//!
//! The docs come from `$BITRIX24_DOCS` or `../shared/b24restdocs` next to the workspace;
//! without either, each test says it was skipped and why.

use std::fs;
use std::path::{Path, PathBuf};

use bitrix24_codegen::import::{self, Corpus, stats::Stats, yfm};
use bitrix24_codegen::spec::MethodSpec;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// The docs checkout, or `None` after printing why the test is skipped (a failure under
/// CI when docs are configured but missing).
fn docs() -> Option<PathBuf> {
    import::docs_for_test(&workspace())
}

fn all_markdown(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            all_markdown(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

#[test]
fn every_page_of_the_docs_is_read_without_a_panic() {
    let Some(docs) = docs() else { return };
    let mut files = Vec::new();
    all_markdown(&docs, &mut files);
    assert!(files.len() > 2000, "only {} pages found", files.len());
    let mut tables = 0;
    for file in &files {
        let text = String::from_utf8_lossy(&fs::read(file).unwrap()).into_owned();
        // Whole pages, and every page cut at arbitrary points (unclosed tables, fences,
        // code spans), must be read without a panic.
        let page = import::Page::new(file.display().to_string(), &text);
        tables += page.tables.len();
        for cut in [text.len() / 3, text.len() / 2, text.len() * 4 / 5] {
            let mut end = cut;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            yfm::parse(&text[..end]);
        }
    }
    assert!(tables > 5000, "only {tables} tables found");
}

#[test]
fn method_pages_are_imported() {
    let Some(docs) = docs() else { return };
    let imported = import::import(&docs, &workspace().join("specs")).unwrap();
    let stats = Stats::of(&imported);
    println!("{stats}");
    assert!(
        stats.methods * 100 >= stats.method_pages * 99,
        "fewer than 99% of method pages imported:\n{stats}"
    );
    assert!(stats.v3 > 0 && stats.deprecated > 0, "{stats}");
    let (corpus, unreadable) = Corpus::read(&docs).unwrap();
    assert!(unreadable.is_empty(), "{unreadable:?}");
    assert!(corpus.pages.len() > 2000);
}

#[test]
fn imported_specs_reproduce_the_seed_specs() {
    let Some(docs) = docs() else { return };
    let imported = import::import(&docs, &workspace().join("specs")).unwrap();
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/seed-specs");
    let mut checked = 0;
    for entry in fs::read_dir(&seeds).unwrap().flatten() {
        let text = fs::read_to_string(entry.path()).unwrap();
        let mut seed: MethodSpec = serde_yaml::from_str(&text).unwrap();
        let key = (seed.method.clone(), seed.api);
        let got = imported
            .methods
            .get(&key)
            .unwrap_or_else(|| panic!("{} was not imported", seed.method));
        let mut spec = got.spec.clone();
        // The importer does not carry the docs' sentence on who may call a method.
        if got.from_page.is_none() {
            seed.access = None;
        }
        spec.access = seed.access.clone();
        assert_eq!(
            import::render(&spec).unwrap(),
            import::render(&seed).unwrap(),
            "{}: imported spec (with overrides) differs from the seed",
            seed.method
        );
        // Where an override rewrote the spec, the page itself was still found and read.
        if let Some(page) = &got.from_page {
            assert_eq!(page.docs, seed.docs, "{}", seed.method);
            assert_eq!(page.method, seed.method);
        }
        checked += 1;
    }
    assert_eq!(checked, 15);
}

#[test]
fn event_pages_are_imported() {
    let Some(docs) = docs() else { return };
    let imported = import::import(&docs, &workspace().join("specs")).unwrap();
    let stats = Stats::of(&imported);
    println!("{stats}");
    // 189 pages of one event and the two pages of the chat-bot events (8 of imbot.v2,
    // 5 of im.v2).
    assert_eq!(
        (stats.event_pages, stats.multi_event_pages, stats.events),
        (189, 2, 202),
        "{stats}"
    );
    assert!(
        stats.event_fields.percent_typed() >= 85.0,
        "fewer than 85% of event data fields typed:\n{stats}"
    );
    assert!(stats.events_untyped <= 5, "{stats}");
    let lead = &imported.events["ONCRMLEADADD"].spec;
    assert_eq!(lead.spelling.as_deref(), Some("onCrmLeadAdd"));
    assert_eq!(lead.scopes, ["crm"]);
    let added = &imported.events["ONIMBOTV2MESSAGEADD"].spec;
    assert_eq!(
        added.scopes,
        ["imbot"],
        "taken from the folder's index page"
    );
    assert!(imported.events["ONCRMINVOICEADD"].spec.deprecated);
}

#[test]
fn every_event_page_is_read_without_a_panic() {
    let Some(docs) = docs() else { return };
    let (corpus, _) = Corpus::read(&docs).unwrap();
    let vocab = import::vocabulary(&workspace().join("specs")).unwrap();
    let mut pages = 0;
    for page in corpus.pages.values() {
        // Every page is asked whether it documents events; those that do are imported
        // whole and cut short, as an unfinished page would be.
        let Some(kind) = import::events::event_page(page) else {
            continue;
        };
        pages += 1;
        let full = import::events::import(&corpus, page, kind, &vocab);
        assert!(!full.is_empty(), "{}", page.path);
        let text = fs::read_to_string(docs.join(&page.path)).unwrap();
        for cut in [text.len() / 4, text.len() / 2] {
            let mut end = cut;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let short = import::Page::new(page.path.clone(), &text[..end]);
            if let Some(kind) = import::events::event_page(&short) {
                import::events::import(&corpus, &short, kind, &vocab);
            }
        }
    }
    assert_eq!(pages, 191);
}
