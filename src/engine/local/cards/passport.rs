//! Fields of a passport's data page, from a [`Layout`]: the
//! machine-readable zone (ICAO 9303 TD3, two lines of 44 characters) read
//! and mended by its check digits ([`crate::fields::mrz::parse_td3`]), and
//! the visual fields printed below their labels.

use super::Field;
use super::classify::is_mrz_row;
use super::labels::{Labels, spaced_text, tidy_name};
use super::layout::{Layout, Span};
use crate::fields::mrz::{TD3_LINE, Td3, parse_td3};

/// The visual zone's labels (Chinese passports print `类型/Type` etc.).
const LABELS: [&str; 12] = [
    "类型",
    "国家码",
    "护照号",
    "姓名",
    "性别",
    "国籍",
    "出生日期",
    "出生地点",
    "签发日期",
    "签发地点",
    "有效期至",
    "签发机关",
];

/// English halves of the labels and the page's titles.
const STOPS: [&str; 16] = [
    "TYPE",
    "CODEOFISSUINGSTATE",
    "PASSPORTNO.",
    "PASSPORTNO",
    "NAME",
    "SEX",
    "NATIONALITY",
    "DATEOFBIRTH",
    "PLACEOFBIRTH",
    "DATEOFISSUE",
    "PLACEOFISSUE",
    "DATEOFEXPIRY",
    "AUTHORITY",
    "PASSPORT",
    "护照",
    "PEOPLE'SREPUBLICOFCHINA",
];

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// The data page's fields, in the catalogue's order: `passport_type`,
/// `country_code`, `passport_number`, `name`, `english_name`
/// (`SURNAME, GIVEN NAMES`), `sex`, `birth`, `birth_place`, `nationality`,
/// `issue_date`, `issue_place`, `expiry_date`, `mrz` (the two lines as
/// mended, joined with `\n`).
///
/// From the zone when it is found: the number, English name, sex, birth
/// and expiry dates (`07 MAR 1990`), nationality and type; a printed value
/// is kept instead where it says the same (`男/M` for `M`, `中国/CHINESE`
/// for `CHN`) — the zone's check digits make it the better reading of the
/// rest. Without a zone, the printed values alone. Missing values are
/// empty.
pub fn fields(l: &Layout, reread: Option<&str>) -> Vec<Field> {
    let lab = Labels::new(l, &LABELS, &STOPS);
    let page = |label: &str| lab.find(label).and_then(|h| lab.below(h));
    let (mut zone, zone_span) = mrz(l);
    // The zone read again (its rows narrowed), when that reading is better.
    if let Some(again) = reread.and_then(|t| parse_td3(t).ok()) {
        let rank = |z: &Td3| {
            (
                z.checks.iter().filter(|c| c.1).count(),
                usize::MAX - z.mended,
            )
        };
        if zone.as_ref().is_none_or(|z| rank(&again) > rank(z)) {
            zone = Some(again);
        }
    }
    let zone_text = |s: Option<Span>, text: Option<String>| -> Option<Span> {
        let text = text?;
        Some(match s {
            Some(s) => Span { text, ..s },
            None => Span {
                text,
                ..zone_span.clone()?
            },
        })
    };
    let name = page("姓名");
    let printed_english = name
        .as_ref()
        .and_then(|n| lab.below_box(n.bbox))
        .filter(|s| s.text.chars().any(|c| c.is_ascii_alphabetic()))
        .map(|s| Span {
            text: tidy_name(&spaced_text(l, &s)),
            ..s
        });
    if let (Some(z), Some(p)) = (zone.as_mut(), printed_english.as_ref()) {
        mend_names(z, &p.text);
    }
    let mut out = Vec::new();
    let z = zone.as_ref();
    let ptype = page("类型").filter(|s| s.text.chars().all(|c| c.is_ascii_uppercase()));
    let ptype = match (ptype, z) {
        (Some(s), _) => Some(s),
        (None, Some(z)) => zone_text(None, z.lines[0].get(..1).map(String::from)),
        _ => None,
    };
    out.push(Field::text("passport_type", "护照类型", ptype));
    let code = match z {
        Some(z) => zone_text(page("国家码"), Some(z.issuing_state.clone())),
        None => page("国家码"),
    };
    out.push(Field::text("country_code", "国家码", code));
    let number = match z {
        Some(z) if check(z, "document_number") => {
            zone_text(page("护照号"), Some(z.document_number.clone()))
        }
        _ => page("护照号").map(|s| Span {
            text: s.text.chars().filter(char::is_ascii_alphanumeric).collect(),
            ..s
        }),
    };
    out.push(Field::text("passport_number", "护照号码", number));
    out.push(Field::text("name", "姓名", name.clone()));
    let english = match z {
        Some(z) if !z.surname.is_empty() => {
            let full = if z.given_names.is_empty() {
                z.surname.clone()
            } else {
                format!("{}, {}", z.surname, z.given_names)
            };
            zone_text(printed_english, Some(full))
        }
        _ => printed_english,
    };
    out.push(Field::text("english_name", "姓名拼音", english));
    let sex = page("性别");
    let sex = match z.map(|z| z.sex) {
        Some(c @ ('M' | 'F')) => {
            let agrees = sex.as_ref().is_some_and(|s| s.text.ends_with(c));
            let text = match (agrees, &sex, c) {
                (true, Some(s), _) => s.text.clone(),
                (_, _, 'M') if chinese(z) => "男/M".into(),
                (_, _, 'F') if chinese(z) => "女/F".into(),
                _ => c.to_string(),
            };
            zone_text(sex, Some(text))
        }
        _ => sex,
    };
    out.push(Field::text("sex", "性别", sex));
    let birth = date_field(
        page("出生日期"),
        z.map(|z| (z.birth.as_str(), false)),
        &zone_text,
    );
    out.push(Field::text("birth", "出生日期", birth));
    out.push(Field::text("birth_place", "出生地点", page("出生地点")));
    let nationality = match (page("国籍"), z) {
        (Some(s), _) => Some(s),
        (None, Some(z)) => zone_text(None, Some(z.nationality.clone())),
        _ => None,
    };
    out.push(Field::text("nationality", "国籍", nationality));
    out.push(Field::text(
        "issue_date",
        "签发日期",
        page("签发日期").map(|s| Span {
            text: tidy_date(&s.text),
            ..s
        }),
    ));
    out.push(Field::text("issue_place", "签发地点", page("签发地点")));
    let expiry = date_field(
        page("有效期至"),
        z.map(|z| (z.expiry.as_str(), true)),
        &zone_text,
    );
    out.push(Field::text("expiry_date", "有效期至", expiry));
    let mrz = z.and_then(|z| zone_text(None, Some(z.lines.join("\n"))));
    out.push(Field::text("mrz", "机读码", mrz));
    out
}

/// The zone's names mended from the printed English name: the recogniser
/// drops letters of the zone's widely spaced monospace text (`LN<<MEDONG`
/// for `LIN<<MEIDONG`), which line 1 has no check digit to show. When the
/// zone's surname and given names are what the printed `SURNAME, GIVEN`
/// gives with letters left out, the printed names are taken and line 1
/// is written again from them.
fn mend_names(z: &mut Td3, printed: &str) {
    let Some((sur, given)) = printed.split_once(',') else {
        return;
    };
    let clean = |s: &str| -> Vec<String> {
        s.split_whitespace()
            .map(|w| {
                w.chars()
                    .filter(char::is_ascii_alphabetic)
                    .collect::<String>()
            })
            .filter(|w| !w.is_empty())
            .map(|w| w.to_ascii_uppercase())
            .collect()
    };
    let (sur, given) = (clean(sur).join(" "), clean(given).join(" "));
    let subsequence = |short: &str, long: &str| {
        let mut it = long.chars();
        short.chars().all(|c| it.any(|d| d == c))
    };
    let same = sur == z.surname && given == z.given_names;
    if sur.is_empty()
        || same
        || !subsequence(&z.surname, &sur)
        || !subsequence(&z.given_names, &given)
    {
        return;
    }
    let mut line: String = z.lines[0].chars().take(5).collect();
    line.push_str(&sur.replace(' ', "<"));
    line.push_str("<<");
    line.push_str(&given.replace(' ', "<"));
    let mut line: String = line.chars().take(TD3_LINE).collect();
    while line.chars().count() < TD3_LINE {
        line.push('<');
    }
    z.lines[0] = line;
    z.surname = sur;
    z.given_names = given;
}

fn check(z: &Td3, name: &str) -> bool {
    z.checks.iter().any(|&(n, ok)| n == name && ok)
}

fn chinese(z: Option<&Td3>) -> bool {
    z.is_some_and(|z| z.issuing_state == "CHN")
}

/// A date field: the printed one when it says the zone's date (or there is
/// no zone), else the zone's `YYMMDD` written `07 MAR 1990` (a birth year
/// in the future belongs to the century before; expiry years are 20YY).
fn date_field(
    printed: Option<Span>,
    zone: Option<(&str, bool)>,
    zone_text: &dyn Fn(Option<Span>, Option<String>) -> Option<Span>,
) -> Option<Span> {
    let printed = printed.map(|s| Span {
        text: tidy_date(&s.text),
        ..s
    });
    let Some((yymmdd, expiry)) = zone else {
        return printed;
    };
    let Some(from_zone) = zone_date(yymmdd, expiry) else {
        return printed;
    };
    if printed.as_ref().is_some_and(|s| s.text == from_zone) {
        return printed;
    }
    zone_text(printed, Some(from_zone))
}

/// `07 MAR 1990` from the zone's `900307`; `None` when it is no date.
pub fn zone_date(yymmdd: &str, expiry: bool) -> Option<String> {
    if yymmdd.len() != 6 || !yymmdd.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let yy: u32 = yymmdd[..2].parse().ok()?;
    let mm: usize = yymmdd[2..4].parse().ok()?;
    let dd: u32 = yymmdd[4..].parse().ok()?;
    if !(1..=12).contains(&mm) || !(1..=31).contains(&dd) {
        return None;
    }
    let this_year = {
        use chrono::Datelike;
        (chrono::Local::now().year() % 100) as u32
    };
    let year = if expiry || yy <= this_year {
        2000 + yy
    } else {
        1900 + yy
    };
    Some(format!("{dd:02} {} {year}", MONTHS[mm - 1]))
}

/// A printed date `07MAR1990` or `07 mar 1990` as `07 MAR 1990`; other
/// text unchanged.
fn tidy_date(s: &str) -> String {
    let t: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let cs: Vec<char> = t.chars().collect();
    if cs.len() == 9
        && cs[..2].iter().all(char::is_ascii_digit)
        && cs[5..].iter().all(char::is_ascii_digit)
    {
        let mon: String = cs[2..5].iter().collect();
        if MONTHS.contains(&mon.as_str()) {
            let (d, y): (String, String) = (cs[..2].iter().collect(), cs[5..].iter().collect());
            return format!("{d} {mon} {y}");
        }
    }
    s.to_string()
}

/// The rows of the zone: the last two rows that look like MRZ lines
/// ([`is_mrz_row`]); empty without two.
pub fn zone_rows(l: &Layout) -> Vec<usize> {
    let rows: Vec<usize> = (0..l.rows.len())
        .filter(|&r| is_mrz_row(&l.row_text(r)))
        .collect();
    if rows.len() < 2 {
        return Vec::new();
    }
    rows[rows.len() - 2..].to_vec()
}

/// The zone ([`zone_rows`]) parsed, with the span it covers. `(None,
/// None)` without two such rows or when they are no TD3 zone.
fn mrz(l: &Layout) -> (Option<Td3>, Option<Span>) {
    let pair = zone_rows(l);
    if pair.len() < 2 {
        return (None, None);
    }
    let text = format!("{}\n{}", l.row_text(pair[0]), l.row_text(pair[1]));
    let spans: Vec<Span> = pair.iter().filter_map(|&r| l.rest(r, 0)).collect();
    match parse_td3(&text) {
        Ok(z) => (Some(z), l.join(&spans)),
        Err(_) => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::super::layout::tests::{line, value};
    use super::*;

    fn page() -> Vec<super::super::layout::Line> {
        vec![
            line("类型/Type", 300.0, 90.0),
            line("P", 300.0, 120.0),
            line("国家码/CodeofIssuingState", 460.0, 90.0),
            line("CHN", 460.0, 120.0),
            line("护照号/PassportNo.", 660.0, 90.0),
            line("EC5243615", 660.0, 120.0),
            line("姓名/Name", 300.0, 150.0),
            line("林梅东", 300.0, 180.0),
            line("LIN, MEIDONG", 300.0, 210.0),
            line("性别/Sex", 300.0, 240.0),
            line("男/M", 300.0, 270.0),
            line("出生日期/Dateofbirth", 300.0, 300.0),
            line("14JAN 1977", 300.0, 330.0),
            line("有效期至/Dateofexpiry", 300.0, 400.0),
            line("12 JUL 2O32", 300.0, 430.0),
        ]
    }

    #[test]
    fn the_zone_mends_and_fills_the_page() {
        let mut lines = page();
        lines.push(line(
            "P<CHNLIN<<MEIDONG<<<<<<<<<<<<<<<<<<<<<<<<<<<",
            60.0,
            520.0,
        ));
        // O read for 0 in the expiry date, « for fillers.
        lines.push(line(
            "EC52436158CHN7701144M32O7121EPLJAVUDYFYO««28",
            60.0,
            570.0,
        ));
        let f = fields(&Layout::new(lines), None);
        assert_eq!(value(&f, "passport_type"), "P");
        assert_eq!(value(&f, "country_code"), "CHN");
        assert_eq!(value(&f, "passport_number"), "EC5243615");
        assert_eq!(value(&f, "name"), "林梅东");
        assert_eq!(value(&f, "english_name"), "LIN, MEIDONG");
        assert_eq!(value(&f, "sex"), "男/M");
        assert_eq!(value(&f, "birth"), "14 JAN 1977");
        assert_eq!(value(&f, "expiry_date"), "12 JUL 2032");
        assert_eq!(
            value(&f, "mrz"),
            "P<CHNLIN<<MEIDONG<<<<<<<<<<<<<<<<<<<<<<<<<<<\nEC52436158CHN7701144M3207121EPLJAVUDYFYO<<28"
        );
    }

    #[test]
    fn without_a_zone_the_printed_values_stand() {
        let f = fields(&Layout::new(page()), None);
        assert_eq!(value(&f, "passport_number"), "EC5243615");
        assert_eq!(value(&f, "english_name"), "LIN, MEIDONG");
        assert_eq!(value(&f, "birth"), "14 JAN 1977");
        assert_eq!(value(&f, "mrz"), "");
        assert_eq!(zone_date("900307", false).as_deref(), Some("07 MAR 1990"));
        assert_eq!(zone_date("320712", true).as_deref(), Some("12 JUL 2032"));
        assert_eq!(zone_date("901307", false), None);
    }
}
