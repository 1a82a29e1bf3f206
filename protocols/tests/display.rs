//! Customer display integration tests: encoder → parser round trips in any chunking, the
//! screen model as oracle, garbage resistance and resync.

use posrig_protocols::display::{encode, Command, Parser, Screen, ScrollMode};
use proptest::prelude::*;

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        4 => prop::collection::vec(0x20u8..=0xFF, 1..30).prop_map(Command::Text),
        1 => Just(Command::Clear),
        1 => Just(Command::Home),
        1 => (1u8..=20, 1u8..=2).prop_map(|(col, row)| Command::Cursor { col, row }),
        1 => prop::sample::select(vec![
            ScrollMode::Overwrite,
            ScrollMode::VerticalScroll,
            ScrollMode::HorizontalScroll
        ])
        .prop_map(Command::Mode),
        1 => (1u8..=4).prop_map(Command::Brightness),
        1 => Just(Command::ClearLine),
        1 => Just(Command::Init),
        1 => Just(Command::Backspace),
        1 => Just(Command::Tab),
        1 => Just(Command::LineFeed),
        1 => Just(Command::CarriageReturn),
    ]
}

fn merge_text(cmds: Vec<Command>) -> Vec<Command> {
    let mut out: Vec<Command> = Vec::new();
    for c in cmds {
        if let (Some(Command::Text(prev)), Command::Text(t)) = (out.last_mut(), &c) {
            prev.extend_from_slice(t);
            continue;
        }
        out.push(c);
    }
    out
}

fn parse_chunked(bytes: &[u8], sizes: &[usize]) -> Vec<Command> {
    let mut p = Parser::new();
    let mut out = Vec::new();
    let mut rest = bytes;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes[i % sizes.len()].clamp(1, rest.len());
        i += 1;
        p.push(&rest[..n]);
        rest = &rest[n..];
        out.extend(p.by_ref());
    }
    out
}

proptest! {
    #[test]
    fn round_trip_and_screen_oracle(
        cmds in prop::collection::vec(command(), 0..40),
        sizes in prop::collection::vec(1usize..16, 1..6),
    ) {
        let mut bytes = Vec::new();
        for c in &cmds {
            encode(c, &mut bytes).unwrap();
        }
        for sizes in [&sizes[..], &[1]] {
            let got = parse_chunked(&bytes, sizes);
            // The screen after the parsed commands equals the screen after the sent ones.
            let mut sent = Screen::new();
            sent.apply_all(&cmds);
            let mut seen = Screen::new();
            seen.apply_all(&got);
            prop_assert_eq!(&seen, &sent);
            prop_assert_eq!(merge_text(got), merge_text(cmds.clone()));
        }
    }

    #[test]
    fn garbage_never_panics_and_the_parser_resyncs(
        garbage in prop::collection::vec(any::<u8>(), 0..200),
        sizes in prop::collection::vec(1usize..16, 1..6),
    ) {
        let mut bytes = garbage;
        // Three CRs complete any command the garbage left open (the longest, `1F 24 x y`,
        // needs at most three more bytes).
        bytes.extend_from_slice(b"\r\r\r\x1b@OK");
        let got = parse_chunked(&bytes, &sizes);
        let mut screen = Screen::new();
        screen.apply_all(&got);
        prop_assert_eq!(screen.line(0), format!("OK{}", " ".repeat(18)));
        let got = merge_text(got);
        prop_assert_eq!(&got[got.len() - 2..], &[Command::Init, Command::Text(b"OK".to_vec())][..]);
    }
}
