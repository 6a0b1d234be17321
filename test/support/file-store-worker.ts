// Runs in its own process so the file store's locks are tested across processes.
import { createFileStore } from '../../shared/store/file-store';

const [dir, op, key, count] = process.argv.slice(2) as [string, string, string, string];
const store = createFileStore(dir);
void (async () => {
  for (let i = 0; i < Number(count); i++) {
    if (op === 'lock') console.log(await store.setIfAbsent(key, String(process.pid), 60_000));
    else console.log(await store.increment(key, 60_000));
  }
})();
