//! `cargo xtask bench`: how fast the importer and the generator are, against baselines
//! measured in the same run. Numbers go to BENCHMARKS.md by hand, with this command.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use bitrix24_codegen::import::{self, Corpus};

use crate::DocsArgs;

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let value = f();
    (value, start.elapsed())
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

/// Runs the benchmark of the importer and the generator.
pub fn run(args: &DocsArgs) -> ExitCode {
    let docs = crate::import::docs_dir(args);
    let specs = &args.specs;

    // Baseline: reading and splitting every page, nothing else.
    let (corpus, read_time) = timed(|| Corpus::read(&docs));
    let pages = match corpus {
        Ok((corpus, _)) => corpus.pages.len(),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (imported, import_time) = timed(|| import::import(&docs, specs));
    let imported = match imported {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };

    let out = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("error: temporary directory: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (files, generate_time) = timed(|| bitrix24_codegen::generate(specs));
    let files = match files {
        Ok(files) => files,
        Err(d) => {
            eprintln!("{d}");
            return ExitCode::FAILURE;
        }
    };
    let (written, write_time) = timed(|| files.write_to(out.path()));
    let (again, noop_time) =
        timed(|| bitrix24_codegen::generate(specs).map(|f| f.write_to(out.path())));
    // What `cargo xtask regen` does when nothing changed: compare fingerprints only.
    let (stamped, stamp_time) = timed(|| crate::stamp::fingerprint(specs, out.path()));
    let (Ok(written), Ok(Ok(again)), Ok(_)) = (written, again, stamped) else {
        eprintln!("error: writing the generated crate failed");
        return ExitCode::FAILURE;
    };
    let lines: usize = files
        .iter()
        .filter(|(path, _)| path.extension().is_some_and(|e| e == "rs"))
        .map(|(_, text)| text.lines().count())
        .sum();

    println!("docs pages read:            {pages}");
    println!("read corpus (baseline):     {}", ms(read_time));
    println!(
        "import ({} methods):      {}",
        imported.methods.len(),
        ms(import_time)
    );
    println!(
        "full regen:                 {} generate + {} write ({} files)",
        ms(generate_time),
        ms(write_time),
        written.written
    );
    println!(
        "no-op regen, compared:      {} ({} files written)",
        ms(noop_time),
        again.written
    );
    println!(
        "no-op regen, fingerprinted: {} (what `cargo xtask regen` does: nothing generated)",
        ms(stamp_time)
    );
    println!(
        "import + full regen:        {}",
        ms(import_time + generate_time + write_time)
    );
    println!("generated Rust lines:       {lines}");

    ExitCode::SUCCESS
}
