//! Which document a picture shows, from its text: every kind is scored on
//! the evidence it prints (titles, labels, numbers that pass their check),
//! and a kind is answered only when its evidence is strong and clearly
//! ahead of every other document type's; else `other`. A confident wrong
//! type is worse than `other`: scripts and spreadsheets trust it.

use super::layout::Layout;
use crate::fields::checks::{
    credit_code_check_char, gb11643_check_char, hkid_check_char, luhn_valid,
};
use crate::fields::normalize::CREDIT_CODE_CHARSET;

/// The documents the offline engine understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Resident ID card, the side with the portrait.
    IdFront,
    /// Resident ID card, the side with 签发机关 and 有效期限.
    IdBack,
    /// A bank card (a Luhn-valid 16–19 digit number).
    BankCard,
    /// Motor vehicle driving licence (机动车驾驶证), main page.
    DriveLicense,
    /// Motor vehicle licence (机动车行驶证), main page.
    VehicleLicense,
    /// Motor vehicle licence, the back page (核定载人数, 检验记录).
    VehicleBack,
    /// Business licence (营业执照), any layout, 正本 or 副本.
    BusinessLicense,
    /// Passport data page (ICAO 9303 TD3).
    Passport,
    /// Hong Kong identity card (香港永久性居民身份證 and the non-permanent one).
    HkId,
    /// Social-security card (社会保障卡).
    SocialSecurity,
    /// Anything else: kept as text lines.
    Other,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 11] = [
        Kind::IdFront,
        Kind::IdBack,
        Kind::BankCard,
        Kind::DriveLicense,
        Kind::VehicleLicense,
        Kind::VehicleBack,
        Kind::BusinessLicense,
        Kind::Passport,
        Kind::HkId,
        Kind::SocialSecurity,
        Kind::Other,
    ];

    /// The document type a reading of this kind answers (one of
    /// [`crate::engine::LOCAL_TYPES`]): both ID card sides are `id_card`,
    /// both vehicle licence pages `vehicle_license`.
    pub fn doc_type(self) -> &'static str {
        match self {
            Kind::IdFront | Kind::IdBack => "id_card",
            Kind::BankCard => "bank_card",
            Kind::DriveLicense => "drive_license",
            Kind::VehicleLicense | Kind::VehicleBack => "vehicle_license",
            Kind::BusinessLicense => "business_license",
            Kind::Passport => "passport",
            Kind::HkId => "hongkong_idcard",
            Kind::SocialSecurity => "social_security_cards",
            Kind::Other => "other",
        }
    }

    /// A short name for `-v` (`id-front`, `vehicle-back`, …).
    pub fn name(self) -> &'static str {
        match self {
            Kind::IdFront => "id-front",
            Kind::IdBack => "id-back",
            Kind::BankCard => "bank-card",
            Kind::DriveLicense => "drive-licence",
            Kind::VehicleLicense => "vehicle-main",
            Kind::VehicleBack => "vehicle-back",
            Kind::BusinessLicense => "business-licence",
            Kind::Passport => "passport",
            Kind::HkId => "hk-id",
            Kind::SocialSecurity => "social-security",
            Kind::Other => "other",
        }
    }

    /// What this kind prints: texts (no white space; ASCII compared in
    /// upper case) with their weight. A weight of [`STRONG`] or more marks
    /// a text no other kind prints, which counts against the others.
    fn markers(self) -> &'static [(&'static str, i32)] {
        match self {
            Kind::IdFront => &[
                ("姓名", 1),
                ("性别", 1),
                ("民族", 2),
                ("出生", 1),
                ("住址", 1),
                ("公民身份号码", 3),
            ],
            Kind::IdBack => &[
                ("签发机关", 2),
                ("有效期限", 1),
                ("居民身份证", 3),
                ("中华人民共和国", 1),
            ],
            Kind::BankCard => &[("银行", 1), ("银联", 1), ("UNIONPAY", 1), ("VALIDTHRU", 1)],
            Kind::DriveLicense => &[
                ("驾驶证", 4),
                ("准驾车型", 3),
                ("初次领证", 3),
                ("有效起始日期", 2),
                ("DRIVINGLICENSE", 2),
                ("证号", 1),
                ("国籍", 1),
                ("有效期限", 1),
                ("中华人民共和国", 1),
            ],
            Kind::VehicleLicense => &[
                ("行驶证", 4),
                ("车辆识别代号", 3),
                ("发动机号码", 3),
                ("品牌型号", 2),
                ("使用性质", 2),
                ("VEHICLELICENSE", 2),
                ("号牌号码", 1),
                ("车辆类型", 1),
                ("所有人", 1),
                ("注册日期", 1),
                ("发证日期", 1),
            ],
            Kind::VehicleBack => &[
                ("核定载人数", 3),
                ("整备质量", 3),
                ("外廓尺寸", 3),
                ("准牵引总质量", 2),
                ("核定载质量", 2),
                ("检验记录", 2),
                ("档案编号", 1),
                ("总质量", 1),
                ("号牌号码", 1),
            ],
            Kind::BusinessLicense => &[
                ("营业执照", 4),
                ("统一社会信用代码", 3),
                ("经营范围", 3),
                ("法定代表人", 2),
                ("注册资本", 2),
                ("成立日期", 2),
                ("营业期限", 2),
                ("注册号", 1),
                ("登记机关", 1),
                ("住所", 1),
                ("经营场所", 1),
                ("负责人", 1),
                ("经营者", 1),
            ],
            Kind::Passport => &[
                ("护照", 4),
                ("PASSPORT", 3),
                ("国家码", 2),
                ("护照号", 2),
                ("签发地点", 2),
                ("出生地点", 1),
                ("有效期至", 1),
                ("国籍", 1),
                ("签发机关", 1),
                ("中华人民共和国", 1),
            ],
            Kind::HkId => &[
                ("香港", 4),
                ("身份證", 3),
                ("HONGKONG", 2),
                ("IDENTITYCARD", 1),
                ("簽發日期", 1),
                ("出生日期", 1),
            ],
            Kind::SocialSecurity => &[
                ("社会保障", 4),
                ("保障卡", 3),
                ("发卡日期", 2),
                ("SOCIALSECURITY", 2),
                ("银行卡号", 1),
                ("姓名", 1),
                ("中华人民共和国", 1),
                ("银行", 1),
            ],
            Kind::Other => &[],
        }
    }
}

/// A marker of this weight or more belongs to one kind: found, it counts
/// [`AGAINST`] against every kind that does not print it.
const STRONG: i32 = 2;
/// What each strong marker of another kind takes off a kind's score.
const AGAINST: i32 = 3;
/// The least score a kind must reach to be answered.
pub const MIN_SCORE: i32 = 3;
/// How far the best kind must be ahead of the best kind of another
/// document type.
pub const MIN_MARGIN: i32 = 2;

/// The classifier's evidence: every kind's score and the kind answered.
#[derive(Clone, Debug, PartialEq)]
pub struct Scores {
    /// Score per kind (all but [`Kind::Other`]), highest first.
    pub scores: Vec<(Kind, i32)>,
    /// The kind answered: the best when it reaches [`MIN_SCORE`] and is
    /// [`MIN_MARGIN`] ahead of the best of another document type.
    pub kind: Kind,
}

impl Scores {
    /// One line for `-v`, e.g. `type drive_license (scores: drive-licence
    /// 14, id-front -3, …; needs ≥ 3 and 2 ahead)`; kinds scoring 0 or less
    /// after the first three are left out.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .scores
            .iter()
            .enumerate()
            .filter(|(i, (_, s))| *i < 3 || *s > 0)
            .map(|(_, (k, s))| format!("{} {s}", k.name()))
            .collect();
        format!(
            "type {} (scores: {}; needs ≥ {MIN_SCORE} and {MIN_MARGIN} ahead of another type)",
            self.kind.doc_type(),
            parts.join(", ")
        )
    }
}

/// Scores every kind on `layout` (see [`Kind`] for the markers; numbers
/// that pass their check count too: an 18-character ID number 2 for the
/// ID front, a validity period 2 for the back, a Luhn-valid card number 3
/// for a bank card, a VIN with a right check digit 2 for the vehicle
/// licence, a credit code (GB 32100) 2 for the business licence, two MRZ
/// rows 4 for the passport, an HKID with a right check digit 3 for the Hong
/// Kong card), and answers the best kind when the evidence is clear.
pub fn score(layout: &Layout) -> Scores {
    let rows: Vec<String> = (0..layout.rows.len()).map(|r| layout.row_text(r)).collect();
    let all: String = rows.concat().to_uppercase();
    let any_row = |f: &dyn Fn(&str) -> bool| rows.iter().any(|r| f(r));
    let found = |m: &str| all.contains(m);
    let mut strong_found: Vec<(&str, Kind)> = Vec::new();
    for k in Kind::ALL {
        for &(m, w) in k.markers() {
            if w >= STRONG && found(m) {
                strong_found.push((m, k));
            }
        }
    }
    let has_id = any_row(&|r| id_number_in(r).is_some());
    let has_period = all.contains("长期") || digits_runs(&all).iter().any(|&n| n >= 16);
    let has_card = any_row(&|r| card_number_in(r).is_some());
    let has_vin = any_row(&|r| vin_in(r).is_some());
    let has_credit = any_row(&|r| credit_code_in(r).is_some());
    let mrz_rows = rows.iter().filter(|r| is_mrz_row(r)).count();
    let has_hkid = any_row(&|r| hkid_in(r).is_some());
    let mut scores: Vec<(Kind, i32)> = Kind::ALL
        .iter()
        .filter(|&&k| k != Kind::Other)
        .map(|&k| {
            let own = k.markers();
            let mut s: i32 = own.iter().filter(|(m, _)| found(m)).map(|(_, w)| w).sum();
            s += match k {
                Kind::IdFront if has_id => 2,
                Kind::IdBack if has_period => 2,
                Kind::BankCard if has_card => 3,
                Kind::VehicleLicense if has_vin => 2,
                Kind::BusinessLicense if has_credit => 2,
                Kind::Passport if mrz_rows >= 2 => 4,
                Kind::Passport if mrz_rows == 1 => 2,
                Kind::HkId if has_hkid => 3,
                _ => 0,
            };
            // Strong markers of other kinds, each text counted once.
            let mut against: Vec<&str> = strong_found
                .iter()
                .filter(|(m, other)| *other != k && !own.iter().any(|(o, _)| o == m))
                .filter(|(m, _)| !own.iter().any(|(o, _)| o.contains(m) || m.contains(o)))
                .map(|(m, _)| *m)
                .collect();
            against.sort_unstable();
            against.dedup();
            (k, s - AGAINST * against.len() as i32)
        })
        .collect();
    scores.sort_by_key(|&(_, s)| std::cmp::Reverse(s));
    let kind = match scores.first() {
        Some(&(best, s)) if s >= MIN_SCORE => {
            let rival = scores
                .iter()
                .find(|(k, _)| k.doc_type() != best.doc_type())
                .map_or(i32::MIN, |&(_, s)| s);
            if s.saturating_sub(rival) >= MIN_MARGIN {
                best
            } else {
                Kind::Other
            }
        }
        _ => Kind::Other,
    };
    Scores { scores, kind }
}

/// The kind of document `layout` shows ([`score`]).
pub fn classify(layout: &Layout) -> Kind {
    score(layout).kind
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

/// A vehicle identification number in `text` (no white space): the
/// character range of 17 characters of `0`-`9`, `A`-`Z` without I, O, Q,
/// holding digits and letters both, not inside a longer such run, whose
/// check digit (position 9, ISO 3779) is right.
pub fn vin_in(text: &str) -> Option<(usize, usize)> {
    let cs: Vec<char> = text.chars().collect();
    let ok = |c: char| c.is_ascii_digit() || (c.is_ascii_uppercase() && !"IOQ".contains(c));
    (0..cs.len().saturating_sub(16)).find_map(|i| {
        let w = &cs[i..i + 17];
        let alone = (i == 0 || !ok(cs[i - 1])) && cs.get(i + 17).is_none_or(|&c| !ok(c));
        let mixed = w.iter().any(char::is_ascii_digit) && w.iter().any(char::is_ascii_uppercase);
        let s: String = w.iter().collect();
        (alone
            && mixed
            && w.iter().all(|&c| ok(c))
            && crate::fields::vin::check_digit(&s) == Some(w[8]))
        .then_some((i, i + 17))
    })
}

/// A unified social credit code in `text` (no white space): the character
/// range of 18 characters of the GB 32100 set whose check character is
/// right.
pub fn credit_code_in(text: &str) -> Option<(usize, usize)> {
    let cs: Vec<char> = text.chars().map(|c| c.to_ascii_uppercase()).collect();
    (0..cs.len().saturating_sub(17)).find_map(|i| {
        let w = &cs[i..i + 18];
        if !w.iter().all(|&c| CREDIT_CODE_CHARSET.contains(c)) {
            return None;
        }
        let first: String = w[..17].iter().collect();
        (credit_code_check_char(&first) == Some(w[17])).then_some((i, i + 18))
    })
}

/// A Hong Kong identity card number in `text` (no white space): the
/// character range of one or two capital letters, six digits and the check
/// character in parentheses (`A123456(3)`, full-width parentheses too),
/// whose check character is right.
pub fn hkid_in(text: &str) -> Option<(usize, usize)> {
    let cs: Vec<char> = text.chars().collect();
    for i in 0..cs.len() {
        for letters in [2usize, 1] {
            let Some(w) = cs.get(i..i + letters + 9) else {
                continue;
            };
            let (p, rest) = w.split_at(letters);
            let open = matches!(rest[6], '(' | '（');
            let close = matches!(rest[8], ')' | '）');
            if i > 0 && cs[i - 1].is_ascii_uppercase() {
                continue;
            }
            if !(p.iter().all(char::is_ascii_uppercase)
                && rest[..6].iter().all(char::is_ascii_digit)
                && open
                && close)
            {
                continue;
            }
            let prefix: String = p.iter().collect();
            let digits: String = rest[..6].iter().collect();
            if hkid_check_char(&prefix, &digits) == Some(rest[7]) {
                return Some((i, i + letters + 9));
            }
        }
    }
    None
}

/// Whether `text` (no white space) looks like a row of a machine-readable
/// zone: at least 30 characters, all `A`-`Z`, `0`-`9` or a filler (`<`, or
/// `«` and `K` runs as OCR reads fillers), with at least two fillers in a
/// row or a `P<` start.
pub fn is_mrz_row(text: &str) -> bool {
    let t: String = text.chars().map(|c| c.to_ascii_uppercase()).collect();
    let n = t.chars().count();
    n >= 30
        && t.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '<' | '«'))
        && (t.contains("<<") || t.contains('«') || t.starts_with("P<"))
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
    fn other_documents_are_not_taken_for_id_cards() {
        // A driving licence holds 姓名, 性别, 住址, 出生日期 and an ID number.
        let drive = [
            "中华人民共和国机动车驾驶证",
            "证号650102196110246586",
            "姓名吕子性别女国籍中国",
            "住址新疆维吾尔自治区乌鲁木齐市",
            "出生日期1961-10-24",
            "初次领证日期1990-05-02",
            "准驾车型C1",
            "有效起始日期2006-05-02有效期限6年",
        ];
        assert_eq!(kind(&drive), Kind::DriveLicense);
        // Its title and one label misread: still no ID card.
        assert_eq!(kind(&drive[1..]), Kind::DriveLicense);
        assert_eq!(
            kind(&[
                "证号650102196110246586",
                "姓名吕子性别女",
                "住址新疆",
                "出生日期1961-10-24"
            ]),
            Kind::IdFront,
            "with nothing of a licence left it reads as an ID front"
        );
        assert_eq!(
            kind(&[
                "中华人民共和国机动车行驶证",
                "号牌号码粤G411F5车辆类型轻型厢式货车",
                "车辆识别代号LVSUP93TXL9792877",
                "发动机号码XHJXS97RB",
            ]),
            Kind::VehicleLicense
        );
        assert_eq!(
            kind(&[
                "号牌号码湘CE9GB5档案编号202152738067",
                "核定载人数19人总质量2848kg",
                "外廓尺寸4467×1943×1680mm"
            ]),
            Kind::VehicleBack
        );
        assert_eq!(
            kind(&[
                "统一社会信用代码",
                "91110105UDU3NTHB5R",
                "营业执照",
                "名称北京市华瑞物流有限公司",
                "法定代表人于涛嘉",
                "住所北京市朝阳区中山北路49号",
            ]),
            Kind::BusinessLicense
        );
        assert_eq!(
            kind(&[
                "护照PASSPORT",
                "姓名/Name",
                "出生日期/Dateofbirth",
                "P<CHNLIN<<MEIDONG<<<<<<<<<<<<<<<<<<<<<<<<<<<",
                "EC52436158CHN7701144M3207121EPLJAVUDYFYO<<28",
            ]),
            Kind::Passport
        );
        assert_eq!(
            kind(&["香港永久性居民身份證", "陳小麗", "出生日期", "H900261(A)"]),
            Kind::HkId
        );
        assert_eq!(
            kind(&[
                "中华人民共和国社会保障卡",
                "姓名潘艳",
                "社会保障号码650102195905178279",
                "银行卡号6222028062370003636",
            ]),
            Kind::SocialSecurity
        );
    }

    #[test]
    fn thin_or_competing_evidence_is_other() {
        // One weak label.
        assert_eq!(kind(&["姓名张三"]), Kind::Other);
        // A driving licence's labels and a business licence's, as strong.
        assert_eq!(kind(&["准驾车型C1", "经营范围道路运输"]), Kind::Other);
        let s = score(&Layout::new(vec![line("准驾车型C1", 0.0, 0.0)]));
        assert_eq!(s.kind, Kind::DriveLicense);
        assert!(
            s.describe()
                .starts_with("type drive_license (scores: drive-licence 3"),
            "{}",
            s.describe()
        );
    }

    #[test]
    fn check_digits_make_numbers_evidence() {
        assert_eq!(vin_in("代号LVSUP93TXL9792877"), Some((2, 19)));
        assert_eq!(vin_in("LVSUP93TXL9792878"), None);
        assert_eq!(credit_code_in("91350100M000100Y43"), Some((0, 18)));
        assert_eq!(credit_code_in("91350100M000100Y44"), None);
        assert_eq!(hkid_in("號碼A123456(3)"), Some((2, 12)));
        assert_eq!(hkid_in("A123456(4)"), None);
        assert!(is_mrz_row("P<CHNLIN<<MEIDONG<<<<<<<<<<<<<<<<<<<<<<<<<<<"));
        assert!(!is_mrz_row("LIN, MEIDONG"));
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
