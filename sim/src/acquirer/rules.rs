//! Response rules — plain data that scenarios, YAML files and tests build to make the host
//! misbehave: forced codes, delays, silence, bad MACs, wrong STANs, closed connections,
//! duplicates, batch mismatches and "sign on again".
//!
//! Every rule whose [`RuleMatch`] fits a request applies (in the order they were added), each
//! counting down its own `times`. *Decision* actions ([`RuleAction::Respond`],
//! [`RuleAction::Duplicate`], [`RuleAction::BatchMismatch`]) replace the host's decision and have
//! no effect on balances or the ledger (the first one wins; a forced `00` means "decide
//! normally"). *Delivery* actions act on the response after the host decided and applied the
//! effect: a "never respond" or "close connection" request was processed, its answer is lost.

use std::time::Duration;

use posrig_protocols::iso8583::{ResponseCode, TransactionKind};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Identifies a rule for [`super::AcquirerControl::remove_rule`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RuleId(pub u64);

/// One rule: when it applies, what it does, and how many more requests it applies to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Free text shown in events.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub when: RuleMatch,
    pub then: RuleAction,
    /// Applies to the next N matching requests, then retires; `None` = forever.
    #[serde(default)]
    pub times: Option<u32>,
}

impl Rule {
    /// A rule applying `then` to every request `when` matches.
    pub fn new(when: RuleMatch, then: RuleAction) -> Self {
        Self {
            name: None,
            when,
            then,
            times: None,
        }
    }

    /// The same rule applying to the next `n` matching requests only.
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }
}

/// Which requests a rule applies to. Every condition given must hold; none given = all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMatch {
    /// The card's name in the card file.
    #[serde(default)]
    pub card: Option<String>,
    #[serde(default)]
    pub amount: Option<AmountMatch>,
    /// Field 41.
    #[serde(default)]
    pub terminal: Option<String>,
    #[serde(default)]
    pub kind: Option<KindName>,
    /// Only within this window of host time.
    #[serde(default)]
    pub window: Option<TimeWindow>,
    /// Only this fraction of matching requests, drawn from the host's seeded generator.
    #[serde(default)]
    pub probability: Option<f64>,
}

impl RuleMatch {
    /// Matches every request.
    pub fn any() -> Self {
        Self::default()
    }

    /// Matches requests of one kind.
    pub fn kind(kind: KindName) -> Self {
        Self {
            kind: Some(kind),
            ..Self::default()
        }
    }
}

/// An amount condition in minor units: exact (`1234`) or a range (`{min: 100, max: 500}`,
/// inclusive, either end optional).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AmountMatch {
    Exact(u64),
    Range {
        #[serde(default)]
        min: Option<u64>,
        #[serde(default)]
        max: Option<u64>,
    },
}

impl AmountMatch {
    /// Whether `amount` (minor units) satisfies this condition.
    pub fn contains(self, amount: u64) -> bool {
        match self {
            Self::Exact(v) => v == amount,
            Self::Range { min, max } => {
                min.is_none_or(|m| amount >= m) && max.is_none_or(|m| amount <= m)
            }
        }
    }
}

/// A window of host time in milliseconds since the host started: `from_ms <= t < until_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeWindow {
    #[serde(default)]
    pub from_ms: u64,
    #[serde(default)]
    pub until_ms: Option<u64>,
}

impl TimeWindow {
    /// Whether `elapsed` host time falls in the window.
    pub fn contains(self, elapsed: Duration) -> bool {
        let t = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
        t >= self.from_ms && self.until_ms.is_none_or(|u| t < u)
    }
}

/// Transaction kinds as scenario files name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KindName {
    SignOn,
    SignOff,
    EchoTest,
    BalanceInquiry,
    Purchase,
    Void,
    Refund,
    OfflineSale,
    Reversal,
    Settlement,
    BatchUpload,
    BatchUploadEnd,
}

impl From<TransactionKind> for KindName {
    fn from(k: TransactionKind) -> Self {
        match k {
            TransactionKind::SignOn => Self::SignOn,
            TransactionKind::SignOff => Self::SignOff,
            TransactionKind::EchoTest => Self::EchoTest,
            TransactionKind::BalanceInquiry => Self::BalanceInquiry,
            TransactionKind::Purchase => Self::Purchase,
            TransactionKind::Void => Self::Void,
            TransactionKind::Refund => Self::Refund,
            TransactionKind::OfflineSale => Self::OfflineSale,
            TransactionKind::Reversal => Self::Reversal,
            TransactionKind::Settlement => Self::Settlement,
            TransactionKind::BatchUpload => Self::BatchUpload,
            TransactionKind::BatchUploadEnd => Self::BatchUploadEnd,
        }
    }
}

/// What a rule does. In YAML: `bad_mac`, `never_respond`, `wrong_stan`, `close_connection`,
/// `duplicate`, `batch_mismatch`, `sign_on_again`, `{respond: "51"}`, `{delay_ms: 500}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "ActionRepr", into = "ActionRepr")]
pub enum RuleAction {
    /// Answer this field 39 code (two characters) instead of deciding.
    Respond { code: String },
    /// Answer after this long.
    Delay { ms: u64 },
    /// Process, but never answer.
    NeverRespond,
    /// Answer with a MAC that does not verify.
    BadMac,
    /// Answer with another STAN than the request's.
    WrongStan,
    /// Process, then close the connection instead of answering.
    CloseConnection,
    /// Answer `94` duplicate.
    Duplicate,
    /// Answer `77` batch mismatch.
    BatchMismatch,
    /// Set "sign on again" (3) in the response header.
    SignOnAgain,
}

/// The YAML shape of [`RuleAction`]: a bare word, or a one-key map.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
enum ActionRepr {
    Word(ActionWord),
    Respond { respond: String },
    Delay { delay_ms: u64 },
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ActionWord {
    NeverRespond,
    BadMac,
    WrongStan,
    CloseConnection,
    Duplicate,
    BatchMismatch,
    SignOnAgain,
}

impl From<ActionRepr> for RuleAction {
    fn from(r: ActionRepr) -> Self {
        match r {
            ActionRepr::Respond { respond } => Self::Respond { code: respond },
            ActionRepr::Delay { delay_ms } => Self::Delay { ms: delay_ms },
            ActionRepr::Word(w) => match w {
                ActionWord::NeverRespond => Self::NeverRespond,
                ActionWord::BadMac => Self::BadMac,
                ActionWord::WrongStan => Self::WrongStan,
                ActionWord::CloseConnection => Self::CloseConnection,
                ActionWord::Duplicate => Self::Duplicate,
                ActionWord::BatchMismatch => Self::BatchMismatch,
                ActionWord::SignOnAgain => Self::SignOnAgain,
            },
        }
    }
}

impl From<RuleAction> for ActionRepr {
    fn from(a: RuleAction) -> Self {
        let word = match a {
            RuleAction::Respond { code } => return Self::Respond { respond: code },
            RuleAction::Delay { ms } => return Self::Delay { delay_ms: ms },
            RuleAction::NeverRespond => ActionWord::NeverRespond,
            RuleAction::BadMac => ActionWord::BadMac,
            RuleAction::WrongStan => ActionWord::WrongStan,
            RuleAction::CloseConnection => ActionWord::CloseConnection,
            RuleAction::Duplicate => ActionWord::Duplicate,
            RuleAction::BatchMismatch => ActionWord::BatchMismatch,
            RuleAction::SignOnAgain => ActionWord::SignOnAgain,
        };
        Self::Word(word)
    }
}

/// Why a rule was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("add rule: response code `{0}` is not two characters")]
    BadCode(String),
    #[error("add rule: probability {0} is not within 0..=1")]
    BadProbability(String),
}

impl Rule {
    /// Checks the values a YAML file or a test may have got wrong.
    pub fn validate(&self) -> Result<(), RuleError> {
        if let RuleAction::Respond { code } = &self.then {
            if code.len() != 2 || !code.is_ascii() {
                return Err(RuleError::BadCode(code.clone()));
            }
        }
        if let Some(p) = self.when.probability {
            if !(0.0..=1.0).contains(&p) {
                return Err(RuleError::BadProbability(p.to_string()));
            }
        }
        Ok(())
    }
}

/// What the host knows of a request when it evaluates rules.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RuleContext<'a> {
    pub card: Option<&'a str>,
    pub amount_minor: Option<u64>,
    pub terminal_id: &'a str,
    pub kind: Option<TransactionKind>,
    pub elapsed: Duration,
}

/// The combined effect of every rule that applied to one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Verdict {
    pub code: Option<ResponseCode>,
    pub delay: Duration,
    pub never_respond: bool,
    pub close: bool,
    pub bad_mac: bool,
    pub wrong_stan: bool,
    pub sign_on_again: bool,
    /// Names (or ids) of the rules that applied, for events.
    pub applied: Vec<String>,
}

#[derive(Debug, Clone)]
struct ActiveRule {
    id: RuleId,
    rule: Rule,
    remaining: Option<u32>,
}

/// The rules in force, in the order they were added.
#[derive(Debug, Clone, Default)]
pub(crate) struct RuleBook {
    rules: Vec<ActiveRule>,
    next_id: u64,
}

impl RuleBook {
    pub fn add(&mut self, rule: Rule) -> Result<RuleId, RuleError> {
        rule.validate()?;
        let id = RuleId(self.next_id);
        self.next_id += 1;
        self.rules.push(ActiveRule {
            id,
            remaining: rule.times,
            rule,
        });
        Ok(id)
    }

    pub fn remove(&mut self, id: RuleId) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.id != id);
        before != self.rules.len()
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// Applies every matching rule to one request, counting down their `times`.
    pub fn evaluate(&mut self, ctx: &RuleContext<'_>, rng: &mut impl Rng) -> Verdict {
        let mut verdict = Verdict::default();
        for active in &mut self.rules {
            if active.remaining == Some(0) || !matches(&active.rule.when, ctx, rng) {
                continue;
            }
            if let Some(n) = &mut active.remaining {
                *n -= 1;
            }
            verdict.applied.push(
                active
                    .rule
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("rule {}", active.id.0)),
            );
            match &active.rule.then {
                RuleAction::Respond { code } => {
                    let bytes: [u8; 2] = code.as_bytes().try_into().unwrap_or(*b"96");
                    let code = ResponseCode::from_bytes(bytes);
                    if verdict.code.is_none() && !code.is_approved() {
                        verdict.code = Some(code);
                    }
                }
                RuleAction::Duplicate => {
                    verdict.code.get_or_insert(ResponseCode::Duplicate);
                }
                RuleAction::BatchMismatch => {
                    verdict.code.get_or_insert(ResponseCode::BatchMismatch);
                }
                RuleAction::Delay { ms } => verdict.delay += Duration::from_millis(*ms),
                RuleAction::NeverRespond => verdict.never_respond = true,
                RuleAction::CloseConnection => verdict.close = true,
                RuleAction::BadMac => verdict.bad_mac = true,
                RuleAction::WrongStan => verdict.wrong_stan = true,
                RuleAction::SignOnAgain => verdict.sign_on_again = true,
            }
        }
        self.rules.retain(|r| r.remaining != Some(0));
        verdict
    }
}

fn matches(m: &RuleMatch, ctx: &RuleContext<'_>, rng: &mut impl Rng) -> bool {
    let card_ok = m.card.as_deref().is_none_or(|c| ctx.card == Some(c));
    let amount_ok = m
        .amount
        .is_none_or(|a| ctx.amount_minor.is_some_and(|v| a.contains(v)));
    let terminal_ok = m.terminal.as_deref().is_none_or(|t| t == ctx.terminal_id);
    let kind_ok = m
        .kind
        .is_none_or(|k| ctx.kind.map(KindName::from) == Some(k));
    let window_ok = m.window.is_none_or(|w| w.contains(ctx.elapsed));
    if !(card_ok && amount_ok && terminal_ok && kind_ok && window_ok) {
        return false;
    }
    // Drawn only for requests that match otherwise, so other traffic does not shift the stream.
    m.probability.is_none_or(|p| rng.gen_bool(p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn ctx(kind: TransactionKind, amount: u64) -> RuleContext<'static> {
        RuleContext {
            card: Some("chip-ok"),
            amount_minor: Some(amount),
            terminal_id: "LANE0001",
            kind: Some(kind),
            elapsed: Duration::from_millis(10),
        }
    }

    #[test]
    fn rules_parse_from_yaml_and_count_down() {
        let yaml = r#"
- when: { card: chip-ok, amount: { min: 100, max: 500 }, kind: purchase }
  then: { respond: "51" }
  times: 1
- when: { amount: 999 }
  then: { delay_ms: 250 }
- then: bad_mac
  when: { terminal: LANE0002 }
"#;
        let rules: Vec<Rule> = serde_yaml::from_str(yaml).unwrap();
        let mut book = RuleBook::default();
        for r in rules {
            book.add(r).unwrap();
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let v = book.evaluate(&ctx(TransactionKind::Purchase, 200), &mut rng);
        assert_eq!(v.code, Some(ResponseCode::InsufficientFunds));
        let v = book.evaluate(&ctx(TransactionKind::Purchase, 200), &mut rng);
        assert_eq!(v.code, None, "the first rule retired after one use");
        let v = book.evaluate(&ctx(TransactionKind::Void, 999), &mut rng);
        assert_eq!(v.delay, Duration::from_millis(250));
        assert!(!v.bad_mac);
    }

    #[test]
    fn bad_rules_are_refused() {
        let mut book = RuleBook::default();
        let code = Rule::new(RuleMatch::any(), RuleAction::Respond { code: "123".into() });
        assert!(book.add(code).is_err());
        let mut p = Rule::new(RuleMatch::any(), RuleAction::BadMac);
        p.when.probability = Some(1.5);
        assert!(book.add(p).is_err());
    }
}
