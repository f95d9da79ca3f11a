// oidc-provider ships no type declarations; the OIDC test uses a few of its calls (test/support/identity-provider.ts).
declare module 'oidc-provider';
