//! Stdin read one bounded line at a time, and stdout written one JSON line at a time.

use std::io::Write;

use serde_json::{Value, json};
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// The longest command line taken; a longer one is skipped whole with an error.
pub const MAX_LINE: usize = 64 * 1024;

/// What one read gave.
pub enum Line {
    /// A whole line (without its newline).
    Text(String),
    /// A line longer than [`MAX_LINE`], skipped to its end.
    TooLong,
    /// A line that is not UTF-8.
    NotText,
}

/// Reads the next line, never holding more than [`MAX_LINE`] bytes of it; `None` at the end
/// of input (or when stdin fails).
pub async fn next_line<R: AsyncBufRead + Unpin>(reader: &mut R) -> Option<Line> {
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let chunk = match reader.fill_buf().await {
            Ok(c) => c,
            Err(_) => return None,
        };
        if chunk.is_empty() {
            // End of input: a last line without a newline still counts.
            return if line.is_empty() && !too_long {
                None
            } else {
                Some(finish(line, too_long))
            };
        }
        let (part, done) = match chunk.iter().position(|b| *b == b'\n') {
            Some(i) => (&chunk[..i], Some(i + 1)),
            None => (chunk, None),
        };
        if !too_long {
            if line.len() + part.len() > MAX_LINE {
                too_long = true;
                line = Vec::new();
            } else {
                line.extend_from_slice(part);
            }
        }
        let used = done.unwrap_or(chunk.len());
        reader.consume(used);
        if done.is_some() {
            return Some(finish(line, too_long));
        }
    }
}

fn finish(line: Vec<u8>, too_long: bool) -> Line {
    if too_long {
        return Line::TooLong;
    }
    match String::from_utf8(line) {
        Ok(mut text) => {
            if text.ends_with('\r') {
                text.pop();
            }
            Line::Text(text)
        }
        Err(_) => Line::NotText,
    }
}

/// Prints one JSON line on stdout.
pub fn print(value: &Value) {
    let mut out = std::io::stdout().lock();
    // A closed stdout leaves nobody to tell; the desktop keeps working.
    let _ = writeln!(out, "{value}");
    let _ = out.flush();
}

/// Prints an `error` line.
pub fn error_line(message: impl std::fmt::Display) {
    print(&json!({"error": message.to_string()}));
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn all(input: &[u8]) -> Vec<String> {
        let mut reader = tokio::io::BufReader::with_capacity(7, input);
        let mut out = Vec::new();
        while let Some(line) = next_line(&mut reader).await {
            out.push(match line {
                Line::Text(t) => t,
                Line::TooLong => "<too long>".into(),
                Line::NotText => "<not text>".into(),
            });
        }
        out
    }

    #[tokio::test]
    async fn a_line_over_the_limit_is_skipped_whole_and_the_next_one_read() {
        let mut input = vec![b'x'; MAX_LINE + 1];
        input.extend_from_slice(b"\n{\"status\": {}}\r\nlast");
        assert_eq!(
            all(&input).await,
            vec!["<too long>", "{\"status\": {}}", "last"]
        );
    }

    #[tokio::test]
    async fn a_line_of_exactly_the_limit_is_taken_and_bad_utf8_is_named() {
        let mut input = vec![b'y'; MAX_LINE];
        input.extend_from_slice(b"\n\xff\xfe\n");
        let lines = all(&input).await;
        assert_eq!(lines[0].len(), MAX_LINE);
        assert_eq!(lines[1], "<not text>");
        assert_eq!(lines.len(), 2);
    }
}
