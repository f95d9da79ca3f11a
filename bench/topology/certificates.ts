/**
 * The topology's private CA and its two certificates, made with openssl at setup: the Temporal frontend's server
 * certificate (for the name `temporal` and 127.0.0.1) and one client certificate that the workers, the API and this
 * harness present. The frontend trusts only clients signed by this CA (mutual TLS).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TopologyCertificates {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** The name the clients check the server certificate against (TEMPORAL_TLS_SERVER_NAME). */
  serverName: string;
}

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });

/** A key and a certificate for `cn` signed by the CA, valid two days, with `extensions` (an openssl extfile). */
function issue(dir: string, name: string, cn: string, extensions: string): void {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, extensions);
  openssl(
    ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'].concat([
      '-keyout',
      key,
      '-out',
      csr,
      '-subj',
      `/O=OVOP topology/CN=${cn}`,
    ]),
  );
  openssl(
    ['x509', '-req', '-in', csr, '-CA', join(dir, 'ca.pem'), '-CAkey', join(dir, 'ca.key')].concat([
      '-CAcreateserial',
      '-days',
      '2',
      '-sha256',
      '-extfile',
      ext,
      '-out',
      join(dir, `${name}.pem`),
    ]),
  );
}

export function makeCertificates(dir: string): TopologyCertificates {
  mkdirSync(dir, { recursive: true });
  const serverName = 'temporal';
  openssl(
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2'].concat([
      '-keyout',
      join(dir, 'ca.key'),
      '-out',
      join(dir, 'ca.pem'),
      '-subj',
      '/O=OVOP topology/CN=OVOP topology CA',
    ]),
  );
  issue(dir, 'server', serverName, `subjectAltName=DNS:${serverName},IP:127.0.0.1\nextendedKeyUsage=serverAuth\n`);
  issue(dir, 'client', 'ovop-services', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    caCert: join(dir, 'ca.pem'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client.key'),
    serverName,
  };
}

/** The environment that gives a service (worker, API, CLI) the client certificate, read by @temporalio/envconfig. */
export function clientTlsEnv(c: TopologyCertificates): Record<string, string> {
  return {
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: c.caCert,
    TEMPORAL_TLS_CLIENT_CERT_PATH: c.clientCert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: c.clientKey,
    TEMPORAL_TLS_SERVER_NAME: c.serverName,
  };
}
