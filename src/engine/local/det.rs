//! Text detection: resize for the DB model, then DB post-processing
//! (threshold, dilation, connected components, minimum-area rectangles,
//! box score, unclip) into rotated boxes in the original picture's pixels.

use super::geometry::{Point, RotRect, min_area_rect};
use super::models::write_bgr_normalised;
use super::runtime::ShapedModel;
use anyhow::{Result, bail};
use image::RgbImage;

/// DB post-processing parameters (PaddleOCR / RapidOCR defaults).
#[derive(Clone, Copy, Debug)]
pub struct DetParams {
    /// Probability above which a map pixel is text (0..1).
    pub thresh: f32,
    /// Minimum mean probability inside a box for it to be kept (0..1).
    pub box_thresh: f32,
    /// Unclip ratio (box growth = area · ratio / perimeter).
    pub unclip_ratio: f32,
    /// Minimum short side of a box in map pixels before unclip (after
    /// unclip the minimum is this + 2).
    pub min_size: f32,
    /// At most this many components are turned into boxes.
    pub max_candidates: usize,
}

impl Default for DetParams {
    fn default() -> Self {
        DetParams {
            thresh: 0.3,
            box_thresh: 0.5,
            unclip_ratio: 1.6,
            min_size: 3.0,
            max_candidates: 1000,
        }
    }
}

/// Size `(w, h)` of the detection input for a `w × h` picture: scaled so
/// that the long side is `max_side`, then each side rounded to the nearest
/// multiple of 32 (ties to even, at least 32), as PaddleOCR's
/// `DetResizeForTest` does in its `resize_long` mode.  Unlike its default
/// mode, small pictures are enlarged too, so that small text is found.
/// Rounding stretches each side by at most 16 input pixels (+3.2% on the
/// short side of a 960 × 496 input): stretching rather than padding keeps
/// the text at the scale the model sees in PaddleOCR and RapidOCR, which
/// decides whether nearby words join into one box.  `max_side` must be a
/// positive multiple of 32.
pub fn det_sizes(w: u32, h: u32, max_side: u32) -> (u32, u32) {
    let s = max_side as f64 / w.max(h).max(1) as f64;
    let side = |v: u32| {
        let scaled = (v as f64 * s).floor();
        (((scaled / 32.0).round_ties_even() * 32.0) as u32).clamp(32, max_side)
    };
    (side(w), side(h))
}

/// Pictures at most this many pixels high, or more than [`LETTERBOX_RATIO`]
/// times wider than high, are letterboxed before detection.
const LETTERBOX_MIN_SIDE: u32 = 30;
/// See [`LETTERBOX_MIN_SIDE`].
const LETTERBOX_RATIO: u32 = 8;

/// The canvas `(w, h)` a `w × h` picture is detected on, and the picture's
/// offset `(x, y)` in it, all in picture pixels.  A thin strip (a cut-out
/// ID number, say) would fill a detection input only 32 rows high, where
/// the text is not found; it is centred on black bands instead, to
/// `2 · max(w / 8, 30)` rows, as RapidOCR does.  Other pictures, tall
/// strips included (RapidOCR leaves those too), are their own canvas.
pub fn letterbox(w: u32, h: u32) -> ((u32, u32), (u32, u32)) {
    let wide = u64::from(w) > u64::from(h) * u64::from(LETTERBOX_RATIO);
    if h > LETTERBOX_MIN_SIDE && !wide {
        return ((w, h), (0, 0));
    }
    let to = ((w / LETTERBOX_RATIO).max(LETTERBOX_MIN_SIDE) * 2).max(h);
    ((w, to), (0, (to - h) / 2))
}

/// Runs detection on `img`; returns the boxes (already unclipped) as four
/// corners (top-left, top-right, bottom-right, bottom-left of the box's own
/// axis) in `img`'s pixel coordinates, rounded to whole pixels and clamped
/// to the picture, as PaddleOCR hands them to cropping.  An empty picture
/// gives no boxes.
///
/// Errors: model failures only.
pub(crate) fn detect(
    model: &ShapedModel,
    img: &RgbImage,
    max_side: u32,
    p: &DetParams,
) -> Result<Vec<[Point; 4]>> {
    let (w, h) = img.dimensions();
    if w == 0 || h == 0 {
        return Ok(vec![]);
    }
    let ((cw, ch), (ox, oy)) = letterbox(w, h);
    let (mw, mh) = det_sizes(cw, ch, max_side);
    // The picture's place in the map, in map pixels.
    let (sx, sy) = (mw as f32 / cw as f32, mh as f32 / ch as f32);
    let (x0, y0) = (
        (ox as f32 * sx).round() as u32,
        (oy as f32 * sy).round() as u32,
    );
    // The offset is under half the canvas, so the picture always has room.
    let rw = ((w as f32 * sx).round() as u32).min(mw - x0.min(mw)).max(1);
    let rh = ((h as f32 * sy).round() as u32).min(mh - y0.min(mh)).max(1);
    let mut canvas = RgbImage::new(mw, mh);
    let resized = super::resize::linear(img, rw, rh);
    image::imageops::replace(&mut canvas, &resized, x0.into(), y0.into());
    let (mw, mh) = (mw as usize, mh as usize);
    let mut input = vec![0f32; 3 * mw * mh];
    write_bgr_normalised(&canvas, &mut input, mh, mw);
    let (shape, map) = model.run(&[1, 3, mh, mw], &input)?;
    if shape.len() != 4 || shape[2] != mh || shape[3] != mw || map.len() != mh * mw {
        bail!("detection model output has shape {shape:?}, expected [1, 1, {mh}, {mw}]");
    }
    let (fx, fy) = (w as f32 / rw as f32, h as f32 / rh as f32);
    Ok(boxes_from_map(&map, mw, mh, p)
        .into_iter()
        .map(|r| {
            r.corners().map(|[x, y]| {
                [
                    ((x - x0 as f32) * fx)
                        .round_ties_even()
                        .clamp(0.0, (w - 1) as f32),
                    ((y - y0 as f32) * fy)
                        .round_ties_even()
                        .clamp(0.0, (h - 1) as f32),
                ]
            })
        })
        .collect())
}

/// DB post-processing of a probability map (`w × h`, row-major, values
/// 0..1): returns unclipped rotated boxes in map pixel coordinates.
pub fn boxes_from_map(prob: &[f32], w: usize, h: usize, p: &DetParams) -> Vec<RotRect> {
    if w == 0 || h == 0 || prob.len() < w * h {
        return vec![];
    }
    // Threshold, then dilate with a 2×2 kernel (OpenCV anchor: the pixel and
    // its left/upper neighbours).
    let bin: Vec<bool> = prob[..w * h].iter().map(|&v| v > p.thresh).collect();
    let mut mask = bin.clone();
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            if !bin[i]
                && ((x > 0 && bin[i - 1])
                    || (y > 0 && bin[i - w])
                    || (x > 0 && y > 0 && bin[i - w - 1]))
            {
                mask[i] = true;
            }
        }
    }

    // 8-connected components; per component keep the extreme pixels of each
    // row, which have the same convex hull as the whole component.
    let mut seen = vec![false; w * h];
    let mut stack: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    let mut candidates = 0usize;
    for start in 0..w * h {
        if !mask[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let mut rows: std::collections::HashMap<usize, (usize, usize)> = Default::default();
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            let e = rows.entry(y).or_insert((x, x));
            e.0 = e.0.min(x);
            e.1 = e.1.max(x);
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                    if nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                        continue;
                    }
                    let j = ny as usize * w + nx as usize;
                    if mask[j] && !seen[j] {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        candidates += 1;
        if candidates > p.max_candidates {
            break;
        }
        let pts: Vec<Point> = rows
            .iter()
            .flat_map(|(&y, &(x0, x1))| [[x0 as f32, y as f32], [x1 as f32, y as f32]])
            .collect();
        let Some(rect) = min_area_rect(&pts) else {
            continue;
        };
        if rect.width.min(rect.height) < p.min_size {
            continue;
        }
        if box_score(prob, w, h, &rect) < p.box_thresh {
            continue;
        }
        let grown = rect.unclip(p.unclip_ratio);
        if grown.width.min(grown.height) < p.min_size + 2.0 {
            continue;
        }
        out.push(grown);
    }
    out
}

/// Mean probability of the map pixels inside `rect` ("fast" score mode).
fn box_score(prob: &[f32], w: usize, h: usize, rect: &RotRect) -> f32 {
    let c = rect.corners();
    let xs = c.iter().map(|p| p[0]);
    let ys = c.iter().map(|p| p[1]);
    let clampi = |v: f32, hi: usize| (v.max(0.0) as usize).min(hi - 1);
    let x0 = clampi(xs.clone().fold(f32::MAX, f32::min).floor(), w);
    let x1 = clampi(xs.fold(f32::MIN, f32::max).ceil(), w);
    let y0 = clampi(ys.clone().fold(f32::MAX, f32::min).floor(), h);
    let y1 = clampi(ys.fold(f32::MIN, f32::max).ceil(), h);
    let (mut sum, mut n) = (0f64, 0usize);
    for y in y0..=y1 {
        for x in x0..=x1 {
            if rect.contains([x as f32, y as f32]) {
                sum += prob[y * w + x] as f64;
                n += 1;
            }
        }
    }
    if n == 0 { 0.0 } else { (sum / n as f64) as f32 }
}

/// Most a flat picture's channels may vary (0–255 levels): text needs more
/// contrast than this to be seen by the model, so such a picture is not
/// run through it.
pub const FLAT_RANGE: u8 = 6;

/// Whether every channel of `img` stays within [`FLAT_RANGE`] levels (a
/// blank page, a single colour): no text can be found there.  Stops at the
/// first pixel that shows contrast.
pub fn is_flat(img: &RgbImage) -> bool {
    let mut px = img.pixels();
    let Some(first) = px.next() else {
        return true;
    };
    let (mut lo, mut hi) = (first.0, first.0);
    for p in px {
        for c in 0..3 {
            lo[c] = lo[c].min(p.0[c]);
            hi[c] = hi[c].max(p.0[c]);
            if hi[c] - lo[c] > FLAT_RANGE {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pictures_without_contrast_are_flat() {
        let mut img = RgbImage::from_pixel(64, 40, image::Rgb([250, 250, 248]));
        assert!(is_flat(&img));
        img.put_pixel(63, 39, image::Rgb([244, 250, 248]));
        assert!(is_flat(&img), "6 levels are still flat");
        img.put_pixel(0, 39, image::Rgb([250, 250, 241]));
        assert!(!is_flat(&img), "one dark dot in blue is contrast");
        assert!(is_flat(&RgbImage::new(0, 0)));
    }

    #[test]
    fn sizes() {
        assert_eq!(det_sizes(856, 540, 960), (960, 608));
        assert_eq!(det_sizes(540, 856, 960), (608, 960));
        // 1148 × 870 → 960 × 727.5 → 727 / 32 = 22.7 → 736.
        assert_eq!(det_sizes(1148, 870, 960), (960, 736));
        // 80 / 32 = 2.5 rounds to even: 64, as Python's round() does.
        assert_eq!(det_sizes(960, 80, 960), (960, 64));
        assert_eq!(det_sizes(1, 1, 960), (960, 960));
        assert_eq!(det_sizes(30000, 10, 960), (960, 32));
        assert_eq!(det_sizes(2000, 100, 960), (960, 64));
    }

    #[test]
    fn letterboxes_thin_strips_only() {
        // An ID card is its own canvas.
        assert_eq!(letterbox(896, 570), ((896, 570), (0, 0)));
        // 900 × 40 (ratio 22.5): 2 · max(112, 30) = 224 rows, centred.
        assert_eq!(letterbox(900, 40), ((900, 224), (0, 92)));
        // A tall strip is left alone, as RapidOCR does.
        assert_eq!(letterbox(40, 900), ((40, 900), (0, 0)));
        // Low but not long: at least 60 rows.
        assert_eq!(letterbox(100, 25), ((100, 60), (0, 17)));
        assert_eq!(letterbox(20, 20), ((20, 60), (0, 20)));
        assert_eq!(letterbox(1, 1), ((1, 60), (0, 29)));
        // Exactly 8:1 is not letterboxed; just over is.
        assert_eq!(letterbox(800, 100), ((800, 100), (0, 0)));
        assert_eq!(letterbox(801, 100), ((801, 200), (0, 50)));
        assert_eq!(letterbox(900, 100), ((900, 224), (0, 62)));
        // No overflow at the largest sizes.
        assert_eq!(letterbox(u32::MAX, 1).1, (0, (u32::MAX / 8 * 2 - 1) / 2));
    }

    #[test]
    fn map_to_boxes() {
        // Two text blobs: one 60×10 bar, one 2×2 speck (too small).
        let (w, h) = (100, 40);
        let mut m = vec![0f32; w * h];
        for y in 10..20 {
            for x in 20..80 {
                m[y * w + x] = 0.9;
            }
        }
        for y in 30..32 {
            for x in 5..7 {
                m[y * w + x] = 0.9;
            }
        }
        let b = boxes_from_map(&m, w, h, &DetParams::default());
        assert_eq!(b.len(), 1, "{b:?}");
        let r = b[0];
        assert!((r.center[0] - 50.0).abs() < 1.0 && (r.center[1] - 15.0).abs() < 1.0);
        assert!(r.width > 60.0 && r.width < 80.0 && r.height > 12.0 && r.height < 30.0);
        assert!(boxes_from_map(&vec![0.0; w * h], w, h, &DetParams::default()).is_empty());
        assert!(boxes_from_map(&[], 0, 0, &DetParams::default()).is_empty());
    }
}
