//! Offline OCR engine: PaddleOCR's PP-OCR models (DB text detection, 0°/180°
//! direction classifier, CTC text recognition with the 6,625-class Chinese +
//! English dictionary) run in pure Rust: on rten for input shapes seen a
//! few times, on compiled tract plans for recurring ones ([`runtime`]).
//!
//! ```ignore
//! use xocr::engine::local::{RecognizerOptions, Recognizer};
//! let engine = Recognizer::load(&RecognizerOptions::default())?;
//! let img = image::open("card.jpg")?.to_rgb8();
//! for line in engine.recognize(&img)? {
//!     println!("{} {:.2} {:?}", line.text, line.confidence, line.position);
//! }
//! # Ok::<(), anyhow::Error>(())
//! ```
//!
//! Pipeline: the picture is resized (bilinear, as OpenCV) so that its long
//! side is `det_max_side`, each side rounded to a multiple of 32; the DB
//! probability map is thresholded into rotated boxes, whose corners are
//! rounded to whole picture pixels; each box is cut out with a bicubic
//! perspective warp, turned by 90° when it is tall (vertical text), turned by
//! 180° when the classifier says so, resized to height 48, padded to a width
//! bucket, recognised and decoded with greedy CTC.  Resizing, rounding and
//! cropping follow PaddleOCR's and RapidOCR's conventions, because the
//! models' output on marginal text (nearby words joining into one box, a
//! space between them, a 10-pixel character) depends on them.

pub mod cards;
pub mod cls;
pub mod det;
pub mod geometry;
pub mod models;
mod offline;
pub mod rec;
pub mod resize;
pub mod runtime;

pub use offline::Local;

use anyhow::{Result, bail};
use geometry::{Point, dist, perspective_crop};
use image::RgbImage;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tract_linalg::multithread::{Executor, multithread_tract_scope};

/// Revision of what the engine reads from a picture: raised whenever a
/// change (models, resizing, detection, cropping, card understanding) can
/// change its results, so that results stored in `--out-dir` by another
/// revision are read again rather than reused.  Revision 2: detection input
/// stretched to multiples of 32, OpenCV-style resizing, rounded boxes,
/// bicubic crops, thin strips letterboxed. Revision 3: driving and vehicle
/// licences, business licences, passports, HK and social-security cards
/// read; the type scored, `other` when unsure. Revision 4: shapes seen a
/// few times run on rten, whose outputs differ from tract's by up to 2e-6.
pub const ENGINE_REVISION: u32 = 4;

/// A tract executor with `threads` threads (single-threaded for ≤ 1 or when
/// the pool cannot be created).
fn executor(threads: usize) -> Executor {
    if threads <= 1 {
        return Executor::SingleThread;
    }
    std::panic::catch_unwind(|| Executor::multithread_with_name(threads, "xocr-ocr"))
        .unwrap_or(Executor::SingleThread)
}

/// One recognised text line.
#[derive(Clone, Debug, PartialEq)]
pub struct TextLine {
    /// The text as read (UTF-8), never empty, without leading or trailing
    /// white space (inner spaces are kept as recognised).
    pub text: String,
    /// Mean of the per-character maximum probabilities, 0..1.
    pub confidence: f32,
    /// Box corners as `x, y` pairs, in the original picture's pixel
    /// coordinates (clamped to the picture): top-left, top-right,
    /// bottom-right, bottom-left as seen in the picture (for upside-down
    /// text the text's own first character is near the bottom-right).
    pub position: [i32; 8],
}

/// Options for [`Recognizer::load`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecognizerOptions {
    /// Long side, in pixels, the picture is resized to for text detection.
    /// A multiple of 32 in [`crate::engine::DET_MAX_SIDE_RANGE`]; default
    /// [`crate::engine::DEFAULT_DET_MAX_SIDE`].
    pub det_max_side: u32,
    /// Directory holding the three model files; `None` means
    /// `$XOCR_MODEL_DIR` if set, else the models embedded in the binary
    /// (cargo feature `embed-models`).
    pub model_dir: Option<PathBuf>,
}

impl Default for RecognizerOptions {
    fn default() -> Self {
        RecognizerOptions {
            det_max_side: crate::engine::DEFAULT_DET_MAX_SIDE,
            model_dir: None,
        }
    }
}

/// Wall-clock time spent in each stage of one [`Recognizer::recognize_timed`]
/// call (plan compilation on first use of a shape included).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StageTimes {
    /// Resize, detection model and DB post-processing.
    pub det: Duration,
    /// Direction classifier (zero when disabled or no boxes).
    pub cls: Duration,
    /// Recognition model and CTC decoding.
    pub rec: Duration,
    /// Number of boxes cut out and recognised (before the score filter).
    pub lines: usize,
}

/// Tuning knobs of a loaded engine (see [`Recognizer::with_tuning`]).
#[derive(Clone, Copy, Debug)]
pub struct Tuning {
    /// DB post-processing parameters.
    pub det: det::DetParams,
    /// Run the 0°/180° direction classifier (default true).
    pub use_cls: bool,
    /// Most line crops per recognition call (default 1: batching lines of
    /// one width bucket was measured slower with tract on this model).
    pub rec_batch: usize,
    /// Lines whose confidence is below this are dropped (0..1, default 0.5).
    pub min_text_score: f32,
    /// Threads used for one picture (default: the number of CPUs, at most
    /// 4): tract's matrix products in detection, and line crops spread over
    /// threads for classification and recognition.  1 keeps all work on the
    /// calling thread.
    pub threads: usize,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            det: det::DetParams::default(),
            use_cls: true,
            rec_batch: 1,
            min_text_score: 0.5,
            threads: std::thread::available_parallelism()
                .map(|n| n.get().min(4))
                .unwrap_or(1),
        }
    }
}

/// A loaded offline OCR engine.  `Send + Sync`: load it once and share it
/// (e.g. in an `Arc`) between worker threads; compiled plans are cached per
/// input shape behind mutexes.
pub struct Recognizer {
    det_max_side: u32,
    tuning: Tuning,
    det: runtime::ShapedModel,
    cls: runtime::ShapedModel,
    rec: runtime::ShapedModel,
    dict: Vec<String>,
    executor: Executor,
}

/// Calls of one detection input size run on rten before a tract plan is
/// compiled for it: a plan costs about 300 ms, rten about 90–160 ms more
/// per 736×960 call (issue 16's measurements, 2 and 1 threads).
const DET_COMPILE_AFTER: u32 = 3;
/// The same for the direction classifier's one shape: rten is as fast at 2
/// threads and 1.2 ms slower at 1, so a plan pays only in long batches.
const CLS_COMPILE_AFTER: u32 = 64;
/// The same for one recognition width bucket: rten is 8–40 ms slower per
/// line (48×320 to 48×800, 1 and 2 threads).
const REC_COMPILE_AFTER: u32 = 8;

// The engine is shared between threads by design.
const _: fn() = || {
    fn check<T: Send + Sync>() {}
    check::<Recognizer>();
};

/// Upper bound of a crop's short side before the resize to height 48, so
/// that huge pictures do not produce huge crops.
const CROP_MAX_SHORT: f32 = 96.0;
/// Boxes whose side is at most this many picture pixels are dropped (as in
/// PaddleOCR).
const MIN_CROP_SIDE: f32 = 3.0;
/// Most detection plans kept compiled at once (about 12 MB each; one per
/// input size, and pictures of other aspect ratios need other sizes).
const DET_PLANS: usize = 6;
/// Upper bound of a crop's long side, in pixels.
const CROP_MAX_LONG: f32 = 4096.0;

impl Recognizer {
    /// Loads and parses the three models (see [`RecognizerOptions::model_dir`]
    /// for where from) and reads the dictionary from the recognition
    /// model's metadata.  Plans are compiled lazily per input shape.
    ///
    /// Errors: `det_max_side` not a multiple of 32 in `32..=4096`; a model
    /// file missing, unreadable or not a valid ONNX model (the message names
    /// the file); no dictionary in the recognition model; a build without
    /// `embed-models` and no model directory.
    pub fn load(opts: &RecognizerOptions) -> Result<Self> {
        let m = opts.det_max_side;
        if !crate::engine::valid_det_max_side(m) {
            let r = crate::engine::DET_MAX_SIDE_RANGE;
            bail!(
                "det_max_side must be a multiple of 32 between {} and {}, got {m}",
                r.start(),
                r.end()
            );
        }
        let bytes = models::model_bytes(opts.model_dir.as_deref())?;
        let o = bytes.origin.as_str();
        let load = runtime::ShapedModel::load;
        let (det, _) = load(models::DET_FILE, bytes.det, o, DET_PLANS, DET_COMPILE_AFTER)?;
        let (cls, _) = load(models::CLS_FILE, bytes.cls, o, 2, CLS_COMPILE_AFTER)?;
        let max_rec = rec::WIDTH_BUCKETS.len();
        let (rec, meta) = load(models::REC_FILE, bytes.rec, o, max_rec, REC_COMPILE_AFTER)?;
        let dict = rec::dictionary(&meta).map_err(|e| {
            e.context(format!(
                "OCR model {} ({o}) is not a PP-OCR recognition model",
                models::REC_FILE,
            ))
        })?;
        let tuning = Tuning::default();
        Ok(Recognizer {
            det_max_side: m,
            executor: executor(tuning.threads),
            tuning,
            det,
            cls,
            rec,
            dict,
        })
    }

    /// Replaces the tuning knobs (builder style).
    pub fn with_tuning(mut self, tuning: Tuning) -> Self {
        if tuning.threads != self.tuning.threads {
            self.executor = executor(tuning.threads);
        }
        // One plan per width bucket and batch size (powers of two up to
        // rec_batch), so that warm runs never compile again.
        let batch_sizes = tuning.rec_batch.max(1).ilog2() as usize + 1;
        self.rec
            .set_max_plans(rec::WIDTH_BUCKETS.len() * batch_sizes);
        self.tuning = tuning;
        self
    }

    /// The current tuning knobs.
    pub fn tuning(&self) -> Tuning {
        self.tuning
    }

    /// Number of classes of the recognition dictionary (6,625 for the
    /// shipped model: blank, 6,623 characters, space).
    pub fn dictionary_len(&self) -> usize {
        self.dict.len()
    }

    /// Number of compiled tract plans (detection, classifier, recognition).
    pub fn plan_counts(&self) -> (usize, usize, usize) {
        (
            self.det.plan_count(),
            self.cls.plan_count(),
            self.rec.plan_count(),
        )
    }

    /// Calls run on each runtime so far (detection, classifier,
    /// recognition).
    pub fn runtime_counts(&self) -> [runtime::RuntimeCounts; 3] {
        [self.det.counts(), self.cls.counts(), self.rec.counts()]
    }

    /// Runs `f` with both runtimes on this engine's threads.
    fn scoped<R>(&self, f: impl FnOnce() -> R) -> R {
        multithread_tract_scope(self.executor.clone(), || {
            runtime::with_threads(self.tuning.threads, f)
        })
    }

    /// Recognises the text lines of `img`, in reading order (rows along the
    /// text's dominant direction, so skewed cards read right; left to right
    /// inside a row).  An empty (0-pixel), flat ([`det::is_flat`]) or
    /// text-free picture gives `Ok(vec![])`.
    ///
    /// Errors: only model failures (never for odd picture sizes or content).
    pub fn recognize(&self, img: &RgbImage) -> Result<Vec<TextLine>> {
        self.recognize_timed(img).map(|(lines, _)| lines)
    }

    /// As [`recognize`](Self::recognize), also returning the time spent in
    /// each stage (for benchmarks).
    pub fn recognize_timed(&self, img: &RgbImage) -> Result<(Vec<TextLine>, StageTimes)> {
        let mut times = StageTimes::default();
        let lines = self.scoped(|| self.recognize_inner(img, &mut times))?;
        Ok((lines.into_iter().map(|(l, _)| l).collect(), times))
    }

    /// As [`recognize`](Self::recognize), also giving for each line the
    /// degrees (0, 90, 180 or 270) its box had to be turned clockwise for
    /// the text to read upright: 270 for a tall box (text running top to
    /// bottom), plus 180 when the direction classifier found it upside
    /// down.  The lines' votes tell how the whole picture is turned.
    ///
    /// Errors: only model failures.
    pub fn recognize_turns(&self, img: &RgbImage) -> Result<Vec<(TextLine, u16)>> {
        let mut times = StageTimes::default();
        self.scoped(|| self.recognize_inner(img, &mut times))
    }

    /// Reads `line`, a picture holding one line of upright text (any size;
    /// it is resized to the recogniser's height 48), without detection: the
    /// text (trimmed) and its confidence, 0..1.  An empty picture gives an
    /// empty text and confidence 0.
    ///
    /// Errors: only model failures.
    pub fn read_line(&self, line: &RgbImage) -> Result<(String, f32)> {
        if line.width() == 0 || line.height() == 0 {
            return Ok((String::new(), 0.0));
        }
        let decoded = self.scoped(|| rec::recognize(&self.rec, &self.dict, &[line], 1, 1))?;
        Ok(decoded
            .into_iter()
            .next()
            .map(|d| (d.text.trim().to_string(), d.confidence))
            .unwrap_or_default())
    }

    fn recognize_inner(
        &self,
        img: &RgbImage,
        times: &mut StageTimes,
    ) -> Result<Vec<(TextLine, u16)>> {
        let (w, h) = img.dimensions();
        if w == 0 || h == 0 {
            return Ok(vec![]);
        }
        // Nothing the model could find text in (a blank page): no lines,
        // without the 0.4 s of a detection call.
        if det::is_flat(img) {
            return Ok(vec![]);
        }
        let t = Instant::now();
        let boxes = det::detect(&self.det, img, self.det_max_side, &self.tuning.det)?;
        times.det = t.elapsed();
        // Rectangles only to order the boxes; crops use the corners as found.
        let rects: Vec<geometry::RotRect> = boxes
            .iter()
            .map(|q| {
                geometry::min_area_rect(q).unwrap_or(geometry::RotRect {
                    center: q[0],
                    width: 0.0,
                    height: 0.0,
                    angle: 0.0,
                })
            })
            .collect();
        let order = geometry::reading_order(&rects);
        let mut quads: Vec<[Point; 4]> = Vec::new();
        let mut crops: Vec<RgbImage> = Vec::new();
        let mut turns: Vec<u16> = Vec::new();
        for i in order {
            let q = boxes[i];
            // Whole pixels, truncated, as PaddleOCR sizes its crops.
            if dist(q[0], q[1]).floor() <= MIN_CROP_SIDE
                || dist(q[0], q[3]).floor() <= MIN_CROP_SIDE
            {
                continue;
            }
            let cw = dist(q[0], q[1]).max(dist(q[3], q[2])).floor();
            let ch = dist(q[0], q[3]).max(dist(q[1], q[2])).floor();
            let s = (CROP_MAX_SHORT / cw.min(ch))
                .min(CROP_MAX_LONG / cw.max(ch))
                .min(1.0);
            let (ow, oh) = (
                (cw * s).floor().max(1.0) as u32,
                (ch * s).floor().max(1.0) as u32,
            );
            let Some(mut crop) = perspective_crop(img, &q, ow, oh) else {
                continue;
            };
            let mut turn = 0;
            if oh as f32 >= 1.5 * ow as f32 {
                // Vertical text: turn a quarter counter-clockwise.
                crop = image::imageops::rotate270(&crop);
                turn = 270;
            }
            turns.push(turn);
            quads.push(q);
            crops.push(crop);
        }
        if crops.is_empty() {
            return Ok(vec![]);
        }
        times.lines = crops.len();
        let t = Instant::now();
        if self.tuning.use_cls {
            let refs: Vec<&RgbImage> = crops.iter().collect();
            let flip = cls::upside_down(&self.cls, &refs, self.tuning.threads)?;
            for ((crop, f), turn) in crops.iter_mut().zip(flip).zip(turns.iter_mut()) {
                if f {
                    image::imageops::rotate180_in_place(crop);
                    *turn = (*turn + 180) % 360;
                }
            }
        }
        times.cls = t.elapsed();
        let t = Instant::now();
        let refs: Vec<&RgbImage> = crops.iter().collect();
        let decoded = rec::recognize(
            &self.rec,
            &self.dict,
            &refs,
            self.tuning.rec_batch,
            self.tuning.threads,
        )?;
        times.rec = t.elapsed();
        Ok(decoded
            .into_iter()
            .zip(quads)
            .zip(turns)
            .filter(|((d, _), _)| {
                !d.text.trim().is_empty() && d.confidence >= self.tuning.min_text_score
            })
            .map(|((mut d, q), turn)| {
                d.text = d.text.trim().to_string();
                let mut position = [0i32; 8];
                for (k, p) in q.iter().enumerate() {
                    position[2 * k] = p[0].round() as i32;
                    position[2 * k + 1] = p[1].round() as i32;
                }
                (
                    TextLine {
                        text: d.text,
                        confidence: d.confidence,
                        position,
                    },
                    turn,
                )
            })
            .collect())
    }
}
