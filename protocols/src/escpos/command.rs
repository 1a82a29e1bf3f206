//! The typed commands a POS sends a receipt printer: what the printer-side parser produces and the
//! POS-side encoder consumes.
//!
//! Payload bytes (text, barcode data, QR data, skipped commands) are `Cow` so the parser can hand
//! out slices of its buffer without copying, while tests and simulators can keep owned copies
//! with [`Command::into_owned`].

use std::borrow::Cow;

use super::status::RealtimeStatusKind;

/// One ESC/POS command, as the printer understands it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command<'a> {
    /// A run of printable bytes (`20`..`FF`) in the current code page, not yet printed: it goes
    /// to the line buffer and prints at the next [`Command::LineFeed`].
    Text(Cow<'a, [u8]>),
    /// `0A`: print the line buffer and feed one line.
    LineFeed,
    /// `0D`: carriage return (ignored by most printers when auto line feed is off).
    CarriageReturn,
    /// `09`: horizontal tab.
    HorizontalTab,
    /// `1B 40`: initialise (resets modes and turns ASB off).
    Init,
    /// `1B 45 n`: emphasised (bold) on or off.
    Bold(bool),
    /// `1B 61 n`: justification.
    Align(Alignment),
    /// `1D 21 n`: character magnification.
    CharSize(CharSize),
    /// `1B 21 n`: print mode bit set.
    PrintMode(PrintMode),
    /// `1B 64 n`: print and feed `n` lines.
    Feed(u8),
    /// `1D 56 …`, `1B 69`, `1B 6D`: cut the paper.
    Cut(Cut),
    /// `1B 70 m t1 t2`: drawer kick pulse.
    DrawerKick(DrawerKick),
    /// `10 04 n`: real-time status request (n = 1..4); the printer answers one byte at once.
    RealtimeStatus(RealtimeStatusKind),
    /// `10 05 n`: real-time error recovery.
    RealtimeRecover(Recovery),
    /// `10 14 01 m t`: real-time drawer kick, `t` × 100 ms (t = 1..8).
    RealtimeDrawerKick {
        /// Connector pin pulsed.
        pin: DrawerPin,
        /// Pulse length in milliseconds (100..=800, a multiple of 100).
        pulse_ms: u16,
    },
    /// `1D 6B …`: print a barcode.
    Barcode(Barcode<'a>),
    /// `1D 68 n`: barcode height in dots.
    BarcodeHeight(u8),
    /// `1D 77 n`: barcode module width.
    BarcodeWidth(u8),
    /// `1D 48 n`: HRI (human-readable interpretation) position, 0 none .. 3 above and below.
    BarcodeHri(u8),
    /// `1D 28 6B … 31 fn …`: QR code set-up, store and print.
    Qr(Qr<'a>),
    /// `1B 74 n`: character code table (vendor numbering; 0 CP437, 2 CP850, 16 WPC1252, 19 CP858).
    CodePage(u8),
    /// `1B 3D n`: select the peripheral device.
    SelectDevice(DeviceSelect),
    /// `1D 72 n`: transmit status (a reply, not real-time: it queues behind the print data).
    TransmitStatus(TransmitStatusKind),
    /// `1D 61 n`: enable/disable automatic status back.
    AutoStatusBack(AsbMask),
    /// Bytes sent while the printer is deselected (`1B 3D` with bit 0 clear); a printer passes
    /// them through to the customer display.
    PassThrough(Cow<'a, [u8]>),
    /// A documented command with a known length that posrig does not model (for example
    /// `1B 33 n` line spacing or a raster image); the whole command is skipped and kept here.
    Unsupported(Cow<'a, [u8]>),
    /// The header of a documented command whose declared length exceeds the parser's
    /// `max_command_len`; the parser discards the rest without buffering it.
    Oversized {
        /// The command's header bytes (up to and including its length field).
        header: Cow<'a, [u8]>,
        /// The command's full declared length in bytes, header included.
        total_len: usize,
    },
    /// Bytes that are not a known command (or a known command with invalid parameters the
    /// parser cannot size). The parser resumes at the byte after them.
    Unknown(Cow<'a, [u8]>),
}

impl Command<'_> {
    /// A copy that owns its payload, to keep after the parser's buffer moves on.
    pub fn into_owned(self) -> Command<'static> {
        fn own(c: Cow<'_, [u8]>) -> Cow<'static, [u8]> {
            Cow::Owned(c.into_owned())
        }
        match self {
            Command::Text(t) => Command::Text(own(t)),
            Command::LineFeed => Command::LineFeed,
            Command::CarriageReturn => Command::CarriageReturn,
            Command::HorizontalTab => Command::HorizontalTab,
            Command::Init => Command::Init,
            Command::Bold(b) => Command::Bold(b),
            Command::Align(a) => Command::Align(a),
            Command::CharSize(s) => Command::CharSize(s),
            Command::PrintMode(m) => Command::PrintMode(m),
            Command::Feed(n) => Command::Feed(n),
            Command::Cut(c) => Command::Cut(c),
            Command::DrawerKick(k) => Command::DrawerKick(k),
            Command::RealtimeStatus(k) => Command::RealtimeStatus(k),
            Command::RealtimeRecover(r) => Command::RealtimeRecover(r),
            Command::RealtimeDrawerKick { pin, pulse_ms } => {
                Command::RealtimeDrawerKick { pin, pulse_ms }
            }
            Command::Barcode(b) => Command::Barcode(Barcode {
                kind: b.kind,
                form: b.form,
                data: own(b.data),
            }),
            Command::BarcodeHeight(n) => Command::BarcodeHeight(n),
            Command::BarcodeWidth(n) => Command::BarcodeWidth(n),
            Command::BarcodeHri(n) => Command::BarcodeHri(n),
            Command::Qr(q) => Command::Qr(match q {
                Qr::Model(m) => Qr::Model(m),
                Qr::ModuleSize(n) => Qr::ModuleSize(n),
                Qr::ErrorCorrection(e) => Qr::ErrorCorrection(e),
                Qr::Store(d) => Qr::Store(own(d)),
                Qr::Print => Qr::Print,
            }),
            Command::CodePage(n) => Command::CodePage(n),
            Command::SelectDevice(d) => Command::SelectDevice(d),
            Command::TransmitStatus(k) => Command::TransmitStatus(k),
            Command::AutoStatusBack(m) => Command::AutoStatusBack(m),
            Command::PassThrough(b) => Command::PassThrough(own(b)),
            Command::Unsupported(b) => Command::Unsupported(own(b)),
            Command::Oversized { header, total_len } => Command::Oversized {
                header: own(header),
                total_len,
            },
            Command::Unknown(b) => Command::Unknown(own(b)),
        }
    }

    /// Whether the printer acts on this command on receipt, ahead of everything buffered
    /// (`DLE EOT`, `DLE ENQ`, `DLE DC4`).
    pub fn is_realtime(&self) -> bool {
        matches!(
            self,
            Command::RealtimeStatus(_)
                | Command::RealtimeRecover(_)
                | Command::RealtimeDrawerKick { .. }
        )
    }
}

/// Justification set by `ESC a`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Alignment {
    /// `00` / `30`.
    #[default]
    Left,
    /// `01` / `31`.
    Centre,
    /// `02` / `32`.
    Right,
}

impl Alignment {
    /// The parameter byte the encoder sends.
    pub fn to_byte(self) -> u8 {
        match self {
            Alignment::Left => 0,
            Alignment::Centre => 1,
            Alignment::Right => 2,
        }
    }

    /// The alignment for `ESC a n`, accepting both the binary and the ASCII-digit forms.
    pub fn from_byte(n: u8) -> Option<Self> {
        match n {
            0 | 0x30 => Some(Alignment::Left),
            1 | 0x31 => Some(Alignment::Centre),
            2 | 0x32 => Some(Alignment::Right),
            _ => None,
        }
    }
}

/// Character magnification from `GS !`: each factor is 1..=8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CharSize {
    /// Horizontal magnification, 1..=8.
    pub width: u8,
    /// Vertical magnification, 1..=8.
    pub height: u8,
}

impl Default for CharSize {
    fn default() -> Self {
        CharSize {
            width: 1,
            height: 1,
        }
    }
}

impl CharSize {
    /// The `GS !` parameter: high nibble width−1, low nibble height−1. Factors out of 1..=8 are
    /// clamped, since a printer would reject the whole command otherwise.
    pub fn to_byte(self) -> u8 {
        let w = self.width.clamp(1, 8) - 1;
        let h = self.height.clamp(1, 8) - 1;
        (w << 4) | h
    }

    /// The size for a `GS !` parameter, or `None` if a nibble is above 7 (undefined).
    pub fn from_byte(n: u8) -> Option<Self> {
        let (w, h) = (n >> 4, n & 0x0F);
        (w < 8 && h < 8).then_some(CharSize {
            width: w + 1,
            height: h + 1,
        })
    }
}

/// The `ESC !` bit set, kept raw so undefined bits survive a round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PrintMode(pub u8);

impl PrintMode {
    /// Bit 0: font B instead of font A.
    pub const FONT_B: u8 = 0x01;
    /// Bit 3: emphasised.
    pub const EMPHASISED: u8 = 0x08;
    /// Bit 4: double height.
    pub const DOUBLE_HEIGHT: u8 = 0x10;
    /// Bit 5: double width.
    pub const DOUBLE_WIDTH: u8 = 0x20;
    /// Bit 7: underline.
    pub const UNDERLINE: u8 = 0x80;

    /// Whether font B is selected.
    pub fn font_b(self) -> bool {
        self.0 & Self::FONT_B != 0
    }
    /// Whether emphasis (bold) is on.
    pub fn emphasised(self) -> bool {
        self.0 & Self::EMPHASISED != 0
    }
    /// Whether characters print double height.
    pub fn double_height(self) -> bool {
        self.0 & Self::DOUBLE_HEIGHT != 0
    }
    /// Whether characters print double width.
    pub fn double_width(self) -> bool {
        self.0 & Self::DOUBLE_WIDTH != 0
    }
    /// Whether underline is on.
    pub fn underline(self) -> bool {
        self.0 & Self::UNDERLINE != 0
    }
}

/// A paper cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cut {
    /// Partial cut (one point left uncut) rather than full.
    pub partial: bool,
    /// For `GS V 41 n` / `42 n`: feed `n` vertical motion units (dots at the default unit)
    /// before cutting. `None` cuts where the paper is.
    pub feed_units: Option<u8>,
}

/// Which drawer connector pin a kick pulses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrawerPin {
    /// Drawer kick-out connector pin 2 (`m` = `00`/`30`), the usual first drawer.
    Pin2,
    /// Pin 5 (`m` = `01`/`31`), the second drawer.
    Pin5,
}

impl DrawerPin {
    /// The `m` byte the encoder sends.
    pub fn to_byte(self) -> u8 {
        match self {
            DrawerPin::Pin2 => 0,
            DrawerPin::Pin5 => 1,
        }
    }

    /// The pin for an `ESC p` `m` byte (binary or ASCII digit).
    pub fn from_byte(m: u8) -> Option<Self> {
        match m {
            0 | 0x30 => Some(DrawerPin::Pin2),
            1 | 0x31 => Some(DrawerPin::Pin5),
            _ => None,
        }
    }
}

/// `ESC p m t1 t2`: the pulse is on for `t1` × 2 ms and off for `t2` × 2 ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrawerKick {
    /// Connector pin pulsed.
    pub pin: DrawerPin,
    /// On time in milliseconds (the wire carries it halved, so 0..=510, even).
    pub on_ms: u16,
    /// Off time in milliseconds (0..=510, even).
    pub off_ms: u16,
}

/// `DLE ENQ n` recovery modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recovery {
    /// `10 05 01`: recover from a recoverable error and restart printing from the failed line.
    Restart,
    /// `10 05 02`: recover after clearing the receive and print buffers.
    ClearBuffers,
}

/// The symbology of a `GS k` barcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BarcodeKind {
    /// UPC-A (form A `0`, form B `65`).
    UpcA,
    /// UPC-E (`1`, `66`).
    UpcE,
    /// EAN-13 / JAN-13 (`2`, `67`).
    Ean13,
    /// EAN-8 / JAN-8 (`3`, `68`).
    Ean8,
    /// CODE39 (`4`, `69`).
    Code39,
    /// Interleaved 2 of 5 (`5`, `70`).
    Itf,
    /// Codabar / NW-7 (`6`, `71`).
    Codabar,
    /// CODE93 (form B only, `72`).
    Code93,
    /// CODE128 (form B only, `73`).
    Code128,
    /// GS1-128 (`74`).
    Gs1_128,
    /// GS1 DataBar Omnidirectional (`75`).
    Gs1DataBarOmni,
    /// GS1 DataBar Truncated (`76`).
    Gs1DataBarTruncated,
    /// GS1 DataBar Limited (`77`).
    Gs1DataBarLimited,
    /// GS1 DataBar Expanded (`78`).
    Gs1DataBarExpanded,
    /// CODE128 with automatic code set selection (`79`).
    Code128Auto,
}

impl BarcodeKind {
    const ALL: [BarcodeKind; 15] = [
        BarcodeKind::UpcA,
        BarcodeKind::UpcE,
        BarcodeKind::Ean13,
        BarcodeKind::Ean8,
        BarcodeKind::Code39,
        BarcodeKind::Itf,
        BarcodeKind::Codabar,
        BarcodeKind::Code93,
        BarcodeKind::Code128,
        BarcodeKind::Gs1_128,
        BarcodeKind::Gs1DataBarOmni,
        BarcodeKind::Gs1DataBarTruncated,
        BarcodeKind::Gs1DataBarLimited,
        BarcodeKind::Gs1DataBarExpanded,
        BarcodeKind::Code128Auto,
    ];

    /// Every symbology, in `m` order (handy for property tests and menus).
    pub fn all() -> &'static [BarcodeKind] {
        &Self::ALL
    }

    /// The `m` byte for `form`, or `None` if the symbology has no form A code.
    pub fn to_m(self, form: BarcodeForm) -> Option<u8> {
        let index = Self::ALL.iter().position(|k| *k == self).unwrap_or(0) as u8;
        match form {
            BarcodeForm::A => (index <= 6).then_some(index),
            BarcodeForm::B => Some(65 + index),
        }
    }

    /// The symbology and form for a `GS k` `m` byte.
    pub fn from_m(m: u8) -> Option<(Self, BarcodeForm)> {
        match m {
            0..=6 => Some((Self::ALL[usize::from(m)], BarcodeForm::A)),
            65..=79 => Some((Self::ALL[usize::from(m - 65)], BarcodeForm::B)),
            _ => None,
        }
    }
}

/// The two `GS k` encodings: A terminates the data with `00`, B prefixes its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BarcodeForm {
    /// `1D 6B m d1…dk 00`, m = 0..6.
    A,
    /// `1D 6B m n d1…dn`, m = 65..79.
    #[default]
    B,
}

/// A `GS k` barcode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Barcode<'a> {
    /// Symbology.
    pub kind: BarcodeKind,
    /// Wire form it came in (or is to be sent in).
    pub form: BarcodeForm,
    /// The data bytes, without terminator or length.
    pub data: Cow<'a, [u8]>,
}

/// QR code functions of `GS ( k` with `cn` = `31`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Qr<'a> {
    /// fn `41` (65): select the model.
    Model(QrModel),
    /// fn `43` (67): module size in dots (1..16).
    ModuleSize(u8),
    /// fn `45` (69): error correction level.
    ErrorCorrection(QrEcLevel),
    /// fn `50` (80) `30`: store data in the symbol storage area.
    Store(Cow<'a, [u8]>),
    /// fn `51` (81) `30`: print the stored symbol.
    Print,
}

/// QR model (`n1` of fn 65).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QrModel {
    /// `31`.
    Model1,
    /// `32`, the common one.
    #[default]
    Model2,
    /// `33`.
    Micro,
}

impl QrModel {
    /// The `n1` byte.
    pub fn to_byte(self) -> u8 {
        match self {
            QrModel::Model1 => 0x31,
            QrModel::Model2 => 0x32,
            QrModel::Micro => 0x33,
        }
    }
    /// The model for an `n1` byte.
    pub fn from_byte(n: u8) -> Option<Self> {
        match n {
            0x31 => Some(QrModel::Model1),
            0x32 => Some(QrModel::Model2),
            0x33 => Some(QrModel::Micro),
            _ => None,
        }
    }
}

/// QR error correction level (fn 69).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QrEcLevel {
    /// `30`, 7 %.
    L,
    /// `31`, 15 %.
    #[default]
    M,
    /// `32`, 25 %.
    Q,
    /// `33`, 30 %.
    H,
}

impl QrEcLevel {
    /// The `n` byte.
    pub fn to_byte(self) -> u8 {
        match self {
            QrEcLevel::L => 0x30,
            QrEcLevel::M => 0x31,
            QrEcLevel::Q => 0x32,
            QrEcLevel::H => 0x33,
        }
    }
    /// The level for an `n` byte.
    pub fn from_byte(n: u8) -> Option<Self> {
        match n {
            0x30 => Some(QrEcLevel::L),
            0x31 => Some(QrEcLevel::M),
            0x32 => Some(QrEcLevel::Q),
            0x33 => Some(QrEcLevel::H),
            _ => None,
        }
    }
}

/// `ESC =` parameter: bit 0 enables the printer; `02` routes data to the customer display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceSelect(pub u8);

impl DeviceSelect {
    /// `1B 3D 01`: the printer.
    pub const PRINTER: DeviceSelect = DeviceSelect(1);
    /// `1B 3D 02`: pass-through to the customer display.
    pub const DISPLAY: DeviceSelect = DeviceSelect(2);

    /// Whether the printer acts on data after this command.
    pub fn printer_enabled(self) -> bool {
        self.0 & 0x01 != 0
    }
}

/// Which status `GS r n` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransmitStatusKind {
    /// `n` = `01`/`31`: paper sensor.
    Paper,
    /// `n` = `02`/`32`: drawer kick-out connector.
    Drawer,
}

impl TransmitStatusKind {
    /// The `n` byte the encoder sends.
    pub fn to_byte(self) -> u8 {
        match self {
            TransmitStatusKind::Paper => 1,
            TransmitStatusKind::Drawer => 2,
        }
    }
    /// The kind for a `GS r` `n` byte.
    pub fn from_byte(n: u8) -> Option<Self> {
        match n {
            1 | 0x31 => Some(TransmitStatusKind::Paper),
            2 | 0x32 => Some(TransmitStatusKind::Drawer),
            _ => None,
        }
    }
}

/// `GS a n` bits: which changes the printer reports by automatic status back. `0` disables ASB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AsbMask(pub u8);

impl AsbMask {
    /// Bit 0: drawer kick-out connector pin 3.
    pub const DRAWER: u8 = 0x01;
    /// Bit 1: on-line / off-line.
    pub const ONLINE: u8 = 0x02;
    /// Bit 2: errors.
    pub const ERRORS: u8 = 0x04;
    /// Bit 3: roll paper sensor.
    pub const PAPER: u8 = 0x08;
    /// Bit 6: panel (feed) switch.
    pub const PANEL_SWITCH: u8 = 0x40;

    /// Whether ASB is on at all.
    pub fn enabled(self) -> bool {
        self.0 != 0
    }
}
