//! Scanner output frames, `[prefix][AIM id]data suffix`: the encoder the simulated scanner uses
//! and the incremental decoder the host uses.
//!
//! The scanner wire has no start byte, so the decoder can only resynchronise on a suffix: noise
//! is reported together with whatever frame it ran into, and the frame after the next suffix
//! decodes cleanly.

use std::collections::VecDeque;

use super::symbology::Symbology;

/// The default bound on one frame (prefix, AIM id and data): a QR payment code or a GS1 string
/// is well under this, and a stream without suffixes is noise.
pub const DEFAULT_MAX_FRAME: usize = 4096;

/// What ends a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Suffix {
    /// `0D`, the factory default.
    #[default]
    Cr,
    /// `0D 0A`.
    CrLf,
    /// `09`.
    Tab,
}

impl Suffix {
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Suffix::Cr => b"\r",
            Suffix::CrLf => b"\r\n",
            Suffix::Tab => b"\t",
        }
    }
}

/// How a scanner is programmed to frame its output; host and scanner must agree.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScannerConfig {
    /// Sent before everything else; empty for none.
    pub prefix: Vec<u8>,
    /// Whether the AIM id is sent before the data.
    pub aim_id: bool,
    pub suffix: Suffix,
}

impl Default for ScannerConfig {
    /// No prefix, AIM ids on, CR: what posrig's rigs use.
    fn default() -> Self {
        Self {
            prefix: Vec::new(),
            aim_id: true,
            suffix: Suffix::Cr,
        }
    }
}

/// One read barcode.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scan {
    /// `None` when the scanner does not send AIM ids.
    pub symbology: Option<Symbology>,
    pub data: String,
}

/// A scan that cannot be framed under a configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanEncodeError {
    /// A frame holding the suffix (in the data, or made by prefix and data together) would be
    /// cut in two by the host.
    #[error("frame scan: frame contains the suffix")]
    ContainsSuffix,
    /// An empty scan reads as nothing on the host.
    #[error("frame scan: no data")]
    Empty,
    #[error("frame scan: the scanner is set to send AIM ids but the scan has no symbology")]
    NoSymbology,
}

/// Bytes between suffixes that are not a scan. The decoder has already moved past them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanFrameError {
    #[error("read scan: frame does not start with the configured prefix")]
    MissingPrefix,
    #[error("read scan: frame does not start with an AIM id")]
    MissingAimId,
    #[error("read scan: no data")]
    Empty,
    #[error("read scan: data is not UTF-8")]
    NotUtf8,
    /// No suffix within the bound; bytes are dropped up to the next suffix.
    #[error("read scan: no suffix within {max} bytes")]
    Overlong { max: usize },
}

/// Frame a scan.
///
/// ```
/// use posrig_protocols::scanner::{encode_scan, Scan, ScannerConfig, Symbology};
/// let scan = Scan { symbology: Some(Symbology::Ean13), data: "5901234123457".into() };
/// assert_eq!(encode_scan(&scan, &ScannerConfig::default()).unwrap(), b"]E05901234123457\r");
/// ```
pub fn encode_scan(scan: &Scan, config: &ScannerConfig) -> Result<Vec<u8>, ScanEncodeError> {
    if scan.data.is_empty() {
        return Err(ScanEncodeError::Empty);
    }
    let mut out = config.prefix.clone();
    if config.aim_id {
        out.extend(scan.symbology.ok_or(ScanEncodeError::NoSymbology)?.aim_id());
    }
    out.extend(scan.data.as_bytes());
    let suffix = config.suffix.bytes();
    // Checked on the whole body, not the data alone: a prefix ending in CR followed by data
    // starting with LF makes a CRLF too. A body ending in CR before a CRLF suffix is fine,
    // since the host splits at the first complete suffix.
    if contains(&out, suffix) {
        return Err(ScanEncodeError::ContainsSuffix);
    }
    out.extend(suffix);
    Ok(out)
}

/// Host-side decoder: [`push`](Self::push) bytes in any chunking, then call
/// [`next_scan`](Self::next_scan) until it returns `None`.
#[derive(Debug, Clone)]
pub struct ScanDecoder {
    config: ScannerConfig,
    max_frame: usize,
    input: VecDeque<u8>,
    frame: Vec<u8>,
    /// Dropping bytes up to the next suffix after an overlong frame.
    discarding: bool,
}

impl ScanDecoder {
    pub fn new(config: ScannerConfig) -> Self {
        Self::with_max_frame(config, DEFAULT_MAX_FRAME)
    }

    pub fn with_max_frame(config: ScannerConfig, max_frame: usize) -> Self {
        Self {
            config,
            max_frame,
            input: VecDeque::new(),
            frame: Vec::new(),
            discarding: false,
        }
    }

    pub fn config(&self) -> &ScannerConfig {
        &self.config
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.input.extend(bytes);
    }

    /// The next scan or bad frame, or `None` when more bytes are needed.
    pub fn next_scan(&mut self) -> Option<Result<Scan, ScanFrameError>> {
        let suffix = self.config.suffix.bytes();
        while let Some(b) = self.input.pop_front() {
            self.frame.push(b);
            if self.frame.ends_with(suffix) {
                self.frame.truncate(self.frame.len() - suffix.len());
                let frame = std::mem::take(&mut self.frame);
                if std::mem::take(&mut self.discarding) {
                    continue;
                }
                return Some(self.parse(&frame));
            }
            // Keep one byte more than the bound so a CR whose LF has not arrived yet survives.
            if self.frame.len() > self.max_frame + suffix.len() - 1 {
                let keep = self.frame.last() == Some(&suffix[0]);
                self.frame.clear();
                if keep {
                    self.frame.push(suffix[0]);
                }
                if !std::mem::replace(&mut self.discarding, true) {
                    return Some(Err(ScanFrameError::Overlong {
                        max: self.max_frame,
                    }));
                }
            }
        }
        None
    }

    fn parse(&self, frame: &[u8]) -> Result<Scan, ScanFrameError> {
        let rest = frame
            .strip_prefix(self.config.prefix.as_slice())
            .ok_or(ScanFrameError::MissingPrefix)?;
        let (symbology, data) = if self.config.aim_id {
            let sym = rest
                .get(..3)
                .and_then(Symbology::from_aim_id)
                .ok_or(ScanFrameError::MissingAimId)?;
            (Some(sym), &rest[3..])
        } else {
            (None, rest)
        };
        if data.is_empty() {
            return Err(ScanFrameError::Empty);
        }
        let data = std::str::from_utf8(data).map_err(|_| ScanFrameError::NotUtf8)?;
        Ok(Scan {
            symbology,
            data: data.to_string(),
        })
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(dec: &mut ScanDecoder) -> Vec<Result<Scan, ScanFrameError>> {
        std::iter::from_fn(|| dec.next_scan()).collect()
    }

    fn ean(data: &str) -> Scan {
        Scan {
            symbology: Some(Symbology::Ean13),
            data: data.into(),
        }
    }

    #[test]
    fn prefix_aim_and_each_suffix() {
        for (suffix, tail) in [
            (Suffix::Cr, "\r"),
            (Suffix::CrLf, "\r\n"),
            (Suffix::Tab, "\t"),
        ] {
            let config = ScannerConfig {
                prefix: b"S:".to_vec(),
                aim_id: true,
                suffix,
            };
            let bytes = encode_scan(&ean("5901234123457"), &config).unwrap();
            assert_eq!(bytes, format!("S:]E05901234123457{tail}").as_bytes());
            let mut dec = ScanDecoder::new(config);
            for b in &bytes {
                dec.push(&[*b]);
            }
            assert_eq!(drain(&mut dec), vec![Ok(ean("5901234123457"))]);
        }
    }

    #[test]
    fn without_aim_ids_the_symbology_is_unknown() {
        let config = ScannerConfig {
            aim_id: false,
            ..ScannerConfig::default()
        };
        let mut dec = ScanDecoder::new(config);
        dec.push(b"96385074\r");
        assert_eq!(
            drain(&mut dec),
            vec![Ok(Scan {
                symbology: None,
                data: "96385074".into()
            })]
        );
    }

    #[test]
    fn bad_frames_are_typed_and_the_next_one_decodes() {
        let config = ScannerConfig {
            prefix: b"S:".to_vec(),
            ..ScannerConfig::default()
        };
        let mut dec = ScanDecoder::new(config);
        dec.push(b"junk\rS:junk\rS:]E0\rS:]E0\xff\r\rS:]Q1hello\r");
        assert_eq!(
            drain(&mut dec),
            vec![
                Err(ScanFrameError::MissingPrefix),
                Err(ScanFrameError::MissingAimId),
                Err(ScanFrameError::Empty),
                Err(ScanFrameError::NotUtf8),
                Err(ScanFrameError::MissingPrefix),
                Ok(Scan {
                    symbology: Some(Symbology::Qr),
                    data: "hello".into()
                }),
            ]
        );
    }

    #[test]
    fn overlong_frames_are_reported_once_and_skipped() {
        let config = ScannerConfig {
            suffix: Suffix::CrLf,
            ..ScannerConfig::default()
        };
        let mut dec = ScanDecoder::with_max_frame(config, 10);
        let mut out = vec![];
        for b in b"]E01234567890123456789\r\n]E4963850\r\n".iter() {
            dec.push(&[*b]);
            out.extend(drain(&mut dec));
        }
        assert_eq!(
            out,
            vec![
                Err(ScanFrameError::Overlong { max: 10 }),
                Ok(Scan {
                    symbology: Some(Symbology::Ean8),
                    data: "963850".into()
                })
            ]
        );
    }

    #[test]
    fn a_frame_of_exactly_the_bound_with_split_crlf_decodes() {
        let config = ScannerConfig {
            suffix: Suffix::CrLf,
            ..ScannerConfig::default()
        };
        let mut dec = ScanDecoder::with_max_frame(config, 8);
        dec.push(b"]E012345\r");
        assert_eq!(dec.next_scan(), None);
        dec.push(b"\n");
        assert_eq!(dec.next_scan(), Some(Ok(ean("12345"))));
    }

    #[test]
    fn encoder_refuses_data_holding_the_suffix() {
        let config = ScannerConfig::default();
        assert_eq!(
            encode_scan(&ean("12\r3"), &config),
            Err(ScanEncodeError::ContainsSuffix)
        );
        assert_eq!(encode_scan(&ean(""), &config), Err(ScanEncodeError::Empty));
        let none = Scan {
            symbology: None,
            data: "1".into(),
        };
        assert_eq!(
            encode_scan(&none, &config),
            Err(ScanEncodeError::NoSymbology)
        );
    }
}
