import { parentPort, workerData } from 'node:worker_threads';
import { mqttjsBaseline, type BaselineSpec } from './baseline.js';

/** The mqtt.js baseline in a fresh thread, as the harness's clients run: both start with cold code. */
parentPort?.postMessage(await mqttjsBaseline(workerData as BaselineSpec));
