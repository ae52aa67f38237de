/**
 * `mqtt-chaos k8s` as a user runs it: the printed manifests validate against the Kubernetes
 * schemas (kubernetes-models: each object through its model class and `.validate()`), and
 * they fit together — N agents at once, indexed, joining the headless Service's DNS name and
 * port with the token from the Secret, the scenario mounted word for word, requests growing
 * with the clients. Bad input is one line and exit 2. (The schemas allow fields they do not
 * know, as the API server does; a misspelt field is caught earlier, by tsc: src/k8s/ builds
 * each object as kubernetes-models' type, and an object literal may not hold unknown keys.)
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { Job, type IJob } from 'kubernetes-models/batch/v1';
import { ConfigMap, Secret, Service, type IConfigMap, type IContainer, type ISecret, type IService } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { BASE_BYTES, MEASURED } from '../../src/k8s/sizing.js';
import { cli, lines, type Outcome } from '../helpers/cli.js';
import { useTeardown } from '../helpers/teardown.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const QUICKSTART = join(ROOT, 'scenarios/quickstart.yaml');
const CAPACITY = join(ROOT, 'scenarios/capacity.yaml');
const BROKER = ['--broker', 'mqtt://mosquitto.mqtt.svc:1883'];
/** No token from the test's own environment leaks in unless a test gives one. */
const NO_TOKEN = { MQTT_CHAOS_TOKEN: undefined };

type K8sObject = IConfigMap | ISecret | IService | IJob;

/** Each document through the model class of its kind; `.validate()` throws on a schema violation. */
function validated(doc: K8sObject): K8sObject {
  const Model = { ConfigMap, Secret, Service, Job }[doc.kind];
  assert.ok(Model, `a model for ${doc.apiVersion} ${doc.kind}`);
  const model = new (Model as new (data: K8sObject) => { validate(): void; toJSON(): unknown })(doc);
  model.validate();
  return doc;
}

function parse(stdout: string): K8sObject[] {
  const docs = parseAllDocuments(stdout);
  assert.ok(Array.isArray(docs), 'one YAML stream');
  for (const d of docs) assert.deepEqual(d.errors, []);
  return docs.map((d) => d.toJSON() as K8sObject);
}

interface Rendered {
  ran: Outcome;
  objects: K8sObject[];
  configMap: IConfigMap;
  secret: ISecret;
  service: IService;
  coordinator: IJob;
  agents: IJob;
}

async function render(args: string[], env: NodeJS.ProcessEnv = NO_TOKEN): Promise<Rendered> {
  const ran = await cli(['k8s', ...args], env);
  assert.equal(ran.code, 0, ran.stderr);
  const objects = parse(ran.stdout);
  const jobs = objects.filter((o): o is IJob => o.kind === 'Job');
  const one = <T extends K8sObject>(kind: string) => objects.filter((o) => o.kind === kind) as T[];
  assert.deepEqual(objects.map((o) => o.kind), ['ConfigMap', 'Secret', 'Service', 'Job', 'Job']);
  return {
    ran,
    objects,
    configMap: one<IConfigMap>('ConfigMap')[0]!,
    secret: one<ISecret>('Secret')[0]!,
    service: one<IService>('Service')[0]!,
    coordinator: jobs.find((j) => j.metadata?.labels?.['app.kubernetes.io/component'] === 'coordinator')!,
    agents: jobs.find((j) => j.spec?.completionMode === 'Indexed')!,
  };
}

const container = (job: IJob): IContainer => job.spec!.template.spec!.containers[0]!;
const flag = (args: readonly string[], name: string): string | undefined => args[args.indexOf(name) + 1];
const mebibytes = (q: string | number | undefined): number => Number(/^(\d+)Mi$/.exec(String(q))?.[1]);

describe('mqtt-chaos k8s', () => {
  test('every manifest validates against the Kubernetes schemas, and a broken one does not', async () => {
    const r = await render([QUICKSTART, '--agents', '3', ...BROKER]);
    for (const o of r.objects) validated(o);
    // The validator is live: the same Job with a count written as a string is refused.
    const broken = structuredClone(r.agents) as unknown as { spec: Record<string, unknown> };
    broken.spec.parallelism = '3';
    assert.throws(() => validated(broken as unknown as IJob), /parallelism/);
  });

  test('the agents are an Indexed Job of N pods at once, joining the Service by DNS name and port', async () => {
    const r = await render([QUICKSTART, '--agents', '5', '--namespace', 'load', ...BROKER]);
    const spec = r.agents.spec!;
    assert.equal(spec.completionMode, 'Indexed');
    assert.equal(spec.parallelism, 5);
    assert.equal(spec.completions, 5);
    assert.equal(spec.backoffLimit, 0);
    assert.equal(r.service.spec!.clusterIP, 'None');
    const port = r.service.spec!.ports![0]!;
    const join = `${r.service.metadata!.name}.load.svc:${port.port}`;
    assert.deepEqual(container(r.agents).args, ['agent', '--join', join]);
    // The Service selects the coordinator's pod, and the coordinator listens on that port for that many agents.
    assert.deepEqual(r.service.spec!.selector, r.coordinator.spec!.template.metadata!.labels);
    const runArgs = container(r.coordinator).command!;
    assert.equal(flag(runArgs, '--listen'), `0.0.0.0:${port.targetPort}`);
    assert.equal(flag(runArgs, '--expect-agents'), '5');
    assert.ok(runArgs.includes('--allow-remote'));
    assert.deepEqual(flag(runArgs, '--broker'), BROKER[1]);
    for (const o of r.objects) assert.equal(o.metadata!.namespace, 'load');
  });

  test('the token comes from the Secret on both sides: MQTT_CHAOS_TOKEN when set, else random', async () => {
    const given = await render([QUICKSTART, '--agents', '2', ...BROKER], { MQTT_CHAOS_TOKEN: 'k8s-test-token' });
    assert.equal(given.secret.stringData!.token, 'k8s-test-token');
    for (const job of [given.coordinator, given.agents]) {
      const env = container(job).env!.find((e) => e.name === 'MQTT_CHAOS_TOKEN')!;
      assert.equal(env.value, undefined, 'never inline');
      assert.deepEqual(env.valueFrom!.secretKeyRef, { name: given.secret.metadata!.name, key: 'token' });
    }
    const [a, b] = await Promise.all([render([QUICKSTART, '--agents', '2', ...BROKER]), render([QUICKSTART, '--agents', '2', ...BROKER])]);
    assert.match(a.secret.stringData!.token!, /^[0-9a-f]{64}$/);
    assert.notEqual(a.secret.stringData!.token, b.secret.stringData!.token);
    assert.match(a.ran.stdout, /# Rotate it/);
  });

  test('the coordinator runs the scenario mounted from the ConfigMap, word for word, and writes reports to a volume', async () => {
    const r = await render([QUICKSTART, '--agents', '3', ...BROKER]);
    assert.deepEqual(Object.entries(r.configMap.data!), [['quickstart.yaml', readFileSync(QUICKSTART, 'utf8')]]);
    const pod = r.coordinator.spec!.template.spec!;
    const volume = pod.volumes!.find((v) => v.configMap?.name === r.configMap.metadata!.name)!;
    const mount = container(r.coordinator).volumeMounts!.find((m) => m.name === volume.name)!;
    const command = container(r.coordinator).command!;
    assert.equal(command[command.indexOf('run') + 1], `${mount.mountPath}/quickstart.yaml`);
    const out = flag(command, '--out')!;
    const reports = container(r.coordinator).volumeMounts!.find((m) => m.mountPath === out)!;
    assert.ok(pod.volumes!.some((v) => v.name === reports.name && v.emptyDir !== undefined));
    assert.match(r.ran.stdout, new RegExp(`kubectl -n default cp .*:${out} ./reports`));
    assert.match(r.ran.stdout, /kubectl -n default logs -f job\/mqtt-chaos-quickstart-coordinator/);
  });

  test('requests grow with the clients per agent, as the comment says, with the open files an agent needs', async () => {
    const at = (devices: number) => render([CAPACITY, '--agents', '4', '--count', `devices=${devices}`, ...BROKER]);
    const [small, large] = await Promise.all([at(4000), at(40_000)]);
    const memory = (r: Rendered) => mebibytes(container(r.agents).resources!.requests!.memory);
    const held = (r: Rendered) => {
      const m = /each holding at most\s*#?\s*(\d+) of the largest run's (\d+) clients \((\d+) behind/.exec(r.ran.stdout);
      return { perAgent: Number(m?.[1]), clients: Number(m?.[2]), proxied: Number(m?.[3]) };
    };
    // capacity.yaml: devices and 4 backend publishers; each group split over 4 agents, rounded up.
    assert.deepEqual(held(small), { perAgent: 1000 + 1, clients: 4004, proxied: held(small).proxied });
    assert.deepEqual(held(large), { perAgent: 10_000 + 1, clients: 40_004, proxied: held(large).proxied });
    for (const r of [small, large]) {
      const { perAgent, proxied } = held(r);
      const bytes = BASE_BYTES + perAgent * MEASURED.bytesPerClient.value + proxied * MEASURED.faultBytesPerConnection.value;
      assert.equal(memory(r), Math.ceil(bytes / 2 ** 20));
    }
    // 9,000 more clients an agent: at least 60 KB each more, whatever the constants become.
    assert.ok(memory(large) - memory(small) >= (9000 * 60_000) / 2 ** 20, `${memory(small)} Mi → ${memory(large)} Mi`);
    assert.equal(container(large.agents).resources!.limits!.memory, container(large.agents).resources!.requests!.memory);
    // The coordinator gets the same --count, so the plan it runs is the plan that was sized.
    assert.equal(flag(container(large.coordinator).command!, '--count'), 'devices=40000');
    const { perAgent } = held(large);
    assert.match(large.ran.stdout, new RegExp(`RLIMIT_NOFILE >= ${perAgent + 256} \\(`));
    assert.match(large.ran.stdout, /cannot set RLIMIT_NOFILE per pod/);
    assert.match(large.ran.stdout, /docs\/what-one-machine-drives\.md/);
  });

  test('a broker the coordinator would start is warned about, not refused', async () => {
    const r = await render([QUICKSTART, '--agents', '3']);
    assert.match(r.ran.stderr, /^mqtt-chaos: warning: the broker is broker: auto.*give --broker/m);
    assert.match(r.ran.stdout, /# WARNING: the broker is broker: auto/);
  });

  test('a bad scenario or flag is refused with one line and exit 2, and nothing on stdout', async (t) => {
    const td = useTeardown(t);
    const dir = await mkdtemp(join(tmpdir(), 'mqtt-chaos-k8s-'));
    td.add(`rm ${dir}`, () => rm(dir, { recursive: true, force: true }));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, readFileSync(QUICKSTART, 'utf8').replace('count: 200', 'count: -5'));
    const cases: [string[], RegExp][] = [
      [[bad, '--agents', '3'], /bad\.yaml:\d+:\d+: groups\.devices\.count: /],
      [[join(dir, 'missing.yaml'), '--agents', '3'], /missing\.yaml: cannot read the scenario: no such file/],
      [[QUICKSTART, '--agents', '0'], /^mqtt-chaos: --agents 0: a whole number from 1/],
      [[QUICKSTART, '--agents', '3', '--namespace', 'Load_Test'], /^mqtt-chaos: --namespace Load_Test: /],
      [[QUICKSTART], /agents/],
      [[QUICKSTART.replace('quickstart.yaml', 'capacity-ramp.yaml'), '--agents', '3'], /capacity-ramp\.yaml: a ramp scenario runs with local agents/],
    ];
    for (const [args, line] of cases) {
      const ran: Outcome = await cli(['k8s', ...args], NO_TOKEN);
      assert.equal(ran.code, 2, `${args.join(' ')}: ${ran.stderr}`);
      assert.equal(ran.stdout, '');
      assert.equal(lines(ran.stderr).length, 1, ran.stderr);
      assert.match(ran.stderr, line);
    }
  });
});
