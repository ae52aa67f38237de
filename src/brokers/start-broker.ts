import { startAedes } from './aedes.js';
import { findMosquittoBinary } from './capabilities.js';
import { connectExternal } from './external.js';
import { startMosquitto } from './mosquitto.js';
import { HarnessError } from '../errors.js';
import type { BrokerSpec, BrokerTarget, StartBrokerOptions } from './types.js';

/** What `auto` becomes, and the line that tells the user what that means for v5. */
export function chooseAutoBroker(mosquittoBinary: string | undefined): { kind: 'managed-mosquitto' | 'embedded-aedes'; message: string } {
  if (mosquittoBinary) {
    return { kind: 'managed-mosquitto', message: `found ${mosquittoBinary}: using a managed Mosquitto (MQTT 5 and 3.1.1)` };
  }
  return {
    kind: 'embedded-aedes',
    message:
      'no mosquitto on PATH, /usr/sbin or /usr/local/sbin: using embedded Aedes (MQTT 3.1.1 only; v5 runs will be reported unsupported). ' +
      'Install mosquitto or pass --broker URL for the v5 comparison.',
  };
}

/** Brings up (or reaches) the broker a run targets. The caller owns stop(). */
export async function startBroker(spec: BrokerSpec, opts: StartBrokerOptions): Promise<BrokerTarget> {
  const { runDir, log } = opts;
  switch (spec.kind) {
    case 'auto': {
      const binary = await findMosquittoBinary();
      const choice = chooseAutoBroker(binary);
      log?.(choice.message);
      return binary ? startMosquitto({ binary, runDir, options: {}, log, listeners: opts.listeners }) : startAedes({ runDir });
    }
    case 'managed-mosquitto': {
      const binary = await findMosquittoBinary();
      if (!binary) {
        throw new HarnessError(
          'E_ENVIRONMENT',
          'managed-mosquitto: no mosquitto on PATH, /usr/sbin or /usr/local/sbin; install mosquitto, or use embedded-aedes or a broker URL',
        );
      }
      const broker = await startMosquitto({ binary, runDir, options: spec.options, log, listeners: opts.listeners });
      // The harness's clients carry no login for a broker it started: every one would be refused.
      if (broker.anonymousRefusal) {
        await broker.stop();
        throw new HarnessError(
          'E_ENVIRONMENT',
          `managed Mosquitto refuses the harness's clients (${broker.anonymousRefusal}): they connect without a login, so keep allow_anonymous true in the scenario's mosquitto options (log: ${broker.logFile})`,
        );
      }
      return broker;
    }
    case 'embedded-aedes':
      return startAedes({ runDir });
    case 'external':
      return connectExternal(spec, { allowRemote: opts.allowRemote, env: opts.env });
  }
}
