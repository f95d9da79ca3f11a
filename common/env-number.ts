/**
 * A number an operator sets in the environment: the default when the variable is unset or blank, else the value
 * checked against its rule. A value that breaks the rule stops the process with the variable's name, the rule and
 * what was given, rather than running on a number nobody meant.
 */
export interface NumberRule {
  accepts: (n: number) => boolean;
  /** The rule as the error says it: "a positive number of seconds". */
  says: string;
}

export const positive = (unit?: string): NumberRule => ({
  accepts: (n) => Number.isFinite(n) && n > 0,
  says: unit ? `a positive number of ${unit}` : 'a positive number',
});

export const wholeNumber = (unit: string, min: number, max?: number): NumberRule => ({
  accepts: (n) => Number.isInteger(n) && n >= min && (max === undefined || n <= max),
  says:
    max === undefined
      ? `a whole number of ${unit} (${min} or more)`
      : `a whole number of ${unit} from ${min} to ${max}`,
});

/** The variable's number, or `fallback` when it is unset or blank (undefined for a setting without a default). */
export function envNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, rule: NumberRule): number;
export function envNumber(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: undefined,
  rule: NumberRule,
): number | undefined;
export function envNumber(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number | undefined,
  rule: NumberRule,
): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!rule.accepts(n)) throw new Error(`${name} must be ${rule.says}, not ${JSON.stringify(raw)}`);
  return n;
}
