//! `cargo xtask`: project tasks.
//!
//! - `cargo xtask regen`: generate `generated/` from `specs/`.
//! - `cargo xtask check`: fail, with a diff, when `generated/` is not what `specs/` produce.
//! - `cargo xtask import`: write `specs/methods/` from a checkout of the official docs.
//! - `cargo xtask stats [--coverage]`: how much of the docs an import captures, how
//!   precisely, and how much of the docs' example replies its types keep and check.
//! - `cargo xtask bench`: import and regen times against baselines.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bitrix24_codegen::output::{Change, FileSet};
use clap::{Parser, Subcommand};
use similar::TextDiff;

mod bench;
mod builds;
mod import;
mod stamp;

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
    /// Import every documented method from a checkout of the docs into `specs/methods/`.
    Import {
        #[command(flatten)]
        docs: DocsArgs,
        /// Write nothing; fail if `specs/methods/` is not what the docs produce.
        #[arg(long)]
        check: bool,
    },
    /// Time the importer and the generator against baselines (see BENCHMARKS.md).
    Bench {
        #[command(flatten)]
        docs: DocsArgs,
        /// Instead, measure what the generated crate costs to build (checks, a debug build,
        /// its docs, a downstream crate), for this checkout and `--baseline`.
        #[arg(long)]
        builds: bool,
        /// Another checkout (the state before a change) to measure the same way in the same
        /// run, with `--builds`.
        #[arg(long, requires = "builds")]
        baseline: Option<PathBuf>,
    },
    /// Print what an import of the docs captures (nothing is written), and how much of
    /// the docs' example replies the imported specs' types keep and check.
    Stats {
        #[command(flatten)]
        docs: DocsArgs,
        /// Also print one line per method with an example reply: whether it decodes, and
        /// its dropped, catch-all only and unchecked fields.
        #[arg(long)]
        coverage: bool,
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

/// Where the docs and the specs are.
#[derive(clap::Args)]
struct DocsArgs {
    /// Checkout of github.com/bitrix24/b24restdocs [default: $BITRIX24_DOCS, else
    /// ../shared/b24restdocs next to the workspace]
    #[arg(long)]
    docs: Option<PathBuf>,
    /// Directory of the specs.
    #[arg(long, default_value_os_t = root().join("specs"))]
    specs: PathBuf,
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
        Command::Import { docs, check } => import::run(&docs, check),
        Command::Stats { docs, coverage } => import::stats(&docs, coverage),
        Command::Bench {
            docs,
            builds,
            baseline,
        } => {
            if builds {
                builds::run(baseline.as_deref())
            } else {
                bench::run(&docs)
            }
        }
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
    if stamp::fingerprint(specs, out).is_ok_and(|print| stamp::is_current(&print)) {
        println!(
            "{}: 0 written, 0 removed (specs, generator and output unchanged since the last regen)",
            out.display()
        );
        return ExitCode::SUCCESS;
    }
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
            if let Ok(print) = stamp::fingerprint(specs, out) {
                stamp::save(&print);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: writing {}: {e}", out.display());
            ExitCode::FAILURE
        }
    }
}

fn check(specs: &Path, out: &Path) -> ExitCode {
    match generate(specs) {
        Ok(files) => report_drift(
            &files,
            out,
            &specs.display().to_string(),
            "cargo xtask regen",
        ),
        Err(code) => code,
    }
}

/// Compares `files` with `out`: success when equal, otherwise a unified diff per file and
/// failure telling the user to run `fix`.
fn report_drift(files: &FileSet, out: &Path, source: &str, fix: &str) -> ExitCode {
    let changes = match files.changes(out) {
        Ok(changes) => changes,
        Err(e) => {
            eprintln!("error: reading {}: {e}", out.display());
            return ExitCode::FAILURE;
        }
    };
    if changes.is_empty() {
        println!("{} is up to date with {source}", out.display());
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
        "error: {} file(s) in {} differ from what {source} produces; run `{fix}` and review the diff",
        changes.len(),
        out.display()
    );
    ExitCode::FAILURE
}
