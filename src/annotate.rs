//! Pictures to check by eye (`--annotate`): the picture as the engine read
//! it, turned upright, with each item's box drawn and labelled with its key.
//!
//! Positions come from the engine (the service's reply is untrusted): a
//! position that is not 8 numbers, or whose corners lie far outside the
//! picture, is left out; the rest are clamped to the picture. Labels are
//! drawn with a font built into the binary (`assets/fonts/`, printable
//! ASCII; other characters show as `?`).

use ab_glyph::{FontRef, PxScale};
use image::{Rgb, RgbImage};
use imageproc::drawing::{draw_filled_rect_mut, draw_hollow_polygon_mut, draw_text_mut, text_size};
use imageproc::point::Point;
use imageproc::rect::Rect;

/// Printable ASCII of Noto Sans CJK JP Regular (OFL 1.1); see
/// `assets/fonts/README.md`.
static FONT: &[u8] = include_bytes!("../assets/fonts/NotoSansCJKjp-ascii.otf");

/// A box's colour for an item whose checks passed or that has none.
pub const ITEM: Rgb<u8> = Rgb([0, 170, 0]);
/// A box's colour for an item with a failed check.
pub const FAILED: Rgb<u8> = Rgb([230, 0, 0]);
/// A box's colour for the document's outline (the crop's position).
pub const OUTLINE: Rgb<u8> = Rgb([0, 90, 255]);

/// JPEG quality of an annotated picture.
const QUALITY: u8 = 90;
/// Largest picture annotated, px a side (the service's own limit).
const MAX_SIDE: u32 = 10_000;

/// What a box stands for, which gives its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An item ([`ITEM`]).
    Item,
    /// An item with a failed check ([`FAILED`]).
    Failed,
    /// The document's outline ([`OUTLINE`]).
    Outline,
}

impl Kind {
    fn color(self) -> Rgb<u8> {
        match self {
            Kind::Item => ITEM,
            Kind::Failed => FAILED,
            Kind::Outline => OUTLINE,
        }
    }
}

/// One box to draw.
#[derive(Debug, Clone, Copy)]
pub struct Mark<'a> {
    /// The label drawn at its top-left corner: the item's key.
    pub label: &'a str,
    /// 8 numbers: x,y of the four corners in the upright picture, px, as
    /// the record's `position`.
    pub position: &'a [i64],
    pub kind: Kind,
}

/// How the engine saw the picture.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    /// Degrees the picture was turned clockwise to stand upright: 0, 90,
    /// 180 or 270 (anything else is taken as 0).
    pub turn: i64,
    /// The upright picture's width and height the positions are measured
    /// in, px; `(0, 0)` or anything not positive: the decoded picture's.
    pub size: (i64, i64),
}

/// `picture` (the bytes the engine read: JPEG, PNG, BMP, GIF, WebP or
/// TIFF, EXIF orientation already applied) turned by `frame.turn`, with
/// `marks` drawn, as a JPEG. Positions measured in another size than the
/// picture's (`frame.size`) are scaled to it. Fails with the reason when
/// the picture does not decode or is over 10,000 px a side, or when
/// drawing panics (caught).
pub fn annotate(picture: &[u8], frame: Frame, marks: &[Mark]) -> Result<Vec<u8>, String> {
    std::panic::catch_unwind(|| draw(picture, frame, marks))
        .unwrap_or_else(|_| Err("drawing the boxes failed".to_string()))
}

fn draw(picture: &[u8], frame: Frame, marks: &[Mark]) -> Result<Vec<u8>, String> {
    let decoded = crate::images::decode_limited(picture, MAX_SIDE, 1 << 30)
        .map_err(|e| format!("cannot decode the picture: {e}"))?;
    let mut img = match frame.turn.rem_euclid(360) {
        90 => decoded.rotate90(),
        180 => decoded.rotate180(),
        270 => decoded.rotate270(),
        _ => decoded,
    }
    .to_rgb8();
    let (w, h) = img.dimensions();
    let scale = match frame.size {
        (fw, fh) if fw > 0 && fh > 0 => (w as f32 / fw as f32, h as f32 / fh as f32),
        _ => (1.0, 1.0),
    };
    let font = FontRef::try_from_slice(FONT).map_err(|e| format!("the label font: {e}"))?;
    let thickness = (w.min(h) / 300).clamp(2, 12) as i32;
    let text_px = (w.min(h) as f32 / 30.0).clamp(12.0, 64.0);
    // The outline first, so the items' boxes lie over it.
    let mut order: Vec<&Mark> = marks.iter().collect();
    order.sort_by_key(|m| m.kind != Kind::Outline);
    for mark in order {
        let Some(corners) = corners(mark.position, scale, (w, h)) else {
            continue;
        };
        let color = mark.kind.color();
        for d in 0..thickness {
            let o = d as f32 - (thickness as f32 - 1.0) / 2.0;
            let ring: Vec<Point<f32>> = corners
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    // Each ring a pixel further out (in), around the centre.
                    let (sx, sy) = [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)][i];
                    Point::new(p.x + sx * o, p.y + sy * o)
                })
                .collect();
            draw_hollow_polygon_mut(&mut img, &ring, color);
        }
        label(
            &mut img, &font, text_px, &corners, mark.label, color, thickness,
        );
    }
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, QUALITY)
        .encode_image(&img)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// The four corners of `position` in a picture of `size`, scaled by
/// `scale` and clamped to it; `None` when it is not 8 numbers, a corner
/// lies more than the picture's own size outside it, or the box has no
/// area.
fn corners(position: &[i64], scale: (f32, f32), size: (u32, u32)) -> Option<[Point<f32>; 4]> {
    if position.len() != 8 {
        return None;
    }
    let (w, h) = (size.0 as f32, size.1 as f32);
    let mut out = [Point::new(0.0, 0.0); 4];
    for (i, xy) in position.chunks(2).enumerate() {
        let (x, y) = (xy[0] as f32 * scale.0, xy[1] as f32 * scale.1);
        if !(-w..=2.0 * w).contains(&x) || !(-h..=2.0 * h).contains(&y) {
            return None;
        }
        out[i] = Point::new(x.clamp(0.0, w - 1.0), y.clamp(0.0, h - 1.0));
    }
    let span = |v: [f32; 4]| {
        let (lo, hi) = v
            .iter()
            .fold((f32::MAX, f32::MIN), |(a, b), &x| (a.min(x), b.max(x)));
        hi - lo
    };
    let (span_x, span_y) = (span(out.map(|p| p.x)), span(out.map(|p| p.y)));
    (span_x >= 1.0 && span_y >= 1.0).then_some(out)
}

/// Draws `text` (its non-ASCII characters as `?`) in white on a block of
/// `color` just above the box's top-left corner, or just inside it when
/// there is no room above.
fn label(
    img: &mut RgbImage,
    font: &FontRef,
    px: f32,
    corners: &[Point<f32>; 4],
    text: &str,
    color: Rgb<u8>,
    thickness: i32,
) {
    let text: String = text
        .chars()
        .take(64)
        .map(|c| if (' '..='~').contains(&c) { c } else { '?' })
        .collect();
    if text.trim().is_empty() {
        return;
    }
    let scale = PxScale::from(px);
    let (tw, th) = text_size(scale, font, &text);
    let pad = (px / 6.0).ceil() as i32;
    let (bw, bh) = (tw as i32 + 2 * pad, th as i32 + 2 * pad);
    let left = corners.iter().map(|p| p.x).fold(f32::MAX, f32::min) as i32;
    let top = corners.iter().map(|p| p.y).fold(f32::MAX, f32::min) as i32;
    let x = left.clamp(0, (img.width() as i32 - bw).max(0));
    let above = top - bh - thickness / 2;
    let y = if above >= 0 { above } else { top + thickness };
    draw_filled_rect_mut(
        img,
        Rect::at(x, y).of_size(bw.max(1) as u32, bh.max(1) as u32),
        color,
    );
    draw_text_mut(
        img,
        Rgb([255, 255, 255]),
        x + pad,
        y + pad,
        scale,
        font,
        &text,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn white_png(w: u32, h: u32) -> Vec<u8> {
        let img = RgbImage::from_pixel(w, h, Rgb([255, 255, 255]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    fn near(p: Rgb<u8>, want: Rgb<u8>) -> bool {
        p.0.iter()
            .zip(want.0)
            .all(|(a, b)| (*a as i32 - b as i32).abs() < 60)
    }

    #[test]
    fn boxes_are_drawn_in_their_colours_where_the_positions_say() {
        let marks = [
            Mark {
                label: "name",
                position: &[100, 100, 300, 100, 300, 150, 100, 150],
                kind: Kind::Item,
            },
            Mark {
                label: "id_number",
                position: &[100, 250, 500, 250, 500, 300, 100, 300],
                kind: Kind::Failed,
            },
        ];
        let frame = Frame {
            turn: 0,
            size: (640, 400),
        };
        let jpeg = annotate(&white_png(640, 400), frame, &marks).unwrap();
        let img = image::load_from_memory(&jpeg).unwrap().to_rgb8();
        assert_eq!(img.dimensions(), (640, 400));
        for x in [150, 200, 280] {
            assert!(near(*img.get_pixel(x, 150), ITEM), "{x}");
        }
        for x in [150, 300, 480] {
            assert!(near(*img.get_pixel(x, 300), FAILED), "{x}");
        }
        // Inside and away from the boxes the picture is as it was.
        assert!(near(*img.get_pixel(200, 200), Rgb([255, 255, 255])));
        assert!(near(*img.get_pixel(600, 380), Rgb([255, 255, 255])));
        // The label sits above the box's corner: white text on the colour.
        let block = (100..180).flat_map(|x| (70..98).map(move |y| (x, y)));
        assert!(
            block
                .clone()
                .filter(|&(x, y)| near(*img.get_pixel(x, y), ITEM))
                .count()
                > 300
        );
    }

    #[test]
    fn a_turned_picture_is_drawn_upright_and_absurd_positions_are_left_out() {
        let marks = [
            Mark {
                label: "a",
                position: &[10, 10, 90, 10, 90, 40, 10, 40],
                kind: Kind::Outline,
            },
            Mark {
                label: "far",
                position: &[1_000_000, 0, 2_000_000, 0, 2_000_000, 5, 1_000_000, 5],
                kind: Kind::Failed,
            },
            Mark {
                label: "short",
                position: &[1, 2, 3],
                kind: Kind::Failed,
            },
        ];
        let frame = Frame {
            turn: 90,
            size: (100, 200),
        };
        let jpeg = annotate(&white_png(200, 100), frame, &marks).unwrap();
        let img = image::load_from_memory(&jpeg).unwrap().to_rgb8();
        assert_eq!(img.dimensions(), (100, 200));
        assert!(near(*img.get_pixel(50, 40), OUTLINE));
        let red = img.pixels().filter(|p| near(**p, FAILED)).count();
        assert_eq!(red, 0);
    }

    #[test]
    fn what_is_no_picture_fails_with_a_reason() {
        let frame = Frame {
            turn: 0,
            size: (0, 0),
        };
        assert!(annotate(b"nope", frame, &[]).is_err());
    }
}
