//! The sample day of the settings screen's dry run.

/// A realistic day for the settings screen's dry run: calls in and out of hours, a
/// repeat caller, a contact, a withheld number, a reply, a STOP.
pub const SAMPLE_DAY: &str = r#"{"at": "2026-11-02T07:40:00-05:00", "call": {"from": "(212) 555-0101", "outcome": "missed", "line": "sim1"}}
{"at": "2026-11-02T09:02:00-05:00", "call": {"from": "(212) 555-0142", "outcome": "missed", "line": "sim1"}}
{"at": "2026-11-02T09:05:30-05:00", "sms": {"from": "+12125550142", "body": "Hi, our kitchen sink is leaking. Can someone come today?", "line": "sim1"}}
{"at": "2026-11-02T09:20:00-05:00", "reply": {"to": "+12125550142", "body": "Yes, we can be there at 1pm. What's the address?"}}
{"at": "2026-11-02T10:15:00-05:00", "call": {"from": "(212) 555-0142", "outcome": "missed", "line": "sim1"}}
{"at": "2026-11-02T11:00:00-05:00", "contact": {"number": "(212) 555-0177", "name": "Dana Whitfield"}}
{"at": "2026-11-02T11:30:00-05:00", "call": {"from": "(212) 555-0177", "outcome": "voicemail", "line": "sim2"}}
{"at": "2026-11-02T12:10:00-05:00", "call": {"from": "private", "outcome": "missed", "line": "sim1"}}
{"at": "2026-11-02T13:45:00-05:00", "call": {"from": "(212) 555-0199", "outcome": "rejected", "line": "sim1"}}
{"at": "2026-11-02T13:50:00-05:00", "sms": {"from": "+12125550199", "body": "STOP", "line": "sim1"}}
{"at": "2026-11-02T14:30:00-05:00", "call": {"from": "(212) 555-0199", "outcome": "missed", "line": "sim1"}}
{"at": "2026-11-02T18:40:00-05:00", "call": {"from": "(718) 555-0123", "outcome": "missed", "line": "sim1"}}
"#;
