//! The offline engine behind the engine seam: the recogniser loaded once for
//! all workers, and card understanding turning its lines into a
//! [`crate::engine::Reading`] with the service's keys.

use anyhow::Result;

use super::{Recognizer, RecognizerOptions, cards};
use crate::engine::Failure;

/// The offline engine: the recogniser, shared by the workers, and the tag
/// its readings are stored under.
pub struct Local {
    recognizer: Recognizer,
    tag: String,
}

impl Local {
    /// Loads the recogniser for `workers` pictures in work at once: with
    /// several workers each picture runs on one thread; a lone worker uses
    /// up to 4 cores. `det_max_side`: see [`RecognizerOptions::det_max_side`].
    ///
    /// Errors: as [`Recognizer::load`] (a bad detection size, a model file
    /// missing or invalid).
    pub fn load(det_max_side: u32, workers: usize) -> Result<Local> {
        let recognizer = Recognizer::load(&RecognizerOptions {
            det_max_side,
            model_dir: None,
        })?;
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut tuning = recognizer.tuning();
        tuning.threads = (cores / workers.max(1)).clamp(1, 4);
        Ok(Local {
            recognizer: recognizer.with_tuning(tuning),
            tag: format!("local-r{}-d{det_max_side}", super::ENGINE_REVISION),
        })
    }

    /// What its readings are stored under in `--out-dir`:
    /// `local-r<revision>-d<size>`, so a reading by another engine revision
    /// or at another detection size is read again, not reused.
    pub fn store_tag(&self) -> &str {
        &self.tag
    }

    /// Decodes `picture` (file bytes as preflight prepared them) and reads
    /// it as the service would ([`cards::read_card`]): the reading and the
    /// classifier's evidence. Fails with a
    /// file-class [`Failure`] when the picture cannot be decoded or a model
    /// fails.
    pub fn read(&self, picture: &[u8]) -> Result<cards::Card, Failure> {
        let img = image::load_from_memory(picture)
            .map_err(|e| Failure::file(format!("cannot decode the picture: {e}")))?
            .to_rgb8();
        cards::read_card(&self.recognizer, &img)
            .map_err(|e| Failure::file(format!("offline recogniser failed: {e:#}")))
    }
}
