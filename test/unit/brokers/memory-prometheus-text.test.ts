import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePrometheusText, selectSeries } from '../../../src/brokers/memory-prometheus-text.js';

const TEXT = `# HELP process_resident_memory_bytes Resident memory size in bytes.
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 1.2345e+07
jvm_memory_bytes_used{area="heap"} 1000 1700000000000
jvm_memory_bytes_used{area="nonheap",pool="a \\"quoted\\" one, with\\\\slash"} 250
jvm_memory_bytes_used { area = "other" } 5
erlang_vm_memory_bytes_total{kind="processes",} 7
weird_value NaN
up +Inf
not a metric line
broken{label="unterminated} 3
`;

describe('Prometheus text format', () => {
  const series = parsePrometheusText(TEXT);

  it('reads names, labels (escapes, spaces, trailing comma), values and skips timestamps', () => {
    assert.deepEqual(selectSeries(series, 'process_resident_memory_bytes'), [{ name: 'process_resident_memory_bytes', labels: {}, value: 12345000 }]);
    const jvm = selectSeries(series, 'jvm_memory_bytes_used');
    assert.deepEqual(jvm.map((s) => s.value), [1000, 250, 5]);
    assert.equal(jvm[1]!.labels.pool, 'a "quoted" one, with\\slash');
    assert.equal(jvm[2]!.labels.area, 'other');
    assert.deepEqual(selectSeries(series, 'erlang_vm_memory_bytes_total')[0]!.labels, { kind: 'processes' });
  });

  it('selects by labels', () => {
    assert.deepEqual(selectSeries(series, 'jvm_memory_bytes_used', { area: 'heap' }).map((s) => s.value), [1000]);
    assert.deepEqual(selectSeries(series, 'jvm_memory_bytes_used', { area: 'none' }), []);
  });

  it('keeps NaN and Inf as values (the probe refuses them), skips lines that do not parse', () => {
    assert.ok(Number.isNaN(selectSeries(series, 'weird_value')[0]!.value));
    assert.equal(selectSeries(series, 'up')[0]!.value, Infinity);
    assert.deepEqual(selectSeries(series, 'not'), []);
    assert.deepEqual(selectSeries(series, 'broken'), []);
  });
});
