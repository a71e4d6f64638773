import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

// The key pair of the JWT bearer flow: Tethr keeps the private key; the certificate goes on the
// External Client App's global OAuth settings in Tethr's Dev Hub, where Salesforce uses it to
// verify every assertion from every customer org. A self-signed certificate is what Salesforce
// expects there ("Use digital signatures": upload a certificate; help sf.remoteaccess_oauth_jwt_flow).
// Node's crypto makes the RSA key; node-forge builds and signs the X.509 certificate, which Node
// itself cannot create.

export interface GeneratedKeyPair {
  /** PKCS#8 PEM: "-----BEGIN PRIVATE KEY-----" */
  privateKeyPem: string;
  /** X.509 PEM: "-----BEGIN CERTIFICATE-----" */
  certificatePem: string;
  /** SHA-256 fingerprint, colon-separated hex: how people tell certificates apart */
  fingerprint: string;
  notAfter: Date;
}

export interface KeyPairOptions {
  /** the certificate's common name */
  commonName: string;
  /** validity in days */
  days: number;
  now?: Date;
}

export function generateKeyPair(options: KeyPairOptions): GeneratedKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(
    publicKey.export({ type: 'spki', format: 'pem' }).toString()
  );
  // A positive serial: the high bit of the first byte must be clear in DER.
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  certificate.serialNumber = serial.toString('hex');
  const notBefore = options.now ?? new Date();
  const notAfter = new Date(notBefore.getTime() + options.days * 24 * 3600 * 1000);
  certificate.validity.notBefore = notBefore;
  certificate.validity.notAfter = notAfter;
  const subject = [{ name: 'commonName', value: options.commonName }];
  certificate.setSubject(subject);
  certificate.setIssuer(subject);
  certificate.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, critical: true }
  ]);
  certificate.sign(
    forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
    forge.md.sha256.create()
  );
  const certificatePem = forge.pki.certificateToPem(certificate).replace(/\r\n/g, '\n');
  return { privateKeyPem, certificatePem, fingerprint: fingerprintOf(certificatePem), notAfter };
}

/** The SHA-256 fingerprint of a PEM certificate, as openssl and Setup show it. */
export function fingerprintOf(certificatePem: string): string {
  return new X509Certificate(certificatePem).fingerprint256;
}
