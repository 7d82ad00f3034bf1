//! Small text helpers shared by normalisation, checks and masking.
//!
//! OCR output mixes half-width and full-width forms (`１９７７．０７．０７`,
//! `Ａ１２３４５６（３）`) and sprinkles spaces, so every rule first folds the
//! value with [`fold`].

/// Folds full-width ASCII forms (U+FF01..=U+FF5E, e.g. `１２３`, `Ｘ`, `（`,
/// `－`, `．`) to their ASCII counterparts and the ideographic space U+3000
/// to an ASCII space. Every other character is kept as is.
///
/// Returns a new string; the input is not modified. Never fails.
pub fn fold(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

/// [`fold`] for one character.
pub fn fold_char(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// [`fold`] followed by removing every whitespace character (Unicode
/// `White_Space`), the form most rules compare on: `"6222 0202 0000 1234"`
/// becomes `"6222020200001234"`.
pub fn compact(s: &str) -> String {
    s.chars()
        .map(fold_char)
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// True when the value carries no text: empty or whitespace only
/// (including U+3000).
pub fn is_blank(s: &str) -> bool {
    s.chars().all(|c| fold_char(c).is_whitespace())
}

/// The first field with this key whose value is not blank, if any.
pub fn find_value<'a>(fields: &[crate::fields::FieldRef<'a>], key: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|f| f.key == key && !is_blank(f.value))
        .map(|f| f.value)
}

/// The first of `keys` (in that order of preference) that has a non-blank
/// value, with that value.
pub fn find_any<'a>(
    fields: &[crate::fields::FieldRef<'a>],
    keys: &[&'static str],
) -> Option<(&'static str, &'a str)> {
    keys.iter()
        .find_map(|k| find_value(fields, k).map(|v| (*k, v)))
}

/// Shortens a value for use inside a check's `detail`, so a megabyte of OCR
/// garbage never ends up in a message: at most 40 characters, then `…`.
pub fn preview(s: &str) -> String {
    const MAX: usize = 40;
    let mut out: String = s.chars().take(MAX).collect();
    if s.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_full_width_digits_letters_and_punctuation() {
        assert_eq!(fold("１２３"), "123");
        assert_eq!(fold("Ａ１２３４５６（３）"), "A123456(3)");
        assert_eq!(fold("１９７７．０７．０７"), "1977.07.07");
        assert_eq!(fold("２０１５－０３－０１"), "2015-03-01");
        assert_eq!(fold("a\u{3000}b"), "a b");
        assert_eq!(fold("男😀"), "男😀");
    }

    #[test]
    fn compact_removes_all_whitespace() {
        assert_eq!(compact(" 6222 0202\t0000\u{3000}1234 "), "6222020200001234");
        assert_eq!(compact(""), "");
    }

    #[test]
    fn blank_detection() {
        assert!(is_blank(""));
        assert!(is_blank(" \t\u{3000}"));
        assert!(!is_blank(" x "));
    }

    #[test]
    fn preview_truncates_by_characters() {
        let long = "字".repeat(100);
        let p = preview(&long);
        assert_eq!(p.chars().count(), 41);
        assert!(p.ends_with('…'));
        assert_eq!(preview("short"), "short");
    }
}
