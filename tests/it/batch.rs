//! Batches: faults and retries, the QPS cap, stop-class codes, the result
//! store and resuming, Ctrl-C, shards and unordered output.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::server::{Scenario, Server, TOKEN, jsonl, picture, sha_hex, text, write};
use image::ImageFormat::Jpeg;
use serde_json::Value;

/// `n` distinct pictures in `dir`, named `<prefix>NN.jpg`.
fn pictures(dir: &std::path::Path, prefix: &str, n: usize, seed: u8) -> Vec<PathBuf> {
    (0..n)
        .map(|i| {
            write(
                dir,
                &format!("{prefix}{i:02}.jpg"),
                &picture(120, 80, seed.wrapping_add(i as u8), Jpeg),
            )
        })
        .collect()
}

fn requests_per_picture(server: &Server) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for r in server.requests() {
        *m.entry(r.sha256).or_default() += 1;
    }
    m
}

fn sha(p: &PathBuf) -> String {
    sha_hex(&std::fs::read(p).unwrap())
}

#[test]
fn faults_are_retried_within_the_cap_and_every_input_gets_one_result() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let files = pictures(dir.path(), "f", 9, 0);
    let faults = [
        Scenario::Flaky(2, Box::new(Scenario::Http(503, "busy"))),
        Scenario::Flaky(1, Box::new(Scenario::Reset)),
        Scenario::Flaky(1, Box::new(Scenario::Truncated)),
        Scenario::Flaky(2, Box::new(Scenario::Code(40002))),
        Scenario::Flaky(1, Box::new(Scenario::Code(40018))),
        Scenario::Flaky(1, Box::new(Scenario::Raw("<html>oops</html>"))),
        Scenario::Flaky(99, Box::new(Scenario::Http(500, "down"))),
        Scenario::Code(40401),
        Scenario::Slow(Duration::from_millis(200)),
    ];
    for (f, s) in files.iter().zip(faults) {
        server.on(&std::fs::read(f).unwrap(), s);
    }
    let out = server
        .xocr(dir.path())
        .args([
            "scan",
            "-o",
            "jsonl",
            "-j",
            "4",
            "--retries",
            "3",
            "--backoff-base-ms",
            "5",
            "-v",
        ])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let rs = jsonl(&out);
    let names: Vec<&str> = rs.iter().map(|r| r["file"].as_str().unwrap()).collect();
    let expected: Vec<String> = files
        .iter()
        .map(|f| f.to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, expected, "one result per input, in order");
    let ok: Vec<bool> = rs.iter().map(|r| r["ok"].as_bool().unwrap()).collect();
    assert_eq!(ok, [true, true, true, true, true, true, false, false, true]);
    assert_eq!(rs[6]["error"]["message"], "HTTP 500 from the service: down");
    assert_eq!(rs[7]["error"]["code"], 40401);

    let counts = requests_per_picture(&server);
    let n = |i: usize| counts[&sha(&files[i])];
    assert_eq!([n(0), n(1), n(2), n(3), n(4), n(5)], [3, 2, 2, 3, 2, 2]);
    assert_eq!(n(6), 4, "retries stop at the cap");
    assert_eq!(n(7), 1, "file-class codes are never retried");
    assert_eq!(n(8), 1);
    let err = text(&out.stderr);
    assert!(err.contains("retry 1 of 3 in "), "{err}");
    assert!(err.contains(", 11 retries, "), "{err}");
}

#[test]
fn the_qps_cap_holds_at_the_server() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let files = pictures(dir.path(), "q", 12, 40);
    let started = Instant::now();
    let out = server
        .xocr(dir.path())
        .args(["scan", "-o", "jsonl", "-j", "8", "--qps", "4"])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut at: Vec<Instant> = server.requests().iter().map(|r| r.at).collect();
    at.sort();
    assert_eq!(at.len(), 12);
    // 12 requests at 4 per second take at least 11 × 250 ms.
    assert!(
        at[11] - at[0] >= Duration::from_millis(2700),
        "{:?}",
        at[11] - at[0]
    );
    // In any one-second window, at most 4 (+1 for arrival jitter).
    for (i, t) in at.iter().enumerate() {
        let in_window = at[i..]
            .iter()
            .filter(|u| **u - *t < Duration::from_secs(1))
            .count();
        assert!(in_window <= 5, "{in_window} requests within 1 s");
    }
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn retry_after_is_honoured() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "r.jpg", &picture(120, 80, 60, Jpeg));
    server.on(
        &std::fs::read(&f).unwrap(),
        Scenario::Flaky(1, Box::new(Scenario::RetryAfter(1))),
    );
    let out = server
        .xocr(dir.path())
        .args(["scan", "-o", "jsonl", "--backoff-base-ms", "1"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let at: Vec<Instant> = server.requests().iter().map(|r| r.at).collect();
    assert_eq!(at.len(), 2);
    assert!(
        at[1] - at[0] >= Duration::from_millis(950),
        "{:?}",
        at[1] - at[0]
    );
}

#[test]
fn a_stop_class_code_stops_a_parallel_batch() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let files = pictures(dir.path(), "s", 40, 70);
    server.default_scenario(Scenario::Code(40019));
    let out = server
        .xocr(dir.path())
        .args(["scan", "-o", "json", "-j", "4"])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rs = v.as_array().unwrap();
    assert_eq!(rs.len(), 40);
    let not_attempted = rs
        .iter()
        .filter(|r| r["error"]["class"] == "not_attempted")
        .count();
    let stopped = rs.iter().filter(|r| r["error"]["code"] == 40019).count();
    assert_eq!(not_attempted + stopped, 40);
    assert!(
        stopped <= 4,
        "only requests already in flight finish: {stopped}"
    );
    assert_eq!(server.requests().len(), stopped);
}

#[test]
fn the_store_means_no_picture_is_paid_for_twice() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let files = pictures(dir.path(), "p", 5, 90);
    // The same bytes under another name, in the same run.
    let copy = write(
        dir.path(),
        "copy-of-p00.jpg",
        &std::fs::read(&files[0]).unwrap(),
    );
    server.on(&std::fs::read(&files[4]).unwrap(), Scenario::Code(40401));
    let mut all = files.clone();
    all.push(copy.clone());

    let run = |args: &[&str], inputs: &[PathBuf]| {
        server
            .xocr(dir.path())
            .args(["scan", "-o", "json", "-j", "3", "--out-dir"])
            .arg(&store)
            .args(args)
            .args(inputs)
            .output()
            .unwrap()
    };
    let first = run(&[], &all);
    assert_eq!(first.status.code(), Some(1));
    assert_eq!(
        server.requests().len(),
        5,
        "the copy waits for the original"
    );
    let stored: Vec<_> = std::fs::read_dir(&store)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(stored.len(), 4, "failures are not stored: {stored:?}");

    // A rerun requests only the failed picture and prints the same output.
    let second = run(&[], &all);
    assert_eq!(server.requests().len(), 6);
    assert_eq!(text(&second.stdout), text(&first.stdout));
    assert!(
        text(&second.stderr).contains("6 files: 5 succeeded (5 already stored), 1 failed"),
        "{}",
        text(&second.stderr)
    );

    // A renamed copy costs nothing; --force pays again.
    let renamed = write(
        dir.path(),
        "renamed.jpg",
        &std::fs::read(&files[2]).unwrap(),
    );
    let third = run(&[], std::slice::from_ref(&renamed));
    assert_eq!(third.status.code(), Some(0));
    assert_eq!(server.requests().len(), 6);
    run(&["--force"], std::slice::from_ref(&renamed));
    assert_eq!(server.requests().len(), 7);
}

#[test]
fn mask_saved_masks_the_store_only_when_asked() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "m.jpg", &picture(120, 80, 120, Jpeg));
    let plain = dir.path().join("plain");
    let masked = dir.path().join("masked");
    server
        .xocr(dir.path())
        .args(["scan", "--mask", "-o", "json", "--out-dir"])
        .arg(&plain)
        .arg(&f)
        .output()
        .unwrap();
    server
        .xocr(dir.path())
        .args(["scan", "-o", "json", "--mask-saved", "--out-dir"])
        .arg(&masked)
        .arg(&f)
        .output()
        .unwrap();
    let read = |d: &PathBuf| {
        let e = std::fs::read_dir(d).unwrap().next().unwrap().unwrap();
        std::fs::read_to_string(e.path()).unwrap()
    };
    assert!(
        read(&plain).contains("110101199003074514"),
        "--mask alone leaves the store unmasked"
    );
    let m = read(&masked);
    assert!(
        !m.contains("110101199003074514") && m.contains("110101********4514"),
        "{m}"
    );
    // A rerun with --mask-saved over the unmasked store masks it without a
    // request, and still prints the values as read.
    let before = server.requests().len();
    let out = server
        .xocr(dir.path())
        .args(["scan", "-o", "json", "--mask-saved", "--out-dir"])
        .arg(&plain)
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(server.requests().len(), before);
    assert!(text(&out.stdout).contains("110101199003074514"));
    let p = read(&plain);
    assert!(
        !p.contains("110101199003074514") && p.contains("110101********4514"),
        "{p}"
    );
    assert!(
        p.contains("\"masked\": true") || p.contains("\"masked\":true"),
        "{p}"
    );
}

#[test]
fn a_killed_batch_resumes_requesting_only_what_is_missing() {
    let server = Server::start();
    server.latency(Duration::from_millis(250));
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let files = pictures(dir.path(), "k", 10, 130);
    let bin = assert_cmd::cargo::cargo_bin("xocr");
    let mut child = std::process::Command::new(&bin)
        .env("XOCR_ENDPOINT", &server.url)
        .env("XOCR_TOKEN", TOKEN)
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join(".config"))
        .args(["scan", "-q", "-o", "jsonl", "-j", "1", "--out-dir"])
        .arg(&store)
        .args(&files)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1100));
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    let sent_before = server.requests().len();
    let stored_before = std::fs::read_dir(&store)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".json")
        })
        .count();
    assert!((2..10).contains(&stored_before), "{stored_before} stored");

    let out = server
        .xocr(dir.path())
        .args(["scan", "-o", "jsonl", "-j", "4", "--out-dir"])
        .arg(&store)
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(server.requests().len() - sent_before, 10 - stored_before);
    let rs = jsonl(&out);
    assert_eq!(rs.len(), 10);
    assert!(rs.iter().all(|r| r["ok"] == true));

    // The resumed output equals an uninterrupted run's.
    let fresh = server
        .xocr(dir.path())
        .args(["scan", "-o", "jsonl", "-j", "4"])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(text(&out.stdout), text(&fresh.stdout));
}

#[test]
fn ctrl_c_finishes_in_flight_requests_and_exits_130() {
    let server = Server::start();
    server.latency(Duration::from_millis(400));
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let files = pictures(dir.path(), "c", 12, 160);
    let bin = assert_cmd::cargo::cargo_bin("xocr");
    let child = std::process::Command::new(&bin)
        .env("XOCR_ENDPOINT", &server.url)
        .env("XOCR_TOKEN", TOKEN)
        .env("HOME", dir.path())
        .args(["scan", "-o", "json", "-j", "2", "--out-dir"])
        .arg(&store)
        .args(&files)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(900));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("a complete JSON array");
    let rs = v.as_array().unwrap();
    assert_eq!(rs.len(), 12);
    let ok = rs.iter().filter(|r| r["ok"] == true).count();
    let skipped = rs
        .iter()
        .filter(|r| r["error"]["message"] == "not attempted: interrupted")
        .count();
    assert_eq!(ok + skipped, 12);
    assert!(ok >= 2 && skipped >= 1, "{ok} ok, {skipped} not attempted");
    // Every request sent was finished and stored.
    assert_eq!(server.requests().len(), ok);
    assert_eq!(std::fs::read_dir(&store).unwrap().count(), ok);
    assert!(
        text(&out.stderr).contains("not attempted"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn shards_split_the_inputs_without_overlap() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let files = pictures(dir.path(), "h", 20, 200);
    let mut seen = HashSet::new();
    let mut total = 0;
    for k in 1..=3 {
        let out = server
            .xocr(dir.path())
            .args(["scan", "-o", "jsonl", "--shard", &format!("{k}/3")])
            .args(&files)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        for r in jsonl(&out) {
            total += 1;
            seen.insert(r["file"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(total, 20);
    assert_eq!(seen.len(), 20);
    let out = server
        .xocr(dir.path())
        .args(["scan", "--shard", "4/3"])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unordered_streams_jsonl_as_files_finish() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let files = pictures(dir.path(), "u", 4, 220);
    server.on(
        &std::fs::read(&files[0]).unwrap(),
        Scenario::Slow(Duration::from_millis(700)),
    );
    let out = server
        .xocr(dir.path())
        .args(["scan", "-o", "jsonl", "-j", "4", "--unordered"])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let rs = jsonl(&out);
    assert_eq!(rs.len(), 4);
    assert_eq!(
        rs[3]["file"],
        files[0].to_str().unwrap(),
        "the slow file comes last"
    );
    let out = server
        .xocr(dir.path())
        .args(["scan", "-o", "json", "--unordered"])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
