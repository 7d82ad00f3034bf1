//! The machine-readable zone of a passport data page (ICAO Doc 9303):
//! check digits (part 3, §4.9) and the TD3 layout of two lines of 44
//! characters (part 4, §4.2.2), read the way OCR gives it and mended where
//! the check digits show which reading is right.

/// The ICAO 9303 check digit of `field` (part 3, §4.9): each character's
/// value (`0`–`9` as themselves, `A`–`Z` as 10–35, `<` as 0) times the
/// weights 7, 3, 1 repeated, summed, modulo 10. `None` when `field` holds
/// any other character. The standard's example: `520727` → 3.
pub fn check_digit(field: &str) -> Option<u8> {
    let mut sum = 0u32;
    for (i, c) in field.chars().enumerate() {
        let v = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            '<' => 0,
            _ => return None,
        };
        sum += v * [7, 3, 1][i % 3];
    }
    Some((sum % 10) as u8)
}

/// One line's length in the TD3 format.
pub const TD3_LINE: usize = 44;

/// The second line of a TD3 zone, split into its fields (part 4, §4.2.2.2;
/// positions 1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Td3 {
    /// Both lines as mended, 44 characters each.
    pub lines: [String; 2],
    /// Positions 1-9 of line 2, fillers removed.
    pub document_number: String,
    /// Line 1, positions 3-5: the issuing state or organisation.
    pub issuing_state: String,
    /// Line 2, positions 11-13.
    pub nationality: String,
    /// Positions 14-19, `YYMMDD`.
    pub birth: String,
    /// Position 21: `M`, `F` or `<` (unspecified).
    pub sex: char,
    /// Positions 22-27, `YYMMDD`.
    pub expiry: String,
    /// Positions 29-42, fillers removed.
    pub personal_number: String,
    /// Line 1 from position 6: the primary identifier (surname).
    pub surname: String,
    /// The secondary identifier (given names), separated by spaces.
    pub given_names: String,
    /// The check digits that hold, by name: `document_number`, `birth`,
    /// `expiry`, `personal_number`, `composite`.
    pub checks: Vec<(&'static str, bool)>,
    /// Characters changed to make the check digits hold (0 when read as
    /// printed).
    pub mended: usize,
}

impl Td3 {
    /// True when every check digit holds.
    pub fn valid(&self) -> bool {
        self.checks.iter().all(|(_, ok)| *ok)
    }
}

/// Why a text is not a TD3 zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MrzError {
    /// Not two lines of (about) 44 characters, the first starting `P`.
    Shape(String),
}

impl std::fmt::Display for MrzError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MrzError::Shape(why) => write!(f, "not a passport's machine-readable zone: {why}"),
        }
    }
}

/// Characters OCR reads for a filler `<`.
fn as_filler(c: char) -> Option<char> {
    matches!(c, '<' | '«' | '‹' | '(' | '[' | '{').then_some('<')
}

/// A letter read where a digit belongs, and back.
fn digit_for(c: char) -> Option<char> {
    Some(match c {
        'O' | 'D' | 'Q' | 'U' => '0',
        'I' | 'L' | 'T' => '1',
        'Z' => '2',
        'S' => '5',
        'G' => '6',
        'B' => '8',
        _ => return None,
    })
}

fn letter_for(c: char) -> Option<char> {
    Some(match c {
        '0' => 'O',
        '1' => 'I',
        '2' => 'Z',
        '5' => 'S',
        '6' => 'G',
        '8' => 'B',
        _ => return None,
    })
}

/// Normalises one OCR'd line: upper case, full-width folded, fillers read
/// as `«`, `(` or a space made `<`; the line is then padded with `<` to 44
/// when 1-4 characters short (lost trailing fillers), as line 1 often is.
fn normalise_line(s: &str) -> String {
    let mut out: String = s
        .trim()
        .chars()
        .map(crate::fields::text::fold_char)
        .map(|c| {
            if c.is_whitespace() {
                '<'
            } else {
                as_filler(c).unwrap_or(c.to_ascii_uppercase())
            }
        })
        .collect();
    let n = out.chars().count();
    if (TD3_LINE - 4..TD3_LINE).contains(&n) {
        out.extend(std::iter::repeat_n('<', TD3_LINE - n));
    }
    out
}

/// Finds the two TD3 lines in `text` (the zone as one value, lines apart by
/// a line break, or the two lines given apart), mends them and splits them.
/// Digits-only positions (dates, check digits) take the digit a letter was
/// misread for (`O`→0, `I`→1, `Z`→2, `S`→5, `G`→6, `B`→8) and the nationality
/// takes letters back; the document number, whose characters may be
/// either, takes whichever of its readings makes its check digit and the
/// composite hold (up to 2^10 readings); the personal number likewise.
/// Never panics.
pub fn parse_td3(text: &str) -> Result<Td3, MrzError> {
    let lines: Vec<String> = text
        .lines()
        .map(normalise_line)
        .filter(|l| !l.is_empty())
        .collect();
    let (l1, l2) = match lines.as_slice() {
        [a, b] => (a.clone(), b.clone()),
        // One value with both lines run together.
        [one] if one.chars().count() == 2 * TD3_LINE => {
            let c: Vec<char> = one.chars().collect();
            (
                c[..TD3_LINE].iter().collect(),
                c[TD3_LINE..].iter().collect(),
            )
        }
        _ => {
            return Err(MrzError::Shape(format!("{} lines, not 2", lines.len())));
        }
    };
    let mut l1: Vec<char> = l1.chars().collect();
    let mut l2: Vec<char> = l2.chars().collect();
    if l1.len() != TD3_LINE || l2.len() != TD3_LINE {
        return Err(MrzError::Shape(format!(
            "lines of {} and {} characters, not 44",
            l1.len(),
            l2.len()
        )));
    }
    if l1[0] != 'P' {
        return Err(MrzError::Shape(
            "the first line does not start with P".into(),
        ));
    }
    let mut mended = 0;
    let mut fix =
        |line: &mut Vec<char>, range: std::ops::Range<usize>, to: fn(char) -> Option<char>| {
            for c in &mut line[range] {
                if let Some(d) = to(*c) {
                    *c = d;
                    mended += 1;
                }
            }
        };
    // Line 1: type, state and names are letters and fillers.
    fix(&mut l1, 0..TD3_LINE, letter_for);
    // Line 2: nationality letters; dates, sex-free digits and check digits.
    fix(&mut l2, 10..13, letter_for);
    for r in [9..10, 13..20, 21..28, 42..44] {
        fix(&mut l2, r, digit_for);
    }
    let field = |l: &[char], r: std::ops::Range<usize>| -> String { l[r].iter().collect() };
    let holds = |l: &[char], r: std::ops::Range<usize>, at: usize| {
        l[at].to_digit(10).map(|d| d as u8) == check_digit(&field(l, r))
    };
    // The document number: try the readings of its ambiguous characters,
    // fewest changes first, then most digits (both check digits alike can
    // hold for two readings: `8`→`B` at one place and `B`→`8` at another).
    let composite_holds = |l: &[char]| {
        let c: String = [field(l, 0..10), field(l, 13..20), field(l, 21..43)].concat();
        l[43].to_digit(10).map(|d| d as u8) == check_digit(&c)
    };
    // The document number, then the personal number (letters and digits
    // alike): the reading that makes its check digit and the composite hold.
    for (range, at) in [(0..9, 9), (28..42, 42)] {
        if holds(&l2, range.clone(), at) || l2[range.clone()].iter().all(|&c| c == '<') {
            continue;
        }
        let ambiguous: Vec<usize> = range
            .clone()
            .filter(|&i| digit_for(l2[i]).is_some() || letter_for(l2[i]).is_some())
            .take(10)
            .collect();
        let mut best: Option<(u32, usize, Vec<char>)> = None;
        for mask in 1u32..(1 << ambiguous.len()) {
            let mut trial = l2.clone();
            for (bit, &i) in ambiguous.iter().enumerate() {
                if mask & (1 << bit) != 0 {
                    let c = trial[i];
                    trial[i] = digit_for(c).or_else(|| letter_for(c)).unwrap_or(c);
                }
            }
            if holds(&trial, range.clone(), at) && composite_holds(&trial) {
                let letters = trial[..9]
                    .iter()
                    .filter(|c| c.is_ascii_alphabetic())
                    .count();
                let rank = (mask.count_ones(), letters);
                if best.as_ref().is_none_or(|(n, l, _)| rank < (*n, *l)) {
                    best = Some((rank.0, rank.1, trial));
                }
            }
        }
        if let Some((changes, _, trial)) = best {
            mended += changes as usize;
            l2 = trial;
        }
    }
    // An empty personal number may carry `<` or 0 as its check digit.
    let personal = field(&l2, 28..42);
    let personal_ok = holds(&l2, 28..42, 42)
        || (personal.chars().all(|c| c == '<') && matches!(l2[42], '<' | '0'));
    let composite_ok = composite_holds(&l2);
    let checks = vec![
        ("document_number", holds(&l2, 0..9, 9)),
        ("birth", holds(&l2, 13..19, 19)),
        ("expiry", holds(&l2, 21..27, 27)),
        ("personal_number", personal_ok),
        ("composite", composite_ok),
    ];
    let names = field(&l1, 5..TD3_LINE);
    let (surname, given) = names.split_once("<<").unwrap_or((names.as_str(), ""));
    let words = |s: &str| -> String {
        s.split('<')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let unfill = |s: String| s.trim_end_matches('<').to_string();
    Ok(Td3 {
        document_number: unfill(field(&l2, 0..9)),
        issuing_state: unfill(field(&l1, 2..5)),
        nationality: unfill(field(&l2, 10..13)),
        birth: field(&l2, 13..19),
        sex: l2[20],
        expiry: field(&l2, 21..27),
        personal_number: unfill(personal),
        surname: words(surname),
        given_names: words(given),
        checks,
        mended,
        lines: [l1.iter().collect(), l2.iter().collect()],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ICAO 9303 part 4, Appendix A: the specimen passport of Utopia.
    const L1: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
    const L2: &str = "L898902C36UTO7408122F1204159ZE184226B<<<<<10";

    #[test]
    fn check_digits_of_the_standard() {
        assert_eq!(check_digit("520727"), Some(3));
        assert_eq!(check_digit("L898902C3"), Some(6));
        assert_eq!(check_digit("740812"), Some(2));
        assert_eq!(check_digit("120415"), Some(9));
        assert_eq!(check_digit("a1"), None);
    }

    #[test]
    fn the_specimen_reads_with_every_check_digit() {
        let m = parse_td3(&format!("{L1}\n{L2}")).unwrap();
        assert!(m.valid(), "{:?}", m.checks);
        assert_eq!(m.mended, 0);
        assert_eq!(m.document_number, "L898902C3");
        assert_eq!(
            (m.issuing_state.as_str(), m.nationality.as_str()),
            ("UTO", "UTO")
        );
        assert_eq!(
            (m.birth.as_str(), m.sex, m.expiry.as_str()),
            ("740812", 'F', "120415")
        );
        assert_eq!(m.personal_number, "ZE184226B");
        assert_eq!(
            (m.surname.as_str(), m.given_names.as_str()),
            ("ERIKSSON", "ANNA MARIA")
        );
    }

    #[test]
    fn usual_misreadings_are_mended_where_the_check_digits_say() {
        // O for 0 in the dates, S for 5, « and spaces for fillers, lost
        // trailing fillers, 0 for O in the nationality, a document number
        // with 8 read as B.
        let l1 = "P«UTOERIKSSON<<ANNA MARIA<<<<<<<<<<<<<<<<";
        let l2 = "L89B902C36UT07408I22F12O4I59ZE184226B<<<<<10";
        let m = parse_td3(&format!("{l1}\n{l2}")).unwrap();
        assert!(m.valid(), "{:?} {:?}", m.checks, m.lines);
        assert_eq!(m.lines, [L1.to_string(), L2.to_string()]);
        assert!(m.mended >= 5, "{}", m.mended);
    }

    #[test]
    fn a_misread_that_no_reading_mends_fails_its_check() {
        let bad = L2.replacen("7408122", "7408132", 1);
        let m = parse_td3(&format!("{L1}\n{bad}")).unwrap();
        assert!(!m.valid());
        assert_eq!(
            m.checks
                .iter()
                .filter(|(_, ok)| !ok)
                .map(|(n, _)| *n)
                .collect::<Vec<_>>(),
            ["birth", "composite"]
        );
    }

    #[test]
    fn other_text_is_no_zone() {
        assert!(parse_td3("").is_err());
        assert!(parse_td3("hello\nworld").is_err());
        assert!(parse_td3(&format!("X{}\n{L2}", &L1[1..])).is_err());
        assert!(parse_td3(&"身".repeat(200)).is_err());
    }
}
