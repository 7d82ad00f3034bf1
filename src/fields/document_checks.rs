//! Checks of the passport, driving-licence and vehicle-licence numbers:
//! the machine-readable zone's check digits (ICAO 9303), the licence number
//! as a resident ID number (GB 11643-1999), the VIN's check digit (ISO 3779).
//! [`super::checks::run_checks`] lists them by document type.

use super::FieldRef;
use super::checks::{Check, gb11643_check_char};
use super::normalize::normalize_mainland_id;
use super::text::{compact, find_value, preview};
use super::{mrz, vin};

/// Checks whose failure is reported but never fails a file under
/// `--strict`: the VIN's check digit is mandatory in North America and
/// China only, so a genuine foreign VIN may carry another character there.
pub const ADVISORY: &[&str] = &["vin_check_digit"];

/// `mrz_check_digits` on `mrz`: the zone reads as TD3 (two lines of 44,
/// misreadings mended where the check digits decide, see
/// [`mrz::parse_td3`]) and its document-number, birth, expiry,
/// personal-number and composite check digits all hold.
pub fn check_mrz(fields: &[FieldRef]) -> Check {
    const FIELD: &str = "mrz";
    const CHECK: &str = "mrz_check_digits";
    let Some(v) = find_value(fields, FIELD) else {
        return Check::skipped(FIELD, CHECK, "no mrz in the result");
    };
    match mrz::parse_td3(v) {
        Err(e) => Check::failed(FIELD, CHECK, e.to_string()),
        Ok(m) if m.valid() => {
            let mended = if m.mended == 0 {
                String::new()
            } else {
                format!(" after mending {} misread characters", m.mended)
            };
            Check::ok(
                FIELD,
                CHECK,
                format!("all 5 check digits hold (ICAO 9303){mended}"),
            )
        }
        Ok(m) => {
            let bad: Vec<&str> = m
                .checks
                .iter()
                .filter(|(_, ok)| !ok)
                .map(|(n, _)| *n)
                .collect();
            Check::failed(
                FIELD,
                CHECK,
                format!("check digits of {} do not hold (ICAO 9303)", bad.join(", ")),
            )
        }
    }
}

/// `license_number_check_char` on `driving_license_main_number`: on a
/// mainland licence the number is the holder's resident ID number, so its
/// 18th character is the GB 11643-1999 check character. Skipped for a
/// number of another shape (a foreign or old licence).
pub fn check_licence_number(fields: &[FieldRef]) -> Check {
    const FIELD: &str = "driving_license_main_number";
    const CHECK: &str = "license_number_check_char";
    let Some(v) = find_value(fields, FIELD) else {
        return Check::skipped(FIELD, CHECK, "no driving_license_main_number in the result");
    };
    let Some(id) = normalize_mainland_id(v).filter(|id| id.len() == 18) else {
        return Check::skipped(
            FIELD,
            CHECK,
            format!(
                "'{}' is not shaped like an 18-character ID number",
                preview(v)
            ),
        );
    };
    match gb11643_check_char(&id[..17]) {
        Some(e) if id.ends_with(e) => Check::ok(
            FIELD,
            CHECK,
            format!("check character '{e}' is correct (GB 11643-1999)"),
        ),
        Some(e) => Check::failed(
            FIELD,
            CHECK,
            format!(
                "check character is '{}', GB 11643-1999 gives '{e}'",
                &id[17..]
            ),
        ),
        None => Check::skipped(FIELD, CHECK, "not an ID number"),
    }
}

/// `vin_check_digit` on `vin`: 17 characters without I, O, Q whose 9th is
/// the ISO 3779 check digit ([`vin::check_digit`]). Advisory (see
/// [`ADVISORY`]).
pub fn check_vin(fields: &[FieldRef]) -> Check {
    const FIELD: &str = "vin";
    const CHECK: &str = "vin_check_digit";
    let Some(v) = find_value(fields, FIELD) else {
        return Check::skipped(FIELD, CHECK, "no vin in the result");
    };
    let t = compact(v).to_ascii_uppercase();
    match vin::check_digit(&t) {
        None => Check::failed(
            FIELD,
            CHECK,
            format!(
                "'{}' is not 17 characters of 0-9 and A-Z without I, O, Q",
                preview(v)
            ),
        ),
        Some(e) if t.chars().nth(8) == Some(e) => Check::ok(
            FIELD,
            CHECK,
            format!("check digit '{e}' is correct (ISO 3779)"),
        ),
        Some(e) => Check::failed(
            FIELD,
            CHECK,
            format!(
                "9th character is '{}', ISO 3779 gives '{e}' (required in China and North America only)",
                t.chars().nth(8).unwrap_or('?')
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::CheckStatus;

    fn one<'a>(key: &'a str, value: &'a str) -> Vec<FieldRef<'a>> {
        vec![FieldRef::new(key, value)]
    }

    #[test]
    fn mrz_of_the_icao_specimen_and_a_misread_one() {
        let good = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
        assert_eq!(check_mrz(&one("mrz", good)).status, CheckStatus::Ok);
        let bad = good.replace("7408122", "7408132");
        let c = check_mrz(&one("mrz", &bad));
        assert_eq!(c.status, CheckStatus::Failed);
        assert!(c.detail.contains("birth, composite"), "{}", c.detail);
        assert_eq!(check_mrz(&[]).status, CheckStatus::Skipped);
    }

    #[test]
    fn licence_number_is_a_resident_id_number() {
        let k = "driving_license_main_number";
        assert_eq!(
            check_licence_number(&one(k, "11010519491231002X")).status,
            CheckStatus::Ok
        );
        assert_eq!(
            check_licence_number(&one(k, "110105194912310021")).status,
            CheckStatus::Failed
        );
        assert_eq!(
            check_licence_number(&one(k, "D1234567")).status,
            CheckStatus::Skipped
        );
    }

    #[test]
    fn vin_check_digit() {
        assert_eq!(
            check_vin(&one("vin", "1M8GDM9AXKP042788")).status,
            CheckStatus::Ok
        );
        assert_eq!(
            check_vin(&one("vin", "1M8GDM9A1KP042788")).status,
            CheckStatus::Failed
        );
        assert_eq!(check_vin(&one("vin", "short")).status, CheckStatus::Failed);
    }
}
