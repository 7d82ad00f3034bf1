//! Writes N distinct JPEG pictures of about SIZE_KB kilobytes each into DIR,
//! for benchmarks:
//!
//!     cargo run --release --example make-pictures -- DIR N SIZE_KB

use std::io::Cursor;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, n, kb] = args.as_slice() else {
        eprintln!("usage: make-pictures DIR N SIZE_KB");
        std::process::exit(2);
    };
    let n: u32 = n.parse().expect("N");
    let target = kb.parse::<usize>().expect("SIZE_KB") * 1000;
    std::fs::create_dir_all(dir).expect("create DIR");
    // Noise compresses to about 1.13 bytes a pixel at quality 85: pick the
    // side that lands near the target size.
    let side = ((target as f64 / 1.13 / 0.75).sqrt()) as u32;
    for i in 0..n {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ u64::from(i + 1);
        let img = image::RgbImage::from_fn(side, side * 3 / 4, |x, y| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let base = ((x + y) % 256) as u8;
            image::Rgb([
                base ^ (seed as u8 & 0x7f),
                (seed >> 8) as u8,
                (seed >> 16) as u8,
            ])
        });
        let mut out = Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(img)
            .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
                &mut out, 85,
            ))
            .expect("encode");
        std::fs::write(format!("{dir}/p{i:05}.jpg"), out.get_ref()).expect("write");
    }
}
