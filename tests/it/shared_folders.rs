//! Two processes, one folder; names the file system cannot take; what a
//! killed run leaves behind; pictures in a reply that are no pictures.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::server::{Scenario, Server, TOKEN, b64, noise_png, picture, write};
use serde_json::{Value, json};

/// `xocr` as a child process (to run two at once), with this server.
fn spawn(server: &Server, home: &Path, cwd: &Path, args: &[&str]) -> Child {
    let bin = assert_cmd::cargo::cargo_bin("xocr");
    let mut cmd = Command::new(bin);
    for (k, _) in std::env::vars() {
        if k.starts_with("XOCR_") || k.ends_with("_PROXY") || k.ends_with("_proxy") {
            cmd.env_remove(k);
        }
    }
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XOCR_ENDPOINT", &server.url)
        .env("XOCR_TOKEN", TOKEN)
        .current_dir(cwd)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start xocr")
}

fn records(child: Child) -> Vec<Value> {
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn saved_of<'a>(record: &'a Value, key: &str) -> &'a str {
    record["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .and_then(|i| i["picture"]["saved"].as_str())
        .unwrap_or_else(|| panic!("no saved {key} in {record}"))
}

#[test]
fn two_processes_with_one_out_dir_pay_for_each_picture_once() {
    let server = Server::start();
    server.latency(Duration::from_millis(150));
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    for i in 0..10u8 {
        let name = format!("p{i}.png");
        write(
            work.path(),
            &name,
            &picture(64, 48, i, image::ImageFormat::Png),
        );
        names.push(name);
    }
    let mut args = vec!["scan", "-o", "jsonl", "-j", "3", "--out-dir", "store"];
    args.extend(names.iter().map(String::as_str));
    let mut reversed = args.clone();
    reversed[7..].reverse();
    let a = spawn(&server, home.path(), work.path(), &args);
    let b = spawn(&server, home.path(), work.path(), &reversed);
    let (ra, rb) = (records(a), records(b));
    assert_eq!((ra.len(), rb.len()), (10, 10));
    assert!(ra.iter().chain(&rb).all(|r| r["ok"] == true));
    let mut shas: Vec<String> = server.requests().into_iter().map(|s| s.sha256).collect();
    shas.sort();
    let sent = shas.len();
    shas.dedup();
    assert_eq!((sent, shas.len()), (10, 10), "each picture paid for once");
    let left: Vec<String> = std::fs::read_dir(work.path().join("store"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".json"))
        .collect();
    assert!(
        left.is_empty(),
        "no lock or temporary file is left: {left:?}"
    );
}

#[test]
fn two_processes_with_one_picture_folder_never_share_a_name() {
    let server = Server::start();
    server.latency(Duration::from_millis(200));
    let home = tempfile::tempdir().unwrap();
    let top = tempfile::tempdir().unwrap();
    for round in 0..4u8 {
        let (da, db) = (
            top.path().join(format!("a{round}")),
            top.path().join(format!("b{round}")),
        );
        let crops = top.path().join(format!("crops{round}"));
        let (pa, pb) = (
            picture(40, 40, 2 * round, image::ImageFormat::Png),
            picture(40, 40, 2 * round + 1, image::ImageFormat::Png),
        );
        write(&da, "id.png", &pa);
        write(&db, "id.png", &pb);
        // Each input's reply carries a crop of its own size.
        server.on(&pa, Scenario::LargePicture(3000));
        server.on(&pb, Scenario::LargePicture(6000));
        let crops_arg = crops.to_str().unwrap();
        let args = ["scan", "id.png", "-o", "jsonl", "--save-images", crops_arg];
        let a = spawn(&server, home.path(), &da, &args);
        let b = spawn(&server, home.path(), &db, &args);
        let (ra, rb) = (records(a), records(b));
        let (sa, sb) = (
            saved_of(&ra[0], "crop_image"),
            saved_of(&rb[0], "crop_image"),
        );
        assert_ne!(sa, sb, "round {round}: both records name one file");
        for (r, s) in [(&ra[0], sa), (&rb[0], sb)] {
            let item = r["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["key"] == "crop_image")
                .unwrap();
            let on_disk = std::fs::read(s).unwrap().len() as u64;
            assert_eq!(
                item["picture"]["bytes"].as_u64(),
                Some(on_disk),
                "round {round}: {s} holds another record's picture"
            );
        }
    }
}

#[test]
fn temporary_files_of_killed_runs_are_cleaned_up() {
    let server = Server::start();
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    write(
        work.path(),
        "id.png",
        &picture(40, 40, 9, image::ImageFormat::Png),
    );
    // What `kill -9` leaves: temporary files of a process that is gone
    // (an id above Linux's pid_max), and one of a process still running.
    let live = format!(".xocr-{}-live", std::process::id());
    for dir in ["store", "crops"] {
        write(&work.path().join(dir), ".xocr-4194305-a1b2c3", &[0u8; 4096]);
        write(&work.path().join(dir), &live, b"in work");
    }
    write(&work.path().join("store"), "dead.8.lock", b"");
    server
        .xocr(home.path())
        .current_dir(work.path())
        .args([
            "scan",
            "id.png",
            "--out-dir",
            "store",
            "--save-images",
            "crops",
        ])
        .assert()
        .success();
    for dir in ["store", "crops"] {
        let d = work.path().join(dir);
        assert!(!d.join(".xocr-4194305-a1b2c3").exists(), "{dir}");
        assert!(d.join(&live).exists(), "{dir}: a live run's file is kept");
    }
    assert!(!work.path().join("store/dead.8.lock").exists());
}

/// A reply with these items, as the service would send it.
fn reply(items: Vec<Value>) -> &'static str {
    let body = json!({"code": 200, "message": "success", "result": {
        "type": "id_card", "type_description": "身份证", "image_angle": 0,
        "rotated_image_width": 100, "rotated_image_height": 60, "item_list": items}});
    Box::leak(body.to_string().into_boxed_str())
}

fn item(key: &str, value: &str) -> Value {
    json!({"key": key, "value": value, "description": "", "position": []})
}

#[test]
fn long_chinese_names_are_cut_in_bytes_and_case_only_keys_do_not_collide() {
    let server = Server::start();
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    // 80 characters: 240 bytes, as long as a file name can be with .png.
    let stem = "身".repeat(80);
    let file = format!("{stem}.png");
    let pic = picture(40, 40, 11, image::ImageFormat::Png);
    write(work.path(), &file, &pic);
    let long_key = "头像".repeat(50);
    server.on(
        &pic,
        Scenario::Raw(reply(vec![
            item(&long_key, &b64(&noise_png(500))),
            item("crop_image", &b64(&noise_png(600))),
            item("CROP_IMAGE", &b64(&noise_png(700))),
        ])),
    );
    let out = server
        .xocr(home.path())
        .current_dir(work.path())
        .args(["scan", &file, "-o", "json", "--save-images", "crops"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let saved: Vec<&str> = r[0]["saved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(saved.len(), 3, "{saved:?}");
    let names: Vec<String> = saved
        .iter()
        .map(|p| {
            Path::new(p)
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .to_string()
        })
        .collect();
    for n in &names {
        assert!(n.len() <= 255, "{} bytes: {n}", n.len());
    }
    let mut folded: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    folded.sort();
    folded.dedup();
    assert_eq!(
        folded.len(),
        3,
        "names differ without regard to case: {names:?}"
    );
}

#[test]
fn a_picture_field_with_bad_base64_is_reported() {
    let server = Server::start();
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let pic = picture(40, 40, 12, image::ImageFormat::Png);
    write(work.path(), "id.png", &pic);
    server.on(
        &pic,
        Scenario::Raw(reply(vec![
            item("name", "张三"),
            item("head_portrait", "iVBORw0KGgo%%%%not-base64%%%%"),
        ])),
    );
    let out = server
        .xocr(home.path())
        .current_dir(work.path())
        .args(["scan", "id.png", "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let w = r[0]["warnings"][0].as_str().unwrap();
    assert!(w.starts_with("head_portrait: not a picture"), "{w}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("id.png: warning: head_portrait: not a picture"),
        "{err}"
    );
}
