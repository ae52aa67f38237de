/**
 * What the manifests assume of the image the repository's Dockerfile builds: a test holds
 * the Dockerfile to these, so the two cannot drift apart.
 */

/** The CLI inside the image (the package's `bin`, built). */
export const IMAGE_CLI = '/app/dist/src/cli/main.js';
/** PID 1 of every container: forwards signals and reaps the fault-server processes the harness starts. */
export const IMAGE_INIT = '/usr/bin/tini';
/** The Dockerfile's ENTRYPOINT, word for word. */
export const IMAGE_ENTRYPOINT = [IMAGE_INIT, '--', 'node', IMAGE_CLI] as const;
/** The image's non-root user (node's images name it `node`). */
export const IMAGE_UID = 1000;
