//! display — being written.
