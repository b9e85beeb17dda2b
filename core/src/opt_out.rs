//! Opt-out as regulators read it: which inbound texts opt a number out (STOP and its
//! synonyms, in English and Spanish), which opt it back in, and which probably ask not to
//! be texted in other words. Those last are not opt-outs: they pause every automated text
//! to the number until a person decides ([`ReviewState`]).
//!
//! Texts are compared folded ([`words`]): upper case, without accents, full-width letters
//! made plain, invisible characters and apostrophes dropped, everything else that is not a
//! letter or a digit a space. So "¡Bája!", "ＳＴＯＰ", "S.T.O.P" and "Opt-out 🙏" read as
//! the words they show.
//!
//! What counts (see `tests.rs` for the cases, the false positives included):
//!
//! - An opt-out: one of [`STOP_WORDS`] as the whole text ("OPT OUT", "stop all", "BAJA");
//!   STOP or STOPALL as the first word ("Stop texting me", "STOP please"); an unambiguous
//!   word ([`UNAMBIGUOUS`]) with only courtesy words around it ("please stop",
//!   "unsubscribe thanks").
//! - A likely opt-out: a phrase such as "don't text me", "remove me from your list",
//!   "leave me alone", "wrong number", "no me escribas más"; STOP at the end of a short
//!   text ("I said stop"); an ambiguous word with courtesy words ("cancel please"); and a
//!   text starting "stop by/in/over…", which reads like a visit but starts with STOP.
//! - "Cancel my appointment", "end of the pipe", "the leak won't stop" are conversation.
//! - An opt-in: one of [`START_WORDS`] as the whole text, alone.

use serde::{Deserialize, Serialize};

/// Words that opt a number out when they are the whole text, compared folded ("OPT OUT",
/// "Opt-out" and "optout" are one word). STOP and STOPALL also opt out as the first word.
/// The FCC's list (stop, quit, end, revoke, opt out, cancel, unsubscribe) and the carriers'
/// (STOPALL, REMOVE; ARRET for French Canada), with the Spanish ALTO, PARAR, CANCELAR, BAJA.
pub const STOP_WORDS: [&str; 14] = [
    "STOP",
    "STOPALL",
    "REVOKE",
    "OPTOUT",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "REMOVE",
    "ARRET",
    "ALTO",
    "PARAR",
    "CANCELAR",
    "BAJA",
];

/// Words that opt a number back in when they are the whole text, alone: START and UNSTOP,
/// and the Spanish COMENZAR and EMPEZAR ("to start"). Kept short on purpose: a wrong opt-in
/// texts someone who said stop.
pub const START_WORDS: [&str; 4] = ["START", "UNSTOP", "COMENZAR", "EMPEZAR"];

/// The stop words that mean nothing else in a text to a business, so courtesy words around
/// them change nothing ("please stop", "unsubscribe thanks").
pub const UNAMBIGUOUS: [&str; 5] = ["STOP", "STOPALL", "UNSUBSCRIBE", "OPTOUT", "REVOKE"];

/// The STOP family: opts out as the first word too.
const STOP_FAMILY: [&str; 2] = ["STOP", "STOPALL"];

/// After STOP as the first word, these make it a visit ("Stop by tomorrow"): a person
/// decides rather than the first-word rule.
const VISIT: [&str; 6] = ["BY", "IN", "OVER", "ROUND", "AROUND", "PAST"];

/// Courtesy words that may stand around an opt-out word.
const COURTESY: [&str; 18] = [
    "PLEASE", "PLS", "PLZ", "KINDLY", "NOW", "THANKS", "THANK", "YOU", "THX", "TY", "OK", "OKAY",
    "JUST", "POR", "FAVOR", "GRACIAS", "YA", "AHORA",
];

/// Words skipped when phrases are matched ("don't ever text me" is "don't text me").
const FILLER: [&str; 10] = [
    "PLEASE", "PLS", "PLZ", "KINDLY", "EVER", "ANY", "JUST", "REALLY", "POR", "FAVOR",
];

/// Phrases that probably ask not to be texted: positions separated by spaces, the words a
/// position accepts by `|`. Matched anywhere in the text, fillers skipped, DON'T read as
/// DO NOT.
const LIKELY_PHRASES: &[&str] = &[
    // English.
    "DO NOT TEXT|TEXTS|TXT|TEXTING|MESSAGE|MESSAGING|MSG|SMS|CONTACT|CONTACTING|SPAM|BOTHER|WRITE|EMAIL",
    "DO NOT CALL|EMAIL OR|NOR TEXT|TXT|MESSAGE|MSG",
    "NEVER TEXT|TXT|MESSAGE|MSG|CONTACT|WRITE|EMAIL",
    "TEXTS|MESSAGES|MSGS|TEXTING|MESSAGING|SPAM TO STOP|END|CEASE",
    "STOP|QUIT|CEASE TEXTING|TEXT|TEXTS|TXT|TXTS|MESSAGING|MESSAGE|MESSAGES|MSG|MSGS|CONTACTING|SPAMMING|SPAM|BOTHERING|WRITING|EMAILING",
    "STOP|QUIT SENDING ME|THESE|THEM|TEXTS|MESSAGES|THIS",
    "NO MORE|LONGER TEXTS|TEXT|TXT|TXTS|MESSAGES|MESSAGE|MSG|MSGS|SMS|TEXTING|MESSAGING|CONTACT",
    "DO NOT WANT|NEED TEXTS|MESSAGES|MSGS|SMS",
    "DO NOT WANT|NEED YOUR|THESE|MORE|THE TEXTS|MESSAGES|MSGS|SMS",
    "DO NOT WANT TO BE TEXTED|CONTACTED|MESSAGED",
    "REMOVE|DELETE|ERASE ME|US",
    "REMOVE|DELETE|ERASE|LOSE MY|THIS|OUR NUMBER|NUMBR|NO|DETAILS|CONTACT|INFO",
    "TAKE ME|US OFF",
    "TAKE MY|THIS|OUR NUMBER OFF|OUT",
    "LEAVE ME|US ALONE",
    "WRONG NUMBER|NUMBR|PERSON",
    "OPT ME|US OUT",
    "OPT OUT",
    "UNSUBSCRIBE|UNSUB|UNSUBSCRIBED|UNSUBSCRIBING|OPTOUT|REVOKE|REVOKED|REVOKING",
    "NOT INTERESTED",
    // Spanish (folded: no accents).
    "NO ME|NOS ESCRIBA|ESCRIBAS|ESCRIBAN|MANDE|MANDES|MANDEN|ENVIE|ENVIES|ENVIEN|CONTACTE|CONTACTES|CONTACTEN|MOLESTE|MOLESTES|MOLESTEN|TEXTEE|TEXTEES|TEXTEEN",
    "NO MAS MENSAJES|MENSAJITOS|TEXTOS|SMS|MSJ",
    "NO QUIERO|DESEO RECIBIR",
    "NO QUIERO|DESEO MAS MENSAJES|TEXTOS|SMS",
    "DEJA|DEJE|DEJEN|DEJAD|PARA|PARE|PAREN DE ESCRIBIR|ESCRIBIRME|ESCRIBIRNOS|MANDAR|MANDARME|MANDARNOS|ENVIAR|ENVIARME|ENVIARNOS|MOLESTAR|MOLESTARME|MOLESTARNOS|CONTACTAR|CONTACTARME|CONTACTARNOS|TEXTEAR|TEXTEARME",
    "DEJAME|DEJEME|DEJENME|DEJENNOS EN PAZ",
    "BORRAME|BORREME|BORRENME|QUITAME|QUITEME|QUITENME|SAQUEME|SAQUENME|ELIMINAME|ELIMINEME|ELIMINENME",
    "BORRA|BORRE|BORREN|BORRAR|QUITA|QUITE|QUITEN|QUITAR|ELIMINA|ELIMINE|ELIMINEN|ELIMINAR MI|ESTE NUMERO",
    "NUMERO EQUIVOCADO|INCORRECTO|ERRONEO",
    "DE BAJA",
    "NO ESTOY|ESTAMOS INTERESADO|INTERESADA|INTERESADOS|INTERESADAS",
    "NO ME|NOS INTERESA",
];

/// Whole texts that probably mean stop but have another reading: "Basta" (enough), "Para"
/// (stop, or "for").
const LIKELY_WHOLE: [&str; 3] = ["BASTA", "YABASTA", "PARA"];

/// Before a final STOP, these make it something that stops rather than a request ("the
/// leak won't stop", "the bus stop").
const NOT_A_REQUEST: [&str; 29] = [
    "WONT", "WOULDNT", "DOESNT", "DIDNT", "CANT", "CANNOT", "NOT", "NEVER", "DONT", "ISNT",
    "COULDNT", "SHOULDNT", "WILL", "WOULD", "CAN", "COULD", "MIGHT", "TO", "BUS", "A", "THE",
    "NEXT", "LAST", "FIRST", "ONE", "MY", "YOUR", "OUR", "PIT",
];

/// A final STOP counts only in a text this short.
const SHORT_TEXT: usize = 6;

/// Only this many words of a text are read: phrases that matter come early.
const MAX_WORDS: usize = 400;

/// What an inbound text says about being texted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    /// An opt-out: STOP and its synonyms.
    OptOut,
    /// An opt-in: START and its synonyms.
    OptIn,
    /// Probably asks not to be texted, in other words: a person decides.
    LikelyOptOut,
    /// Nothing about being texted.
    Silent,
}

/// Reads what an inbound text says about being texted. Needs no settings: an opt-out is
/// honoured even before any are given.
pub fn read(body: &str) -> Consent {
    let all = words(body);
    if all.is_empty() {
        // A stop sign and nothing else.
        return if body.contains('\u{1F6D1}') {
            Consent::LikelyOptOut
        } else {
            Consent::Silent
        };
    }
    let whole = all.concat();
    if STOP_WORDS.contains(&whole.as_str()) {
        return Consent::OptOut;
    }
    // Courtesy words around the request change nothing ("please stop", "ok STOP").
    let meant: Vec<&str> = all
        .iter()
        .map(String::as_str)
        .filter(|w| !COURTESY.contains(w))
        .collect();
    if let Some(first) = meant.first()
        && STOP_FAMILY.contains(first)
    {
        return match meant.get(1) {
            Some(next) if VISIT.contains(next) => Consent::LikelyOptOut,
            _ => Consent::OptOut,
        };
    }
    let core = meant.concat();
    if meant.len() < all.len() {
        if UNAMBIGUOUS.contains(&core.as_str()) {
            return Consent::OptOut;
        }
        if STOP_WORDS.contains(&core.as_str()) {
            return Consent::LikelyOptOut; // "cancel please": the appointment, or the texts?
        }
    }
    if all.len() == 1 && START_WORDS.contains(&whole.as_str()) {
        return Consent::OptIn;
    }
    if LIKELY_WHOLE.contains(&whole.as_str()) || likely(&all) {
        return Consent::LikelyOptOut;
    }
    Consent::Silent
}

/// Whether `word` (a keyword a business wants to answer) would be read as anything but
/// conversation: such a word cannot be a keyword.
pub fn is_reserved(word: &str) -> bool {
    read(word) != Consent::Silent
}

fn likely(all: &[String]) -> bool {
    let mut seq: Vec<&str> = Vec::with_capacity(all.len() + 4);
    for w in all {
        match w.as_str() {
            "DONT" | "DONOT" | "DNT" => seq.extend(["DO", "NOT"]),
            w if FILLER.contains(&w) => {}
            w => seq.push(w),
        }
    }
    let phrase = LIKELY_PHRASES.iter().any(|p| {
        let positions: Vec<&str> = p.split(' ').collect();
        seq.windows(positions.len()).any(|window| {
            window
                .iter()
                .zip(&positions)
                .all(|(word, accepted)| accepted.split('|').any(|a| a == *word))
        })
    });
    if phrase {
        return true;
    }
    // "I said stop", "wrong number, stop": STOP at the end of a short text.
    match seq.as_slice() {
        [.., before, last] if seq.len() <= SHORT_TEXT && STOP_FAMILY.contains(last) => {
            !NOT_A_REQUEST.contains(before)
        }
        _ => false,
    }
}

/// The words of a text, folded for comparison: upper case, without accents; apostrophes
/// and invisible characters join ("DON'T" is DONT), every other character that is not a
/// letter or a digit separates. At most [`MAX_WORDS`].
pub fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if joins(c) {
            continue;
        }
        let c = plain(c);
        if c.is_alphanumeric() {
            current.extend(c.to_uppercase());
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
            if out.len() == MAX_WORDS {
                return out;
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Characters that neither show nor separate: apostrophes, combining accents, zero-width
/// and direction marks, soft hyphens, variation selectors.
fn joins(c: char) -> bool {
    matches!(
        c,
        '\'' | '’'
            | 'ʼ'
            | '‘'
            | '`'
            | '´'
            | '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{FEFF}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{0300}'..='\u{036F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
    )
}

/// A letter without its accent, a full-width form as plain ASCII.
fn plain(c: char) -> char {
    if ('\u{FF01}'..='\u{FF5E}').contains(&c) {
        return char::from_u32(c as u32 - 0xFEE0).unwrap_or(c);
    }
    match c {
        'À'..='Å' | 'à'..='å' | 'Ā'..='ą' => 'A',
        'Ç' | 'ç' | 'Ć'..='č' => 'C',
        'Ď'..='đ' => 'D',
        'È'..='Ë' | 'è'..='ë' | 'Ē'..='ě' => 'E',
        'Ĝ'..='ģ' => 'G',
        'Ĥ'..='ħ' => 'H',
        'Ì'..='Ï' | 'ì'..='ï' | 'Ĩ'..='ı' => 'I',
        'Ĵ' | 'ĵ' => 'J',
        'Ķ' | 'ķ' => 'K',
        'Ĺ'..='ł' => 'L',
        'Ñ' | 'ñ' | 'Ń'..='ň' => 'N',
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' | 'Ō'..='ő' => 'O',
        'Ŕ'..='ř' => 'R',
        'Ś'..='š' => 'S',
        'Ţ'..='ŧ' => 'T',
        'Ù'..='Ü' | 'ù'..='ü' | 'Ũ'..='ų' => 'U',
        'Ŵ' | 'ŵ' => 'W',
        'Ý' | 'ý' | 'ÿ' | 'Ŷ' | 'ŷ' | 'Ÿ' => 'Y',
        'Ź'..='ž' => 'Z',
        other => other,
    }
}

/// Where the review of a likely opt-out stands for a number: a last-writer-wins value the
/// phone sets when such a text arrives and a person settles from a desktop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// A text probably asked not to be texted: automated texts wait for a person.
    Pending,
    /// A person found it was not an opt-out: automated texts go again.
    Resumed,
    /// A person opted the number out; the phone records the opt-out.
    OptOut,
    /// Settled: the number texted an opt-out or opt-in word itself, or the phone recorded
    /// the opt-out a person decided on.
    Settled,
}

impl ReviewState {
    /// Every state.
    pub const ALL: [ReviewState; 4] = [
        ReviewState::Pending,
        ReviewState::Resumed,
        ReviewState::OptOut,
        ReviewState::Settled,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Pending => "pending",
            ReviewState::Resumed => "resumed",
            ReviewState::OptOut => "opt_out",
            ReviewState::Settled => "settled",
        }
    }

    /// Parses a stored name.
    pub fn from_name(name: &str) -> Option<ReviewState> {
        ReviewState::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Whether automated texts to the number wait (for a person, or for the phone to record
    /// the opt-out a person decided on).
    pub fn pauses(self) -> bool {
        matches!(self, ReviewState::Pending | ReviewState::OptOut)
    }

    /// Whether a desktop may set this state (it decides; only the phone pauses and settles).
    pub fn is_decision(self) -> bool {
        matches!(self, ReviewState::Resumed | ReviewState::OptOut)
    }
}

/// What a person decided about a likely opt-out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    /// It was an opt-out: record it (no more automated texts, no replies until START).
    OptOut,
    /// It was not: automated texts to the number go again.
    Resume,
}

impl ReviewDecision {
    /// The review state this decision sets.
    pub fn state(self) -> ReviewState {
        match self {
            ReviewDecision::OptOut => ReviewState::OptOut,
            ReviewDecision::Resume => ReviewState::Resumed,
        }
    }
}

#[cfg(test)]
mod tests;
