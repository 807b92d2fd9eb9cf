import { MAX_MENTIONS, normalizeRecipient } from '@wagw/queue';
import { z } from 'zod';

/**
 * `mentions` of a text, reply or captioned media message: users written the way `to` takes them.
 * Each is checked here rather than by the service, so a bad one is a 400 VALIDATION_FAILED that
 * names its index (`mentions.2`) and why; a group cannot be mentioned.
 */
export const mentionsInput = z
  .array(
    z
      .string()
      .max(64)
      .superRefine((value, ctx) => {
        const read = normalizeRecipient(value);
        if (!read.ok) ctx.addIssue({ code: 'custom', message: `invalid mention "${value}": ${read.reason}` });
      }),
  )
  .min(1)
  .max(MAX_MENTIONS)
  .optional()
  .describe(
    `Users the message mentions (at most ${MAX_MENTIONS}): phone numbers in international format or …@s.whatsapp.net / …@lid JIDs. WhatsApp notifies them and highlights "@<number>" in the text.`,
  );

/** The JIDs of checked `mentions`, each once, in the order given (`+49 151…` and `49151…@s.whatsapp.net` are one). */
export function mentionJids(inputs: readonly string[]): string[] {
  const jids = new Set<string>();
  for (const input of inputs) {
    const read = normalizeRecipient(input);
    if (read.ok) jids.add(read.jid);
  }
  return [...jids];
}
