//! Schedules change links at exact virtual times; links report on the event bus.

use super::{ms, read_n};
use posrig_sim::clock::Clock;
use posrig_sim::event::{EventBus, EventKind};
use posrig_sim::wire::{Direction, Impairment, Link, LinkAction, Schedule, ScheduledAction};
use tokio::io::AsyncWriteExt;
use tokio::time::Instant;

#[tokio::test(start_paused = true)]
async fn flapping_schedule_partitions_and_repairs_at_the_right_times() {
    let clock = Clock::start(0);
    let bus = EventBus::new(clock);
    let mut events = bus.subscribe();
    let (mut a, mut b, link) = Link::builder("acquirer-primary")
        .events(&bus)
        .pair()
        .unwrap();
    let flap = Schedule::flapping(100, 50)
        .spawn(link.control().clone())
        .unwrap();

    // Written during the first outage (100..150 ms): held, delivered at the repair.
    tokio::time::sleep(ms(120)).await;
    a.write_all(b"auth").await.unwrap();
    let (_, at) = read_n(&mut b, 4).await;
    assert_eq!(at - clock.start_instant(), ms(150));

    tokio::time::sleep_until(clock.at(ms(460))).await;
    flap.abort();
    drop(bus);
    drop(link);
    let mut states = Vec::new();
    while let Ok(e) = events.try_recv() {
        if let EventKind::LinkState { state } = &e.kind {
            assert_eq!(e.source, "link/acquirer-primary");
            states.push((e.at_us / 1000, state.clone()));
        }
    }
    let expect: Vec<(u64, String)> = [
        (100, "partitioned"),
        (150, "repaired"),
        (250, "partitioned"),
        (300, "repaired"),
        (400, "partitioned"),
        (450, "repaired"),
    ]
    .into_iter()
    .map(|(t, s)| (t, s.to_owned()))
    .collect();
    assert_eq!(states, expect);
}

#[tokio::test(start_paused = true)]
async fn one_shot_schedule_from_yaml_sets_latency_then_clears_it() {
    let schedule: Schedule = serde_yaml::from_str(
        "
steps:
  - at_ms: 1000
    action: set
    direction: a_to_b
    impairment: { latency: { dist: fixed, ms: 250 } }
  - { at_ms: 2000, action: set, direction: both, impairment: {} }
",
    )
    .unwrap();
    assert_eq!(
        schedule.steps[0],
        ScheduledAction {
            at_ms: 1000,
            action: LinkAction::Set {
                direction: Direction::AToB,
                impairment: Impairment::latency_ms(250.0),
            }
        }
    );
    let clock = Clock::start(0);
    let bus = EventBus::new(clock);
    let mut events = bus.subscribe();
    let (mut a, mut b, link) = Link::builder("wan").events(&bus).pair().unwrap();
    let _run = schedule.spawn(link.control().clone()).unwrap();

    tokio::time::sleep_until(clock.at(ms(1500))).await;
    let t = Instant::now();
    a.write_all(b"q").await.unwrap();
    assert_eq!(read_n(&mut b, 1).await.1 - t, ms(250));

    tokio::time::sleep_until(clock.at(ms(2500))).await;
    let t = Instant::now();
    a.write_all(b"r").await.unwrap();
    assert_eq!(read_n(&mut b, 1).await.1 - t, ms(0));

    let kinds: Vec<(u64, EventKind)> = std::iter::from_fn(|| events.try_recv().ok())
        .map(|e| (e.at_us, e.kind.clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            (
                1_000_000,
                EventKind::FaultInjected {
                    fault: "a_to_b: latency 250ms".into()
                }
            ),
            (
                2_000_000,
                EventKind::FaultCleared {
                    fault: "a_to_b: latency 250ms".into()
                }
            ),
        ]
    );
}

#[test]
fn invalid_schedules_are_rejected() {
    let mut s = Schedule::flapping(100, 50);
    s.repeat_every_ms = Some(120);
    assert!(s.validate().is_err());
    let unordered = Schedule {
        steps: vec![
            ScheduledAction {
                at_ms: 20,
                action: LinkAction::Reset,
            },
            ScheduledAction {
                at_ms: 10,
                action: LinkAction::Reset,
            },
        ],
        repeat_every_ms: None,
    };
    assert!(unordered.validate().is_err());
    assert!(
        serde_yaml::from_str::<Schedule>("steps: [{ at_ms: 5, action: partition, oops: 1 }]")
            .is_err()
    );
    let round = serde_yaml::to_string(&Schedule::flapping(10, 5)).unwrap();
    assert_eq!(
        serde_yaml::from_str::<Schedule>(&round).unwrap(),
        Schedule::flapping(10, 5)
    );
}
