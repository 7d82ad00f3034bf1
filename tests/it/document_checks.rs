//! The checks of passports, driving licences and vehicle licences, on the
//! service's replies: the MRZ's check digits, the licence number as an ID
//! number, the VIN's check digit (advisory under `--strict`).

use serde_json::{Value, json};

use crate::server::Scenario;
use crate::testenv::TestEnv;

fn reply(doc_type: &str, items: &[(&str, &str)]) -> &'static str {
    let items: Vec<Value> = items
        .iter()
        .map(|(k, v)| json!({"key": k, "value": v, "description": "", "position": []}))
        .collect();
    let body = json!({"code": 200, "message": "success", "result": {
        "type": doc_type, "type_description": "", "image_angle": 0,
        "rotated_image_width": 100, "rotated_image_height": 60, "item_list": items}});
    Box::leak(body.to_string().into_boxed_str())
}

fn check<'a>(record: &'a Value, name: &str) -> &'a Value {
    record["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == name)
        .unwrap_or_else(|| panic!("no {name} in {record}"))
}

#[test]
fn a_passport_zone_is_checked_and_mended() {
    let env = TestEnv::new();
    let good = env.picture("good.png", 40, 30, 1, image::ImageFormat::Png);
    let bad = env.picture("bad.png", 40, 30, 2, image::ImageFormat::Png);
    // As OCR reads it: « and spaces for fillers, O for 0, B for 8.
    let read =
        "P«UTOERIKSSON<<ANNA MARIA<<<<<<<<<<<<<<<<\nL89B902C36UTO74O8122F1204159ZE184226B<<<<<10";
    let misread = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408132F1204159ZE184226B<<<<<10";
    env.answer(&good, Scenario::Raw(reply("passport", &[("mrz", read)])));
    env.answer(&bad, Scenario::Raw(reply("passport", &[("mrz", misread)])));
    let out = env
        .run(["scan", "-o", "jsonl", "good.png", "bad.png"])
        .code(0)
        .jsonl();
    let ok = check(&out[0], "mrz_check_digits");
    assert_eq!(ok["status"], "ok", "{ok}");
    assert!(
        ok["detail"].as_str().unwrap().contains("after mending"),
        "{ok}"
    );
    let failed = check(&out[1], "mrz_check_digits");
    assert_eq!(failed["status"], "failed");
    assert!(
        failed["detail"]
            .as_str()
            .unwrap()
            .contains("birth, composite"),
        "{failed}"
    );
    env.run(["scan", "--strict", "-q", "bad.png"]).code(1);
}

#[test]
fn licence_numbers_and_vins_are_checked_but_a_vin_never_fails_a_file() {
    let env = TestEnv::new();
    let licence = env.picture("licence.png", 40, 30, 3, image::ImageFormat::Png);
    let car = env.picture("car.png", 40, 30, 4, image::ImageFormat::Png);
    env.answer(
        &licence,
        Scenario::Raw(reply(
            "drive_license",
            &[("driving_license_main_number", "110105194912310021")],
        )),
    );
    env.answer(
        &car,
        Scenario::Raw(reply("vehicle_license", &[("vin", "1M8GDM9A1KP042788")])),
    );
    let out = env
        .run(["scan", "-o", "jsonl", "licence.png", "car.png"])
        .code(0)
        .jsonl();
    assert_eq!(
        check(&out[0], "license_number_check_char")["status"],
        "failed"
    );
    assert_eq!(check(&out[1], "vin_check_digit")["status"], "failed");
    env.run(["scan", "--strict", "-q", "licence.png"]).code(1);
    env.run(["scan", "--strict", "-q", "car.png"]).code(0);
}
