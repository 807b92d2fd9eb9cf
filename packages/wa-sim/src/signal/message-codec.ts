import { randomInt } from 'node:crypto';
import { proto } from '@whiskeysockets/baileys';

/**
 * WhatsApp appends N bytes of value N (1..16) to every plaintext before Signal encryption, so that message
 * lengths leak less. Both directions use it.
 */
function padRandomMax16(data: Uint8Array): Buffer {
  const n = randomInt(1, 17);
  return Buffer.concat([data, Buffer.alloc(n, n)]);
}

function unpadRandomMax16(data: Uint8Array): Buffer {
  const n = data[data.length - 1];
  if (n === undefined || n === 0 || n > 16 || n > data.length) {
    throw new Error(`invalid WhatsApp padding (length ${data.length}, pad ${n})`);
  }
  return Buffer.from(data.subarray(0, data.length - n));
}

export function encodeMessage(message: proto.IMessage): Buffer {
  return padRandomMax16(proto.Message.encode(message).finish());
}

export function decodeMessage(plaintext: Uint8Array): proto.Message {
  return proto.Message.decode(unpadRandomMax16(plaintext));
}

/** The text of a message whichever way the client wrapped it (own-device copies, extended text). */
export function messageText(message: proto.IMessage): string | undefined {
  const inner = message.deviceSentMessage?.message ?? message;
  return inner.conversation ?? inner.extendedTextMessage?.text ?? undefined;
}
