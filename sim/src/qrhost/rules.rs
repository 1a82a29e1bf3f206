//! Wallet host rules — plain data that forces a behaviour, delays an answer, answers a system
//! error or never answers, per endpoint, code prefix, terminal, order, amount, time window and
//! count. Every matching rule applies; the first forced behaviour wins.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::acquirer::{AmountMatch, TimeWindow};
use crate::data::Behaviour;

/// The three endpoints of PROTOCOLS.md §8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    Micropay,
    Orderquery,
    Reverse,
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QrRule {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub when: QrMatch,
    pub then: QrAction,
    /// Applies to the next N matching requests, then retires; `None` = forever.
    #[serde(default)]
    pub times: Option<u32>,
}

impl QrRule {
    pub fn new(when: QrMatch, then: QrAction) -> Self {
        Self {
            name: None,
            when,
            then,
            times: None,
        }
    }

    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }
}

/// Which requests a rule applies to; every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QrMatch {
    #[serde(default)]
    pub endpoint: Option<Endpoint>,
    /// Payment codes starting with this (micropay only).
    #[serde(default)]
    pub code_prefix: Option<String>,
    #[serde(default)]
    pub terminal: Option<String>,
    #[serde(default)]
    pub out_trade_no: Option<String>,
    /// `total_fee` in fen (micropay only).
    #[serde(default)]
    pub amount: Option<AmountMatch>,
    #[serde(default)]
    pub window: Option<TimeWindow>,
}

impl QrMatch {
    /// Matches every request to one endpoint.
    pub fn endpoint(endpoint: Endpoint) -> Self {
        Self {
            endpoint: Some(endpoint),
            ..Self::default()
        }
    }
}

/// What a rule does. In YAML: `system_error`, `never_respond`, `{delay_ms: 500}`,
/// `{force: success}`, `{force: {user_paying: {seconds: 5, then: payerror}}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "ActionRepr", into = "ActionRepr")]
pub enum QrAction {
    /// Micropay answers as if the code had this behaviour.
    Force(Behaviour),
    /// Answer after this many milliseconds.
    DelayMs(u64),
    /// Answer a system error: micropay `UNKNOWN`/`SYSTEMERROR` (no order), query HTTP 503,
    /// reverse `FAIL` with `recall: Y`.
    SystemError,
    /// Never answer (the client's timeout decides).
    NeverRespond,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(untagged)]
enum ActionRepr {
    Word(ActionWord),
    Force { force: Behaviour },
    Delay { delay_ms: u64 },
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ActionWord {
    SystemError,
    NeverRespond,
}

impl From<ActionRepr> for QrAction {
    fn from(r: ActionRepr) -> Self {
        match r {
            ActionRepr::Word(ActionWord::SystemError) => Self::SystemError,
            ActionRepr::Word(ActionWord::NeverRespond) => Self::NeverRespond,
            ActionRepr::Force { force } => Self::Force(force),
            ActionRepr::Delay { delay_ms } => Self::DelayMs(delay_ms),
        }
    }
}

impl From<QrAction> for ActionRepr {
    fn from(a: QrAction) -> Self {
        match a {
            QrAction::SystemError => Self::Word(ActionWord::SystemError),
            QrAction::NeverRespond => Self::Word(ActionWord::NeverRespond),
            QrAction::Force(force) => Self::Force { force },
            QrAction::DelayMs(delay_ms) => Self::Delay { delay_ms },
        }
    }
}

/// What the host knows of a request when it evaluates rules.
#[derive(Debug, Clone, Copy)]
pub(crate) struct QrContext<'a> {
    pub endpoint: Endpoint,
    pub code: Option<&'a str>,
    pub terminal: Option<&'a str>,
    pub out_trade_no: &'a str,
    pub amount: Option<u64>,
    pub elapsed: Duration,
}

/// The combined effect of the rules that applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct QrVerdict {
    pub force: Option<Behaviour>,
    pub delay: Duration,
    pub system_error: bool,
    pub never_respond: bool,
}

/// The rules in force, in the order they were added.
#[derive(Debug, Clone, Default)]
pub(crate) struct QrRuleBook {
    rules: Vec<(QrRule, Option<u32>)>,
}

impl QrRuleBook {
    pub fn add(&mut self, rule: QrRule) {
        let times = rule.times;
        self.rules.push((rule, times));
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    pub fn evaluate(&mut self, ctx: &QrContext<'_>) -> QrVerdict {
        let mut v = QrVerdict::default();
        for (rule, remaining) in &mut self.rules {
            if *remaining == Some(0) || !matches(&rule.when, ctx) {
                continue;
            }
            if let Some(n) = remaining {
                *n -= 1;
            }
            match rule.then {
                QrAction::Force(b) => {
                    v.force.get_or_insert(b);
                }
                QrAction::DelayMs(ms) => v.delay += Duration::from_millis(ms),
                QrAction::SystemError => v.system_error = true,
                QrAction::NeverRespond => v.never_respond = true,
            }
        }
        self.rules.retain(|(_, n)| *n != Some(0));
        v
    }
}

fn matches(m: &QrMatch, ctx: &QrContext<'_>) -> bool {
    m.endpoint.is_none_or(|e| e == ctx.endpoint)
        && m.code_prefix
            .as_deref()
            .is_none_or(|p| ctx.code.is_some_and(|c| c.starts_with(p)))
        && m.terminal
            .as_deref()
            .is_none_or(|t| ctx.terminal == Some(t))
        && m.out_trade_no
            .as_deref()
            .is_none_or(|o| o == ctx.out_trade_no)
        && m.amount
            .is_none_or(|a| ctx.amount.is_some_and(|v| a.contains(v)))
        && m.window.is_none_or(|w| w.contains(ctx.elapsed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_from_yaml() {
        let rules: Vec<QrRule> = serde_yaml::from_str(
            r#"
- when: { endpoint: micropay, code_prefix: "13" }
  then: { force: { user_paying: { seconds: 5, then: payerror } } }
- then: system_error
  times: 1
- then: { delay_ms: 200 }
"#,
        )
        .unwrap();
        assert_eq!(rules[1].then, QrAction::SystemError);
        assert_eq!(rules[2].then, QrAction::DelayMs(200));
        let mut book = QrRuleBook::default();
        for r in rules {
            book.add(r);
        }
        let ctx = QrContext {
            endpoint: Endpoint::Micropay,
            code: Some("134567890123456789"),
            terminal: None,
            out_trade_no: "A1",
            amount: Some(100),
            elapsed: Duration::ZERO,
        };
        let v = book.evaluate(&ctx);
        assert!(v.system_error && v.force.is_some());
        assert!(!book.evaluate(&ctx).system_error, "retired after one use");
    }
}
