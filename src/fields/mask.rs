//! Masking personal fields for display (`--mask`), for logs and screenshots,
//! and in stored results (`--mask-saved`).

use super::Check;

/// How a personal value is masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaskRule {
    /// Keep the first character: `张三丰` → `张**`.
    Name,
    /// Keep the first 6 and last 4 characters: `11010519491231002X` →
    /// `110105********002X`. Values shorter than 14 characters keep a quarter
    /// at each end instead (rounded down), so at least half is always
    /// hidden: `A123456(3)` → `A1******3)`.
    Number,
    /// Keep the first 6 characters: `北京市朝阳区某某路1号` → `北京市朝阳区*****`.
    /// Values of 6 characters or fewer keep half (rounded down).
    Address,
}

/// Document types whose `name`, `owner` and `address` belong to an
/// organisation, not a person; only the named representative is personal
/// there.
const ORGANISATION_TYPES: &[&str] = &[
    "business_license",
    "opening_license",
    "tax_certificate",
    "organization_certificate",
];

/// Keys holding a person's name.
const NAME_KEYS: &[&str] = &[
    "name",
    "english_name",
    "holder_name",
    "owner",
    "husband_name",
    "wife_name",
];
/// Keys holding a person's name even on organisation documents.
const REPRESENTATIVE_KEYS: &[&str] = &["BizLicenseOwnerName", "legal_representative"];
/// Keys holding an ID, card or document number of a person.
const NUMBER_KEYS: &[&str] = &[
    "id_number",
    "card_number",
    "passport_number",
    "driving_license_main_number",
    "husband_id_number",
    "wife_id_number",
];
/// Keys holding a person's address.
const ADDRESS_KEYS: &[&str] = &["address"];

/// Which masking rule applies to `key` in `doc_type`, or `None` when the key
/// is not personal. On organisation documents (`business_license`,
/// `opening_license`, `tax_certificate`, `organization_certificate`) only
/// the representative's name (`BizLicenseOwnerName`, `legal_representative`)
/// is personal.
pub fn mask_rule(doc_type: &str, key: &str) -> Option<MaskRule> {
    if REPRESENTATIVE_KEYS.contains(&key) {
        return Some(MaskRule::Name);
    }
    if ORGANISATION_TYPES.contains(&doc_type) {
        return None;
    }
    if NAME_KEYS.contains(&key) {
        Some(MaskRule::Name)
    } else if NUMBER_KEYS.contains(&key) {
        Some(MaskRule::Number)
    } else if ADDRESS_KEYS.contains(&key) {
        Some(MaskRule::Address)
    } else {
        None
    }
}

/// The masked display value of a personal field, or `None` when `key` is
/// not personal in `doc_type` (see [`mask_rule`]).
///
/// Names keep their first character; ID and card numbers their first 6 and
/// last 4; addresses their first 6 ([`MaskRule`] gives the details for short
/// values). Counting is by characters (Unicode scalar values), never bytes,
/// and whitespace is kept in place and not counted, so
/// `"4111 1111 1111 1111"` becomes `"4111 11** **** 1111"`. Every hidden
/// character becomes one `*`. An empty value masks to an empty string. The
/// raw value is not modified. Never panics.
pub fn mask(doc_type: &str, key: &str, value: &str) -> Option<String> {
    let rule = mask_rule(doc_type, key)?;
    Some(apply(rule, value))
}

/// Masks `value` as [`mask`] does and replaces every quotation of it in
/// `checks`' details by the masked form, so no check detail gives back what
/// the mask hides. `None` (and `checks` untouched) when `key` is not
/// personal in `doc_type`.
pub fn mask_quoted(doc_type: &str, key: &str, value: &str, checks: &mut [Check]) -> Option<String> {
    let masked = mask(doc_type, key, value)?;
    if !value.is_empty() {
        for check in checks.iter_mut() {
            if check.detail.contains(value) {
                check.detail = check.detail.replace(value, &masked);
            }
        }
    }
    Some(masked)
}

/// Applies `rule` to `value` (see [`MaskRule`]).
pub fn apply(rule: MaskRule, value: &str) -> String {
    let n = value.chars().filter(|c| !c.is_whitespace()).count();
    let (head, tail) = match rule {
        MaskRule::Name => (1.min(n), 0),
        MaskRule::Number if n >= 14 => (6, 4),
        MaskRule::Number => (n / 4, n / 4),
        MaskRule::Address if n > 6 => (6, 0),
        MaskRule::Address => (n / 2, 0),
    };
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if c.is_whitespace() {
                return c;
            }
            let i = seen;
            seen += 1;
            if i < head || i >= n - tail { c } else { '*' }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_the_first_character() {
        assert_eq!(mask("id_card", "name", "张三丰").as_deref(), Some("张**"));
        assert_eq!(mask("id_card", "name", "王").as_deref(), Some("王"));
        assert_eq!(
            mask("hongkong_idcard", "english_name", "CHAN, Tai Man").as_deref(),
            Some("C**** *** ***")
        );
        assert_eq!(
            mask("business_card", "name", "😀测试").as_deref(),
            Some("😀**")
        );
        assert_eq!(mask("id_card", "name", "").as_deref(), Some(""));
    }

    #[test]
    fn numbers_keep_first_six_and_last_four() {
        assert_eq!(
            mask("id_card", "id_number", "11010519491231002X").as_deref(),
            Some("110105********002X")
        );
        assert_eq!(
            mask("bank_card", "card_number", "4111 1111 1111 1111").as_deref(),
            Some("4111 11** **** 1111")
        );
        assert_eq!(
            mask(
                "id_card",
                "id_number",
                "１１０１０５１９４９１２３１００２Ｘ"
            )
            .as_deref(),
            Some("１１０１０５********００２Ｘ")
        );
        assert_eq!(
            mask("hongkong_idcard", "id_number", "A123456(3)").as_deref(),
            Some("A1******3)")
        );
        assert_eq!(
            mask("bank_card", "card_number", "123").as_deref(),
            Some("***")
        );
    }

    #[test]
    fn addresses_keep_the_first_six_characters() {
        assert_eq!(
            mask("id_card", "address", "上海市普陀区小合路888号").as_deref(),
            Some("上海市普陀区*******")
        );
        assert_eq!(
            mask("id_card", "address", "北京市").as_deref(),
            Some("北**")
        );
        let long = "地".repeat(10_000);
        let m = mask("id_card", "address", &long).unwrap();
        assert_eq!(m.chars().count(), 10_000);
        assert!(m.starts_with("地地地地地地*"));
    }

    #[test]
    fn non_personal_keys_are_not_masked() {
        assert_eq!(mask("id_card", "nationality", "汉"), None);
        assert_eq!(mask("id_card", "birth", "1977年7月7日"), None);
        assert_eq!(
            mask("business_license", "BizLicenseCompanyName", "某公司"),
            None
        );
        assert_eq!(mask("organization_certificate", "address", "某地"), None);
        assert_eq!(
            mask("business_license", "BizLicenseOwnerName", "李四").as_deref(),
            Some("李*")
        );
    }
}
