//! The 2×20 screen a customer display shows: character cells, cursor, scroll mode and
//! brightness, changed by applying [`Command`]s the way an Epson-compatible display does.

use super::command::{Command, ScrollMode, COLUMNS, ROWS};

const W: usize = COLUMNS as usize;
const H: usize = ROWS as usize;
const BLANK: [u8; W] = [b' '; W];

/// What the customer sees.
///
/// After a character is written in the last column the cursor stays there until the next
/// character, which then wraps or scrolls according to the mode; this is how the displays
/// behave, and it lets a POS fill all 40 cells without the screen scrolling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen {
    cells: [[u8; W]; H],
    col: usize,
    row: usize,
    wrap_pending: bool,
    mode: ScrollMode,
    brightness: u8,
}

impl Default for Screen {
    fn default() -> Self {
        Screen {
            cells: [BLANK; H],
            col: 0,
            row: 0,
            wrap_pending: false,
            mode: ScrollMode::Overwrite,
            brightness: 4,
        }
    }
}

impl Screen {
    /// A blank screen after power-on.
    pub fn new() -> Self {
        Self::default()
    }

    /// Apply one command; returns whether anything visible (cells, cursor, brightness) changed.
    pub fn apply(&mut self, cmd: &Command) -> bool {
        let before = self.clone();
        match cmd {
            Command::Text(t) => t.iter().for_each(|&c| self.put(c)),
            Command::Clear => {
                self.cells = [BLANK; H];
                self.home();
            }
            Command::Home => self.home(),
            Command::Cursor { col, row } => {
                self.col = usize::from(col.clamp(&1, &COLUMNS) - 1);
                self.row = usize::from(row.clamp(&1, &ROWS) - 1);
                self.wrap_pending = false;
            }
            Command::Mode(m) => self.mode = *m,
            Command::Brightness(n) => self.brightness = (*n).clamp(1, 4),
            Command::ClearLine => {
                self.cells[self.row] = BLANK;
                self.col = 0;
                self.wrap_pending = false;
            }
            Command::Init => *self = Screen::default(),
            Command::Backspace => {
                if self.wrap_pending {
                    self.wrap_pending = false;
                } else if self.col > 0 {
                    self.col -= 1;
                } else {
                    self.col = W - 1;
                    self.row = (self.row + H - 1) % H;
                }
            }
            Command::Tab => {
                if self.wrap_pending {
                    self.wrap();
                } else if self.col + 1 < W {
                    self.col += 1;
                } else {
                    self.wrap_pending = true;
                }
            }
            Command::LineFeed => {
                self.wrap_pending = false;
                self.line_down();
            }
            Command::CarriageReturn => {
                self.col = 0;
                self.wrap_pending = false;
            }
            Command::Unknown(_) => {}
        }
        *self != before
    }

    /// Apply every command, returning whether anything visible changed.
    pub fn apply_all<'c>(&mut self, cmds: impl IntoIterator<Item = &'c Command>) -> bool {
        cmds.into_iter()
            .fold(false, |changed, c| self.apply(c) | changed)
    }

    /// The line `row` (0 top, 1 bottom) as text; bytes above `7F` map to Latin-1.
    pub fn line(&self, row: usize) -> String {
        self.cells
            .get(row)
            .map(|r| r.iter().map(|&c| char::from(c)).collect())
            .unwrap_or_default()
    }

    /// Both lines.
    pub fn lines(&self) -> [String; 2] {
        [self.line(0), self.line(1)]
    }

    /// The raw cells.
    pub fn cells(&self) -> &[[u8; W]; H] {
        &self.cells
    }

    /// Cursor as (column, row), 0-based.
    pub fn cursor(&self) -> (usize, usize) {
        (self.col, self.row)
    }

    /// Current scroll mode.
    pub fn mode(&self) -> ScrollMode {
        self.mode
    }

    /// Current brightness, 1..=4.
    pub fn brightness(&self) -> u8 {
        self.brightness
    }

    fn home(&mut self) {
        self.col = 0;
        self.row = 0;
        self.wrap_pending = false;
    }

    fn put(&mut self, c: u8) {
        if self.wrap_pending {
            self.wrap();
        }
        self.cells[self.row][self.col] = c;
        if self.col + 1 < W {
            self.col += 1;
        } else {
            self.wrap_pending = true;
        }
    }

    /// Move past the end of the line, as the mode says.
    fn wrap(&mut self) {
        self.wrap_pending = false;
        match self.mode {
            ScrollMode::Overwrite | ScrollMode::VerticalScroll => {
                self.col = 0;
                self.line_down();
            }
            ScrollMode::HorizontalScroll => {
                let row = &mut self.cells[self.row];
                row.copy_within(1.., 0);
                row[W - 1] = b' ';
                self.col = W - 1;
            }
        }
    }

    fn line_down(&mut self) {
        if self.row + 1 < H {
            self.row += 1;
        } else if self.mode == ScrollMode::VerticalScroll {
            self.cells[0] = self.cells[1];
            self.cells[1] = BLANK;
        } else {
            self.row = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::display::{show_lines, Parser};

    fn run(screen: &mut Screen, bytes: &[u8]) -> bool {
        let mut p = Parser::new();
        p.push(bytes);
        let cmds: Vec<_> = p.collect();
        screen.apply_all(&cmds)
    }

    #[test]
    fn show_lines_renders_both_lines() {
        let mut s = Screen::new();
        assert!(run(&mut s, &show_lines("MILK 1L", "TOTAL          1.99")));
        assert_eq!(s.lines(), ["MILK 1L             ", "TOTAL          1.99 "]);
        assert!(!run(&mut s, b"\x1f\x01"), "mode change is not visible");
    }

    #[test]
    fn overwrite_mode_wraps_to_the_other_line() {
        let mut s = Screen::new();
        run(&mut s, &[b'a'; 20]);
        assert_eq!(s.cursor(), (19, 0));
        run(&mut s, b"bc");
        assert_eq!(s.line(1), format!("bc{}", " ".repeat(18)));
        run(&mut s, &[b'x'; 18]);
        run(&mut s, b"Z");
        assert_eq!(s.line(0), format!("Z{}", "a".repeat(19)));
    }

    #[test]
    fn vertical_scroll_moves_the_lower_line_up() {
        let mut s = Screen::new();
        run(&mut s, b"\x1f\x02");
        run(&mut s, &[b'1'; 20]);
        run(&mut s, &[b'2'; 20]);
        run(&mut s, b"3");
        assert_eq!(s.line(0), "2".repeat(20));
        assert_eq!(s.line(1), format!("3{}", " ".repeat(19)));
    }

    #[test]
    fn horizontal_scroll_shifts_the_line() {
        let mut s = Screen::new();
        run(&mut s, b"\x1f\x03");
        run(&mut s, b"ABCDEFGHIJKLMNOPQRSTUV");
        assert_eq!(s.line(0), "CDEFGHIJKLMNOPQRSTUV");
        assert_eq!(s.line(1), " ".repeat(20));
    }

    #[test]
    fn clear_line_home_init_and_brightness() {
        let mut s = Screen::new();
        run(&mut s, &show_lines("top", "bottom"));
        run(&mut s, b"\x18");
        assert_eq!(s.line(1), " ".repeat(20));
        assert_eq!(s.cursor(), (0, 1));
        run(&mut s, b"\x0bX\x1f\x58\x02");
        assert_eq!(&s.line(0)[..3], "Xop");
        assert_eq!(s.brightness(), 2);
        run(&mut s, b"\x1b@");
        assert_eq!(s, Screen::new());
    }
}
