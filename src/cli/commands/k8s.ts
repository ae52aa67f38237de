import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { CommandModule } from 'yargs';
import { HarnessError } from '../../errors.js';
import { withExamples } from '../help.js';
import { planOptions, planOverrides, type PlanArgs } from '../plan-options.js';

interface Args extends PlanArgs {
  scenario: string;
  agents: number;
  image?: string;
  namespace: string;
  'collect-window': string;
}

/** The schema-level bound on a group's count is 1,000,000; a thousand agents is past any plan's need. */
const MAX_AGENTS = 1000;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** `run` flags given to `k8s`, as the coordinator is to get them: the plan it sizes is the plan that runs. */
function runFlags(argv: Args): string[] {
  const flags: string[] = [];
  for (const name of ['broker', 'toxiproxy', 'protocol', 'seed', 'deadline'] as const) {
    if (argv[name] !== undefined) flags.push(`--${name}`, String(argv[name]));
  }
  for (const count of argv.count ?? []) flags.push('--count', count);
  return flags;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The token for the Secret: the environment's, else 32 random bytes. */
function token(env: NodeJS.ProcessEnv): string {
  const given = env.MQTT_CHAOS_TOKEN;
  if (given === undefined) return randomBytes(32).toString('hex');
  if (given.trim() === '') throw new HarnessError('E_USAGE', 'MQTT_CHAOS_TOKEN is set but empty: unset it for a random token, or set one');
  return given;
}

export const k8sCommand: CommandModule<object, Args> = {
  command: 'k8s <scenario>',
  describe: 'print Kubernetes manifests that run a scenario with N agents: ConfigMap, Secret, coordinator Job and Service, agents as an Indexed Job',
  builder: (yargs) =>
    withExamples(
      planOptions(yargs.positional('scenario', { type: 'string', demandOption: true }))
        .option('agents', { type: 'number', demandOption: true, describe: 'how many agent pods share the clients' })
        .option('image', { type: 'string', describe: 'the image built from the Dockerfile (default mqtt-chaos:<version>)' })
        .option('namespace', { type: 'string', default: 'default', describe: 'the namespace every object goes in' })
        .option('collect-window', { type: 'string', default: '10m', describe: 'how long the coordinator pod stays up after the run, for kubectl cp' }),
      [
        ['$0 k8s scenarios/quickstart.yaml --agents 3 --broker mqtt://mosquitto.mqtt.svc:1883 > mqtt-chaos.yaml', 'three agents against the broker in your cluster'],
        ['$0 k8s scenarios/capacity.yaml --agents 10 --count devices=100000 --image registry.example/mqtt-chaos:0.1.0 --namespace load', 'sized for 100,000 devices'],
      ],
    ),
  handler: async (argv) => {
    // Loaded here, not at start: `--help` and the other commands never pay for them.
    const [{ formatProblem, loadScenario }, { scenarioDeadlineMs }, { buildManifests }, { howTo, renderManifests }, { parseDuration }] = await Promise.all([
      import('../../scenario/index.js'),
      import('../../engine/deadline.js'),
      import('../../k8s/manifests.js'),
      import('../../k8s/render.js'),
      import('../../scenario/units.js'),
    ]);
    if (!(Number.isInteger(argv.agents) && argv.agents >= 1 && argv.agents <= MAX_AGENTS)) {
      throw new HarnessError('E_USAGE', `--agents ${String(argv.agents)}: a whole number from 1 to ${MAX_AGENTS}`);
    }
    if (!DNS_LABEL.test(argv.namespace)) {
      throw new HarnessError('E_USAGE', `--namespace ${argv.namespace}: a Kubernetes namespace is lowercase letters, digits and "-", at most 63`);
    }
    const collectMs = parseDuration(argv['collect-window']);
    if (collectMs === undefined) throw new HarnessError('E_USAGE', `--collect-window ${argv['collect-window']}: write a duration such as 10m or 0s`);
    // The coordinator runs with --allow-remote (it listens for agents): a broker in the cluster is the point.
    const { plan, warnings } = loadScenario(argv.scenario, { ...planOverrides(argv), allowRemote: true });
    // The coordinator listens for agents, and remote agents leave at the end of a ramp's first step.
    if (plan.ramp) throw new HarnessError('E_USAGE', `${argv.scenario}: a ramp scenario runs with local agents (run --agents N), not with --listen, so not in Kubernetes`);
    for (const warning of warnings) process.stderr.write(`${formatProblem(warning)}\n`);
    const options = {
      agents: argv.agents,
      image: argv.image ?? `mqtt-chaos:${packageVersion()}`,
      namespace: argv.namespace,
      token: token(process.env),
      scenarioText: readFileSync(argv.scenario, 'utf8'),
      scenarioKey: basename(argv.scenario).replace(/[^-._a-zA-Z0-9]/g, '_'),
      runFlags: runFlags(argv),
      collectSeconds: Math.ceil(collectMs / 1000),
      deadlineMs: scenarioDeadlineMs(plan),
    };
    const notes: string[] = [];
    if (plan.broker.kind !== 'external') {
      notes.push(
        `the broker is ${plan.broker.kind === 'auto' ? 'broker: auto' : plan.broker.kind}, started inside the coordinator's pod on loopback; agents in other pods reach only a broker the cluster routes to: give --broker mqtt://HOST:PORT`,
      );
    }
    for (const note of notes) process.stderr.write(`mqtt-chaos: warning: ${note}\n`);
    process.stdout.write(renderManifests(buildManifests(plan, options), howTo(plan, options), notes));
  },
};
