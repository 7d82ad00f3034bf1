//! Run the real `xocr` and check what it did, in one line:
//!
//! ```ignore
//! let env = TestEnv::new();
//! env.picture("id.jpg", 300, 200, 1, Jpeg);
//! env.run(["scan", "-o", "json", "id.jpg"]).code(0).stdout_has("王小明");
//! let v = env.xocr().args(["scan", "-o", "json"]).arg(&path).run().code(0).json();
//! ```
//!
//! A [`TestEnv`] is a stand-in server and a private temporary folder, the
//! HOME and the working directory of every run (so inputs can be named
//! relative to it); [`Run`]'s checks panic at the caller with the command
//! line, its exit code and both streams.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use serde_json::Value;

use crate::server::{Scenario, Server, picture, text, write, xocr_bare};

/// A stand-in server and an empty temporary folder.
pub struct TestEnv {
    pub server: Server,
    dir: tempfile::TempDir,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        TestEnv {
            server: Server::start(),
            dir: tempfile::tempdir().expect("temporary folder"),
        }
    }

    /// The temporary folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `bytes` to `name` in the folder (folders made as needed).
    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        write(self.path(), name, bytes)
    }

    /// Writes a `w`×`h` [`picture`] made with `seed` to `name`.
    pub fn picture(
        &self,
        name: &str,
        w: u32,
        h: u32,
        seed: u8,
        format: image::ImageFormat,
    ) -> PathBuf {
        self.write(name, &picture(w, h, seed, format))
    }

    /// The server answers `scenario` for the picture in `file`.
    pub fn answer(&self, file: &Path, scenario: Scenario) {
        self.server
            .on(&std::fs::read(file).expect("read the picture"), scenario);
    }

    /// `xocr` with the server's endpoint and token.
    pub fn xocr(&self) -> Cmd {
        self.in_folder(self.server.xocr(self.path()))
    }

    /// `xocr` with neither endpoint nor token.
    pub fn bare(&self) -> Cmd {
        self.in_folder(xocr_bare(self.path()))
    }

    fn in_folder(&self, mut cmd: assert_cmd::Command) -> Cmd {
        cmd.current_dir(self.path());
        Cmd {
            cmd,
            line: vec!["xocr".into()],
        }
    }

    /// Runs `xocr ARGS` with the server's endpoint and token.
    #[track_caller]
    pub fn run<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.xocr().args(args).run()
    }
}

/// A command to run; [`Cmd::run`] runs it.
pub struct Cmd {
    cmd: assert_cmd::Command,
    /// The command line, for messages.
    line: Vec<String>,
}

impl Cmd {
    pub fn arg(&mut self, a: impl AsRef<OsStr>) -> &mut Cmd {
        self.line.push(a.as_ref().to_string_lossy().into_owned());
        self.cmd.arg(a);
        self
    }

    pub fn args<I, S>(&mut self, args: I) -> &mut Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for a in args {
            self.arg(a);
        }
        self
    }

    pub fn env(&mut self, k: impl AsRef<OsStr>, v: impl AsRef<OsStr>) -> &mut Cmd {
        self.cmd.env(k, v);
        self
    }

    pub fn write_stdin(&mut self, input: impl Into<Vec<u8>>) -> &mut Cmd {
        self.cmd.write_stdin(input);
        self
    }

    pub fn timeout(&mut self, d: Duration) -> &mut Cmd {
        self.cmd.timeout(d);
        self
    }

    /// Runs the command to its end.
    #[track_caller]
    pub fn run(&mut self) -> Run {
        let out = self
            .cmd
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", self.line.join(" ")));
        Run {
            out,
            line: self.line.join(" "),
        }
    }
}

/// A finished run. The checks return it, so they chain.
pub struct Run {
    out: Output,
    line: String,
}

impl Run {
    /// The command, its exit code and what it printed (each stream cut at
    /// 8 KB), for a panic message.
    fn report(&self) -> String {
        fn clip(s: String) -> String {
            const MAX: usize = 8192;
            if s.len() <= MAX {
                return s;
            }
            let mut end = MAX;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            format!("{}… ({} bytes in all)", &s[..end], s.len())
        }
        format!(
            "{}\nexit: {:?}\nstdout:\n{}\nstderr:\n{}",
            self.line,
            self.out.status.code(),
            clip(self.stdout()),
            clip(self.stderr())
        )
    }

    /// The exit code is `code`.
    #[track_caller]
    pub fn code(self, code: i32) -> Run {
        assert_eq!(
            self.out.status.code(),
            Some(code),
            "exit code\n{}",
            self.report()
        );
        self
    }

    /// stdout contains `s`.
    #[track_caller]
    pub fn stdout_has(self, s: &str) -> Run {
        assert!(
            self.stdout().contains(s),
            "no {s:?} on stdout\n{}",
            self.report()
        );
        self
    }

    /// stdout does not contain `s`.
    #[track_caller]
    pub fn stdout_lacks(self, s: &str) -> Run {
        assert!(
            !self.stdout().contains(s),
            "{s:?} on stdout\n{}",
            self.report()
        );
        self
    }

    /// stderr contains `s`.
    #[track_caller]
    pub fn stderr_has(self, s: &str) -> Run {
        assert!(
            self.stderr().contains(s),
            "no {s:?} on stderr\n{}",
            self.report()
        );
        self
    }

    /// stderr does not contain `s`.
    #[track_caller]
    pub fn stderr_lacks(self, s: &str) -> Run {
        assert!(
            !self.stderr().contains(s),
            "{s:?} on stderr\n{}",
            self.report()
        );
        self
    }

    /// stdout as it is.
    pub fn stdout_bytes(&self) -> &[u8] {
        &self.out.stdout
    }

    /// stdout, lossily decoded.
    pub fn stdout(&self) -> String {
        text(&self.out.stdout)
    }

    /// stderr, lossily decoded.
    pub fn stderr(&self) -> String {
        text(&self.out.stderr)
    }

    /// stdout as one JSON value (`-o json`, or one `-o jsonl` line).
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.out.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e})\n{}", self.report()))
    }

    /// stdout as `-o jsonl`: one JSON value per line.
    #[track_caller]
    pub fn jsonl(&self) -> Vec<Value> {
        self.stdout()
            .lines()
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("bad JSONL line {l:?} ({e})\n{}", self.report()))
            })
            .collect()
    }
}
