import { useEffect, useState } from "preact/hooks";
import { api, messageOf, type AppointmentView, type ConvKey, type ExportedFile } from "../api";
import { PhonePicker, type PhoneChoice } from "../components/PhonePicker";

/** Today's and upcoming appointments the assistant booked on one phone (named; a chooser when several are paired), with an iCalendar export. */
export function Appointments(props: PhoneChoice & { version: number; onOpen: (k: ConvKey) => void }) {
  const [rows, setRows] = useState<AppointmentView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [exported, setExported] = useState<ExportedFile | null>(null);
  const [exporting, setExporting] = useState(false);

  const phone = props.phone;
  // Another phone's appointments never stay on screen under this one's name.
  useEffect(() => {
    setRows(null);
    setExported(null);
  }, [phone]);
  useEffect(() => {
    if (phone === null) return;
    api
      .appointments(phone)
      .then((r) => {
        setRows(r);
        setError(null);
      })
      .catch((e) => setError(messageOf(e)));
  }, [phone, props.version]);

  const exportIcs = () => {
    if (phone === null) return;
    setExporting(true);
    setExported(null);
    api
      .exportAppointments(phone)
      .then((f) => {
        setExported(f);
        setError(null);
      })
      .catch((e) => setError(messageOf(e)))
      .finally(() => setExporting(false));
  };

  const zones = [...new Set((rows ?? []).map((r) => r.timezone))];
  return (
    <section class="page" aria-labelledby="appointments-title">
      <h1 id="appointments-title">Appointments</h1>
      <PhonePicker {...props} what="Booked on" />
      <p class="lede">
        Booked by the assistant in a conversation, today and later{zones.length === 1 ? ` (times in ${zones[0]})` : ""}.
      </p>
      <div class="export">
        <button type="button" class="btn" data-testid="export-ics" disabled={exporting || !rows || rows.length === 0} onClick={exportIcs}>
          Export .ics
        </button>
        {exported && (
          <span role="status" data-testid="export-result">
            Saved {exported.count} {exported.count === 1 ? "appointment" : "appointments"} to{" "}
            <span class="export-path" data-testid="export-path">
              {exported.path}
            </span>
          </span>
        )}
      </div>
      {error && (
        <div role="alert" class="error-inline">
          {error}
        </div>
      )}
      {phone === null ? (
        <p class="notice">{props.phones.length === 0 ? "Pair the business phone under Devices first." : "Choose the phone whose appointments to show."}</p>
      ) : rows === null && !error ? (
        <p class="empty">Loading…</p>
      ) : rows && rows.length === 0 ? (
        <p class="empty">No appointments yet. When the assistant books a job, it shows here.</p>
      ) : (
        rows && (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Time</th>
                  <th scope="col">Who</th>
                  <th scope="col">Job</th>
                  <th scope="col">
                    <span class="sr-only">Conversation</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((a) => (
                  <tr key={`${a.key.phone}-${a.id}`} data-testid="appointment-row" data-number={a.number}>
                    <td>{a.day}</td>
                    <td title={a.timezone}>{a.time}</td>
                    <td>{a.contact_name ? `${a.contact_name} (${a.display_number})` : a.display_number}</td>
                    <td>{a.summary}</td>
                    <td>
                      <button type="button" class="linkbtn" data-testid="appointment-open" onClick={() => props.onOpen(a.key)}>
                        Open conversation
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      )}
    </section>
  );
}
