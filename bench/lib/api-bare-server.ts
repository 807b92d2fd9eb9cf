/**
 * The API send benchmark's baseline: a bare Fastify process with one POST route that parses the
 * same JSON body and answers 202 with a body shaped like the API's (`{ id, status, statusUrl }`).
 * No logger, no auth, no validation, no storage: what Fastify alone costs on this machine.
 * Listens on PORT/HOST like the API; SIGTERM closes it.
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';

const app = Fastify({ bodyLimit: 16 * 1024 * 1024 });
app.post('/api/sessions/:id/messages', async (_request, reply) => {
  const id = randomUUID();
  return reply.code(202).send({ id, status: 'queued', statusUrl: `/api/messages/${id}` });
});
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' });
