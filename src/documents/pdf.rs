//! PDF pages as pictures, with `lopdf`.
//!
//! A scanner's PDF holds one picture per page, drawn over the whole page.
//! For page `n`, the largest image XObject of the page (by its /Width ×
//! /Height), looked for in the page's resources and one level into its Form
//! XObjects, is taken and turned into picture bytes:
//!
//! - DCTDecode: the JPEG's bytes as they are;
//! - FlateDecode, LZW, RunLength, ASCII85/Hex or no filter: raw samples of
//!   /BitsPerComponent 1, 2, 4, 8 or 16 in DeviceGray, DeviceRGB,
//!   DeviceCMYK (also as ICCBased, CalGray, CalRGB) or Indexed over one of
//!   them, made into a PNG;
//! - CCITTFaxDecode: Group 4 and Group 3 one-dimensional, made into a PNG;
//! - JPXDecode (JPEG 2000), JBIG2Decode: a per-page error (no well-kept
//!   pure-Rust decoder fits xocr's Rust version), with a render command.
//!
//! The page's /Rotate (inherited from the page tree) is applied: to raw
//! pictures by turning the pixels, to a JPEG by giving it an EXIF
//! orientation, which preflight applies while re-encoding (and which
//! overrides any orientation of the JPEG's own, as PDF viewers ignore it).
//! A /Decode array inverting a one-component picture is applied; other
//! /Decode arrays and a /SMask are ignored, with a warning. The drawing
//! matrix of the content stream is not looked at.
//!
//! Limits: a document of more than [`MAX_PAGES`] pages is refused; a
//! picture's /Width × /Height is checked against preflight's pixel limit
//! before any decoding; decompression is bounded by the size the picture's
//! header announces; lopdf runs under `catch_unwind` (see
//! [`super::Document`]).

use std::io::Cursor;

use image::{DynamicImage, GrayImage, RgbImage};
use lopdf::{Dictionary, Object, ObjectId, Stream};

use super::{DocumentError, MAX_PAGES, Page, PageError};
use crate::preflight::{self, Format, SERVICE_MIN_SIDE};

/// A parsed PDF and its pages.
pub(crate) struct Pdf {
    doc: lopdf::Document,
    pages: Vec<ObjectId>,
}

/// An image XObject found on a page.
struct Image<'a> {
    stream: &'a Stream,
    width: u32,
    height: u32,
}

fn render_hint(n: usize) -> String {
    format!("render the page first, e.g. `pdftoppm -jpeg -r 200 -f {n} -l {n} in.pdf page`")
}

impl Pdf {
    /// Parses `bytes`. Fails for an encrypted PDF (any /Encrypt
    /// dictionary), one lopdf cannot parse, one without pages or with more
    /// than [`MAX_PAGES`].
    pub(crate) fn open(bytes: &[u8]) -> Result<Pdf, DocumentError> {
        if memchr::memmem::find(bytes, b"/Encrypt").is_some() {
            return Err(DocumentError(
                "encrypted PDF: xocr cannot read password-protected or encrypted documents; \
                 remove the protection first, e.g. `qpdf --decrypt in.pdf out.pdf`"
                    .into(),
            ));
        }
        let loaded = std::panic::catch_unwind(|| lopdf::Document::load_mem(bytes));
        let doc = match loaded {
            Ok(Ok(doc)) => doc,
            Ok(Err(e)) => {
                let tail = &bytes[bytes.len().saturating_sub(1024)..];
                return Err(DocumentError(
                    if memchr::memmem::find(tail, b"%%EOF").is_none() {
                        format!(
                            "truncated PDF: the file ends before its end marker (%%EOF); it was \
                         probably cut short while copying or downloading ({e})"
                        )
                    } else {
                        format!("damaged PDF: {e}")
                    },
                ));
            }
            Err(_) => {
                return Err(DocumentError(
                    "damaged PDF: the PDF reader gave up on it".into(),
                ));
            }
        };
        if doc.was_encrypted() || doc.is_encrypted() {
            return Err(DocumentError(
                "encrypted PDF: xocr cannot read encrypted documents; remove the protection first, \
                 e.g. `qpdf --decrypt in.pdf out.pdf`"
                    .into(),
            ));
        }
        let pages: Vec<ObjectId> = doc.page_iter().take(MAX_PAGES + 1).collect();
        if pages.is_empty() {
            return Err(DocumentError(
                "damaged PDF: no pages found (its page tree is missing or cut off)".into(),
            ));
        }
        if pages.len() > MAX_PAGES {
            return Err(DocumentError(format!(
                "PDF of more than {MAX_PAGES} pages: split it first, e.g. `qpdf --split-pages in.pdf page.pdf`"
            )));
        }
        Ok(Pdf { doc, pages })
    }

    pub(crate) fn pages(&self) -> usize {
        self.pages.len()
    }

    /// Page `n` (1-based) as a JPEG or PNG.
    pub(crate) fn page(&self, n: usize, opts: &preflight::Options) -> Result<Page, PageError> {
        let err = |why: String| PageError(format!("page {n}: {why}"));
        let id = *n
            .checked_sub(1)
            .and_then(|i| self.pages.get(i))
            .ok_or_else(|| err("the PDF has no such page".into()))?;
        let doc = &self.doc;
        let page = doc
            .get_dictionary(id)
            .map_err(|e| err(format!("damaged page: {e}")))?;
        let mut warnings = Vec::new();
        let rotate = match inherited(doc, page, b"Rotate").and_then(|o| o.as_i64().ok()) {
            None => 0,
            Some(r) if r.rem_euclid(90) == 0 => r.rem_euclid(360) as u32,
            Some(r) => {
                warnings.push(format!(
                    "page {n}: /Rotate {r} is not a multiple of 90; ignored"
                ));
                0
            }
        };
        let Some(image) = images_of(doc, id)
            .into_iter()
            .max_by_key(|i| u64::from(i.width) * u64::from(i.height))
        else {
            return Err(err(format!(
                "no picture on this page (a text or vector page, not a scan): xocr reads scanned pages; {}",
                render_hint(n)
            )));
        };
        let (w, h) = (image.width, image.height);
        if w.min(h) < SERVICE_MIN_SIDE {
            return Err(err(format!(
                "no scanned picture on this page (its largest picture is {w}x{h} px, an ornament; \
                 the text is drawn as text or vectors): {}",
                render_hint(n)
            )));
        }
        preflight::check_decode_pixels(w, h, opts).map_err(|e| err(e.to_string()))?;
        let dict = &image.stream.dict;
        if dict.get(b"SMask").is_ok() {
            warnings.push(format!(
                "page {n}: the picture's transparency mask (/SMask) is ignored"
            ));
        }
        let _pixels = preflight::reserve_pixels(u64::from(w) * u64::from(h), opts);
        let bytes = decode(doc, &image, rotate, n, &mut warnings).map_err(err)?;
        Ok(Page { bytes, warnings })
    }
}

/// `key` of `dict` or of the nearest page-tree node above it that has it.
fn inherited<'a>(doc: &'a lopdf::Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = dict;
    for _ in 0..64 {
        if let Ok(v) = node.get(key) {
            return deref(doc, v);
        }
        let parent = node.get(b"Parent").ok()?;
        node = deref(doc, parent)?.as_dict().ok()?;
    }
    None
}

fn deref<'a>(doc: &'a lopdf::Document, o: &'a Object) -> Option<&'a Object> {
    doc.dereference(o).ok().map(|(_, o)| o)
}

fn dict_of<'a>(doc: &'a lopdf::Document, o: &'a Object) -> Option<&'a Dictionary> {
    match deref(doc, o)? {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

fn int(doc: &lopdf::Document, dict: &Dictionary, key: &[u8]) -> Option<i64> {
    deref(doc, dict.get(key).ok()?)?.as_i64().ok()
}

fn name<'a>(doc: &'a lopdf::Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    deref(doc, dict.get(key).ok()?)?.as_name().ok()
}

/// The image XObjects of a page: in its resources, and one level into the
/// Form XObjects there.
fn images_of(doc: &lopdf::Document, page: ObjectId) -> Vec<Image<'_>> {
    let mut found = Vec::new();
    let Ok((direct, ids)) = doc.get_page_resources(page) else {
        return found;
    };
    let mut resources: Vec<&Dictionary> = direct.into_iter().collect();
    resources.extend(ids.iter().filter_map(|id| doc.get_dictionary(*id).ok()));
    for res in resources {
        for stream in xobjects(doc, res) {
            match name(doc, &stream.dict, b"Subtype") {
                Some(b"Image") => found.extend(image(doc, stream)),
                Some(b"Form") => {
                    let inner = stream
                        .dict
                        .get(b"Resources")
                        .ok()
                        .and_then(|r| dict_of(doc, r));
                    for s in inner.map(|r| xobjects(doc, r)).unwrap_or_default() {
                        if name(doc, &s.dict, b"Subtype") == Some(b"Image") {
                            found.extend(image(doc, s));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    found
}

/// The streams of a resource dictionary's /XObject.
fn xobjects<'a>(doc: &'a lopdf::Document, res: &'a Dictionary) -> Vec<&'a Stream> {
    res.get(b"XObject")
        .ok()
        .and_then(|x| dict_of(doc, x))
        .map(|x| {
            x.iter()
                .filter_map(|(_, v)| deref(doc, v)?.as_stream().ok())
                .collect()
        })
        .unwrap_or_default()
}

fn image<'a>(doc: &lopdf::Document, stream: &'a Stream) -> Option<Image<'a>> {
    let side = |k: &[u8]| u32::try_from(int(doc, &stream.dict, k)?).ok();
    Some(Image {
        stream,
        width: side(b"Width")?,
        height: side(b"Height")?,
    })
}

/// The picture codec a stream's last filter names, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Codec {
    Raw,
    Dct,
    Jpx,
    Ccitt,
    Jbig2,
}

fn filters<'a>(doc: &'a lopdf::Document, dict: &'a Dictionary) -> Result<Vec<&'a [u8]>, String> {
    let Ok(f) = dict.get(b"Filter") else {
        return Ok(Vec::new());
    };
    match deref(doc, f) {
        Some(Object::Name(n)) => Ok(vec![n.as_slice()]),
        Some(Object::Array(a)) => a
            .iter()
            .map(|o| {
                deref(doc, o)
                    .and_then(|o| o.as_name().ok())
                    .ok_or_else(|| "damaged picture: a /Filter that is not a name".to_string())
            })
            .collect(),
        _ => Err("damaged picture: its /Filter is not a name".into()),
    }
}

/// The `index`th /DecodeParms of a stream with `count` filters.
fn decode_parms<'a>(
    doc: &'a lopdf::Document,
    dict: &'a Dictionary,
    index: usize,
) -> Option<&'a Dictionary> {
    match deref(doc, dict.get(b"DecodeParms").ok()?)? {
        Object::Array(a) => dict_of(doc, a.get(index)?),
        Object::Dictionary(d) => Some(d),
        _ => None,
    }
}

/// The stream's bytes with every filter but the picture codec undone, at
/// most `limit` bytes.
fn undo_filters(
    doc: &lopdf::Document,
    stream: &Stream,
    pre: &[&[u8]],
    limit: usize,
) -> Result<Vec<u8>, String> {
    if pre.is_empty() {
        if stream.content.len() > limit {
            return Err("its data is longer than its size explains".into());
        }
        return Ok(stream.content.clone());
    }
    let mut dict = Dictionary::new();
    dict.set(
        "Filter",
        Object::Array(pre.iter().map(|f| Object::Name(f.to_vec())).collect()),
    );
    let parms: Vec<Object> = (0..pre.len())
        .map(|i| {
            decode_parms(doc, &stream.dict, i)
                .map_or(Object::Null, |d| Object::Dictionary(d.clone()))
        })
        .collect();
    dict.set("DecodeParms", Object::Array(parms));
    Stream::new(dict, stream.content.clone())
        .decompressed_content_with_limit(limit)
        .map_err(|e| format!("damaged picture data: {e}"))
}

fn decode(
    doc: &lopdf::Document,
    image: &Image,
    rotate: u32,
    n: usize,
    warnings: &mut Vec<String>,
) -> Result<Vec<u8>, String> {
    let dict = &image.stream.dict;
    let mut filters = filters(doc, dict)?;
    let codec = match filters.last().copied() {
        Some(b"DCTDecode" | b"DCT") => Codec::Dct,
        Some(b"JPXDecode") => Codec::Jpx,
        Some(b"CCITTFaxDecode" | b"CCF") => Codec::Ccitt,
        Some(b"JBIG2Decode") => Codec::Jbig2,
        _ => Codec::Raw,
    };
    if codec != Codec::Raw {
        filters.pop();
    }
    let codec_parms = decode_parms(doc, dict, filters.len());
    let (w, h) = (image.width, image.height);
    let decode_array = decode_array(doc, dict);
    match codec {
        Codec::Jpx => Err(format!(
            "its picture is JPEG 2000 (JPXDecode), which xocr cannot decode; {}",
            render_hint(n)
        )),
        Codec::Jbig2 => Err(format!(
            "its picture is JBIG2 (JBIG2Decode), which xocr cannot decode; {}",
            render_hint(n)
        )),
        Codec::Dct => {
            let jpeg = undo_filters(
                doc,
                image.stream,
                &filters,
                crate::input::MAX_INPUT_BYTES as usize,
            )?;
            if preflight::sniff(&jpeg) != Format::Jpeg {
                return Err("damaged picture: its DCTDecode data is not a JPEG".into());
            }
            let inverted_cmyk =
                decode_array.as_deref() == Some(&[1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0][..]);
            if decode_array.is_some() && !inverted_cmyk && !is_default_decode(&decode_array) {
                warnings.push(format!("page {n}: the picture's /Decode array is ignored"));
            }
            Ok(with_orientation(jpeg, rotate))
        }
        Codec::Ccitt => {
            let data = undo_filters(
                doc,
                image.stream,
                &filters,
                crate::input::MAX_INPUT_BYTES as usize,
            )?;
            let mut gray = ccitt(&data, w, h, codec_parms, doc)?;
            let invert = match decode_array.as_deref() {
                Some([a, b]) => a > b,
                Some(_) => {
                    warnings.push(format!("page {n}: the picture's /Decode array is ignored"));
                    false
                }
                None => false,
            };
            if invert {
                image::imageops::invert(&mut gray);
            }
            png(DynamicImage::ImageLuma8(gray), rotate)
        }
        Codec::Raw => {
            let mask = matches!(
                dict.get(b"ImageMask").ok().and_then(|o| deref(doc, o)),
                Some(Object::Boolean(true))
            );
            let space = if mask {
                Space::Gray
            } else {
                let cs = dict
                    .get(b"ColorSpace")
                    .map_err(|_| "damaged picture: it has no /ColorSpace".to_string())?;
                space(doc, cs, 0)?
            };
            let bpc = if mask {
                1
            } else {
                int(doc, dict, b"BitsPerComponent").unwrap_or(8)
            };
            if !matches!(bpc, 1 | 2 | 4 | 8 | 16) {
                return Err(format!("damaged picture: {bpc} bits a sample"));
            }
            let bpc = bpc as u32;
            let comps = space.components();
            let row = (u64::from(w) * u64::from(comps) * u64::from(bpc)).div_ceil(8);
            let expected = row * u64::from(h);
            let limit = usize::try_from(expected).map_err(|_| "picture too large".to_string())?;
            let data = undo_filters(doc, image.stream, &filters, limit)?;
            if (data.len() as u64) < expected {
                return Err(format!(
                    "damaged picture: its data ends early ({} of {expected} bytes)",
                    data.len()
                ));
            }
            let invert = match (&space, decode_array.as_deref()) {
                (_, None) => false,
                (Space::Gray, Some([a, b])) => a > b,
                _ if is_default_decode(&decode_array) => false,
                _ => {
                    warnings.push(format!("page {n}: the picture's /Decode array is ignored"));
                    false
                }
            };
            let img = raster(&data, w, h, bpc, &space, row as usize, invert);
            png(img, rotate)
        }
    }
}

fn decode_array(doc: &lopdf::Document, dict: &Dictionary) -> Option<Vec<f32>> {
    let a = deref(doc, dict.get(b"Decode").ok()?)?.as_array().ok()?;
    a.iter()
        .map(|o| deref(doc, o).and_then(|o| o.as_float().ok()))
        .collect()
}

fn is_default_decode(d: &Option<Vec<f32>>) -> bool {
    d.as_ref()
        .is_none_or(|v| v.chunks(2).all(|p| p == [0.0, 1.0]))
}

/// A colour space xocr can turn into grey or RGB.
enum Space {
    Gray,
    Rgb,
    Cmyk,
    Indexed {
        base: Box<Space>,
        hival: u32,
        lookup: Vec<u8>,
    },
}

impl Space {
    fn components(&self) -> u32 {
        match self {
            Space::Gray | Space::Indexed { .. } => 1,
            Space::Rgb => 3,
            Space::Cmyk => 4,
        }
    }
}

fn space(doc: &lopdf::Document, o: &Object, depth: u32) -> Result<Space, String> {
    let unsupported = |what: &[u8]| {
        Err(format!(
            "its picture's colour space {} is not one xocr reads (grey, RGB, CMYK, indexed)",
            String::from_utf8_lossy(what)
        ))
    };
    if depth > 4 {
        return Err("damaged picture: nested colour spaces".into());
    }
    match deref(doc, o) {
        Some(Object::Name(n)) => match n.as_slice() {
            b"DeviceGray" | b"G" | b"CalGray" => Ok(Space::Gray),
            b"DeviceRGB" | b"RGB" | b"CalRGB" => Ok(Space::Rgb),
            b"DeviceCMYK" | b"CMYK" => Ok(Space::Cmyk),
            other => unsupported(other),
        },
        Some(Object::Array(a)) => {
            let family = a.first().and_then(|f| deref(doc, f)?.as_name().ok());
            match family {
                Some(b"ICCBased") => {
                    let stream = a.get(1).and_then(|s| deref(doc, s)?.as_stream().ok());
                    match stream.and_then(|s| int(doc, &s.dict, b"N")) {
                        Some(1) => Ok(Space::Gray),
                        Some(3) => Ok(Space::Rgb),
                        Some(4) => Ok(Space::Cmyk),
                        _ => Err("damaged picture: an ICC colour space without /N".into()),
                    }
                }
                Some(b"CalGray") => Ok(Space::Gray),
                Some(b"CalRGB") => Ok(Space::Rgb),
                Some(b"Indexed" | b"I") => {
                    let base = space(
                        doc,
                        a.get(1)
                            .ok_or("damaged picture: indexed colours without a base")?,
                        depth + 1,
                    )?;
                    if matches!(base, Space::Indexed { .. }) {
                        return Err("damaged picture: indexed colours over indexed colours".into());
                    }
                    let hival = a
                        .get(2)
                        .and_then(|o| deref(doc, o)?.as_i64().ok())
                        .filter(|v| (0..=255).contains(v))
                        .ok_or("damaged picture: indexed colours without a valid highest index")?
                        as u32;
                    let size = (hival as usize + 1) * base.components() as usize;
                    let lookup = match a.get(3).and_then(|o| deref(doc, o)) {
                        Some(Object::String(s, _)) => s.clone(),
                        Some(Object::Stream(s)) => s
                            .decompressed_content_with_limit(size.max(1) * 2)
                            .or_else(|_| Ok::<_, String>(s.content.clone()))?,
                        _ => return Err("damaged picture: indexed colours without a table".into()),
                    };
                    if lookup.len() < size {
                        return Err("damaged picture: its colour table is too short".into());
                    }
                    Ok(Space::Indexed {
                        base: Box::new(base),
                        hival,
                        lookup,
                    })
                }
                Some(other) => unsupported(other),
                None => Err("damaged picture: an unreadable colour space".into()),
            }
        }
        _ => Err("damaged picture: an unreadable colour space".into()),
    }
}

/// Raw samples as grey or RGB, 8 bits.
fn raster(
    data: &[u8],
    w: u32,
    h: u32,
    bpc: u32,
    space: &Space,
    row: usize,
    invert: bool,
) -> DynamicImage {
    let comps = space.components() as usize;
    let max = (1u32 << bpc) - 1;
    // The `i`th sample of a row.
    let sample = |line: &[u8], i: usize| -> u32 {
        match bpc {
            8 => u32::from(line[i]),
            16 => u32::from(line[2 * i]),
            _ => {
                let bit = i * bpc as usize;
                let byte = line[bit / 8];
                let shift = 8 - bpc as usize - bit % 8;
                (u32::from(byte) >> shift) & max
            }
        }
    };
    let scale = |v: u32| -> u8 {
        if bpc == 16 {
            v as u8
        } else {
            (v * 255 / max) as u8
        }
    };
    let rows = data.chunks(row).take(h as usize);
    match space {
        Space::Gray => {
            let mut img = GrayImage::new(w, h);
            for (y, line) in rows.enumerate() {
                for x in 0..w as usize {
                    let v = scale(sample(line, x));
                    img.put_pixel(
                        x as u32,
                        y as u32,
                        image::Luma([if invert { 255 - v } else { v }]),
                    );
                }
            }
            DynamicImage::ImageLuma8(img)
        }
        _ => {
            let mut img = RgbImage::new(w, h);
            for (y, line) in rows.enumerate() {
                for x in 0..w as usize {
                    let px = match space {
                        Space::Indexed {
                            base,
                            hival,
                            lookup,
                        } => {
                            let i = sample(line, x).min(*hival) as usize;
                            let bc = base.components() as usize;
                            to_rgb(base, &lookup[i * bc..i * bc + bc])
                        }
                        _ => {
                            let v: Vec<u8> = (0..comps)
                                .map(|c| scale(sample(line, x * comps + c)))
                                .collect();
                            to_rgb(space, &v)
                        }
                    };
                    img.put_pixel(x as u32, y as u32, image::Rgb(px));
                }
            }
            DynamicImage::ImageRgb8(img)
        }
    }
}

fn to_rgb(space: &Space, v: &[u8]) -> [u8; 3] {
    match space {
        Space::Gray => [v[0], v[0], v[0]],
        Space::Cmyk => {
            let k = 255 - u32::from(v[3]);
            let f = |c: u8| ((255 - u32::from(c)) * k / 255) as u8;
            [f(v[0]), f(v[1]), f(v[2])]
        }
        _ => [v[0], v[1], v[2]],
    }
}

/// A CCITT fax picture as grey (white 255, black 0).
fn ccitt(
    data: &[u8],
    w: u32,
    h: u32,
    parms: Option<&Dictionary>,
    doc: &lopdf::Document,
) -> Result<GrayImage, String> {
    let p = |k: &[u8]| parms.and_then(|d| int(doc, d, k));
    let k = p(b"K").unwrap_or(0);
    let black_is_1 = matches!(
        parms
            .and_then(|d| d.get(b"BlackIs1").ok())
            .and_then(|o| deref(doc, o)),
        Some(Object::Boolean(true))
    );
    let (Ok(width), Ok(height)) = (u16::try_from(w), u16::try_from(h)) else {
        return Err("its fax picture is wider or taller than 65535 px".into());
    };
    let mut img = GrayImage::from_pixel(w, h, image::Luma([255]));
    let mut y = 0u32;
    let mut line = |transitions: &[u16]| {
        if y >= h {
            return;
        }
        for (x, c) in fax::decoder::pels(transitions, width).enumerate() {
            let black = c == fax::Color::Black;
            // BlackIs1 false: black is stored as 0, and 0 is black in
            // DeviceGray; BlackIs1 true stores black as 1, which is white.
            let dark = black != black_is_1;
            if dark {
                img.put_pixel(x as u32, y, image::Luma([0]));
            }
        }
        y += 1;
    };
    let done = match k {
        k if k < 0 => fax::decoder::decode_g4(data.iter().copied(), width, Some(height), &mut line),
        0 => fax::decoder::decode_g3(data.iter().copied(), &mut line),
        _ => {
            return Err(
                "its fax picture is CCITT Group 3 two-dimensional, which xocr cannot decode".into(),
            );
        }
    };
    if done.is_none() && y == 0 {
        return Err("damaged fax picture (CCITTFaxDecode)".into());
    }
    Ok(img)
}

/// A PNG of `img` turned by `rotate` degrees clockwise.
fn png(img: DynamicImage, rotate: u32) -> Result<Vec<u8>, String> {
    let img = match rotate {
        90 => img.rotate90(),
        180 => img.rotate180(),
        270 => img.rotate270(),
        _ => img,
    };
    let mut out = Cursor::new(Vec::new());
    let encoder = image::codecs::png::PngEncoder::new_with_quality(
        &mut out,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::Adaptive,
    );
    img.write_with_encoder(encoder)
        .map_err(|e| format!("could not make a PNG of the picture: {e}"))?;
    Ok(out.into_inner())
}

/// The JPEG with an EXIF orientation for `rotate` degrees clockwise, put
/// first so that it is the one read: given when the page is turned, or
/// when the JPEG has EXIF data of its own (whose orientation a PDF viewer
/// ignores, so it must not be applied).
fn with_orientation(jpeg: Vec<u8>, rotate: u32) -> Vec<u8> {
    let has_exif = memchr::memmem::find(&jpeg[..jpeg.len().min(65_536)], b"Exif\0\0").is_some();
    if rotate == 0 && !has_exif {
        return jpeg;
    }
    let orientation: u8 = match rotate {
        90 => 6,
        180 => 3,
        270 => 8,
        _ => 1,
    };
    let mut out = Vec::with_capacity(jpeg.len() + 36);
    out.extend_from_slice(&jpeg[..2]);
    out.extend_from_slice(&[0xFF, 0xE1, 0, 34]);
    out.extend_from_slice(b"Exif\0\0");
    // Big-endian TIFF, one directory with one entry: Orientation (0x0112),
    // SHORT, 1 value.
    out.extend_from_slice(b"MM\0*\0\0\0\x08");
    out.extend_from_slice(&[0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0]);
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&jpeg[2..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orientation_is_given_first_and_read_back() {
        let mut jpeg = Vec::new();
        image::DynamicImage::ImageRgb8(RgbImage::new(40, 20))
            .write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
            .unwrap();
        assert_eq!(with_orientation(jpeg.clone(), 0), jpeg);
        let turned = with_orientation(jpeg, 90);
        let e = exif::Reader::new()
            .read_from_container(&mut Cursor::new(&turned))
            .unwrap();
        let o = e
            .get_field(exif::Tag::Orientation, exif::In::PRIMARY)
            .unwrap();
        assert_eq!(o.value.get_uint(0), Some(6));
        assert!(image::load_from_memory(&turned).is_ok());
    }

    #[test]
    fn raw_samples_of_every_depth_and_space() {
        // 1-bit grey, 0 black: a row of 10 px in 2 bytes.
        let g = raster(&[0b1010_0000, 0], 10, 1, 1, &Space::Gray, 2, false).into_luma8();
        assert_eq!(g.get_pixel(0, 0)[0], 255);
        assert_eq!(g.get_pixel(1, 0)[0], 0);
        let inv = raster(&[0b1010_0000, 0], 10, 1, 1, &Space::Gray, 2, true).into_luma8();
        assert_eq!(inv.get_pixel(0, 0)[0], 0);
        let cmyk = raster(&[0, 255, 0, 0], 1, 1, 8, &Space::Cmyk, 4, false).into_rgb8();
        assert_eq!(cmyk.get_pixel(0, 0).0, [255, 0, 255]);
        let idx = Space::Indexed {
            base: Box::new(Space::Rgb),
            hival: 1,
            lookup: vec![1, 2, 3, 4, 5, 6],
        };
        let i = raster(&[0b0100_0000], 2, 1, 2, &idx, 1, false).into_rgb8();
        assert_eq!(i.get_pixel(0, 0).0, [4, 5, 6]);
        assert_eq!(i.get_pixel(1, 0).0, [1, 2, 3]);
        let deep = raster(&[0xAB, 0xCD], 1, 1, 16, &Space::Gray, 2, false).into_luma8();
        assert_eq!(deep.get_pixel(0, 0)[0], 0xAB);
    }

    /// A one-page PDF whose page shows `image` (an image XObject stream).
    fn one_page(image: Stream, rotate: i64) -> Vec<u8> {
        use lopdf::dictionary;
        let mut doc = lopdf::Document::with_version("1.5");
        let pages = doc.new_object_id();
        let im = doc.add_object(image);
        // The picture sits in a Form XObject, as some scanners write it.
        let form = doc.add_object(Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Form",
            "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => im } } },
            b"/Im0 Do".to_vec(),
        ));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages, "Rotate" => rotate,
            "Resources" => dictionary! { "XObject" => dictionary! { "Fm0" => form } },
        });
        doc.objects.insert(
            pages,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
            ),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
        doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    #[test]
    fn a_flate_raster_in_a_form_comes_out_turned_with_its_colours() {
        use lopdf::dictionary;
        use std::io::Write;
        let (w, h) = (30u32, 20u32);
        let samples: Vec<u8> = (0..w * h)
            .flat_map(|i| [(i % w) as u8, (i / w) as u8, 7])
            .collect();
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(&samples).unwrap();
        let image = Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 30, "Height" => 20,
            "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8, "Filter" => "FlateDecode" },
            z.finish().unwrap(),
        );
        let pdf = Pdf::open(&one_page(image, -270)).unwrap();
        assert_eq!(pdf.pages(), 1);
        let page = pdf.page(1, &preflight::Options::default()).unwrap();
        let img = image::load_from_memory(&page.bytes).unwrap().into_rgb8();
        // -270 is 90 clockwise: the top-left pixel (0, 0) goes top-right.
        assert_eq!(img.dimensions(), (20, 30));
        assert_eq!(img.get_pixel(19, 0).0, [0, 0, 7]);
        assert_eq!(img.get_pixel(0, 0).0, [0, 19, 7]);
        assert_eq!(img.get_pixel(0, 29).0, [29, 19, 7]);
        // Data cut short is a clear per-page error.
        let cut = Stream::new(
            dictionary! { "Subtype" => "Image", "Width" => 30, "Height" => 20,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8 },
            vec![0; 100],
        );
        let e = Pdf::open(&one_page(cut, 0))
            .unwrap()
            .page(1, &preflight::Options::default());
        assert!(e.unwrap_err().0.contains("ends early"));
    }

    #[test]
    fn damaged_pdfs_never_panic_out_of_open_or_page() {
        use lopdf::dictionary;
        let jpeg = {
            let mut b = Vec::new();
            DynamicImage::ImageRgb8(RgbImage::new(40, 30))
                .write_to(&mut Cursor::new(&mut b), image::ImageFormat::Jpeg)
                .unwrap();
            b
        };
        let image = Stream::new(
            dictionary! { "Subtype" => "Image", "Width" => 40, "Height" => 30,
            "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8, "Filter" => "DCTDecode" },
            jpeg,
        );
        let good = one_page(image, 0);
        assert!(
            Pdf::open(&good)
                .unwrap()
                .page(1, &Default::default())
                .is_ok()
        );
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut rand = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..400 {
            let mut bad = good.clone();
            for _ in 0..1 + rand() % 4 {
                let at = (rand() % bad.len() as u64) as usize;
                match rand() % 3 {
                    0 => bad[at] = rand() as u8,
                    1 => bad.truncate(at.max(1)),
                    _ => bad.insert(at, b"0123456789 R[]<>/"[(rand() % 17) as usize]),
                }
            }
            // Errors are fine; a panic would fail the test.
            if let Ok(pdf) = Pdf::open(&bad) {
                let doc = super::super::Document {
                    pages: pdf.pages(),
                    kind: super::super::Kind::Pdf(Box::new(pdf)),
                };
                let _ = doc.page(1, &Default::default());
            }
        }
    }
}
