/**
 * Runs a simulator by hand: `npm run sim -- --port 7780`.
 *
 * Flags (or env): `--port` (WA_SIM_PORT, default 0 = any free port), `--control-port`
 * (WA_SIM_CONTROL_PORT, default any free port), `--root-private-key` (WA_SIM_ROOT_PRIVATE_KEY,
 * base64; default a fresh root per run, so the gateway's WA_ROOT_PUBLIC_KEY changes each time),
 * `--idle-timeout-ms` (WA_SIM_IDLE_TIMEOUT_MS, default off: drop clients silent for that long).
 * Pair by pasting a QR string on stdin, or `curl -d "$QR" http://127.0.0.1:<control>/scan`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { rootKeyFromPrivate } from './cli-root-key.js';
import { type ScanOptions, startSimulator, type WaSimulator } from './index.js';

function settings() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'control-port': { type: 'string' },
      'root-private-key': { type: 'string' },
      'idle-timeout-ms': { type: 'string' },
    },
  });
  const rootPrivate = values['root-private-key'] ?? process.env.WA_SIM_ROOT_PRIVATE_KEY;
  const idle = Number(values['idle-timeout-ms'] ?? process.env.WA_SIM_IDLE_TIMEOUT_MS ?? 0);
  return {
    port: Number(values.port ?? process.env.WA_SIM_PORT ?? 0),
    controlPort: Number(values['control-port'] ?? process.env.WA_SIM_CONTROL_PORT ?? 0),
    ...(rootPrivate ? { rootKey: rootKeyFromPrivate(rootPrivate) } : {}),
    ...(idle > 0 ? { idleTimeoutMs: idle } : {}),
  };
}

async function scan(sim: WaSimulator, qr: string, options: ScanOptions = {}): Promise<string> {
  const companion = await sim.scan(qr, options);
  return `paired ${companion.jid} (lid ${companion.lid})`;
}

function startControl(sim: WaSimulator, port: number): Promise<number> {
  const server = createServer((req, res) => {
    if (req.method !== 'POST' || !req.url?.startsWith('/scan')) {
      res.writeHead(404).end('POST /scan with the QR string as the body\n');
      return;
    }
    const url = new URL(req.url, 'http://localhost');
    const options: ScanOptions = {};
    const phone = url.searchParams.get('phone');
    const name = url.searchParams.get('name');
    if (phone) options.phone = phone;
    if (name) options.name = name;
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      scan(sim, body, options).then(
        (message) => res.writeHead(200).end(`${message}\n`),
        (error: Error) => res.writeHead(400).end(`${error.message}\n`),
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

async function main(): Promise<void> {
  const { controlPort, ...options } = settings();
  const sim = await startSimulator(options);
  const control = await startControl(sim, controlPort);
  sim.events.on('handshake', (conn) => console.log(`#${conn.id} handshake (${conn.kind})`));
  sim.events.on('qr', (conn) => console.log(`#${conn.id} QR showing; paste it here to scan`));
  sim.events.on('login', (conn, companion) => console.log(`#${conn.id} login ${companion.jid}`));
  sim.events.on('open', (conn) => console.log(`#${conn.id} open`));
  sim.events.on('idle-timeout', (conn, ms) => console.log(`#${conn.id} silent for ${ms} ms, dropping`));
  sim.events.on('close', (conn, code) => console.log(`#${conn.id} closed (${code})`));
  console.log(`wa-sim listening: ${sim.url}`);
  console.log(`WA_ROOT_PUBLIC_KEY=${sim.rootPublicKey.toString('base64')}`);
  console.log(`media CDN: ${sim.media.origin} (trust it with NODE_EXTRA_CA_CERTS=${sim.media.caFile})`);
  console.log(
    `pair: paste a QR string below, or curl -d "$QR" "http://127.0.0.1:${control}/scan?phone=15550001111"`,
  );
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (!line.trim()) return;
    scan(sim, line).then(console.log, (error: Error) => console.error(`scan failed: ${error.message}`));
  });
  const stop = () => {
    lines.close();
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await main();
