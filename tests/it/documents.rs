//! Documents in: scanned PDFs and multi-page TIFFs read page by page
//! (`scan.pdf#p2`), HEIC photos (cargo feature `heic`), pictures given as
//! base64 text on standard input, and picture extensions in globs matched
//! in any case.

use std::io::Write;

use base64::Engine as _;
use image::ImageFormat::{Jpeg, Png};
use lopdf::{Dictionary, Document, Object, Stream, dictionary};
use serde_json::Value;

use crate::server::{corpus_dir, picture, sha_hex};
use crate::testenv::TestEnv;

fn files(rs: &[Value]) -> Vec<String> {
    rs.iter()
        .map(|r| r["file"].as_str().unwrap().to_string())
        .collect()
}

fn message(r: &Value) -> String {
    r["error"]["message"].as_str().unwrap_or("").to_string()
}

/// What one page of a test PDF holds.
enum Content {
    /// A JPEG drawn over the page (DCTDecode).
    Jpeg(Vec<u8>),
    /// Raw 8-bit RGB samples, Flate-compressed.
    FlateRgb { w: u32, h: u32, samples: Vec<u8> },
    /// Only text.
    Text,
}

struct PageSpec {
    content: Content,
    rotate: Option<i64>,
}

fn page(content: Content) -> PageSpec {
    PageSpec {
        content,
        rotate: None,
    }
}

/// A PDF of `pages`, written with lopdf as a scanner would: one picture
/// per page, drawn over an A4 page.
fn pdf(pages: Vec<PageSpec>, trailer: Option<(&str, Object)>) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut kids = Vec::new();
    for p in &pages {
        let (resources, content): (Dictionary, Vec<u8>) = match &p.content {
            Content::Text => {
                let font = doc.add_object(dictionary! {
                    "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
                });
                (
                    dictionary! { "Font" => dictionary! { "F1" => font } },
                    b"BT /F1 12 Tf 72 720 Td (Name: Wang Xiaoming) Tj ET".to_vec(),
                )
            }
            pic => {
                let (dict, data) = match pic {
                    Content::Jpeg(jpeg) => {
                        let (w, h) = image::load_from_memory(jpeg)
                            .unwrap()
                            .to_rgb8()
                            .dimensions();
                        (
                            dictionary! {
                                "Type" => "XObject", "Subtype" => "Image",
                                "Width" => w as i64, "Height" => h as i64,
                                "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8,
                                "Filter" => "DCTDecode",
                            },
                            jpeg.clone(),
                        )
                    }
                    Content::FlateRgb { w, h, samples } => {
                        let mut z = flate2::write::ZlibEncoder::new(
                            Vec::new(),
                            flate2::Compression::fast(),
                        );
                        z.write_all(samples).unwrap();
                        (
                            dictionary! {
                                "Type" => "XObject", "Subtype" => "Image",
                                "Width" => *w as i64, "Height" => *h as i64,
                                "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8,
                                "Filter" => "FlateDecode",
                            },
                            z.finish().unwrap(),
                        )
                    }
                    Content::Text => unreachable!(),
                };
                let image = doc.add_object(Stream::new(dict, data));
                (
                    dictionary! { "XObject" => dictionary! { "Im0" => image } },
                    b"q 595 0 0 842 0 0 cm /Im0 Do Q".to_vec(),
                )
            }
        };
        let contents = doc.add_object(Stream::new(dictionary! {}, content));
        let mut page = dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Contents" => contents,
            "Resources" => resources,
        };
        if let Some(r) = p.rotate {
            page.set("Rotate", r);
        }
        kids.push(Object::Reference(doc.add_object(page)));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    if let Some((k, v)) = trailer {
        doc.trailer.set(k, v);
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn jpeg(w: u32, h: u32, seed: u8) -> Vec<u8> {
    picture(w, h, seed, Jpeg)
}

#[test]
fn a_scanned_pdf_gives_one_record_a_page_in_order_in_every_format() {
    let env = TestEnv::new();
    let (front, back) = (jpeg(600, 380, 1), jpeg(600, 380, 2));
    let scan = pdf(
        vec![
            page(Content::Jpeg(front.clone())),
            page(Content::Jpeg(back.clone())),
        ],
        None,
    );
    env.write("scan.pdf", &scan);
    env.picture("after.png", 100, 60, 3, Png);
    let rs = env
        .run(["scan", "-o", "jsonl", "scan.pdf", "after.png"])
        .code(0)
        .stderr_has("2 files, 3 pages: 3 succeeded")
        .jsonl();
    assert_eq!(files(&rs), ["scan.pdf#p1", "scan.pdf#p2", "after.png"]);
    // Each page's JPEG goes up byte for byte, page 1 first.
    let sent: Vec<String> = env
        .server
        .requests()
        .into_iter()
        .map(|r| r.sha256)
        .collect();
    assert!(sent.contains(&sha_hex(&front)) && sent.contains(&sha_hex(&back)));
    assert!(rs[0].get("preprocess").is_none(), "{}", rs[0]);

    let csv = env.run(["scan", "-o", "csv", "scan.pdf"]).code(0).stdout();
    assert!(csv.contains("\nscan.pdf#p1,id_card,name,"), "{csv}");
    assert!(csv.contains("\nscan.pdf#p2,id_card,name,"), "{csv}");
    let table = env.run(["scan", "scan.pdf"]).code(0).stdout();
    assert!(table.contains("scan.pdf#p2  id_card"), "{table}");
    let json = env.run(["scan", "-o", "json", "scan.pdf"]).code(0).json();
    assert_eq!(json[1]["file"], "scan.pdf#p2");
}

#[test]
fn pages_are_stored_by_their_pictures_and_saved_under_safe_paged_names() {
    let env = TestEnv::new();
    let scan = pdf(
        vec![
            page(Content::Jpeg(jpeg(500, 320, 4))),
            page(Content::Jpeg(jpeg(500, 320, 5))),
        ],
        None,
    );
    env.write("in/scan.pdf", &scan);
    let args = [
        "scan",
        "-o",
        "jsonl",
        "--out-dir",
        "store",
        "--save-images",
        "crops",
        "in/scan.pdf",
    ];
    let rs = env.run(args).code(0).jsonl();
    assert_eq!(files(&rs), ["in/scan.pdf#p1", "in/scan.pdf#p2"]);
    let saved: Vec<&str> = rs[1]["saved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        saved.contains(&"crops/scan_p2.head_portrait.png"),
        "{saved:?}"
    );
    assert!(env.path().join("crops/scan_p1.head_portrait.png").is_file());
    // A rerun reads both pages from the store: no request.
    let before = env.server.requests().len();
    env.run(args)
        .code(0)
        .stderr_has("2 succeeded (2 already stored)");
    assert_eq!(env.server.requests().len(), before);
    // A picture that is page 2 elsewhere is the same picture.
    let stored: Vec<_> = std::fs::read_dir(env.path().join("store"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
        .collect();
    assert_eq!(stored.len(), 2);
}

#[test]
fn a_flate_page_is_decoded_and_a_turned_page_is_turned() {
    let env = TestEnv::new();
    let (w, h) = (300u32, 200u32);
    let samples: Vec<u8> = (0..w * h)
        .flat_map(|i| [(i % 251) as u8, (i / w) as u8, 200])
        .collect();
    let mut turned = page(Content::Jpeg(jpeg(400, 250, 6)));
    turned.rotate = Some(90);
    let doc = pdf(
        vec![page(Content::FlateRgb { w, h, samples }), turned],
        None,
    );
    env.write("mixed.pdf", &doc);
    let rs = env
        .run(["scan", "-o", "jsonl", "mixed.pdf"])
        .code(0)
        .jsonl();
    // The raster became a PNG the service takes as it is.
    assert!(rs[0].get("preprocess").is_none(), "{}", rs[0]);
    let sent = env.server.requests();
    assert_eq!(sent.len(), 2);
    // /Rotate 90: turned before it is sent, the long side now upright.
    let p = rs[1]["preprocess"].as_str().unwrap();
    assert!(p.contains("rotated 90"), "{p}");
}

#[test]
fn a_text_page_an_encrypted_and_a_broken_pdf_each_get_a_clear_error() {
    let env = TestEnv::new();
    let text = pdf(
        vec![page(Content::Jpeg(jpeg(500, 300, 7))), page(Content::Text)],
        None,
    );
    env.write("text.pdf", &text);
    let secret = pdf(
        vec![page(Content::Jpeg(jpeg(500, 300, 8)))],
        Some((
            "Encrypt",
            Object::Dictionary(dictionary! { "Filter" => "Standard", "V" => 1, "R" => 2 }),
        )),
    );
    env.write("secret.pdf", &secret);
    let whole = pdf(
        vec![
            page(Content::Jpeg(jpeg(500, 300, 9))),
            page(Content::Jpeg(jpeg(500, 300, 10))),
        ],
        None,
    );
    env.write("cut.pdf", &whole[..whole.len() * 2 / 3]);
    env.write(
        "empty-tree.pdf",
        b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n",
    );
    env.picture("ok.jpg", 120, 80, 11, Jpeg);
    let out = env
        .run([
            "scan",
            "-o",
            "jsonl",
            "text.pdf",
            "secret.pdf",
            "cut.pdf",
            "empty-tree.pdf",
            "ok.jpg",
        ])
        .code(1)
        .stderr_has("text.pdf#p2: page 2: no picture on this page")
        .stderr_has("secret.pdf: encrypted PDF");
    let rs = out.jsonl();
    let by = |f: &str| rs.iter().find(|r| r["file"] == f).unwrap();
    assert_eq!(by("text.pdf#p1")["ok"], true);
    let m = message(by("text.pdf#p2"));
    assert!(m.contains("pdftoppm") && m.contains("-f 2 -l 2"), "{m}");
    assert_eq!(by("text.pdf#p2")["error"]["class"], "input");
    assert!(message(by("secret.pdf")).contains("qpdf --decrypt"));
    assert!(
        message(by("empty-tree.pdf")).starts_with("damaged PDF"),
        "{}",
        by("empty-tree.pdf")
    );
    // The cut PDF: one error for the file, naming the damage; the batch
    // goes on to ok.jpg.
    let m = message(by("cut.pdf"));
    assert!(m.starts_with("truncated PDF: the file ends before"), "{m}");
    assert_eq!(rs.last().unwrap()["file"], "ok.jpg");
    assert_eq!(rs.last().unwrap()["ok"], true);
}

#[test]
fn the_corpus_pdf_with_only_a_1px_picture_is_refused_with_a_reason() {
    let env = TestEnv::new();
    let f = corpus_dir().join("pdf-document.pdf");
    let rs = env
        .xocr()
        .args(["scan", "-o", "jsonl"])
        .arg(&f)
        .run()
        .code(1)
        .jsonl();
    for r in &rs {
        let m = message(r);
        assert!(m.contains("1x1 px") && m.contains("pdftoppm"), "{m}");
    }
    assert!(env.server.requests().is_empty());
}

/// A little-endian TIFF of RGB pages, written with the tiff crate.
fn multipage_tiff(pages: &[(u32, u32, u8)]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut enc = tiff::encoder::TiffEncoder::new(&mut buf).unwrap();
    for &(w, h, v) in pages {
        let px: Vec<u8> = (0..w * h).flat_map(|i| [v, (i % 200) as u8, 90]).collect();
        enc.write_image::<tiff::encoder::colortype::RGB8>(w, h, &px)
            .unwrap();
    }
    buf.into_inner()
}

#[test]
fn every_page_of_a_multipage_tiff_is_read() {
    let env = TestEnv::new();
    env.write(
        "front-back.tif",
        &multipage_tiff(&[(300, 200, 10), (320, 210, 200)]),
    );
    env.write("one.tif", &multipage_tiff(&[(200, 100, 50)]));
    let rs = env
        .run(["scan", "-o", "jsonl", "front-back.tif", "one.tif"])
        .code(0)
        .stderr_lacks("first of")
        .jsonl();
    assert_eq!(
        files(&rs),
        ["front-back.tif#p1", "front-back.tif#p2", "one.tif"]
    );
    for r in &rs {
        let p = r["preprocess"].as_str().unwrap();
        assert!(p.starts_with("from TIFF"), "{p}");
    }
    // Two different pictures went up for the two pages.
    let sent: std::collections::HashSet<String> = env
        .server
        .requests()
        .into_iter()
        .map(|r| r.sha256)
        .collect();
    assert_eq!(sent.len(), 3);
}

#[test]
fn a_folder_walk_takes_pdfs_and_heic_by_name() {
    let env = TestEnv::new();
    env.write(
        "in/a.pdf",
        &pdf(vec![page(Content::Jpeg(jpeg(300, 200, 12)))], None),
    );
    std::fs::copy(
        corpus_dir().join("heic-photo.heic"),
        env.path().join("in/b.HEIC"),
    )
    .unwrap();
    env.write("in/notes.txt", b"not a picture");
    let rs = env.run(["scan", "-o", "jsonl", "-r", "in"]).jsonl();
    // One page: labelled as the file.
    assert_eq!(files(&rs), ["in/a.pdf", "in/b.HEIC"]);
    assert_eq!(rs[0]["ok"], true);
}

#[test]
fn base64_text_on_stdin_is_decoded_in_every_usual_form() {
    let env = TestEnv::new();
    let jpg = jpeg(160, 100, 13);
    let std64 = base64::engine::general_purpose::STANDARD.encode(&jpg);
    // Line breaks every 76 characters, as MIME writes it, and white space.
    let wrapped: String = std64
        .as_bytes()
        .chunks(76)
        .map(|c| format!("{}\r\n", std::str::from_utf8(c).unwrap()))
        .collect();
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&jpg);
    let data = format!("data:image/jpeg;base64,{std64}");
    for (what, text) in [
        ("standard", std64.clone()),
        ("wrapped", format!("  \n{wrapped}\n")),
        ("url-safe, no padding", url),
        ("data URL", data),
    ] {
        let r = env
            .xocr()
            .args(["scan", "-o", "json", "-"])
            .write_stdin(text)
            .run()
            .code(0)
            .json();
        assert_eq!(r[0]["ok"], true, "{what}: {r}");
        let last = env.server.requests().pop().unwrap();
        assert_eq!(
            last.sha256,
            sha_hex(&jpg),
            "{what}: the picture itself went up"
        );
    }
    // Binary picture bytes keep working, and text that is no picture is
    // still refused as text.
    env.xocr()
        .args(["scan", "-o", "json", "-"])
        .write_stdin(jpg.clone())
        .run()
        .code(0);
    env.xocr()
        .args(["scan", "-o", "json", "-"])
        .write_stdin("aGVsbG8gd29ybGQ=\n")
        .run()
        .code(1)
        .stdout_has("plain text");
    // A PDF in base64 is split into its pages too.
    let doc = pdf(
        vec![
            page(Content::Jpeg(jpeg(300, 200, 14))),
            page(Content::Jpeg(jpeg(300, 200, 15))),
        ],
        None,
    );
    let rs = env
        .xocr()
        .args(["scan", "-o", "jsonl", "-"])
        .write_stdin(base64::engine::general_purpose::STANDARD.encode(&doc))
        .run()
        .code(0)
        .jsonl();
    assert_eq!(files(&rs), ["-#p1", "-#p2"]);
}

#[test]
fn globs_match_picture_extensions_in_any_case() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.path().join("phone")).unwrap();
    std::fs::copy(
        corpus_dir().join("heic-photo.heic"),
        env.path().join("phone/IMG_0001.HEIC"),
    )
    .unwrap();
    env.picture("A.JPG", 100, 60, 16, Jpeg);
    env.picture("b.jpg", 100, 60, 17, Jpeg);
    env.picture("Scans/c.png", 100, 60, 18, Png);
    let rs = env.run(["scan", "-o", "jsonl", "*.jpg"]).code(0).jsonl();
    assert_eq!(files(&rs), ["A.JPG", "b.jpg"]);
    let rs = env.run(["scan", "-o", "jsonl", "phone/*.heic"]).jsonl();
    assert_eq!(files(&rs), ["phone/IMG_0001.HEIC"]);
    let rs = env.run(["scan", "-o", "jsonl", "IMG_*.jpg"]);
    rs.code(2);
    // The rest of the pattern matches case as written, and says so.
    env.run(["scan", "scans/*.png"]).code(2).stderr_has(
        "no file matches the pattern \"scans/*.png\", but Scans/c.png does in another case",
    );
}

/// HEIC/HEIF: decoded with the `heic` feature (CI runs these with
/// `cargo test --features heic --test it documents::heic`), refused with a
/// clear error naming the feature without it.
mod heic {
    use super::*;

    #[cfg(feature = "heic")]
    #[test]
    fn corpus_heic_files_are_read_or_refused_as_the_manifest_says() {
        let env = TestEnv::new();
        let dir = corpus_dir();
        let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap();
        let rows: Vec<(String, String)> = manifest
            .lines()
            .skip(1)
            .map(|l| l.split('\t').collect::<Vec<_>>())
            .filter(|c| c[0].ends_with(".heic") || c[0].ends_with(".heif"))
            .map(|c| (c[0].to_string(), c.last().unwrap().to_string()))
            .collect();
        assert!(rows.len() >= 6, "{rows:?}");
        let mut cmd = env.xocr();
        cmd.args(["scan", "-o", "jsonl", "--retries", "0"]);
        for (f, _) in &rows {
            cmd.arg(dir.join(f));
        }
        let rs = cmd.run().jsonl();
        assert_eq!(rs.len(), rows.len());
        let mut read = 0;
        for ((f, expect), r) in rows.iter().zip(&rs) {
            let m = message(r).to_lowercase();
            let ok = r["ok"] == true;
            read += usize::from(ok);
            let right = match expect.as_str() {
                "ok" | "ok-or-explained" => ok || (m.contains("heic") && m.contains("convert")),
                "reject" => !ok && r["error"]["class"] == "input" && m.contains("heic"),
                _ => ok || !m.is_empty(),
            };
            assert!(right, "{f} (expect {expect}): {r}");
            if ok {
                assert!(
                    r["preprocess"].as_str().unwrap().starts_with("from HEIC"),
                    "{r}"
                );
            }
        }
        // The plain iPhone-style photos are read.
        assert!(read >= 3, "{rs:?}");
        let photo = rows
            .iter()
            .position(|(f, _)| f == "heic-photo.heic")
            .unwrap();
        assert_eq!(rs[photo]["ok"], true, "{}", rs[photo]);
    }

    #[cfg(not(feature = "heic"))]
    #[test]
    fn without_the_feature_heic_is_refused_naming_the_feature() {
        let env = TestEnv::new();
        let out = env
            .xocr()
            .args(["scan", "-o", "json"])
            .arg(corpus_dir().join("heic-photo.heic"))
            .run()
            .code(1)
            .json();
        let m = message(&out[0]);
        assert!(
            m.contains("cargo feature `heic`")
                && m.contains("the service does not take HEIC")
                && m.contains("heif-convert"),
            "{m}"
        );
        assert!(env.server.requests().is_empty());
    }
}
