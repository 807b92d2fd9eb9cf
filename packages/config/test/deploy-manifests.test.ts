import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEPLOYED_TOPOLOGY } from '@wagw/testing';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { apiEnv, loadApiConfig, schedulerEnv, workerEnv } from '../src/index.js';

// Neither Kubernetes nor systemd runs where the tests run: the manifests in deploy/ are checked
// statically against what the processes read and how they shut down, as docker-compose.yml is.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const roles = ['api', 'worker', 'scheduler'] as const;
const known = { api: apiEnv, worker: workerEnv, scheduler: schedulerEnv };
// Seconds the processes take at most to drain on SIGTERM (SHUTDOWN_TIMEOUT's default).
const shutdownSeconds = loadApiConfig({ API_KEY: 'x'.repeat(16) }).shutdownTimeoutMs / 1000;

type Container = {
  command: string[];
  env?: Array<{ name: string }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string }; exec?: { command: string[] } };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
};
type Doc = {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec: {
    replicas?: number;
    minAvailable?: number;
    maxUnavailable?: number;
    selector?: { matchLabels: Record<string, string> };
    template: { spec: { terminationGracePeriodSeconds: number; containers: Container[] } };
  };
};
const docs = parseAllDocuments(readFileSync(`${root}deploy/k8s/wagw.yaml`, 'utf8')).map(
  (d) => d.toJS() as Doc,
);
const deployment = (role: string) =>
  docs.find((d) => d.kind === 'Deployment' && d.metadata.name === `wagw-${role}`);

describe('deploy/k8s/wagw.yaml', () => {
  it('has a Deployment per role with the tested topology', () => {
    expect(deployment('api')?.spec.replicas).toBe(DEPLOYED_TOPOLOGY.apis);
    expect(deployment('worker')?.spec.replicas).toBe(DEPLOYED_TOPOLOGY.workers);
    expect(deployment('scheduler')?.spec.replicas).toBe(DEPLOYED_TOPOLOGY.schedulers);
  });

  it('starts each role from its bundle and gives it more than its drain budget to stop', () => {
    for (const role of roles) {
      const spec = deployment(role)!.spec.template.spec;
      expect(spec.containers[0]?.command).toEqual([
        'node',
        '--enable-source-maps',
        `apps/${role}/dist/main.js`,
      ]);
      const preStop = spec.containers[0]?.lifecycle?.preStop?.exec?.command;
      const preStopSeconds = preStop ? Number(preStop[1]) : 0;
      expect(spec.terminationGracePeriodSeconds, role).toBeGreaterThan(shutdownSeconds + preStopSeconds);
    }
  });

  it('maps the API probes to /api/health/ready and /api/health/live, the others to their heartbeat', () => {
    const api = deployment('api')!.spec.template.spec.containers[0]!;
    expect(api.readinessProbe?.httpGet?.path).toBe('/api/health/ready');
    expect(api.livenessProbe?.httpGet?.path).toBe('/api/health/live');
    for (const role of ['worker', 'scheduler']) {
      const probe = deployment(role)!.spec.template.spec.containers[0]!.livenessProbe;
      expect(probe?.exec?.command).toEqual(['node', 'dist/heartbeat-check.js', role]);
    }
  });

  it('sets only variables the processes read', () => {
    const config = docs.find((d) => d.kind === 'ConfigMap')!;
    for (const role of roles) {
      const container = deployment(role)!.spec.template.spec.containers[0]!;
      const names = [...Object.keys(config.data ?? {}), ...(container.env ?? []).map((e) => e.name)];
      expect(
        names.filter((name) => !(name in known[role])),
        role,
      ).toEqual([]);
      expect(container.envFrom?.map((e) => e.configMapRef?.name ?? e.secretRef?.name)).toEqual([
        'wagw',
        'wagw',
      ]);
    }
  });

  it('has a PodDisruptionBudget for the API and the workers', () => {
    const budgets = docs.filter((d) => d.kind === 'PodDisruptionBudget');
    const forRole = (role: string) => budgets.find((b) => b.spec.selector?.matchLabels.role === role)?.spec;
    expect(forRole('api')?.minAvailable).toBe(1);
    expect(forRole('worker')?.maxUnavailable).toBe(1);
  });
});

describe('deploy/systemd units', () => {
  const dir = `${root}deploy/systemd/`;
  const units = readdirSync(dir).filter((name) => name.endsWith('.service'));
  const directive = (text: string, key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(text)?.[1];

  it('one unit per role, each starting its bundle and stopping by SIGTERM after its drain budget', () => {
    expect(units.sort()).toEqual(['wagw-api.service', 'wagw-scheduler.service', 'wagw-worker@.service']);
    for (const role of roles) {
      const text = readFileSync(`${dir}${units.find((u) => u.startsWith(`wagw-${role}`))}`, 'utf8');
      expect(directive(text, 'ExecStart')).toBe(
        `/usr/bin/node --enable-source-maps apps/${role}/dist/main.js`,
      );
      expect(directive(text, 'KillSignal')).toBe('SIGTERM');
      expect(Number(directive(text, 'TimeoutStopSec'))).toBeGreaterThan(shutdownSeconds);
      expect(directive(text, 'EnvironmentFile')).toBe('/etc/wagw/wagw.env');
      expect(directive(text, 'Restart')).toBe('always');
    }
  });

  it('gives every templated worker its own INSTANCE_ID (leases and heartbeats are keyed by it)', () => {
    const text = readFileSync(`${dir}wagw-worker@.service`, 'utf8');
    expect(directive(text, 'Environment')).toMatch(/^INSTANCE_ID=worker-%H-%i$/);
  });
});
