//! Peripheral drivers over byte streams (printer, scanner, PIN pad, display, keyboard, drawer, scale); to be written.
