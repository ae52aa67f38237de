import { count } from '../checks/words.js';
import type { BrokerSaid } from '../result/refusals.js';
import type { RunResult } from '../result/result.js';

/**
 * The two blocks a run that met resistance gets in summary.md: why it is INCOMPLETE (each
 * shortfall, one line), and what the broker refused or changed, counted per group with its
 * own words. Rendered from result.json alone; older results have neither.
 */
export function shortfallBlock(run: RunResult): string[] {
  const shortfalls = run.shortfalls ?? [];
  if (shortfalls.length === 0) return [];
  return ['Incomplete — the run could not do what the scenario asked:', '', ...shortfalls.map((s) => `- ${s.text}`), ''];
}

export function brokerSaidBlock(run: RunResult): string[] {
  const said = (run.brokerSaid ?? []).filter((s) => s.kind !== 'told');
  if (said.length === 0) return [];
  return ['What the broker refused or changed:', '', ...said.map((s) => `- ${saidLine(s)}`), ''];
}

/** "backend: DISCONNECT 0x9B QoS not supported — 85×, 2 of 2 clients (e.g. backend-0: …)" */
export function saidLine(s: BrokerSaid): string {
  const example = s.examples[0] ? ` (e.g. ${s.examples[0]})` : '';
  return `${s.group}: ${s.what} — ${count(s.count)}×, ${count(s.clients)} of ${count(s.of)} clients${example}`;
}

/** What the broker granted a group where it differs from what was asked, e.g. " (granted QoS 1, expiry 60 s)". */
export function grantedWords(run: RunResult, group: string): string {
  const changed = (run.brokerSaid ?? []).filter((s) => s.group === group && s.kind === 'changed');
  const parts: string[] = [];
  const suback = changed.find((s) => s.packet === 'SUBACK');
  if (suback) parts.push(`QoS ${String(suback.code)}`);
  const expiry = changed.find((s) => s.property === 'sessionExpiryInterval');
  if (expiry) parts.push(`expiry ${String(expiry.value)} s`);
  return parts.length > 0 ? ` (granted ${parts.join(', ')})` : '';
}
