use super::*;

fn each(expected: Consent, texts: &[&str]) {
    for text in texts {
        assert_eq!(read(text), expected, "{text:?}");
    }
}

#[test]
fn the_regulators_words_opt_out_as_the_whole_text() {
    each(
        Consent::OptOut,
        &[
            "STOP",
            "stop",
            "Stop!",
            " quit. ",
            "END",
            "end...",
            "Cancel?",
            "UnSubscribe",
            "REVOKE",
            "revoke.",
            "OPT OUT",
            "opt-out",
            "Opt out!",
            "OPTOUT",
            "opt_out",
            "STOPALL",
            "stop all",
            "Remove",
            "Arrêt",
            "ALTO",
            "¡Alto!",
            "PARAR",
            "parar.",
            "CANCELAR",
            "Cancelar",
            "BAJA",
            "Bája",
            "baja 🙏",
        ],
    );
}

#[test]
fn case_accents_punctuation_spacing_and_invisible_characters_do_not_hide_an_opt_out() {
    each(
        Consent::OptOut,
        &[
            "ＳＴＯＰ", // full-width
            "S.T.O.P",
            "s t o p",
            "ST\u{200B}OP", // zero-width space
            "S\u{00AD}TOP", // soft hyphen
            "\u{FEFF}STOP", // byte-order mark
            "stop\u{FE0F}", // variation selector
            "🛑 STOP 🛑",
            "\n\t stop \r\n",
            "«STOP»",
            "\u{202E}STOP", // direction override
            "B\u{0301}AJA", // combining accent
            "ÚNSUBSCRIBE",
            "*** UNSUBSCRIBE ***",
        ],
    );
}

#[test]
fn stop_as_the_first_word_opts_out() {
    each(
        Consent::OptOut,
        &[
            "Stop texting me",
            "STOP please",
            "stop calling me lol",
            "Stop. Wrong number",
            "STOP STOP STOP",
            "Stopall now",
            "stop all texts",
            // Courtesy words before it change nothing.
            "please stop",
            "Please stop texting me",
            "ok STOP",
            "Thanks, stop.",
            "unsubscribe please",
            "Opt out, thanks",
            "Revoke please",
        ],
    );
}

#[test]
fn other_words_in_a_longer_text_are_conversation() {
    each(
        Consent::Silent,
        &[
            "cancel my appointment",
            "Can you cancel Tuesday and come Friday?",
            "end of the pipe is leaking",
            "The end of the hose is cracked",
            "quit smoking ha",
            "the leak won't stop",
            "It won't stop dripping",
            "the water doesn't stop",
            "meet me at the bus stop",
            "Can you stop by tomorrow?",
            "Remove the old boiler please",
            "alto costo?",
            "la baja presión del agua",
            "stopp",
            "unstoppable",
            "nonstop leak",
            "Don't call me, text me instead",
            "Hi, our kitchen sink is leaking. Can someone come today?",
            "Yes",
            "",
            "   ",
            "🙂",
            "no more leaks since you fixed it!",
        ],
    );
}

#[test]
fn opt_out_in_other_words_is_likely_not_definite() {
    each(
        Consent::LikelyOptOut,
        &[
            "don't text me again",
            "Don’t text me",
            "do not text me",
            "Please do not contact me",
            "DONT EVER MESSAGE ME",
            "dont txt me",
            "Do not call or text this number",
            "never text me again",
            "remove me from your list",
            "Remove my number",
            "delete this number",
            "take me off",
            "Take me off your list please",
            "take my number off your list",
            "no more texts",
            "No more messages please",
            "no longer text me",
            "I don't want your texts",
            "I dont want these messages",
            "I don't want to be contacted",
            "leave me alone",
            "wrong number, stop",
            "Wrong number",
            "wrong person sorry",
            "I said stop",
            "make it stop",
            "please quit texting me",
            "can you stop sending me these",
            "I want the texts to stop",
            "opt me out",
            "I want to opt out",
            "unsubscribe me",
            "I thought I unsubscribed",
            "I revoke my consent",
            "not interested",
            "Cancel please", // the appointment, or the texts? A person decides.
            "quit thanks",
            "stop by tomorrow", // reads like a visit, starts with STOP: a person decides
            "Stop in on Monday",
            "🛑",
            // Spanish.
            "no me escribas más",
            "No me escriba mas",
            "no me mandes mensajes",
            "No me mande mensajes por favor",
            "no me envíes más mensajes",
            "no me molesten",
            "no más mensajes",
            "No quiero recibir mensajes",
            "deja de escribirme",
            "Dejen de molestarme",
            "para de escribirme",
            "déjame en paz",
            "bórrame de su lista",
            "Quítenme de la lista",
            "elimina mi número",
            "número equivocado",
            "quiero darme de baja",
            "no estoy interesado",
            "no me interesa",
            "basta",
            "¡Ya basta!",
            "Para.",
        ],
    );
}

#[test]
fn opt_in_is_a_start_word_alone() {
    each(
        Consent::OptIn,
        &[
            "START",
            "start!",
            "Unstop",
            "UNSTOP.",
            "Comenzar",
            "¡Empezar!",
            "ＳＴＡＲＴ",
        ],
    );
    each(
        Consent::Silent,
        &[
            "start the job monday",
            "when can you start?",
            "restart",
            "started",
        ],
    );
}

#[test]
fn stop_wins_over_start_in_one_text() {
    assert_eq!(read("STOP START"), Consent::OptOut);
    assert_eq!(read("start stop"), Consent::LikelyOptOut);
}

#[test]
fn reserved_words_are_every_consent_word_in_any_spelling() {
    for word in STOP_WORDS.iter().chain(START_WORDS.iter()) {
        assert!(is_reserved(word), "{word}");
        assert!(is_reserved(&word.to_lowercase()), "{word}");
    }
    for word in ["Opt-Out", "bája", "UNSUB", "basta", "stop!"] {
        assert!(is_reserved(word), "{word}");
    }
    for word in ["HOURS", "PRICE", "QUOTE", "BOOK", "HELP"] {
        assert!(!is_reserved(word), "{word}");
    }
}

#[test]
fn words_fold_and_are_bounded() {
    assert_eq!(words("Don't  STOP—now!"), ["DONT", "STOP", "NOW"]);
    assert_eq!(words("¿Número equivocado?"), ["NUMERO", "EQUIVOCADO"]);
    assert_eq!(words("ｓｔｏｐ"), ["STOP"]);
    let long = "word ".repeat(10 * MAX_WORDS);
    assert_eq!(words(&long).len(), MAX_WORDS);
    // A long text is read in bounded time and its opening decides.
    let mut text = String::from("please stop texting me ");
    text.push_str(&"lorem ipsum ".repeat(50_000));
    assert_eq!(read(&text), Consent::OptOut);
}

#[test]
fn review_states_round_trip_and_only_decisions_come_from_desktops() {
    for s in ReviewState::ALL {
        assert_eq!(ReviewState::from_name(s.as_str()), Some(s));
        let json = serde_json::to_string(&s).expect("json");
        assert_eq!(json, format!("\"{}\"", s.as_str()));
    }
    assert!(ReviewState::Pending.pauses() && ReviewState::OptOut.pauses());
    assert!(!ReviewState::Resumed.pauses() && !ReviewState::Settled.pauses());
    assert!(ReviewDecision::OptOut.state().is_decision());
    assert!(ReviewDecision::Resume.state().is_decision());
    assert!(!ReviewState::Pending.is_decision() && !ReviewState::Settled.is_decision());
}
