//! `cargo xtask import` and `cargo xtask stats`.

use std::path::PathBuf;
use std::process::ExitCode;

use bitrix24_codegen::coverage::{Report, Walker};
use bitrix24_codegen::import::{self, Import, stats::Stats};

use crate::{DocsArgs, report_drift, root};

/// The docs checkout: `--docs`, else `$BITRIX24_DOCS`, else `../shared/b24restdocs`.
pub fn docs_dir(args: &DocsArgs) -> PathBuf {
    args.docs
        .clone()
        .unwrap_or_else(|| import::default_docs(&root()))
}

fn run_import(args: &DocsArgs) -> Result<Import, ExitCode> {
    let docs = docs_dir(args);
    import::import(&docs, &args.specs).map_err(|e| {
        eprintln!("error: importing {}: {e}", docs.display());
        eprintln!(
            "get the docs with `git clone https://github.com/bitrix24/b24restdocs` and pass --docs <path> or set {}",
            import::DOCS_VAR
        );
        ExitCode::FAILURE
    })
}

/// Imports the docs into `specs/methods/`, `specs/events/` and `specs/types/`, or with
/// `check` compares
/// without writing.
pub fn run(args: &DocsArgs, check: bool) -> ExitCode {
    let imported = match run_import(args) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let outputs = match (
        imported.files(),
        imported.event_files(),
        imported.type_files(),
    ) {
        (Ok(methods), Ok(events), Ok(types)) => [
            (methods, args.specs.join("methods")),
            (events, args.specs.join("events")),
            (types, args.specs.join("types")),
        ],
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The imported specs must load and validate before anything is written.
    if let Err(diags) = import::validate(&imported, &args.specs) {
        eprintln!("{diags}");
        eprintln!("nothing was written");
        return ExitCode::FAILURE;
    }
    for (page, reason) in &imported.problems {
        println!("problem: {page}: {reason}");
    }
    let stats = Stats::of(&imported);
    println!("{stats}");
    if check {
        // Check every directory, so one run shows every stale file.
        let results: Vec<ExitCode> = outputs
            .iter()
            .map(|(files, dir)| report_drift(files, dir, "the docs", "cargo xtask import"))
            .collect();
        return if results.iter().all(|r| *r == ExitCode::SUCCESS) {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    for (files, dir) in &outputs {
        match files.write_to(dir) {
            Ok(report) => println!(
                "{}: {} written, {} removed, {} unchanged",
                dir.display(),
                report.written,
                report.removed,
                report.unchanged
            ),
            Err(e) => {
                eprintln!("error: writing {}: {e}", dir.display());
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

/// Prints the counts of an import without writing anything, then the coverage of the
/// example replies by the imported specs' types; with `per_method`, one line per method.
pub fn stats(args: &DocsArgs, per_method: bool) -> ExitCode {
    let imported = match run_import(args) {
        Ok(imported) => imported,
        Err(code) => return code,
    };
    println!("{}", Stats::of(&imported));
    let krate = match imported
        .spec_set(&args.specs)
        .and_then(|set| bitrix24_codegen::ir::build(&set))
    {
        Ok(krate) => krate,
        Err(diags) => {
            eprintln!("{diags}");
            return ExitCode::FAILURE;
        }
    };
    let report = Report::of(&imported, &Walker::new(&krate));
    if per_method {
        for example in &report.examples {
            println!("{example}");
        }
    }
    println!("{}", report.totals());
    ExitCode::SUCCESS
}
