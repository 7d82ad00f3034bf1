//! Checks of recognised values against the document's own rules.
//!
//! [`run_checks`] returns, for one document, every check that applies to its
//! type in a stable order, each `ok`, `failed` or `skipped` with a short
//! English `detail`. A check whose input field is absent (no item with that
//! key, or only blank values) is `skipped` with the reason, never silently
//! left out; but only checks of the side of the document that was recognised
//! are listed (an ID card back has no `id_number`, so the front checks are not
//! listed for it, see [`run_checks`]).
//!
//! The algorithms are public so callers and tests can use them directly:
//! [`gb11643_check_char`], [`luhn_valid`], [`hkid_check_char`],
//! [`credit_code_check_char`], [`province_name`].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::fields::FieldRef;
use crate::fields::document_checks;
use crate::fields::normalize::{
    CREDIT_CODE_CHARSET, CREDIT_CODE_KEYS, CreditCodeShape, HkId, Period, card_digits,
    credit_code_shape, normalize_mainland_id, parse_date, parse_period, parse_sex,
};
use crate::fields::text::{compact, find_any, find_value, is_blank, preview};

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// The value satisfies the rule.
    Ok,
    /// The value breaks the rule: most likely misread, or not a genuine
    /// document. `--strict` turns this into a failed file.
    Failed,
    /// The rule could not be applied: an input is absent or unusable; the
    /// `detail` says which.
    Skipped,
}

/// One check's result, serialised as
/// `{"field": "id_number", "check": "id_check_char", "status": "ok", "detail": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// The item key the check is about (the one a table marks), e.g.
    /// `"id_number"`.
    pub field: String,
    /// Short stable identifier of the rule, e.g. `"id_check_char"`. The full
    /// list is in [`run_checks`]; identifiers are never reused for another
    /// rule.
    pub check: String,
    /// `ok`, `failed` or `skipped`.
    pub status: CheckStatus,
    /// One human-readable English sentence: what was found, expected, or why
    /// the check was skipped. Quoted values are cut to 40 characters.
    pub detail: String,
}

impl Check {
    fn new(field: &str, check: &str, status: CheckStatus, detail: impl Into<String>) -> Self {
        Check {
            field: field.to_string(),
            check: check.to_string(),
            status,
            detail: detail.into(),
        }
    }
    pub(crate) fn ok(field: &str, check: &str, detail: impl Into<String>) -> Self {
        Self::new(field, check, CheckStatus::Ok, detail)
    }
    pub(crate) fn failed(field: &str, check: &str, detail: impl Into<String>) -> Self {
        Self::new(field, check, CheckStatus::Failed, detail)
    }
    pub(crate) fn skipped(field: &str, check: &str, detail: impl Into<String>) -> Self {
        Self::new(field, check, CheckStatus::Skipped, detail)
    }
}

/// Keys that appear on the front (portrait side) of a mainland ID card.
const ID_FRONT_KEYS: &[&str] = &[
    "name",
    "sex",
    "nationality",
    "birth",
    "address",
    "id_number",
];
/// Keys that appear on the back (national emblem side) of a mainland ID card.
const ID_BACK_KEYS: &[&str] = &["validate_date", "issue_authority"];
/// Keys that may hold a Hong Kong identity card number.
const HKID_KEYS: &[&str] = &["id_number", "hkid", "id_no"];

/// Runs every check that applies to `doc_type` on `fields`, in a stable
/// order. `as_of` is "today" for the expiry and not-in-the-future checks.
///
/// Of several items with the same key, the first non-blank one is used.
/// Values are compared after folding full-width characters and removing
/// whitespace; they are never modified.
///
/// Checks by document type, in output order:
///
/// `id_card`, front side (listed when any of `name`, `sex`, `nationality`,
/// `birth`, `address`, `id_number` is non-blank):
/// 1. `id_check_char` on `id_number`: the 18th character is the GB 11643-1999
///    (ISO 7064 MOD 11-2) check character ([`gb11643_check_char`]); failed if
///    the number is not 17 digits plus a digit or `X`/`x`; skipped for the
///    old 15-digit numbers, which have none.
/// 2. `id_region` on `id_number`: the first two digits are a province-level
///    code ([`province_name`], GB/T 2260).
/// 3. `id_birth_date` on `id_number`: the embedded birth date (digits 7–14,
///    or `19` + digits 7–12 of a 15-digit number) is a real calendar date
///    not after `as_of`.
/// 4. `birth_date` on `birth`: the printed birth date parses and is not
///    after `as_of`.
/// 5. `id_birth_match` on `birth`: the printed birth date equals the one in
///    `id_number`.
/// 6. `id_sex_match` on `sex`: the sequence digit (17th of 18, 15th of 15) is
///    odd for 男 (male) and even for 女 (female), GB 11643-1999 §4.3.
///
/// `id_card`, back side (listed when `validate_date` or `issue_authority` is
/// non-blank):
/// 7. `validity_period` on `validate_date`: parses as a period
///    ([`parse_period`]) whose end is not before its start.
/// 8. `validity_expiry` on `validate_date`: `as_of` lies within the period
///    (`长期` never expires); failed when expired or not yet valid.
///
/// When neither side's keys are present, both lists are returned, all
/// `skipped`.
///
/// `bank_card`: `card_luhn` on `card_number` ([`luhn_valid`], ISO/IEC 7812-1
/// Annex B), with a length of 12–19 digits.
///
/// `hongkong_idcard`: `hkid_check_digit` on `id_number` ([`hkid_check_char`]).
///
/// `business_license`: `credit_code_check_char` on `BizLicenseCreditCode`
/// (or another key of [`CREDIT_CODE_KEYS`]), GB 32100-2015
/// ([`credit_code_check_char`]); a code printed as `无` (none, on old-style
/// licences) counts as absent.
///
/// `passport`: `mrz_check_digits` on `mrz`, ICAO 9303
/// ([`document_checks::check_mrz`]).
///
/// `drive_license`: `license_number_check_char` on
/// `driving_license_main_number`, GB 11643-1999
/// ([`document_checks::check_licence_number`]).
///
/// `vehicle_license`: `vin_check_digit` on `vin`, ISO 3779
/// ([`document_checks::check_vin`]); advisory: never fails a file under
/// `--strict` ([`document_checks::ADVISORY`]).
///
/// Every other document type has no checks: the result is empty. Never
/// panics.
pub fn run_checks(doc_type: &str, fields: &[FieldRef], as_of: NaiveDate) -> Vec<Check> {
    let mut out = Vec::new();
    match doc_type {
        "id_card" => {
            let front = ID_FRONT_KEYS
                .iter()
                .any(|k| find_value(fields, k).is_some());
            let back = ID_BACK_KEYS.iter().any(|k| find_value(fields, k).is_some());
            if front || !back {
                id_front_checks(fields, as_of, &mut out);
            }
            if back || !front {
                id_back_checks(fields, as_of, &mut out);
            }
        }
        "bank_card" => out.push(check_card_luhn(find_value(fields, "card_number"))),
        "hongkong_idcard" => out.push(check_hkid(find_any(fields, HKID_KEYS))),
        "business_license" => out.push(check_credit_code(find_any(fields, CREDIT_CODE_KEYS))),
        "passport" => out.push(document_checks::check_mrz(fields)),
        "drive_license" => out.push(document_checks::check_licence_number(fields)),
        "vehicle_license" => out.push(document_checks::check_vin(fields)),
        _ => {}
    }
    out
}

/// A mainland ID number split into what the checks need.
struct MainlandId {
    /// Upper-case, compacted number (15 or 18 characters).
    text: String,
    /// Birth date as written in the number (`YYYYMMDD`).
    birth_text: String,
    /// Sequence digit deciding sex.
    sex_digit: u32,
}

impl MainlandId {
    fn parse(s: &str) -> Option<MainlandId> {
        let text = normalize_mainland_id(s)?;
        let (birth_text, sex_index) = if text.len() == 18 {
            (text[6..14].to_string(), 16)
        } else {
            (format!("19{}", &text[6..12]), 14)
        };
        let sex_digit = u32::from(text.as_bytes()[sex_index] - b'0');
        Some(MainlandId {
            text,
            birth_text,
            sex_digit,
        })
    }
    fn birth(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.birth_text, "%Y%m%d").ok()
    }
}

const MALFORMED_ID: &str = "id_number is not a well-formed ID number (18 characters: 17 digits and a digit or X; or 15 digits)";

fn id_front_checks(fields: &[FieldRef], as_of: NaiveDate, out: &mut Vec<Check>) {
    let raw_id = find_value(fields, "id_number");
    let id = raw_id.and_then(MainlandId::parse);
    // Why the id-based checks cannot run, if they cannot.
    let id_problem = match (raw_id, &id) {
        (None, _) => Some("no id_number in the result"),
        (Some(_), None) => Some(MALFORMED_ID),
        _ => None,
    };

    // 1. id_check_char
    out.push(match (raw_id, &id) {
        (None, _) => Check::skipped("id_number", "id_check_char", "no id_number in the result"),
        (Some(v), None) => Check::failed(
            "id_number",
            "id_check_char",
            format!("'{}': {}", preview(v), MALFORMED_ID),
        ),
        (Some(_), Some(id)) if id.text.len() == 15 => Check::skipped(
            "id_number",
            "id_check_char",
            "15-digit ID number (pre-1999 form) has no check character",
        ),
        (Some(_), Some(id)) => {
            let expected = gb11643_check_char(&id.text[..17]);
            let found = id.text.chars().nth(17);
            match (expected, found) {
                (Some(e), Some(f)) if e == f => Check::ok(
                    "id_number",
                    "id_check_char",
                    format!("check character '{f}' is correct (GB 11643-1999)"),
                ),
                (Some(e), Some(f)) => Check::failed(
                    "id_number",
                    "id_check_char",
                    format!("check character is '{f}', GB 11643-1999 gives '{e}'"),
                ),
                _ => Check::failed("id_number", "id_check_char", MALFORMED_ID),
            }
        }
    });

    // 2. id_region
    out.push(match (&id, id_problem) {
        (Some(id), _) => {
            let code = &id.text[..2];
            match province_name(code) {
                Some(name) => Check::ok(
                    "id_number",
                    "id_region",
                    format!("region code starts with {code} ({name})"),
                ),
                None => Check::failed(
                    "id_number",
                    "id_region",
                    format!("{code} is not a province-level code of GB/T 2260"),
                ),
            }
        }
        (None, why) => Check::skipped("id_number", "id_region", why.unwrap_or(MALFORMED_ID)),
    });

    // 3. id_birth_date
    let id_birth = id.as_ref().and_then(MainlandId::birth);
    out.push(match (&id, id_problem) {
        (Some(id), _) => match id_birth {
            None => Check::failed(
                "id_number",
                "id_birth_date",
                format!("{} is not a calendar date", id.birth_text),
            ),
            Some(d) if d > as_of => Check::failed(
                "id_number",
                "id_birth_date",
                format!("birth date {d} is after {as_of}"),
            ),
            Some(d) => Check::ok(
                "id_number",
                "id_birth_date",
                format!("birth date {d} is a real date, not in the future"),
            ),
        },
        (None, why) => Check::skipped("id_number", "id_birth_date", why.unwrap_or(MALFORMED_ID)),
    });

    // 4. birth_date
    let raw_birth = find_value(fields, "birth");
    let birth = raw_birth.and_then(parse_date);
    out.push(match (raw_birth, birth) {
        (None, _) => Check::skipped("birth", "birth_date", "no birth in the result"),
        (Some(v), None) => Check::failed(
            "birth",
            "birth_date",
            format!("'{}' is not a recognisable calendar date", preview(v)),
        ),
        (Some(_), Some(d)) if d > as_of => {
            Check::failed("birth", "birth_date", format!("{d} is after {as_of}"))
        }
        (Some(_), Some(d)) => Check::ok(
            "birth",
            "birth_date",
            format!("{d} is a real date, not in the future"),
        ),
    });

    // 5. id_birth_match
    out.push(match (raw_birth, birth, &id, id_birth) {
        (None, ..) => Check::skipped("birth", "id_birth_match", "no birth in the result"),
        (Some(_), _, None, _) => Check::skipped(
            "birth",
            "id_birth_match",
            id_problem.unwrap_or(MALFORMED_ID),
        ),
        (Some(_), _, Some(_), None) => Check::skipped(
            "birth",
            "id_birth_match",
            "the birth date inside id_number is not a calendar date",
        ),
        (Some(v), None, _, _) => Check::failed(
            "birth",
            "id_birth_match",
            format!("'{}' is not a recognisable calendar date", preview(v)),
        ),
        (Some(_), Some(b), _, Some(i)) if b == i => Check::ok(
            "birth",
            "id_birth_match",
            format!("{b} matches the birth date in id_number"),
        ),
        (Some(_), Some(b), _, Some(i)) => Check::failed(
            "birth",
            "id_birth_match",
            format!("birth is {b}, id_number says {i}"),
        ),
    });

    // 6. id_sex_match
    let raw_sex = find_value(fields, "sex");
    out.push(match (raw_sex, &id) {
        (None, _) => Check::skipped("sex", "id_sex_match", "no sex in the result"),
        (Some(_), None) => {
            Check::skipped("sex", "id_sex_match", id_problem.unwrap_or(MALFORMED_ID))
        }
        (Some(v), Some(id)) => {
            let from_id = if id.sex_digit % 2 == 1 { "M" } else { "F" };
            match parse_sex(v) {
                None => Check::failed(
                    "sex",
                    "id_sex_match",
                    format!("'{}' is neither 男 nor 女", preview(v)),
                ),
                Some(s) if s.code() == from_id => Check::ok(
                    "sex",
                    "id_sex_match",
                    format!(
                        "{} matches the sequence digit {} in id_number",
                        s.code(),
                        id.sex_digit
                    ),
                ),
                Some(s) => Check::failed(
                    "sex",
                    "id_sex_match",
                    format!(
                        "sex is {}, but sequence digit {} in id_number means {}",
                        s.code(),
                        id.sex_digit,
                        from_id
                    ),
                ),
            }
        }
    });
}

fn id_back_checks(fields: &[FieldRef], as_of: NaiveDate, out: &mut Vec<Check>) {
    let raw = find_value(fields, "validate_date");
    let period = raw.and_then(parse_period);
    const FIELD: &str = "validate_date";

    // 7. validity_period
    out.push(match (raw, period) {
        (None, _) => Check::skipped(FIELD, "validity_period", "no validate_date in the result"),
        (Some(v), None) => Check::failed(
            FIELD,
            "validity_period",
            format!(
                "'{}' is not a period like 2015.03.01-2035.03.01 or 2015.03.01-长期",
                preview(v)
            ),
        ),
        (
            Some(_),
            Some(Period {
                start,
                end: Some(end),
            }),
        ) if end < start => Check::failed(
            FIELD,
            "validity_period",
            format!("period ends ({end}) before it starts ({start})"),
        ),
        (Some(_), Some(p)) => Check::ok(FIELD, "validity_period", describe_period(&p)),
    });

    // 8. validity_expiry
    out.push(match (raw, period) {
        (None, _) => Check::skipped(FIELD, "validity_expiry", "no validate_date in the result"),
        (Some(_), None) => Check::skipped(
            FIELD,
            "validity_expiry",
            "validate_date did not parse as a period",
        ),
        (Some(_), Some(p)) if p.start > as_of => Check::failed(
            FIELD,
            "validity_expiry",
            format!("not valid before {}, after {as_of}", p.start),
        ),
        (Some(_), Some(Period { end: None, .. })) => Check::ok(
            FIELD,
            "validity_expiry",
            "long-term (长期): does not expire",
        ),
        (Some(_), Some(Period { end: Some(end), .. })) if end < as_of => Check::failed(
            FIELD,
            "validity_expiry",
            format!("expired on {end} (as of {as_of})"),
        ),
        (Some(_), Some(Period { end: Some(end), .. })) => Check::ok(
            FIELD,
            "validity_expiry",
            format!("valid until {end} (as of {as_of})"),
        ),
    });
}

fn describe_period(p: &Period) -> String {
    match p.end {
        Some(end) => format!("from {} to {end}", p.start),
        None => format!("from {}, long-term (长期)", p.start),
    }
}

fn check_card_luhn(raw: Option<&str>) -> Check {
    const FIELD: &str = "card_number";
    const CHECK: &str = "card_luhn";
    let Some(v) = raw else {
        return Check::skipped(FIELD, CHECK, "no card_number in the result");
    };
    let Some(digits) = card_digits(v) else {
        return Check::failed(
            FIELD,
            CHECK,
            format!(
                "'{}' is not a card number: digits, spaces and - only",
                preview(v)
            ),
        );
    };
    let n = digits.len();
    if !(12..=19).contains(&n) {
        return Check::failed(
            FIELD,
            CHECK,
            format!("{n} digits; bank card numbers have 12 to 19"),
        );
    }
    if luhn_valid(&digits) {
        Check::ok(FIELD, CHECK, format!("{n} digits, Luhn check passes"))
    } else {
        Check::failed(FIELD, CHECK, format!("{n} digits, Luhn check fails"))
    }
}

fn check_hkid(found: Option<(&'static str, &str)>) -> Check {
    const CHECK: &str = "hkid_check_digit";
    let Some((field, v)) = found else {
        return Check::skipped("id_number", CHECK, "no id_number in the result");
    };
    let Some(id) = HkId::parse(v) else {
        return Check::failed(
            field,
            CHECK,
            format!(
                "'{}' is not shaped like A123456(3): 1-2 letters, 6 digits, a check digit or A",
                preview(v)
            ),
        );
    };
    match hkid_check_char(&id.prefix, &id.digits) {
        Some(e) if e == id.check => Check::ok(
            field,
            CHECK,
            format!("check digit '{e}' of {} is correct", id.canonical()),
        ),
        Some(e) => Check::failed(
            field,
            CHECK,
            format!("check digit is '{}', expected '{e}'", id.check),
        ),
        None => Check::failed(field, CHECK, "not a Hong Kong identity card number"),
    }
}

fn check_credit_code(found: Option<(&'static str, &str)>) -> Check {
    const CHECK: &str = "credit_code_check_char";
    let primary = CREDIT_CODE_KEYS[0];
    let Some((field, v)) = found else {
        return Check::skipped(
            primary,
            CHECK,
            "no unified social credit code in the result",
        );
    };
    let t = compact(v).to_ascii_uppercase();
    if t == "无" || t == "/" || is_blank(&t) {
        return Check::skipped(field, CHECK, "no unified social credit code printed (无)");
    }
    let chars: Vec<char> = match credit_code_shape(&t) {
        Ok(code) => code.chars().collect(),
        Err(CreditCodeShape::Length(n)) => {
            return Check::failed(field, CHECK, format!("{n} characters; the code has 18"));
        }
        Err(CreditCodeShape::Char(bad)) => {
            return Check::failed(
                field,
                CHECK,
                format!(
                    "'{bad}' is not allowed in the code (GB 32100-2015 excludes I, O, Z, S, V)"
                ),
            );
        }
    };
    let first17: String = chars[..17].iter().collect();
    match credit_code_check_char(&first17) {
        Some(e) if e == chars[17] => Check::ok(
            field,
            CHECK,
            format!("check character '{e}' is correct (GB 32100-2015)"),
        ),
        Some(e) => Check::failed(
            field,
            CHECK,
            format!(
                "check character is '{}', GB 32100-2015 gives '{e}'",
                chars[17]
            ),
        ),
        None => Check::failed(field, CHECK, "not a unified social credit code"),
    }
}

/// Weights of GB 11643-1999 (ISO 7064:1983 MOD 11-2): 2^(17-i) mod 11 for
/// positions i = 1..=17.
const GB11643_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// The check character of a mainland resident ID number, from its first 17
/// digits (GB 11643-1999 §5, ISO 7064:1983 MOD 11-2): the weighted sum of the
/// digits with weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, taken mod 11,
/// indexes `1 0 X 9 8 7 6 5 4 3 2`.
///
/// Returns `None` unless `first17` is exactly 17 ASCII digits. The standard's
/// examples: `11010519491231002` → `'X'`, `44052418800101001` → `'4'`.
pub fn gb11643_check_char(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b
        .iter()
        .zip(GB11643_WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    b"10X98765432".get((sum % 11) as usize).map(|c| *c as char)
}

/// True when `digits` (ASCII digits only, at least 2) passes the Luhn
/// (mod 10) check of ISO/IEC 7812-1 Annex B: doubling every second digit from
/// the right, the digit sum is a multiple of 10. False for anything else,
/// including non-digits and the empty string. `4111111111111111` and
/// `79927398713` pass.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.len() < 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The check character of a Hong Kong identity card number from its one or
/// two capital letters and six digits.
///
/// The Immigration Department does not publish the rule; this is the
/// widely documented one (e.g. the "Hong Kong identity card" article of the
/// English Wikipedia): letters count A = 10 … Z = 35, a single-letter prefix
/// is preceded by a space counting 36; the eight values are weighted
/// 9 8 7 6 5 4 3 2; the check value is `(11 - sum mod 11) mod 11`, written
/// as a digit, or `A` for 10. `A123456` → `'3'`, `G123456` → `'A'`.
///
/// Returns `None` unless `prefix` is 1–2 ASCII capital letters and `digits`
/// exactly 6 ASCII digits.
pub fn hkid_check_char(prefix: &str, digits: &str) -> Option<char> {
    let p = prefix.as_bytes();
    let d = digits.as_bytes();
    if !(1..=2).contains(&p.len())
        || !p.iter().all(u8::is_ascii_uppercase)
        || d.len() != 6
        || !d.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    let mut values: Vec<u32> = Vec::with_capacity(8);
    if p.len() == 1 {
        values.push(36);
    }
    values.extend(p.iter().map(|c| u32::from(c - b'A') + 10));
    values.extend(d.iter().map(|c| u32::from(c - b'0')));
    let sum: u32 = values.iter().zip((2..=9).rev()).map(|(v, w)| v * w).sum();
    let check = (11 - sum % 11) % 11;
    b"0123456789A".get(check as usize).map(|c| *c as char)
}

/// Weights of GB 32100-2015 for positions 1–17: 3^(i-1) mod 31.
const CREDIT_CODE_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// The check character (18th) of a unified social credit code from its
/// first 17 characters (GB 32100-2015 §4.3 and Annex B): each character's
/// index in `0123456789ABCDEFGHJKLMNPQRTUWXY` is weighted 1 3 9 27 19 26 16
/// 17 20 29 25 13 8 24 10 30 28; the check value is `31 - sum mod 31`, with
/// 31 written as `0`. The standard's example `91350100M000100Y4` → `'3'`.
///
/// Returns `None` unless `first17` is 17 characters from that set
/// (upper case).
pub fn credit_code_check_char(first17: &str) -> Option<char> {
    let chars: Vec<char> = first17.chars().collect();
    if chars.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in chars.iter().zip(CREDIT_CODE_WEIGHTS) {
        let v = CREDIT_CODE_CHARSET.find(*c)? as u32;
        sum += v * w;
    }
    let check = (31 - sum % 31) % 31;
    CREDIT_CODE_CHARSET.chars().nth(check as usize)
}

/// Province-level divisions by the first two digits of a region code, from
/// GB/T 2260 (codes 11–65 for the mainland, 71 Taiwan, 81 Hong Kong, 82
/// Macao), plus 83, used for the residence permits of Taiwan residents
/// (港澳台居民居住证, Ministry of Public Security 2018), which take 830000
/// as region code.
pub const PROVINCES: &[(&str, &str)] = &[
    ("11", "北京市"),
    ("12", "天津市"),
    ("13", "河北省"),
    ("14", "山西省"),
    ("15", "内蒙古自治区"),
    ("21", "辽宁省"),
    ("22", "吉林省"),
    ("23", "黑龙江省"),
    ("31", "上海市"),
    ("32", "江苏省"),
    ("33", "浙江省"),
    ("34", "安徽省"),
    ("35", "福建省"),
    ("36", "江西省"),
    ("37", "山东省"),
    ("41", "河南省"),
    ("42", "湖北省"),
    ("43", "湖南省"),
    ("44", "广东省"),
    ("45", "广西壮族自治区"),
    ("46", "海南省"),
    ("50", "重庆市"),
    ("51", "四川省"),
    ("52", "贵州省"),
    ("53", "云南省"),
    ("54", "西藏自治区"),
    ("61", "陕西省"),
    ("62", "甘肃省"),
    ("63", "青海省"),
    ("64", "宁夏回族自治区"),
    ("65", "新疆维吾尔自治区"),
    ("71", "台湾省"),
    ("81", "香港特别行政区"),
    ("82", "澳门特别行政区"),
    ("83", "台湾居民居住证"),
];

/// The Chinese name of the province-level division whose two-digit code is
/// `code` (see [`PROVINCES`]), or `None` when it is not one.
pub fn province_name(code: &str) -> Option<&'static str> {
    PROVINCES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }
    fn today() -> NaiveDate {
        day(2024, 6, 1)
    }
    fn f<'a>(k: &'a str, v: &'a str) -> FieldRef<'a> {
        FieldRef::new(k, v)
    }
    fn find<'c>(checks: &'c [Check], id: &str) -> &'c Check {
        checks
            .iter()
            .find(|c| c.check == id)
            .unwrap_or_else(|| panic!("no check {id} in {checks:?}"))
    }
    fn status(checks: &[Check], id: &str) -> CheckStatus {
        find(checks, id).status
    }
    fn ids(checks: &[Check]) -> Vec<&str> {
        checks.iter().map(|c| c.check.as_str()).collect()
    }

    // --- algorithms, with the standards' own examples ---

    #[test]
    fn gb11643_examples_from_the_standard() {
        assert_eq!(gb11643_check_char("11010519491231002"), Some('X'));
        assert_eq!(gb11643_check_char("44052418800101001"), Some('4'));
        assert_eq!(gb11643_check_char("1101051949123100"), None);
        assert_eq!(gb11643_check_char("1101051949123100X"), None);
        assert_eq!(
            gb11643_check_char("１１０１０５１９４９１２３１００２"),
            None
        );
    }

    #[test]
    fn luhn_examples() {
        assert!(luhn_valid("4111111111111111"));
        assert!(luhn_valid("79927398713"));
        assert!(luhn_valid("6250941006528599"));
        assert!(!luhn_valid("4111111111111112"));
        assert!(!luhn_valid("79927398710"));
        assert!(!luhn_valid(""));
        assert!(!luhn_valid("0"));
        assert!(!luhn_valid("4111-1111"));
    }

    #[test]
    fn hkid_examples() {
        assert_eq!(hkid_check_char("A", "123456"), Some('3'));
        assert_eq!(hkid_check_char("G", "123456"), Some('A'));
        assert_eq!(hkid_check_char("AB", "987654"), Some('3'));
        assert_eq!(hkid_check_char("Y", "000013"), Some('0'));
        assert_eq!(hkid_check_char("a", "123456"), None);
        assert_eq!(hkid_check_char("ABC", "123456"), None);
        assert_eq!(hkid_check_char("A", "12345"), None);
    }

    #[test]
    fn credit_code_example_from_the_standard() {
        assert_eq!(credit_code_check_char("91350100M000100Y4"), Some('3'));
        assert_eq!(credit_code_check_char("91350100M000100I4"), None);
        assert_eq!(credit_code_check_char("91350100M000100Y"), None);
    }

    #[test]
    fn province_list() {
        assert_eq!(province_name("11"), Some("北京市"));
        assert_eq!(province_name("65"), Some("新疆维吾尔自治区"));
        assert_eq!(province_name("83"), Some("台湾居民居住证"));
        for bad in [
            "00", "10", "16", "20", "24", "30", "38", "40", "47", "49", "55", "60", "66", "70",
            "72", "80", "84", "99", "", "1",
        ] {
            assert_eq!(province_name(bad), None, "{bad}");
        }
        assert_eq!(PROVINCES.len(), 35);
    }

    // --- id_card front ---

    fn front<'a>(id: &'a str, birth: &'a str, sex: &'a str) -> Vec<FieldRef<'a>> {
        vec![
            f("name", "测试"),
            f("sex", sex),
            f("nationality", "汉"),
            f("birth", birth),
            f("address", "北京市朝阳区"),
            f("id_number", id),
            f("head_portrait", "aGVsbG8="),
            // the service sends the back-side keys empty on a front side
            f("validate_date", ""),
            f("issue_authority", ""),
        ]
    }

    #[test]
    fn id_front_all_ok_for_the_standard_example() {
        let checks = run_checks(
            "id_card",
            &front("11010519491231002X", "1949年12月31日", "女"),
            today(),
        );
        assert_eq!(
            ids(&checks),
            [
                "id_check_char",
                "id_region",
                "id_birth_date",
                "birth_date",
                "id_birth_match",
                "id_sex_match"
            ]
        );
        for c in &checks {
            assert_eq!(c.status, CheckStatus::Ok, "{c:?}");
        }
        assert_eq!(
            find(&checks, "id_region").detail,
            "region code starts with 11 (北京市)"
        );
        assert_eq!(find(&checks, "id_sex_match").field, "sex");
    }

    #[test]
    fn id_front_male_example_and_lowercase_x_and_full_width() {
        let checks = run_checks(
            "id_card",
            &front("440524188001010014", "1880.01.01", "男"),
            today(),
        );
        assert!(
            checks.iter().all(|c| c.status == CheckStatus::Ok),
            "{checks:?}"
        );
        let checks = run_checks(
            "id_card",
            &front("11010519491231002x", "1949-12-31", "女"),
            today(),
        );
        assert_eq!(status(&checks, "id_check_char"), CheckStatus::Ok);
        let checks = run_checks(
            "id_card",
            &front(
                "１１０１０５１９４９１２３１００２Ｘ",
                "１９４９年１２月３１日",
                "女",
            ),
            today(),
        );
        assert!(
            checks.iter().all(|c| c.status == CheckStatus::Ok),
            "{checks:?}"
        );
    }

    #[test]
    fn id_check_char_failed() {
        let checks = run_checks(
            "id_card",
            &front("110105194912310021", "1949年12月31日", "女"),
            today(),
        );
        let c = find(&checks, "id_check_char");
        assert_eq!(c.status, CheckStatus::Failed);
        assert_eq!(c.detail, "check character is '1', GB 11643-1999 gives 'X'");
        // the other rules still run on a well-formed number
        assert_eq!(status(&checks, "id_birth_match"), CheckStatus::Ok);
    }

    #[test]
    fn malformed_id_fails_check_char_and_skips_the_rest() {
        let checks = run_checks(
            "id_card",
            &front("1101051949", "1949年12月31日", "女"),
            today(),
        );
        assert_eq!(status(&checks, "id_check_char"), CheckStatus::Failed);
        assert_eq!(status(&checks, "id_region"), CheckStatus::Skipped);
        assert_eq!(status(&checks, "id_birth_date"), CheckStatus::Skipped);
        assert_eq!(status(&checks, "birth_date"), CheckStatus::Ok);
        assert_eq!(status(&checks, "id_birth_match"), CheckStatus::Skipped);
        assert_eq!(status(&checks, "id_sex_match"), CheckStatus::Skipped);
    }

    #[test]
    fn fifteen_digit_id_has_no_check_char() {
        let checks = run_checks(
            "id_card",
            &front("110105491231002", "1949年12月31日", "女"),
            today(),
        );
        let c = find(&checks, "id_check_char");
        assert_eq!(c.status, CheckStatus::Skipped);
        assert!(c.detail.contains("15-digit"));
        assert_eq!(status(&checks, "id_birth_match"), CheckStatus::Ok);
        assert_eq!(status(&checks, "id_sex_match"), CheckStatus::Ok);
    }

    #[test]
    fn id_region_failed() {
        // valid check character, but 99 is no province
        let checks = run_checks(
            "id_card",
            &front("990105194912310023", "1949年12月31日", "女"),
            today(),
        );
        assert_eq!(status(&checks, "id_check_char"), CheckStatus::Ok);
        let c = find(&checks, "id_region");
        assert_eq!(c.status, CheckStatus::Failed);
        assert_eq!(c.detail, "99 is not a province-level code of GB/T 2260");
    }

    #[test]
    fn id_birth_date_not_a_calendar_date() {
        // 1949-02-30, check character correct
        let checks = run_checks("id_card", &front("110105194902300020", "", "女"), today());
        assert_eq!(status(&checks, "id_check_char"), CheckStatus::Ok);
        let c = find(&checks, "id_birth_date");
        assert_eq!(c.status, CheckStatus::Failed);
        assert_eq!(c.detail, "19490230 is not a calendar date");
    }

    #[test]
    fn id_birth_date_in_the_future() {
        let checks = run_checks(
            "id_card",
            &front("110105209901010012", "2099年1月1日", "男"),
            today(),
        );
        assert_eq!(status(&checks, "id_check_char"), CheckStatus::Ok);
        assert_eq!(status(&checks, "id_birth_date"), CheckStatus::Failed);
        assert_eq!(status(&checks, "birth_date"), CheckStatus::Failed);
        assert_eq!(status(&checks, "id_birth_match"), CheckStatus::Ok);
        // the same number is fine once that day has come
        let later = run_checks(
            "id_card",
            &front("110105209901010012", "2099年1月1日", "男"),
            day(2099, 1, 1),
        );
        assert_eq!(status(&later, "id_birth_date"), CheckStatus::Ok);
    }

    #[test]
    fn birth_mismatch_and_unparsable_birth() {
        let checks = run_checks(
            "id_card",
            &front("11010519491231002X", "1949年12月30日", "女"),
            today(),
        );
        let c = find(&checks, "id_birth_match");
        assert_eq!(c.status, CheckStatus::Failed);
        assert_eq!(c.detail, "birth is 1949-12-30, id_number says 1949-12-31");

        let checks = run_checks(
            "id_card",
            &front("11010519491231002X", "1949年", "女"),
            today(),
        );
        assert_eq!(status(&checks, "birth_date"), CheckStatus::Failed);
        assert_eq!(status(&checks, "id_birth_match"), CheckStatus::Failed);
    }

    #[test]
    fn sex_mismatch_and_unreadable_sex() {
        let checks = run_checks(
            "id_card",
            &front("11010519491231002X", "1949年12月31日", "男"),
            today(),
        );
        let c = find(&checks, "id_sex_match");
        assert_eq!(c.status, CheckStatus::Failed);
        assert_eq!(
            c.detail,
            "sex is M, but sequence digit 2 in id_number means F"
        );
        let checks = run_checks(
            "id_card",
            &front("11010519491231002X", "1949年12月31日", "?"),
            today(),
        );
        assert_eq!(status(&checks, "id_sex_match"), CheckStatus::Failed);
    }

    #[test]
    fn absent_front_inputs_are_skipped_with_reasons() {
        let fields = [f("name", "测试"), f("id_number", "   ")];
        let checks = run_checks("id_card", &fields, today());
        assert_eq!(checks.len(), 6);
        for c in &checks {
            assert_eq!(c.status, CheckStatus::Skipped, "{c:?}");
            assert!(c.detail.starts_with("no "), "{c:?}");
        }
        assert_eq!(
            find(&checks, "id_check_char").detail,
            "no id_number in the result"
        );
        assert_eq!(find(&checks, "id_sex_match").detail, "no sex in the result");
    }

    // --- id_card back ---

    fn back(v: &str) -> Vec<FieldRef<'_>> {
        vec![
            f("issue_authority", "北京市公安局朝阳分局"),
            f("validate_date", v),
        ]
    }

    #[test]
    fn id_back_only_lists_back_checks() {
        let checks = run_checks("id_card", &back("2015.03.01-2035.03.01"), today());
        assert_eq!(ids(&checks), ["validity_period", "validity_expiry"]);
        assert_eq!(status(&checks, "validity_period"), CheckStatus::Ok);
        let c = find(&checks, "validity_expiry");
        assert_eq!(c.status, CheckStatus::Ok);
        assert_eq!(c.detail, "valid until 2035-03-01 (as of 2024-06-01)");
    }

    #[test]
    fn id_back_variants_and_long_term() {
        for v in [
            "2015.03.01至2035.03.01",
            "2015.03.01 — 2035.03.01",
            "2015.03.01－2035.03.01",
        ] {
            let checks = run_checks("id_card", &back(v), today());
            assert!(
                checks.iter().all(|c| c.status == CheckStatus::Ok),
                "{v}: {checks:?}"
            );
        }
        let checks = run_checks("id_card", &back("2015.03.01-长期"), today());
        assert_eq!(status(&checks, "validity_period"), CheckStatus::Ok);
        assert_eq!(
            find(&checks, "validity_expiry").detail,
            "long-term (长期): does not expire"
        );
    }

    #[test]
    fn id_back_expired_and_not_yet_valid() {
        let checks = run_checks("id_card", &back("2004.03.01-2024.03.01"), today());
        let c = find(&checks, "validity_expiry");
        assert_eq!(c.status, CheckStatus::Failed);
        assert_eq!(c.detail, "expired on 2024-03-01 (as of 2024-06-01)");
        // the last day is still valid
        let checks = run_checks("id_card", &back("2004.03.01-2024.03.01"), day(2024, 3, 1));
        assert_eq!(status(&checks, "validity_expiry"), CheckStatus::Ok);
        let checks = run_checks("id_card", &back("2030.03.01-2050.03.01"), today());
        assert_eq!(status(&checks, "validity_expiry"), CheckStatus::Failed);
    }

    #[test]
    fn id_back_unparsable_or_reversed_or_absent() {
        let checks = run_checks("id_card", &back("2015.03.01"), today());
        assert_eq!(status(&checks, "validity_period"), CheckStatus::Failed);
        let c = find(&checks, "validity_expiry");
        assert_eq!(c.status, CheckStatus::Skipped);
        assert_eq!(c.detail, "validate_date did not parse as a period");

        let checks = run_checks("id_card", &back("2035.03.01-2015.03.01"), today());
        assert_eq!(status(&checks, "validity_period"), CheckStatus::Failed);

        let checks = run_checks("id_card", &[f("issue_authority", "某公安局")], today());
        assert_eq!(ids(&checks), ["validity_period", "validity_expiry"]);
        assert!(checks.iter().all(|c| c.status == CheckStatus::Skipped));
    }

    #[test]
    fn id_card_with_nothing_lists_every_check_skipped() {
        let checks = run_checks("id_card", &[], today());
        assert_eq!(checks.len(), 8);
        assert!(checks.iter().all(|c| c.status == CheckStatus::Skipped));
    }

    #[test]
    fn both_sides_in_one_picture() {
        let mut fields = front("11010519491231002X", "1949年12月31日", "女");
        fields.retain(|x| !ID_BACK_KEYS.contains(&x.key));
        fields.extend(back("2015.03.01-长期"));
        let checks = run_checks("id_card", &fields, today());
        assert_eq!(checks.len(), 8);
        assert!(
            checks.iter().all(|c| c.status == CheckStatus::Ok),
            "{checks:?}"
        );
    }

    // --- bank card ---

    #[test]
    fn bank_card_luhn() {
        let c = &run_checks(
            "bank_card",
            &[f("card_number", "4111 1111 1111 1111")],
            today(),
        )[0];
        assert_eq!(
            (c.field.as_str(), c.check.as_str(), c.status),
            ("card_number", "card_luhn", CheckStatus::Ok)
        );
        assert_eq!(c.detail, "16 digits, Luhn check passes");
        let c = &run_checks(
            "bank_card",
            &[f("card_number", "6250 9410 0652 8599")],
            today(),
        )[0];
        assert_eq!(c.status, CheckStatus::Ok);
        let c = &run_checks(
            "bank_card",
            &[f("card_number", "4111111111111112")],
            today(),
        )[0];
        assert_eq!(c.status, CheckStatus::Failed);
        let c = &run_checks(
            "bank_card",
            &[f("card_number", "4111 **** **** 1111")],
            today(),
        )[0];
        assert_eq!(c.status, CheckStatus::Failed);
        let c = &run_checks("bank_card", &[f("card_number", "79927398713")], today())[0];
        assert_eq!(
            c.status,
            CheckStatus::Failed,
            "11 digits is too short for a bank card"
        );
        let c = &run_checks("bank_card", &[f("bank_name", "测试银行")], today())[0];
        assert_eq!(c.status, CheckStatus::Skipped);
        assert_eq!(c.detail, "no card_number in the result");
    }

    // --- Hong Kong ---

    #[test]
    fn hkid_check_digit() {
        for ok in [
            "A123456(3)",
            "a123456(3)",
            "A1234563",
            "G123456(A)",
            "AB987654(3)",
            "Ａ１２３４５６（３）",
        ] {
            let c = &run_checks("hongkong_idcard", &[f("id_number", ok)], today())[0];
            assert_eq!(c.status, CheckStatus::Ok, "{ok}");
        }
        let c = &run_checks("hongkong_idcard", &[f("id_number", "A123456(4)")], today())[0];
        assert_eq!(c.status, CheckStatus::Failed);
        assert_eq!(c.detail, "check digit is '4', expected '3'");
        let c = &run_checks("hongkong_idcard", &[f("id_number", "123456(3)")], today())[0];
        assert_eq!(c.status, CheckStatus::Failed);
        let c = &run_checks("hongkong_idcard", &[f("name", "陳大文")], today())[0];
        assert_eq!(c.status, CheckStatus::Skipped);
    }

    // --- business licence ---

    #[test]
    fn credit_code() {
        let c = &run_checks(
            "business_license",
            &[f("BizLicenseCreditCode", "91350100M000100Y43")],
            today(),
        )[0];
        assert_eq!(
            (c.field.as_str(), c.check.as_str(), c.status),
            (
                "BizLicenseCreditCode",
                "credit_code_check_char",
                CheckStatus::Ok
            )
        );
        let c = &run_checks(
            "business_license",
            &[f("social_credit_code", "91350100m000100y43")],
            today(),
        )[0];
        assert_eq!(
            (c.field.as_str(), c.status),
            ("social_credit_code", CheckStatus::Ok)
        );
        let c = &run_checks(
            "business_license",
            &[f("BizLicenseCreditCode", "91350100M000100Y44")],
            today(),
        )[0];
        assert_eq!(c.status, CheckStatus::Failed);
        assert_eq!(c.detail, "check character is '4', GB 32100-2015 gives '3'");
        let c = &run_checks(
            "business_license",
            &[f("BizLicenseCreditCode", "91350100M000100O43")],
            today(),
        )[0];
        assert_eq!(c.status, CheckStatus::Failed);
        let c = &run_checks(
            "business_license",
            &[f("BizLicenseCreditCode", "9135")],
            today(),
        )[0];
        assert_eq!(c.status, CheckStatus::Failed);
        let c = &run_checks(
            "business_license",
            &[f("BizLicenseCreditCode", "无")],
            today(),
        )[0];
        assert_eq!(c.status, CheckStatus::Skipped);
        let c = &run_checks("business_license", &[], today())[0];
        assert_eq!(
            (c.field.as_str(), c.status),
            ("BizLicenseCreditCode", CheckStatus::Skipped)
        );
    }

    #[test]
    fn other_types_have_no_checks() {
        assert!(
            run_checks("marriage_certificate", &[f("birth", "1977-07-07")], today()).is_empty()
        );
        assert!(run_checks("", &[], today()).is_empty());
        // A passport without its zone lists the check, skipped.
        let c = &run_checks("passport", &[f("birth", "1977-07-07")], today());
        assert_eq!((c.len(), c[0].status), (1, CheckStatus::Skipped));
    }

    #[test]
    fn serialises_as_documented() {
        let c = &run_checks(
            "bank_card",
            &[f("card_number", "4111111111111111")],
            today(),
        )[0];
        assert_eq!(
            serde_json::to_value(c).unwrap(),
            serde_json::json!({
                "field": "card_number",
                "check": "card_luhn",
                "status": "ok",
                "detail": "16 digits, Luhn check passes"
            })
        );
        assert_eq!(
            serde_json::to_value(CheckStatus::Skipped).unwrap(),
            "skipped"
        );
        assert_eq!(serde_json::to_value(CheckStatus::Failed).unwrap(), "failed");
    }
}
