//! The scenario's output: one JSON line for each outcome.

use serde_json::{Value, json};

use crate::Outcome;
use crate::attachment::BlobHash;
use crate::ports::MmsRequest;

/// The JSON line for an outcome (failures are not part of a dry run's output).
pub fn outcome_line(outcome: &Outcome) -> Option<Value> {
    Some(match outcome {
        Outcome::Sent {
            at,
            to,
            body,
            kind,
            line,
            ..
        } => {
            let mut sms = json!({"to": to, "body": body, "kind": kind});
            if let Some(name) = line.name() {
                sms["line"] = json!(name);
            }
            json!({"at": at.to_string(), "sms_out": sms})
        }
        Outcome::Skipped { at, from, reason } => {
            json!({"at": at.to_string(), "skipped": {"from": from, "reason": reason}})
        }
        Outcome::Refused { at, to, reason } => {
            json!({"at": at.to_string(), "refused": {"to": to, "reason": reason}})
        }
        Outcome::Held {
            at,
            to,
            reason,
            until,
            ..
        } => {
            json!({"at": at.to_string(), "held": {"to": to, "reason": reason, "until": until.to_string()}})
        }
        Outcome::Paused { at, from } => {
            json!({"at": at.to_string(), "paused": {"from": from}})
        }
        Outcome::Assistant {
            at,
            to,
            status,
            reason,
            draft,
            booked,
        } => {
            let mut a = json!({"to": to, "status": status, "reason": reason});
            if let Some(draft) = draft {
                a["draft"] = json!(draft);
            }
            if let Some(slot) = booked {
                a["booked"] = json!(slot);
            }
            json!({"at": at.to_string(), "assistant": a})
        }
        Outcome::Failed { .. } | Outcome::Retrying { .. } => return None,
    })
}

/// The `mms_out` line for a picture message handed to the radio: each part by type, size
/// and hash, never its bytes.
pub fn mms_out_line(request: &MmsRequest, at: jiff::Timestamp) -> Value {
    let attachments: Vec<Value> = request
        .attachments
        .iter()
        .map(|part| {
            json!({
                "type": part.content_type,
                "size": part.bytes.len(),
                "hash": BlobHash::of(&part.bytes).to_hex(),
                "name": part.name,
            })
        })
        .collect();
    let mut mms = json!({
        "message": request.message_id.0,
        "to": request.to,
        "text": request.text,
        "attachments": attachments,
    });
    if !request.line.0.is_empty() {
        mms["line"] = json!(request.line.0);
    }
    json!({"at": at.to_string(), "mms_out": mms})
}
