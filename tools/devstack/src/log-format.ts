const LEVEL_COLOURS: Record<string, string> = {
  trace: '90',
  debug: '90',
  info: '36',
  warn: '33',
  error: '31',
  fatal: '35',
};
const SKIPPED_FIELDS = new Set([
  'level',
  'time',
  'service',
  'msg',
  'pid',
  'hostname',
  'req',
  'res',
  'responseTime',
]);

/** Turns one JSON log line into `12:00:01 auth  info  message key=value`; other text passes through. */
export function formatLogLine(name: string, line: string, colour: boolean): string {
  const paint = (code: string, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const label = name.padEnd(10);
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `${paint('90', '        ')} ${label} ${line}`;
  }
  const level = typeof entry.level === 'string' ? entry.level : 'info';
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 19) : '        ';
  const req = entry.req as { id?: string } | undefined;
  const extras = Object.entries(entry)
    .filter(([key]) => !SKIPPED_FIELDS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  if (req?.id) extras.push(`request=${req.id}`);
  if (typeof entry.responseTime === 'number') extras.push(`${entry.responseTime}ms`);
  const message = typeof entry.msg === 'string' ? entry.msg : '';
  return `${paint('90', time)} ${label} ${paint(LEVEL_COLOURS[level] ?? '0', level.padEnd(5))} ${message}${
    extras.length > 0 ? ` ${paint('90', extras.join(' '))}` : ''
  }`;
}
