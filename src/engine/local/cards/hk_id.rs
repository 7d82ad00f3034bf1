//! Fields of the Hong Kong identity card (香港永久性居民身份證 and the
//! non-permanent card), from a [`Layout`]: the name, English name and
//! Chinese commercial code (電碼) printed unlabelled under the title, the
//! dates and sex below their labels, the symbols, the number with its
//! check character.

use super::Field;
use super::classify::hkid_in;
use super::labels::{Labels, spaced_text, tidy_name};
use super::layout::{Layout, Span};

const LABELS: [&str; 5] = ["出生日期", "性別", "性别", "簽發日期", "签发日期"];
const STOPS: [&str; 9] = [
    "香港永久性居民身份證",
    "香港居民身份證",
    "HONGKONGPERMANENTIDENTITYCARD",
    "HONGKONGIDENTITYCARD",
    "DATEOFBIRTH",
    "DATEOFISSUE",
    "SEX",
    "香港",
    "身份證",
];

/// The card's fields, in the catalogue's order: `name` (Chinese, when
/// printed), `english_name` (`CHAN, Tai Man`), `name_code` (groups of four
/// digits apart by a space), `birth` (`DD-MM-YYYY`), `sex` (`男 M` or
/// `女 F`), `symbol` (e.g. `***AZ`), `first_issued` (`(MM-YY)`), `issued`
/// (`DD-MM-YY`), `id_number` (`A123456(3)`, preferring one whose check
/// character is right). Missing values are empty.
pub fn fields(l: &Layout) -> Vec<Field> {
    let lab = Labels::new(l, &LABELS, &STOPS);
    let birth_label = lab.find("出生日期").map(|h| h.bbox[1]);
    let above_birth = |s: &Span| birth_label.is_none_or(|t| s.bbox[3] <= t + 2.0);
    let pieces = lab.pieces();
    let name = pieces
        .iter()
        .filter(|s| above_birth(s))
        .find(|s| {
            let n = s.text.chars().count();
            (2..=6).contains(&n) && s.text.chars().all(is_cjk)
        })
        .cloned();
    let english = pieces
        .iter()
        .filter(|s| above_birth(s))
        .find(|s| {
            s.text.chars().all(|c| c.is_ascii_alphabetic() || c == ',')
                && s.text.chars().filter(char::is_ascii_alphabetic).count() >= 3
        })
        .map(|s| Span {
            text: split_words(&tidy_name(&spaced_text(l, s))),
            ..s.clone()
        });
    let code = pieces
        .iter()
        .filter(|s| above_birth(s))
        .find(|s| {
            let n = s.text.chars().count();
            n >= 4 && n % 4 == 0 && s.text.chars().all(|c| c.is_ascii_digit())
        })
        .map(|s| Span {
            text: s
                .text
                .chars()
                .collect::<Vec<_>>()
                .chunks(4)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join(" "),
            ..s.clone()
        });
    let birth = pattern(l, "DD-DD-DDDD");
    let sex = lab
        .find_any(&["性別", "性别"])
        .and_then(|h| lab.below(h))
        .and_then(|s| {
            let text = if s.text.contains('男') || s.text.ends_with('M') {
                "男 M"
            } else if s.text.contains('女') || s.text.ends_with('F') {
                "女 F"
            } else {
                return None;
            };
            Some(Span {
                text: text.into(),
                ..s
            })
        });
    let symbol = pieces
        .iter()
        .filter(|s| !above_birth(s))
        .find(|s| {
            let n = s.text.chars().count();
            (1..=8).contains(&n)
                && s.text.contains('*')
                && s.text.chars().all(|c| c == '*' || c.is_ascii_uppercase())
        })
        .cloned();
    let first = pattern(l, "(DD-DD)");
    let issued = pattern(l, "DD-DD-DD");
    let number = (0..l.rows.len())
        .find_map(|r| {
            let text: String = l.row_text(r).chars().map(fold_paren).collect();
            let (a, b) = hkid_in(&text)?;
            l.span(r, a, b)
        })
        .map(|s| Span {
            text: s.text.chars().map(fold_paren).collect(),
            ..s
        });
    vec![
        Field::text("name", "中文姓名", name),
        Field::text("english_name", "英文姓名", english),
        Field::text("name_code", "姓名电码", code),
        Field::text("birth", "出生日期", birth),
        Field::text("sex", "性别", sex),
        Field::text("symbol", "符号", symbol),
        Field::text("first_issued", "首次签发日期", first),
        Field::text("issued", "签发日期", issued),
        Field::text("id_number", "身份证号码", number),
    ]
}

/// A space put back between a lower-case letter and a capital, which the
/// recogniser drops in the given names (`Siu Lai` read `SiuLai`).
fn split_words(s: &str) -> String {
    let mut out = String::new();
    let mut prev = ' ';
    for c in s.chars() {
        if prev.is_ascii_lowercase() && c.is_ascii_uppercase() {
            out.push(' ');
        }
        out.push(c);
        prev = c;
    }
    out
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

fn fold_paren(c: char) -> char {
    match c {
        '（' => '(',
        '）' => ')',
        c => c,
    }
}

/// The first run in any row matching `shape`: `D` a digit, `-` a dash or
/// dot, other characters themselves; a shape that starts or ends with a
/// digit not next to another digit or dash there.
fn pattern(l: &Layout, shape: &str) -> Option<Span> {
    let p: Vec<char> = shape.chars().collect();
    (0..l.rows.len()).find_map(|r| {
        let cs: Vec<char> = l.row_text(r).chars().map(fold_paren).collect();
        (0..(cs.len() + 1).saturating_sub(p.len())).find_map(|i| {
            let w = &cs[i..i + p.len()];
            let fits = w.iter().zip(&p).all(|(&c, &q)| match q {
                'D' => c.is_ascii_digit(),
                '-' => matches!(c, '-' | '.'),
                q => c == q,
            });
            let joins = |c: &char| c.is_ascii_digit() || *c == '-';
            let alone = (i == 0 || p[0] != 'D' || !joins(&cs[i - 1]))
                && (p[p.len() - 1] != 'D' || cs.get(i + p.len()).is_none_or(|c| !joins(c)));
            if !(fits && alone) {
                return None;
            }
            let mut s = l.span(r, i, i + p.len())?;
            s.text = s.text.replace('.', "-");
            Some(s)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::super::layout::tests::{line, value};
    use super::*;

    #[test]
    fn a_card_is_read_from_its_shapes_and_labels() {
        let l = Layout::new(vec![
            line("香港永久性居民身份證", 40.0, 30.0),
            line("HONG KONG PERMANENT IDENTITY CARD", 40.0, 70.0),
            line("陳小麗", 40.0, 140.0),
            line("CHAN, Siu Lai", 40.0, 180.0),
            line("711514207787", 40.0, 220.0),
            line("出生日期 Date of Birth", 40.0, 265.0),
            line("性别 Sex", 700.0, 265.0),
            line("01-11-1962", 40.0, 295.0),
            line("男 M", 700.0, 295.0),
            line("***BZ", 40.0, 340.0),
            line("簽發日期 Date of Issue", 40.0, 375.0),
            line("(06-95)", 40.0, 405.0),
            line("15-03-25", 330.0, 405.0),
            line("H900261（A）", 520.0, 465.0),
        ]);
        let f = fields(&l);
        assert_eq!(value(&f, "name"), "陳小麗");
        assert_eq!(value(&f, "english_name"), "CHAN, Siu Lai");
        assert_eq!(value(&f, "name_code"), "7115 1420 7787");
        assert_eq!(value(&f, "birth"), "01-11-1962");
        assert_eq!(value(&f, "sex"), "男 M");
        assert_eq!(value(&f, "symbol"), "***BZ");
        assert_eq!(value(&f, "first_issued"), "(06-95)");
        assert_eq!(value(&f, "issued"), "15-03-25");
        assert_eq!(value(&f, "id_number"), "H900261(A)");
    }
}
