//! Which document a picture shows, from its text.

use super::layout::Layout;
use crate::fields::checks::{gb11643_check_char, luhn_valid};

/// The documents the offline engine understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Resident ID card, the side with the portrait.
    IdFront,
    /// Resident ID card, the side with 签发机关 and 有效期限.
    IdBack,
    /// A bank card (a Luhn-valid 16–19 digit number).
    BankCard,
    /// Anything else: kept as text lines.
    Other,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 4] = [Kind::IdFront, Kind::IdBack, Kind::BankCard, Kind::Other];

    /// The document type a reading of this kind answers (one of
    /// [`crate::engine::LOCAL_TYPES`]): both ID card sides are `id_card`.
    pub fn doc_type(self) -> &'static str {
        match self {
            Kind::IdFront | Kind::IdBack => "id_card",
            Kind::BankCard => "bank_card",
            Kind::Other => "other",
        }
    }
}

const FRONT_LABELS: [&str; 6] = ["姓名", "性别", "民族", "出生", "住址", "公民身份号码"];
const BACK_LABELS: [&str; 4] = ["签发机关", "有效期限", "居民身份证", "中华人民共和国"];

/// Classifies a picture from its rows: ID front when at least three of its
/// labels (an 18-character ID number counts for two) are found, ID back
/// likewise with its labels (a validity period counts for two), bank card
/// when a row holds a Luhn-valid 16–19 digit number, else other.
pub fn classify(layout: &Layout) -> Kind {
    let all = layout.all_text();
    let count = |labels: &[&str]| labels.iter().filter(|l| all.contains(*l)).count();
    let has_id = (0..layout.rows.len()).any(|r| id_number_in(&layout.row_text(r)).is_some());
    let front = count(&FRONT_LABELS) + if has_id { 2 } else { 0 };
    let has_period = all.contains("长期") || digits_runs(&all).iter().any(|&n| n >= 16);
    let back = count(&BACK_LABELS) + if has_period { 2 } else { 0 };
    if front >= 3 && front >= back {
        return Kind::IdFront;
    }
    if back >= 3 {
        return Kind::IdBack;
    }
    if (0..layout.rows.len()).any(|r| card_number_in(&layout.row_text(r)).is_some()) {
        return Kind::BankCard;
    }
    Kind::Other
}

/// Lengths of the runs of ASCII digits, dots and dashes of `s` counted in
/// digits (a period `2015.03.07-2035.03.07` is one run of 16).
fn digits_runs(s: &str) -> Vec<usize> {
    let mut runs = vec![];
    let mut n = 0;
    for c in s.chars() {
        if c.is_ascii_digit() {
            n += 1;
        } else if !matches!(c, '.' | '-' | '一' | '—' | '–') {
            if n > 0 {
                runs.push(n);
            }
            n = 0;
        }
    }
    if n > 0 {
        runs.push(n);
    }
    runs
}

/// An ID number in `text` (no white space): the character range of 17
/// digits followed by a digit or X (any case, or ×), preferring one whose
/// check character is right.
pub fn id_number_in(text: &str) -> Option<(usize, usize)> {
    let cs: Vec<char> = text.chars().collect();
    if cs.len() < 18 {
        return None;
    }
    let mut found = None;
    for i in 0..=cs.len() - 18 {
        let w = &cs[i..i + 18];
        let last_ok = w[17].is_ascii_digit() || matches!(w[17], 'X' | 'x' | '×');
        if !(w[..17].iter().all(char::is_ascii_digit) && last_ok) {
            continue;
        }
        if i + 18 < cs.len() && cs[i + 18].is_ascii_digit() {
            continue;
        }
        if i > 0 && cs[i - 1].is_ascii_digit() {
            continue;
        }
        let first17: String = w[..17].iter().collect();
        let last = if w[17].is_ascii_digit() { w[17] } else { 'X' };
        if gb11643_check_char(&first17) == Some(last) {
            return Some((i, i + 18));
        }
        found.get_or_insert((i, i + 18));
    }
    found
}

/// A bank card number in `text` (no white space): the character range of a
/// run of 16–19 digits passing the Luhn check.
pub fn card_number_in(text: &str) -> Option<(usize, usize)> {
    let cs: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        if !cs[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < cs.len() && cs[i].is_ascii_digit() {
            i += 1;
        }
        let run: String = cs[start..i].iter().collect();
        if (16..=19).contains(&run.len()) && luhn_valid(&run) {
            return Some((start, i));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::layout::tests::line;
    use super::*;

    fn kind(lines: &[&str]) -> Kind {
        let ls = lines
            .iter()
            .enumerate()
            .map(|(i, t)| line(t, 0.0, 50.0 * i as f32))
            .collect();
        classify(&Layout::new(ls))
    }

    #[test]
    fn local_types_are_what_the_classifier_answers() {
        let mut answered: Vec<&str> = Kind::ALL.iter().map(|k| k.doc_type()).collect();
        answered.sort_unstable();
        answered.dedup();
        let mut listed = crate::engine::LOCAL_TYPES.to_vec();
        listed.sort_unstable();
        assert_eq!(answered, listed);
    }

    #[test]
    fn documents_are_told_apart() {
        assert_eq!(
            kind(&[
                "姓名张三",
                "性别男民族汉",
                "公民身份号码",
                "110101199003074514"
            ]),
            Kind::IdFront
        );
        // Labels misread, the number still tells.
        assert_eq!(
            kind(&["娃名张三", "住址北京", "11010119900307451X"]),
            Kind::IdFront
        );
        assert_eq!(
            kind(&[
                "中华人民共和国",
                "居民身份证",
                "签发机关某某公安局",
                "有效期限2015.03.07-长期"
            ]),
            Kind::IdBack
        );
        assert_eq!(kind(&["招商银行", "6225 8801 2345 6783"]), Kind::BankCard);
        assert_eq!(kind(&["6225880123456781"]), Kind::Other);
        assert_eq!(kind(&["我是中国人"]), Kind::Other);
        assert_eq!(kind(&[]), Kind::Other);
    }

    #[test]
    fn id_numbers_and_card_numbers_are_found() {
        assert_eq!(id_number_in("号码110101199003074514"), Some((2, 20)));
        assert_eq!(id_number_in("1101011990030745141"), None);
        assert_eq!(id_number_in("11010119900307451x"), Some((0, 18)));
        assert_eq!(card_number_in("卡号6225880123456783有效"), Some((2, 18)));
        assert_eq!(card_number_in("6225880123456781"), None);
    }
}
