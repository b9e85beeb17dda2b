//! The assistant never looks at a photo: the model reads "[photo]" where a caller sent
//! one (`attachment::placeholder`). A reply that speaks as if it had looked ("I can see
//! the pipe is cracked", "the photo shows…", "from your picture it looks like…") would
//! tell the caller something nobody checked, so it is refused like an invented price.

use super::guards::fold;

/// Words that name what a caller sends.
const PICTURE: [&str; 16] = [
    "photo", "photos", "picture", "pictures", "pic", "pics", "image", "images", "pix", "snap",
    "snaps", "foto", "fotos", "imagen", "video", "videos",
];

/// Verbs of looking, after "I" or "we".
const LOOKED: [&str; 16] = [
    "see", "saw", "seen", "seeing", "look", "looked", "looking", "view", "viewed", "checked",
    "reviewed", "examined", "noticed", "spotted", "observe", "observed",
];

/// What a picture "does" when someone has looked at it.
const SHOWS: [&str; 12] = [
    "shows",
    "showed",
    "showing",
    "show",
    "looks",
    "appears",
    "seems",
    "suggests",
    "indicates",
    "confirms",
    "reveals",
    "depicts",
];

/// Words that read a picture as evidence ("from the photo it looks like…").
const JUDGED: [&str; 11] = [
    "looks",
    "look",
    "appears",
    "seems",
    "see",
    "tell",
    "visible",
    "clearly",
    "definitely",
    "obviously",
    "noticeable",
];

/// Words between "I"/"we" and the verb that make it no claim ("we'd like to see", "I
/// can't see", "we will look").
const NOT_A_CLAIM: [&str; 10] = [
    "will", "would", "to", "not", "can't", "cannot", "don't", "didn't", "won't", "unable",
];

fn words(sentence: &str) -> Vec<String> {
    sentence
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// "I can see the…", "we saw a…": looking at something in particular ("I see, thanks"
/// is only a way of speaking).
fn saw_something(w: &[String]) -> bool {
    (0..w.len()).any(|i| {
        if !matches!(w[i].as_str(), "i" | "we" | "i've" | "we've") {
            return false;
        }
        let mut j = i + 1;
        while j < w.len() && matches!(w[j].as_str(), "can" | "could" | "just" | "have" | "clearly")
        {
            j += 1;
        }
        j + 1 < w.len()
            && matches!(
                w[j].as_str(),
                "see" | "saw" | "seen" | "tell" | "notice" | "noticed"
            )
            && matches!(
                w[j + 1].as_str(),
                "the" | "your" | "a" | "an" | "that" | "it" | "it's" | "some" | "there" | "two"
            )
    })
}

/// The first sentence of `reply` that speaks as if the assistant had looked at a photo.
pub(crate) fn claims_to_have_looked(reply: &str) -> Option<String> {
    let folded = fold(reply);
    for sentence in folded.split(['.', '!', '?', '\n', ';']) {
        let w = words(sentence);
        let picture_at: Vec<usize> = (0..w.len())
            .filter(|&i| PICTURE.contains(&w[i].as_str()))
            .collect();
        if picture_at.is_empty() {
            // No picture named, but "I can see the pipe…" after a photo reads the same.
            if saw_something(&w) {
                return Some(sentence.trim().chars().take(80).collect());
            }
            continue;
        }
        let first_person_looked = (0..w.len()).any(|i| {
            matches!(
                w[i].as_str(),
                "i" | "we" | "i've" | "we've" | "i'm" | "we're"
            ) && (i + 1..(i + 4).min(w.len()))
                .take_while(|&j| !NOT_A_CLAIM.contains(&w[j].as_str()))
                .any(|j| LOOKED.contains(&w[j].as_str()))
        });
        let picture_shows = picture_at
            .iter()
            .any(|&i| (i + 1..(i + 3).min(w.len())).any(|j| SHOWS.contains(&w[j].as_str())));
        let judged_from = picture_at.iter().any(|&i| {
            i > 0
                && (i.saturating_sub(3)..i)
                    .any(|j| matches!(w[j].as_str(), "from" | "in" | "on" | "by"))
        }) && w.iter().any(|x| JUDGED.contains(&x.as_str()));
        // "Based on your pic, …", "judging by the photo …": a reading of it, whatever follows.
        let read_from = picture_at.iter().any(|&i| {
            (i.saturating_sub(4)..i).any(|j| matches!(w[j].as_str(), "based" | "judging" | "going"))
        });
        if first_person_looked || picture_shows || judged_from || read_from {
            return Some(sentence.trim().chars().take(80).collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_that_speak_as_if_the_photo_was_seen_are_caught() {
        for reply in [
            "Thanks! I can see the pipe under the sink is cracked.",
            "From the photo it looks like a worn valve.",
            "The picture shows a leaking joint; we can fix that.",
            "I've looked at your photo and it's the flapper.",
            "Based on your pic, that's a quick job.",
            "We checked the image: the unit is a Carrier 24ACC6.",
            "In the PHOTO the label clearly says R-22.",
            "Your video shows the breaker tripping.",
        ] {
            assert!(claims_to_have_looked(reply).is_some(), "{reply}");
        }
    }

    #[test]
    fn replies_that_leave_the_photo_to_the_team_pass() {
        for reply in [
            "Thanks for the photo! Our team will take a look and get back to you.",
            "Got your picture — a technician will look at it today. What's your postcode?",
            "Could you send a photo of the problem?",
            "We'd like to see a photo of the label if you can.",
            "I can't see photos here, but the team can. When suits you?",
            "I see, thanks. What's the address?",
            "It looks like we have a slot tomorrow at 9am.",
        ] {
            assert_eq!(claims_to_have_looked(reply), None, "{reply}");
        }
    }

    #[test]
    fn disguises_do_not_walk_around_it() {
        // Full-width letters and an invisible character.
        assert!(
            claims_to_have_looked("Ｉ can see in the pho\u{200B}to that it is cracked").is_some()
        );
    }
}
