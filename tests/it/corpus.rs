//! Every file of the corpus (tests/corpus) gets the outcome its MANIFEST.tsv gives,
//! scanned by the real binary against the test server (which checks
//! format, size and dimensions as the service does).

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use crate::server::{Scenario, corpus_dir, sha_hex};
use crate::testenv::TestEnv;

/// Files whose `expect` column says `ok` but that no well-kept pure-Rust
/// decoder can read: they must fail with an error that names the format and
/// says how to convert it (their behaviour column allows that).
const EXPLAINED_INSTEAD: &[&str] = &["avif-rot1-mir0.avif"];

struct Entry {
    file: String,
    expect: String,
}

fn manifest() -> Vec<Entry> {
    let dir = corpus_dir();
    let mut rd = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .quoting(false)
        .from_path(dir.join("MANIFEST.tsv"))
        .expect("tests/corpus/MANIFEST.tsv (or MANIFEST.tsv in $XOCR_CORPUS when set)");
    let headers = rd.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (file, expect) = (col("file"), col("expect"));
    rd.records()
        .map(|r| {
            let r = r.unwrap();
            Entry {
                file: r[file].to_string(),
                expect: r[expect].to_string(),
            }
        })
        .collect()
}

#[test]
fn every_corpus_file_gets_the_manifest_outcome() {
    let entries = manifest();
    assert!(entries.len() >= 100, "{} entries", entries.len());
    let dir = corpus_dir().canonicalize().unwrap();
    let env = TestEnv::new();
    let list: String = entries
        .iter()
        .map(|e| format!("{}\n", dir.join(&e.file).display()))
        .collect();
    // Some corpus files must fail.
    let records = env
        .xocr()
        .args([
            "scan",
            "-o",
            "jsonl",
            "-j",
            "2",
            "--retries",
            "0",
            "--files-from",
            "-",
        ])
        .write_stdin(list)
        .timeout(std::time::Duration::from_secs(600))
        .run()
        .code(1)
        .jsonl();
    let violations = env.server.violations();
    assert!(violations.is_empty(), "{violations:?}");
    // One result per file, or per page of a PDF or multi-page TIFF
    // (labelled `FILE#pN`), in input order.
    let mut of_file: Vec<Vec<&serde_json::Value>> = vec![Vec::new(); entries.len()];
    let mut at = 0;
    for r in &records {
        let label = r["file"].as_str().unwrap();
        while at < entries.len() {
            let path = dir.join(&entries[at].file);
            let path = path.to_str().unwrap();
            let page = label
                .strip_prefix(path)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with("#p"));
            if page {
                break;
            }
            at += 1;
        }
        assert!(at < entries.len(), "{label}: not in input order");
        of_file[at].push(r);
    }
    for (e, rs) in entries.iter().zip(&of_file) {
        assert!(!rs.is_empty(), "{}: no result", e.file);
    }
    // Every page of a multi-page TIFF is read, each labelled with its page.
    let multipage = entries
        .iter()
        .position(|e| e.file == "tiff-multipage-3.tiff")
        .unwrap();
    let labels: Vec<&str> = of_file[multipage]
        .iter()
        .map(|r| r["file"].as_str().unwrap())
        .collect();
    let tiff = dir.join("tiff-multipage-3.tiff");
    let tiff = tiff.to_str().unwrap();
    assert_eq!(
        labels,
        [1, 2, 3].map(|n| format!("{tiff}#p{n}")),
        "one result a page"
    );
    let sent: HashMap<String, i64> = env
        .server
        .requests()
        .into_iter()
        .map(|r| (r.sha256, r.code))
        .collect();

    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    let mut wrong = Vec::new();
    for (e, r) in entries
        .iter()
        .zip(&of_file)
        .flat_map(|(e, rs)| rs.iter().map(move |r| (e, *r)))
    {
        let path = dir.join(&e.file);
        let bytes = std::fs::read(&path).unwrap();
        let paged = r["file"] != path.to_str().unwrap();
        let ok = r["ok"] == true;
        let unchanged = r.get("preprocess").is_none();
        let message = r["error"]["message"].as_str().unwrap_or("").to_string();
        let outcome = if ok && unchanged {
            "uploaded unchanged"
        } else if ok {
            "uploaded re-encoded"
        } else if r["error"]["class"] == "input" {
            "rejected before upload"
        } else {
            "failed at the service"
        };
        *tally
            .entry(format!("{:<16} {outcome}", e.expect))
            .or_default() += 1;
        if ok && unchanged && !paged && !sent.contains_key(&sha_hex(&bytes)) {
            wrong.push(format!(
                "{}: claims unchanged but the server never saw its bytes",
                e.file
            ));
        }
        let names_format = |m: &str| {
            let m = m.to_lowercase();
            (m.contains("heic") || m.contains("heif") || m.contains("avif"))
                && m.contains("convert")
        };
        let expect = if EXPLAINED_INSTEAD.contains(&e.file.as_str()) {
            "ok-or-explained"
        } else {
            e.expect.as_str()
        };
        let right = match expect {
            "ok" => ok,
            "reject" => outcome == "rejected before upload" && !message.is_empty(),
            "ok-or-explained" => {
                ok || (outcome == "rejected before upload" && names_format(&message))
            }
            "either" => ok || !message.is_empty(),
            other => panic!("unknown expect {other:?}"),
        };
        if !right {
            wrong.push(format!(
                "{} (expect {}): {outcome}: {message}",
                r["file"].as_str().unwrap_or(&e.file),
                e.expect
            ));
        }
    }
    let mut report = String::from("corpus tally (expect, outcome: files):\n");
    for (k, v) in &tally {
        report.push_str(&format!("  {k}: {v}\n"));
    }
    std::io::stderr().write_all(report.as_bytes()).unwrap();
    assert!(
        wrong.is_empty(),
        "{report}\nwrong outcomes:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn generated_large_and_boundary_pictures() {
    let env = TestEnv::new();
    // A 12-megapixel phone-sized photo of noise: far over 10 MB as JPEG q95.
    let mut seed = 0x9E3779B97F4A7C15u64;
    let noise = image::RgbImage::from_fn(4032, 3024, |_, _| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        image::Rgb([seed as u8, (seed >> 8) as u8, (seed >> 16) as u8])
    });
    let mut big = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(noise)
        .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut big, 95,
        ))
        .unwrap();
    let big = env.write("large-12mp.jpg", big.get_ref());
    assert!(std::fs::metadata(&big).unwrap().len() > 10 * 1024 * 1024);
    // Valid JPEGs padded with zeros after EOI to sizes around 4 MiB.
    let base = std::fs::read(corpus_dir().join("exif-orient-1-landscape.jpg")).unwrap();
    let mut padded = Vec::new();
    for n in [4_194_303usize, 4_194_304, 4_194_305] {
        let mut b = base.clone();
        b.resize(n, 0);
        padded.push(env.write(&format!("at-{n}.jpg"), &b));
    }
    let rs = env
        .xocr()
        .args(["scan", "-o", "jsonl", "--retries", "0"])
        .arg(&big)
        .args(&padded)
        .timeout(std::time::Duration::from_secs(300))
        .run()
        .code(0)
        .jsonl();
    let p = rs[0]["preprocess"].as_str().unwrap();
    assert!(
        p.contains("4032x3024 -> 4096") || p.contains("resized") || p.contains("jpeg"),
        "{p}"
    );
    let sent = env.server.requests();
    let first = sent
        .iter()
        .find(|r| r.sha256 != sha_hex(&std::fs::read(&padded[0]).unwrap()))
        .unwrap();
    assert!(first.bytes <= 10 * 1024 * 1024);
    for r in &rs[1..] {
        assert!(
            r.get("preprocess").is_none(),
            "padded JPEGs go up unchanged: {r}"
        );
    }
}

#[test]
fn no_convert_rejects_what_needs_converting_and_names_the_flag() {
    let env = TestEnv::new();
    let dir = corpus_dir();
    let rs = env
        .xocr()
        .args(["scan", "-o", "jsonl", "--no-convert", "--retries", "0"])
        .arg(dir.join("png-huge-dims-65536x65536.png"))
        .arg(dir.join("exif-orient-6-landscape.jpg"))
        .arg(dir.join("webp-lossy.webp"))
        .run()
        .jsonl();
    assert_eq!(rs.len(), 3);
    assert!(
        rs[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--no-convert"),
        "{}",
        rs[0]
    );
    // Oriented JPEG: sent as it is, EXIF intact.
    assert_eq!(rs[1]["ok"], true);
    assert!(rs[1].get("preprocess").is_none());
    // WebP is not a format the service lists: sent as it is, and refused.
    assert_eq!(rs[2]["error"]["code"], 40301);
}

#[test]
fn a_picture_refused_as_it_was_is_re_encoded_once() {
    let env = TestEnv::new();
    let f = corpus_dir().join("jpeg-progressive.jpg");
    let bytes = std::fs::read(&f).unwrap();
    env.server.on(&bytes, Scenario::Code(40301));
    let r = env
        .xocr()
        .args(["scan", "-o", "jsonl", "-v"])
        .arg(&f)
        .run()
        .code(0)
        .stderr_has("re-encoded and sent again")
        .json();
    assert!(r["preprocess"].is_string(), "{r}");
    let sent = env.server.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].sha256, sha_hex(&bytes));
    assert_ne!(sent[1].sha256, sha_hex(&bytes));
}
