//! Shards — `--shard K/N` splits a profile's lanes into N disjoint sets, one per process or
//! machine; shard K runs lanes K, K+N, K+2N, … Each lane draws from generators named after
//! the lane, so the lanes a shard runs behave as they would in the unsharded run and the
//! shards' histograms merge exactly (`posrig report merge`).

use std::fmt;
use std::str::FromStr;

/// Shard `index` of `count` (both 1-based: `1/1` is the whole profile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// The whole profile in one process.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Whether lane `lane` (1-based) belongs to this shard.
    pub fn has_lane(&self, lane: u32) -> bool {
        lane >= 1 && (lane - 1) % self.count == self.index - 1
    }

    /// Whether this is the whole profile.
    pub fn is_whole(&self) -> bool {
        self.count == 1
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("shard `{s}` is not K/N with 1 <= K <= N, e.g. `2/4`");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_lanes_into_disjoint_sets() {
        let shards: Vec<Shard> = (1..=3).map(|k| format!("{k}/3").parse().unwrap()).collect();
        for lane in 1..=20 {
            assert_eq!(shards.iter().filter(|s| s.has_lane(lane)).count(), 1);
        }
        assert!(shards[1].has_lane(2) && shards[1].has_lane(5));
        assert!(Shard::WHOLE.has_lane(7));
    }

    #[test]
    fn bad_shards_are_refused() {
        for s in ["0/2", "3/2", "1/0", "x", "1-2", "1/"] {
            assert!(s.parse::<Shard>().is_err(), "{s}");
        }
        assert_eq!("2/4".parse::<Shard>().unwrap().to_string(), "2/4");
    }
}
