//! Edge cases: hostile config files, out-of-range values, closed pipes,
//! resumed runs with masked stores, unwritable folders, folder walks that
//! must look at bytes, and flags that would be silently ignored.

use crate::server::{TOKEN, corpus_dir, find_item, text};
use crate::testenv::TestEnv;
use image::ImageFormat::{Jpeg, Png};

#[test]
fn a_broken_config_file_never_shows_its_lines() {
    let env = TestEnv::new();
    env.picture("a.jpg", 100, 60, 1, Jpeg);
    for body in [
        format!("token = {TOKEN}\n"),
        format!("token = \"{TOKEN}\n"),
        format!("token: \"{TOKEN}\"\n"),
        format!("token = \"x\"\ntoken = \"{TOKEN}\"\n"),
    ] {
        let cfg = env.write("bad.toml", body.as_bytes());
        env.xocr()
            .args(["scan", "--config"])
            .arg(&cfg)
            .arg("a.jpg")
            .run()
            .code(2)
            .stderr_has("bad.toml is not valid TOML at line")
            .stderr_lacks(TOKEN);
    }
}

#[test]
fn out_of_range_numbers_are_usage_errors_not_panics() {
    let env = TestEnv::new();
    env.picture("a.jpg", 100, 60, 2, Jpeg);
    for args in [
        &["--timeout", "1e30"][..],
        &["--timeout", "nan"],
        &["--qps", "1e-300"],
        &["--qps", "0"],
        &["--max-bytes", "100G"],
        &["--max-bytes", "-1"],
        &["--max-side", "5"],
        &["--type", ""],
    ] {
        env.xocr()
            .arg("scan")
            .args(args)
            .arg("a.jpg")
            .run()
            .code(2)
            .stderr_lacks("panicked");
    }
}

#[test]
fn flags_that_would_be_ignored_are_refused() {
    let env = TestEnv::new();
    env.picture("a.jpg", 100, 60, 3, Jpeg);
    for args in [
        &["--bom"][..],
        &["--csv-layout", "wide", "-o", "json"],
        &["--include-images", "-o", "csv"],
        &["--unordered", "-o", "json"],
        &["-q", "-v"],
        &["--fields", ""],
        &["--force"],
    ] {
        env.xocr().arg("scan").args(args).arg("a.jpg").run().code(2);
    }
    assert!(env.server.requests().is_empty());
    env.run(["scan", "-o", "jsonl", "--fields", "name,nmae", "a.jpg"])
        .code(0)
        .stderr_has("--fields: no result had nmae");
}

#[test]
fn a_closed_pipe_is_quiet() {
    let env = TestEnv::new();
    for i in 0..6u8 {
        env.picture(&format!("p{i}.png"), 64, 64, 10 + i, Png);
    }
    let bin = assert_cmd::cargo::cargo_bin("xocr");
    let run = |cmd: &str| {
        std::process::Command::new("bash")
            .arg("-c")
            .arg(format!("{cmd} | true; echo \"status ${{PIPESTATUS[0]}}\""))
            .env("XOCR_ENDPOINT", &env.server.url)
            .env("XOCR_TOKEN", TOKEN)
            .env("HOME", env.path())
            .current_dir(env.path())
            .output()
            .unwrap()
    };
    for cmd in ["codes", "types", "completions bash"] {
        let out = run(&format!("'{}' {cmd}", bin.display()));
        assert_eq!(text(&out.stdout).trim(), "status 0", "{cmd}");
        assert!(
            !text(&out.stderr).contains("panicked"),
            "{cmd}: {}",
            text(&out.stderr)
        );
        assert!(
            !text(&out.stderr).contains("Broken pipe"),
            "{cmd}: {}",
            text(&out.stderr)
        );
    }
    // A batch cut short says so with its exit code.
    let out = run(&format!(
        "sleep 0.2; '{}' scan -q -o jsonl -j 1 '*.png'",
        bin.display()
    ));
    let status = text(&out.stdout);
    assert!(
        status.trim() == "status 141" || status.trim() == "status 0",
        "{status}"
    );
    assert!(
        !text(&out.stderr).contains("panicked"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_resumed_run_prints_what_the_first_printed() {
    let env = TestEnv::new();
    let corpus = corpus_dir();
    let files = [
        corpus.join("exif-orient-6-landscape.jpg"),
        corpus.join("gif-animated.gif"),
        corpus.join("png-rgba-8bit-basn6a08.png"),
    ];
    for extra in [&[][..], &["--mask-saved", "--strict"][..]] {
        let store = tempfile::tempdir().unwrap();
        let run = || {
            env.xocr()
                .args(["scan", "-o", "jsonl", "--out-dir"])
                .arg(store.path())
                .args(extra)
                .args(&files)
                .run()
                .code(0)
        };
        let first = run();
        let sent = env.server.requests().len();
        let second = run();
        assert_eq!(env.server.requests().len(), sent, "nothing requested again");
        let (a, b) = (first.jsonl(), second.jsonl());
        if extra.is_empty() {
            assert_eq!(a, b);
            assert!(a[0]["preprocess"].as_str().unwrap().contains("rotated 90"));
            assert!(
                a[1]["warnings"][0]
                    .as_str()
                    .unwrap()
                    .contains("first frame"),
                "{}",
                a[1]
            );
        } else {
            // The store is masked: the rerun prints the masked values, and
            // the checks made on the real ones.
            assert_eq!(b[0]["preprocess"], a[0]["preprocess"]);
            assert_eq!(b[0]["checks"], a[0]["checks"].clone());
            assert_eq!(find_item(&b[0], "id_number")["value"], "110101********4514");
        }
    }
}

#[test]
fn an_unwritable_picture_folder_stops_before_any_request() {
    let env = TestEnv::new();
    env.picture("a.jpg", 100, 60, 4, Jpeg);
    let file = env.write("plain-file", b"x");
    for flag in ["--save-images", "--out-dir"] {
        env.xocr()
            .args(["scan", flag])
            .arg(file.join("sub"))
            .arg("a.jpg")
            .run()
            .code(2)
            .stderr_has(flag);
    }
    assert!(env.server.requests().is_empty());
}

#[test]
fn folder_walks_look_at_bytes_and_globs_skip_hidden_files() {
    let env = TestEnv::new();
    env.picture("in/scan-0001", 64, 64, 20, Jpeg);
    env.picture("in/photo.dat", 64, 64, 21, Png);
    env.write("in/notes.txt", b"just words, not a picture");
    env.picture("in/.hidden.jpg", 64, 64, 22, Jpeg);
    env.picture("in/a.jpg", 64, 64, 23, Jpeg);
    let files = |args: &[&str]| -> Vec<String> {
        env.run(args)
            .jsonl()
            .iter()
            .map(|r| r["file"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        files(&["scan", "-o", "jsonl", "-r", "in"]),
        ["in/a.jpg", "in/photo.dat", "in/scan-0001"]
    );
    assert_eq!(files(&["scan", "-o", "jsonl", "in/*.jpg"]), ["in/a.jpg"]);
    // A list written by a Windows editor starts with a byte-order mark.
    env.xocr()
        .args(["scan", "-o", "jsonl", "--files-from", "-"])
        .write_stdin("\u{feff}in/a.jpg\r\n")
        .run()
        .code(0);
}
