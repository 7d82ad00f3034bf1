//! "Did you mean": the known name nearest to a mistyped one, as clap finds
//! subcommands (Jaro-Winkler similarity from `strsim`, with a threshold).

/// The least Jaro-Winkler similarity (0..1) for a name to be offered as
/// what a mistyped one meant: `idcard` → `id_card` scores 0.97, while
/// unrelated names stay under 0.7.
pub const SIMILARITY: f64 = 0.8;

/// The name of `known` nearest to `typed`, compared without regard to
/// case, if it scores at least [`SIMILARITY`]; the first of equals.
pub fn nearest<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let typed = typed.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for k in known {
        let score = strsim::jaro_winkler(&typed, &k.to_lowercase());
        if score >= SIMILARITY && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, k));
        }
    }
    best.map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offers_the_nearest_name_or_none() {
        let names = crate::fields::catalog().iter().map(|d| d.name);
        assert_eq!(nearest("idcard", names.clone()), Some("id_card"));
        assert_eq!(nearest("ID_CARD", names.clone()), Some("id_card"));
        assert_eq!(nearest("bankcard", names.clone()), Some("bank_card"));
        assert_eq!(nearest("passprot", names.clone()), Some("passport"));
        assert_eq!(
            nearest("driver_license", names.clone()),
            Some("drive_license")
        );
        assert_eq!(nearest("8", names.clone()), None);
        assert_eq!(nearest("zebra", names), None);
    }
}
