/**
 * What a measure-expiry phase's numbers mean, in checks (the spec's promises: no session
 * ends before its expiry, every session ends; and the two methods agree) and in plain words.
 */
import type { Check } from '../result/result.js';
import type { GroupPlan } from '../scenario/plan.js';
import { signed } from './words.js';
import type { ExpiryCloseResult, ExpiryResult, ExpiryStats } from '../result/expiry.js';
import { count, duration, plural } from './words.js';

export function expiryChecks(e: ExpiryResult | undefined): Check[] {
  if (!e?.measured) return [];
  const checks: Check[] = [
    {
      name: 'no session ended before its expiry',
      source: 'builtin',
      passed: e.early === 0,
      actual: e.early,
      threshold: '== 0',
      explanation:
        e.early === 0
          ? `none of ${count(e.sessions)} sessions ended before close + its expiry`
          : `${plural(e.early, 'session')} ended before close + its expiry (MQTT-3.1.2-23: the session state must be kept that long), e.g. ${e.earlyRefs.join(', ')}`,
    },
    {
      name: 'every session ended',
      source: 'builtin',
      passed: e.never === 0,
      actual: e.never,
      threshold: '== 0',
      explanation:
        e.never === 0
          ? 'every session observed ended within its bound'
          : e.method === 'probes'
            ? `${plural(e.never, 'probe')} found a session alive past its expiry and the broker's resolution`
            : `${plural(e.never, 'session')} sent no will within the bound after close + expiry (MQTT-4.1.0-2: the session must be discarded), e.g. ${e.neverRefs.join(', ')}`,
    },
  ];
  if (e.agreement.agree !== null) {
    checks.push({
      name: 'expiry methods agree',
      source: 'builtin',
      passed: e.agreement.agree,
      actual: e.agreement.worstDeltaMs,
      threshold: `|Δ| <= ${e.agreement.toleranceMs} ms`,
      explanation: e.agreement.explanation,
    });
  }
  return checks;
}

const CLOSE_WORDS = {
  graceful: 'closed by DISCONNECT (reason 0x04, the will kept)',
  abrupt: 'dropped by the client without DISCONNECT',
  partition: 'cut off by a silent partition',
} as const;

export function expiryExplanations(e: ExpiryResult | undefined, groups: readonly GroupPlan[]): string[] {
  if (!e) return [];
  if (!e.measured) return [`Session expiry not measured: ${e.notMeasured}.`];
  const lines: string[] = [];
  for (const g of e.groups) {
    const words = (close: keyof typeof CLOSE_WORDS) => {
      if (close !== 'graceful') return CLOSE_WORDS[close];
      if (e.method === 'probes') return 'closed by DISCONNECT';
      return g.disconnectChange ? `closed by DISCONNECT (reason 0x00, Session Expiry Interval ${g.disconnectChange.toSec} s)` : CLOSE_WORDS[close];
    };
    const kinds = g.closes.map((c) => `${count(c.sessions)} ${words(c.close)}`).join(', ');
    const expiry =
      g.expirySec === null
        ? 'no expiry'
        : e.method === 'probes'
          ? `broker-side expiry ${duration(g.expirySec * 1000)}`
          : g.assignedExpirySec !== undefined
            ? `Session Expiry Interval ${g.assignedExpirySec} s (the broker's CONNACK cut the requested ${g.expirySec} s; measured against ${g.assignedExpirySec} s)`
            : `Session Expiry Interval ${g.expirySec} s`;
    const changed = g.disconnectExpirySec !== undefined && !g.disconnectChange ? `, changed to ${g.disconnectExpirySec} s at DISCONNECT` : '';
    const will =
      e.method === 'probes'
        ? ''
        : g.willDelaySec > 0
          ? ` Each carried a Will with Will Delay ${g.willDelaySec} s, longer than any session can take to end, so its will marks the moment the session ended.`
          : ' Each carried a Will with no delay: with expiry 0 the session ends with the connection, and the will with it.';
    lines.push(`${g.group}: ${expiry}${changed}; ${kinds}.${will}`);
    if (g.connectFailed + g.closeFailed > 0) {
      lines.push(`${g.group}: ${count(g.connectFailed)} sessions did not connect and ${count(g.closeFailed)} could not be closed as planned: left out.`);
    }
    for (const c of g.closes) lines.push(...closeLines(g.group, g.keepAliveSec, c));
    if (g.disconnectChange) {
      const d = g.disconnectChange;
      lines.push(
        `${g.group}: ${count(d.sessions)} DISCONNECTs changed the Session Expiry Interval from 0 to ${d.toSec} s, a protocol error (MQTT 5 §3.14.2.2.2): ` +
          `the broker ended ${count(d.endedAtClose)} sessions at the close and ${count(d.aliveAfter)} were still alive later${d.aliveAfter > 0 ? ' — it accepted the change' : ''}; ` +
          `${count(d.protocolErrorSeen)} clients saw its DISCONNECT 0x82 (Protocol Error) before their socket closed.`,
      );
    }
  }
  if (e.early > 0) lines.push(`${plural(e.early, 'session')} ended before close + expiry (MQTT-3.1.2-23), e.g. ${e.earlyRefs.join(', ')}.`);
  if (e.never > 0 && e.method !== 'probes') lines.push(`${plural(e.never, 'session')} never sent a will within the bound (MQTT-4.1.0-2), e.g. ${e.neverRefs.join(', ')}.`);
  if (e.resumedByProbe > 0) {
    lines.push(
      e.method === 'probes'
        ? `${plural(e.resumedByProbe, 'probed session')} were still alive; their probe resumed them, and a CleanSession=1 connection then discarded them.`
        : `${plural(e.resumedByProbe, 'probed session')} were still alive, and their probe resumed them (then ended them with expiry 0): they are out of the will method.`,
    );
  }
  if (e.willMissing > 0) lines.push(`${plural(e.willMissing, 'session')} a probe found gone had sent no will: the broker discarded them without publishing their will.`);
  if (e.agreement.agree !== null) {
    lines.push(`Will and probe methods ${e.agreement.agree ? 'agree' : 'DISAGREE'} within the broker's resolution plus the harness's (${duration(e.agreement.toleranceMs)}): ${e.agreement.explanation}.`);
  }
  const r = e.resolution;
  if (r.harnessMs !== null) {
    lines.push(
      `Harness resolution ${duration(r.harnessMs)} (the observer's round trip through the broker p99 ${r.roundTripP99Ms === null ? '–' : duration(r.roundTripP99Ms)}, ` +
        `event-loop delay p99 ${r.eventLoopP99Ms === null ? '–' : duration(r.eventLoopP99Ms)}), against the broker's ${duration(r.brokerMs)}: ${r.broker}.`,
    );
  }
  lines.push(...e.notes);
  void groups;
  return lines;
}

function closeLines(group: string, keepAliveSec: number, c: ExpiryCloseResult): string[] {
  const lines: string[] = [];
  const e = c.expectedMs;
  if (c.close !== 'partition') {
    if (c.error) {
      lines.push(
        `${group}, ${c.close}: the broker ended sessions ${pair(c.error)} after close + ${duration(e)} (earliest ${signed(c.error.min)}, latest ${signed(c.error.max)}; ${count(c.error.count)} timed by their will).`,
      );
    }
  } else if (c.detection) {
    const seen = c.detectionSeen ? ` The broker's close, passed on to the client by the proxy, came ${pair(c.detectionSeen)} after the cut.` : '';
    const error = c.error ? ` From that close the session ended ${pair(c.error)} after E, as after a DISCONNECT.` : '';
    lines.push(
      `${group}, partition: the broker learned of a silent partition only by keep-alive — 1.5 × ${keepAliveSec} s after the client's last packet, ` +
        `then its keep-alive sweep (Mosquitto: about every 6 s) — so the expiry clock started ${pair(c.detection)} after the cut (derived: will − E).${seen}${error}`,
    );
  }
  if (c.probed > 0) {
    const s = c.survival;
    const where = s.boundaryMs !== null ? `crosses 50% at ${signed(s.boundaryMs)}` : s.outside === 'after' ? 'stays above 50% over the probed offsets' : 'is below 50% from the first probe';
    const frame = c.close === 'partition' ? `the cut + ${duration(e)}` : `close + ${duration(e)}`;
    lines.push(`${group}, ${c.close}: ${count(c.probed)} sessions probed once each, ${count(c.resumedByProbe)} found alive; the survival curve ${where} from ${frame}.`);
  }
  return lines;
}

function pair(s: ExpiryStats): string {
  return `${duration(s.p50)} (p50) / ${duration(s.p99)} (p99)`;
}
