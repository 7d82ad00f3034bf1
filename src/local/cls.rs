//! Text direction classification (0° or 180°) of line crops.

use super::models::{ShapedModel, par_map, write_bgr_normalised};
use anyhow::{Result, bail};
use image::RgbImage;

/// Classifier input height, in pixels.
pub const CLS_H: u32 = 48;
/// Classifier input width, in pixels (crops are resized to height 48 and
/// padded or squeezed to this width).
pub const CLS_W: u32 = 192;
/// A crop is turned when the "180°" probability exceeds this.
pub const CLS_THRESH: f32 = 0.9;
/// Most crops per classifier call.
pub const CLS_BATCH: usize = 6;

/// Resizes `crop` to height 48 keeping its aspect ratio, width at most 192.
fn prepare(crop: &RgbImage) -> RgbImage {
    let (w, h) = crop.dimensions();
    let ratio = w as f32 / h.max(1) as f32;
    let rw = ((CLS_H as f32 * ratio).ceil() as u32).clamp(1, CLS_W);
    super::resize::linear(crop, rw, CLS_H)
}

/// For each crop, whether it is upside down (probability of "180°" above
/// [`CLS_THRESH`]).  Crops are run in batches of up to [`CLS_BATCH`]
/// (`[n, 3, 48, 192]` inputs, output `[n, 2]` softmax), spread over
/// `threads` threads.
///
/// Errors: model failures or an unexpected output shape.
pub(crate) fn upside_down(
    model: &ShapedModel,
    crops: &[&RgbImage],
    threads: usize,
) -> Result<Vec<bool>> {
    let (h, w) = (CLS_H as usize, CLS_W as usize);
    // Even chunks, one or more per thread, at most CLS_BATCH crops each.
    let per = crops.len().div_ceil(threads.max(1)).clamp(1, CLS_BATCH);
    let chunks: Vec<&[&RgbImage]> = crops.chunks(per).collect();
    let run = |chunk: &&[&RgbImage]| -> Result<Vec<bool>> {
        let n = chunk.len();
        let mut input = vec![0f32; n * 3 * h * w];
        for (k, crop) in chunk.iter().enumerate() {
            let r = prepare(crop);
            write_bgr_normalised(&r, &mut input[k * 3 * h * w..(k + 1) * 3 * h * w], h, w);
        }
        let (shape, probs) = model.run(&[n, 3, h, w], &input)?;
        if shape != [n, 2] {
            bail!("direction classifier output has shape {shape:?}, expected [{n}, 2]");
        }
        Ok((0..n).map(|k| probs[2 * k + 1] > CLS_THRESH).collect())
    };
    Ok(par_map(&chunks, threads, run)?.concat())
}
