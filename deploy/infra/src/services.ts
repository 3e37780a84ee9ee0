/** The platform's workloads and their ports (docs/contract.md §1 and §7); the chart uses the same numbers. */
export const SERVICES = ['frontend', 'auth', 'items', 'discounts'] as const;
export type Service = (typeof SERVICES)[number];

/** The services with a database connection and a management port. */
export const API_SERVICES = ['auth', 'items', 'discounts'] as const satisfies readonly Service[];
export type ApiService = (typeof API_SERVICES)[number];

export const HTTP_PORT = 8080;
export const MANAGEMENT_PORT = 9090;
export const DATABASE_PORT = 27017;
export const DNS_PORT = 53;
export const HTTPS_PORT = 443;

export function isApiService(service: Service): service is ApiService {
  return (API_SERVICES as readonly Service[]).includes(service);
}
