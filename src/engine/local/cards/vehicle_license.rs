//! Fields of the motor vehicle licence (中华人民共和国机动车行驶证), the main
//! page and the back page, from a [`Layout`]: each value right of its
//! label, the English sub-labels kept out of the values.

use super::Field;
use super::classify::vin_in;
use super::labels::{Labels, map_text, ymd};
use super::layout::Layout;

/// The main page's labels with their keys and descriptions, in the
/// service's order.
pub const MAIN_KEYS: [(&str, &str, &str); 10] = [
    ("plate_no", "号牌号码", "号牌号码"),
    ("vehicle_type", "车辆类型", "车辆类型"),
    ("owner", "所有人", "所有人"),
    ("address", "住址", "住址"),
    ("use_character", "使用性质", "使用性质"),
    ("model", "品牌型号", "品牌型号"),
    ("vin", "车辆识别代号", "车辆识别代号"),
    ("engine_no", "发动机号码", "发动机号码"),
    ("register_date", "注册日期", "注册日期"),
    ("issue_date", "发证日期", "发证日期"),
];

/// The back page's labels with their keys and descriptions (keys in the
/// main page's style; `xocr types` lists them under `vehicle_license`).
pub const BACK_KEYS: [(&str, &str, &str); 10] = [
    ("plate_no", "号牌号码", "号牌号码"),
    ("file_no", "档案编号", "档案编号"),
    ("approved_passengers", "核定载人数", "核定载人数"),
    ("gross_mass", "总质量", "总质量"),
    ("unladen_mass", "整备质量", "整备质量"),
    ("approved_load", "核定载质量", "核定载质量"),
    ("overall_dimension", "外廓尺寸", "外廓尺寸"),
    ("traction_mass", "准牵引总质量", "准牵引总质量"),
    ("remarks", "备注", "备注"),
    ("inspection_record", "检验记录", "检验记录"),
];

/// English sub-labels and titles, upper case, without white space.
const STOPS: [&str; 22] = [
    "PLATENO.",
    "PLATENO",
    "VEHICLETYPE",
    "OWNER",
    "ADDRESS",
    "USECHARACTER",
    "MODEL",
    "VIN",
    "ENGINENO.",
    "ENGINENO",
    "REGISTERDATE",
    "ISSUEDATE",
    "FILENO.",
    "FILENO",
    "APPROVEDPASSENGERS",
    "GROSSMASS",
    "UNLADENMASS",
    "APPROVEDLOAD",
    "OVERALLDIMENSION",
    "TRACTIONMASS",
    "REMARKS",
    "INSPECTIONRECORD",
];

/// Reads the fields `keys` (label, key, description) right of their
/// labels.
fn read(l: &Layout, keys: &[(&'static str, &'static str, &'static str)]) -> Vec<Field> {
    let labels: Vec<&'static str> = keys.iter().map(|k| k.1).collect();
    let lab = Labels::new(l, &labels, &STOPS);
    keys.iter()
        .map(|&(key, label, description)| {
            // Figures hold a digit (or `--` for none): English sub-labels
            // misread (`Appro`) are no value of theirs.
            let figure = |s: &super::layout::Span| {
                s.text.chars().any(|c| c.is_ascii_digit())
                    || s.text.chars().all(|c| "-—–".contains(c))
            };
            let value = match key {
                "file_no"
                | "approved_passengers"
                | "gross_mass"
                | "unladen_mass"
                | "approved_load"
                | "overall_dimension"
                | "traction_mass" => lab.find(label).and_then(|h| lab.right_where(h, &figure)),
                // A plate: a province's character, then a letter (粤G411F5).
                "plate_no" => lab.find(label).and_then(|h| {
                    lab.right_where(h, &|s| {
                        let mut cs = s.text.chars();
                        let province = cs
                            .next()
                            .is_some_and(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
                        province && cs.next().is_some_and(|c| c.is_ascii_alphabetic())
                    })
                }),
                _ => lab.right(&[label]),
            };
            let value = match key {
                "register_date" | "issue_date" => map_text(value, |t| ymd(t).unwrap_or(t.into())),
                "vin" => map_text(value, mend_vin),
                "plate_no" | "engine_no" | "file_no" => map_text(value, |t| {
                    t.chars().map(|c| c.to_ascii_uppercase()).collect()
                }),
                "overall_dimension" => map_text(value, times_sign),
                "address" => lab
                    .find(label)
                    .and_then(|h| lab.right_of(h).map(|first| lab.block(h, first, 1.0))),
                _ => value,
            };
            Field::text(key, description, value)
        })
        .collect()
}

/// The main page's fields ([`MAIN_KEYS`]): dates `YYYY-MM-DD`, the VIN
/// mended ([`mend_vin`]), missing values empty.
pub fn main_page(l: &Layout) -> Vec<Field> {
    let mut f = read(l, &MAIN_KEYS);
    // A VIN read elsewhere (its label misread) when it passes its check.
    if let Some(vin) = f.iter_mut().find(|f| f.key == "vin" && f.value.is_empty()) {
        let found = (0..l.rows.len()).find_map(|r| {
            let (a, b) = vin_in(&l.row_text(r))?;
            l.span(r, a, b)
        });
        *vin = Field::text("vin", "车辆识别代号", found);
    }
    f
}

/// The back page's fields ([`BACK_KEYS`]); `4467x1943x1680mm` read with
/// `x` gets its `×` back.
pub fn back_page(l: &Layout) -> Vec<Field> {
    read(l, &BACK_KEYS)
}

/// A VIN as read, mended: upper case, white space dropped, and `O`, `Q`
/// read for `0` and `I` for `1` (ISO 3779 allows none of them).
pub fn mend_vin(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c.to_ascii_uppercase() {
            'O' | 'Q' => '0',
            'I' => '1',
            c => c,
        })
        .collect()
}

/// `×` for an `x`, `X` or `*` between digits (`4467x1943` → `4467×1943`).
fn times_sign(s: &str) -> String {
    let cs: Vec<char> = s.chars().collect();
    cs.iter()
        .enumerate()
        .map(|(i, &c)| {
            let between = i > 0
                && cs[i - 1].is_ascii_digit()
                && cs.get(i + 1).is_some_and(char::is_ascii_digit);
            if between && matches!(c, 'x' | 'X' | '*' | '✕') {
                '×'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::layout::tests::{line, value};
    use super::*;

    #[test]
    fn the_main_page_reads_both_columns() {
        let l = Layout::new(vec![
            line("号牌号码", 40.0, 110.0),
            line("粤G411F5", 160.0, 118.0),
            line("车辆类型", 460.0, 110.0),
            line("轻型厢式货车", 590.0, 118.0),
            line("PlateNo.", 40.0, 135.0),
            line("所有人", 40.0, 170.0),
            line("卢建", 160.0, 178.0),
            line("使用性质", 40.0, 285.0),
            line("货运", 160.0, 293.0),
            line("品牌型号", 460.0, 285.0),
            line("丰田牌TV7250HEV", 590.0, 293.0),
            line("车辆识别代号", 40.0, 345.0),
            line("LVSUP93TXL9792877", 200.0, 350.0),
            line("注册日期", 40.0, 460.0),
            line("2013-12-02", 160.0, 468.0),
            line("发证日期", 460.0, 460.0),
            line("2013.12.02", 590.0, 468.0),
        ]);
        let f = main_page(&l);
        assert_eq!(value(&f, "plate_no"), "粤G411F5");
        assert_eq!(value(&f, "vehicle_type"), "轻型厢式货车");
        assert_eq!(value(&f, "owner"), "卢建");
        assert_eq!(value(&f, "use_character"), "货运");
        assert_eq!(value(&f, "model"), "丰田牌TV7250HEV");
        assert_eq!(value(&f, "vin"), "LVSUP93TXL9792877");
        assert_eq!(value(&f, "register_date"), "2013-12-02");
        assert_eq!(value(&f, "issue_date"), "2013-12-02");
        assert_eq!(value(&f, "engine_no"), "");
    }

    #[test]
    fn the_back_page_has_its_own_keys() {
        let l = Layout::new(vec![
            line("核定载人数", 40.0, 110.0),
            line("19人", 200.0, 118.0),
            line("总质量", 560.0, 110.0),
            line("2848kg", 680.0, 118.0),
            line("外廓尺寸", 40.0, 240.0),
            line("4467x1943x1680mm", 200.0, 248.0),
            line("准牵引总质量", 40.0, 300.0),
            line("检验记录", 40.0, 440.0),
            line("检验有效期至2025年04月", 200.0, 448.0),
        ]);
        let f = back_page(&l);
        assert_eq!(value(&f, "approved_passengers"), "19人");
        assert_eq!(value(&f, "gross_mass"), "2848kg");
        assert_eq!(value(&f, "overall_dimension"), "4467×1943×1680mm");
        assert_eq!(value(&f, "traction_mass"), "");
        assert_eq!(value(&f, "inspection_record"), "检验有效期至2025年04月");
        assert_eq!(mend_vin("lvsup93txl9792877 "), "LVSUP93TXL9792877");
        assert_eq!(mend_vin("LVSUPO3TXL979Z877"), "LVSUP03TXL979Z877");
    }
}
