//! `sms::count` as a filter, for the Robolectric oracle (issue 17, `SmsCountOracleTest`):
//! reads one JSON string per line on stdin and prints, per line, `encoding units segments
//! per_segment remaining` separated by tabs.

use std::io::{BufRead, Write};

use ringback_core::sms::{self, Encoding};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let text: String = serde_json::from_str(&line?)?;
        let c = sms::count(&text);
        let encoding = match c.encoding {
            Encoding::Gsm7 => "gsm7",
            Encoding::Ucs2 => "ucs2",
        };
        writeln!(
            out,
            "{encoding}\t{}\t{}\t{}\t{}",
            c.units, c.segments, c.per_segment, c.remaining
        )?;
        // One answer per question: the Java side waits for each line.
        out.flush()?;
    }
    Ok(())
}
