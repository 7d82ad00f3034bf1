//! A reading turned into a record, as a pure function: picture fields told
//! from text, values normalised, checks run, `--fields` applied, `--strict`
//! judged. Writing the pictures is [`super::pictures`]'s.

use crate::config::Checks;
use crate::engine::Reading;
use crate::fields::{self, Check, FieldRef};
use crate::images;
use crate::record::{Class, ErrorInfo, Item, Picture, Record};

/// What a record keeps of a reading.
#[derive(Debug, Clone)]
pub struct RecordOptions {
    /// Keys to keep (`--fields`); empty keeps all.
    pub fields: Vec<String>,
    /// Keep picture values as base64 (`--include-images`).
    pub include_images: bool,
    /// "Today" for the checks, and `--strict`.
    pub checks: Checks,
    /// The record's `engine` (`local` offline, `None` for the service).
    pub engine: Option<&'static str>,
}

/// A picture field's decoded bytes, to be saved.
#[derive(Debug)]
pub struct PictureBytes {
    /// The item's key.
    pub key: String,
    /// `jpeg`, `png`, … ([`images::picture_format`]).
    pub format: &'static str,
    /// The picture file's bytes.
    pub bytes: Vec<u8>,
    /// Its index in the record's items; `None` when `--fields` left it out
    /// (it is still saved).
    pub item: Option<usize>,
}

/// Turns `reading` of input `file` into a record and the pictures it holds.
/// `checks` are given for a masked stored result (made on the values as
/// read); otherwise they are run here on every text field, also those
/// `--fields` leaves out.
pub fn build_record(
    opts: &RecordOptions,
    file: &str,
    reading: Reading,
    checks: Option<Vec<Check>>,
) -> (Record, Vec<PictureBytes>) {
    let doc_type = reading.doc_type;
    let mut pictures = Vec::new();
    let mut warnings = Vec::new();
    let mut items = Vec::with_capacity(reading.items.len());
    for read in reading.items {
        let mut item = Item {
            key: read.key,
            description: read.description,
            value: None,
            normalized: None,
            confidence: read.confidence,
            position: read.position,
            picture: None,
        };
        match images::decode_picture(&read.value) {
            Some((bytes, format)) => {
                item.picture = Some(Picture {
                    format,
                    bytes: bytes.len(),
                    saved: None,
                });
                if opts.include_images {
                    item.value = Some(read.value);
                }
                pictures.push(PictureBytes {
                    key: item.key.clone(),
                    format,
                    bytes,
                    item: Some(items.len()),
                });
            }
            None => {
                let value = read.value.trim();
                if !value.is_empty()
                    && (fields::catalog::is_picture_key(&item.key) || value.starts_with("data:"))
                {
                    warnings.push(format!(
                        "{}: not a picture (not base64 of a JPEG, PNG, GIF, BMP, WebP or TIFF file, {} characters): kept as text",
                        item.key,
                        read.value.chars().count()
                    ));
                }
                item.normalized = fields::normalize(&doc_type, &item.key, &read.value);
                item.value = Some(read.value);
            }
        }
        items.push(item);
    }
    let mut checks = checks.unwrap_or_else(|| {
        let refs: Vec<FieldRef> = items
            .iter()
            .filter(|i| i.picture.is_none())
            .map(|i| FieldRef::new(&i.key, i.value.as_deref().unwrap_or("")))
            .collect();
        fields::run_checks(&doc_type, &refs, opts.checks.as_of)
    });
    if !opts.fields.is_empty() {
        let mut kept = Vec::with_capacity(items.len());
        let mut new_index = vec![None; items.len()];
        for (i, item) in items.into_iter().enumerate() {
            if opts.fields.contains(&item.key) {
                new_index[i] = Some(kept.len());
                kept.push(item);
            }
        }
        items = kept;
        for p in &mut pictures {
            p.item = p.item.and_then(|i| new_index[i]);
        }
        checks.retain(|c| opts.fields.contains(&c.field));
    }
    let mut record = Record {
        file: file.to_string(),
        ok: true,
        doc_type: Some(doc_type),
        type_description: Some(reading.type_description),
        image_angle: Some(reading.image_angle),
        rotated_image_width: Some(reading.rotated_image_width),
        rotated_image_height: Some(reading.rotated_image_height),
        engine: opts.engine,
        items,
        checks,
        error: None,
        saved: Vec::new(),
        annotated: None,
        thumbnails: Vec::new(),
        preprocess: None,
        warnings,
        log: Vec::new(),
        retries: 0,
        from_store: false,
    };
    let failed: Vec<String> = record
        .failed_checks()
        .filter(|c| !fields::document_checks::ADVISORY.contains(&c.check.as_str()))
        .map(|c| c.check.clone())
        .collect();
    if opts.checks.strict && !failed.is_empty() {
        record.ok = false;
        record.error = Some(ErrorInfo {
            hint: Some(if failed.iter().all(|c| c == "validity_expiry") {
                "the document has expired".into()
            } else {
                "the picture may have been misread, or the document is not valid; see checks".into()
            }),
            ..ErrorInfo::new(
                Class::Check,
                format!("failed checks: {}", failed.join(", ")),
            )
        });
    }
    (record, pictures)
}

/// The checks of every text field of `reading` (before `--fields`), as
/// [`build_record`] makes them.
pub fn all_checks(checks: &Checks, reading: &Reading) -> Vec<Check> {
    let refs: Vec<FieldRef> = reading
        .items
        .iter()
        .filter(|i| images::decode_picture(&i.value).is_none())
        .map(|i| FieldRef::new(&i.key, &i.value))
        .collect();
    fields::run_checks(&reading.doc_type, &refs, checks.as_of)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ReadItem;
    use base64::Engine as _;

    fn item(key: &str, value: &str) -> ReadItem {
        ReadItem {
            key: key.into(),
            value: value.into(),
            description: String::new(),
            position: vec![],
            confidence: None,
        }
    }

    fn reading(items: Vec<ReadItem>) -> Reading {
        Reading {
            doc_type: "id_card".into(),
            type_description: String::new(),
            image_angle: 0,
            rotated_image_width: 10,
            rotated_image_height: 10,
            items,
            cost_time: None,
        }
    }

    fn opts(fields: &[&str], strict: bool) -> RecordOptions {
        RecordOptions {
            fields: fields.iter().map(|s| s.to_string()).collect(),
            include_images: false,
            checks: Checks {
                as_of: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                strict,
            },
            engine: None,
        }
    }

    fn png_b64() -> String {
        let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        png.extend(std::iter::repeat_n(7u8, 40));
        base64::engine::general_purpose::STANDARD.encode(png)
    }

    #[test]
    fn pictures_are_told_from_text_and_checks_see_left_out_fields() {
        let r = reading(vec![
            item("name", "张三"),
            item("id_number", "11010519491231002X"),
            item("head_portrait", &png_b64()),
        ]);
        let (rec, pics) = build_record(&opts(&["name", "head_portrait"], false), "a.jpg", r, None);
        assert_eq!(rec.items.len(), 2);
        assert_eq!(rec.items[1].picture.as_ref().unwrap().format, "png");
        assert_eq!(rec.items[1].value, None);
        assert_eq!(pics.len(), 1);
        assert_eq!(
            (pics[0].key.as_str(), pics[0].item),
            ("head_portrait", Some(1))
        );
        assert_eq!(pics[0].bytes.len(), 48);
        // The ID number was left out, so its checks are too.
        assert!(
            rec.checks
                .iter()
                .all(|c| c.field == "name" || c.field == "head_portrait")
        );
    }

    #[test]
    fn a_picture_field_that_is_no_picture_is_kept_as_text_with_a_warning() {
        let r = reading(vec![
            item("head_portrait", "this is not base64!"),
            item("crop_image", ""),
            item("name", "张三"),
        ]);
        let (rec, pics) = build_record(&opts(&[], false), "a.jpg", r, None);
        assert!(pics.is_empty());
        assert_eq!(rec.items[0].value.as_deref(), Some("this is not base64!"));
        assert_eq!(rec.warnings.len(), 1, "{:?}", rec.warnings);
        assert!(
            rec.warnings[0].starts_with("head_portrait: not a picture"),
            "{}",
            rec.warnings[0]
        );
    }

    #[test]
    fn strict_fails_a_record_with_a_failed_check() {
        let r = reading(vec![item("id_number", "110105194912310021")]);
        let (rec, _) = build_record(&opts(&[], true), "a.jpg", r, None);
        assert!(!rec.ok);
        let e = rec.error.unwrap();
        assert_eq!(e.class, Class::Check);
        assert!(e.message.starts_with("failed checks: "), "{}", e.message);
    }
}
