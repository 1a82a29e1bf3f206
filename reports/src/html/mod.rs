//! `report.html`: one self-contained page (inline CSS and SVG, no scripts, fonts or URLs) with
//! the run's verdict, thresholds, a table per operation, plots and the error breakdown.

pub mod plots;

use std::fmt::Write as _;

use crate::error::ReportError;
use crate::progress::{format_us, group_thousands};
use crate::results::RunResults;
use crate::summary::{LatencyStats, RunSummary};

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root { --ink:#1f2430; --muted:#6b7280; --line:#e5e7eb; --pass:#15803d; --pass-bg:#dcfce7; --fail:#b91c1c; --fail-bg:#fee2e2; }
* { box-sizing: border-box; }
body { margin:0; background:#f6f7f9; color:var(--ink); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 1140px; margin: 0 auto; padding: 24px 24px 48px; }
header { display:flex; align-items:center; gap:16px; flex-wrap:wrap; margin-bottom: 8px; }
h1 { font-size: 24px; margin: 0; }
h2 { font-size: 17px; margin: 0 0 12px; }
.card { background:#fff; border:1px solid var(--line); border-radius:10px; padding:16px 18px; margin-top:16px; box-shadow: 0 1px 2px rgba(0,0,0,.04); }
.meta { color:var(--muted); display:flex; gap:18px; flex-wrap:wrap; margin: 4px 0 0; }
.meta b { color:var(--ink); font-weight:600; }
.badge { display:inline-block; padding:3px 10px; border-radius:999px; font-weight:700; font-size:12px; letter-spacing:.04em; }
.pass { color:var(--pass); background:var(--pass-bg); }
.fail { color:var(--fail); background:var(--fail-bg); }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align:right; padding:6px 10px; border-bottom:1px solid var(--line); white-space:nowrap; }
th { color:var(--muted); font-weight:600; font-size:12px; text-transform:uppercase; letter-spacing:.03em; }
th:first-child, td:first-child, td.text, th.text { text-align:left; }
tr.group td { color:var(--muted); font-size:13px; }
tr.group td:first-child { padding-left: 28px; }
td.errors-some { color: var(--fail); font-weight:600; }
.swatch { display:inline-block; width:12px; height:12px; border-radius:3px; margin-right:8px; vertical-align:-1px; }
.legend { display:flex; flex-wrap:wrap; gap:6px 18px; margin: 0 0 8px; color: var(--ink); }
.plot svg { width:100%; height:auto; display:block; }
.note { color: var(--muted); font-size: 12px; margin: 6px 0 0; }
.bar { background: #f3b4b4; height: 10px; border-radius: 3px; display:inline-block; vertical-align: middle; }
.empty { color: var(--muted); }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; }
"#;

/// Renders the report page for `summary` (numbers) and `results` (histograms for the
/// percentile plot).
pub fn render(summary: &RunSummary, results: &RunResults) -> Result<String, ReportError> {
    let ops = summary.operation_names();
    let mut h = String::with_capacity(64 * 1024);
    let run = &summary.run;
    let title = format!("posrig · {}", run.name);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        escape(&title)
    );

    // Verdict and run facts.
    let verdict = if summary.thresholds.is_empty() {
        "<span class=\"badge pass\">NO THRESHOLDS</span>".to_owned()
    } else if summary.passed {
        "<span class=\"badge pass\">PASSED</span>".to_owned()
    } else {
        let failed = summary.thresholds.iter().filter(|t| !t.passed).count();
        format!(
            "<span class=\"badge fail\">FAILED · {failed} of {} thresholds</span>",
            summary.thresholds.len()
        )
    };
    let _ = write!(
        h,
        "<header><h1>{}</h1>{verdict}</header>\n<div class=\"meta\">",
        escape(&run.name)
    );
    let mut meta = |k: &str, v: String| {
        let _ = write!(h, "<span>{k} <b>{}</b></span>", escape(&v));
    };
    meta("started", format_epoch_ms(run.started_epoch_ms));
    meta("duration", format!("{:.1} s", run.duration_s));
    meta("time", format!("{:?}", run.time_mode).to_lowercase());
    if let Some(seed) = run.seed {
        meta("seed", seed.to_string());
    }
    if let Some(shard) = &run.shard {
        meta("shard", shard.clone());
    }
    if !run.merged_from.is_empty() {
        meta("merged from", run.merged_from.join(", "));
    }
    meta("interval", format!("{} s", summary.interval_s));
    h.push_str("</div>\n");
    if !run.notes.is_empty() {
        h.push_str("<ul class=\"notes\">");
        for n in &run.notes {
            let _ = write!(h, "<li>{}</li>", escape(n));
        }
        h.push_str("</ul>\n");
    }

    // Thresholds.
    h.push_str("<section class=\"card\"><h2>Thresholds</h2>");
    if summary.thresholds.is_empty() {
        h.push_str("<p class=\"empty\">No thresholds were set for this run.</p>");
    } else {
        h.push_str("<table><thead><tr><th>operation</th><th class=\"text\">threshold</th><th>observed</th><th>result</th></tr></thead><tbody>");
        for t in &summary.thresholds {
            let (class, word) = if t.passed {
                ("pass", "PASS")
            } else {
                ("fail", "FAIL")
            };
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"text\"><code>{}</code></td><td>{}</td><td><span class=\"badge {class}\">{word}</span></td></tr>",
                escape(&t.operation),
                escape(&t.expression),
                escape(&t.observed_text)
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</section>\n");

    // Per-operation table.
    h.push_str("<section class=\"card\"><h2>Latency by operation</h2>");
    if ops.is_empty() {
        h.push_str("<p class=\"empty\">Nothing was recorded.</p>");
    } else {
        h.push_str("<table><thead><tr><th>operation</th><th>count</th><th>errors</th><th>rate</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr></thead><tbody>");
        for (i, op) in ops.iter().enumerate() {
            let s = &summary.operations[*op];
            let _ = write!(
                h,
                "<tr><td><span class=\"swatch\" style=\"background:{}\"></span>{}</td><td>{}</td>{}<td>{:.2}/s</td>{}</tr>",
                css_color(i),
                escape(op),
                group_thousands(s.count),
                errors_cell(s.errors, s.error_rate_pct),
                s.rate_per_s,
                latency_cells(s.latency.as_ref())
            );
            if s.groups.len() > 1 {
                for (g, gs) in &s.groups {
                    let attempts = gs.count + gs.errors;
                    let pct = if attempts == 0 {
                        0.0
                    } else {
                        gs.errors as f64 * 100.0 / attempts as f64
                    };
                    let _ = write!(
                        h,
                        "<tr class=\"group\"><td>group {}</td><td>{}</td>{}<td></td>{}</tr>",
                        escape(g),
                        group_thousands(gs.count),
                        errors_cell(gs.errors, pct),
                        latency_cells(gs.latency.as_ref())
                    );
                }
            }
        }
        h.push_str("</tbody></table><p class=\"note\">Latency is measured from each action's scheduled start (coordinated-omission safe). Percentiles are exact to 3 significant figures (HDR histograms).</p>");
    }
    h.push_str("</section>\n");

    // Plots.
    if !ops.is_empty() {
        let legend_all = legend(&ops);
        // The throughput plot leaves out the harness's own lag; keep colours by position.
        let sut_ops: Vec<&str> = ops
            .iter()
            .map(|op| {
                if *op == crate::ops::SCHEDULING_LAG {
                    ""
                } else {
                    op
                }
            })
            .collect();
        let _ = write!(
            h,
            "<section class=\"card plot\"><h2>Percentile distribution</h2>{legend_all}{}</section>",
            plots::percentile_distribution(results)?
        );
        h.push('\n');
        let _ = write!(
            h,
            "<section class=\"card plot\"><h2>Latency over time</h2>{legend_all}{}<p class=\"note\">Thick: p99, thin: p50 of each second; on a long run a point covers several seconds and shows the median p50 and the worst second's p99.</p>{}</section>",
            plots::latency_over_time(summary)?,
            fault_note(summary)
        );
        h.push('\n');
        let _ = write!(
            h,
            "<section class=\"card plot\"><h2>Throughput over time</h2>{}{}{}</section>",
            legend(&sut_ops),
            plots::throughput_over_time(summary)?,
            fault_note(summary)
        );
        h.push('\n');
    }

    // Errors by cause.
    h.push_str("<section class=\"card\"><h2>Errors by cause</h2>");
    let mut rows: Vec<(&str, &str, u64)> = Vec::new();
    for op in &ops {
        for (cause, n) in &summary.operations[*op].errors_by_cause {
            rows.push((op, cause, *n));
        }
    }
    if rows.is_empty() {
        h.push_str("<p class=\"empty\">No operation failed.</p>");
    } else {
        let most = rows.iter().map(|r| r.2).max().unwrap_or(1).max(1);
        h.push_str("<table><thead><tr><th>operation</th><th class=\"text\">cause</th><th>count</th><th class=\"text\"></th></tr></thead><tbody>");
        for (op, cause, n) in rows {
            let width = (n as f64 / most as f64 * 260.0).max(2.0);
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"text\">{}</td><td>{}</td><td class=\"text\"><span class=\"bar\" style=\"width:{width:.0}px\"></span></td></tr>",
                escape(op),
                escape(cause),
                group_thousands(n)
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</section>\n");

    // Fault windows.
    if !summary.faults.is_empty() {
        h.push_str("<section class=\"card\"><h2>Fault windows</h2><table><thead><tr><th class=\"text\">fault</th><th>start</th><th>end</th><th>length</th></tr></thead><tbody>");
        for f in &summary.faults {
            let _ = write!(
                h,
                "<tr><td class=\"text\">{}</td><td>{:.1} s</td><td>{:.1} s</td><td>{:.1} s</td></tr>",
                escape(&f.label),
                f.start_s,
                f.end_s,
                f.end_s - f.start_s
            );
        }
        h.push_str("</tbody></table></section>\n");
    }

    h.push_str("<footer>Generated by posrig. Raw interval histograms: <code>latency.hlog</code> (HdrHistogram interval log); numbers: <code>summary.json</code>.</footer>\n</main>\n</body>\n</html>\n");
    Ok(h)
}

fn css_color(i: usize) -> String {
    let c = plots::color(i);
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

fn legend(ops: &[&str]) -> String {
    let mut s = String::from("<div class=\"legend\">");
    for (i, op) in ops.iter().enumerate() {
        if op.is_empty() {
            continue;
        }
        let _ = write!(
            s,
            "<span><span class=\"swatch\" style=\"background:{}\"></span>{}</span>",
            css_color(i),
            escape(op)
        );
    }
    s.push_str("</div>");
    s
}

fn fault_note(summary: &RunSummary) -> &'static str {
    if summary.faults.is_empty() {
        ""
    } else {
        "<p class=\"note\">Shaded: fault windows.</p>"
    }
}

fn errors_cell(errors: u64, pct: f64) -> String {
    if errors == 0 {
        "<td>0</td>".into()
    } else {
        format!(
            "<td class=\"errors-some\">{} ({pct:.2}%)</td>",
            group_thousands(errors)
        )
    }
}

fn latency_cells(l: Option<&LatencyStats>) -> String {
    match l {
        None => "<td class=\"empty\">–</td>".repeat(5),
        Some(l) => [l.p50_us, l.p90_us, l.p99_us, l.p999_us, l.max_us]
            .iter()
            .map(|v| format!("<td title=\"{v} µs\">{}</td>", format_us(*v as f64)))
            .collect(),
    }
}

/// `2024-05-01 09:30:00 UTC` from milliseconds since the Unix epoch (no calendar crate needed
/// for one date; Howard Hinnant's days-to-civil algorithm).
pub fn format_epoch_ms(ms: u64) -> String {
    let secs = ms / 1000;
    let days = (secs / 86_400) as i64;
    let sod = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn formats_dates() {
        assert_eq!(format_epoch_ms(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(
            format_epoch_ms(1_714_555_800_000),
            "2024-05-01 09:30:00 UTC"
        );
        assert_eq!(format_epoch_ms(951_782_400_000), "2000-02-29 00:00:00 UTC");
    }
}
