/**
 * The Grafana dashboard and docs/live-metrics.md against what `--metrics` serves: every
 * metric a panel queries exists, and the page explains every metric there is.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { LiveMetrics } from '../../../src/metrics/live-metrics.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const served = new Set(new LiveMetrics().registry.getMetricsAsArray().map((m) => m.name));

interface Panel {
  title: string;
  targets?: { expr: string }[];
}

describe('live metrics docs', () => {
  it('the Grafana dashboard queries only metrics that are served, and a panel shows each', () => {
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'docs/grafana/mqtt-chaos-live.json'), 'utf8')) as { panels: Panel[]; templating: { list: { query?: { query: string } }[] } };
    const queries = [...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)), ...dashboard.templating.list.flatMap((v) => v.query?.query ?? [])];
    const queried = new Set(queries.flatMap((q) => [...q.matchAll(/mqtt_chaos_[a-z_]+/g)].map((m) => m[0])));
    assert.deepEqual([...queried].filter((name) => !served.has(name)), []);
    assert.deepEqual([...served].filter((name) => !queried.has(name)), [], 'every served metric is on the dashboard');
    for (const panel of dashboard.panels) assert.ok((panel.targets ?? []).length > 0, `${panel.title} has a query`);
  });

  it('docs/live-metrics.md explains every metric served', () => {
    const page = readFileSync(join(ROOT, 'docs/live-metrics.md'), 'utf8');
    assert.deepEqual([...served].filter((name) => !page.includes(`\`${name}\``)), []);
    assert.match(page, /docs\/grafana\/mqtt-chaos-live\.json/);
  });
});
