//! `pos-terminal --config FILE`: the POS stack as a standalone process on the ports and host
//! addresses its configuration names (see `pos/pos-terminal.example.yaml`). Logs go
//! to stderr (`RUST_LOG` filters them). Exit codes are in [`posrig_pos::app::exit_codes`]:
//! 0 after SIGTERM or Ctrl-C, 2 for a bad configuration or a missing port, 1 when the lane fails.

use std::path::PathBuf;

use clap::Parser;
use posrig_pos::app::{exit_codes, run_until, terminate_signal, AppConfig};

/// The posrig POS terminal: one lane on real or simulated devices.
#[derive(Debug, Parser)]
#[command(name = "pos-terminal", version)]
struct Args {
    /// The terminal's configuration file (YAML).
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
}

fn main() {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    std::process::exit(run(args));
}

fn run(args: Args) -> i32 {
    let config = match AppConfig::load(&args.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("pos-terminal: {}", chain(&e));
            return exit_codes::BAD_CONFIG;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("pos-terminal: start the runtime: {e}");
            return exit_codes::FAILED;
        }
    };
    match runtime.block_on(run_until(config, terminate_signal())) {
        Ok(()) => exit_codes::OK,
        Err(e) => {
            eprintln!("pos-terminal: {}", chain(&e));
            e.exit_code()
        }
    }
}

/// An error with its sources, `outer: inner: …`.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
