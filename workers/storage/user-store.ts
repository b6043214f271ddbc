/** Users and their credentials. Tokens are stored only as SHA-256 hashes. */
import { and, eq } from 'drizzle-orm';
import { sha256Hex } from '../domain/hashing';
import type { Db } from './db';
import { patchRequests, users } from './schema';

export type UserRow = typeof users.$inferSelect;

export const PERMISSIONS = ['submit-patch', 'create-bag', 'accept-patch', 'create-graph'] as const;
export type Permission = (typeof PERMISSIONS)[number];
export const DEFAULT_PERMISSIONS: Permission[] = ['submit-patch', 'create-bag'];

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}

export async function upsertUser(
  db: Db,
  args: { id: string; name: string; token?: string; permissions?: Permission[]; expiresAt?: number },
): Promise<UserRow> {
  const now = new Date().toISOString();
  const tokenHash = args.token === undefined ? undefined : await sha256Hex(args.token);
  // One statement: a new user gets the given (or default) permissions, an existing one
  // keeps theirs unless permissions are given, even if they were changed a moment ago.
  const permissions = JSON.stringify(args.permissions ?? DEFAULT_PERMISSIONS);
  const [row] = await db
    .insert(users)
    .values({ id: args.id, name: args.name, permissions, tokenHash, tokenExpiresAt: args.expiresAt, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: users.id,
      set: {
        name: args.name,
        ...(args.permissions !== undefined ? { permissions } : {}),
        updatedAt: now,
        ...(tokenHash !== undefined ? { tokenHash, tokenExpiresAt: args.expiresAt ?? null } : {}),
      },
    })
    .returning();
  return row;
}

export async function setPermissions(db: Db, id: string, permissions: Permission[]): Promise<UserRow | undefined> {
  const [row] = await db
    .update(users)
    .set({ permissions: JSON.stringify(permissions), updatedAt: new Date().toISOString() })
    .where(eq(users.id, id))
    .returning();
  return row;
}

export async function userByToken(db: Db, token: string): Promise<UserRow | undefined> {
  return db.query.users.findFirst({ where: eq(users.tokenHash, await sha256Hex(token)) });
}

/** Has this user submitted a patch request that is still open (which they may update)? */
export async function hasOpenPatchRequest(db: Db, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: patchRequests.id })
    .from(patchRequests)
    .where(and(eq(patchRequests.createdBy, userId), eq(patchRequests.open, true)))
    .limit(1);
  return row !== undefined;
}

/** What the admin API shows of a user: never the token or its hash. */
export function publicUser(row: UserRow) {
  return {
    id: row.id,
    name: row.name,
    permissions: JSON.parse(row.permissions) as string[],
    tokenExpiresAt: row.tokenExpiresAt === null ? null : new Date(row.tokenExpiresAt * 1000).toISOString(),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
