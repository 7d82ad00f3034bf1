//! One ONNX model on two runtimes, chosen per input shape.
//!
//! tract runs these models fastest once a plan is compiled for an input
//! shape, but compiling one costs 220–360 ms (it cannot keep the spatial
//! sizes symbolic).  rten runs any shape with nothing to compile, 1.2–1.7×
//! slower warm, with outputs equal to onnxruntime's within 2e-6 (issue 16's
//! probe; BENCHMARKS.md).  So a shape runs on rten until it has been used
//! more often than its model's `compile_after`, the break-even between one
//! compilation and rten's extra time per call; then a tract plan is
//! compiled once (by the thread that crosses the mark, while other threads
//! go on with rten) and used from then on.  One card therefore compiles
//! little or nothing, and a batch compiles each recurring shape once.
//!
//! Plans hold about 12 MB for the detection model, so each model keeps at
//! most a fixed number and drops the least recently used one first.

use anyhow::{Context, Result, anyhow, bail};
use rten_tensor::prelude::*;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, TryLockError};
use tract_onnx::prelude::*;

type Plan = Arc<TypedRunnableModel>;
/// A plan being compiled or compiled: `None` until done, then `Some(None)`
/// when tract could not compile the shape (it stays on rten).
type Slot<T> = Arc<Mutex<Option<Option<T>>>>;

/// Compiled plans (`T`) by input shape, with the tick of each one's last
/// use.
struct PlanCache<T> {
    /// One slot per input shape.
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

    /// Whether a slot for `shape` exists (compiled, failed or compiling).
    fn has(&self, shape: &[usize]) -> bool {
        self.slots.contains_key(shape)
    }
}

/// Most input shapes whose uses are counted; past it the counts start over
/// (pictures of a thousand sizes must not grow memory without bound).
const MAX_COUNTED_SHAPES: usize = 4096;

/// How calls were shared between the runtimes (for benchmarks and tests).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RuntimeCounts {
    /// Calls run by rten.
    pub rten_calls: u64,
    /// Calls run by a compiled tract plan.
    pub tract_calls: u64,
    /// tract plans compiled.
    pub compiled: u64,
}

/// One ONNX model: rten for rarely used shapes, tract plans for the others.
pub(crate) struct ShapedModel {
    name: &'static str,
    origin: String,
    bytes: Cow<'static, [u8]>,
    /// `None` when rten cannot load the model: every shape then goes to
    /// tract.
    rten: Option<rten::Model>,
    /// tract's parse of the model, made on the first compilation.
    tract: OnceLock<std::result::Result<InferenceModel, String>>,
    plans: Mutex<PlanCache<Plan>>,
    uses: Mutex<HashMap<Vec<usize>, u32>>,
    counts: Mutex<RuntimeCounts>,
    /// Most plans kept at once.
    max_plans: usize,
    /// Calls of one shape run by rten before a tract plan is compiled.
    compile_after: u32,
}

impl ShapedModel {
    /// Loads an ONNX model with rten; returns it with its `metadata_props`
    /// (key → value).  tract parses it only when it first compiles a plan.
    /// At most `max_plans` tract plans (one per input shape) are kept; a
    /// shape's first `compile_after` calls run on rten (0: tract always).
    ///
    /// Errors: the bytes are not an ONNX model with one input and an
    /// output that rten or tract can load.
    pub fn load(
        name: &'static str,
        bytes: Cow<'static, [u8]>,
        origin: &str,
        max_plans: usize,
        compile_after: u32,
    ) -> Result<(Self, HashMap<String, String>)> {
        let loaded = match &bytes {
            Cow::Borrowed(b) => rten::Model::load_static_slice(b),
            Cow::Owned(v) => rten::Model::load(v.clone()),
        };
        let model = ShapedModel {
            name,
            origin: origin.to_string(),
            bytes,
            rten: None,
            tract: OnceLock::new(),
            plans: Mutex::new(PlanCache::default()),
            uses: Mutex::new(HashMap::new()),
            counts: Mutex::new(RuntimeCounts::default()),
            max_plans,
            compile_after,
        };
        match loaded {
            Ok(r) if r.input_ids().len() == 1 && !r.output_ids().is_empty() => {
                let meta = r
                    .metadata()
                    .fields()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                Ok((
                    ShapedModel {
                        rten: Some(r),
                        ..model
                    },
                    meta,
                ))
            }
            // rten cannot take it: tract must, for every shape.
            _ => {
                let meta = model.tract_parse_meta()?;
                Ok((
                    ShapedModel {
                        compile_after: 0,
                        ..model
                    },
                    meta,
                ))
            }
        }
    }

    /// Parses the model with tract now (keeping the parse); returns its
    /// `metadata_props`.
    fn tract_parse_meta(&self) -> Result<HashMap<String, String>> {
        let (base, meta) = tract_parse(self.name, &self.origin, &self.bytes)?;
        let _ = self.tract.set(Ok(base));
        Ok(meta)
    }

    /// tract's parse of the model, made on first use.
    fn tract_base(&self) -> Result<&InferenceModel> {
        let parsed = self.tract.get_or_init(|| {
            tract_parse(self.name, &self.origin, &self.bytes)
                .map(|(base, _)| base)
                .map_err(|e| format!("{e:#}"))
        });
        parsed.as_ref().map_err(|e| anyhow!("{e}"))
    }

    /// Keeps at most `n` plans from now on (at least 1).
    pub fn set_max_plans(&mut self, n: usize) {
        self.max_plans = n.max(1);
    }

    /// Number of compiled tract plans held now.
    pub fn plan_count(&self) -> usize {
        let plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
        plans
            .slots
            .values()
            .filter(|(s, _)| matches!(*s.lock().unwrap_or_else(|e| e.into_inner()), Some(Some(_))))
            .count()
    }

    /// How many calls each runtime ran, and plans compiled, so far.
    pub fn counts(&self) -> RuntimeCounts {
        *self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts a use of `shape`; returns the count.
    fn count_use(&self, shape: &[usize]) -> u32 {
        let mut uses = self.uses.lock().unwrap_or_else(|e| e.into_inner());
        if uses.len() >= MAX_COUNTED_SHAPES && !uses.contains_key(shape) {
            uses.clear();
        }
        let n = uses.entry(shape.to_vec()).or_insert(0);
        *n = n.saturating_add(1);
        *n
    }

    /// The tract plan to run `shape` with, or `None` for rten: none while
    /// the shape is under its `compile_after` uses, nor while another
    /// thread compiles it, nor when tract could not compile it.  The thread
    /// that finds the shape due compiles its plan.
    fn tract_plan(&self, shape: &[usize]) -> Option<Plan> {
        let uses = self.count_use(shape);
        let slot = {
            let mut plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
            if uses <= self.compile_after && !plans.has(shape) {
                return None;
            }
            plans.slot(shape, self.max_plans)
        };
        let mut done = match slot.try_lock() {
            Ok(g) => g,
            Err(TryLockError::Poisoned(e)) => e.into_inner(),
            // Being compiled: rten meanwhile (tract alone must wait).
            Err(TryLockError::WouldBlock) if self.rten.is_some() => return None,
            Err(TryLockError::WouldBlock) => slot.lock().unwrap_or_else(|e| e.into_inner()),
        };
        if let Some(p) = done.as_ref() {
            return p.clone();
        }
        let plan = self.compile(shape).ok();
        if plan.is_some() {
            self.counts
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .compiled += 1;
        }
        *done = Some(plan.clone());
        plan
    }

    /// Compiles a tract plan for input `shape`.
    fn compile(&self, shape: &[usize]) -> Result<Plan> {
        self.tract_base()?
            .clone()
            .with_input_fact(0, f32::fact(shape).into())
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(|e| anyhow!("{e:?}"))
            .with_context(|| format!("compiling OCR model {} for input {shape:?}", self.name))
    }

    /// Runs the model on one NCHW f32 input of `shape`; returns the first
    /// output's shape and values.  rten runs it on the thread pool of the
    /// innermost [`with_threads`] scope.
    ///
    /// Errors: `data.len()` is not the product of `shape`; the model fails
    /// on the input (on both runtimes when tract could not compile it).
    pub fn run(&self, shape: &[usize], data: &[f32]) -> Result<(Vec<usize>, Vec<f32>)> {
        if data.len() != shape.iter().product::<usize>() {
            bail!(
                "OCR model {} input of {} values does not fill shape {shape:?}",
                self.name,
                data.len()
            );
        }
        match self.tract_plan(shape) {
            Some(plan) => {
                let out = self.run_tract(&plan, shape, data);
                self.counts
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .tract_calls += 1;
                out
            }
            None => match &self.rten {
                Some(model) => {
                    let out = self.run_rten(model, shape, data);
                    self.counts
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .rten_calls += 1;
                    out
                }
                // tract alone, and it could not compile this shape: why.
                None => Err(self.compile(shape).err().unwrap_or_else(|| {
                    anyhow!("OCR model {} has no plan for {shape:?}", self.name)
                })),
            },
        }
    }

    fn run_tract(
        &self,
        plan: &Plan,
        shape: &[usize],
        data: &[f32],
    ) -> Result<(Vec<usize>, Vec<f32>)> {
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

    fn run_rten(
        &self,
        model: &rten::Model,
        shape: &[usize],
        data: &[f32],
    ) -> Result<(Vec<usize>, Vec<f32>)> {
        let input = rten_tensor::TensorView::from_data(shape, data);
        let opts = rten::RunOptions::default().with_thread_pool(Some(current_pool()));
        let out = model
            .run_one(input.into(), Some(opts))
            .map_err(|e| anyhow!("{e}"))
            .with_context(|| format!("running OCR model {} on {shape:?}", self.name))?;
        let t = out
            .into_tensor::<f32>()
            .ok_or_else(|| anyhow!("OCR model {} output is not f32", self.name))?;
        Ok((t.shape().to_vec(), t.to_vec()))
    }
}

/// tract's parse of ONNX `bytes` and its `metadata_props` (key → value).
///
/// Errors, naming `name` and `origin`: not a valid ONNX file; a model tract
/// cannot translate; not one input and at least one output.
fn tract_parse(
    name: &str,
    origin: &str,
    bytes: &[u8],
) -> Result<(InferenceModel, HashMap<String, String>)> {
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
    Ok((base, meta))
}

thread_local! {
    /// The rten pool of the innermost [`with_threads`] scope on this thread.
    static POOL: RefCell<Option<Arc<rten::ThreadPool>>> = const { RefCell::new(None) };
    /// This thread's own one-thread pool, made on first use.
    static SINGLE: RefCell<Option<Arc<rten::ThreadPool>>> = const { RefCell::new(None) };
}

/// Shared pools by thread count (2 and more).
static SHARED: OnceLock<Mutex<HashMap<usize, Arc<rten::ThreadPool>>>> = OnceLock::new();

/// The pool for `threads`: with 1, this thread's own (so that workers
/// calling from different threads never wait for each other); with more, one
/// pool of that size shared by every caller.
fn pool_for(threads: usize) -> Arc<rten::ThreadPool> {
    if threads <= 1 {
        return SINGLE.with(|s| {
            s.borrow_mut()
                .get_or_insert_with(|| Arc::new(rten::ThreadPool::with_num_threads(1)))
                .clone()
        });
    }
    let shared = SHARED.get_or_init(|| Mutex::new(HashMap::new()));
    let mut pools = shared.lock().unwrap_or_else(|e| e.into_inner());
    pools
        .entry(threads)
        .or_insert_with(|| Arc::new(rten::ThreadPool::with_num_threads(threads)))
        .clone()
}

/// The pool rten runs on here: the innermost scope's, else one thread.
fn current_pool() -> Arc<rten::ThreadPool> {
    POOL.with(|p| p.borrow().clone())
        .unwrap_or_else(|| pool_for(1))
}

/// Runs `f` with rten's work on `threads` threads (as tract's executor
/// scope does for tract); the previous setting is restored afterwards, even
/// when `f` panics.
pub(crate) fn with_threads<R>(threads: usize, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Arc<rten::ThreadPool>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let prev = self.0.take();
            POOL.with(|p| *p.borrow_mut() = prev);
        }
    }
    let pool = pool_for(threads);
    let _restore = Restore(POOL.with(|p| p.borrow_mut().replace(pool)));
    f()
}

/// Maps `f` over `items` on up to `threads` scoped threads (the calling
/// thread included); results are in `items` order.  The first error wins.
/// A panicking job is reported as an error, not propagated.  Each call runs
/// single-threaded on either runtime, since the items are the parallelism.
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
        let single = tract_linalg::multithread::Executor::SingleThread;
        let call = || {
            tract_linalg::multithread::multithread_tract_scope(single, || {
                with_threads(1, || f(item))
            })
        };
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
        let fill = |s: Slot<u32>, v| *s.lock().unwrap() = Some(Some(v));
        fill(c.slot(&[1], 2), 1);
        fill(c.slot(&[2], 2), 2);
        // Using [1] again makes [2] the least recently used.
        assert_eq!(*c.slot(&[1], 2).lock().unwrap(), Some(Some(1)));
        fill(c.slot(&[3], 2), 3);
        assert_eq!(c.slots.len(), 2);
        assert!(c.has(&[1]) && c.has(&[3]) && !c.has(&[2]));
        // A slot being compiled (locked) is never dropped.
        let pending = c.slot(&[4], 2);
        let compiling = pending.lock().unwrap();
        let _ = c.slot(&[5], 2);
        assert!(c.has(&[4]), "{:?}", c.slots.keys());
        assert!(!c.has(&[3]), "{:?}", c.slots.keys());
        drop(compiling);
        // One whose compile failed (unlocked, empty) may be dropped.
        let _ = c.slot(&[6], 2);
        assert!(!c.has(&[4]), "{:?}", c.slots.keys());
        assert_eq!(c.slots.len(), 2);
    }

    #[test]
    fn with_threads_restores_the_outer_pool_even_after_a_panic() {
        let outer = with_threads(2, || {
            let inner = with_threads(1, current_pool);
            let r = std::panic::catch_unwind(|| with_threads(1, || panic!("boom")));
            assert!(r.is_err());
            (current_pool(), inner)
        });
        assert!(Arc::ptr_eq(&outer.0, &pool_for(2)));
        assert!(Arc::ptr_eq(&outer.1, &pool_for(1)));
        assert!(!Arc::ptr_eq(&outer.0, &outer.1));
        // Outside every scope: this thread's one-thread pool.
        assert!(Arc::ptr_eq(&current_pool(), &pool_for(1)));
    }

    #[test]
    fn bytes_that_are_not_onnx_fail_naming_the_file() {
        let bytes = Cow::Owned(b"not a model".to_vec());
        let err = ShapedModel::load("x.onnx", bytes, "/models", 1, 3)
            .err()
            .expect("garbage loads");
        let msg = format!("{err:#}");
        assert!(
            msg.contains("x.onnx (/models) is not a valid ONNX file"),
            "{msg}"
        );
    }

    /// The classifier (the smallest model): a shape's first calls run on
    /// rten, then one plan is compiled and tract runs it, with the same
    /// output.
    #[cfg(feature = "embed-models")]
    #[test]
    fn a_shape_moves_to_tract_after_its_rten_calls_with_the_same_output() {
        let bytes = super::super::models::model_bytes(None).unwrap();
        let (m, _) = ShapedModel::load("cls", bytes.cls, "embedded", 2, 2).unwrap();
        let shape = [1, 3, 48, 192];
        let data: Vec<f32> = (0..3 * 48 * 192)
            .map(|i| ((i * 37) % 255) as f32 / 127.5 - 1.0)
            .collect();
        let outs: Vec<_> = (0..4).map(|_| m.run(&shape, &data).unwrap()).collect();
        let c = m.counts();
        assert_eq!((c.rten_calls, c.tract_calls, c.compiled), (2, 2, 1));
        assert_eq!(m.plan_count(), 1);
        for (s, v) in &outs {
            assert_eq!(s, &vec![1, 2]);
            for (a, b) in v.iter().zip(&outs[0].1) {
                assert!((a - b).abs() < 1e-4, "{v:?} vs {:?}", outs[0].1);
            }
        }
        // A wrong input length is an error, not a panic.
        assert!(m.run(&shape, &data[1..]).is_err());
    }
}
