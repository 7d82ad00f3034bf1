//! Fields of the motor vehicle driving licence (中华人民共和国机动车驾驶证),
//! main page, from a [`Layout`]: each value right of its label, the English
//! sub-labels (`Name`, `Date of Birth`, …) kept out of the values.

use super::Field;
use super::classify::id_number_in;
use super::labels::{Labels, map_text, ymd};
use super::layout::{Layout, Span};

/// The labels of the main page.
pub const LABELS: [&str; 10] = [
    "证号",
    "姓名",
    "性别",
    "国籍",
    "住址",
    "出生日期",
    "初次领证日期",
    "准驾车型",
    "有效起始日期",
    "有效期限",
];

/// Printed texts that are no value: the English sub-labels, upper case,
/// without white space.
pub const STOPS: [&str; 14] = [
    "LICENSENO.",
    "LICENSENO",
    "NAME",
    "SEX",
    "NATIONALITY",
    "ADDRESS",
    "DATEOFBIRTH",
    "DATEOFFIRSTISSUE",
    "CLASS",
    "VALIDFROM",
    "VALIDFOR",
    "VALIDPERIOD",
    "中华人民共和国机动车驾驶证",
    "机动车驾驶证",
];

/// The main page's fields, in the service's order:
/// `driving_license_main_number` (证号; on mainland licences the holder's
/// GB 11643 ID number, `x` read as `X`), `name`, `sex` (男/女),
/// `driving_license_main_nationality`, `address` (its lines joined),
/// `birthday`, `issue_date` (初次领证日期), `drive_type` (准驾车型, e.g.
/// `C1`), `valid_period_from` and `valid_period` — dates `YYYY-MM-DD`;
/// `valid_period` is the end date when printed `有效期限 A 至 B` (then A is
/// the start), else as printed (`6年`) — and `licence_issuing_authority`
/// (the seal's lines joined, when read). Missing values are empty.
pub fn fields(l: &Layout) -> Vec<Field> {
    let lab = Labels::new(l, &LABELS, &STOPS);
    let number = lab
        .right(&["证号"])
        .and_then(|s| id_within(l, s))
        .or_else(|| {
            (0..l.rows.len()).find_map(|r| {
                let (a, b) = id_number_in(&l.row_text(r))?;
                l.span(r, a, b)
            })
        })
        .map(|mut s| {
            s.text = s.text.replace(['x', '×'], "X");
            s
        });
    let sex = lab.right(&["性别"]).and_then(|s| {
        let c = s.text.chars().find(|c| matches!(c, '男' | '女'))?;
        Some(Span {
            text: c.to_string(),
            ..s
        })
    });
    let address = lab
        .find("住址")
        .and_then(|h| lab.right_of(h).map(|first| lab.block(h, first, 1.0)));
    let date = |label: &str| map_text(lab.right(&[label]), |t| ymd(t).unwrap_or(t.into()));
    let mut from = date("有效起始日期");
    let mut period = lab.right(&["有效期限"]);
    if let Some(p) = period.as_mut()
        && let Some((a, b)) = p.text.split_once('至')
    {
        if from.is_none() {
            from = Some(Span {
                text: ymd(a).unwrap_or(a.into()),
                ..p.clone()
            });
        }
        p.text = ymd(b).unwrap_or(b.into());
    }
    let class = map_text(lab.right(&["准驾车型"]), |t| {
        t.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_uppercase())
            .collect()
    });
    vec![
        Field::text("driving_license_main_number", "驾驶证证号", number),
        Field::text("name", "姓名", lab.right(&["姓名"])),
        Field::text("sex", "性别", sex),
        Field::text(
            "driving_license_main_nationality",
            "国籍",
            lab.right(&["国籍"]),
        ),
        Field::text("address", "地址", address),
        Field::text("birthday", "出生日期", date("出生日期")),
        Field::text("issue_date", "初次领证日期", date("初次领证日期")),
        Field::text("drive_type", "准驾车型", class),
        Field::text("valid_period_from", "有效起始日期", from),
        Field::text("valid_period", "有效期限", period),
        Field::text("licence_issuing_authority", "发证机关", seal(l)),
    ]
}

/// The ID number inside `s` (a value read with more around it), as a span
/// of its own; `s` itself when it holds none.
fn id_within(l: &Layout, s: Span) -> Option<Span> {
    match id_number_in(&s.text) {
        Some((a, b)) if a > 0 || b < s.text.chars().count() => {
            // Find the same characters in their row to cut their own box.
            let digits: String = s.text.chars().skip(a).take(b - a).collect();
            let (r, a, b) = l.find_any(&digits)?;
            l.span(r, a, b)
        }
        _ => Some(s),
    }
}

/// The issuing authority as the red seal prints it: a short line holding
/// 公安 (its Chinese characters), with the line under it when that one
/// names the traffic police (交通警察, 交警, or ends in 队); joined.
fn seal(l: &Layout) -> Option<Span> {
    let cjk = |t: &str| -> String { t.chars().filter(|&c| is_cjk(c)).collect() };
    let boxes: Vec<Option<[f32; 4]>> = l.lines.iter().map(|x| l.frame.bbox(x.quad)).collect();
    let span = |i: usize| -> Option<Span> {
        let x = &l.lines[i];
        Some(Span {
            text: cjk(&x.text),
            quad: x.quad,
            confidence: x.confidence,
            bbox: boxes[i]?,
        })
    };
    let first = (0..l.lines.len()).find(|&i| {
        let t = cjk(&l.lines[i].text);
        t.contains("公安") && (4..=16).contains(&t.chars().count()) && !t.contains("证号")
    })?;
    let top = span(first)?;
    let h = top.bbox[3] - top.bbox[1];
    let below = (0..l.lines.len())
        .filter(|&i| i != first)
        .filter_map(span)
        .filter(|s| {
            s.bbox[1] > top.bbox[1] + 0.5 * h
                && s.bbox[1] - top.bbox[3] <= 1.5 * h
                && s.bbox[0] < top.bbox[2]
                && s.bbox[2] > top.bbox[0]
                && (s.text.contains("交通") || s.text.contains("交警") || s.text.ends_with('队'))
        })
        .min_by(|a, b| a.bbox[1].total_cmp(&b.bbox[1]));
    match below {
        Some(s) => l.join(&[top, s]),
        None => Some(top),
    }
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::super::layout::tests::{line, value};
    use super::*;

    #[test]
    fn a_main_page_is_read_label_by_label() {
        let l = Layout::new(vec![
            line("中华人民共和国机动车驾驶证", 200.0, 20.0),
            line("证号", 40.0, 120.0),
            line("650102196110246586", 150.0, 125.0),
            line("LicenseNo.", 40.0, 145.0),
            line("姓名", 40.0, 175.0),
            line("吕子", 125.0, 183.0),
            line("性别", 330.0, 175.0),
            line("女", 400.0, 183.0),
            line("国籍", 520.0, 175.0),
            line("中国", 640.0, 183.0),
            line(
                "住址新疆维吾尔自治区乌鲁木齐市天山区中山北路28",
                40.0,
                230.0,
            ),
            line("0号", 125.0, 262.0),
            line("出生日期", 40.0, 335.0),
            line("1961-10-24", 220.0, 340.0),
            line("初次领证日期", 40.0, 390.0),
            line("1990-05-02", 220.0, 395.0),
            line("准驾车型", 40.0, 445.0),
            line("C1", 220.0, 450.0),
            line("有效起始日期", 40.0, 500.0),
            line("2006-05-02", 220.0, 505.0),
            line("有效期限", 400.0, 500.0),
            line("6年", 520.0, 505.0),
            line("新疆公安厅", 700.0, 515.0),
            line("交通警察总队", 690.0, 545.0),
        ]);
        let f = fields(&l);
        assert_eq!(
            value(&f, "driving_license_main_number"),
            "650102196110246586"
        );
        assert_eq!(value(&f, "name"), "吕子");
        assert_eq!(value(&f, "sex"), "女");
        assert_eq!(value(&f, "driving_license_main_nationality"), "中国");
        assert_eq!(
            value(&f, "address"),
            "新疆维吾尔自治区乌鲁木齐市天山区中山北路280号"
        );
        assert_eq!(value(&f, "birthday"), "1961-10-24");
        assert_eq!(value(&f, "issue_date"), "1990-05-02");
        assert_eq!(value(&f, "drive_type"), "C1");
        assert_eq!(value(&f, "valid_period_from"), "2006-05-02");
        assert_eq!(value(&f, "valid_period"), "6年");
        assert_eq!(
            value(&f, "licence_issuing_authority"),
            "新疆公安厅交通警察总队"
        );
    }

    #[test]
    fn a_period_from_to_gives_both_dates() {
        let l = Layout::new(vec![
            line("有效期限", 40.0, 500.0),
            line("2016-05-02至2026-05-02", 220.0, 505.0),
        ]);
        let f = fields(&l);
        assert_eq!(value(&f, "valid_period_from"), "2016-05-02");
        assert_eq!(value(&f, "valid_period"), "2026-05-02");
    }
}
