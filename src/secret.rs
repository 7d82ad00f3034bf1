//! A string that never prints: the service token.

use std::fmt;

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
}
