//! The guards on their own: what walks around them must not, and ordinary replies pass.

use super::*;

fn notes(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_string()).collect()
}

fn facts() -> Facts {
    Facts {
        business_name: "Acme Plumbing".into(),
        services: vec!["leak repair".into(), "boiler service".into()],
        service_area: vec!["10001".into(), "10002".into()],
        price_notes: notes(&["call-out fee $150", "drain unblocking from £1,500"]),
        hours: "Mon–Fri 8:00–17:00".into(),
    }
}

/// The owner's other texts: a template and a quick reply.
fn owner() -> Vec<String> {
    vec![
        "Book online at https://acme.example/book or call +1 (212) 555-0142.".into(),
        "Questions? Write to Office@Acme.example".into(),
    ]
}

#[test]
fn amounts_match_the_price_notes_as_whole_amounts() {
    let notes = notes(&["call-out fee $150", "drain unblocking from £1,500"]);
    // Digits of a listed price are not that price.
    for (reply, named) in [
        ("It's just $1 to come out.", "$1"),
        ("Only $15!", "$15"),
        ("That's $15.00 all in.", "$15.00"),
        ("$150 call-out, then $1000 for the job", "$1000"),
        ("About 15 dollars.", "15 dollars"),
        ("US$ 15", "$ 15"),
        ("It costs 15.", "15"),
        ("The fee would be about 99", "99"),
        ("Just fifteen dollars", "fifteen dollars"),
        ("a hundred and five bucks", "a hundred and five bucks"),
        ("€150", "€150"), // no euro price is listed… but the amount is; see below
    ] {
        let found = invented_price(reply, &notes);
        if reply == "€150" {
            // Amounts compare by value, whatever the sign: the owner's notes say 150.
            assert_eq!(found, None, "{reply}");
            continue;
        }
        assert_eq!(found.as_deref(), Some(named), "{reply}");
    }
    for reply in [
        "The call-out fee is $150.",
        "That's $150.00 to come out.",
        "150 dollars for the call-out",
        "Drain unblocking is from £1,500 (1500 pounds).",
        "Unblocking: £1.5k",
        "USD 150",
        "Is that 10001? We have 2 plumbers free at 9am.",
        "We can come at 3:30 or 4pm",
        "It's on the 3rd floor, flat 12",
        "Our fee is $150 and we take 20% of nothing",
        "A hundred and fifty dollars to come out",
        "one hundred fifty dollars",
        "Drain unblocking is one thousand five hundred pounds",
    ] {
        assert_eq!(invented_price(reply, &notes), None, "{reply}");
    }
    // A range reads both ends; a second amount is read even right after the first.
    assert_eq!(invented_price("$150-175", &notes).as_deref(), Some("175"));
    assert_eq!(invented_price("$150 $15", &notes).as_deref(), Some("$15"));
    // Full-width digits and invisible characters do not hide an amount.
    assert_eq!(
        invented_price("Only ＄１５ today", &notes).as_deref(),
        Some("$15")
    );
    assert_eq!(
        invented_price("Only $1\u{200B}5 today", &notes).as_deref(),
        Some("$15")
    );
    // A note without any marked amount still lists its numbers.
    assert_eq!(
        invented_price("$89 to come out", &notes_of("call-out 89")),
        None
    );
}

fn notes_of(note: &str) -> Vec<String> {
    vec![note.to_string()]
}

#[test]
fn promises_are_refused_unless_the_settings_make_them() {
    let facts = facts();
    for (reply, named) in [
        ("We'll do it for free.", "for free"),
        ("The first visit is free!", "free"),
        ("It's FREE", "free"),
        ("There's no cost to you", "no cost"),
        ("We can do it at no cost.", "at no cost"),
        ("The estimate is complimentary", "complimentary"),
        ("There's no charge for the visit", "no charge"),
        ("This one's on the house", "on the house"),
        ("We'll waive the call-out fee", "waive"),
        ("You get a 10% discount", "discount"),
        ("20% off this week", "% off"),
        ("Full refund if you're unhappy", "refund"),
        ("Our work is guaranteed", "guaranteed"),
        ("It comes with a 5-year warranty", "warranty"),
        ("I promise we'll fix it", "promise"),
        ("Don't worry, it's guaranteed", "guaranteed"),
        ("Fr\u{200B}ee call-out today", "free"),
        ("It's free on your first visit", "free"),
        ("Buy one, get 1 free", "free"),
        ("The first 2 hours are free", "free"),
        ("La visita es sin costo", "sin costo"),
        ("Half off today only", "half off"),
    ] {
        assert_eq!(
            invented_promise(reply, &facts, &owner()).as_deref(),
            Some(named),
            "{reply}"
        );
    }
    for reply in [
        "Feel free to send a photo.",
        "We have a free slot on Tuesday at 9am.",
        "Are you free tomorrow morning?",
        "If you're free at 2pm we can come.",
        "We can't guarantee that until we see it.",
        "I can't promise anything, sorry.",
        "It's not free, the call-out fee is $150.",
        "We don't do it for free, sorry.",
        "Call our toll-free line",
        "We have Mon 2026-11-02 09:00 free.",
        "Tuesday is still free, or 9am free on Wed",
        "We're free on Thursday afternoon",
        "Are you free from 2pm?",
        "No worries! What's the postcode?",
    ] {
        assert_eq!(invented_promise(reply, &facts, &owner()), None, "{reply}");
    }
    // The owner's words allow a promise of the same kind, not of another.
    let mut generous = facts.clone();
    generous.price_notes.push("first consultation free".into());
    let mut said = owner();
    said.push("All our work is guaranteed for 12 months.".into());
    for reply in [
        "The first consultation is free of charge.",
        "There's no charge for the consultation.",
        "Our work is guaranteed.",
    ] {
        assert_eq!(invented_promise(reply, &generous, &said), None, "{reply}");
    }
    assert_eq!(
        invented_promise("And 10% off!", &generous, &said).as_deref(),
        Some("% off")
    );
    // An owner who says "no refunds" makes no promise of one.
    let mut strict = facts;
    strict.price_notes.push("no refunds on parts".into());
    assert_eq!(
        invented_promise("We'll refund you", &strict, &owner()).as_deref(),
        Some("refund")
    );
}

#[test]
fn links_addresses_and_numbers_must_be_in_the_settings() {
    let facts = facts();
    let link = |s: &str| Some(Contact::Link(s.into()));
    let email = |s: &str| Some(Contact::Email(s.into()));
    let phone = |s: &str| Some(Contact::Phone(s.into()));
    for (reply, expected) in [
        (
            "Pay here: https://evil.example/pay",
            link("evil.example/pay"),
        ),
        (
            "See http://acme.example.evil.com",
            link("acme.example.evil.com"),
        ),
        (
            "Visit www.cheap-plumbers.com today",
            link("cheap-plumbers.com"),
        ),
        ("Go to bit.ly/abc123", link("bit.ly/abc123")),
        (
            "Book at acme.example/book?ref=sms",
            link("acme.example/book?ref=sms"),
        ),
        ("Check evil dot com", link("evil.com")),
        ("Check evil[.]com", link("evil.com")),
        ("Check evil . com now", link("evil.com")),
        ("Email jobs@evil.example", email("jobs@evil.example")),
        ("Email office(at)evil.example", email("office@evil.example")),
        ("Call 212-555-0199", phone("212-555-0199")),
        ("Text +44 7700 900123 instead", phone("+44 7700 900123")),
        ("Ring (646) 555 0100", phone("(646) 555 0100")),
        ("Call 2125550199", phone("2125550199")),
        ("Call ２１２５５５０１９９", phone("2125550199")),
        ("Call 01.23.45.67.89", phone("01.23.45.67.89")),
    ] {
        assert_eq!(
            invented_contact(reply, &facts, &owner()),
            expected,
            "{reply}"
        );
    }
    for reply in [
        "Book online at https://acme.example/book",
        "Book at ACME.example/book/",
        "Our site: acme.example",
        "Call us on 212-555-0142 or +12125550142",
        "Ring 555 0142",
        "Write to office@acme.example",
        "We have Tue 2026-11-03 14:00 or 11/03/2026 at 9:00.",
        "Is that 10001? It's $150, e.g. for a leak, 8 a.m. to 5 p.m.",
        "We cover 10001, 10002 and 10003.",
        "Thanks... see you at 9am!",
        "Thanks. Come by whenever. Put a dot on the map.",
    ] {
        assert_eq!(invented_contact(reply, &facts, &owner()), None, "{reply}");
    }
    // Without the owner's other texts, their link and number are in no setting.
    assert_eq!(
        invented_contact("Book online at https://acme.example/book", &facts, &[]),
        link("acme.example/book")
    );
    assert_eq!(
        invented_contact("Call 212-555-0142", &facts, &[]),
        phone("212-555-0142")
    );
    // The prompt lists what the settings hold.
    let known = known_contacts(&facts, &owner());
    assert!(
        known.contains(&"acme.example/book".to_string()),
        "{known:?}"
    );
    assert!(
        known.contains(&"office@acme.example".to_string()),
        "{known:?}"
    );
    assert!(known.iter().any(|k| k.contains("555-0142")), "{known:?}");
}

#[test]
fn folding_undoes_look_alikes() {
    assert_eq!(fold("ＦＲＥＥ\u{200B}!"), "free!");
    assert_eq!(fold("won’t"), "won't");
    assert_eq!(fold("a – b"), "a - b");
    assert_eq!(fold("Put a dot on it"), "put a dot on it");
}
