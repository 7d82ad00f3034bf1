//! Text direction classification (0° or 180°) of line crops.

use super::models::write_bgr_normalised;
use super::runtime::{ShapedModel, par_map};
use anyhow::{Result, bail};
use image::RgbImage;

/// Classifier input height, in pixels.
pub const CLS_H: u32 = 48;
/// Classifier input width, in pixels (crops are resized to height 48 and
/// padded or squeezed to this width).
pub const CLS_W: u32 = 192;
/// A crop is turned when the "180°" probability exceeds this.
pub const CLS_THRESH: f32 = 0.9;

/// Resizes `crop` to height 48 keeping its aspect ratio, width at most 192.
fn prepare(crop: &RgbImage) -> RgbImage {
    let (w, h) = crop.dimensions();
    let ratio = w as f32 / h.max(1) as f32;
    let rw = ((CLS_H as f32 * ratio).ceil() as u32).clamp(1, CLS_W);
    super::resize::linear(crop, rw, CLS_H)
}

/// For each crop, whether it is upside down (probability of "180°" above
/// [`CLS_THRESH`]).  Each crop is one `[1, 3, 48, 192]` call (output
/// `[1, 2]` softmax); calls are spread over `threads` threads.  One crop per
/// call, because tract runs this model about 4× slower per crop in batches
/// of 6 than one at a time (measured: 18 crops 93 ms batched, 23 ms single).
///
/// Errors: model failures or an unexpected output shape.
pub(crate) fn upside_down(
    model: &ShapedModel,
    crops: &[&RgbImage],
    threads: usize,
) -> Result<Vec<bool>> {
    let (h, w) = (CLS_H as usize, CLS_W as usize);
    let run = |crop: &&RgbImage| -> Result<bool> {
        let mut input = vec![0f32; 3 * h * w];
        write_bgr_normalised(&prepare(crop), &mut input, h, w);
        let (shape, probs) = model.run(&[1, 3, h, w], &input)?;
        if shape != [1, 2] {
            bail!("direction classifier output has shape {shape:?}, expected [1, 2]");
        }
        Ok(probs[1] > CLS_THRESH)
    };
    par_map(crops, threads, run)
}
