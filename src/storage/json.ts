/** JSON columns are text on every database. */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function fromJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export const bit = (v: boolean): number => (v ? 1 : 0);
export const flag = (v: number | boolean | null | undefined): boolean => v === true || Number(v) === 1;
