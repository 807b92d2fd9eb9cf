import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { DashboardSession } from '../api.js';

/** Who is signed in: views hide what the key may not do (the API refuses it anyway). */
export const PrincipalContext = createContext<DashboardSession | null>(null);

export function usePrincipal(): DashboardSession {
  const principal = useContext(PrincipalContext);
  if (!principal) throw new Error('usePrincipal outside the signed-in shell');
  return principal;
}

export function isAdmin(principal: DashboardSession): boolean {
  return principal.scope === 'admin';
}
