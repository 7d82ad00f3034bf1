//! Batches: faults and retries, the QPS cap, stop-class codes, the result
//! store and resuming, Ctrl-C, shards and unordered output.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::server::{Scenario, TOKEN, sha_hex, text};
use crate::testenv::TestEnv;
use image::ImageFormat::Jpeg;

/// `n` distinct pictures in the folder, named `<prefix>NN.jpg`.
fn pictures(env: &TestEnv, prefix: &str, n: usize, seed: u8) -> Vec<PathBuf> {
    (0..n)
        .map(|i| {
            env.picture(
                &format!("{prefix}{i:02}.jpg"),
                120,
                80,
                seed.wrapping_add(i as u8),
                Jpeg,
            )
        })
        .collect()
}

fn requests_per_picture(env: &TestEnv) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for r in env.server.requests() {
        *m.entry(r.sha256).or_default() += 1;
    }
    m
}

fn sha(p: &PathBuf) -> String {
    sha_hex(&std::fs::read(p).unwrap())
}

#[test]
fn faults_are_retried_within_the_cap_and_every_input_gets_one_result() {
    let env = TestEnv::new();
    let files = pictures(&env, "f", 9, 0);
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
        env.answer(f, s);
    }
    let out = env
        .xocr()
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
        .run()
        .code(1)
        .stderr_has("retry 1 of 3 in ")
        .stderr_has(", 11 retries, ");
    let rs = out.jsonl();
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

    let counts = requests_per_picture(&env);
    let n = |i: usize| counts[&sha(&files[i])];
    assert_eq!([n(0), n(1), n(2), n(3), n(4), n(5)], [3, 2, 2, 3, 2, 2]);
    assert_eq!(n(6), 4, "retries stop at the cap");
    assert_eq!(n(7), 1, "file-class codes are never retried");
    assert_eq!(n(8), 1);
}

#[test]
fn the_qps_cap_holds_at_the_server() {
    let env = TestEnv::new();
    let files = pictures(&env, "q", 12, 40);
    let started = Instant::now();
    env.xocr()
        .args(["scan", "-o", "jsonl", "-j", "8", "--qps", "4"])
        .args(&files)
        .run()
        .code(0);
    let mut at: Vec<Instant> = env.server.requests().iter().map(|r| r.at).collect();
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
    let env = TestEnv::new();
    let f = env.picture("r.jpg", 120, 80, 60, Jpeg);
    env.answer(&f, Scenario::Flaky(1, Box::new(Scenario::RetryAfter(1))));
    env.run(["scan", "-o", "jsonl", "--backoff-base-ms", "1", "r.jpg"])
        .code(0);
    let at: Vec<Instant> = env.server.requests().iter().map(|r| r.at).collect();
    assert_eq!(at.len(), 2);
    assert!(
        at[1] - at[0] >= Duration::from_millis(950),
        "{:?}",
        at[1] - at[0]
    );
}

#[test]
fn a_stop_class_code_stops_a_parallel_batch() {
    let env = TestEnv::new();
    let files = pictures(&env, "s", 40, 70);
    env.server.default_scenario(Scenario::Code(40019));
    let v = env
        .xocr()
        .args(["scan", "-o", "json", "-j", "4"])
        .args(&files)
        .run()
        .code(3)
        .json();
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
    assert_eq!(env.server.requests().len(), stopped);
}

#[test]
fn the_store_means_no_picture_is_paid_for_twice() {
    let env = TestEnv::new();
    let store = env.path().join("store");
    let files = pictures(&env, "p", 5, 90);
    // The same bytes under another name, in the same run.
    let copy = env.write("copy-of-p00.jpg", &std::fs::read(&files[0]).unwrap());
    env.answer(&files[4], Scenario::Code(40401));
    let mut all = files.clone();
    all.push(copy.clone());

    let run = |args: &[&str], inputs: &[PathBuf]| {
        env.xocr()
            .args(["scan", "-o", "json", "-j", "3", "--out-dir"])
            .arg(&store)
            .args(args)
            .args(inputs)
            .run()
    };
    let first = run(&[], &all).code(1);
    assert_eq!(
        env.server.requests().len(),
        5,
        "the copy waits for the original"
    );
    let stored: Vec<_> = std::fs::read_dir(&store)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(stored.len(), 4, "failures are not stored: {stored:?}");

    // A rerun requests only the failed picture and prints the same output.
    let second = run(&[], &all).stderr_has("6 files: 5 succeeded (5 already stored), 1 failed");
    assert_eq!(env.server.requests().len(), 6);
    assert_eq!(second.stdout(), first.stdout());

    // A renamed copy costs nothing; --force pays again.
    let renamed = env.write("renamed.jpg", &std::fs::read(&files[2]).unwrap());
    run(&[], std::slice::from_ref(&renamed)).code(0);
    assert_eq!(env.server.requests().len(), 6);
    run(&["--force"], std::slice::from_ref(&renamed));
    assert_eq!(env.server.requests().len(), 7);
}

#[test]
fn mask_saved_masks_the_store_only_when_asked() {
    let env = TestEnv::new();
    env.picture("m.jpg", 120, 80, 120, Jpeg);
    env.run([
        "scan",
        "--mask",
        "-o",
        "json",
        "--out-dir",
        "plain",
        "m.jpg",
    ]);
    env.run([
        "scan",
        "-o",
        "json",
        "--mask-saved",
        "--out-dir",
        "masked",
        "m.jpg",
    ]);
    let read = |d: &str| {
        let e = std::fs::read_dir(env.path().join(d))
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        std::fs::read_to_string(e.path()).unwrap()
    };
    assert!(
        read("plain").contains("110101199003074514"),
        "--mask alone leaves the store unmasked"
    );
    let m = read("masked");
    assert!(
        !m.contains("110101199003074514") && m.contains("110101********4514"),
        "{m}"
    );
    // A rerun with --mask-saved over the unmasked store masks it without a
    // request, and still prints the values as read.
    let before = env.server.requests().len();
    env.run([
        "scan",
        "-o",
        "json",
        "--mask-saved",
        "--out-dir",
        "plain",
        "m.jpg",
    ])
    .code(0)
    .stdout_has("110101199003074514");
    assert_eq!(env.server.requests().len(), before);
    let p = read("plain");
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
    let env = TestEnv::new();
    env.server.latency(Duration::from_millis(250));
    let store = env.path().join("store");
    let files = pictures(&env, "k", 10, 130);
    let bin = assert_cmd::cargo::cargo_bin("xocr");
    let mut child = std::process::Command::new(&bin)
        .env("XOCR_ENDPOINT", &env.server.url)
        .env("XOCR_TOKEN", TOKEN)
        .env("HOME", env.path())
        .env("XDG_CONFIG_HOME", env.path().join(".config"))
        .args(["scan", "-q", "-o", "jsonl", "-j", "1", "--out-dir"])
        .arg(&store)
        .args(&files)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1100));
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    let sent_before = env.server.requests().len();
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

    let out = env
        .xocr()
        .args(["scan", "-o", "jsonl", "-j", "4", "--out-dir"])
        .arg(&store)
        .args(&files)
        .run()
        .code(0);
    assert_eq!(
        env.server.requests().len() - sent_before,
        10 - stored_before
    );
    let rs = out.jsonl();
    assert_eq!(rs.len(), 10);
    assert!(rs.iter().all(|r| r["ok"] == true));

    // The resumed output equals an uninterrupted run's.
    let fresh = env
        .xocr()
        .args(["scan", "-o", "jsonl", "-j", "4"])
        .args(&files)
        .run();
    assert_eq!(out.stdout(), fresh.stdout());
}

#[test]
fn ctrl_c_finishes_in_flight_requests_and_exits_130() {
    let env = TestEnv::new();
    env.server.latency(Duration::from_millis(400));
    let store = env.path().join("store");
    let files = pictures(&env, "c", 12, 160);
    let bin = assert_cmd::cargo::cargo_bin("xocr");
    let child = std::process::Command::new(&bin)
        .env("XOCR_ENDPOINT", &env.server.url)
        .env("XOCR_TOKEN", TOKEN)
        .env("HOME", env.path())
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
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a complete JSON array");
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
    assert_eq!(env.server.requests().len(), ok);
    assert_eq!(std::fs::read_dir(&store).unwrap().count(), ok);
    assert!(
        text(&out.stderr).contains("not attempted"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn shards_split_the_inputs_without_overlap() {
    let env = TestEnv::new();
    let files = pictures(&env, "h", 20, 200);
    let mut seen = HashSet::new();
    let mut total = 0;
    for k in 1..=3 {
        let out = env
            .xocr()
            .args(["scan", "-o", "jsonl", "--shard", &format!("{k}/3")])
            .args(&files)
            .run()
            .code(0);
        for r in out.jsonl() {
            total += 1;
            seen.insert(r["file"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(total, 20);
    assert_eq!(seen.len(), 20);
    env.xocr()
        .args(["scan", "--shard", "4/3"])
        .args(&files)
        .run()
        .code(2);
}

#[test]
fn unordered_streams_jsonl_as_files_finish() {
    let env = TestEnv::new();
    let files = pictures(&env, "u", 4, 220);
    env.answer(&files[0], Scenario::Slow(Duration::from_millis(700)));
    let rs = env
        .xocr()
        .args(["scan", "-o", "jsonl", "-j", "4", "--unordered"])
        .args(&files)
        .run()
        .code(0)
        .jsonl();
    assert_eq!(rs.len(), 4);
    assert_eq!(
        rs[3]["file"],
        files[0].to_str().unwrap(),
        "the slow file comes last"
    );
    env.xocr()
        .args(["scan", "-o", "json", "--unordered"])
        .args(&files)
        .run()
        .code(2);
}
