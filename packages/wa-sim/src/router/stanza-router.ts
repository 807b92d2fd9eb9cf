/**
 * Stanza router: the extension API of the simulator.
 *
 * IQ handlers are keyed by `xmlns/type/firstChildTag`, or `xmlns/type` when the IQ has no child:
 *
 *   sim.router.on('usync/get/usync', (conn, iq) => iqResult(iq, [usyncNode]));
 *   sim.router.on('blocklist/get', (conn, iq) => iqResult(iq, [{ tag: 'list', attrs: {} }]));
 *
 * A handler is `(conn, node) => BinaryNode | void | Promise<BinaryNode | void>`. A returned node is
 * sent to the client as-is (build replies with `iqResult` / `iqError` from `router/iq-replies.ts`);
 * returning nothing sends nothing, e.g. when the handler already used `conn.send`. Registering a
 * key again shadows the earlier handler; the function returned by `on` removes the registration
 * and uncovers the previous one, so a test can override the default answer and restore it.
 *
 * Other stanzas (`message`, `receipt`, `ack`, `notification`, `presence`, `ib`, ...) are hooked by
 * tag with `sim.router.onStanza('message', handler)`. Every hook for the tag runs, in registration
 * order, and a returned node is sent too.
 *
 * Before the router, `sim.faults` may withhold an IQ, answer it with an error or override it for
 * one test (`withholdIq`, `iqError`, `overrideIq`). IQs nobody handles emit `iq-unhandled`, stay
 * in the transcript and, by default, get `<error code="501"/>` so the client does not wait out
 * its query timeout (option `unknownIq: 'ignore'` leaves them unanswered like a lost packet).
 */
import type { BinaryNode } from '@whiskeysockets/baileys';
import type { SimConnection } from '../server/connection.js';

// biome-ignore lint/suspicious/noConfusingVoidType: handlers may simply return nothing.
export type HandlerResult = BinaryNode | undefined | void;
export type StanzaHandler = (conn: SimConnection, node: BinaryNode) => HandlerResult | Promise<HandlerResult>;

/** Routing key of an IQ: `xmlns/type/firstChildTag` (no trailing part when it has no child). */
export function iqKey(node: BinaryNode): string {
  const child = Array.isArray(node.content) ? node.content[0]?.tag : undefined;
  const base = `${node.attrs.xmlns ?? ''}/${node.attrs.type ?? ''}`;
  return child ? `${base}/${child}` : base;
}

export class StanzaRouter {
  private readonly iqHandlers = new Map<string, StanzaHandler[]>();
  private readonly stanzaHooks = new Map<string, StanzaHandler[]>();

  /** Handles IQs with this key; the latest registration wins until it is removed. */
  on(key: string, handler: StanzaHandler): () => void {
    return add(this.iqHandlers, key, handler);
  }

  /** Observes/answers every non-IQ stanza with this tag (all hooks run). */
  onStanza(tag: string, handler: StanzaHandler): () => void {
    return add(this.stanzaHooks, tag, handler);
  }

  iqHandler(key: string): StanzaHandler | undefined {
    return this.iqHandlers.get(key)?.at(-1);
  }

  hooksFor(tag: string): readonly StanzaHandler[] {
    return this.stanzaHooks.get(tag) ?? [];
  }
}

function add(map: Map<string, StanzaHandler[]>, key: string, handler: StanzaHandler): () => void {
  const list = map.get(key) ?? [];
  list.push(handler);
  map.set(key, list);
  return () => {
    const index = list.lastIndexOf(handler);
    if (index >= 0) list.splice(index, 1);
  };
}
