// A throwaway self-signed certificate for localhost, made with openssl when the benchmark
// starts. Imported first by relay.bench.ts: @grpc/grpc-js reads GRPC_DEFAULT_SSL_ROOTS_FILE_PATH
// when it is loaded, so the variable must be set before anything imports it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const benchDir = mkdtempSync(join(tmpdir(), 'tethr-bench-'));
export const keyPath = join(benchDir, 'key.pem');
export const certPath = join(benchDir, 'cert.pem');
execFileSync(
  'openssl',
  [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost'
  ],
  { stdio: 'ignore' }
);
process.env.GRPC_DEFAULT_SSL_ROOTS_FILE_PATH = certPath;
export const tls = { cert: readFileSync(certPath), key: readFileSync(keyPath) };
