//! Driver tests: each driver on an in-memory wire, the test acting as the device with raw
//! protocol bytes on the far end, in virtual time where timing matters.

mod driver {
    pub mod support;

    mod display;
    mod keyboard;
    mod pinpad;
    mod printer;
    mod scale;
    mod scanner;
}
