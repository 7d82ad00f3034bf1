//! Fields of the social-security card (中华人民共和国社会保障卡), from a
//! [`Layout`]: each value right of its label.

use super::Field;
use super::classify::{card_number_in, id_number_in};
use super::labels::{Labels, map_text};
use super::layout::Layout;

const LABELS: [&str; 6] = [
    "姓名",
    "社会保障号码",
    "社会保障卡号",
    "发卡日期",
    "银行卡号",
    "卡号",
];
const STOPS: [&str; 2] = [
    "中华人民共和国社会保障卡",
    "SOCIALSECURITYCARDOFTHEPEOPLE'SREPUBLICOFCHINA",
];

/// The card's fields: `name`, `id_number` (社会保障号码, the holder's GB
/// 11643 ID number), `card_number` (社会保障卡号, upper case), `issue_date`
/// (`2019年06月`), then `bank_card_number` (Luhn-valid) and `bank_name`
/// (ending in 银行) when the card carries them. Missing values are empty.
pub fn fields(l: &Layout) -> Vec<Field> {
    let lab = Labels::new(l, &LABELS, &STOPS);
    let id = lab.right(&["社会保障号码"]).and_then(|s| {
        let (a, b) = id_number_in(&s.text)?;
        let text: String = s.text.chars().skip(a).take(b - a).collect();
        Some(super::layout::Span {
            text: text.replace(['x', '×'], "X"),
            ..s
        })
    });
    let card = map_text(lab.right(&["社会保障卡号"]), |t| {
        t.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect()
    });
    let issued = map_text(lab.right(&["发卡日期"]), |t| {
        let nums: Vec<&str> = t
            .split(|c: char| !c.is_ascii_digit())
            .filter(|p| !p.is_empty())
            .collect();
        match nums[..] {
            [y, m] if y.len() == 4 && m.len() <= 2 => format!("{y}年{m:0>2}月"),
            _ => t.to_string(),
        }
    });
    let mut out = vec![
        Field::text("name", "姓名", lab.right(&["姓名"])),
        Field::text("id_number", "社会保障号码", id),
        Field::text("card_number", "社会保障卡号", card),
        Field::text("issue_date", "发卡日期", issued),
    ];
    let bank_number = lab.right(&["银行卡号", "卡号"]).and_then(|s| {
        let (a, b) = card_number_in(&s.text)?;
        let text: String = s.text.chars().skip(a).take(b - a).collect();
        Some(super::layout::Span { text, ..s })
    });
    if let Some(n) = bank_number {
        out.push(Field::text("bank_card_number", "银行卡号", Some(n)));
    }
    if let Some(bank) = super::bank_card::bank_name(l) {
        out.push(Field::text("bank_name", "银行名称", Some(bank)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::layout::tests::{line, value};
    use super::*;

    #[test]
    fn a_card_with_a_bank_number() {
        let l = Layout::new(vec![
            line("中华人民共和国社会保障卡", 130.0, 40.0),
            line("中国工商银行", 680.0, 150.0),
            line("姓名", 50.0, 255.0),
            line("潘艳", 260.0, 255.0),
            line("社会保障号码", 50.0, 308.0),
            line("650102195905178279", 260.0, 308.0),
            line("社会保障卡号", 50.0, 360.0),
            line("F45789739", 260.0, 360.0),
            line("发卡日期", 50.0, 412.0),
            line("2023年2月", 260.0, 412.0),
            line("银行卡号", 50.0, 464.0),
            line("6222028062370003636", 260.0, 464.0),
        ]);
        let f = fields(&l);
        assert_eq!(value(&f, "name"), "潘艳");
        assert_eq!(value(&f, "id_number"), "650102195905178279");
        assert_eq!(value(&f, "card_number"), "F45789739");
        assert_eq!(value(&f, "issue_date"), "2023年02月");
        assert_eq!(value(&f, "bank_card_number"), "6222028062370003636");
        assert_eq!(value(&f, "bank_name"), "中国工商银行");
    }
}
