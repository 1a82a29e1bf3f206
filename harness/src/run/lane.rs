//! The embedded POS lane — the one place the runner calls into `posrig_pos::lane`: the lane's
//! identity, its calendar clock, and `start_lane`.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use posrig_pos::clock::{DateTime, WallClock};
use posrig_pos::lane::{spawn_lane, LaneHandle, LaneHosts, LanePorts, LaneSetup};
use posrig_protocols::crypto::TdesKey;
use posrig_sim::clock::Clock;

/// The terminal id of lane 1 (the acquirer derives lanes `LANE00NN` from the data folder).
pub const TERMINAL_ID: &str = "LANE0001";
/// The store's merchant id at the acquirer.
pub const MERCHANT_ID: &str = "898310048990001";
/// The terminal master key the acquirer holds for derived lanes.
pub const MASTER_KEY: &str = "CA5D92598DCA48CE8A4C76361A9269E9";

/// Calendar time for the POS: the run's epoch plus tokio's elapsed time, so a virtual run stamps
/// receipts with virtual dates and never reads the host's wall clock.
struct RunCalendar(Clock);

impl WallClock for RunCalendar {
    fn now(&self) -> DateTime {
        DateTime::from_unix(self.0.now_unix_secs())
    }
}

/// Starts the POS stack of one lane on `ports` and `hosts`, journaling into `journal`.
pub fn start_lane(
    data_dir: &Path,
    journal: &Path,
    clock: &Clock,
    ports: LanePorts,
    hosts: LaneHosts,
) -> anyhow::Result<LaneHandle> {
    let master_key = TdesKey::from_hex(MASTER_KEY).expect("the built-in master key is valid hex");
    let setup = LaneSetup::from_data_dir(
        data_dir,
        journal,
        TERMINAL_ID,
        MERCHANT_ID,
        master_key,
        Arc::new(RunCalendar(*clock)),
    )
    .context("set up the POS lane")?;
    spawn_lane(setup, ports, hosts).context("start the POS lane")
}
