//! `posrig`: the command line of the POS hardware-in-the-loop simulator.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use posrig_harness::exit_codes;

#[derive(Debug, Parser)]
#[command(
    name = "posrig",
    version,
    about = "Hardware-in-the-loop simulator and test harness for POS terminals"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run scenarios (files, or folders searched recursively) against the embedded POS. Exits 0
    /// when all passed, 1 when any failed, 2 on invalid input.
    Run {
        /// Scenario files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Run only scenarios with this tag (repeatable: any of them).
        #[arg(long = "tag")]
        tags: Vec<String>,
        /// The run's seed (default: the scenario's `seed:`, else 1).
        #[arg(long)]
        seed: Option<u64>,
        /// The run folder (default: runs/<time>-seed-<seed>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// The clock: auto (the scenario's), virtual or real.
        #[arg(long, default_value = "auto", value_parser = ["auto", "virtual", "real"])]
        time: String,
        /// Run every scenario twice with the same seed and compare the event logs (exit 1 on
        /// divergence, showing the first diverging event).
        #[arg(long)]
        check_determinism: bool,
    },
    /// Run a load profile: a store of embedded lanes with shoppers arriving, latencies measured
    /// from each action's scheduled time. Writes summary.json, junit.xml, report.html and
    /// latency.hlog. Exits 0 when every threshold passes, 1 when one fails, 2 on invalid input.
    Load {
        /// The load profile (e.g. scenarios/load/smoke.yaml).
        profile: PathBuf,
        /// The run's seed (default: the profile's `seed:`, else 1).
        #[arg(long)]
        seed: Option<u64>,
        /// The run folder (default: runs/load-<name>-seed-<seed>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// The clock: auto (the profile's), virtual or real.
        #[arg(long, default_value = "auto", value_parser = ["auto", "virtual", "real"])]
        time: String,
        /// Serve Prometheus metrics on 127.0.0.1 at this port (0: any free port).
        #[arg(long)]
        metrics_port: Option<u16>,
        /// Seconds shoppers in progress get after the duration to finish (then cut off and
        /// counted in the report).
        #[arg(long, default_value_t = 3)]
        drain: u64,
        /// Run only shard K of N (lanes K, K+N, …); merge the shards' run folders with
        /// `posrig report merge`.
        #[arg(long, value_name = "K/N", default_value = "1/1")]
        shard: posrig_harness::load::shard::Shard,
        /// Run the profile twice in virtual time with the same seed and compare the event logs
        /// (exit 1 and the first diverging event when they differ).
        #[arg(long)]
        check_determinism: bool,
        /// No progress display.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Work with run folders after the fact.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Validate scenarios, journeys, load profiles, rigs and data files without running them.
    /// Exits 0 when every file is valid, 2 otherwise.
    Check {
        /// Files or folders (searched recursively for .yaml files).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Print the JSON Schema of a document kind (scenario, journey, load, rig, cards, terminals,
    /// catalog, store, members), or of every kind keyed by kind.
    Schema {
        /// One kind; all kinds when left out.
        kind: Option<String>,
        /// Write `<kind>.schema.json` files into this folder instead of printing.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Simulated devices for outside programs.
    Devices {
        #[command(subcommand)]
        command: DevicesCommand,
    },
    /// Simulated payment hosts for outside terminals.
    Hosts {
        #[command(subcommand)]
        command: HostsCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ReportCommand {
    /// Merge the run folders of a sharded load run (`posrig load … --shard K/N`) into one:
    /// exact histogram merge, thresholds judged on the merged numbers. Exits 0 when they pass,
    /// 1 when one fails, 2 when the folders cannot be merged.
    Merge {
        /// Shard run folders (each with summary.json and latency.hlog).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Where the merged summary.json, latency.hlog, junit.xml and report.html go.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum HostsCommand {
    /// Start the ISO 8583 acquirer and the QR-wallet host on 127.0.0.1, print one JSON line per
    /// endpoint, and serve until Ctrl-C.
    Serve {
        /// The data folder: terminals.yaml, cards.yaml, wallets.yaml.
        #[arg(long, default_value = "scenarios/data")]
        data: PathBuf,
        /// Where the acquirer listens.
        #[arg(long, default_value = "127.0.0.1:0")]
        acquirer: std::net::SocketAddr,
        /// Where the QR-wallet host listens.
        #[arg(long, default_value = "127.0.0.1:0")]
        wallet: std::net::SocketAddr,
        /// Also start impairment-free proxies `acquirer-primary`, `acquirer-backup` and `wallet`.
        #[arg(long)]
        proxies: bool,
        /// Seed of the hosts' generators (working keys, RRNs, rule probabilities).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Debug, Subcommand)]
enum DevicesCommand {
    /// Start a rig's simulated devices on pseudo-terminals or serial ports, print one JSON line
    /// per device with its port, and serve the control API on 127.0.0.1 until Ctrl-C.
    Serve {
        /// The rig file (e.g. scenarios/rigs/virtual.yaml).
        #[arg(long)]
        rig: PathBuf,
        /// Where the control API listens (default: the rig's `control.listen`, 127.0.0.1:0).
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
    },
}

fn main() -> ExitCode {
    // `posrig run` on a `sut: process` scenario re-executes this binary as the POS terminal.
    posrig_harness::run::terminal::become_terminal_if_asked();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match &cli.command {
        Command::Run {
            paths,
            tags,
            seed,
            out,
            time,
            check_determinism,
        } => {
            use posrig_harness::run::{report, TimeChoice};
            let time = match time.as_str() {
                "virtual" => TimeChoice::Virtual,
                "real" => TimeChoice::Real,
                _ => TimeChoice::Auto,
            };
            let args = report::RunArgs {
                paths: paths.clone(),
                tags: tags.clone(),
                seed: *seed,
                out: out.clone(),
                time,
                check_determinism: *check_determinism,
            };
            return ExitCode::from(report::run(&args) as u8);
        }
        Command::Load {
            profile,
            seed,
            out,
            time,
            metrics_port,
            drain,
            shard,
            check_determinism,
            quiet,
        } => {
            use posrig_harness::run::TimeChoice;
            let mut args = posrig_harness::load::LoadArgs::new(profile.clone());
            args.seed = *seed;
            args.out = out.clone();
            args.time = match time.as_str() {
                "virtual" => TimeChoice::Virtual,
                "real" => TimeChoice::Real,
                _ => TimeChoice::Auto,
            };
            args.metrics_port = *metrics_port;
            args.drain = std::time::Duration::from_secs(*drain);
            args.shard = *shard;
            args.check_determinism = *check_determinism;
            args.progress = !*quiet;
            return ExitCode::from(posrig_harness::load::run(&args) as u8);
        }
        Command::Report {
            command: ReportCommand::Merge { dirs, out },
        } => {
            return ExitCode::from(posrig_harness::load::merge::run(dirs, out) as u8);
        }
        Command::Check { paths } => {
            return ExitCode::from(posrig_harness::check::run(paths) as u8);
        }
        Command::Schema { kind, out } => {
            return match posrig_harness::schema::run(kind.as_deref(), out.as_deref()) {
                Ok(()) => ExitCode::from(exit_codes::OK as u8),
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::from(exit_codes::INVALID_INPUT as u8)
                }
            };
        }
        Command::Devices { .. } | Command::Hosts { .. } => {}
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: start the runtime: {e}");
            return ExitCode::from(exit_codes::INVALID_INPUT as u8);
        }
    };
    let result = match cli.command {
        Command::Devices {
            command: DevicesCommand::Serve { rig, listen },
        } => runtime.block_on(posrig_harness::serve::run(&rig, listen)),
        Command::Hosts {
            command:
                HostsCommand::Serve {
                    data,
                    acquirer,
                    wallet,
                    proxies,
                    seed,
                },
        } => runtime.block_on(posrig_harness::hosts::run(
            &data,
            posrig_harness::hosts::HostsOptions {
                acquirer_listen: acquirer,
                wallet_listen: wallet,
                proxies,
                seed,
            },
        )),
        Command::Check { .. }
        | Command::Schema { .. }
        | Command::Run { .. }
        | Command::Load { .. }
        | Command::Report { .. } => {
            unreachable!("handled above")
        }
    };
    match result {
        Ok(()) => ExitCode::from(exit_codes::OK as u8),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(exit_codes::INVALID_INPUT as u8)
        }
    }
}
