import { render } from "preact";
import { App } from "./app";
import { api } from "./api";
import "./styles.css";

// The start-up benchmark's first mark: the window's script runs.
api.uiReady("script").catch(() => undefined);
// Anything that escapes a handler still reaches the person (and the end-to-end tests).
function report(what: unknown) {
  const text = what instanceof Error ? what.message : String(what);
  document.documentElement.dataset.lastError = text;
  console.error(what);
}
window.addEventListener("error", (e) => report(e.error ?? e.message));
window.addEventListener("unhandledrejection", (e) => report(e.reason));
const root = document.getElementById("app");
if (root) render(<App />, root);
