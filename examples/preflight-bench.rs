//! Benchmark (prints figures, asserts nothing). Build with --release.
//!
//! ```text
//! cargo run --release --example preflight-bench -- gen DIR          # writes the two test JPEGs
//! /usr/bin/time -v target/release/examples/preflight-bench prepare DIR/phone-12mp-orient6.jpg
//! /usr/bin/time -v target/release/examples/preflight-bench prepare DIR/small-300kb.jpg
//! /usr/bin/time -v target/release/examples/preflight-bench base64 DIR/small-300kb.jpg   # the baseline
//! ```
//! `prepare` = read the file, `prepare()` it, base64 the result (what the
//! client does before a request); `base64` = read and base64 only.

use std::time::Instant;

use base64::Engine;
use image::{ImageEncoder, RgbImage};
use xocr::preflight;

fn photo_like(w: u32, h: u32, noise: u32, seed: u64) -> RgbImage {
    let mut s = seed | 1;
    RgbImage::from_fn(w, h, |x, y| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        let n = (s & 0xFF) as u32 * noise / 255;
        let v = |a: u32| ((a + n) & 0xFF) as u8;
        // smooth gradients, a few hard edges (text-like bars), some sensor noise
        let bar = if (y / 40) % 7 == 0 && (x / 9) % 3 != 0 {
            0
        } else {
            160
        };
        image::Rgb([v(x * 200 / w + bar / 4), v(y * 200 / h + bar / 4), v(bar)])
    })
}

fn jpeg(img: &RgbImage, orientation: Option<u16>, q: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, q);
    if let Some(o) = orientation {
        let f = exif::Field {
            tag: exif::Tag::Orientation,
            ifd_num: exif::In::PRIMARY,
            value: exif::Value::Short(vec![o]),
        };
        let mut w = exif::experimental::Writer::new();
        w.push_field(&f);
        let mut buf = std::io::Cursor::new(Vec::new());
        w.write(&mut buf, false).unwrap();
        enc.set_exif_metadata(buf.into_inner()).unwrap();
    }
    enc.write_image(
        img.as_raw(),
        img.width(),
        img.height(),
        image::ExtendedColorType::Rgb8,
    )
    .unwrap();
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (mode, path) = (args.get(1).map(String::as_str), args.get(2));
    match (mode, path) {
        (Some("gen"), Some(dir)) => {
            std::fs::create_dir_all(dir).unwrap();
            let big = jpeg(&photo_like(4032, 3024, 14, 7), Some(6), 92);
            std::fs::write(format!("{dir}/phone-12mp-orient6.jpg"), &big).unwrap();
            let big24 = jpeg(&photo_like(6000, 4000, 14, 5), Some(6), 92);
            std::fs::write(format!("{dir}/phone-24mp-6000x4000-orient6.jpg"), &big24).unwrap();
            let small = jpeg(&photo_like(1280, 960, 16, 9), None, 88);
            std::fs::write(format!("{dir}/small-300kb.jpg"), &small).unwrap();
            println!(
                "phone-12mp-orient6.jpg {} bytes; small-300kb.jpg {} bytes",
                big.len(),
                small.len()
            );
        }
        (Some("gen-huge"), Some(dir)) => {
            // A 280-megapixel scan, like the holdout set's 20000x14000 JPEG.
            let huge = jpeg(&photo_like(20000, 14000, 6, 3), None, 85);
            std::fs::write(format!("{dir}/huge-20000x14000.jpg"), &huge).unwrap();
            println!("huge-20000x14000.jpg {} bytes", huge.len());
        }
        (Some(m @ ("prepare" | "base64")), Some(file)) => {
            let small = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0) < 2_000_000;
            let runs = if small { 301 } else { 5 };
            // Baseline (read + base64) and, for `prepare`, read + prepare +
            // base64, interleaved so that machine load hits both alike.
            let (mut base, mut full) = (Vec::new(), Vec::new());
            let mut last = String::new();
            for _ in 0..runs {
                let t = Instant::now();
                let bytes = std::fs::read(file).unwrap();
                std::hint::black_box(base64::engine::general_purpose::STANDARD.encode(&bytes));
                base.push(t.elapsed().as_secs_f64() * 1000.0);
                if m == "prepare" {
                    let t = Instant::now();
                    let bytes = std::fs::read(file).unwrap();
                    let p = preflight::prepare(bytes, &Default::default()).unwrap();
                    std::hint::black_box(
                        base64::engine::general_purpose::STANDARD.encode(&p.bytes),
                    );
                    full.push(t.elapsed().as_secs_f64() * 1000.0);
                    last = format!(
                        "converted={} {}x{} {} bytes preprocess={:?}",
                        p.converted,
                        p.width,
                        p.height,
                        p.bytes.len(),
                        p.preprocess
                    );
                }
            }
            let med = |v: &mut Vec<f64>| {
                v.sort_by(f64::total_cmp);
                (v[v.len() / 2], v[0])
            };
            let (bm, bmin) = med(&mut base);
            println!("{file}: {runs} runs; read+base64: median {bm:.3} ms (min {bmin:.3})");
            if m == "prepare" {
                let (fm, fmin) = med(&mut full);
                println!("  read+prepare+base64: median {fm:.3} ms (min {fmin:.3}); {last}");
            }
        }
        _ => eprintln!(
            "usage: bench gen DIR | bench gen-huge DIR | bench prepare FILE | bench base64 FILE"
        ),
    }
}
