//! Determinism of the outputs: the same run recorded twice gives byte-identical `summary.json`,
//! `report.html` and `junit.xml`, and shards merge to the same measurements whatever order they
//! are given in. A `HashMap` walked where order shows (operations, groups, causes), or the wall clock
//! read while rendering, breaks these tests.

#[allow(dead_code)]
#[path = "reports/fixture.rs"]
mod fixture;

use std::time::Duration;

use posrig_reports::junit::{JunitReport, StepOutcome};
use posrig_reports::merge::merge;
use posrig_reports::{Recorder, RunResults, RunSummary, Thresholds};

fn results(name: &str, seed: u64) -> RunResults {
    let samples = fixture::samples(seed, 4_000, 6);
    fixture::replay(
        Recorder::new(fixture::info(name), Duration::from_secs(1)),
        &samples,
        6,
    )
}

fn thresholds() -> Thresholds {
    serde_yaml::from_str(
        "scan_to_display: [\"p99 < 50ms\"]\ncard_auth: [\"p95 < 2s\", \"errors < 1%\"]\n",
    )
    .expect("thresholds")
}

fn outputs(results: &RunResults) -> (String, String, String) {
    let summary = RunSummary::build(results, &thresholds());
    let json = summary.to_json().unwrap();
    let html = posrig_reports::html::render(&summary, results).unwrap();
    let mut junit = JunitReport::new("determinism");
    junit.add_thresholds(&summary.thresholds);
    junit.add_step("suite", "a step", &StepOutcome::Passed, None);
    (json, html, junit.to_xml().unwrap())
}

#[test]
fn the_same_run_twice_renders_byte_identical_outputs() {
    let (json1, html1, junit1) = outputs(&results("lane", 7));
    let (json2, html2, junit2) = outputs(&results("lane", 7));
    assert!(json1.contains("scan_to_display") && json1.contains("card_auth"));
    assert_eq!(json1, json2, "summary.json");
    assert_eq!(junit1, junit2, "junit.xml");
    assert!(
        html1 == html2,
        "report.html differs between two renderings of one run"
    );
    // And the input matters: another seed gives other numbers.
    let (json3, _, _) = outputs(&results("lane", 8));
    assert_ne!(json1, json3);
}

#[test]
fn shards_merge_to_the_same_result_in_any_order() {
    let a = results("shard-a", 1);
    let b = results("shard-b", 2);
    let c = results("shard-c", 3);
    let abc = merge(&[a.clone(), b.clone(), c.clone()]).unwrap();
    let cab = merge(&[c, a, b]).unwrap();
    // Everything but the run's identity (named after the first shard, which the caller chooses).
    let measured = |r: &RunResults| {
        let mut v: serde_json::Value = serde_json::from_str(&outputs(r).0).unwrap();
        v.as_object_mut().unwrap().remove("run");
        serde_json::to_string(&v).unwrap()
    };
    assert_eq!(measured(&abc), measured(&cab));
}
