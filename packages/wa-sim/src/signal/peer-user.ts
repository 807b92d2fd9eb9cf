import { randomInt } from 'node:crypto';
import { PeerDevice } from './peer-device.js';

export interface PeerUserInit {
  /** Digits only, international format without `+`, e.g. `15557654321`. */
  phone: string;
  /** LID user part (digits) or full `…@lid` jid. Default: a random 15-digit id. */
  lid?: string;
  /** Push name sent as `notify` on inbound messages. Default: `Contact <last 4 digits>`. */
  name?: string;
  /** Device ids to simulate. Default `[0]` (the phone only). */
  devices?: number[];
}

/** A simulated WhatsApp user: phone number id, LID, push name and Signal-capable devices. */
export class PeerUser {
  readonly phone: string;
  /** `15557654321@s.whatsapp.net` */
  readonly pn: string;
  /** `888777666555444@lid` */
  readonly lid: string;
  readonly name: string;
  readonly devices = new Map<number, PeerDevice>();

  constructor(init: PeerUserInit) {
    if (!/^\d{5,20}$/.test(init.phone)) {
      throw new Error(`phone must be digits only, got "${init.phone}"`);
    }
    this.phone = init.phone;
    this.pn = `${init.phone}@s.whatsapp.net`;
    const lidUser = init.lid?.replace(/@lid$/, '') ?? randomLidUser();
    this.lid = `${lidUser}@lid`;
    this.name = init.name ?? `Contact ${init.phone.slice(-4)}`;
    for (const id of init.devices ?? [0]) {
      this.devices.set(id, new PeerDevice(id));
    }
  }

  get lidUser(): string {
    return this.lid.slice(0, -'@lid'.length);
  }

  device(id = 0): PeerDevice {
    const device = this.devices.get(id);
    if (!device) {
      throw new Error(`${this.phone} has no device ${id}`);
    }
    return device;
  }

  /** Device-qualified jid on either server, in WhatsApp's spelling (device 0 has no `:0`). */
  deviceJid(id: number, server: 'pn' | 'lid'): string {
    const user = server === 'pn' ? this.phone : this.lidUser;
    const domain = server === 'pn' ? 's.whatsapp.net' : 'lid';
    return id === 0 ? `${user}@${domain}` : `${user}:${id}@${domain}`;
  }
}

function randomLidUser(): string {
  // 15 digits, never starting with 0, like real LIDs; collisions are irrelevant at test scale.
  return `${randomInt(1, 10)}${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e5)).padStart(5, '0')}`;
}
