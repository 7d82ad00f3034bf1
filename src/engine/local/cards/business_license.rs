//! Fields of the business licence (营业执照), from a [`Layout`]: the 2019
//! layout and the older one, 正本 (original) and 副本 (copy), horizontal
//! and vertical; each value right of its label, the credit code wherever
//! it is printed (below its label on the 2019 layout).

use super::Field;
use super::classify::credit_code_in;
use super::labels::{Labels, map_text};
use super::layout::{Layout, Span};

/// The labels, each with the variants printed by the layouts.
const NAME: [&str; 2] = ["名称", "企业名称"];
const TYPE: [&str; 2] = ["类型", "主体类型"];
const ADDRESS: [&str; 4] = ["住所", "经营场所", "营业场所", "主要经营场所"];
const OWNER: [&str; 5] = ["法定代表人", "负责人", "经营者", "投资人", "执行事务合伙人"];
const CAPITAL: [&str; 2] = ["注册资本", "出资额"];
const START: [&str; 2] = ["成立日期", "注册日期"];
const PERIOD: [&str; 3] = ["营业期限", "经营期限", "合伙期限"];
const SCOPE: [&str; 1] = ["经营范围"];
const CODE: [&str; 1] = ["统一社会信用代码"];
const REG: [&str; 1] = ["注册号"];

/// Printed texts that are no value.
const STOPS: [&str; 6] = [
    "营业执照",
    "副本",
    "正本",
    "登记机关",
    "副本编号",
    "组成形式",
];

/// The fields, in the service's order: `BizLicenseIsCopy` (`是` when 副本
/// is printed, else `否`), `BizLicenseCreditCode` (GB 32100, upper case),
/// `BizLicenseRegistrationCode` (注册号, older licences), and
/// `BizLicenseCompanyName`, `BizLicenseCompanyType`, `BizLicenseAddress`,
/// `BizLicenseOwnerName`, `BizLicenseRegCapital`, `BizLicenseScope` (all
/// its lines joined in order), `BizLicenseStartTime`,
/// `BizLicenseOperatingPeriod` as printed (dates `2016年05月12日`), with
/// ASCII punctuation read in Chinese text given back its full-width form.
/// Missing values are empty.
pub fn fields(l: &Layout) -> Vec<Field> {
    let all: Vec<&'static str> = [
        &NAME[..],
        &TYPE,
        &ADDRESS,
        &OWNER,
        &CAPITAL,
        &START,
        &PERIOD,
        &SCOPE,
        &CODE,
        &REG,
    ]
    .concat();
    let lab = Labels::new(l, &all, &STOPS);
    let many = |labels: &[&str]| {
        let h = lab.find_any(labels)?;
        let first = lab.right_of(h)?;
        Some(lab.block(h, first, 0.5))
    };
    let chinese = |s: Option<Span>| map_text(s, full_width);
    let copy = l.all_text().contains("副本");
    let code = credit_code(l, &lab);
    let reg = map_text(lab.right(&REG), |t| {
        t.chars().filter(char::is_ascii_alphanumeric).collect()
    });
    // The spaced labels 名 称 and 类 型 are often not read at all: the name
    // is then the top-most value ending in 公司 that is no company type,
    // and the type the value under the name that names one.
    let name = many(&NAME).or_else(|| {
        lab.pieces()
            .iter()
            .find(|s| s.text.ends_with("公司") && s.text.chars().count() >= 6 && !is_type(&s.text))
            .cloned()
    });
    let kind = lab.right(&TYPE).or_else(|| {
        let n = name.as_ref()?;
        lab.below_box(n.bbox).filter(|s| is_type(&s.text))
    });
    let is_copy = Field {
        key: "BizLicenseIsCopy",
        description: "是否为副本",
        value: if copy { "是" } else { "否" }.into(),
        quad: None,
        confidence: None,
    };
    vec![
        is_copy,
        Field::text("BizLicenseCreditCode", "统一社会信用代码", code),
        Field::text("BizLicenseRegistrationCode", "注册号", reg),
        Field::text("BizLicenseCompanyName", "名称", chinese(name.clone())),
        Field::text("BizLicenseCompanyType", "类型", chinese(kind)),
        Field::text(
            "BizLicenseAddress",
            "住所/经营场所",
            chinese(many(&ADDRESS)),
        ),
        Field::text(
            "BizLicenseOwnerName",
            "法定代表人/负责人/经营者",
            lab.right(&OWNER),
        ),
        Field::text("BizLicenseRegCapital", "注册资本", lab.right(&CAPITAL)),
        Field::text("BizLicenseScope", "经营范围", chinese(many(&SCOPE))),
        Field::text("BizLicenseStartTime", "成立日期", lab.right(&START)),
        Field::text("BizLicenseOperatingPeriod", "营业期限", many(&PERIOD)),
    ]
}

/// The credit code: right of or below its label when one passes its check
/// there, else the first that passes anywhere, else what stands right of
/// or below the label.
fn credit_code(l: &Layout, lab: &Labels) -> Option<Span> {
    let near = lab
        .find_any(&CODE)
        .and_then(|h| lab.right_of(h).or_else(|| lab.below(h)));
    let upper = |s: Span| {
        let text: String = s
            .text
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect();
        Span { text, ..s }
    };
    if let Some(s) = near.clone().map(upper)
        && credit_code_in(&s.text) == Some((0, 18))
    {
        return Some(s);
    }
    let anywhere = (0..l.rows.len()).find_map(|r| {
        let (a, b) = credit_code_in(&l.row_text(r))?;
        l.span(r, a, b)
    });
    anywhere.map(upper).or(near.map(upper))
}

/// Whether `s` names a company type (有限责任公司, 股份有限公司, 个人独资企业,
/// 合伙企业, 个体工商户, …) rather than a company.
fn is_type(s: &str) -> bool {
    [
        "有限责任公司",
        "股份有限公司",
        "其他",
        "个人独资",
        "合伙企业",
        "普通合伙",
        "个体",
        "全民所有制",
        "集体所有制",
    ]
    .iter()
    .any(|t| s.starts_with(t))
}

/// Chinese text with ASCII punctuation that OCR gives for full-width
/// marks turned back: `(` `)` `;` `:` `,` always, `.` after a Chinese
/// character (as `。`).
pub fn full_width(s: &str) -> String {
    let cs: Vec<char> = s.chars().collect();
    cs.iter()
        .enumerate()
        .map(|(i, &c)| match c {
            '(' => '（',
            ')' => '）',
            ';' => '；',
            ':' => '：',
            ',' => '，',
            '.' if i > 0 && ('\u{4e00}'..='\u{9fff}').contains(&cs[i - 1]) => '。',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::layout::tests::{line, value};
    use super::*;

    #[test]
    fn a_2019_licence_reads_both_columns_and_the_scope() {
        let l = Layout::new(vec![
            line("统一社会信用代码", 45.0, 55.0),
            line("91110105UDU3NTHB5R", 45.0, 90.0),
            line("营业执照", 340.0, 120.0),
            line("名", 60.0, 210.0),
            line("称", 105.0, 210.0),
            line("北京市华瑞物流有限公司", 155.0, 210.0),
            line("注册资本", 800.0, 210.0),
            line("人民币叁拾万元整", 930.0, 210.0),
            line("类型", 60.0, 250.0),
            line("有限责任公司(法人独资)", 155.0, 250.0),
            line("法定代表人", 60.0, 290.0),
            line("于涛嘉", 230.0, 290.0),
            line("营业期限", 800.0, 290.0),
            line("2018年04月08日至2038年04月07", 930.0, 290.0),
            line("日", 930.0, 322.0),
            line("经营范围", 60.0, 325.0),
            line("道路普通货物运输;医疗器械的销售;日用", 200.0, 325.0),
            line("百货、文具用品的批发与零售。", 200.0, 357.0),
            line("住所", 800.0, 357.0),
            line("北京市朝阳区中山北路49号", 930.0, 357.0),
        ]);
        let f = fields(&l);
        assert_eq!(value(&f, "BizLicenseIsCopy"), "否");
        assert_eq!(value(&f, "BizLicenseCreditCode"), "91110105UDU3NTHB5R");
        assert_eq!(value(&f, "BizLicenseCompanyName"), "北京市华瑞物流有限公司");
        assert_eq!(
            value(&f, "BizLicenseCompanyType"),
            "有限责任公司（法人独资）"
        );
        assert_eq!(value(&f, "BizLicenseOwnerName"), "于涛嘉");
        assert_eq!(value(&f, "BizLicenseRegCapital"), "人民币叁拾万元整");
        assert_eq!(
            value(&f, "BizLicenseOperatingPeriod"),
            "2018年04月08日至2038年04月07日"
        );
        assert_eq!(
            value(&f, "BizLicenseScope"),
            "道路普通货物运输；医疗器械的销售；日用百货、文具用品的批发与零售。"
        );
        assert_eq!(value(&f, "BizLicenseAddress"), "北京市朝阳区中山北路49号");
    }
}
