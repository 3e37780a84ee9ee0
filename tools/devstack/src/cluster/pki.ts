import { webcrypto } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
// The library needs the Reflect metadata polyfill loaded before it.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const VALIDITY_MS = 7 * 24 * 60 * 60 * 1000;

interface Issuer {
  certificate: x509.X509Certificate;
  keys: CryptoKeyPair;
}

/** A certificate and its key, as PEM files written to the data directory. */
export interface PemFiles {
  cert: string;
  key: string;
}

/** Every file the control plane's components are started with. */
export interface ClusterPki {
  caCert: string;
  caKey: string;
  apiserver: PemFiles;
  admin: PemFiles;
  controllerManager: PemFiles;
  scheduler: PemFiles;
  kwok: PemFiles;
  /** Service-account token signing key pair. */
  serviceAccountKey: string;
  serviceAccountPublicKey: string;
}

async function keyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
}

async function privateKeyPem(keys: CryptoKeyPair): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function publicKeyPem(keys: CryptoKeyPair): Promise<string> {
  const der = await webcrypto.subtle.exportKey('spki', keys.publicKey);
  return x509.PemConverter.encode(der, 'PUBLIC KEY');
}

function validity() {
  // A minute back, so that a clock a little behind still accepts it.
  const notBefore = new Date(Date.now() - 60_000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + VALIDITY_MS) };
}

async function authority(): Promise<Issuer> {
  const keys = await keyPair();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=platform-test-ca',
    keys,
    signingAlgorithm: SIGNING,
    ...validity(),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificate, keys };
}

interface LeafSpec {
  /** Kubernetes reads the user from CN and the groups from O. */
  subject: string;
  usage: 'server' | 'client';
  ips?: string[];
  dnsNames?: string[];
}

async function leaf(issuer: Issuer, spec: LeafSpec): Promise<{ cert: string; key: string }> {
  const keys = await keyPair();
  const names = [
    ...(spec.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
    ...(spec.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
  ];
  const certificate = await x509.X509CertificateGenerator.create({
    subject: spec.subject,
    issuer: issuer.certificate.subject,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: SIGNING,
    ...validity(),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension(
        [spec.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
        false,
      ),
      await x509.AuthorityKeyIdentifierExtension.create(issuer.certificate, false),
      ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names, false)] : []),
    ],
  });
  return { cert: certificate.toString('pem'), key: await privateKeyPem(keys) };
}

/**
 * A fresh PKI for one control plane: a CA, the API server's serving certificate for 127.0.0.1,
 * client certificates for the admin (system:masters) and each component under the identity its
 * bootstrap RBAC role names, and the service-account signing keys. New keys on every start.
 */
export async function createClusterPki(dir: string): Promise<ClusterPki> {
  const ca = await authority();
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  };
  const pair = async (name: string, spec: LeafSpec): Promise<PemFiles> => {
    const { cert, key } = await leaf(ca, spec);
    return { cert: write(`${name}.crt`, cert), key: write(`${name}.key`, key) };
  };
  const serviceAccount = await keyPair();
  return {
    caCert: write('ca.crt', ca.certificate.toString('pem')),
    caKey: write('ca.key', await privateKeyPem(ca.keys)),
    apiserver: await pair('apiserver', {
      subject: 'CN=kube-apiserver',
      usage: 'server',
      ips: ['127.0.0.1'],
      dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'],
    }),
    admin: await pair('admin', { subject: 'CN=platform-admin, O=system:masters', usage: 'client' }),
    controllerManager: await pair('controller-manager', {
      subject: 'CN=system:kube-controller-manager',
      usage: 'client',
    }),
    scheduler: await pair('scheduler', { subject: 'CN=system:kube-scheduler', usage: 'client' }),
    // kwok acts for the simulated kubelets; it manages nodes and their pods' status.
    kwok: await pair('kwok', { subject: 'CN=kwok, O=system:masters', usage: 'client' }),
    serviceAccountKey: write('service-account.key', await privateKeyPem(serviceAccount)),
    serviceAccountPublicKey: write('service-account.pub', await publicKeyPem(serviceAccount)),
  };
}

/** A kubeconfig for one client certificate against the API server. */
export function kubeconfigText(server: string, caCert: string, user: string, client: PemFiles): string {
  const context = 'platform-test';
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: context, cluster: { server, 'certificate-authority': caCert } }],
      users: [{ name: user, user: { 'client-certificate': client.cert, 'client-key': client.key } }],
      contexts: [{ name: context, context: { cluster: context, user } }],
      'current-context': context,
    },
    null,
    2,
  );
}
