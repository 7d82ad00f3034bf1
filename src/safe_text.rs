//! Text from outside (a server's messages and values, file names) made safe
//! to print on a terminal: nothing in it can move the cursor, clear the
//! screen, set the window title, make a hyperlink or reorder the line.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `s` with every character that a terminal would act on instead of
/// showing written as a visible escape:
/// - C0 controls U+0000–U+001F (all of them: also tab, line feed and
///   carriage return) and DEL U+007F as `\x1b`, `\x07`, `\x0a`…;
/// - C1 controls U+0080–U+009F (U+009B is a one-character CSI) as
///   `\u{9b}`;
/// - bidirectional controls (U+061C, U+200E, U+200F, U+202A–U+202E,
///   U+2066–U+2069), which reorder what follows them, and the line and
///   paragraph separators U+2028, U+2029, as `\u{202e}`.
///
/// Everything else, backslashes included, is kept as it is, so no escape
/// sequence ever reaches the terminal raw. Borrows `s` when there is
/// nothing to escape.
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !needs_escape(c) {
            out.push(c);
        } else if u32::from(c) < 0x80 {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        } else {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
    Cow::Owned(out)
}

/// True for the characters [`terminal_safe`] escapes.
fn needs_escape(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{2028}'
        | '\u{2029}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        for s in ["", "张三 1977年7月7日", "C:\\path\\x1b", "a-b_c.jpg"] {
            assert!(matches!(terminal_safe(s), Cow::Borrowed(_)), "{s}");
        }
    }

    #[test]
    fn every_control_becomes_visible() {
        assert_eq!(terminal_safe("\u{1b}]0;title\u{7}"), "\\x1b]0;title\\x07");
        assert_eq!(terminal_safe("\u{1b}[2J"), "\\x1b[2J");
        assert_eq!(
            terminal_safe("\u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\"),
            "\\x1b]8;;http://x\\x1b\\link\\x1b]8;;\\x1b\\"
        );
        assert_eq!(terminal_safe("a\u{9b}31mb"), "a\\u{9b}31mb");
        assert_eq!(terminal_safe("abc\u{202e}gpj.exe"), "abc\\u{202e}gpj.exe");
        assert_eq!(
            terminal_safe("a\tb\nc\rd\u{0}\u{7f}"),
            "a\\x09b\\x0ac\\x0dd\\x00\\x7f"
        );
        assert_eq!(
            terminal_safe("\u{2066}x\u{2069}\u{2028}"),
            "\\u{2066}x\\u{2069}\\u{2028}"
        );
    }

    #[test]
    fn no_control_survives_any_input() {
        let all: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        let safe = terminal_safe(&all);
        assert!(!safe.chars().any(needs_escape));
        assert!(!safe.contains('\u{1b}') && !safe.contains('\u{9b}'));
    }
}
