import type { CpuShare, Interval } from './cpu.js';

/**
 * One figure of a benchmark; `cpu` says what each party spent on it (per `per`: msg,
 * connection…); the fault server's share is shown for rows whose clients went through it.
 */
export interface BenchRow {
  metric: string;
  value: number;
  unit: string;
  target: string;
  note?: string;
  cpu?: Interval & { per: string; proxied?: boolean };
  /** Harness ÷ baseline, measured in the same run against the same broker. */
  ratios?: { throughput: number; cpuPerMsg: number };
}

const number = (n: number): string => (!Number.isFinite(n) ? '–' : Number.isInteger(n) ? String(n) : Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2));

function share(s: CpuShare, per: string): string {
  return `${s.pctCore.toFixed(0)}% · ${number(s.usPerUnit)} µs/${per}`;
}

/** A suite's rows as a markdown table (CPU columns when any row has them), then its notes. */
export function renderTable(rows: readonly BenchRow[]): string {
  const withCpu = rows.some((r) => r.cpu);
  const withFault = rows.some((r) => r.cpu?.proxied);
  const head = ['metric', 'value', ...(withCpu ? ['harness CPU', ...(withFault ? ['fault server CPU'] : []), 'broker CPU'] : []), 'target'];
  const lines = [`| ${head.join(' | ')} |`, `| --- | ---: | ${head.slice(2).map(() => '---').join(' | ')} |`];
  for (const r of rows) {
    const cpu = r.cpu
      ? [share(r.cpu.harness, r.cpu.per), ...(withFault ? [r.cpu.proxied ? share(r.cpu.faultServer, r.cpu.per) : ''] : []), share(r.cpu.broker, r.cpu.per)]
      : withCpu
        ? ['', ...(withFault ? [''] : []), '']
        : [];
    lines.push(`| ${[r.metric, `${number(r.value)} ${r.unit}`.trim(), ...cpu, r.target].join(' | ')} |`);
  }
  for (const r of rows) if (r.note) lines.push('', `note (${r.metric}): ${r.note}`);
  return lines.join('\n');
}
