import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** PEM material of the simulator's test certificate authority and the CDN's leaf certificate. */
export interface TestCertificates {
  /** The CA certificate a client must trust (`NODE_EXTRA_CA_CERTS`, or `ca` of an https agent). */
  caPem: string;
  /** Leaf certificate for the media host names, signed by the CA. */
  certPem: string;
  /** Private key of the leaf. */
  keyPem: string;
}

/** Host names the leaf covers: the ones `media_conn` hands out and Baileys downloads from. */
const LEAF_DNS_NAMES = ['mmg.whatsapp.net', '*.whatsapp.net', '*.cdn.whatsapp.net', 'localhost'];
const LEAF_IPS = ['127.0.0.1'];
const VALID_DAYS = 30;

/** A test certificate authority that issues server certificates (PEM). */
export interface TestCa {
  /** The CA certificate a client must trust (`NODE_EXTRA_CA_CERTS`, or `ca` of an https agent). */
  caPem: string;
  /** A server certificate for these names (the first is also the common name), signed by the CA. */
  issue(dnsNames: readonly string[], ips?: readonly string[]): { certPem: string; keyPem: string };
}

let processCertificates: TestCertificates | undefined;

/**
 * The CA and leaf, generated on first use and shared by every simulator of the process: RSA 2048
 * key generation takes around a tenth of a second per key on a loaded machine, and test files start
 * a simulator per test. A client only has to trust the CA, so sharing it changes nothing for one.
 */
export function testCertificates(): TestCertificates {
  if (!processCertificates) {
    const ca = createTestCa('wa-sim test CA');
    processCertificates = { caPem: ca.caPem, ...ca.issue(LEAF_DNS_NAMES, LEAF_IPS) };
  }
  return processCertificates;
}

/** A new CA (own key pair). Keys come from Node's native RSA: forge's pure-JS keygen takes seconds. */
export function createTestCa(commonName: string): TestCa {
  const caKeys = rsaKeyPair();
  const caSubject = [{ name: 'commonName', value: commonName }];
  const ca = newCertificate(caKeys.publicKey, caSubject, caSubject);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());
  const caKeyId = ca.generateSubjectKeyIdentifier().getBytes();

  return {
    caPem: forge.pki.certificateToPem(ca),
    issue(dnsNames, ips = []) {
      const leafKeys = rsaKeyPair();
      const leaf = newCertificate(
        leafKeys.publicKey,
        [{ name: 'commonName', value: dnsNames[0] ?? '' }],
        caSubject,
      );
      leaf.setExtensions([
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [...dnsNames.map((value) => ({ type: 2, value })), ...ips.map((ip) => ({ type: 7, ip }))],
        },
        { name: 'authorityKeyIdentifier', keyIdentifier: caKeyId },
      ]);
      leaf.sign(caKeys.privateKey, forge.md.sha256.create());
      return {
        certPem: forge.pki.certificateToPem(leaf),
        keyPem: forge.pki.privateKeyToPem(leafKeys.privateKey),
      };
    },
  };
}

function rsaKeyPair(): { publicKey: forge.pki.rsa.PublicKey; privateKey: forge.pki.rsa.PrivateKey } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey,
    privateKey: forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey,
  };
}

function newCertificate(
  publicKey: forge.pki.rsa.PublicKey,
  subject: forge.pki.CertificateField[],
  issuer: forge.pki.CertificateField[],
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive, minimally encoded DER INTEGER: the first byte is 0x01-0x7f. (A '0' prefixed to the
  // hex, as before, made an odd-length string that forge pads with a 0x00 byte; before a byte below
  // 0x80 that is a non-minimal INTEGER, which OpenSSL 3 refuses as "illegal padding".)
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01;
  cert.serialNumber = serial.toString('hex');
  const now = Date.now();
  // Backdated a minute so a client whose clock is slightly behind still accepts it.
  cert.validity.notBefore = new Date(now - 60_000);
  cert.validity.notAfter = new Date(now + VALID_DAYS * 24 * 3600_000);
  cert.setSubject(subject);
  cert.setIssuer(issuer);
  return cert;
}
