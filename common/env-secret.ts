/**
 * A setting that holds a secret may be given as a file instead: NAME_FILE names a file whose text is the value (the
 * convention of Docker and Kubernetes secrets), so the secret is not in the environment that `ps e`, crash reports and
 * child processes can see.
 */
import { readFileSync } from 'node:fs';

export class EnvSecretError extends Error {
  override name = 'EnvSecretError';
}

/** NAME's value, or the text of the file NAME_FILE names (without its final line break); undefined when neither is set. */
export function envSecret(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = env[`${name}_FILE`]?.trim();
  const inline = env[name]?.trim();
  if (file && inline) throw new EnvSecretError(`set ${name} or ${name}_FILE, not both`);
  if (!file) return inline || undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new EnvSecretError(`${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code})`);
  }
  const value = text.replace(/\r?\n$/, '');
  if (!value.trim()) throw new EnvSecretError(`${name}_FILE: ${file} is empty`);
  return value;
}

/** Whether NAME or NAME_FILE is set, without reading the file. */
export function envSecretIsSet(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env[name]?.trim() || env[`${name}_FILE`]?.trim());
}
