//! Text recognition: line crops resized to height 48, padded to a few width
//! buckets, batched per bucket, and decoded with greedy CTC.

use super::models::write_bgr_normalised;
use super::runtime::{ShapedModel, par_map};
use anyhow::{Result, bail};
use image::RgbImage;

/// Recognition input height, in pixels.
pub const REC_H: u32 = 48;
/// Input widths (pixels) the crops are padded to; a crop wider than the last
/// bucket at height 48 is squeezed to it.  The smallest is PaddleOCR's
/// default 320.
pub const WIDTH_BUCKETS: [u32; 8] = [320, 480, 640, 800, 960, 1280, 1600, 2240];

/// Recognised text of one crop.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    /// The text, possibly empty.
    pub text: String,
    /// Mean of the per-character maximum probabilities (0..1); 0 when empty.
    pub confidence: f32,
}

/// The bucket for a crop of `w × h` pixels: `(input width, resized width)`.
pub fn bucket_for(w: u32, h: u32) -> (u32, u32) {
    let ratio = w as f64 / h.max(1) as f64;
    let rw = ((REC_H as f64 * ratio).ceil() as u32).max(1);
    let last = WIDTH_BUCKETS[WIDTH_BUCKETS.len() - 1];
    let bw = WIDTH_BUCKETS
        .iter()
        .copied()
        .find(|&b| rw <= b)
        .unwrap_or(last);
    (bw, rw.min(bw))
}

/// Splits `n` into descending powers of two not above `max` (e.g. 7 with max
/// 4 → 4, 2, 1): batch sizes that keep the number of compiled plans small
/// without padding batches with blank lines.
fn batch_sizes(mut n: usize, max: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut b = max.max(1).next_power_of_two();
    if b > max.max(1) {
        b /= 2;
    }
    while n > 0 {
        while b > n {
            b /= 2;
        }
        out.push(b);
        n -= b;
    }
    out
}

/// Recognises `crops` (upright line pictures).  Crops of one width bucket
/// are run together in batches of at most `max_batch` (`[n, 3, 48, W]`
/// inputs; output `[n, W/8, classes]` softmax); batches are spread over
/// `threads` threads.  `dict[k]` is the text of class `k` (class 0 is the
/// CTC blank).  Results are in input order.
///
/// Errors: model failures or an output whose class count differs from
/// `dict.len()`.
pub(crate) fn recognize(
    model: &ShapedModel,
    dict: &[String],
    crops: &[&RgbImage],
    max_batch: usize,
    threads: usize,
) -> Result<Vec<Decoded>> {
    let mut by_bucket: std::collections::BTreeMap<u32, Vec<(usize, u32)>> = Default::default();
    for (i, c) in crops.iter().enumerate() {
        let (bw, rw) = bucket_for(c.width(), c.height());
        by_bucket.entry(bw).or_default().push((i, rw));
    }
    // Jobs: (bucket width, crops of one batch); widest first for balance.
    let mut jobs: Vec<(u32, Vec<(usize, u32)>)> = Vec::new();
    for (bw, items) in by_bucket.into_iter().rev() {
        let mut rest = &items[..];
        for n in batch_sizes(items.len(), max_batch) {
            let (batch, tail) = rest.split_at(n);
            rest = tail;
            jobs.push((bw, batch.to_vec()));
        }
    }
    let h = REC_H as usize;
    let run = |(bw, batch): &(u32, Vec<(usize, u32)>)| -> Result<Vec<(usize, Decoded)>> {
        let (w, n) = (*bw as usize, batch.len());
        let mut input = vec![0f32; n * 3 * h * w];
        for (k, &(i, rw)) in batch.iter().enumerate() {
            let r = super::resize::linear(crops[i], rw, REC_H);
            write_bgr_normalised(&r, &mut input[k * 3 * h * w..(k + 1) * 3 * h * w], h, w);
        }
        let (shape, probs) = model.run(&[n, 3, h, w], &input)?;
        if shape.len() != 3 || shape[0] != n || shape[2] != dict.len() {
            bail!(
                "recognition model output has shape {shape:?}, expected [{n}, T, {}]",
                dict.len()
            );
        }
        let (t, c) = (shape[1], shape[2]);
        Ok(batch
            .iter()
            .enumerate()
            .map(|(k, &(i, _))| (i, ctc_greedy(&probs[k * t * c..(k + 1) * t * c], c, dict)))
            .collect())
    };
    let mut results: Vec<Option<Decoded>> = vec![None; crops.len()];
    for done in par_map(&jobs, threads, run)? {
        for (i, d) in done {
            results[i] = Some(d);
        }
    }
    Ok(results
        .into_iter()
        .map(|r| {
            r.unwrap_or(Decoded {
                text: String::new(),
                confidence: 0.0,
            })
        })
        .collect())
}

/// Greedy CTC decoding of `probs` (`T × classes`, row-major): per time step
/// the most likely class; repeats collapse, blanks (class 0) drop out.  The
/// confidence is the mean probability of the kept steps.
pub fn ctc_greedy(probs: &[f32], classes: usize, dict: &[String]) -> Decoded {
    let mut text = String::new();
    let (mut sum, mut n) = (0f32, 0usize);
    let mut prev = usize::MAX;
    if classes == 0 {
        return Decoded {
            text,
            confidence: 0.0,
        };
    }
    for step in probs.chunks_exact(classes) {
        let (best, p) = step
            .iter()
            .copied()
            .enumerate()
            .fold(
                (0, f32::MIN),
                |acc, (k, v)| if v > acc.1 { (k, v) } else { acc },
            );
        if best != 0
            && best != prev
            && let Some(s) = dict.get(best)
        {
            text.push_str(s);
            sum += p;
            n += 1;
        }
        prev = best;
    }
    Decoded {
        text,
        confidence: if n == 0 { 0.0 } else { sum / n as f32 },
    }
}

/// Builds the class list from the rec model's `character` metadata: blank,
/// the metadata's lines, then a space.
///
/// Errors: the metadata is missing or empty.
pub fn dictionary(meta: &std::collections::HashMap<String, String>) -> Result<Vec<String>> {
    let Some(chars) = meta.get("character") else {
        bail!("recognition model has no `character` metadata (the dictionary)");
    };
    let mut dict = vec![String::new()];
    dict.extend(chars.lines().map(|l| l.trim_end_matches('\r').to_string()));
    if dict.len() < 2 {
        bail!("recognition model's `character` metadata is empty");
    }
    dict.push(" ".into());
    Ok(dict)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets() {
        assert_eq!(bucket_for(100, 48), (320, 100));
        assert_eq!(bucket_for(960, 30), (1600, 1536));
        assert_eq!(bucket_for(100_000, 10), (2240, 2240));
        assert_eq!(bucket_for(1, 0), (320, 48));
    }

    #[test]
    fn batches() {
        assert_eq!(batch_sizes(7, 4), vec![4, 2, 1]);
        assert_eq!(batch_sizes(9, 4), vec![4, 4, 1]);
        assert_eq!(batch_sizes(3, 6), vec![2, 1]);
        assert_eq!(batch_sizes(2, 0), vec![1, 1]);
        assert!(batch_sizes(0, 4).is_empty());
    }

    #[test]
    fn greedy() {
        let dict: Vec<String> = ["", "a", "b"].iter().map(|s| s.to_string()).collect();
        // a a blank a b b  →  "aab"
        let steps = [1, 1, 0, 1, 2, 2];
        let mut probs = vec![0.0; steps.len() * 3];
        for (t, &k) in steps.iter().enumerate() {
            probs[t * 3 + k] = 0.8;
        }
        let d = ctc_greedy(&probs, 3, &dict);
        assert_eq!(d.text, "aab");
        assert!((d.confidence - 0.8).abs() < 1e-6);
        assert_eq!(ctc_greedy(&[], 3, &dict).text, "");
    }
}
