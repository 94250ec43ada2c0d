//! The generated crate compiles, without warnings, with no features and with each
//! feature alone. (With every feature it is built by this crate itself, which enables
//! `full`, and linted with warnings denied by CI.)
//!
//! The checks run on every core, each worker in its own target directory.

use std::path::Path;
use std::process::Command;

/// Feature names declared in `generated/Cargo.toml`, except `default` and `full`.
fn scope_features(manifest: &str) -> Vec<String> {
    manifest
        .split_once("[features]")
        .expect("the generated manifest has a [features] table")
        .1
        .lines()
        .filter_map(|line| {
            // A dotted name (`"sign.b2e"`) is a quoted key.
            line.split_once(" = ")
                .map(|(name, _)| name.trim().trim_matches('"').to_owned())
        })
        .filter(|name| name != "default" && name != "full")
        .collect()
}

fn check(features: &[&str], worker: usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&root)
        .args([
            "check",
            "--quiet",
            "-p",
            "bitrix24",
            "--no-default-features",
        ])
        .arg("--target-dir")
        .arg(root.join(format!("target/feature-matrix-{worker}")))
        .env("RUSTFLAGS", "-D warnings");
    if !features.is_empty() {
        cmd.args(["--features", &features.join(",")]);
    }
    let out = cmd.output().expect("cargo runs");
    assert!(
        out.status.success(),
        "bitrix24 does not compile with features {features:?}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn compiles_with_no_features_and_each_feature_alone() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let manifest = std::fs::read_to_string(root.join("generated/Cargo.toml")).unwrap();
    let features = scope_features(&manifest);
    assert!(
        features.len() > 3,
        "scope features expected, found {features:?}"
    );
    let mut sets: Vec<Vec<&str>> = vec![vec![]];
    sets.extend(features.iter().map(|f| vec![f.as_str()]));
    // Each worker compiles the dependencies once more: a few are enough.
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    std::thread::scope(|scope| {
        for worker in 0..workers {
            let sets = &sets;
            scope.spawn(move || {
                for set in sets.iter().skip(worker).step_by(workers) {
                    check(set, worker);
                }
            });
        }
    });
}
