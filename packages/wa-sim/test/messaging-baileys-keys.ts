import {
  type AuthenticationCreds,
  addTransactionCapability,
  DEFAULT_CONNECTION_CONFIG,
  initAuthCreds,
  type SignalKeyStoreWithTransaction,
} from '@whiskeysockets/baileys';
import pino from 'pino';
import { createMemoryKeyStore } from '../src/index.js';

export interface BaileysSignalSide {
  creds: AuthenticationCreds;
  keys: SignalKeyStoreWithTransaction;
  repository: ReturnType<typeof DEFAULT_CONNECTION_CONFIG.makeSignalRepository>;
}

/** Baileys' real Signal repository (the one its socket uses), wired to in-memory keys. */
export function baileysSignalSide(): BaileysSignalSide {
  const logger = pino({ level: 'silent' });
  const creds = initAuthCreds();
  const keys = addTransactionCapability(createMemoryKeyStore(), logger, {
    maxCommitRetries: 1,
    delayBetweenTriesMs: 0,
  });
  const repository = DEFAULT_CONNECTION_CONFIG.makeSignalRepository({ creds, keys }, logger);
  return { creds, keys, repository };
}
