//! `report::delivery_status` as a filter, for the Robolectric oracle (issue 17): reads one
//! `format<TAB>hex PDU` per line on stdin and prints, per line, `delivered`, `pending`,
//! `failed`, or `error<TAB>` and the reason.

use std::io::{BufRead, Write};

use ringback_bridge::report;
use ringback_core::engine::DeliveryStatus;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line?;
        let (format, hex) = line
            .split_once('\t')
            .ok_or("expected a line `format<TAB>hex PDU`")?;
        let pdu = unhex(hex.trim())?;
        match report::delivery_status(&pdu, format) {
            Ok(DeliveryStatus::Delivered) => writeln!(out, "delivered")?,
            Ok(DeliveryStatus::Pending) => writeln!(out, "pending")?,
            Ok(DeliveryStatus::Failed) => writeln!(out, "failed")?,
            Err(e) => writeln!(out, "error\t{e}")?,
        }
        // One answer per question: the Java side waits for each line.
        out.flush()?;
    }
    Ok(())
}

fn unhex(hex: &str) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let digits = hex.as_bytes();
    if !digits.len().is_multiple_of(2) {
        return Err(format!("odd number of hex digits ({})", digits.len()).into());
    }
    digits
        .chunks(2)
        .map(|pair| Ok(u8::from_str_radix(std::str::from_utf8(pair)?, 16)?))
        .collect()
}
