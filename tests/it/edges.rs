//! Edge cases: hostile config files, out-of-range values, closed pipes,
//! resumed runs with masked stores, unwritable folders, folder walks that
//! must look at bytes, and flags that would be silently ignored.

use crate::server::{Server, TOKEN, corpus_dir, find_item, jsonl, picture, text, write};
use image::ImageFormat::{Jpeg, Png};

#[test]
fn a_broken_config_file_never_shows_its_lines() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.jpg", &picture(100, 60, 1, Jpeg));
    for body in [
        format!("token = {TOKEN}\n"),
        format!("token = \"{TOKEN}\n"),
        format!("token: \"{TOKEN}\"\n"),
        format!("token = \"x\"\ntoken = \"{TOKEN}\"\n"),
    ] {
        let cfg = write(dir.path(), "bad.toml", body.as_bytes());
        let out = server
            .xocr(dir.path())
            .args(["scan", "--config"])
            .arg(&cfg)
            .arg(&a)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = text(&out.stderr);
        assert!(err.contains("bad.toml is not valid TOML at line"), "{err}");
        assert!(!err.contains(TOKEN), "token printed: {err}");
    }
}

#[test]
fn out_of_range_numbers_are_usage_errors_not_panics() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.jpg", &picture(100, 60, 2, Jpeg));
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
        let out = server
            .xocr(dir.path())
            .arg("scan")
            .args(args)
            .arg(&a)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(!text(&out.stderr).contains("panicked"), "{args:?}");
    }
}

#[test]
fn flags_that_would_be_ignored_are_refused() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.jpg", &picture(100, 60, 3, Jpeg));
    for args in [
        &["--bom"][..],
        &["--csv-layout", "wide", "-o", "json"],
        &["--include-images", "-o", "csv"],
        &["--unordered", "-o", "json"],
        &["-q", "-v"],
        &["--fields", ""],
        &["--force"],
    ] {
        let out = server
            .xocr(dir.path())
            .arg("scan")
            .args(args)
            .arg(&a)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?} was accepted");
    }
    assert!(server.requests().is_empty());
    let out = server
        .xocr(dir.path())
        .args(["scan", "-o", "jsonl", "--fields", "name,nmae"])
        .arg(&a)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("--fields: no result had nmae"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_closed_pipe_is_quiet() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    for i in 0..6u8 {
        write(
            dir.path(),
            &format!("p{i}.png"),
            &picture(64, 64, 10 + i, Png),
        );
    }
    let bin = assert_cmd::cargo::cargo_bin("xocr");
    let run = |cmd: &str| {
        std::process::Command::new("bash")
            .arg("-c")
            .arg(format!("{cmd} | true; echo \"status ${{PIPESTATUS[0]}}\""))
            .env("XOCR_ENDPOINT", &server.url)
            .env("XOCR_TOKEN", TOKEN)
            .env("HOME", dir.path())
            .current_dir(dir.path())
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
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus_dir();
    let files = [
        corpus.join("exif-orient-6-landscape.jpg"),
        corpus.join("gif-animated.gif"),
        corpus.join("png-rgba-8bit-basn6a08.png"),
    ];
    for extra in [&[][..], &["--mask-saved", "--strict"][..]] {
        let store = tempfile::tempdir().unwrap();
        let run = || {
            server
                .xocr(dir.path())
                .args(["scan", "-o", "jsonl", "--out-dir"])
                .arg(store.path())
                .args(extra)
                .args(&files)
                .output()
                .unwrap()
        };
        let first = run();
        assert_eq!(
            first.status.code(),
            Some(0),
            "{extra:?}: {}",
            text(&first.stderr)
        );
        let sent = server.requests().len();
        let second = run();
        assert_eq!(server.requests().len(), sent, "nothing requested again");
        assert_eq!(
            second.status.code(),
            Some(0),
            "{extra:?}: {}",
            text(&second.stderr)
        );
        let (a, b) = (jsonl(&first), jsonl(&second));
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
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.jpg", &picture(100, 60, 4, Jpeg));
    let file = write(dir.path(), "plain-file", b"x");
    for flag in ["--save-images", "--out-dir"] {
        let out = server
            .xocr(dir.path())
            .args(["scan", flag])
            .arg(file.join("sub"))
            .arg(&a)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag}");
        assert!(text(&out.stderr).contains(flag), "{}", text(&out.stderr));
    }
    assert!(server.requests().is_empty());
}

#[test]
fn folder_walks_look_at_bytes_and_globs_skip_hidden_files() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "in/scan-0001", &picture(64, 64, 20, Jpeg));
    write(d, "in/photo.dat", &picture(64, 64, 21, Png));
    write(d, "in/notes.txt", b"just words, not a picture");
    write(d, "in/.hidden.jpg", &picture(64, 64, 22, Jpeg));
    write(d, "in/a.jpg", &picture(64, 64, 23, Jpeg));
    let out = server
        .xocr(d)
        .current_dir(d)
        .args(["scan", "-o", "jsonl", "-r", "in"])
        .output()
        .unwrap();
    let files: Vec<String> = jsonl(&out)
        .iter()
        .map(|r| r["file"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(files, ["in/a.jpg", "in/photo.dat", "in/scan-0001"]);
    let out = server
        .xocr(d)
        .current_dir(d)
        .args(["scan", "-o", "jsonl", "in/*.jpg"])
        .output()
        .unwrap();
    let files: Vec<String> = jsonl(&out)
        .iter()
        .map(|r| r["file"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(files, ["in/a.jpg"]);
    // A list written by a Windows editor starts with a byte-order mark.
    let out = server
        .xocr(d)
        .current_dir(d)
        .args(["scan", "-o", "jsonl", "--files-from", "-"])
        .write_stdin("\u{feff}in/a.jpg\r\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}
