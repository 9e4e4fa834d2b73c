/**
 * The event browser's stylesheet, served as `{basePath}/browser.css`.
 *
 * @internal
 */
export const PAGE_STYLE = `
:root {
  --fg: #1d2330; --muted: #5d6678; --line: #dde2ea; --bg: #ffffff; --panel: #f5f7fa;
  --accent: #2454c5; --accent-bg: #e8eefc; --warn: #a14a00; --warn-bg: #fff3e0;
  --error: #b3261e; --ok: #1b7f3b; --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  color-scheme: light;
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg); background: var(--bg); }
header { padding: 14px 24px 0; border-bottom: 1px solid var(--line); background: var(--panel); }
h1 { margin: 0; font-size: 18px; font-weight: 600; }
h1 .product { color: var(--muted); font-weight: 400; }
h2 { font-size: 16px; margin: 0 0 12px; }
h3 { font-size: 14px; margin: 0; }
.summary { margin: 2px 0 10px; color: var(--muted); }
nav { display: flex; gap: 4px; }
nav a { padding: 8px 14px; color: var(--muted); text-decoration: none; border: 1px solid transparent;
  border-bottom: none; border-radius: 6px 6px 0 0; }
nav a:hover { color: var(--fg); }
nav a[aria-current="page"] { background: var(--bg); color: var(--fg); border-color: var(--line);
  margin-bottom: -1px; font-weight: 600; }
main { padding: 18px 24px 32px; }
a { color: var(--accent); }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin-bottom: 12px; }
.toolbar .spacer { flex: 1; }
input[type="text"], input[type="search"] { font: inherit; padding: 5px 8px; min-width: 280px;
  border: 1px solid var(--line); border-radius: 5px; }
button { font: inherit; padding: 5px 12px; border: 1px solid var(--line); border-radius: 5px;
  background: var(--bg); color: var(--fg); cursor: pointer; }
button:hover:not(:disabled) { border-color: var(--accent); color: var(--accent); }
button:disabled { color: var(--muted); cursor: default; opacity: .6; }
button.link { border: none; padding: 0; background: none; color: var(--accent); cursor: pointer; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { font-weight: 600; color: var(--muted); background: var(--panel); position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.mono, td.id, .field-value { font-family: var(--mono); font-size: 12.5px; }
td.fields { color: var(--muted); font-family: var(--mono); font-size: 12px; max-width: 520px;
  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.muted { color: var(--muted); }
.error { color: var(--error); }
.empty { color: var(--muted); padding: 16px 0; }
.pill { display: inline-block; padding: 1px 8px; border-radius: 10px; background: var(--accent-bg);
  color: var(--accent); font-size: 12px; }
.events { display: flex; flex-direction: column; gap: 12px; }
.event { border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
.event > .event-head { display: flex; gap: 12px; align-items: baseline; padding: 8px 12px;
  background: var(--panel); border-bottom: 1px solid var(--line); }
.event > .event-head .time { margin-left: auto; color: var(--muted); font-family: var(--mono); font-size: 12px; }
.event table th { width: 200px; color: var(--muted); font-weight: 500; }
.event table tr:last-child th, .event table tr:last-child td { border-bottom: none; }
.field-value { margin: 0; white-space: pre-wrap; word-break: break-word; }
.status { font-weight: 600; }
.status.live { color: var(--ok); }
.status.closed { color: var(--error); }
tr.new td { animation: flash 1.5s ease-out; }
@keyframes flash { from { background: var(--accent-bg); } to { background: transparent; } }
tr.behind td { background: var(--warn-bg); }
tr.behind td.behind { color: var(--warn); font-weight: 600; }
`;
