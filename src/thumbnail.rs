//! Portraits made small for a workbook's cells (`-o xlsx`): a workbook
//! holds every picture embedded in it until it is written, so 10,000
//! portraits of 24 KB as the service sends them would take 240 MB; as
//! thumbnails of [`MAX_SIDE`] px they take a fifth of that (BENCHMARKS.md).

/// Longest side of a thumbnail, px: a cell 96 px high (the workbook's
/// portrait rows) shows it at its size on a screen of 2× density.
pub const MAX_SIDE: u32 = 192;

/// JPEG quality of a thumbnail.
const QUALITY: u8 = 80;

/// Largest picture decoded for a thumbnail, px a side: a portrait cut from
/// a card is a few hundred pixels; a larger one is refused, not decoded.
const MAX_SOURCE_SIDE: u32 = 8192;

/// The picture file `bytes` (JPEG, PNG, BMP, GIF, WebP or TIFF) as a
/// baseline JPEG of at most [`MAX_SIDE`] px a side, aspect ratio kept,
/// transparency on white; a picture already that small is re-encoded all
/// the same (one format for every cell). Fails with the reason when the
/// bytes do not decode, are over [`MAX_SOURCE_SIDE`] a side, or the
/// decoder panics (caught: a server's picture is untrusted).
pub fn thumbnail(bytes: &[u8]) -> Result<Vec<u8>, String> {
    std::panic::catch_unwind(|| make(bytes))
        .unwrap_or_else(|_| Err("the picture decoder failed on it".to_string()))
}

fn make(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let picture = crate::images::decode_limited(bytes, MAX_SOURCE_SIDE, 256 << 20)?;
    let small = if picture.width().max(picture.height()) > MAX_SIDE {
        picture.thumbnail(MAX_SIDE, MAX_SIDE)
    } else {
        picture
    };
    let rgb = on_white(small);
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, QUALITY)
        .encode_image(&rgb)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// 8-bit RGB, any transparency laid on white.
fn on_white(picture: image::DynamicImage) -> image::RgbImage {
    if !picture.color().has_alpha() {
        return picture.to_rgb8();
    }
    let rgba = picture.to_rgba8();
    image::RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |c: u8| ((c as u32 * a as u32 + 255 * (255 - a as u32)) / 255) as u8;
        image::Rgb([over(r), over(g), over(b)])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img =
            image::RgbaImage::from_fn(w, h, |x, _| image::Rgba([200, 10, 10, (x % 256) as u8]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn a_portrait_becomes_a_small_jpeg_with_its_aspect_ratio() {
        let jpeg = thumbnail(&png(358, 441)).unwrap();
        assert_eq!(&jpeg[..3], &[0xFF, 0xD8, 0xFF]);
        let back = image::load_from_memory(&jpeg).unwrap();
        assert_eq!((back.width(), back.height()), (156, 192));
        // Transparent pixels are white, opaque ones keep their colour.
        let left = back.to_rgb8().get_pixel(0, 96).0;
        assert!(left.iter().all(|&c| c > 230), "{left:?}");
        let small = image::load_from_memory(&thumbnail(&png(40, 20)).unwrap()).unwrap();
        assert_eq!((small.width(), small.height()), (40, 20));
    }

    #[test]
    fn what_is_no_picture_or_too_large_fails_with_a_reason() {
        assert!(thumbnail(b"not a picture at all").is_err());
        let mut cut = png(100, 100);
        cut.truncate(60);
        assert!(thumbnail(&cut).is_err());
        let huge = image::GrayImage::new(9000, 1);
        let mut bytes = Vec::new();
        huge.write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
            .unwrap();
        assert!(thumbnail(&bytes).is_err());
    }
}
