//! Labels and their values on printed forms (licences, passports, cards
//! whose values stand right of or below a printed label): the label texts
//! found in the rows, the rest of each row cut at them into value pieces,
//! and a value found from its label's position, not from the row order,
//! so a value printed a little lower than its label, a bilingual label
//! (`姓名` over `Name`) or a second column in the same row do not mix.

use super::layout::{Layout, Span};

/// One label found: which, where (row, character range) and its frame box.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// The label text as asked for (upper case for ASCII).
    pub label: &'static str,
    /// Row and character range in the row.
    pub row: usize,
    pub a: usize,
    pub b: usize,
    /// Frame bounding box `[left, top, right, bottom]`, px.
    pub bbox: [f32; 4],
    /// A stop: printed text that is no value (English sub-labels, titles),
    /// never asked for.
    pub stop: bool,
}

/// The labels and value pieces of one picture.
pub struct Labels<'a> {
    /// The rows the labels were found in.
    pub layout: &'a Layout,
    hits: Vec<Hit>,
    pieces: Vec<Span>,
}

fn height(b: &[f32; 4]) -> f32 {
    (b[3] - b[1]).max(1.0)
}

/// Vertical overlap of two boxes over the smaller height, 0..1.
fn v_overlap(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let o = a[3].min(b[3]) - a[1].max(b[1]);
    (o / height(a).min(height(b))).max(0.0)
}

/// Punctuation printed or read between a label and its value (a value's
/// own first mark, `。` or `（` starting a line of it, or `--` for none,
/// is kept).
fn is_punct(c: char) -> bool {
    ":：/|·".contains(c)
}

impl<'a> Labels<'a> {
    /// Finds every occurrence of `labels` (values asked for) and `stops`
    /// (texts that are no value) in the rows of `layout`, longest texts
    /// first, without overlaps; ASCII compared in upper case. The rest of
    /// each row becomes value pieces: cut at every hit, and where two of
    /// the row's lines stand more than a line height apart; punctuation
    /// read between a label and its value is dropped at a piece's start,
    /// and `:`, `/`, `|` at its end (a line of a longer value may end in
    /// `；` or `、`, which stay).
    pub fn new(layout: &'a Layout, labels: &[&'static str], stops: &[&'static str]) -> Self {
        let mut wanted: Vec<(&'static str, bool)> = labels
            .iter()
            .map(|&l| (l, false))
            .chain(stops.iter().map(|&s| (s, true)))
            .collect();
        wanted.sort_by_key(|(l, _)| std::cmp::Reverse(l.chars().count()));
        let mut hits = Vec::new();
        let mut pieces = Vec::new();
        for r in 0..layout.rows.len() {
            let text: Vec<char> = layout
                .row_text(r)
                .chars()
                .map(|c| c.to_ascii_uppercase())
                .collect();
            let mut taken = vec![false; text.len()];
            for &(label, stop) in &wanted {
                let n: Vec<char> = label.chars().map(|c| c.to_ascii_uppercase()).collect();
                if n.is_empty() || n.len() > text.len() {
                    continue;
                }
                let mut i = 0;
                while i + n.len() <= text.len() {
                    if text[i..i + n.len()] == n[..] && !taken[i..i + n.len()].contains(&true) {
                        if let Some(s) = layout.span(r, i, i + n.len()) {
                            hits.push(Hit {
                                label,
                                row: r,
                                a: i,
                                b: i + n.len(),
                                bbox: s.bbox,
                                stop,
                            });
                        }
                        taken[i..i + n.len()].iter_mut().for_each(|t| *t = true);
                        i += n.len();
                    } else {
                        i += 1;
                    }
                }
            }
            let h = height(&layout.rows[r].bbox);
            let mut a = 0;
            while a < text.len() {
                if taken[a] {
                    a += 1;
                    continue;
                }
                let mut b = a + 1;
                while b < text.len() && !taken[b] && layout.gap_before(r, b) <= h {
                    b += 1;
                }
                let (mut s, mut e) = (a, b);
                while s < e && is_punct(text[s]) {
                    s += 1;
                }
                while e > s && ":：/|".contains(text[e - 1]) {
                    e -= 1;
                }
                if let Some(span) = layout.span(r, s, e) {
                    pieces.push(span);
                }
                a = b;
            }
        }
        hits.sort_by(|x, y| x.bbox[1].total_cmp(&y.bbox[1]));
        Labels {
            layout,
            hits,
            pieces,
        }
    }

    /// The top-most hit of `label` (a label asked for, not a stop).
    pub fn find(&self, label: &str) -> Option<&Hit> {
        self.hits.iter().find(|h| h.label == label && !h.stop)
    }

    /// The top-most hit of the first of `labels` found.
    pub fn find_any(&self, labels: &[&str]) -> Option<&Hit> {
        labels.iter().find_map(|l| self.find(l))
    }

    /// Every value piece, rows top to bottom, left to right in a row.
    pub fn pieces(&self) -> &[Span] {
        &self.pieces
    }

    /// Every label hit (not the stops), top to bottom.
    pub fn hits(&self) -> impl Iterator<Item = &Hit> {
        self.hits.iter().filter(|h| !h.stop)
    }

    /// Whether another label stands between the label `hit` and a piece
    /// starting at `left` on its row.
    fn label_between(&self, hit: &Hit, left: f32) -> bool {
        let h = height(&hit.bbox);
        self.hits().any(|o| {
            o != hit
                && v_overlap(&o.bbox, &hit.bbox) >= 0.4
                && o.bbox[0] >= hit.bbox[2] - 0.3 * h
                && o.bbox[2] <= left + 0.3 * h
        })
    }

    /// The value right of the label `hit`: of the pieces starting at most
    /// 12 label heights right of it that share at least 40% of the smaller
    /// height with it, with no other label between, the one sharing most
    /// (a tilted or curved page puts the next line's value close too), the
    /// nearest of those sharing as much.
    pub fn right_of(&self, hit: &Hit) -> Option<Span> {
        self.right_where(hit, &|_| true)
    }

    /// [`Labels::right_of`] among the pieces that `fits`.
    pub fn right_where(&self, hit: &Hit, fits: &dyn Fn(&Span) -> bool) -> Option<Span> {
        let h = height(&hit.bbox);
        let rank = |p: &Span| {
            let o = v_overlap(&p.bbox, &hit.bbox);
            // Overlaps within a tenth count as the same.
            (-(o * 10.0).round() as i32, p.bbox[0])
        };
        self.pieces
            .iter()
            .filter(|p| {
                v_overlap(&p.bbox, &hit.bbox) >= 0.4
                    && p.bbox[0] >= hit.bbox[2] - 0.5 * h
                    && p.bbox[0] - hit.bbox[2] <= 12.0 * h
                    && !self.label_between(hit, p.bbox[0])
                    && fits(p)
            })
            .min_by(|a, b| {
                let (ra, rb) = (rank(a), rank(b));
                ra.0.cmp(&rb.0).then(ra.1.total_cmp(&rb.1))
            })
            .cloned()
    }

    /// The value below the label `hit`: the highest piece whose top lies
    /// below the label's middle and at most 2.5 label heights under it,
    /// starting within 1.5 label heights left or 3 right of the label.
    pub fn below(&self, hit: &Hit) -> Option<Span> {
        self.below_box(hit.bbox)
    }

    /// The piece below the frame box `b` ([`Labels::below`]).
    pub fn below_box(&self, b: [f32; 4]) -> Option<Span> {
        let h = height(&b);
        let mid = (b[1] + b[3]) / 2.0;
        self.pieces
            .iter()
            .filter(|p| {
                p.bbox[1] >= mid
                    && p.bbox[1] - b[3] <= 2.5 * h
                    && p.bbox[0] >= b[0] - 1.5 * h
                    && p.bbox[0] <= b[0] + 3.0 * h
            })
            .min_by(|a, b| a.bbox[1].total_cmp(&b.bbox[1]))
            .cloned()
    }

    /// The value right of the first of `labels` found ([`Labels::right_of`]).
    pub fn right(&self, labels: &[&str]) -> Option<Span> {
        self.right_of(self.find_any(labels)?)
    }

    /// A value of several lines: `first`, the value of `hit`, and the
    /// pieces below it that start within a line height of its left edge,
    /// each at most `gap` line heights under the one before, up to a row
    /// where a label stands left of the piece (the next field); joined in
    /// order.
    pub fn block(&self, hit: &Hit, first: Span, gap: f32) -> Span {
        let h = height(&first.bbox);
        let left = first.bbox[0];
        let mut parts = vec![first];
        loop {
            let prev = parts[parts.len() - 1].bbox;
            let next = self.pieces.iter().find(|p| {
                p.bbox[1] > prev[1] + 0.5 * h
                    && p.bbox[1] - prev[3] <= gap * h
                    && (p.bbox[0] - left).abs() <= h
            });
            let Some(next) = next else { break };
            let starts_field = self.hits().any(|o| {
                o != hit
                    && v_overlap(&o.bbox, &next.bbox) >= 0.4
                    && o.bbox[2] <= next.bbox[0] + h
                    && o.bbox[0] >= hit.bbox[0] - h
            });
            if starts_field {
                break;
            }
            parts.push(next.clone());
        }
        self.layout.join(&parts).unwrap_or_else(|| parts.remove(0))
    }
}

/// `YYYY-MM-DD` from a date read with any separators (`1961-10-24`,
/// `1961.10.24`, `19611024`, `1961年10月24日`); `None` unless it holds a
/// year 1900–2099, a month 1–12 and a day 1–31, in that order.
pub fn ymd(s: &str) -> Option<String> {
    let nums: Vec<&str> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .collect();
    let (y, m, d) = match nums[..] {
        [y, m, d] => (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?),
        [all] if all.len() == 8 => (
            all[..4].parse().ok()?,
            all[4..6].parse().ok()?,
            all[6..].parse().ok()?,
        ),
        _ => return None,
    };
    let (y, m, d): (u32, u32, u32) = (y, m, d);
    ((1900..=2099).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// The text of `span` with its inner spaces as recognised: the text of
/// the line it was read from when that line holds just its characters;
/// the span's own text (no white space) otherwise. Trimmed.
pub fn spaced_text(l: &Layout, span: &Span) -> String {
    l.lines
        .iter()
        .find(|x| {
            x.text
                .chars()
                .filter(|c| !c.is_whitespace())
                .eq(span.text.chars())
        })
        .map_or(span.text.clone(), |x| x.text.trim().to_string())
}

/// A Latin name as `SURNAME, Given Names`: the comma followed by one
/// space, the words apart by one space.
pub fn tidy_name(s: &str) -> String {
    let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    match s.split_once(',') {
        Some((sur, given)) => format!("{}, {}", words(sur), words(given)),
        None => words(s),
    }
}

/// `span` with its text passed through `f`.
pub fn map_text(span: Option<Span>, f: impl Fn(&str) -> String) -> Option<Span> {
    span.map(|mut s| {
        s.text = f(&s.text);
        s
    })
}

#[cfg(test)]
mod tests {
    use super::super::layout::tests::line;
    use super::*;

    #[test]
    fn values_right_of_and_below_labels_and_blocks() {
        let l = Layout::new(vec![
            line("姓名", 0.0, 0.0),
            line("吕子", 120.0, 8.0),
            line("性别", 300.0, 0.0),
            line("女", 400.0, 8.0),
            line("Name", 0.0, 30.0),
            line("住址：北京市东城", 0.0, 80.0),
            line("区4号", 90.0, 112.0),
            line("出生日期", 0.0, 200.0),
            line("1961.10.24", 0.0, 240.0),
        ]);
        let lab = Labels::new(&l, &["姓名", "性别", "住址", "出生日期"], &["NAME"]);
        assert_eq!(lab.right(&["姓名"]).unwrap().text, "吕子");
        assert_eq!(lab.right(&["性别"]).unwrap().text, "女");
        let hit = lab.find("住址").unwrap();
        let first = lab.right_of(hit).unwrap();
        assert_eq!(first.text, "北京市东城");
        assert_eq!(lab.block(hit, first, 1.0).text, "北京市东城区4号");
        let birth = lab.below(lab.find("出生日期").unwrap()).unwrap();
        assert_eq!(ymd(&birth.text).as_deref(), Some("1961-10-24"));
        assert!(lab.right(&["出生日期"]).is_none());
    }

    #[test]
    fn dates_are_read_with_any_separators() {
        assert_eq!(ymd("2013-12-02").as_deref(), Some("2013-12-02"));
        assert_eq!(ymd("20131202").as_deref(), Some("2013-12-02"));
        assert_eq!(ymd("2013年12月2日").as_deref(), Some("2013-12-02"));
        assert_eq!(ymd("2013-13-02"), None);
        assert_eq!(ymd("12-02"), None);
    }
}
