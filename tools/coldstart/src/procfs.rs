//! What `/proc/<pid>/status` says about a process's memory.

/// The peak resident set size (`VmHWM`) in KiB, from the text of `/proc/<pid>/status`.
pub fn peak_rss_kib(status: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let value = line.strip_prefix("VmHWM:")?;
        value.trim().strip_suffix("kB")?.trim().parse().ok()
    })
}

/// The peak resident set size of process `pid` in KiB.
pub fn peak_rss_of(pid: u32) -> Option<u64> {
    peak_rss_kib(&std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_vm_hwm_in_kib() {
        let status = "Name:\tchatx-like\nVmPeak:\t  123456 kB\nVmHWM:\t   10940 kB\nVmRSS:\t   10800 kB\n";
        assert_eq!(peak_rss_kib(status), Some(10940));
    }

    #[test]
    fn none_without_the_line() {
        assert_eq!(peak_rss_kib("Name:\tx\nVmRSS:\t 1 kB\n"), None);
        assert_eq!(peak_rss_kib("VmHWM:\t lots\n"), None);
    }
}
