//! Fields of the resident ID card, front and back, from a [`Layout`].

use super::Field;
use super::classify::id_number_in;
use super::layout::{Layout, Span};

/// Labels of the front, in the card's order.
const FRONT_LABELS: [&str; 6] = ["姓名", "性别", "民族", "出生", "住址", "公民身份号码"];

/// The front's fields, in the service's order: `name`, `sex`,
/// `nationality`, `birth`, `address`, `id_number`, then the back's
/// `issue_authority` and `validate_date` empty (as the service sends them).
/// A field that cannot be found has an empty value and no position.
pub fn front(l: &Layout) -> Vec<Field> {
    let after = |label: &str| -> Option<Span> {
        let (r, _, b) = l.find_any(label)?;
        let end = FRONT_LABELS
            .iter()
            .filter(|&&o| o != label)
            .filter_map(|o| l.find(r, o))
            .map(|(a, _)| a)
            .filter(|&a| a >= b)
            .min()
            .unwrap_or(l.row_len(r));
        l.span(r, b, end)
    };
    let name = after("姓名");
    let sex = after("性别").map(|s| pick_sex(l, s));
    let nationality = after("民族");
    let birth = after("出生").map(|mut s| {
        s.text = normalize_birth(&s.text);
        s
    });
    let address = address(l);
    let id_number = id_number(l);
    vec![
        Field::text("name", "姓名", name),
        Field::text("sex", "性别", sex),
        Field::text("nationality", "民族", nationality),
        Field::text("birth", "出生日期", birth),
        Field::text("address", "地址", address),
        Field::text("id_number", "身份证号", id_number),
        Field::text("issue_authority", "签发机构", None),
        Field::text("validate_date", "有效期限", None),
    ]
}

/// The back's fields, in the service's order: the front's six empty, then
/// `issue_authority` and `validate_date` (normalised to
/// `YYYY.MM.DD-YYYY.MM.DD` or `YYYY.MM.DD-长期` when its digits allow).
pub fn back(l: &Layout) -> Vec<Field> {
    let after = |label: &str| -> Option<Span> {
        let (r, _, b) = l.find_any(label)?;
        l.rest(r, b)
    };
    let authority = after("签发机关");
    let validity = after("有效期限").map(|mut s| {
        s.text = normalize_period(&s.text);
        s
    });
    vec![
        Field::text("name", "姓名", None),
        Field::text("sex", "性别", None),
        Field::text("nationality", "民族", None),
        Field::text("birth", "出生日期", None),
        Field::text("address", "地址", None),
        Field::text("id_number", "身份证号", None),
        Field::text("issue_authority", "签发机构", authority),
        Field::text("validate_date", "有效期限", validity),
    ]
}

/// The sex value: 男 or 女 when one of them is in the span (its own
/// character's position), else the span as read.
fn pick_sex(_l: &Layout, s: Span) -> Span {
    if let Some(c) = s.text.chars().find(|c| matches!(c, '男' | '女')) {
        return Span {
            text: c.to_string(),
            ..s
        };
    }
    s
}

/// The ID number: after 公民身份号码 when that row or the next holds one,
/// else the first number found in any row.  `x` and `×` become `X`.
pub fn id_number(l: &Layout) -> Option<Span> {
    let label = l.find_any("公民身份号码");
    let mut rows: Vec<usize> = Vec::new();
    if let Some((r, _, _)) = label {
        rows.push(r);
        rows.push(r + 1);
    }
    rows.extend(0..l.rows.len());
    for r in rows {
        if let Some((a, b)) = id_number_in(&l.row_text(r)) {
            let mut s = l.span(r, a, b)?;
            s.text = s
                .text
                .chars()
                .map(|c| if matches!(c, 'x' | '×') { 'X' } else { c })
                .collect();
            return Some(s);
        }
    }
    None
}

/// The address: the rest of the 住址 row and the rows below it that start
/// near its value, up to the ID number row, another label, or a gap of more
/// than two line heights.
fn address(l: &Layout) -> Option<Span> {
    let (r0, _, b) = l.find_any("住址")?;
    let first = l.rest(r0, b);
    let mut spans: Vec<Span> = first.into_iter().collect();
    let line_h = l.rows[r0].bbox[3] - l.rows[r0].bbox[1];
    let label_left = l.rows[r0].bbox[0];
    let mut bottom = l.rows[r0].bbox[3];
    for r in r0 + 1..l.rows.len() {
        let text = l.row_text(r);
        let row = &l.rows[r];
        if row.bbox[1] - bottom > 2.0 * line_h
            || FRONT_LABELS.iter().any(|lab| text.contains(lab))
            || id_number_in(&text).is_some()
            || row.bbox[0] < label_left + 0.5 * line_h
        {
            break;
        }
        if let Some(s) = l.rest(r, 0) {
            spans.push(s);
        }
        bottom = row.bbox[3];
    }
    l.join(&spans)
}

/// `1990年3月7日` from a birth date read with any separators and leading
/// zeros (`1990年03月07日`, `1990 3 7`); the text unchanged when it does
/// not hold three numbers.
pub fn normalize_birth(s: &str) -> String {
    let nums: Vec<u32> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect();
    match nums[..] {
        [y, m, d] if (1..=12).contains(&m) && (1..=31).contains(&d) => format!("{y}年{m}月{d}日"),
        _ => s.to_string(),
    }
}

/// `2015.03.07-2035.03.07` or `2015.03.07-长期` from a validity read with
/// any separators (`2015.03.07一2035.03.07`, `20150307-20350307`); the text
/// unchanged when its digits do not make one or two dates.
pub fn normalize_period(s: &str) -> String {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let date = |d: &str| format!("{}.{}.{}", &d[0..4], &d[4..6], &d[6..8]);
    if digits.len() == 16 && !s.contains("长期") {
        return format!("{}-{}", date(&digits[..8]), date(&digits[8..]));
    }
    if digits.len() == 8 && s.contains("长期") {
        return format!("{}-长期", date(&digits));
    }
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::super::layout::tests::line;
    use super::*;

    fn values(fields: &[Field]) -> Vec<(&str, &str)> {
        fields.iter().map(|f| (f.key, f.value.as_str())).collect()
    }

    #[test]
    fn a_front_with_merged_and_split_labels() {
        let l = Layout::new(vec![
            line("姓名张三", 60.0, 70.0),
            line("性别男", 60.0, 140.0),
            line("民族", 260.0, 142.0),
            line("维吾尔", 330.0, 140.0),
            line("出生", 60.0, 210.0),
            line("1990年03月07日", 140.0, 212.0),
            line("住址北京市东城区景山前街", 60.0, 280.0),
            line("4号院2号楼301室", 140.0, 330.0),
            line("公民身份号码", 60.0, 470.0),
            line("11010119900307451x", 260.0, 472.0),
        ]);
        let f = front(&l);
        assert_eq!(
            values(&f),
            [
                ("name", "张三"),
                ("sex", "男"),
                ("nationality", "维吾尔"),
                ("birth", "1990年3月7日"),
                ("address", "北京市东城区景山前街4号院2号楼301室"),
                ("id_number", "11010119900307451X"),
                ("issue_authority", ""),
                ("validate_date", ""),
            ]
        );
        assert_eq!(f[0].quad.unwrap()[0], [120.0, 70.0]);
        assert_eq!(f[1].description, "性别");
        assert!(f[7].quad.is_none());
        // The address spans both lines.
        let q = f[4].quad.unwrap();
        assert_eq!((q[0], q[2]), ([120.0, 280.0], [440.0, 360.0]));
    }

    #[test]
    fn a_back_and_its_period() {
        let l = Layout::new(vec![
            line("中华人民共和国", 280.0, 80.0),
            line("签发机关", 160.0, 410.0),
            line("北京市公安局东城分局", 300.0, 412.0),
            line("有效期限2015.03.07一2035.03.07", 160.0, 480.0),
        ]);
        let f = back(&l);
        assert_eq!(f[6].value, "北京市公安局东城分局");
        assert_eq!(f[7].value, "2015.03.07-2035.03.07");
        assert_eq!(f[0].value, "");
    }

    #[test]
    fn dates_are_normalised_or_left_alone() {
        assert_eq!(normalize_birth("1990年03月07日"), "1990年3月7日");
        assert_eq!(normalize_birth("199O年3月"), "199O年3月");
        assert_eq!(normalize_period("20150307-长期"), "2015.03.07-长期");
        assert_eq!(normalize_period("2015.03.07"), "2015.03.07");
    }
}
