//! How INPUTs become files: globs, directories, standard input, lists, and
//! files that cannot be read.

use crate::server::{Server, jsonl, picture, sha_hex, write};
use image::ImageFormat::{Jpeg, Png};
use serde_json::Value;

fn files(rs: &[Value]) -> Vec<String> {
    rs.iter()
        .map(|r| r["file"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn quoted_globs_are_expanded_by_xocr_and_duplicates_scanned_once() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "b.jpg", &picture(100, 50, 1, Jpeg));
    write(d, "a.jpg", &picture(100, 50, 2, Jpeg));
    write(d, "c.png", &picture(100, 50, 3, Png));
    let out = server
        .xocr(d)
        .current_dir(d)
        .args(["scan", "-o", "jsonl", "*.jpg", "a.jpg", "./a.jpg", "c.png"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(files(&jsonl(&out)), ["a.jpg", "b.jpg", "c.png"]);
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn a_pattern_that_matches_nothing_is_a_usage_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = Server::start()
        .xocr(dir.path())
        .current_dir(dir.path())
        .args(["scan", "*.tif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no file matches the pattern \"*.tif\""));
}

#[test]
fn directories_need_r_and_are_walked_in_order() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "in/2.jpg", &picture(100, 50, 4, Jpeg));
    write(d, "in/1.png", &picture(100, 50, 5, Png));
    write(d, "in/sub/3.JPG", &picture(100, 50, 6, Jpeg));
    write(d, "in/readme.txt", b"not scanned");
    write(d, "in/.cache/x.jpg", &picture(100, 50, 7, Jpeg));

    let out = server
        .xocr(d)
        .current_dir(d)
        .args(["scan", "-o", "jsonl", "in"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let rs = jsonl(&out);
    assert_eq!(rs.len(), 1);
    assert!(
        rs[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("use -r"),
        "{}",
        rs[0]
    );

    let out = server
        .xocr(d)
        .current_dir(d)
        .args(["scan", "-o", "jsonl", "-r", "in"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        files(&jsonl(&out)),
        ["in/1.png", "in/2.jpg", "in/sub/3.JPG"]
    );
}

#[test]
fn standard_input_and_files_from() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pic = picture(120, 80, 8, Png);
    let out = server
        .xocr(d)
        .args(["scan", "-o", "jsonl", "-"])
        .write_stdin(pic.clone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(files(&jsonl(&out)), ["-"]);
    assert_eq!(server.requests()[0].sha256, sha_hex(&pic));

    write(d, "x y [1].jpg", &picture(100, 50, 9, Jpeg));
    write(d, "身份证 正面.jpg", &picture(100, 50, 10, Jpeg));
    let out = server
        .xocr(d)
        .current_dir(d)
        .args(["scan", "-o", "jsonl", "--files-from", "-"])
        .write_stdin("x y [1].jpg\n\n身份证 正面.jpg\r\nmissing.jpg\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let rs = jsonl(&out);
    assert_eq!(
        files(&rs),
        ["x y [1].jpg", "身份证 正面.jpg", "missing.jpg"]
    );
    assert_eq!(rs[2]["error"]["message"], "no such file");
    assert_eq!(rs[2]["error"]["class"], "input");
}

#[test]
fn unreadable_inputs_fail_alone_without_a_request() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "good.jpg", &picture(100, 50, 11, Jpeg));
    write(d, "empty.jpg", b"");
    std::fs::create_dir(d.join("dir-named.jpg")).unwrap();
    std::os::unix::fs::symlink(d.join("missing.jpg"), d.join("dangling-link.jpg")).unwrap();
    let fifo = d.join("fifo.jpg");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    let mut args = vec![
        "empty.jpg",
        "dir-named.jpg",
        "dangling-link.jpg",
        "good.jpg",
    ];
    if made {
        args.push("fifo.jpg");
    }
    let out = server
        .xocr(d)
        .current_dir(d)
        .args(["scan", "-o", "jsonl", "--"])
        .args(&args)
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let rs = jsonl(&out);
    assert_eq!(files(&rs), args);
    let msg = |i: usize| rs[i]["error"]["message"].as_str().unwrap().to_string();
    assert!(msg(0).contains("empty"), "{}", msg(0));
    assert!(msg(1).contains("directory"), "{}", msg(1));
    assert!(msg(2).contains("broken symbolic link"), "{}", msg(2));
    assert_eq!(rs[3]["ok"], true);
    if made {
        assert!(msg(4).contains("not a regular file"), "{}", msg(4));
    }
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_leading_dash_name_is_a_file_after_double_dash() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "-leading-dash.png", &picture(64, 64, 12, Png));
    let out = server
        .xocr(dir.path())
        .current_dir(dir.path())
        .args(["scan", "-o", "jsonl", "--", "-leading-dash.png"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(files(&jsonl(&out)), ["-leading-dash.png"]);
}
