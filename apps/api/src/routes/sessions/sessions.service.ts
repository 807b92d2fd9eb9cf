import type { Database, DesiredState, SESSION_STATUSES, Session, SessionCommand } from '@wagw/db';
import { AppError } from '@wagw/errors';
import {
  enqueue,
  type RedisConnection,
  redisKeys,
  type SessionCommandJob,
  sessionCommandJob,
} from '@wagw/queue';
import type { Queue } from 'bullmq';
import { REDIS_RETRY_AFTER_S, withRedis } from '../../lib/redis-guard.js';
import { requireSession, sessionNotFound } from '../../lib/session-guard.js';
import type { CreateSessionInput } from './sessions.schemas.js';

/**
 * Statuses a worker never claims a session in until something moves it back to 'starting':
 * an explicit start/restart (or a pairing request) is that something.
 */
const TERMINAL_STATUSES = [
  'failed',
  'logged_out',
  'conflict',
  'needs_pairing',
] as const satisfies readonly (typeof SESSION_STATUSES)[number][];

export type CommandKind = 'start' | 'stop' | 'restart' | 'logout';

/** What each command writes: the desired state, plus a one-shot command for restart and logout. */
const INTENT: Record<CommandKind, { desired: DesiredState; command?: SessionCommand }> = {
  start: { desired: 'running' },
  stop: { desired: 'stopped' },
  restart: { desired: 'running', command: 'restart' },
  logout: { desired: 'stopped', command: 'logout' },
};

export interface SessionServiceDeps {
  repos: Pick<Database['repos'], 'sessions' | 'sessionEvents'>;
  /** The fail-fast producer connection; also the connection of `sessionCommands`. */
  redis: RedisConnection;
  sessionCommands: Queue;
  redisPrefix: string;
}

/**
 * Session lifecycle as the API sees it: write the desired state (the commitment, which workers
 * reconcile periodically anyway), then nudge with a job and a pub/sub message so it happens now.
 * The API never touches a socket.
 */
export function createSessionService(deps: SessionServiceDeps) {
  const { sessions, sessionEvents } = deps.repos;
  const keys = redisKeys(deps.redisPrefix);

  const get = (id: string): Promise<Session> => requireSession(sessions, id);

  /**
   * Enqueue + publish. Runs after the database write, so a 503 here still leaves the intent
   * recorded: the next reconcile pass picks it up, and retrying the idempotent command is safe.
   */
  async function nudge(sessionId: string, command: SessionCommandJob['command'], requestId?: string) {
    await withRedis(deps.redis, async () => {
      await enqueue(deps.sessionCommands, sessionCommandJob, command, {
        sessionId,
        command,
        requestedAt: Date.now(),
        requestId,
      });
      await deps.redis.publish(keys.reconcileChannel, sessionId);
    });
  }

  async function create(input: CreateSessionInput, requestId?: string): Promise<Session> {
    let session: Session;
    try {
      // Desired state is written with the row itself, so a crash right after cannot lose the start.
      session = await sessions.create({
        name: input.name,
        desiredState: input.start ? 'running' : 'stopped',
        settings: input.settings ?? {},
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new AppError('SESSION_NAME_TAKEN', `a session named "${input.name}" already exists`, {
          cause: err,
        });
      }
      throw err;
    }
    if (input.start) {
      await nudge(session.id, 'start', requestId).catch((err: unknown) => {
        // Retrying the create would be a 409, so say that the session exists and how to proceed.
        throw new AppError(
          'QUEUE_UNAVAILABLE',
          `session ${session.id} was created (desired: running) but Redis is unreachable: a worker starts it on its next reconcile pass, or retry POST /api/sessions/${session.id}/start`,
          { cause: err, retryAfter: REDIS_RETRY_AFTER_S, details: { sessionId: session.id } },
        );
      });
    }
    return session;
  }

  async function command(id: string, kind: CommandKind, requestId?: string): Promise<Session> {
    const current = await get(id);
    const intent = INTENT[kind];
    if (intent.desired === 'running' && isTerminal(current.status)) {
      // Compare-and-set: if a worker moved it meanwhile, its newer status stands.
      await sessions.transitionStatus(id, {
        to: 'starting',
        reason: `${kind} requested`,
        expectedFrom: TERMINAL_STATUSES,
      });
    }
    const updated = await sessions.requestCommand(id, intent);
    // Deleted between the read above and this write.
    if (!updated) throw sessionNotFound(id);
    await nudge(id, kind, requestId);
    return updated;
  }

  /** Logs out (so the linked device disappears from the phone), then hides the row. */
  async function remove(id: string, requestId?: string): Promise<Session> {
    await get(id);
    const updated = await sessions.requestCommand(id, INTENT.logout);
    if (!updated || !(await sessions.softDelete(id))) throw sessionNotFound(id);
    await nudge(id, 'delete', requestId);
    return updated;
  }

  async function history(id: string, limit: number) {
    await get(id);
    return sessionEvents.listBySession(id, { limit });
  }

  return {
    get,
    list: (filter?: Parameters<typeof sessions.list>[0]) => sessions.list(filter),
    create,
    command,
    remove,
    history,
    nudge,
  };
}

export type SessionService = ReturnType<typeof createSessionService>;

export function isTerminal(status: Session['status']): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/**
 * True for a unique-constraint violation from either dialect: better-sqlite3 reports
 * SQLITE_CONSTRAINT_UNIQUE, node-postgres SQLSTATE 23505. drizzle wraps driver errors, so the
 * cause chain is walked.
 */
export function isUniqueViolation(err: unknown): boolean {
  for (let current = err, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
