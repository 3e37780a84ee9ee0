/** What the numbers were measured on. */
import { arch, cpus, loadavg, release, totalmem, type } from 'node:os';
import { MongoClient } from 'mongodb';
import type { MachineInfo } from './report';

export async function databaseInfo(
  adminUrl: string,
): Promise<{ engine: 'ferretdb' | 'mongodb'; version: string }> {
  const client = new MongoClient(adminUrl, { serverSelectionTimeoutMS: 10_000 });
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    const ferretdb = info.ferretdbVersion as string | undefined;
    return ferretdb
      ? { engine: 'ferretdb', version: ferretdb }
      : { engine: 'mongodb', version: String(info.version) };
  } finally {
    await client.close();
  }
}

export function machineInfo(database: MachineInfo['database']): MachineInfo {
  const processors = cpus();
  return {
    node: process.version,
    os: `${type()} ${release()} ${arch()}`,
    cpus: processors.length,
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    memoryBytes: totalmem(),
    loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
    database,
  };
}
