import { count } from '../checks/words.js';
import type { RunResult } from '../result/result.js';

/**
 * The agents part of summary.md (docs/scaling-out.md): per run, which agent ran which
 * clients, its clock offset to the coordinator and that offset's bound (cross-agent
 * latencies are right within the sum of two bounds), which agent was lost, and how far
 * apart the agents applied each fault. Empty when one process ran the clients.
 */
export function agentsSection(runs: readonly RunResult[]): string[] {
  const withAgents = runs.filter((r) => r.agents && r.agents.length > 0);
  if (withAgents.length === 0) return [];
  const lines = ['## Agents', ''];
  for (const run of withAgents) {
    lines.push(`${run.label}:`, '');
    lines.push('| agent | host (pid) | joined from | clients | share | clock offset |', '|---|---|---|---:|---|---|');
    for (const a of run.agents!) {
      const share = a.share.map((s) => `${s.group} ${s.first}–${s.first + s.count - 1}`).join(', ');
      const clock = `${a.clockOffsetMs.toFixed(3)} ms ± ${a.clockUncertaintyMs.toFixed(3)} ms`;
      lines.push(`| ${a.agent}${a.lost ? ' (lost)' : ''} | ${a.host} (${a.pid}) | ${a.address} | ${count(a.clients)} | ${share} | ${clock} |`);
    }
    const bounds = run.agents!.map((a) => a.clockUncertaintyMs).sort((a, b) => b - a);
    const crossBound = (bounds[0] ?? 0) + (bounds[1] ?? 0);
    const skews = run.timeline.flatMap((e) => ((e.kind === 'fault-start' || e.kind === 'fault-stop') && e.skewMs !== undefined ? [`${e.label}: ${e.skewMs} ms`] : []));
    lines.push('');
    if (run.agents!.length > 1) lines.push(`Latencies from one agent's client to another's are right within ± ${crossBound.toFixed(3)} ms (the two largest clock bounds added).`, '');
    if (skews.length > 0) lines.push(`Faults applied by every agent's fault server within: ${skews.join('; ')}.`, '');
  }
  return lines;
}
