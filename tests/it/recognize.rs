//! End-to-end tests of the offline engine on pictures rendered at test time.

use crate::draw::*;
use image::{Rgb, RgbImage};
use std::sync::{Arc, OnceLock};
use xocr::engine::local::{Recognizer, RecognizerOptions, TextLine};

fn engine() -> &'static Recognizer {
    static E: OnceLock<Recognizer> = OnceLock::new();
    E.get_or_init(|| Recognizer::load(&RecognizerOptions::default()).expect("load models"))
}

fn texts(lines: &[TextLine]) -> Vec<&str> {
    lines.iter().map(|l| l.text.as_str()).collect()
}

const STRINGS: [&str; 3] = [
    "中华人民共和国居民身份证",
    "姓名张三",
    "公民身份号码 110101199003074514",
];

/// What the recogniser returns for [`STRINGS`]: PP-OCRv4 drops the narrow
/// space between the label and the number.
const EXPECTED: [&str; 3] = [
    "中华人民共和国居民身份证",
    "姓名张三",
    "公民身份号码110101199003074514",
];

#[test]
fn reads_known_strings_exactly() {
    let (img, boxes) = text_picture(&STRINGS, 32.0);
    let lines = engine().recognize(&img).unwrap();
    assert_eq!(texts(&lines), EXPECTED, "{lines:#?}");
    for (l, &(x0, y0, x1, y1)) in lines.iter().zip(&boxes) {
        assert!(l.confidence > 0.8 && l.confidence <= 1.0, "{l:?}");
        // Every corner lies near the drawn text, and the box covers it.
        let p = l.position;
        let xs = [p[0], p[2], p[4], p[6]].map(|v| v as f32);
        let ys = [p[1], p[3], p[5], p[7]].map(|v| v as f32);
        let tol = 16.0;
        for k in 0..4 {
            assert!(
                xs[k] > x0 - tol && xs[k] < x1 + tol,
                "{l:?} vs {:?}",
                (x0, y0, x1, y1)
            );
            assert!(
                ys[k] > y0 - tol && ys[k] < y1 + tol,
                "{l:?} vs {:?}",
                (x0, y0, x1, y1)
            );
        }
        assert!(xs[0] < x0 + 8.0 && xs[1] > x1 - 8.0, "{l:?}");
        // Corner order: top-left, top-right, bottom-right, bottom-left.
        assert!(
            xs[0] < xs[1] && ys[1] < ys[2] && xs[2] > xs[3] && ys[3] > ys[0],
            "{l:?}"
        );
    }
}

#[test]
fn upside_down_text_reads_upright() {
    let (img, _) = text_picture(&STRINGS, 32.0);
    let img = image::imageops::rotate180(&img);
    let lines = engine().recognize(&img).unwrap();
    // Reading order follows the picture (the page is upside down), the text
    // of each line is upright.
    let mut got = texts(&lines);
    got.sort();
    let mut want = EXPECTED.to_vec();
    want.sort();
    assert_eq!(got, want, "{lines:#?}");
}

#[test]
fn without_classifier_upside_down_text_is_not_read() {
    // Proves the classifier is what makes the previous test pass.
    let (img, _) = text_picture(&STRINGS, 32.0);
    let img = image::imageops::rotate180(&img);
    let e = Recognizer::load(&RecognizerOptions::default()).unwrap();
    let mut t = e.tuning();
    t.use_cls = false;
    let e = e.with_tuning(t);
    let lines = e.recognize(&img).unwrap();
    for want in EXPECTED {
        assert!(!texts(&lines).contains(&want), "{lines:#?}");
    }
}

#[test]
fn large_picture_with_large_text() {
    // 4000×2400 with 150 px text: detection sees it at 960 px wide.
    let mut img = RgbImage::from_pixel(4000, 2400, Rgb([250, 250, 245]));
    draw_text(&mut img, "姓名张三", 400.0, 600.0, 150.0, [10, 10, 10]);
    draw_text(
        &mut img,
        "110101199003074514",
        400.0,
        1400.0,
        150.0,
        [10, 10, 10],
    );
    let lines = engine().recognize(&img).unwrap();
    assert_eq!(
        texts(&lines),
        ["姓名张三", "110101199003074514"],
        "{lines:#?}"
    );
    let p = lines[1].position;
    assert!(
        p[0] > 300 && p[0] < 420 && p[1] > 1350 && p[5] < 1650,
        "{p:?}"
    );
}

#[test]
fn small_text_lines_read_exactly() {
    // Text 18 px high, about what a phone photo of a card gives.
    let (img, _) = text_picture(&STRINGS, 18.0);
    assert_eq!(texts(&engine().recognize(&img).unwrap()), EXPECTED);
}

#[test]
fn thin_strips_are_letterboxed_and_read() {
    // A one-line strip such as a cut-out ID number, the text filling its
    // height: at 900 × 40 it would make a detection input only 32 rows high,
    // where DB finds no text (the first two fail without the letterbox).
    for (w, h, px) in [
        (900, 40, 38.0),
        (2400, 48, 44.0),
        (1200, 34, 33.0),
        (40, 900, 38.0),
    ] {
        let tall = h > w;
        let (lw, lh) = if tall { (h, w) } else { (w, h) };
        let mut strip = RgbImage::from_pixel(lw, lh, Rgb([255, 255, 255]));
        draw_text(
            &mut strip,
            "110101199003074514",
            4.0,
            (lh as f32 - px) / 2.0,
            px,
            [0; 3],
        );
        if tall {
            strip = image::imageops::rotate90(&strip);
        }
        let lines = engine().recognize(&strip).unwrap();
        assert_eq!(texts(&lines), ["110101199003074514"], "{w}x{h}");
        // The box lies on the strip, not on the bands around it.
        let p = lines[0].position;
        assert!(
            p.iter().step_by(2).all(|&x| (0..w as i32).contains(&x)),
            "{p:?}"
        );
        assert!(
            p.iter()
                .skip(1)
                .step_by(2)
                .all(|&y| (0..h as i32).contains(&y)),
            "{p:?}"
        );
    }
}

/// Lines of the committed specimen `examples/id-card-front.jpg`.
const FRONT: [&str; 8] = [
    "姓名张三",
    "性别男",
    "民族汉",
    "出生1990年3月7日",
    "住址北京市东城区景山前街",
    "4号院2号楼301室",
    "公民身份号码",
    "110101199003074514",
];

fn specimen(name: &str) -> RgbImage {
    let p = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/");
    image::open(format!("{p}{name}")).unwrap().to_rgb8()
}

#[test]
fn specimen_card_front() {
    let lines = engine().recognize(&specimen("id-card-front.jpg")).unwrap();
    assert_eq!(texts(&lines), FRONT, "{lines:#?}");
}

#[test]
fn specimen_card_back() {
    let lines = engine().recognize(&specimen("id-card-back.jpg")).unwrap();
    assert_eq!(
        texts(&lines),
        [
            "中华人民共和国",
            "居民身份证",
            "签发机关",
            "北京市公安局东城分局",
            "有效期限",
            "2015.03.07-2035.03.07"
        ],
        "{lines:#?}"
    );
}

#[test]
fn specimen_skewed_photo_reads_in_order() {
    let lines = engine()
        .recognize(&specimen("id-card-front-skewed.jpg"))
        .unwrap();
    // Turned by 8°: the rows still come out in card order; the birth and
    // address labels are separate boxes there.
    let joined: Vec<String> = texts(&lines).iter().map(|t| t.replace(' ', "")).collect();
    assert_eq!(joined.concat(), FRONT.concat(), "{lines:#?}");
}

#[test]
fn skewed_text_keeps_reading_order() {
    let (img, _) = text_picture(&["姓名张三", "性别男民族汉", "出生1990年3月7日"], 32.0);
    for deg in [-12.0, 12.0] {
        let r = rotate(&img, deg, [255, 255, 255]);
        let lines = engine().recognize(&r).unwrap();
        assert_eq!(
            texts(&lines),
            ["姓名张三", "性别男民族汉", "出生1990年3月7日"],
            "at {deg}°: {lines:#?}"
        );
    }
}

#[test]
fn blank_and_odd_pictures_give_no_lines() {
    let e = engine();
    for img in [
        RgbImage::from_pixel(640, 400, Rgb([255, 255, 255])),
        RgbImage::from_pixel(300, 200, Rgb([0, 0, 0])),
        RgbImage::new(1, 1),
        RgbImage::new(0, 0),
        RgbImage::new(5000, 3),
        RgbImage::new(2, 3000),
    ] {
        let lines = e.recognize(&img).unwrap();
        assert!(lines.is_empty(), "{:?}: {lines:?}", img.dimensions());
    }
}

#[test]
fn noise_does_not_panic() {
    let mut s = 12345u32;
    let img = RgbImage::from_fn(333, 177, |_, _| {
        s = s.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let v = (s >> 16) as u8;
        Rgb([v, v.wrapping_mul(3), v.wrapping_mul(7)])
    });
    let lines = engine().recognize(&img).unwrap();
    for l in lines {
        assert!(l.confidence >= 0.5 && !l.text.is_empty());
    }
}

#[test]
fn shared_between_threads() {
    let (img, _) = text_picture(&["姓名张三"], 32.0);
    let img = Arc::new(img);
    let e = engine();
    std::thread::scope(|s| {
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let img = img.clone();
                s.spawn(move || e.recognize(&img).unwrap())
            })
            .collect();
        for h in hs {
            assert_eq!(texts(&h.join().unwrap()), ["姓名张三"]);
        }
    });
}

#[test]
fn missing_model_dir_fails_clearly() {
    let opts = RecognizerOptions {
        model_dir: Some("/nonexistent/models".into()),
        ..Default::default()
    };
    let err = Recognizer::load(&opts)
        .err()
        .expect("must fail")
        .to_string();
    assert!(err.contains("/nonexistent/models"), "{err}");
    let bad = RecognizerOptions {
        det_max_side: 1000,
        ..Default::default()
    };
    assert!(Recognizer::load(&bad).is_err());
}

#[test]
fn dictionary_comes_from_rec_metadata() {
    // blank + 6,623 characters + space.
    assert_eq!(engine().dictionary_len(), 6625);
}

#[test]
fn model_dir_loads_the_same_models() {
    let opts = RecognizerOptions {
        model_dir: Some(concat!(env!("CARGO_MANIFEST_DIR"), "/models").into()),
        ..Default::default()
    };
    let e = Recognizer::load(&opts).unwrap();
    let (img, _) = text_picture(&["姓名张三"], 32.0);
    assert_eq!(texts(&e.recognize(&img).unwrap()), ["姓名张三"]);
}

#[test]
fn invalid_model_file_fails_clearly() {
    let dir = std::env::temp_dir().join(format!("xocr-bad-models-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for f in [
        "ch_PP-OCRv4_det_infer.onnx",
        "ch_ppocr_mobile_v2.0_cls_infer.onnx",
        "ch_PP-OCRv4_rec_infer.onnx",
    ] {
        std::fs::write(dir.join(f), b"not an onnx model").unwrap();
    }
    let opts = RecognizerOptions {
        model_dir: Some(dir.clone()),
        ..Default::default()
    };
    let err = format!("{:#}", Recognizer::load(&opts).err().expect("must fail"));
    std::fs::remove_dir_all(&dir).ok();
    assert!(err.contains("ch_PP-OCRv4_det_infer.onnx"), "{err}");
}

#[test]
#[ignore = "writes the rendered test picture to /tmp for inspection"]
fn dump_test_picture() {
    let (img, _) = text_picture(&STRINGS, 32.0);
    img.save("/tmp/xocr-test-lines.png").unwrap();
    rotate(&img, 12.0, [255, 255, 255])
        .save("/tmp/xocr-test-skew.png")
        .unwrap();
}

#[test]
fn single_line_crop_is_read() {
    // A tight crop of one line: detection upscales it (long side to 960).
    let (img, _) = text_picture(&["公民身份号码 110101199003074514"], 24.0);
    let crop = image::imageops::crop_imm(&img, 20, 20, img.width() - 40, 44).to_image();
    assert_eq!(
        texts(&engine().recognize(&crop).unwrap()),
        ["公民身份号码110101199003074514"]
    );
}

#[test]
fn random_small_pictures_do_not_panic() {
    let mut s = 99u32;
    let mut rnd = move || {
        s = s.wrapping_mul(1_103_515_245).wrapping_add(12345);
        s >> 16
    };
    for _ in 0..10 {
        let (w, h) = (1 + rnd() % 64, 1 + rnd() % 64);
        let img = RgbImage::from_fn(w, h, |_, _| {
            let v = rnd() as u8;
            Rgb([v, v, v])
        });
        assert!(engine().recognize(&img).is_ok(), "{w}x{h}");
    }
}
