import type { Socket } from 'node:net';
import { behaviours } from './toxics/behaviours.js';
import type { Direction, Toxic } from './toxics/catalog.js';
import { Stage, type Chunk, type Outlet, type StageHost } from './toxics/stage.js';

/** Bytes a link may hold in its toxics before it stops reading (TCP back-pressure takes over). */
const highWater = 1 << 20;
const lowWater = highWater / 4;

/**
 * One direction of one proxied connection: source socket → toxic stages → destination.
 * With no toxics, data goes straight from one socket to the other.
 */
export class Link implements StageHost {
  private stages: Stage[] = [];
  private pending = 0;
  private paused = false;
  private inputDone = false;
  private readonly sink: Outlet;

  constructor(
    private readonly source: Socket,
    private readonly dest: Socket,
    readonly direction: Direction,
    chain: readonly Toxic[],
    closeDest: () => void,
  ) {
    this.sink = { push: (chunk) => this.write(chunk), end: closeDest };
    for (const toxic of chain) this.append(toxic);
    for (const stage of this.stages) stage.begin();
    source.on('data', (data: Buffer) => this.read(data));
    source.once('end', () => this.endInput());
    source.once('close', () => this.endInput());
    dest.on('drain', () => this.maybeResume());
  }

  addToxic(toxic: Toxic): void {
    const last = this.stages.at(-1);
    if (last && !last.interrupt()) return;
    const stage = this.append(toxic);
    stage.begin();
    last?.begin();
  }

  updateToxic(toxic: Toxic): void {
    const stage = this.stages.find((s) => s.toxic === toxic);
    if (stage?.interrupt()) stage.begin();
  }

  removeToxic(toxic: Toxic): void {
    const index = this.stages.findIndex((s) => s.toxic === toxic);
    const stage = this.stages[index];
    if (!stage) return;
    if (stage.removalCloses) return stage.close();
    if (!stage.interrupt()) return;
    const previous = this.stages[index - 1];
    previous?.interrupt();
    stage.passOn();
    if (previous) previous.out = stage.out;
    this.stages.splice(index, 1);
    previous?.begin();
  }

  dropped(bytes: number): void {
    this.pending -= bytes;
    this.maybeResume();
  }

  private append(toxic: Toxic): Stage {
    const stage = new Stage(toxic, behaviours[toxic.type], this.sink, this);
    const last = this.stages.at(-1);
    if (last) last.out = stage;
    this.stages.push(stage);
    return stage;
  }

  private read(data: Buffer): void {
    const head = this.stages[0];
    if (head) {
      this.pending += data.length;
      head.push({ data, ts: performance.now() });
    } else if (!this.dest.destroyed && this.dest.writable) {
      this.dest.write(data);
    }
    if (!this.paused && (this.pending > highWater || this.dest.writableNeedDrain)) {
      this.paused = true;
      this.source.pause();
    }
  }

  private endInput(): void {
    if (this.inputDone) return;
    this.inputDone = true;
    (this.stages[0] ?? this.sink).end();
  }

  private write(chunk: Chunk): void {
    this.pending -= chunk.data.length;
    if (!this.dest.destroyed && this.dest.writable) this.dest.write(chunk.data);
    this.maybeResume();
  }

  private maybeResume(): void {
    if (this.paused && this.pending < lowWater && !this.dest.writableNeedDrain) {
      this.paused = false;
      this.source.resume();
    }
  }
}
