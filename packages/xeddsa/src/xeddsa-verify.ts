import { createPublicKey, verify } from 'node:crypto';
import { createRequire } from 'node:module';

/**
 * Signal's XEdDSA signatures checked with OpenSSL's Ed25519 instead of pure JavaScript.
 *
 * Baileys (through libsignal) verifies signatures with `curve25519-js`, a JavaScript port of
 * TweetNaCl: about 14 ms of CPU per signature on this project's machines. Every connection checks
 * two (WhatsApp's certificate chain in the Noise handshake) and every new Signal session one (the
 * contact's signed pre-key), so a worker bringing 1,000 sessions back after an outage spent ~30 s of
 * CPU on this alone, and the handshake of each waited for it. The check itself is standard: an
 * XEdDSA signature is an Ed25519 signature under the Edwards form of the Montgomery public key,
 * with the key's sign bit carried in the signature's last bit. Converting the key takes one field
 * inversion (BigInt); OpenSSL does the rest in ~0.1 ms.
 *
 * Same answers as `curve25519-js` for every signature an honest signer makes (checked against it in
 * xeddsa-verify.test.ts). OpenSSL is stricter on forged edge cases (it refuses an `s` at or above
 * the group order, which TweetNaCl accepts), which only refuses more.
 */

const P = 2n ** 255n - 19n;
// SubjectPublicKeyInfo for an Ed25519 key: this prefix, then the 32 key bytes.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

const mod = (a: bigint) => ((a % P) + P) % P;

function modPow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return result;
}

function readLittleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

/** The Edwards y = (u - 1) / (u + 1) of a Montgomery u, as TweetNaCl computes it (0 for u = -1). */
function edwardsKey(montgomery: Uint8Array): Buffer {
  // TweetNaCl's unpack25519 ignores the top bit.
  const u = readLittleEndian(montgomery) & ((1n << 255n) - 1n);
  let y = mod(mod(u - 1n) * modPow(u + 1n, P - 2n));
  const out = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(y & 0xffn);
    y >>= 8n;
  }
  return out;
}

function checkArrayTypes(...args: unknown[]) {
  for (const arg of args) {
    const type = Object.prototype.toString.call(arg);
    if (type !== '[object Uint8Array]') throw new TypeError(`unexpected type ${type}, use Uint8Array`);
  }
}

/** `curve25519-js`'s `verify(publicKey, msg, signature)`: same arguments, checks and errors. */
export function verifyXeddsa(publicKey: Uint8Array, msg: Uint8Array, signature: Uint8Array): boolean {
  checkArrayTypes(msg, signature, publicKey);
  if (signature.length !== 64) throw new Error('wrong signature length');
  if (publicKey.length !== 32) throw new Error('wrong public key length');
  const edPublic = edwardsKey(publicKey);
  edPublic[31]! |= signature[63]! & 128;
  const edSignature = Buffer.from(signature);
  edSignature[63]! &= 127;
  try {
    const key = createPublicKey({
      key: Buffer.concat([ED25519_SPKI_PREFIX, edPublic]),
      format: 'der',
      type: 'spki',
    });
    return verify(null, msg, key, edSignature);
  } catch {
    // Not a point on the curve: TweetNaCl's unpack fails the same way.
    return false;
  }
}

/**
 * Points the `curve25519-js` that libsignal uses at `verifyXeddsa`. libsignal's curve module calls
 * `curveJs.verify(...)` on that package's exports object at every call, so the change applies to
 * sockets already open too. Idempotent; returns the verify it replaced.
 */
export function installFastXeddsaVerify(): (
  publicKey: Uint8Array,
  msg: Uint8Array,
  sig: Uint8Array,
) => boolean {
  const fromLibsignal = createRequire(createRequire(import.meta.url).resolve('libsignal/src/curve.js'));
  const curveJs = fromLibsignal('curve25519-js') as {
    verify: typeof verifyXeddsa;
    __wagwOriginalVerify?: typeof verifyXeddsa;
  };
  curveJs.__wagwOriginalVerify ??= curveJs.verify;
  curveJs.verify = verifyXeddsa;
  return curveJs.__wagwOriginalVerify;
}
