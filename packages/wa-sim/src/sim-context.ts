import type { FaultController } from './faults/fault-controller.js';
import type { Counters } from './observe/counters.js';
import type { SimEvents } from './observe/sim-events.js';
import type { StanzaRouter } from './router/stanza-router.js';
import type { SimConnection } from './server/connection.js';
import type { World } from './world/world.js';

/** Behaviour switches of a simulator; each documents its default. */
export interface SimulatorBehaviour {
  /** QR refs offered per `<pair-device>` (Baileys: 60 s for the first, 20 s each after). Default 6. */
  qrRefs: number;
  /**
   * A second login of the same companion kicks the older connection with
   * `<conflict type="replaced"/>` (440), as WhatsApp does. Default true.
   */
  replaceOnDuplicateLogin: boolean;
  /** `'error'` answers unknown IQs with 501 so clients do not wait for a timeout; `'ignore'` does not. Default 'error'. */
  unknownIq: 'error' | 'ignore';
}

/** Shared state the flows work on. */
export interface SimContext {
  readonly world: World;
  readonly router: StanzaRouter;
  readonly faults: FaultController;
  readonly counters: Counters;
  readonly events: SimEvents;
  readonly behaviour: SimulatorBehaviour;
  /** Connections that have not closed yet, by id. */
  readonly live: Map<number, SimConnection>;
  /** QR ref → the registration connection that offered it. */
  readonly qrRefs: Map<string, SimConnection>;
}
