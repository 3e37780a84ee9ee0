import { runMain } from '@platform/service-kit';
import { createItemsService } from './app';
import { loadItemsConfig } from './config';

runMain('items', () => createItemsService(loadItemsConfig()));
