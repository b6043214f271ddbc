import { SignIn } from './contribute/SignIn';

/** The header's sign-in place: the ORCID sign-in button, or the signed-in person's menu. */
export function SignInSlot() {
  return <SignIn />;
}
