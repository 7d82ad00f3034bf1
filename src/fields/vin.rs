//! Vehicle identification numbers: ISO 3779 (GB 16735 in China), 17
//! characters without I, O and Q, whose 9th is a check digit (mandatory in
//! North America and China; other markets may put another character there).

/// The letters' values for the check digit (ISO 3779 Annex / 49 CFR 565):
/// A-H 1-8, J-N 1-5, P 7, R 9, S-Z 2-9; digits are themselves.
fn value(c: char) -> Option<u32> {
    Some(match c {
        '0'..='9' => c as u32 - '0' as u32,
        'A'..='H' => c as u32 - 'A' as u32 + 1,
        'J'..='N' => c as u32 - 'J' as u32 + 1,
        'P' => 7,
        'R' => 9,
        'S'..='Z' => c as u32 - 'S' as u32 + 2,
        _ => return None,
    })
}

/// Weights of the 17 positions; the 9th (the check digit's own) weighs 0.
const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

/// The check digit a 17-character `vin` should carry at position 9: the
/// weighted sum of the values modulo 11, `X` for 10. `None` unless `vin`
/// is 17 characters of `0`-`9` and `A`-`Z` without `I`, `O`, `Q`.
/// Example (49 CFR 565): `1M8GDM9AXKP042788` → `X`.
pub fn check_digit(vin: &str) -> Option<char> {
    let chars: Vec<char> = vin.chars().collect();
    if chars.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in chars.iter().zip(WEIGHTS) {
        sum += value(*c)? * w;
    }
    Some(match sum % 11 {
        10 => 'X',
        d => char::from_digit(d, 10).unwrap_or('?'),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples() {
        assert_eq!(check_digit("1M8GDM9AXKP042788"), Some('X'));
        assert_eq!(check_digit("11111111111111111"), Some('1'));
        assert_eq!(check_digit("LSVAU2180N2183294").map(|_| ()), Some(()));
        assert_eq!(check_digit("1M8GDM9AXKP04278"), None, "16 characters");
        assert_eq!(check_digit("1M8GDM9AXKP04278O"), None, "O is not allowed");
    }
}
