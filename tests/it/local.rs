//! `xocr scan --engine local`: the offline recogniser through the binary,
//! with no token and no service.

use crate::server::corpus_dir;
use crate::testenv::{Cmd, TestEnv};
use serde_json::Value;

fn examples() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// `xocr` with no token and an endpoint nothing listens on: any attempt to
/// use the network would fail the file.
fn offline(env: &TestEnv) -> Cmd {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = env.bare();
    cmd.env("XOCR_ENDPOINT", format!("http://127.0.0.1:{closed}/ocr"));
    cmd
}

/// `(key, value)` of a record's text items (picture items left out).
fn fields(r: &Value) -> Vec<(String, String)> {
    r["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i.get("picture").is_none())
        .map(|i| {
            (
                i["key"].as_str().unwrap().to_string(),
                i["value"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

const FRONT: [(&str, &str); 8] = [
    ("name", "张三"),
    ("sex", "男"),
    ("nationality", "汉"),
    ("birth", "1990年3月7日"),
    ("address", "北京市东城区景山前街4号院2号楼301室"),
    ("id_number", "110101199003074514"),
    ("issue_authority", ""),
    ("validate_date", ""),
];

#[test]
fn the_specimen_cards_are_understood_with_the_services_keys() {
    let env = TestEnv::new();
    let rs = offline(&env)
        .args(["scan", "--engine", "local", "-o", "jsonl", "--save-images"])
        .arg(env.path().join("pics"))
        .arg(examples().join("id-card-front.jpg"))
        .arg(examples().join("id-card-front-skewed.jpg"))
        .arg(examples().join("id-card-back.jpg"))
        .run()
        .code(0)
        .jsonl();
    for r in &rs[..2] {
        assert_eq!(r["engine"], "local");
        assert_eq!(r["type"], "id_card");
        assert_eq!(r["image_angle"], 0);
        assert_eq!(fields(r), pairs(&FRONT), "{}", r["file"]);
        let checks = r["checks"].as_array().unwrap();
        assert_eq!(checks.len(), 6, "{checks:?}");
        for c in checks {
            assert_eq!(c["status"], "ok", "{c}");
        }
        assert!(checks.iter().any(|c| c["check"] == "id_check_char"));
        let items = r["items"].as_array().unwrap();
        let desc: Vec<&str> = items
            .iter()
            .map(|i| i["description"].as_str().unwrap())
            .collect();
        assert_eq!(
            desc,
            [
                "姓名",
                "性别",
                "民族",
                "出生日期",
                "地址",
                "身份证号",
                "签发机构",
                "有效期限",
                "头像",
                "身份证号码图像",
                "切边图像"
            ]
        );
        // Three pictures written as JPEG files.
        for key in ["head_portrait", "id_number_image", "crop_image"] {
            let item = items.iter().find(|i| i["key"] == key).unwrap();
            assert_eq!(item["picture"]["format"], "jpeg", "{item}");
            let saved = item["picture"]["saved"].as_str().unwrap();
            let pic = image::open(saved).unwrap();
            assert!(pic.width() > 100, "{key} {}", pic.width());
        }
    }
    // Positions: the name's box is the value's, right of the 姓名 label.
    let name = &rs[0]["items"][0];
    let pos: Vec<i64> = name["position"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(pos.len(), 8);
    assert!(
        (110..150).contains(&pos[0]) && (190..215).contains(&pos[2]),
        "{pos:?}"
    );
    assert!(
        (60..80).contains(&pos[1]) && (100..120).contains(&pos[5]),
        "{pos:?}"
    );
    // The straightened card of the skewed photo is card-shaped.
    let crop = rs[1]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "crop_image")
        .unwrap();
    let pic = image::open(crop["picture"]["saved"].as_str().unwrap()).unwrap();
    let ratio = pic.width() as f64 / pic.height() as f64;
    assert!((1.5..1.7).contains(&ratio), "{ratio}");

    let back = &rs[2];
    assert_eq!(back["type"], "id_card");
    assert_eq!(
        fields(back),
        pairs(&[
            ("name", ""),
            ("sex", ""),
            ("nationality", ""),
            ("birth", ""),
            ("address", ""),
            ("id_number", ""),
            ("issue_authority", "北京市公安局东城分局"),
            ("validate_date", "2015.03.07-2035.03.07"),
        ])
    );

    let out = offline(&env)
        .args([
            "scan",
            "--engine",
            "local",
            "-o",
            "csv",
            "--csv-layout",
            "wide",
        ])
        .arg(examples().join("id-card-front.jpg"))
        .run();
    let mut rd = csv::Reader::from_reader(out.stdout_bytes());
    let header = rd.headers().unwrap().clone();
    assert_eq!(&header[2], "name");
    assert_eq!(
        &rd.records().next().unwrap().unwrap()[7],
        "110101199003074514"
    );
}

#[test]
fn a_card_turned_on_its_side_or_head_is_read_upright() {
    let env = TestEnv::new();
    let img = image::open(examples().join("id-card-front.jpg"))
        .unwrap()
        .to_rgb8();
    let (w, h) = img.dimensions();
    let mut paths = vec![];
    for (angle, pic) in [
        (90, image::imageops::rotate270(&img)),
        (180, image::imageops::rotate180(&img)),
        (270, image::imageops::rotate90(&img)),
    ] {
        let p = env.path().join(format!("needs-{angle}.png"));
        pic.save(&p).unwrap();
        paths.push((angle, p));
    }
    let rs = offline(&env)
        .args(["scan", "--engine", "local", "-o", "jsonl"])
        .args(paths.iter().map(|p| &p.1))
        .run()
        .code(0)
        .jsonl();
    for (r, (angle, _)) in rs.iter().zip(&paths) {
        assert_eq!(r["image_angle"], *angle, "{}", r["file"]);
        assert_eq!(r["rotated_image_width"], w);
        assert_eq!(r["rotated_image_height"], h);
        assert_eq!(fields(r), pairs(&FRONT), "{}", r["file"]);
        // Positions are in the upright picture: the name is top left.
        let p = &r["items"][0]["position"];
        assert!(
            p[0].as_i64().unwrap() < 200 && p[1].as_i64().unwrap() < 120,
            "{p}"
        );
    }
}

#[test]
fn config_engine_local_needs_no_token_and_bad_inputs_fail_as_with_the_service() {
    let env = TestEnv::new();
    env.write(".config/xocr/config.toml", b"engine = \"local\"\n");
    let blank = env.picture("blank.png", 200, 100, 255, image::ImageFormat::Png);
    let corpus = corpus_dir();
    let rs = offline(&env)
        .args(["scan", "-o", "jsonl"])
        .arg(examples().join("id-card-back.jpg"))
        .arg(&blank)
        .arg(corpus.join("not-an-image.jpg"))
        .arg(corpus.join("exif-orient-3-chinese-text.jpg"))
        .run()
        .code(1)
        .jsonl();
    let values = |r: &Value| -> Vec<String> { fields(r).into_iter().map(|(_, v)| v).collect() };
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
    // Stored upside down with EXIF orientation 3: read upright; not a
    // card, so kept as text lines.
    assert_eq!(rs[3]["type"], "other");
    assert_eq!(rs[3]["items"][0]["key"], "line_1");
    assert_eq!(rs[3]["items"][0]["description"], "文本行");
    assert_eq!(values(&rs[3]), ["我是中国人"]);
}

#[test]
fn stored_results_are_reused_only_at_the_same_detection_size() {
    let env = TestEnv::new();
    let store = env.path().join("store");
    let card = examples().join("id-card-front.jpg");
    let run = |extra: &[&str]| {
        let out = offline(&env)
            .args([
                "scan",
                "--engine",
                "local",
                "-v",
                "-o",
                "jsonl",
                "--out-dir",
            ])
            .arg(&store)
            .args(extra)
            .arg(&card)
            .run()
            .code(0);
        let reused = out.stderr().contains("stored result reused");
        (out.jsonl().remove(0), reused)
    };
    // At 32 px the card is a blur: nothing read, and that is stored.
    let (small, reused) = run(&["--det-max-side", "32"]);
    assert!(!reused);
    assert_eq!(small["type"], "other");
    // The default size is not served the 32 px result ...
    let (full, reused) = run(&[]);
    assert!(!reused);
    assert_eq!(full["type"], "id_card");
    // ... and each size reuses its own.
    assert_eq!(run(&[]), (full, true));
    assert!(run(&["--det-max-side", "32"]).1);
    let names: Vec<String> = std::fs::read_dir(&store)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names.iter().any(|n| n.ends_with(".local-r4-d960.json")),
        "{names:?}"
    );
}

/// The fixed set of generated cards in tests/cards (made with
/// `scripts/specimens.py tests/cards --count 10 --seed 2 --clean-quality 70
/// --max-side 720`): every card's type, turn and fields exactly.
#[test]
fn the_generated_regression_cards_are_read_exactly() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cards");
    let mut pics: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jpg"))
        .collect();
    pics.sort();
    assert_eq!(pics.len(), 10);
    let rs = offline(&TestEnv::new())
        .args(["scan", "--engine", "local", "-o", "jsonl"])
        .args(&pics)
        .run()
        .code(0)
        .jsonl();
    assert_eq!(rs.len(), pics.len());
    for (r, pic) in rs.iter().zip(&pics) {
        let truth: Value =
            serde_json::from_slice(&std::fs::read(pic.with_extension("json")).unwrap()).unwrap();
        assert_eq!(r["type"], truth["type"], "{}", pic.display());
        assert_eq!(r["image_angle"], truth["image_angle"], "{}", pic.display());
        let got = fields(r);
        for (k, v) in truth["fields"].as_object().unwrap() {
            let found = got
                .iter()
                .find(|(gk, _)| gk == k)
                .map(|(_, gv)| gv.as_str());
            assert_eq!(found, v.as_str(), "{} {k}", pic.display());
        }
        for c in r["checks"].as_array().unwrap() {
            assert_eq!(c["status"], "ok", "{} {c}", pic.display());
        }
    }
}

/// The fixed set of generated documents of the other types in tests/docs
/// (driving and vehicle licences, business licences, passports, HK and
/// social-security cards; picked from `scripts/specimens.py` output, see
/// tests/docs/README.md): every document's type and fields exactly, and
/// its checks passing.
#[test]
fn the_generated_regression_documents_are_read_exactly() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/docs");
    let mut pics: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jpg"))
        .collect();
    pics.sort();
    assert!(pics.len() >= 8, "{} documents", pics.len());
    let rs = offline(&TestEnv::new())
        .args(["scan", "--engine", "local", "-o", "jsonl"])
        .args(&pics)
        .run()
        .code(0)
        .jsonl();
    assert_eq!(rs.len(), pics.len());
    let mut types = std::collections::BTreeSet::new();
    for (r, pic) in rs.iter().zip(&pics) {
        let truth: Value =
            serde_json::from_slice(&std::fs::read(pic.with_extension("json")).unwrap()).unwrap();
        assert_eq!(r["type"], truth["type"], "{}", pic.display());
        types.insert(truth["type"].as_str().unwrap().to_string());
        let got = fields(r);
        for (k, v) in truth["fields"].as_object().unwrap() {
            let found = got
                .iter()
                .find(|(gk, _)| gk == k)
                .map(|(_, gv)| gv.as_str());
            assert_eq!(found, v.as_str(), "{} {k}", pic.display());
        }
        for c in r["checks"].as_array().unwrap() {
            assert_ne!(c["status"], "failed", "{} {c}", pic.display());
        }
        let crop = r["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["key"] == "crop_image");
        assert!(crop.is_some(), "{} has no crop_image", pic.display());
    }
    assert_eq!(types.len(), 6, "{types:?}");
    // -v says why: the classifier's scores.
    let drive = dir.join("0005.jpg");
    offline(&TestEnv::new())
        .args(["scan", "--engine", "local", "-v", "-o", "json"])
        .arg(&drive)
        .run()
        .code(0)
        .stderr_has("type drive_license (scores: drive-licence ");
}
