//! `--annotate DIR`: the picture as read, with every item's box drawn where
//! the engine's positions say, failed checks in red; named as
//! `--save-images` names pictures, and listed in the record.

use image::{Rgb, RgbImage};
use serde_json::Value;

use crate::server::Scenario;
use crate::testenv::TestEnv;

/// The colours `src/annotate.rs` draws with.
const ITEM: [u8; 3] = [0, 170, 0];
const FAILED: [u8; 3] = [230, 0, 0];
const GREY: [u8; 3] = [200, 200, 200];

fn near(p: &Rgb<u8>, want: [u8; 3]) -> bool {
    p.0.iter()
        .zip(want)
        .all(|(a, b)| (*a as i32 - b as i32).abs() < 70)
}

fn png(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// The share of the points along the top edge of `position` (between its
/// first two corners, the ends left out) that have colour `want`.
fn top_edge_share(img: &RgbImage, position: &[i64], want: [u8; 3]) -> f64 {
    let (x0, y0, x1, y1) = (position[0], position[1], position[2], position[3]);
    let steps = 20;
    let hits = (2..steps - 1)
        .filter(|i| {
            let x = x0 + (x1 - x0) * i / steps;
            let y = y0 + (y1 - y0) * i / steps;
            near(img.get_pixel(x as u32, y as u32), want)
        })
        .count();
    hits as f64 / (steps - 3) as f64
}

fn annotated(env: &TestEnv, record: &Value) -> RgbImage {
    let path = record["annotated"].as_str().expect("an annotated path");
    image::open(env.path().join(path)).unwrap().to_rgb8()
}

fn position(record: &Value, key: &str) -> Vec<i64> {
    let item = crate::server::find_item(record, key);
    item["position"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect()
}

#[test]
fn the_services_boxes_are_drawn_where_its_positions_say_failed_ones_red() {
    let env = TestEnv::new();
    // A plain grey card of the size the mock's positions are measured in.
    let card = env.write("card.png", &png(&RgbImage::from_pixel(476, 306, Rgb(GREY))));
    env.answer(&card, Scenario::IdFrontMisread);
    let v = env
        .run(["scan", "-o", "json", "--annotate", "ann", "card.png"])
        .code(0)
        .json();
    let record = &v[0];
    assert_eq!(record["annotated"], "ann/card.annotated.jpg");
    let img = annotated(&env, record);
    assert_eq!(img.dimensions(), (476, 306), "the picture as it was read");
    // The ID number failed its check: red. The name passed: green.
    let id = position(record, "id_number");
    assert!(top_edge_share(&img, &id, FAILED) > 0.9, "{id:?}");
    assert!(top_edge_share(&img, &id, ITEM) < 0.1);
    let name = position(record, "name");
    assert!(top_edge_share(&img, &name, ITEM) > 0.9, "{name:?}");
    // Where no box is, the picture is untouched.
    for (x, y) in [(20, 220), (60, 300), (470, 250), (250, 230), (30, 20)] {
        assert!(
            near(img.get_pixel(x, y), GREY),
            "({x}, {y}): {:?}",
            img.get_pixel(x, y)
        );
    }
    // The ID number's label sits above its box: a red block there.
    let red_above = (175..230)
        .flat_map(|x| (236..258).map(move |y| (x, y)))
        .filter(|&(x, y)| near(img.get_pixel(x, y), FAILED))
        .count();
    assert!(red_above > 200, "{red_above}");
}

#[test]
fn positions_are_scaled_to_the_picture_and_listed_in_every_format() {
    let env = TestEnv::new();
    // Twice the size the positions are measured in (476×306).
    let card = env.write("big.png", &png(&RgbImage::from_pixel(952, 612, Rgb(GREY))));
    env.answer(&card, Scenario::IdFront);
    let v = env
        .run(["scan", "-o", "json", "--annotate", "ann", "big.png"])
        .code(0)
        .json();
    let img = annotated(&env, &v[0]);
    let doubled: Vec<i64> = position(&v[0], "id_number").iter().map(|p| p * 2).collect();
    assert!(top_edge_share(&img, &doubled, ITEM) > 0.9, "{doubled:?}");
    // The same picture again is the same file, reused under its name.
    let csv = env
        .run(["scan", "-o", "csv", "--annotate", "ann", "big.png"])
        .code(0)
        .stdout();
    let header = csv.lines().next().unwrap();
    assert!(header.ends_with(",annotated"), "{header}");
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .ends_with(",ann/big.annotated.jpg"),
        "{csv}"
    );
    let table = env
        .run(["scan", "--annotate", "ann", "big.png"])
        .code(0)
        .stdout();
    assert!(
        table.contains("annotated: ann/big.annotated.jpg"),
        "{table}"
    );
    let names: Vec<_> = std::fs::read_dir(env.path().join("ann"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    // Without --annotate there is no such field.
    let v = env.run(["scan", "-o", "json", "big.png"]).code(0).json();
    assert!(v[0].get("annotated").is_none());
}

#[test]
fn a_stored_result_is_annotated_too_and_a_turned_picture_drawn_upright() {
    let env = TestEnv::new();
    let card = env.write(
        "turned.png",
        &png(&RgbImage::from_pixel(306, 476, Rgb(GREY))),
    );
    // The service says the picture stands upright after a quarter turn.
    env.answer(&card, Scenario::Raw(TURNED));
    let args = [
        "scan",
        "-o",
        "json",
        "--out-dir",
        "store",
        "--annotate",
        "ann",
        "turned.png",
    ];
    let first = env.run(args).code(0).json();
    let again = env.run(args).code(0).json();
    assert_eq!(env.server.requests().len(), 1, "the second from the store");
    for v in [&first, &again] {
        let img = annotated(&env, &v[0]);
        assert_eq!(img.dimensions(), (476, 306), "upright");
        let p = position(&v[0], "name");
        assert!(top_edge_share(&img, &p, ITEM) > 0.9, "{p:?}");
    }
    // A position far outside the picture is left out, not drawn clamped
    // along its edge.
    let img = annotated(&env, &first[0]);
    let red = img.pixels().filter(|p| near(p, FAILED)).count();
    assert_eq!(red, 0);
}

/// A reply for a picture turned a quarter: a name box, and an absurd box.
const TURNED: &str = r#"{"code":200,"message":"success","result":{"type":"id_card","image_angle":90,
"rotated_image_width":476,"rotated_image_height":306,"item_list":[
{"key":"name","description":"姓名","value":"王小明","position":[92,38,160,38,160,62,92,62]},
{"key":"id_number","description":"身份证号","value":"110101199003074519","position":[900000,5,900400,5,900400,30,900000,30]}]}}"#;

#[test]
fn a_folder_that_cannot_be_written_is_a_usage_error() {
    let env = TestEnv::new();
    let card = env.write("c.png", &png(&RgbImage::from_pixel(476, 306, Rgb(GREY))));
    env.answer(&card, Scenario::IdFront);
    env.write("file", b"not a folder");
    env.run(["scan", "--annotate", "file/ann", "c.png"])
        .code(2)
        .stderr_has("--annotate");
    assert!(env.server.requests().is_empty());
}

#[cfg(feature = "local")]
#[test]
fn offline_readings_are_annotated_where_the_engine_found_the_text() {
    let env = TestEnv::new();
    let (img, _) = crate::draw::text_picture(&["ANNOTATE 2024", "BOXES DRAWN"], 40.0);
    env.write("lines.png", &png(&img));
    let v = env
        .xocr()
        .args([
            "scan",
            "--engine",
            "local",
            "-o",
            "json",
            "--annotate",
            "ann",
            "lines.png",
        ])
        .run()
        .code(0)
        .json();
    let record = &v[0];
    let out = annotated(&env, record);
    assert_eq!(out.dimensions(), img.dimensions());
    let items = record["items"].as_array().unwrap();
    assert!(!items.is_empty(), "{record}");
    for item in items {
        let p: Vec<i64> = item["position"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        assert_eq!(p.len(), 8, "{item}");
        assert!(top_edge_share(&out, &p, ITEM) > 0.8, "{item}");
    }
}
