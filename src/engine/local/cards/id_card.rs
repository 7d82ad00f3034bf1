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
        l.span(r, skip_punct(l, r, b, end), end)
    };
    let name = after("姓名").map(|mut s| {
        s.text = fix_surname(&s.text);
        s
    });
    let sex = after("性别")
        .or_else(|| {
            // 性别 misread: the 男 or 女 before 民族 in its row.
            let (r, a, _) = l.find_any("民族")?;
            l.span(r, 0, a)
        })
        .and_then(pick_sex);
    let nationality = after("民族");
    let birth = after("出生").or_else(|| birth_row(l)).map(|mut s| {
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
        l.rest(r, skip_punct(l, r, b, l.row_len(r)))
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

/// Misreadings of common surnames seen on generated cards: the recogniser
/// takes them for look-alike characters that are not surnames on mainland
/// cards (traditional forms, or not used as a surname).
pub const SURNAME_FIXES: [(char, char); 2] = [('會', '曾'), ('候', '侯')];

/// `name` with its first character replaced when it is a known misreading
/// of a surname ([`SURNAME_FIXES`]).
pub fn fix_surname(name: &str) -> String {
    let mut cs = name.chars();
    match cs.next() {
        Some(c) => match SURNAME_FIXES.iter().find(|(bad, _)| *bad == c) {
            Some((_, good)) => std::iter::once(*good).chain(cs).collect(),
            None => name.to_string(),
        },
        None => String::new(),
    }
}

/// The sex value: 男 or 女 when one of them is in the span, else the span
/// as read when it is one or two characters, else nothing.
fn pick_sex(s: Span) -> Option<Span> {
    if let Some(c) = s.text.chars().find(|c| matches!(c, '男' | '女')) {
        return Some(Span {
            text: c.to_string(),
            ..s
        });
    }
    (s.text.chars().count() <= 2).then_some(s)
}

/// Index of the first character of row `r` from `a` (before `end`) that
/// is not punctuation read between a label and its value (`：`, `:`, …).
fn skip_punct(l: &Layout, r: usize, mut a: usize, end: usize) -> usize {
    let cs: Vec<char> = l.row_text(r).chars().collect();
    while a < end && cs.get(a).is_some_and(|c| "：:，,.。·;；".contains(*c)) {
        a += 1;
    }
    a
}

/// When 出生 is misread: the first row holding a date written
/// `YYYY年M月D日`, from its year.
fn birth_row(l: &Layout) -> Option<Span> {
    (0..l.rows.len()).find_map(|r| {
        let cs: Vec<char> = l.row_text(r).chars().collect();
        let start = (0..cs.len().saturating_sub(3)).find(|&i| {
            cs[i..i + 4].iter().all(char::is_ascii_digit)
                && cs.get(i + 4) == Some(&'年')
                && (i == 0 || !cs[i - 1].is_ascii_digit())
        })?;
        let end = cs[start..].iter().position(|&c| c == '日')? + start + 1;
        let s = l.span(r, start, end)?;
        (normalize_birth(&s.text) != s.text || s.text.contains('月')).then_some(s)
    })
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
    let first = l.rest(r0, skip_punct(l, r0, b, l.row_len(r0)));
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
    fn misread_labels_fall_back_on_the_values_shape() {
        let l = Layout::new(vec![
            line("娃名李四", 60.0, 70.0),
            line("住别女", 60.0, 140.0),
            line("民族汉", 260.0, 140.0),
            line("出土1988年5月12日", 60.0, 210.0),
            line("住址：上海市", 60.0, 280.0),
            line("310104198805124428", 260.0, 470.0),
        ]);
        let f = front(&l);
        assert_eq!(f[0].value, "");
        assert_eq!(f[1].value, "女");
        assert_eq!(f[2].value, "汉");
        assert_eq!(f[3].value, "1988年5月12日");
        assert_eq!(f[4].value, "上海市");
        assert_eq!(f[5].value, "310104198805124428");
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
    fn misread_surnames_are_mended_only_in_first_place() {
        assert_eq!(fix_surname("會宇"), "曾宇");
        assert_eq!(fix_surname("候婷"), "侯婷");
        assert_eq!(fix_surname("张候"), "张候");
        assert_eq!(fix_surname(""), "");
    }

    #[test]
    fn dates_are_normalised_or_left_alone() {
        assert_eq!(normalize_birth("1990年03月07日"), "1990年3月7日");
        assert_eq!(normalize_birth("199O年3月"), "199O年3月");
        assert_eq!(normalize_period("20150307-长期"), "2015.03.07-长期");
        assert_eq!(normalize_period("2015.03.07"), "2015.03.07");
    }
}
