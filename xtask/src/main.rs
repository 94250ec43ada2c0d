//! `cargo xtask`: project tasks.
//!
//! - `cargo xtask regen`: generate `generated/` from `specs/`.
//! - `cargo xtask check`: fail, with a diff, when `generated/` is not what `specs/` produce.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bitrix24_codegen::output::{Change, FileSet};
use clap::{Parser, Subcommand};
use similar::TextDiff;

#[derive(Parser)]
#[command(about = "Tasks of the Bitrix24 Rust toolkit")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate the `bitrix24` crate from the specs, writing only files that change.
    Regen {
        /// Directory of the specs.
        #[arg(long, default_value_os_t = root().join("specs"))]
        specs: PathBuf,
        /// Directory of the generated crate.
        #[arg(long, default_value_os_t = root().join("generated"))]
        out: PathBuf,
        /// Write nothing; fail if the output directory is not up to date.
        #[arg(long)]
        check: bool,
    },
    /// Same as `regen --check`: fail with a diff when `generated/` is stale.
    Check {
        /// Directory of the specs.
        #[arg(long, default_value_os_t = root().join("specs"))]
        specs: PathBuf,
        /// Directory of the generated crate.
        #[arg(long, default_value_os_t = root().join("generated"))]
        out: PathBuf,
    },
}

/// The workspace root (the parent of `xtask/`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_owned()
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Regen {
            specs,
            out,
            check: false,
        } => regen(&specs, &out),
        Command::Regen {
            specs,
            out,
            check: true,
        }
        | Command::Check { specs, out } => check(&specs, &out),
    }
}

fn generate(specs: &Path) -> Result<FileSet, ExitCode> {
    bitrix24_codegen::generate(specs).map_err(|diags| {
        eprintln!("{diags}");
        eprintln!("nothing was written");
        ExitCode::FAILURE
    })
}

fn regen(specs: &Path, out: &Path) -> ExitCode {
    let files = match generate(specs) {
        Ok(files) => files,
        Err(code) => return code,
    };
    match files.write_to(out) {
        Ok(report) => {
            println!(
                "{}: {} written, {} removed, {} unchanged",
                out.display(),
                report.written,
                report.removed,
                report.unchanged
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: writing {}: {e}", out.display());
            ExitCode::FAILURE
        }
    }
}

fn check(specs: &Path, out: &Path) -> ExitCode {
    let files = match generate(specs) {
        Ok(files) => files,
        Err(code) => return code,
    };
    let changes = match files.changes(out) {
        Ok(changes) => changes,
        Err(e) => {
            eprintln!("error: reading {}: {e}", out.display());
            return ExitCode::FAILURE;
        }
    };
    if changes.is_empty() {
        println!("{} is up to date with {}", out.display(), specs.display());
        return ExitCode::SUCCESS;
    }
    for change in &changes {
        let name = change.path().display().to_string();
        let (old, new) = match change {
            Change::Added(path) => ("", files.get(path).unwrap_or_default()),
            Change::Modified { path, old } => (old.as_str(), files.get(path).unwrap_or_default()),
            Change::Removed(_) => ("(file present)\n", ""),
        };
        let diff = TextDiff::from_lines(old, new);
        print!(
            "{}",
            diff.unified_diff()
                .context_radius(3)
                .header(&format!("a/{name}"), &format!("b/{name}"))
        );
    }
    eprintln!(
        "error: {} file(s) in {} differ from what the specs produce; run `cargo xtask regen` and review the diff",
        changes.len(),
        out.display()
    );
    ExitCode::FAILURE
}
