//! The catalogue of document types and the keys each returns, for
//! `xocr types`.
//!
//! Sources, per type (see [`DocType::keys_confirmed`]):
//! * `id_card`: the vendor's own document (PROTOCOL.md, seed document).
//! * `business_license`: Textin's business licence recognition, whose item
//!   keys are `BizLicense*` (seen in public client code of that service).
//! * `drive_license`, `vehicle_license`: Textin's driving / vehicle licence
//!   documentation (key lists of its item_list).
//! * `business_card`: public client code of Textin's business card service.
//! * every other type: *inferred* — plausible keys in Textin's naming style,
//!   not confirmed against a real reply. `xocr types` should say so.

/// One document type the service can return in `result.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocType {
    /// The `type` string, e.g. `"id_card"`.
    pub name: &'static str,
    /// Its Chinese name, e.g. `"身份证"`.
    pub description: &'static str,
    /// `(key, description)` pairs of the items it returns, in the service's
    /// usual order, e.g. `("id_number", "身份证号")`. Picture keys
    /// (`head_portrait`, `crop_image`, `id_number_image`) carry base64 images.
    pub keys: &'static [(&'static str, &'static str)],
    /// True when the key list was confirmed from the vendor's or Textin's
    /// documentation or real replies; false when inferred.
    pub keys_confirmed: bool,
}

/// Every document type of PROTOCOL.md, in its order, with keys.
pub fn catalog() -> &'static [DocType] {
    CATALOG
}

/// The keys whose values are pictures (base64 of an image file) in the
/// service's replies.
pub const PICTURE_KEYS: &[&str] = &["head_portrait", "crop_image", "id_number_image"];

/// True when `key` holds a picture: one of [`PICTURE_KEYS`], or any key
/// ending in `_image` or `_portrait` (the service's naming for pictures).
pub fn is_picture_key(key: &str) -> bool {
    PICTURE_KEYS.contains(&key) || key.ends_with("_image") || key.ends_with("_portrait")
}

/// The catalogue entry for `name`, if it is a known document type.
pub fn find_doc_type(name: &str) -> Option<&'static DocType> {
    CATALOG.iter().find(|d| d.name == name)
}

const CATALOG: &[DocType] = &[
    DocType {
        name: "bank_card",
        description: "银行卡",
        keys: &[
            ("card_number", "卡号"),
            ("bank_name", "银行名称"),
            ("card_type", "卡类型"),
            ("holder_name", "持卡人"),
            ("validate_date", "有效期"),
        ],
        keys_confirmed: false,
    },
    DocType {
        name: "business_card",
        description: "名片",
        keys: &[
            ("name", "姓名"),
            ("title", "职称"),
            ("company", "公司"),
            ("department", "部门"),
            ("address", "地址"),
            ("telephone", "电话"),
            ("work_tel", "工作电话"),
            ("fax", "传真"),
            ("email", "邮箱"),
            ("url", "网址"),
            ("QQ", "QQ"),
            ("other", "其他信息"),
        ],
        keys_confirmed: true,
    },
    DocType {
        name: "hongkong_idcard",
        description: "香港身份证",
        keys: &[
            ("name", "中文姓名"),
            ("english_name", "英文姓名"),
            ("name_code", "姓名电码"),
            ("birth", "出生日期"),
            ("sex", "性别"),
            ("symbol", "符号"),
            ("first_issued", "首次签发日期"),
            ("issued", "签发日期"),
            ("id_number", "身份证号码"),
            ("head_portrait", "头像"),
        ],
        keys_confirmed: false,
    },
    DocType {
        name: "id_card",
        description: "身份证",
        keys: &[
            ("name", "姓名"),
            ("sex", "性别"),
            ("nationality", "民族"),
            ("birth", "出生日期"),
            ("address", "地址"),
            ("id_number", "身份证号"),
            ("id_number_image", "身份证号码图像"),
            ("head_portrait", "头像"),
            ("crop_image", "切边图像"),
            ("validate_date", "有效期限"),
            ("issue_authority", "签发机构"),
        ],
        keys_confirmed: true,
    },
    DocType {
        name: "social_security_cards",
        description: "社保卡",
        keys: &[
            ("name", "姓名"),
            ("id_number", "社会保障号码"),
            ("card_number", "社会保障卡号"),
            ("issue_date", "发卡日期"),
            ("bank_card_number", "银行卡号"),
            ("bank_name", "银行名称"),
        ],
        keys_confirmed: false,
    },
    DocType {
        name: "drive_license",
        description: "驾驶证",
        keys: &[
            ("type", "类型"),
            ("driving_license_main_number", "驾驶证证号"),
            ("name", "姓名"),
            ("sex", "性别"),
            ("driving_license_main_nationality", "国籍"),
            ("address", "地址"),
            ("birthday", "出生日期"),
            ("issue_date", "初次领证日期"),
            ("drive_type", "准驾车型"),
            ("licence_issuing_authority", "发证机关"),
            ("valid_period_from", "有效起始日期"),
            ("valid_period", "有效期限"),
            ("file_number", "档案编号"),
            ("driving_license_record", "备注"),
        ],
        keys_confirmed: true,
    },
    DocType {
        name: "vehicle_license",
        description: "行驶证",
        keys: &[
            ("plate_no", "号牌号码"),
            ("vehicle_type", "车辆类型"),
            ("owner", "所有人"),
            ("address", "住址"),
            ("use_character", "使用性质"),
            ("model", "品牌型号"),
            ("vin", "车辆识别代号"),
            ("engine_no", "发动机号码"),
            ("register_date", "注册日期"),
            ("issue_date", "发证日期"),
            // The back page (副页), read offline: keys in the same style.
            ("file_no", "档案编号"),
            ("approved_passengers", "核定载人数"),
            ("gross_mass", "总质量"),
            ("unladen_mass", "整备质量"),
            ("approved_load", "核定载质量"),
            ("overall_dimension", "外廓尺寸"),
            ("traction_mass", "准牵引总质量"),
            ("remarks", "备注"),
            ("inspection_record", "检验记录"),
        ],
        keys_confirmed: true,
    },
    DocType {
        name: "family_register",
        description: "户口本",
        keys: &[
            ("name", "姓名"),
            ("relation", "户主或与户主关系"),
            ("sex", "性别"),
            ("birth_place", "出生地"),
            ("nationality", "民族"),
            ("birth", "出生日期"),
            ("id_number", "公民身份号码"),
            ("address", "住址"),
        ],
        keys_confirmed: false,
    },
    DocType {
        name: "passport",
        description: "护照",
        keys: &[
            ("passport_type", "护照类型"),
            ("country_code", "国家码"),
            ("passport_number", "护照号码"),
            ("name", "姓名"),
            ("english_name", "姓名拼音"),
            ("sex", "性别"),
            ("birth", "出生日期"),
            ("birth_place", "出生地点"),
            ("nationality", "国籍"),
            ("issue_date", "签发日期"),
            ("issue_place", "签发地点"),
            ("expiry_date", "有效期至"),
            ("mrz", "机读码"),
        ],
        keys_confirmed: false,
    },
    DocType {
        name: "marriage_certificate",
        description: "结婚证",
        keys: &[
            ("holder_name", "持证人"),
            ("registration_date", "登记日期"),
            ("certificate_number", "结婚证字号"),
            ("husband_name", "男方姓名"),
            ("husband_id_number", "男方身份证件号"),
            ("wife_name", "女方姓名"),
            ("wife_id_number", "女方身份证件号"),
        ],
        keys_confirmed: false,
    },
    DocType {
        name: "divorce_certificate",
        description: "离婚证",
        keys: &[
            ("holder_name", "持证人"),
            ("registration_date", "登记日期"),
            ("certificate_number", "离婚证字号"),
            ("husband_name", "男方姓名"),
            ("husband_id_number", "男方身份证件号"),
            ("wife_name", "女方姓名"),
            ("wife_id_number", "女方身份证件号"),
        ],
        keys_confirmed: false,
    },
    DocType {
        name: "house_property_owner_ship",
        description: "房产证",
        keys: &[
            ("certificate_number", "房产证号"),
            ("owner", "房屋所有权人"),
            ("address", "房屋坐落"),
            ("registration_date", "登记日期"),
            ("usage", "规划用途"),
            ("area", "建筑面积"),
        ],
        keys_confirmed: false,
    },
    DocType {
        name: "real_estate",
        description: "不动产证",
        keys: &[
            ("certificate_number", "不动产权证号"),
            ("owner", "权利人"),
            ("joint_status", "共有情况"),
            ("address", "坐落"),
            ("unit_number", "不动产单元号"),
            ("right_type", "权利类型"),
            ("right_nature", "权利性质"),
            ("usage", "用途"),
            ("area", "面积"),
            ("term", "使用期限"),
        ],
        keys_confirmed: false,
    },
    DocType {
        name: "business_license",
        description: "营业执照",
        keys: &[
            ("BizLicenseIsCopy", "是否为副本"),
            ("BizLicenseIsElectronic", "是否为电子营业执照"),
            ("BizLicenseSerialNumber", "证照编号"),
            ("BizLicenseCreditCode", "统一社会信用代码"),
            ("BizLicenseRegistrationCode", "注册号"),
            ("BizLicenseCompanyName", "名称"),
            ("BizLicenseCompanyType", "类型"),
            ("BizLicenseAddress", "住所/经营场所"),
            ("BizLicenseOwnerName", "法定代表人/负责人/经营者"),
            ("BizLicenseRegCapital", "注册资本"),
            ("BizLicensePaidInCapital", "实收资本"),
            ("BizLicenseScope", "经营范围"),
            ("BizLicenseStartTime", "成立日期"),
            ("BizLicenseOperatingPeriod", "营业期限"),
            ("BizLicenseComposingForm", "组成形式"),
            ("BizLicenseRegistrationDate", "登记日期"),
        ],
        keys_confirmed: true,
    },
    DocType {
        name: "opening_license",
        description: "开户许可证",
        keys: &[
            ("approval_number", "核准号"),
            ("serial_number", "编号"),
            ("name", "存款人名称"),
            ("legal_representative", "法定代表人"),
            ("bank", "开户银行"),
            ("account_number", "账号"),
            ("issue_date", "发证日期"),
        ],
        keys_confirmed: false,
    },
    DocType {
        name: "tax_certificate",
        description: "税务登记证",
        keys: &[
            ("tax_number", "税务登记号"),
            ("name", "纳税人名称"),
            ("legal_representative", "法定代表人"),
            ("address", "地址"),
            ("business_scope", "经营范围"),
            ("issue_authority", "发证机关"),
            ("issue_date", "发证日期"),
        ],
        keys_confirmed: false,
    },
    DocType {
        name: "organization_certificate",
        description: "组织机构代码证",
        keys: &[
            ("code", "代码"),
            ("name", "机构名称"),
            ("type", "机构类型"),
            ("address", "地址"),
            ("valid_period", "有效期"),
            ("issue_authority", "颁发单位"),
            ("registration_number", "登记号"),
        ],
        keys_confirmed: false,
    },
    DocType {
        name: "vehicle_certificate",
        description: "车辆合格证",
        keys: &[
            ("certificate_number", "合格证编号"),
            ("issue_date", "发证日期"),
            ("manufacturer", "车辆制造企业名称"),
            ("brand", "车辆品牌"),
            ("model", "车辆型号"),
            ("vin", "车辆识别代号"),
            ("engine_number", "发动机号"),
            ("color", "车身颜色"),
            ("manufacture_date", "车辆制造日期"),
        ],
        keys_confirmed: false,
    },
    DocType {
        name: "vehicle_registration",
        description: "车辆登记证",
        keys: &[
            ("registration_number", "机动车登记编号"),
            ("owner", "机动车所有人"),
            ("id_number", "身份证明号码"),
            ("registration_authority", "登记机关"),
            ("registration_date", "登记日期"),
            ("vehicle_type", "车辆类型"),
            ("brand", "车辆品牌"),
            ("model", "车辆型号"),
            ("vin", "车辆识别代号"),
            ("engine_number", "发动机号"),
        ],
        keys_confirmed: false,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// The 19 types of PROTOCOL.md, in its order.
    const PROTOCOL_TYPES: &[(&str, &str)] = &[
        ("bank_card", "银行卡"),
        ("business_card", "名片"),
        ("hongkong_idcard", "香港身份证"),
        ("id_card", "身份证"),
        ("social_security_cards", "社保卡"),
        ("drive_license", "驾驶证"),
        ("vehicle_license", "行驶证"),
        ("family_register", "户口本"),
        ("passport", "护照"),
        ("marriage_certificate", "结婚证"),
        ("divorce_certificate", "离婚证"),
        ("house_property_owner_ship", "房产证"),
        ("real_estate", "不动产证"),
        ("business_license", "营业执照"),
        ("opening_license", "开户许可证"),
        ("tax_certificate", "税务登记证"),
        ("organization_certificate", "组织机构代码证"),
        ("vehicle_certificate", "车辆合格证"),
        ("vehicle_registration", "车辆登记证"),
    ];

    #[test]
    fn every_protocol_type_in_order() {
        let got: Vec<(&str, &str)> = catalog().iter().map(|d| (d.name, d.description)).collect();
        assert_eq!(got, PROTOCOL_TYPES);
    }

    #[test]
    fn keys_are_unique_and_described() {
        for d in catalog() {
            assert!(!d.keys.is_empty(), "{}", d.name);
            let mut seen = HashSet::new();
            for (k, desc) in d.keys {
                assert!(seen.insert(*k), "{}: duplicate key {k}", d.name);
                assert!(!desc.is_empty() && !k.is_empty(), "{}: {k}", d.name);
            }
        }
    }

    #[test]
    fn id_card_keys_match_the_vendor_document() {
        let id = find_doc_type("id_card").unwrap();
        assert!(id.keys_confirmed);
        assert_eq!(id.keys.len(), 11);
        assert_eq!(id.keys[3], ("birth", "出生日期"));
        assert!(find_doc_type("other").is_none());
    }

    #[test]
    fn checked_keys_exist_in_the_catalogue() {
        let has = |t: &str, k: &str| find_doc_type(t).unwrap().keys.iter().any(|(x, _)| *x == k);
        assert!(has("id_card", "id_number"));
        assert!(has("id_card", "validate_date"));
        assert!(has("bank_card", "card_number"));
        assert!(has("hongkong_idcard", "id_number"));
        assert!(has("business_license", "BizLicenseCreditCode"));
        assert!(has("business_license", "BizLicenseRegCapital"));
    }

    #[test]
    fn every_date_key_of_the_catalogue_normalises_a_date() {
        use crate::fields::normalize::{KeyKind, key_kind};
        let mut dates = 0;
        for d in catalog() {
            for (k, desc) in d.keys {
                if desc.contains("日期") || desc.contains("登记时间") {
                    let kind = key_kind(d.name, k);
                    assert!(
                        matches!(kind, Some(KeyKind::Date | KeyKind::DateOrPeriod)),
                        "{}.{k} ({desc}) is a date but has kind {kind:?}",
                        d.name
                    );
                    dates += 1;
                }
            }
        }
        assert!(dates >= 15, "{dates}");
    }
}
