/** Child process doing nothing: the RSS of a bare Node process (with or without the source loader). */
setInterval(() => undefined, 60_000);
console.log(JSON.stringify({ ready: 'idle' }));
process.once('SIGTERM', () => process.exit(0));
