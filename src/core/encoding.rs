//! Character encodings of the match-result file: detection and strict per-field decoding.
//!
//! Files come as Windows-31J (CP932) or UTF-8 (with or without BOM). Decoding is strict:
//! a byte sequence that is not valid in the file's encoding is an error naming the row and
//! column, never a silent replacement character.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use encoding_rs::SHIFT_JIS;

/// What the user asked for (`--encoding`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum EncodingChoice {
    /// Detect: UTF-8 BOM, else valid UTF-8, else CP932.
    #[default]
    Auto,
    /// Windows-31J (CP932).
    Cp932,
    /// UTF-8 (a BOM is skipped if present).
    Utf8,
}

impl FromStr for EncodingChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "auto" | "" => Ok(EncodingChoice::Auto),
            // encoding_rs knows shift_jis/windows-31j/ms932/sjis but not cp932/windows-932.
            "cp932" | "windows-31j" | "windows-932" | "ms932" | "shift-jis" | "sjis"
            | "ms-kanji" => Ok(EncodingChoice::Cp932),
            "utf-8" | "utf8" => Ok(EncodingChoice::Utf8),
            other => Err(format!(
                "文字コード「{other}」は扱えません（auto, cp932, utf-8 のいずれか）"
            )),
        }
    }
}

/// The encoding an import actually used.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FileEncoding {
    /// Windows-31J.
    Cp932,
    /// UTF-8 without BOM.
    Utf8,
    /// UTF-8 with BOM.
    Utf8Bom,
}

impl FileEncoding {
    /// Name for people and for the imports table.
    pub fn name(self) -> &'static str {
        match self {
            FileEncoding::Cp932 => "CP932 (Windows-31J)",
            FileEncoding::Utf8 => "UTF-8",
            FileEncoding::Utf8Bom => "UTF-8 (BOM付き)",
        }
    }

    /// Length of the byte-order mark to skip.
    pub fn bom_len(self) -> usize {
        match self {
            FileEncoding::Utf8Bom => 3,
            _ => 0,
        }
    }
}

impl fmt::Display for FileEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decides the encoding from the first bytes of the file and the user's choice.
///
/// `prefix` should be the first 64 KiB or so; a multi-byte sequence cut at its end is fine.
pub fn detect(prefix: &[u8], choice: EncodingChoice) -> FileEncoding {
    let has_bom = prefix.starts_with(BOM);
    match choice {
        EncodingChoice::Cp932 => FileEncoding::Cp932,
        EncodingChoice::Utf8 if has_bom => FileEncoding::Utf8Bom,
        EncodingChoice::Utf8 => FileEncoding::Utf8,
        EncodingChoice::Auto if has_bom => FileEncoding::Utf8Bom,
        EncodingChoice::Auto => match std::str::from_utf8(prefix) {
            Ok(_) => FileEncoding::Utf8,
            // error_len() None: the prefix ends inside a sequence, everything before was valid.
            Err(e) if e.error_len().is_none() => FileEncoding::Utf8,
            Err(_) => FileEncoding::Cp932,
        },
    }
}

/// Decodes one field strictly; `None` if the bytes are not valid in `enc`.
pub fn decode_field(enc: FileEncoding, bytes: &[u8]) -> Option<Cow<'_, str>> {
    if bytes.is_ascii() {
        // ASCII is the same in both encodings (CP932 maps 0x5C to U+005C in encoding_rs).
        return Some(Cow::Borrowed(std::str::from_utf8(bytes).ok()?));
    }
    match enc {
        FileEncoding::Cp932 => SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes),
        FileEncoding::Utf8 | FileEncoding::Utf8Bom => {
            std::str::from_utf8(bytes).ok().map(Cow::Borrowed)
        }
    }
}

/// Decodes one field strictly into `dst` (replacing what it held, in the room it has):
/// `false` if the bytes are not valid in `enc`. The same decoding as [`decode_field`], without
/// an allocation per field once `dst` is large enough. (Its ASCII and UTF-8 branches repeat
/// `decode_field`'s: calling it for them checked every cell twice, 2 % more instructions on
/// the import's reading thread under callgrind.)
pub fn decode_field_into(enc: FileEncoding, bytes: &[u8], dst: &mut String) -> bool {
    dst.clear();
    if bytes.is_ascii() {
        // ASCII is the same in both encodings (CP932 maps 0x5C to U+005C in encoding_rs).
        return match std::str::from_utf8(bytes) {
            Ok(s) => {
                dst.push_str(s);
                true
            }
            Err(_) => false,
        };
    }
    match enc {
        FileEncoding::Cp932 => {
            let mut decoder = SHIFT_JIS.new_decoder_without_bom_handling();
            let Some(room) = decoder.max_utf8_buffer_length_without_replacement(bytes.len()) else {
                return false;
            };
            dst.reserve(room);
            let (result, read) = decoder.decode_to_string_without_replacement(bytes, dst, true);
            matches!(result, encoding_rs::DecoderResult::InputEmpty) && read == bytes.len()
        }
        FileEncoding::Utf8 | FileEncoding::Utf8Bom => match std::str::from_utf8(bytes) {
            Ok(s) => {
                dst.push_str(s);
                true
            }
            Err(_) => false,
        },
    }
}

/// Decodes a whole small text file (a profile): UTF-8 with or without BOM, else CP932.
pub fn decode_whole_text(bytes: &[u8]) -> Option<String> {
    let enc = detect(bytes, EncodingChoice::Auto);
    decode_field(enc, &bytes[enc.bom_len()..]).map(Cow::into_owned)
}

/// Encodes text as CP932 without any replacement. On failure returns the characters that
/// CP932 cannot hold (so that the caller can report them).
pub fn encode_cp932(text: &str) -> Result<Vec<u8>, Vec<char>> {
    let mut enc = SHIFT_JIS.new_encoder();
    let mut out = Vec::with_capacity(text.len());
    let mut bad = Vec::new();
    let mut rest = text;
    loop {
        let need = enc
            .max_buffer_length_from_utf8_without_replacement(rest.len())
            .unwrap_or(rest.len() * 2 + 16);
        let start = out.len();
        out.resize(start + need, 0);
        let (res, read, written) =
            enc.encode_from_utf8_without_replacement(rest, &mut out[start..], true);
        out.truncate(start + written);
        rest = &rest[read..];
        match res {
            encoding_rs::EncoderResult::InputEmpty => break,
            encoding_rs::EncoderResult::OutputFull => continue,
            encoding_rs::EncoderResult::Unmappable(c) => bad.push(c),
        }
    }
    if bad.is_empty() { Ok(out) } else { Err(bad) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cp932_names_and_windows_names_are_understood() {
        for n in [
            "cp932",
            "CP932",
            "windows-31j",
            "Windows-932",
            "MS932",
            "shift_jis",
            "sjis",
        ] {
            assert_eq!(
                n.parse::<EncodingChoice>(),
                Ok(EncodingChoice::Cp932),
                "{n}"
            );
        }
        assert_eq!("UTF-8".parse::<EncodingChoice>(), Ok(EncodingChoice::Utf8));
        assert!("latin1".parse::<EncodingChoice>().is_err());
    }

    #[test]
    fn nec_and_ibm_extensions_round_trip() {
        let s = "①㈱Ⅱ髙﨑●№";
        let bytes = encode_cp932(s).unwrap();
        assert_eq!(decode_field(FileEncoding::Cp932, &bytes).unwrap(), s);
        assert_eq!(detect(&bytes, EncodingChoice::Auto), FileEncoding::Cp932);
    }

    #[test]
    fn unmappable_characters_are_reported_not_replaced() {
        assert_eq!(encode_cp932("吉𠮷"), Err(vec!['𠮷']));
    }

    #[test]
    fn detection_prefers_bom_then_utf8() {
        assert_eq!(
            detect("\u{feff}山田".as_bytes(), EncodingChoice::Auto),
            FileEncoding::Utf8Bom
        );
        assert_eq!(
            detect("山田".as_bytes(), EncodingChoice::Auto),
            FileEncoding::Utf8
        );
        // Cut in the middle of a 3-byte sequence: still UTF-8.
        assert_eq!(
            detect(&"山田".as_bytes()[..4], EncodingChoice::Auto),
            FileEncoding::Utf8
        );
    }
}
