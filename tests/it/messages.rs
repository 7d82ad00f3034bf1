//! Mistakes that get the right message: inputs checked before the token
//! is asked for, the offline engine offered when there is no token, the
//! nearest document type offered for a mistyped one, and a dead endpoint
//! stopping the batch early with one clear reason.

use std::time::{Duration, Instant};

use crate::testenv::TestEnv;
use image::ImageFormat::Jpeg;

#[test]
fn missing_files_are_named_before_the_token_is_asked_for() {
    let env = TestEnv::new();
    env.picture("here.jpg", 120, 80, 1, Jpeg);
    let out = env
        .bare()
        .args(["scan", "here.jpg", "gone.jpg", "also-gone.png"])
        .run()
        .code(2)
        .stderr_lacks("here.jpg");
    let err = out.stderr();
    let gone = err
        .find("xocr: gone.jpg: no such file")
        .expect("gone.jpg named");
    let also = err
        .find("xocr: also-gone.png: no such file")
        .expect("also-gone.png named");
    let token = err
        .find("no service token set")
        .expect("the token asked for");
    assert!(gone < also && also < token, "{err}");

    // A pattern that matches nothing stops before the token is asked for.
    env.bare()
        .args(["scan", "here.jpg", "scans/*.jpg"])
        .run()
        .code(2)
        .stderr_has("no file matches the pattern \"scans/*.jpg\"")
        .stderr_lacks("token");

    // --files-from - is read once: its missing file is named, then the token.
    env.bare()
        .args(["scan", "--files-from", "-"])
        .write_stdin("here.jpg\nlisted-gone.jpg\n")
        .run()
        .code(2)
        .stderr_has("xocr: listed-gone.jpg: no such file")
        .stderr_has("no service token set");

    // With a token the batch runs and names the missing file in its place.
    env.run(["scan", "-o", "jsonl", "here.jpg", "gone.jpg"])
        .code(1)
        .stderr_has("xocr: gone.jpg: no such file")
        .stdout_has("\"file\":\"here.jpg\",\"ok\":true");
}

#[test]
fn no_token_names_the_offline_engine() {
    let env = TestEnv::new();
    env.picture("id.jpg", 120, 80, 1, Jpeg);
    let out = env.bare().args(["scan", "id.jpg"]).run().code(2);
    let err = out.stderr();
    assert!(
        err.starts_with("xocr: error: no service token set. Get one from the vendor's user centre, then either\n  export XOCR_TOKEN="),
        "{err}"
    );
    // Line breaks are line breaks, not escapes.
    assert!(!err.contains("\\x0a"), "{err}");
    assert!(err.contains("\n  xocr scan --engine local …"), "{err}");
    assert!(err.contains("without a token"), "{err}");
}

#[test]
fn a_mistyped_document_type_gets_the_nearest_one() {
    let env = TestEnv::new();
    env.bare()
        .args(["types", "idcard"])
        .run()
        .code(2)
        .stderr_has("unknown document type \"idcard\"; did you mean id_card?")
        .stderr_has("\nThe document types: bank_card, business_card, hongkong_idcard, id_card,");
    env.bare()
        .args(["types", "zebra"])
        .run()
        .code(2)
        .stderr_has("unknown document type \"zebra\"\nThe document types: bank_card")
        .stderr_lacks("did you mean");
    env.bare()
        .args(["types", "id_card"])
        .run()
        .code(0)
        .stdout_has("id_card  身份证  [also offline: --engine local]")
        .stdout_has("id_number");
    // The list says what the offline engine reads.
    let all = env.bare().arg("types").run().code(0).stdout();
    assert!(
        all.starts_with("The service answers these types. The offline engine (--engine local) reads id_card, bank_card, drive_license, vehicle_license, business_license, passport, hongkong_idcard, social_security_cards, and answers other"),
        "{all}"
    );
    assert!(all.contains("bank_card  银行卡  [also offline"), "{all}");
    assert!(
        all.contains("\npassport  护照  [also offline: --engine local]  (keys"),
        "{all}"
    );
    assert!(all.contains("\nfamily_register  户口本  (keys"), "{all}");

    // --type is the request type code; a document name there is a mistake.
    env.picture("id.jpg", 120, 80, 1, Jpeg);
    for name in ["id_card", "idcard", "other"] {
        env.run(["scan", "--type", name, "id.jpg"])
            .code(2)
            .stderr_has("is the service's code (\"8\"")
            .stderr_has("not a document type such as");
    }
    assert!(env.server.requests().is_empty());
}

/// A port on 127.0.0.1 with nothing listening: bound, then let go.
fn dead_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/ocr")
}

#[test]
fn a_dead_endpoint_stops_the_batch_after_three_files() {
    let env = TestEnv::new();
    let files: Vec<String> = (0..10)
        .map(|i| {
            env.picture(&format!("d{i}.jpg"), 120, 80, i as u8, Jpeg);
            format!("d{i}.jpg")
        })
        .collect();
    let endpoint = dead_endpoint();
    for jobs in ["1", "4"] {
        let started = Instant::now();
        let out = env
            .xocr()
            .env("XOCR_ENDPOINT", &endpoint)
            .args(["scan", "-o", "jsonl", "-j", jobs, "--backoff-base-ms", "20"])
            .args(&files)
            .timeout(Duration::from_secs(60))
            .run()
            .code(3);
        let records = out.jsonl();
        assert_eq!(records.len(), 10, "every input gets a record");
        let class = |r: &serde_json::Value| r["error"]["class"].as_str().unwrap().to_string();
        let attempted: Vec<_> = records
            .iter()
            .filter(|r| class(r) != "not_attempted")
            .collect();
        let stops = attempted.iter().filter(|r| class(r) == "stop").count();
        assert_eq!(
            stops, 1,
            "-j {jobs}: one file stops the batch\n{records:#?}"
        );
        // With one job exactly 3 files are tried; with more, only those
        // already in flight when the third failed.
        let most = if jobs == "1" { 3 } else { 3 + 3 };
        assert!(
            attempted.len() >= 3 && attempted.len() <= most,
            "-j {jobs}: {} files attempted\n{records:#?}",
            attempted.len()
        );
        if jobs == "1" {
            assert_eq!(attempted.len(), 3);
            assert_eq!(class(&records[2]), "stop");
        }
        for r in &attempted {
            let m = r["error"]["message"].as_str().unwrap();
            assert!(m.starts_with("could not reach the service: "), "{m}");
        }
        // One clear message: the reason, once for the file that stopped
        // the batch and once at the end; the files not attempted are not
        // each named.
        let err = out.stderr();
        let reason = "3 files in a row got no answer: the batch stops";
        assert_eq!(err.matches(reason).count(), 2, "{err}");
        let last = err.lines().last().unwrap();
        assert!(
            last.starts_with("xocr: stopped: could not reach the service: ")
                && last.contains(reason),
            "{err}"
        );
        assert!(!err.contains("not attempted: the batch stopped"), "{err}");
        assert!(
            err.contains(&format!(
                "xocr: 10 files: 0 succeeded, {} failed",
                attempted.len()
            )) && err.contains(&format!(", {} not attempted", 10 - attempted.len())),
            "{err}"
        );
        // Not every file's retries spent: 3 files × 4 attempts at most.
        assert!(started.elapsed() < Duration::from_secs(20));
    }
}

#[test]
fn an_answer_in_between_keeps_the_batch_going() {
    // Files that get any answer (here: the service's 40301 for each) are
    // no dead endpoint, however many fail.
    let env = TestEnv::new();
    env.server
        .default_scenario(crate::server::Scenario::Code(40301));
    let files: Vec<String> = (0..5)
        .map(|i| {
            env.picture(&format!("f{i}.jpg"), 120, 80, i as u8, Jpeg);
            format!("f{i}.jpg")
        })
        .collect();
    env.xocr()
        .args(["scan", "-o", "jsonl", "--no-convert", "-j", "1"])
        .args(&files)
        .run()
        .code(1)
        .stderr_lacks("in a row");
    assert_eq!(env.server.requests().len(), 5);
}
