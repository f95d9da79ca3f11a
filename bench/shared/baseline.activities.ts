/** The baseline's only activity: it does nothing and returns. */
export async function noop(): Promise<void> {}
