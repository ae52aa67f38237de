import type { IJob } from 'kubernetes-models/batch/v1';
import type { IConfigMap, ISecret, IService } from 'kubernetes-models/v1';
import type { Plan } from '../scenario/plan.js';
import {
  COORDINATOR_PORT,
  JOIN_WAIT_SECONDS,
  KEEP_FINISHED_SECONDS,
  REPORTS_DIR,
  SCENARIO_DIR,
  labels,
  namesFor,
  type K8sOptions,
  type Names,
} from './options.js';
import { brokerEnv, containerSecurity, coordinatorCommand, downwardEnv, podSecurity, tokenEnv, waitForCoordinator } from './pods.js';
import { HARNESS_RESERVE } from '../engine/open-files-preflight.js';
import { BASE_BYTES, MEASURED, cpuQuantity, memoryQuantity, sizeAgent, type AgentSizing } from './sizing.js';

/** One object of the output, with the comment printed above it. */
export interface Manifest {
  comment: string[];
  object: IConfigMap | ISecret | IService | IJob;
}

/** Not measured: the coordinator holds no clients, only the merged ledgers and the reports. */
const COORDINATOR_RESOURCES = { requests: { cpu: '500m', memory: '1Gi' } };

function configMap(names: Names, o: K8sOptions): Manifest {
  return {
    comment: [`The scenario, word for word as validated (${o.scenarioKey}).`],
    object: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: names.configMap, namespace: o.namespace, labels: labels(names) },
      data: { [o.scenarioKey]: o.scenarioText },
    },
  };
}

function secret(names: Names, o: K8sOptions): Manifest {
  return {
    comment: [
      'The token agents join with: MQTT_CHAOS_TOKEN when it was set, else a random one.',
      'Rotate it between runs (both sides read it at start): render again with a new token and apply,',
      `  MQTT_CHAOS_TOKEN=$(openssl rand -hex 32) mqtt-chaos k8s ... | kubectl apply -f -`,
      'or replace this Secret alone and start the Jobs again.',
    ],
    object: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: names.secret, namespace: o.namespace, labels: labels(names) },
      type: 'Opaque',
      stringData: { token: o.token },
    },
  };
}

function service(names: Names, o: K8sOptions): Manifest {
  return {
    comment: [`Headless: its DNS name (${names.join}) is the coordinator pod's address, the one agents join.`],
    object: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: names.service, namespace: o.namespace, labels: labels(names, 'coordinator') },
      spec: {
        clusterIP: 'None',
        selector: labels(names, 'coordinator'),
        ports: [{ name: 'agents', port: COORDINATOR_PORT, targetPort: COORDINATOR_PORT, protocol: 'TCP' }],
      },
    },
  };
}

/** `run` as the coordinator: the mounted scenario, waiting for N agents, reports to the volume. */
export function coordinatorArgs(o: K8sOptions): string[] {
  return [
    'run',
    `${SCENARIO_DIR}/${o.scenarioKey}`,
    '--listen',
    `0.0.0.0:${COORDINATOR_PORT}`,
    '--expect-agents',
    String(o.agents),
    '--allow-remote',
    '--out',
    REPORTS_DIR,
    ...o.runFlags,
  ];
}

function coordinatorJob(plan: Plan, names: Names, o: K8sOptions): Manifest {
  const deadline = Math.ceil(o.deadlineMs / 1000) + JOIN_WAIT_SECONDS + o.collectSeconds + 60;
  return {
    comment: [
      `The coordinator: waits for ${o.agents} agents, drives the phases, merges their ledgers, judges and`,
      `writes the reports to ${REPORTS_DIR}; then stays up ${o.collectSeconds} s for kubectl cp. Not retried (backoffLimit 0):`,
      'a chaos run started twice is not the run that was asked for. The Job fails when the run does (exit 1 or more).',
      'Its resources are not measured: it holds no clients, only the merged ledgers and the reports.',
    ],
    object: {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: names.coordinator, namespace: o.namespace, labels: labels(names, 'coordinator') },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: deadline,
        ttlSecondsAfterFinished: KEEP_FINISHED_SECONDS,
        template: {
          metadata: { labels: labels(names, 'coordinator') },
          spec: {
            restartPolicy: 'Never',
            terminationGracePeriodSeconds: 60,
            securityContext: podSecurity,
            containers: [
              {
                name: 'coordinator',
                image: o.image,
                command: coordinatorCommand(coordinatorArgs(o)),
                env: [
                  tokenEnv(names),
                  ...brokerEnv(plan, names),
                  ...downwardEnv,
                  { name: 'REPORTS_DIR', value: REPORTS_DIR },
                  { name: 'COLLECT_SECONDS', value: String(o.collectSeconds) },
                ],
                ports: [{ name: 'agents', containerPort: COORDINATOR_PORT, protocol: 'TCP' }],
                resources: COORDINATOR_RESOURCES,
                securityContext: containerSecurity,
                volumeMounts: [
                  { name: 'scenario', mountPath: SCENARIO_DIR, readOnly: true },
                  { name: 'reports', mountPath: REPORTS_DIR },
                ],
              },
            ],
            volumes: [
              { name: 'scenario', configMap: { name: names.configMap } },
              { name: 'reports', emptyDir: {} },
            ],
          },
        },
      },
    },
  };
}

const kb = (bytes: number) => `${Math.round(bytes / 100) / 10} KB`;

function agentComment(s: AgentSizing, image: string): string[] {
  const { bytesPerClient, faultBytesPerConnection, cpuMicrosPerConnect, cpuMicrosPerMessage } = MEASURED;
  const perMessage = ([0, 1, 2] as const).map((q) => Math.round(cpuMicrosPerMessage.value[q])).join('/');
  return [
    `The agents: ${s.agents} pods at once, one per index (JOB_COMPLETION_INDEX), each holding at most`,
    `${s.clientsPerAgent} of the largest run's ${s.clients} clients (${s.proxiedPerAgent} behind its own fault servers).`,
    'Not retried (backoffLimit 0): an agent that dies makes the run INCOMPLETE, with its share named.',
    'Memory request = limit, sized from the plan:',
    `  ${memoryQuantity(s.memoryBytes)} = ${BASE_BYTES / 2 ** 20} MiB base (not measured) + ${s.clientsPerAgent} clients x ${kb(bytesPerClient.value)} + ${s.proxiedPerAgent} proxied x ${kb(faultBytesPerConnection.value)}, where`,
    `  ${kb(bytesPerClient.value)}: ${bytesPerClient.says};`,
    `  ${kb(faultBytesPerConnection.value)}: ${faultBytesPerConnection.says}.`,
    `CPU request ${cpuQuantity(s.millicores)}: the busiest phase's rate on one agent x ${cpuMicrosPerConnect.value} us per connect and ${perMessage} us per`,
    `  QoS 0/1/2 message (docs/benchmarks.md; rerun: npm run bench -- harness); one core for a phase without a rate.`,
    '  No CPU limit: throttling would show up as broker latency.',
    `Open files: each agent needs RLIMIT_NOFILE >= ${s.openFiles} (${s.clientsPerAgent} clients + ${HARNESS_RESERVE} of its own). Kubernetes`,
    "  cannot set RLIMIT_NOFILE per pod: the container gets the runtime's default (containerd: LimitNOFILE of its",
    '  systemd unit; CRI-O: default_ulimits), so the node must allow it. An agent below it stops at start with',
    `  one line and exit 3 ("needs N open files"); check: kubectl run nofile --rm -it --restart=Never --image=${image} --command -- sh -c "ulimit -Hn"`,
  ];
}

function agentsJob(plan: Plan, names: Names, o: K8sOptions, s: AgentSizing): Manifest {
  const memory = memoryQuantity(s.memoryBytes);
  return {
    comment: agentComment(s, o.image),
    object: {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: names.agents, namespace: o.namespace, labels: labels(names, 'agent') },
      spec: {
        completionMode: 'Indexed',
        completions: o.agents,
        parallelism: o.agents,
        backoffLimit: 0,
        activeDeadlineSeconds: Math.ceil(o.deadlineMs / 1000) + 2 * JOIN_WAIT_SECONDS,
        ttlSecondsAfterFinished: KEEP_FINISHED_SECONDS,
        template: {
          metadata: { labels: labels(names, 'agent') },
          spec: {
            restartPolicy: 'Never',
            terminationGracePeriodSeconds: 60,
            securityContext: podSecurity,
            // Agents on different nodes when there are enough: the point is more than one machine.
            topologySpreadConstraints: [
              { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels(names, 'agent') } },
            ],
            initContainers: [waitForCoordinator(o.image, names)],
            containers: [
              {
                name: 'agent',
                image: o.image,
                args: ['agent', '--join', names.join],
                env: [tokenEnv(names), ...brokerEnv(plan, names)],
                resources: { requests: { cpu: cpuQuantity(s.millicores), memory }, limits: { memory } },
                securityContext: containerSecurity,
              },
            ],
          },
        },
      },
    },
  };
}

/** The manifests for a plan split over `o.agents` agents, in the order they are applied. */
export function buildManifests(plan: Plan, o: K8sOptions): Manifest[] {
  const names = namesFor(plan, o.namespace);
  const sizing = sizeAgent(plan, o.agents);
  return [
    configMap(names, o),
    secret(names, o),
    service(names, o),
    coordinatorJob(plan, names, o),
    agentsJob(plan, names, o, sizing),
  ];
}
