//! The report's SVG plots, drawn with plotters' SVG backend into strings: percentile
//! distribution (log-log), latency over time and throughput over time with fault windows.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::ReportError;
use crate::results::{FaultWindow, RunResults};
use crate::summary::RunSummary;

/// Plot width and height in pixels.
pub const SIZE: (u32, u32) = (1080, 380);

/// Series colours, one per operation in report order, readable on white.
pub const PALETTE: [RGBColor; 12] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
    RGBColor(57, 59, 121),
    RGBColor(173, 73, 74),
];

/// The colour of the `i`-th operation in report order.
pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

const FAULT_FILL: RGBAColor = RGBAColor(220, 53, 69, 0.12);
const FAULT_TEXT: RGBColor = RGBColor(160, 30, 45);
const GRID: RGBColor = RGBColor(226, 229, 234);
const LIGHT_GRID: RGBColor = RGBColor(244, 245, 247);

fn plot_err(plot: &'static str) -> impl Fn(String) -> ReportError {
    move |message| ReportError::Plot { plot, message }
}

/// Renders into an SVG string with a white background.
fn svg(
    plot: &'static str,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), String>,
) -> Result<String, ReportError> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        root.fill(&WHITE)
            .map_err(|e| plot_err(plot)(e.to_string()))?;
        draw(&root).map_err(plot_err(plot))?;
        root.present().map_err(|e| plot_err(plot)(e.to_string()))?;
    }
    Ok(out)
}

/// A latency axis label: unit chosen by size, at most two decimals, trailing zeros dropped
/// (`100ms`, `1.5s`, `2min`), so round ticks read as round numbers.
pub fn axis_us(us: f64) -> String {
    let (v, unit) = if us >= 60e6 {
        (us / 60e6, "min")
    } else if us >= 1e6 {
        (us / 1e6, "s")
    } else if us >= 1e3 {
        (us / 1e3, "ms")
    } else {
        (us, "us")
    };
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}{unit}")
}

/// Percentile label for x = log10(1 / (1 - q)): 0 → 0%, 1 → 90%, 2 → 99%, 3 → 99.9%.
fn percentile_label(x: f64) -> String {
    let q = 100.0 * (1.0 - 10f64.powf(-x));
    let decimals = (x.round() as i64 - 2).clamp(0, 6) as usize;
    format!("{q:.decimals$}%")
}

/// Latency (log y) by percentile (x: log10(1/(1-q)), so 90%, 99%, 99.9% are evenly spaced).
pub fn percentile_distribution(results: &RunResults) -> Result<String, ReportError> {
    let ops = results.operation_names();
    let totals: Vec<_> = ops
        .iter()
        .map(|op| {
            results
                .operation(op)
                .expect("listed operation exists")
                .histogram
        })
        .collect();
    let max_count = totals.iter().map(|h| h.len()).max().unwrap_or(0);
    // Show as many nines as the largest sample supports (at least 99.9%, at most 99.999%).
    let x_max = ((max_count.max(1) as f64).log10().ceil()).clamp(3.0, 5.0);
    let y_min = totals
        .iter()
        .filter(|h| !h.is_empty())
        .map(|h| h.min().max(1))
        .min()
        .unwrap_or(1) as f64;
    let y_max = totals.iter().map(|h| h.max()).max().unwrap_or(1).max(2) as f64;
    svg("percentile distribution", |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .margin_right(60)
            .x_label_area_size(36)
            .y_label_area_size(72)
            .build_cartesian_2d(
                0f64..x_max,
                ((y_min / 1.5).max(0.5)..y_max * 1.5).log_scale(),
            )
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .light_line_style(LIGHT_GRID)
            .max_light_lines(1)
            .bold_line_style(GRID)
            .x_labels(x_max as usize + 1)
            .x_label_formatter(&|x| percentile_label(*x))
            .y_label_formatter(&|y| axis_us(*y))
            .x_desc("percentile")
            .y_desc("latency")
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(|e| e.to_string())?;
        for (i, h) in totals.iter().enumerate() {
            if h.is_empty() {
                continue;
            }
            let steps = (x_max * 100.0) as usize;
            let points = (0..=steps).map(|s| {
                let x = s as f64 / 100.0;
                let q = 1.0 - 10f64.powf(-x);
                (x, (h.value_at_quantile(q).max(1)) as f64)
            });
            chart
                .draw_series(LineSeries::new(points, color(i).stroke_width(2)))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

fn shade_faults<Y: Ranged<ValueType = f64>>(
    chart: &mut ChartContext<
        '_,
        SVGBackend<'_>,
        Cartesian2d<plotters::coord::types::RangedCoordf64, Y>,
    >,
    faults: &[FaultWindow],
    y_top: f64,
    y_bottom: f64,
) -> Result<(), String> {
    chart
        .draw_series(faults.iter().map(|f| {
            Rectangle::new(
                [(f.start_s, y_bottom), (f.end_s, y_top)],
                FAULT_FILL.filled(),
            )
        }))
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(faults.iter().map(|f| {
            Text::new(
                f.label.clone(),
                (f.start_s, y_top),
                ("sans-serif", 12).into_font().color(&FAULT_TEXT),
            )
        }))
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Splits a timeline into contiguous runs of defined values, so gaps are not bridged.
fn segments(points: impl Iterator<Item = (f64, Option<f64>)>) -> Vec<Vec<(f64, f64)>> {
    let mut out = vec![Vec::new()];
    for (x, y) in points {
        match y {
            Some(y) => out.last_mut().expect("never empty").push((x, y)),
            None if out.last().is_some_and(|s| !s.is_empty()) => out.push(Vec::new()),
            None => {}
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

fn time_range(summary: &RunSummary) -> f64 {
    let end = summary
        .timeline
        .iter()
        .map(|p| p.start_s + p.duration_s)
        .fold(summary.run.duration_s, f64::max);
    end.max(1.0)
}

/// p99 (thick) and p50 (thin) latency per interval, log y, fault windows shaded.
pub fn latency_over_time(summary: &RunSummary) -> Result<String, ReportError> {
    let ops = summary.operation_names();
    let t_max = time_range(summary);
    let values = summary
        .timeline
        .iter()
        .flat_map(|p| p.operations.values())
        .flat_map(|s| [s.p50_us, s.p99_us])
        .flatten();
    let (y_min, y_max) = values.fold((f64::MAX, 1.0f64), |(lo, hi), v| {
        (lo.min(v.max(1) as f64), hi.max(v as f64))
    });
    let y_min = if y_min == f64::MAX { 1.0 } else { y_min };
    let (y_bottom, y_top) = ((y_min / 1.5).max(0.5), y_max.max(2.0) * 2.0);
    svg("latency over time", |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(72)
            .build_cartesian_2d(0f64..t_max, (y_bottom..y_top).log_scale())
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .light_line_style(LIGHT_GRID)
            .max_light_lines(1)
            .bold_line_style(GRID)
            .x_label_formatter(&|x| format!("{x:.0}s"))
            .y_label_formatter(&|y| axis_us(*y))
            .x_desc("time since start")
            .y_desc("latency (thick p99, thin p50)")
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(|e| e.to_string())?;
        shade_faults(&mut chart, &summary.faults, y_top, y_bottom)?;
        for (i, op) in ops.iter().enumerate() {
            let buckets = latency_buckets(summary, op, t_max);
            let p99 = segments(buckets.iter().map(|b| (b.0, b.2)));
            let p50 = segments(buckets.iter().map(|b| (b.0, b.1)));
            for seg in p50 {
                chart
                    .draw_series(LineSeries::new(seg, color(i).mix(0.55).stroke_width(1)))
                    .map_err(|e| e.to_string())?;
            }
            for seg in p99 {
                // A dot on every p99, so an interval with samples between two without shows.
                chart
                    .draw_series(
                        seg.iter()
                            .map(|&(x, y)| Circle::new((x, y), 2, color(i).filled())),
                    )
                    .map_err(|e| e.to_string())?;
                chart
                    .draw_series(LineSeries::new(seg, color(i).stroke_width(2)))
                    .map_err(|e| e.to_string())?;
            }
        }
        Ok(())
    })
}

/// Latency of `op` over time in buckets of whole seconds (about 60 over the run; 1 s intervals
/// for a short run): (middle, median of the intervals' p50, worst interval's p99). Interval
/// percentiles cannot be merged exactly from the summary, so a bucket shows its worst second's
/// p99, which never hides a bad second.
fn latency_buckets(
    summary: &RunSummary,
    op: &str,
    t_max: f64,
) -> Vec<(f64, Option<f64>, Option<f64>)> {
    let bucket_s = (t_max / 60.0).round().max(1.0);
    let mut buckets: std::collections::BTreeMap<u64, (Vec<f64>, Option<f64>)> = Default::default();
    for p in &summary.timeline {
        let b = buckets
            .entry((p.start_s / bucket_s).floor() as u64)
            .or_default();
        if let Some(s) = p.operations.get(op) {
            if let Some(v) = s.p50_us {
                b.0.push(v.max(1) as f64);
            }
            if let Some(v) = s.p99_us {
                b.1 = Some(b.1.map_or(v.max(1) as f64, |w: f64| w.max(v.max(1) as f64)));
            }
        }
    }
    buckets
        .into_iter()
        .map(|(k, (mut p50s, p99))| {
            p50s.sort_by(f64::total_cmp);
            let p50 = p50s.get(p50s.len() / 2).copied();
            (k as f64 * bucket_s + bucket_s / 2.0, p50, p99)
        })
        .collect()
}

/// Completed operations per second per interval, fault windows shaded. The harness's own
/// `scheduling_lag` is left out: it counts harness actions, not work of the system under test.
pub fn throughput_over_time(summary: &RunSummary) -> Result<String, ReportError> {
    let ops = summary.operation_names();
    let t_max = time_range(summary);
    let series: Vec<(usize, Vec<(f64, f64)>)> = ops
        .iter()
        .enumerate()
        .filter(|(_, op)| **op != crate::ops::SCHEDULING_LAG)
        .map(|(i, op)| (i, throughput_points(summary, op, t_max)))
        .collect();
    let y_max = series
        .iter()
        .flat_map(|(_, pts)| pts.iter().map(|p| p.1))
        .fold(0.1f64, f64::max)
        * 1.15;
    let decimals = if y_max < 1.0 {
        2
    } else if y_max < 10.0 {
        1
    } else {
        0
    };
    svg("throughput over time", |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(72)
            .build_cartesian_2d(0f64..t_max, 0f64..y_max)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .light_line_style(LIGHT_GRID)
            .max_light_lines(1)
            .bold_line_style(GRID)
            .x_label_formatter(&|x| format!("{x:.0}s"))
            .y_label_formatter(&|y| format!("{y:.decimals$}/s"))
            .x_desc("time since start")
            .y_desc("completed per second")
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(|e| e.to_string())?;
        shade_faults(&mut chart, &summary.faults, y_max, 0.0)?;
        for (i, points) in series {
            chart
                .draw_series(LineSeries::new(points, color(i).stroke_width(2)))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

/// Completions per second of `op` in buckets of whole seconds, about 30 over the run, so a
/// low rate reads as a rate rather than as single completions in 1 s intervals.
fn throughput_points(summary: &RunSummary, op: &str, t_max: f64) -> Vec<(f64, f64)> {
    let bucket_s = (t_max / 30.0).round().max(1.0);
    let mut buckets: std::collections::BTreeMap<u64, (u64, f64)> = Default::default();
    for p in &summary.timeline {
        let b = buckets
            .entry((p.start_s / bucket_s).floor() as u64)
            .or_default();
        b.0 += p.operations.get(op).map_or(0, |s| s.count);
        b.1 += p.duration_s;
    }
    buckets
        .into_iter()
        .map(|(k, (count, secs))| {
            let rate = if secs > 0.0 { count as f64 / secs } else { 0.0 };
            (k as f64 * bucket_s + secs / 2.0, rate)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_labels_count_nines() {
        assert_eq!(percentile_label(0.0), "0%");
        assert_eq!(percentile_label(1.0), "90%");
        assert_eq!(percentile_label(2.0), "99%");
        assert_eq!(percentile_label(3.0), "99.9%");
        assert_eq!(percentile_label(5.0), "99.999%");
    }

    #[test]
    fn axis_labels_are_round() {
        assert_eq!(axis_us(100_000.0), "100ms");
        assert_eq!(axis_us(1_500_000.0), "1.5s");
        assert_eq!(axis_us(120_000_000.0), "2min");
        assert_eq!(axis_us(10.0), "10us");
    }

    #[test]
    fn segments_break_at_gaps() {
        let s = segments(
            [
                (0.0, Some(1.0)),
                (1.0, None),
                (2.0, Some(2.0)),
                (3.0, Some(3.0)),
                (4.0, None),
            ]
            .into_iter(),
        );
        assert_eq!(s, vec![vec![(0.0, 1.0)], vec![(2.0, 2.0), (3.0, 3.0)]]);
    }
}
