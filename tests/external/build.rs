//! Copies the quick start of the generated crate's README into `OUT_DIR`, so that this
//! crate compiles it exactly as a reader would copy it.

use std::path::Path;

fn main() {
    let readme = Path::new("../../generated/README.md");
    println!("cargo::rerun-if-changed={}", readme.display());
    let text = std::fs::read_to_string(readme).expect("the generated README exists");
    let start = text
        .find("```rust\n")
        .expect("the README has a Rust quick start")
        + "```rust\n".len();
    let len = text[start..]
        .find("```")
        .expect("the quick start's code block ends");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("quick_start.rs");
    std::fs::write(out, &text[start..start + len]).expect("OUT_DIR is writable");
}
