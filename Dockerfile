# One image for every role; docker-compose.yml picks the process with `command` (default: the API).
# Two stages: `build` installs every dependency, builds the dashboard and the process bundles
# (`npm run build`) and prunes to production dependencies; `runtime` copies only what runs: the
# bundles, the dashboard, the migrations and the production node_modules. No TypeScript toolchain,
# no compiler and no source in the final image. Size estimate: docs/operations.md, "Production build".

FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles from source when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
# npm ci's postinstall is `npm run build` (vite for the dashboard, esbuild for the bundles); the test
# fails the stage if it did not run. Then the dev dependencies go, and with them tsx, typescript,
# esbuild and vite. The @wagw/* links go too: the bundles inline those packages.
RUN npm ci \
  && test -f dist/start.js -a -f apps/api/dist/main.js -a -f apps/dashboard/dist/index.html \
  && npm prune --omit=dev \
  && rm -r node_modules/@wagw

FROM node:20-bookworm-slim AS runtime
# ffmpeg converts audio to voice notes and makes video previews (docs/media.md).
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg \
  && rm -rf /var/lib/apt/lists/* \
  && mkdir -p /data && chown node:node /data
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
# A sharp version npm could not hoist (Baileys wants another): the worker bundle resolves it here.
COPY --from=build /app/apps/worker/node_modules ./apps/worker/node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/apps/api/package.json ./apps/api/
COPY --from=build /app/apps/api/dist ./apps/api/dist
COPY --from=build /app/apps/worker/dist ./apps/worker/dist
COPY --from=build /app/apps/scheduler/dist ./apps/scheduler/dist
COPY --from=build /app/apps/dashboard/dist ./apps/dashboard/dist
COPY --from=build /app/drizzle ./drizzle
USER node
# The API's liveness (the process is up and its loop turns). The worker and scheduler have no port:
# docker-compose.yml overrides this with dist/heartbeat-check.js <role> for them.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--enable-source-maps", "apps/api/dist/main.js"]
