//! Steps — one item of a scenario's `steps:` list: an action, a fault or an expectation.
//!
//! In YAML a step is a one-key map whose key names the step (`- scan: "5901234123457"`,
//! `- pay: {cash: "20.00"}`) or, for a step that takes no value, the bare name (`- total`).

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::action::{
    CashierAction, DeviceStep, JourneyCall, Keys, LineRef, Login, MemberId, Pay, Refund, Repeat,
    ReportKind, Scan, Weigh,
};
use super::count::Count;
use super::de::Nothing;
use super::duration::Duration;
use super::expect::Expect;
use super::fault::{FaultStep, HostStep, LinkChange};

/// One step.
// Steps are plain data read once per scenario and shared by its lanes; boxing the larger
// variants would only make the runner's matches noisier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    // Actions: what the cashier and the shopper do, through the devices.
    /// Press one key: `key: TOTAL`.
    Key(String),
    /// Type keys: `keys: "12 PLU"` or `keys: ["1", "2", "PLU"]`.
    Keys(Keys),
    /// An operator logs in: `login: {operator: "1001", password: "1234"}`.
    Login(Login),
    /// Sign the terminal on to the acquirer (working keys, batch number).
    SignOn,
    /// Scan a code or a catalog item: `scan: "5901234123457"`, `scan: "Whole milk 1L"`.
    Scan(Scan),
    /// Put goods on the scale: `weigh: {grams: 1250, scan: "Bananas"}`.
    Weigh(Weigh),
    /// Quantity for the next item: `qty: 3`.
    Qty(Count),
    /// Void a basket line: `void_line: last` or `void_line: 2`.
    VoidLine(LineRef),
    /// Press TOTAL: the basket is totalled and awaits payment.
    Total,
    /// Pay: `pay: {cash: "20.00"}`, `pay: {card: {card: chip-ok}}`, `pay: {qr: {code: …}}`,
    /// `pay: {split: [...]}`.
    Pay(Pay),
    /// Refund an earlier sale: `refund: {receipt: last}`.
    Refund(Refund),
    /// A loyalty member identifies: `member: {phone: "13800138000"}`.
    Member(MemberId),
    /// End-of-day settlement with the acquirer.
    Settle,
    /// Print an X or Z report: `report: x`.
    Report(ReportKind),
    /// Let time pass: `wait: 2s`.
    Wait(Duration),
    /// The cashier handles the hardware: `cashier: close_drawer`.
    Cashier(CashierAction),
    /// Any device action: `device: {role: printer, action: {action: load_paper, mm: 500}}`.
    Device(DeviceStep),
    /// A journey's steps: `journey: {name: quick-card-sale, with: {card: chip-ok}}`.
    Journey(JourneyCall),
    /// Steps repeated: `repeat: {times: 3, steps: [...]}`.
    Repeat(Repeat),

    // Faults: what goes wrong.
    /// Switch a device fault on: `fault: {device: printer, fault: paper_out}`.
    Fault(FaultStep),
    /// Switch a device fault off: `clear: {device: printer, fault: paper_out}`.
    Clear(FaultStep),
    /// Impair a link: `link: {name: acquirer-primary, set: {latency: {dist: fixed, ms: 300}}}`.
    Link(LinkChange),
    /// Stall a link both ways: `partition: acquirer-primary`.
    Partition(String),
    /// End a link's partition; held bytes are delivered: `repair: acquirer-primary`.
    Repair(String),
    /// Break a link's connections: `reset: acquirer-primary`.
    Reset(String),
    /// A rule for a simulated host: `host: {acquirer: {…}}` or `host: {wallet: {…}}`.
    Host(HostStep),
    /// SIGKILL the POS process and start it again (only with `sut: process`).
    Crash,

    // Expectations: what must be seen.
    /// Checks that must hold within a timeout: `expect: {display: {contains: "TOTAL"}, within: 2s}`.
    Expect(Expect),
}

macro_rules! step_names {
    ($($name:literal => $kind:ident,)*) => {
        /// A step's name, read from the key of its map (or the bare string).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum StepName { $($kind,)* }

        impl StepName {
            /// Every step name, in the order of the docs.
            pub const ALL: &'static [(&'static str, StepName)] = &[$(($name, StepName::$kind),)*];

            pub fn as_str(self) -> &'static str {
                match self { $(StepName::$kind => $name,)* }
            }
        }
    };
}

step_names! {
    "key" => Key, "keys" => Keys, "login" => Login, "sign_on" => SignOn, "scan" => Scan,
    "weigh" => Weigh, "qty" => Qty, "void_line" => VoidLine, "total" => Total, "pay" => Pay,
    "refund" => Refund, "member" => Member, "settle" => Settle, "report" => Report,
    "wait" => Wait, "cashier" => Cashier, "device" => Device, "journey" => Journey,
    "repeat" => Repeat, "fault" => Fault, "clear" => Clear, "link" => Link,
    "partition" => Partition, "repair" => Repair, "reset" => Reset, "host" => Host,
    "crash" => Crash, "expect" => Expect,
}

impl StepName {
    fn parse(name: &str) -> Result<StepName, String> {
        StepName::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| *s)
            .ok_or_else(|| {
                let (msg, help) = crate::diagnostic::unknown_name(
                    "step",
                    name,
                    StepName::ALL.iter().map(|(n, _)| *n),
                );
                match help {
                    Some(h) => format!("{msg} ({h})"),
                    None => msg,
                }
            })
    }

    /// Whether the step is written without a value (`- total`).
    pub fn takes_no_value(self) -> bool {
        matches!(
            self,
            StepName::SignOn | StepName::Total | StepName::Settle | StepName::Crash
        )
    }
}

impl<'de> Deserialize<'de> for StepName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = StepName;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a step name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StepName, E> {
                StepName::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

impl Step {
    /// The step's name as written in YAML.
    pub fn name(&self) -> &'static str {
        match self {
            Step::Key(_) => "key",
            Step::Keys(_) => "keys",
            Step::Login(_) => "login",
            Step::SignOn => "sign_on",
            Step::Scan(_) => "scan",
            Step::Weigh(_) => "weigh",
            Step::Qty(_) => "qty",
            Step::VoidLine(_) => "void_line",
            Step::Total => "total",
            Step::Pay(_) => "pay",
            Step::Refund(_) => "refund",
            Step::Member(_) => "member",
            Step::Settle => "settle",
            Step::Report(_) => "report",
            Step::Wait(_) => "wait",
            Step::Cashier(_) => "cashier",
            Step::Device(_) => "device",
            Step::Journey(_) => "journey",
            Step::Repeat(_) => "repeat",
            Step::Fault(_) => "fault",
            Step::Clear(_) => "clear",
            Step::Link(_) => "link",
            Step::Partition(_) => "partition",
            Step::Repair(_) => "repair",
            Step::Reset(_) => "reset",
            Step::Host(_) => "host",
            Step::Crash => "crash",
            Step::Expect(_) => "expect",
        }
    }

    /// Whether the step injects or clears a fault (the steps a load profile may schedule).
    pub fn is_fault(&self) -> bool {
        matches!(
            self,
            Step::Fault(_)
                | Step::Clear(_)
                | Step::Link(_)
                | Step::Partition(_)
                | Step::Repair(_)
                | Step::Reset(_)
                | Step::Host(_)
                | Step::Crash
        )
    }
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StepVisitor)
    }
}

struct StepVisitor;

impl<'de> Visitor<'de> for StepVisitor {
    type Value = Step;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a step: a one-key map like `- scan: \"5901234123457\"` or a bare name like `- total`",
        )
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Step, E> {
        let name = StepName::parse(v).map_err(E::custom)?;
        match name {
            StepName::SignOn => Ok(Step::SignOn),
            StepName::Total => Ok(Step::Total),
            StepName::Settle => Ok(Step::Settle),
            StepName::Crash => Ok(Step::Crash),
            other => Err(E::custom(format!(
                "step `{}` needs a value, e.g. `- {}`",
                other.as_str(),
                example(other)
            ))),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Step, A::Error> {
        let Some(name) = map.next_key::<StepName>()? else {
            return Err(de::Error::custom(
                "an empty map is no step; write e.g. `- scan: \"5901234123457\"`",
            ));
        };
        let step = match name {
            StepName::Key => Step::Key(map.next_value()?),
            StepName::Keys => Step::Keys(map.next_value()?),
            StepName::Login => Step::Login(map.next_value()?),
            StepName::SignOn => map.next_value::<Nothing>().map(|_| Step::SignOn)?,
            StepName::Scan => Step::Scan(map.next_value()?),
            StepName::Weigh => Step::Weigh(map.next_value()?),
            StepName::Qty => Step::Qty(map.next_value()?),
            StepName::VoidLine => Step::VoidLine(map.next_value()?),
            StepName::Total => map.next_value::<Nothing>().map(|_| Step::Total)?,
            StepName::Pay => Step::Pay(map.next_value()?),
            StepName::Refund => Step::Refund(map.next_value()?),
            StepName::Member => Step::Member(map.next_value()?),
            StepName::Settle => map.next_value::<Nothing>().map(|_| Step::Settle)?,
            StepName::Report => Step::Report(map.next_value()?),
            StepName::Wait => Step::Wait(map.next_value()?),
            StepName::Cashier => Step::Cashier(map.next_value()?),
            StepName::Device => Step::Device(map.next_value()?),
            StepName::Journey => Step::Journey(map.next_value()?),
            StepName::Repeat => Step::Repeat(map.next_value()?),
            StepName::Fault => Step::Fault(map.next_value()?),
            StepName::Clear => Step::Clear(map.next_value()?),
            StepName::Link => Step::Link(map.next_value()?),
            StepName::Partition => Step::Partition(map.next_value()?),
            StepName::Repair => Step::Repair(map.next_value()?),
            StepName::Reset => Step::Reset(map.next_value()?),
            StepName::Host => Step::Host(map.next_value()?),
            StepName::Crash => map.next_value::<Nothing>().map(|_| Step::Crash)?,
            StepName::Expect => Step::Expect(map.next_value()?),
        };
        if let Some(extra) = map.next_key::<String>()? {
            return Err(de::Error::custom(format!(
                "a step has one key, but `{}` has a second one, `{extra}`: put options inside the step, e.g. `- expect: {{display: {{contains: TOTAL}}, within: 2s}}`",
                name.as_str()
            )));
        }
        Ok(step)
    }
}

/// How a step is written, for errors.
pub fn example(name: StepName) -> &'static str {
    match name {
        StepName::Key => "key: TOTAL",
        StepName::Keys => "keys: \"12 PLU\"",
        StepName::Login => "login: {operator: \"1001\", password: \"1234\"}",
        StepName::SignOn => "sign_on",
        StepName::Scan => "scan: \"5901234123457\"",
        StepName::Weigh => "weigh: {grams: 1250, scan: Bananas}",
        StepName::Qty => "qty: 3",
        StepName::VoidLine => "void_line: last",
        StepName::Total => "total",
        StepName::Pay => "pay: {cash: \"20.00\"}",
        StepName::Refund => "refund: {receipt: last}",
        StepName::Member => "member: {phone: \"13800138000\"}",
        StepName::Settle => "settle",
        StepName::Report => "report: x",
        StepName::Wait => "wait: 2s",
        StepName::Cashier => "cashier: close_drawer",
        StepName::Device => "device: {role: printer, action: {action: load_paper}}",
        StepName::Journey => "journey: {name: quick-card-sale}",
        StepName::Repeat => "repeat: {times: 3, steps: [...]}",
        StepName::Fault => "fault: {device: printer, fault: paper_out}",
        StepName::Clear => "clear: {device: printer, fault: paper_out}",
        StepName::Link => "link: {name: acquirer-primary, set: {latency: {dist: fixed, ms: 300}}}",
        StepName::Partition => "partition: acquirer-primary",
        StepName::Repair => "repair: acquirer-primary",
        StepName::Reset => "reset: acquirer-primary",
        StepName::Host => "host: {acquirer: {…}}",
        StepName::Crash => "crash",
        StepName::Expect => "expect: {display: {contains: TOTAL}}",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::action::{CardPayment, Entry, PinAnswer};
    use crate::scenario::money::Amount;

    fn steps(yaml: &str) -> Result<Vec<Step>, String> {
        crate::scenario::source::from_str(yaml).map_err(|e| e.to_string())
    }

    #[test]
    fn every_step_form_reads() {
        let s = steps(
            r#"
- login: {operator: "1001", password: "1234"}
- sign_on
- scan: "5901234123457"
- qty: 3
- keys: "12 PLU"
- void_line: last
- total
- pay: {card: {card: chip-ok, entry: tap, pin: wrong}}
- wait: 250ms
- cashier: close_drawer
- partition: acquirer-primary
- total: ~
- expect: {display: {contains: TOTAL}, total: "12.30", within: 2s}
"#,
        )
        .unwrap();
        assert_eq!(s.len(), 13);
        assert_eq!(s[1], Step::SignOn);
        assert_eq!(
            s[7],
            Step::Pay(Pay::Card(CardPayment {
                card: "chip-ok".into(),
                entry: Some(Entry::Tap),
                pin: Some(PinAnswer::Wrong),
                amount: None
            }))
        );
        assert_eq!(s[11], Step::Total);
        let Step::Expect(e) = &s[12] else { panic!() };
        assert_eq!(e.total, Some("12.30".parse::<Amount>().unwrap()));
        assert_eq!(e.within, Duration::from_secs(2));
        assert_eq!(e.checks(), ["display", "total"]);
    }

    #[test]
    fn misspelt_steps_get_a_suggestion_at_their_key() {
        let e = steps("- scan: \"1\"\n- scna: \"5901234123457\"\n").unwrap_err();
        assert!(
            e.contains("unknown step `scna`, did you mean `scan`?"),
            "{e}"
        );
        assert!(e.contains("line 2 column 3"), "{e}");
        let e = steps("- totl\n").unwrap_err();
        assert!(e.contains("did you mean `total`?"), "{e}");
    }

    #[test]
    fn shape_errors_explain_the_shape() {
        let e = steps("- scan\n").unwrap_err();
        assert!(
            e.contains("step `scan` needs a value, e.g. `- scan: \"5901234123457\"`"),
            "{e}"
        );
        let e = steps("- scan: \"1\"\n  pay: {cash: \"1.00\"}\n").unwrap_err();
        assert!(e.contains("a step has one key"), "{e}");
        let e = steps("- total: {x: 1}\n").unwrap_err();
        assert!(e.contains("this step takes no value"), "{e}");
        let e = steps("- pay: {cash: 12.3}\n").unwrap_err();
        assert!(e.contains("write money as a string"), "{e}");
    }

    #[test]
    fn every_name_has_an_example_that_reads() {
        for (name, kind) in StepName::ALL {
            let ex = example(*kind);
            assert!(ex.starts_with(name), "{name}");
            if !ex.contains('…') && !ex.contains("...") {
                let yaml = format!("- {ex}\n");
                let s = steps(&yaml).unwrap_or_else(|e| panic!("{yaml}: {e}"));
                assert_eq!(s[0].name(), *name);
            }
        }
    }
}
