//! Standard forms of recognised values.
//!
//! The service returns text as printed on the document (`1977年7月7日`,
//! `2015.03.01-长期`, `6222 0202 0000 1234`, `1000万元`). [`normalize`] maps
//! one item to a JSON value in a standard form, or `None` when the key has no
//! standard form or the text cannot be parsed. Which keys get which treatment
//! is decided by [`key_kind`]; the lists there are drawn from the catalogue in
//! [`crate::fields::catalog()`].

use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::fields::text::{compact, fold};

/// Longest compacted value (in characters) the date and period parsers look
/// at; anything longer is not a date. Keeps every parser linear-time on
/// arbitrarily long OCR garbage.
const MAX_DATE_CHARS: usize = 64;

/// What standard form a key's value has. See [`key_kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// A calendar date: normalised to `"YYYY-MM-DD"` (ISO 8601) by
    /// [`parse_date`].
    Date,
    /// A validity period: normalised to `{"start": "YYYY-MM-DD", "end":
    /// "YYYY-MM-DD"}`, `end` being `null` for `长期` (no expiry), by
    /// [`parse_period`].
    Period,
    /// A period when the text is a range, otherwise a single date (driving
    /// licence `valid_period*` keys are printed both ways).
    DateOrPeriod,
    /// Sex: `"M"` or `"F"`, by [`parse_sex`].
    Sex,
    /// A mainland resident ID number (GB 11643-1999): 17 digits plus a digit
    /// or `X`, or the old 15-digit form; normalised to upper case without
    /// spaces by [`normalize_mainland_id`].
    MainlandId,
    /// A Hong Kong identity card number: normalised to `A123456(3)` /
    /// `AB123456(A)` by [`normalize_hkid`].
    HongKongId,
    /// A payment card number (ISO/IEC 7812): digits only, spaces and hyphens
    /// removed, by [`card_digits`].
    CardNumber,
    /// An 18-character unified social credit code (GB 32100-2015): upper
    /// case without spaces, by [`normalize_credit_code`].
    CreditCode,
    /// Registered or paid-in capital: `{"amount", "unit", "currency",
    /// "total"}`, by [`parse_capital`].
    Capital,
}

/// Keys holding a single date, in any document type.
///
/// `birth` (id_card, hongkong_idcard, passport, family_register), `birthday`
/// (drive_license), `issue_date` (drive_license, vehicle_license, passport,
/// and others), `issued` / `first_issued` (hongkong_idcard),
/// `register_date` (vehicle_license), `registration_date`
/// (marriage/divorce certificates, vehicle_registration, property),
/// `expiry_date` (passport), `manufacture_date` (vehicle_certificate),
/// `BizLicenseStartTime` / `BizLicenseRegistrationDate` (business_license).
pub const DATE_KEYS: &[&str] = &[
    "birth",
    "birthday",
    "issue_date",
    "issued",
    "first_issued",
    "register_date",
    "registration_date",
    "expiry_date",
    "manufacture_date",
    "BizLicenseStartTime",
    "BizLicenseRegistrationDate",
];

/// Keys holding a validity period: `validate_date` (id_card back, printed
/// `2015.03.01-2035.03.01` or `2015.03.01-长期`) and
/// `BizLicenseOperatingPeriod` (business_license 营业期限, printed
/// `2017年01月04日至长期`). `validate_date` of a `bank_card` is a month/year
/// (`12/25`) and is not normalised.
pub const PERIOD_KEYS: &[&str] = &["validate_date", "BizLicenseOperatingPeriod"];

/// Keys that are a period when printed as a range, else a date:
/// drive_license `valid_period_from` and `valid_period`.
pub const DATE_OR_PERIOD_KEYS: &[&str] = &["valid_period_from", "valid_period"];

/// Keys holding registered or paid-in capital (business_license).
pub const CAPITAL_KEYS: &[&str] = &[
    "BizLicenseRegCapital",
    "BizLicensePaidInCapital",
    "registered_capital",
    "reg_capital",
];

/// Keys that may hold the unified social credit code of a business licence.
/// Textin's business licence service returns `BizLicenseCreditCode`; the
/// other spellings are accepted in case the vendor renames it.
pub const CREDIT_CODE_KEYS: &[&str] = &[
    "BizLicenseCreditCode",
    "social_credit_code",
    "unified_social_credit_code",
    "credit_code",
];

/// Keys (outside `hongkong_idcard`) holding a mainland resident ID number.
/// `driving_license_main_number` is the holder's ID number on a mainland
/// driving licence.
pub const MAINLAND_ID_KEYS: &[&str] = &[
    "id_number",
    "driving_license_main_number",
    "husband_id_number",
    "wife_id_number",
];

/// Which standard form `key` has in `doc_type`, or `None` when its value is
/// free text (names, addresses, authorities…) or a picture.
///
/// The decision is by key name, with these document-type exceptions:
/// `id_number` is a Hong Kong number in `hongkong_idcard`; `card_number` is a
/// payment card only in `bank_card`; `validate_date` is not normalised in
/// `bank_card`. Unknown document types use the same key rules.
pub fn key_kind(doc_type: &str, key: &str) -> Option<KeyKind> {
    if doc_type == "hongkong_idcard" && key == "id_number" {
        return Some(KeyKind::HongKongId);
    }
    if doc_type == "bank_card" {
        match key {
            "card_number" => return Some(KeyKind::CardNumber),
            "validate_date" => return None,
            _ => {}
        }
    }
    if DATE_KEYS.contains(&key) {
        Some(KeyKind::Date)
    } else if PERIOD_KEYS.contains(&key) {
        Some(KeyKind::Period)
    } else if DATE_OR_PERIOD_KEYS.contains(&key) {
        Some(KeyKind::DateOrPeriod)
    } else if key == "sex" {
        Some(KeyKind::Sex)
    } else if MAINLAND_ID_KEYS.contains(&key) {
        Some(KeyKind::MainlandId)
    } else if CREDIT_CODE_KEYS.contains(&key) {
        Some(KeyKind::CreditCode)
    } else if CAPITAL_KEYS.contains(&key) {
        Some(KeyKind::Capital)
    } else {
        None
    }
}

/// The normalised value for one item, or `None` when the key has no standard
/// form (see [`key_kind`]) or the value cannot be parsed.
///
/// Shapes (all JSON):
/// * dates: `"1977-07-07"` (ISO 8601 calendar date);
/// * validity periods: `{"start": "2015-03-01", "end": "2035-03-01"}`, `end`
///   `null` when printed `长期` (no expiry);
/// * sex: `"M"` or `"F"`;
/// * mainland ID numbers: `"11010519491231002X"` (upper case, no spaces);
///   Hong Kong ID numbers: `"A123456(3)"`;
/// * bank card numbers: `"4111111111111111"` (digits only);
/// * unified social credit codes: `"91350100M000100Y43"`;
/// * capital: `{"amount": 1000.0, "unit": "万元", "currency": "CNY",
///   "total": 10000000.0}` — see [`Capital`].
///
/// Normalisation only reshapes: it does not check (a card number failing
/// Luhn still normalises); [`crate::fields::run_checks`] does that. Never
/// panics.
pub fn normalize(doc_type: &str, key: &str, value: &str) -> Option<Value> {
    match key_kind(doc_type, key)? {
        KeyKind::Date => parse_date(value).map(date_json),
        KeyKind::Period => parse_period(value).map(|p| p.to_json()),
        KeyKind::DateOrPeriod => parse_period(value)
            .map(|p| p.to_json())
            .or_else(|| parse_date(value).map(date_json)),
        KeyKind::Sex => parse_sex(value).map(|s| Value::from(s.code())),
        KeyKind::MainlandId => normalize_mainland_id(value).map(Value::from),
        KeyKind::HongKongId => normalize_hkid(value).map(Value::from),
        KeyKind::CardNumber => card_digits(value).map(Value::from),
        KeyKind::CreditCode => normalize_credit_code(value).map(Value::from),
        KeyKind::Capital => parse_capital(value).map(|c| c.to_json()),
    }
}

fn date_json(d: NaiveDate) -> Value {
    Value::from(d.format("%Y-%m-%d").to_string())
}

/// Parses a date printed in any of these forms (full-width digits and
/// whitespace anywhere are tolerated):
///
/// `1977年7月7日`, `1977年07月07日` (the final `日` may be missing),
/// `1977.07.07`, `1977-7-7`, `1977/07/07`, `19770707`.
///
/// The year has four digits, month and day one or two; the separators must be
/// consistent (`.`/`.`, `-`/`-`, `/`/`/` or `年`/`月`). Returns `None` for
/// anything else, and for dates that do not exist in the proleptic Gregorian
/// calendar (`1977-02-30`).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let t = compact(s);
    if t.chars().count() > MAX_DATE_CHARS {
        return None;
    }
    let chars: Vec<char> = t.chars().collect();
    if chars.len() == 8 && chars.iter().all(|c| c.is_ascii_digit()) {
        let y = digits_value(&chars[0..4])?;
        let m = digits_value(&chars[4..6])?;
        let d = digits_value(&chars[6..8])?;
        return NaiveDate::from_ymd_opt(y as i32, m, d);
    }
    // Tokenise into digit runs and separators.
    let mut i = 0;
    let (y, n) = digit_run(&chars, i)?;
    if n != 4 {
        return None;
    }
    i += n;
    let sep1 = *chars.get(i)?;
    i += 1;
    let (m, n) = digit_run(&chars, i)?;
    if !(1..=2).contains(&n) {
        return None;
    }
    i += n;
    let sep2 = *chars.get(i)?;
    i += 1;
    let (d, n) = digit_run(&chars, i)?;
    if !(1..=2).contains(&n) {
        return None;
    }
    i += n;
    let rest = &chars[i..];
    let ok = match (sep1, sep2) {
        ('年', '月') => rest.is_empty() || rest == ['日'],
        ('.', '.') | ('-', '-') | ('/', '/') => rest.is_empty(),
        _ => false,
    };
    if !ok {
        return None;
    }
    NaiveDate::from_ymd_opt(y as i32, m, d)
}

/// Value and length of the ASCII digit run starting at `start` (length ≥ 1,
/// at most 4 digits are valued; longer runs are reported by length only).
fn digit_run(chars: &[char], start: usize) -> Option<(u32, usize)> {
    let run = chars
        .get(start..)?
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if run == 0 || run > 4 {
        return None;
    }
    Some((digits_value(&chars[start..start + run])?, run))
}

fn digits_value(ds: &[char]) -> Option<u32> {
    ds.iter().try_fold(0u32, |acc, c| {
        acc.checked_mul(10)?.checked_add(c.to_digit(10)?)
    })
}

/// A validity period: first and last day of validity. `end` is `None` when
/// the document says `长期` (long-term, no expiry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First day of validity.
    pub start: NaiveDate,
    /// Last day of validity, `None` for `长期`.
    pub end: Option<NaiveDate>,
}

impl Period {
    /// `{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD" | null}`.
    pub fn to_json(&self) -> Value {
        json!({
            "start": self.start.format("%Y-%m-%d").to_string(),
            "end": self.end.map(|d| d.format("%Y-%m-%d").to_string()),
        })
    }
}

/// Words meaning "no expiry" after a period's separator.
const LONG_TERM: &[&str] = &["长期", "長期", "长期有效", "長期有效", "永久", "永久有效"];

/// Characters accepted between the two ends of a period: `-` (also
/// full-width `－`, folded), `—` (em dash), `–` (en dash), `~`/`～`, `至`,
/// `到`.
const PERIOD_SEPARATORS: &[char] = &['-', '—', '–', '―', '~', '至', '到'];

/// Parses a validity period such as `2015.03.01-2035.03.01`,
/// `2015.03.01-长期`, `2015.03.01至2035.03.01`, `2015.03.01—2035.03.01`,
/// `2015-03-01-2035-03-01`, `2017年01月04日至长期`, with spaces or full-width
/// characters anywhere. A leading `自` and trailing `起`/`止` around the dates
/// are ignored. Each end is parsed by [`parse_date`]; the end may instead be
/// `长期` (or `长期有效`, `永久`), giving `end: None`.
///
/// Returns `None` when the text is not such a range (a lone date or a lone
/// `长期` is not a period). The period is returned even if it ends before it
/// starts; the `validity_period` check reports that.
pub fn parse_period(s: &str) -> Option<Period> {
    let t = compact(s);
    if t.chars().count() > MAX_DATE_CHARS {
        return None;
    }
    let t = t.strip_prefix('自').unwrap_or(&t);
    for (i, c) in t.char_indices() {
        if !PERIOD_SEPARATORS.contains(&c) {
            continue;
        }
        let left = t[..i].trim_end_matches('起');
        let right = t[i + c.len_utf8()..].trim_end_matches('止');
        let Some(start) = parse_date(left) else {
            continue;
        };
        if LONG_TERM.contains(&right) {
            return Some(Period { start, end: None });
        }
        if let Some(end) = parse_date(right) {
            return Some(Period {
                start,
                end: Some(end),
            });
        }
    }
    None
}

/// Sex as printed on a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    /// 男 / M / Male.
    Male,
    /// 女 / F / Female.
    Female,
}

impl Sex {
    /// `"M"` or `"F"` (ISO/IEC 5218 letters as used in ICAO 9303 MRZs).
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "M",
            Sex::Female => "F",
        }
    }
}

/// Parses sex as printed: `男`/`女`, `M`/`F`, `Male`/`Female` (any case),
/// and bilingual forms such as `女F` or `男/M` (Hong Kong ID cards, passports).
/// Returns `None` when neither or both sexes are named.
pub fn parse_sex(s: &str) -> Option<Sex> {
    let t = fold(s);
    let mut male = t.contains('男');
    let mut female = t.contains('女');
    for word in t.split(|c: char| !c.is_ascii_alphabetic()) {
        match word.to_ascii_uppercase().as_str() {
            "M" | "MALE" => male = true,
            "F" | "FEMALE" => female = true,
            _ => {}
        }
    }
    match (male, female) {
        (true, false) => Some(Sex::Male),
        (false, true) => Some(Sex::Female),
        _ => None,
    }
}

/// A mainland resident ID number in standard form: whitespace removed,
/// full-width folded, `x` upper-cased. Accepts the 18-character form of
/// GB 11643-1999 (17 digits, then a digit or `X`) and the old 15-digit form;
/// returns `None` for anything else. Does not verify the check character.
pub fn normalize_mainland_id(s: &str) -> Option<String> {
    let t = compact(s).to_ascii_uppercase();
    let b = t.as_bytes();
    let ok = match b.len() {
        18 => b[..17].iter().all(u8::is_ascii_digit) && (b[17].is_ascii_digit() || b[17] == b'X'),
        15 => b.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    ok.then_some(t)
}

/// A Hong Kong identity card number split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HkId {
    /// One or two capital letters.
    pub prefix: String,
    /// Six digits.
    pub digits: String,
    /// The check character as printed: a digit or `A`.
    pub check: char,
}

impl HkId {
    /// Parses `A123456(3)`, `A1234563`, `AB 987654 (3)`, lower case or
    /// full-width. Returns `None` unless the shape is 1–2 letters, 6 digits,
    /// then a digit or `A` (optionally in parentheses).
    pub fn parse(s: &str) -> Option<HkId> {
        let t = compact(s).to_ascii_uppercase();
        let t = if let Some(body) = t.strip_suffix(')') {
            let open = body.rfind('(')?;
            // "(" must be followed by exactly one character.
            if body.len() != open + 2 {
                return None;
            }
            format!("{}{}", &body[..open], &body[open + 1..])
        } else {
            t
        };
        let chars: Vec<char> = t.chars().collect();
        let letters = chars.iter().take_while(|c| c.is_ascii_uppercase()).count();
        if !(1..=2).contains(&letters) || chars.len() != letters + 7 {
            return None;
        }
        let digits = &chars[letters..letters + 6];
        let check = chars[letters + 6];
        if !digits.iter().all(|c| c.is_ascii_digit()) || !(check.is_ascii_digit() || check == 'A') {
            return None;
        }
        Some(HkId {
            prefix: chars[..letters].iter().collect(),
            digits: digits.iter().collect(),
            check,
        })
    }

    /// The canonical printed form, `A123456(3)`.
    pub fn canonical(&self) -> String {
        format!("{}{}({})", self.prefix, self.digits, self.check)
    }
}

/// A Hong Kong identity card number in canonical form `A123456(3)` (see
/// [`HkId::parse`]), or `None`. Does not verify the check digit.
pub fn normalize_hkid(s: &str) -> Option<String> {
    HkId::parse(s).map(|id| id.canonical())
}

/// A payment card number as digits only: whitespace and `-` removed,
/// full-width folded. Returns `None` when anything else remains (e.g. `*`
/// on a partly printed number) or no digit is left. Does not check Luhn or
/// length.
pub fn card_digits(s: &str) -> Option<String> {
    let t: String = compact(s).chars().filter(|c| *c != '-').collect();
    (!t.is_empty() && t.chars().all(|c| c.is_ascii_digit())).then_some(t)
}

/// The character set of unified social credit codes (GB 32100-2015): digits
/// and capital letters without I, O, Z, S, V.
pub const CREDIT_CODE_CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A unified social credit code in standard form: whitespace removed,
/// full-width folded, upper case; `None` unless 18 characters from
/// [`CREDIT_CODE_CHARSET`]. Does not verify the check character.
pub fn normalize_credit_code(s: &str) -> Option<String> {
    credit_code_shape(s).ok()
}

/// Why a text is not shaped like a unified social credit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditCodeShape {
    /// It has this many characters, not 18.
    Length(usize),
    /// This character is not in [`CREDIT_CODE_CHARSET`].
    Char(char),
}

/// The code of `s` in standard form (whitespace removed, full-width folded,
/// upper case), or why it is not 18 characters from
/// [`CREDIT_CODE_CHARSET`] (GB 32100-2015). Does not verify the check
/// character.
pub fn credit_code_shape(s: &str) -> Result<String, CreditCodeShape> {
    let t = compact(s).to_ascii_uppercase();
    let n = t.chars().count();
    if n != 18 {
        return Err(CreditCodeShape::Length(n));
    }
    match t.chars().find(|c| !CREDIT_CODE_CHARSET.contains(*c)) {
        Some(bad) => Err(CreditCodeShape::Char(bad)),
        None => Ok(t),
    }
}

/// Registered (or paid-in) capital as printed, parsed.
///
/// JSON shape (see [`Capital::to_json`]):
/// `{"amount": 1000.0, "unit": "万元", "currency": "CNY", "total": 10000000.0}`
/// * `amount`: the number as printed (`1000` of `1000万元`);
/// * `unit`: the printed unit after the number, multiplier included
///   (`"万元"`, `"元"`, `"亿元"`, `"万美元"`), `null` when none is printed;
/// * `currency`: ISO 4217 code when a currency is printed or implied by `元`
///   (`CNY`; `USD` for 美元, `HKD` for 港元/港币, `EUR` 欧元, `JPY` 日元,
///   `GBP` 英镑), else `null`;
/// * `total`: `amount` times the multiplier (万 = 10⁴, 亿 = 10⁸), in the
///   currency's main unit (yuan, dollars).
///
/// Capital written in Chinese numerals (`壹佰万元整`) is converted: amount
/// `1000000`, unit `"元"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Capital {
    /// The number as printed.
    pub amount: f64,
    /// The printed unit (multiplier plus currency word), if any.
    pub unit: Option<String>,
    /// ISO 4217 currency code, if printed or implied.
    pub currency: Option<&'static str>,
    /// `amount` × multiplier, in the currency's main unit.
    pub total: f64,
}

impl Capital {
    /// The JSON shape documented on [`Capital`].
    pub fn to_json(&self) -> Value {
        json!({
            "amount": self.amount,
            "unit": self.unit,
            "currency": self.currency,
            "total": self.total,
        })
    }
}

/// Currency words, foreign ones first so `美元` is not read as `元`.
const CURRENCIES: &[(&str, &str)] = &[
    ("美元", "USD"),
    ("港元", "HKD"),
    ("港币", "HKD"),
    ("欧元", "EUR"),
    ("日元", "JPY"),
    ("英镑", "GBP"),
    ("人民币", "CNY"),
    ("元", "CNY"),
];

/// Parses registered capital such as `1000万元`, `100万元人民币`,
/// `人民币100.5万元`, `500万美元`, `3,000万元整`, `壹佰万元整`. Returns
/// `None` when no number is found (e.g. `无`). See [`Capital`] for the shape.
pub fn parse_capital(s: &str) -> Option<Capital> {
    let t = compact(s);
    if t.chars().count() > MAX_DATE_CHARS {
        return None;
    }
    let currency = CURRENCIES
        .iter()
        .find(|(w, _)| t.contains(w))
        .map(|(_, c)| *c);
    // Drop decorations that are not part of number or unit.
    let mut core = t.replace(['(', ')', '（', '）', '整', ','], "");
    core = core.replace("人民币", "");

    // Arabic numerals: number, then the unit text.
    let start = core.find(|c: char| c.is_ascii_digit());
    if let Some(start) = start {
        let after = &core[start..];
        let num_len = after
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(after.len());
        let amount: f64 = after[..num_len].parse().ok()?;
        let unit_text = &after[num_len..];
        // "1e308万元", "1.2.3万元": not a printed amount.
        if unit_text.contains(|c: char| c.is_ascii_alphanumeric() || c == '.') {
            return None;
        }
        let multiplier = if unit_text.starts_with('万') {
            1e4
        } else if unit_text.starts_with('亿') {
            1e8
        } else {
            1.0
        };
        let unit = (!unit_text.is_empty()).then(|| unit_text.to_string());
        return Some(Capital {
            amount,
            unit,
            currency,
            total: amount * multiplier,
        });
    }

    // Chinese numerals: everything up to the currency word.
    let numeral: String = core
        .chars()
        .take_while(|c| cn_numeral(*c).is_some())
        .collect();
    // A numeral needs a digit (or 十): a bare 万 is a unit, not a number.
    if !numeral
        .chars()
        .any(|c| matches!(cn_numeral(c), Some(Ok(_) | Err(10))))
    {
        return None;
    }
    let value = parse_chinese_number(&numeral)? as f64;
    let rest = &core[numeral.len()..];
    let unit = (!rest.is_empty()).then(|| rest.to_string());
    Some(Capital {
        amount: value,
        unit,
        currency,
        total: value,
    })
}

/// Value of one Chinese numeral character: `Ok(digit)` for 零–玖 (and
/// 一–九, 两, 〇), `Err(power)` for the units 拾/十, 佰/百, 仟/千, 万, 亿.
fn cn_numeral(c: char) -> Option<Result<u64, u64>> {
    Some(match c {
        '零' | '〇' => Ok(0),
        '壹' | '一' => Ok(1),
        '贰' | '二' | '两' | '貳' => Ok(2),
        '叁' | '三' | '參' => Ok(3),
        '肆' | '四' => Ok(4),
        '伍' | '五' => Ok(5),
        '陆' | '六' | '陸' => Ok(6),
        '柒' | '七' => Ok(7),
        '捌' | '八' => Ok(8),
        '玖' | '九' => Ok(9),
        '拾' | '十' => Err(10),
        '佰' | '百' => Err(100),
        '仟' | '千' => Err(1_000),
        '万' | '萬' => Err(10_000),
        '亿' | '億' => Err(100_000_000),
        _ => return None,
    })
}

/// Converts a Chinese numeral (`壹佰万`, `一千二百三十四`, `十五`) to an
/// integer. `None` on overflow or a non-numeral character.
pub fn parse_chinese_number(s: &str) -> Option<u64> {
    let (mut total, mut section, mut number) = (0u64, 0u64, 0u64);
    let mut seen = false;
    for c in s.chars() {
        seen = true;
        match cn_numeral(c)? {
            Ok(d) => number = d,
            Err(100_000_000) => {
                total = total
                    .checked_add(section)?
                    .checked_add(number)?
                    .checked_mul(100_000_000)?;
                section = 0;
                number = 0;
            }
            Err(10_000) => {
                let part = section.checked_add(number)?.checked_mul(10_000)?;
                total = total.checked_add(part)?;
                section = 0;
                number = 0;
            }
            Err(unit) => {
                // A bare 十 at the start means 一十.
                let n = if number == 0 && unit == 10 { 1 } else { number };
                section = section.checked_add(n.checked_mul(unit)?)?;
                number = 0;
            }
        }
    }
    if !seen {
        return None;
    }
    total.checked_add(section)?.checked_add(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn parses_every_supported_date_form() {
        for s in [
            "1977年7月7日",
            "1977年07月07日",
            "1977年7月7",
            "1977.07.07",
            "1977.7.7",
            "1977-7-7",
            "1977-07-07",
            "19770707",
            "1977/07/07",
            " 1977 年 7 月 7 日 ",
            "１９７７．０７．０７",
            "１９７７年７月７日",
        ] {
            assert_eq!(parse_date(s), Some(d(1977, 7, 7)), "{s}");
        }
    }

    #[test]
    fn rejects_non_dates_and_impossible_dates() {
        for s in [
            "",
            "   ",
            "1977",
            "1977-07",
            "77-07-07",
            "1977.07-07",
            "1977年07.07",
            "1977-02-30",
            "19770230",
            "1977-13-01",
            "1977/7/7/",
            "1977-007-07",
            "长期",
            "😀",
            "1977-07-07😀",
        ] {
            assert_eq!(parse_date(s), None, "{s:?}");
        }
        assert_eq!(parse_date("2000-02-29"), Some(d(2000, 2, 29)));
        assert_eq!(parse_date("1900-02-29"), None);
    }

    #[test]
    fn parses_periods_with_every_separator() {
        let full = Period {
            start: d(2015, 3, 1),
            end: Some(d(2035, 3, 1)),
        };
        for s in [
            "2015.03.01-2035.03.01",
            "2015.03.01 - 2035.03.01",
            "2015.03.01至2035.03.01",
            "2015.03.01—2035.03.01",
            "2015.03.01–2035.03.01",
            "2015.03.01－2035.03.01",
            "2015.03.01~2035.03.01",
            "2015-03-01-2035-03-01",
            "20150301-20350301",
            "2015年03月01日至2035年03月01日",
            "自2015年03月01日起至2035年03月01日止",
            "２０１５．０３．０１－２０３５．０３．０１",
        ] {
            assert_eq!(parse_period(s), Some(full), "{s}");
        }
        let open = Period {
            start: d(2015, 3, 1),
            end: None,
        };
        for s in [
            "2015.03.01-长期",
            "2015.03.01 — 长期",
            "2015.03.01至长期",
            "2015年03月01日至长期",
        ] {
            assert_eq!(parse_period(s), Some(open), "{s}");
        }
    }

    #[test]
    fn rejects_non_periods() {
        for s in [
            "",
            "长期",
            "2015.03.01",
            "2015.03.01-",
            "-2035.03.01",
            "2015.03.01-2035.02.30",
            "2015.03.01-短期",
            "2015.03.01 2035.03.01",
        ] {
            assert_eq!(parse_period(s), None, "{s:?}");
        }
    }

    #[test]
    fn period_json_shape() {
        assert_eq!(
            normalize("id_card", "validate_date", "2015.03.01-2035.03.01"),
            Some(json!({"start": "2015-03-01", "end": "2035-03-01"}))
        );
        assert_eq!(
            normalize("id_card", "validate_date", "2015.03.01-长期"),
            Some(json!({"start": "2015-03-01", "end": null}))
        );
        assert_eq!(
            normalize(
                "business_license",
                "BizLicenseOperatingPeriod",
                "2017年01月04日至长期"
            ),
            Some(json!({"start": "2017-01-04", "end": null}))
        );
    }

    #[test]
    fn date_or_period_keys() {
        assert_eq!(
            normalize(
                "drive_license",
                "valid_period_from",
                "2019-10-14至2025-10-14"
            ),
            Some(json!({"start": "2019-10-14", "end": "2025-10-14"}))
        );
        assert_eq!(
            normalize("drive_license", "valid_period_from", "2019-10-14"),
            Some(json!("2019-10-14"))
        );
    }

    #[test]
    fn normalizes_dates_for_date_keys_of_any_type() {
        assert_eq!(
            normalize("id_card", "birth", "1977年7月7日"),
            Some(json!("1977-07-07"))
        );
        assert_eq!(
            normalize("drive_license", "birthday", "1999-03-23"),
            Some(json!("1999-03-23"))
        );
        assert_eq!(
            normalize("drive_license", "issue_date", "2019.10.14"),
            Some(json!("2019-10-14"))
        );
        assert_eq!(
            normalize("business_license", "BizLicenseStartTime", "2017年01月04日"),
            Some(json!("2017-01-04"))
        );
        assert_eq!(normalize("id_card", "birth", "not a date"), None);
        assert_eq!(normalize("id_card", "name", "1977年7月7日"), None);
    }

    #[test]
    fn sex_forms() {
        assert_eq!(parse_sex("男"), Some(Sex::Male));
        assert_eq!(parse_sex(" 女 "), Some(Sex::Female));
        assert_eq!(parse_sex("M"), Some(Sex::Male));
        assert_eq!(parse_sex("f"), Some(Sex::Female));
        assert_eq!(parse_sex("女F"), Some(Sex::Female));
        assert_eq!(parse_sex("男/M"), Some(Sex::Male));
        assert_eq!(parse_sex("Female"), Some(Sex::Female));
        assert_eq!(parse_sex("MALE"), Some(Sex::Male));
        assert_eq!(parse_sex("Ｍ"), Some(Sex::Male));
        assert_eq!(parse_sex("男女"), None);
        assert_eq!(parse_sex("X"), None);
        assert_eq!(parse_sex(""), None);
        assert_eq!(normalize("id_card", "sex", "女"), Some(json!("F")));
        assert_eq!(normalize("hongkong_idcard", "sex", "男M"), Some(json!("M")));
    }

    #[test]
    fn id_numbers() {
        assert_eq!(
            normalize("id_card", "id_number", " 1101 0519 4912 31002x "),
            Some(json!("11010519491231002X"))
        );
        assert_eq!(
            normalize(
                "id_card",
                "id_number",
                "１１０１０５１９４９１２３１００２Ｘ"
            ),
            Some(json!("11010519491231002X"))
        );
        assert_eq!(
            normalize("id_card", "id_number", "110105491231002"),
            Some(json!("110105491231002"))
        );
        assert_eq!(normalize("id_card", "id_number", "1101051949123100"), None);
        assert_eq!(
            normalize("id_card", "id_number", "11010519491231002Y"),
            None
        );
        assert_eq!(
            normalize("hongkong_idcard", "id_number", "a123456 (3)"),
            Some(json!("A123456(3)"))
        );
        assert_eq!(
            normalize("hongkong_idcard", "id_number", "AB9876543"),
            Some(json!("AB987654(3)"))
        );
        assert_eq!(normalize("hongkong_idcard", "id_number", "A12345(3)"), None);
        assert_eq!(normalize("hongkong_idcard", "id_number", "A123456(3"), None);
        assert_eq!(normalize("hongkong_idcard", "id_number", "(3)"), None);
    }

    #[test]
    fn card_numbers_lose_spaces() {
        assert_eq!(
            normalize("bank_card", "card_number", "4111 1111 1111 1111"),
            Some(json!("4111111111111111"))
        );
        assert_eq!(
            normalize("bank_card", "card_number", "６２２２－０２０２"),
            Some(json!("62220202"))
        );
        assert_eq!(
            normalize("bank_card", "card_number", "6222 **** 1234"),
            None
        );
        assert_eq!(normalize("bank_card", "card_number", "  "), None);
        assert_eq!(normalize("bank_card", "validate_date", "12/25"), None);
        // card_number is not a payment card outside bank_card
        assert_eq!(
            normalize("social_security_cards", "card_number", "123"),
            None
        );
    }

    #[test]
    fn credit_codes() {
        assert_eq!(
            normalize(
                "business_license",
                "BizLicenseCreditCode",
                "91350100m000100y43"
            ),
            Some(json!("91350100M000100Y43"))
        );
        assert_eq!(
            normalize("business_license", "BizLicenseCreditCode", "无"),
            None
        );
        assert_eq!(
            normalize(
                "business_license",
                "BizLicenseCreditCode",
                "91350100M000100I43"
            ),
            None
        );
    }

    #[test]
    fn capital_shapes() {
        assert_eq!(
            normalize("business_license", "BizLicenseRegCapital", "1000万元"),
            Some(
                json!({"amount": 1000.0, "unit": "万元", "currency": "CNY", "total": 10_000_000.0})
            )
        );
        let c = parse_capital("人民币100.5万元").unwrap();
        assert_eq!(
            (c.amount, c.unit.as_deref(), c.currency),
            (100.5, Some("万元"), Some("CNY"))
        );
        assert_eq!(c.total, 1_005_000.0);
        let c = parse_capital("500万美元").unwrap();
        assert_eq!(
            (c.amount, c.unit.as_deref(), c.currency),
            (500.0, Some("万美元"), Some("USD"))
        );
        let c = parse_capital("3,000万元整").unwrap();
        assert_eq!((c.amount, c.unit.as_deref()), (3000.0, Some("万元")));
        let c = parse_capital("100万元人民币").unwrap();
        assert_eq!(
            (c.amount, c.unit.as_deref(), c.currency),
            (100.0, Some("万元"), Some("CNY"))
        );
        let c = parse_capital("壹佰万元整").unwrap();
        assert_eq!(
            (c.amount, c.unit.as_deref(), c.currency),
            (1_000_000.0, Some("元"), Some("CNY"))
        );
        let c = parse_capital("2亿元").unwrap();
        assert_eq!(c.total, 200_000_000.0);
        let c = parse_capital("100").unwrap();
        assert_eq!((c.unit, c.currency), (None, None));
        assert_eq!(parse_capital("无"), None);
        assert_eq!(parse_capital(""), None);
        assert_eq!(parse_capital("万元"), None);
        assert_eq!(parse_capital("1e308万元"), None);
        assert_eq!(parse_capital("1.2.3万元"), None);
    }

    #[test]
    fn chinese_numbers() {
        assert_eq!(parse_chinese_number("壹佰万"), Some(1_000_000));
        assert_eq!(parse_chinese_number("一千二百三十四"), Some(1234));
        assert_eq!(parse_chinese_number("十五"), Some(15));
        assert_eq!(parse_chinese_number("一亿二千万"), Some(120_000_000));
        assert_eq!(parse_chinese_number("伍仟零伍拾"), Some(5050));
        assert_eq!(parse_chinese_number(""), None);
        assert_eq!(parse_chinese_number("九亿亿亿"), None); // overflow
        assert_eq!(parse_chinese_number("壹x"), None);
    }

    #[test]
    fn unknown_keys_and_types_have_no_normal_form() {
        assert_eq!(normalize("id_card", "address", "上海市"), None);
        assert_eq!(normalize("no_such_type", "name", "x"), None);
        assert_eq!(
            normalize("no_such_type", "birth", "1977-07-07"),
            Some(json!("1977-07-07"))
        );
    }
}
