//! Checks a picture before any request is spent on it.
//! (Minimal: sniff the format; the full preflight replaces this module.)

use crate::images::picture_format;

/// Options of the preflight.
#[derive(Debug, Clone)]
pub struct Options {
    pub convert: bool,
}

/// What to upload.
pub struct Prepared {
    pub bytes: Vec<u8>,
    pub preprocess: Option<String>,
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PreflightError {
    #[error("empty file")]
    Empty,
    #[error("not a picture")]
    NotPicture,
}

pub fn prepare(bytes: Vec<u8>, _opts: &Options) -> Result<Prepared, PreflightError> {
    if bytes.is_empty() {
        return Err(PreflightError::Empty);
    }
    if picture_format(&bytes).is_none() {
        return Err(PreflightError::NotPicture);
    }
    Ok(Prepared {
        bytes,
        preprocess: None,
        warnings: Vec::new(),
    })
}
