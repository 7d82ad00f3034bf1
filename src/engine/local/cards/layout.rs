//! Text lines arranged as a card is read: a frame aligned with the text's
//! dominant direction, rows in that frame, and spans of characters inside a
//! row with their own quadrilaterals.

use super::super::TextLine;
use super::super::geometry::Point;

/// One recognised line in the upright picture.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// The text as recognised (may hold inner spaces).
    pub text: String,
    /// Recognition confidence, 0..1.
    pub confidence: f32,
    /// Corners top-left, top-right, bottom-right, bottom-left, picture px.
    pub quad: [Point; 4],
}

impl From<&TextLine> for Line {
    fn from(t: &TextLine) -> Self {
        let p = |k: usize| [t.position[2 * k] as f32, t.position[2 * k + 1] as f32];
        Line {
            text: t.text.clone(),
            confidence: t.confidence,
            quad: [p(0), p(1), p(2), p(3)],
        }
    }
}

/// A rotation of the plane that makes the text's dominant direction
/// horizontal (a skewed card's rows become horizontal).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    cos: f32,
    sin: f32,
}

impl Frame {
    /// The frame of `lines`: the median direction of the top edges of the
    /// lines holding at least three characters (all lines if none does);
    /// the identity when there are no lines.
    pub fn of(lines: &[Line]) -> Frame {
        let angle = |l: &Line| {
            let [a, b] = [l.quad[0], l.quad[1]];
            (b[1] - a[1]).atan2(b[0] - a[0])
        };
        let mut angles: Vec<f32> = lines
            .iter()
            .filter(|l| l.text.chars().filter(|c| !c.is_whitespace()).count() >= 3)
            .map(angle)
            .collect();
        if angles.is_empty() {
            angles = lines.iter().map(angle).collect();
        }
        angles.retain(|a| a.is_finite());
        angles.sort_by(f32::total_cmp);
        let theta = angles.get(angles.len() / 2).copied().unwrap_or(0.0);
        Frame {
            cos: theta.cos(),
            sin: theta.sin(),
        }
    }

    /// Picture coordinates to frame coordinates.
    pub fn to(&self, p: Point) -> Point {
        [
            p[0] * self.cos + p[1] * self.sin,
            -p[0] * self.sin + p[1] * self.cos,
        ]
    }

    /// Frame coordinates back to picture coordinates.
    pub fn from(&self, p: Point) -> Point {
        [
            p[0] * self.cos - p[1] * self.sin,
            p[0] * self.sin + p[1] * self.cos,
        ]
    }

    /// Bounding box `[left, top, right, bottom]` of `points` in the frame.
    pub fn bbox(&self, points: impl IntoIterator<Item = Point>) -> Option<[f32; 4]> {
        let mut b: Option<[f32; 4]> = None;
        for p in points {
            let [x, y] = self.to(p);
            b = Some(match b {
                None => [x, y, x, y],
                Some([l, t, r, bo]) => [l.min(x), t.min(y), r.max(x), bo.max(y)],
            });
        }
        b
    }

    /// The picture quadrilateral of the frame rectangle `[l, t, r, b]`.
    pub fn quad(&self, [l, t, r, b]: [f32; 4]) -> [Point; 4] {
        [
            self.from([l, t]),
            self.from([r, t]),
            self.from([r, b]),
            self.from([l, b]),
        ]
    }
}

/// One visible character of a row and where it comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
struct RowChar {
    ch: char,
    line: usize,
    /// Index of the character in its line's text (spaces counted).
    idx: usize,
    /// Number of characters of that line (spaces counted).
    len: usize,
}

/// Lines whose centres share a row of the frame, left to right.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    chars: Vec<RowChar>,
    /// Indices of the lines, left to right.
    pub lines: Vec<usize>,
    /// Frame bounding box `[left, top, right, bottom]`.
    pub bbox: [f32; 4],
}

/// A run of characters of one row: the text without white space, its
/// quadrilateral in the picture and the lowest confidence of its lines.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    pub text: String,
    pub quad: [Point; 4],
    pub confidence: f32,
    /// Frame bounding box of the span.
    pub bbox: [f32; 4],
}

/// The lines of a picture, its frame and its rows (top to bottom).
#[derive(Clone, Debug)]
pub struct Layout {
    pub lines: Vec<Line>,
    pub frame: Frame,
    pub rows: Vec<Row>,
}

fn lerp(a: Point, b: Point, t: f32) -> Point {
    [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
}

impl Layout {
    /// Arranges `lines` into rows: a line joins a row when its centre lies
    /// within half a line height of the row's centre line.
    pub fn new(lines: Vec<Line>) -> Layout {
        let frame = Frame::of(&lines);
        let boxes: Vec<[f32; 4]> = lines
            .iter()
            .map(|l| frame.bbox(l.quad).unwrap_or([0.0; 4]))
            .collect();
        let mut order: Vec<usize> = (0..lines.len()).collect();
        order.sort_by(|&a, &b| {
            let ca = boxes[a][1] + boxes[a][3];
            let cb = boxes[b][1] + boxes[b][3];
            ca.total_cmp(&cb)
        });
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for i in order {
            let b = boxes[i];
            let (cy, h) = ((b[1] + b[3]) / 2.0, b[3] - b[1]);
            let joins = groups.last().is_some_and(|g| {
                let n = g.len() as f32;
                let gcy = g
                    .iter()
                    .map(|&j| (boxes[j][1] + boxes[j][3]) / 2.0)
                    .sum::<f32>()
                    / n;
                let gh = g.iter().map(|&j| boxes[j][3] - boxes[j][1]).sum::<f32>() / n;
                (cy - gcy).abs() < 0.5 * h.max(gh)
            });
            match groups.last_mut() {
                Some(g) if joins => g.push(i),
                _ => groups.push(vec![i]),
            }
        }
        let rows = groups
            .into_iter()
            .map(|mut g| {
                g.sort_by(|&a, &b| boxes[a][0].total_cmp(&boxes[b][0]));
                let mut chars = Vec::new();
                for &li in &g {
                    let all: Vec<char> = lines[li].text.chars().collect();
                    for (idx, &ch) in all.iter().enumerate() {
                        if !ch.is_whitespace() {
                            chars.push(RowChar {
                                ch,
                                line: li,
                                idx,
                                len: all.len(),
                            });
                        }
                    }
                }
                let bbox = g.iter().fold(boxes[g[0]], |a, &j| {
                    let b = boxes[j];
                    [
                        a[0].min(b[0]),
                        a[1].min(b[1]),
                        a[2].max(b[2]),
                        a[3].max(b[3]),
                    ]
                });
                Row {
                    chars,
                    lines: g,
                    bbox,
                }
            })
            .collect();
        Layout { lines, frame, rows }
    }

    /// The text of row `r` without white space.
    pub fn row_text(&self, r: usize) -> String {
        self.rows
            .get(r)
            .map(|row| row.chars.iter().map(|c| c.ch).collect())
            .unwrap_or_default()
    }

    /// Number of visible characters of row `r`.
    pub fn row_len(&self, r: usize) -> usize {
        self.rows.get(r).map_or(0, |row| row.chars.len())
    }

    /// The first occurrence of `needle` (no white space) in row `r`, as a
    /// character range of the row.
    pub fn find(&self, r: usize, needle: &str) -> Option<(usize, usize)> {
        let hay: Vec<char> = self.row_text(r).chars().collect();
        let n: Vec<char> = needle.chars().collect();
        if n.is_empty() || n.len() > hay.len() {
            return None;
        }
        (0..=hay.len() - n.len())
            .find(|&i| hay[i..i + n.len()] == n[..])
            .map(|i| (i, i + n.len()))
    }

    /// The first row holding `needle`, with its character range.
    pub fn find_any(&self, needle: &str) -> Option<(usize, usize, usize)> {
        (0..self.rows.len()).find_map(|r| self.find(r, needle).map(|(a, b)| (r, a, b)))
    }

    /// Characters `a..b` of row `r` as a span; `None` when the range is
    /// empty or out of the row.  Each line's part of the quad is cut in
    /// proportion to its characters.
    pub fn span(&self, r: usize, a: usize, b: usize) -> Option<Span> {
        let row = self.rows.get(r)?;
        if a >= b || b > row.chars.len() {
            return None;
        }
        let cs = &row.chars[a..b];
        let part = |first: &RowChar, last: &RowChar| -> [Point; 4] {
            let q = self.lines[first.line].quad;
            let f0 = first.idx as f32 / first.len.max(1) as f32;
            let f1 = (last.idx + 1) as f32 / last.len.max(1) as f32;
            [
                lerp(q[0], q[1], f0),
                lerp(q[0], q[1], f1),
                lerp(q[3], q[2], f1),
                lerp(q[3], q[2], f0),
            ]
        };
        let first = cs[0];
        let last = cs[cs.len() - 1];
        // The last character of the first line and the first of the last.
        let end_first = cs.iter().rev().find(|c| c.line == first.line)?;
        let start_last = cs.iter().find(|c| c.line == last.line)?;
        let qa = part(&first, end_first);
        let qb = part(start_last, &last);
        let quad = [qa[0], qb[1], qb[2], qa[3]];
        let confidence = cs
            .iter()
            .map(|c| self.lines[c.line].confidence)
            .fold(1.0f32, f32::min);
        Some(Span {
            text: cs.iter().map(|c| c.ch).collect(),
            bbox: self.frame.bbox(quad)?,
            quad,
            confidence,
        })
    }

    /// The frame distance, px, from the line of character `i - 1` of row
    /// `r` to the line of character `i` when they are different lines (0
    /// inside one line, or when either is out of the row).
    pub fn gap_before(&self, r: usize, i: usize) -> f32 {
        let Some(row) = self.rows.get(r) else {
            return 0.0;
        };
        let (Some(a), Some(b)) = (
            i.checked_sub(1).and_then(|j| row.chars.get(j)),
            row.chars.get(i),
        ) else {
            return 0.0;
        };
        if a.line == b.line {
            return 0.0;
        }
        let left = self.frame.bbox(self.lines[b.line].quad);
        let right = self.frame.bbox(self.lines[a.line].quad);
        match (left, right) {
            (Some(l), Some(r)) => (l[0] - r[2]).max(0.0),
            _ => 0.0,
        }
    }

    /// The rest of row `r` from character `a`.
    pub fn rest(&self, r: usize, a: usize) -> Option<Span> {
        self.span(r, a, self.row_len(r))
    }

    /// Spans joined in order: texts concatenated, the quad bounding all of
    /// them in the frame, the lowest confidence.
    pub fn join(&self, spans: &[Span]) -> Option<Span> {
        let first = spans.first()?;
        let bbox = spans.iter().skip(1).fold(first.bbox, |a, s| {
            let b = s.bbox;
            [
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[2].max(b[2]),
                a[3].max(b[3]),
            ]
        });
        Some(Span {
            text: spans.iter().map(|s| s.text.as_str()).collect(),
            quad: if spans.len() == 1 {
                first.quad
            } else {
                self.frame.quad(bbox)
            },
            confidence: spans.iter().map(|s| s.confidence).fold(1.0, f32::min),
            bbox,
        })
    }

    /// All text without white space, rows in order.
    pub fn all_text(&self) -> String {
        (0..self.rows.len()).map(|r| self.row_text(r)).collect()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The value of `key` among a reader's fields, `<absent>` when missing.
    pub fn value<'a>(f: &'a [super::super::Field], key: &str) -> &'a str {
        f.iter()
            .find(|f| f.key == key)
            .map_or("<absent>", |f| &f.value)
    }

    /// A horizontal line at `(x, y)`, 30 px high, 30 px per character.
    pub fn line(text: &str, x: f32, y: f32) -> Line {
        let w = 30.0 * text.chars().count() as f32;
        Line {
            text: text.into(),
            confidence: 0.9,
            quad: [[x, y], [x + w, y], [x + w, y + 30.0], [x, y + 30.0]],
        }
    }

    #[test]
    fn rows_group_boxes_and_spans_cut_merged_labels() {
        let l = Layout::new(vec![
            line("住址", 10.0, 100.0),
            line("姓名张三", 10.0, 10.0),
            line("北京市", 80.0, 104.0),
            line("4号院", 80.0, 140.0),
        ]);
        assert_eq!(l.rows.len(), 3);
        assert_eq!(l.row_text(0), "姓名张三");
        assert_eq!(l.row_text(1), "住址北京市");
        let (r, _, b) = l.find_any("姓名").unwrap();
        let s = l.rest(r, b).unwrap();
        assert_eq!(s.text, "张三");
        assert_eq!(s.quad[0], [70.0, 10.0]);
        assert_eq!(s.quad[2], [130.0, 40.0]);
        let a = l.rest(1, 2).unwrap();
        let b = l.rest(2, 0).unwrap();
        let j = l.join(&[a, b]).unwrap();
        assert_eq!(j.text, "北京市4号院");
        assert_eq!(j.quad[0], [80.0, 104.0]);
        assert_eq!(j.quad[2], [170.0, 170.0]);
        assert!(l.span(0, 3, 2).is_none());
        assert!(l.span(9, 0, 1).is_none());
    }

    #[test]
    fn a_skewed_card_still_reads_in_rows() {
        // Lines tilted by about 6 degrees.
        let tilt = |text: &str, x: f32, y: f32| {
            let mut l = line(text, x, y);
            for p in l.quad.iter_mut() {
                p[1] += 0.1 * (p[0] - x);
            }
            l
        };
        let l = Layout::new(vec![
            tilt("姓名张三", 0.0, 0.0),
            tilt("民族汉", 300.0, 70.0),
            tilt("性别男", 0.0, 40.0),
        ]);
        assert_eq!(l.row_text(0), "姓名张三");
        assert_eq!(l.row_text(1), "性别男民族汉");
    }
}
