//! Writing a record's pictures with `--save-images`: each written by the
//! [`PictureNamer`] under a name no other picture has, and listed in the
//! record.

use std::collections::HashSet;

use super::build::PictureBytes;
use crate::images::PictureNamer;
use crate::record::{Class, ErrorInfo, Record};

/// Most pictures saved of one input: a reading has three (portrait, crop,
/// ID-number strip), a few more for documents with several people; a
/// reply within the reply limit could otherwise have xocr write and sync
/// hundreds of thousands of files.
pub const MAX_SAVED_PICTURES: usize = 64;

/// Writes the `pictures` of input number `index` (page `page` of it, for a
/// file of pages) and lists their paths in `record` (`saved`, and each
/// item's `picture.saved`): the first [`MAX_SAVED_PICTURES`], with a
/// warning in the record when there are more. The first failure stops the
/// writing (the next pictures would fail alike) and fails the record with an
/// `output`-class error; its fields are kept.
pub fn save(
    namer: &PictureNamer,
    (index, page): (usize, Option<usize>),
    record: &mut Record,
    pictures: Vec<PictureBytes>,
) {
    let mut taken = HashSet::new();
    if pictures.len() > MAX_SAVED_PICTURES {
        record.warnings.push(format!(
            "the reading holds {} pictures: the first {MAX_SAVED_PICTURES} saved, the rest not",
            pictures.len()
        ));
    }
    for p in pictures.into_iter().take(MAX_SAVED_PICTURES) {
        let path = match namer.save((index, page), &p.key, p.format, &p.bytes, &mut taken) {
            Ok(path) => path,
            Err(e) => {
                record.ok = false;
                record.error = Some(ErrorInfo {
                    hint: Some("check that --save-images names a writable directory".into()),
                    ..ErrorInfo::new(Class::Output, format!("cannot save pictures: {e:#}"))
                });
                return;
            }
        };
        let shown = path.to_string_lossy().into_owned();
        if let Some(pic) = p
            .item
            .and_then(|i| record.items.get_mut(i))
            .and_then(|item| item.picture.as_mut())
        {
            pic.saved = Some(shown.clone());
        }
        record.saved.push(shown);
    }
}
