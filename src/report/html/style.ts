/** The report's stylesheet: readable on screen and in print, no web fonts. */
export const STYLE = `
:root { --fg: #1d2125; --muted: #5f6b76; --line: #dfe3e8; --pass: #1e7e34; --fail: #c0392b; --skip: #7a7a7a; --incomplete: #b26a00; --bg-soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 24px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
p.lead { margin: 0 0 6px; font-size: 15px; }
.meta { color: var(--muted); margin: 0 0 12px; }
.muted { color: var(--muted); }
.legend-runs { display: flex; flex-wrap: wrap; gap: 8px 18px; margin: 10px 0 0; padding: 0; list-style: none; }
.chip { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
.verdict { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; }
.verdict.pass { background: var(--pass); } .verdict.fail { background: var(--fail); } .verdict.unsupported { background: var(--skip); } .verdict.incomplete { background: var(--incomplete); }
table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 10px; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
thead th { border-bottom: 2px solid var(--line); font-weight: 600; }
tbody th { font-weight: normal; color: var(--muted); }
table.wide { width: 100%; }
td.ok { color: var(--pass); } td.bad { color: var(--fail); font-weight: 600; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 14px; }
.card { border: 1px solid var(--line); border-top: 4px solid var(--card, #999); border-radius: 6px; padding: 10px 14px; background: #fff; }
.card h3 { margin-top: 2px; }
.card ul { padding-left: 18px; margin: 4px 0 8px; }
.card li { margin: 3px 0; }
.card .label { font-weight: 600; margin: 8px 0 0; }
.failed li { color: var(--fail); }
.chart-box { margin: 10px 0 4px; }
.chart-box h3 { margin-bottom: 2px; }
.chart-box .what { color: var(--muted); margin: 0 0 6px; }
.plot { width: 100%; min-height: 300px; }
svg.chart { max-width: 100%; height: auto; font: 12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
svg .bar-category, svg .lane-label { fill: var(--fg); }
svg .bar-value, svg .tick, svg .legend { fill: var(--muted); }
svg .phase-label { fill: #1d2125; font-size: 11px; }
.empty { color: var(--muted); font-style: italic; margin: 6px 0; }
table.ramp td.why { text-align: left; color: var(--muted); } table.ramp .verdict { white-space: nowrap; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--bg-soft); padding: 1px 4px; border-radius: 3px; }
@media print { main { max-width: none; } h2 { break-after: avoid; } .chart-box, .card { break-inside: avoid; } }
`;
