//! The network lab: a phone behind a carrier NAT and a desktop behind an office NAT, with
//! the real `iroh-relay` on an "internet" between them, all in network namespaces of this
//! test's own (nothing is sent to any address outside them). The phone is
//! `ringback-phone-sim serve`, the desktop `ringback-desk-sim serve` (the app's sync
//! without its window), each its own process in its own namespace.
//!
//! ```text
//!   mobile ns ──(carrier NAT: mobile router)──┐
//!   (phone)   ──(Wi-Fi NAT: wifi router)──────┤ internet ns: bridge 10.99.0.0/24,
//!   office ns ──(office NAT: office router)───┘ iroh-relay --dev on 10.99.0.1:3340,
//!   (desktop)                                   QUIC address discovery on :7842 (TLS)
//!   lan ns: phone and desktop on one LAN, mDNS, no relay
//! ```
//!
//! Cases, each ending with the same digest on both sides, every text on the desktop and
//! every reply the desktop asked for sent once: (a) through the relay, (b) the direct path
//! after hole punching (required when the relay has its lab certificate, see `nat_lab`),
//! (c) UDP blocked at the office, (d) the office cut off for 30 s, (e) the phone moving
//! from Wi-Fi to mobile data, (f) LAN only.
//! From pairing to the end of (e) the desktop's and the phone's namespaces count every DNS
//! query and every packet to an address outside the lab; the test fails if there is any
//! (a self-hosted relay involves no third party).
//!
//! It needs root, `ip` and `iptables`; without them it prints one line saying why and
//! passes. It needs the relay (`scripts/setup --test` installs it; `RINGBACK_IROH_RELAY`
//! names another) and `ringback-phone-sim` (built by `cargo test --workspace`;
//! `RINGBACK_PHONE_SIM` names another); with `RINGBACK_NETLAB_REQUIRED=1` (scripts/test)
//! a missing one fails instead of skipping.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use ringback_tests::netlab::{
    Code, Lab, Net, PATIENCE, Pair, Tools, egress, ip, nat_lab, run_prefix, say, start_pair, tools,
    watch_egress,
};
use serde_json::json;

/// How long the office is cut off in case (d).
const CUT: Duration = Duration::from_secs(30);

#[test]
fn network_lab() -> Result<()> {
    let Some(tools) = tools(Path::new(env!("CARGO_BIN_EXE_ringback-desk-sim")))? else {
        return Ok(());
    };
    let mut lab = Lab::new(&run_prefix());
    let outcome = run_cases(&mut lab, &tools);
    if outcome.is_err() {
        for p in &mut lab.processes {
            p.drain();
            eprintln!("{} printed last:\n  {}", p.label, p.tail());
        }
        // What left the lab, if the watch was on: a failure may have come of a leak.
        for (who, short) in [("the desktop", "office"), ("the phone", "mobile")] {
            if let Ok(seen) = egress(&lab.ns(short)) {
                eprintln!("{who} sent {seen}");
            }
        }
    }
    // The namespaces go whatever happened (Drop does it too, on a panic).
    lab.teardown();
    let report = outcome?;
    say("network lab on this machine:");
    for line in report {
        say(&format!("  {line}"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The cases

fn run_cases(lab: &mut Lab, tools: &Tools) -> Result<Vec<String>> {
    let mut report = Vec::new();
    let dir = tempfile::tempdir()?;

    let started = Instant::now();
    let net = nat_lab(lab, tools)?;
    report.push(format!(
        "namespaces made and iroh-relay --dev up on {} in {:.1} s",
        net.relay_url,
        started.elapsed().as_secs_f64()
    ));
    let (office, mobile, office_router) = (&net.office, &net.mobile, &net.office_router);
    // Self-hosting means no third party: from here to the end of (e) every packet the
    // desktop and the phone send is counted if it goes anywhere but the lab's own addresses.
    watch_egress(lab, office)?;
    watch_egress(lab, mobile)?;

    let network = format!("relay={}", net.relay_url);
    let mut pair = start_pair(
        lab,
        tools,
        dir.path(),
        (office, &network),
        (mobile, &network),
        Code::Qr,
    )?;
    no_third_party(&net, "pairing", &mut report)?;

    // (a) Both behind NATs, through the relay.
    let (took, link) = exchange(lab, &mut pair, "a", 3, 2)?;
    report.push(format!(
        "(a) through the relay, both behind NAT: converged in {took:.2} s, link {link}"
    ));
    no_third_party(&net, "(a)", &mut report)?;

    // (b) The direct path: MASQUERADE keeps a UDP flow's source port when it is free, and
    // the routers drop what arrives unasked (so a punch that comes early leaves no entry
    // that would change the port), so each side's address learned by QUIC address discovery
    // at the relay holds and hole punching works. The relay needs its certificate for that.
    let started = Instant::now();
    let direct = wait_link(lab, &pair, "direct", Duration::from_secs(15)).is_ok();
    let waited = started.elapsed().as_secs_f64();
    let (took, link) = exchange(lab, &mut pair, "b", 3, 2)?;
    let qad = lab.relay_ca.is_some();
    report.push(format!(
        "(b) after hole punching: link {link} ({}; {waited:.1} s waited for it), converged in {took:.2} s",
        match (direct, qad) {
            (true, _) => "direct: each side learned its NAT's public address by QUIC address \
                          discovery at the relay, and both NATs keep UDP source ports, so the \
                          punched addresses held (a direct path to the lab's private \
                          \"internet\" is reported as lan)",
            (false, true) => "stayed relayed although QUIC address discovery was on",
            (false, false) => "stayed relayed: the relay has no certificate (openssl missing), so \
                               no QUIC address discovery, and knowing only their private \
                               addresses the two sides have nothing to punch to",
        },
    ));
    if qad && !direct {
        bail!(
            "(b): no direct path within 15 s although both NATs allow one and the relay offers QUIC address discovery"
        );
    }
    no_third_party(&net, "(b)", &mut report)?;

    // (c) UDP blocked at the office: only the relay (HTTP over TCP here) gets through.
    lab.exec(
        office_router,
        &["iptables", "-I", "FORWARD", "-p", "udp", "-j", "DROP"],
    )?;
    let started = Instant::now();
    let relayed = wait_link(lab, &pair, "relay", PATIENCE).is_ok();
    let (took, link) = exchange(lab, &mut pair, "c", 3, 2)?;
    report.push(format!(
        "(c) UDP blocked at the office: link {link} (fell back to the relay: {relayed}, after {:.1} s), converged in {took:.2} s",
        started.elapsed().as_secs_f64()
    ));
    no_third_party(&net, "(c)", &mut report)?;
    lab.exec(
        office_router,
        &["iptables", "-D", "FORWARD", "-p", "udp", "-j", "DROP"],
    )?;

    // (d) The office cut off for 30 s: texts arrive at the phone and replies are asked for
    // on the desktop meanwhile; after, every text reaches the desktop and each reply leaves once.
    ip(&["-n", office_router, "link", "set", "wan", "down"])?;
    let cut = Instant::now();
    let texts = send_texts(lab, &mut pair, "d", 3)?;
    let replies = ask_replies(lab, &mut pair, "d", 2)?;
    let quiet = lab.processes[pair.phone].seen.len();
    let left = CUT.saturating_sub(cut.elapsed());
    // Nothing can be sent to the phone while the office is cut off: waiting out the cut
    // for a reply shows none leaks through early (it cannot; this is the 30 s).
    let early = lab.processes[pair.phone]
        .wait_from(quiet, "a reply during the cut", left, |v| {
            v["sms_out"]["body"]
                .as_str()
                .is_some_and(|b| replies.iter().any(|r| r == b))
        })
        .is_ok();
    let rest = CUT.saturating_sub(cut.elapsed());
    std::thread::sleep(rest);
    ip(&["-n", office_router, "link", "set", "wan", "up"])?;
    let (took, link) = settle(lab, &mut pair, &replies)?;
    report.push(format!(
        "(d) office cut for {} s: {} texts and {} replies made during the cut all through {took:.1} s after the link came back (a reply during the cut: {early}), link {link}",
        CUT.as_secs(),
        texts.len(),
        replies.len(),
    ));
    no_third_party(&net, "(d)", &mut report)?;

    // (e) The phone leaves Wi-Fi for mobile data mid-session: new interface, new address,
    // new default route, another NAT.
    ip(&["-n", mobile, "link", "set", "w0", "down"])?;
    ip(&["-n", mobile, "link", "set", "m0", "up"])?;
    ip(&[
        "-n",
        mobile,
        "route",
        "replace",
        "default",
        "via",
        "100.64.0.1",
    ])?;
    let (took, link) = exchange(lab, &mut pair, "e", 3, 2)?;
    report.push(format!(
        "(e) phone moved from Wi-Fi (192.168.50.10) to mobile data (100.64.0.10): converged in {took:.2} s, link {link}"
    ));
    no_third_party(&net, "(e)", &mut report)?;
    check_once(lab, &pair)?;
    quit(lab, &pair)?;

    // (f) LAN only: both on one network, found by mDNS, no relay at all.
    let lan = lab.add_ns("lan")?;
    ip(&[
        "link", "add", "lan0", "netns", &lan, "type", "veth", "peer", "name", "lan1", "netns", &lan,
    ])?;
    ip(&["-n", &lan, "addr", "add", "192.168.7.10/24", "dev", "lan0"])?;
    ip(&["-n", &lan, "addr", "add", "192.168.7.11/24", "dev", "lan1"])?;
    ip(&["-n", &lan, "link", "set", "lan0", "up"])?;
    ip(&["-n", &lan, "link", "set", "lan1", "up"])?;
    let lan_dir = dir.path().join("lan");
    // A LAN has a route for multicast (mDNS goes to 224.0.0.251); without it every
    // announcement fails "network unreachable". Nothing else is routed anywhere.
    ip(&["-n", &lan, "route", "add", "224.0.0.0/4", "dev", "lan0"])?;
    // In LAN-only mode the short code carries the desktop's LAN address (no relay to name).
    let mut pair = start_pair(
        lab,
        tools,
        &lan_dir,
        (&lan, "lan"),
        (&lan, "lan"),
        Code::Short,
    )?;
    let (took, link) = exchange(lab, &mut pair, "f", 3, 2)?;
    report.push(format!(
        "(f) LAN only, no relay, paired by the short code (it carries the desktop's LAN address): converged in {took:.2} s, link {link}"
    ));
    // The desktop comes back on another port: the phone knows only the old address, so
    // only mDNS can tell it the new one.
    let before = desk_port(lab, &pair)?;
    let desk_dir = lan_dir.join("desktop").display().to_string();
    restart_desk(lab, tools, &mut pair, &lan, &desk_dir, "0")?;
    let after = desk_port(lab, &pair)?;
    let started = Instant::now();
    wait_link(lab, &pair, "direct", PATIENCE)?;
    let found = started.elapsed().as_secs_f64();
    let (took, link) = exchange(lab, &mut pair, "g", 3, 2)?;
    report.push(format!(
        "(f) the desktop restarted on another port ({before} → {after}): found again by mDNS in {found:.1} s, converged in {took:.2} s, link {link}"
    ));
    check_once(lab, &pair)?;
    quit(lab, &pair)?;
    Ok(report)
}
/// Fails, naming where to, if the desktop or the phone sent anything beyond the lab so
/// far (DNS to any resolver included); otherwise reports the counters.
fn no_third_party(net: &Net, after: &str, report: &mut Vec<String>) -> Result<()> {
    let desk = egress(&net.office)?;
    let phone = egress(&net.mobile)?;
    report.push(format!(
        "    beyond the lab, after {after}: desktop {desk}; phone {phone}"
    ));
    if !desk.is_clean() || !phone.is_clean() {
        bail!(
            "a self-hosted relay must involve no third party, but by the end of {after} the desktop sent {desk} and the phone {phone}"
        );
    }
    Ok(())
}

/// Stops the desktop and starts it again on the same data, on `port` (0: any).
fn restart_desk(
    lab: &mut Lab,
    tools: &Tools,
    pair: &mut Pair,
    ns: &str,
    data: &str,
    port: &str,
) -> Result<()> {
    lab.processes[pair.desk].send(&json!({"quit": {}}))?;
    lab.processes[pair.desk].stop();
    pair.desk = lab.spawn(
        "the desktop (restarted)",
        ns,
        &tools.desk,
        &["serve", "--data", data, "--network", "lan", "--port", port],
    )?;
    lab.processes[pair.desk].wait_from(0, "ready", PATIENCE, |v| v.get("ready").is_some())?;
    Ok(())
}

/// The port of the desktop's first address, from its `ready` line.
fn desk_port(lab: &mut Lab, pair: &Pair) -> Result<String> {
    let desk = &mut lab.processes[pair.desk];
    let i = desk.wait_from(0, "ready", PATIENCE, |v| v.get("ready").is_some())?;
    let addr = desk.seen[i].1["ready"]["addrs"][0]
        .as_str()
        .unwrap_or("?:?");
    Ok(addr.rsplit(':').next().unwrap_or("?").to_string())
}

/// The number a case's texts come from.
fn number(case: &str, i: usize) -> String {
    let c = case
        .bytes()
        .next()
        .map(|b| usize::from(b - b'a'))
        .unwrap_or(0);
    format!("+1212555{:02}{:02}", c, i)
}

fn send_texts(lab: &mut Lab, pair: &mut Pair, case: &str, n: usize) -> Result<Vec<String>> {
    let mut bodies = Vec::new();
    for i in 0..n {
        let body = format!("case {case} text {i}: is the leak fixed?");
        lab.processes[pair.phone].send(&json!({"sms": {"from": number(case, i), "body": body}}))?;
        bodies.push(body.clone());
        pair.texts.push(body);
    }
    Ok(bodies)
}

fn ask_replies(lab: &mut Lab, pair: &mut Pair, case: &str, n: usize) -> Result<Vec<String>> {
    let mut bodies = Vec::new();
    for i in 0..n {
        let body = format!("case {case} reply {i}: on our way");
        lab.processes[pair.desk].ask(
            &json!({"reply": {"to": number(case, i), "body": body}}),
            "requested",
        )?;
        bodies.push(body.clone());
        pair.replies.push(body);
    }
    Ok(bodies)
}

/// One case's traffic: `texts` in on the phone, then `replies` asked for on the desktop;
/// returns how long until both sides held the same digest, and the link then.
fn exchange(
    lab: &mut Lab,
    pair: &mut Pair,
    case: &str,
    texts: usize,
    replies: usize,
) -> Result<(f64, String)> {
    let started = Instant::now();
    send_texts(lab, pair, case, texts)?;
    // Replies answer this case's texts, so they wait for them on the desktop first.
    wait_inbound(lab, pair, PATIENCE)?;
    let replies = ask_replies(lab, pair, case, replies)?;
    let (_, link) = settle(lab, pair, &replies)?;
    Ok((started.elapsed().as_secs_f64(), link))
}

/// Waits until the desktop holds every text the phone was given.
fn wait_inbound(lab: &mut Lab, pair: &Pair, within: Duration) -> Result<()> {
    let want = pair.texts.len() as i64;
    let desk = &mut lab.processes[pair.desk];
    desk.drain();
    let already = desk.seen.iter().any(|(_, v)| {
        v["changed"]["messages"]["inbound"]
            .as_i64()
            .is_some_and(|n| n >= want)
    });
    if already {
        return Ok(());
    }
    desk.wait_from(0, &format!("{want} inbound texts"), within, |v| {
        v["changed"]["messages"]["inbound"]
            .as_i64()
            .is_some_and(|n| n >= want)
    })?;
    Ok(())
}

/// Waits until every reply left the phone and both sides hold the same digest; returns
/// the seconds it took and the desktop's link to the phone then.
fn settle(lab: &mut Lab, pair: &mut Pair, replies: &[String]) -> Result<(f64, String)> {
    let started = Instant::now();
    for body in replies {
        lab.processes[pair.phone].wait_from(
            0,
            &format!("the reply “{body}”"),
            PATIENCE,
            |v| v["sms_out"]["body"].as_str() == Some(body.as_str()),
        )?;
    }
    wait_inbound(lab, pair, PATIENCE)?;
    let deadline = Instant::now() + PATIENCE;
    loop {
        let phone = lab.processes[pair.phone].ask(&json!({"status": {}}), "status")?;
        let desk = lab.processes[pair.desk].ask(&json!({"status": {}}), "status")?;
        let p = phone["digest"].as_str().unwrap_or("phone").to_string();
        let d = desk["phones"][0]["digest"]
            .as_str()
            .unwrap_or("desk")
            .to_string();
        if p == d {
            let link = desk["phones"][0]["link"]["state"]
                .as_str()
                .unwrap_or("unknown")
                .to_string();
            let phone_link = phone["desktops"][0]["link"]["state"]
                .as_str()
                .unwrap_or("unknown")
                .to_string();
            let inbound = desk["phones"][0]["messages"]["inbound"].as_i64();
            if inbound != Some(pair.texts.len() as i64) {
                bail!(
                    "the desktop holds {inbound:?} inbound texts, the phone was given {}",
                    pair.texts.len()
                );
            }
            return Ok((
                started.elapsed().as_secs_f64(),
                format!("{link} (desktop's view; phone's: {phone_link})"),
            ));
        }
        if Instant::now() > deadline {
            bail!(
                "the digests did not meet within {} s: phone {p}, desktop {d}",
                PATIENCE.as_secs()
            );
        }
        // Wait for the next thing either side prints (a commit, a link change), at most a bit.
        let from = lab.processes[pair.desk].seen.len();
        let _ =
            lab.processes[pair.desk].wait_from(from, "a change", Duration::from_millis(500), |v| {
                v.get("changed").is_some() || v.get("link").is_some()
            });
    }
}

/// Every reply the desktop asked for left the phone exactly once, and nothing else did.
fn check_once(lab: &mut Lab, pair: &Pair) -> Result<()> {
    let phone = &mut lab.processes[pair.phone];
    phone.drain();
    let mut sent: HashMap<&str, usize> = HashMap::new();
    for (_, v) in &phone.seen {
        if let Some(body) = v["sms_out"]["body"].as_str() {
            *sent.entry(body).or_default() += 1;
        }
    }
    for body in &pair.replies {
        match sent.get(body.as_str()) {
            Some(1) => {}
            Some(n) => bail!("the reply “{body}” was sent {n} times"),
            None => bail!("the reply “{body}” was never sent"),
        }
    }
    let unasked: Vec<_> = sent
        .keys()
        .filter(|b| !pair.replies.iter().any(|r| r == *b))
        .collect();
    if !unasked.is_empty() {
        bail!("the phone sent texts nobody asked for: {unasked:?}");
    }
    Ok(())
}

/// Whether a reported link state is `state`: a direct path counts whether the desktop calls
/// it "direct" (over the internet) or "lan" (to a private address: the lab's "internet" is a
/// private range too).
fn link_is(reported: Option<&str>, state: &str) -> bool {
    match state {
        "direct" => matches!(reported, Some("direct" | "lan")),
        _ => reported == Some(state),
    }
}

/// Waits for the desktop to report the phone's link as `state`.
fn wait_link(lab: &mut Lab, pair: &Pair, state: &str, within: Duration) -> Result<()> {
    let desk = &mut lab.processes[pair.desk];
    desk.drain();
    let last = desk
        .seen
        .iter()
        .rev()
        .find_map(|(_, v)| v["link"]["link"]["state"].as_str().map(str::to_string));
    if link_is(last.as_deref(), state) {
        return Ok(());
    }
    let from = desk.seen.len();
    desk.wait_from(from, &format!("the link {state}"), within, |v| {
        link_is(v["link"]["link"]["state"].as_str(), state)
    })?;
    Ok(())
}

fn quit(lab: &mut Lab, pair: &Pair) -> Result<()> {
    lab.processes[pair.desk].send(&json!({"quit": {}}))?;
    lab.processes[pair.desk].stop();
    lab.processes[pair.phone].stop();
    Ok(())
}
