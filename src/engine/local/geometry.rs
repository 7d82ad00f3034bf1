//! Plane geometry for the offline engine: convex hull, minimum-area rotated
//! rectangle, DB "unclip", perspective crop and reading order.
//!
//! Coordinates are `f32` pixels with OpenCV's convention: the centre of pixel
//! `(col, row)` is the point `(col, row)`; `x` grows to the right and `y`
//! grows downwards.

use image::RgbImage;

/// A point `[x, y]` in pixels.
pub type Point = [f32; 2];

/// A rotated rectangle.
///
/// `angle` is the direction of the `width` axis in radians, normalised to
/// `(-π/4, π/4]`, measured from the +x axis towards +y (clockwise on screen).
/// `width` and `height` are side lengths in pixels (≥ 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RotRect {
    /// Centre `[x, y]` in pixels.
    pub center: Point,
    /// Length of the side along `angle`, in pixels.
    pub width: f32,
    /// Length of the side across `angle`, in pixels.
    pub height: f32,
    /// Direction of the width side, radians in `(-π/4, π/4]`.
    pub angle: f32,
}

impl RotRect {
    /// Unit vector along the width side.
    fn u(&self) -> Point {
        [self.angle.cos(), self.angle.sin()]
    }

    /// Unit vector along the height side (90° clockwise from `u` on screen).
    fn v(&self) -> Point {
        [-self.angle.sin(), self.angle.cos()]
    }

    /// Corners in the order top-left, top-right, bottom-right, bottom-left.
    pub fn corners(&self) -> [Point; 4] {
        let [ux, uy] = self.u();
        let [vx, vy] = self.v();
        let (hw, hh) = (self.width / 2.0, self.height / 2.0);
        let [cx, cy] = self.center;
        [
            [cx - ux * hw - vx * hh, cy - uy * hw - vy * hh],
            [cx + ux * hw - vx * hh, cy + uy * hw - vy * hh],
            [cx + ux * hw + vx * hh, cy + uy * hw + vy * hh],
            [cx - ux * hw + vx * hh, cy - uy * hw + vy * hh],
        ]
    }

    /// True when `p` lies inside the rectangle or on its border.
    pub fn contains(&self, p: Point) -> bool {
        let d = [p[0] - self.center[0], p[1] - self.center[1]];
        let [ux, uy] = self.u();
        let [vx, vy] = self.v();
        let pu = d[0] * ux + d[1] * uy;
        let pv = d[0] * vx + d[1] * vy;
        pu.abs() <= self.width / 2.0 + 1e-3 && pv.abs() <= self.height / 2.0 + 1e-3
    }

    /// DB "unclip": grows the rectangle by `d = area · ratio / perimeter` on
    /// every side, as PaddleOCR's pyclipper offset followed by a minimum-area
    /// rectangle does for a rectangle.  A degenerate rectangle (perimeter 0)
    /// is returned unchanged.
    pub fn unclip(&self, ratio: f32) -> RotRect {
        let perimeter = 2.0 * (self.width + self.height);
        if perimeter <= 0.0 {
            return *self;
        }
        let d = self.width * self.height * ratio / perimeter;
        RotRect {
            width: self.width + 2.0 * d,
            height: self.height + 2.0 * d,
            ..*self
        }
    }
}

fn cross(o: Point, a: Point, b: Point) -> f32 {
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
}

/// Convex hull (Andrew's monotone chain) of `points`, counter-clockwise in a
/// y-up frame, without collinear points.  Returns fewer than 3 points for
/// degenerate input (empty, one point, or all points on a line).
pub fn convex_hull(points: &[Point]) -> Vec<Point> {
    let mut pts: Vec<Point> = points
        .iter()
        .copied()
        .filter(|p| p[0].is_finite() && p[1].is_finite())
        .collect();
    pts.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    pts.dedup();
    if pts.len() < 3 {
        return pts;
    }
    let mut hull: Vec<Point> = Vec::with_capacity(pts.len() + 1);
    // Lower hull.
    for &p in &pts {
        while hull.len() >= 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0 {
            hull.pop();
        }
        hull.push(p);
    }
    // Upper hull; never pops into the lower one.
    let lower = hull.len() + 1;
    for &p in pts.iter().rev().skip(1) {
        while hull.len() >= lower && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0 {
            hull.pop();
        }
        hull.push(p);
    }
    hull.pop();
    if hull.len() < 3 {
        // All points collinear: the two extremes.
        return vec![pts[0], pts[pts.len() - 1]];
    }
    hull
}

/// Minimum-area rectangle enclosing `points` (rotating calipers over the
/// convex hull).  Returns `None` for an empty input; one point gives a
/// 0×0 rectangle and collinear points a rectangle of height 0.
pub fn min_area_rect(points: &[Point]) -> Option<RotRect> {
    let hull = convex_hull(points);
    match hull.len() {
        0 => return None,
        1 => {
            return Some(RotRect {
                center: hull[0],
                width: 0.0,
                height: 0.0,
                angle: 0.0,
            });
        }
        _ => {}
    }
    let mut best: Option<(f32, RotRect)> = None;
    let n = hull.len();
    for i in 0..n {
        let a = hull[i];
        let b = hull[(i + 1) % n];
        let (ex, ey) = (b[0] - a[0], b[1] - a[1]);
        let len = (ex * ex + ey * ey).sqrt();
        if len <= 0.0 {
            continue;
        }
        let u = [ex / len, ey / len];
        let v = [-u[1], u[0]];
        let (mut umin, mut umax, mut vmin, mut vmax) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for p in &hull {
            let pu = p[0] * u[0] + p[1] * u[1];
            let pv = p[0] * v[0] + p[1] * v[1];
            umin = umin.min(pu);
            umax = umax.max(pu);
            vmin = vmin.min(pv);
            vmax = vmax.max(pv);
        }
        let area = (umax - umin) * (vmax - vmin);
        if best.as_ref().is_none_or(|(a, _)| area < *a) {
            let cu = (umin + umax) / 2.0;
            let cv = (vmin + vmax) / 2.0;
            let center = [cu * u[0] + cv * v[0], cu * u[1] + cv * v[1]];
            let rect = normalise(center, umax - umin, vmax - vmin, u[1].atan2(u[0]));
            best = Some((area, rect));
        }
    }
    best.map(|(_, r)| r)
}

/// Brings `angle` into `(-π/4, π/4]`, swapping width and height when the
/// rectangle is turned by 90°.
fn normalise(center: Point, width: f32, height: f32, angle: f32) -> RotRect {
    use std::f32::consts::{FRAC_PI_2, FRAC_PI_4, PI};
    let mut a = angle;
    // Into (-π/2, π/2]: a rectangle is symmetric under a half turn.
    while a > FRAC_PI_2 {
        a -= PI;
    }
    while a <= -FRAC_PI_2 {
        a += PI;
    }
    let (mut w, mut h) = (width, height);
    if a > FRAC_PI_4 {
        a -= FRAC_PI_2;
        std::mem::swap(&mut w, &mut h);
    } else if a <= -FRAC_PI_4 {
        a += FRAC_PI_2;
        std::mem::swap(&mut w, &mut h);
    }
    RotRect {
        center,
        width: w,
        height: h,
        angle: a,
    }
}

/// Euclidean distance between two points, in pixels.
pub fn dist(a: Point, b: Point) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

/// Projective map from the unit square to a quadrilateral (Heckbert's
/// closed form): `(0,0)→q[0]`, `(1,0)→q[1]`, `(1,1)→q[2]`, `(0,1)→q[3]`.
struct SquareToQuad {
    a: f32,
    b: f32,
    c: f32,
    d: f32,
    e: f32,
    f: f32,
    g: f32,
    h: f32,
}

impl SquareToQuad {
    fn new(q: &[Point; 4]) -> Self {
        let [[x0, y0], [x1, y1], [x2, y2], [x3, y3]] = *q;
        let (dx3, dy3) = (x0 - x1 + x2 - x3, y0 - y1 + y2 - y3);
        let (dx1, dy1, dx2, dy2) = (x1 - x2, y1 - y2, x3 - x2, y3 - y2);
        let den = dx1 * dy2 - dx2 * dy1;
        let (g, h) = if (dx3.abs() < 1e-6 && dy3.abs() < 1e-6) || den.abs() < 1e-9 {
            (0.0, 0.0)
        } else {
            ((dx3 * dy2 - dx2 * dy3) / den, (dx1 * dy3 - dx3 * dy1) / den)
        };
        SquareToQuad {
            a: x1 - x0 + g * x1,
            b: x3 - x0 + h * x3,
            c: x0,
            d: y1 - y0 + g * y1,
            e: y3 - y0 + h * y3,
            f: y0,
            g,
            h,
        }
    }

    fn map(&self, u: f32, v: f32) -> Point {
        let w = self.g * u + self.h * v + 1.0;
        let w = if w.abs() < 1e-9 { 1e-9 } else { w };
        [
            (self.a * u + self.b * v + self.c) / w,
            (self.d * u + self.e * v + self.f) / w,
        ]
    }
}

/// OpenCV's bicubic weights (`A = −0.75`) of the four source pixels at
/// offsets −1, 0, 1, 2 from `floor(x)`, for the fraction `t = x − floor(x)`.
fn cubic_weights(t: f32) -> [f32; 4] {
    const A: f32 = -0.75;
    let w0 = ((A * (t + 1.0) - 5.0 * A) * (t + 1.0) + 8.0 * A) * (t + 1.0) - 4.0 * A;
    let w1 = ((A + 2.0) * t - (A + 3.0)) * t * t + 1.0;
    let w2 = ((A + 2.0) * (1.0 - t) - (A + 3.0)) * (1.0 - t) * (1.0 - t) + 1.0;
    [w0, w1, w2, 1.0 - w0 - w1 - w2]
}

/// Bicubic sample of `img` at `(x, y)` with replicated borders, as OpenCV's
/// `INTER_CUBIC` with `BORDER_REPLICATE` (fractions quantised to 1/32 pixel
/// as OpenCV's remap tables do).  Non-finite coordinates read pixel (0, 0).
fn sample(img: &RgbImage, x: f32, y: f32) -> [u8; 3] {
    let (w, h) = img.dimensions();
    let (x, y) = if x.is_finite() && y.is_finite() {
        // Far outside the picture every tap is a border pixel anyway.
        (x.clamp(-4.0, w as f32 + 4.0), y.clamp(-4.0, h as f32 + 4.0))
    } else {
        (0.0, 0.0)
    };
    let (fx, fy) = (x.floor(), y.floor());
    let q = |t: f32| (t * 32.0).round() / 32.0;
    let (wx, wy) = (cubic_weights(q(x - fx)), cubic_weights(q(y - fy)));
    let idx = |base: f32, k: i64, n: u32| (base as i64 + k - 1).clamp(0, n as i64 - 1) as u32;
    let mut acc = [0f32; 3];
    for (j, wyj) in wy.iter().enumerate() {
        let sy = idx(fy, j as i64, h);
        let mut row = [0f32; 3];
        for (i, wxi) in wx.iter().enumerate() {
            let p = img.get_pixel(idx(fx, i as i64, w), sy).0;
            for c in 0..3 {
                row[c] += p[c] as f32 * wxi;
            }
        }
        for c in 0..3 {
            acc[c] += row[c] * wyj;
        }
    }
    acc.map(|v| v.round().clamp(0.0, 255.0) as u8)
}

/// Cuts the quadrilateral `quad` (top-left, top-right, bottom-right,
/// bottom-left, in `img`'s pixel coordinates) out of `img` and straightens it
/// into an `out_w × out_h` picture (bicubic sampling, replicated borders),
/// as OpenCV's `warpPerspective` with those corners mapped to
/// `(0,0), (out_w,0), (out_w,out_h), (0,out_h)`.
///
/// Returns `None` when `img` is empty or a requested size is 0.
pub fn perspective_crop(
    img: &RgbImage,
    quad: &[Point; 4],
    out_w: u32,
    out_h: u32,
) -> Option<RgbImage> {
    if img.width() == 0 || img.height() == 0 || out_w == 0 || out_h == 0 {
        return None;
    }
    let m = SquareToQuad::new(quad);
    let mut out = RgbImage::new(out_w, out_h);
    for j in 0..out_h {
        let v = j as f32 / out_h as f32;
        for i in 0..out_w {
            let u = i as f32 / out_w as f32;
            let [x, y] = m.map(u, v);
            out.put_pixel(i, j, image::Rgb(sample(img, x, y)));
        }
    }
    Some(out)
}

/// Reading order of text boxes given as rotated rectangles: rows along the
/// page's dominant text direction (the median angle of the elongated boxes),
/// top to bottom, and left to right inside a row.  A box joins a row when its
/// centre lies within half a box height of the row's centre line.
///
/// Returns a permutation of `0..rects.len()`.
pub fn reading_order(rects: &[RotRect]) -> Vec<usize> {
    let mut angles: Vec<f32> = rects
        .iter()
        .filter(|r| r.width >= 2.0 * r.height && r.height > 0.0)
        .map(|r| r.angle)
        .collect();
    angles.sort_by(f32::total_cmp);
    let theta = if angles.is_empty() {
        0.0
    } else {
        angles[angles.len() / 2]
    };
    let (s, c) = theta.sin_cos();
    // Centre coordinates in a frame aligned with the text direction.
    let keyed: Vec<(usize, f32, f32, f32)> = rects
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let [x, y] = r.center;
            (i, c * x + s * y, -s * x + c * y, r.height.max(1.0))
        })
        .collect();
    let mut by_y = keyed.clone();
    by_y.sort_by(|a, b| a.2.total_cmp(&b.2).then(a.1.total_cmp(&b.1)));

    let mut rows: Vec<Vec<(usize, f32, f32, f32)>> = Vec::new();
    for item in by_y {
        if let Some(row) = rows.last_mut() {
            let n = row.len() as f32;
            let row_y = row.iter().map(|r| r.2).sum::<f32>() / n;
            let row_h = row.iter().map(|r| r.3).sum::<f32>() / n;
            if (item.2 - row_y).abs() < 0.5 * row_h.min(item.3) {
                row.push(item);
                continue;
            }
        }
        rows.push(vec![item]);
    }
    rows.into_iter()
        .flat_map(|mut row| {
            row.sort_by(|a, b| a.1.total_cmp(&b.1));
            row.into_iter().map(|r| r.0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-3
    }

    #[test]
    fn hull_of_square_with_inner_points() {
        let pts = [
            [0.0, 0.0],
            [4.0, 0.0],
            [4.0, 4.0],
            [0.0, 4.0],
            [2.0, 2.0],
            [2.0, 0.0],
        ];
        let h = convex_hull(&pts);
        assert_eq!(h.len(), 4);
        for c in [[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0]] {
            assert!(h.contains(&c), "{h:?}");
        }
    }

    #[test]
    fn hull_degenerate() {
        assert!(convex_hull(&[]).is_empty());
        assert_eq!(convex_hull(&[[1.0, 1.0], [1.0, 1.0]]).len(), 1);
        let line = convex_hull(&[[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]);
        assert_eq!(line.len(), 2);
    }

    #[test]
    fn min_rect_axis_aligned() {
        let pts = [[10.0, 20.0], [50.0, 20.0], [50.0, 30.0], [10.0, 30.0]];
        let r = min_area_rect(&pts).unwrap();
        assert!(close(r.width, 40.0) && close(r.height, 10.0), "{r:?}");
        assert!(close(r.center[0], 30.0) && close(r.center[1], 25.0));
        assert!(close(r.angle, 0.0));
        let c = r.corners();
        assert!(close(c[0][0], 10.0) && close(c[0][1], 20.0), "{c:?}");
        assert!(close(c[2][0], 50.0) && close(c[2][1], 30.0), "{c:?}");
    }

    #[test]
    fn min_rect_rotated() {
        // A 40×10 rectangle rotated by 20°.
        let r0 = RotRect {
            center: [100.0, 80.0],
            width: 40.0,
            height: 10.0,
            angle: 20f32.to_radians(),
        };
        let r = min_area_rect(&r0.corners()).unwrap();
        assert!(close(r.width, 40.0) && close(r.height, 10.0), "{r:?}");
        assert!(close(r.angle, r0.angle), "{r:?}");
        assert!(close(r.center[0], 100.0) && close(r.center[1], 80.0));
        // Tall box: width axis stays the near-horizontal side.
        let tall = RotRect {
            angle: 80f32.to_radians(),
            ..r0
        };
        let r = min_area_rect(&tall.corners()).unwrap();
        assert!(close(r.width, 10.0) && close(r.height, 40.0), "{r:?}");
        assert!(close(r.angle, (-10f32).to_radians()), "{r:?}");
    }

    #[test]
    fn min_rect_degenerate() {
        assert!(min_area_rect(&[]).is_none());
        let r = min_area_rect(&[[3.0, 4.0]]).unwrap();
        assert_eq!((r.width, r.height), (0.0, 0.0));
        let r = min_area_rect(&[[0.0, 0.0], [10.0, 0.0]]).unwrap();
        assert!(close(r.width, 10.0) && close(r.height, 0.0));
    }

    #[test]
    fn unclip_grows_each_side() {
        let r = RotRect {
            center: [0.0, 0.0],
            width: 30.0,
            height: 10.0,
            angle: 0.0,
        };
        let u = r.unclip(1.6);
        let d = 300.0 * 1.6 / 80.0;
        assert!(close(u.width, 30.0 + 2.0 * d) && close(u.height, 10.0 + 2.0 * d));
        assert!(r.contains([14.9, 4.9]) && !r.contains([15.5, 0.0]));
    }

    #[test]
    fn cubic_weights_are_opencvs() {
        assert_eq!(cubic_weights(0.0), [0.0, 1.0, 0.0, 0.0]);
        let w = cubic_weights(0.5);
        for (got, want) in w.iter().zip([-0.09375, 0.59375, 0.59375, -0.09375]) {
            assert!(close(*got, want), "{w:?}");
        }
        // A step edge: half way between a 0 and a 200 pixel reads 100, and
        // the overshoot next to the edge is clamped, not wrapped.
        let img = RgbImage::from_fn(4, 1, |x, _| image::Rgb([if x < 2 { 0 } else { 200 }; 3]));
        assert_eq!(sample(&img, 1.5, 0.0)[0], 100);
        assert_eq!(sample(&img, 2.0, 0.0)[0], 200);
        assert_eq!(sample(&img, 0.75, 0.0)[0], 0);
        assert_eq!(sample(&img, -3.0, 7.0)[0], 0);
        assert_eq!(sample(&img, f32::NAN, 0.0)[0], 0);
    }

    #[test]
    fn crop_straightens() {
        // Gradient picture: pixel value = x.
        let img = RgbImage::from_fn(100, 50, |x, _| image::Rgb([x as u8, 0, 0]));
        let q = [[10.0, 5.0], [60.0, 5.0], [60.0, 25.0], [10.0, 25.0]];
        let c = perspective_crop(&img, &q, 50, 20).unwrap();
        assert_eq!(c.dimensions(), (50, 20));
        assert_eq!(c.get_pixel(0, 0).0[0], 10);
        assert_eq!(c.get_pixel(25, 10).0[0], 35);
        assert!(perspective_crop(&img, &q, 0, 20).is_none());
        // Non-affine quad and out-of-picture corners do not panic.
        let q = [[-50.0, -5.0], [500.0, 5.0], [90.0, 1e9], [f32::NAN, 25.0]];
        assert!(perspective_crop(&img, &q, 30, 10).is_some());
    }

    #[test]
    fn order_rows_on_skewed_page() {
        // Two rows of two boxes each on a page turned by 15°.
        let a = 15f32.to_radians();
        let (s, c) = a.sin_cos();
        let at = |x: f32, y: f32| RotRect {
            center: [c * x - s * y, s * x + c * y],
            width: 80.0,
            height: 20.0,
            angle: a,
        };
        // Raw y order would interleave the rows; x,y given in the page frame.
        let rects = [
            at(300.0, 100.0),
            at(0.0, 140.0),
            at(0.0, 100.0),
            at(300.0, 140.0),
        ];
        assert_eq!(reading_order(&rects), vec![2, 0, 1, 3]);
        assert!(reading_order(&[]).is_empty());
    }
}
