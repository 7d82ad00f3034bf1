//! Normalised values, checks, masking, and the `types` and `codes` commands.

use crate::server::{Scenario, Server, find_item, picture, text, write, xocr_bare};
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
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let front = write(dir.path(), "front.jpg", &picture(300, 200, 1, Jpeg));
    let back = write(dir.path(), "back.jpg", &picture(300, 200, 2, Jpeg));
    let card = write(dir.path(), "card.jpg", &picture(300, 200, 3, Jpeg));
    server.on(&std::fs::read(&back).unwrap(), Scenario::IdBack);
    server.on(&std::fs::read(&card).unwrap(), Scenario::BankCard);
    let out = server
        .xocr(dir.path())
        .args(["scan", "-o", "json", "--as-of", "2026-11-29"])
        .args([&front, &back, &card])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
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
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let back = write(dir.path(), "back.jpg", &picture(300, 200, 4, Jpeg));
    server.on(&std::fs::read(&back).unwrap(), Scenario::IdBack);
    let out = server
        .xocr(dir.path())
        .args(["scan", "-o", "jsonl", "--as-of", "2036-01-01"])
        .arg(&back)
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(check(&r, "validity_expiry")["status"], "failed");
    assert_eq!(
        out.status.code(),
        Some(0),
        "a failed check alone does not fail the file"
    );
    let out = server
        .xocr(dir.path())
        .args(["scan", "-o", "jsonl", "--as-of", "2036-01-01", "--strict"])
        .arg(&back)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["ok"], false);
    assert_eq!(r["error"]["class"], "check");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("validity_expiry")
    );
    let out = server
        .xocr(dir.path())
        .args(["scan", "--as-of", "2036-13-01"])
        .arg(&back)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_misread_is_marked_in_every_format_and_fails_with_strict() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "misread.jpg", &picture(300, 200, 5, Jpeg));
    server.on(&std::fs::read(&f).unwrap(), Scenario::IdFrontMisread);

    let out = server
        .xocr(dir.path())
        .args(["scan", "-o", "jsonl"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(check(&r, "id_check_char")["status"], "failed");
    assert_eq!(check(&r, "id_sex_match")["status"], "failed");
    assert_eq!(
        find_item(&r, "id_number")["value"],
        "110101199003074519",
        "raw value kept"
    );

    let out = server
        .xocr(dir.path())
        .args(["scan"])
        .arg(&f)
        .output()
        .unwrap();
    let t = text(&out.stdout);
    let row = t
        .lines()
        .find(|l| l.contains("110101199003074519"))
        .unwrap();
    assert!(row.contains("✗ id_check_char"), "{t}");
    assert!(t.contains("✗ id_number (id_check_char):"), "{t}");

    let out = server
        .xocr(dir.path())
        .args(["scan", "-o", "csv", "--csv-layout", "wide"])
        .arg(&f)
        .output()
        .unwrap();
    let mut rd = csv::Reader::from_reader(&out.stdout[..]);
    let header = rd.headers().unwrap().clone();
    let row = rd.records().next().unwrap().unwrap();
    let col = header.iter().position(|h| h == "checks_failed").unwrap();
    let failed: Vec<&str> = row[col].split(';').collect();
    assert!(
        failed.contains(&"id_check_char") && failed.contains(&"id_sex_match"),
        "{failed:?}"
    );

    let out = server
        .xocr(dir.path())
        .args(["scan", "--strict", "-o", "jsonl"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("failed checks: "),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn normalized_flag_puts_standard_forms_in_csv_and_table() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "f.jpg", &picture(300, 200, 6, Jpeg));
    let out = server
        .xocr(dir.path())
        .args([
            "scan",
            "-o",
            "csv",
            "--normalized",
            "--fields",
            "birth,sex,name",
        ])
        .arg(&f)
        .output()
        .unwrap();
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(&out.stdout[..])
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
    let out = server
        .xocr(dir.path())
        .args(["scan", "--normalized"])
        .arg(&f)
        .output()
        .unwrap();
    assert!(text(&out.stdout).contains("1990-03-07"));
    let out = server
        .xocr(dir.path())
        .args(["scan"])
        .arg(&f)
        .output()
        .unwrap();
    assert!(!text(&out.stdout).contains("1990-03-07"));
}

#[test]
fn mask_hides_personal_fields_in_every_format() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "f.jpg", &picture(300, 200, 7, Jpeg));
    let m = write(dir.path(), "m.jpg", &picture(300, 200, 8, Jpeg));
    server.on(&std::fs::read(&m).unwrap(), Scenario::IdFrontMisread);
    for format in ["table", "json", "jsonl", "csv"] {
        let out = server
            .xocr(dir.path())
            .args(["scan", "--mask", "-o", format])
            .args([&f, &m])
            .output()
            .unwrap();
        let t = text(&out.stdout) + &text(&out.stderr);
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
    let dir = tempfile::tempdir().unwrap();
    let out = xocr_bare(dir.path()).args(["types"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let t = text(&out.stdout);
    for name in [
        "id_card  身份证",
        "bank_card  银行卡",
        "business_license  营业执照",
        "vehicle_registration",
    ] {
        assert!(t.contains(name), "{name} missing:\n{t}");
    }
    let out = xocr_bare(dir.path())
        .args(["types", "id_card"])
        .output()
        .unwrap();
    let t = text(&out.stdout);
    assert!(
        t.contains("id_number") && t.contains("身份证号") && t.contains("head_portrait"),
        "{t}"
    );
    assert!(!t.contains("bank_card"));
    let out = xocr_bare(dir.path())
        .args(["types", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    let out = xocr_bare(dir.path())
        .args(["codes", "40301"])
        .output()
        .unwrap();
    let t = text(&out.stdout);
    assert!(
        t.contains("Image format error") && t.contains("file") && t.contains("convert"),
        "{t}"
    );
    let out = xocr_bare(dir.path()).args(["codes"]).output().unwrap();
    let t = text(&out.stdout);
    assert_eq!(
        t.lines().filter(|l| l.contains("┆ stop ")).count(),
        16,
        "{t}"
    );
    assert_eq!(
        xocr_bare(dir.path())
            .args(["codes", "12345"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn a_business_licence_has_its_credit_code_checked_and_capital_parsed() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "licence.jpg", &picture(300, 200, 9, Jpeg));
    server.on(&std::fs::read(&f).unwrap(), Scenario::BusinessLicense);
    let out = server
        .xocr(dir.path())
        .args(["scan", "-o", "jsonl"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
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
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "other.jpg", &picture(300, 200, 10, Jpeg));
    server.on(&std::fs::read(&f).unwrap(), Scenario::Other);
    let run = |format: &str| {
        let out = server
            .xocr(dir.path())
            .args(["scan", "-o", format])
            .arg(&f)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{format}: {}",
            text(&out.stderr)
        );
        text(&out.stdout)
    };
    let r: Value = serde_json::from_str(&run("jsonl")).unwrap();
    assert_eq!(r["ok"], true);
    assert_eq!(r["type"], "other");
    assert_eq!(r["items"], serde_json::json!([]));
    assert_eq!(r["checks"], serde_json::json!([]));
    assert!(run("table").contains("(no fields recognised)"));
    // One row for the file, with empty key and value.
    let csv = run("csv");
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 1, "{csv}");
    assert_eq!((&rows[0][1], &rows[0][2], &rows[0][4]), ("other", "", ""));
}
