import { runMain } from '@platform/service-kit';
import { createDiscountsService } from './app';
import { loadDiscountsConfig } from './config';

runMain('discounts', () => createDiscountsService(loadDiscountsConfig()));
