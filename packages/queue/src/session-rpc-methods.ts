import { z } from 'zod';
import { GROUP_RPC_METHODS } from './session-rpc-group-methods.js';

/**
 * The operations an API replica may run on a session's live socket through the session RPC
 * (session-rpc-client.ts → session-rpc-server.ts on the owning worker), each with the schema of its
 * parameters and of its result. Both sides parse with these, so an API and a worker of different
 * versions fail loudly instead of misreading each other. Never rename a method: during a rollout an
 * older worker answers `SESSION_METHOD_UNSUPPORTED` for one it does not know.
 */

/** Most numbers one `contacts.check` carries (the API's per-call limit; usync batches are smaller). */
export const CONTACT_CHECK_MAX_NUMBERS = 500;

/** One number's answer: `jid` is its phone-number JID when on WhatsApp, `lid` its LID when WhatsApp told it. */
export const contactCheckResult = z.object({
  /** Digits with the country code, no '+'. */
  phone: z.string(),
  exists: z.boolean(),
  jid: z.string().nullable(),
  lid: z.string().nullable(),
});
export type ContactCheckResult = z.infer<typeof contactCheckResult>;

export const SESSION_RPC_METHODS = {
  /** Which of these numbers are on WhatsApp (usync contact + LID protocols, batched and paced). */
  'contacts.check': {
    params: z.object({
      phones: z
        .array(z.string().regex(/^[1-9][0-9]{7,14}$/))
        .min(1)
        .max(CONTACT_CHECK_MAX_NUMBERS),
    }),
    result: z.object({ results: z.array(contactCheckResult) }),
  },
  /** The URL of a user's profile picture, or null when there is none (or privacy hides it). */
  'contacts.picture': {
    params: z.object({ jid: z.string().min(3), type: z.enum(['preview', 'image']).default('preview') }),
    result: z.object({ url: z.string().nullable() }),
  },
  ...GROUP_RPC_METHODS,
} as const;

export type SessionRpcMethod = keyof typeof SESSION_RPC_METHODS;
export type SessionRpcParams<M extends SessionRpcMethod> = z.input<(typeof SESSION_RPC_METHODS)[M]['params']>;
export type SessionRpcResult<M extends SessionRpcMethod> = z.infer<(typeof SESSION_RPC_METHODS)[M]['result']>;

export function isSessionRpcMethod(name: string): name is SessionRpcMethod {
  return Object.hasOwn(SESSION_RPC_METHODS, name);
}
