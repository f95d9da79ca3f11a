/**
 * `npm run migrate`: brings the database named by DATABASE_URL to the latest schema, as the owner role of
 * DATABASE_OWNER_URL when it is set (then grants DATABASE_URL's role its runtime rights).
 */
import { createDb } from './database';
import { migrateWithRoles } from './migrate';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error(
    'DATABASE_URL is not set: point it at the PostgreSQL database to migrate (npm start migrates its embedded one itself).',
  );
  process.exit(2);
}
const db = createDb(url, { max: 1 });
try {
  const applied = await migrateWithRoles(db, process.env.DATABASE_OWNER_URL || undefined);
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Schema already up to date.');
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
