//! `-o xlsx` read back with calamine (cell types included) and as the zip
//! it is (pictures, notes, fills), and `--output FILE` written in full or
//! not at all.

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::path::Path;

use calamine::{Data, Reader, Xlsx};
use image::ImageFormat::Jpeg;

use crate::server::Scenario;
use crate::testenv::TestEnv;

/// The members of a zip file by name, decompressed (stored and deflated
/// members, found through the central directory).
fn unzip(bytes: &[u8]) -> HashMap<String, Vec<u8>> {
    let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]) as usize;
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap()) as usize;
    let end = (0..bytes.len() - 21)
        .rev()
        .find(|&i| bytes[i..i + 4] == [0x50, 0x4B, 0x05, 0x06])
        .expect("a zip file");
    let (count, mut at) = (u16_at(end + 10), u32_at(end + 16));
    let mut members = HashMap::new();
    for _ in 0..count {
        assert_eq!(bytes[at..at + 4], [0x50, 0x4B, 0x01, 0x02]);
        let method = u16_at(at + 10);
        let size = u32_at(at + 20);
        let (name_len, extra, comment) = (u16_at(at + 28), u16_at(at + 30), u16_at(at + 32));
        let local = u32_at(at + 42);
        let name = String::from_utf8(bytes[at + 46..at + 46 + name_len].to_vec()).unwrap();
        let data_at = local + 30 + u16_at(local + 26) + u16_at(local + 28);
        let raw = &bytes[data_at..data_at + size];
        let data = match method {
            0 => raw.to_vec(),
            8 => {
                let mut out = Vec::new();
                flate2::read::DeflateDecoder::new(raw)
                    .read_to_end(&mut out)
                    .unwrap();
                out
            }
            m => panic!("zip method {m}"),
        };
        members.insert(name, data);
        at += 46 + name_len + extra + comment;
    }
    members
}

/// A sheet of the workbook `bytes` as rows of cells.
fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range(name).unwrap();
    // Rows from A1, whatever the first used cell.
    let (r0, c0) = range.start().unwrap();
    assert_eq!((r0, c0), (0, 0), "the sheet starts at A1");
    range.rows().map(|r| r.to_vec()).collect()
}

/// The column whose second header row (the keys) is `key`.
fn col(rows: &[Vec<Data>], key: &str) -> usize {
    rows[1]
        .iter()
        .position(|c| *c == Data::String(key.into()))
        .unwrap_or_else(|| panic!("no column {key} in {:?}", rows[1]))
}

/// The row whose first cell is `file`.
fn row<'a>(rows: &'a [Vec<Data>], file: &str) -> &'a [Data] {
    rows.iter()
        .find(|r| r[0] == Data::String(file.into()))
        .unwrap_or_else(|| panic!("no row for {file}"))
}

fn text(s: &str) -> Data {
    Data::String(s.into())
}

/// The A1-style reference of row `r`, column `c` (0-based).
fn cell_ref(r: usize, c: usize) -> String {
    let mut c = c + 1;
    let mut letters = String::new();
    while c > 0 {
        letters.insert(0, (b'A' + ((c - 1) % 26) as u8) as char);
        c = (c - 1) / 26;
    }
    format!("{letters}{}", r + 1)
}

fn three_files(env: &TestEnv) {
    let a = env.picture("id.jpg", 476, 306, 1, Jpeg);
    let b = env.picture("bank.jpg", 476, 306, 2, Jpeg);
    let c = env.picture("refused.jpg", 476, 306, 3, Jpeg);
    env.answer(&a, Scenario::IdFront);
    env.answer(&b, Scenario::BankCard);
    env.answer(&c, Scenario::Code(40401));
}

#[test]
fn identifiers_stay_text_portraits_sit_in_their_cells_and_failures_get_a_sheet() {
    let env = TestEnv::new();
    three_files(&env);
    env.run([
        "scan",
        "-o",
        "xlsx",
        "--output",
        "out.xlsx",
        "id.jpg",
        "bank.jpg",
        "refused.jpg",
    ])
    .code(1)
    .stdout_lacks("PK");
    let bytes = std::fs::read(env.path().join("out.xlsx")).unwrap();
    let rows = sheet(&bytes, "results");
    // Two header rows: the description, then the key.
    assert_eq!(rows[0][0], text("文件"));
    assert_eq!(rows[1][0], text("file"));
    let id = col(&rows, "id_number");
    assert_eq!(rows[0][id], text("身份证号"));
    assert_eq!(rows.len(), 2 + 3, "a row per file");
    let r = row(&rows, "id.jpg");
    assert_eq!(r[col(&rows, "type")], text("id_card"));
    assert_eq!(r[col(&rows, "status")], text("ok"));
    assert_eq!(r[id], text("110101199003074514"), "18 digits, as text");
    assert_eq!(r[col(&rows, "birth")], text("1990年3月7日"));
    // The portrait is a picture in its cell (a rich value, which calamine
    // reads as the #VALUE! it stands on), not text.
    assert!(
        matches!(r[col(&rows, "head_portrait")], Data::Error(_)),
        "{:?}",
        r[col(&rows, "head_portrait")]
    );
    // Other pictures without --save-images: a placeholder.
    let crop = &r[col(&rows, "crop_image")];
    assert!(
        matches!(crop, Data::String(s) if s.starts_with("[jpeg picture")),
        "{crop:?}"
    );
    let b = row(&rows, "bank.jpg");
    assert_eq!(
        b[col(&rows, "card_number")],
        text("6222 0212 3456 7890 128")
    );
    assert_eq!(b[col(&rows, "validate_date")], text("09/28"), "not a date");
    let c = row(&rows, "refused.jpg");
    assert_eq!(c[col(&rows, "status")], text("failed"));
    assert!(matches!(&c[col(&rows, "error")], Data::String(s) if s.contains("40401")));

    let failed = sheet(&bytes, "failed");
    assert_eq!(
        failed[1],
        [text("file"), text("class"), text("code"), text("error")]
    );
    assert_eq!(failed.len(), 3, "one failed file: {failed:?}");
    assert_eq!(
        failed[2][..3],
        [text("refused.jpg"), text("file"), text("40401")]
    );

    let zip = unzip(&bytes);
    let media: Vec<_> = zip.keys().filter(|k| k.starts_with("xl/media/")).collect();
    assert_eq!(media.len(), 1, "{media:?}");
    let portrait = image::load_from_memory(&zip[media[0]]).unwrap();
    assert_eq!(
        (portrait.width(), portrait.height()),
        (36, 44),
        "the mock's portrait"
    );
    let sheet_xml = String::from_utf8(zip["xl/worksheets/sheet1.xml"].clone()).unwrap();
    assert!(
        sheet_xml.contains(r#"<pane xSplit="1" ySplit="2""#),
        "frozen headers"
    );
    assert!(
        sheet_xml.contains("<autoFilter ref=\"A2:"),
        "filter on the key row"
    );
    // The address column is wide enough for its Chinese text (24
    // characters, 48 widths).
    let address = col(&rows, "address") + 1;
    let cols_xml =
        &sheet_xml[sheet_xml.find("<cols>").unwrap()..sheet_xml.find("</cols>").unwrap()];
    let width = cols_xml
        .split("<col ")
        .find(|c| c.contains(&format!("min=\"{address}\"")))
        .and_then(|c| c.split("width=\"").nth(1))
        .and_then(|w| w.split('"').next())
        .and_then(|w| w.parse::<f64>().ok())
        .expect("the address column's width");
    assert!(width >= 48.0, "{width}");
}

#[test]
fn normalised_dates_are_date_cells() {
    let env = TestEnv::new();
    three_files(&env);
    env.run([
        "scan",
        "-o",
        "xlsx",
        "--normalized",
        "--output",
        "n.xlsx",
        "id.jpg",
        "bank.jpg",
    ])
    .code(0);
    let bytes = std::fs::read(env.path().join("n.xlsx")).unwrap();
    let rows = sheet(&bytes, "results");
    let birth = &row(&rows, "id.jpg")[col(&rows, "birth")];
    let Data::DateTime(d) = birth else {
        panic!("birth is {birth:?}, not a date cell")
    };
    let serial = chrono::NaiveDate::from_ymd_opt(1990, 3, 7)
        .unwrap()
        .signed_duration_since(chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap())
        .num_days();
    assert_eq!(d.as_f64(), serial as f64);
    // Normalised identifiers are still text; a card number without spaces
    // keeps all its 19 digits.
    let r = row(&rows, "id.jpg");
    assert_eq!(r[col(&rows, "id_number")], text("110101199003074514"));
    let b = row(&rows, "bank.jpg");
    assert_eq!(b[col(&rows, "card_number")], text("6222021234567890128"));
    // A card's expiry is no calendar date: left as text.
    assert!(matches!(b[col(&rows, "validate_date")], Data::String(_)));
    let styles = String::from_utf8(unzip(&bytes)["xl/styles.xml"].clone()).unwrap();
    assert!(styles.contains(r#"formatCode="yyyy-mm-dd""#), "{styles}");
}

#[test]
fn a_failed_check_is_filled_red_with_its_detail_in_a_note() {
    let env = TestEnv::new();
    let a = env.picture("misread.jpg", 476, 306, 1, Jpeg);
    env.answer(&a, Scenario::IdFrontMisread);
    env.run(["scan", "-o", "xlsx", "--output", "m.xlsx", "misread.jpg"])
        .code(0);
    let bytes = std::fs::read(env.path().join("m.xlsx")).unwrap();
    let rows = sheet(&bytes, "results");
    let id = col(&rows, "id_number");
    assert_eq!(rows[2][id], text("110101199003074519"));
    let checks = &rows[2][col(&rows, "checks_failed")];
    assert!(
        matches!(checks, Data::String(s) if s.contains("id_check_char")),
        "{checks:?}"
    );
    let zip = unzip(&bytes);
    let comments = zip
        .iter()
        .find(|(k, _)| k.starts_with("xl/comments"))
        .map(|(_, v)| String::from_utf8(v.clone()).unwrap())
        .expect("a comments part");
    let id_ref = cell_ref(2, id);
    assert!(
        comments.contains(&format!("ref=\"{id_ref}\"")),
        "{comments}"
    );
    assert!(comments.contains("id_check_char"), "{comments}");
    // The cell's style has the red fill; a passing cell's has none.
    let sheet_xml = String::from_utf8(zip["xl/worksheets/sheet1.xml"].clone()).unwrap();
    let style_of = |r: &str| -> usize {
        let at = sheet_xml.find(&format!("<c r=\"{r}\"")).unwrap();
        let c = &sheet_xml[at..at + sheet_xml[at..].find('>').unwrap()];
        c.split("s=\"")
            .nth(1)
            .map_or(0, |s| s.split('"').next().unwrap().parse().unwrap())
    };
    let styles = String::from_utf8(zip["xl/styles.xml"].clone()).unwrap();
    let xfs = &styles[styles.find("<cellXfs").unwrap()..];
    let fill_of = |xf: usize| -> usize {
        let x = xfs.split("<xf ").nth(xf + 1).unwrap();
        x.split("fillId=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let fills = &styles[styles.find("<fills").unwrap()..styles.find("</fills>").unwrap()];
    let fill = |n: usize| fills.split("<fill>").nth(n + 1).unwrap().to_string();
    assert!(
        fill(fill_of(style_of(&id_ref))).contains("FFFFC7CE"),
        "{styles}"
    );
    let name_ref = cell_ref(2, col(&rows, "name"));
    assert!(!fill(fill_of(style_of(&name_ref))).contains("FFFFC7CE"));
}

#[test]
fn no_images_has_no_pictures_and_a_pipe_gets_the_workbook() {
    let env = TestEnv::new();
    three_files(&env);
    let run = env
        .run(["scan", "-o", "xlsx", "--no-images", "id.jpg"])
        .code(0);
    let bytes = run.stdout_bytes().to_vec();
    assert_eq!(&bytes[..2], b"PK", "the workbook on stdout");
    let zip = unzip(&bytes);
    assert!(
        !zip.keys().any(|k| k.starts_with("xl/media/")),
        "{:?}",
        zip.keys()
    );
    let rows = sheet(&bytes, "results");
    // Both header rows in full, also in a constant-memory sheet.
    assert_eq!(rows[0][0], text("文件"));
    assert_eq!(rows[0][col(&rows, "id_number")], text("身份证号"));
    assert_eq!(rows[0][col(&rows, "error")], text("错误"));
    let portrait = &row(&rows, "id.jpg")[col(&rows, "head_portrait")];
    assert!(
        matches!(portrait, Data::String(s) if s.starts_with("[png picture")),
        "{portrait:?}"
    );
    // With --save-images, the pictures' paths.
    env.run([
        "scan",
        "-o",
        "xlsx",
        "--no-images",
        "--save-images",
        "pics",
        "--output",
        "s.xlsx",
        "id.jpg",
    ])
    .code(0);
    let rows = sheet(
        &std::fs::read(env.path().join("s.xlsx")).unwrap(),
        "results",
    );
    let crop = &row(&rows, "id.jpg")[col(&rows, "crop_image")];
    let Data::String(path) = crop else {
        panic!("{crop:?}")
    };
    assert!(env.path().join(path).is_file(), "{path}");
    // --mask leaves faces out too.
    let run = env.run(["scan", "-o", "xlsx", "--mask", "id.jpg"]).code(0);
    let zip = unzip(run.stdout_bytes());
    assert!(!zip.keys().any(|k| k.starts_with("xl/media/")));
    env.run(["scan", "-o", "json", "--no-images", "id.jpg"])
        .code(2)
        .stderr_has("--no-images goes with -o xlsx");
}

/// The process's umask, from `/proc/self/status` (Linux).
fn umask() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Umask:"))?;
    u32::from_str_radix(line.split_whitespace().nth(1)?, 8).ok()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn output_file_is_replaced_whole_or_not_at_all() {
    let env = TestEnv::new();
    three_files(&env);
    std::fs::create_dir(env.path().join("out")).unwrap();
    let dest = env.path().join("out/r.json");
    std::fs::write(&dest, "old").unwrap();
    // Every format: JSON Lines here, in full, and nothing on stdout.
    env.run([
        "scan",
        "-o",
        "jsonl",
        "--output",
        "out/r.json",
        "id.jpg",
        "bank.jpg",
    ])
    .code(0)
    .stdout_lacks("id_card");
    let text = std::fs::read_to_string(&dest).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert_eq!(
        names(&env.path().join("out")),
        ["r.json"],
        "no temporary file left"
    );
    #[cfg(unix)]
    if let Some(mask) = umask() {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&dest).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o666 & !mask, "the umask's mode, as other files");
    }
    // A run that stops on an error before its output is complete (the
    // folder of a picture to save cannot be made) leaves the old file.
    std::fs::write(&dest, "old").unwrap();
    std::fs::write(env.path().join("blocker"), "a file").unwrap();
    env.run([
        "scan",
        "-o",
        "json",
        "--output",
        "out/r.json",
        "--save-images",
        "blocker/pics",
        "id.jpg",
    ])
    .code(2);
    assert_eq!(std::fs::read_to_string(&dest).unwrap(), "old");
    assert_eq!(names(&env.path().join("out")), ["r.json"]);
    // A missing folder is a usage error before anything is sent.
    let before = env.server.requests().len();
    env.run(["scan", "-o", "csv", "--output", "missing/r.csv", "id.jpg"])
        .code(2)
        .stderr_has("missing");
    assert_eq!(env.server.requests().len(), before);
}

#[cfg(unix)]
#[test]
fn a_killed_run_leaves_the_old_file_and_ctrl_c_a_complete_one() {
    use std::process::{Command, Stdio};
    use std::time::Duration;
    let env = TestEnv::new();
    let slow = env.picture("slow.jpg", 476, 306, 9, Jpeg);
    let fast = env.picture("fast.jpg", 476, 306, 8, Jpeg);
    env.picture("later.jpg", 476, 306, 7, Jpeg);
    env.answer(&slow, Scenario::Slow(Duration::from_secs(6)));
    env.answer(&fast, Scenario::IdFront);
    let dest = env.path().join("r.xlsx");
    std::fs::write(&dest, "old").unwrap();
    let start = |signal: rustix::process::Signal| {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("xocr"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", env.path())
            .env("XDG_CONFIG_HOME", env.path().join(".config"))
            .env("XOCR_ENDPOINT", &env.server.url)
            .env("XOCR_TOKEN", crate::server::TOKEN)
            .current_dir(env.path())
            .args([
                "scan",
                "-o",
                "xlsx",
                "--output",
                "r.xlsx",
                "-j",
                "1",
                "fast.jpg",
                "slow.jpg",
                "later.jpg",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // The fast file is done and the slow one in flight.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while env
            .server
            .requests()
            .iter()
            .filter(|r| r.code == 200)
            .count()
            < 1
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(300));
        let pid = rustix::process::Pid::from_raw(child.id() as i32).unwrap();
        rustix::process::kill_process(pid, signal).unwrap();
        child.wait().unwrap()
    };
    let status = start(rustix::process::Signal::KILL);
    assert!(status.code().is_none(), "killed");
    assert_eq!(std::fs::read_to_string(&dest).unwrap(), "old");
    // Ctrl-C: the finished file's row, the one not begun not attempted.
    let status = start(rustix::process::Signal::INT);
    assert_eq!(status.code(), Some(130));
    let bytes = std::fs::read(&dest).unwrap();
    let rows = sheet(&bytes, "results");
    assert_eq!(row(&rows, "fast.jpg")[col(&rows, "status")], text("ok"));
    let failed = sheet(&bytes, "failed");
    let later = row(&failed, "later.jpg");
    assert_eq!(later[1], text("not_attempted"), "{failed:?}");
    // The killed run's temporary file was removed by the next run.
    assert_eq!(
        names(env.path())
            .iter()
            .filter(|n| n.starts_with(".xocr-"))
            .count(),
        0,
        "{:?}",
        names(env.path())
    );
}

#[test]
fn a_hostile_key_still_makes_a_workbook() {
    // A reply is untrusted: a key that is a path, holding a picture.
    let env = TestEnv::new();
    let a = env.picture("hostile.jpg", 476, 306, 1, Jpeg);
    env.answer(&a, Scenario::HostileKey);
    env.run(["scan", "-o", "xlsx", "--output", "h.xlsx", "hostile.jpg"])
        .code(0);
    let rows = sheet(
        &std::fs::read(env.path().join("h.xlsx")).unwrap(),
        "results",
    );
    assert_eq!(row(&rows, "hostile.jpg")[col(&rows, "status")], text("ok"));
}

#[test]
fn each_portrait_is_embedded_small_and_once() {
    let env = TestEnv::new();
    for (i, name) in ["a.jpg", "b.jpg", "c.jpg"].iter().enumerate() {
        let p = env.picture(name, 476, 306, 20 + i as u8, Jpeg);
        env.answer(&p, Scenario::DistinctPortrait(24));
    }
    // c.jpg is the same picture as a.jpg: the same portrait, stored once.
    std::fs::copy(env.path().join("a.jpg"), env.path().join("c.jpg")).unwrap();
    let run = env
        .run(["scan", "-o", "xlsx", "a.jpg", "b.jpg", "c.jpg"])
        .code(0);
    let zip = unzip(run.stdout_bytes());
    let media: Vec<_> = zip
        .iter()
        .filter(|(k, _)| k.starts_with("xl/media/"))
        .collect();
    assert_eq!(media.len(), 2, "{:?}", zip.keys());
    for (name, bytes) in media {
        let img = image::load_from_memory(bytes).unwrap();
        assert!(
            img.width().max(img.height()) <= 192,
            "{name}: {}x{}",
            img.width(),
            img.height()
        );
        assert!(bytes.len() < 24 * 1024, "{name}: {} bytes", bytes.len());
    }
}
