//! Snapshots of the generated code: one per seed method spec, the shared files, and the
//! events (`AnyEvent` and one scope's events).
//!
//! A change to the generator or to a spec that changes generated code fails here until
//! the new snapshot is reviewed (`cargo insta review`) and committed with its reason.

use std::path::Path;

use bitrix24_codegen::{emit, ir, spec};

fn specs_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../specs"))
}

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}

/// The hand-written seed specs (`codegen/tests/seed-specs/`): between them they use every
/// feature of the spec format, so their snapshots pin what the generator makes of each.
/// The rest of `generated/` is pinned by the drift check and reviewed in its diffs.
fn seed_methods() -> Vec<String> {
    let dir = specs_dir().join("../codegen/tests/seed-specs");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter_map(|path| Some(path.file_stem()?.to_str()?.to_owned()))
        .collect();
    names.sort();
    names
}

#[test]
fn every_seed_method_has_a_reviewed_snapshot() {
    let specs = spec::load(specs_dir()).unwrap_or_else(|e| panic!("{e}"));
    let krate = ir::build(&specs).unwrap_or_else(|e| panic!("{e}"));
    let seeds = seed_methods();
    let mut count = 0;
    settings().bind(|| {
        for (path, module) in &krate.modules {
            for method in &module.methods {
                let name = match method.api {
                    spec::ApiVersion::V2 => method.wire_name.clone(),
                    spec::ApiVersion::V3 => format!("{}.v3", method.wire_name),
                };
                if seeds.contains(&name) {
                    insta::assert_snapshot!(name, emit::method_source(method, path));
                    count += 1;
                }
            }
        }
    });
    assert_eq!(
        count,
        seeds.len(),
        "every seed spec is in specs/ and has a snapshot"
    );
}

#[test]
fn shared_files_have_reviewed_snapshots() {
    let files = bitrix24_codegen::generate(specs_dir()).unwrap_or_else(|e| panic!("{e}"));
    settings().bind(|| {
        for file in [
            "Cargo.toml",
            "src/lib.rs",
            "src/registry.rs",
            "src/system_error.rs",
            "src/types.rs",
        ] {
            let content = files
                .get(file)
                .unwrap_or_else(|| panic!("{file} is generated"));
            insta::assert_snapshot!(file.replace('/', "__"), content);
        }
    });
}

#[test]
fn events_have_reviewed_snapshots() {
    let specs = spec::load(specs_dir()).unwrap_or_else(|e| panic!("{e}"));
    let krate = ir::build(&specs).unwrap_or_else(|e| panic!("{e}"));
    settings().bind(|| {
        insta::assert_snapshot!("events__mod.rs", emit::events_source(&krate));
        let booking = emit::event_scope_source(&krate, "booking")
            .unwrap_or_else(|| panic!("the booking scope has events"));
        insta::assert_snapshot!("events__booking.rs", booking);
    });
}
