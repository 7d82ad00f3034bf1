//! The three PP-OCR ONNX models' bytes (embedded or from a directory) and
//! the input layout they take; [`super::runtime`] runs them.

#[cfg(not(feature = "embed-models"))]
use anyhow::bail;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// File name of the text detection model (PP-OCRv4 DB, Chinese).
pub const DET_FILE: &str = "ch_PP-OCRv4_det_infer.onnx";
/// File name of the text direction classifier (PP-OCR mobile v2.0, 0°/180°).
pub const CLS_FILE: &str = "ch_ppocr_mobile_v2.0_cls_infer.onnx";
/// File name of the text recognition model (PP-OCRv4 CTC, 6,625 classes).
pub const REC_FILE: &str = "ch_PP-OCRv4_rec_infer.onnx";

/// Environment variable naming a directory that holds the three model files.
pub const MODEL_DIR_ENV: &str = "XOCR_MODEL_DIR";

#[cfg(feature = "embed-models")]
mod embedded {
    pub static DET: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/models/ch_PP-OCRv4_det_infer.onnx"
    ));
    pub static CLS: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/models/ch_ppocr_mobile_v2.0_cls_infer.onnx"
    ));
    pub static REC: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/models/ch_PP-OCRv4_rec_infer.onnx"
    ));
}

/// The raw bytes of the three model files and where they came from.
pub(crate) struct ModelBytes {
    pub det: std::borrow::Cow<'static, [u8]>,
    pub cls: std::borrow::Cow<'static, [u8]>,
    pub rec: std::borrow::Cow<'static, [u8]>,
    /// Human-readable origin, for error messages ("embedded" or a directory).
    pub origin: String,
}

/// Picks the model source: `dir` if given, else `$XOCR_MODEL_DIR` if set and
/// non-empty, else the embedded models (feature `embed-models`).
///
/// Errors: a missing or unreadable file (naming it), or no source at all.
pub(crate) fn model_bytes(dir: Option<&Path>) -> Result<ModelBytes> {
    let env_dir = std::env::var_os(MODEL_DIR_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    if let Some(dir) = dir.map(Path::to_path_buf).or(env_dir) {
        let read = |name: &str| -> Result<std::borrow::Cow<'static, [u8]>> {
            let p = dir.join(name);
            let bytes = std::fs::read(&p).with_context(|| {
                format!(
                    "cannot read OCR model file {} (the model directory must hold {DET_FILE}, \
                     {CLS_FILE} and {REC_FILE}; scripts/fetch-models.sh fetches them)",
                    p.display()
                )
            })?;
            Ok(bytes.into())
        };
        return Ok(ModelBytes {
            det: read(DET_FILE)?,
            cls: read(CLS_FILE)?,
            rec: read(REC_FILE)?,
            origin: dir.display().to_string(),
        });
    }
    #[cfg(feature = "embed-models")]
    {
        Ok(ModelBytes {
            det: embedded::DET.into(),
            cls: embedded::CLS.into(),
            rec: embedded::REC.into(),
            origin: "embedded".into(),
        })
    }
    #[cfg(not(feature = "embed-models"))]
    {
        bail!(
            "no OCR models: this build does not embed them (cargo feature `embed-models`) \
             and {MODEL_DIR_ENV} is not set; point {MODEL_DIR_ENV} at a directory holding \
             {DET_FILE}, {CLS_FILE} and {REC_FILE}"
        )
    }
}

/// Fills `dst` (one CHW plane set of `h × w`, already sized `3·h·w`) from
/// `img` placed at the top-left, in **BGR** order, normalised as
/// `(v/255 − 0.5)/0.5`; the rest stays as it is (callers pre-fill with 0).
pub(crate) fn write_bgr_normalised(img: &image::RgbImage, dst: &mut [f32], h: usize, w: usize) {
    let plane = h * w;
    let (iw, ih) = (img.width() as usize, img.height() as usize);
    for y in 0..ih.min(h) {
        for x in 0..iw.min(w) {
            let p = img.get_pixel(x as u32, y as u32).0;
            let i = y * w + x;
            dst[i] = p[2] as f32 / 127.5 - 1.0;
            dst[plane + i] = p[1] as f32 / 127.5 - 1.0;
            dst[2 * plane + i] = p[0] as f32 / 127.5 - 1.0;
        }
    }
}
