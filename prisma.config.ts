import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
import { databaseUrl } from './scripts/database-url';

// The schema reads env("DATABASE_URL"); without it the CLI cannot read the
// generator block and falls back to downloading a native engine.
process.env.DATABASE_URL = databaseUrl();

// Prisma's native schema engine cannot be downloaded here; the JS engine with a
// driver adapter runs migrate/generate offline (see PLATFORM.md).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => new PrismaPg({ connectionString: databaseUrl() }),
});
