import { describe } from 'vitest';
import { createMemoryStore } from '../../../shared/store/memory-store';
import { storeContract } from './store-contract';

describe('createMemoryStore', () => {
  storeContract(async () => createMemoryStore(), { carriesMessages: true });
});
