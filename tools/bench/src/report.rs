//! docs/benchmarks.md: the header (machine, command, date), the generated sections, and the
//! hand-written part after [`MARKER`], kept as it is on every run.

/// Everything from this line on is written by hand and kept.
pub const MARKER: &str = "<!-- Written by hand below this line; `make bench` keeps it. -->";

/// The part of `old` to keep: from [`MARKER`] on, or a fresh hand-written section.
pub fn kept_tail(old: &str) -> String {
    match old.find(MARKER) {
        Some(at) => old[at..].to_owned(),
        None => format!(
            "{MARKER}\n\n## Changes (before -> after)\n\n| change | figure | before | after |\n|---|---|---|---|\n"
        ),
    }
}

/// The `p`-th percentile (0–100) of `samples`, nearest rank; `None` when empty.
pub fn percentile(samples: &[f64], p: f64) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * s.len() as f64).ceil() as usize;
    Some(s[rank.clamp(1, s.len()) - 1])
}

/// A markdown table.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let escape = |c: &str| c.replace('|', "\\|").replace('\n', " ");
    let mut out = format!("| {} |\n|{}\n", header.join(" | "), "---|".repeat(header.len()));
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| escape(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

/// A number with `digits` decimals, trailing zeros kept (a column reads evenly).
pub fn num(x: f64, digits: usize) -> String {
    format!("{x:.digits$}")
}

/// The machine: cores, memory, CPU model, kernel, rustc.
pub fn machine() -> Vec<(String, String)> {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name") || l.starts_with("Model"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown".to_owned(), |(_, m)| m.trim().to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem_kb: u64 = read("/proc/meminfo")
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0);
    let run = |cmd: &str, args: &[&str]| {
        std::process::Command::new(cmd)
            .args(args)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    vec![
        ("cores".into(), cores.to_string()),
        ("memory".into(), format!("{:.1} GiB", mem_kb as f64 / 1024.0 / 1024.0)),
        ("CPU".into(), model),
        ("kernel".into(), run("uname", &["-sr"])),
        ("rustc".into(), run("rustc", &["-V"])),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hand_written_part_survives_a_rerun() {
        let old =
            format!("# Benchmarks\nold figures\n{MARKER}\n\n## Changes (before -> after)\n| like | $5.10 | $3.90 |\n");
        let tail = kept_tail(&old);
        assert!(tail.starts_with(MARKER) && tail.contains("$5.10"), "{tail}");
        assert!(!tail.contains("old figures"), "{tail}");
        let fresh = kept_tail("# no marker yet");
        assert!(
            fresh.starts_with(MARKER) && fresh.contains("## Changes (before -> after)"),
            "{fresh}"
        );
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let s: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&s, 50.0), Some(50.0));
        assert_eq!(percentile(&s, 99.0), Some(99.0));
        assert_eq!(percentile(&[3.0, 1.0, 2.0], 50.0), Some(2.0));
        assert_eq!(percentile(&[7.0], 99.0), Some(7.0));
        assert_eq!(percentile(&[], 50.0), None);
    }

    #[test]
    fn tables_escape_their_cells() {
        let t = table(&["a", "b"], &[vec!["x|y".into(), "1".into()]]);
        assert_eq!(t, "| a | b |\n|---|---|\n| x\\|y | 1 |\n");
    }
}
