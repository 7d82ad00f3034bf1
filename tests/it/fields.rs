//! Normalised values, checks, masking, and the `types` and `codes` commands.

use crate::server::{Scenario, find_item};
use crate::testenv::TestEnv;
use image::ImageFormat::Jpeg;
use serde_json::Value;

fn check<'a>(record: &'a Value, id: &str) -> &'a Value {
    record["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == id)
        .unwrap_or_else(|| panic!("no check {id} in {}", record["checks"]))
}

#[test]
fn json_carries_raw_and_normalized_values_and_checks() {
    let env = TestEnv::new();
    env.picture("front.jpg", 300, 200, 1, Jpeg);
    let back = env.picture("back.jpg", 300, 200, 2, Jpeg);
    let card = env.picture("card.jpg", 300, 200, 3, Jpeg);
    env.answer(&back, Scenario::IdBack);
    env.answer(&card, Scenario::BankCard);
    let v = env
        .run([
            "scan",
            "-o",
            "json",
            "--as-of",
            "2026-11-29",
            "front.jpg",
            "back.jpg",
            "card.jpg",
        ])
        .code(0)
        .json();
    let f = &v[0];
    assert_eq!(find_item(f, "birth")["value"], "1990年3月7日");
    assert_eq!(find_item(f, "birth")["normalized"], "1990-03-07");
    assert_eq!(find_item(f, "sex")["normalized"], "M");
    assert_eq!(check(f, "id_check_char")["status"], "ok");
    assert_eq!(check(f, "id_birth_match")["status"], "ok");
    assert_eq!(check(f, "id_sex_match")["status"], "ok");
    assert_eq!(check(f, "id_region")["status"], "ok");
    let b = &v[1];
    assert_eq!(
        find_item(b, "validate_date")["normalized"],
        serde_json::json!({"start": "2015-03-01", "end": "2035-03-01"})
    );
    assert_eq!(check(b, "validity_expiry")["status"], "ok");
    let c = &v[2];
    assert_eq!(
        find_item(c, "card_number")["value"],
        "6222 0212 3456 7890 128"
    );
    assert_eq!(
        find_item(c, "card_number")["normalized"],
        "6222021234567890128"
    );
    assert_eq!(check(c, "card_luhn")["status"], "ok");
}

#[test]
fn expiry_is_judged_against_as_of() {
    let env = TestEnv::new();
    let back = env.picture("back.jpg", 300, 200, 4, Jpeg);
    env.answer(&back, Scenario::IdBack);
    // A failed check alone does not fail the file.
    let r = env
        .run(["scan", "-o", "jsonl", "--as-of", "2036-01-01", "back.jpg"])
        .code(0)
        .json();
    assert_eq!(check(&r, "validity_expiry")["status"], "failed");
    let r = env
        .run([
            "scan",
            "-o",
            "jsonl",
            "--as-of",
            "2036-01-01",
            "--strict",
            "back.jpg",
        ])
        .code(1)
        .json();
    assert_eq!(r["ok"], false);
    assert_eq!(r["error"]["class"], "check");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("validity_expiry")
    );
    env.run(["scan", "--as-of", "2036-13-01", "back.jpg"])
        .code(2);
}

#[test]
fn a_misread_is_marked_in_every_format_and_fails_with_strict() {
    let env = TestEnv::new();
    let f = env.picture("misread.jpg", 300, 200, 5, Jpeg);
    env.answer(&f, Scenario::IdFrontMisread);

    let r = env
        .run(["scan", "-o", "jsonl", "misread.jpg"])
        .code(0)
        .json();
    assert_eq!(check(&r, "id_check_char")["status"], "failed");
    assert_eq!(check(&r, "id_sex_match")["status"], "failed");
    assert_eq!(
        find_item(&r, "id_number")["value"],
        "110101199003074519",
        "raw value kept"
    );

    let out = env
        .run(["scan", "misread.jpg"])
        .stdout_has("✗ id_number (id_check_char):");
    let t = out.stdout();
    let row = t
        .lines()
        .find(|l| l.contains("110101199003074519"))
        .unwrap();
    assert!(row.contains("✗ id_check_char"), "{t}");

    let out = env.run(["scan", "-o", "csv", "--csv-layout", "wide", "misread.jpg"]);
    let mut rd = csv::Reader::from_reader(out.stdout_bytes());
    let header = rd.headers().unwrap().clone();
    let row = rd.records().next().unwrap().unwrap();
    let col = header.iter().position(|h| h == "checks_failed").unwrap();
    let failed: Vec<&str> = row[col].split(';').collect();
    assert!(
        failed.contains(&"id_check_char") && failed.contains(&"id_sex_match"),
        "{failed:?}"
    );

    env.run(["scan", "--strict", "-o", "jsonl", "misread.jpg"])
        .code(1)
        .stderr_has("failed checks: ");
}

#[test]
fn normalized_flag_puts_standard_forms_in_csv_and_table() {
    let env = TestEnv::new();
    env.picture("f.jpg", 300, 200, 6, Jpeg);
    let out = env.run([
        "scan",
        "-o",
        "csv",
        "--normalized",
        "--fields",
        "birth,sex,name",
        "f.jpg",
    ]);
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(out.stdout_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    let values: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.get(2).unwrap(), r.get(4).unwrap()))
        .collect();
    assert_eq!(
        values,
        [("name", "王小明"), ("sex", "M"), ("birth", "1990-03-07")]
    );
    env.run(["scan", "--normalized", "f.jpg"])
        .stdout_has("1990-03-07");
    env.run(["scan", "f.jpg"]).stdout_lacks("1990-03-07");
}

#[test]
fn mask_hides_personal_fields_in_every_format() {
    let env = TestEnv::new();
    env.picture("f.jpg", 300, 200, 7, Jpeg);
    let m = env.picture("m.jpg", 300, 200, 8, Jpeg);
    env.answer(&m, Scenario::IdFrontMisread);
    for format in ["table", "json", "jsonl", "csv"] {
        let out = env.run(["scan", "--mask", "-o", format, "f.jpg", "m.jpg"]);
        let t = out.stdout() + &out.stderr();
        for secret in [
            "王小明",
            "110101199003074514",
            "110101199003074519",
            "景山前街4号",
        ] {
            assert!(!t.contains(secret), "{format}: {secret} printed:\n{t}");
        }
        assert!(t.contains("王"), "{format}");
        assert!(t.contains("110101********4514"), "{format}:\n{t}");
    }
}

#[test]
fn types_and_codes_explain_the_service() {
    let env = TestEnv::new();
    let out = env.bare().arg("types").run().code(0);
    let t = out.stdout();
    for name in [
        "id_card  身份证",
        "bank_card  银行卡",
        "business_license  营业执照",
        "vehicle_registration",
    ] {
        assert!(t.contains(name), "{name} missing:\n{t}");
    }
    env.bare()
        .args(["types", "id_card"])
        .run()
        .stdout_has("id_number")
        .stdout_has("身份证号")
        .stdout_has("head_portrait")
        .stdout_lacks("bank_card");
    env.bare().args(["types", "nope"]).run().code(2);

    env.bare()
        .args(["codes", "40301"])
        .run()
        .stdout_has("Image format error")
        .stdout_has("file")
        .stdout_has("convert");
    let t = env.bare().arg("codes").run().stdout();
    assert_eq!(
        t.lines().filter(|l| l.contains("┆ stop ")).count(),
        16,
        "{t}"
    );
    env.bare().args(["codes", "12345"]).run().code(2);
}

#[test]
fn a_business_licence_has_its_credit_code_checked_and_capital_parsed() {
    let env = TestEnv::new();
    let f = env.picture("licence.jpg", 300, 200, 9, Jpeg);
    env.answer(&f, Scenario::BusinessLicense);
    let r = env
        .run(["scan", "-o", "jsonl", "licence.jpg"])
        .code(0)
        .json();
    assert_eq!(r["type"], "business_license");
    let code = find_item(&r, "unified_social_credit_code");
    assert_eq!(code["value"], "91350100M000100Y43");
    assert_eq!(code["normalized"], "91350100M000100Y43");
    let c = check(&r, "credit_code_check_char");
    assert_eq!(c["status"], "ok", "{c}");
    assert_eq!(c["field"], "unified_social_credit_code");
    // Chinese numerals: 壹佰万元整 is one million yuan.
    let capital = find_item(&r, "registered_capital");
    assert_eq!(capital["value"], "壹佰万元整");
    assert_eq!(
        capital["normalized"],
        serde_json::json!({"amount": 1000000.0, "unit": "元", "currency": "CNY", "total": 1000000.0})
    );
    // Free text has no standard form.
    assert!(find_item(&r, "company_name").get("normalized").is_none());
}

#[test]
fn a_result_of_type_other_with_no_items_is_a_success_with_no_fields() {
    let env = TestEnv::new();
    let f = env.picture("other.jpg", 300, 200, 10, Jpeg);
    env.answer(&f, Scenario::Other);
    let r = env.run(["scan", "-o", "jsonl", "other.jpg"]).code(0).json();
    assert_eq!(r["ok"], true);
    assert_eq!(r["type"], "other");
    assert_eq!(r["items"], serde_json::json!([]));
    assert_eq!(r["checks"], serde_json::json!([]));
    env.run(["scan", "-o", "table", "other.jpg"])
        .code(0)
        .stdout_has("(no fields recognised)");
    // One row for the file, with empty key and value.
    let out = env.run(["scan", "-o", "csv", "other.jpg"]).code(0);
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(out.stdout_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 1, "{}", out.stdout());
    assert_eq!((&rows[0][1], &rows[0][2], &rows[0][4]), ("other", "", ""));
}
