//! The dashboard: how many missed calls a period had, how many were texted back, replied,
//! booked, and how fast the phone and the team were.

use std::collections::{BTreeMap, HashSet};

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use rusqlite::params;
use serde::Serialize;

use super::{Store, StoreError};

/// A period's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Dashboard {
    /// Calls the phone made a decision about (missed, declined, voicemail).
    pub missed: u32,
    /// Of those, texted back (the text left the phone).
    pub texted: u32,
    /// Of those, the caller texted after the call.
    pub replied: u32,
    /// `replied / missed`; none without missed calls.
    pub recovery_rate: Option<f64>,
    /// Conversations of those callers now marked booked.
    pub booked: u32,
    /// Median seconds from a call ending to its text-back leaving.
    pub median_text_seconds: Option<f64>,
    /// Median seconds from a caller's first reply to the team's first answer after it.
    pub median_first_answer_seconds: Option<f64>,
    /// Per day, in the business's time zone, every day of the period.
    pub days: Vec<DayFigures>,
}

/// One day of the dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DayFigures {
    /// "YYYY-MM-DD".
    pub day: String,
    /// Missed calls.
    pub missed: u32,
    /// Texted back.
    pub texted: u32,
    /// Replied.
    pub replied: u32,
    /// Booked.
    pub booked: u32,
}

/// Most days a dashboard covers.
const MAX_DAYS: i64 = 800;

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

impl Store {
    /// The dashboard for calls that ended in `[from, to)`, with days in `tz`.
    pub fn dashboard(
        &self,
        from: Timestamp,
        to: Timestamp,
        tz: &TimeZone,
    ) -> Result<Dashboard, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT t.ended_at, t.decision, t.left_at, t.replied, t.booked, t.conversation_id,
                    t.first_reply,
                    (SELECT min(o.created_at) FROM messages o
                     WHERE o.conversation_id = t.conversation_id AND o.direction = 'outbound'
                       AND o.kind = 'reply' AND o.created_at >= t.first_reply)
             FROM (
               SELECT k.ended_at, k.decision, m.left_at, k.conversation_id,
                      EXISTS (SELECT 1 FROM messages i WHERE i.conversation_id = k.conversation_id
                              AND i.direction = 'inbound' AND i.created_at >= k.ended_at) AS replied,
                      coalesce(c.lead_status = 'booked', 0) AS booked,
                      (SELECT min(i.created_at) FROM messages i
                       WHERE i.conversation_id = k.conversation_id AND i.direction = 'inbound'
                         AND i.created_at >= coalesce(m.left_at, k.ended_at)) AS first_reply
               FROM calls k
               LEFT JOIN messages m ON m.id = k.message_id
               LEFT JOIN conversations c ON c.id = k.conversation_id
               WHERE k.decision IS NOT NULL AND k.ended_at >= ?1 AND k.ended_at < ?2
             ) t",
        )?;
        let rows = stmt.query_map(params![from.as_millisecond(), to.as_millisecond()], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, bool>(3)?,
                r.get::<_, bool>(4)?,
                r.get::<_, Option<i64>>(5)?,
                r.get::<_, Option<i64>>(6)?,
                r.get::<_, Option<i64>>(7)?,
            ))
        })?;

        // Every day of the period, so the chart has no holes.
        let mut days: BTreeMap<Date, DayFigures> = BTreeMap::new();
        let first = tz.to_datetime(from).date();
        let last = tz
            .to_datetime(
                to.checked_sub(jiff::SignedDuration::from_millis(1))
                    .unwrap_or(to),
            )
            .date();
        let mut d = first;
        let mut count = 0;
        // An empty or backwards period has no days (its first and last dates may still be
        // in order).
        while from < to && d <= last && count < MAX_DAYS {
            days.insert(
                d,
                DayFigures {
                    day: d.to_string(),
                    ..DayFigures::default()
                },
            );
            match d.tomorrow() {
                Ok(next) => d = next,
                Err(_) => break,
            }
            count += 1;
        }

        let mut out = Dashboard::default();
        let mut to_text = Vec::new();
        let mut to_answer = Vec::new();
        let mut booked_conversations = HashSet::new();
        let mut answered_replies = HashSet::new();
        for row in rows {
            let (ended, decision, left, replied, booked, conversation, first_reply, answer) = row?;
            let day = tz
                .to_datetime(
                    Timestamp::from_millisecond(ended)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                )
                .date();
            let figures = days.entry(day).or_insert_with(|| DayFigures {
                day: day.to_string(),
                ..DayFigures::default()
            });
            out.missed += 1;
            figures.missed += 1;
            let texted = decision.as_deref() == Some("text_back") && left.is_some();
            if texted {
                out.texted += 1;
                figures.texted += 1;
                if let Some(left) = left {
                    to_text.push((left - ended).max(0) as f64 / 1000.0);
                }
            }
            if replied {
                out.replied += 1;
                figures.replied += 1;
            }
            if booked && booked_conversations.insert(conversation) {
                out.booked += 1;
                figures.booked += 1;
            }
            // One answer time per reply, even when several calls lead to it.
            if let (Some(reply), Some(answer)) = (first_reply, answer)
                && answered_replies.insert((conversation, reply))
            {
                to_answer.push((answer - reply).max(0) as f64 / 1000.0);
            }
        }
        out.recovery_rate =
            (out.missed > 0).then(|| f64::from(out.replied) / f64::from(out.missed));
        out.median_text_seconds = median(to_text);
        out.median_first_answer_seconds = median(to_answer);
        out.days = days.into_values().collect();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn medians_of_odd_even_and_no_samples() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(Vec::new()), None);
    }
}
