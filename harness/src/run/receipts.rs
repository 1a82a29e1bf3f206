//! Receipts as the printer rendered them: each scenario's folder gets `receipts/001.txt`,
//! `002.txt`, … in print order, read from the simulated printer's state (the text it printed,
//! card numbers already masked by the POS), never from the POS.

use std::path::Path;

use anyhow::Context;

use super::world::World;
use crate::scenario::DeviceRole;

/// Folder of the receipts inside a scenario's folder.
pub const FOLDER: &str = "receipts";

/// The text of every receipt the simulated printer has finished, oldest first; none when the
/// printer is not simulated (a real printer on a bench).
pub fn printed(world: &World) -> Vec<String> {
    match world.devices.get(&DeviceRole::Printer) {
        Some(_) => world.receipts(),
        None => Vec::new(),
    }
}

/// Writes every printed receipt into `dir/receipts/NNN.txt`; returns how many. Writes nothing
/// (and creates no folder) when nothing was printed.
pub fn write(world: &World, dir: &Path) -> anyhow::Result<usize> {
    let receipts = printed(world);
    if receipts.is_empty() {
        return Ok(0);
    }
    let folder = dir.join(FOLDER);
    std::fs::create_dir_all(&folder).with_context(|| format!("create {}", folder.display()))?;
    for (i, text) in receipts.iter().enumerate() {
        let path = folder.join(file_name(i));
        std::fs::write(&path, text).with_context(|| format!("write {}", path.display()))?;
    }
    Ok(receipts.len())
}

/// `001.txt` for the first receipt.
pub fn file_name(index: usize) -> String {
    format!("{:03}.txt", index + 1)
}
