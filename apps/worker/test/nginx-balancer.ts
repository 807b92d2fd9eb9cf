import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTempDir, freePort, requireTool } from '@wagw/testing';

const DEPLOYED_CONFIG = fileURLToPath(new URL('../../../deploy/nginx.conf', import.meta.url));

/**
 * deploy/nginx.conf (what docker-compose.yml mounts) rewritten for loopback: the upstream lists the
 * given API addresses instead of Docker's `api` name, the server listens on 127.0.0.1, and nginx
 * keeps its pid, logs and temp files in `dir`. Everything else (timeouts, retries on the next
 * replica, unbuffered SSE, body size) is the deployed file's, so tests exercise the real config.
 * Throws when the deployed file no longer has the lines this rewrites, rather than testing a
 * config that is not the deployed one.
 */
function loopbackNginxConfig(apis: string[], port: number, dir: string): string {
  const deployed = readFileSync(DEPLOYED_CONFIG, 'utf8');
  const server = /^(\s*)server api:3000 (.*);$/m;
  const listen = /^(\s*)listen 80;$/m;
  const match = server.exec(deployed);
  if (!match || !listen.test(deployed)) {
    throw new Error('deploy/nginx.conf changed: expected "server api:3000 …;" and "listen 80;"');
  }
  const [, indent, params] = match;
  const upstream = apis.map((address) => `${indent}server ${address} ${params};`).join('\n');
  // Root starts workers as `nobody` unless told otherwise; they must reach the temp dir.
  const user = process.getuid?.() === 0 ? `user ${userInfo().username};\n` : '';
  const paths = [
    `client_body_temp_path ${dir}/client_body;`,
    `proxy_temp_path ${dir}/proxy;`,
    `fastcgi_temp_path ${dir}/fastcgi;`,
    `uwsgi_temp_path ${dir}/uwsgi;`,
    `scgi_temp_path ${dir}/scgi;`,
    `access_log off;`,
  ].join('\n  ');
  return (
    `${user}pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\ndaemon off;\n` +
    deployed
      .replace(server, upstream)
      .replace(listen, `$1listen 127.0.0.1:${port};`)
      .replace(/^http \{$/m, `http {\n  ${paths}`)
  );
}

export interface Balancer {
  url: string;
  /** Points the upstream at these API addresses (host:port) and reloads nginx gracefully. */
  setApis(apis: string[]): Promise<void>;
  close(): Promise<void>;
}

/** nginx in front of the API replicas, on a free loopback port, as docker-compose.yml runs it. */
export async function startBalancer(apis: string[]): Promise<Balancer> {
  const nginx = requireTool('nginx');
  const temp = createTempDir('wagw-nginx-');
  const dir = temp.path;
  for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
  const port = await freePort();
  const confFile = join(dir, 'nginx.conf');
  writeFileSync(confFile, loopbackNginxConfig(apis, port, dir));
  const child: ChildProcess = spawn(nginx, ['-p', dir, '-c', confFile], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await fetch(`${url}/api/health/live`).catch(() => undefined);
    if (res?.ok) break;
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: see ${dir}/error.log`);
    if (Date.now() > deadline) throw new Error(`nginx did not answer on ${url} within 10 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async setApis(next) {
      writeFileSync(confFile, loopbackNginxConfig(next, port, dir));
      child.kill('SIGHUP');
      // A reload starts new worker processes; old ones finish their requests. Give it a moment.
      await new Promise((r) => setTimeout(r, 300));
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGQUIT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await once(child, 'exit');
        clearTimeout(timer);
      }
      temp.cleanup();
    },
  };
}
