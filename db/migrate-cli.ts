/**
 * `npm run migrate`: brings the database named by DATABASE_URL to the latest schema, as the owner role of
 * DATABASE_OWNER_URL when it is set (then grants DATABASE_URL's role its runtime rights).
 */
import { envSecret } from '../common/env-secret';
import { createDb } from './database';
import { migrateWithRoles } from './migrate';

let url: string | undefined;
let ownerUrl: string | undefined;
try {
  url = envSecret('DATABASE_URL');
  ownerUrl = envSecret('DATABASE_OWNER_URL');
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
if (!url) {
  console.error(
    'DATABASE_URL (or DATABASE_URL_FILE) is not set: point it at the PostgreSQL database to migrate (npm start migrates its embedded one itself).',
  );
  process.exit(2);
}
const db = createDb(url, { max: 1 });
try {
  const applied = await migrateWithRoles(db, ownerUrl);
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Schema already up to date.');
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
