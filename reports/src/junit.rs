//! `junit.xml`: one test case per threshold, plus one per scenario or step that the scenario
//! runner adds, so CI systems show posrig's verdicts next to unit tests.

use std::path::Path;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::error::ReportError;
use crate::threshold::ThresholdResult;

/// File name of the JUnit report in a run directory.
pub const FILE_NAME: &str = "junit.xml";

/// Name of the suite that holds threshold cases.
pub const THRESHOLD_SUITE: &str = "thresholds";

/// How a scenario or step ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepOutcome {
    /// It did what was expected.
    Passed,
    /// An expectation did not hold.
    Failed {
        /// One line: what was expected and what happened.
        message: String,
        /// Longer detail, e.g. the event log around the failure.
        detail: Option<String>,
    },
    /// It could not run to a verdict (bad input, harness error).
    Errored {
        /// One line: what went wrong.
        message: String,
    },
    /// It was not run.
    Skipped {
        /// Why.
        reason: String,
    },
}

/// A JUnit report being assembled; suites keep the order they were first used in.
#[derive(Debug, Clone)]
pub struct JunitReport {
    name: String,
    suites: Vec<TestSuite>,
}

impl JunitReport {
    /// An empty report named `name` (usually the run's name).
    pub fn new(name: impl Into<String>) -> Self {
        JunitReport {
            name: name.into(),
            suites: Vec::new(),
        }
    }

    fn suite(&mut self, name: &str) -> &mut TestSuite {
        let at = match self.suites.iter().position(|s| s.name.as_str() == name) {
            Some(i) => i,
            None => {
                self.suites.push(TestSuite::new(name));
                self.suites.len() - 1
            }
        };
        &mut self.suites[at]
    }

    /// Adds one case per threshold to the `thresholds` suite, named `<operation>: <expression>`
    /// so a CI system tracks the same threshold across runs; the observed value goes in the
    /// failure message or in `system-out`.
    pub fn add_thresholds(&mut self, results: &[ThresholdResult]) -> &mut Self {
        let suite = self.suite(THRESHOLD_SUITE);
        for r in results {
            let status = if r.passed {
                TestCaseStatus::success()
            } else {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(format!(
                    "{}: observed {}, expected {}",
                    r.operation, r.observed_text, r.expression
                ));
                s.set_type("threshold");
                s
            };
            let mut case = TestCase::new(format!("{}: {}", r.operation, r.expression), status);
            case.set_classname(format!("{THRESHOLD_SUITE}.{}", r.operation));
            case.set_system_out(format!("observed {}", r.observed_text));
            suite.add_test_case(case);
        }
        self
    }

    /// Adds one scenario or step result to `suite` (e.g. the scenario file's name).
    pub fn add_step(
        &mut self,
        suite: &str,
        name: &str,
        outcome: &StepOutcome,
        duration: Option<Duration>,
    ) -> &mut Self {
        let status = match outcome {
            StepOutcome::Passed => TestCaseStatus::success(),
            StepOutcome::Failed { message, detail } => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(message.as_str());
                if let Some(d) = detail {
                    s.set_description(d.as_str());
                }
                s
            }
            StepOutcome::Errored { message } => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                s.set_message(message.as_str());
                s
            }
            StepOutcome::Skipped { reason } => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(reason.as_str());
                s
            }
        };
        let mut case = TestCase::new(name, status);
        case.set_classname(suite);
        if let Some(d) = duration {
            case.set_time(d);
        }
        self.suite(suite).add_test_case(case);
        self
    }

    /// The report as XML.
    pub fn to_xml(&self) -> Result<String, ReportError> {
        let mut report = Report::new(self.name.as_str());
        report.add_test_suites(self.suites.iter().cloned());
        report
            .to_string()
            .map_err(|e| ReportError::Junit(e.to_string()))
    }

    /// Writes the report to `path`.
    pub fn write(&self, path: &Path) -> Result<(), ReportError> {
        std::fs::write(path, self.to_xml()?).map_err(|e| ReportError::io("write", path, e))
    }
}
