//! The generated crate compiles, without warnings, with no features, with each scope
//! feature alone, and with all of them.

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
            line.split_once(" = ")
                .map(|(name, _)| name.trim().to_owned())
        })
        .filter(|name| name != "default" && name != "full")
        .collect()
}

fn check(features: &[&str]) {
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
        .arg(root.join("target/feature-matrix"))
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
fn compiles_with_no_features_each_feature_and_all_features() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let manifest = std::fs::read_to_string(root.join("generated/Cargo.toml")).unwrap();
    let features = scope_features(&manifest);
    assert!(
        features.len() > 3,
        "scope features expected, found {features:?}"
    );
    check(&[]);
    for feature in &features {
        check(&[feature]);
    }
    check(&["full"]);
}
