//! Customer display, Epson 2×20 command set (PROTOCOLS.md §4): the POS-side encoder, the
//! display-side incremental parser, and the [`Screen`] model a simulated display shows.
//!
//! - [`command`]: [`Command`], its encoder, and [`show_lines`] for the usual two-line update.
//! - [`parse`]: [`Parser`], push bytes, pull commands.
//! - [`screen`]: [`Screen`], the 2×20 character cells with cursor and scroll modes.

pub mod command;
pub mod parse;
pub mod screen;

pub use command::{encode, show_lines, Command, EncodeError, ScrollMode, COLUMNS, ROWS};
pub use parse::Parser;
pub use screen::Screen;
