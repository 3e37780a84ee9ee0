import { Network } from '../src/components/network';
import { parseConfig } from '../src/config';
import { Naming } from '../src/naming';
import { runPulumi } from './harness';

test('smoke', async () => {
  const config = parseConfig({
    name: 'platform-dev', environment: 'dev', environments: ['dev'],
    ingress: { host: 'a.example.com', grafanaHost: 'g.example.com', prometheusHost: 'p.example.com' },
    tls: { email: 'ops@example.com' },
  });
  const run = await runPulumi(() => new Network('net', { config, naming: new Naming(config) }));
  const o = run.result.vpcId;
  console.log('known', await (o as any).isKnown, 'secret', await (o as any).isSecret);
  console.log('promise', await (o as any).promise());
});
