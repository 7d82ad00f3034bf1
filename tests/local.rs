//! `xocr scan --engine local`: the offline recogniser through the binary,
//! with no token and no service.

#![cfg(feature = "local")]

mod common;

use common::{jsonl, text, write, xocr_bare};
use serde_json::Value;

fn examples() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// `xocr` with no token and an endpoint nothing listens on: any attempt to
/// use the network would fail the file.
fn offline(home: &std::path::Path) -> assert_cmd::Command {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = xocr_bare(home);
    cmd.env("XOCR_ENDPOINT", format!("http://127.0.0.1:{closed}/ocr"));
    cmd
}

#[test]
fn the_specimen_card_is_read_offline_in_every_format() {
    let home = tempfile::tempdir().unwrap();
    let front = examples().join("id-card-front.jpg");
    let out = offline(home.path())
        .args(["scan", "--engine", "local", "-o", "jsonl"])
        .arg(&front)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let r = &jsonl(&out)[0];
    assert_eq!(r["engine"], "local");
    assert_eq!(r["type"], "other");
    let items = r["items"].as_array().unwrap();
    let lines: Vec<&str> = items.iter().map(|i| i["value"].as_str().unwrap()).collect();
    assert_eq!(
        lines,
        [
            "姓名张三",
            "性别男",
            "民族汉",
            "出生1990年3月7日",
            "住址北京市东城区景山前街",
            "4号院2号楼301室",
            "公民身份号码",
            "110101199003074514"
        ]
    );
    for (n, item) in items.iter().enumerate() {
        assert_eq!(item["key"], format!("line_{}", n + 1));
        assert_eq!(item["description"], "文本行");
        let c = item["confidence"].as_f64().unwrap();
        assert!((0.5..=1.0).contains(&c), "{item}");
        let pos: Vec<i64> = item["position"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        assert_eq!(pos.len(), 8);
        assert!(
            pos[2] > pos[0] && pos[5] > pos[1],
            "corners in order: {pos:?}"
        );
        assert!(
            pos.chunks(2)
                .all(|p| p[0] <= r["rotated_image_width"].as_i64().unwrap())
        );
    }

    let out = offline(home.path())
        .args(["scan", "--engine", "local"])
        .arg(&front)
        .output()
        .unwrap();
    assert!(
        text(&out.stdout).contains("110101199003074514"),
        "{}",
        text(&out.stdout)
    );
    let out = offline(home.path())
        .args([
            "scan",
            "--engine",
            "local",
            "-o",
            "csv",
            "--csv-layout",
            "wide",
        ])
        .arg(&front)
        .output()
        .unwrap();
    let mut rd = csv::Reader::from_reader(&out.stdout[..]);
    let header = rd.headers().unwrap().clone();
    assert_eq!(&header[2], "line_1");
    assert_eq!(&rd.records().next().unwrap().unwrap()[2], "姓名张三");
}

#[test]
fn config_engine_local_needs_no_token_and_bad_inputs_fail_as_with_the_service() {
    let home = tempfile::tempdir().unwrap();
    write(
        home.path(),
        ".config/xocr/config.toml",
        b"engine = \"local\"\n",
    );
    let blank = write(
        home.path(),
        "blank.png",
        &common::picture(200, 100, 255, image::ImageFormat::Png),
    );
    let corpus = common::corpus_dir();
    let out = offline(home.path())
        .args(["scan", "-o", "jsonl"])
        .arg(examples().join("id-card-back.jpg"))
        .arg(&blank)
        .arg(corpus.join("not-an-image.jpg"))
        .arg(corpus.join("exif-orient-3-chinese-text.jpg"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let rs: Vec<Value> = jsonl(&out);
    let values = |r: &Value| -> Vec<String> {
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["value"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(
        values(&rs[0]).contains(&"2015.03.07-2035.03.07".to_string()),
        "{:?}",
        values(&rs[0])
    );
    assert_eq!(rs[1]["ok"], true);
    assert_eq!(values(&rs[1]), Vec::<String>::new());
    assert_eq!(rs[2]["error"]["class"], "input");
    assert!(
        rs[2]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a picture")
    );
    // Stored upside down with EXIF orientation 3: read upright.
    assert_eq!(values(&rs[3]), ["我是中国人"]);
}
