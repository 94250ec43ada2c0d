//! A crate outside the workspace depends on `bitrix24` by path and builds: the generated
//! crate and the runtime carry everything cargo needs to be used as dependencies.

use std::path::Path;
use std::process::Command;

#[test]
fn a_crate_outside_the_workspace_builds_against_the_generated_crate() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("external");
    // The target directory this test was built in (`<target>/debug/deps/<test>`): the
    // dependencies whose versions and features match the workspace's (its Cargo.lock is
    // kept in step with the workspace's) are built once for both. Cargo does not hold
    // the directory's lock while tests run.
    let exe = std::env::current_exe().expect("the test knows its path");
    let target = exe
        .ancestors()
        .nth(3)
        .expect("a test binary lives in <target>/<profile>/deps");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args(["run", "--quiet", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target)
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the external crate does not build:\n{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.trim(),
        r#"crm.item.add {"entityTypeId":2,"fields":{"title":"Deal from an external crate"},"useOriginalUfNames":"N"}"#
    );
}
