//! The importer over the official docs snapshot: every page read without a panic, the
//! method pages imported, and the hand-written seed specs reproduced: the importer's own
//! reading of each seed's page equals the seed but for the differences listed with a
//! reason in `seed-exceptions.yaml`, and with the overrides applied equals it exactly.
//!
//! The docs come from `$BITRIX24_DOCS` or `../shared/b24restdocs` next to the workspace;
//! without either, each test says it was skipped and why (under CI, docs configured but
//! missing fail it).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use bitrix24_codegen::import::{self, Corpus, stats::Stats, yfm};
use bitrix24_codegen::spec::MethodSpec;
use serde_json::Value;

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

/// Where the importer's own reading of a seed method's page differs from the seed, and
/// why (`seed-exceptions.yaml`).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Exception {
    /// The seed's method, or `*` for every seed.
    method: String,
    /// The place of the difference, as [`spec_differences`] names it, or a place above.
    at: String,
    /// Why the importer reads it otherwise.
    reason: String,
}

/// The places where two specs differ: `scopes`, `params/fields/title:type` (the `type`
/// of field `title` of parameter `fields`), `result:format`, `errors/NOT_FOUND:status`
/// (a code listed again is `CODE#2`). Fields and errors are matched by name and code; a
/// list of them in another order differs at the list (`params`, or the owning field).
fn spec_differences(a: &MethodSpec, b: &MethodSpec) -> Vec<String> {
    let json = |s: &MethodSpec| serde_json::to_value(s).expect("a spec is JSON");
    let mut out = Vec::new();
    differences(&json(a), &json(b), "", &mut out);
    out
}

fn differences(a: &Value, b: &Value, at: &str, out: &mut Vec<String>) {
    let (Value::Object(x), Value::Object(y)) = (a, b) else {
        if a != b {
            out.push(at.to_owned());
        }
        return;
    };
    let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
    for key in keys {
        let (u, v) = (&x.get(key), &y.get(key));
        let list = match key.as_str() {
            "params" | "errors" => Some(key.clone()),
            "fields" => Some(at.to_owned()),
            _ => None,
        };
        match list {
            Some(list) => keyed_differences(*u, *v, &list, out),
            None if key == "result" => differences(&json_or_null(*u), &json_or_null(*v), key, out),
            None if u != v => out.push(if at.is_empty() {
                key.clone()
            } else {
                format!("{at}:{key}")
            }),
            None => {}
        }
    }
}

fn json_or_null(value: Option<&Value>) -> Value {
    value.cloned().unwrap_or(Value::Null)
}

/// Differences of two lists of fields (keyed by `name`) or errors (by `code`) at `list`.
fn keyed_differences(a: Option<&Value>, b: Option<&Value>, list: &str, out: &mut Vec<String>) {
    fn keyed(items: Option<&Value>) -> Vec<(String, &Value)> {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let items = items
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        items
            .iter()
            .map(|item| {
                let name = item.get("name").or_else(|| item.get("code"));
                let name = name.and_then(Value::as_str).unwrap_or("?").to_owned();
                let n = seen.entry(name.clone()).or_default();
                *n += 1;
                let key = if *n == 1 { name } else { format!("{name}#{n}") };
                (key, item)
            })
            .collect()
    }
    let (x, y) = (keyed(a), keyed(b));
    let names = |k: &[(String, &Value)]| k.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    let (mut xs, mut ys) = (names(&x), names(&y));
    if xs != ys {
        xs.sort();
        ys.sort();
        if xs == ys {
            out.push(list.to_owned());
        }
    }
    let (x, y): (BTreeMap<_, _>, BTreeMap<_, _>) =
        (x.into_iter().collect(), y.into_iter().collect());
    let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
    for key in keys {
        let at = format!("{list}/{key}");
        match (x.get(key), y.get(key)) {
            (Some(u), Some(v)) => differences(u, v, &at, out),
            _ => out.push(at),
        }
    }
}

/// Whether exception path `path` covers difference `at`.
fn covers(path: &str, at: &str) -> bool {
    at.strip_prefix(path)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', ':']))
}

#[test]
fn imported_specs_reproduce_the_seed_specs() {
    let Some(docs) = docs() else { return };
    let imported = import::import(&docs, &workspace().join("specs")).unwrap();
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/seed-specs");
    let text = fs::read_to_string(seeds.with_file_name("seed-exceptions.yaml")).unwrap();
    let exceptions: Vec<Exception> = serde_yaml::from_str(&text).unwrap();
    assert!(exceptions.iter().all(|e| !e.reason.is_empty()));
    let mut checked = 0;
    let mut unexplained = Vec::new();
    let mut used = BTreeSet::new();
    for entry in fs::read_dir(&seeds).unwrap().flatten() {
        let text = fs::read_to_string(entry.path()).unwrap();
        let mut seed: MethodSpec = serde_yaml::from_str(&text).unwrap();
        let key = (seed.method.clone(), seed.api);
        let got = imported
            .methods
            .get(&key)
            .unwrap_or_else(|| panic!("{} was not imported", seed.method));
        // What the importer read from the page, before any override: the seed, but for
        // the documented exceptions.
        let page = got.from_page.as_ref().unwrap_or(&got.spec);
        assert_eq!(page.method, seed.method);
        assert_eq!(page.docs, seed.docs, "{}", seed.method);
        for at in spec_differences(page, &seed) {
            let exception = exceptions
                .iter()
                .position(|e| (e.method == "*" || e.method == seed.method) && covers(&e.at, &at));
            match exception {
                Some(i) => {
                    used.insert(i);
                }
                None => unexplained.push(format!("{}: {at}", seed.method)),
            }
        }
        // With the overrides applied, the seed exactly (a whole-spec override is the
        // seed's copy; a fix-style one corrects the page's reading above).
        let mut spec = got.spec.clone();
        (spec.access, seed.access) = (None, None);
        assert_eq!(
            import::render(&spec).unwrap(),
            import::render(&seed).unwrap(),
            "{}: imported spec (with overrides) differs from the seed",
            seed.method
        );
        checked += 1;
    }
    assert_eq!(checked, 15);
    assert!(
        unexplained.is_empty(),
        "the importer's reading of the pages differs from the seeds where no exception says why:\n{}",
        unexplained.join("\n")
    );
    let stale: Vec<String> = exceptions
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(i))
        .map(|(_, e)| format!("{}: {} ({})", e.method, e.at, e.reason))
        .collect();
    assert!(
        stale.is_empty(),
        "the importer now reads these as the seeds have them; drop the exceptions (and their overrides):\n{}",
        stale.join("\n")
    );
}

#[test]
fn spec_differences_name_the_field_and_key() {
    let spec = |yaml: &str| -> MethodSpec { serde_yaml::from_str(yaml).unwrap() };
    let base = "method: m\nscopes: [x]\ndocs: d.md\nbatch: true\nsafe_to_repeat: false\n";
    let a = spec(&format!(
        "{base}params:\n  - {{name: a, type: integer}}\n  - {{name: b, type: object, fields: [{{name: c, type: string}}]}}\nresult: {{type: boolean}}\nerrors: [{{code: E}}, {{code: E, message: x}}]\n"
    ));
    let b = spec(&format!(
        "{base}access: anyone\nparams:\n  - {{name: b, type: object, fields: [{{name: c, type: text}}]}}\n  - {{name: a, type: integer}}\nresult: {{type: boolean, format: bool}}\nerrors: [{{code: E}}, {{code: E, message: y}}, {{code: F}}]\n"
    ));
    assert_eq!(
        spec_differences(&a, &b),
        [
            "access",
            "errors/E#2:message",
            "errors/F",
            "params",
            "params/b/c:type",
            "result:format"
        ]
    );
    assert!(spec_differences(&a, &a).is_empty());
    assert!(covers("params/b", "params/b/c:type") && covers("result", "result:format"));
    assert!(!covers("params/b", "params/bc"));
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
    let specs = workspace().join("specs");
    let mut diags = bitrix24_codegen::Diagnostics::default();
    let hand_written = import::overrides::load_types(&specs.join("overrides/types"), &mut diags);
    diags.into_result(()).unwrap();
    let vocab = import::vocabulary(&specs, &hand_written).unwrap();
    let mut objects = import::Objects::default();
    let mut pages = 0;
    for page in corpus.pages.values() {
        // Every page is asked whether it documents events; those that do are imported
        // whole and cut short, as an unfinished page would be.
        let Some(kind) = import::events::event_page(page) else {
            continue;
        };
        pages += 1;
        let full = import::events::import(&corpus, page, kind, &vocab, &mut objects);
        assert!(!full.is_empty(), "{}", page.path);
        let text = fs::read_to_string(docs.join(&page.path)).unwrap();
        for cut in [text.len() / 4, text.len() / 2] {
            let mut end = cut;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let short = import::Page::new(page.path.clone(), &text[..end]);
            if let Some(kind) = import::events::event_page(&short) {
                import::events::import(&corpus, &short, kind, &vocab, &mut objects);
            }
        }
    }
    assert_eq!(pages, 191);
}
