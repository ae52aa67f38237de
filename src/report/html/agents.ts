import type { RunResult } from '../../result/result.js';
import { escapeXml as esc } from './escape.js';

/**
 * report.html's Agents part (docs/scaling-out.md): per run, which agent ran which clients,
 * its clock offset to the coordinator and that offset's bound, a lost agent, and how far
 * apart the agents applied each fault. Empty when one process ran the clients.
 */
export function agentsHtml(runs: readonly RunResult[]): string {
  const withAgents = runs.filter((r) => r.agents && r.agents.length > 0);
  if (withAgents.length === 0) return '';
  const parts = withAgents.map((run) => {
    const rows = run.agents!.map((a) => {
      const share = a.share.map((s) => `${s.group} ${s.first}–${s.first + s.count - 1}`).join(', ');
      const cells = [`${a.agent}${a.lost ? ' (lost)' : ''}`, `${a.host} (${a.pid})`, a.address, String(a.clients), share, `${a.clockOffsetMs.toFixed(3)} ms ± ${a.clockUncertaintyMs.toFixed(3)} ms`];
      return `<tr${a.lost ? ` title="${esc(a.lost)}"` : ''}>${cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`;
    });
    const skews = run.timeline.flatMap((e) => ((e.kind === 'fault-start' || e.kind === 'fault-stop') && e.skewMs !== undefined ? [`${e.label}: ${e.skewMs} ms`] : []));
    const head = ['agent', 'host (pid)', 'joined from', 'clients', 'share', 'clock offset'].map((h) => `<th>${h}</th>`).join('');
    return [
      `<h3>${esc(run.label)}</h3>`,
      `<table class="wide agents" data-run="${esc(run.id)}"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`,
      skews.length > 0 ? `<p class="what muted">Faults applied by every agent's fault server within: ${esc(skews.join('; '))}.</p>` : '',
    ].join('\n');
  });
  return `<section class="part"><h2 id="agents">Agents</h2>\n${parts.join('\n')}</section>`;
}
