//! Loading the three PP-OCR ONNX models and compiling tract plans per
//! concrete input shape.
//!
//! tract cannot keep these models' spatial input sizes symbolic, so each
//! model is parsed once into an [`InferenceModel`] and a runnable plan is
//! compiled lazily for every input shape that is actually used (about 0.3 s
//! each), then cached behind a mutex and shared by all threads.  A plan
//! holds about 12 MB for the detection model, so each model keeps at most a
//! fixed number of plans and drops the least recently used one first.

use anyhow::{Context, Result, anyhow, bail};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tract_onnx::prelude::*;

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

type Plan = Arc<TypedRunnableModel>;
/// A value being made or made (`None` until made): a plan, in use.
type Slot<T> = Arc<Mutex<Option<T>>>;

/// Compiled plans (`T`) by input shape, with the tick of each one's last
/// use.
struct PlanCache<T> {
    /// One slot per input shape; a slot stays `None` until its plan compiled.
    slots: HashMap<Vec<usize>, (Slot<T>, u64)>,
    /// Incremented on every lookup.
    tick: u64,
}

impl<T> Default for PlanCache<T> {
    fn default() -> Self {
        PlanCache {
            slots: HashMap::new(),
            tick: 0,
        }
    }
}

impl<T> PlanCache<T> {
    /// The slot for `shape`, created if missing; marks it used.  When a new
    /// slot would exceed `max`, the least recently used slot that is not
    /// being compiled is dropped first (threads running its plan keep their
    /// own reference).  While every slot is being compiled, the cache grows
    /// past `max` for that moment (at most by the number of threads).
    fn slot(&mut self, shape: &[usize], max: usize) -> Slot<T> {
        self.tick += 1;
        let tick = self.tick;
        if let Some((slot, used)) = self.slots.get_mut(shape) {
            *used = tick;
            return slot.clone();
        }
        if self.slots.len() >= max.max(1) {
            let oldest = self
                .slots
                .iter()
                // Not being compiled right now (a failed compile leaves an
                // unlocked empty slot, which may go too).
                .filter(|(_, (slot, _))| slot.try_lock().is_ok())
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                self.slots.remove(&k);
            }
        }
        let slot: Slot<T> = Arc::new(Mutex::new(None));
        self.slots.insert(shape.to_vec(), (slot.clone(), tick));
        slot
    }
}

/// One ONNX model with a bounded cache of plans compiled per input shape.
pub(crate) struct ShapedModel {
    name: &'static str,
    base: InferenceModel,
    plans: Mutex<PlanCache<Plan>>,
    /// Most plans kept at once.
    max_plans: usize,
}

impl ShapedModel {
    /// Parses an ONNX model; returns it with its `metadata_props`.  At most
    /// `max_plans` compiled plans (one per input shape) are kept.
    ///
    /// Errors: the bytes are not a valid ONNX model tract can translate.
    pub fn parse(
        name: &'static str,
        bytes: &[u8],
        origin: &str,
        max_plans: usize,
    ) -> Result<(Self, HashMap<String, String>)> {
        let onnx = tract_onnx::onnx();
        let proto = onnx
            .proto_model_for_read(&mut &bytes[..])
            .map_err(|e| anyhow!("{e:?}"))
            .with_context(|| format!("OCR model {name} ({origin}) is not a valid ONNX file"))?;
        let meta = proto
            .metadata_props
            .iter()
            .map(|p| (p.key.clone(), p.value.clone()))
            .collect();
        let base = onnx
            .model_for_proto_model(&proto)
            .map_err(|e| anyhow!("{e:?}"))
            .with_context(|| format!("OCR model {name} ({origin}) cannot be loaded by tract"))?;
        if base.input_outlets()?.len() != 1 || base.output_outlets()?.is_empty() {
            bail!("OCR model {name} ({origin}) must have exactly one input and an output");
        }
        Ok((
            ShapedModel {
                name,
                base,
                plans: Mutex::new(PlanCache::default()),
                max_plans,
            },
            meta,
        ))
    }

    /// The plan for input `shape` (NCHW), compiled on first use (or again
    /// after it was dropped from the cache).  Threads needing different new
    /// shapes compile them in parallel; threads needing the same one wait for
    /// a single compilation.
    fn plan(&self, shape: &[usize]) -> Result<Plan> {
        let slot = {
            let mut plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
            plans.slot(shape, self.max_plans)
        };
        let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = slot.as_ref() {
            return Ok(p.clone());
        }
        let plan = self
            .base
            .clone()
            .with_input_fact(0, f32::fact(shape).into())
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(|e| anyhow!("{e:?}"))
            .with_context(|| format!("compiling OCR model {} for input {shape:?}", self.name))?;
        *slot = Some(plan.clone());
        Ok(plan)
    }

    /// Keeps at most `n` plans from now on (at least 1).
    pub fn set_max_plans(&mut self, n: usize) {
        self.max_plans = n.max(1);
    }

    /// Number of compiled plans held now.
    pub fn plan_count(&self) -> usize {
        let plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
        plans
            .slots
            .values()
            .filter(|(s, _)| s.lock().unwrap_or_else(|e| e.into_inner()).is_some())
            .count()
    }

    /// Runs the model on one NCHW f32 input of `shape` (`data.len()` must be
    /// the product of `shape`); returns the first output's shape and values.
    pub fn run(&self, shape: &[usize], data: &[f32]) -> Result<(Vec<usize>, Vec<f32>)> {
        let plan = self.plan(shape)?;
        let input = Tensor::from_shape(shape, data).map_err(|e| anyhow!("{e:?}"))?;
        let out = plan
            .run(tvec!(input.into_tvalue()))
            .map_err(|e| anyhow!("{e:?}"))
            .with_context(|| format!("running OCR model {} on {shape:?}", self.name))?;
        let t = out
            .first()
            .ok_or_else(|| anyhow!("OCR model {} gave no output", self.name))?;
        let view = t
            .to_plain_array_view::<f32>()
            .map_err(|e| anyhow!("{e:?}"))
            .with_context(|| format!("OCR model {} output is not f32", self.name))?;
        Ok((view.shape().to_vec(), view.iter().copied().collect()))
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

/// Maps `f` over `items` on up to `threads` scoped threads (the calling
/// thread included); results are in `items` order.  The first error wins.
/// A panicking job is reported as an error, not propagated.
pub(crate) fn par_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> Result<R> + Sync,
) -> Result<Vec<R>> {
    let threads = threads.clamp(1, items.len().max(1));
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<Result<R>>>> = items.iter().map(|_| Mutex::new(None)).collect();
    let work = || loop {
        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let Some(item) = items.get(i) else { break };
        // Parallel over items, so each call stays on its own thread.
        let single = tract_linalg::multithread::Executor::SingleThread;
        let call = || tract_linalg::multithread::multithread_tract_scope(single, || f(item));
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(call))
            .unwrap_or_else(|_| Err(anyhow!("an OCR worker thread panicked")));
        *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
    };
    std::thread::scope(|s| {
        for _ in 1..threads {
            s.spawn(work);
        }
        work();
    });
    slots
        .into_iter()
        .map(|m| {
            m.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or_else(|| Err(anyhow!("an OCR job did not run")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_cache_drops_least_recently_used() {
        let mut c: PlanCache<u32> = PlanCache::default();
        let fill = |s: Slot<u32>, v| *s.lock().unwrap() = Some(v);
        fill(c.slot(&[1], 2), 1);
        fill(c.slot(&[2], 2), 2);
        // Using [1] again makes [2] the least recently used.
        assert_eq!(*c.slot(&[1], 2).lock().unwrap(), Some(1));
        fill(c.slot(&[3], 2), 3);
        assert_eq!(c.slots.len(), 2);
        assert!(c.slots.contains_key(&vec![1]) && c.slots.contains_key(&vec![3]));
        // A slot being compiled (locked) is never dropped.
        let pending = c.slot(&[4], 2);
        let compiling = pending.lock().unwrap();
        let _ = c.slot(&[5], 2);
        assert!(c.slots.contains_key(&vec![4]), "{:?}", c.slots.keys());
        assert!(!c.slots.contains_key(&vec![3]), "{:?}", c.slots.keys());
        drop(compiling);
        // One whose compile failed (unlocked, empty) may be dropped.
        let _ = c.slot(&[6], 2);
        assert!(!c.slots.contains_key(&vec![4]), "{:?}", c.slots.keys());
        assert_eq!(c.slots.len(), 2);
    }
}
