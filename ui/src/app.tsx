import { useCallback, useEffect, useState } from "preact/hooks";
import { api, events, messageOf, type ConvKey, type PeerRow } from "./api";
import { Inbox } from "./screens/Inbox";
import { Calls } from "./screens/Calls";
import { Appointments } from "./screens/Appointments";
import { Dashboard } from "./screens/Dashboard";
import { SettingsScreen } from "./screens/Settings";
import { DevicesScreen } from "./screens/Devices";
import { DemoPanel } from "./screens/Demo";
import { PairingDialog } from "./components/PairingDialog";
import { chosenPhone, rememberPhone, rememberedPhone, type PhoneChoice } from "./components/PhonePicker";
import type { AlertRow, PairingRequestRow } from "./bindings";
import { NeedsAttention } from "./components/NeedsAttention";

export type Screen = "inbox" | "calls" | "appointments" | "dashboard" | "settings" | "devices" | "demo";

const NAV: { id: Screen; label: string }[] = [
  { id: "inbox", label: "Inbox" },
  { id: "calls", label: "Missed calls" },
  { id: "appointments", label: "Appointments" },
  { id: "dashboard", label: "Dashboard" },
  { id: "settings", label: "Settings" },
  { id: "devices", label: "Devices" },
];

export function App() {
  const [screen, setScreen] = useState<Screen>("inbox");
  const [open, setOpen] = useState<ConvKey | null>(null);
  // Bumped whenever a phone's data changes: screens reload what they show.
  const [version, setVersion] = useState(0);
  const [phones, setPhones] = useState<PeerRow[]>([]);
  // The phone Settings, Dashboard and Appointments act on, as the person chose it.
  const [chosen, setChosen] = useState<string | null>(rememberedPhone);
  const [requests, setRequests] = useState<PairingRequestRow[]>([]);
  const [demo, setDemo] = useState(false);
  const [unread, setUnread] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [alerts, setAlerts] = useState<AlertRow[]>([]);

  const refreshOverview = useCallback(() => {
    api
      .overview()
      .then((o) => {
        setPhones(o.phones);
        setDemo(o.demo);
        setUnread(o.unread_total);
        setError(null);
      })
      .catch((e) => setError(messageOf(e)));
  }, []);

  useEffect(() => {
    refreshOverview();
    api
      .alerts()
      .then(setAlerts)
      .catch(() => undefined);
    api
      .pairingRequests()
      .then(setRequests)
      .catch(() => undefined);
    const stops: Promise<() => void>[] = [
      events.pairingRequestsChanged.listen((e) => setRequests(e.payload.requests)),
      events.alertsChanged.listen((e) => setAlerts(e.payload.alerts)),
      events.storeChanged.listen(() => {
        setVersion((v) => v + 1);
        refreshOverview();
      }),
      events.peersChanged.listen((e) => {
        setPhones(e.payload.phones);
        refreshOverview();
      }),
      events.openConversation.listen((e) => {
        setScreen("inbox");
        setOpen(e.payload.key);
      }),
    ];
    return () => stops.forEach((p) => p.then((stop) => stop()).catch(() => undefined));
  }, [refreshOverview]);

  useEffect(() => {
    document.documentElement.dataset.phones = String(phones.length);
  }, [phones]);

  const openConversation = useCallback((key: ConvKey) => {
    setScreen("inbox");
    setOpen(key);
  }, []);

  const choice: PhoneChoice = {
    phones,
    phone: chosenPhone(phones, chosen),
    onChoosePhone: (endpoint: string) => {
      setChosen(endpoint);
      rememberPhone(endpoint);
    },
  };
  const nav = demo ? [...NAV, { id: "demo" as Screen, label: "Simulated phone" }] : NAV;
  return (
    <div class="shell">
      <nav class="nav" aria-label="Sections">
        <div class="brand" aria-hidden="true">
          Ringback
        </div>
        {nav.map((n) => (
          <button
            key={n.id}
            type="button"
            data-testid={`nav-${n.id}`}
            class={screen === n.id ? "navbtn active" : "navbtn"}
            aria-current={screen === n.id ? "page" : undefined}
            onClick={() => setScreen(n.id)}
          >
            {n.label}
            {n.id === "inbox" && unread > 0 && (
              <span class="badge" aria-label={`${unread} unread`}>
                {unread}
              </span>
            )}
          </button>
        ))}
        <div class="navfoot">
          {phones.length === 0 ? (
            <span>No phone paired</span>
          ) : (
            phones.map((p) => (
              <span key={p.endpoint} class={`link link-${p.link}`}>
                {p.name}: {p.link === "offline" ? "offline" : p.link === "relay" ? "connected (relayed)" : "connected"}
              </span>
            ))
          )}
        </div>
      </nav>
      <main class="main">
        {error && (
          <div role="alert" class="error-banner">
            {error}
          </div>
        )}
        {screen === "inbox" && <NeedsAttention alerts={alerts} onOpen={openConversation} />}
        {screen === "inbox" && <Inbox version={version} open={open} onOpen={setOpen} noPhone={phones.length === 0} />}
        {screen === "calls" && <Calls version={version} onOpen={openConversation} />}
        {screen === "appointments" && <Appointments version={version} onOpen={openConversation} {...choice} />}
        {screen === "dashboard" && <Dashboard version={version} {...choice} />}
        {screen === "settings" && <SettingsScreen {...choice} version={version} />}
        {screen === "devices" && <DevicesScreen phones={phones} waiting={requests.length} />}
        {screen === "demo" && demo && <DemoPanel />}
      </main>
      <PairingDialog requests={requests} />
    </div>
  );
}
