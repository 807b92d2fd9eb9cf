import type { BinaryNode } from '@whiskeysockets/baileys';

export type Direction = 'in' | 'out';

/** One stanza as seen by the simulator. `in` = client → server. */
export interface TranscriptEntry {
  connectionId: number;
  direction: Direction;
  node: BinaryNode;
  /** `Date.now()` when it was received, or when it was written (or dropped) for `out`. */
  at: number;
  /** Set when a send-path filter swallowed the stanza instead of writing it. */
  dropped?: boolean;
}

/** Bounded log shared by all connections; old entries fall off so a long CLI run stays small. */
export class Transcript {
  private readonly entries: TranscriptEntry[] = [];

  constructor(private readonly limit = 50_000) {}

  add(entry: TranscriptEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  }

  all(): readonly TranscriptEntry[] {
    return this.entries;
  }

  forConnection(connectionId: number): TranscriptEntry[] {
    return this.entries.filter((entry) => entry.connectionId === connectionId);
  }

  find(predicate: (entry: TranscriptEntry) => boolean): TranscriptEntry[] {
    return this.entries.filter(predicate);
  }
}
