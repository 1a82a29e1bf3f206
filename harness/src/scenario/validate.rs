//! Checks made after parsing — names against the data files (cards, items, members, operators),
//! journeys and their parameters, device actions and faults against the device types, links,
//! `crash` only with `sut: process` — and the expansion of journeys and repeats into the flat
//! list of steps a runner executes, each with where it was written.

use std::collections::BTreeMap;
use std::sync::Arc;

use posrig_protocols::keyboard::Key;
use posrig_protocols::scanner::classify_payment_code;
use posrig_sim::data::EntryAbility;

use super::action::{CardPayment, Entry, Pay, PinAnswer, Scan, Tender};
use super::count::Count;
use super::document::Sut;
use super::fault::LINKS;
use super::journey::{bind, references, substitute};
use super::library::{DataSet, JourneyEntry};
use super::plan::{CallSite, Origin, PlannedStep};
use super::source::SourceFile;
use super::spans::YamlPath;
use super::step::Step;
use crate::diagnostic::{unknown_name, Problem};

/// Most steps one scenario may expand to (repeats and journeys included).
pub const MAX_STEPS: usize = 100_000;
/// Deepest nesting of journeys in journeys.
const MAX_DEPTH: usize = 8;

/// Where the steps being checked were written, and where problems are reported.
#[derive(Clone)]
struct Frame<'a> {
    /// The file the steps are in (scenario, or journey during expansion).
    src: &'a SourceFile,
    /// Set while expanding a journey: problems go to the outermost call in the scenario.
    call: Option<(&'a SourceFile, YamlPath, String)>,
    /// The chain of journey calls, outermost first.
    via: Vec<CallSite>,
    /// Inside a journey file checked on its own: `${param}` may stand for names.
    unresolved_params: bool,
}

/// Walks steps, checks them, and collects the planned steps.
pub struct Checker<'a> {
    pub data: Option<&'a DataSet>,
    pub journeys: &'a BTreeMap<String, Arc<JourneyEntry>>,
    pub sut: Sut,
    pub problems: Vec<Problem>,
    pub planned: Vec<PlannedStep>,
    /// Steps that only a load profile may schedule are refused in scenarios, and so on.
    pub faults_only: bool,
}

impl<'a> Checker<'a> {
    pub fn new(
        data: Option<&'a DataSet>,
        journeys: &'a BTreeMap<String, Arc<JourneyEntry>>,
        sut: Sut,
    ) -> Checker<'a> {
        Checker {
            data,
            journeys,
            sut,
            problems: Vec::new(),
            planned: Vec::new(),
            faults_only: false,
        }
    }

    /// Checks and plans `steps`, written in `src` at `path` (e.g. `steps`).
    pub fn steps(
        &mut self,
        src: &'a SourceFile,
        path: &YamlPath,
        steps: &[Step],
        in_journey: bool,
    ) {
        let frame = Frame {
            src,
            call: None,
            via: Vec::new(),
            unresolved_params: in_journey,
        };
        self.walk(&frame, path, steps, 0);
    }

    /// Checks one step written in `src` at `path` without planning it (scheduled faults).
    pub fn one(&mut self, src: &'a SourceFile, path: &YamlPath, step: &Step) {
        let frame = Frame {
            src,
            call: None,
            via: Vec::new(),
            unresolved_params: false,
        };
        let before = self.planned.len();
        self.step(&frame, path, step, 0);
        self.planned.truncate(before);
    }

    fn walk(&mut self, f: &Frame<'a>, path: &YamlPath, steps: &[Step], depth: usize) {
        for (i, step) in steps.iter().enumerate() {
            self.step(f, &path.index(i), step, depth);
        }
    }

    fn problem(&mut self, f: &Frame<'a>, path: &YamlPath, message: String, help: Option<String>) {
        self.report(f, path, false, message, help)
    }

    /// A problem with a key (an unknown parameter name): the caret goes on the key.
    fn key_problem(&mut self, f: &Frame<'a>, path: &YamlPath, message: String) {
        self.report(f, path, true, message, None)
    }

    fn report(
        &mut self,
        f: &Frame<'a>,
        path: &YamlPath,
        on_key: bool,
        message: String,
        help: Option<String>,
    ) {
        let p = match &f.call {
            None if on_key => f.src.at_key(path, message),
            None => f.src.at_value(path, message),
            Some((outer, call_path, journey)) => {
                let inner = f.src.value_location(path);
                outer
                    .at_key(call_path, format!("in journey `{journey}`: {message}"))
                    .with_help(format!(
                        "the step is at {}:{}:{}",
                        f.src.path.display(),
                        inner.line,
                        inner.column
                    ))
            }
        };
        self.problems.push(match (help, &p.help) {
            (Some(h), None) => p.with_help(h),
            (Some(h), Some(place)) => {
                let both = format!("{h}; {place}");
                p.with_help(both)
            }
            (None, _) => p,
        });
    }

    fn origin(&self, f: &Frame<'a>, path: &YamlPath) -> Origin {
        let l = f.src.key_location(path);
        Origin {
            file: f.src.path.clone(),
            line: l.line,
            column: l.column,
            via: f.via.clone(),
        }
    }

    fn step(&mut self, f: &Frame<'a>, path: &YamlPath, step: &Step, depth: usize) {
        if self.faults_only && !step.is_fault() {
            self.problem(
                f,
                path,
                format!("a scheduled fault must be a fault step (fault, clear, link, partition, repair, reset, host, crash), not `{}`", step.name()),
                None,
            );
            return;
        }
        let here = path.key(step.name());
        match step {
            Step::Key(k) => {
                if !self.has_param(f, k) && Key::from_name(k).is_none() {
                    let (m, h) = unknown_name("keyboard key", k, Key::ALL.iter().map(|k| k.name()));
                    self.problem(f, &here, m, h);
                }
            }
            Step::Keys(keys) => {
                if let Err(e) = keys.0.keys() {
                    if !self.has_param(f, &e.token) {
                        self.problem(
                            f,
                            &here,
                            e.to_string()
                                .replacen("read key", "unknown keyboard key", 1),
                            None,
                        );
                    }
                }
            }
            Step::Login(login) => self.operator(f, &here.key("operator"), &login.operator),
            Step::Scan(scan) => self.scan(f, &here, scan),
            Step::Weigh(w) => {
                self.count(f, &here.key("grams"), &w.grams);
                if let Some(Count::Value(g)) = Some(&w.grams) {
                    if *g == 0 {
                        self.problem(
                            f,
                            &here.key("grams"),
                            "a weighed item weighs more than 0 grams".into(),
                            None,
                        );
                    }
                }
                if let Some(scan) = &w.scan {
                    self.scan(f, &here.key("scan"), scan);
                }
            }
            Step::Qty(n) => {
                self.count(f, &here, n);
                if n.value() == Some(0) {
                    self.problem(f, &here, "a quantity is at least 1".into(), None);
                }
            }
            Step::Pay(pay) => self.pay(f, &here, pay),
            Step::Refund(r) => {
                if let Some(s) = &r.supervisor {
                    self.operator(f, &here.key("supervisor").key("operator"), &s.operator);
                }
            }
            Step::Member(m) => self.member(f, &here, m),
            Step::Device(d) => {
                if let Err(e) = d.action() {
                    self.problem(f, &here.key("action"), e, None);
                }
            }
            Step::Fault(x) | Step::Clear(x) => {
                if let Err(e) = x.fault() {
                    self.problem(f, &here.key("fault"), e, None);
                }
            }
            Step::Link(l) => {
                self.link(f, &here.key("name"), &l.name);
                if let Err(e) = l.set.validate() {
                    self.problem(f, &here.key("set"), e.to_string(), None);
                }
            }
            Step::Partition(name) | Step::Repair(name) | Step::Reset(name) => {
                self.link(f, &here, name)
            }
            Step::Crash => {
                if self.sut != Sut::Process {
                    self.problem(
                        f,
                        path,
                        "`crash` kills the POS process, so it needs `sut: process` (this scenario runs the embedded POS)".into(),
                        Some("add `sut: process` at the top of the scenario".into()),
                    );
                }
            }
            Step::Expect(e) => self.expect(f, &here, e),
            Step::Repeat(r) => {
                self.count(f, &here.key("times"), &r.times);
                let times = r.times.value().unwrap_or(1) as usize;
                if times == 0 {
                    self.problem(f, &here.key("times"), "repeat at least once".into(), None);
                }
                let steps_path = here.key("steps");
                let first = self.planned.len();
                self.walk(f, &steps_path, &r.steps, depth);
                if times > 1 && !f.unresolved_params {
                    let body: Vec<PlannedStep> = self.planned[first..].to_vec();
                    if body.len().saturating_mul(times) + first > MAX_STEPS {
                        self.problem(
                            f,
                            &here.key("times"),
                            format!("this repeat expands to more than {MAX_STEPS} steps"),
                            None,
                        );
                        return;
                    }
                    for _ in 1..times {
                        self.planned.extend(body.iter().cloned());
                    }
                }
                return;
            }
            Step::Journey(call) => {
                self.journey(f, path, &here, call, depth);
                return;
            }
            Step::SignOn
            | Step::VoidLine(_)
            | Step::Total
            | Step::Settle
            | Step::Report(_)
            | Step::Wait(_)
            | Step::Cashier(_)
            | Step::Host(_) => {}
        }
        if self.planned.len() >= MAX_STEPS {
            if self.planned.len() == MAX_STEPS {
                self.problem(
                    f,
                    path,
                    format!("the scenario expands to more than {MAX_STEPS} steps"),
                    None,
                );
                self.planned.push(PlannedStep {
                    step: Step::Total,
                    origin: self.origin(f, path),
                });
            }
            return;
        }
        self.planned.push(PlannedStep {
            step: step.clone(),
            origin: self.origin(f, path),
        });
    }

    /// Whether `text` is (or holds) a `${param}` left for later in a journey file.
    fn has_param(&self, f: &Frame<'a>, text: &str) -> bool {
        f.unresolved_params && text.contains("${")
    }

    fn count(&mut self, f: &Frame<'a>, path: &YamlPath, n: &Count) {
        if let Count::Param(p) = n {
            if !f.unresolved_params {
                self.problem(
                    f,
                    path,
                    format!("`${{{p}}}` is a journey parameter, and only journeys take parameters"),
                    None,
                );
            }
        }
    }

    fn operator(&mut self, f: &Frame<'a>, path: &YamlPath, number: &str) {
        let Some(data) = self.data else { return };
        if self.has_param(f, number) || data.store.operators.iter().any(|o| o.number == number) {
            return;
        }
        let known: Vec<&str> = data
            .store
            .operators
            .iter()
            .map(|o| o.number.as_str())
            .collect();
        let (m, h) = unknown_name("operator", number, known.iter().copied());
        self.problem(
            f,
            path,
            m,
            h.or_else(|| Some(format!("operators: {}", known.join(", ")))),
        );
    }

    fn scan(&mut self, f: &Frame<'a>, path: &YamlPath, scan: &Scan) {
        let name = match scan {
            Scan::Auto(s) if s.chars().all(|c| c.is_ascii_digit()) && !s.is_empty() => return,
            Scan::Auto(s) => s,
            Scan::Item { item } => item,
            Scan::Code { .. } => return,
        };
        let item_path = match scan {
            Scan::Item { .. } => path.key("item"),
            _ => path.clone(),
        };
        let Some(data) = self.data else { return };
        if self.has_param(f, name) {
            return;
        }
        let found = data
            .catalog
            .items()
            .any(|i| i.name.eq_ignore_ascii_case(name) || i.plu == *name);
        if !found {
            let names: Vec<&str> = data.catalog.items().map(|i| i.name.as_str()).collect();
            let (m, _) = unknown_name("item", name, names.iter().copied());
            self.problem(
                f,
                &item_path,
                m,
                Some("scan a code (digits), an item name or PLU from catalog.yaml, or `{code: …}` for any other code".into()),
            );
        }
    }

    fn pay(&mut self, f: &Frame<'a>, path: &YamlPath, pay: &Pay) {
        match pay {
            Pay::Cash(_) => {}
            Pay::Card(c) => self.card(f, &path.key("card"), c),
            Pay::Qr(q) => self.qr(f, &path.key("qr").key("code"), &q.code),
            Pay::Split(parts) => {
                let split = path.key("split");
                if parts.len() < 2 {
                    self.problem(
                        f,
                        &split,
                        "a split payment has at least two tenders".into(),
                        None,
                    );
                }
                let open = parts
                    .iter()
                    .filter(|t| {
                        matches!(t, Tender::Card(CardPayment { amount: None, .. }))
                            || matches!(t, Tender::Qr(q) if q.amount.is_none())
                    })
                    .count();
                if open > 1 {
                    self.problem(f, &split, "only one card or QR tender of a split may leave out `amount` (it pays the rest)".into(), None);
                }
                for (i, t) in parts.iter().enumerate() {
                    match t {
                        Tender::Cash(_) => {}
                        Tender::Card(c) => self.card(f, &split.index(i).key("card"), c),
                        Tender::Qr(q) => self.qr(f, &split.index(i).key("qr").key("code"), &q.code),
                    }
                }
            }
        }
    }

    fn card(&mut self, f: &Frame<'a>, path: &YamlPath, c: &CardPayment) {
        if let Some(PinAnswer::Digits(_)) = &c.pin {
            // Any digits are fine: a wrong PIN is a scenario worth writing.
        }
        let Some(data) = self.data else { return };
        if self.has_param(f, &c.card) {
            return;
        }
        let Some(card) = data.cards.by_name(&c.card) else {
            let names: Vec<&str> = data.cards.cards.iter().map(|c| c.name.as_str()).collect();
            let (m, _) = unknown_name("card", &c.card, names.iter().copied());
            self.problem(
                f,
                &path.key("card"),
                m,
                Some(format!("cards in cards.yaml: {}", names.join(", "))),
            );
            return;
        };
        if let Some(entry) = c.entry {
            let ability = match entry {
                Entry::Chip => EntryAbility::Chip,
                Entry::Swipe => EntryAbility::Swipe,
                Entry::Tap => EntryAbility::Tap,
            };
            if !card.can(ability) {
                let can: Vec<String> = card
                    .entry
                    .iter()
                    .map(|e| format!("{e:?}").to_lowercase())
                    .collect();
                self.problem(
                    f,
                    &path.key("entry"),
                    format!(
                        "card `{}` cannot be read by {} (it can: {})",
                        c.card,
                        entry.name(),
                        can.join(", ")
                    ),
                    None,
                );
            }
        }
    }

    fn qr(&mut self, f: &Frame<'a>, path: &YamlPath, code: &str) {
        if !self.has_param(f, code) && classify_payment_code(code).is_none() {
            self.problem(
                f,
                path,
                format!("`{code}` is not a wallet payment code (18 digits starting 10 to 15, or 16 to 24 digits starting 25 to 30, e.g. \"134567890123456789\")"),
                None,
            );
        }
    }

    fn member(&mut self, f: &Frame<'a>, path: &YamlPath, m: &super::action::MemberId) {
        let (field, value) = match (&m.phone, &m.card) {
            (Some(p), None) => ("phone", p),
            (None, Some(c)) => ("card", c),
            _ => {
                self.problem(
                    f,
                    path,
                    "identify the member by `phone` or by `card`, one of the two".into(),
                    None,
                );
                return;
            }
        };
        let Some(data) = self.data else { return };
        if self.has_param(f, value) || data.members.lookup(value).is_some() {
            return;
        }
        self.problem(
            f,
            &path.key(field),
            format!("no member with {field} `{value}` in members.yaml"),
            None,
        );
    }

    fn link(&mut self, f: &Frame<'a>, path: &YamlPath, name: &str) {
        if !self.has_param(f, name) && !LINKS.contains(&name) {
            let (m, h) = unknown_name("link", name, LINKS);
            self.problem(
                f,
                path,
                m,
                h.or_else(|| Some(format!("links: {}", LINKS.join(", ")))),
            );
        }
    }

    fn expect(&mut self, f: &Frame<'a>, path: &YamlPath, e: &super::expect::Expect) {
        if e.checks().is_empty() {
            self.problem(
                f,
                path,
                "an expectation needs at least one check: display, total, receipt, drawer, host, wallet, journal or device".into(),
                None,
            );
        }
        if let Some(d) = &e.display {
            if d.line1.is_none() && d.line2.is_none() && d.contains.is_none() && d.equals.is_none()
            {
                self.problem(
                    f,
                    &path.key("display"),
                    "a display check needs line1, line2, contains or equals".into(),
                    None,
                );
            }
        }
        if let Some(h) = &e.host {
            if let Some(mti) = &h.last_mti {
                if mti.len() != 4 || !mti.bytes().all(|b| b.is_ascii_digit()) {
                    self.problem(f, &path.key("host").key("last_mti"), format!("expected a message type of 4 digits in quotes, e.g. \"0210\", not `{mti}`"), None);
                }
            }
            if let Some(code) = &h.last_code {
                if code.len() != 2 {
                    self.problem(f, &path.key("host").key("last_code"), format!("expected a response code of 2 characters in quotes, e.g. \"00\", not `{code}`"), None);
                }
            }
        }
        if let Some(d) = &e.device {
            if !d.state_path.starts_with('/') {
                self.problem(
                    f,
                    &path.key("device").key("state_path"),
                    format!(
                        "expected a JSON pointer such as `/paper`, not `{}`",
                        d.state_path
                    ),
                    None,
                );
            }
        }
    }

    fn journey(
        &mut self,
        f: &Frame<'a>,
        step_path: &YamlPath,
        here: &YamlPath,
        call: &super::action::JourneyCall,
        depth: usize,
    ) {
        let name_path = here.key("name");
        if self.has_param(f, &call.name) {
            return;
        }
        let Some(entry) = self.journeys.get(&call.name) else {
            let names: Vec<&str> = self.journeys.keys().map(String::as_str).collect();
            let (m, h) = unknown_name("journey", &call.name, names.iter().copied());
            self.problem(
                f,
                &name_path,
                m,
                h.or_else(|| Some(format!("journeys: {}", names.join(", ")))),
            );
            return;
        };
        if depth >= MAX_DEPTH || f.via.iter().any(|c| c.journey == call.name) {
            self.problem(
                f,
                &name_path,
                format!(
                    "journey `{}` calls itself (through {} journeys)",
                    call.name,
                    f.via.len()
                ),
                None,
            );
            return;
        }
        if f.unresolved_params {
            // A journey file checked on its own: names only; the call is checked where it is used.
            return;
        }
        let values = match bind(&entry.journey.name, &entry.journey.params, &call.with) {
            Ok(v) => v,
            Err(e) => {
                match call
                    .with
                    .keys()
                    .find(|k| !entry.journey.params.contains_key(*k))
                {
                    Some(k) => self.key_problem(f, &here.key("with").key(k), e),
                    None => self.problem(f, &name_path, e, None),
                }
                return;
            }
        };
        let origin = self.origin(f, step_path);
        let mut via = f.via.clone();
        via.push(CallSite {
            file: origin.file,
            line: origin.line,
            column: origin.column,
            journey: call.name.clone(),
        });
        let inner = Frame {
            src: &entry.source,
            call: Some(
                f.call
                    .clone()
                    .unwrap_or_else(|| (f.src, step_path.clone(), call.name.clone())),
            ),
            via,
            unresolved_params: false,
        };
        let steps_path = YamlPath::root().key("steps");
        for (i, raw) in entry.journey.steps.iter().enumerate() {
            let path = steps_path.index(i);
            let step = substitute(raw, &values, true).and_then(|v| {
                super::source::from_value::<Step>(v)
                    .map_err(|e| super::source::reword(&e.to_string()).0)
            });
            match step {
                Ok(step) => self.step(&inner, &path, &step, depth + 1),
                Err(e) => self.problem(&inner, &path, e, None),
            }
        }
    }
}

/// Every `${name}` used in `raw` steps that `declared` does not declare, with its step index.
pub fn undeclared_params<'v>(
    raw: &'v [serde_yaml::Value],
    declared: &[&str],
) -> Vec<(usize, &'v str)> {
    fn strings<'v>(v: &'v serde_yaml::Value, out: &mut Vec<&'v str>) {
        match v {
            serde_yaml::Value::String(s) => out.push(s),
            serde_yaml::Value::Sequence(items) => items.iter().for_each(|i| strings(i, out)),
            serde_yaml::Value::Mapping(m) => m.values().for_each(|i| strings(i, out)),
            serde_yaml::Value::Tagged(t) => strings(&t.value, out),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (i, step) in raw.iter().enumerate() {
        let mut texts = Vec::new();
        strings(step, &mut texts);
        for t in texts {
            for r in references(t) {
                if !declared.contains(&r) {
                    out.push((i, r));
                }
            }
        }
    }
    out
}

/// The file a problem of `journeys` lookups is reported in when there is no scenarios tree.
pub fn no_root_help() -> String {
    "put the file under a `scenarios/` folder with `data/` and `journeys/`, or set `data:`".into()
}
