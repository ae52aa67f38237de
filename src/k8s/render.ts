import { Document } from 'yaml';
import type { Plan } from '../scenario/plan.js';
import type { Manifest } from './manifests.js';
import { REPORTS_DIR, labels, namesFor, type K8sOptions } from './options.js';

/** What the user does with the output, from applying it to collecting the reports: the file's header. */
export function howTo(plan: Plan, o: K8sOptions): string[] {
  const names = namesFor(plan, o.namespace);
  const ns = `kubectl -n ${o.namespace}`;
  const instance = `app.kubernetes.io/instance=${labels(names)['app.kubernetes.io/instance']}`;
  const coordinatorPod = `$(${ns} get pods -l ${instance},app.kubernetes.io/component=coordinator -o name | cut -d/ -f2)`;
  return [
    `mqtt-chaos: ${plan.scenario.name} (${plan.runs.map((r) => r.id).join(', ')}) over ${o.agents} agents, image ${o.image}, namespace ${o.namespace}.`,
    `The image is built from the Dockerfile at the root of mqtt-chaos: docker build -t ${o.image} . and push it where the cluster pulls from.`,
    '',
    `Apply:    kubectl apply -f mqtt-chaos.yaml${o.namespace === 'default' ? '' : `   (after: kubectl create namespace ${o.namespace})`}`,
    `Watch:    ${ns} logs -f job/${names.coordinator}   (progress, then the summary)`,
    `          ${ns} get pods -l ${instance} -w`,
    `Collect:  in the ${o.collectSeconds} s the coordinator stays up after the run (kubectl cp needs a running pod):`,
    `          ${ns} cp ${coordinatorPod}:${REPORTS_DIR} ./reports`,
    `          then: mqtt-chaos report reports/<run>/result.json renders the reports again, anywhere.`,
    `          The summary stays in ${ns} logs job/${names.coordinator} until the Job is removed (24 h after it ends).`,
    `Verdict:  the coordinator Job completes on exit 0 and fails otherwise (1: FAIL or INCOMPLETE, 2: bad usage, 3: environment; docs/exit-codes.md).`,
    `Clean up: ${ns} delete job,service,configmap,secret -l ${instance}`,
  ];
}

function asComment(lines: readonly string[]): string {
  // yaml prefixes each line with '#'; a space keeps the text readable.
  return lines.map((l) => (l === '' ? '' : ` ${l}`)).join('\n');
}

/** One multi-document YAML: the header, any warnings, then each object with its comment. */
export function renderManifests(manifests: readonly Manifest[], header: readonly string[], warnings: readonly string[]): string {
  const docs = manifests.map((m, i) => {
    // Each object spelt out: anchors and aliases (&a1 / *a1) are legal YAML but hard to read and to edit.
    const doc = new Document(m.object, { aliasDuplicateObjects: false });
    const top = i === 0 ? [...header, ...warnings.map((w) => `WARNING: ${w}`), '', ...m.comment] : m.comment;
    doc.commentBefore = asComment(top);
    return doc.toString({ lineWidth: 0 });
  });
  return docs.join('---\n');
}
