import { escapeXml } from './html/escape.js';
import type { RampResult } from '../result/ramp.js';
import type { Check, Result, RunResult } from '../result/result.js';
import { saidLine } from './said-md.js';

/**
 * junit.xml: one <testsuite> per run of the matrix, one <testcase> per check (classname =
 * scenario.run-id, name = the check as written), so CI systems list every check natively. A
 * failed check is a <failure> whose message is the check's one-line explanation; a run the
 * broker could not do (unsupported) is one skipped test case with the reason; a run that
 * could not do what the scenario asked (incomplete) makes each of its checks an <error>
 * naming the shortfalls, with what the broker refused or changed in its body, since what
 * they measured is partial. Rendered from result.json alone.
 */
export function renderJunit(result: Result): string {
  const suites = [...result.runs.map((run, i) => suite(result, run, i)), ...(result.ramp ? [rampSuite(result, result.ramp, result.runs.length)] : [])];
  const total = (key: keyof Counts): number => suites.reduce((n, s) => n + s.counts[key], 0);
  const seconds = result.runs.reduce((n, r) => n + r.durationMs, 0) / 1000;
  const attributes = attrs({
    name: `mqtt-chaos: ${result.scenario.name}`,
    tests: total('tests'),
    failures: total('failures'),
    errors: total('errors'),
    skipped: total('skipped'),
    time: seconds.toFixed(3),
    timestamp: result.startedAt,
  });
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${attributes}>`, ...suites.flatMap((s) => s.lines), '</testsuites>', ''].join('\n');
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

interface Case {
  name: string;
  /** The child element, if the case did not simply pass. */
  outcome?: { element: 'failure' | 'error' | 'skipped'; message: string; type?: string; body?: string };
}

function suite(result: Result, run: RunResult, index: number): { counts: Counts; lines: string[] } {
  const cases = casesOf(run);
  const counts: Counts = {
    tests: cases.length,
    failures: cases.filter((c) => c.outcome?.element === 'failure').length,
    errors: cases.filter((c) => c.outcome?.element === 'error').length,
    skipped: cases.filter((c) => c.outcome?.element === 'skipped').length,
  };
  const head = attrs({
    name: `${result.scenario.name}: ${run.label}`,
    id: index,
    package: result.scenario.name,
    ...counts,
    time: (run.durationMs / 1000).toFixed(3),
    timestamp: run.startedAt,
  });
  const properties: [string, string][] = [
    ['run', run.id],
    ['label', run.label],
    ['protocol', run.protocol],
    ['verdict', run.verdict],
    ['broker', run.broker.description],
    ['seed', String(result.seed)],
    ['scenario.file', result.scenario.file],
  ];
  const out = [...run.explanations, ...run.notes.map((n) => `note: ${n}`)];
  return {
    counts,
    lines: [
      `  <testsuite${head}>`,
      '    <properties>',
      ...properties.map(([name, value]) => `      <property${attrs({ name, value })}/>`),
      '    </properties>',
      ...cases.map((c) => testcase(classname(result, run), c)),
      ...(out.length > 0 ? [`    <system-out>${escapeXml(out.join('\n'))}</system-out>`] : []),
      '  </testsuite>',
    ],
  };
}

/**
 * A ramp's own suite, after its steps' runs (whose failed checks at the broken step are the
 * knee's evidence): one case, passing when the ramp found a knee or none in range, as its
 * exit code does (docs/capacity-planning.md); the finding is its message.
 */
function rampSuite(result: Result, ramp: RampResult, index: number): { counts: Counts; lines: string[] } {
  const found = ramp.outcome === 'knee' || ramp.outcome === 'no-knee';
  const failed = ramp.outcome === 'below-range' || ramp.outcome === 'incomplete' || ramp.outcome === 'broker-limit';
  const c: Case = found ? { name: 'ramp' } : { name: 'ramp', outcome: { element: failed ? 'failure' : 'error', message: ramp.finding, type: ramp.outcome } };
  const counts: Counts = { tests: 1, failures: failed ? 1 : 0, errors: !found && !failed ? 1 : 0, skipped: 0 };
  const head = attrs({ name: `${result.scenario.name}: ramp`, id: index, package: result.scenario.name, ...counts, time: '0', timestamp: result.startedAt });
  const classname = `${result.scenario.name.replace(/\./g, '_')}.ramp`;
  return { counts, lines: [`  <testsuite${head}>`, testcase(classname, c), `    <system-out>${escapeXml(ramp.finding)}</system-out>`, '  </testsuite>'] };
}

function casesOf(run: RunResult): Case[] {
  if (run.verdict === 'unsupported' || run.unsupported !== undefined) {
    return [{ name: 'run', outcome: { element: 'skipped', message: `not run: ${run.unsupported ?? 'unsupported'}` } }];
  }
  const shortfalls = run.shortfalls?.map((s) => s.text) ?? [];
  if (run.incomplete !== undefined || shortfalls.length > 0) {
    const message = `run incomplete: ${shortfalls.length > 0 ? shortfalls.join('; ') : run.incomplete}`;
    const said = (run.brokerSaid ?? []).filter((s) => s.kind !== 'told').map(saidLine);
    const context = [message, ...(said.length > 0 ? ['what the broker refused or changed:', ...said.map((l) => `- ${l}`)] : [])].join('\n');
    const checks = run.checks.map((c): Case => ({ name: c.name, outcome: { element: 'error', message, type: 'incomplete', body: `${context}\nmeasured until then: ${detail(c)}` } }));
    return checks.length > 0 ? checks : [{ name: 'run', outcome: { element: 'error', message, type: 'incomplete', body: context } }];
  }
  return run.checks.map((c) => (c.passed ? { name: c.name } : { name: c.name, outcome: { element: 'failure', message: c.explanation, type: c.source, body: detail(c) } }));
}

/** What a CI system shows when the test case is opened. */
function detail(c: Check): string {
  return [
    `${c.passed ? 'passed' : 'failed'}: ${c.name} (${c.source} check)`,
    `actual: ${c.actual === null ? 'no samples' : c.actual}`,
    ...(c.threshold ? [`threshold: ${c.threshold}`] : []),
    c.explanation,
  ].join('\n');
}

/**
 * Jenkins and others split a classname at its last dot into package and class: the
 * scenario is the package, the run the class, so the dots of "3.1.1" must not count.
 */
function classname(result: Result, run: RunResult): string {
  const part = (s: string): string => s.replace(/\./g, '_');
  return `${part(result.scenario.name)}.${part(run.id)}`;
}

function testcase(classname: string, c: Case): string {
  const head = `    <testcase${attrs({ name: c.name, classname, time: '0' })}`;
  if (!c.outcome) return `${head}/>`;
  const { element, message, type, body } = c.outcome;
  const open = `<${element}${attrs({ message, ...(type ? { type } : {}) })}`;
  const child = body ? `${open}>${escapeXml(body)}</${element}>` : `${open}/>`;
  return `${head}>\n      ${child}\n    </testcase>`;
}

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v)).replace(/\n/g, '&#10;')}"`)
    .join('');
}
