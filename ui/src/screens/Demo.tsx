import { useState } from "preact/hooks";
import { api, messageOf } from "../api";

/** Demo mode: give the simulated phone a call or a text, or a pairing code. */
export function DemoPanel() {
  const [number, setNumber] = useState("+15551234567");
  const [body, setBody] = useState("Hi, can someone come out today? Our kitchen sink is leaking.");
  const [code, setCode] = useState("");
  const [error, setError] = useState("");
  const [status, setStatus] = useState("");

  const run = (what: string, p: Promise<unknown>) => {
    setError("");
    setStatus("");
    p.then(() => setStatus(what)).catch((e) => setError(messageOf(e)));
  };

  return (
    <section class="page demo" aria-labelledby="demo-title">
      <h1 id="demo-title">Simulated phone</h1>
      <p class="lede">
        This demo runs a simulated business phone, paired with this app the way a real phone is. Give it a missed call and
        watch the text-back appear; text it as the caller and answer from the inbox.
      </p>
      <div class="form-grid">
        <label for="demo-number">Caller's number</label>
        <input id="demo-number" data-testid="demo-number" value={number} onInput={(e) => setNumber((e.currentTarget as HTMLInputElement).value)} />
        <span />
        <button type="button" class="btn primary" data-testid="demo-call" onClick={() => run("The phone rang and nobody answered.", api.demoCall(number, "missed"))}>
          Missed call
        </button>
        <label for="demo-body">The caller's text</label>
        <textarea id="demo-body" data-testid="demo-sms-body" rows={3} value={body} onInput={(e) => setBody((e.currentTarget as HTMLTextAreaElement).value)} />
        <span />
        <button type="button" class="btn" data-testid="demo-sms" onClick={() => run("The phone received the text.", api.demoSms(number, body))}>
          Text from caller
        </button>
        <span />
        <button type="button" class="btn" data-testid="demo-mms" onClick={() => run("The phone received a picture message (a photo of a leak, and the text above).", api.demoMms(number, body))}>
          Photo from caller
        </button>
        <span>The phone's mobile service</span>
        <span class="demo-radio">
          {/* Buttons, not a select: the panel forgets a choice when it is left, the phone does not. */}
          <button type="button" class="btn" data-testid="demo-radio-no_service" onClick={() => run("The phone lost service.", api.demoRadio("no_service"))}>
            No service
          </button>{" "}
          <button type="button" class="btn" data-testid="demo-radio-radio_off" onClick={() => run("The phone's radio is off.", api.demoRadio("radio_off"))}>
            Radio off
          </button>{" "}
          <button type="button" class="btn" data-testid="demo-radio-in_service" onClick={() => run("The phone has service again.", api.demoRadio("in_service"))}>
            Service back
          </button>
        </span>
        <span>The phone's call-log permission</span>
        <span>
          <button type="button" class="btn" data-testid="demo-revoke-call-log" onClick={() => run("Android took the call-log permission away.", api.demoCallLogPermission(false))}>
            Revoke
          </button>{" "}
          <button type="button" class="btn" data-testid="demo-grant-call-log" onClick={() => run("The call-log permission is back.", api.demoCallLogPermission(true))}>
            Grant
          </button>
        </span>
        <label for="demo-code">Pair the simulated phone with a code</label>
        <input id="demo-code" data-testid="demo-pair-code" value={code} placeholder="Paste a pairing code" onInput={(e) => setCode((e.currentTarget as HTMLInputElement).value)} />
        <span />
        <button
          type="button"
          class="btn"
          data-testid="demo-pair"
          onClick={() => {
            run("The simulated phone paired.", api.demoPair(code));
            setStatus("The simulated phone has the code: accept it in the window when the desktop asks.");
          }}
        >
          Pair
        </button>
      </div>
      <p class="status" role="status" data-testid="demo-status">
        {status}
      </p>
      <p class="error-inline" role="alert" data-testid="demo-error">
        {error}
      </p>
    </section>
  );
}
