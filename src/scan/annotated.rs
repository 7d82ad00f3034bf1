//! `--annotate`: a record's picture written with its items' boxes drawn
//! ([`crate::annotate`]), under a name as `--save-images` gives, and its
//! path listed in the record.

use std::collections::HashSet;

use crate::annotate::{self, Frame, Kind, Mark};
use crate::images::PictureNamer;
use crate::record::{Class, ErrorInfo, Record};

/// The key the annotated picture is named with: `<stem>.annotated.jpg`.
pub const KEY: &str = "annotated";

/// The item whose position is the document's outline: the crop's.
const OUTLINE_KEY: &str = "crop_image";

/// Draws the boxes of `record`'s items on `picture` (the bytes the engine
/// read), writes it for input number `index` (page `page`), and sets
/// `record.annotated`. A picture that cannot be drawn on gets a warning in
/// the record; one that cannot be written fails the record with an
/// `output`-class error (its fields are kept), as a picture of
/// `--save-images` does.
pub fn write(
    namer: &PictureNamer,
    (index, page): (usize, Option<usize>),
    record: &mut Record,
    picture: &[u8],
) {
    let failed: HashSet<&str> = record.failed_checks().map(|c| c.field.as_str()).collect();
    let marks: Vec<Mark> = record
        .items
        .iter()
        .filter(|i| !i.position.is_empty())
        .map(|i| Mark {
            label: &i.key,
            position: &i.position,
            kind: if i.key == OUTLINE_KEY {
                Kind::Outline
            } else if failed.contains(i.key.as_str()) {
                Kind::Failed
            } else {
                Kind::Item
            },
        })
        .collect();
    let frame = Frame {
        turn: record.image_angle.unwrap_or(0),
        size: (
            record.rotated_image_width.unwrap_or(0),
            record.rotated_image_height.unwrap_or(0),
        ),
    };
    let jpeg = match annotate::annotate(picture, frame, &marks) {
        Ok(jpeg) => jpeg,
        Err(e) => {
            record.warnings.push(format!("not annotated: {e}"));
            return;
        }
    };
    match namer.save((index, page), KEY, "jpeg", &jpeg, &mut HashSet::new()) {
        Ok(path) => record.annotated = Some(path.to_string_lossy().into_owned()),
        Err(e) => {
            record.ok = false;
            record.error = Some(ErrorInfo {
                hint: Some("check that --annotate names a writable directory".into()),
                ..ErrorInfo::new(
                    Class::Output,
                    format!("cannot write the annotated picture: {e:#}"),
                )
            });
        }
    }
}
