//! Medians of the runs and the markdown section (`## Cold start`) the benchmark page includes.

use std::fmt::Write;
use std::time::Duration;

use crate::measure::Run;

/// The median of `values` (the mean of the middle two for an even count); 0 for none.
pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One function's medians over its runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub name: String,
    pub binary: String,
    pub init_ms: f64,
    pub first_ms: f64,
    /// The median of every run's warm median.
    pub warm_ms: f64,
    pub rss_first_mib: f64,
    pub rss_last_mib: f64,
    pub calls: usize,
    pub size_mib: f64,
}

impl Row {
    pub fn of(name: &str, binary: &str, runs: &[Run], size_bytes: u64) -> Self {
        let med = |f: &dyn Fn(&Run) -> f64| median(&mut runs.iter().map(f).collect::<Vec<_>>());
        Self {
            name: name.to_owned(),
            binary: binary.to_owned(),
            init_ms: med(&|r| ms(r.init)),
            first_ms: med(&|r| ms(r.first)),
            warm_ms: med(&|r| median(&mut r.warm.iter().map(|d| ms(*d)).collect::<Vec<_>>())),
            rss_first_mib: med(&|r| r.rss_first_kib as f64 / 1024.0),
            rss_last_mib: med(&|r| r.rss_last_kib as f64 / 1024.0),
            calls: runs.first().map_or(0, |r| r.warm.len() + 1),
            size_mib: size_bytes as f64 / (1024.0 * 1024.0),
        }
    }

    pub fn total_ms(&self) -> f64 {
        self.init_ms + self.first_ms
    }
}

/// One table: every row with its ratios to the probes (`put`: the one-PutItem probe's row).
pub fn table(rows: &[Row], put: &Row) -> String {
    let mut out = String::from(
        "| function | binary | init ms | first invoke ms | warm ms | first ÷ warm | total cold ms | total ÷ PutItem probe | peak RSS MiB (1 call → last) | RSS ÷ probe | size MiB | size − probe MiB |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let ratio = |a: f64, b: f64| if b > 0.0 { format!("{:.2}", a / b) } else { "–".into() };
        let _ = writeln!(
            out,
            "| {} | `{}` | {:.1} | {:.1} | {:.1} | {} | {:.1} | {} | {:.1} → {:.1} | {} | {:.2} | {:+.2} |",
            r.name,
            r.binary,
            r.init_ms,
            r.first_ms,
            r.warm_ms,
            ratio(r.first_ms, r.warm_ms),
            r.total_ms(),
            ratio(r.total_ms(), put.total_ms()),
            r.rss_first_mib,
            r.rss_last_mib,
            ratio(r.rss_last_mib, put.rss_last_mib),
            r.size_mib,
            r.size_mib - put.size_mib,
        );
    }
    out
}

/// The whole section: heading, notes, and one table per store transport.
pub fn section(notes: &[String], tables: &[(String, String)]) -> String {
    let mut out = String::from("## Cold start\n\n");
    for n in notes {
        let _ = writeln!(out, "- {n}");
    }
    for (title, table) in tables {
        let _ = write!(out, "\n### {title}\n\n{table}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(init: u64, first: u64, warm: &[u64], rss: (u64, u64)) -> Run {
        Run {
            init: Duration::from_millis(init),
            first: Duration::from_millis(first),
            warm: warm.iter().map(|m| Duration::from_millis(*m)).collect(),
            rss_first_kib: rss.0,
            rss_last_kib: rss.1,
        }
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(&mut []), 0.0);
    }

    #[test]
    fn a_row_is_the_median_of_its_runs() {
        let runs = [
            run(10, 20, &[5, 6, 7], (1024, 2048)),
            run(30, 10, &[1, 2, 3], (2048, 4096)),
            run(20, 30, &[9, 9, 9], (3072, 3072)),
        ];
        let row = Row::of("like", "chatx-moments-like", &runs, 3 * 1024 * 1024);
        assert_eq!((row.init_ms, row.first_ms, row.warm_ms), (20.0, 20.0, 6.0));
        assert_eq!((row.rss_first_mib, row.rss_last_mib), (2.0, 3.0));
        assert_eq!((row.calls, row.size_mib, row.total_ms()), (4, 3.0, 40.0));
    }

    #[test]
    fn the_table_gives_ratios_to_the_put_probe() {
        let put = Row::of("probe", "probe-put", &[run(10, 10, &[5], (10240, 10240))], 1024 * 1024);
        let like = Row::of(
            "like",
            "chatx-moments-like",
            &[run(20, 10, &[5], (10240, 20480))],
            3 * 1024 * 1024,
        );
        let table = table(&[put.clone(), like], &put);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4, "{table}");
        assert!(lines[0].starts_with("| function | binary | init ms"), "{table}");
        assert_eq!(
            lines[3],
            "| like | `chatx-moments-like` | 20.0 | 10.0 | 5.0 | 2.00 | 30.0 | 1.50 | 10.0 → 20.0 | 2.00 | 3.00 | +2.00 |"
        );
        let section = section(&["note".into()], &[("Plain HTTP".into(), table)]);
        assert!(
            section.starts_with("## Cold start\n\n- note\n\n### Plain HTTP\n\n| function"),
            "{section}"
        );
    }
}
