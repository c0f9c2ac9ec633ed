//! The time strings of seed 003, from milliseconds since the epoch. The original server ran
//! in China Standard Time (its JS dates print `GMT+0800 (中国标准时间)`, and a moment created at
//! 17:58 UTC prints `2023-11-26 1:58`), so every local format is UTC+8 (China has no daylight
//! saving time); ISO strings are UTC, as MongoDB dates serialize.
//!
//! | format | example | used for |
//! |---|---|---|
//! | [`iso`] | `2023-11-25T18:36:15.748Z` | friend, member and join request `time` |
//! | [`minute`] | `2023-9-12 16:53` | moment and comment `time` |
//! | [`date_cn`] | `2023年11月16日` | group `creatTime` |
//! | [`js_date`] | `Thu Sep 28 2023 00:02:43 GMT+0800 (中国标准时间)` | note `time` |

const CST_OFFSET_MS: i64 = 8 * 3600 * 1000;
const DAY_MS: i64 = 86_400_000;

const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A calendar date and wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub millis: u32,
    /// 0 = Thursday (1970-01-01 was one), for [`WEEKDAYS`].
    weekday: usize,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn civil(ms: i64, offset_ms: i64) -> Civil {
    let local = ms + offset_ms;
    let days = local.div_euclid(DAY_MS);
    let in_day = local.rem_euclid(DAY_MS);
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        hour: (in_day / 3_600_000) as u32,
        minute: (in_day / 60_000 % 60) as u32,
        second: (in_day / 1000 % 60) as u32,
        millis: (in_day % 1000) as u32,
        weekday: days.rem_euclid(7) as usize,
    }
}

/// The date and time in China Standard Time.
pub fn china(ms: i64) -> Civil {
    civil(ms, CST_OFFSET_MS)
}

/// `2023-11-25T18:36:15.748Z` (UTC, as `Date.prototype.toISOString`).
pub fn iso(ms: i64) -> String {
    let c = civil(ms, 0);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second, c.millis
    )
}

/// `2023-9-12 16:53` (China time; month, day and hour unpadded, minutes padded).
pub fn minute(ms: i64) -> String {
    let c = china(ms);
    format!("{}-{}-{} {}:{:02}", c.year, c.month, c.day, c.hour, c.minute)
}

/// `2023年11月16日` (China time).
pub fn date_cn(ms: i64) -> String {
    let c = china(ms);
    format!("{}年{}月{}日", c.year, c.month, c.day)
}

/// `Thu Sep 28 2023 00:02:43 GMT+0800 (中国标准时间)`, as `String(new Date())` prints it on a
/// server in China.
pub fn js_date(ms: i64) -> String {
    let c = china(ms);
    format!(
        "{} {} {:02} {} {:02}:{:02}:{:02} GMT+0800 (中国标准时间)",
        WEEKDAYS[c.weekday],
        MONTHS[c.month as usize - 1],
        c.day,
        c.year,
        c.hour,
        c.minute,
        c.second
    )
}

pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ObjectId times of the seed's samples, with what the seed prints for them.
    #[test]
    fn formats_match_the_seeds_samples() {
        // friend 65623e9f…: "2023-11-25T18:36:15.748Z"
        assert_eq!(iso(1_700_937_375_748), "2023-11-25T18:36:15.748Z");
        // space 656235cb… (2023-11-25T17:58:35Z): "2023-11-26 1:58"
        assert_eq!(minute(1_700_935_115_000), "2023-11-26 1:58");
        // space 650026f0… (2023-09-12T08:53:04Z): "2023-9-12 16:53"
        assert_eq!(minute(1_694_508_784_000), "2023-9-12 16:53");
        // group 65552471… (groupNumber 1700078705941): "2023年11月16日"
        assert_eq!(date_cn(1_700_078_705_941), "2023年11月16日");
        // note 65145223… (2023-09-27T16:02:43Z): "Thu Sep 28 2023 00:02:43 GMT+0800 (中国标准时间)"
        assert_eq!(
            js_date(1_695_830_563_000),
            "Thu Sep 28 2023 00:02:43 GMT+0800 (中国标准时间)"
        );
        // note 64f85897… (2023-09-06T10:46:47Z): "Wed Sep 06 2023 18:46:47 GMT+0800 (中国标准时间)"
        assert_eq!(
            js_date(1_693_997_207_000),
            "Wed Sep 06 2023 18:46:47 GMT+0800 (中国标准时间)"
        );
    }

    #[test]
    fn minutes_are_padded_and_hours_are_not() {
        // 2024-01-02T01:05:00+08:00
        let ms = days_from_civil(2024, 1, 2) * DAY_MS + 3_900_000 - CST_OFFSET_MS;
        assert_eq!(minute(ms), "2024-1-2 1:05");
    }

    #[test]
    fn day_counts_round_trip() {
        for days in [-1000, -1, 0, 1, 59, 365, 11_016, 19_700, 50_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn months_have_their_days() {
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(1900, 2), 28);
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(days_in_month(2023, 4), 30);
        assert_eq!(days_in_month(2023, 13), 0);
    }
}
