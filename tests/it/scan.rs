//! `xocr scan` end to end: the real binary against the test server.

use std::path::Path;

use crate::server::{Scenario, TOKEN, b64, crop_jpeg, find_item, portrait_png};
use crate::testenv::TestEnv;
use image::ImageFormat::{Jpeg, Png};
use serde_json::Value;

#[test]
fn json_output_has_every_field_and_no_picture_values() {
    let env = TestEnv::new();
    let front = env.picture("front.jpg", 400, 250, 1, Jpeg);
    let back = env.picture("back.png", 400, 250, 2, Png);
    env.answer(&back, Scenario::IdBack);

    let out = env
        .xocr()
        .args(["scan", "-o", "json"])
        .arg(&front)
        .arg(&back)
        .run()
        .code(0)
        // UTF-8, not \u escapes.
        .stdout_has("王小明");
    let v = out.json();
    let records = v.as_array().unwrap();
    assert_eq!(records.len(), 2);
    let r = &records[0];
    assert_eq!(r["file"], front.to_str().unwrap());
    assert_eq!(r["ok"], true);
    assert_eq!(r["type"], "id_card");
    assert_eq!(r["image_angle"], 0);
    assert_eq!(r["rotated_image_width"], 476);
    assert_eq!(r["rotated_image_height"], 306);
    assert_eq!(find_item(r, "name")["value"], "王小明");
    assert_eq!(find_item(r, "name")["description"], "姓名");
    assert_eq!(
        find_item(r, "name")["position"],
        serde_json::json!([92, 38, 160, 38, 160, 62, 92, 62])
    );
    assert_eq!(find_item(r, "id_number")["value"], "110101199003074514");
    let portrait = find_item(r, "head_portrait");
    assert!(
        portrait.get("value").is_none(),
        "picture value printed: {portrait}"
    );
    assert_eq!(portrait["picture"]["format"], "png");
    assert_eq!(portrait["picture"]["bytes"], portrait_png().len());
    assert_eq!(find_item(r, "crop_image")["picture"]["format"], "jpeg");
    assert!(r.get("error").is_none());
    assert_eq!(records[1]["file"], back.to_str().unwrap());
    assert_eq!(
        find_item(&records[1], "validate_date")["value"],
        "2015.03.01-2035.03.01"
    );
    let violations = env.server.violations();
    assert!(violations.is_empty(), "{violations:?}");
    assert_eq!(env.server.requests().len(), 2);
}

#[test]
fn include_images_gives_the_exact_picture_bytes() {
    let env = TestEnv::new();
    env.picture("a.jpg", 300, 200, 3, Jpeg);
    let out = env
        .run(["scan", "-o", "jsonl", "--include-images", "a.jpg"])
        .code(0);
    assert_eq!(
        find_item(&out.jsonl()[0], "head_portrait")["value"],
        b64(&portrait_png())
    );
}

#[test]
fn jsonl_is_one_object_per_line_in_input_order() {
    let env = TestEnv::new();
    let mut files = Vec::new();
    for i in 0..6u8 {
        let f = env.picture(&format!("p{i}.png"), 100, 60, 10 + i, Png);
        if i % 2 == 0 {
            // Slow replies for the early files: order must still hold.
            env.answer(&f, Scenario::Slow(std::time::Duration::from_millis(300)));
        }
        files.push(f);
    }
    let out = env
        .xocr()
        .args(["scan", "-o", "jsonl", "-j", "4"])
        .args(&files)
        .run()
        .code(0);
    let lines = out.jsonl();
    let names: Vec<&str> = lines.iter().map(|r| r["file"].as_str().unwrap()).collect();
    let expected: Vec<&str> = files.iter().map(|f| f.to_str().unwrap()).collect();
    assert_eq!(names, expected);
}

#[test]
fn table_aligns_chinese_text_and_shows_picture_placeholders() {
    let env = TestEnv::new();
    env.picture("id.jpg", 300, 200, 4, Jpeg);
    let out = env
        .run(["scan", "id.jpg"])
        .code(0)
        .stdout_has("王小明")
        .stdout_has("110101199003074514")
        .stdout_has("[png picture, ")
        // No base64 in the table.
        .stdout_lacks(&b64(&portrait_png())[..40]);
    let t = out.stdout();
    assert!(t.lines().next().unwrap().contains("id_card"), "{t}");
    // Every table row has its column separators at the same display column.
    let rows: Vec<&str> = t.lines().filter(|l| l.starts_with('│')).collect();
    assert!(rows.len() >= 11, "{t}");
    let cols = |l: &str| -> Vec<usize> {
        let mut w = 0;
        let mut at = Vec::new();
        for c in l.chars() {
            if c == '│' {
                at.push(w);
            }
            w += if (c as u32) >= 0x1100 && !matches!(c, '│' | '─' | '°') {
                2
            } else {
                1
            };
        }
        at
    };
    let first = cols(rows[0]);
    for r in &rows {
        assert_eq!(cols(r), first, "misaligned row {r:?}");
    }
}

#[test]
fn csv_long_and_wide_parse_and_carry_every_value() {
    let env = TestEnv::new();
    let a = env.picture("a.jpg", 300, 200, 5, Jpeg);
    let b = env.picture("b.jpg", 300, 200, 6, Jpeg);
    let bad = env.write("bad.jpg", b"not a picture at all");
    env.answer(&b, Scenario::BankCard);

    let out = env
        .xocr()
        .args(["scan", "-o", "csv", "--bom"])
        .args([&a, &b, &bad])
        .run()
        .code(1);
    let stdout = out.stdout_bytes();
    assert!(stdout.starts_with(b"\xEF\xBB\xBF"));
    let mut rd = csv::Reader::from_reader(&stdout[3..]);
    assert_eq!(
        rd.headers().unwrap(),
        vec![
            "file",
            "type",
            "key",
            "description",
            "value",
            "error",
            "checks_failed"
        ]
    );
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 11 + 4 + 1);
    let address = rows.iter().find(|r| &r[2] == "address").unwrap();
    assert_eq!(
        &address[4],
        "北京市东城区景山前街4号紫禁城博物院东华门内南三所"
    );
    let card = rows.iter().find(|r| &r[2] == "card_number").unwrap();
    assert_eq!(
        (&card[1], &card[4]),
        ("bank_card", "6222 0212 3456 7890 128")
    );
    let last = rows.last().unwrap();
    assert_eq!(&last[0], bad.to_str().unwrap());
    assert!(last[5].contains("not a picture"), "{last:?}");

    let out = env
        .xocr()
        .args(["scan", "-o", "csv", "--csv-layout", "wide"])
        .args([&a, &b])
        .run()
        .code(0);
    let mut rd = csv::Reader::from_reader(out.stdout_bytes());
    let header: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(&header[..4], ["file", "type", "name", "sex"]);
    assert_eq!(header[header.len() - 2..], ["error", "checks_failed"]);
    assert!(header.contains(&"card_number".to_string()));
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(&rows[0][col("name")], "王小明");
    assert_eq!(&rows[0][col("card_number")], "");
    assert_eq!(&rows[1][col("card_number")], "6222 0212 3456 7890 128");
}

#[test]
fn fields_keeps_only_the_named_keys() {
    let env = TestEnv::new();
    env.picture("a.jpg", 300, 200, 7, Jpeg);
    let v = env
        .run(["scan", "-o", "json", "--fields", "id_number,name", "a.jpg"])
        .code(0)
        .json();
    let keys: Vec<&str> = v[0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["name", "id_number"]);
}

/// The `saved` paths of a record.
fn saved(r: &Value) -> Vec<&str> {
    r["saved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

#[test]
fn save_images_writes_exact_bytes_with_safe_distinct_names() {
    let env = TestEnv::new();
    let a = env.picture("x/card.jpg", 300, 200, 8, Jpeg);
    let b = env.picture("y/card.png", 300, 200, 9, Png);
    let hostile = env.picture("z/evil.jpg", 300, 200, 10, Jpeg);
    env.answer(&hostile, Scenario::HostileKey);
    let out_dir = env.path().join("out");

    let v = env
        .xocr()
        .args(["scan", "-o", "json", "--save-images"])
        .arg(&out_dir)
        .args([&a, &b, &hostile])
        .run()
        .code(0)
        .json();
    let saved_a = saved(&v[0]);
    let saved_b = saved(&v[1]);
    assert_eq!(saved_a.len(), 3);
    assert_eq!(saved_b.len(), 3);
    for p in saved_a.iter().chain(&saved_b) {
        assert!(
            !saved_a.contains(p) || !saved_b.contains(p),
            "{p} written twice"
        );
        assert!(Path::new(p).starts_with(&out_dir), "{p}");
    }
    let portrait = saved_a
        .iter()
        .find(|p| p.ends_with(".head_portrait.png"))
        .unwrap();
    assert_eq!(std::fs::read(portrait).unwrap(), portrait_png());
    let crop = saved_b
        .iter()
        .find(|p| p.ends_with(".crop_image.jpg"))
        .unwrap();
    assert_eq!(std::fs::read(crop).unwrap(), crop_jpeg());
    assert_eq!(
        find_item(&v[0], "crop_image")["picture"]["saved"],
        saved_a
            .iter()
            .find(|p| p.ends_with(".crop_image.jpg"))
            .copied()
            .unwrap()
    );
    // The hostile key stays inside the directory.
    let evil = saved(&v[2]);
    assert_eq!(evil.len(), 1);
    assert_eq!(Path::new(evil[0]).parent().unwrap(), out_dir);
    assert!(!env.path().join("escape.png").exists());
    // No temporary files left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".xocr-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn file_class_errors_fail_the_file_and_the_batch_goes_on() {
    let env = TestEnv::new();
    let a = env.picture("a.jpg", 300, 200, 11, Jpeg);
    let b = env.picture("b.jpg", 300, 200, 12, Jpeg);
    let c = env.picture("c.jpg", 300, 200, 13, Jpeg);
    env.answer(&a, Scenario::Code(40500));
    let out = env
        .xocr()
        .args(["scan", "-o", "json"])
        .args([&a, &b, &c])
        .run()
        .code(1)
        .stderr_has(&format!("{}: service error 40500", a.display()))
        .stderr_has("3 files: 2 succeeded, 1 failed (40500: 1)");
    let v = out.json();
    assert_eq!(v[0]["ok"], false);
    assert_eq!(v[0]["error"]["code"], 40500);
    assert_eq!(v[0]["error"]["class"], "file");
    assert!(
        v[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Classify failed")
    );
    assert_eq!(v[1]["ok"], true);
    assert_eq!(v[2]["ok"], true);
}

#[test]
fn stop_class_code_stops_the_batch_with_exit_3() {
    let env = TestEnv::new();
    let files: Vec<_> = (0..5u8)
        .map(|i| env.picture(&format!("{i}.jpg"), 300, 200, 20 + i, Jpeg))
        .collect();
    env.answer(&files[1], Scenario::Code(40017));
    let out = env
        .xocr()
        .args(["scan", "-o", "jsonl", "-j", "1"])
        .args(&files)
        .run()
        .code(3)
        .stderr_has("3 not attempted");
    let lines = out.jsonl();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["ok"], true);
    assert_eq!(lines[1]["error"]["code"], 40017);
    assert_eq!(lines[1]["error"]["class"], "stop");
    for l in &lines[2..] {
        assert_eq!(l["error"]["class"], "not_attempted");
    }
    assert_eq!(env.server.requests().len(), 2);
}

#[test]
fn wrong_token_is_a_stop_and_never_printed() {
    let env = TestEnv::new();
    env.picture("a.jpg", 300, 200, 30, Jpeg);
    env.picture("b.jpg", 300, 200, 31, Jpeg);
    let wrong = "wrong-token-7d1e55";
    let out = env
        .xocr()
        .env("XOCR_TOKEN", wrong)
        .args(["scan", "-v", "-o", "json", "-j", "1", "a.jpg", "b.jpg"])
        .run()
        .code(3)
        .stdout_lacks(wrong)
        .stderr_lacks(wrong);
    let v = out.json();
    assert_eq!(v[0]["error"]["code"], 40101);
    assert!(v[0]["error"]["hint"].as_str().unwrap().contains("token"));
    assert_eq!(v[1]["error"]["class"], "not_attempted");
}

#[test]
fn the_token_appears_in_no_output_or_saved_file() {
    let env = TestEnv::new();
    env.picture("a.jpg", 300, 200, 32, Jpeg);
    let b = env.picture("b.jpg", 300, 200, 33, Jpeg);
    env.answer(&b, Scenario::Http(500, "internal error"));
    for format in ["table", "json", "jsonl", "csv"] {
        env.xocr()
            .args(["scan", "-v", "-o", format, "--backoff-base-ms", "1"])
            .args(if format.starts_with("json") {
                &["--include-images"][..]
            } else {
                &[]
            })
            .args(["--save-images", "pics", "a.jpg", "b.jpg"])
            .run()
            .code(1)
            .stdout_lacks(TOKEN)
            .stderr_lacks(TOKEN);
    }
    for e in std::fs::read_dir(env.path().join("pics")).unwrap() {
        let bytes = std::fs::read(e.unwrap().path()).unwrap();
        assert!(!bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()));
    }
}

#[test]
fn no_token_is_a_usage_error_that_says_how_to_set_one() {
    let env = TestEnv::new();
    env.picture("a.jpg", 300, 200, 34, Jpeg);
    let out = env
        .bare()
        .args(["scan", "a.jpg"])
        .run()
        .code(2)
        .stderr_has("no service token")
        .stderr_has("XOCR_TOKEN")
        .stderr_has("--token-file");
    assert!(out.stdout_bytes().is_empty());
}

#[test]
fn token_file_and_config_file_are_read() {
    let env = TestEnv::new();
    env.picture("a.jpg", 300, 200, 35, Jpeg);
    let token_file = env.write("token.txt", format!("{TOKEN}\n").as_bytes());
    env.bare()
        .env("XOCR_ENDPOINT", &env.server.url)
        .args(["scan", "-o", "json", "--token-file"])
        .arg(&token_file)
        .arg("a.jpg")
        .run()
        .code(0);

    env.write(
        ".config/xocr/config.toml",
        format!(
            "token = \"{TOKEN}\"\nendpoint = \"{}\"\ntimeout = 5\n",
            env.server.url
        )
        .as_bytes(),
    );
    let out = env
        .bare()
        .args(["scan", "-o", "json", "a.jpg"])
        .run()
        .code(0);
    assert_eq!(out.json()[0]["type"], "id_card");

    env.write(".config/xocr/config.toml", b"tokn = \"x\"\n");
    env.bare()
        .args(["scan", "a.jpg"])
        .run()
        .code(2)
        .stderr_has("config.toml is not valid");
}

#[test]
fn malformed_replies_are_clear_per_file_errors() {
    let env = TestEnv::new();
    let cases: Vec<(Scenario, &str)> = vec![
        (
            Scenario::Raw("<html><body><h1>502 Bad Gateway</h1></body></html>"),
            "not JSON",
        ),
        (
            Scenario::Raw(r#"{"code":200,"message":"success","result":{"type":"id_ca"#),
            "ends early",
        ),
        (
            Scenario::Raw(r#"{"code":"200","message":"success"}"#),
            "wrong type",
        ),
        (
            Scenario::Raw(
                r#"{"code":200,"message":"success","result":{"type":"id_card","item_list":[{"key":5}]}}"#,
            ),
            "wrong type",
        ),
        (
            Scenario::Raw(r#"{"code":200,"message":"success"}"#),
            "without a result",
        ),
        (Scenario::Raw(""), "empty body"),
        (Scenario::Http(503, "Service Unavailable"), "HTTP 503"),
        (Scenario::Http(502, "<html>bad gateway</html>"), "HTTP 502"),
    ];
    let mut files = Vec::new();
    for (i, (scenario, _)) in cases.iter().enumerate() {
        let f = env.picture(&format!("m{i}.jpg"), 200, 100, 40 + i as u8, Jpeg);
        env.answer(&f, scenario.clone());
        files.push(f);
    }
    let out = env
        .xocr()
        .args([
            "scan",
            "-o",
            "json",
            "--retries",
            "1",
            "--backoff-base-ms",
            "1",
        ])
        .args(&files)
        .run()
        .code(1);
    let v = out.json();
    for (i, (_, expect)) in cases.iter().enumerate() {
        let msg = v[i]["error"]["message"].as_str().unwrap();
        assert!(msg.contains(expect), "case {i}: {msg:?} lacks {expect:?}");
        assert_eq!(v[i]["error"]["class"], "retry", "case {i}");
        // Each retry-class failure was tried twice (--retries 1).
        assert_eq!(env.server.requests().len(), 2 * cases.len());
    }
}

#[test]
fn replies_over_10_mb_are_read_in_full() {
    let env = TestEnv::new();
    let a = env.picture("big.jpg", 300, 200, 60, Jpeg);
    env.answer(&a, Scenario::LargePicture(9_000_000));
    let v = env
        .run(["scan", "-o", "json", "--save-images", "out", "big.jpg"])
        .code(0)
        .json();
    let bytes = find_item(&v[0], "crop_image")["picture"]["bytes"]
        .as_u64()
        .unwrap();
    assert!(bytes > 9_000_000, "{bytes}");
    assert_eq!(
        std::fs::metadata(env.path().join("out/big.crop_image.png"))
            .unwrap()
            .len(),
        bytes
    );
}

#[test]
fn unreachable_endpoint_is_a_transport_error_per_file() {
    let env = TestEnv::new();
    env.picture("a.jpg", 300, 200, 61, Jpeg);
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = env
        .xocr()
        .env("XOCR_ENDPOINT", format!("http://127.0.0.1:{port}/ocr"))
        .args(["scan", "-o", "json", "--timeout", "2", "--retries", "0"])
        .arg("a.jpg")
        .run()
        .code(1);
    let v = out.json();
    assert!(
        v[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("could not reach the service"),
        "{v}"
    );
    assert_eq!(v[0]["error"]["class"], "retry");
    assert!(env.server.requests().is_empty());
}

#[test]
fn the_proxy_environment_variables_are_used() {
    let env = TestEnv::new();
    env.picture("a.jpg", 300, 200, 62, Jpeg);
    // The endpoint's host does not exist; only the proxy (the test server)
    // can answer.
    let proxy = env.server.url.trim_end_matches("/ocr").to_string();
    env.xocr()
        .env("XOCR_ENDPOINT", "http://ocr.example.invalid:40072/ocr")
        .env("HTTP_PROXY", &proxy)
        .args(["scan", "-o", "jsonl", "--retries", "0", "a.jpg"])
        .run()
        .code(0);
    assert_eq!(env.server.requests().len(), 1);
}
