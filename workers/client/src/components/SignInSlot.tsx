/**
 * The header's sign-in place. Part 2 (sign-in, editing, review) replaces this component
 * with the ORCID sign-in button and the signed-in user's menu.
 */
export function SignInSlot() {
  return <div class="sign-in" data-slot="sign-in" />;
}
