import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEPLOYED_TOPOLOGY } from '@wagw/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { apiEnv, schedulerEnv, workerEnv } from '../src/index.js';

// No Docker engine runs where the tests run, so the compose file is checked statically: the
// topology, the settings that matter for durability, and that it only sets variables we read.
const root = fileURLToPath(new URL('../../../', import.meta.url));
type Service = {
  command?: string[];
  deploy?: { replicas?: number };
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  ports?: string[];
};
const compose = parse(readFileSync(`${root}docker-compose.yml`, 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;

describe('docker-compose.yml', () => {
  it('has the designed topology', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'lb', 'postgres', 'redis', 'scheduler', 'worker']);
    // What the topology tests run with real processes (apps/worker/test/topology.ts).
    expect(services.api?.deploy?.replicas).toBe(DEPLOYED_TOPOLOGY.apis);
    expect(services.worker?.deploy?.replicas).toBe(DEPLOYED_TOPOLOGY.workers);
    expect(services.scheduler?.deploy?.replicas ?? 1).toBe(DEPLOYED_TOPOLOGY.schedulers);
    expect(services.postgres?.profiles).toEqual(['postgres']);
  });

  it('gives every service a health check', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.healthcheck?.test.length ?? 0, `${name} needs a healthcheck`).toBeGreaterThan(0);
    }
  });

  it('runs Redis with AOF persistence and noeviction (BullMQ must never lose keys)', () => {
    const command = services.redis?.command?.join(' ') ?? '';
    expect(command).toContain('--appendonly yes');
    expect(command).toContain('--maxmemory-policy noeviction');
  });

  it('starts each role from its bundle, built from a source that exists', () => {
    // The bundles are built in the image (Dockerfile; apps/api/test/docker-image.test.ts checks that
    // the build makes every file named here).
    for (const role of ['api', 'worker', 'scheduler']) {
      expect(services[role]?.command, `${role} command`).toEqual([
        'node',
        '--enable-source-maps',
        `apps/${role}/dist/main.js`,
      ]);
      expect(existsSync(`${root}apps/${role}/src/main.ts`)).toBe(true);
    }
    for (const role of ['worker', 'scheduler']) {
      expect(services[role]?.healthcheck?.test, `${role} healthcheck`).toEqual([
        'CMD',
        'node',
        'dist/heartbeat-check.js',
        role,
      ]);
    }
    expect(existsSync(`${root}scripts/heartbeat-check.ts`)).toBe(true);
  });

  it('sets only variables the processes read', () => {
    const known = {
      api: new Set(Object.keys(apiEnv)),
      worker: new Set(Object.keys(workerEnv)),
      scheduler: new Set(Object.keys(schedulerEnv)),
    };
    for (const role of ['api', 'worker', 'scheduler'] as const) {
      const unknown = Object.keys(services[role]?.environment ?? {}).filter((name) => !known[role].has(name));
      expect(unknown, `${role} sets unknown variables`).toEqual([]);
    }
    expect(services.api?.environment?.HOST).toBe('0.0.0.0');
  });

  it('puts nginx in front of the API replicas, bound to loopback', () => {
    const lb = services.lb!;
    expect(lb.depends_on?.api?.condition).toBe('service_healthy');
    expect(lb.ports?.every((port) => port.startsWith('127.0.0.1:'))).toBe(true);
    const mount = lb.volumes?.find((volume) => volume.includes('nginx.conf'));
    const conf = readFileSync(`${root}${mount?.split(':')[0]?.replace('./', '')}`, 'utf8');
    expect(conf).toMatch(/server api:3000/);
    expect(conf).toMatch(/proxy_buffering off/);
  });
});
