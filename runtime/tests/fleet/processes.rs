//! Worker processes: this very executable started again with a [`Spec`] in its
//! environment, each with a client of its own.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::worker::{Report, SPEC_VAR, Spec};

/// A running worker process.
pub struct Worker {
    child: Child,
    stdout: Option<JoinHandle<String>>,
    stderr: Option<JoinHandle<String>>,
}

/// Starts a worker process that runs `spec`, with `env` added to its environment.
pub fn spawn(spec: &Spec, env: &[(&str, &str)]) -> Worker {
    let exe = std::env::current_exe().expect("the path of this executable");
    let mut command = Command::new(exe);
    command
        .env(
            SPEC_VAR,
            serde_json::to_string(spec).expect("a spec is JSON"),
        )
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("a worker process starts");
    let stdout = read_all(child.stdout.take().expect("stdout"));
    let stderr = read_all(child.stderr.take().expect("stderr"));
    Worker {
        child,
        stdout: Some(stdout),
        stderr: Some(stderr),
    }
}

/// Starts one worker per spec, all at once, and waits for them.
pub fn run_all(specs: &[Spec], limit: Duration) -> Vec<Report> {
    let workers: Vec<Worker> = specs.iter().map(|spec| spawn(spec, &[])).collect();
    let deadline = Instant::now() + limit;
    workers
        .into_iter()
        .map(|worker| worker.finish(deadline))
        .collect()
}

fn read_all(mut pipe: impl Read + Send + 'static) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        text
    })
}

impl Worker {
    /// Kills the worker at once (SIGKILL).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for the worker to end by `deadline` (else kills it and fails) and reads its
    /// report.
    pub fn finish(mut self, deadline: Instant) -> Report {
        loop {
            match self.child.try_wait().expect("the worker's status") {
                Some(_) => break,
                None if Instant::now() >= deadline => {
                    self.kill();
                    panic!("a worker did not finish in time: {}", self.stderr());
                }
                None => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        let stdout = self.output();
        let line = stdout.lines().last().unwrap_or_default();
        serde_json::from_str(line).unwrap_or_else(|error| {
            panic!(
                "a worker printed no report ({error}): {stdout}\n{}",
                self.stderr()
            )
        })
    }

    /// Everything the worker printed to its standard output (after it ended).
    pub fn output(&mut self) -> String {
        self.stdout
            .take()
            .and_then(|reader| reader.join().ok())
            .unwrap_or_default()
    }

    /// Everything the worker printed to its standard error (after it ended).
    pub fn stderr(&mut self) -> String {
        self.stderr
            .take()
            .and_then(|reader| reader.join().ok())
            .unwrap_or_default()
    }
}
