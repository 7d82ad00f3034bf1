//! The count of a batch's records, for the summary line and the exit code.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use crate::record::{Class, Record};

/// How a batch went, record by record.
#[derive(Debug, Default)]
pub struct Tally {
    pub succeeded: usize,
    pub failed: usize,
    /// Failed files by reason: the service code, or the error class.
    pub failed_by: BTreeMap<String, usize>,
    /// Succeeded from the `--out-dir` store, without a request.
    pub skipped: usize,
    /// Files never sent because the batch stopped.
    pub not_attempted: usize,
    /// Retries spent in all.
    pub retries: u64,
    /// The stop-class error that ended the batch, if one did.
    pub stopped_by: Option<String>,
    /// Every item key seen, for the `--fields` check.
    pub keys_seen: HashSet<String>,
}

impl Tally {
    /// Counts one record.
    pub fn add(&mut self, record: &Record) {
        self.retries += u64::from(record.retries);
        for item in &record.items {
            if !self.keys_seen.contains(&item.key) {
                self.keys_seen.insert(item.key.clone());
            }
        }
        match &record.error {
            None => {
                self.succeeded += 1;
                if record.from_store {
                    self.skipped += 1;
                }
            }
            Some(e) if e.class == Class::NotAttempted => self.not_attempted += 1,
            Some(e) => {
                self.failed += 1;
                let reason = e
                    .code
                    .map_or_else(|| e.class.as_str().to_string(), |c| c.to_string());
                if e.is_stop() && self.stopped_by.is_none() {
                    self.stopped_by = Some(e.message.clone());
                }
                *self.failed_by.entry(reason).or_default() += 1;
            }
        }
    }

    /// Records counted: one a file, or one a page of a PDF or multi-page
    /// TIFF.
    pub fn records(&self) -> usize {
        self.succeeded + self.failed + self.not_attempted
    }

    /// The one summary line printed on stderr at the end of a batch of
    /// `files` files, e.g. `5 files: 3 succeeded (1 already stored),
    /// 1 failed (40301: 1), 1 not attempted, 2 retries, 0.4 s`; when files
    /// of pages made more records than files, `2 files, 5 pages: …` (a
    /// picture counting as one page), the counts being of pages.
    pub fn summary(&self, files: usize, elapsed: Duration) -> String {
        let total = self.records();
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let mut s = if total > files {
            format!(
                "{files} file{}, {total} pages: {} succeeded",
                plural(files),
                self.succeeded
            )
        } else {
            format!(
                "{total} file{}: {} succeeded",
                plural(total),
                self.succeeded
            )
        };
        if self.skipped > 0 {
            s.push_str(&format!(" ({} already stored)", self.skipped));
        }
        s.push_str(&format!(", {} failed", self.failed));
        if !self.failed_by.is_empty() {
            let by: Vec<String> = self
                .failed_by
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            s.push_str(&format!(" ({})", by.join(", ")));
        }
        if self.not_attempted > 0 {
            s.push_str(&format!(", {} not attempted", self.not_attempted));
        }
        s.push_str(&format!(
            ", {} retr{}, {:.1} s",
            self.retries,
            if self.retries == 1 { "y" } else { "ies" },
            elapsed.as_secs_f64()
        ));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::ErrorInfo;

    #[test]
    fn counts_by_class_and_code() {
        let mut t = Tally::default();
        let ok = Record::failed("a".into(), ErrorInfo::new(Class::Input, "x"));
        let mut coded = Record::failed("b".into(), ErrorInfo::new(Class::File, "y"));
        coded.error.as_mut().unwrap().code = Some(40301);
        let stop = Record::failed("c".into(), ErrorInfo::new(Class::Stop, "quota"));
        let skipped = Record::failed("d".into(), ErrorInfo::new(Class::NotAttempted, "z"));
        for r in [&ok, &coded, &stop, &skipped] {
            t.add(r);
        }
        assert_eq!(
            t.summary(4, Duration::from_millis(400)),
            "4 files: 0 succeeded, 3 failed (40301: 1, input: 1, stop: 1), 1 not attempted, 0 retries, 0.4 s"
        );
        assert_eq!(t.stopped_by.as_deref(), Some("quota"));
        assert!(
            t.summary(2, Duration::ZERO)
                .starts_with("2 files, 4 pages: 0 succeeded"),
            "{}",
            t.summary(2, Duration::ZERO)
        );
    }
}
