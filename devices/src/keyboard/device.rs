//! The [`Keyboard`] state machine: queued key presses go out as `NAME\r` lines at their time;
//! a stuck key repeats on its own timer.

use std::collections::VecDeque;
use std::time::Duration;

use posrig_protocols::keyboard::{encode, Key};
use serde_json::json;
use tokio::time::Instant;

use super::control::{KeyboardAction, KeyboardConfig, KeyboardFault};
use crate::device::{DeviceError, DeviceEvent, Direction, Outbox, SimDevice};

/// A simulated POS keyboard.
#[derive(Debug, Clone)]
pub struct Keyboard {
    config: KeyboardConfig,
    /// Keys waiting, each with the pause before it.
    queue: VecDeque<(Key, Duration)>,
    /// When the key at the front of the queue goes out.
    ready_at: Option<Instant>,
    stuck: Option<(Key, Instant)>,
    chatter: bool,
    unplugged: bool,
    keys_sent: u64,
    keys_lost: u64,
}

impl Keyboard {
    /// A keyboard with nothing pressed.
    pub fn new(config: KeyboardConfig) -> Self {
        Keyboard {
            config,
            queue: VecDeque::new(),
            ready_at: None,
            stuck: None,
            chatter: false,
            unplugged: false,
            keys_sent: 0,
            keys_lost: 0,
        }
    }

    fn key(&self, name: &str) -> Result<Key, DeviceError> {
        Key::from_name(name).ok_or_else(|| DeviceError::BadRequest {
            device: "keyboard",
            what: "key",
            message: format!("`{name}` is not a key"),
        })
    }

    fn enqueue(&mut self, now: Instant, keys: Vec<Key>, gap: Duration) {
        if self.queue.is_empty() {
            self.ready_at = Some(now);
        }
        for (i, key) in keys.into_iter().enumerate() {
            let pause = if i == 0 { Duration::ZERO } else { gap };
            self.queue.push_back((key, pause));
        }
    }

    fn pump(&mut self, now: Instant, out: &mut Outbox) {
        while let Some(at) = self.ready_at.filter(|&at| at <= now) {
            let Some((key, _)) = self.queue.pop_front() else {
                self.ready_at = None;
                break;
            };
            self.send(key, out);
            self.ready_at = self.queue.front().map(|&(_, pause)| at + pause);
        }
        while let Some((key, at)) = self.stuck.filter(|&(_, at)| at <= now) {
            self.send(key, out);
            self.stuck = Some((key, at + self.repeat()));
        }
    }

    fn repeat(&self) -> Duration {
        Duration::from_millis(self.config.repeat_ms.max(1))
    }

    fn send(&mut self, key: Key, out: &mut Outbox) {
        if self.unplugged {
            self.keys_lost += 1;
            out.event(DeviceEvent::Action {
                name: "key_lost".into(),
                detail: format!("{key}: the keyboard is unplugged"),
            });
            return;
        }
        let times = if self.chatter { 2 } else { 1 };
        let mut bytes = Vec::new();
        for _ in 0..times {
            encode(key, &mut bytes);
        }
        out.send(&bytes);
        self.keys_sent += times;
        out.frame(
            Direction::Out,
            if self.chatter {
                format!("{key} x2 (chatter)")
            } else {
                key.to_string()
            },
        );
    }
}

impl SimDevice for Keyboard {
    type Action = KeyboardAction;
    type Fault = KeyboardFault;

    fn role(&self) -> &'static str {
        "keyboard"
    }

    /// A keyboard ignores what the host sends.
    fn on_bytes(&mut self, _now: Instant, _bytes: &[u8], _out: &mut Outbox) {}

    fn on_action(
        &mut self,
        now: Instant,
        action: KeyboardAction,
        out: &mut Outbox,
    ) -> Result<(), DeviceError> {
        let (name, keys, gap) = match action {
            KeyboardAction::Press { key } => ("press", vec![self.key(&key)?], Duration::ZERO),
            KeyboardAction::Type { keys, delay_ms } => {
                let keys = keys.keys().map_err(|e| DeviceError::BadRequest {
                    device: "keyboard",
                    what: "keys",
                    message: e.to_string(),
                })?;
                let gap = delay_ms.unwrap_or(self.config.key_delay_ms);
                ("type", keys, Duration::from_millis(gap))
            }
        };
        let detail = keys.iter().map(|k| k.name()).collect::<Vec<_>>().join(" ");
        out.event(DeviceEvent::Action {
            name: name.into(),
            detail,
        });
        self.enqueue(now, keys, gap);
        self.pump(now, out);
        Ok(())
    }

    fn on_fault(
        &mut self,
        now: Instant,
        fault: KeyboardFault,
        active: bool,
        out: &mut Outbox,
    ) -> Result<(), DeviceError> {
        let name = fault.name();
        match fault {
            KeyboardFault::StuckKey { key } => {
                let key = self.key(&key)?;
                self.stuck = active.then_some((key, now));
            }
            KeyboardFault::Chatter => self.chatter = active,
            KeyboardFault::Unplugged => self.unplugged = active,
        }
        out.event(if active {
            DeviceEvent::FaultInjected { fault: name.into() }
        } else {
            DeviceEvent::FaultCleared { fault: name.into() }
        });
        self.pump(now, out);
        Ok(())
    }

    fn next_deadline(&self) -> Option<Instant> {
        match (self.ready_at, self.stuck.map(|(_, at)| at)) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn on_timer(&mut self, now: Instant, out: &mut Outbox) {
        self.pump(now, out);
    }

    fn snapshot(&self) -> serde_json::Value {
        let mut faults = Vec::new();
        if let Some((key, _)) = self.stuck {
            faults.push(format!("stuck_key {key}"));
        }
        if self.chatter {
            faults.push("chatter".into());
        }
        if self.unplugged {
            faults.push("unplugged".into());
        }
        json!({
            "queued": self.queue.iter().map(|(k, _)| k.name()).collect::<Vec<_>>(),
            "keys_sent": self.keys_sent,
            "keys_lost": self.keys_lost,
            "faults": faults,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyboard::KeySequence;

    fn act(k: &mut Keyboard, now: Instant, a: KeyboardAction) -> Outbox {
        let mut out = Outbox::default();
        k.on_action(now, a, &mut out).unwrap();
        out
    }

    #[test]
    fn press_sends_the_name_and_cr_at_once() {
        let mut k = Keyboard::new(KeyboardConfig::default());
        let out = act(
            &mut k,
            Instant::now(),
            KeyboardAction::Press {
                key: "TOTAL".into(),
            },
        );
        assert_eq!(out.bytes, b"TOTAL\r");
        assert!(k
            .on_action(
                Instant::now(),
                KeyboardAction::Press { key: "TOTL".into() },
                &mut Outbox::default()
            )
            .is_err());
    }

    #[test]
    fn typing_with_a_delay_paces_the_keys() {
        let t0 = Instant::now();
        let mut k = Keyboard::new(KeyboardConfig::default());
        let out = act(
            &mut k,
            t0,
            KeyboardAction::Type {
                keys: KeySequence::Text("12 PLU".into()),
                delay_ms: Some(200),
            },
        );
        assert_eq!(out.bytes, b"1\r");
        assert_eq!(k.next_deadline(), Some(t0 + Duration::from_millis(200)));
        let mut out = Outbox::default();
        k.on_timer(t0 + Duration::from_millis(399), &mut out);
        assert_eq!(out.bytes, b"2\r");
        k.on_timer(t0 + Duration::from_millis(400), &mut out);
        assert_eq!(out.bytes, b"2\rPLU\r");
        assert_eq!(k.next_deadline(), None);
    }

    #[test]
    fn stuck_key_repeats_chatter_doubles_unplugged_loses() {
        let t0 = Instant::now();
        let mut k = Keyboard::new(KeyboardConfig::default());
        let mut out = Outbox::default();
        k.on_fault(
            t0,
            KeyboardFault::StuckKey { key: "5".into() },
            true,
            &mut out,
        )
        .unwrap();
        k.on_timer(t0 + Duration::from_millis(250), &mut out);
        assert_eq!(out.bytes, b"5\r5\r5\r");
        k.on_fault(
            t0,
            KeyboardFault::StuckKey { key: "5".into() },
            false,
            &mut out,
        )
        .unwrap();
        assert_eq!(k.next_deadline(), None);

        k.on_fault(t0, KeyboardFault::Chatter, true, &mut out)
            .unwrap();
        let out = act(&mut k, t0, KeyboardAction::Press { key: "CASH".into() });
        assert_eq!(out.bytes, b"CASH\rCASH\r");
        k.on_fault(t0, KeyboardFault::Unplugged, true, &mut Outbox::default())
            .unwrap();
        let out = act(&mut k, t0, KeyboardAction::Press { key: "CASH".into() });
        assert!(out.bytes.is_empty());
        assert_eq!(k.snapshot()["keys_lost"], 1);
    }
}
