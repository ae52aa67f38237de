import type { Report } from './problems.js';
import { isMap } from './runs.js';

/**
 * Topic names as common brokers take them. MQTT allows nearly any UTF-8 in a topic, but
 * brokers bridging to other protocols, and cloud brokers, refuse or reinterpret some of it:
 * a run against them fails late (refused SUBSCRIBEs, publishers disconnected), so the
 * scenario check warns first. Wildcards in a published topic and NUL are errors, reported
 * by groups.ts (checkTopicFilter, targetProblem).
 */

/** What every broker takes in a topic level and a client id. */
const UNSAFE = /[^A-Za-z0-9_-]/g;

/** A run id as {run} writes it into topics and client ids: "3.1.1-cleansession-0" becomes
 *  "3_1_1-cleansession-0" (run ids hold no "_", so two runs never share a token). */
export function nameToken(id: string): string {
  return id.replace(UNSAFE, '_');
}

// AWS IoT Core's message broker quotas for a topic name.
const AWS_TOPIC_BYTES = 256;
const AWS_TOPIC_SLASHES = 7;

const PLACEHOLDER = /\{[^{}]*\}/g;

/** Characters legal in MQTT that brokers refuse, with who refuses them. */
const CHARACTERS: { find: RegExp; says: string }[] = [
  {
    find: /\./,
    says: '"." is refused by NATS Server\'s MQTT before 2.10, and RabbitMQ and ActiveMQ map it to and from "/" (their level separator): use "_" or "-"',
  },
  { find: /\s/, says: 'whitespace is refused by NATS Server\'s MQTT (a subject holds none)' },
];

/**
 * Warnings for the topics of every subscriber group in `groups` (a scenario's, or a matrix
 * entry's merged ones); publishers publish to these same topics with {i} filled. `runToken`
 * is the longest {run} of the scenario, so a length is the longest any run sends; `skip`
 * names groups the schema rejected.
 */
export function topicWarnings(groups: Record<string, unknown>, runToken: string, warn: Report, skip: (name: string) => boolean): void {
  for (const [name, spec] of Object.entries(groups)) {
    if (skip(name) || !isMap(spec) || spec.role !== 'subscriber' || typeof spec.topic !== 'string') continue;
    groupTopicWarnings(name, spec.topic, Number(spec.count), runToken, warn);
  }
}

function groupTopicWarnings(name: string, template: string, count: number, runToken: string, warn: Report): void {
  const path = ['groups', name, 'topic'];
  // Placeholders fill in safe tokens: blank them out, keeping columns.
  const literal = template.replace(PLACEHOLDER, (m) => '_'.repeat(m.length));
  for (const { find, says } of CHARACTERS) {
    const at = literal.search(find);
    if (at >= 0) warn(path, says, { column: at + 1 });
  }
  // $share/... is a shared subscription, not a broker topic.
  if (literal.startsWith('$') && !literal.startsWith('$share/')) {
    warn(path, 'a topic starting with "$" is the broker\'s own (MQTT §4.7.2, e.g. $SYS, AWS IoT\'s $aws): brokers refuse or restrict clients\' use of it', { column: 1 });
  }
  const filled = template.replaceAll('{i}', String(Math.max(count - 1, 0))).replaceAll('{group}', name).replaceAll('{run}', runToken);
  const bytes = Buffer.byteLength(filled, 'utf8');
  if (bytes > AWS_TOPIC_BYTES) warn(path, `is up to ${bytes} bytes once filled: AWS IoT Core refuses topics over ${AWS_TOPIC_BYTES} bytes`);
  const slashes = template.split('/').length - 1;
  if (slashes > AWS_TOPIC_SLASHES) {
    warn(path, `has ${slashes} "/" (${slashes + 1} levels): AWS IoT Core refuses topics with more than ${AWS_TOPIC_SLASHES} "/"`);
  }
}
