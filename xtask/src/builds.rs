//! `cargo xtask bench --builds`: what the generated crate costs to build, for this checkout
//! and, with `--baseline <checkout>`, for another one measured the same way in the same
//! run. Each checkout builds in a target directory of its own; peak memory is the largest
//! resident set of any process of the build (GNU `time`'s maximum RSS).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

/// The features of the downstream crate: the client and two scopes, as the README's
/// quick start takes them.
const DOWNSTREAM_FEATURES: &str = r#"["client", "crm", "user"]"#;

/// A downstream program that both old and new generated crates compile.
const DOWNSTREAM_MAIN: &str = r#"fn main() {
    let list = bitrix24::crm::item::List::new(2);
    let me = bitrix24::user::Current::new();
    println!("{} {}", serde_json::to_string(&list).unwrap(), serde_json::to_string(&me).unwrap());
}
"#;

/// One measured build step.
struct Step {
    time: Duration,
    peak_kib: u64,
}

/// What one checkout costs.
struct Costs {
    lines: usize,
    check_full: Step,
    check_crm: Step,
    build_full: Step,
    doc_full: Step,
    downstream_clean: Step,
    downstream_touched: Step,
}

/// Measures this checkout and the baseline, if any, and prints both with their ratio.
pub fn run(baseline: Option<&Path>) -> ExitCode {
    let mut rows = Vec::new();
    for (name, checkout) in baseline
        .map(|b| ("baseline", b.to_owned()))
        .into_iter()
        .chain([("this checkout", crate::root())])
    {
        eprintln!("measuring {name}: {}", checkout.display());
        match measure(&checkout) {
            Ok(costs) => rows.push((name, checkout, costs)),
            Err(e) => {
                eprintln!("error: {}: {e}", checkout.display());
                return ExitCode::FAILURE;
            }
        }
    }
    print(&rows);
    ExitCode::SUCCESS
}

fn measure(checkout: &Path) -> Result<Costs, String> {
    let target = checkout.join("target/bench-build");
    let lib = checkout.join("generated/src/lib.rs");
    let cargo_in = |args: &[&str]| {
        let mut cmd = Command::new(cargo());
        cmd.current_dir(checkout)
            .env("CARGO_INCREMENTAL", "0")
            .args(args)
            .arg("--target-dir")
            .arg(&target);
        cmd
    };
    // Dependencies first, untimed, in check and in build mode.
    for mode in ["check", "build"] {
        timed(cargo_in(&[
            mode,
            "-q",
            "-p",
            "bitrix24",
            "--no-default-features",
        ]))?;
    }
    // Each timed step rebuilds the generated crate alone: its lib.rs is touched first.
    let step = |args: &[&str]| {
        touch(&lib);
        timed(cargo_in(args))
    };
    let check_full = step(&["check", "-q", "-p", "bitrix24", "--features", "full"])?;
    let check_crm = step(&["check", "-q", "-p", "bitrix24", "--features", "crm"])?;
    let build_full = step(&["build", "-q", "-p", "bitrix24", "--features", "full"])?;
    let doc_full = step(&["doc", "-q", "--no-deps", "-p", "bitrix24", "--all-features"])?;

    let downstream = target.join("downstream");
    std::fs::create_dir_all(downstream.join("src")).map_err(|e| e.to_string())?;
    std::fs::write(
        downstream.join("Cargo.toml"),
        format!(
            "[package]\nname = \"downstream\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n\
             [dependencies]\nbitrix24 = {{ path = {:?}, features = {DOWNSTREAM_FEATURES} }}\n\
             serde_json = \"1\"\n\n[workspace]\n",
            checkout.join("generated")
        ),
    )
    .map_err(|e| e.to_string())?;
    let main = downstream.join("src/main.rs");
    std::fs::write(&main, DOWNSTREAM_MAIN).map_err(|e| e.to_string())?;
    let downstream_target = downstream.join("target");
    let _ = std::fs::remove_dir_all(&downstream_target);
    let build_downstream = || {
        let mut cmd = Command::new(cargo());
        cmd.current_dir(&downstream)
            .args(["build", "-q", "--target-dir"])
            .arg(&downstream_target);
        cmd
    };
    let mut fetch = Command::new(cargo());
    fetch.current_dir(&downstream).args(["fetch", "-q"]);
    timed(fetch)?;
    let downstream_clean = timed(build_downstream())?;
    touch(&main);
    let downstream_touched = timed(build_downstream())?;

    Ok(Costs {
        lines: generated_lines(&checkout.join("generated/src")),
        check_full,
        check_crm,
        build_full,
        doc_full,
        downstream_clean,
        downstream_touched,
    })
}

/// Runs a command under GNU `time`, giving its wall time and the peak RSS of its processes.
fn timed(cmd: Command) -> Result<Step, String> {
    let mut timed = Command::new("/usr/bin/time");
    timed
        .args(["-f", "%M"])
        .arg(cmd.get_program())
        .args(cmd.get_args());
    if let Some(dir) = cmd.get_current_dir() {
        timed.current_dir(dir);
    }
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => timed.env(key, value),
            None => timed.env_remove(key),
        };
    }
    let start = Instant::now();
    let out = timed
        .output()
        .map_err(|e| format!("/usr/bin/time (GNU time, package `time`) does not run: {e}"))?;
    let time = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("{cmd:?} failed:\n{stderr}"));
    }
    let peak_kib = stderr
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .ok_or_else(|| format!("no peak RSS from GNU time in:\n{stderr}"))?;
    Ok(Step { time, peak_kib })
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

fn touch(file: &Path) {
    if let Ok(f) = std::fs::File::options().append(true).open(file) {
        let _ = f.set_modified(std::time::SystemTime::now());
    }
}

fn generated_lines(dir: &Path) -> usize {
    let mut lines = 0;
    let mut pending: Vec<PathBuf> = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                lines += std::fs::read_to_string(&path).map_or(0, |t| t.lines().count());
            }
        }
    }
    lines
}

/// A step's wall time and peak RSS.
fn step(s: &Step) -> String {
    format!(
        "{:>8.1} s {:>7.2} GB",
        s.time.as_secs_f64(),
        s.peak_kib as f64 / 1e6
    )
}

/// Picks one step out of a checkout's costs.
type StepOf = fn(&Costs) -> &Step;

/// The measured steps, by label.
const STEPS: [(&str, StepOf); 6] = [
    ("check --features full", |c| &c.check_full),
    ("check --features crm", |c| &c.check_crm),
    ("debug build --features full", |c| &c.build_full),
    ("doc --all-features", |c| &c.doc_full),
    ("downstream client,crm,user: clean", |c| &c.downstream_clean),
    ("downstream: main.rs touched", |c| &c.downstream_touched),
];

fn print(rows: &[(&str, PathBuf, Costs)]) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    println!("{cores} CPUs, load average {}", load.join(" "));
    for (name, checkout, _) in rows {
        println!("{name}: {}", checkout.display());
    }
    let names: Vec<String> = rows.iter().map(|(n, _, _)| format!("{n:>20}")).collect();
    println!("{:<36} {}", "", names.join(" "));
    let lines: Vec<String> = rows
        .iter()
        .map(|(_, _, c)| format!("{:>20}", c.lines))
        .collect();
    println!("{:<36} {}", "generated Rust lines", lines.join(" "));
    for (label, of) in STEPS {
        let cells: Vec<String> = rows.iter().map(|(_, _, c)| step(of(c))).collect();
        println!("{label:<36} {}", cells.join(" "));
    }
    if let [(_, _, old), (_, _, new)] = rows {
        println!("\nthis checkout / baseline:");
        println!(
            "  {:<34} {:.2}",
            "generated Rust lines",
            new.lines as f64 / old.lines as f64
        );
        for (label, of) in STEPS {
            let (o, n) = (of(old), of(new));
            println!(
                "  {label:<34} time {:.2}, peak RSS {:.2}",
                n.time.as_secs_f64() / o.time.as_secs_f64(),
                n.peak_kib as f64 / o.peak_kib as f64
            );
        }
    }
}
