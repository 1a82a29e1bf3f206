//! The step executor — each action step as device actions following `pos/TERMINAL.md` (keys,
//! scans, cards, weights), each fault as a device fault, a link change or a host rule. Nothing
//! here reaches into the POS: it only acts on devices, links and hosts.

use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use posrig_devices::keyboard::{KeySequence, KeyboardAction};
use posrig_devices::pinpad::PinPadAction;
use posrig_devices::scale::ScaleAction;
use posrig_devices::scanner::ScannerAction;
use posrig_sim::acquirer::Rule;
use posrig_sim::qrhost::QrRule;

use super::world::World;
use crate::scenario::action::{
    CardPayment, Entry, LineRef, MemberId, Pay, PinAnswer, QrPayment, ReportKind, Scan, Tender,
};
use crate::scenario::fault::HostStep;
use crate::scenario::{Amount, DeviceAction, DeviceRole, Step};

/// How long a multi-stage action (card, QR) waits for the POS to reach its next stage.
const STAGE_WAIT: Duration = Duration::from_secs(10);

/// Performs one action or fault step. Expectations are handled by [`super::expect`].
pub async fn perform(world: &World, step: &Step) -> anyhow::Result<()> {
    match step {
        Step::Key(key) => keys(world, key).await,
        Step::Keys(k) => type_keys(world, k.0.clone()).await,
        Step::Login(l) => {
            keys(
                world,
                &format!("LOGIN {} ENTER {} ENTER", l.operator, l.password),
            )
            .await
        }
        Step::SignOn => keys(world, "SIGNON").await,
        Step::Scan(s) => scan(world, s).await,
        Step::Weigh(w) => {
            let grams = w
                .grams
                .value()
                .ok_or_else(|| anyhow!("weigh: grams is no number"))?;
            act(world, DeviceAction::Scale(ScaleAction::Place { grams })).await?;
            if let Some(s) = &w.scan {
                scan(world, s).await?;
                // The POS reads the scale until the weight is stable; the cashier waits for it.
                let deadline = tokio::time::Instant::now() + STAGE_WAIT;
                while world.display()[0] == "WEIGHING" && tokio::time::Instant::now() < deadline {
                    tokio::time::sleep(super::POLL).await;
                }
            }
            Ok(())
        }
        Step::Qty(n) => {
            let n = n.value().ok_or_else(|| anyhow!("qty is no number"))?;
            keys(world, &format!("{n} QTY")).await
        }
        Step::VoidLine(LineRef::Last) => keys(world, "VOID").await,
        Step::VoidLine(LineRef::Number(n)) => keys(world, &format!("{n} VOID")).await,
        Step::Total => keys(world, "TOTAL").await,
        Step::Pay(pay) => self::pay(world, pay).await,
        Step::Refund(r) => {
            if let Some(s) = &r.supervisor {
                keys(
                    world,
                    &format!("SUPERVISOR {} ENTER {} ENTER", s.operator, s.password),
                )
                .await?;
            }
            let receipt = if r.receipt == "last" {
                last_receipt_number(world)
                    .ok_or_else(|| anyhow!("refund: no receipt printed yet"))?
            } else {
                r.receipt.clone()
            };
            keys(world, &format!("REFUND {receipt} ENTER")).await
        }
        Step::Member(m) => member(world, m).await,
        Step::Settle => keys(world, "SETTLE").await,
        Step::Report(ReportKind::X) => keys(world, "XREPORT").await,
        Step::Report(ReportKind::Z) => keys(world, "ZREPORT").await,
        Step::Wait(d) => {
            tokio::time::sleep(d.as_std()).await;
            Ok(())
        }
        Step::Cashier(c) => act(world, c.device_action()).await,
        Step::Device(d) => act(world, d.action().map_err(|e| anyhow!(e))?).await,
        Step::Fault(f) => {
            fault(
                world,
                f.device,
                f.fault().map_err(|e| anyhow!(e))?.to_json(),
                true,
            )
            .await
        }
        Step::Clear(f) => {
            fault(
                world,
                f.device,
                f.fault().map_err(|e| anyhow!(e))?.to_json(),
                false,
            )
            .await
        }
        Step::Link(change) => link(world, &change.name)?
            .set(change.direction, change.set.clone())
            .with_context(|| format!("impair link `{}`", change.name)),
        Step::Partition(name) => {
            link(world, name)?.partition();
            Ok(())
        }
        Step::Repair(name) => {
            link(world, name)?.repair();
            Ok(())
        }
        Step::Reset(name) => {
            link(world, name)?.reset();
            Ok(())
        }
        Step::Host(HostStep::Acquirer(rule)) => {
            let rule: Rule = serde_yaml::from_value(rule.0.clone().into())
                .context("read the acquirer rule (`{when: …, then: …, times: …}`)")?;
            world
                .acquirer
                .control()
                .add_rule(rule)
                .context("add the acquirer rule")?;
            Ok(())
        }
        Step::Host(HostStep::Wallet(rule)) => {
            let rule: QrRule = serde_yaml::from_value(rule.0.clone().into())
                .context("read the wallet rule (`{when: …, then: …, times: …}`)")?;
            world.wallet.control().add_rule(rule);
            Ok(())
        }
        Step::Crash => world.crash().await,
        Step::Journey(_) | Step::Repeat(_) => {
            unreachable!("the plan expands journeys and repeats before the runner sees them")
        }
        Step::Expect(_) => unreachable!("expectations are checked by run::expect"),
    }
}

/// Types a key sequence (`"20.00 CASH"`, `"LOGIN 1001 ENTER"`).
async fn keys(world: &World, text: &str) -> anyhow::Result<()> {
    type_keys(world, KeySequence::Text(text.to_owned())).await
}

async fn type_keys(world: &World, keys: KeySequence) -> anyhow::Result<()> {
    act(
        world,
        DeviceAction::Keyboard(KeyboardAction::Type {
            keys,
            delay_ms: None,
        }),
    )
    .await
}

/// Performs a device action, failing the step when the device refuses it.
async fn act(world: &World, action: DeviceAction) -> anyhow::Result<()> {
    let role = action.role();
    let json = action.to_json();
    world
        .device(role)
        .act_json(json.clone())
        .await
        .map_err(|_| anyhow!("the {} task stopped", role.name()))?
        .with_context(|| format!("{} refused {json}", role.name()))
}

async fn fault(
    world: &World,
    role: DeviceRole,
    fault: serde_json::Value,
    on: bool,
) -> anyhow::Result<()> {
    world
        .device(role)
        .fault_json(fault.clone(), on)
        .await
        .map_err(|_| anyhow!("the {} task stopped", role.name()))?
        .with_context(|| format!("{} refused fault {fault}", role.name()))
}

fn link<'w>(world: &'w World, name: &str) -> anyhow::Result<&'w posrig_sim::wire::LinkControl> {
    world
        .links
        .get(name)
        .ok_or_else(|| anyhow!("no link `{name}` in the embedded world"))
}

/// A scan by code, or by item name/PLU: an item with a barcode is scanned, one without (loose
/// produce) is keyed in by its PLU.
async fn scan(world: &World, s: &Scan) -> anyhow::Result<()> {
    let (code, symbology) = match s {
        Scan::Code { code, symbology } => (code.clone(), *symbology),
        Scan::Auto(text) if text.bytes().all(|b| b.is_ascii_digit()) => (text.clone(), None),
        Scan::Auto(name) | Scan::Item { item: name } => {
            let item = world
                .data
                .catalog
                .items()
                .find(|i| i.name == *name || i.plu == *name)
                .ok_or_else(|| anyhow!("no catalog item named `{name}`"))?;
            match item.barcodes.first() {
                Some(code) => (code.clone(), None),
                None => return keys(world, &format!("{} PLU", item.plu)).await,
            }
        }
    };
    act(
        world,
        DeviceAction::Scanner(ScannerAction::Scan { code, symbology }),
    )
    .await
}

async fn member(world: &World, m: &MemberId) -> anyhow::Result<()> {
    match (&m.phone, &m.card) {
        (Some(phone), _) => keys(world, &format!("MEMBER {phone} ENTER")).await,
        (None, Some(card)) => {
            keys(world, "MEMBER").await?;
            act(
                world,
                DeviceAction::Scanner(ScannerAction::Scan {
                    code: card.clone(),
                    symbology: None,
                }),
            )
            .await
        }
        (None, None) => bail!("member: give `phone` or `card`"),
    }
}

async fn pay(world: &World, pay: &Pay) -> anyhow::Result<()> {
    match pay {
        Pay::Cash(a) => keys(world, &format!("{} CASH", money(*a))).await,
        Pay::Card(c) => card(world, c).await,
        Pay::Qr(q) => qr(world, q).await,
        Pay::Split(tenders) => {
            for (i, tender) in tenders.iter().enumerate() {
                if i > 0 {
                    // Each part payment must be taken before the next tender key.
                    let due = ["BALANCE DUE", "APPROVED", "PAID"];
                    world.wait_display(&due, STAGE_WAIT).await;
                }
                match tender {
                    Tender::Cash(a) => keys(world, &format!("{} CASH", money(*a))).await?,
                    Tender::Card(c) => card(world, c).await?,
                    Tender::Qr(q) => qr(world, q).await?,
                }
            }
            Ok(())
        }
    }
}

/// `CARD`, then the card presented on the pad once it asks, then the PIN as the step says.
async fn card(world: &World, c: &CardPayment) -> anyhow::Result<()> {
    let pad = world.device(DeviceRole::Pinpad).state();
    if pad["card"]["in_slot"].as_bool() == Some(true) {
        // A chip card left in from the last sale is taken out first, as a cashier would.
        act(world, DeviceAction::Pinpad(PinPadAction::Remove {})).await?;
    }
    let amount = c
        .amount
        .map(|a| format!("{} ", money(a)))
        .unwrap_or_default();
    keys(world, &format!("{amount}CARD")).await?;
    stage(world, &["INSERT/SWIPE/TAP"]).await?;
    pad_ready(world).await;
    let entry = c.entry.unwrap_or(Entry::Chip);
    act(world, DeviceAction::Pinpad(entry.pad_action(&c.card))).await?;
    if entry == Entry::Tap && c.pin.is_none() {
        return Ok(());
    }
    let asked = world
        .wait_display(
            &[
                "ENTER PIN",
                "APPROVED",
                "CHIP FAILED, SWIPE",
                "INSERT CHIP CARD",
            ],
            STAGE_WAIT,
        )
        .await;
    if asked.as_deref() != Some("ENTER PIN") {
        // The POS went another way (fallback, decline, no PIN asked): the scenario's
        // expectations say whether that was right.
        return Ok(());
    }
    let answer = match &c.pin {
        None => PinPadAction::EnterPin { pin: None },
        Some(PinAnswer::Digits(d)) => PinPadAction::EnterPin {
            pin: Some(d.clone()),
        },
        Some(PinAnswer::Wrong) => PinPadAction::EnterPin {
            pin: Some(wrong_pin(world, &c.card)),
        },
        Some(PinAnswer::Bypass) => PinPadAction::BypassPin {},
        Some(PinAnswer::Cancel) => PinPadAction::CancelPin {},
        Some(PinAnswer::Timeout) => return Ok(()),
    };
    act(world, DeviceAction::Pinpad(answer)).await
}

/// A PIN that is not the card's own.
fn wrong_pin(world: &World, card: &str) -> String {
    let own = world
        .data
        .cards
        .cards
        .iter()
        .find(|c| c.name == card)
        .map(|c| c.pin.clone());
    if own.as_deref() == Some("0000") {
        "1111".into()
    } else {
        "0000".into()
    }
}

/// `QR`, then the pay code scanned once the POS asks for it.
async fn qr(world: &World, q: &QrPayment) -> anyhow::Result<()> {
    let amount = q
        .amount
        .map(|a| format!("{} ", money(a)))
        .unwrap_or_default();
    keys(world, &format!("{amount}QR")).await?;
    stage(world, &["SCAN PAY CODE"]).await?;
    act(
        world,
        DeviceAction::Scanner(ScannerAction::Scan {
            code: q.code.clone(),
            symbology: None,
        }),
    )
    .await
}

/// Waits for the POS to show one of `lines` on line 1, failing with what it shows instead.
async fn stage(world: &World, lines: &[&str]) -> anyhow::Result<()> {
    if world.wait_display(lines, STAGE_WAIT).await.is_some() {
        return Ok(());
    }
    let [l1, l2] = world.display();
    bail!(
        "the POS never showed {} within {}s; the display shows `{l1}` / `{l2}`",
        lines.join(" or "),
        STAGE_WAIT.as_secs()
    )
}

/// The shopper presents the card when the pad asks for it, not when the cashier's screen does:
/// the POS shows its prompt and sends the pad its start (`S0`) at the same time, and on a busy
/// machine the display can win. Bounded; if the pad never asks, presenting the card fails with
/// the pad's own reason.
async fn pad_ready(world: &World) {
    let pad = world.device(DeviceRole::Pinpad);
    let deadline = tokio::time::Instant::now() + STAGE_WAIT;
    while !pad.with_state(|s| s["phase"] == "waiting_for_card")
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(super::POLL).await;
    }
}

/// The receipt number of the last sale receipt (`LANE0001-000012` → `12`).
fn last_receipt_number(world: &World) -> Option<String> {
    let prefix = format!("{}-", super::lane::TERMINAL_ID);
    world.receipts().iter().rev().find_map(|text| {
        let at = text.find(&prefix)? + prefix.len();
        let digits: String = text[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let n = digits.trim_start_matches('0');
        (!digits.is_empty()).then(|| {
            if n.is_empty() {
                "0".into()
            } else {
                n.to_owned()
            }
        })
    })
}

/// Money as typed on the keyboard: `12.50`.
pub fn money(a: Amount) -> String {
    format!("{:.2}", a.decimal())
}
