import { runMain } from '@platform/service-kit';
import { createAuthService } from './app';
import { loadAuthConfig } from './config';

runMain('auth', () => createAuthService(loadAuthConfig()));
