//! An image's width and height from the start of its file: PNG, GIF, JPEG and WebP headers.
//! Pure logic: the storage store reads the first bytes of an uploaded object and asks here.

/// `(width, height)` in pixels, if `bytes` starts an image of a known format whose size is
/// within `bytes`.
pub fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png(bytes)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some((u32::from(le16(bytes, 6)?), u32::from(le16(bytes, 8)?)))
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        jpeg(bytes)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        webp(bytes)
    } else {
        None
    }
    .filter(|(w, h)| *w > 0 && *h > 0)
}

/// The MIME type and extension of an image, judged by its content (the magic bytes, and a
/// header whose size parses): `None` for anything else, whatever its name or declared type.
pub fn format(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    dimensions(bytes)?;
    Some(if bytes.starts_with(b"\x89PNG") {
        ("image/png", "png")
    } else if bytes.starts_with(b"GIF8") {
        ("image/gif", "gif")
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        ("image/jpeg", "jpg")
    } else {
        ("image/webp", "webp")
    })
}

fn le16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn le24(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 3)?;
    Some(u32::from(s[0]) | u32::from(s[1]) << 8 | u32::from(s[2]) << 16)
}

/// The IHDR chunk comes first: length, `IHDR`, width, height (big-endian).
fn png(b: &[u8]) -> Option<(u32, u32)> {
    if b.get(12..16)? != b"IHDR" {
        return None;
    }
    Some((be32(b, 16)?, be32(b, 20)?))
}

/// Walks the segments to the first start-of-frame marker, which holds height then width.
fn jpeg(b: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    loop {
        if *b.get(i)? != 0xFF {
            return None;
        }
        // Markers may be preceded by any number of fill bytes.
        while *b.get(i + 1)? == 0xFF {
            i += 1;
        }
        let marker = *b.get(i + 1)?;
        match marker {
            // Markers without a length: TEM, RSTn, SOI.
            0x01 | 0xD0..=0xD8 => i += 2,
            // EOI or start of scan before any frame header: no size to find.
            0xD9 | 0xDA => return None,
            // SOFn (not DHT C4, JPG C8, DAC CC).
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                return Some((u32::from(be16(b, i + 7)?), u32::from(be16(b, i + 5)?)));
            }
            _ => i += 2 + usize::from(be16(b, i + 2)?),
        }
    }
}

/// RIFF container: a lossy `VP8 `, lossless `VP8L` or extended `VP8X` first chunk.
fn webp(b: &[u8]) -> Option<(u32, u32)> {
    let chunk = b.get(12..16)?;
    let data = 20;
    match chunk {
        b"VP8 " => {
            if b.get(data + 3..data + 6)? != [0x9D, 0x01, 0x2A] {
                return None;
            }
            Some((
                u32::from(le16(b, data + 6)? & 0x3FFF),
                u32::from(le16(b, data + 8)? & 0x3FFF),
            ))
        }
        b"VP8L" => {
            if *b.get(data)? != 0x2F {
                return None;
            }
            let bits = u32::from_le_bytes(b.get(data + 1..data + 5)?.try_into().ok()?);
            Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        b"VP8X" => Some((le24(b, data + 4)? + 1, le24(b, data + 7)? + 1)),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod samples {
    //! Minimal headers of each format, for tests here and in the end-to-end tier.

    pub fn png(w: u32, h: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        b.extend(w.to_be_bytes());
        b.extend(h.to_be_bytes());
        b.extend([8, 6, 0, 0, 0]);
        b
    }

    pub fn gif(w: u16, h: u16) -> Vec<u8> {
        let mut b = b"GIF89a".to_vec();
        b.extend(w.to_le_bytes());
        b.extend(h.to_le_bytes());
        b.extend([0, 0, 0]);
        b
    }

    /// SOI, an APP0 segment, a DQT-like segment, then SOF2 (progressive).
    pub fn jpeg(w: u16, h: u16) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        b.extend(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        b.extend([0xFF, 0xDB, 0x00, 0x04, 0x00, 0x00]);
        b.extend([0xFF, 0xFF, 0xC2, 0x00, 0x11, 0x08]);
        b.extend(h.to_be_bytes());
        b.extend(w.to_be_bytes());
        b.extend([3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        b
    }

    fn riff(chunk: &[u8], data: &[u8]) -> Vec<u8> {
        let mut b = b"RIFF\0\0\0\0WEBP".to_vec();
        b.extend(chunk);
        b.extend((data.len() as u32).to_le_bytes());
        b.extend(data);
        b
    }

    pub fn webp_lossy(w: u16, h: u16) -> Vec<u8> {
        let mut d = vec![0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A];
        d.extend(w.to_le_bytes());
        d.extend(h.to_le_bytes());
        riff(b"VP8 ", &d)
    }

    pub fn webp_lossless(w: u32, h: u32) -> Vec<u8> {
        let bits = (w - 1) | (h - 1) << 14;
        let mut d = vec![0x2F];
        d.extend(bits.to_le_bytes());
        riff(b"VP8L", &d)
    }

    pub fn webp_extended(w: u32, h: u32) -> Vec<u8> {
        let mut d = vec![0x10, 0, 0, 0];
        d.extend(&(w - 1).to_le_bytes()[..3]);
        d.extend(&(h - 1).to_le_bytes()[..3]);
        riff(b"VP8X", &d)
    }
}

#[cfg(test)]
mod tests {
    use super::dimensions;
    use super::samples::*;

    #[test]
    fn reads_each_formats_size() {
        assert_eq!(dimensions(&png(640, 480)), Some((640, 480)));
        assert_eq!(dimensions(&gif(120, 90)), Some((120, 90)));
        assert_eq!(dimensions(&jpeg(1024, 768)), Some((1024, 768)));
        assert_eq!(dimensions(&webp_lossy(300, 200)), Some((300, 200)));
        assert_eq!(dimensions(&webp_lossless(5000, 16)), Some((5000, 16)));
        assert_eq!(dimensions(&webp_extended(70_000, 1)), Some((70_000, 1)));
    }

    #[test]
    fn jpeg_skips_segments_and_fill_bytes_before_the_frame() {
        let mut b = jpeg(10, 20);
        // A big EXIF-like APP1 segment in front of the rest.
        let mut app1 = vec![0xFF, 0xE1, 0x40, 0x00];
        app1.extend(vec![0u8; 0x4000 - 2]);
        b.splice(2..2, app1);
        assert_eq!(dimensions(&b), Some((10, 20)));
    }

    #[test]
    fn truncated_or_foreign_bytes_have_no_size() {
        assert_eq!(dimensions(b""), None);
        assert_eq!(dimensions(b"hello world, not an image"), None);
        assert_eq!(dimensions(&png(1, 1)[..20]), None);
        let j = jpeg(10, 20);
        assert_eq!(dimensions(&j[..j.len() - 12]), None, "frame header cut short");
        assert_eq!(dimensions(&[0xFF, 0xD8, 0xFF, 0xDA, 0, 2]), None, "scan before frame");
        assert_eq!(dimensions(&png(0, 10)), None, "zero sides are not an image");
    }
}
