/**
 * Sign-in states of ORCID sign-ins in progress: each is single-use, short-lived and bound
 * to one browser by the SHA-256 of a cookie only that browser holds (the cookie itself is
 * never stored).
 */
import { and, eq, lt } from 'drizzle-orm';
import type { Db } from './db';
import { authStates } from './schema';

/** What `/register` remembers for `/registered`. */
export interface SignInParams {
  /** `?cli`: answer the token as text instead of posting it to the opener window. */
  cli: boolean;
  /** The normalised `?origin=` of the client that opened the sign-in window, if given. */
  origin: string | null;
  /** The redirect_uri sent to ORCID, which the token request must repeat exactly. */
  redirectUri: string;
}

/** Stores a new state (and forgets every expired one: abandoned sign-ins leave no trace). */
export async function createAuthState(
  db: Db,
  args: { state: string; cookieHash: string; params: SignInParams; expiresAt: number },
): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  await db.batch([
    db.delete(authStates).where(lt(authStates.expiresAt, now)),
    db.insert(authStates).values({
      state: args.state,
      cookieHash: args.cookieHash,
      params: JSON.stringify(args.params),
      expiresAt: args.expiresAt,
    }),
  ]);
}

/**
 * Takes the state that `state` names if, and only if, it was bound to `cookieHash`: one
 * statement deletes and returns it, so two requests can never both use it. A request with
 * another browser's cookie consumes nothing. Expiry is the caller's to check.
 */
export async function consumeAuthState(
  db: Db,
  state: string,
  cookieHash: string,
): Promise<{ params: SignInParams; expiresAt: number } | null> {
  const [row] = await db
    .delete(authStates)
    .where(and(eq(authStates.state, state), eq(authStates.cookieHash, cookieHash)))
    .returning({ params: authStates.params, expiresAt: authStates.expiresAt });
  if (!row) return null;
  return { params: JSON.parse(row.params) as SignInParams, expiresAt: row.expiresAt };
}
