//! Whether a picture is turned by 90, 180 or 270 degrees, from the votes of
//! its lines.

use super::super::TextLine;
use image::RgbImage;

/// Degrees (0, 90, 180 or 270) the picture must be turned clockwise to
/// stand upright: the turn most of its text agrees on, each line weighing
/// its number of characters (lines of one character do not vote unless no
/// other line does).  0 for a picture without text.
pub fn picture_angle(lines: &[(TextLine, u16)]) -> u16 {
    let mut votes = [0usize; 4];
    let count = |t: &TextLine| t.text.chars().filter(|c| !c.is_whitespace()).count();
    let long = lines.iter().any(|(t, _)| count(t) >= 2);
    for (t, turn) in lines {
        let n = count(t);
        if long && n < 2 {
            continue;
        }
        votes[usize::from(turn / 90) % 4] += n;
    }
    let best = (0..4).max_by_key(|&i| (votes[i], i == 0)).unwrap_or(0);
    if votes[best] > votes[0] {
        best as u16 * 90
    } else {
        0
    }
}

/// `img` turned clockwise by `angle` degrees (0, 90, 180 or 270; anything
/// else is taken modulo 360 and rounded down to a quarter turn).
pub fn turn(img: &RgbImage, angle: u16) -> RgbImage {
    match (angle % 360) / 90 {
        1 => image::imageops::rotate90(img),
        2 => image::imageops::rotate180(img),
        3 => image::imageops::rotate270(img),
        _ => img.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(text: &str) -> TextLine {
        TextLine {
            text: text.into(),
            confidence: 0.9,
            position: [0; 8],
        }
    }

    #[test]
    fn the_majority_of_characters_decides() {
        assert_eq!(picture_angle(&[]), 0);
        assert_eq!(picture_angle(&[(l("姓名张三"), 270), (l("男"), 0)]), 270);
        assert_eq!(
            picture_angle(&[(l("公民身份号码"), 90), (l("张三"), 270), (l("汉"), 0)]),
            90
        );
        assert_eq!(picture_angle(&[(l("ab"), 180), (l("cd"), 0)]), 0);
        let img = RgbImage::new(3, 2);
        assert_eq!(turn(&img, 90).dimensions(), (2, 3));
        assert_eq!(turn(&img, 180).dimensions(), (3, 2));
    }
}
