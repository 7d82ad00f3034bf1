//! Picture resizing for the models: bilinear interpolation over the 2×2
//! nearest source pixels, without antialiasing, as OpenCV's `cv2.resize`
//! with `INTER_LINEAR` does.  PaddleOCR and RapidOCR feed the PP-OCR models
//! pictures resized that way; an antialiasing (convolution) filter blurs
//! downscaled text differently, which moves detection boxes and changes
//! low-confidence characters.

use fast_image_resize::images::{TypedImage, TypedImageRef};
use fast_image_resize::pixels::U8x3;
use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbImage;

/// `img` resized to `w × h` pixels (each at least 1) by bilinear
/// interpolation (pixel centres at `i + 0.5`, edges clamped).  A picture
/// already of that size is copied.
pub fn linear(img: &RgbImage, w: u32, h: u32) -> RgbImage {
    let (w, h) = (w.max(1), h.max(1));
    let mut out = RgbImage::new(w, h);
    if img.width() == 0 || img.height() == 0 {
        return out;
    }
    let opts = ResizeOptions::new().resize_alg(ResizeAlg::Interpolation(FilterType::Bilinear));
    // The typed API, for 8-bit RGB alone: the untyped one dispatches over
    // every pixel type (the stripped release binary was no smaller for
    // this, 62.4 MB both ways).  Both buffers are
    // 8-bit RGB of the sizes given, so this cannot fail; fall back to the
    // image crate's filter rather than panic if it ever does.
    let (sw, sh) = img.dimensions();
    let done = TypedImageRef::<U8x3>::from_buffer(sw, sh, img.as_raw())
        .ok()
        .zip(TypedImage::<U8x3>::from_buffer(w, h, &mut out).ok())
        .is_some_and(|(src, mut dst)| Resizer::new().resize_typed(&src, &mut dst, &opts).is_ok());
    if !done {
        out = image::imageops::resize(img, w, h, image::imageops::FilterType::Triangle);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upscale_interpolates_between_pixel_centres() {
        // 2×1: black, white → 4×1.  Centres of the outputs map to source
        // x = -0.25, 0.25, 0.75, 1.25 → clamped 0, 0.25, 0.75, 1.
        let img = RgbImage::from_fn(2, 1, |x, _| image::Rgb([if x == 0 { 0 } else { 255 }; 3]));
        let out = linear(&img, 4, 1);
        let row: Vec<u8> = (0..4).map(|x| out.get_pixel(x, 0).0[0]).collect();
        assert_eq!(row[0], 0);
        assert!((62..=66).contains(&row[1]), "{row:?}");
        assert!((189..=193).contains(&row[2]), "{row:?}");
        assert_eq!(row[3], 255);
    }

    #[test]
    fn downscale_does_not_average_beyond_two_pixels() {
        // 8×1 with one white pixel at x = 0: halving samples source x = 0.5,
        // 2.5, … so the white pixel contributes half to the first output only.
        let img = RgbImage::from_fn(8, 1, |x, _| image::Rgb([if x == 0 { 255 } else { 0 }; 3]));
        let out = linear(&img, 4, 1);
        let row: Vec<u8> = (0..4).map(|x| out.get_pixel(x, 0).0[0]).collect();
        assert!((126..=129).contains(&row[0]), "{row:?}");
        assert_eq!(&row[1..], &[0, 0, 0]);
    }

    #[test]
    fn degenerate_sizes() {
        let empty = RgbImage::new(0, 0);
        assert_eq!(linear(&empty, 3, 2).dimensions(), (3, 2));
        let one = RgbImage::from_pixel(1, 1, image::Rgb([10, 20, 30]));
        let out = linear(&one, 5, 3);
        assert!(out.pixels().all(|p| p.0 == [10, 20, 30]));
        assert_eq!(linear(&one, 0, 0).dimensions(), (1, 1));
    }
}
