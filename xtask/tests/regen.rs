//! `cargo xtask regen` and `check` end to end: bad specs, untouched output, determinism,
//! drift detection.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::SystemTime;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("xtask runs")
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every file below `dir` with its bytes and modification time.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    let mut out = BTreeMap::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(d) = pending.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                pending.push(entry.path());
            } else {
                let meta = entry.metadata().unwrap();
                out.insert(
                    entry.path(),
                    (fs::read(entry.path()).unwrap(), meta.modified().unwrap()),
                );
            }
        }
    }
    out
}

fn edit(file: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(file).unwrap();
    assert!(
        text.contains(from),
        "{} does not contain {from:?}",
        file.display()
    );
    fs::write(file, text.replacen(from, to, 1)).unwrap();
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn bad_specs_report_every_error_and_leave_the_output_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let specs = tmp.path().join("specs");
    let out = tmp.path().join("generated");
    copy_dir(&root().join("specs"), &specs);
    copy_dir(&root().join("generated"), &out);
    let before = snapshot(&out);

    // 1. An unknown type name: a semantic error with its field path.
    edit(
        &specs.join("methods/crm/crm.item.add.yaml"),
        "type: integer",
        "type: strng",
    );
    // 2. An unknown key: a parser error with line and column.
    edit(
        &specs.join("methods/user/user.get.yaml"),
        "method: user.get",
        "method: user.get\nsummary: nope",
    );
    // 3. Broken YAML syntax.
    fs::write(
        specs.join("methods/event/event.unbind.yaml"),
        "method: [unclosed\n",
    )
    .unwrap();
    // 4. The same method twice.
    fs::create_dir_all(specs.join("methods/extra")).unwrap();
    fs::copy(
        specs.join("methods/app/app.option.get.yaml"),
        specs.join("methods/extra/app.option.get.yaml"),
    )
    .unwrap();
    // 5. A malformed type expression.
    edit(
        &specs.join("methods/app/app.option.set.yaml"),
        "map<any>",
        "map<any",
    );

    // 6. An event whose data names an unknown type.
    edit(
        &specs.join("events/crm/ONCRMLEADADD.yaml"),
        "type: integer",
        "type: strng",
    );
    // 7. An event spec with an unknown key.
    edit(
        &specs.join("events/crm/ONCRMDEALADD.yaml"),
        "event: ONCRMDEALADD",
        "event: ONCRMDEALADD\nsummary: nope",
    );

    // 8. A scope named like a feature the generated crate reserves.
    edit(
        &specs.join("methods/department/department.get.yaml"),
        "- department",
        "- registry",
    );
    // 9. A REST 3.0 method said to run inside `batch`.
    edit(
        &specs.join("methods/tasks/tasks.task.get.v3.yaml"),
        "batch: false",
        "batch: true",
    );

    let run = xtask(&[
        "regen",
        "--specs",
        specs.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = stderr(&run);
    assert!(!run.status.success(), "regen must fail:\n{err}");

    let line_of = |needle: &str| {
        err.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no error mentioning {needle:?} in:\n{err}"))
            .to_owned()
    };
    let crm = line_of("crm.item.add.yaml");
    assert!(
        crm.contains("params[0].type: unknown type 'strng'"),
        "{crm}"
    );
    let user = line_of("user.get.yaml");
    assert!(user.contains("unknown field `summary`"), "{user}");
    // The injected key is on the line after `method: user.get`.
    let injected = fs::read_to_string(specs.join("methods/user/user.get.yaml"))
        .unwrap()
        .lines()
        .position(|line| line == "summary: nope")
        .unwrap()
        + 1;
    assert!(
        user.contains(&format!("user.get.yaml:{injected}:")),
        "line and column expected: {user}"
    );
    let unbind = line_of("event.unbind.yaml");
    assert!(unbind.contains("event.unbind.yaml:"), "{unbind}");
    let duplicate = line_of("duplicate method `app.option.get`");
    assert!(
        duplicate.contains("extra/app.option.get.yaml")
            || duplicate.contains("app/app.option.get.yaml")
    );
    let set = line_of("app.option.set.yaml");
    assert!(
        set.contains("params[0]: invalid type `map<any`: missing `>`"),
        "{set}"
    );
    let lead = line_of("ONCRMLEADADD.yaml");
    assert!(
        lead.contains("data.fields[0].fields[0].type: unknown type 'strng'"),
        "{lead}"
    );
    let deal = line_of("ONCRMDEALADD.yaml");
    assert!(
        deal.contains("unknown field `summary`") && deal.contains("ONCRMDEALADD.yaml:"),
        "{deal}"
    );
    let department = line_of("department.get.yaml");
    assert!(
        department.contains("scopes[0]: `registry` is a reserved feature name"),
        "{department}"
    );
    let v3 = line_of("tasks.task.get.v3.yaml");
    assert!(
        v3.contains("batch: REST 3.0 methods cannot run inside `batch`"),
        "{v3}"
    );
    assert!(err.contains("9 error(s) in specs"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");

    assert_eq!(
        snapshot(&out),
        before,
        "a failed regen must leave generated/ byte for byte as it was"
    );
}

#[test]
fn regen_is_deterministic_and_a_second_run_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let specs = root().join("specs");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for dir in [&a, &b] {
        let run = xtask(&[
            "regen",
            "--specs",
            specs.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert!(run.status.success(), "{}", stderr(&run));
    }
    let contents = |dir: &Path| -> BTreeMap<PathBuf, Vec<u8>> {
        snapshot(dir)
            .into_iter()
            .map(|(p, (bytes, _))| (p.strip_prefix(dir).unwrap().to_owned(), bytes))
            .collect()
    };
    assert_eq!(
        contents(&a),
        contents(&b),
        "two runs must give identical bytes"
    );

    let before = snapshot(&a);
    let again = xtask(&[
        "regen",
        "--specs",
        specs.to_str().unwrap(),
        "--out",
        a.to_str().unwrap(),
    ]);
    assert!(again.status.success());
    assert!(
        stdout(&again).contains(" 0 written, 0 removed"),
        "{}",
        stdout(&again)
    );
    assert_eq!(
        snapshot(&a),
        before,
        "a no-op regen must not touch any file"
    );
}

#[test]
fn check_fails_with_a_diff_when_the_output_is_stale() {
    let tmp = tempfile::tempdir().unwrap();
    let specs = root().join("specs");
    let out = tmp.path().join("generated");
    let regen = xtask(&[
        "regen",
        "--specs",
        specs.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(regen.status.success());
    let check = || {
        xtask(&[
            "check",
            "--specs",
            specs.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
    };
    assert!(check().status.success(), "{}", stderr(&check()));

    edit(
        &out.join("src/lib.rs"),
        "pub mod crm;",
        "pub mod crm_edited;",
    );
    fs::write(out.join("src/stray.rs"), "// not generated\n").unwrap();
    let stale = check();
    assert!(!stale.status.success());
    let diff = stdout(&stale);
    assert!(
        diff.contains("-pub mod crm_edited;") && diff.contains("+pub mod crm;"),
        "{diff}"
    );
    assert!(diff.contains("a/src/stray.rs"), "{diff}");
    assert!(stderr(&stale).contains("2 file(s)"), "{}", stderr(&stale));
}

#[test]
fn the_committed_generated_crate_is_what_the_specs_produce() {
    let run = xtask(&["check"]);
    assert!(run.status.success(), "{}{}", stdout(&run), stderr(&run));
}

#[test]
fn an_unchanged_regen_is_skipped_and_any_change_ends_the_skip() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, target) = (tmp.path().join("out"), tmp.path().join("target"));
    let specs = root().join("specs");
    let regen = || {
        let run = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["regen", "--specs", specs.to_str().unwrap()])
            .args(["--out", out.to_str().unwrap()])
            .env("CARGO_TARGET_DIR", &target)
            .output()
            .unwrap();
        assert!(run.status.success(), "{}", stderr(&run));
        stdout(&run)
    };
    assert!(!regen().contains("unchanged since the last regen"));
    let before = snapshot(&out);
    let skipped = regen();
    assert!(
        skipped.contains("unchanged since the last regen"),
        "{skipped}"
    );
    assert_eq!(snapshot(&out), before, "a skipped regen touches nothing");

    // A hand edit of the output changes the fingerprint: the next regen repairs it.
    edit(&out.join("src/lib.rs"), "pub mod", "mod");
    let repaired = regen();
    assert!(repaired.contains(" 1 written"), "{repaired}");
    let restored: Vec<_> = snapshot(&out)
        .into_iter()
        .map(|(p, (b, _))| (p, b))
        .collect();
    let original: Vec<_> = before.into_iter().map(|(p, (b, _))| (p, b)).collect();
    assert_eq!(restored, original, "the regen restores the generated bytes");
}
