//! Fields of a bank card from a [`Layout`].

use super::Field;
use super::classify::card_number_in;
use super::layout::{Layout, Span};

/// The bank card's fields: `card_number` (digits only), `bank_name` (the
/// Chinese name ending in 银行 when printed) and `validate_date` (`MM/YY`
/// when printed, e.g. after VALID THRU); missing ones are left out, except
/// `card_number`, always present (empty when not found).
pub fn fields(l: &Layout) -> Vec<Field> {
    let number = (0..l.rows.len()).find_map(|r| {
        let (a, b) = card_number_in(&l.row_text(r))?;
        l.span(r, a, b)
    });
    let mut out = vec![Field::text("card_number", "卡号", number)];
    if let Some(bank) = bank_name(l) {
        out.push(Field::text("bank_name", "银行名称", Some(bank)));
    }
    if let Some(valid) = valid_thru(l) {
        out.push(Field::text("validate_date", "有效期", Some(valid)));
    }
    out
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// The run of Chinese characters ending in the first 银行 of any row.
pub fn bank_name(l: &Layout) -> Option<Span> {
    let (r, _, b) = l.find_any("银行")?;
    let cs: Vec<char> = l.row_text(r).chars().collect();
    let mut a = b;
    while a > 0 && is_cjk(cs[a - 1]) {
        a -= 1;
    }
    l.span(r, a, b).filter(|s| s.text.chars().count() > 2)
}

/// The first `MM/YY` with a month 01–12, not part of a longer number.
fn valid_thru(l: &Layout) -> Option<Span> {
    for r in 0..l.rows.len() {
        let cs: Vec<char> = l.row_text(r).chars().collect();
        for (i, w) in cs.windows(5).enumerate() {
            let digits = [w[0], w[1], w[3], w[4]];
            if w[2] != '/' || !digits.iter().all(char::is_ascii_digit) {
                continue;
            }
            let before = i > 0 && cs[i - 1].is_ascii_digit();
            let after = cs.get(i + 5).is_some_and(char::is_ascii_digit);
            let month = (w[0] as u32 - '0' as u32) * 10 + (w[1] as u32 - '0' as u32);
            if !before && !after && (1..=12).contains(&month) {
                return l.span(r, i, i + 5);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::layout::tests::line;
    use super::*;

    #[test]
    fn number_bank_and_validity() {
        let l = Layout::new(vec![
            line("招商银行CHINAMERCHANTSBANK", 40.0, 30.0),
            line("6225", 40.0, 300.0),
            line("8801 2345", 200.0, 300.0),
            line("6783", 500.0, 300.0),
            line("VALID THRU 09/28", 300.0, 380.0),
        ]);
        let f = fields(&l);
        let v: Vec<(&str, &str)> = f.iter().map(|f| (f.key, f.value.as_str())).collect();
        assert_eq!(
            v,
            [
                ("card_number", "6225880123456783"),
                ("bank_name", "招商银行"),
                ("validate_date", "09/28")
            ]
        );
        let q = f[0].quad.unwrap();
        assert_eq!((q[0], q[2]), ([40.0, 300.0], [620.0, 330.0]));
    }

    #[test]
    fn nothing_found_gives_an_empty_number() {
        let l = Layout::new(vec![line("13/28", 0.0, 0.0)]);
        let f = fields(&l);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].value, "");
    }
}
