/**
 * The admin service as callers in another thread see it: every method returns a promise. The
 * desktop app runs the domain in a worker thread behind this shape, so no IPC call holds the
 * Electron main process while ten thousand certificates are listed; tests and the CLI use the
 * in-process service through `local`.
 */
import type { AdminService } from './service';

type Method<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;

export type ServiceApi = {
  [K in keyof AdminService as AdminService[K] extends (...args: never[]) => unknown ? K : never]: Method<
    AdminService[K]
  >;
};

/** The names of the methods a worker answers (the facade's public arrow-function members). */
export function serviceMethods(svc: AdminService): string[] {
  return Object.keys(svc).filter((k) => typeof (svc as unknown as Record<string, unknown>)[k] === 'function');
}

/** The in-process service with the asynchronous shape. */
export function local(svc: AdminService): ServiceApi {
  const api: Record<string, unknown> = {};
  for (const name of serviceMethods(svc)) {
    const fn = (svc as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!;
    api[name] = async (...args: unknown[]) => fn(...args);
  }
  return api as ServiceApi;
}
