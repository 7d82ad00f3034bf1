//! Cards understood: the offline engine's lines turned into what the
//! service returns — the document type, its fields under the service's
//! keys and descriptions (see PROTOCOL.md), the picture's turn, and the
//! picture fields (`crop_image`, `head_portrait`, `id_number_image`).
//!
//! Steps ([`read_card`]): recognise; find from the lines' own turns whether
//! the picture stands on a side or on its head, and if so turn it upright
//! and recognise again; arrange the lines in rows ([`layout`]); classify
//! ([`classify`]); pick the fields out of the rows, separating labels from
//! values ([`id_card`], [`bank_card`], and for printed forms with their
//! labels ([`labels`]) [`drive_license`], [`vehicle_license`],
//! [`business_license`], [`passport`], [`hk_id`], [`social_security`]);
//! on an ID front, read the name, and
//! a missing sex or nationality, again from the strip right of their label
//! ([`Recognizer::read_line`]); cut out the pictures ([`crops`]).

pub mod bank_card;
pub mod business_license;
pub mod classify;
pub mod crops;
pub mod drive_license;
pub mod hk_id;
pub mod id_card;
pub mod labels;
pub mod layout;
pub mod orient;
pub mod passport;
pub mod social_security;
pub mod vehicle_license;

use super::geometry::Point;
use super::{Recognizer, TextLine};
use crate::engine::{ReadItem, Reading};
use anyhow::Result;
use classify::Kind;
use image::RgbImage;
use layout::{Layout, Line, Span};

/// What card understanding needs of a recogniser: lines with their turns,
/// and one strip read again. [`Recognizer`] is the real one; tests give
/// fixed lines, so understanding is tested without the models.
pub trait LineReader: Sync {
    /// The text lines of `img` in reading order, each with the degrees
    /// (0, 90, 180, 270) its box was turned clockwise to read upright
    /// ([`Recognizer::recognize_turns`]). Errors: model failures only.
    fn recognize_turns(&self, img: &RgbImage) -> Result<Vec<(TextLine, u16)>>;
    /// The text of a one-line strip of upright text and its confidence,
    /// 0..1 ([`Recognizer::read_line`]). Errors: model failures only.
    fn read_line(&self, strip: &RgbImage) -> Result<(String, f32)>;
}

impl LineReader for Recognizer {
    fn recognize_turns(&self, img: &RgbImage) -> Result<Vec<(TextLine, u16)>> {
        Recognizer::recognize_turns(self, img)
    }

    fn read_line(&self, strip: &RgbImage) -> Result<(String, f32)> {
        Recognizer::read_line(self, strip)
    }
}

/// One field of a result before it becomes a [`ReadItem`].
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The service's key, e.g. `name`.
    pub key: &'static str,
    /// The service's description, e.g. `姓名`.
    pub description: &'static str,
    /// The text found, or base64 JPEG for picture fields; may be empty.
    pub value: String,
    /// Where it is in the upright picture; `None` when not found.
    pub quad: Option<[Point; 4]>,
    /// Lowest confidence of the lines it comes from (text fields only).
    pub confidence: Option<f32>,
}

impl Field {
    /// A text field from a span (empty when `span` is `None`).
    pub fn text(key: &'static str, description: &'static str, span: Option<Span>) -> Field {
        match span {
            Some(s) => Field {
                key,
                description,
                value: s.text,
                quad: Some(s.quad),
                confidence: Some(s.confidence),
            },
            None => Field {
                key,
                description,
                value: String::new(),
                quad: None,
                confidence: None,
            },
        }
    }

    fn into_item(self, w: u32, h: u32) -> ReadItem {
        let clamp = |v: f32, max: u32| -> i64 {
            if v.is_finite() {
                (v.round() as i64).clamp(0, i64::from(max.saturating_sub(1)))
            } else {
                0
            }
        };
        ReadItem {
            key: self.key.to_string(),
            value: self.value,
            description: self.description.to_string(),
            position: self
                .quad
                .map(|q| {
                    q.iter()
                        .flat_map(|p| [clamp(p[0], w), clamp(p[1], h)])
                        .collect()
                })
                .unwrap_or_default(),
            confidence: self.confidence,
        }
    }
}

/// A picture understood: the service's result and the classifier's
/// evidence.
#[derive(Clone, Debug)]
pub struct Card {
    /// The result, as the service would give it.
    pub reading: Reading,
    /// Why the type was chosen, one line for `-v` ([`classify::Scores::describe`]).
    pub evidence: String,
}

/// Reads `img` as the service would: recognises its text (upright first;
/// when most of the text says the picture is turned, turns it and reads it
/// again), classifies it and returns the service's result.
///
/// - `type`: one of [`crate::engine::LOCAL_TYPES`], `other` when the
///   evidence is thin or two types compete ([`classify::score`]);
///   `type_description` empty as in the service's replies.
/// - `image_angle`: degrees (0, 90, 180, 270) `img` must be turned
///   clockwise to stand upright; `rotated_image_width/height`: the upright
///   picture's size, px.  Positions are in the upright picture.
/// - `id_card`: `name`, `sex`, `nationality`, `birth`, `address`,
///   `id_number`, `issue_authority`, `validate_date` (the other side's keys
///   empty), then `head_portrait` and `id_number_image` (front only);
///   `bank_card`: `card_number`, `bank_name` and `validate_date` when
///   printed; the other documents: the fields of their readers (see each
///   module); every type but `other` ends with `crop_image`. `other`: one
///   `line_N` item per text line (description 文本行) in reading order.
///
/// Errors: only model failures of the recogniser.
pub fn read_card(engine: &dyn LineReader, img: &RgbImage) -> Result<Card> {
    let first = engine.recognize_turns(img)?;
    let angle = orient::picture_angle(&first);
    let turned;
    let (upright, lines) = if angle == 0 {
        (img, first)
    } else {
        turned = orient::turn(img, angle);
        let again = engine.recognize_turns(&turned)?;
        (&turned, again)
    };
    let (w, h) = upright.dimensions();
    let layout = Layout::new(lines.iter().map(|(t, _)| Line::from(t)).collect());
    let scores = classify::score(&layout);
    let kind = scores.kind;
    let mut fields = match kind {
        Kind::IdFront => {
            let mut f = id_card::front(&layout);
            reread_short_values(engine, upright, &layout, &mut f)?;
            reread_name(engine, upright, &layout, &mut f)?;
            f
        }
        Kind::IdBack => id_card::back(&layout),
        Kind::BankCard => bank_card::fields(&layout),
        Kind::DriveLicense => {
            let mut f = drive_license::fields(&layout);
            reread_drive_sex(engine, upright, &layout, &mut f)?;
            f
        }
        Kind::VehicleLicense => vehicle_license::main_page(&layout),
        Kind::VehicleBack => vehicle_license::back_page(&layout),
        Kind::BusinessLicense => business_license::fields(&layout),
        Kind::Passport => {
            let again = reread_zone(engine, upright, &layout)?;
            passport::fields(&layout, again.as_deref())
        }
        Kind::HkId => hk_id::fields(&layout),
        Kind::SocialSecurity => social_security::fields(&layout),
        Kind::Other => Vec::new(),
    };
    if kind != Kind::Other {
        let card = crops::card_rect(&layout, kind);
        if let Some(at) = crops::portrait(kind) {
            let portrait = card.map(|c| crops::sub_rect(c, at));
            fields.push(picture(upright, &layout, "head_portrait", "头像", portrait));
        }
        if kind == Kind::IdFront {
            let number = id_card::id_number(&layout).map(|s| crops::number_rect(&s));
            fields.push(picture(
                upright,
                &layout,
                "id_number_image",
                "身份证号码图像",
                number,
            ));
        }
        fields.push(picture(upright, &layout, "crop_image", "切边图像", card));
    }
    let items = if kind == Kind::Other {
        lines
            .into_iter()
            .enumerate()
            .map(|(i, (line, _))| ReadItem {
                key: format!("line_{}", i + 1),
                value: line.text,
                description: "文本行".into(),
                position: line.position.iter().map(|&v| i64::from(v)).collect(),
                confidence: Some(line.confidence),
            })
            .collect()
    } else {
        fields.into_iter().map(|f| f.into_item(w, h)).collect()
    };
    let reading = Reading {
        doc_type: kind.doc_type().into(),
        type_description: String::new(),
        image_angle: i64::from(angle),
        rotated_image_width: i64::from(w),
        rotated_image_height: i64::from(h),
        items,
        cost_time: None,
    };
    Ok(Card {
        reading,
        evidence: scores.describe(),
    })
}

/// The passport's machine-readable zone read again: its monospace letters
/// stand so far apart that the recogniser drops some (`P<HNHEN` for
/// `P<CHNCHEN`); each of its two rows is cut out and narrowed to 55% of
/// its width, where the letters stand as close as in ordinary text, and
/// read as one line. `None` without two zone rows or when a strip cannot
/// be cut.
fn reread_zone(engine: &dyn LineReader, img: &RgbImage, l: &Layout) -> Result<Option<String>> {
    let rows = passport::zone_rows(l);
    let mut lines = Vec::new();
    for r in rows {
        let [left, t, right, bottom] = l.rows[r].bbox;
        let h = bottom - t;
        let rect = [
            left - 0.3 * h,
            t - 0.15 * h,
            right + 0.3 * h,
            bottom + 0.15 * h,
        ];
        let (w_px, h_px) = (rect[2] - rect[0], rect[3] - rect[1]);
        if !(h > 2.0 && w_px > h && w_px.is_finite() && h_px.is_finite()) {
            return Ok(None);
        }
        let quad = l.frame.quad(rect);
        let Some(strip) = super::geometry::perspective_crop(img, &quad, w_px as u32, h_px as u32)
        else {
            return Ok(None);
        };
        let narrow = image::imageops::resize(
            &strip,
            ((w_px * 0.55) as u32).max(1),
            (h_px as u32).max(1),
            image::imageops::FilterType::Triangle,
        );
        lines.push(engine.read_line(&narrow)?.0);
    }
    Ok((lines.len() == 2).then(|| lines.join("\n")))
}

/// A driving licence's sex (one character printed apart from its label)
/// read again when the recogniser gave none: the strip right of 性别 up to
/// the next label on its row (国籍) or six label heights, kept when it is
/// 男/女 read with confidence ≥ 0.2.
fn reread_drive_sex(
    engine: &dyn LineReader,
    img: &RgbImage,
    l: &Layout,
    fields: &mut [Field],
) -> Result<()> {
    let Some(field) = fields.iter_mut().find(|f| f.key == "sex") else {
        return Ok(());
    };
    if !field.value.is_empty() {
        return Ok(());
    }
    let Some((r, a, b)) = l.find_any("性别") else {
        return Ok(());
    };
    let Some(lab) = l.span(r, a, b) else {
        return Ok(());
    };
    let [_, t, right, bottom] = lab.bbox;
    let h = bottom - t;
    if !(h > 2.0 && h.is_finite()) {
        return Ok(());
    }
    let next = l
        .find(r, "国籍")
        .and_then(|(a, b)| l.span(r, a, b))
        .map_or(f32::INFINITY, |s| s.bbox[0]);
    let end = (right + 6.0 * h).min(next - 0.2 * h);
    // The value stands a little lower than the label, which has an
    // English line under it.
    let rect = [right + 0.2 * h, t, end, bottom + 0.6 * h];
    if rect[2] - rect[0] < h {
        return Ok(());
    }
    let quad = l.frame.quad(rect);
    let (w_px, h_px) = ((rect[2] - rect[0]).round(), (rect[3] - rect[1]).round());
    let Some(strip) = super::geometry::perspective_crop(img, &quad, w_px as u32, h_px as u32)
    else {
        return Ok(());
    };
    let (text, confidence) = engine.read_line(&strip)?;
    let sex: Vec<char> = text.chars().filter(|c| matches!(c, '男' | '女')).collect();
    if sex.len() == 1 && confidence >= 0.2 {
        field.value = sex[0].to_string();
        field.quad = Some(quad);
        field.confidence = Some(confidence);
    }
    Ok(())
}

/// Sex and nationality are one to three characters printed apart from
/// their label; the recogniser sometimes reads the label's box without
/// them.  An empty one is read again from the strip right of its label
/// (from two label characters on; the label's own characters are
/// dropped), kept only when it is 男/女, or one of the 56 ethnic groups'
/// names, read with confidence ≥ 0.2 (the closed list makes up for the
/// low bar: a noisy strip often reads at 0.3).
fn reread_short_values(
    engine: &dyn LineReader,
    img: &RgbImage,
    l: &Layout,
    fields: &mut [Field],
) -> Result<()> {
    for (key, label, width) in [("sex", "性别", 1.2f32), ("nationality", "民族", 3.5)] {
        let Some(field) = fields.iter_mut().find(|f| f.key == key) else {
            continue;
        };
        if !field.value.is_empty() {
            continue;
        }
        let Some((r, a, b)) = l.find_any(label) else {
            continue;
        };
        let Some(lab) = l.span(r, a, b) else {
            continue;
        };
        let [left, t, right, bottom] = lab.bbox;
        let h = bottom - t;
        if !(h > 2.0 && h.is_finite()) {
            continue;
        }
        // The label's box may hold the unread value too: start where two
        // label characters end, not at the box's end.
        let start = left + 1.5 * h;
        let end = right.max(start + width * h) + 0.3 * h;
        let rect = [start, t - 0.2 * h, end, bottom + 0.2 * h];
        let quad = l.frame.quad(rect);
        let (w_px, h_px) = ((rect[2] - rect[0]).round(), (rect[3] - rect[1]).round());
        let Some(strip) = super::geometry::perspective_crop(img, &quad, w_px as u32, h_px as u32)
        else {
            continue;
        };
        let (text, confidence) = engine.read_line(&strip)?;
        let text: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && !label.contains(*c))
            .collect();
        let known = match key {
            "sex" => text == "男" || text == "女",
            _ => ETHNIC_GROUPS.contains(&text.as_str()),
        };
        if known && confidence >= 0.2 {
            field.value = text;
            field.quad = Some(quad);
            field.confidence = Some(confidence);
        }
    }
    Ok(())
}

/// The recogniser sometimes drops a name's first character when it reads
/// it together with the 姓名 label (曾 most often).  The name is read
/// again from the strip right of the label alone; the new reading replaces
/// the old one only when it is longer and ends with it (a character was
/// dropped in front), is at most five Chinese characters, and has
/// confidence ≥ 0.5.
fn reread_name(
    engine: &dyn LineReader,
    img: &RgbImage,
    l: &Layout,
    fields: &mut [Field],
) -> Result<()> {
    let Some(field) = fields.iter_mut().find(|f| f.key == "name") else {
        return Ok(());
    };
    let Some((r, a, b)) = l.find_any("姓名") else {
        return Ok(());
    };
    let Some(lab) = l.span(r, a, b) else {
        return Ok(());
    };
    let [left, t, _, bottom] = lab.bbox;
    let h = bottom - t;
    let rect = [
        left + 1.5 * h,
        t - 0.2 * h,
        l.rows[r].bbox[2] + 0.3 * h,
        bottom + 0.2 * h,
    ];
    let (w_px, h_px) = (rect[2] - rect[0], rect[3] - rect[1]);
    if !(h > 2.0 && w_px > h && w_px.is_finite() && h_px.is_finite()) {
        return Ok(());
    }
    let quad = l.frame.quad(rect);
    let Some(strip) = super::geometry::perspective_crop(img, &quad, w_px as u32, h_px as u32)
    else {
        return Ok(());
    };
    let (text, confidence) = engine.read_line(&strip)?;
    let text = id_card::fix_surname(&text);
    let n = text.chars().count();
    let chinese = text.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    if confidence >= 0.5
        && chinese
        && n <= 5
        && n > field.value.chars().count()
        && !field.value.is_empty()
        && text.ends_with(&field.value)
    {
        field.value = text;
        field.quad = Some(quad);
        field.confidence = Some(confidence);
    }
    Ok(())
}

/// The names of the 56 ethnic groups as printed on ID cards (民族).
pub const ETHNIC_GROUPS: [&str; 56] = [
    "汉",
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
];

/// A picture field cut from the frame rectangle `rect` (empty value and no
/// position when there is none or it cannot be cut).
fn picture(
    img: &RgbImage,
    l: &Layout,
    key: &'static str,
    description: &'static str,
    rect: Option<[f32; 4]>,
) -> Field {
    let cut = rect.and_then(|r| crops::cut(img, l, r));
    Field {
        key,
        description,
        value: cut.as_ref().map(|c| c.0.clone()).unwrap_or_default(),
        quad: cut.map(|c| c.1),
        confidence: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ethnic_groups_are_56_distinct_names() {
        let mut names = ETHNIC_GROUPS.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 56);
        assert!(ETHNIC_GROUPS.contains(&"维吾尔") && ETHNIC_GROUPS.contains(&"傣"));
    }

    #[test]
    fn missing_fields_have_no_position_and_positions_are_clamped() {
        let item = Field::text("name", "姓名", None).into_item(100, 50);
        assert_eq!((item.value.as_str(), item.position.len()), ("", 0));
        let far = Field {
            key: "crop_image",
            description: "切边图像",
            value: String::new(),
            quad: Some([[-5.0, -5.0], [500.0, 0.0], [f32::NAN, 80.0], [0.0, 49.4]]),
            confidence: None,
        };
        assert_eq!(far.into_item(100, 50).position, [0, 0, 99, 0, 0, 49, 0, 49]);
    }

    /// A recogniser that "reads" fixed lines, each 30 px per character.
    struct Fixed(Vec<(&'static str, f32, f32)>);

    impl LineReader for Fixed {
        fn recognize_turns(&self, _: &RgbImage) -> Result<Vec<(TextLine, u16)>> {
            Ok(self
                .0
                .iter()
                .map(|&(text, x, y)| {
                    let w = 30.0 * text.chars().count() as f32;
                    let p = [x, y, x + w, y, x + w, y + 30.0, x, y + 30.0];
                    let line = TextLine {
                        text: text.into(),
                        confidence: 0.95,
                        position: p.map(|v| v as i32),
                    };
                    (line, 0)
                })
                .collect())
        }

        fn read_line(&self, _: &RgbImage) -> Result<(String, f32)> {
            Ok((String::new(), 0.0))
        }
    }

    fn value<'a>(r: &'a Reading, key: &str) -> &'a str {
        r.items
            .iter()
            .find(|i| i.key == key)
            .map_or("<absent>", |i| i.value.as_str())
    }

    #[test]
    fn an_id_front_is_understood_without_the_models() {
        let lines = Fixed(vec![
            ("姓名张三", 60.0, 70.0),
            ("性别男", 60.0, 140.0),
            ("民族汉", 260.0, 140.0),
            ("出生1990年3月7日", 60.0, 210.0),
            ("住址北京市东城区景山前街4号", 60.0, 280.0),
            ("公民身份号码", 60.0, 470.0),
            ("11010119900307451X", 260.0, 470.0),
        ]);
        let img = RgbImage::new(856, 540);
        let r = read_card(&lines, &img).unwrap().reading;
        assert_eq!(r.doc_type, "id_card");
        assert_eq!(
            (r.image_angle, r.rotated_image_width, r.rotated_image_height),
            (0, 856, 540)
        );
        assert_eq!(value(&r, "name"), "张三");
        assert_eq!(value(&r, "sex"), "男");
        assert_eq!(value(&r, "nationality"), "汉");
        assert_eq!(value(&r, "birth"), "1990年3月7日");
        assert_eq!(value(&r, "address"), "北京市东城区景山前街4号");
        assert_eq!(value(&r, "id_number"), "11010119900307451X");
        assert_eq!(value(&r, "issue_authority"), "");
        let name = r.items.iter().find(|i| i.key == "name").unwrap();
        assert_eq!(name.position, [120, 70, 180, 70, 180, 100, 120, 100]);
        // The pictures are cut out of the picture: base64 JPEG.
        for key in ["head_portrait", "id_number_image", "crop_image"] {
            assert!(
                value(&r, key).starts_with("/9j/"),
                "{key}: {}",
                value(&r, key)
            );
        }
    }

    #[test]
    fn text_that_is_no_card_is_other_with_one_item_per_line() {
        let lines = Fixed(vec![
            ("欢迎光临", 10.0, 10.0),
            ("营业时间 9:00-18:00", 10.0, 60.0),
        ]);
        let r = read_card(&lines, &RgbImage::new(400, 200)).unwrap().reading;
        assert_eq!(r.doc_type, "other");
        let texts: Vec<(&str, &str)> = r
            .items
            .iter()
            .map(|i| (i.key.as_str(), i.value.as_str()))
            .collect();
        assert_eq!(
            texts,
            [("line_1", "欢迎光临"), ("line_2", "营业时间 9:00-18:00")]
        );
    }
}
