//! How INPUTs become files: globs, directories, standard input, lists, and
//! files that cannot be read.

use crate::server::{picture, sha_hex};
use crate::testenv::TestEnv;
use image::ImageFormat::{Jpeg, Png};
use serde_json::Value;

fn files(rs: &[Value]) -> Vec<String> {
    rs.iter()
        .map(|r| r["file"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn quoted_globs_are_expanded_by_xocr_and_duplicates_scanned_once() {
    let env = TestEnv::new();
    env.picture("b.jpg", 100, 50, 1, Jpeg);
    env.picture("a.jpg", 100, 50, 2, Jpeg);
    env.picture("c.png", 100, 50, 3, Png);
    let out = env
        .run(["scan", "-o", "jsonl", "*.jpg", "a.jpg", "./a.jpg", "c.png"])
        .code(0);
    assert_eq!(files(&out.jsonl()), ["a.jpg", "b.jpg", "c.png"]);
    assert_eq!(env.server.requests().len(), 3);
}

#[test]
fn a_pattern_that_matches_nothing_is_a_usage_error_naming_it() {
    TestEnv::new()
        .run(["scan", "*.tif"])
        .code(2)
        .stderr_has("no file matches the pattern \"*.tif\"");
}

#[test]
fn directories_need_r_and_are_walked_in_order() {
    let env = TestEnv::new();
    env.picture("in/2.jpg", 100, 50, 4, Jpeg);
    env.picture("in/1.png", 100, 50, 5, Png);
    env.picture("in/sub/3.JPG", 100, 50, 6, Jpeg);
    env.write("in/readme.txt", b"not scanned");
    env.picture("in/.cache/x.jpg", 100, 50, 7, Jpeg);

    let rs = env.run(["scan", "-o", "jsonl", "in"]).code(1).jsonl();
    assert_eq!(rs.len(), 1);
    assert!(
        rs[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("use -r"),
        "{}",
        rs[0]
    );

    let out = env.run(["scan", "-o", "jsonl", "-r", "in"]).code(0);
    assert_eq!(
        files(&out.jsonl()),
        ["in/1.png", "in/2.jpg", "in/sub/3.JPG"]
    );
}

#[test]
fn standard_input_and_files_from() {
    let env = TestEnv::new();
    let pic = picture(120, 80, 8, Png);
    let out = env
        .xocr()
        .args(["scan", "-o", "jsonl", "-"])
        .write_stdin(pic.clone())
        .run()
        .code(0);
    assert_eq!(files(&out.jsonl()), ["-"]);
    assert_eq!(env.server.requests()[0].sha256, sha_hex(&pic));

    env.picture("x y [1].jpg", 100, 50, 9, Jpeg);
    env.picture("身份证 正面.jpg", 100, 50, 10, Jpeg);
    let rs = env
        .xocr()
        .args(["scan", "-o", "jsonl", "--files-from", "-"])
        .write_stdin("x y [1].jpg\n\n身份证 正面.jpg\r\nmissing.jpg\n")
        .run()
        .code(1)
        .jsonl();
    assert_eq!(
        files(&rs),
        ["x y [1].jpg", "身份证 正面.jpg", "missing.jpg"]
    );
    assert_eq!(rs[2]["error"]["message"], "no such file");
    assert_eq!(rs[2]["error"]["class"], "input");
}

#[test]
fn unreadable_inputs_fail_alone_without_a_request() {
    let env = TestEnv::new();
    let d = env.path();
    env.picture("good.jpg", 100, 50, 11, Jpeg);
    env.write("empty.jpg", b"");
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
    let rs = env
        .xocr()
        .args(["scan", "-o", "jsonl", "--"])
        .args(&args)
        .timeout(std::time::Duration::from_secs(30))
        .run()
        .code(1)
        .jsonl();
    assert_eq!(files(&rs), args);
    let msg = |i: usize| rs[i]["error"]["message"].as_str().unwrap().to_string();
    assert!(msg(0).contains("empty"), "{}", msg(0));
    assert!(msg(1).contains("directory"), "{}", msg(1));
    assert!(msg(2).contains("broken symbolic link"), "{}", msg(2));
    assert_eq!(rs[3]["ok"], true);
    if made {
        assert!(msg(4).contains("not a regular file"), "{}", msg(4));
    }
    assert_eq!(env.server.requests().len(), 1);
}

#[test]
fn a_leading_dash_name_is_a_file_after_double_dash() {
    let env = TestEnv::new();
    env.picture("-leading-dash.png", 64, 64, 12, Png);
    let out = env
        .run(["scan", "-o", "jsonl", "--", "-leading-dash.png"])
        .code(0);
    assert_eq!(files(&out.jsonl()), ["-leading-dash.png"]);
}
