//! Business hours: weekly intervals in local time, and the questions the rules ask of them.

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;

use super::BusinessHours;

/// Minutes from local midnight; an interval's end may be 24:00 (1440).
type Minute = u16;

/// Opening hours compiled: for each weekday (Monday first), sorted disjoint
/// `[start, end)` intervals in minutes since local midnight.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WeekHours {
    days: [Vec<(Minute, Minute)>; 7],
}

/// A malformed or overlapping interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoursError {
    /// The field below `business_hours`, e.g. `mon[1]`.
    pub field: String,
    /// What is wrong.
    pub problem: String,
}

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl WeekHours {
    /// Parses the seven day lists; each entry is "HH:MM-HH:MM".
    pub fn parse(hours: &BusinessHours) -> Result<WeekHours, HoursError> {
        let lists = [
            &hours.mon, &hours.tue, &hours.wed, &hours.thu, &hours.fri, &hours.sat, &hours.sun,
        ];
        let mut days: [Vec<(Minute, Minute)>; 7] = Default::default();
        for (d, list) in lists.iter().enumerate() {
            let mut parsed = Vec::with_capacity(list.len());
            for (i, text) in list.iter().enumerate() {
                let field = format!("{}[{i}]", DAY_NAMES[d]);
                let interval = parse_interval(text).map_err(|problem| HoursError {
                    field: field.clone(),
                    problem,
                })?;
                parsed.push((interval, field));
            }
            parsed.sort_by_key(|(iv, _)| *iv);
            for pair in parsed.windows(2) {
                let ((a, _), (b, field)) = (&pair[0], &pair[1]);
                if b.0 < a.1 {
                    return Err(HoursError {
                        field: field.clone(),
                        problem: format!(
                            "{} overlaps {}; merge them into one interval",
                            show(*b),
                            show(*a)
                        ),
                    });
                }
            }
            days[d] = parsed.into_iter().map(|(iv, _)| iv).collect();
        }
        Ok(WeekHours { days })
    }

    /// True when there is no opening time at all in the week.
    pub fn is_always_closed(&self) -> bool {
        self.days.iter().all(Vec::is_empty)
    }

    /// Whether the business is open at `at` (local time in `tz`; start-inclusive, end-exclusive).
    pub fn is_open(&self, at: Timestamp, tz: &TimeZone) -> bool {
        let local = tz.to_datetime(at);
        let minute = local.hour() as Minute * 60 + local.minute() as Minute;
        self.intervals(local.weekday())
            .iter()
            .any(|&(start, end)| start <= minute && minute < end)
    }

    /// The first instant at or after `at` when the business is open, or `None` when it never
    /// opens. Opening times that fall in a DST gap move forward, as clocks do.
    pub fn next_open(&self, at: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        if self.is_always_closed() {
            return None;
        }
        if self.is_open(at, tz) {
            return Some(at);
        }
        let mut date: Date = tz.to_datetime(at).date();
        // Eight days always reach the same weekday again.
        for _ in 0..8 {
            for &(start, end) in self.intervals(date.weekday()) {
                let Some(open) = local_instant(date, start, tz) else {
                    continue;
                };
                let close = local_instant(date, end, tz).unwrap_or(open);
                if open >= at {
                    return Some(open);
                }
                if at < close {
                    return Some(at);
                }
            }
            date = date.tomorrow().ok()?;
        }
        None
    }

    /// The open intervals as instants, day by day from the local date of `from` for `days`
    /// days, in order (intervals that already ended at `from` left out). Used to cut
    /// bookable slots out of a weekly availability.
    pub fn openings(
        &self,
        from: Timestamp,
        days: u32,
        tz: &TimeZone,
    ) -> Vec<(Timestamp, Timestamp)> {
        let mut out = Vec::new();
        let mut date: Date = tz.to_datetime(from).date();
        for _ in 0..days {
            for &(start, end) in self.intervals(date.weekday()) {
                let (Some(open), Some(close)) =
                    (local_instant(date, start, tz), local_instant(date, end, tz))
                else {
                    continue;
                };
                if close > from && close > open {
                    out.push((open, close));
                }
            }
            let Ok(next) = date.tomorrow() else { break };
            date = next;
        }
        out
    }

    fn intervals(&self, day: Weekday) -> &[(Minute, Minute)] {
        &self.days[day.to_monday_zero_offset() as usize]
    }
}

fn local_instant(date: Date, minute: Minute, tz: &TimeZone) -> Option<Timestamp> {
    let date = if minute >= 1440 {
        date.tomorrow().ok()?
    } else {
        date
    };
    let minute = minute % 1440;
    let dt = date.at((minute / 60) as i8, (minute % 60) as i8, 0, 0);
    tz.to_timestamp(dt).ok()
}

fn show((start, end): (Minute, Minute)) -> String {
    format!(
        "{:02}:{:02}-{:02}:{:02}",
        start / 60,
        start % 60,
        end / 60,
        end % 60
    )
}

fn parse_interval(text: &str) -> Result<(Minute, Minute), String> {
    let bad = || {
        format!(
            "“{text}” is not an interval; write opening and closing time as HH:MM-HH:MM, such as 08:00-17:00"
        )
    };
    let (start, end) = text.trim().split_once('-').ok_or_else(bad)?;
    let start = parse_time(start.trim()).ok_or_else(bad)?;
    let end = parse_time(end.trim()).ok_or_else(bad)?;
    if start >= 1440 {
        return Err(bad());
    }
    if end <= start {
        return Err(format!(
            "“{text}” closes before it opens; for hours past midnight, split them across two days (22:00-24:00 and 00:00-02:00)"
        ));
    }
    Ok((start, end))
}

fn parse_time(text: &str) -> Option<Minute> {
    let (h, m) = text.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    if !h.bytes().all(|b| b.is_ascii_digit()) || !m.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let h: Minute = h.parse().ok()?;
    let m: Minute = m.parse().ok()?;
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some(h * 60 + m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week(mon: &[&str]) -> WeekHours {
        let hours = BusinessHours {
            mon: mon.iter().map(|s| s.to_string()).collect(),
            tue: vec![],
            wed: vec![],
            thu: vec![],
            fri: vec![],
            sat: vec![],
            sun: vec![],
        };
        WeekHours::parse(&hours).expect("valid hours")
    }

    fn ny() -> TimeZone {
        TimeZone::get("America/New_York").expect("tz")
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    #[test]
    fn start_inclusive_end_exclusive() {
        let w = week(&["08:00-17:00"]);
        // 2026-11-02 is a Monday; New York is UTC-5.
        assert!(!w.is_open(ts("2026-11-02T12:59:59Z"), &ny()));
        assert!(w.is_open(ts("2026-11-02T13:00:00Z"), &ny()));
        assert!(w.is_open(ts("2026-11-02T21:59:59Z"), &ny()));
        assert!(!w.is_open(ts("2026-11-02T22:00:00Z"), &ny()));
    }

    #[test]
    fn next_open_skips_to_next_week() {
        let w = week(&["08:00-17:00"]);
        assert_eq!(
            w.next_open(ts("2026-11-02T22:00:00Z"), &ny()),
            Some(ts("2026-11-09T13:00:00Z"))
        );
        assert_eq!(
            w.next_open(ts("2026-11-02T14:00:00Z"), &ny()),
            Some(ts("2026-11-02T14:00:00Z"))
        );
        assert_eq!(
            w.next_open(ts("2026-11-02T05:00:00Z"), &ny()),
            Some(ts("2026-11-02T13:00:00Z"))
        );
    }

    #[test]
    fn until_midnight_and_closed_week() {
        let w = week(&["22:00-24:00"]);
        assert!(w.is_open(ts("2026-11-03T04:59:00Z"), &ny()));
        assert!(!w.is_open(ts("2026-11-03T05:00:00Z"), &ny()));
        assert!(WeekHours::default().is_always_closed());
        assert_eq!(
            WeekHours::default().next_open(ts("2026-11-03T05:00:00Z"), &ny()),
            None
        );
    }

    #[test]
    fn malformed_and_overlapping_name_the_entry() {
        for bad in [
            "8-17",
            "08:00",
            "17:00-08:00",
            "08:00-25:00",
            "08:60-09:00",
            "x",
            "08:00-08:00",
        ] {
            let hours = BusinessHours {
                tue: vec!["07:00-07:30".into(), bad.into()],
                ..BusinessHours::default()
            };
            let err = WeekHours::parse(&hours).expect_err(bad);
            assert_eq!(err.field, "tue[1]", "{bad}");
            assert!(err.problem.contains(bad), "{}", err.problem);
        }
        let hours = BusinessHours {
            wed: vec!["08:00-12:00".into(), "11:00-13:00".into()],
            ..BusinessHours::default()
        };
        let err = WeekHours::parse(&hours).expect_err("overlap");
        assert_eq!(err.field, "wed[1]");
        assert!(err.problem.contains("overlaps"));
        // Touching intervals are fine: the first ends as the second starts.
        let hours = BusinessHours {
            wed: vec!["12:00-17:00".into(), "08:00-12:00".into()],
            ..BusinessHours::default()
        };
        assert!(WeekHours::parse(&hours).is_ok());
    }

    #[test]
    fn dst_day_uses_local_clock() {
        let w = WeekHours::parse(&BusinessHours::default()).expect("defaults");
        // 2026-03-09 (Monday after DST start): New York is UTC-4, opens at 12:00Z.
        assert!(!w.is_open(ts("2026-03-09T11:59:00Z"), &ny()));
        assert!(w.is_open(ts("2026-03-09T12:00:00Z"), &ny()));
    }
}
