//! What remained to break after the hardening, found by trying: objects
//! planted in the folders xocr writes to (FIFOs, links to devices, links out
//! of the folder), files read without bound, waits that a stop or Ctrl-C did
//! not reach, a result paid for and not stored, the token echoed in base64.
//! Every test runs the real binary against the stand-in server on 127.0.0.1
//! or a real file-system object.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine as _;
use image::ImageFormat::Png;

use crate::server::{Scenario, TOKEN, sha_hex};
use crate::testenv::TestEnv;

/// A run that would hang without the fix is killed after this long.
const HANG: Duration = Duration::from_secs(20);

/// Makes a FIFO at `path` with mkfifo(1); false when there is none.
fn mkfifo(path: &Path) -> bool {
    std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

/// The `.json` files of a store folder.
fn stored(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    v.sort();
    v
}

// 1. Objects planted in the folders xocr writes to ---------------------------

#[test]
fn a_fifo_named_like_a_lock_file_does_not_hang_the_start() {
    let env = TestEnv::new();
    env.picture("a.png", 64, 48, 1, Png);
    std::fs::create_dir(env.path().join("store")).unwrap();
    // The start removes lock files nobody holds: opening this one for
    // writing would wait for a reader for ever.
    if !mkfifo(&env.path().join("store/x.lock")) {
        return;
    }
    env.xocr()
        .timeout(HANG)
        .args(["scan", "-o", "jsonl", "--out-dir", "store", "a.png"])
        .run()
        .code(0)
        .stdout_has("\"ok\":true");
    assert_eq!(stored(&env.path().join("store")).len(), 1);
}

#[test]
fn a_stored_result_replaced_by_a_fifo_or_a_device_link_counts_as_absent() {
    let env = TestEnv::new();
    env.picture("a.png", 64, 48, 2, Png);
    let scan = || {
        env.xocr()
            .timeout(HANG)
            .args(["scan", "-o", "jsonl", "--out-dir", "store", "a.png"])
            .run()
            .code(0)
            .stdout_has("王小明")
    };
    scan();
    let [json] = stored(&env.path().join("store")).try_into().unwrap();
    std::fs::remove_file(&json).unwrap();
    if !mkfifo(&json) {
        return;
    }
    // Read as it was, the FIFO waits for a writer for ever ...
    scan();
    assert_eq!(env.server.requests().len(), 2, "requested again");
    // ... and /dev/zero fills the memory.
    std::fs::remove_file(&json).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &json).unwrap();
    scan();
    assert_eq!(env.server.requests().len(), 3, "requested again");
    // The fresh result replaced the link, not what it points to.
    assert!(std::fs::symlink_metadata(&json).unwrap().is_file());
}

#[test]
fn a_fifo_or_a_device_link_under_a_picture_name_is_passed_over() {
    let env = TestEnv::new();
    env.picture("id.png", 64, 48, 3, Png);
    let crops = env.path().join("crops");
    std::fs::create_dir(&crops).unwrap();
    // The names this picture's crop and portrait would take. A name that
    // is taken is read to see whether it is this picture already (a rerun).
    if !mkfifo(&crops.join("id.crop_image.jpg")) {
        return;
    }
    std::os::unix::fs::symlink("/dev/zero", crops.join("id.head_portrait.png")).unwrap();
    let r = env
        .xocr()
        .timeout(HANG)
        .args(["scan", "-o", "json", "--save-images", "crops", "id.png"])
        .run()
        .code(0);
    let v = r.json();
    let saved: Vec<&str> = v[0]["saved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(saved.len(), 3, "{saved:?}");
    for s in &saved {
        let p = env.path().join(s);
        assert!(std::fs::symlink_metadata(&p).unwrap().is_file(), "{s}");
    }
    assert!(!saved.iter().any(|s| s.ends_with("id.crop_image.jpg")));
    assert!(!saved.iter().any(|s| s.ends_with("id.head_portrait.png")));
}

#[test]
fn a_lock_file_link_never_creates_a_file_elsewhere() {
    let env = TestEnv::new();
    let a = env.picture("a.png", 64, 48, 4, Png);
    let store = env.path().join("store");
    let elsewhere = env.path().join("elsewhere");
    std::fs::create_dir_all(&store).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    // Someone with write access to the shared folder plants a link under
    // the name of the lock file of a picture they know.
    let key = sha_hex(&std::fs::read(&a).unwrap());
    let target = elsewhere.join("created-by-xocr");
    std::os::unix::fs::symlink(&target, store.join(format!("{key}.8.lock"))).unwrap();
    env.xocr()
        .timeout(HANG)
        .args(["scan", "-o", "jsonl", "--out-dir", "store", "a.png"])
        .run()
        .code(0)
        .stdout_has("王小明");
    assert!(
        std::fs::symlink_metadata(&target).is_err(),
        "xocr created {} through the link",
        target.display()
    );
    assert_eq!(stored(&store).len(), 1);
}

// 2. Files read whole ------------------------------------------------------------

#[test]
fn config_and_token_files_are_read_within_bounds() {
    let env = TestEnv::new();
    env.picture("a.png", 64, 48, 5, Png);
    // Read whole, /dev/zero took 5 GB in 20 s (the config file) and
    // 11 GB (the token file, for its first line).
    let started = Instant::now();
    env.bare()
        .timeout(HANG)
        .args(["scan", "--config", "/dev/zero", "a.png"])
        .run()
        .code(2)
        .stderr_has("cannot read config file /dev/zero: larger than 1 MiB");
    env.bare()
        .timeout(HANG)
        .env("XOCR_ENDPOINT", &env.server.url)
        .args(["scan", "--token-file", "/dev/zero", "a.png"])
        .run()
        .code(2)
        .stderr_has("token file /dev/zero: its first line is longer than 64 KiB");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(env.server.requests().is_empty());
    // A token file that is a pipe still works: its first line is the token.
    env.bare()
        .timeout(HANG)
        .env("XOCR_ENDPOINT", &env.server.url)
        .args(["scan", "-o", "jsonl", "--token-file", "/dev/stdin", "a.png"])
        .write_stdin(format!("{TOKEN}\nnot read\n"))
        .run()
        .code(0)
        .stdout_has("王小明");
    let not_utf8 = env.write("token.bin", b"\xff\xfe\n");
    env.bare()
        .env("XOCR_ENDPOINT", &env.server.url)
        .arg("scan")
        .arg("--token-file")
        .arg(&not_utf8)
        .arg("a.png")
        .run()
        .code(2)
        .stderr_has("its first line is not UTF-8 text");
}

// 3. Waits a stop or Ctrl-C must reach ----------------------------------------------

/// `n` pictures of other bytes, named `<prefix><i>.png`.
fn pictures(env: &TestEnv, prefix: &str, n: u8, seed: u8) -> Vec<String> {
    (0..n)
        .map(|i| {
            let name = format!("{prefix}{i}.png");
            env.picture(&name, 64, 48, seed + i, Png);
            name
        })
        .collect()
}

#[test]
fn a_stop_reaches_the_requests_waiting_for_the_rate_limit() {
    let env = TestEnv::new();
    env.server.default_scenario(Scenario::Code(40017));
    let files = pictures(&env, "s", 6, 20);
    // At 0.5 requests a second, three workers wait for their turn (2 s,
    // 4 s, 6 s) while the first request gets the quota answer.
    let started = Instant::now();
    let r = env
        .xocr()
        .timeout(HANG)
        .args(["scan", "-o", "jsonl", "-j", "4", "--qps", "0.5"])
        .args(&files)
        .run()
        .code(3);
    assert_eq!(env.server.requests().len(), 1, "{}", r.stderr());
    let rs = r.jsonl();
    let not_attempted = rs
        .iter()
        .filter(|r| r["error"]["class"] == "not_attempted")
        .count();
    assert_eq!(not_attempted, 5, "{rs:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn ctrl_c_reaches_the_requests_waiting_for_the_rate_limit() {
    let env = TestEnv::new();
    let files = pictures(&env, "c", 6, 30);
    let bin = assert_cmd::cargo::cargo_bin("xocr");
    let child = std::process::Command::new(bin)
        .current_dir(env.path())
        .env("XOCR_ENDPOINT", &env.server.url)
        .env("XOCR_TOKEN", TOKEN)
        .env("HOME", env.path())
        .env("XDG_CONFIG_HOME", env.path().join(".config"))
        .args(["scan", "-o", "jsonl", "-j", "4", "--qps", "0.5"])
        .args(&files)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The first request starts at once; the next may start after 2 s.
    std::thread::sleep(Duration::from_millis(1000));
    let pid = i32::try_from(child.id()).unwrap();
    // SAFETY: sends SIGINT to the child started above.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let sent = Instant::now();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    // Nothing starts after Ctrl-C: before the fix, the three waiting
    // workers sent their requests over the next 6 s.
    assert_eq!(env.server.requests().len(), 1, "{stderr}");
    assert!(sent.elapsed() < Duration::from_secs(1), "{stderr}");
    assert!(
        stderr.contains("1 succeeded, 0 failed, 5 not attempted"),
        "{stderr}"
    );
}

// 4. A result paid for and not stored ------------------------------------------------

#[test]
fn a_copy_that_waited_for_a_failed_first_stores_its_result() {
    let env = TestEnv::new();
    env.server.latency(Duration::from_millis(300));
    let a = env.picture("a.png", 64, 48, 40, Png);
    std::fs::copy(&a, env.path().join("b.png")).unwrap();
    // The first request for these bytes fails (a file-class code, not
    // retried); the copy, waiting for it meanwhile, is sent next and read.
    env.answer(&a, Scenario::Flaky(1, Box::new(Scenario::Code(40401))));
    let scan = || {
        env.xocr()
            .args(["scan", "-o", "jsonl", "-j", "2", "--out-dir", "store"])
            .args(["a.png", "b.png"])
            .run()
    };
    let rs = scan().code(1).jsonl();
    assert_eq!(rs.iter().filter(|r| r["ok"] == true).count(), 1, "{rs:?}");
    assert_eq!(env.server.requests().len(), 2);
    // The success was paid for: it is stored, and a rerun reuses it for
    // both names instead of paying again.
    assert_eq!(stored(&env.path().join("store")).len(), 1);
    let rs = scan().code(0).jsonl();
    assert!(rs.iter().all(|r| r["ok"] == true), "{rs:?}");
    assert_eq!(env.server.requests().len(), 2);
}

// 5. The token echoed in base64 ---------------------------------------------------------

/// True when some run of base64 characters in `text`, read from any of its
/// first four characters on, in either alphabet, decodes to bytes that hold
/// the token: its base64 at any of the three offsets it can sit at in
/// longer encoded data.
fn holds_base64_token(text: &str) -> bool {
    let b64 = base64::engine::general_purpose::STANDARD_NO_PAD;
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || "+/-_".contains(c);
    text.split(|c: char| !is_b64(c)).any(|run| {
        let run: String = run
            .chars()
            .map(|c| match c {
                '-' => '+',
                '_' => '/',
                c => c,
            })
            .collect();
        (0..4.min(run.len())).any(|skip| {
            let part = &run[skip..];
            let part = &part[..part.len() / 4 * 4];
            b64.decode(part)
                .is_ok_and(|bytes| bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()))
        })
    })
}

#[test]
fn the_token_never_comes_back_in_base64() {
    let env = TestEnv::new();
    let a = env.picture("a.png", 64, 48, 50, Png);
    let std64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let url64 = |s: &str| base64::engine::general_purpose::URL_SAFE.encode(s);
    // A debugging proxy or server that echoes the request, encoded: the
    // token alone, and inside the request body at each byte offset.
    let body = format!(r#"{{"image":"iVBO","type":"8","token":"{TOKEN}"}}"#);
    let values = [
        std64(TOKEN),
        std64(&format!("x{body}")),
        std64(&format!("xy{body}")),
        url64(&format!("?t={TOKEN}")),
    ];
    assert!(values.iter().all(|v| holds_base64_token(v)));
    let items: Vec<serde_json::Value> = values
        .iter()
        .enumerate()
        .map(|(i, v)| serde_json::json!({"key": format!("echo_{i}"), "value": v, "position": []}))
        .collect();
    let reply = serde_json::json!({
        "code": 200, "message": "success",
        "result": {"type": "other", "item_list": items}
    });
    env.answer(
        &a,
        Scenario::Raw(Box::leak(reply.to_string().into_boxed_str())),
    );
    for format in ["json", "csv", "table"] {
        let r = env
            .xocr()
            .args([
                "scan",
                "-v",
                "-o",
                format,
                "--out-dir",
                "store",
                "--force",
                "a.png",
            ])
            .run()
            .code(0)
            .stdout_has("echo_1");
        assert!(!holds_base64_token(&r.stdout()), "{format}: {}", r.stdout());
        assert!(!holds_base64_token(&r.stderr()), "{}", r.stderr());
    }
    let [json] = stored(&env.path().join("store")).try_into().unwrap();
    let kept = std::fs::read_to_string(&json).unwrap();
    assert!(!holds_base64_token(&kept), "{kept}");

    // An error page that quotes it: PHP's json_encode escapes `/` as `\/`.
    let b = env.picture("b.png", 64, 48, 51, Png);
    let page = format!(
        "<html>bad request: {}</html>",
        std64(&format!("xy{body}")).replace('/', "\\/")
    );
    assert!(holds_base64_token(&page.replace("\\/", "/")));
    env.answer(&b, Scenario::Http(400, Box::leak(page.into_boxed_str())));
    let r = env
        .xocr()
        .args(["scan", "-o", "json", "--retries", "0", "b.png"])
        .run()
        .code(1)
        .stderr_has("HTTP 400")
        .stderr_has("<redacted>");
    let all = format!("{}{}", r.stdout(), r.stderr()).replace("\\\\/", "/");
    assert!(!holds_base64_token(&all.replace("\\/", "/")), "{all}");
}

// 6. Odd pictures ----------------------------------------------------------------------

/// CRC-32 (ISO-HDLC, as PNG chunks carry it).
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG whose header claims `w`×`h` (8-bit grey) and whose data holds one
/// row: what a decompression bomb's header looks like.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        let body = [kind, data].concat();
        c.extend_from_slice(&body);
        c.extend_from_slice(&crc32(&body).to_be_bytes());
        c
    };
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    // A zlib stream of one stored block: the filter byte and `w` zeros
    // would be the first row; one byte of it is enough here.
    let idat = [
        0x78, 0x01, 0x01, 0x01, 0x00, 0xFE, 0xFF, 0x00, 0x00, 0x01, 0x00, 0x01,
    ];
    [
        b"\x89PNG\r\n\x1a\n".to_vec(),
        chunk(b"IHDR", &ihdr),
        chunk(b"IDAT", &idat),
        chunk(b"IEND", b""),
    ]
    .concat()
}

#[test]
fn a_picture_refused_for_its_side_says_so_not_its_pixel_count() {
    let env = TestEnv::new();
    env.write("tall.png", &png_claiming(20, 9_999_999));
    env.write("huge.png", &png_claiming(100_000, 100_000));
    let r = env
        .run(["scan", "-o", "jsonl", "tall.png", "huge.png"])
        .code(1);
    let rs = r.jsonl();
    let tall = rs[0]["error"]["message"].as_str().unwrap();
    // 200 megapixels, under the 300 allowed: the side is what is too long.
    assert!(!tall.contains("more than the 300 megapixels"), "{tall}");
    assert!(tall.contains("20x9999999"), "{tall}");
    assert!(tall.contains("262140 px"), "{tall}");
    let huge = rs[1]["error"]["message"].as_str().unwrap();
    assert!(huge.contains("more than the 300 megapixels"), "{huge}");
    assert!(env.server.requests().is_empty());
}

// 7. A reply that is all pictures -----------------------------------------------------

#[test]
fn a_reply_full_of_pictures_writes_a_bounded_number_of_files() {
    let env = TestEnv::new();
    let a = env.picture("a.png", 64, 48, 60, Png);
    // 300 distinct picture keys, 48 characters each: 20 KB of reply. Within
    // the reply limit (64 MiB), such a reply held 650,000 of them, each a
    // file written and synced: 100,000 took 280 s.
    let tiny = base64::engine::general_purpose::STANDARD
        .encode(b"\x89PNG\r\n\x1a\n\0\0\0\0 a tiny picture, no more");
    let items: Vec<serde_json::Value> = (0..300)
        .map(|i| serde_json::json!({"key": format!("k{i}_image"), "value": tiny, "position": []}))
        .collect();
    let reply = serde_json::json!({
        "code": 200, "message": "success",
        "result": {"type": "id_card", "item_list": items}
    });
    env.answer(
        &a,
        Scenario::Raw(Box::leak(reply.to_string().into_boxed_str())),
    );
    let r = env
        .run(["scan", "-o", "json", "--save-images", "crops", "a.png"])
        .code(0)
        .stderr_has("holds 300 pictures: the first 64 saved");
    let v = r.json();
    assert_eq!(v[0]["saved"].as_array().unwrap().len(), 64);
    assert_eq!(v[0]["items"].as_array().unwrap().len(), 300);
    assert_eq!(
        std::fs::read_dir(env.path().join("crops")).unwrap().count(),
        64
    );
}

// 8. Files others share -----------------------------------------------------------------

/// The permission bits of `p`.
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn stored_results_and_saved_pictures_get_the_modes_the_umask_gives() {
    let env = TestEnv::new();
    env.picture("a.png", 64, 48, 70, Png);
    let bin = assert_cmd::cargo::cargo_bin("xocr");
    for (umask, want) in [("002", 0o664), ("077", 0o600)] {
        let store = format!("store-{umask}");
        let crops = format!("crops-{umask}");
        // Another user of the group sharing the folder reads the results
        // (and pays for nothing again) only if they are readable.
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
            .arg(&bin)
            .args(["scan", "-q", "-o", "jsonl", "--out-dir", &store])
            .args(["--save-images", &crops, "a.png"])
            .current_dir(env.path())
            .env("XOCR_ENDPOINT", &env.server.url)
            .env("XOCR_TOKEN", TOKEN)
            .env("HOME", env.path())
            .env("XDG_CONFIG_HOME", env.path().join(".config"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let [json] = stored(&env.path().join(&store)).try_into().unwrap();
        assert_eq!(mode(&json), want, "umask {umask}: {}", json.display());
        let pictures: Vec<PathBuf> = std::fs::read_dir(env.path().join(&crops))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(pictures.len(), 3);
        for p in pictures {
            assert_eq!(mode(&p), want, "umask {umask}: {}", p.display());
        }
    }
}
