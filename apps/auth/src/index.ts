export { createAuthService } from './app';
export { loadAuthConfig } from './config';
export type { AuthConfig } from './config';
export { openApiDocument } from './openapi';
