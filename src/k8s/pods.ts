import type { IContainer, IEnvVar, IPodSecurityContext, ISecurityContext } from 'kubernetes-models/v1';
import type { Plan } from '../scenario/plan.js';
import { IMAGE_CLI, IMAGE_INIT, IMAGE_UID } from './image.js';
import { JOIN_WAIT_SECONDS, type Names } from './options.js';

/** Every pod runs as the image's non-root user with no privileges to gain. */
export const podSecurity: IPodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: IMAGE_UID,
  runAsGroup: IMAGE_UID,
  fsGroup: IMAGE_UID,
  seccompProfile: { type: 'RuntimeDefault' },
};

export const containerSecurity: ISecurityContext = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
};

/** The token both sides read from the environment, from the Secret. */
export function tokenEnv(names: Names): IEnvVar {
  return { name: 'MQTT_CHAOS_TOKEN', valueFrom: { secretKeyRef: { name: names.secret, key: 'token' } } };
}

/** The variables an external broker's credentials are read from (the scenario names them), from a Secret the user creates. */
export function brokerEnv(plan: Plan, names: Names): IEnvVar[] {
  if (plan.broker.kind !== 'external') return [];
  const pairs: [string | undefined, string][] = [
    [plan.broker.usernameEnv, 'username'],
    [plan.broker.passwordEnv, 'password'],
  ];
  return pairs.flatMap(([name, key]) => (name === undefined ? [] : [{ name, valueFrom: { secretKeyRef: { name: names.brokerSecret, key } } }]));
}

/**
 * Run by the coordinator's shell: the run in the background so SIGTERM (kubectl delete)
 * reaches it as Ctrl-C would, then the pod stays up for the collection window, and exits
 * with the run's code so the Job says whether it passed.
 */
const COORDINATOR_SCRIPT = [
  `trap 'kill -TERM "$run" 2>/dev/null' TERM INT`,
  `node ${IMAGE_CLI} "$@" & run=$!`,
  // `wait` returns early when a trapped signal arrives: wait until the run has stopped.
  `wait "$run"; status=$?`,
  `while kill -0 "$run" 2>/dev/null; do wait "$run"; status=$?; done`,
  `echo "mqtt-chaos: run exited $status; reports in $REPORTS_DIR for $COLLECT_SECONDS s (kubectl cp $POD_NAMESPACE/$POD_NAME:$REPORTS_DIR ./reports)" >&2`,
  // The sleep is ended too: nothing of the pod's outlives its shell.
  `sleep "$COLLECT_SECONDS" & sleeper=$!`,
  `trap 'kill "$sleeper" 2>/dev/null; exit "$status"' TERM INT`,
  `wait "$sleeper"`,
  `exit "$status"`,
].join('\n');

export function coordinatorCommand(runArgs: readonly string[]): string[] {
  return [IMAGE_INIT, '--', '/bin/sh', '-c', COORDINATOR_SCRIPT, 'coordinator', ...runArgs];
}

/** The pod's own name and namespace, for the line that says how to copy the reports. */
export const downwardEnv: IEnvVar[] = [
  { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
  { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
];

/**
 * Until the coordinator listens, its headless Service has no address: each agent waits
 * for a TCP connection to succeed (closed at once, before any hello), bounded, then joins.
 */
const WAIT_SCRIPT = [
  `const net = require('node:net');`,
  `const [host, port] = process.argv[1].split(':');`,
  `const end = Date.now() + ${JOIN_WAIT_SECONDS * 1000};`,
  `(function attempt() {`,
  `  const s = net.connect(Number(port), host, () => { s.destroy(); process.exit(0); });`,
  `  s.on('error', () => {`,
  `    if (Date.now() > end) { console.error('mqtt-chaos: coordinator ' + process.argv[1] + ' did not answer in ${JOIN_WAIT_SECONDS} s'); process.exit(3); }`,
  `    setTimeout(attempt, 2000);`,
  `  });`,
  `})();`,
].join('\n');

export function waitForCoordinator(image: string, names: Names): IContainer {
  return {
    name: 'wait-for-coordinator',
    image,
    command: ['node', '-e', WAIT_SCRIPT, names.join],
    securityContext: containerSecurity,
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
  };
}
