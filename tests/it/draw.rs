//! Pictures with text drawn at test time, with the font the tests carry:
//! `tests/fonts/NotoSansCJKjp-subset.otf`, a subset of Noto Sans CJK JP
//! holding only the characters in `tests/fonts/chars.txt` (see
//! `tests/fonts/README.md`). No font need be installed.

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont};
use image::{Rgb, RgbImage};
use std::sync::OnceLock;

/// The font's bytes, built into the test binary.
const FONT_BYTES: &[u8] = include_bytes!("../fonts/NotoSansCJKjp-subset.otf");

/// The test font.
pub fn font() -> &'static FontRef<'static> {
    static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
    FONT.get_or_init(|| {
        FontRef::try_from_slice(FONT_BYTES)
            .expect("tests/fonts/NotoSansCJKjp-subset.otf is not a font")
    })
}

/// What to do about characters the test font lacks.
fn missing(chars: &[char]) -> String {
    let list: Vec<String> = chars
        .iter()
        .map(|c| format!("{c:?} (U+{:04X})", u32::from(*c)))
        .collect();
    format!(
        "the test font has no glyph for {}: add them to tests/fonts/chars.txt and run \
         scripts/subset-test-font.sh (see tests/fonts/README.md)",
        list.join(", ")
    )
}

/// The glyph of `c`. Panics when the font lacks it: it would be drawn as
/// an empty box (`.notdef`, glyph 0), and the test would read nonsense.
fn glyph(c: char) -> GlyphId {
    let id = font().glyph_id(c);
    assert_ne!(id.0, 0, "{}", missing(&[c]));
    id
}

/// Width in pixels of `text` at `px` pixels.
pub fn text_width(text: &str, px: f32) -> f32 {
    let f = font().as_scaled(PxScale::from(px));
    text.chars().map(|c| f.h_advance(glyph(c))).sum()
}

/// Draws `text` in `color` onto `img` with its top-left at `(x, y)`, `px`
/// pixels high (alpha-blended).  Returns the drawn width.
pub fn draw_text(img: &mut RgbImage, text: &str, x: f32, y: f32, px: f32, color: [u8; 3]) -> f32 {
    let font = font();
    let scale = PxScale::from(px);
    let sf = font.as_scaled(scale);
    let mut caret = x;
    for ch in text.chars() {
        let id = glyph(ch);
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    /// The string literals of Rust source `src`, as written (escapes not
    /// undone): comments, char literals and lifetimes are skipped, raw
    /// strings read to their closing `"#…`.
    fn string_literals(src: &str) -> Vec<&str> {
        let b = src.as_bytes();
        let ident = |i: usize| b[i].is_ascii_alphanumeric() || b[i] == b'_';
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'/' if b.get(i + 1) == Some(&b'/') => {
                    while i < b.len() && b[i] != b'\n' {
                        i += 1;
                    }
                }
                b'/' if b.get(i + 1) == Some(&b'*') => {
                    i += 2;
                    while i < b.len() && !b[i..].starts_with(b"*/") {
                        i += 1;
                    }
                    i += 2;
                }
                b'\'' if b.get(i + 1) == Some(&b'\\') => {
                    // An escaped char literal: '\n', '\'', '\u{4e00}'.
                    i += 3;
                    while i < b.len() && b[i] != b'\'' {
                        i += 1;
                    }
                    i += 1;
                }
                b'\'' => {
                    // 'x' (any one character), else a lifetime or label.
                    let len = src[i + 1..].chars().next().map_or(1, char::len_utf8);
                    i += if b.get(i + 1 + len) == Some(&b'\'') {
                        len + 2
                    } else {
                        1
                    };
                }
                b'r' if (i == 0
                    || !ident(i - 1)
                    || (b[i - 1] == b'b' && (i < 2 || !ident(i - 2))))
                    && matches!(b.get(i + 1), Some(b'"' | b'#')) =>
                {
                    let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
                    let open = i + 1 + hashes;
                    if b.get(open) != Some(&b'"') {
                        i += 1;
                        continue;
                    }
                    let close = format!("\"{}", "#".repeat(hashes));
                    let end = src[open + 1..]
                        .find(&close)
                        .map_or(b.len(), |e| open + 1 + e);
                    out.push(&src[open + 1..end]);
                    i = end + close.len();
                }
                b'"' => {
                    let start = i + 1;
                    i += 1;
                    while i < b.len() && b[i] != b'"' {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                    out.push(&src[start..i.min(b.len())]);
                    i += 1;
                }
                _ => i += 1,
            }
        }
        out
    }

    #[test]
    fn string_literals_are_found_and_comments_skipped() {
        let src = r##"
            // "not this" in a comment
            /* nor "this" */
            let a = "姓名\"张三\""; let c = '"'; let q = '\''; fn f<'a>(x: &'a str) {}
            let r = r#"raw "quoted""#; let d = "\u{4e00}";
        "##;
        assert_eq!(
            string_literals(src),
            [r#"姓名\"张三\""#, r#"raw "quoted""#, r"\u{4e00}"]
        );
    }

    /// Every character of every string literal in a test module that draws
    /// text is in tests/fonts/chars.txt and has a glyph in the font: a test
    /// string with a new character fails here, naming the script that
    /// remakes the font, instead of drawing boxes. (The drawing helpers
    /// also panic on such a character when they meet it.)
    #[test]
    fn the_font_has_every_character_the_tests_draw() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let listed: BTreeSet<char> = std::fs::read_to_string(root.join("tests/fonts/chars.txt"))
            .expect("tests/fonts/chars.txt")
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        let no_glyph: Vec<char> = listed
            .iter()
            .copied()
            .filter(|&c| font().glyph_id(c).0 == 0)
            .collect();
        assert!(
            no_glyph.is_empty(),
            "tests/fonts/chars.txt and the font disagree: {}",
            missing(&no_glyph)
        );

        let mut drawing = Vec::new();
        let mut drawn = BTreeSet::new();
        for e in std::fs::read_dir(root.join("tests/it")).unwrap() {
            let path = e.unwrap().path();
            if path.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let src = std::fs::read_to_string(&path).unwrap();
            if ["text_picture(", "draw_text(", "text_width("]
                .iter()
                .any(|f| src.contains(f))
            {
                drawing.push(path.file_name().unwrap().to_string_lossy().into_owned());
                for lit in string_literals(&src) {
                    drawn.extend(lit.chars().filter(|c| !c.is_control()));
                }
            }
        }
        assert!(
            drawing.iter().any(|f| f == "recognize.rs"),
            "no module draws text? {drawing:?}"
        );
        let absent: Vec<char> = drawn.difference(&listed).copied().collect();
        assert!(
            absent.is_empty(),
            "in string literals of {drawing:?}: {}",
            missing(&absent)
        );
    }

    #[test]
    fn a_character_the_font_lacks_is_refused_by_name() {
        let err = std::panic::catch_unwind(|| text_width("姓名\u{9f98}", 32.0)).unwrap_err();
        let msg = err
            .downcast_ref::<String>()
            .map(String::as_str)
            .unwrap_or_default();
        assert!(
            msg.contains("U+9F98") && msg.contains("scripts/subset-test-font.sh"),
            "{msg}"
        );
    }
}
