# One image for every role; docker-compose.yml picks the process with `command`.
FROM node:20-bookworm-slim
# better-sqlite3 compiles from source when no prebuilt binary can be fetched; ffmpeg converts audio to
# voice notes and makes video previews (docs/media.md).
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ ffmpeg && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN npm ci && mkdir -p /data && chown node:node /data
ENV NODE_ENV=production
USER node
CMD ["node", "--import", "tsx", "apps/api/src/main.ts"]
