//! A string that never prints: the service token; and its redaction from
//! text that came back from elsewhere.

use std::borrow::Cow;
use std::fmt;

/// What the token, or a fragment of it, is replaced with.
pub const REDACTED: &str = "<redacted>";

/// Shortest run of the token's characters that [`Secret::redact_fragments`]
/// treats as a fragment of it: 6 characters (of a token longer than that).
/// A random 6-character run of a typical 32-character hex token turns up by
/// chance about once in a billion positions, so the rule costs nothing in
/// error messages, while a cut that leaves fewer than 6 characters of a
/// token leaves little of it to guess.
pub const MIN_FRAGMENT_CHARS: usize = 6;

/// The service token. `Debug` and `Display` print `<redacted>`, so the token
/// cannot leak through an error message, a `{:?}` in a log or a panic. The only
/// way to read it is [`Secret::expose`], used when the request body is built.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a token; surrounding white space (a trailing newline in a token
    /// file) is removed.
    pub fn new(value: &str) -> Self {
        Secret(value.trim().to_string())
    }

    /// The token itself, for the request body only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the token is empty after trimming.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The redactor of this token, for text that came back from elsewhere
    /// (see [`Redactor::redact`]). Build it once and keep it: it holds every
    /// form of every character of the token.
    pub fn redactor(&self) -> Redactor {
        Redactor {
            matcher: (!self.0.is_empty()).then(|| Box::new(Matcher::new(&self.0))),
            encoded: base64_forms(&self.0)
                .into_iter()
                .map(|f| memchr::memmem::Finder::new(&f).into_owned())
                .collect(),
        }
    }
}

/// Removes a token from text in every form it can come back in. Made by
/// [`Secret::redactor`]; `Debug` prints nothing of the token.
pub struct Redactor {
    matcher: Option<Box<Matcher>>,
    /// The token's base64 forms ([`base64_forms`]).
    encoded: Vec<memchr::memmem::Finder<'static>>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Redactor(<redacted>)")
    }
}

impl Redactor {
    /// `text` with every occurrence of the token replaced by [`REDACTED`],
    /// in any of the forms in which a server or a library can echo it back.
    /// Each character of the token may appear:
    /// - as it is; a white-space character also as any other one (text whose
    ///   white space was collapsed);
    /// - JSON-escaped (`\"`, `\\`, `\/`, `\n`, `\t`, `\uXXXX` in either
    ///   case, surrogate pairs), Rust-escaped (`\u{…}`, `\'`, `\0`) or
    ///   C-escaped (`\xHH`), and any of those escaped once more for JSON
    ///   (a JSON text quoted inside JSON);
    /// - percent-encoded (`%HH` in either case, a space also as `+`);
    /// - as an HTML character reference (`&quot;`, `&amp;`, `&lt;`, `&gt;`,
    ///   `&apos;`, `&#NN;`, `&#xHH;`).
    ///
    /// The forms may mix from one character to the next. The token's bytes
    /// in base64 are taken out too, alone or inside longer encoded data (an
    /// echoed request body), in the standard or the URL-safe alphabet, with
    /// `/` also written `\/`, and `/` and `+` also percent-encoded
    /// ([`base64_forms`]). Cost: linear in the length of `text` for ordinary
    /// text. An empty token redacts nothing.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let Some(m) = &self.matcher else {
            return Cow::Borrowed(text);
        };
        let mut out = m.replace(text, |p| {
            let (n, end) = m.run(text.as_bytes(), p, 0);
            (n == m.chars.len()).then_some(end)
        });
        for finder in &self.encoded {
            out = replace_literal(out, finder);
        }
        out
    }

    /// [`Redactor::redact`], then also every run of at least
    /// [`MIN_FRAGMENT_CHARS`] consecutive characters of the token (any part
    /// of it: the first characters left at the end of a cut text, the last
    /// ones at the start of a text cut at the front, or the middle), in the
    /// same forms. Meant for short texts such as an error message: its cost
    /// grows with the text's length times the square of the token's.
    pub fn redact_fragments<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let whole = self.redact(text);
        let Some(m) = &self.matcher else {
            return whole;
        };
        let total = m.chars.len();
        if total <= MIN_FRAGMENT_CHARS {
            return whole;
        }
        let bytes = whole.as_bytes();
        let replaced = m.replace(&whole, |p| {
            (0..total)
                .map(|j| m.run(bytes, p, j))
                .filter(|(n, _)| *n >= MIN_FRAGMENT_CHARS)
                .map(|(_, end)| end)
                .max()
        });
        match replaced {
            Cow::Borrowed(_) => whole,
            Cow::Owned(s) => Cow::Owned(s),
        }
    }
}

/// The token as a sequence of characters, each with every byte string it
/// may appear as.
struct Matcher {
    chars: Vec<char>,
    forms: Vec<Vec<Vec<u8>>>,
    /// First bytes any form of any character starts with.
    first: [bool; 256],
}

impl Matcher {
    fn new(token: &str) -> Self {
        let chars: Vec<char> = token.chars().collect();
        let forms: Vec<Vec<Vec<u8>>> = chars.iter().map(|&c| char_forms(c)).collect();
        let mut first = [false; 256];
        for f in forms.iter().flatten() {
            first[usize::from(f[0])] = true;
        }
        if chars.iter().any(|c| c.is_whitespace()) {
            for b in (0..=255u8).filter(|b| b.is_ascii_whitespace() || *b >= 0xC0) {
                first[usize::from(b)] = true;
            }
        }
        Matcher {
            chars,
            forms,
            first,
        }
    }

    /// Matches the token's characters from number `j` on at byte `p` of
    /// `text`: how many matched in a row, and the furthest end reached.
    fn run(&self, text: &[u8], p: usize, j: usize) -> (usize, usize) {
        let mut at = vec![p];
        let mut matched = 0;
        let mut end = p;
        for i in j..self.chars.len() {
            let mut next = Vec::new();
            for &q in &at {
                self.ends(i, text, q, &mut next);
            }
            if next.is_empty() {
                break;
            }
            next.sort_unstable();
            next.dedup();
            matched += 1;
            end = *next.last().expect("not empty");
            at = next;
        }
        (matched, end)
    }

    /// Where character `i` of the token ends when it starts at byte `p`.
    fn ends(&self, i: usize, text: &[u8], p: usize, out: &mut Vec<usize>) {
        let rest = &text[p..];
        for f in &self.forms[i] {
            if rest.starts_with(f) {
                out.push(p + f.len());
            }
        }
        if self.chars[i].is_whitespace()
            && let Some(c) = first_char(rest).filter(|c| c.is_whitespace())
        {
            out.push(p + c.len_utf8());
        }
    }

    /// `text` with the span `[p, end)` replaced by [`REDACTED`] wherever
    /// `matched(p)` gives an `end`, scanning from the start.
    fn replace<'a>(&self, text: &'a str, matched: impl Fn(usize) -> Option<usize>) -> Cow<'a, str> {
        let bytes = text.as_bytes();
        let mut out = String::new();
        let mut copied = 0;
        let mut p = 0;
        while p < bytes.len() {
            if self.first[usize::from(bytes[p])]
                && text.is_char_boundary(p)
                && let Some(end) = matched(p).filter(|e| *e > p)
            {
                out.push_str(&text[copied..p]);
                out.push_str(REDACTED);
                copied = end;
                p = end;
                continue;
            }
            p += 1;
        }
        if copied == 0 {
            Cow::Borrowed(text)
        } else {
            out.push_str(&text[copied..]);
            Cow::Owned(out)
        }
    }
}

/// The token's bytes as they show in base64: for each of the three byte
/// offsets the token can start at in longer encoded data, the characters
/// only the token's bytes decide (those that straddle a neighbour's bits
/// are left out), in the standard and the URL-safe alphabet; a form with
/// `/` also with `\/` (JSON as PHP writes it), and one with `/` or `+`
/// also percent-encoded (`%2F`, `%2B`, either case). Forms shorter than 8
/// characters (a token of fewer than 7 bytes) are left out: too short to
/// be told from chance.
fn base64_forms(token: &str) -> Vec<String> {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let n = token.len();
    let mut forms = Vec::new();
    for offset in 0..3 {
        let mut data = vec![0u8; offset];
        data.extend_from_slice(token.as_bytes());
        // Character i holds bits 6i..6i+6; the token's are 8·offset.. .
        let first = (8 * offset).div_ceil(6);
        let end = 8 * (offset + n) / 6;
        for alphabet in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
            let encoded = alphabet.encode(&data);
            let Some(inner) = encoded.get(first..end).filter(|f| f.len() >= 8) else {
                continue;
            };
            forms.push(inner.to_string());
            if inner.contains('/') {
                forms.push(inner.replace('/', "\\/"));
            }
            if inner.contains(['/', '+']) {
                forms.push(inner.replace('/', "%2F").replace('+', "%2B"));
                forms.push(inner.replace('/', "%2f").replace('+', "%2b"));
            }
        }
    }
    forms.sort();
    forms.dedup();
    forms
}

/// `text` with every occurrence of `finder`'s needle (ASCII) replaced by
/// [`REDACTED`].
fn replace_literal<'a>(text: Cow<'a, str>, finder: &memchr::memmem::Finder<'_>) -> Cow<'a, str> {
    let len = finder.needle().len();
    let mut hits = finder.find_iter(text.as_bytes()).peekable();
    if hits.peek().is_none() {
        drop(hits);
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for at in hits {
        // The needle is ASCII: `at` is a character boundary.
        out.push_str(&text[copied..at]);
        out.push_str(REDACTED);
        copied = at + len;
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

fn first_char(bytes: &[u8]) -> Option<char> {
    let head = &bytes[..bytes.len().min(4)];
    let s = match std::str::from_utf8(head) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or(""),
    };
    s.chars().next()
}

/// Every byte string character `c` may appear as (see [`Redactor::redact`]).
fn char_forms(c: char) -> Vec<Vec<u8>> {
    let cp = u32::from(c);
    let mut escaped: Vec<String> = Vec::new();
    let named = match c {
        '"' => Some("\\\""),
        '\\' => Some("\\\\"),
        '/' => Some("\\/"),
        '\n' => Some("\\n"),
        '\r' => Some("\\r"),
        '\t' => Some("\\t"),
        '\u{8}' => Some("\\b"),
        '\u{c}' => Some("\\f"),
        '\0' => Some("\\0"),
        '\'' => Some("\\'"),
        _ => None,
    };
    escaped.extend(named.map(str::to_string));
    if cp <= 0xFFFF {
        escaped.push(format!("\\u{cp:04x}"));
        escaped.push(format!("\\u{cp:04X}"));
    } else {
        let v = cp - 0x1_0000;
        let (hi, lo) = (0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
        escaped.push(format!("\\u{hi:04x}\\u{lo:04x}"));
        escaped.push(format!("\\u{hi:04X}\\u{lo:04X}"));
    }
    escaped.push(format!("\\u{{{cp:x}}}"));
    if cp < 0x80 {
        escaped.push(format!("\\x{cp:02x}"));
        escaped.push(format!("\\x{cp:02X}"));
    }
    // Escaped once more, as a JSON string quoted inside JSON shows them.
    let doubled: Vec<String> = escaped
        .iter()
        .map(|e| e.replace('\\', "\\\\").replace('"', "\\\""))
        .collect();
    let mut forms: Vec<String> = vec![c.to_string()];
    forms.extend(escaped);
    forms.extend(doubled);
    let utf8 = c.to_string();
    forms.push(utf8.bytes().map(|b| format!("%{b:02X}")).collect());
    forms.push(utf8.bytes().map(|b| format!("%{b:02x}")).collect());
    if c == ' ' {
        forms.push("+".into());
    }
    let entity = match c {
        '"' => Some("&quot;"),
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '\'' => Some("&apos;"),
        _ => None,
    };
    forms.extend(entity.map(str::to_string));
    forms.push(format!("&#{cp};"));
    forms.push(format!("&#x{cp:x};"));
    forms.push(format!("&#x{cp:X};"));
    let mut bytes: Vec<Vec<u8>> = forms.into_iter().map(String::into_bytes).collect();
    bytes.sort();
    bytes.dedup();
    bytes
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_value() {
        let s = Secret::new(" abc123 \n");
        assert_eq!(s.expose(), "abc123");
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(s.clone())), "Some(<redacted>)");
    }

    const HOSTILE: &str = "ab\"c\\d\te\nf g-ü中😀-123456";

    fn escaped_forms(t: &str) -> Vec<String> {
        let json = serde_json::to_string(t).unwrap();
        let json = json[1..json.len() - 1].to_string();
        let pct: String = t.bytes().map(|b| format!("%{b:02X}")).collect();
        let ascii_json: String = t
            .encode_utf16()
            .map(|u| {
                if (0x20..0x7f).contains(&u) && u != 0x22 && u != 0x5c {
                    char::from(u as u8).to_string()
                } else {
                    format!("\\u{u:04x}")
                }
            })
            .collect();
        let double = serde_json::to_string(&json).unwrap();
        vec![
            t.to_string(),
            json,
            pct.replace("%20", "+"),
            pct.to_lowercase(),
            pct,
            ascii_json,
            double[1..double.len() - 1].to_string(),
            format!("{t:?}").trim_matches('"').to_string(),
            t.split_whitespace().collect::<Vec<_>>().join(" "),
        ]
    }

    #[test]
    fn redacts_every_form_of_the_token() {
        let s = Secret::new(HOSTILE).redactor();
        for form in escaped_forms(HOSTILE) {
            let text = format!("before {form} after");
            assert_eq!(s.redact(&text), "before <redacted> after", "{form}");
        }
        let mixed = "x ab%22c\\\\d%09e\\nf+g-\\u00fc中😀-123456 y";
        assert_eq!(s.redact(mixed), "x <redacted> y");
        let html = "<p>ab&quot;c\\d&#9;e\nf g-&#xfc;中😀-123456</p>";
        assert_eq!(s.redact(html), "<p><redacted></p>");
        assert!(matches!(s.redact("nothing here"), Cow::Borrowed(_)));
        assert_eq!(Secret::new("").redactor().redact("abc"), "abc");
    }

    #[test]
    fn redacts_the_token_in_base64_at_every_offset() {
        use base64::Engine as _;
        use base64::engine::general_purpose::{STANDARD, URL_SAFE};
        let token = "tok-3f9a1c2e7b-secret";
        let r = Secret::new(token).redactor();
        for prefix in ["", "x", "xy", "xyz", "{\"token\":\""] {
            let data = format!("{prefix}{token}\" and more after it");
            for encoded in [STANDARD.encode(&data), URL_SAFE.encode(&data)] {
                let out = r.redact(&encoded);
                assert!(out.contains(REDACTED), "{prefix:?}: {out}");
                // What is left decodes to no more than two bytes of it.
                assert!(out.len() < encoded.len(), "{out}");
            }
        }
        // `/` and `+` escaped as a PHP JSON encoder or a URL does.
        let slashy = Secret::new("a?b>c?d>e?f>g").redactor();
        let encoded = STANDARD.encode("a?b>c?d>e?f>g");
        assert!(encoded.contains('/') || encoded.contains('+'), "{encoded}");
        for form in [
            encoded.replace('/', "\\/"),
            encoded.replace('/', "%2F").replace('+', "%2B"),
            encoded.replace('/', "%2f").replace('+', "%2b"),
        ] {
            assert!(slashy.redact(&form).contains(REDACTED), "{form}");
        }
        // Text around it, and text without it, are kept as they are.
        let around = format!("id: {} ok", STANDARD.encode(token));
        let r2 = r.redact(&around);
        assert!(r2.starts_with("id: ") && r2.ends_with(" ok"), "{r2}");
        assert!(matches!(r.redact("aGVsbG8gd29ybGQ="), Cow::Borrowed(_)));
    }

    #[test]
    fn redacts_fragments_of_six_characters_or_more() {
        let s = Secret::new("0123456789abcdef").redactor();
        assert_eq!(s.redact_fragments("cut: 012345"), "cut: <redacted>");
        assert_eq!(s.redact_fragments("bcdef and more"), "bcdef and more");
        assert_eq!(s.redact_fragments("abcdef and more"), "<redacted> and more");
        assert_eq!(s.redact_fragments("x 6789ab y"), "x <redacted> y");
        let h = Secret::new(HOSTILE).redactor();
        let head: String = HOSTILE.chars().take(8).collect();
        for form in escaped_forms(&head) {
            let text = format!("end: {form}");
            assert_eq!(h.redact_fragments(&text), "end: <redacted>", "{form}");
        }
        // A short token has no fragments, only the whole.
        let short = Secret::new("abcdef").redactor();
        assert_eq!(short.redact_fragments("abcde"), "abcde");
        assert_eq!(short.redact_fragments("xabcdefx"), "x<redacted>x");
    }
}
