//! Know what came back: normalised values, rule checks, masking and the
//! catalogue of document types and keys.
//!
//! Everything here is a pure function of its arguments: nothing reads the
//! clock, the environment or the network, nothing allocates global state, and
//! no input (empty, whitespace, full-width, emoji, megabytes long) makes any of
//! it panic. Raw values are never altered; callers keep the service's `value`
//! and print these results beside it.
//!
//! * [`normalize()`] gives the standard form of one item's value
//!   (ISO 8601 dates, validity periods, `M`/`F`, card numbers without spaces,
//!   registered capital as a number plus unit and currency).
//! * [`run_checks()`] runs the document's own rules (GB 11643-1999 ID numbers,
//!   Luhn, the Hong Kong identity card check digit, GB 32100-2015 unified social
//!   credit codes, validity periods) and reports each as `ok`, `failed` or
//!   `skipped`.
//! * [`mask()`] hides personal fields for display.
//! * [`catalog()`] lists every document type and the keys it returns, for
//!   `xocr types`.

pub mod catalog;
pub mod checks;
pub mod document_checks;
pub mod mask;
pub mod mrz;
pub mod normalize;
pub mod text;
pub mod vin;

pub use catalog::{DocType, catalog, find_doc_type};
pub use checks::{Check, CheckStatus, run_checks};
pub use mask::mask;
pub use normalize::{KeyKind, key_kind, normalize};

/// One recognised field as the service returns it: an item's `key` (e.g.
/// `"id_number"`) and its raw `value` text, unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldRef<'a> {
    /// The item's `key` as sent by the service.
    pub key: &'a str,
    /// The item's `value` as sent by the service (never altered here).
    pub value: &'a str,
}

impl<'a> FieldRef<'a> {
    /// Builds a field from a key and its raw value.
    pub fn new(key: &'a str, value: &'a str) -> Self {
        FieldRef { key, value }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    /// Odd inputs that must never make anything panic.
    fn odd_strings() -> Vec<String> {
        let mut v: Vec<String> = [
            "",
            " ",
            "\u{3000}",
            "\t\n",
            "１２３",
            "１９７７年７月７日",
            "😀",
            "👨‍👩‍👧‍👦",
            "é\u{301}",
            "(",
            ")",
            "()",
            "A(",
            "A()",
            "A123456(😀)",
            "-",
            "—",
            "至",
            "-长期",
            "长期-",
            "9999-99-99",
            "0000-00-00",
            "99999999",
            "2015.03.01-",
            "x",
            "X",
            "亿亿亿亿亿亿亿",
            "九亿亿亿亿",
            "1e308万元",
            "99999999999999999999999999万元",
            ".万元",
            "NaN",
            "\u{0}",
            "\u{FEFF}110105194912310",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.push("1".repeat(100_000));
        v.push("-".repeat(100_000));
        v.push("2015.03.01-".repeat(10_000));
        v.push("字".repeat(50_000));
        // Deterministic pseudo-random strings from a pool of tricky characters.
        let pool: Vec<char> = "0123456789０１２３４５６７８９Xx年月日.-/—至长期 （）()AB万元人民币美元男女MF😀\u{3000}"
            .chars()
            .collect();
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        for len in 0..400 {
            let mut s = String::new();
            for _ in 0..(len % 40) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push(pool[(seed % pool.len() as u64) as usize]);
            }
            v.push(s);
        }
        v
    }

    #[test]
    fn nothing_panics_on_odd_input() {
        let as_of = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
        let strings = odd_strings();
        let mut types: Vec<&str> = catalog().iter().map(|d| d.name).collect();
        types.extend(["", "other", "😀"]);
        for t in &types {
            let keys: Vec<&str> = find_doc_type(t)
                .map(|d| d.keys.iter().map(|(k, _)| *k).collect())
                .unwrap_or_else(|| vec!["id_number", "birth", "name"]);
            for s in &strings {
                let fields: Vec<FieldRef> = keys.iter().map(|k| FieldRef::new(k, s)).collect();
                let checks = run_checks(t, &fields, as_of);
                for c in &checks {
                    assert!(c.detail.chars().count() < 400, "detail too long: {c:?}");
                }
                for k in &keys {
                    let _ = normalize(t, k, s);
                    if let Some(m) = mask(t, k, s) {
                        assert_eq!(m.chars().count(), s.chars().count());
                    }
                }
            }
        }
    }

    #[test]
    fn raw_values_are_untouched_and_results_are_deterministic() {
        let as_of = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
        let raw = String::from(" 1101 0519 4912 31002x ");
        let copy = raw.clone();
        let fields = [FieldRef::new("id_number", &raw)];
        let a = run_checks("id_card", &fields, as_of);
        let b = run_checks("id_card", &fields, as_of);
        assert_eq!(a, b);
        assert_eq!(
            normalize("id_card", "id_number", &raw),
            Some(serde_json::json!("11010519491231002X"))
        );
        assert_eq!(raw, copy);
    }
}
