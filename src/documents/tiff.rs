//! Multi-page TIFF: the chain of image directories (IFDs) walked without
//! reading the pictures, and page `n` given as a single-page TIFF, so that
//! it takes the same path as any TIFF (orientation tag, bit depths,
//! compressions, the pixel limit all handled by preflight).
//!
//! Page `n`'s TIFF is the file's bytes with two numbers changed: the
//! header's first-directory offset points at page `n`'s directory, and that
//! directory's next-directory offset is 0. The other pages' data stays in
//! the bytes, unreferenced; preflight re-encodes the page, so only page `n`
//! reaches the service.

use std::collections::HashSet;
use std::io::{Read, Seek, SeekFrom};

use super::{DocumentError, MAX_PAGES, Page, PageError};

/// A TIFF of more than one page, in memory.
pub(crate) struct Tiff {
    bytes: Vec<u8>,
    layout: Layout,
    /// Offset of each page's directory, in page order.
    pages: Vec<u64>,
}

#[derive(Debug, Clone, Copy)]
struct Layout {
    big_endian: bool,
    big_tiff: bool,
}

impl Layout {
    fn u16(self, b: [u8; 2]) -> u16 {
        if self.big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        }
    }
    fn u32(self, b: [u8; 4]) -> u32 {
        if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    }
    fn u64(self, b: [u8; 8]) -> u64 {
        if self.big_endian {
            u64::from_be_bytes(b)
        } else {
            u64::from_le_bytes(b)
        }
    }
    /// Bytes of one directory entry.
    fn entry(self) -> u64 {
        if self.big_tiff { 20 } else { 12 }
    }
}

/// NewSubfileType and (old) SubfileType: marks reduced-resolution copies.
const NEW_SUBFILE_TYPE: u16 = 254;
const SUBFILE_TYPE: u16 = 255;
/// Most entries read from one directory.
const MAX_ENTRIES: u64 = 65_535;

fn read_at<R: Read + Seek, const N: usize>(r: &mut R, at: u64) -> Option<[u8; N]> {
    let mut b = [0u8; N];
    r.seek(SeekFrom::Start(at)).ok()?;
    r.read_exact(&mut b).ok()?;
    Some(b)
}

fn header<R: Read + Seek>(r: &mut R) -> Option<(Layout, u64)> {
    let h: [u8; 4] = read_at(r, 0)?;
    let (big_endian, big_tiff) = match &h {
        b"II*\0" => (false, false),
        b"MM\0*" => (true, false),
        b"II+\0" => (false, true),
        b"MM\0+" => (true, true),
        _ => return None,
    };
    let l = Layout {
        big_endian,
        big_tiff,
    };
    let first = if big_tiff {
        l.u64(read_at(r, 8)?)
    } else {
        u64::from(l.u32(read_at(r, 4)?))
    };
    Some((l, first))
}

/// One directory: whether it is a reduced-resolution copy, and the offset
/// of the next one (0 at the end).
fn directory<R: Read + Seek>(r: &mut R, l: Layout, at: u64) -> Option<(bool, u64)> {
    let (count, first_entry) = if l.big_tiff {
        (l.u64(read_at(r, at)?), at + 8)
    } else {
        (u64::from(l.u16(read_at(r, at)?)), at + 2)
    };
    if count == 0 || count > MAX_ENTRIES {
        return None;
    }
    let mut reduced = false;
    for i in 0..count {
        let e = first_entry + i * l.entry();
        let tag = l.u16(read_at(r, e)?);
        if tag == NEW_SUBFILE_TYPE || tag == SUBFILE_TYPE {
            let typ = l.u16(read_at(r, e + 2)?);
            let value_at = e + if l.big_tiff { 12 } else { 8 };
            let value = match typ {
                3 => u32::from(l.u16(read_at(r, value_at)?)),
                _ => l.u32(read_at(r, value_at)?),
            };
            reduced |= if tag == NEW_SUBFILE_TYPE {
                value & 1 == 1
            } else {
                value == 2
            };
        }
        if tag > SUBFILE_TYPE {
            // Entries are sorted by tag; nothing further matters here.
            break;
        }
    }
    let next_at = first_entry + count * l.entry();
    let next = if l.big_tiff {
        l.u64(read_at(r, next_at)?)
    } else {
        u64::from(l.u32(read_at(r, next_at)?))
    };
    Some((reduced, next))
}

/// The directory offsets of the pages, in order, reading only the
/// directories. `None` when the header or the first directory cannot be
/// read. The walk stops at a directory that cannot be read, at a loop, or
/// after [`MAX_PAGES`] + 1 pages.
pub(crate) fn page_offsets(mut r: impl Read + Seek) -> Option<Vec<u64>> {
    let (l, mut at) = header(&mut r)?;
    let mut pages = Vec::new();
    let mut seen = HashSet::new();
    let mut first = true;
    while at != 0 && pages.len() <= MAX_PAGES && seen.len() <= 2 * MAX_PAGES {
        if !seen.insert(at) {
            break;
        }
        let Some((reduced, next)) = directory(&mut r, l, at) else {
            if first {
                return None;
            }
            break;
        };
        if !reduced || first {
            pages.push(at);
        }
        first = false;
        at = next;
    }
    Some(pages)
}

impl Tiff {
    /// Finds the pages of a TIFF in memory. Fails when it has more than
    /// [`MAX_PAGES`] pages.
    pub(crate) fn open(bytes: Vec<u8>) -> Result<Tiff, DocumentError> {
        let pages = page_offsets(std::io::Cursor::new(&bytes)).unwrap_or_default();
        if pages.len() > MAX_PAGES {
            return Err(DocumentError(format!(
                "TIFF of more than {MAX_PAGES} pages: split it first, e.g. `tiffsplit in.tif page-`"
            )));
        }
        let (layout, _) = header(&mut std::io::Cursor::new(&bytes))
            .ok_or_else(|| DocumentError("damaged TIFF: its header cannot be read".into()))?;
        Ok(Tiff {
            bytes,
            layout,
            pages,
        })
    }

    pub(crate) fn pages(&self) -> usize {
        self.pages.len().max(1)
    }

    /// Page `n` (1-based) as a single-page TIFF.
    pub(crate) fn page(&self, n: usize) -> Result<Page, PageError> {
        let at = *n
            .checked_sub(1)
            .and_then(|i| self.pages.get(i))
            .ok_or_else(|| PageError(format!("page {n}: the TIFF has no such page")))?;
        let l = self.layout;
        let mut b = self.bytes.clone();
        let put = |b: &mut Vec<u8>, pos: u64, v: u64, wide: bool| -> Option<()> {
            let pos = usize::try_from(pos).ok()?;
            let bytes: Vec<u8> = match (wide, l.big_endian) {
                (true, true) => v.to_be_bytes().to_vec(),
                (true, false) => v.to_le_bytes().to_vec(),
                (false, true) => u32::try_from(v).ok()?.to_be_bytes().to_vec(),
                (false, false) => u32::try_from(v).ok()?.to_le_bytes().to_vec(),
            };
            b.get_mut(pos..pos + bytes.len())?.copy_from_slice(&bytes);
            Some(())
        };
        let mut cur = std::io::Cursor::new(&self.bytes);
        let count = if l.big_tiff {
            read_at::<_, 8>(&mut cur, at).map(|c| l.u64(c))
        } else {
            read_at::<_, 2>(&mut cur, at).map(|c| u64::from(l.u16(c)))
        };
        let patched = count.and_then(|count| {
            let next_at = at + if l.big_tiff { 8 } else { 2 } + count * l.entry();
            put(&mut b, if l.big_tiff { 8 } else { 4 }, at, l.big_tiff)?;
            put(&mut b, next_at, 0, l.big_tiff)
        });
        patched.ok_or_else(|| PageError(format!("page {n}: damaged TIFF directory")))?;
        Ok(Page {
            bytes: b,
            warnings: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A little-endian TIFF of `pages` 1x1 grey pages, built by hand; the
    /// directories of pages listed in `reduced` are marked as thumbnails.
    fn tiff(pages: usize, reduced: &[usize]) -> Vec<u8> {
        let mut b = b"II*\0\0\0\0\0".to_vec();
        let mut prev_next = 4usize;
        for p in 0..pages {
            let pixel = b.len() as u32;
            b.push(p as u8 * 40);
            if b.len() % 2 == 1 {
                b.push(0);
            }
            let at = b.len();
            b[prev_next..prev_next + 4].copy_from_slice(&(at as u32).to_le_bytes());
            let sub = u32::from(reduced.contains(&p));
            let entries: [(u16, u16, u32); 9] = [
                (254, 4, sub),
                (256, 3, 1),
                (257, 3, 1),
                (258, 3, 8),
                (259, 3, 1),
                (262, 3, 1),
                (273, 4, pixel),
                (278, 3, 1),
                (279, 4, 1),
            ];
            b.extend_from_slice(&(entries.len() as u16).to_le_bytes());
            for (tag, typ, v) in entries {
                b.extend_from_slice(&tag.to_le_bytes());
                b.extend_from_slice(&typ.to_le_bytes());
                b.extend_from_slice(&1u32.to_le_bytes());
                b.extend_from_slice(&v.to_le_bytes());
            }
            prev_next = b.len();
            b.extend_from_slice(&0u32.to_le_bytes());
        }
        b
    }

    #[test]
    fn pages_are_counted_and_each_becomes_a_tiff_of_its_own() {
        let t = tiff(3, &[]);
        assert_eq!(page_offsets(std::io::Cursor::new(&t)).unwrap().len(), 3);
        let doc = Tiff::open(t).unwrap();
        for n in 1..=3 {
            let page = doc.page(n).unwrap().bytes;
            let offs = page_offsets(std::io::Cursor::new(&page)).unwrap();
            assert_eq!(offs.len(), 1, "page {n} stands alone");
            let img = image::load_from_memory(&page).unwrap().into_luma8();
            assert_eq!(img.get_pixel(0, 0)[0], (n as u8 - 1) * 40, "page {n}");
        }
        assert!(doc.page(4).is_err());
        assert!(doc.page(0).is_err());
    }

    #[test]
    fn thumbnails_loops_and_damage_end_the_count() {
        assert_eq!(
            page_offsets(std::io::Cursor::new(tiff(3, &[1])))
                .unwrap()
                .len(),
            2
        );
        // The last page's "next" points back at the first: a loop.
        let mut t = tiff(2, &[]);
        let (n, first) = (t.len(), [t[4], t[5], t[6], t[7]]);
        t[n - 4..].copy_from_slice(&first);
        assert_eq!(page_offsets(std::io::Cursor::new(&t)).unwrap().len(), 2);
        // Cut inside the second directory: one page.
        let t = tiff(2, &[]);
        let cut = &t[..t.len() - 30];
        assert_eq!(page_offsets(std::io::Cursor::new(cut)).unwrap().len(), 1);
        assert!(page_offsets(std::io::Cursor::new(b"II*\0\xff\xff\0\0")).is_none());
    }
}
