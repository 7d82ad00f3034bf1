//! Sizes as people read them.

/// A size in bytes for messages: `950 bytes`, `13 KB` (rounded up), `1.9 MB`.
/// Units are binary (1 KB = 1024 bytes, 1 MB = 1024 × 1024 bytes), as the
/// service's "10 MB" upload limit is 10 MiB.
pub fn human_bytes(n: u64) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / MB)
    } else if n >= 1024 {
        format!("{} KB", n.div_ceil(1024))
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_units() {
        assert_eq!(human_bytes(950), "950 bytes");
        assert_eq!(human_bytes(1025), "2 KB");
        assert_eq!(human_bytes(10 * 1024 * 1024), "10.0 MB");
    }
}
