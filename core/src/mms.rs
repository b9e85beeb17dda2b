//! Multimedia messages (MMS) on the wire: the binary PDUs of the OMA MMS encapsulation
//! (OMA-TS-MMS_ENC, over WAP-230 WSP encoding), which the phone hands to Android's
//! `SmsManager.sendMultimediaMessage` and reads back from its result.
//!
//! - [`wsp`]: the WSP primitives (uintvar, value lengths, text strings, content types);
//! - [`pdu`]: the m-send-req the phone composes, and the parser of what comes back
//!   (m-send-conf, m-notification-ind, m-retrieve-conf), bounded for bytes from outside.

pub mod pdu;
pub mod wsp;

pub use pdu::{
    DecodeError, EncodeError, MessageType, Part, Pdu, SendRequest, decode, encode_send_request,
};
