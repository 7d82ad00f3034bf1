//! Test helpers: pictures with text rendered at test time with a CJK font
//! (Debian's `fonts-noto-cjk`).

use ab_glyph::{Font, FontVec, PxScale, ScaleFont};
use image::{Rgb, RgbImage};
use std::sync::OnceLock;

/// Where Debian's fonts-noto-cjk puts the regular sans face.
pub const FONT_PATHS: [&str; 2] = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
];

/// The CJK font; panics with a set-up hint when it is not installed.
pub fn font() -> &'static FontVec {
    static FONT: OnceLock<FontVec> = OnceLock::new();
    FONT.get_or_init(|| {
        let path = FONT_PATHS
            .iter()
            .find(|p| std::path::Path::new(p).exists())
            .expect("CJK font missing: apt-get install -y fonts-noto-cjk");
        let data = std::fs::read(path).unwrap();
        FontVec::try_from_vec_and_index(data, 0).expect("bad font file")
    })
}

/// Width in pixels of `text` at `px` pixels.
pub fn text_width(text: &str, px: f32) -> f32 {
    let f = font().as_scaled(PxScale::from(px));
    text.chars().map(|c| f.h_advance(f.glyph_id(c))).sum()
}

/// Draws `text` in `color` onto `img` with its top-left at `(x, y)`, `px`
/// pixels high (alpha-blended).  Returns the drawn width.
pub fn draw_text(img: &mut RgbImage, text: &str, x: f32, y: f32, px: f32, color: [u8; 3]) -> f32 {
    let font = font();
    let scale = PxScale::from(px);
    let sf = font.as_scaled(scale);
    let mut caret = x;
    for ch in text.chars() {
        let id = sf.glyph_id(ch);
        let glyph = id.with_scale_and_position(scale, ab_glyph::point(caret, y + sf.ascent()));
        caret += sf.h_advance(id);
        if let Some(og) = font.outline_glyph(glyph) {
            let b = og.px_bounds();
            og.draw(|gx, gy, cov| {
                let px_ = b.min.x as i64 + gx as i64;
                let py_ = b.min.y as i64 + gy as i64;
                if px_ < 0 || py_ < 0 || px_ >= img.width() as i64 || py_ >= img.height() as i64 {
                    return;
                }
                let p = img.get_pixel_mut(px_ as u32, py_ as u32);
                for (ch, &col) in p.0.iter_mut().zip(&color) {
                    let v = *ch as f32 * (1.0 - cov) + col as f32 * cov;
                    *ch = v.round().clamp(0.0, 255.0) as u8;
                }
            });
        }
    }
    caret - x
}

/// A white picture with `lines` of black text, `px` pixels high, one per
/// row, with margins.  Returns the picture and each line's drawn box
/// `(x0, y0, x1, y1)`.
pub fn text_picture(lines: &[&str], px: f32) -> (RgbImage, Vec<(f32, f32, f32, f32)>) {
    let margin = px * 1.5;
    let w = lines.iter().map(|l| text_width(l, px)).fold(0.0, f32::max) + 2.0 * margin;
    let h = lines.len() as f32 * px * 2.0 + 2.0 * margin;
    let mut img = RgbImage::from_pixel(w.ceil() as u32, h.ceil() as u32, Rgb([255, 255, 255]));
    let mut boxes = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let y = margin + i as f32 * px * 2.0;
        let tw = draw_text(&mut img, l, margin, y, px, [0, 0, 0]);
        boxes.push((margin, y, margin + tw, y + px));
    }
    (img, boxes)
}

/// Rotates `img` by `deg` degrees (clockwise on screen) about its centre
/// into a picture large enough to hold it, filling with `bg` (bilinear).
pub fn rotate(img: &RgbImage, deg: f32, bg: [u8; 3]) -> RgbImage {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let (s, c) = deg.to_radians().sin_cos();
    let nw = (w * c.abs() + h * s.abs()).ceil();
    let nh = (w * s.abs() + h * c.abs()).ceil();
    let (cx, cy, ncx, ncy) = (w / 2.0, h / 2.0, nw / 2.0, nh / 2.0);
    RgbImage::from_fn(nw as u32, nh as u32, |x, y| {
        let (dx, dy) = (x as f32 + 0.5 - ncx, y as f32 + 0.5 - ncy);
        // Inverse rotation.
        let sx = c * dx + s * dy + cx - 0.5;
        let sy = -s * dx + c * dy + cy - 0.5;
        if sx < 0.0 || sy < 0.0 || sx > w - 1.0 || sy > h - 1.0 {
            return Rgb(bg);
        }
        let (x0, y0) = (sx.floor() as u32, sy.floor() as u32);
        let (x1, y1) = (
            (x0 + 1).min(img.width() - 1),
            (y0 + 1).min(img.height() - 1),
        );
        let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
        let mut out = [0u8; 3];
        for (k, o) in out.iter_mut().enumerate() {
            let p = |xx, yy| img.get_pixel(xx, yy).0[k] as f32;
            let v = (p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx) * (1.0 - fy)
                + (p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx) * fy;
            *o = v.round() as u8;
        }
        Rgb(out)
    })
}
