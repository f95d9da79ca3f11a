// s3rver ships no type declarations; the tests use its constructor, run and close (test/support/s3-server.ts).
declare module 's3rver';
