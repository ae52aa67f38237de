import type { Plan } from '../scenario/plan.js';

/** Everything the manifests are built from besides the plan: plain data, checked by the CLI. */
export interface K8sOptions {
  agents: number;
  image: string;
  namespace: string;
  /** The shared token agents join with; lands in the Secret. */
  token: string;
  /** The scenario file's text, as validated: the ConfigMap holds it word for word. */
  scenarioText: string;
  /** The file's base name: the ConfigMap key and the file name the coordinator runs. */
  scenarioKey: string;
  /** Flags `run` takes that were given to `k8s` (--broker, --count, …), passed on to the coordinator. */
  runFlags: string[];
  /** How long the coordinator's pod stays up after the run, so `kubectl cp` can fetch the reports. */
  collectSeconds: number;
  /** The scenario's deadline (ms): bounds every Job. */
  deadlineMs: number;
}

/** The port the coordinator listens on for agents, in its pod and on the Service. */
export const COORDINATOR_PORT = 7300;
/** Where the scenario is mounted and the reports are written, in the coordinator's pod. */
export const SCENARIO_DIR = '/etc/mqtt-chaos/scenario';
export const REPORTS_DIR = '/reports';
/** How long an agent waits for the coordinator to listen before it gives up. */
export const JOIN_WAIT_SECONDS = 600;
/** Finished Jobs (and their pods' logs) are kept this long, then the cluster removes them. */
export const KEEP_FINISHED_SECONDS = 86_400;

/** The names of everything one invocation creates, and the labels that tie them together. */
export interface Names {
  base: string;
  configMap: string;
  secret: string;
  brokerSecret: string;
  service: string;
  coordinator: string;
  agents: string;
  /** The agents' join address: the headless Service's DNS name in the namespace, and the port. */
  join: string;
}

/** Kubernetes names are DNS labels of at most 63 characters; the suffixes need room. */
const BASE_MAX = 40;

export function namesFor(plan: Plan, namespace: string): Names {
  const base = `mqtt-chaos-${plan.scenario.name}`.slice(0, BASE_MAX).replace(/-+$/, '');
  const service = `${base}-coordinator`;
  return {
    base,
    configMap: `${base}-scenario`,
    secret: `${base}-token`,
    brokerSecret: `${base}-broker`,
    service,
    coordinator: service,
    agents: `${base}-agents`,
    join: `${service}.${namespace}.svc:${COORDINATOR_PORT}`,
  };
}

export function labels(names: Names, component?: 'coordinator' | 'agent'): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'mqtt-chaos',
    'app.kubernetes.io/instance': names.base,
    ...(component === undefined ? {} : { 'app.kubernetes.io/component': component }),
  };
}
