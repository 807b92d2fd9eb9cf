import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The programs some tests run that npm does not install. Each test that needs one asks for it with
 * `requireTool`, so a machine without it gets one line naming the program and how to install it
 * (the README's "Prerequisites" lists the same), not an ENOENT stack trace from deep in a helper.
 */
const TOOLS = {
  chromium: {
    path: () => process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    install: 'apt-get install chromium',
    why: 'browser tests (playwright-core drives it)',
  },
  promtool: {
    path: () => process.env.PROMTOOL_PATH ?? 'promtool',
    install: 'apt-get install prometheus',
    why: 'validating /metrics',
  },
  ffmpeg: {
    path: () => process.env.FFMPEG_PATH ?? 'ffmpeg',
    install: 'apt-get install ffmpeg',
    why: 'making sample audio and video',
  },
  nginx: {
    // Debian installs it in sbin, which a non-root PATH often lacks.
    path: () => process.env.NGINX_PATH ?? (locate('nginx') ? 'nginx' : '/usr/sbin/nginx'),
    install: 'apt-get install nginx-light',
    why: 'the load balancer in front of the API replicas in topology tests',
  },
} as const;

export type ToolName = keyof typeof TOOLS;

/**
 * A missing program. Its stack is its message alone: the one line is the whole story, and a list of
 * test-helper frames under it would only bury it.
 */
export class MissingToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingToolError';
    this.stack = `${this.name}: ${message}`;
  }
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `command` as the shell would find it: a path as given, a bare name on PATH. */
function locate(command: string): string | undefined {
  if (command.includes('/')) return executable(command) ? command : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

/**
 * The path of `name` to run, or a `MissingToolError` such as
 * `promtool not found (needed for validating /metrics): install it with `apt-get install prometheus``.
 * Call it in `beforeAll` (or where the file first needs the tool) so the whole file fails at once.
 */
export function requireTool(name: ToolName): string {
  const tool = TOOLS[name];
  const command = tool.path();
  const found = locate(command);
  if (found) return found;
  throw new MissingToolError(
    `${name} not found at ${command} (needed for ${tool.why}): install it with \`${tool.install}\`, see README "Prerequisites"`,
  );
}
