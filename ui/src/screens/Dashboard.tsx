import { useEffect, useState } from "preact/hooks";
import { api, messageOf, type Dashboard as DashboardData } from "../api";
import { duration, percent } from "../format";
import { PhonePicker, type PhoneChoice } from "../components/PhonePicker";

type Period = "today" | "7" | "30" | "custom";

function isoDay(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export function range(period: Period, now: Date = new Date()): [string, string] {
  const to = isoDay(now);
  if (period === "today") return [to, to];
  const days = period === "7" ? 6 : 29;
  const from = new Date(now);
  from.setDate(from.getDate() - days);
  return [isoDay(from), to];
}

/** One phone's dashboard, the phone named; a chooser when several are paired. */
export function Dashboard(props: PhoneChoice & { version: number }) {
  const [period, setPeriod] = useState<Period>("7");
  const [custom, setCustom] = useState<[string, string]>(range("30"));
  const [data, setData] = useState<DashboardData | null>(null);
  const [error, setError] = useState("");
  const [from, to] = period === "custom" ? custom : range(period);

  const phone = props.phone;
  // Another phone's numbers never stay on screen under this one's name.
  useEffect(() => setData(null), [phone]);
  useEffect(() => {
    if (phone === null) return;
    api
      .dashboard(phone, from, to)
      .then((d) => {
        setData(d);
        setError("");
      })
      .catch((e) => setError(messageOf(e)));
  }, [phone, from, to, props.version]);

  return (
    <section class="page" aria-labelledby="dash-title">
      <h1 id="dash-title">Dashboard</h1>
      <PhonePicker {...props} what="Calls on" />
      {phone === null && (
        <p class="notice">{props.phones.length === 0 ? "Pair the business phone under Devices first." : "Choose the phone whose calls to count."}</p>
      )}
      <div class="period" role="group" aria-label="Period">
        {(
          [
            ["today", "Today"],
            ["7", "Last 7 days"],
            ["30", "Last 30 days"],
            ["custom", "Custom"],
          ] as [Period, string][]
        ).map(([id, label]) => (
          <button key={id} type="button" class={period === id ? "chipbtn active" : "chipbtn"} aria-pressed={period === id} onClick={() => setPeriod(id)}>
            {label}
          </button>
        ))}
        {period === "custom" && (
          <>
            <label>
              From <input type="date" value={custom[0]} onInput={(e) => setCustom([(e.currentTarget as HTMLInputElement).value, custom[1]])} />
            </label>
            <label>
              To <input type="date" value={custom[1]} onInput={(e) => setCustom([custom[0], (e.currentTarget as HTMLInputElement).value])} />
            </label>
          </>
        )}
      </div>
      {error && (
        <div role="alert" class="error-inline">
          {error}
        </div>
      )}
      {data && <DashboardView data={data} />}
    </section>
  );
}

export function DashboardView(props: { data: DashboardData }) {
  const d = props.data;
  const tiles: [string, string][] = [
    ["Missed calls", String(d.missed)],
    ["Texted back", String(d.texted)],
    ["Replied", String(d.replied)],
    ["Recovery rate", percent(d.recovery_rate)],
    ["Booked", String(d.booked)],
    ["Median time to text", duration(d.median_text_seconds)],
    ["Median time to first answer", duration(d.median_first_answer_seconds)],
  ];
  return (
    <>
      <dl class="tiles">
        {tiles.map(([k, v]) => (
          <div class="tile" key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <Chart days={d.days} />
    </>
  );
}

type Day = DashboardData["days"][number];

/** Bars per day (missed, texted, replied), drawn here as SVG: nothing from the network. */
export function Chart(props: { days: Day[] }) {
  const days = props.days;
  const max = Math.max(1, ...days.map((d) => Math.max(d.missed, d.texted, d.replied)));
  const W = 720;
  const H = 200;
  const LEFT = 28; // room for the scale
  const group = (W - LEFT) / Math.max(days.length, 1);
  const bar = Math.max(1, Math.min(14, (group - 4) / 3));
  const pad = LEFT + (group - 3 * bar) / 2;
  const series: [keyof Day, string][] = [
    ["missed", "bar-missed"],
    ["texted", "bar-texted"],
    ["replied", "bar-replied"],
  ];
  return (
    <figure class="chart">
      <svg viewBox={`0 -12 ${W} ${H + 32}`} role="img" aria-labelledby="chart-title chart-desc">
        <title id="chart-title">Missed calls, texts back and replies per day</title>
        <desc id="chart-desc">One group of three bars per day; the table below has the same numbers.</desc>
        {[max, Math.round(max / 2)].filter((v, i, a) => v > 0 && a.indexOf(v) === i).map((v) => (
          <g key={`grid-${v}`} class="grid">
            <line x1={LEFT} x2={W} y1={H - (v / max) * H} y2={H - (v / max) * H} />
            <text x={LEFT - 4} y={H - (v / max) * H + 4} class="axis" text-anchor="end">
              {v}
            </text>
          </g>
        ))}
        <line class="baseline" x1={LEFT} x2={W} y1={H} y2={H} />
        {days.map((d, i) => (
          <g key={d.day} class="day" data-day={d.day}>
            <title>{`${d.day}: ${d.missed} missed, ${d.texted} texted back, ${d.replied} replied`}</title>
            {series.map(([k, cls], j) => {
              const v = d[k] as number;
              const h = (v / max) * H;
              return <rect key={k} class={cls} x={pad + i * group + j * bar} y={H - h} width={Math.max(bar - 1, 1)} height={h} />;
            })}
            {(days.length <= 14 || i % Math.ceil(days.length / 10) === 0) && (
              <text x={LEFT + i * group + group / 2} y={H + 14} class="axis" text-anchor="middle">
                {d.day.slice(5)}
              </text>
            )}
          </g>
        ))}
      </svg>
      <figcaption>
        <span class="key bar-missed">Missed</span> <span class="key bar-texted">Texted</span> <span class="key bar-replied">Replied</span>
      </figcaption>
      <details>
        <summary>Numbers per day</summary>
        <table class="table">
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Missed</th>
              <th scope="col">Texted</th>
              <th scope="col">Replied</th>
              <th scope="col">Booked</th>
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr key={d.day}>
                <td>{d.day}</td>
                <td>{d.missed}</td>
                <td>{d.texted}</td>
                <td>{d.replied}</td>
                <td>{d.booked}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
