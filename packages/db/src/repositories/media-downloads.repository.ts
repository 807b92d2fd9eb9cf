import { and, asc, eq, gt } from 'drizzle-orm';
import type { Executor } from '../executor/executor.js';
import type { MediaDownloadsRepository } from './repository-types.js';
import { clampLimit, messageRow } from './row-builders.js';

export function createMediaDownloadsRepository(x: Executor): MediaDownloadsRepository {
  const { messages, mediaDownloads } = x.tables;
  return {
    insertWithMessage(message, descriptor) {
      const row = messageRow(message);
      // One transaction: a crash between the two inserts would leave a message whose file nobody
      // ever downloads (pending forever) or a download without its message.
      return x.transaction(async (tx) => {
        const inserted = await tx.all(
          tx.db
            .insert(messages)
            .values(row)
            .onConflictDoNothing({ target: [messages.sessionId, messages.waMessageId] })
            .returning({ id: messages.id }),
        );
        if (inserted.length === 0) return false;
        await tx.run(
          tx.db.insert(mediaDownloads).values({
            messageId: row.id,
            sessionId: row.sessionId,
            descriptor,
            createdAt: row.updatedAt,
          }),
        );
        return true;
      });
    },

    listBySession(sessionId, options) {
      return x.all(
        x.db
          .select()
          .from(mediaDownloads)
          .where(
            and(
              eq(mediaDownloads.sessionId, sessionId),
              options.afterMessageId ? gt(mediaDownloads.messageId, options.afterMessageId) : undefined,
            ),
          )
          .orderBy(asc(mediaDownloads.messageId))
          .limit(clampLimit(options.limit)),
      );
    },

    async delete(messageId) {
      const rows = await x.all(
        x.db
          .delete(mediaDownloads)
          .where(eq(mediaDownloads.messageId, messageId))
          .returning({ id: mediaDownloads.messageId }),
      );
      return rows.length > 0;
    },
  };
}
