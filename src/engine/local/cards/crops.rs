//! The pictures the service returns: the card cut out and straightened,
//! the ID front's portrait, and the ID number line, as base64 JPEG.

use super::classify::Kind;
use super::layout::{Layout, Span};
use crate::engine::local::geometry::{Point, perspective_crop};
use base64::Engine as _;
use image::RgbImage;

/// Longest side of a picture value, px.
const MAX_SIDE: f32 = 2000.0;

/// The card's rectangle `[left, top, right, bottom]` in the layout's frame,
/// estimated from where its labels are printed (ID cards) or from the
/// extent of the text (other documents, with a margin).  `None` without
/// text.
pub fn card_rect(l: &Layout, kind: Kind) -> Option<[f32; 4]> {
    let bbox = |label: &str| -> Option<[f32; 4]> {
        let (r, a, b) = l.find_any(label)?;
        Some(l.span(r, a, b)?.bbox)
    };
    // On the specimen front (896×570 px) 姓名 starts at (57, 71) and the ID
    // number row ends at y 508; the back's title starts at y 84 and
    // 有效期限 at x 159, ending at y 517 (900×572 px).
    let from = |left: f32, top: f32, bottom: f32, fx: f32, fy: f32, fw: f32, fh: f32| {
        let v = bottom - top;
        (v > 0.0).then(|| {
            let (l0, t0) = (left - fx * v, top - fy * v);
            [l0, t0, l0 + fw * v, t0 + fh * v]
        })
    };
    let est = match kind {
        Kind::IdFront => {
            let name = bbox("姓名");
            let id = bbox("公民身份号码").or_else(|| {
                let s = super::id_card::id_number(l)?;
                Some(s.bbox)
            });
            match (name, id) {
                (Some(n), Some(i)) => from(
                    n[0].min(i[0]),
                    n[1],
                    i[3],
                    57.0 / 437.0,
                    71.0 / 437.0,
                    896.0 / 437.0,
                    570.0 / 437.0,
                ),
                _ => None,
            }
        }
        Kind::IdBack => match (bbox("中华人民共和国"), bbox("有效期限")) {
            (Some(t), Some(v)) => from(
                v[0],
                t[1],
                v[3],
                159.0 / 433.0,
                84.0 / 433.0,
                900.0 / 433.0,
                572.0 / 433.0,
            ),
            _ => None,
        },
        _ => None,
    };
    est.or_else(|| {
        let all = l.frame.bbox(l.lines.iter().flat_map(|x| x.quad))?;
        let (w, h) = (all[2] - all[0], all[3] - all[1]);
        Some([
            all[0] - 0.08 * w,
            all[1] - 0.15 * h,
            all[2] + 0.08 * w,
            all[3] + 0.15 * h,
        ])
    })
}

/// The part `[x0, y0, x1, y1]` (fractions 0..1 of the width and height) of
/// the frame rectangle `r`.
pub fn sub_rect(r: [f32; 4], [x0, y0, x1, y1]: [f32; 4]) -> [f32; 4] {
    let (w, h) = (r[2] - r[0], r[3] - r[1]);
    [r[0] + x0 * w, r[1] + y0 * h, r[0] + x1 * w, r[1] + y1 * h]
}

/// Where an ID front's portrait is, as fractions of the card.
pub const PORTRAIT: [f32; 4] = [0.63, 0.10, 0.95, 0.76];

/// Where the holder's photo is printed, as fractions of [`card_rect`]:
/// on an ID front of the card placed from its labels; on the other
/// documents of the text's extent with its margin (so they follow the
/// layouts of the documents' specimens: the photo right of the fields on
/// driving licences, HK identity and social-security cards, left of them
/// on passport data pages). `None` for documents without a photo.
pub fn portrait(kind: Kind) -> Option<[f32; 4]> {
    match kind {
        Kind::IdFront => Some(PORTRAIT),
        Kind::DriveLicense => Some([0.74, 0.39, 0.94, 0.71]),
        Kind::Passport => Some([0.06, 0.21, 0.31, 0.64]),
        Kind::HkId => Some([0.72, 0.27, 0.99, 0.78]),
        Kind::SocialSecurity => Some([0.72, 0.37, 0.94, 0.77]),
        _ => None,
    }
}

/// The frame rectangle around an ID number span, with room for the
/// characters' full height.
pub fn number_rect(s: &Span) -> [f32; 4] {
    let b = s.bbox;
    let h = b[3] - b[1];
    [
        b[0] - 0.3 * h,
        b[1] - 0.25 * h,
        b[2] + 0.3 * h,
        b[3] + 0.25 * h,
    ]
}

/// Cuts the frame rectangle `r` out of `img`, straightened, and encodes it
/// as base64 (standard alphabet) JPEG of quality 90; also gives its quad in
/// the picture.  `None` when the rectangle is degenerate or the encoder
/// fails.
pub fn cut(img: &RgbImage, l: &Layout, r: [f32; 4]) -> Option<(String, [Point; 4])> {
    let (w, h) = (r[2] - r[0], r[3] - r[1]);
    if !(w >= 2.0 && h >= 2.0 && w.is_finite() && h.is_finite()) {
        return None;
    }
    let s = (MAX_SIDE / w.max(h)).min(1.0);
    let quad = l.frame.quad(r);
    let pic = perspective_crop(img, &quad, (w * s).round() as u32, (h * s).round() as u32)?;
    let mut buf = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, 90)
        .encode_image(&pic)
        .ok()?;
    Some((base64::engine::general_purpose::STANDARD.encode(buf), quad))
}

#[cfg(test)]
mod tests {
    use super::super::layout::tests::line;
    use super::*;

    #[test]
    fn the_card_is_placed_from_its_labels_and_cut() {
        let l = Layout::new(vec![
            line("姓名张三", 57.0, 71.0),
            line("公民身份号码", 60.0, 478.0),
        ]);
        let r = card_rect(&l, Kind::IdFront).unwrap();
        assert!(
            (r[0] - 0.0).abs() < 1.0 && (r[1] - 0.0).abs() < 1.0,
            "{r:?}"
        );
        assert!(
            (r[2] - 896.0).abs() < 1.0 && (r[3] - 570.0).abs() < 1.0,
            "{r:?}"
        );
        let img = RgbImage::from_pixel(896, 570, image::Rgb([200, 100, 50]));
        let (b64, quad) = cut(&img, &l, sub_rect(r, PORTRAIT)).unwrap();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let pic = image::load_from_memory(&bytes).unwrap();
        assert_eq!(pic.width(), (0.32 * 896.0f32).round() as u32);
        assert!((quad[0][0] - 0.63 * 896.0).abs() < 1.0);
        assert!(cut(&img, &l, [0.0, 0.0, 0.0, 5.0]).is_none());
        assert!(cut(&img, &l, [0.0, 0.0, f32::NAN, 5.0]).is_none());
    }

    #[test]
    fn other_documents_get_the_text_extent_with_a_margin() {
        let l = Layout::new(vec![line("我是中国人", 100.0, 100.0)]);
        let r = card_rect(&l, Kind::Other).unwrap();
        assert_eq!(r, [88.0, 95.5, 262.0, 134.5]);
        assert!(card_rect(&Layout::new(vec![]), Kind::Other).is_none());
    }
}
